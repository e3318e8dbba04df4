"""Account routes at the seed's paths (mobile JWT auth, email links) plus the new ones (sessions,
two-factor, your data). ``router`` carries every account route, web and candidate ones included."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Body, Query, Request, Response, status
from fastapi.responses import JSONResponse

from api.accounts import data, oauth, repository, service
from api.accounts.audit import RequestMeta
from api.accounts.helpers import (
    error_response,
    login_answer,
    second_factor_claims,
    throttle,
    token_pair,
    web_session,
)
from api.accounts.permissions import has_second_factor
from api.accounts.profile_routes import router as candidate_router
from api.accounts.schemas import (
    ChangePasswordIn,
    CodeIn,
    DeleteAccountIn,
    DisableTotpIn,
    EmailIn,
    GoogleSignInIn,
    LoginIn,
    LogoutIn,
    MeOut,
    MessageOut,
    MfaChallengeOut,
    RecoveryCodesOut,
    RefreshIn,
    RegisterIn,
    ResetPasswordIn,
    SecondFactorIn,
    SessionOut,
    SessionsOut,
    TokenIn,
    TokenPairOut,
    TotpConfirmOut,
    TotpEnrollOut,
    WebSessionOut,
    normalize_email,
)
from api.accounts.security import utcnow
from api.accounts.web_routes import router as web_router
from api.deps import (
    CurrentUser,
    MetaDep,
    SessionDep,
    StateDep,
    authenticated_by_cookie,
    current_session_id,
    get_optional_user,
)
from api.errors import BadInput, Unauthorized
from api.state import AppState

mobile = APIRouter(prefix="/api/mobile/auth", tags=["auth"])
email_links = APIRouter(prefix="/api/auth", tags=["auth"])
me_router = APIRouter(prefix="/api/mobile/me", tags=["me"])

REGISTERED = (
    "If this email can be registered, we have sent a link to confirm it. Open it, then log in."
)
LINK_SENT = "If an account exists for this email, we have sent it a link."


# --- mobile auth (seed paths) ------------------------------------------------------------------


@mobile.post("/register", response_model=MessageOut, status_code=status.HTTP_201_CREATED)
async def register(
    body: RegisterIn, session: SessionDep, state: StateDep, meta: MetaDep
) -> MessageOut:
    """Create a candidate or recruiter account; a link to verify the email is sent."""
    await throttle(state, ("register:ip", meta.ip, state.settings.rate_limits.register_ip))
    await service.register(session, state.settings, body, meta)
    return MessageOut(message=REGISTERED)


@mobile.post("/login", response_model=TokenPairOut | MfaChallengeOut)
async def login(
    session: SessionDep,
    state: StateDep,
    meta: MetaDep,
    body: Annotated[LoginIn | None, Body()] = None,
) -> TokenPairOut | MfaChallengeOut:
    """Email and password → access token (15 min) + refresh token (7 days), or a second-factor
    challenge when the account has one."""
    if body is None or not body.email or not body.password:
        raise BadInput("Email & password required", code="credentials_required")
    limits = state.settings.rate_limits
    await throttle(
        state,
        ("login:ip", meta.ip, limits.login_ip),
        ("login:account", normalize_email(body.email), limits.login_account),
    )
    user = await service.authenticate_password(session, state.settings, body.email, body.password)
    result = await service.start_session(session, state.settings, user, meta, web=False)
    return await login_answer(session, result)


@mobile.post("/login/2fa", response_model=TokenPairOut)
async def login_second_factor(
    body: SecondFactorIn, session: SessionDep, state: StateDep, meta: MetaDep
) -> TokenPairOut:
    """Second step of a login: a code from the authenticator app, or a recovery code."""
    claims = await second_factor_claims(state, meta, body.mfa_token)
    tokens = await service.complete_second_factor(
        session,
        state.settings,
        claims,
        code=body.code,
        recovery_code=body.recovery_code,
        meta=meta,
        web=False,
    )
    return await token_pair(session, tokens)


@mobile.post("/refresh", response_model=TokenPairOut)
async def refresh(
    body: RefreshIn, session: SessionDep, state: StateDep, meta: MetaDep
) -> TokenPairOut | JSONResponse:
    """Trade a refresh token for a new pair. Each refresh token works once; presenting one
    again ends the whole session it belongs to."""
    await throttle(state, ("refresh:ip", meta.ip, state.settings.rate_limits.refresh_ip))
    tokens = await service.rotate_refresh_token(
        session, state.settings, body.refresh_token, meta, web=False
    )
    if tokens is None:
        return error_response(Unauthorized("Unauthorized", code="invalid_refresh_token"))
    return await token_pair(session, tokens)


@mobile.post("/logout", response_model=MessageOut)
async def logout(
    request: Request,
    session: SessionDep,
    state: StateDep,
    body: Annotated[LogoutIn | None, Body()] = None,
) -> MessageOut:
    """End this session (``allDevices``: every session); outstanding access tokens stop working.
    Works with the access token, the refresh token, or both (an expired access token is fine)."""
    body = body or LogoutIn()
    try:
        user = await get_optional_user(request, session, state)
    except Unauthorized:
        if not body.refresh_token:
            raise
        user = None
    done = await service.logout(
        session,
        state.settings,
        user=user,
        session_id=current_session_id(request) if user else None,
        refresh_token=body.refresh_token,
        all_devices=body.all_devices,
    )
    if not done:
        raise Unauthorized("Unauthorized", code="not_authenticated")
    return MessageOut(message="Logged out")


@mobile.post("/google", response_model=TokenPairOut | MfaChallengeOut)
async def google_sign_in(
    body: GoogleSignInIn, session: SessionDep, state: StateDep, meta: MetaDep
) -> TokenPairOut | MfaChallengeOut:
    """Sign in with a Google ID token (from Google Sign-In on the device)."""
    await throttle(state, ("oauth:ip", meta.ip, state.settings.rate_limits.oauth_ip))
    identity = await oauth.verify_google_id_token(state.settings.auth, body.id_token)
    user = await service.sign_in_with_identity(session, state.settings, identity, meta)
    result = await service.start_session(session, state.settings, user, meta, web=False)
    return await login_answer(session, result)


# --- email links: verification, password reset (web and mobile) -------------------------------


@email_links.get("/verify-email", response_model=MessageOut)
async def verify_email_link(
    token: Annotated[str, Query(min_length=1, max_length=512)],
    session: SessionDep,
    state: StateDep,
    meta: MetaDep,
) -> MessageOut:
    """The link in the verification email (valid 24 hours, once)."""
    await throttle(state, ("verify:ip", meta.ip, state.settings.rate_limits.verify_ip))
    await service.verify_email(session, state.settings, token)
    return MessageOut(message="Email verified. You can log in now.")


@email_links.post("/verify-email", response_model=MessageOut)
@mobile.post("/verify-email", response_model=MessageOut, include_in_schema=False)
async def verify_email(
    body: TokenIn, session: SessionDep, state: StateDep, meta: MetaDep
) -> MessageOut:
    """Verify an email with the token from the link (for apps that open the link themselves)."""
    await throttle(state, ("verify:ip", meta.ip, state.settings.rate_limits.verify_ip))
    await service.verify_email(session, state.settings, body.token)
    return MessageOut(message="Email verified. You can log in now.")


async def _throttle_link_request(state: AppState, meta: RequestMeta, email: str) -> None:
    """Links sent by email (verification, password reset) share one budget per IP and per
    address."""
    limits = state.settings.rate_limits
    await throttle(
        state,
        ("forgot:ip", meta.ip, limits.forgot_ip),
        ("forgot:account", email, limits.forgot_account),
    )


@email_links.post(
    "/resend-verification", response_model=MessageOut, status_code=status.HTTP_202_ACCEPTED
)
@mobile.post(
    "/resend-verification",
    response_model=MessageOut,
    status_code=status.HTTP_202_ACCEPTED,
    include_in_schema=False,
)
async def resend_verification(
    body: EmailIn, session: SessionDep, state: StateDep, meta: MetaDep
) -> MessageOut:
    """Send a new verification link. The answer is the same whether or not the email exists."""
    await _throttle_link_request(state, meta, body.email)
    await service.resend_verification(session, state.settings, body.email)
    return MessageOut(message=LINK_SENT)


@email_links.post(
    "/forgot-password", response_model=MessageOut, status_code=status.HTTP_202_ACCEPTED
)
@mobile.post(
    "/forgot-password",
    response_model=MessageOut,
    status_code=status.HTTP_202_ACCEPTED,
    include_in_schema=False,
)
async def forgot_password(
    body: EmailIn, session: SessionDep, state: StateDep, meta: MetaDep
) -> MessageOut:
    """Mail a password-reset link (valid 30 minutes, once). Same answer for unknown emails."""
    await _throttle_link_request(state, meta, body.email)
    await service.forgot_password(session, state.settings, body.email)
    return MessageOut(message=LINK_SENT)


@email_links.post("/reset-password", response_model=MessageOut)
@mobile.post("/reset-password", response_model=MessageOut, include_in_schema=False)
async def reset_password(
    body: ResetPasswordIn, session: SessionDep, state: StateDep, meta: MetaDep
) -> MessageOut:
    """Set a new password with the emailed token; every session of the account ends."""
    await throttle(state, ("reset:ip", meta.ip, state.settings.rate_limits.reset_ip))
    await service.reset_password(session, state.settings, body.token, body.password, meta)
    return MessageOut(message="Password changed. Log in with your new password.")


# --- the signed-in user ------------------------------------------------------------------------


@me_router.get("", response_model=MeOut)
async def me(user: CurrentUser, session: SessionDep) -> MeOut:
    """The signed-in user, with their candidate or recruiter profile and credits."""
    return MeOut(user=await service.user_out(session, user))


@me_router.post("/password", response_model=TokenPairOut | WebSessionOut)
async def change_password(
    body: ChangePasswordIn,
    request: Request,
    response: Response,
    user: CurrentUser,
    session: SessionDep,
    state: StateDep,
    meta: MetaDep,
) -> TokenPairOut | WebSessionOut:
    """Change the password; every other session ends, this one gets a fresh pair (web clients:
    fresh session cookies)."""
    web = authenticated_by_cookie(request)
    tokens = await service.change_password(
        session, state.settings, user, body.current_password, body.new_password, meta, web=web
    )
    if web:
        return await web_session(response, session, state.settings, tokens)
    return await token_pair(session, tokens)


@me_router.get("/sessions", response_model=SessionsOut)
async def list_sessions(request: Request, user: CurrentUser, session: SessionDep) -> SessionsOut:
    """The devices signed in to this account."""
    current = current_session_id(request)
    rows = await repository.live_sessions(session, user.id, utcnow())
    return SessionsOut(
        items=[
            SessionOut(
                id=token.family_id,
                created_at=started,
                last_used_at=token.created_at,
                expires_at=token.expires_at,
                user_agent=token.user_agent,
                ip=token.ip,
                current=token.family_id == current,
            )
            for token, started in rows
        ]
    )


@me_router.delete("/sessions/{session_id}", response_model=MessageOut)
async def revoke_session(
    session_id: uuid.UUID, user: CurrentUser, session: SessionDep
) -> MessageOut:
    """Sign one device out (its refresh token stops working)."""
    await service.revoke_session(session, user, session_id)
    return MessageOut(message="Session ended")


@me_router.post("/2fa/totp", response_model=TotpEnrollOut)
async def enroll_totp(user: CurrentUser, session: SessionDep, state: StateDep) -> TotpEnrollOut:
    """Start TOTP enrolment: add the secret to an authenticator app, then confirm a code."""
    secret, uri = await service.enroll_totp(session, state.settings, user)
    return TotpEnrollOut(secret=secret, otpauth_uri=uri)


@me_router.post("/2fa/totp/confirm", response_model=TotpConfirmOut)
async def confirm_totp(
    body: CodeIn,
    request: Request,
    response: Response,
    user: CurrentUser,
    session: SessionDep,
    state: StateDep,
    meta: MetaDep,
) -> TotpConfirmOut:
    """Turn TOTP on with a first code; returns recovery codes (shown once) and fresh tokens."""
    limits = state.settings.rate_limits
    await throttle(state, ("2fa:account", str(user.id), limits.two_factor_account))
    web = authenticated_by_cookie(request)
    codes, tokens = await service.confirm_totp(
        session, state.settings, user, body.code, meta, web=web
    )
    if web:
        cookie_session = await web_session(response, session, state.settings, tokens)
        return TotpConfirmOut(
            recovery_codes=codes,
            csrf_token=cookie_session.csrf_token,
            expires_in=cookie_session.expires_in,
        )
    return TotpConfirmOut(
        recovery_codes=codes,
        access_token=tokens.access_token,
        refresh_token=tokens.refresh_token,
        expires_in=tokens.expires_in,
    )


@me_router.post("/2fa/totp/disable", response_model=MessageOut)
async def disable_totp(
    body: DisableTotpIn, user: CurrentUser, session: SessionDep, state: StateDep, meta: MetaDep
) -> MessageOut:
    """Turn TOTP off (password and a current code or a recovery code)."""
    limits = state.settings.rate_limits
    await throttle(state, ("2fa:account", str(user.id), limits.two_factor_account))
    await service.disable_totp(session, state.settings, user, body.password, body.code, meta)
    return MessageOut(message="Two-factor authentication is off")


@me_router.post("/2fa/recovery-codes", response_model=RecoveryCodesOut)
async def regenerate_recovery_codes(
    body: CodeIn, user: CurrentUser, session: SessionDep, state: StateDep, meta: MetaDep
) -> RecoveryCodesOut:
    """Replace the recovery codes (the old ones stop working)."""
    limits = state.settings.rate_limits
    await throttle(state, ("2fa:account", str(user.id), limits.two_factor_account))
    codes = await service.regenerate_recovery_codes(session, state.settings, user, body.code, meta)
    return RecoveryCodesOut(recovery_codes=codes)


@me_router.get("/export")
async def export_my_data(user: CurrentUser, session: SessionDep) -> dict[str, Any]:
    """Everything held about you, as JSON."""
    return await data.export_user_data(session, user)


@me_router.delete("", response_model=MessageOut)
async def delete_my_account(
    user: CurrentUser,
    session: SessionDep,
    state: StateDep,
    meta: MetaDep,
    body: Annotated[DeleteAccountIn | None, Body()] = None,
) -> MessageOut:
    """Delete your account: personal data removed, sessions ended; payment records are kept as
    the law requires, attached to an anonymised account. Asks for your password (and a
    second-factor code when it is on)."""
    body = body or DeleteAccountIn()
    await service.check_password_if_set(state.settings, user, body.password)
    if await has_second_factor(session, user.id) and not await service.verify_second_factor(
        session, state.settings, user.id, code=body.code, recovery_code=None
    ):
        raise BadInput("A valid two-factor code is required", code="invalid_code")
    await data.delete_account(session, user, meta)
    return MessageOut(message="Your account was deleted")


router = APIRouter()
router.include_router(mobile)
router.include_router(email_links)
router.include_router(me_router)
router.include_router(web_router)
router.include_router(candidate_router)
