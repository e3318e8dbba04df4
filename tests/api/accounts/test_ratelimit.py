"""Throttling of login, register, refresh, forgot and reset: per IP and per account, 429 with
Retry-After and the house error body, counted in Postgres even when the request fails."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from api.accounts.ratelimit import Check, Limit, enforce
from api.errors import TooManyRequests
from api.settings import RateLimitSettings
from models.account import RateLimitCounter
from tests.api.accounts.conftest import ClientFor, UserFactory
from tests.fixtures.users import (
    PASSWORD,
    api_settings_for_tests,
    assert_error,
    auth_settings_for_tests,
)

pytestmark = pytest.mark.integration

LOGIN = "/api/mobile/auth/login"


def assert_throttled(response: httpx.Response) -> int:
    body = assert_error(response, 429, "rate_limited")
    assert "Try again" in body["error"]
    retry = int(response.headers["Retry-After"])
    assert retry >= 1
    return retry


async def test_login_is_limited_per_account_and_failures_count(
    client_for: ClientFor, user_factory: UserFactory, session: AsyncSession
) -> None:
    user = await user_factory()
    settings = api_settings_for_tests(rate_limits=RateLimitSettings(login_account="3/900"))
    async with client_for(settings) as client:
        for _ in range(3):
            wrong = await client.post(LOGIN, json={"email": user.email, "password": "bad guess!"})
            assert_error(wrong, 401, "invalid_credentials")
        # Even the right password waits: the account is under attack.
        blocked = await client.post(LOGIN, json={"email": user.email.upper(), "password": PASSWORD})
        retry = assert_throttled(blocked)
        assert retry <= 900 * 2
        # Another account from the same address is not affected.
        other = await user_factory()
        ok = await client.post(LOGIN, json={"email": other.email, "password": PASSWORD})
        assert ok.status_code == 200
    keys = (await session.execute(select(RateLimitCounter.key))).scalars().all()
    assert all(user.email not in k for k in keys)  # hashed, never the address itself


async def test_login_is_limited_per_ip(client_for: ClientFor) -> None:
    settings = api_settings_for_tests(rate_limits=RateLimitSettings(login_ip="4/300"))
    async with client_for(settings) as client:
        for n in range(4):
            response = await client.post(
                LOGIN, json={"email": f"someone{n}@example.com", "password": "a guess 123"}
            )
            assert response.status_code == 401
        assert_throttled(
            await client.post(LOGIN, json={"email": "more@example.com", "password": "a guess 123"})
        )
        # X-Forwarded-For is not trusted unless configured: spoofing it does not help.
        spoofed = await client.post(
            LOGIN,
            json={"email": "more@example.com", "password": "a guess 123"},
            headers={"X-Forwarded-For": "203.0.113.9"},
        )
        assert_throttled(spoofed)


async def test_behind_a_trusted_proxy_the_forwarded_address_is_the_key(
    client_for: ClientFor,
) -> None:
    settings = api_settings_for_tests(
        auth=auth_settings_for_tests(trusted_proxy_hops=1),
        rate_limits=RateLimitSettings(login_ip="2/300"),
    )
    async with client_for(settings) as client:
        for _ in range(2):
            await client.post(
                LOGIN,
                json={"email": "a@example.com", "password": "a guess 123"},
                headers={"X-Forwarded-For": "203.0.113.1"},
            )
        first = await client.post(
            LOGIN,
            json={"email": "a@example.com", "password": "a guess 123"},
            headers={"X-Forwarded-For": "203.0.113.1"},
        )
        assert_throttled(first)
        second = await client.post(
            LOGIN,
            json={"email": "a@example.com", "password": "a guess 123"},
            headers={"X-Forwarded-For": "198.51.100.7"},
        )
        assert second.status_code == 401


async def test_register_is_limited_per_ip(client_for: ClientFor) -> None:
    settings = api_settings_for_tests(rate_limits=RateLimitSettings(register_ip="2/3600"))
    async with client_for(settings) as client:
        for n in range(2):
            response = await client.post(
                "/api/mobile/auth/register",
                json={"email": f"new{n}@example.com", "password": PASSWORD},
            )
            assert response.status_code == 201
        assert_throttled(
            await client.post(
                "/api/mobile/auth/register",
                json={"email": "new9@example.com", "password": PASSWORD},
            )
        )


async def test_forgot_password_is_limited_per_account_the_same_for_unknown_emails(
    client_for: ClientFor, user_factory: UserFactory
) -> None:
    user = await user_factory()
    settings = api_settings_for_tests(rate_limits=RateLimitSettings(forgot_account="2/3600"))
    async with client_for(settings) as client:
        for email in (user.email, "ghost@example.com"):
            for _ in range(2):
                response = await client.post("/api/auth/forgot-password", json={"email": email})
                assert response.status_code == 202
            assert_throttled(await client.post("/api/auth/forgot-password", json={"email": email}))


async def test_refresh_and_reset_are_limited_per_ip(client_for: ClientFor) -> None:
    settings = api_settings_for_tests(
        rate_limits=RateLimitSettings(refresh_ip="2/300", reset_ip="2/300")
    )
    async with client_for(settings) as client:
        for _ in range(2):
            refused = await client.post("/api/mobile/auth/refresh", json={"refreshToken": "nope"})
            assert refused.status_code == 401
        assert_throttled(
            await client.post("/api/mobile/auth/refresh", json={"refreshToken": "nope"})
        )
        for _ in range(2):
            bad = await client.post(
                "/api/auth/reset-password", json={"token": "nope", "password": PASSWORD}
            )
            assert bad.status_code == 400
        assert_throttled(
            await client.post(
                "/api/auth/reset-password", json={"token": "nope", "password": PASSWORD}
            )
        )


async def test_sliding_window_weighs_the_previous_window(
    sessionmaker: async_sessionmaker[AsyncSession], session: AsyncSession
) -> None:
    limit = Limit(4, 60)
    check = Check("test", "subject", limit)
    start = datetime(2026, 11, 26, 12, 0, 0, tzinfo=UTC)
    for _ in range(4):
        await enforce(sessionmaker, [check], now=start + timedelta(seconds=50))
    # 15 s into the next window, 3/4 of the previous 4 hits still count: 3 + 1 = 4 is allowed.
    await enforce(sessionmaker, [check], now=start + timedelta(seconds=75))
    # 4 hits: 3 + 2 = 5 > 4, refused, and told when to come back.
    with pytest.raises(TooManyRequests) as refused:
        await enforce(sessionmaker, [check], now=start + timedelta(seconds=76))
    assert refused.value.headers is not None
    assert int(refused.value.headers["Retry-After"]) > 0
    # Two windows later nothing of it is left.
    await enforce(sessionmaker, [check], now=start + timedelta(seconds=190))
    windows = (
        await session.execute(select(func.count()).select_from(RateLimitCounter))
    ).scalar_one()
    assert windows == 3


async def test_throttling_can_be_switched_off(client_for: ClientFor) -> None:
    settings = api_settings_for_tests(
        rate_limits=RateLimitSettings(enabled=False, login_ip="1/300")
    )
    async with client_for(settings) as client:
        for _ in range(3):
            response = await client.post(
                LOGIN, json={"email": "x@example.com", "password": "a guess 123"}
            )
            assert response.status_code == 401
