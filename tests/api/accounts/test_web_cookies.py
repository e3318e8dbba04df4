"""Web clients: tokens in HttpOnly / Secure / SameSite=Lax cookies, and the CSRF double-submit
token required on cookie-authenticated writes (bearer requests are exempt)."""

from __future__ import annotations

import httpx
import pyotp
import pytest

from api.accounts.cookies import ACCESS_COOKIE, CSRF_COOKIE, CSRF_HEADER, REFRESH_COOKIE
from tests.api.accounts.conftest import ClientFor, UserFactory
from tests.fixtures.users import (
    PASSWORD,
    api_settings_for_tests,
    assert_error,
    auth_headers,
    auth_settings_for_tests,
)

pytestmark = pytest.mark.integration

WEB_LOGIN = "/api/auth/web/login"
ME = "/api/mobile/me"


def set_cookies(response: httpx.Response) -> dict[str, str]:
    """name → the raw Set-Cookie line, lower-cased."""
    lines = response.headers.get_list("set-cookie")
    return {line.split("=", 1)[0]: line.lower() for line in lines}


async def web_login(client: httpx.AsyncClient, email: str) -> str:
    response = await client.post(WEB_LOGIN, json={"email": email, "password": PASSWORD})
    assert response.status_code == 200, response.text
    return str(response.json()["csrfToken"])


async def test_web_login_sets_hardened_cookies_and_no_tokens_in_the_body(
    client: httpx.AsyncClient, user_factory: UserFactory
) -> None:
    user = await user_factory()
    response = await client.post(WEB_LOGIN, json={"email": user.email, "password": PASSWORD})
    assert response.status_code == 200, response.text
    body = response.json()
    assert "accessToken" not in body
    assert "refreshToken" not in body
    assert body["user"]["email"] == user.email
    cookies = set_cookies(response)
    access, refresh, csrf = cookies[ACCESS_COOKIE], cookies[REFRESH_COOKIE], cookies[CSRF_COOKIE]
    for line in (access, refresh, csrf):
        assert "secure" in line
        assert "samesite=lax" in line
    assert "httponly" in access
    assert "httponly" in refresh
    assert "httponly" not in csrf  # the page's script must read it
    assert "path=/;" in access or access.endswith("path=/")
    assert "path=/api/auth" in refresh
    assert "max-age=900" in access
    assert client.cookies.get(CSRF_COOKIE) == body["csrfToken"]


async def test_cookie_session_reads_without_csrf_but_writes_need_it(
    client: httpx.AsyncClient, user_factory: UserFactory
) -> None:
    user = await user_factory()
    csrf = await web_login(client, user.email)
    me = await client.get(ME)
    assert me.status_code == 200
    assert me.json()["user"]["id"] == str(user.id)

    write = "/api/mobile/me/2fa/totp"
    assert_error(await client.post(write), 403, "csrf_failed")
    assert_error(await client.post(write, headers={CSRF_HEADER: "guess"}), 403, "csrf_failed")
    ok = await client.post(write, headers={CSRF_HEADER: csrf})
    assert ok.status_code == 200, ok.text


async def test_a_planted_csrf_cookie_does_not_match_the_session(
    client: httpx.AsyncClient, user_factory: UserFactory
) -> None:
    user = await user_factory()
    csrf = await web_login(client, user.email)
    access = client.cookies.get(ACCESS_COOKIE)
    client.cookies.clear()
    write = "/api/mobile/me/2fa/totp"

    def sent(csrf_value: str) -> dict[str, str]:
        return {
            "Cookie": f"{ACCESS_COOKIE}={access}; {CSRF_COOKIE}={csrf_value}",
            CSRF_HEADER: csrf_value,
        }

    # A sibling subdomain can plant a CSRF cookie and echo it; it cannot change what the
    # access token is bound to.
    assert_error(await client.post(write, headers=sent("attacker-chosen")), 403, "csrf_failed")
    assert (await client.post(write, headers=sent(csrf))).status_code == 200


async def test_bearer_requests_are_exempt_from_csrf(
    client: httpx.AsyncClient, user_factory: UserFactory
) -> None:
    user = await user_factory()
    headers = await auth_headers(client, user)
    response = await client.post("/api/mobile/me/2fa/totp", headers=headers)
    assert response.status_code == 200, response.text


async def test_web_refresh_rotates_cookies_and_needs_csrf(
    client: httpx.AsyncClient, user_factory: UserFactory
) -> None:
    user = await user_factory()
    csrf = await web_login(client, user.email)
    old_refresh = client.cookies.get(REFRESH_COOKIE)
    assert old_refresh

    assert_error(await client.post("/api/auth/web/refresh"), 403, "csrf_failed")
    renewed = await client.post("/api/auth/web/refresh", headers={CSRF_HEADER: csrf})
    assert renewed.status_code == 200, renewed.text
    new_csrf = renewed.json()["csrfToken"]
    assert new_csrf != csrf
    assert client.cookies.get(REFRESH_COOKIE) != old_refresh
    assert (await client.get(ME)).status_code == 200
    # The new CSRF token is the one bound to the new access cookie.
    assert_error(await client.post("/api/mobile/me/2fa/totp", headers={CSRF_HEADER: csrf}), 403)
    assert (
        await client.post("/api/mobile/me/2fa/totp", headers={CSRF_HEADER: new_csrf})
    ).status_code == 200

    # Replaying the old refresh cookie ends the session and clears the cookies.
    client.cookies.set(REFRESH_COOKIE, old_refresh, path="/api/auth")
    reuse = await client.post("/api/auth/web/refresh", headers={CSRF_HEADER: new_csrf})
    assert_error(reuse, 401, "invalid_refresh_token")
    assert "max-age=0" in set_cookies(reuse)[ACCESS_COOKIE]


async def test_web_logout_clears_cookies_and_ends_the_session(
    client: httpx.AsyncClient, user_factory: UserFactory
) -> None:
    user = await user_factory()
    csrf = await web_login(client, user.email)
    access = client.cookies.get(ACCESS_COOKIE)
    assert_error(await client.post("/api/auth/web/logout"), 403, "csrf_failed")
    out = await client.post("/api/auth/web/logout", headers={CSRF_HEADER: csrf})
    assert out.status_code == 200, out.text
    cleared = set_cookies(out)
    assert "max-age=0" in cleared[ACCESS_COOKIE]
    assert "max-age=0" in cleared[REFRESH_COOKIE]
    # Even a copy of the old access cookie no longer works.
    assert_error(
        await client.get(ME, headers={"Cookie": f"{ACCESS_COOKIE}={access}"}), 401, "token_revoked"
    )


async def test_the_secure_flag_follows_the_setting(
    client_for: ClientFor, user_factory: UserFactory
) -> None:
    user = await user_factory()
    settings = api_settings_for_tests(auth=auth_settings_for_tests(cookie_secure=False))
    async with client_for(settings) as client:
        response = await client.post(WEB_LOGIN, json={"email": user.email, "password": PASSWORD})
        assert response.status_code == 200
        assert "secure" not in set_cookies(response)[ACCESS_COOKIE]


async def test_cookie_clients_get_new_cookies_after_a_password_change_or_totp(
    client: httpx.AsyncClient, user_factory: UserFactory
) -> None:
    user = await user_factory()
    csrf = await web_login(client, user.email)
    changed = await client.post(
        "/api/mobile/me/password",
        headers={CSRF_HEADER: csrf},
        json={"currentPassword": PASSWORD, "newPassword": "a brand new passphrase"},
    )
    assert changed.status_code == 200, changed.text
    assert "accessToken" not in changed.json()
    csrf = changed.json()["csrfToken"]
    assert (await client.get(ME)).status_code == 200

    enrolled = await client.post("/api/mobile/me/2fa/totp", headers={CSRF_HEADER: csrf})
    secret = enrolled.json()["secret"]
    confirmed = await client.post(
        "/api/mobile/me/2fa/totp/confirm",
        headers={CSRF_HEADER: csrf},
        json={"code": pyotp.TOTP(secret).now()},
    )
    assert confirmed.status_code == 200, confirmed.text
    body = confirmed.json()
    assert body["accessToken"] is None
    assert body["csrfToken"]
    me = await client.get(ME)
    assert me.status_code == 200
    assert me.json()["user"]["twoFactorEnabled"] is True
