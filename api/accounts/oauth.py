"""Social sign-in: Google ID tokens checked against Google's published keys, and GitHub's OAuth
code flow. Both end in an ``ExternalIdentity`` with a verified email, or an error."""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import httpx
import jwt

from api.accounts.service import ExternalIdentity
from api.errors import ServiceUnavailable, Unauthorized
from api.settings import AuthSettings
from models.account import OAuthProvider

GOOGLE_ISSUERS = ("accounts.google.com", "https://accounts.google.com")
GOOGLE_ALGORITHM = "RS256"
#: Without Cache-Control, keys are kept this long; never longer than a day whatever it says.
DEFAULT_JWKS_MAX_AGE_S = 300
MAX_JWKS_MAX_AGE_S = 24 * 3600
#: An unknown key id forces a refetch (rotation), but not more often than this.
MIN_REFETCH_INTERVAL_S = 30.0
HTTP_TIMEOUT_S = 10.0
GITHUB_SCOPES = "read:user user:email"

_MAX_AGE = re.compile(r"max-age\s*=\s*(\d+)", re.IGNORECASE)


def cache_max_age(cache_control: str | None) -> int:
    """Seconds the JWKS may be kept, from the Cache-Control header."""
    if not cache_control:
        return DEFAULT_JWKS_MAX_AGE_S
    if "no-store" in cache_control.lower() or "no-cache" in cache_control.lower():
        return 0
    match = _MAX_AGE.search(cache_control)
    if not match:
        return DEFAULT_JWKS_MAX_AGE_S
    return min(int(match.group(1)), MAX_JWKS_MAX_AGE_S)


@dataclass
class _CachedKeys:
    keys: dict[str, dict[str, Any]]
    expires_at: float
    fetched_at: float


class JwksCache:
    """Google's signing keys by URL, kept as long as the response's Cache-Control allows."""

    def __init__(self) -> None:
        self._entries: dict[str, _CachedKeys] = {}
        self._lock = asyncio.Lock()
        self.fetches = 0

    async def _fetch(self, url: str) -> _CachedKeys:
        try:
            async with httpx.AsyncClient(timeout=HTTP_TIMEOUT_S) as client:
                response = await client.get(url)
                response.raise_for_status()
                body = response.json()
        except (httpx.HTTPError, ValueError) as exc:
            raise ServiceUnavailable(
                "Google sign-in is unavailable right now; try again shortly",
                code="google_unavailable",
            ) from exc
        self.fetches += 1
        keys = {
            str(k["kid"]): k
            for k in body.get("keys", [])
            if isinstance(k, dict) and "kid" in k and k.get("kty") == "RSA"
        }
        now = time.monotonic()
        max_age = cache_max_age(response.headers.get("cache-control"))
        entry = _CachedKeys(keys=keys, expires_at=now + max_age, fetched_at=now)
        self._entries[url] = entry
        return entry

    async def key(self, url: str, kid: str) -> dict[str, Any] | None:
        """The JWK with this key id, fetching (once) when the cache is stale or lacks it."""
        async with self._lock:
            now = time.monotonic()
            entry = self._entries.get(url)
            stale = entry is None or entry.expires_at <= now
            rotated = (
                entry is not None
                and kid not in entry.keys
                and now - entry.fetched_at >= MIN_REFETCH_INTERVAL_S
            )
            if entry is None or stale or rotated:
                entry = await self._fetch(url)
            return entry.keys.get(kid)

    def clear(self) -> None:
        self._entries.clear()


#: One per process: the keys are public and the same for everyone.
GOOGLE_KEYS = JwksCache()


async def verify_google_id_token(
    settings: AuthSettings, id_token: str, cache: JwksCache = GOOGLE_KEYS
) -> ExternalIdentity:
    """Check signature (RS256, Google's keys), issuer, audience (our client ids), expiry and
    email_verified; return who it vouches for."""
    if not settings.google_client_ids:
        raise ServiceUnavailable("Google sign-in is not configured", code="google_not_configured")
    invalid = Unauthorized("Invalid Google sign-in", code="invalid_google_token")
    try:
        header = jwt.get_unverified_header(id_token)
    except jwt.PyJWTError:
        raise invalid from None
    kid = header.get("kid")
    if header.get("alg") != GOOGLE_ALGORITHM or not isinstance(kid, str):
        raise invalid
    jwk = await cache.key(settings.google_jwks_url, kid)
    if jwk is None:
        raise invalid
    try:
        key = jwt.PyJWK(jwk, algorithm=GOOGLE_ALGORITHM).key
        claims: dict[str, Any] = jwt.decode(
            id_token,
            key,
            algorithms=[GOOGLE_ALGORITHM],
            audience=settings.google_client_ids,
            issuer=GOOGLE_ISSUERS,
            options={"require": ["exp", "iat", "iss", "aud", "sub"]},
        )
    except (jwt.PyJWTError, ValueError):
        raise invalid from None
    verified = claims.get("email_verified")
    email = claims.get("email")
    if verified not in (True, "true") or not isinstance(email, str) or not email:
        raise Unauthorized(
            "Your Google account's email address is not verified", code="email_not_verified"
        )
    name = claims.get("name")
    return ExternalIdentity(
        provider=OAuthProvider.GOOGLE,
        subject=str(claims["sub"]),
        email=email,
        name=str(name)[:200] if isinstance(name, str) else None,
    )


# --- GitHub ------------------------------------------------------------------------------------


async def github_http() -> AsyncIterator[httpx.AsyncClient]:
    """The HTTP client GitHub calls go through (tests swap it: GitHub has no local server)."""
    async with httpx.AsyncClient(timeout=HTTP_TIMEOUT_S) as client:
        yield client


def github_configured(settings: AuthSettings) -> bool:
    return bool(settings.github_client_id and settings.github_client_secret)


def github_authorize_url(settings: AuthSettings, *, state: str, redirect_uri: str) -> str:
    query = urlencode(
        {
            "client_id": settings.github_client_id or "",
            "redirect_uri": redirect_uri,
            "scope": GITHUB_SCOPES,
            "state": state,
            "allow_signup": "true",
        }
    )
    return f"{settings.github_authorize_url}?{query}"


async def github_identity(
    settings: AuthSettings, http: httpx.AsyncClient, *, code: str, redirect_uri: str
) -> ExternalIdentity:
    """Exchange the code, then read the user and their primary verified email."""
    failed = Unauthorized("GitHub sign-in failed", code="github_failed")
    unavailable = ServiceUnavailable(
        "GitHub sign-in is unavailable right now", code="github_unavailable"
    )
    secret = (
        settings.github_client_secret.get_secret_value() if settings.github_client_secret else ""
    )
    try:
        token_response = await http.post(
            settings.github_token_url,
            data={
                "client_id": settings.github_client_id or "",
                "client_secret": secret,
                "code": code,
                "redirect_uri": redirect_uri,
            },
            headers={"Accept": "application/json"},
        )
        if token_response.status_code >= 500:
            raise unavailable
        token_body = token_response.json()
        access_token = token_body.get("access_token") if isinstance(token_body, dict) else None
        if not isinstance(access_token, str) or not access_token:
            raise failed
        api_headers = {
            "Authorization": f"Bearer {access_token}",
            "Accept": "application/vnd.github+json",
            "X-GitHub-Api-Version": "2022-11-28",
        }
        user_response = await http.get(f"{settings.github_api_url}/user", headers=api_headers)
        emails_response = await http.get(
            f"{settings.github_api_url}/user/emails", headers=api_headers
        )
    except (httpx.HTTPError, ValueError) as exc:
        raise unavailable from exc
    if user_response.status_code != 200 or emails_response.status_code != 200:
        raise failed
    try:
        profile = user_response.json()
        addresses = emails_response.json()
    except ValueError:
        raise failed from None
    if not isinstance(profile, dict) or "id" not in profile or not isinstance(addresses, list):
        raise failed
    primary = next(
        (
            a.get("email")
            for a in addresses
            if isinstance(a, dict) and a.get("primary") and a.get("verified") is True
        ),
        None,
    )
    if not isinstance(primary, str) or not primary:
        raise Unauthorized(
            "Your GitHub account has no verified primary email", code="email_not_verified"
        )
    name = profile.get("name") or profile.get("login")
    return ExternalIdentity(
        provider=OAuthProvider.GITHUB,
        subject=str(profile["id"]),
        email=primary,
        name=str(name)[:200] if name else None,
    )
