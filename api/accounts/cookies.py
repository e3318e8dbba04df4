"""Web clients: the same tokens as the apps, in HttpOnly cookies, plus a CSRF double-submit token.

The access cookie goes to every API path; the refresh cookie only to the web auth routes, so it
is not sent (and cannot leak) with ordinary requests. The CSRF cookie is readable by the page's
script, which echoes it in the X-CSRF-Token header; the access token carries the token's hash,
so a cookie planted by a sibling subdomain does not match.
"""

from __future__ import annotations

from datetime import datetime

from fastapi import Response

from api.settings import AuthSettings

ACCESS_COOKIE = "tabashir_access"
REFRESH_COOKIE = "tabashir_refresh"
CSRF_COOKIE = "tabashir_csrf"
CSRF_HEADER = "X-CSRF-Token"
OAUTH_STATE_COOKIE = "tabashir_oauth_state"
MFA_COOKIE = "tabashir_mfa"
WEB_AUTH_PATH = "/api/auth"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def _set(
    response: Response,
    settings: AuthSettings,
    name: str,
    value: str,
    *,
    max_age: int,
    path: str = "/",
    http_only: bool = True,
) -> None:
    response.set_cookie(
        name,
        value,
        max_age=max_age,
        path=path,
        domain=settings.cookie_domain,
        secure=settings.cookie_secure,
        httponly=http_only,
        samesite="lax",
    )


def set_session_cookies(
    response: Response,
    settings: AuthSettings,
    *,
    access_token: str,
    refresh_token: str,
    csrf_token: str,
    now: datetime,
    refresh_expires_at: datetime,
) -> None:
    refresh_age = max(0, int((refresh_expires_at - now).total_seconds()))
    _set(response, settings, ACCESS_COOKIE, access_token, max_age=settings.access_token_ttl_s)
    _set(response, settings, REFRESH_COOKIE, refresh_token, max_age=refresh_age, path=WEB_AUTH_PATH)
    _set(response, settings, CSRF_COOKIE, csrf_token, max_age=refresh_age, http_only=False)


def clear_session_cookies(response: Response, settings: AuthSettings) -> None:
    for name, path in (
        (ACCESS_COOKIE, "/"),
        (REFRESH_COOKIE, WEB_AUTH_PATH),
        (CSRF_COOKIE, "/"),
        (MFA_COOKIE, WEB_AUTH_PATH),
    ):
        response.delete_cookie(
            name,
            path=path,
            domain=settings.cookie_domain,
            secure=settings.cookie_secure,
            httponly=name != CSRF_COOKIE,
            samesite="lax",
        )


def set_short_cookie(
    response: Response, settings: AuthSettings, name: str, value: str, *, max_age: int
) -> None:
    """OAuth state, pending second factor: HttpOnly, only for the web auth routes."""
    _set(response, settings, name, value, max_age=max_age, path=WEB_AUTH_PATH)


def clear_short_cookie(response: Response, settings: AuthSettings, name: str) -> None:
    response.delete_cookie(
        name,
        path=WEB_AUTH_PATH,
        domain=settings.cookie_domain,
        secure=settings.cookie_secure,
        httponly=True,
        samesite="lax",
    )
