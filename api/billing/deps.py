"""Billing dependencies: its settings and the Stripe client, built once per app and kept on the
app's state (tests swap them with ``app.dependency_overrides`` or by setting the state)."""

from __future__ import annotations

from typing import Annotated

import structlog
from fastapi import Depends, FastAPI, Request
from pydantic import ValidationError

from api.billing.settings import DEV_STRIPE_SECRET_KEY, BillingSettings, get_billing_settings
from api.errors import ServiceUnavailable
from api.integrations.stripe import StripeClient

STATE_ATTR = "billing_stripe"
log = structlog.get_logger("tabashir.billing")


def billing_settings() -> BillingSettings:
    """The billing settings; when they are missing or placeholders where real ones are needed
    (production), every billing route answers 503 billing_not_configured, never a 500."""
    try:
        return get_billing_settings()
    except ValidationError as exc:
        problems = "; ".join(
            str(e.get("msg", "")).removeprefix("Value error, ") for e in exc.errors()
        )
        log.error("billing not configured", problems=problems)
        raise ServiceUnavailable(
            "Payments are not configured on this server", code="billing_not_configured"
        ) from None


BillingSettingsDep = Annotated[BillingSettings, Depends(billing_settings)]


def build_stripe_client(settings: BillingSettings) -> StripeClient:
    return StripeClient(
        api_key=settings.stripe_secret_key.get_secret_value(),
        webhook_secret=settings.stripe_webhook_secret.get_secret_value(),
        api_base=settings.stripe_api_base,
        tolerance_s=settings.stripe_webhook_tolerance_s,
        timeout_s=settings.stripe_timeout_s,
        max_network_retries=settings.stripe_max_network_retries,
    )


async def get_stripe(request: Request, settings: BillingSettingsDep) -> StripeClient:
    """The app's Stripe client, created on first use (never at import time). With the
    development placeholder key and no Stripe-API server of our own (localstripe), there is
    nothing to call: 503 stripe_not_configured, rather than a network error blamed on Stripe."""
    if (
        settings.stripe_secret_key.get_secret_value() == DEV_STRIPE_SECRET_KEY
        and settings.stripe_api_base is None
    ):
        raise ServiceUnavailable(
            "Card payments are not configured on this server", code="stripe_not_configured"
        )
    client: StripeClient | None = getattr(request.app.state, STATE_ATTR, None)
    if client is None:
        client = build_stripe_client(settings)
        setattr(request.app.state, STATE_ATTR, client)
    return client


StripeDep = Annotated[StripeClient, Depends(get_stripe)]


async def close_stripe(app: FastAPI) -> None:
    """For the lifespan's shutdown: release the client's connections."""
    client: StripeClient | None = getattr(app.state, STATE_ATTR, None)
    if client is not None:
        await client.close()
        setattr(app.state, STATE_ATTR, None)
