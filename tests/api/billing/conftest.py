"""Billing tests: a real Stripe-API server (localstripe, started once per session from scratch),
the official SDK pointed at it, and an app carrying the account and billing routes.

localstripe is GPL-licensed: it is run as a subprocess by the tests and never imported."""

from __future__ import annotations

import contextlib
import socket
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncSession

from api.app import create_app
from api.billing.deps import billing_settings, get_stripe
from api.billing.routes import router as billing_router
from api.billing.settings import BillingSettings
from api.integrations.stripe import StripeClient
from api.settings import ApiSettings
from api.state import AppState
from models import User
from tests.api.billing.helpers import (
    STRIPE_KEY,
    WEBHOOK_SECRET,
    ZIINA_SECRET,
    CheckoutSessionsFake,
)
from tests.fixtures.users import api_settings_for_tests, include_account_routes, make_user

UserFactory = Callable[..., Awaitable[User]]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@pytest.fixture(scope="session")
def localstripe_url() -> Iterator[str]:
    """A localstripe server on a free port for this test session, started ``--from-scratch``
    (its state file is shared by every instance on the machine) and stopped at the end."""
    executable = Path(sys.executable).with_name("localstripe")
    port = _free_port()
    proc = subprocess.Popen(
        [str(executable), "--port", str(port), "--from-scratch"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 20
    while True:
        if proc.poll() is not None:
            pytest.fail(f"localstripe exited with {proc.returncode} before listening")
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.2):
            break
        if time.monotonic() > deadline:
            proc.kill()
            pytest.fail("localstripe did not start listening within 20 s")
        time.sleep(0.1)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=5)


@pytest.fixture
def billing(localstripe_url: str) -> BillingSettings:
    return BillingSettings(
        env="test",
        stripe_secret_key=STRIPE_KEY,
        stripe_webhook_secret=WEBHOOK_SECRET,
        stripe_api_base=localstripe_url,
        ziina_webhook_secret=ZIINA_SECRET,
        success_url="https://app.test/payment/success?session_id={CHECKOUT_SESSION_ID}",
        cancel_url="https://app.test/payment/cancelled",
        stripe_max_network_retries=0,
    )


@pytest.fixture
def checkout_fake() -> CheckoutSessionsFake:
    return CheckoutSessionsFake()


@pytest.fixture
async def stripe_client(
    billing: BillingSettings, checkout_fake: CheckoutSessionsFake
) -> AsyncIterator[StripeClient]:
    """The official SDK against localstripe; only /v1/checkout/sessions (which localstripe
    does not serve) is answered by the fake at the HTTP boundary."""
    client = StripeClient(
        api_key=billing.stripe_secret_key.get_secret_value(),
        webhook_secret=billing.stripe_webhook_secret.get_secret_value(),
        api_base=billing.stripe_api_base,
        tolerance_s=billing.stripe_webhook_tolerance_s,
        max_network_retries=0,
        http_client=checkout_fake,
    )
    yield client
    await client.close()


@pytest.fixture
def settings() -> ApiSettings:
    return api_settings_for_tests()


@pytest.fixture
def app(
    settings: ApiSettings,
    app_state: AppState,
    billing: BillingSettings,
    stripe_client: StripeClient,
) -> FastAPI:
    app = include_account_routes(create_app(settings, state=app_state))
    if "/api/webhooks/stripe" not in {getattr(r, "path", None) for r in app.routes}:
        app.include_router(billing_router)
    app.dependency_overrides[billing_settings] = lambda: billing
    app.dependency_overrides[get_stripe] = lambda: stripe_client
    return app


@pytest.fixture
async def client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="https://test") as c:
        yield c


@pytest.fixture
def user_factory(session: AsyncSession, settings: ApiSettings) -> UserFactory:
    async def factory(**overrides: Any) -> User:
        return await make_user(session, settings.auth, **overrides)

    return factory
