"""Credentials: argon2id passwords, HS256 access tokens, opaque hashed tokens, TOTP, encryption.

Pure functions and small classes; nothing here touches the database or HTTP.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import os
import secrets
import threading
import unicodedata
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from importlib import resources
from typing import Any, TypeVar

import jwt
import pyotp
from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from api.settings import AuthSettings

#: The one algorithm access tokens are signed and verified with. Never read from the token.
JWT_ALGORITHM = "HS256"
TOKEN_TYPE_ACCESS = "access"  # noqa: S105 - a claim value, not a secret
TOKEN_TYPE_MFA = "mfa"  # noqa: S105

PASSWORD_MIN_CHARS = 8
#: Long enough for any passphrase, short enough that hashing it is never a denial of service.
PASSWORD_MAX_CHARS = 256
PASSWORD_MAX_BYTES = 1024

RECOVERY_CODE_COUNT = 10
TOTP_PERIOD_S = 30
#: Codes from one step either side of now are accepted (clock drift of phones).
TOTP_DRIFT_STEPS = 1


class InvalidTokenError(Exception):
    """A token that is malformed, forged, expired or of the wrong kind."""


class ExpiredTokenError(InvalidTokenError):
    """A genuine token past its expiry: the client should refresh."""


def utcnow() -> datetime:
    return datetime.now(UTC)


# --- passwords ---------------------------------------------------------------------------------


def normalize_password(password: str) -> str:
    """NFKC, so the same passphrase typed on two keyboards (Arabic digits, composed letters)
    hashes the same (NIST SP 800-63B §5.1.1.2)."""
    return unicodedata.normalize("NFKC", password)


@lru_cache(maxsize=1)
def common_passwords() -> frozenset[str]:
    """The shipped list of common and breached passwords (api/accounts/data, its header says
    where it comes from), lower-cased. Read once, from the package: no network lookup."""
    text = (resources.files("api.accounts") / "data" / "common-passwords.txt").read_text("utf-8")
    return frozenset(
        line.strip().lower() for line in text.splitlines() if line.strip() and line[0] != "#"
    )


def password_problem(password: str) -> str | None:
    """Why a new password is not acceptable, or None (NIST SP 800-63B §5.1.1.2: a length
    floor, and no password from a list of commonly used or breached ones)."""
    if len(password) < PASSWORD_MIN_CHARS:
        return f"Password must be at least {PASSWORD_MIN_CHARS} characters"
    if len(password) > PASSWORD_MAX_CHARS or len(password.encode()) > PASSWORD_MAX_BYTES:
        return f"Password must be at most {PASSWORD_MAX_CHARS} characters"
    if not password.strip():
        return "Password cannot be blank"
    if normalize_password(password).strip().lower() in common_passwords():
        return "This password is too common (it appears in lists of breached passwords)"
    return None


class Passwords:
    """argon2id hashing. Verification of an unknown account runs against a dummy hash so that
    timing does not tell whether an email is registered."""

    def __init__(self, time_cost: int, memory_kib: int, parallelism: int) -> None:
        self._hasher = PasswordHasher(
            time_cost=time_cost,
            memory_cost=memory_kib,
            parallelism=parallelism,
            hash_len=32,
            salt_len=16,
            type=Type.ID,
        )
        # Made up front, so the first unknown email costs what every other one does.
        self._dummy_hash = self._hasher.hash(secrets.token_urlsafe(16))

    def hash(self, password: str) -> str:
        return self._hasher.hash(normalize_password(password))

    def verify(self, password_hash: str | None, password: str) -> bool:
        """True when ``password`` matches; an absent hash still costs one full verification."""
        target = password_hash or self._dummy_hash
        try:
            ok = self._hasher.verify(target, normalize_password(password))
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return False
        return ok and password_hash is not None

    def needs_rehash(self, password_hash: str) -> bool:
        return self._hasher.check_needs_rehash(password_hash)


@lru_cache(maxsize=8)
def _passwords(time_cost: int, memory_kib: int, parallelism: int) -> Passwords:
    return Passwords(time_cost, memory_kib, parallelism)


def passwords_for(settings: AuthSettings) -> Passwords:
    """The hasher for these settings, built once per cost (building it hashes the dummy, so the
    first call belongs off the event loop: ``await hasher_for(...)``)."""
    return _passwords(
        settings.argon2_time_cost, settings.argon2_memory_kib, settings.argon2_parallelism
    )


#: argon2 runs on threads of its own (it releases the GIL): never queued behind other blocking
#: work on the event loop's default threads, such as waits on upload parsing.
_hash_executor: ThreadPoolExecutor | None = None
_hash_executor_lock = threading.Lock()


def hashing_executor() -> ThreadPoolExecutor:
    global _hash_executor
    with _hash_executor_lock:
        if _hash_executor is None:
            _hash_executor = ThreadPoolExecutor(
                max(2, os.cpu_count() or 2), thread_name_prefix="argon2"
            )
        return _hash_executor


_T = TypeVar("_T")


async def hashing(fn: Callable[..., _T], *args: Any) -> _T:
    """``fn(*args)`` on the password-hashing threads."""
    return await asyncio.get_running_loop().run_in_executor(hashing_executor(), fn, *args)


async def hasher_for(settings: AuthSettings) -> Passwords:
    """``passwords_for`` without blocking the event loop on the first call."""
    return await hashing(passwords_for, settings)


# --- opaque tokens -----------------------------------------------------------------------------


def new_opaque_token() -> str:
    """256 random bits, URL-safe: refresh tokens, email links."""
    return secrets.token_urlsafe(32)


def hash_token(settings: AuthSettings, token: str) -> str:
    """Keyed hash of an opaque token (HMAC-SHA256 with JWT_REFRESH_SECRET), hex."""
    key = settings.jwt_refresh_secret.get_secret_value().encode()
    return hmac.new(key, token.encode(), hashlib.sha256).hexdigest()


def hash_for_key(value: str) -> str:
    """A short, non-reversible stand-in for an email in throttle keys."""
    return hashlib.sha256(value.encode()).hexdigest()[:32]


# --- access tokens (JWT) -----------------------------------------------------------------------


@dataclass(frozen=True)
class AccessClaims:
    user_id: uuid.UUID
    epoch: int
    token_id: str
    expires_at: datetime
    #: The refresh-token family (the device session) this token was issued for.
    session_id: uuid.UUID | None
    #: SHA-256 of the CSRF token bound to this token (cookie sessions only).
    csrf_hash: str | None


def csrf_hash(csrf_token: str) -> str:
    return hashlib.sha256(csrf_token.encode()).hexdigest()


def _encode(settings: AuthSettings, claims: dict[str, Any]) -> str:
    key = settings.jwt_access_secret.get_secret_value()
    return jwt.encode(claims, key, algorithm=JWT_ALGORITHM, headers={"typ": "JWT"})


def issue_access_token(
    settings: AuthSettings,
    *,
    user_id: uuid.UUID,
    epoch: int,
    user_type: str,
    session_id: uuid.UUID | None = None,
    now: datetime | None = None,
    csrf_token: str | None = None,
) -> tuple[str, datetime]:
    """A signed access token and its expiry."""
    now = now or utcnow()
    expires = now + timedelta(seconds=settings.access_token_ttl_s)
    claims: dict[str, Any] = {
        "iss": settings.jwt_issuer,
        "aud": settings.jwt_audience,
        "sub": str(user_id),
        "typ": TOKEN_TYPE_ACCESS,
        "tep": epoch,
        "utp": user_type,
        "iat": int(now.timestamp()),
        "exp": int(expires.timestamp()),
        "jti": uuid.uuid4().hex,
    }
    if session_id is not None:
        claims["sid"] = str(session_id)
    if csrf_token is not None:
        claims["csh"] = csrf_hash(csrf_token)
    return _encode(settings, claims), expires


def issue_mfa_token(
    settings: AuthSettings, *, user_id: uuid.UUID, epoch: int, now: datetime | None = None
) -> str:
    """The short-lived proof that the first factor passed; only the second-step route takes it."""
    now = now or utcnow()
    return _encode(
        settings,
        {
            "iss": settings.jwt_issuer,
            "aud": settings.jwt_audience,
            "sub": str(user_id),
            "typ": TOKEN_TYPE_MFA,
            "tep": epoch,
            "iat": int(now.timestamp()),
            "exp": int((now + timedelta(seconds=settings.mfa_challenge_ttl_s)).timestamp()),
            "jti": uuid.uuid4().hex,
        },
    )


def decode_token(settings: AuthSettings, token: str, expected_type: str) -> dict[str, Any]:
    """Verify signature (HS256 only), expiry, issuer, audience and type; return the claims."""
    if not token or len(token) > 4096:
        raise InvalidTokenError("token missing or too long")
    try:
        header = jwt.get_unverified_header(token)
        # PyJWT refuses other algorithms given ``algorithms=[...]``; checking the header too
        # makes the refusal of "none" and of RS/HS switching explicit and independent of it.
        if header.get("alg") != JWT_ALGORITHM:
            raise InvalidTokenError("unexpected algorithm")
        claims: dict[str, Any] = jwt.decode(
            token,
            settings.jwt_access_secret.get_secret_value(),
            algorithms=[JWT_ALGORITHM],
            audience=settings.jwt_audience,
            issuer=settings.jwt_issuer,
            options={"require": ["exp", "iat", "iss", "aud", "sub", "typ", "tep", "jti"]},
        )
    except jwt.ExpiredSignatureError:
        raise ExpiredTokenError("expired") from None
    except jwt.PyJWTError as exc:
        raise InvalidTokenError(type(exc).__name__) from None
    if claims.get("typ") != expected_type:
        raise InvalidTokenError("wrong token type")
    if not isinstance(claims.get("tep"), int):
        raise InvalidTokenError("bad epoch claim")
    try:
        uuid.UUID(str(claims["sub"]))
    except ValueError:
        raise InvalidTokenError("bad subject") from None
    return claims


def decode_access_token(settings: AuthSettings, token: str) -> AccessClaims:
    claims = decode_token(settings, token, TOKEN_TYPE_ACCESS)
    csh = claims.get("csh")
    sid = claims.get("sid")
    try:
        session_id = uuid.UUID(str(sid)) if sid is not None else None
    except ValueError:
        raise InvalidTokenError("bad session claim") from None
    return AccessClaims(
        user_id=uuid.UUID(str(claims["sub"])),
        epoch=int(claims["tep"]),
        token_id=str(claims["jti"]),
        expires_at=datetime.fromtimestamp(int(claims["exp"]), UTC),
        session_id=session_id,
        csrf_hash=str(csh) if csh is not None else None,
    )


# --- encryption at rest (TOTP secrets) ---------------------------------------------------------


@lru_cache(maxsize=4)
def _fernet(key_material: str) -> Fernet:
    derived = HKDF(
        algorithm=hashes.SHA256(), length=32, salt=None, info=b"tabashir totp secrets"
    ).derive(key_material.encode())
    return Fernet(base64.urlsafe_b64encode(derived))


def encrypt_secret(settings: AuthSettings, plaintext: str) -> str:
    return _fernet(settings.encryption_key.get_secret_value()).encrypt(plaintext.encode()).decode()


def decrypt_secret(settings: AuthSettings, ciphertext: str) -> str:
    try:
        return (
            _fernet(settings.encryption_key.get_secret_value())
            .decrypt(ciphertext.encode())
            .decode()
        )
    except InvalidToken:
        # The key changed under us: the second factor must be enrolled again.
        raise InvalidTokenError("cannot decrypt the stored secret") from None


# --- TOTP and recovery codes -------------------------------------------------------------------


def new_totp_secret() -> str:
    return pyotp.random_base32()


def totp_uri(secret: str, account: str, issuer: str = "Tabashir") -> str:
    return pyotp.TOTP(secret, interval=TOTP_PERIOD_S).provisioning_uri(
        name=account, issuer_name=issuer
    )


def totp_matching_step(secret: str, code: str, now: datetime | None = None) -> int | None:
    """The time step ``code`` belongs to (within the allowed drift), or None."""
    code = code.strip().replace(" ", "")
    if len(code) != 6 or not code.isdigit():
        return None
    totp = pyotp.TOTP(secret, interval=TOTP_PERIOD_S)
    current = int((now or utcnow()).timestamp()) // TOTP_PERIOD_S
    for step in range(current - TOTP_DRIFT_STEPS, current + TOTP_DRIFT_STEPS + 1):
        if hmac.compare_digest(totp.at(step * TOTP_PERIOD_S), code):
            return step
    return None


_RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i: read aloud, typed by hand


def new_recovery_codes(count: int = RECOVERY_CODE_COUNT) -> list[str]:
    """Codes like ``k7dq-m3xa-9p2f`` (about 59 bits each)."""
    codes = []
    for _ in range(count):
        raw = "".join(secrets.choice(_RECOVERY_ALPHABET) for _ in range(12))
        codes.append(f"{raw[:4]}-{raw[4:8]}-{raw[8:]}")
    return codes


def normalize_recovery_code(code: str) -> str:
    raw = "".join(ch for ch in code.lower() if ch.isalnum())
    return f"{raw[:4]}-{raw[4:8]}-{raw[8:]}" if len(raw) == 12 else raw
