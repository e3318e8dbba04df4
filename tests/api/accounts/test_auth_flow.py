"""Mobile auth at the seed's paths, end to end over HTTP on the real database: registration and
its verification email, login, tokens and their attacks, refresh rotation and reuse, logout,
password change, forgot / reset."""

from __future__ import annotations

import base64
import json
import re
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import unquote

import httpx
import jwt
import pytest
from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from api.accounts import security
from api.settings import ApiSettings
from models import AuditLog, Candidate, EmailOutbox, Recruiter, RefreshToken, User
from models.account import AccountToken
from models.enums import UserType
from tests.api.accounts.conftest import UserFactory
from tests.fixtures.users import PASSWORD, assert_error, bearer, login

pytestmark = pytest.mark.integration

REGISTER = "/api/mobile/auth/register"
LOGIN = "/api/mobile/auth/login"
REFRESH = "/api/mobile/auth/refresh"
LOGOUT = "/api/mobile/auth/logout"
ME = "/api/mobile/me"


async def emailed_token(session: AsyncSession, to: str, template: str) -> str:
    """The token in the one email of this kind to this address (as a user would click it)."""
    tokens = await all_emailed_tokens(session, to, template)
    assert len(tokens) == 1, tokens
    return tokens[0]


async def all_emailed_tokens(session: AsyncSession, to: str, template: str) -> list[str]:
    bodies = (
        (
            await session.execute(
                select(EmailOutbox.body_text).where(
                    EmailOutbox.to_address == to, EmailOutbox.template == template
                )
            )
        )
        .scalars()
        .all()
    )
    return [unquote(m.group(1)) for b in bodies if (m := re.search(r"token=([\w\-%]+)", b))]


async def register(client: httpx.AsyncClient, **fields: Any) -> httpx.Response:
    payload = {"email": "layla@example.com", "password": PASSWORD, "name": "Layla"} | fields
    return await client.post(REGISTER, json=payload)


# --- registration and verification -------------------------------------------------------------


async def test_candidate_registers_verifies_email_then_logs_in(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    response = await register(client, email="Layla@Example.com", phone="+971501234567")
    assert response.status_code == 201
    assert "tokens" not in response.text.lower()
    user = (
        await session.execute(select(User).where(User.email == "layla@example.com"))
    ).scalar_one()
    assert user.user_type == UserType.CANDIDATE
    assert user.email_verified_at is None
    assert user.password_hash
    assert user.password_hash.startswith("$argon2id$")
    assert PASSWORD not in user.password_hash
    candidate = await session.get(Candidate, user.id)
    assert candidate is not None
    assert candidate.phone == "+971501234567"

    # The seed requires a verified email before login (the password is right, so say why).
    blocked = await client.post(LOGIN, json={"email": "layla@example.com", "password": PASSWORD})
    assert_error(blocked, 403, "email_not_verified")

    token = await emailed_token(session, "layla@example.com", "verify_email")
    stored = (await session.execute(select(AccountToken.token_hash))).scalars().all()
    assert token not in stored  # only a hash is kept
    verified = await client.get("/api/auth/verify-email", params={"token": token})
    assert verified.status_code == 200, verified.text
    again = await client.get("/api/auth/verify-email", params={"token": token})
    assert_error(again, 400, "invalid_token")  # single use

    body = await login(client, "LAYLA@example.com")
    assert body["tokenType"] == "Bearer"
    assert body["expiresIn"] == 15 * 60
    assert body["refreshExpiresIn"] == 7 * 24 * 3600
    me = await client.get(ME, headers=bearer(body["accessToken"]))
    assert me.status_code == 200
    assert me.json()["user"]["email"] == "layla@example.com"
    assert me.json()["user"]["emailVerified"] is True


async def test_verification_link_expires_after_24_hours(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    assert (await register(client)).status_code == 201
    token = await emailed_token(session, "layla@example.com", "verify_email")
    expiry = (await session.execute(select(AccountToken.expires_at))).scalar_one()
    created = (await session.execute(select(AccountToken.created_at))).scalar_one()
    assert timedelta(hours=23, minutes=59) < expiry - created <= timedelta(hours=24, minutes=1)
    await session.execute(update(AccountToken).values(expires_at=func.now() - timedelta(seconds=1)))
    await session.commit()
    assert_error(
        await client.post("/api/auth/verify-email", json={"token": token}), 400, "invalid_token"
    )


async def test_resend_verification_replaces_the_link_and_is_enumeration_safe(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    assert (await register(client)).status_code == 201
    first = await emailed_token(session, "layla@example.com", "verify_email")
    known = await client.post("/api/auth/resend-verification", json={"email": "layla@example.com"})
    unknown = await client.post(
        "/api/auth/resend-verification", json={"email": "nobody@example.com"}
    )
    assert known.status_code == unknown.status_code == 202
    assert known.json() == unknown.json()
    tokens = await all_emailed_tokens(session, "layla@example.com", "verify_email")
    assert len(tokens) == 2
    assert_error(
        await client.post("/api/auth/verify-email", json={"token": first}), 400, "invalid_token"
    )
    newest = next(t for t in tokens if t != first)
    assert (await client.post("/api/auth/verify-email", json={"token": newest})).status_code == 200


async def test_recruiter_registration_captures_company_and_contact_person(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    missing = await register(client, email="hr@example.org", userType="RECRUITER")
    assert_error(missing, 422, "validation_error")
    ok = await register(
        client,
        email="hr@example.org",
        userType="RECRUITER",
        companyName="Gulf Logistics FZE",
        contactPersonName="Omar Haddad",
        phone="+97142223333",
    )
    assert ok.status_code == 201, ok.text
    user = (await session.execute(select(User).where(User.email == "hr@example.org"))).scalar_one()
    assert user.user_type == UserType.RECRUITER
    recruiter = await session.get(Recruiter, user.id)
    assert recruiter is not None
    assert (recruiter.company_name, recruiter.contact_person_name) == (
        "Gulf Logistics FZE",
        "Omar Haddad",
    )
    assert await session.get(Candidate, user.id) is None


@pytest.mark.parametrize(
    "extra",
    [
        {"userType": "ADMIN"},
        {"user_type": "ADMIN"},
        {"adminRole": "SUPER_ADMIN"},
        {"admin_role": "SUPER_ADMIN"},
        {"aiJobApplyCount": 100},
        {"ai_job_apply_count": 100},
        {"jobCount": 50},
        {"emailVerified": True},
        {"permissions": ["MANAGE_USERS"]},
    ],
)
async def test_registration_cannot_choose_role_credits_or_verification(
    client: httpx.AsyncClient, session: AsyncSession, extra: dict[str, Any]
) -> None:
    response = await register(client, **extra)
    assert_error(response, 422, "validation_error")
    count = (await session.execute(select(func.count()).select_from(User))).scalar_one()
    assert count == 0


async def test_unknown_harmless_fields_are_ignored_not_applied(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    response = await register(client, confirmPassword=PASSWORD, favouriteColour="teal")
    assert response.status_code == 201
    user = (await session.execute(select(User))).scalar_one()
    candidate = await session.get(Candidate, user.id)
    assert candidate is not None
    assert (candidate.job_count, candidate.ai_job_apply_count) == (0, 0)
    assert user.admin_role is None
    assert user.email_verified_at is None


async def test_registering_a_taken_email_answers_the_same_and_tells_the_owner(
    client: httpx.AsyncClient, session: AsyncSession, user_factory: UserFactory
) -> None:
    await user_factory(email="taken@example.com")
    fresh = await register(client, email="fresh@example.com")
    taken = await register(client, email="taken@example.com", password="another password 1")
    assert fresh.status_code == taken.status_code == 201
    assert fresh.json() == taken.json()
    count = (
        await session.execute(
            select(func.count()).select_from(User).where(User.email == "taken@example.com")
        )
    ).scalar_one()
    assert count == 1
    notice = (
        (
            await session.execute(
                select(EmailOutbox.template).where(EmailOutbox.to_address == "taken@example.com")
            )
        )
        .scalars()
        .all()
    )
    assert notice == ["already_registered"]


async def test_registering_again_before_verification_lets_the_mailbox_owner_choose_the_password(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    # Someone registers the owner's address with a password of their own ("pre-hijacking").
    assert (await register(client, password="the squatter's password")).status_code == 201
    squatter_link = await emailed_token(session, "layla@example.com", "verify_email")
    # The owner registers too: same answer, but the email asks them to choose the password.
    assert (await register(client, password="the owner's password")).status_code == 201
    assert_error(
        await client.post("/api/auth/verify-email", json={"token": squatter_link}),
        400,
        "invalid_token",
    )
    finish = await emailed_token(session, "layla@example.com", "finish_registration")
    chosen = await client.post(
        "/api/auth/reset-password", json={"token": finish, "password": "the owner's password"}
    )
    assert chosen.status_code == 200, chosen.text
    await login(client, "layla@example.com", "the owner's password")
    assert_error(
        await client.post(
            LOGIN, json={"email": "layla@example.com", "password": "the squatter's password"}
        ),
        401,
        "invalid_credentials",
    )
    assert (await session.execute(select(func.count()).select_from(User))).scalar_one() == 1


@pytest.mark.parametrize(
    ("payload", "status"),
    [
        ({"email": "x@example.com", "password": "short"}, 422),
        ({"email": "x@example.com", "password": "p" * 257}, 422),
        ({"email": "x@example.com", "password": "p" * 100_000}, 422),
        ({"email": "not an email", "password": PASSWORD}, 422),
        ({"email": "x" * 400 + "@example.com", "password": PASSWORD}, 422),
    ],
)
async def test_bad_registration_input_is_a_4xx(
    client: httpx.AsyncClient, payload: dict[str, str], status: int
) -> None:
    assert_error(await client.post(REGISTER, json=payload), status)


# --- login: the seed's messages, enumeration safety --------------------------------------------


async def test_seed_error_messages_keep_their_meaning(
    client: httpx.AsyncClient, user_factory: UserFactory
) -> None:
    user = await user_factory()
    for payload in (
        {},
        {"email": user.email},
        {"password": PASSWORD},
        {"email": "", "password": ""},
    ):
        body = assert_error(await client.post(LOGIN, json=payload), 400, "credentials_required")
        assert body["error"] == "Email & password required"
    body = assert_error(await client.post(LOGIN), 400, "credentials_required")
    wrong = await client.post(LOGIN, json={"email": user.email, "password": "wrong password"})
    assert assert_error(wrong, 401, "invalid_credentials")["error"] == "Invalid credentials"
    assert assert_error(await client.get(ME), 401, "not_authenticated")["error"] == "Unauthorized"


async def test_login_does_not_reveal_whether_an_email_exists(
    client: httpx.AsyncClient, user_factory: UserFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    user = await user_factory()
    oauth_only = await user_factory(password=None)
    calls: list[bool] = []
    original = security.Passwords.verify

    def counting(self: security.Passwords, stored: str | None, password: str) -> bool:
        calls.append(stored is not None)
        return original(self, stored, password)

    monkeypatch.setattr(security.Passwords, "verify", counting)
    answers = []
    for email in (user.email, "nobody@example.com", oauth_only.email):
        response = await client.post(LOGIN, json={"email": email, "password": "wrong password"})
        answers.append((response.status_code, response.json()))
    assert answers[0] == answers[1] == answers[2]
    # One argon2 verification each, against a real or a dummy hash: the same work either way.
    assert calls == [True, False, False]


async def test_oversized_password_at_login_is_a_422_not_a_500(
    client: httpx.AsyncClient, user_factory: UserFactory
) -> None:
    user = await user_factory()
    response = await client.post(LOGIN, json={"email": user.email, "password": "a" * 1_000_000})
    assert_error(response, 422, "validation_error")


async def test_suspended_account_cannot_log_in_but_a_wrong_password_says_nothing_more(
    client: httpx.AsyncClient, user_factory: UserFactory
) -> None:
    user = await user_factory(active=False)
    right = await client.post(LOGIN, json={"email": user.email, "password": PASSWORD})
    assert_error(right, 403, "account_suspended")
    wrong = await client.post(LOGIN, json={"email": user.email, "password": "nope nope nope"})
    assert_error(wrong, 401, "invalid_credentials")


# --- access tokens over HTTP -------------------------------------------------------------------


def _forge(settings: ApiSettings, user_id: uuid.UUID, **overrides: Any) -> dict[str, Any]:
    now = int(datetime.now(UTC).timestamp())
    claims: dict[str, Any] = {
        "iss": settings.auth.jwt_issuer,
        "aud": settings.auth.jwt_audience,
        "sub": str(user_id),
        "typ": "access",
        "tep": 0,
        "iat": now,
        "exp": now + 600,
        "jti": "j",
    }
    return claims | overrides


def _b64(data: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


async def test_bad_access_tokens_are_refused_with_401(
    client: httpx.AsyncClient, user_factory: UserFactory, settings: ApiSettings
) -> None:
    user = await user_factory()
    secret = settings.auth.jwt_access_secret.get_secret_value()
    good = jwt.encode(_forge(settings, user.id), secret, "HS256")
    assert (await client.get(ME, headers=bearer(good))).status_code == 200

    header, payload, signature = good.split(".")
    past = int((datetime.now(UTC) - timedelta(hours=1)).timestamp())
    other_user = str(uuid.uuid4())
    cases = {
        "expired": (
            jwt.encode(_forge(settings, user.id, exp=past), secret, "HS256"),
            "token_expired",
        ),
        "tampered": (
            f"{header}.{_b64(_forge(settings, user.id, sub=other_user))}.{signature}",
            "invalid_token",
        ),
        "wrong key": (jwt.encode(_forge(settings, user.id), "k" * 64, "HS256"), "invalid_token"),
        "alg none": (f"{_b64({'alg': 'none', 'typ': 'JWT'})}.{payload}.", "invalid_token"),
        "alg HS512": (jwt.encode(_forge(settings, user.id), secret, "HS512"), "invalid_token"),
        "garbage": ("not.a.token", "invalid_token"),
        "old epoch": (
            jwt.encode(_forge(settings, user.id, tep=-1), secret, "HS256"),
            "token_revoked",
        ),
        "unknown user": (
            jwt.encode(_forge(settings, uuid.uuid4()), secret, "HS256"),
            "token_revoked",
        ),
    }
    for name, (token, code) in cases.items():
        body = assert_error(await client.get(ME, headers=bearer(token)), 401, code)
        assert body["error"] == "Unauthorized", name
    assert_error(await client.get(ME, headers={"Authorization": "Basic abc"}), 401, "invalid_token")


# --- refresh rotation --------------------------------------------------------------------------


async def test_refresh_rotates_and_reuse_revokes_the_whole_family(
    client: httpx.AsyncClient, user_factory: UserFactory, session: AsyncSession
) -> None:
    user = await user_factory()
    first = await login(client, user.email)
    second = await client.post(REFRESH, json={"refreshToken": first["refreshToken"]})
    assert second.status_code == 200, second.text
    pair = second.json()
    assert pair["refreshToken"] != first["refreshToken"]
    assert (await client.get(ME, headers=bearer(pair["accessToken"]))).status_code == 200
    stored = (await session.execute(select(RefreshToken.token_hash))).scalars().all()
    assert pair["refreshToken"] not in stored
    assert first["refreshToken"] not in stored

    # The first token again: a thief (or the victim after a theft). The family is revoked.
    reuse = await client.post(REFRESH, json={"refreshToken": first["refreshToken"]})
    assert_error(reuse, 401, "invalid_refresh_token")
    child = await client.post(REFRESH, json={"refresh_token": pair["refreshToken"]})
    assert_error(child, 401, "invalid_refresh_token")
    live = (
        await session.execute(
            select(func.count()).select_from(RefreshToken).where(RefreshToken.revoked_at.is_(None))
        )
    ).scalar_one()
    assert live == 0
    actions = (await session.execute(select(AuditLog.action))).scalars().all()
    assert "auth.refresh_token_reuse" in actions

    # Another device's session is not part of that family and carries on.
    other = await login(client, user.email)
    assert (
        await client.post(REFRESH, json={"refreshToken": other["refreshToken"]})
    ).status_code == 200


async def test_expired_or_unknown_refresh_token_is_refused(
    client: httpx.AsyncClient, user_factory: UserFactory, session: AsyncSession
) -> None:
    user = await user_factory()
    tokens = await login(client, user.email)
    await session.execute(update(RefreshToken).values(expires_at=func.now() - timedelta(seconds=1)))
    await session.commit()
    assert_error(
        await client.post(REFRESH, json={"refreshToken": tokens["refreshToken"]}),
        401,
        "invalid_refresh_token",
    )
    assert_error(
        await client.post(REFRESH, json={"refreshToken": "made-up"}), 401, "invalid_refresh_token"
    )
    assert_error(await client.post(REFRESH, json={}), 422, "validation_error")


# --- logout and password change ----------------------------------------------------------------


async def test_logout_invalidates_the_access_token_and_the_session(
    client: httpx.AsyncClient, user_factory: UserFactory
) -> None:
    user = await user_factory()
    phone = await login(client, user.email)
    tablet = await login(client, user.email)
    out = await client.post(LOGOUT, headers=bearer(phone["accessToken"]))
    assert out.status_code == 200, out.text
    assert_error(await client.get(ME, headers=bearer(phone["accessToken"])), 401, "token_revoked")
    assert_error(
        await client.post(REFRESH, json={"refreshToken": phone["refreshToken"]}),
        401,
        "invalid_refresh_token",
    )
    # The tablet's access token died with the epoch, but its session refreshes.
    assert (await client.get(ME, headers=bearer(tablet["accessToken"]))).status_code == 401
    renewed = await client.post(REFRESH, json={"refreshToken": tablet["refreshToken"]})
    assert renewed.status_code == 200


async def test_logout_with_only_the_refresh_token_and_everywhere(
    client: httpx.AsyncClient, user_factory: UserFactory
) -> None:
    user = await user_factory()
    phone = await login(client, user.email)
    tablet = await login(client, user.email)
    out = await client.post(
        LOGOUT, json={"refreshToken": phone["refreshToken"], "allDevices": True}
    )
    assert out.status_code == 200, out.text
    for device in (phone, tablet):
        assert (
            await client.post(REFRESH, json={"refreshToken": device["refreshToken"]})
        ).status_code == 401
        assert (await client.get(ME, headers=bearer(device["accessToken"]))).status_code == 401
    assert_error(await client.post(LOGOUT), 401)


async def test_password_change_ends_every_other_session(
    client: httpx.AsyncClient, user_factory: UserFactory, session: AsyncSession
) -> None:
    user = await user_factory()
    phone = await login(client, user.email)
    tablet = await login(client, user.email)
    wrong = await client.post(
        f"{ME}/password",
        headers=bearer(phone["accessToken"]),
        json={"currentPassword": "not it at all", "newPassword": "a brand new passphrase"},
    )
    assert_error(wrong, 400, "wrong_password")
    changed = await client.post(
        f"{ME}/password",
        headers=bearer(phone["accessToken"]),
        json={"currentPassword": PASSWORD, "newPassword": "a brand new passphrase"},
    )
    assert changed.status_code == 200, changed.text
    fresh = changed.json()
    for old in (phone, tablet):
        assert (await client.get(ME, headers=bearer(old["accessToken"]))).status_code == 401
        assert (
            await client.post(REFRESH, json={"refreshToken": old["refreshToken"]})
        ).status_code == 401
    assert (await client.get(ME, headers=bearer(fresh["accessToken"]))).status_code == 200
    assert_error(
        await client.post(LOGIN, json={"email": user.email, "password": PASSWORD}),
        401,
        "invalid_credentials",
    )
    await login(client, user.email, "a brand new passphrase")
    notices = (
        (
            await session.execute(
                select(EmailOutbox.template).where(EmailOutbox.to_address == user.email)
            )
        )
        .scalars()
        .all()
    )
    assert "security_notice" in notices


# --- forgot / reset ----------------------------------------------------------------------------


async def test_forgot_password_is_enumeration_safe(
    client: httpx.AsyncClient, user_factory: UserFactory, session: AsyncSession
) -> None:
    user = await user_factory()
    known = await client.post("/api/auth/forgot-password", json={"email": user.email.upper()})
    unknown = await client.post("/api/auth/forgot-password", json={"email": "ghost@example.com"})
    assert known.status_code == unknown.status_code == 202
    assert known.json() == unknown.json()
    recipients = (await session.execute(select(EmailOutbox.to_address))).scalars().all()
    assert recipients == [user.email]


async def test_reset_password_with_the_emailed_token_ends_all_sessions(
    client: httpx.AsyncClient, user_factory: UserFactory, session: AsyncSession
) -> None:
    user = await user_factory()
    before = await login(client, user.email)
    assert (
        await client.post("/api/mobile/auth/forgot-password", json={"email": user.email})
    ).status_code == 202
    token = await emailed_token(session, user.email, "reset_password")
    expiry = (await session.execute(select(AccountToken.expires_at))).scalar_one()
    assert expiry - datetime.now(UTC) <= timedelta(minutes=31)

    short = await client.post(
        "/api/auth/reset-password", json={"token": token, "password": "short"}
    )
    assert_error(short, 422)
    done = await client.post(
        "/api/auth/reset-password", json={"token": token, "password": "reset passphrase 2026"}
    )
    assert done.status_code == 200, done.text
    again = await client.post(
        "/api/auth/reset-password", json={"token": token, "password": "another passphrase 1"}
    )
    assert_error(again, 400, "invalid_token")
    assert (await client.get(ME, headers=bearer(before["accessToken"]))).status_code == 401
    assert (
        await client.post(REFRESH, json={"refreshToken": before["refreshToken"]})
    ).status_code == 401
    await login(client, user.email, "reset passphrase 2026")
    bad = await client.post(
        "/api/auth/reset-password", json={"token": "forged-token", "password": "reset passphrase 1"}
    )
    assert_error(bad, 400, "invalid_token")


async def test_expired_reset_token_is_refused(
    client: httpx.AsyncClient, user_factory: UserFactory, session: AsyncSession
) -> None:
    user = await user_factory()
    await client.post("/api/auth/forgot-password", json={"email": user.email})
    token = await emailed_token(session, user.email, "reset_password")
    await session.execute(update(AccountToken).values(expires_at=func.now() - timedelta(seconds=1)))
    await session.commit()
    response = await client.post(
        "/api/auth/reset-password", json={"token": token, "password": "reset passphrase 2026"}
    )
    assert_error(response, 400, "invalid_token")


@pytest.mark.parametrize("password", ["password", "12345678", "qwertyuiop", "Password1"])
async def test_registration_refuses_common_passwords(
    client: httpx.AsyncClient, password: str
) -> None:
    refused = assert_error(await register(client, password=password), 422, "validation_error")
    assert "too common" in refused["error"]


async def test_a_password_change_voids_reset_links_sent_before_it(
    client: httpx.AsyncClient, user_factory: UserFactory, session: AsyncSession
) -> None:
    user = await user_factory()
    tokens = await login(client, user.email)
    await client.post("/api/auth/forgot-password", json={"email": user.email})
    link = await emailed_token(session, user.email, "reset_password")
    changed = await client.post(
        f"{ME}/password",
        headers=bearer(tokens["accessToken"]),
        json={"currentPassword": PASSWORD, "newPassword": "a brand new passphrase"},
    )
    assert changed.status_code == 200, changed.text
    late = await client.post(
        "/api/auth/reset-password", json={"token": link, "password": "the attacker's choice"}
    )
    assert_error(late, 400, "invalid_token")
    await login(client, user.email, "a brand new passphrase")


async def test_a_password_reset_voids_outstanding_verification_links(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    assert (await register(client)).status_code == 201
    verify_link = await emailed_token(session, "layla@example.com", "verify_email")
    await client.post("/api/auth/forgot-password", json={"email": "layla@example.com"})
    reset_link = await emailed_token(session, "layla@example.com", "reset_password")
    done = await client.post(
        "/api/auth/reset-password", json={"token": reset_link, "password": "reset passphrase 2026"}
    )
    assert done.status_code == 200, done.text
    late = await client.post("/api/auth/verify-email", json={"token": verify_link})
    assert_error(late, 400, "invalid_token")


async def test_refresh_token_reuse_ends_the_stolen_sessions_access_tokens_at_once(
    client: httpx.AsyncClient, user_factory: UserFactory
) -> None:
    user = await user_factory()
    first = await login(client, user.email)
    # The thief trades the stolen refresh token first and holds a live access token.
    thief = (await client.post(REFRESH, json={"refreshToken": first["refreshToken"]})).json()
    assert (await client.get(ME, headers=bearer(thief["accessToken"]))).status_code == 200
    # The victim's app presents the same (now used) token: reuse is detected.
    reuse = await client.post(REFRESH, json={"refreshToken": first["refreshToken"]})
    assert_error(reuse, 401, "invalid_refresh_token")
    # Not 15 minutes later: now.
    assert_error(await client.get(ME, headers=bearer(thief["accessToken"])), 401, "token_revoked")
    # The user signs in again as usual.
    again = await login(client, user.email)
    assert (await client.get(ME, headers=bearer(again["accessToken"]))).status_code == 200


async def test_rotation_never_extends_a_sessions_absolute_lifetime(
    client: httpx.AsyncClient, user_factory: UserFactory, session: AsyncSession
) -> None:
    user = await user_factory()
    tokens = await login(client, user.email)
    family_expiry = (await session.execute(select(RefreshToken.expires_at))).scalar_one()
    for _ in range(3):
        tokens = (await client.post(REFRESH, json={"refreshToken": tokens["refreshToken"]})).json()
    expiries = (await session.execute(select(RefreshToken.expires_at))).scalars().all()
    assert len(expiries) == 4
    assert set(expiries) == {family_expiry}
    # At the family's expiry the newest token is refused too.
    await session.execute(update(RefreshToken).values(expires_at=func.now() - timedelta(seconds=1)))
    await session.commit()
    assert_error(
        await client.post(REFRESH, json={"refreshToken": tokens["refreshToken"]}),
        401,
        "invalid_refresh_token",
    )


async def test_an_idle_session_ends_before_its_absolute_expiry(
    client: httpx.AsyncClient,
    user_factory: UserFactory,
    session: AsyncSession,
    settings: ApiSettings,
) -> None:
    user = await user_factory()
    tokens = await login(client, user.email)
    idle = timedelta(seconds=settings.auth.refresh_token_idle_s)
    assert idle < timedelta(seconds=settings.auth.refresh_token_ttl_s)
    await session.execute(
        update(RefreshToken).values(created_at=func.now() - idle - timedelta(minutes=1))
    )
    await session.commit()
    assert_error(
        await client.post(REFRESH, json={"refreshToken": tokens["refreshToken"]}),
        401,
        "invalid_refresh_token",
    )
