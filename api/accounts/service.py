"""The rules of accounts: registration, sign-in, sessions, email links, passwords, second factor
and social sign-in. Services flush, never commit: the request's session commits once."""

from __future__ import annotations

import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

import structlog
from sqlalchemy import delete
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from api.accounts import emails, repository
from api.accounts.audit import RequestMeta, record
from api.accounts.permissions import effective_permissions, has_second_factor
from api.accounts.schemas import (
    CandidateOut,
    RecruiterOut,
    RegisterIn,
    UserOut,
    normalize_email,
)
from api.accounts.security import (
    TOKEN_TYPE_MFA,
    InvalidTokenError,
    decode_token,
    decrypt_secret,
    encrypt_secret,
    hash_token,
    hasher_for,
    hashing,
    issue_access_token,
    issue_mfa_token,
    new_opaque_token,
    new_recovery_codes,
    new_totp_secret,
    normalize_recovery_code,
    totp_matching_step,
    totp_uri,
    utcnow,
)
from api.errors import BadInput, Conflict, Forbidden, NotFound, Unauthorized
from api.settings import ApiSettings
from models import Candidate, Recruiter, RefreshToken, User
from models.account import (
    AccountToken,
    AccountTokenPurpose,
    OAuthIdentity,
    OAuthProvider,
    RecoveryCode,
    TotpCredential,
)
from models.enums import UserType

log = structlog.get_logger("tabashir.accounts")

INVALID_CREDENTIALS = "Invalid credentials"


@dataclass(frozen=True)
class IssuedTokens:
    user: User
    access_token: str
    access_expires_at: datetime
    refresh_token: str
    refresh_expires_at: datetime
    session_id: uuid.UUID
    issued_at: datetime
    csrf_token: str | None = None

    @property
    def expires_in(self) -> int:
        return max(0, int((self.access_expires_at - self.issued_at).total_seconds()))

    @property
    def refresh_expires_in(self) -> int:
        return max(0, int((self.refresh_expires_at - self.issued_at).total_seconds()))


@dataclass(frozen=True)
class MfaChallenge:
    user: User
    mfa_token: str


# --- presenting a user -------------------------------------------------------------------------


async def user_out(session: AsyncSession, user: User) -> UserOut:
    candidate = recruiter = None
    if user.user_type == UserType.CANDIDATE:
        row = await repository.get_candidate(session, user.id)
        candidate = CandidateOut.model_validate(row) if row else None
    elif user.user_type == UserType.RECRUITER:
        rec = await repository.get_recruiter(session, user.id)
        recruiter = RecruiterOut.model_validate(rec) if rec else None
    return UserOut(
        id=user.id,
        email=user.email,
        name=user.name,
        user_type=user.user_type,
        admin_role=user.admin_role,
        permissions=sorted(await effective_permissions(session, user)),
        email_verified=user.email_verified_at is not None,
        is_active=user.is_active,
        two_factor_enabled=await has_second_factor(session, user.id),
        created_at=user.created_at,
        last_login_at=user.last_login_at,
        candidate=candidate,
        recruiter=recruiter,
    )


def ensure_can_sign_in(user: User) -> None:
    if user.deleted_at is not None or not user.is_active:
        raise Forbidden("This account is suspended", code="account_suspended")


# --- tokens ------------------------------------------------------------------------------------


async def issue_tokens(
    session: AsyncSession,
    settings: ApiSettings,
    user: User,
    meta: RequestMeta,
    *,
    family_id: uuid.UUID | None = None,
    parent_id: uuid.UUID | None = None,
    family_expires_at: datetime | None = None,
    web: bool = False,
) -> IssuedTokens:
    """A new access token and a new refresh token (a new session unless ``family_id``).

    A session's refresh tokens all expire when its first one does (``family_expires_at``):
    ``refresh_token_ttl_s`` is an absolute lifetime that rotation never extends."""
    auth = settings.auth
    now = utcnow()
    refresh_plain = new_opaque_token()
    row = RefreshToken(
        user_id=user.id,
        family_id=family_id or uuid.uuid4(),
        parent_id=parent_id,
        token_hash=hash_token(auth, refresh_plain),
        expires_at=family_expires_at or now + timedelta(seconds=auth.refresh_token_ttl_s),
        user_agent=(meta.user_agent or "")[:500] or None,
        ip=meta.ip,
    )
    session.add(row)
    await session.flush()
    csrf = secrets.token_urlsafe(32) if web else None
    access, access_exp = issue_access_token(
        auth,
        user_id=user.id,
        epoch=user.token_epoch,
        user_type=user.user_type.value,
        session_id=row.family_id,
        now=now,
        csrf_token=csrf,
    )
    return IssuedTokens(
        user=user,
        access_token=access,
        access_expires_at=access_exp,
        refresh_token=refresh_plain,
        refresh_expires_at=row.expires_at,
        session_id=row.family_id,
        issued_at=now,
        csrf_token=csrf,
    )


async def start_session(
    session: AsyncSession, settings: ApiSettings, user: User, meta: RequestMeta, *, web: bool
) -> IssuedTokens | MfaChallenge:
    """After a first factor passed: tokens, or a challenge when the account has a second factor."""
    ensure_can_sign_in(user)
    if await has_second_factor(session, user.id):
        return MfaChallenge(
            user=user,
            mfa_token=issue_mfa_token(settings.auth, user_id=user.id, epoch=user.token_epoch),
        )
    user.last_login_at = utcnow()
    return await issue_tokens(session, settings, user, meta, web=web)


async def bump_epoch(session: AsyncSession, user: User) -> None:
    """Every access token issued so far stops working."""
    user.token_epoch += 1
    await session.flush()


async def revoke_everything(session: AsyncSession, user: User) -> None:
    """Sign the user out everywhere: access tokens (epoch) and every refresh token."""
    await bump_epoch(session, user)
    await repository.revoke_all_refresh_tokens(session, user.id, utcnow())


async def void_email_links(session: AsyncSession, user: User) -> None:
    """Every reset and verification link mailed so far stops working: after a password change
    or reset, a link sitting in a mailbox (or in someone else's hands) must not reopen the
    account or confirm an address on it."""
    now = utcnow()
    for purpose in (AccountTokenPurpose.RESET_PASSWORD, AccountTokenPurpose.VERIFY_EMAIL):
        await repository.retire_account_tokens(session, user.id, purpose, now)


# --- registration ------------------------------------------------------------------------------


async def register(
    session: AsyncSession, settings: ApiSettings, data: RegisterIn, meta: RequestMeta
) -> None:
    """Create the account and mail a verification link. An email already registered gets the
    same answer (and costs the same hashing); its owner is told by email instead."""
    passwords = await hasher_for(settings.auth)
    password_hash = await hashing(passwords.hash, data.password)
    existing = await repository.get_user_by_email(session, data.email)
    if existing is not None:
        await _notify_existing(session, settings, existing)
        return
    user = User(
        email=data.email,
        name=(data.name or "").strip() or None,
        user_type=UserType(data.user_type),
        password_hash=password_hash,
    )
    try:
        async with session.begin_nested():
            session.add(user)
            await session.flush()
    except IntegrityError:
        # A concurrent registration of the same address won; answer as for any existing one.
        return
    if user.user_type == UserType.RECRUITER:
        session.add(
            Recruiter(
                user_id=user.id,
                company_name=(data.company_name or "").strip(),
                contact_person_name=(data.contact_person_name or "").strip(),
                phone=data.phone,
            )
        )
    else:
        session.add(Candidate(user_id=user.id, phone=data.phone))
    await session.flush()
    await send_verification_link(session, settings, user)
    log.info("registered", user_id=str(user.id), user_type=user.user_type.value)


async def _notify_existing(session: AsyncSession, settings: ApiSettings, user: User) -> None:
    if user.deleted_at is not None or not user.is_active:
        return
    if user.email_verified_at is None:
        # Whoever registered first may not own this address (an account "pre-hijacked" with a
        # password the owner never chose). The mailbox owner chooses the password instead, and
        # the earlier verification links stop working.
        await repository.retire_account_tokens(
            session, user.id, AccountTokenPurpose.VERIFY_EMAIL, utcnow()
        )
        token = await _issue_reset_token(
            session, settings, user, settings.auth.email_verification_ttl_s
        )
        await emails.send_finish_registration(
            session,
            settings,
            to=user.email,
            token=token,
            hours=settings.auth.email_verification_ttl_s // 3600,
        )
    else:
        await emails.send_already_registered(session, settings, to=user.email)


async def send_verification_link(session: AsyncSession, settings: ApiSettings, user: User) -> None:
    now = utcnow()
    await repository.retire_account_tokens(session, user.id, AccountTokenPurpose.VERIFY_EMAIL, now)
    token = new_opaque_token()
    ttl = settings.auth.email_verification_ttl_s
    session.add(
        AccountToken(
            user_id=user.id,
            purpose=AccountTokenPurpose.VERIFY_EMAIL,
            token_hash=hash_token(settings.auth, token),
            email=user.email,
            expires_at=now + timedelta(seconds=ttl),
        )
    )
    await session.flush()
    await emails.send_verification(session, settings, to=user.email, token=token, hours=ttl // 3600)


async def verify_email(session: AsyncSession, settings: ApiSettings, token: str) -> None:
    now = utcnow()
    invalid = BadInput("This verification link is invalid or has expired", code="invalid_token")
    row = await repository.consume_account_token(
        session, hash_token(settings.auth, token), AccountTokenPurpose.VERIFY_EMAIL, now
    )
    if row is None:
        raise invalid
    user = await repository.get_user(session, row.user_id)
    if user is None or user.email != row.email or user.deleted_at is not None:
        raise invalid
    if user.email_verified_at is None:
        user.email_verified_at = now
    await session.flush()


async def resend_verification(session: AsyncSession, settings: ApiSettings, email: str) -> None:
    user = await repository.get_user_by_email(session, normalize_email(email))
    if user is None or user.email_verified_at is not None:
        return
    if user.deleted_at is None and user.is_active:
        await send_verification_link(session, settings, user)


# --- password sign-in --------------------------------------------------------------------------


async def authenticate_password(
    session: AsyncSession, settings: ApiSettings, email: str, password: str
) -> User:
    """The user whose password this is. An unknown email, a wrong password and an account
    without a password all cost one argon2 verification and give the same answer."""
    user = await repository.get_user_by_email(session, normalize_email(email))
    passwords = await hasher_for(settings.auth)
    stored = user.password_hash if user is not None else None
    if not await hashing(passwords.verify, stored, password):
        raise Unauthorized(INVALID_CREDENTIALS, code="invalid_credentials")
    assert user is not None
    assert user.password_hash is not None
    ensure_can_sign_in(user)
    if settings.auth.require_email_verification and user.email_verified_at is None:
        raise Forbidden("Please verify your email before logging in", code="email_not_verified")
    if passwords.needs_rehash(user.password_hash):
        user.password_hash = await hashing(passwords.hash, password)
    return user


async def complete_second_factor(
    session: AsyncSession,
    settings: ApiSettings,
    mfa_claims: dict[str, object],
    *,
    code: str | None,
    recovery_code: str | None,
    meta: RequestMeta,
    web: bool,
) -> IssuedTokens:
    user = await repository.get_user(session, uuid.UUID(str(mfa_claims["sub"])), lock=True)
    if user is None or user.token_epoch != mfa_claims.get("tep"):
        raise Unauthorized("Unauthorized", code="invalid_mfa_token")
    ensure_can_sign_in(user)
    if not await verify_second_factor(
        session, settings, user.id, code=code, recovery_code=recovery_code
    ):
        raise Unauthorized("Invalid code", code="invalid_code")
    user.last_login_at = utcnow()
    return await issue_tokens(session, settings, user, meta, web=web)


def decode_mfa_token(settings: ApiSettings, token: str) -> dict[str, object]:
    try:
        return decode_token(settings.auth, token, TOKEN_TYPE_MFA)
    except InvalidTokenError:
        raise Unauthorized("Unauthorized", code="invalid_mfa_token") from None


# --- refresh and logout ------------------------------------------------------------------------


async def rotate_refresh_token(
    session: AsyncSession, settings: ApiSettings, token: str, meta: RequestMeta, *, web: bool
) -> IssuedTokens | None:
    """Trade a live refresh token for a new pair. None means refused; when the token had been
    used before (stolen and replayed, or replayed by the thief), its whole family is revoked —
    the caller must commit that and still answer 401."""
    now = utcnow()
    row = await repository.refresh_token_by_hash(session, hash_token(settings.auth, token))
    if row is None:
        return None
    if row.used_at is not None or row.revoked_at is not None:
        revoked = await repository.revoke_family(session, row.family_id, now)
        if row.used_at is not None and revoked:
            log.warning("refresh token reuse: family revoked", family_id=str(row.family_id))
            # The thief may hold a live access token of this family: end those now, as logout
            # does, rather than when they expire.
            owner = await repository.get_user(session, row.user_id)
            if owner is not None:
                await bump_epoch(session, owner)
            await record(
                session,
                meta,
                actor_id=None,
                action="auth.refresh_token_reuse",
                entity_type="user",
                entity_id=row.user_id,
                data={"session_id": str(row.family_id), "revoked_tokens": revoked},
            )
        return None
    if row.expires_at <= now:
        return None
    if now - row.created_at > timedelta(seconds=settings.auth.refresh_token_idle_s):
        # Idle timeout: a session nobody refreshed for this long ends, even before its
        # absolute expiry.
        await repository.revoke_family(session, row.family_id, now)
        return None
    user = await repository.get_user(session, row.user_id)
    if user is None or user.deleted_at is not None or not user.is_active:
        await repository.revoke_family(session, row.family_id, now)
        return None
    row.used_at = now
    return await issue_tokens(
        session,
        settings,
        user,
        meta,
        family_id=row.family_id,
        parent_id=row.id,
        family_expires_at=row.expires_at,
        web=web,
    )


async def logout(
    session: AsyncSession,
    settings: ApiSettings,
    *,
    user: User | None,
    session_id: uuid.UUID | None,
    refresh_token: str | None,
    all_devices: bool,
) -> bool:
    """End this session (or all of them); every outstanding access token stops working.
    False when nothing identified a user."""
    now = utcnow()
    if refresh_token:
        row = await repository.refresh_token_by_hash(
            session, hash_token(settings.auth, refresh_token)
        )
        if row is not None and (user is None or row.user_id == user.id):
            await repository.revoke_family(session, row.family_id, now)
            if user is None:
                user = await repository.get_user(session, row.user_id)
    if user is None:
        return False
    if session_id is not None:
        await repository.revoke_user_family(session, user.id, session_id, now)
    if all_devices:
        await repository.revoke_all_refresh_tokens(session, user.id, now)
    await bump_epoch(session, user)
    return True


# --- passwords ---------------------------------------------------------------------------------


async def _issue_reset_token(
    session: AsyncSession, settings: ApiSettings, user: User, ttl_s: int
) -> str:
    """A new single-use password link for ``user``; earlier ones stop working."""
    now = utcnow()
    await repository.retire_account_tokens(
        session, user.id, AccountTokenPurpose.RESET_PASSWORD, now
    )
    token = new_opaque_token()
    session.add(
        AccountToken(
            user_id=user.id,
            purpose=AccountTokenPurpose.RESET_PASSWORD,
            token_hash=hash_token(settings.auth, token),
            email=user.email,
            expires_at=now + timedelta(seconds=ttl_s),
        )
    )
    await session.flush()
    return token


async def forgot_password(session: AsyncSession, settings: ApiSettings, email: str) -> None:
    """Mail a reset link if the account exists; the caller answers the same either way."""
    user = await repository.get_user_by_email(session, normalize_email(email))
    if user is None or user.deleted_at is not None:
        return
    ttl = settings.auth.password_reset_ttl_s
    token = await _issue_reset_token(session, settings, user, ttl)
    await emails.send_password_reset(
        session, settings, to=user.email, token=token, minutes=ttl // 60
    )


async def reset_password(
    session: AsyncSession, settings: ApiSettings, token: str, new_password: str, meta: RequestMeta
) -> None:
    now = utcnow()
    invalid = BadInput("This reset link is invalid or has expired", code="invalid_token")
    row = await repository.consume_account_token(
        session, hash_token(settings.auth, token), AccountTokenPurpose.RESET_PASSWORD, now
    )
    if row is None:
        raise invalid
    user = await repository.get_user(session, row.user_id, lock=True)
    if user is None or user.deleted_at is not None or user.email != row.email:
        raise invalid
    passwords = await hasher_for(settings.auth)
    user.password_hash = await hashing(passwords.hash, new_password)
    if user.email_verified_at is None:
        # Following the link proved the mailbox is theirs.
        user.email_verified_at = now
    await void_email_links(session, user)
    await revoke_everything(session, user)
    await record(
        session,
        meta,
        actor_id=user.id,
        action="auth.password_reset",
        entity_type="user",
        entity_id=user.id,
    )
    await emails.send_security_notice(
        session, settings, to=user.email, what="Your password was reset"
    )


async def change_password(
    session: AsyncSession,
    settings: ApiSettings,
    user: User,
    current_password: str | None,
    new_password: str,
    meta: RequestMeta,
    *,
    web: bool = False,
) -> IssuedTokens:
    """Every other session ends; the caller gets a fresh pair for this one."""
    if user.password_hash is None:
        raise BadInput(
            "This account has no password yet; use forgot password to set one",
            code="password_not_set",
        )
    passwords = await hasher_for(settings.auth)
    if not current_password or not await hashing(
        passwords.verify, user.password_hash, current_password
    ):
        raise BadInput("The current password is not correct", code="wrong_password")
    user.password_hash = await hashing(passwords.hash, new_password)
    await void_email_links(session, user)
    await revoke_everything(session, user)
    await record(
        session,
        meta,
        actor_id=user.id,
        action="auth.password_changed",
        entity_type="user",
        entity_id=user.id,
    )
    await emails.send_security_notice(
        session, settings, to=user.email, what="Your password was changed"
    )
    return await issue_tokens(session, settings, user, meta, web=web)


async def check_password_if_set(settings: ApiSettings, user: User, password: str | None) -> None:
    """Re-authentication before destructive changes (accounts without a password skip it)."""
    if user.password_hash is None:
        return
    ok = bool(password) and await hashing(
        (await hasher_for(settings.auth)).verify, user.password_hash, password or ""
    )
    if not ok:
        raise BadInput("The password is not correct", code="wrong_password")


# --- sessions ----------------------------------------------------------------------------------


async def revoke_session(session: AsyncSession, user: User, session_id: uuid.UUID) -> None:
    if not await repository.revoke_user_family(session, user.id, session_id, utcnow()):
        raise NotFound("Session not found", code="session_not_found")


# --- second factor (TOTP + recovery codes) -----------------------------------------------------


async def verify_second_factor(
    session: AsyncSession,
    settings: ApiSettings,
    user_id: uuid.UUID,
    *,
    code: str | None,
    recovery_code: str | None,
) -> bool:
    """A current TOTP code not used before, or an unused recovery code (which is then spent)."""
    now = utcnow()
    credential = await repository.get_totp(session, user_id, lock=True)
    if credential is None or credential.confirmed_at is None:
        return False
    candidate = (code or "").strip()
    if candidate and len(candidate.replace(" ", "")) == 6:
        try:
            secret = decrypt_secret(settings.auth, credential.secret_encrypted)
        except InvalidTokenError:
            return False
        step = totp_matching_step(secret, candidate, now)
        if step is None or (
            credential.last_used_step is not None and step <= credential.last_used_step
        ):
            return False
        credential.last_used_step = step
        await session.flush()
        return True
    recovery = recovery_code or code
    if not recovery:
        return False
    return await repository.consume_recovery_code(
        session, user_id, hash_token(settings.auth, normalize_recovery_code(recovery)), now
    )


async def enroll_totp(session: AsyncSession, settings: ApiSettings, user: User) -> tuple[str, str]:
    """A new secret, shown once; it takes effect when confirmed with a code."""
    credential = await repository.get_totp(session, user.id, lock=True)
    if credential is not None and credential.confirmed_at is not None:
        raise Conflict("Two-factor authentication is already on", code="two_factor_enabled")
    secret = new_totp_secret()
    encrypted = encrypt_secret(settings.auth, secret)
    if credential is None:
        session.add(TotpCredential(user_id=user.id, secret_encrypted=encrypted))
    else:
        credential.secret_encrypted = encrypted
        credential.last_used_step = None
    await session.flush()
    return secret, totp_uri(secret, user.email)


async def _new_recovery_codes(
    session: AsyncSession, settings: ApiSettings, user_id: uuid.UUID
) -> list[str]:
    await session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user_id))
    codes = new_recovery_codes()
    session.add_all(
        RecoveryCode(user_id=user_id, code_hash=hash_token(settings.auth, code)) for code in codes
    )
    await session.flush()
    return codes


async def confirm_totp(
    session: AsyncSession,
    settings: ApiSettings,
    user: User,
    code: str,
    meta: RequestMeta,
    *,
    web: bool = False,
) -> tuple[list[str], IssuedTokens]:
    """Turn the second factor on. Every token issued before now was obtained without it, so all
    sessions end and this one continues with a fresh pair."""
    now = utcnow()
    credential = await repository.get_totp(session, user.id, lock=True)
    if credential is None:
        raise BadInput("Start enrolment first", code="two_factor_not_enrolled")
    if credential.confirmed_at is not None:
        raise Conflict("Two-factor authentication is already on", code="two_factor_enabled")
    step = totp_matching_step(decrypt_secret(settings.auth, credential.secret_encrypted), code, now)
    if step is None:
        raise BadInput("Invalid code", code="invalid_code")
    credential.confirmed_at = now
    credential.last_used_step = step
    codes = await _new_recovery_codes(session, settings, user.id)
    await revoke_everything(session, user)
    await record(
        session,
        meta,
        actor_id=user.id,
        action="auth.2fa_enabled",
        entity_type="user",
        entity_id=user.id,
    )
    await emails.send_security_notice(
        session, settings, to=user.email, what="Two-factor authentication was turned on"
    )
    return codes, await issue_tokens(session, settings, user, meta, web=web)


async def disable_totp(
    session: AsyncSession,
    settings: ApiSettings,
    user: User,
    password: str | None,
    code: str,
    meta: RequestMeta,
) -> None:
    await check_password_if_set(settings, user, password)
    if not await verify_second_factor(session, settings, user.id, code=code, recovery_code=None):
        raise BadInput("Invalid code", code="invalid_code")
    await session.execute(delete(TotpCredential).where(TotpCredential.user_id == user.id))
    await session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    await record(
        session,
        meta,
        actor_id=user.id,
        action="auth.2fa_disabled",
        entity_type="user",
        entity_id=user.id,
    )
    await emails.send_security_notice(
        session, settings, to=user.email, what="Two-factor authentication was turned off"
    )


async def regenerate_recovery_codes(
    session: AsyncSession, settings: ApiSettings, user: User, code: str, meta: RequestMeta
) -> list[str]:
    if not await verify_second_factor(session, settings, user.id, code=code, recovery_code=None):
        raise BadInput("Invalid code", code="invalid_code")
    codes = await _new_recovery_codes(session, settings, user.id)
    await record(
        session,
        meta,
        actor_id=user.id,
        action="auth.recovery_codes_regenerated",
        entity_type="user",
        entity_id=user.id,
    )
    return codes


# --- social sign-in ----------------------------------------------------------------------------


@dataclass(frozen=True)
class ExternalIdentity:
    """What a provider vouches for. Only a verified email may link or create an account."""

    provider: OAuthProvider
    subject: str
    email: str
    name: str | None


async def sign_in_with_identity(
    session: AsyncSession, settings: ApiSettings, identity: ExternalIdentity, meta: RequestMeta
) -> User:
    """The account of this provider identity: already linked, linked now to the account with the
    same (verified) email, or a new candidate account. Never a duplicate."""
    now = utcnow()
    linked = await repository.get_identity(session, identity.provider, identity.subject)
    if linked is not None:
        user = await repository.get_user(session, linked.user_id)
        if user is None:
            raise Unauthorized("Unauthorized", code="invalid_identity")
        linked.last_login_at = now
        ensure_can_sign_in(user)
        return user
    email = normalize_email(identity.email)
    user = await repository.get_user_by_email(session, email)
    if user is None:
        user = User(
            email=email,
            name=identity.name,
            user_type=UserType.CANDIDATE,
            email_verified_at=now,
        )
        try:
            async with session.begin_nested():
                session.add(user)
                await session.flush()
        except IntegrityError:
            raise Conflict(
                "This account is being created; try again", code="account_race"
            ) from None
        session.add(Candidate(user_id=user.id))
        action = "auth.account_created_via_oauth"
    else:
        ensure_can_sign_in(user)
        other = await repository.get_user_identity(session, user.id, identity.provider)
        if other is not None:
            raise Conflict(
                "This account is already linked to another sign-in of this provider",
                code="identity_conflict",
            )
        if user.email_verified_at is None:
            # Someone registered this address without proving it; the provider now proves who
            # owns it. Whatever password that someone chose must not open the owner's account.
            user.password_hash = None
            user.email_verified_at = now
            await revoke_everything(session, user)
        action = "auth.identity_linked"
    session.add(
        OAuthIdentity(
            user_id=user.id,
            provider=identity.provider,
            subject=identity.subject,
            email=email,
            last_login_at=now,
        )
    )
    await session.flush()
    await record(
        session,
        meta,
        actor_id=user.id,
        action=action,
        entity_type="user",
        entity_id=user.id,
        data={"provider": identity.provider.value},
    )
    return user
