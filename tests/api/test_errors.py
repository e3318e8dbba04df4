"""Every error, expected or not, has the shape {"error": "<readable>", "code": "<stable>"}."""

from __future__ import annotations

import asyncio
import dataclasses
import socket
import time

import httpx
import pytest
from fastapi import APIRouter
from sqlalchemy import text
from sqlalchemy.engine import URL
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from api.app import create_app
from api.billing.settings import get_billing_settings
from api.deps import SessionDep
from api.errors import Conflict
from api.settings import ApiSettings
from api.state import AppState
from models.db import make_async_engine, make_sessionmaker
from models.settings import DatabaseSettings
from tests.conftest import API_TOKEN
from tests.fixtures.users import auth_headers, make_user

pytestmark = pytest.mark.integration


def _assert_error_shape(response: httpx.Response, status: int, code: str) -> dict[str, object]:
    assert response.status_code == status
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert body["code"] == code
    assert isinstance(body["error"], str)
    assert body["error"]
    return body


async def test_unknown_route_is_a_json_404(client: httpx.AsyncClient) -> None:
    _assert_error_shape(await client.get("/no/such/route"), 404, "not_found")


async def test_wrong_method_is_a_json_405(client: httpx.AsyncClient) -> None:
    _assert_error_shape(await client.delete("/health"), 405, "method_not_allowed")


async def test_bad_query_parameter_is_a_422_naming_the_field(
    client: httpx.AsyncClient, api_headers: dict[str, str]
) -> None:
    response = await client.get("/api/v1/resume/jobs?page=0", headers=api_headers)
    body = _assert_error_shape(response, 422, "validation_error")
    assert "page" in str(body["error"])
    assert body["detail"][0]["field"] == "query.page"  # type: ignore[index]


async def test_unhandled_exception_is_a_json_500_without_internals(
    settings: ApiSettings, app_state: AppState
) -> None:
    app = create_app(settings, state=app_state)
    router = APIRouter()

    @router.get("/boom")
    async def boom() -> None:
        raise RuntimeError("secret internal detail")

    @router.get("/conflict")
    async def conflict() -> None:
        raise Conflict("Already applied to this job", code="already_applied")

    app.include_router(router)
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as c:
        response = await c.get("/boom")
        body = _assert_error_shape(response, 500, "internal_error")
        assert "secret" not in response.text
        assert body["error"] == "Server error"
        assert response.headers["x-request-id"]

        body = _assert_error_shape(await c.get("/conflict"), 409, "already_applied")
        assert body["error"] == "Already applied to this job"


async def test_every_401_carries_a_www_authenticate_challenge(client: httpx.AsyncClient) -> None:
    anonymous = await client.get("/api/mobile/me")
    assert anonymous.status_code == 401
    assert anonymous.headers["www-authenticate"] == 'Bearer realm="tabashir"'
    forged = await client.get("/api/mobile/me", headers={"Authorization": "Bearer not.a.jwt"})
    assert forged.status_code == 401
    assert forged.headers["www-authenticate"] == 'Bearer realm="tabashir", error="invalid_token"'
    service = await client.get("/api/v1/resume/jobs", headers={"X-API-TOKEN": "wrong"})
    assert service.status_code == 401
    assert service.headers["www-authenticate"].startswith("ApiKey ")
    # A refused refresh token is answered without raising (the revocation must commit): the
    # challenge is there too.
    refused = await client.post("/api/mobile/auth/refresh", json={"refreshToken": "made-up"})
    assert refused.status_code == 401
    assert refused.headers["www-authenticate"].startswith("Bearer ")


async def test_billing_without_its_secrets_in_production_answers_503_not_500(
    settings: ApiSettings, app_state: AppState, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TABASHIR_ENV", "production")
    monkeypatch.setenv("STRIPE_SECRET_KEY", "sk_test_not_a_real_key_for_tests")
    monkeypatch.delenv("STRIPE_WEBHOOK_SECRET", raising=False)
    get_billing_settings.cache_clear()
    try:
        app = create_app(settings, state=app_state)
        transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as plain:
            delivery = await plain.post(
                "/api/webhooks/stripe",
                content=b'{"id": "evt_1", "type": "payment_intent.succeeded"}',
                headers={"Stripe-Signature": "t=1,v1=00"},
            )
    finally:
        get_billing_settings.cache_clear()
    _assert_error_shape(delivery, 503, "billing_not_configured")


async def test_a_locked_table_or_a_slow_statement_is_a_503_with_retry_after(
    settings: ApiSettings, app_state: AppState, engine: AsyncEngine
) -> None:
    bounded = settings.model_copy(update={"lock_timeout_ms": 300, "statement_timeout_ms": 500})
    state = dataclasses.replace(app_state, settings=bounded)
    app = create_app(bounded, state=state)
    router = APIRouter()

    @router.get("/test/slow")
    async def slow(session: SessionDep) -> dict[str, str]:
        await session.execute(text("SELECT pg_sleep(5)"))
        return {"status": "done"}

    app.include_router(router)
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as c:
        # Another connection holds the jobs table (a migration, a long maintenance job).
        async with engine.connect() as other:
            await other.execute(text("BEGIN"))
            await other.execute(text("LOCK TABLE jobs IN ACCESS EXCLUSIVE MODE"))
            started = time.perf_counter()
            try:
                locked = await asyncio.wait_for(
                    c.get("/api/v1/resume/jobs", headers={"X-API-TOKEN": API_TOKEN}), 10
                )
            finally:
                await other.execute(text("ROLLBACK"))
            waited = time.perf_counter() - started
        _assert_error_shape(locked, 503, "database_busy")
        assert locked.headers["retry-after"] == "5"
        assert waited < 3
        started = time.perf_counter()
        cut = await asyncio.wait_for(c.get("/test/slow"), 10)
        _assert_error_shape(cut, 503, "database_busy")
        assert time.perf_counter() - started < 3
        # The lock is gone: the same read works, on the same pooled connection.
        fine = await c.get("/api/v1/resume/jobs", headers={"X-API-TOKEN": API_TOKEN})
        assert fine.status_code == 200


async def test_a_database_that_cannot_be_reached_is_a_503(
    settings: ApiSettings, app_state: AppState, database_url: URL
) -> None:
    with socket.socket() as s:  # a port nothing listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    gone = make_async_engine(database_url.set(host="127.0.0.1", port=port))
    state = dataclasses.replace(app_state, engine=gone, sessionmaker=make_sessionmaker(gone))
    app = create_app(settings, state=state)
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as c:
            answer = await c.get("/api/v1/resume/jobs", headers={"X-API-TOKEN": API_TOKEN})
    finally:
        await gone.dispose()
    _assert_error_shape(answer, 503, "database_unavailable")
    assert answer.headers["retry-after"] == "5"


async def test_checkout_without_stripe_configured_says_so(
    client: httpx.AsyncClient, session: AsyncSession, settings: ApiSettings
) -> None:
    get_billing_settings.cache_clear()
    if get_billing_settings().stripe_api_base is not None:
        pytest.skip("this environment points billing at a Stripe-API server")
    user = await make_user(session, settings.auth)
    answer = await client.post(
        "/api/stripe/create-checkout-session",
        json={"productCode": "ai_job_apply"},
        headers=await auth_headers(client, user),
    )
    body = _assert_error_shape(answer, 503, "stripe_not_configured")
    assert "not configured" in str(body["error"])


async def test_a_request_that_cannot_get_a_connection_soon_is_a_503(
    settings: ApiSettings, app_state: AppState, database_url: URL
) -> None:
    tiny = make_async_engine(
        database_url,
        DatabaseSettings(db_pool_size=1, db_max_overflow=0, db_pool_timeout_s=0.5),
    )
    state = dataclasses.replace(app_state, engine=tiny, sessionmaker=make_sessionmaker(tiny))
    app = create_app(settings, state=state)
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    try:
        async with tiny.connect() as held:  # every connection of the pool is busy
            await held.execute(text("SELECT 1"))
            async with httpx.AsyncClient(transport=transport, base_url="http://test") as c:
                started = time.perf_counter()
                answer = await asyncio.wait_for(
                    c.get("/api/v1/resume/jobs", headers={"X-API-TOKEN": API_TOKEN}), 10
                )
                waited = time.perf_counter() - started
    finally:
        await tiny.dispose()
    _assert_error_shape(answer, 503, "database_busy")
    assert answer.headers["retry-after"] == "5"
    assert waited < 3
