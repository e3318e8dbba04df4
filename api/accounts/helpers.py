"""Helpers shared by the account routes (HTTP only: throttling, answers)."""

from __future__ import annotations

from fastapi import Response
from fastapi.responses import JSONResponse
from sqlalchemy.ext.asyncio import AsyncSession

from api.accounts import ratelimit as rl
from api.accounts import service
from api.accounts.audit import RequestMeta
from api.accounts.cookies import set_session_cookies
from api.accounts.schemas import MfaChallengeOut, TokenPairOut, WebSessionOut
from api.deps import CurrentUser, StateDep
from api.errors import TabashirError, error_body
from api.settings import ApiSettings
from api.state import AppState


async def throttle(state: AppState, *checks: tuple[str, str | None, str]) -> None:
    """Count this request against (scope, subject, "COUNT/SECONDS") limits; 429 when over."""
    if not state.settings.rate_limits.enabled:
        return
    await rl.enforce(
        state.sessionmaker,
        [
            rl.Check(scope, subject, rl.Limit.parse(spec))
            for scope, subject, spec in checks
            if subject
        ],
    )


async def throttle_ai_features(state: StateDep, user: CurrentUser) -> None:
    """Route dependency of the language-model features (translation, AI resumes): each call
    costs real money, so each user gets TABASHIR_RATE_LIMIT_AI_USER of them (429 past it)."""
    await throttle(state, ("ai:user", str(user.id), state.settings.rate_limits.ai_user))


def error_response(exc: TabashirError) -> JSONResponse:
    """Answer with an error without raising, so the request's writes (a revoked token family)
    are still committed."""
    return JSONResponse(error_body(exc.message, exc.code), exc.status_code, headers=exc.headers)


async def token_pair(session: AsyncSession, tokens: service.IssuedTokens) -> TokenPairOut:
    return TokenPairOut(
        access_token=tokens.access_token,
        refresh_token=tokens.refresh_token,
        expires_in=tokens.expires_in,
        refresh_expires_in=tokens.refresh_expires_in,
        user=await service.user_out(session, tokens.user),
    )


async def login_answer(
    session: AsyncSession, result: service.IssuedTokens | service.MfaChallenge
) -> TokenPairOut | MfaChallengeOut:
    if isinstance(result, service.MfaChallenge):
        return MfaChallengeOut(mfa_token=result.mfa_token)
    return await token_pair(session, result)


async def second_factor_claims(
    state: AppState, meta: RequestMeta, mfa_token: str
) -> dict[str, object]:
    """Throttle per IP, then per account (the account is known once the token checks out)."""
    limits = state.settings.rate_limits
    await throttle(state, ("2fa:ip", meta.ip, limits.two_factor_ip))
    claims = service.decode_mfa_token(state.settings, mfa_token)
    await throttle(state, ("2fa:account", str(claims["sub"]), limits.two_factor_account))
    return claims


async def web_session(
    response: Response, session: AsyncSession, settings: ApiSettings, tokens: service.IssuedTokens
) -> WebSessionOut:
    """Put the tokens in the session cookies; the body carries the CSRF token and the user."""
    assert tokens.csrf_token is not None
    set_session_cookies(
        response,
        settings.auth,
        access_token=tokens.access_token,
        refresh_token=tokens.refresh_token,
        csrf_token=tokens.csrf_token,
        now=tokens.issued_at,
        refresh_expires_at=tokens.refresh_expires_at,
    )
    return WebSessionOut(
        csrf_token=tokens.csrf_token,
        expires_in=tokens.expires_in,
        user=await service.user_out(session, tokens.user),
    )
