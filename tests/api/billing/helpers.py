"""Building, signing and posting provider events; the Checkout Sessions fake."""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import time
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import httpx
import stripe
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from api.billing.catalogue import get_product
from models import Candidate, CreditLedgerEntry, EmailOutbox, Payment, WebhookEvent
from models.enums import CreditType, PaymentProvider, PaymentStatus

STRIPE_KEY = "sk_test_tabashir_billing_tests"
WEBHOOK_SECRET = "whsec_tabashir_billing_tests_0123456789"
ZIINA_SECRET = "ziina-test-secret-0123456789abcdef-0123456789"

_seq = itertools.count(1)


def stripe_signature(
    body: bytes, secret: str = WEBHOOK_SECRET, timestamp: int | None = None
) -> str:
    """Stripe's scheme, computed here (not by the SDK): t=<unix>,v1=HMAC_SHA256(secret, "t.body")."""
    t = int(time.time()) if timestamp is None else timestamp
    mac = hmac.new(secret.encode(), f"{t}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={t},v1={mac}"


def stripe_event(
    event_type: str,
    obj: Mapping[str, Any],
    *,
    event_id: str | None = None,
    created: int | None = None,
) -> dict[str, Any]:
    return {
        "id": event_id or f"evt_test_{next(_seq)}_{uuid.uuid4().hex[:10]}",
        "object": "event",
        "api_version": "2026-10-28.endive",
        "created": int(time.time()) if created is None else created,
        "livemode": False,
        "pending_webhooks": 1,
        "type": event_type,
        "data": {"object": dict(obj)},
    }


async def post_stripe(
    client: httpx.AsyncClient,
    event: Mapping[str, Any] | bytes,
    *,
    secret: str = WEBHOOK_SECRET,
    timestamp: int | None = None,
    signature: str | None = None,
) -> httpx.Response:
    body = event if isinstance(event, bytes) else json.dumps(event).encode()
    headers = {"Content-Type": "application/json"}
    headers["Stripe-Signature"] = signature or stripe_signature(body, secret, timestamp)
    return await client.post("/api/webhooks/stripe", content=body, headers=headers)


def ziina_signature(body: bytes, secret: str = ZIINA_SECRET) -> str:
    return hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


async def post_ziina(
    client: httpx.AsyncClient,
    payload: Mapping[str, Any],
    *,
    secret: str = ZIINA_SECRET,
    signature: str | None = None,
) -> httpx.Response:
    body = json.dumps(payload).encode()
    headers = {
        "Content-Type": "application/json",
        "X-Hmac-Signature": signature or ziina_signature(body, secret),
    }
    return await client.post("/api/webhooks/ziina", content=body, headers=headers)


def checkout_completed_object(
    *,
    session_id: str,
    metadata: Mapping[str, str],
    amount_total: int,
    payment_intent: str | None,
    payment_status: str = "paid",
    currency: str = "aed",
) -> dict[str, Any]:
    """A checkout.session object as Stripe sends it in checkout.session.completed."""
    return {
        "id": session_id,
        "object": "checkout.session",
        "mode": "payment",
        "status": "complete",
        "payment_status": payment_status,
        "amount_total": amount_total,
        "currency": currency,
        "payment_intent": payment_intent,
        "metadata": dict(metadata),
        "client_reference_id": metadata.get("user_id"),
    }


async def counters(session: AsyncSession, user_id: uuid.UUID) -> tuple[int, int]:
    """(aiJobApplyCount, jobCount) as stored, read fresh."""
    row = (
        await session.execute(
            select(Candidate.ai_job_apply_count, Candidate.job_count).where(
                Candidate.user_id == user_id
            )
        )
    ).one()
    return int(row[0]), int(row[1])


async def ledger_sum(session: AsyncSession, user_id: uuid.UUID, credit: CreditType) -> int:
    value = (
        await session.execute(
            select(func.coalesce(func.sum(CreditLedgerEntry.delta), 0)).where(
                CreditLedgerEntry.user_id == user_id, CreditLedgerEntry.credit_type == credit
            )
        )
    ).scalar_one()
    return int(value)


async def ledger_rows(session: AsyncSession, user_id: uuid.UUID) -> list[CreditLedgerEntry]:
    return list(
        (
            await session.execute(
                select(CreditLedgerEntry)
                .where(CreditLedgerEntry.user_id == user_id)
                .order_by(CreditLedgerEntry.created_at, CreditLedgerEntry.id)
                .execution_options(populate_existing=True)
            )
        )
        .scalars()
        .all()
    )


async def emails_to(session: AsyncSession, address: str) -> list[EmailOutbox]:
    return list(
        (
            await session.execute(
                select(EmailOutbox)
                .where(EmailOutbox.to_address == address)
                .order_by(EmailOutbox.created_at)
            )
        )
        .scalars()
        .all()
    )


async def stored_event(session: AsyncSession, event_id: str) -> WebhookEvent | None:
    return (
        await session.execute(
            select(WebhookEvent)
            .where(WebhookEvent.event_id == event_id)
            .execution_options(populate_existing=True)
        )
    ).scalar_one_or_none()


@dataclass
class RecordedRequest:
    method: str
    path: str
    headers: dict[str, str]
    form: dict[str, str]


class CheckoutSessionsFake(stripe.HTTPXClient):
    """The SDK's own httpx client, except for /v1/checkout/sessions: localstripe answers 404
    there, so those requests are answered here, at the HTTP boundary, like Stripe would (the SDK
    still encodes the request and parses the response). Everything else goes to localstripe."""

    def __init__(self) -> None:
        super().__init__(timeout=10)
        self.requests: list[RecordedRequest] = []
        self.sessions: dict[str, dict[str, Any]] = {}

    async def request_async(
        self, method: str, url: str, headers: Mapping[str, str], post_data: Any = None
    ) -> tuple[bytes, int, Mapping[str, str]]:
        path = urlsplit(url).path
        if not path.startswith("/v1/checkout/sessions"):
            return await super().request_async(method, url, headers, post_data)
        form = dict(
            parse_qsl(post_data.decode() if isinstance(post_data, bytes) else post_data or "")
        )
        self.requests.append(RecordedRequest(method, path, dict(headers), form))
        key = headers.get("Idempotency-Key", "")
        existing = next(
            (s for s in self.sessions.values() if s["_idempotency_key"] == key and key), None
        )
        if existing is not None:
            session = existing
        else:
            session_id = f"cs_test_{uuid.uuid4().hex}"
            metadata = {
                k[len("metadata[") : -1]: v for k, v in form.items() if k.startswith("metadata[")
            }
            session = {
                "id": session_id,
                "object": "checkout.session",
                "mode": form.get("mode"),
                "status": "open",
                "payment_status": "unpaid",
                "url": f"https://checkout.stripe.test/c/pay/{session_id}",
                "payment_intent": None,
                "amount_total": int(form.get("line_items[0][price_data][unit_amount]", "0")),
                "currency": form.get("line_items[0][price_data][currency]"),
                "customer": form.get("customer"),
                "metadata": metadata,
                "success_url": form.get("success_url"),
                "cancel_url": form.get("cancel_url"),
                "_idempotency_key": key,
            }
            self.sessions[session_id] = session
        body = {k: v for k, v in session.items() if not k.startswith("_")}
        return json.dumps(body).encode(), 200, {"request-id": "req_fake_checkout"}


async def make_payment(
    session: AsyncSession,
    user_id: uuid.UUID,
    product_code: str = "ai_job_apply",
    *,
    provider: PaymentProvider = PaymentProvider.STRIPE,
    checkout_session_id: str | None = None,
    transaction_id: str | None = None,
    created_at: datetime | None = None,
) -> Payment:
    """A pending payment as checkout leaves it (committed, so the app sees it). Rows made in
    one test share the transaction's now(): pass ``created_at`` where their order matters."""
    product = get_product(product_code)
    assert product is not None
    payment = Payment(
        user_id=user_id,
        provider=provider,
        product_code=product_code,
        amount=product.amount_decimal,
        currency="AED",
        amount_refunded=Decimal(0),
        status=PaymentStatus.PENDING,
        checkout_session_id=checkout_session_id,
        transaction_id=transaction_id,
    )
    if created_at is not None:
        payment.created_at = created_at
    session.add(payment)
    await session.commit()
    return payment


async def fresh_payment(session: AsyncSession, payment_id: uuid.UUID) -> Payment:
    return (
        await session.execute(
            select(Payment)
            .where(Payment.id == payment_id)
            .execution_options(populate_existing=True)
        )
    ).scalar_one()


def metadata_for(payment: Payment) -> dict[str, str]:
    return {
        "user_id": str(payment.user_id),
        "product_code": payment.product_code,
        "payment_id": str(payment.id),
    }
