"""Account tests: settings with fixed secrets and cheap hashing, and a client whose app carries
the account and admin routes."""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncSession

from api.app import create_app
from api.settings import ApiSettings
from api.state import AppState
from models import User
from tests.fixtures.users import api_settings_for_tests, include_account_routes, make_user

UserFactory = Callable[..., Awaitable[User]]
ClientFor = Callable[..., AbstractAsyncContextManager[httpx.AsyncClient]]


@pytest.fixture
def settings() -> ApiSettings:
    return api_settings_for_tests()


def _client(app: FastAPI) -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    # https: the session cookies are Secure, and a client only sends those over https.
    return httpx.AsyncClient(transport=transport, base_url="https://test")


@pytest.fixture
async def client(settings: ApiSettings, app_state: AppState) -> AsyncIterator[httpx.AsyncClient]:
    async with _client(include_account_routes(create_app(settings, state=app_state))) as c:
        yield c


@pytest.fixture
def client_for(app_state: AppState) -> ClientFor:
    """A client on an app built with other settings (same database transaction)."""

    @asynccontextmanager
    async def make(
        settings: ApiSettings, configure: Callable[[FastAPI], None] | None = None
    ) -> AsyncIterator[httpx.AsyncClient]:
        state = dataclasses.replace(app_state, settings=settings)
        app = include_account_routes(create_app(settings, state=state))
        if configure:
            configure(app)
        async with _client(app) as c:
            yield c

    return make


@pytest.fixture
def user_factory(session: AsyncSession, settings: ApiSettings) -> UserFactory:
    async def factory(**overrides: Any) -> User:
        return await make_user(session, settings.auth, **overrides)

    return factory
