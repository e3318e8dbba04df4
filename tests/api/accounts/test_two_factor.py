"""TOTP second factor with recovery codes: enrol, confirm, the login second step, replay and
reuse refused, disable, and throttling of guesses."""

from __future__ import annotations

import httpx
import pyotp
import pytest
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from api.settings import RateLimitSettings
from models.account import RecoveryCode, TotpCredential
from tests.api.accounts.conftest import ClientFor, UserFactory
from tests.fixtures.users import (
    PASSWORD,
    api_settings_for_tests,
    assert_error,
    auth_headers,
    bearer,
    enable_totp,
    login,
    next_totp_code,
)

pytestmark = pytest.mark.integration

LOGIN = "/api/mobile/auth/login"
SECOND = "/api/mobile/auth/login/2fa"
ME = "/api/mobile/me"


async def _challenge(client: httpx.AsyncClient, email: str) -> str:
    response = await client.post(LOGIN, json={"email": email, "password": PASSWORD})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["mfaRequired"] is True
    assert "accessToken" not in body
    return str(body["mfaToken"])


async def test_enrolment_needs_a_valid_first_code_and_ends_older_sessions(
    client: httpx.AsyncClient, user_factory: UserFactory, session: AsyncSession
) -> None:
    user = await user_factory()
    headers = await auth_headers(client, user)
    enrolled = await client.post(f"{ME}/2fa/totp", headers=headers)
    assert enrolled.status_code == 200
    secret = enrolled.json()["secret"]
    assert enrolled.json()["otpauthUri"].startswith("otpauth://totp/")
    stored = (await session.execute(select(TotpCredential))).scalar_one()
    assert secret not in stored.secret_encrypted  # encrypted at rest
    me = (await client.get(ME, headers=headers)).json()["user"]
    assert me["twoFactorEnabled"] is False  # not before a code confirms it
    assert "secret" not in str(me).lower()

    wrong = await client.post(f"{ME}/2fa/totp/confirm", headers=headers, json={"code": "000000"})
    assert_error(wrong, 400, "invalid_code")
    confirmed = await client.post(
        f"{ME}/2fa/totp/confirm", headers=headers, json={"code": pyotp.TOTP(secret).now()}
    )
    assert confirmed.status_code == 200, confirmed.text
    body = confirmed.json()
    assert len(body["recoveryCodes"]) == 10
    hashes = (await session.execute(select(RecoveryCode.code_hash))).scalars().all()
    assert not set(body["recoveryCodes"]) & set(hashes)
    # Tokens from before the second factor existed stop working; the new pair works.
    assert_error(await client.get(ME, headers=headers), 401, "token_revoked")
    me = (await client.get(ME, headers=bearer(body["accessToken"]))).json()["user"]
    assert me["twoFactorEnabled"] is True
    again = await client.post(f"{ME}/2fa/totp", headers=bearer(body["accessToken"]))
    assert_error(again, 409, "two_factor_enabled")


async def test_login_asks_for_the_second_factor_and_refuses_replays(
    client: httpx.AsyncClient, user_factory: UserFactory, session: AsyncSession
) -> None:
    user = await user_factory()
    secret, _ = await enable_totp(client, await auth_headers(client, user))
    mfa_token = await _challenge(client, user.email)
    # The challenge is not an access token.
    assert_error(await client.get(ME, headers=bearer(mfa_token)), 401, "invalid_token")

    wrong = await client.post(SECOND, json={"mfaToken": mfa_token, "code": "123456"})
    assert_error(wrong, 401, "invalid_code")
    code = next_totp_code(secret)
    ok = await client.post(SECOND, json={"mfaToken": mfa_token, "code": code})
    assert ok.status_code == 200, ok.text
    assert (await client.get(ME, headers=bearer(ok.json()["accessToken"]))).status_code == 200
    # The same code again (a shoulder-surfer, a phished code): refused.
    replay = await client.post(SECOND, json={"mfaToken": mfa_token, "code": code})
    assert_error(replay, 401, "invalid_code")
    forged = await client.post(SECOND, json={"mfaToken": "x.y.z", "code": code})
    assert_error(forged, 401, "invalid_mfa_token")
    missing = await client.post(SECOND, json={"mfaToken": mfa_token})
    assert_error(missing, 422)


async def test_recovery_codes_work_once(
    client: httpx.AsyncClient, user_factory: UserFactory
) -> None:
    user = await user_factory()
    _, confirmed = await enable_totp(client, await auth_headers(client, user))
    code = confirmed["recoveryCodes"][3]
    mfa_token = await _challenge(client, user.email)
    typed = code.upper().replace("-", " ")
    ok = await client.post(SECOND, json={"mfaToken": mfa_token, "recoveryCode": typed})
    assert ok.status_code == 200, ok.text
    reused = await client.post(SECOND, json={"mfaToken": mfa_token, "recoveryCode": code})
    assert_error(reused, 401, "invalid_code")


async def test_disabling_needs_password_and_a_code(
    client: httpx.AsyncClient, user_factory: UserFactory, session: AsyncSession
) -> None:
    user = await user_factory()
    secret, confirmed = await enable_totp(client, await auth_headers(client, user))
    headers = bearer(confirmed["accessToken"])
    no_password = await client.post(
        f"{ME}/2fa/totp/disable", headers=headers, json={"password": "wrong one", "code": "123456"}
    )
    assert_error(no_password, 400, "wrong_password")
    bad_code = await client.post(
        f"{ME}/2fa/totp/disable", headers=headers, json={"password": PASSWORD, "code": "000000"}
    )
    assert_error(bad_code, 400, "invalid_code")
    done = await client.post(
        f"{ME}/2fa/totp/disable",
        headers=headers,
        json={"password": PASSWORD, "code": next_totp_code(secret)},
    )
    assert done.status_code == 200, done.text
    assert (await session.execute(select(TotpCredential))).first() is None
    assert (await session.execute(select(RecoveryCode))).first() is None
    body = await login(client, user.email)
    assert "accessToken" in body


async def test_recovery_codes_can_be_replaced(
    client: httpx.AsyncClient, user_factory: UserFactory
) -> None:
    user = await user_factory()
    secret, confirmed = await enable_totp(client, await auth_headers(client, user))
    headers = bearer(confirmed["accessToken"])
    fresh = await client.post(
        f"{ME}/2fa/recovery-codes", headers=headers, json={"code": next_totp_code(secret)}
    )
    assert fresh.status_code == 200
    new_codes = fresh.json()["recoveryCodes"]
    assert not set(new_codes) & set(confirmed["recoveryCodes"])
    mfa_token = await _challenge(client, user.email)
    old = await client.post(
        SECOND, json={"mfaToken": mfa_token, "recoveryCode": confirmed["recoveryCodes"][0]}
    )
    assert_error(old, 401, "invalid_code")
    new = await client.post(SECOND, json={"mfaToken": mfa_token, "recoveryCode": new_codes[0]})
    assert new.status_code == 200


async def test_second_factor_guesses_are_throttled_per_account(
    client_for: ClientFor, user_factory: UserFactory, session: AsyncSession
) -> None:
    user = await user_factory()
    settings = api_settings_for_tests(rate_limits=RateLimitSettings(two_factor_account="4/300"))
    async with client_for(settings) as client:
        # Every code check of the account shares the budget: the enrolment's confirm is one.
        secret, _ = await enable_totp(client, await auth_headers(client, user))
        mfa_token = await _challenge(client, user.email)
        for _ in range(3):
            guess = await client.post(SECOND, json={"mfaToken": mfa_token, "code": "111111"})
            assert guess.status_code == 401
        blocked = await client.post(
            SECOND, json={"mfaToken": mfa_token, "code": next_totp_code(secret)}
        )
        assert_error(blocked, 429, "rate_limited")
        assert int(blocked.headers["Retry-After"]) >= 1


async def test_a_code_older_than_the_last_used_step_is_refused(
    client: httpx.AsyncClient, user_factory: UserFactory, session: AsyncSession
) -> None:
    user = await user_factory()
    secret, _ = await enable_totp(client, await auth_headers(client, user))
    await session.execute(update(TotpCredential).values(last_used_step=10**12))
    await session.commit()
    mfa_token = await _challenge(client, user.email)
    response = await client.post(
        SECOND, json={"mfaToken": mfa_token, "code": next_totp_code(secret)}
    )
    assert_error(response, 401, "invalid_code")
