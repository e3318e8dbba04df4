"""Signed-in devices: listed, ended one by one, and private to their owner (another user's
session is a 404, like any object that is not yours)."""

from __future__ import annotations

import uuid

import httpx
import pytest

from tests.api.accounts.conftest import UserFactory
from tests.fixtures.users import assert_cross_user_404, assert_error, bearer, login

pytestmark = pytest.mark.integration

SESSIONS = "/api/mobile/me/sessions"


async def test_sessions_are_listed_and_one_can_be_ended(
    client: httpx.AsyncClient, user_factory: UserFactory
) -> None:
    user = await user_factory()
    phone = await login(client, user.email)
    tablet = await login(client, user.email)
    listed = await client.get(
        SESSIONS, headers=bearer(phone["accessToken"]) | {"User-Agent": "TabashirApp/3.1 (Android)"}
    )
    assert listed.status_code == 200
    items = listed.json()["items"]
    assert len(items) == 2
    current = [s for s in items if s["current"]]
    assert len(current) == 1
    tablet_session = next(s for s in items if not s["current"])

    ended = await client.delete(
        f"{SESSIONS}/{tablet_session['id']}", headers=bearer(phone["accessToken"])
    )
    assert ended.status_code == 200
    assert_error(
        await client.post(
            "/api/mobile/auth/refresh", json={"refreshToken": tablet["refreshToken"]}
        ),
        401,
        "invalid_refresh_token",
    )
    assert (
        len((await client.get(SESSIONS, headers=bearer(phone["accessToken"]))).json()["items"]) == 1
    )
    missing = await client.delete(
        f"{SESSIONS}/{uuid.uuid4()}", headers=bearer(phone["accessToken"])
    )
    assert_error(missing, 404, "session_not_found")


async def test_another_users_session_is_a_404(
    client: httpx.AsyncClient, user_factory: UserFactory
) -> None:
    alice, bob = await user_factory(), await user_factory()
    alice_tokens = await login(client, alice.email)
    bob_tokens = await login(client, bob.email)
    alice_headers, bob_headers = (
        bearer(alice_tokens["accessToken"]),
        bearer(bob_tokens["accessToken"]),
    )
    session_id = (await client.get(SESSIONS, headers=alice_headers)).json()["items"][0]["id"]
    # Bob's attempt answers exactly like a missing session, and changes nothing.
    await assert_cross_user_404(
        client, "DELETE", f"{SESSIONS}/{session_id}", alice_headers, bob_headers
    )
    bob_sees = (await client.get(SESSIONS, headers=bob_headers)).json()["items"]
    assert session_id not in {s["id"] for s in bob_sees}
