"""Web clients: the same sign-in as the apps, with the tokens in HttpOnly cookies and a CSRF
double-submit token; and GitHub's OAuth code flow, which only a browser can follow."""

from __future__ import annotations

import hmac
import secrets
from typing import Annotated

import httpx
from fastapi import APIRouter, Body, Depends, Query, Request, Response
from fastapi.responses import JSONResponse, RedirectResponse

from api.accounts import oauth, service
from api.accounts.cookies import (
    CSRF_COOKIE,
    CSRF_HEADER,
    MFA_COOKIE,
    OAUTH_STATE_COOKIE,
    REFRESH_COOKIE,
    clear_session_cookies,
    clear_short_cookie,
    set_session_cookies,
    set_short_cookie,
)
from api.accounts.helpers import error_response, second_factor_claims, throttle, web_session
from api.accounts.schemas import (
    CamelModel,
    GoogleSignInIn,
    LoginIn,
    MessageOut,
    MfaChallengeOut,
    WebSessionOut,
    normalize_email,
)
from api.deps import MetaDep, SessionDep, StateDep, current_session_id, get_optional_user
from api.errors import BadInput, Forbidden, ServiceUnavailable, Unauthorized
from api.settings import ApiSettings

router = APIRouter(prefix="/api/auth", tags=["web auth"])

GithubHttp = Annotated[httpx.AsyncClient, Depends(oauth.github_http)]
OAUTH_STATE_TTL_S = 600


class WebSecondFactorIn(CamelModel):
    #: Optional: after a GitHub sign-in the challenge travels in an HttpOnly cookie instead.
    mfa_token: str | None = None
    code: str | None = None
    recovery_code: str | None = None


def _csrf_double_submit(request: Request) -> None:
    header = request.headers.get(CSRF_HEADER, "")
    cookie = request.cookies.get(CSRF_COOKIE, "")
    if not header or not hmac.compare_digest(header.encode(), cookie.encode()):
        raise Forbidden("Missing or invalid CSRF token", code="csrf_failed")


async def _web_answer(
    response: Response,
    session: SessionDep,
    settings: ApiSettings,
    result: service.IssuedTokens | service.MfaChallenge,
) -> WebSessionOut | MfaChallengeOut:
    if isinstance(result, service.MfaChallenge):
        return MfaChallengeOut(mfa_token=result.mfa_token)
    return await web_session(response, session, settings, result)


@router.post("/web/login", response_model=WebSessionOut | MfaChallengeOut)
async def web_login(
    response: Response,
    session: SessionDep,
    state: StateDep,
    meta: MetaDep,
    body: Annotated[LoginIn | None, Body()] = None,
) -> WebSessionOut | MfaChallengeOut:
    """Email and password → session cookies (HttpOnly, Secure, SameSite=Lax) and a CSRF token."""
    if body is None or not body.email or not body.password:
        raise BadInput("Email & password required", code="credentials_required")
    limits = state.settings.rate_limits
    await throttle(
        state,
        ("login:ip", meta.ip, limits.login_ip),
        ("login:account", normalize_email(body.email), limits.login_account),
    )
    user = await service.authenticate_password(session, state.settings, body.email, body.password)
    result = await service.start_session(session, state.settings, user, meta, web=True)
    return await _web_answer(response, session, state.settings, result)


@router.post("/web/login/2fa", response_model=WebSessionOut)
async def web_login_second_factor(
    request: Request,
    response: Response,
    body: WebSecondFactorIn,
    session: SessionDep,
    state: StateDep,
    meta: MetaDep,
) -> WebSessionOut:
    """Second step of a web sign-in."""
    mfa_token = body.mfa_token or request.cookies.get(MFA_COOKIE)
    if not mfa_token or not (body.code or body.recovery_code):
        raise BadInput("Send the code from your authenticator app", code="code_required")
    claims = await second_factor_claims(state, meta, mfa_token)
    tokens = await service.complete_second_factor(
        session,
        state.settings,
        claims,
        code=body.code,
        recovery_code=body.recovery_code,
        meta=meta,
        web=True,
    )
    clear_short_cookie(response, state.settings.auth, MFA_COOKIE)
    return await web_session(response, session, state.settings, tokens)


@router.post("/web/refresh", response_model=WebSessionOut)
async def web_refresh(
    request: Request, response: Response, session: SessionDep, state: StateDep, meta: MetaDep
) -> WebSessionOut | JSONResponse:
    """New cookies for the refresh cookie (single use, rotated). Needs the CSRF header."""
    _csrf_double_submit(request)
    await throttle(state, ("refresh:ip", meta.ip, state.settings.rate_limits.refresh_ip))
    token = request.cookies.get(REFRESH_COOKIE)
    tokens = (
        await service.rotate_refresh_token(session, state.settings, token, meta, web=True)
        if token
        else None
    )
    if tokens is None:
        answer = error_response(Unauthorized("Unauthorized", code="invalid_refresh_token"))
        clear_session_cookies(answer, state.settings.auth)
        return answer
    return await web_session(response, session, state.settings, tokens)


@router.post("/web/logout", response_model=MessageOut)
async def web_logout(
    request: Request, response: Response, session: SessionDep, state: StateDep
) -> MessageOut:
    """End this browser's session and clear its cookies. Needs the CSRF header."""
    _csrf_double_submit(request)
    try:
        user = await get_optional_user(request, session, state)
    except Unauthorized:
        user = None  # an expired access cookie: the refresh cookie still names the session
    await service.logout(
        session,
        state.settings,
        user=user,
        session_id=current_session_id(request) if user else None,
        refresh_token=request.cookies.get(REFRESH_COOKIE),
        all_devices=False,
    )
    clear_session_cookies(response, state.settings.auth)
    return MessageOut(message="Logged out")


@router.post("/web/google", response_model=WebSessionOut | MfaChallengeOut)
async def web_google_sign_in(
    response: Response, body: GoogleSignInIn, session: SessionDep, state: StateDep, meta: MetaDep
) -> WebSessionOut | MfaChallengeOut:
    """Sign in with a Google ID token (Google Identity Services in the browser)."""
    await throttle(state, ("oauth:ip", meta.ip, state.settings.rate_limits.oauth_ip))
    identity = await oauth.verify_google_id_token(state.settings.auth, body.id_token)
    user = await service.sign_in_with_identity(session, state.settings, identity, meta)
    result = await service.start_session(session, state.settings, user, meta, web=True)
    return await _web_answer(response, session, state.settings, result)


def _github_redirect_uri(settings: ApiSettings) -> str:
    return f"{settings.public_url.rstrip('/')}/api/auth/github/callback"


@router.get("/github/authorize", response_class=RedirectResponse, status_code=302)
async def github_authorize(app_state: StateDep) -> RedirectResponse:
    """Send the browser to GitHub to sign in (OAuth code flow, with a state cookie)."""
    settings = app_state.settings
    if not oauth.github_configured(settings.auth):
        raise ServiceUnavailable("GitHub sign-in is not configured", code="github_not_configured")
    state = secrets.token_urlsafe(32)
    url = oauth.github_authorize_url(
        settings.auth, state=state, redirect_uri=_github_redirect_uri(settings)
    )
    redirect = RedirectResponse(url, status_code=302)
    set_short_cookie(redirect, settings.auth, OAUTH_STATE_COOKIE, state, max_age=OAUTH_STATE_TTL_S)
    return redirect


@router.get("/github/callback", response_class=RedirectResponse, status_code=302)
async def github_callback(
    request: Request,
    session: SessionDep,
    app_state: StateDep,
    meta: MetaDep,
    http: GithubHttp,
    code: Annotated[str | None, Query(max_length=512)] = None,
    state: Annotated[str | None, Query(max_length=512)] = None,
    error: Annotated[str | None, Query(max_length=200)] = None,
) -> RedirectResponse:
    """Where GitHub sends the browser back: check state, exchange the code, sign in, and go to
    the web app with session cookies set."""
    settings = app_state.settings
    web = settings.web_app_url.rstrip("/")
    await throttle(app_state, ("oauth:ip", meta.ip, settings.rate_limits.oauth_ip))
    if not oauth.github_configured(settings.auth):
        raise ServiceUnavailable("GitHub sign-in is not configured", code="github_not_configured")
    if error:
        redirect = RedirectResponse(f"{web}/login?error=github_denied", status_code=302)
        clear_short_cookie(redirect, settings.auth, OAUTH_STATE_COOKIE)
        return redirect
    expected = request.cookies.get(OAUTH_STATE_COOKIE, "")
    if (
        not code
        or not state
        or not expected
        or not hmac.compare_digest(state.encode(), expected.encode())
    ):
        raise BadInput("The sign-in attempt expired or was tampered with", code="oauth_state")
    identity = await oauth.github_identity(
        settings.auth, http, code=code, redirect_uri=_github_redirect_uri(settings)
    )
    user = await service.sign_in_with_identity(session, settings, identity, meta)
    result = await service.start_session(session, settings, user, meta, web=True)
    if isinstance(result, service.MfaChallenge):
        redirect = RedirectResponse(f"{web}/login/2fa", status_code=302)
        set_short_cookie(
            redirect,
            settings.auth,
            MFA_COOKIE,
            result.mfa_token,
            max_age=settings.auth.mfa_challenge_ttl_s,
        )
    else:
        redirect = RedirectResponse(f"{web}/", status_code=302)
        assert result.csrf_token is not None
        set_session_cookies(
            redirect,
            settings.auth,
            access_token=result.access_token,
            refresh_token=result.refresh_token,
            csrf_token=result.csrf_token,
            now=result.issued_at,
            refresh_expires_at=result.refresh_expires_at,
        )
    clear_short_cookie(redirect, settings.auth, OAUTH_STATE_COOKIE)
    return redirect
