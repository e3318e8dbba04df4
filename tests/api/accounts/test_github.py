"""GitHub sign-in through the OAuth code flow.

GitHub has no local server we can run, so these tests fake it AT THE HTTP BOUNDARY ONLY: the
app's GitHub HTTP client is swapped for an ``httpx.MockTransport`` that answers the token
exchange and the two API calls the way GitHub documents them. Everything on our side (state
cookie, code exchange, email choice, linking, session cookies) runs for real.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import parse_qs, urlparse

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from api.accounts import oauth
from api.accounts.cookies import ACCESS_COOKIE, OAUTH_STATE_COOKIE
from models import User
from models.account import OAuthIdentity
from tests.api.accounts.conftest import ClientFor, UserFactory
from tests.fixtures.users import api_settings_for_tests, assert_error, auth_settings_for_tests

pytestmark = pytest.mark.integration

TOKEN_URL = "https://github.test/login/oauth/access_token"
API = "https://api.github.test"


class FakeGitHub:
    """GitHub's three endpoints as documented (token exchange, /user, /user/emails)."""

    def __init__(self) -> None:
        self.emails: list[dict[str, Any]] = [
            {"email": "layla@example.com", "primary": True, "verified": True},
            {"email": "old@example.org", "primary": False, "verified": True},
        ]
        self.requests: list[httpx.Request] = []

    def handle(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if request.method == "POST" and str(request.url) == TOKEN_URL:
            form = parse_qs(request.content.decode())
            if form.get("client_secret") != ["gh-secret"] or form.get("code") != ["good-code"]:
                return httpx.Response(200, json={"error": "bad_verification_code"})
            return httpx.Response(200, json={"access_token": "gho_test", "token_type": "bearer"})
        if request.headers.get("authorization") != "Bearer gho_test":
            return httpx.Response(401, json={"message": "Bad credentials"})
        if str(request.url) == f"{API}/user":
            return httpx.Response(200, json={"id": 4242, "login": "layla-dev", "name": "Layla"})
        if str(request.url) == f"{API}/user/emails":
            return httpx.Response(200, content=json.dumps(self.emails))
        return httpx.Response(404)


@pytest.fixture
def github() -> FakeGitHub:
    return FakeGitHub()


@pytest.fixture
def github_client(client_for: ClientFor, github: FakeGitHub):  # type: ignore[no-untyped-def]
    settings = api_settings_for_tests(
        auth=auth_settings_for_tests(
            github_client_id="gh-client",
            github_client_secret="gh-secret",
            github_token_url=TOKEN_URL,
            github_api_url=API,
        )
    )

    def configure(app: FastAPI) -> None:
        async def fake_http() -> AsyncIterator[httpx.AsyncClient]:
            async with httpx.AsyncClient(transport=httpx.MockTransport(github.handle)) as c:
                yield c

        app.dependency_overrides[oauth.github_http] = fake_http

    return client_for(settings, configure)


async def start(client: httpx.AsyncClient) -> str:
    response = await client.get("/api/auth/github/authorize")
    assert response.status_code == 302
    location = urlparse(response.headers["location"])
    query = parse_qs(location.query)
    assert f"{location.scheme}://{location.netloc}{location.path}" == (
        "https://github.com/login/oauth/authorize"
    )
    assert query["client_id"] == ["gh-client"]
    assert query["redirect_uri"] == ["https://api.test/api/auth/github/callback"]
    assert "user:email" in query["scope"][0]
    state = query["state"][0]
    assert client.cookies.get(OAUTH_STATE_COOKIE) == state
    assert "httponly" in response.headers["set-cookie"].lower()
    return state


async def test_github_sign_in_creates_the_account_and_sets_session_cookies(
    github_client,
    github: FakeGitHub,
    session: AsyncSession,  # type: ignore[no-untyped-def]
) -> None:
    async with github_client as client:
        state = await start(client)
        callback = await client.get(
            "/api/auth/github/callback", params={"code": "good-code", "state": state}
        )
        assert callback.status_code == 302, callback.text
        assert callback.headers["location"] == "https://app.test/"
        assert client.cookies.get(ACCESS_COOKIE)
        me = await client.get("/api/mobile/me")
        assert me.status_code == 200
        assert me.json()["user"]["email"] == "layla@example.com"
        assert me.json()["user"]["emailVerified"] is True
    identity = (await session.execute(select(OAuthIdentity))).scalar_one()
    assert (identity.provider.value, identity.subject) == ("github", "4242")
    exchange = github.requests[0]
    assert exchange.headers["accept"] == "application/json"


async def test_an_existing_account_with_that_email_is_linked(
    github_client,
    session: AsyncSession,
    user_factory: UserFactory,  # type: ignore[no-untyped-def]
) -> None:
    existing = await user_factory(email="layla@example.com")
    async with github_client as client:
        state = await start(client)
        response = await client.get(
            "/api/auth/github/callback", params={"code": "good-code", "state": state}
        )
        assert response.status_code == 302
    assert (await session.execute(select(func.count()).select_from(User))).scalar_one() == 1
    identity = (await session.execute(select(OAuthIdentity))).scalar_one()
    assert identity.user_id == existing.id


async def test_state_must_match_the_cookie(github_client) -> None:  # type: ignore[no-untyped-def]
    async with github_client as client:
        await start(client)
        forged = await client.get(
            "/api/auth/github/callback", params={"code": "good-code", "state": "forged"}
        )
        assert_error(forged, 400, "oauth_state")
        client.cookies.clear()
        no_cookie = await client.get(
            "/api/auth/github/callback", params={"code": "good-code", "state": "forged"}
        )
        assert_error(no_cookie, 400, "oauth_state")


async def test_a_bad_code_or_no_verified_email_is_refused(
    github_client,
    github: FakeGitHub,
    session: AsyncSession,  # type: ignore[no-untyped-def]
) -> None:
    async with github_client as client:
        state = await start(client)
        bad = await client.get(
            "/api/auth/github/callback", params={"code": "stolen-code", "state": state}
        )
        assert_error(bad, 401, "github_failed")
        github.emails = [{"email": "layla@example.com", "primary": True, "verified": False}]
        state = await start(client)
        unverified = await client.get(
            "/api/auth/github/callback", params={"code": "good-code", "state": state}
        )
        assert_error(unverified, 401, "email_not_verified")
    assert (await session.execute(select(func.count()).select_from(User))).scalar_one() == 0


async def test_a_denied_consent_goes_back_to_the_login_page(github_client) -> None:  # type: ignore[no-untyped-def]
    async with github_client as client:
        await start(client)
        response = await client.get("/api/auth/github/callback", params={"error": "access_denied"})
        assert response.status_code == 302
        assert response.headers["location"] == "https://app.test/login?error=github_denied"


async def test_unconfigured_github_is_a_503(client_for: ClientFor) -> None:
    async with client_for(api_settings_for_tests()) as client:
        assert_error(await client.get("/api/auth/github/authorize"), 503, "github_not_configured")
