"""Credentials as pure functions: argon2id, access tokens and their attacks, TOTP, recovery
codes, encryption at rest, the throttle arithmetic and the settings that refuse placeholders."""

from __future__ import annotations

import base64
import json
import uuid
from datetime import UTC, datetime, timedelta

import jwt
import pyotp
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from pydantic import ValidationError

from api.accounts import security
from api.accounts.ratelimit import Check, Limit, retry_after_s
from api.accounts.security import (
    ExpiredTokenError,
    InvalidTokenError,
    Passwords,
    common_passwords,
    decode_access_token,
    issue_access_token,
    password_problem,
)
from api.settings import ApiSettings, AuthSettings, RateLimitSettings
from tests.fixtures.users import auth_settings_for_tests

pytestmark = pytest.mark.unit

AUTH = auth_settings_for_tests()
USER = uuid.UUID("00000000-0000-4000-8000-000000000001")


def _b64(data: dict[str, object]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


def _claims(**overrides: object) -> dict[str, object]:
    now = int(datetime.now(UTC).timestamp())
    claims: dict[str, object] = {
        "iss": AUTH.jwt_issuer,
        "aud": AUTH.jwt_audience,
        "sub": str(USER),
        "typ": "access",
        "tep": 0,
        "iat": now,
        "exp": now + 600,
        "jti": "x",
    }
    claims.update(overrides)
    return claims


# --- passwords ---------------------------------------------------------------------------------


def test_default_password_hash_is_argon2id_with_the_documented_cost() -> None:
    defaults = AuthSettings()
    hasher = Passwords(
        defaults.argon2_time_cost, defaults.argon2_memory_kib, defaults.argon2_parallelism
    )
    hashed = hasher.hash("a passphrase of mine")
    assert hashed.startswith("$argon2id$v=19$m=65536,t=3,p=4$")
    assert hasher.verify(hashed, "a passphrase of mine")
    assert not hasher.verify(hashed, "a passphrase of yours")


def test_unknown_account_verifies_against_a_dummy_hash_and_fails() -> None:
    hasher = security.passwords_for(AUTH)
    assert hasher.verify(None, "anything at all") is False
    assert hasher.verify("not-a-hash", "anything at all") is False


def test_passwords_are_normalised_so_composed_and_decomposed_forms_match() -> None:
    hasher = security.passwords_for(AUTH)
    composed, decomposed = "caf\u00e9-passphrase", "cafe\u0301-passphrase"
    assert hasher.verify(hasher.hash(composed), decomposed)


def test_rehash_is_needed_when_the_cost_changes() -> None:
    cheap = security.passwords_for(AUTH)
    stronger = Passwords(2, 2048, 1)
    assert stronger.needs_rehash(cheap.hash("some password"))


@pytest.mark.parametrize(
    ("password", "ok"),
    [
        ("short", False),
        ("12345678", False),  # common: on the shipped list
        ("password", False),
        ("Password1", False),  # compared case-insensitively
        ("ｑｗｅｒｔｙｕｉｏｐ", False),  # full-width letters: NFKC makes them "qwertyuiop"
        ("correct horse battery staple", True),
        ("83610427", True),
        ("x" * 256, True),
        ("x" * 257, False),
        ("        ", False),
        ("ش" * 200, True),
        ("ش" * 600, False),
    ],
)
def test_password_policy(password: str, ok: bool) -> None:
    assert (password_problem(password) is None) is ok


def test_the_common_password_list_ships_with_the_code() -> None:
    listed = common_passwords()
    assert len(listed) > 10_000
    assert {"password", "12345678", "qwertyuiop", "password1"} <= listed
    assert all(len(p) >= 8 for p in listed)


# --- access tokens -----------------------------------------------------------------------------


def test_access_token_round_trip_carries_user_epoch_and_session() -> None:
    session_id = uuid.uuid4()
    token, expires = issue_access_token(
        AUTH, user_id=USER, epoch=3, user_type="CANDIDATE", session_id=session_id
    )
    claims = decode_access_token(AUTH, token)
    assert (claims.user_id, claims.epoch, claims.session_id) == (USER, 3, session_id)
    assert abs((claims.expires_at - expires).total_seconds()) < 1
    assert jwt.get_unverified_header(token)["alg"] == "HS256"
    raw = jwt.decode(token, options={"verify_signature": False})
    assert raw["exp"] - raw["iat"] == 15 * 60


def test_expired_token_is_refused_as_expired() -> None:
    past = datetime.now(UTC) - timedelta(hours=1)
    token, _ = issue_access_token(AUTH, user_id=USER, epoch=0, user_type="CANDIDATE", now=past)
    with pytest.raises(ExpiredTokenError):
        decode_access_token(AUTH, token)


def test_tampered_payload_is_refused() -> None:
    token, _ = issue_access_token(AUTH, user_id=USER, epoch=0, user_type="CANDIDATE")
    header, _, signature = token.split(".")
    forged = ".".join([header, _b64(_claims(sub=str(uuid.uuid4()))), signature])
    with pytest.raises(InvalidTokenError):
        decode_access_token(AUTH, forged)


def test_token_signed_with_another_key_is_refused() -> None:
    token = jwt.encode(_claims(), "another-secret-that-is-long-enough-0123456789", "HS256")
    with pytest.raises(InvalidTokenError):
        decode_access_token(AUTH, token)


def test_alg_none_is_refused() -> None:
    unsigned = f"{_b64({'alg': 'none', 'typ': 'JWT'})}.{_b64(_claims())}."
    with pytest.raises(InvalidTokenError):
        decode_access_token(AUTH, unsigned)
    also_unsigned = jwt.encode(_claims(), None, algorithm="none")
    with pytest.raises(InvalidTokenError):
        decode_access_token(AUTH, also_unsigned)


def test_algorithm_switching_is_refused() -> None:
    # RS256 with an attacker's key pair, and HS384 with our own secret: both are other algorithms.
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    rs = jwt.encode(_claims(), key, algorithm="RS256")
    with pytest.raises(InvalidTokenError):
        decode_access_token(AUTH, rs)
    hs384 = jwt.encode(_claims(), AUTH.jwt_access_secret.get_secret_value(), algorithm="HS384")
    with pytest.raises(InvalidTokenError):
        decode_access_token(AUTH, hs384)
    # The classic confusion: HMAC keyed with a public key the attacker knows.
    public_pem = key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    header = _b64({"alg": "HS256", "typ": "JWT"})
    body = _b64(_claims())
    import hashlib
    import hmac

    sig = hmac.new(public_pem, f"{header}.{body}".encode(), hashlib.sha256).digest()
    confused = f"{header}.{body}.{base64.urlsafe_b64encode(sig).rstrip(b'=').decode()}"
    with pytest.raises(InvalidTokenError):
        decode_access_token(AUTH, confused)


@pytest.mark.parametrize(
    "overrides",
    [
        {"iss": "someone-else"},
        {"aud": "another-app"},
        {"typ": "mfa"},
        {"tep": "0"},
        {"sub": "not-a-uuid"},
    ],
)
def test_wrong_issuer_audience_type_or_claims_are_refused(overrides: dict[str, object]) -> None:
    token = jwt.encode(_claims(**overrides), AUTH.jwt_access_secret.get_secret_value(), "HS256")
    with pytest.raises(InvalidTokenError):
        decode_access_token(AUTH, token)


def test_missing_expiry_is_refused() -> None:
    claims = _claims()
    del claims["exp"]
    token = jwt.encode(claims, AUTH.jwt_access_secret.get_secret_value(), "HS256")
    with pytest.raises(InvalidTokenError):
        decode_access_token(AUTH, token)


def test_mfa_token_is_not_an_access_token() -> None:
    mfa = security.issue_mfa_token(AUTH, user_id=USER, epoch=0)
    with pytest.raises(InvalidTokenError):
        decode_access_token(AUTH, mfa)
    assert security.decode_token(AUTH, mfa, security.TOKEN_TYPE_MFA)["sub"] == str(USER)


# --- opaque tokens, TOTP, recovery codes, encryption ---------------------------------------------


def test_opaque_tokens_are_random_and_stored_as_keyed_hashes() -> None:
    a, b = security.new_opaque_token(), security.new_opaque_token()
    assert a != b
    assert len(a) >= 43
    assert security.hash_token(AUTH, a) != a
    other = auth_settings_for_tests(jwt_refresh_secret="x" * 40)
    assert security.hash_token(AUTH, a) != security.hash_token(other, a)


def test_totp_step_matching_allows_one_step_of_drift_only() -> None:
    secret = security.new_totp_secret()
    now = datetime(2026, 11, 26, 12, 0, 10, tzinfo=UTC)
    totp = pyotp.TOTP(secret)
    step = int(now.timestamp()) // 30
    assert security.totp_matching_step(secret, totp.at(now), now) == step
    assert (
        security.totp_matching_step(secret, totp.at(now - timedelta(seconds=30)), now) == step - 1
    )
    assert security.totp_matching_step(secret, totp.at(now - timedelta(seconds=90)), now) is None
    assert security.totp_matching_step(secret, "12345", now) is None
    assert security.totp_matching_step(secret, "abcdef", now) is None


def test_recovery_codes_are_distinct_and_normalised() -> None:
    codes = security.new_recovery_codes()
    assert len(set(codes)) == 10
    code = codes[0]
    assert security.normalize_recovery_code(code.upper().replace("-", " ")) == code


def test_totp_secret_is_encrypted_and_only_our_key_decrypts_it() -> None:
    ciphertext = security.encrypt_secret(AUTH, "JBSWY3DPEHPK3PXP")
    assert "JBSWY3DPEHPK3PXP" not in ciphertext
    assert security.decrypt_secret(AUTH, ciphertext) == "JBSWY3DPEHPK3PXP"
    with pytest.raises(InvalidTokenError):
        security.decrypt_secret(auth_settings_for_tests(encryption_key="y" * 40), ciphertext)


# --- throttle arithmetic -----------------------------------------------------------------------


def test_limit_parsing_and_hashed_keys() -> None:
    assert Limit.parse("10/60") == Limit(10, 60)
    check = Check("login:account", "layla@example.com", Limit(10, 60))
    assert "layla" not in check.key
    assert check.key.startswith("login:account:")
    with pytest.raises(ValidationError):
        RateLimitSettings(login_ip="ten per minute")


def test_retry_after_waits_for_the_window_and_the_decay() -> None:
    limit = Limit(5, 60)
    # 6 hits in this window, 10 s in: wait out the window, then most of the next.
    assert retry_after_s(limit, previous=0, current=6, elapsed_s=10) == 50 + 20
    # Few hits now but many in the previous window: only its decay is awaited.
    assert 0 < retry_after_s(limit, previous=10, current=2, elapsed_s=30) < 30
    assert retry_after_s(limit, previous=0, current=6, elapsed_s=59.9) >= 1


# --- settings ----------------------------------------------------------------------------------


def test_production_refuses_placeholder_and_short_secrets() -> None:
    good = {
        "jwt_access_secret": "a" * 40,
        "jwt_refresh_secret": "b" * 40,
        "encryption_key": "c" * 40,
    }
    ApiSettings(env="production", API_TOKEN="t" * 40, auth=AuthSettings(**good))
    with pytest.raises(ValidationError, match="JWT_ACCESS_SECRET"):
        ApiSettings(
            env="production",
            API_TOKEN="t" * 40,
            auth=AuthSettings(**{**good, "jwt_access_secret": AuthSettings().jwt_access_secret}),
        )
    with pytest.raises(ValidationError, match="at least 32 bytes"):
        ApiSettings(
            env="production",
            API_TOKEN="t" * 40,
            auth=AuthSettings(**{**good, "jwt_refresh_secret": "short"}),
        )
    with pytest.raises(ValidationError, match="API_TOKEN"):
        ApiSettings(env="production", API_TOKEN="t" * 40 + ",dev-token", auth=AuthSettings(**good))
    with pytest.raises(ValidationError, match="must differ"):
        ApiSettings(
            env="production",
            API_TOKEN="t" * 40,
            auth=AuthSettings(**{**good, "jwt_refresh_secret": "a" * 40}),
        )
    # Development keeps working with the defaults.
    ApiSettings(env="development", auth=AuthSettings())


def test_several_api_tokens_can_be_configured_for_rotation() -> None:
    settings = ApiSettings(env="test", API_TOKEN=" new-token , old-token ")
    assert settings.api_tokens == [b"new-token", b"old-token"]
