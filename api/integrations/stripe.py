"""The one Stripe wrapper: typed calls over the official SDK, and webhook signature checks.

Every call is async (the SDK's httpx client), carries an idempotency key where it creates
something, and turns SDK errors into our error tree: a declined card is a 402 the buyer can read,
anything else from Stripe is a 502 that never echoes Stripe's message (it can name our account).
``STRIPE_API_BASE`` points the client at another Stripe-API server (localstripe in tests).
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from typing import Any

import stripe
import structlog
from stripe._base_address import BaseAddresses

from api.errors import BadInput, PaymentRequired, TabashirError

log = structlog.get_logger("tabashir.stripe")

SIGNATURE_HEADER = "Stripe-Signature"


class PaymentProviderError(TabashirError):
    status_code, code, message = 502, "payment_provider_error", "The payment provider failed"


@dataclass(frozen=True)
class CheckoutSession:
    id: str
    url: str | None
    payment_intent_id: str | None
    status: str | None


@dataclass(frozen=True)
class PaymentIntent:
    id: str
    client_secret: str | None
    status: str
    amount: int
    currency: str


@dataclass(frozen=True)
class Refund:
    id: str
    amount: int
    status: str | None
    payment_intent_id: str | None


@dataclass(frozen=True)
class LineItem:
    """One thing bought: amount in the currency's minor unit (fils for AED)."""

    name: str
    amount: int
    currency: str
    description: str | None = None


def _str_or_id(value: Any) -> str | None:
    """An expandable field: the id string, or the id of the expanded object."""
    if value is None or isinstance(value, str):
        return value
    found = getattr(value, "id", None)
    return found if isinstance(found, str) else None


class StripeClient:
    """Typed access to the Stripe calls billing needs. Build once per app; ``close()`` at shutdown."""

    def __init__(
        self,
        *,
        api_key: str,
        webhook_secret: str,
        api_base: str | None = None,
        tolerance_s: int = 300,
        timeout_s: float = 20.0,
        max_network_retries: int = 2,
        http_client: stripe.HTTPClient | None = None,
    ) -> None:
        if tolerance_s <= 0:
            # stripe.Webhook skips the timestamp check for 0 or None: replays would be accepted.
            raise ValueError("the webhook tolerance must be a positive number of seconds")
        if not webhook_secret:
            raise ValueError("a webhook signing secret is required")
        self._webhook_secret = webhook_secret
        self._tolerance_s = tolerance_s
        self._http = http_client or stripe.HTTPXClient(timeout=timeout_s)
        base: BaseAddresses = {}
        if api_base:
            base = {"api": api_base.rstrip("/")}
        self._client = stripe.StripeClient(
            api_key,
            base_addresses=base,
            max_network_retries=max_network_retries,
            http_client=self._http,
        )

    @property
    def tolerance_s(self) -> int:
        return self._tolerance_s

    @property
    def sdk(self) -> stripe.StripeClient:
        """The underlying SDK client, for calls this wrapper does not type yet (tests, scripts)."""
        return self._client

    async def close(self) -> None:
        await self._http.close_async()  # type: ignore[no-untyped-call]

    # --- API calls -----------------------------------------------------------------------------

    async def create_customer(
        self, *, email: str, name: str | None, user_id: str, idempotency_key: str
    ) -> str:
        """Create the Stripe customer of one of our users; returns its id."""
        params: dict[str, Any] = {"email": email, "metadata": {"user_id": user_id}}
        if name:
            params["name"] = name
        try:
            customer = await self._client.v1.customers.create_async(
                params,  # type: ignore[arg-type]
                {"idempotency_key": idempotency_key},
            )
        except stripe.StripeError as exc:
            raise self._translate(exc, "create_customer") from None
        return str(customer.id)

    async def create_checkout_session(
        self,
        *,
        item: LineItem,
        metadata: dict[str, str],
        success_url: str,
        cancel_url: str,
        idempotency_key: str,
        customer_id: str | None = None,
        customer_email: str | None = None,
        client_reference_id: str | None = None,
    ) -> CheckoutSession:
        """A hosted Checkout page for one item, paid once. ``metadata`` is copied onto the payment
        intent too, so its events can be matched to our payment."""
        product_data: dict[str, Any] = {"name": item.name}
        if item.description:
            product_data["description"] = item.description
        params: dict[str, Any] = {
            "mode": "payment",
            "line_items": [
                {
                    "quantity": 1,
                    "price_data": {
                        "currency": item.currency.lower(),
                        "unit_amount": item.amount,
                        "product_data": product_data,
                    },
                }
            ],
            "success_url": success_url,
            "cancel_url": cancel_url,
            "metadata": metadata,
            "payment_intent_data": {"metadata": metadata},
        }
        if customer_id:
            params["customer"] = customer_id
        elif customer_email:
            params["customer_email"] = customer_email
        if client_reference_id:
            params["client_reference_id"] = client_reference_id
        try:
            session = await self._client.v1.checkout.sessions.create_async(
                params,  # type: ignore[arg-type]
                {"idempotency_key": idempotency_key},
            )
        except stripe.StripeError as exc:
            raise self._translate(exc, "create_checkout_session") from None
        return CheckoutSession(
            id=str(session.id),
            url=session.url,
            payment_intent_id=_str_or_id(session.payment_intent),
            status=session.status,
        )

    async def create_payment_intent(
        self,
        *,
        amount: int,
        currency: str,
        metadata: dict[str, str],
        idempotency_key: str,
        customer_id: str | None = None,
        description: str | None = None,
        payment_method: str | None = None,
        confirm: bool = False,
    ) -> PaymentIntent:
        """A payment intent the app confirms with its client secret (or confirmed now, when a
        saved ``payment_method`` is given)."""
        params: dict[str, Any] = {
            "amount": amount,
            "currency": currency.lower(),
            "metadata": metadata,
        }
        if customer_id:
            params["customer"] = customer_id
        if description:
            params["description"] = description
        if payment_method:
            params["payment_method"] = payment_method
        if confirm:
            params["confirm"] = True
        try:
            intent = await self._client.v1.payment_intents.create_async(
                params,  # type: ignore[arg-type]
                {"idempotency_key": idempotency_key},
            )
        except stripe.StripeError as exc:
            raise self._translate(exc, "create_payment_intent") from None
        return _payment_intent(intent)

    async def retrieve_payment_intent(self, payment_intent_id: str) -> PaymentIntent:
        try:
            intent = await self._client.v1.payment_intents.retrieve_async(payment_intent_id)
        except stripe.StripeError as exc:
            raise self._translate(exc, "retrieve_payment_intent") from None
        return _payment_intent(intent)

    async def create_refund(
        self,
        *,
        payment_intent_id: str,
        idempotency_key: str,
        amount: int | None = None,
        reason: str | None = None,
        metadata: dict[str, str] | None = None,
    ) -> Refund:
        """Refund a payment intent, whole (``amount`` None) or in part."""
        params: dict[str, Any] = {"payment_intent": payment_intent_id}
        if amount is not None:
            params["amount"] = amount
        if reason:
            params["reason"] = reason
        if metadata:
            params["metadata"] = metadata
        try:
            refund = await self._client.v1.refunds.create_async(
                params,  # type: ignore[arg-type]
                {"idempotency_key": idempotency_key},
            )
        except stripe.StripeError as exc:
            raise self._translate(exc, "create_refund") from None
        return Refund(
            id=str(refund.id),
            amount=int(refund.amount),
            status=refund.status,
            payment_intent_id=_str_or_id(refund.payment_intent),
        )

    async def retrieve_event(self, event_id: str) -> dict[str, Any]:
        """An event as Stripe stores it (to re-check one whose delivery is in doubt)."""
        try:
            event = await self._client.v1.events.retrieve_async(event_id)
        except stripe.StripeError as exc:
            raise self._translate(exc, "retrieve_event") from None
        result: dict[str, Any] = event.to_dict()
        return result

    # --- webhooks ------------------------------------------------------------------------------

    def construct_event(self, payload: bytes, sig_header: str | None) -> dict[str, Any]:
        """Verify a webhook's ``Stripe-Signature`` (HMAC-SHA256 of ``"{t}.{body}"``, timestamp
        within the tolerance either way) and return the event as plain JSON. Raises ``BadInput``
        with code missing_signature, invalid_signature, signature_expired or invalid_payload."""
        if not sig_header:
            raise BadInput("Missing Stripe-Signature header", code="missing_signature")
        try:
            self._client.construct_event(
                payload, sig_header, self._webhook_secret, tolerance=self._tolerance_s
            )
        except stripe.SignatureVerificationError as exc:
            if "tolerance" in str(exc):
                raise BadInput(
                    "The webhook signature has expired", code="signature_expired"
                ) from None
            raise BadInput("Invalid webhook signature", code="invalid_signature") from None
        except (ValueError, UnicodeDecodeError):
            # Signed by the secret's holder but not an event: still never processed.
            raise BadInput(
                "The webhook body is not a Stripe event", code="invalid_payload"
            ) from None
        # The SDK only bounds the past; a timestamp far in the future is as suspect as an old one.
        signed_at = _signature_timestamp(sig_header)
        if signed_at is None or signed_at > time.time() + self._tolerance_s:
            raise BadInput("The webhook signature timestamp is invalid", code="invalid_signature")
        event = json.loads(payload)
        if not _looks_like_event(event):
            raise BadInput("The webhook body is not a Stripe event", code="invalid_payload")
        result: dict[str, Any] = event
        return result

    # --- errors --------------------------------------------------------------------------------

    @staticmethod
    def _translate(exc: stripe.StripeError, operation: str) -> TabashirError:
        log.warning(
            "stripe call failed",
            operation=operation,
            error_type=type(exc).__name__,
            http_status=exc.http_status,
            stripe_code=exc.code,
            request_id=exc.request_id,
        )
        if isinstance(exc, stripe.CardError):
            return PaymentRequired(
                exc.user_message or "The card was declined", code="card_declined"
            )
        if isinstance(exc, stripe.APIConnectionError | stripe.RateLimitError):
            return PaymentProviderError(
                "The payment provider cannot be reached; try again shortly",
                code="payment_provider_unavailable",
            )
        return PaymentProviderError("The payment provider refused the request")


def _payment_intent(intent: stripe.PaymentIntent) -> PaymentIntent:
    return PaymentIntent(
        id=str(intent.id),
        client_secret=intent.client_secret,
        status=str(intent.status),
        amount=int(intent.amount),
        currency=str(intent.currency),
    )


def _signature_timestamp(header: str) -> int | None:
    for part in header.split(","):
        key, _, value = part.strip().partition("=")
        if key == "t":
            try:
                return int(value)
            except ValueError:
                return None
    return None


def _looks_like_event(event: Any) -> bool:
    if not isinstance(event, dict):
        return False
    data = event.get("data")
    return (
        isinstance(event.get("id"), str)
        and isinstance(event.get("type"), str)
        and isinstance(event.get("created"), int)
        and isinstance(data, dict)
        and isinstance(data.get("object"), dict)
    )


def sign_payload(payload: bytes | str, secret: str, timestamp: int | None = None) -> str:
    """The ``Stripe-Signature`` header Stripe would send for ``payload`` (tests, local replays)."""
    body = payload.decode() if isinstance(payload, bytes) else payload
    header: str = stripe.WebhookSignature.generate_signature_header(body, secret, timestamp)
    return header
