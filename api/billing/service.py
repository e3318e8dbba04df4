"""Billing rules: checkout, provider events acted on exactly once, refunds, subscriptions.

Webhook processing happens in the request's transaction: the event row, the payment, the ledger
entries, the counters and the emails commit together or not at all. An event is stored once
keyed by the provider's id; a stored and processed event is a no-op. Order does not matter:

- a payment is confirmed once (``Payment.fulfilled_at``, and ledger keys ``payment:<id>:grant:*``);
  a failure notice never undoes a success;
- refunds are cumulative targets (``amount_refunded``), so any order or repetition of refund
  events reverses ``floor(granted * refunded / paid)`` credits in total, never more;
- a refund for a charge we cannot place yet is kept (stored, not processed) and applied when the
  payment is confirmed;
- subscription events older than ``Subscription.last_event_at`` are ignored.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any, Literal

import structlog
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from api.billing import emails, ledger, repository
from api.billing.catalogue import FILS_PER_AED, Product, get_product
from api.billing.settings import BillingSettings
from api.errors import BadInput, Conflict, Forbidden, NotFound
from api.integrations.stripe import LineItem, StripeClient
from api.integrations.ziina import ZiinaEvent
from api.settings import ApiSettings
from models import Payment, Subscription, User, WebhookEvent
from models.billing import FulfilmentStatus
from models.enums import CreditType, PaymentProvider, PaymentStatus, SubscriptionStatus, UserType

log = structlog.get_logger("tabashir.billing")

MAX_IDEMPOTENCY_KEY_CHARS = 200
MAX_NOTE_CHARS = 500

Outcome = Literal["processed", "duplicate", "ignored", "deferred"]


@dataclass(frozen=True)
class WebhookOutcome:
    provider: PaymentProvider
    event_id: str
    event_type: str
    outcome: Outcome
    note: str | None = None


@dataclass(frozen=True)
class CheckoutResult:
    payment: Payment
    session_id: str
    url: str | None


@dataclass(frozen=True)
class IntentResult:
    payment: Payment
    payment_intent_id: str
    client_secret: str | None
    status: str


class _Deferred(Exception):
    """An event that cannot be placed yet: kept unprocessed, applied later."""


def utcnow() -> datetime:
    return datetime.now(UTC)


def to_fils(amount: Decimal) -> int:
    return int((amount * FILS_PER_AED).to_integral_value())


# --- checkout ----------------------------------------------------------------------------------


def _product_for_sale(code: str, user: User) -> Product:
    product = get_product(code)
    if product is None:
        raise BadInput(f"Unknown product {code!r}", code="unknown_product")
    if product.kind != "one_off":
        raise BadInput(f"{product.name_en} is not on sale yet", code="product_not_on_sale")
    if product.grants and user.user_type != UserType.CANDIDATE:
        raise Forbidden("Only candidate accounts can buy credits", code="candidates_only")
    return product


def _request_key(user: User, product: Product, client_key: str | None) -> tuple[str, bool]:
    """Our idempotency key for one purchase request: the client's ``Idempotency-Key`` scoped to
    the user, or a fresh one (each request then opens its own checkout)."""
    if client_key is None:
        return f"{user.id}:{product.code}:{uuid.uuid4()}", False
    key = client_key.strip()
    if (
        not key
        or len(key) > MAX_IDEMPOTENCY_KEY_CHARS
        or not key.isascii()
        or not key.isprintable()
    ):
        raise BadInput(
            f"Idempotency-Key must be 1 to {MAX_IDEMPOTENCY_KEY_CHARS} printable ASCII characters",
            code="invalid_idempotency_key",
        )
    return f"{user.id}:{key}", True


async def _replayed(session: AsyncSession, key: str, product: Product, kind: str) -> Payment | None:
    existing = await repository.payment_by_idempotency_key(session, key)
    if existing is None:
        return None
    if existing.product_code != product.code or (existing.details or {}).get("kind") != kind:
        raise Conflict(
            "This Idempotency-Key was used for a different request", code="idempotency_key_reused"
        )
    return existing


async def _new_payment(
    session: AsyncSession, user: User, product: Product, key: str, kind: str
) -> Payment:
    payment = Payment(
        id=uuid.uuid4(),
        user_id=user.id,
        provider=PaymentProvider.STRIPE,
        product_code=product.code,
        amount=product.amount_decimal,
        currency=product.currency,
        amount_refunded=Decimal(0),
        status=PaymentStatus.PENDING,
        idempotency_key=key,
        details={"kind": kind},
    )
    session.add(payment)
    try:
        async with session.begin_nested():
            await session.flush()
    except IntegrityError:
        # The same Idempotency-Key is being used by a concurrent request right now.
        raise Conflict(
            "A request with this Idempotency-Key is already in progress",
            code="idempotency_key_in_use",
        ) from None
    return payment


async def _stripe_customer(session: AsyncSession, stripe: StripeClient, user: User) -> str:
    found = await repository.customer_id_for(session, PaymentProvider.STRIPE, user.id)
    if found:
        return found
    created = await stripe.create_customer(
        email=user.email,
        name=user.name,
        user_id=str(user.id),
        idempotency_key=f"customer:{user.id}",
    )
    return await repository.save_customer(session, PaymentProvider.STRIPE, user.id, created)


def _metadata(user: User, product: Product, payment: Payment) -> dict[str, str]:
    return {"user_id": str(user.id), "product_code": product.code, "payment_id": str(payment.id)}


async def create_checkout_session(
    session: AsyncSession,
    *,
    stripe: StripeClient,
    settings: BillingSettings,
    user: User,
    product_code: str,
    idempotency_key: str | None,
) -> CheckoutResult:
    """Open a Stripe Checkout for one product; the pending payment is written in this
    transaction. The same ``Idempotency-Key`` returns the same checkout."""
    product = _product_for_sale(product_code, user)
    key, from_client = _request_key(user, product, idempotency_key)
    if from_client:
        existing = await _replayed(session, key, product, "checkout")
        if existing is not None and existing.checkout_session_id:
            return CheckoutResult(
                existing, existing.checkout_session_id, (existing.details or {}).get("url")
            )
    payment = await _new_payment(session, user, product, key, "checkout")
    customer_id = await _stripe_customer(session, stripe, user)
    checkout = await stripe.create_checkout_session(
        item=LineItem(
            name=product.name_en,
            amount=product.amount,
            currency=product.currency,
            description=product.name_ar,
        ),
        metadata=_metadata(user, product, payment),
        success_url=settings.success_url,
        cancel_url=settings.cancel_url,
        idempotency_key=f"checkout:{key}",
        customer_id=customer_id,
        client_reference_id=str(user.id),
    )
    payment.checkout_session_id = checkout.id
    if checkout.payment_intent_id:
        payment.transaction_id = checkout.payment_intent_id
    payment.details = {"kind": "checkout", "url": checkout.url}
    await session.flush()
    return CheckoutResult(payment, checkout.id, checkout.url)


async def create_payment_intent(
    session: AsyncSession,
    *,
    stripe: StripeClient,
    user: User,
    product_code: str,
    idempotency_key: str | None,
    payment_method: str | None = None,
) -> IntentResult:
    """A payment intent for the apps' payment sheet (or confirmed at once with a saved
    ``payment_method``); the pending payment is written in this transaction."""
    product = _product_for_sale(product_code, user)
    key, from_client = _request_key(user, product, idempotency_key)
    if from_client:
        existing = await _replayed(session, key, product, "payment_intent")
        if existing is not None and existing.transaction_id:
            intent = await stripe.retrieve_payment_intent(existing.transaction_id)
            return IntentResult(existing, intent.id, intent.client_secret, intent.status)
    payment = await _new_payment(session, user, product, key, "payment_intent")
    customer_id = await _stripe_customer(session, stripe, user)
    intent = await stripe.create_payment_intent(
        amount=product.amount,
        currency=product.currency,
        metadata=_metadata(user, product, payment),
        idempotency_key=f"payment_intent:{key}",
        customer_id=customer_id,
        payment_method=payment_method,
        confirm=payment_method is not None,
    )
    payment.transaction_id = intent.id
    await session.flush()
    return IntentResult(payment, intent.id, intent.client_secret, intent.status)


# --- webhooks: common --------------------------------------------------------------------------


@dataclass
class _Context:
    session: AsyncSession
    api_settings: ApiSettings
    provider: PaymentProvider
    event_at: datetime


def _as_uuid(value: Any) -> uuid.UUID | None:
    if not isinstance(value, str):
        return None
    try:
        return uuid.UUID(value)
    except ValueError:
        return None


def _as_str(value: Any) -> str | None:
    if isinstance(value, str) and value:
        return value
    if isinstance(value, dict) and isinstance(value.get("id"), str):
        return str(value["id"])
    return None


def _as_int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _metadata_of(obj: dict[str, Any]) -> dict[str, Any]:
    meta = obj.get("metadata")
    return meta if isinstance(meta, dict) else {}


def _timestamp(value: Any) -> datetime | None:
    seconds = _as_int(value)
    if seconds is None:
        return None
    try:
        return datetime.fromtimestamp(seconds, UTC)
    except (OverflowError, OSError, ValueError):
        return None


async def _record(
    session: AsyncSession,
    *,
    provider: PaymentProvider,
    event_id: str,
    event_type: str,
    payload: dict[str, Any],
    act: Any,
) -> WebhookOutcome:
    """Store the event once; act on it unless it was acted on already."""
    row = await repository.store_event(
        session, provider=provider, event_id=event_id, event_type=event_type, payload=payload
    )
    if row.processed_at is not None:
        return WebhookOutcome(provider, event_id, event_type, "duplicate")
    try:
        note: str | None = await act()
    except _Deferred as deferred:
        row.error = str(deferred)[:MAX_NOTE_CHARS]
        await session.flush()
        log.info("webhook deferred", provider=provider.value, event_id=event_id, note=row.error)
        return WebhookOutcome(provider, event_id, event_type, "deferred", row.error)
    row.processed_at = utcnow()
    row.error = note[:MAX_NOTE_CHARS] if note else None
    await session.flush()
    outcome: Outcome = "ignored" if note else "processed"
    log.info(
        "webhook handled",
        provider=provider.value,
        event_id=event_id,
        event_type=event_type,
        outcome=outcome,
        note=note,
    )
    return WebhookOutcome(provider, event_id, event_type, outcome, note)


async def _payment_from_metadata(
    ctx: _Context, meta: dict[str, Any], *, checkout_session_id: str | None = None
) -> Payment | None:
    """Recreate a payment our side lost (e.g. the request that opened the checkout failed to
    commit after Stripe answered) from the metadata we set on it."""
    user_id = _as_uuid(meta.get("user_id"))
    payment_id = _as_uuid(meta.get("payment_id"))
    product = get_product(str(meta.get("product_code", "")))
    if user_id is None or product is None:
        return None
    if await repository.get_user(ctx.session, user_id) is None:
        return None
    payment = Payment(
        id=payment_id or uuid.uuid4(),
        user_id=user_id,
        provider=ctx.provider,
        product_code=product.code,
        amount=product.amount_decimal,
        currency=product.currency,
        amount_refunded=Decimal(0),
        status=PaymentStatus.PENDING,
        checkout_session_id=checkout_session_id,
        details={"recovered_from": "webhook"},
    )
    ctx.session.add(payment)
    await ctx.session.flush()
    return payment


def _refund_status(payment: Payment) -> PaymentStatus | None:
    refunded, paid = to_fils(payment.amount_refunded), to_fils(payment.amount)
    if refunded <= 0:
        return None
    return PaymentStatus.REFUNDED if refunded >= paid else PaymentStatus.PARTIALLY_REFUNDED


async def _settle_refunds(ctx: _Context, payment: Payment, product: Product | None) -> None:
    """Bring the payment's reversals up to its cumulative refund (idempotent)."""
    if payment.fulfilled_at is None:
        return  # nothing was granted yet; confirmation settles refunds that came first
    status = _refund_status(payment)
    if status is None:
        return
    payment.status = status
    paid = to_fils(payment.amount)
    refunded = min(to_fils(payment.amount_refunded), paid)
    if product is not None and paid > 0:
        for credit, quantity in product.grants.items():
            target = quantity * refunded // paid
            requested = await ledger.requested_reversal(ctx.session, payment.id, credit)
            if target > requested:
                await ledger.reverse(
                    ctx.session,
                    payment.user_id,
                    credit,
                    target - requested,
                    f"payment:{payment.id}:reverse:{credit.value}:{target}",
                    reason="refund",
                    payment_id=payment.id,
                )
    if status == PaymentStatus.REFUNDED and payment.fulfilment_status == FulfilmentStatus.PENDING:
        payment.fulfilment_status = FulfilmentStatus.CANCELLED


async def _confirm(
    ctx: _Context,
    payment: Payment,
    *,
    paid_amount: int | None,
    currency: str | None,
    transaction_id: str | None,
) -> str | None:
    """Mark the payment paid and fulfil it once: credits or a fulfilment need, receipt, and
    the LinkedIn onboarding email for AI Job Apply. Returns why it was ignored, if it was."""
    expected = to_fils(payment.amount)
    if (paid_amount is not None and paid_amount < expected) or (
        currency is not None and currency.upper() != payment.currency.upper()
    ):
        log.warning(
            "payment amount mismatch",
            payment_id=str(payment.id),
            paid=paid_amount,
            expected=expected,
            currency=currency,
        )
        return "ignored: the amount or currency paid does not match the payment"
    if transaction_id and not payment.transaction_id:
        payment.transaction_id = transaction_id
    if payment.status in (PaymentStatus.PENDING, PaymentStatus.FAILED):
        payment.status = PaymentStatus.SUCCEEDED
    if payment.payment_date is None:
        payment.payment_date = ctx.event_at
    product = get_product(payment.product_code)
    # Refunds that arrived first count before fulfilment (a fully refunded purchase gets no
    # receipt); they are reversed right after the grant below.
    await _apply_deferred_refunds(ctx, payment)
    if payment.fulfilled_at is None:
        payment.fulfilled_at = utcnow()
        if product is not None:
            await _fulfil(ctx, payment, product)
    await ctx.session.flush()
    await _settle_refunds(ctx, payment, product)
    return None


async def _fulfil(ctx: _Context, payment: Payment, product: Product) -> None:
    for credit, quantity in product.grants.items():
        await ledger.grant(
            ctx.session,
            payment.user_id,
            credit,
            quantity,
            f"payment:{payment.id}:grant:{credit.value}",
            reason="purchase",
            payment_id=payment.id,
            note=product.code,
        )
    if product.fulfilment:
        payment.fulfilment_status = FulfilmentStatus.PENDING
    if _refund_status(payment) == PaymentStatus.REFUNDED:
        return  # refunded before we heard it was paid: no receipt for money given back
    user = await repository.get_user(ctx.session, payment.user_id)
    if user is None or user.deleted_at is not None:
        return
    await emails.send_receipt(
        ctx.session,
        ctx.api_settings,
        to=user.email,
        name=user.name,
        payment=payment,
        product=product,
    )
    if product.linkedin_onboarding:
        await emails.send_linkedin_onboarding(
            ctx.session, ctx.api_settings, to=user.email, name=user.name
        )


def _fail(payment: Payment, reason: str | None) -> str | None:
    if payment.status != PaymentStatus.PENDING:
        return f"ignored: the payment is already {payment.status.value}"
    payment.status = PaymentStatus.FAILED
    details = dict(payment.details or {})
    if reason:
        details["failure"] = reason[:MAX_NOTE_CHARS]
    payment.details = details
    return None


# --- Stripe ------------------------------------------------------------------------------------


async def handle_stripe_event(
    session: AsyncSession, event: dict[str, Any], *, api_settings: ApiSettings
) -> WebhookOutcome:
    """Store a verified Stripe event once and act on it in the caller's transaction."""
    event_type = str(event["type"])
    event_at = _timestamp(event.get("created")) or utcnow()
    ctx = _Context(session, api_settings, PaymentProvider.STRIPE, event_at)
    obj: dict[str, Any] = event["data"]["object"]
    handler = _STRIPE_HANDLERS.get(event_type)

    async def act() -> str | None:
        if handler is None:
            return "ignored: event type not handled"
        return await handler(ctx, obj, event_type)

    return await _record(
        session,
        provider=PaymentProvider.STRIPE,
        event_id=str(event["id"]),
        event_type=event_type,
        payload=event,
        act=act,
    )


async def _stripe_payment(
    ctx: _Context,
    obj: dict[str, Any],
    *,
    checkout_session_id: str | None = None,
    transaction_id: str | None = None,
) -> Payment | None:
    meta = _metadata_of(obj)
    return await repository.find_payment_for_update(
        ctx.session,
        PaymentProvider.STRIPE,
        payment_id=_as_uuid(meta.get("payment_id")),
        checkout_session_id=checkout_session_id,
        transaction_id=transaction_id,
    )


async def _on_checkout_completed(ctx: _Context, obj: dict[str, Any], _: str) -> str | None:
    session_id = _as_str(obj.get("id"))
    intent_id = _as_str(obj.get("payment_intent"))
    payment = await _stripe_payment(ctx, obj, checkout_session_id=session_id)
    if obj.get("payment_status") != "paid":
        # Bank transfers and other delayed methods: wait for async_payment_succeeded.
        if payment is not None and intent_id and not payment.transaction_id:
            payment.transaction_id = intent_id
        return "ignored: the checkout is not paid yet"
    if payment is None:
        payment = await _payment_from_metadata(
            ctx, _metadata_of(obj), checkout_session_id=session_id
        )
        if payment is None:
            return "ignored: no payment for this checkout"
    if payment.checkout_session_id is None and session_id:
        payment.checkout_session_id = session_id
    return await _confirm(
        ctx,
        payment,
        paid_amount=_as_int(obj.get("amount_total")),
        currency=_as_str(obj.get("currency")),
        transaction_id=intent_id,
    )


async def _on_checkout_failed(ctx: _Context, obj: dict[str, Any], event_type: str) -> str | None:
    payment = await _stripe_payment(ctx, obj, checkout_session_id=_as_str(obj.get("id")))
    if payment is None:
        return "ignored: no payment for this checkout"
    return _fail(payment, event_type.rsplit(".", 1)[-1])


async def _on_intent_succeeded(ctx: _Context, obj: dict[str, Any], _: str) -> str | None:
    intent_id = _as_str(obj.get("id"))
    payment = await _stripe_payment(ctx, obj, transaction_id=intent_id)
    if payment is None:
        payment = await _payment_from_metadata(ctx, _metadata_of(obj))
        if payment is None:
            return "ignored: no payment for this payment intent"
    received = _as_int(obj.get("amount_received"))
    return await _confirm(
        ctx,
        payment,
        paid_amount=received if received is not None else _as_int(obj.get("amount")),
        currency=_as_str(obj.get("currency")),
        transaction_id=intent_id,
    )


async def _on_intent_failed(ctx: _Context, obj: dict[str, Any], _: str) -> str | None:
    payment = await _stripe_payment(ctx, obj, transaction_id=_as_str(obj.get("id")))
    if payment is None:
        return "ignored: no payment for this payment intent"
    error = obj.get("last_payment_error")
    reason = error.get("message") if isinstance(error, dict) else None
    return _fail(payment, reason if isinstance(reason, str) else "payment_failed")


async def _on_charge_refunded(ctx: _Context, obj: dict[str, Any], _: str) -> str | None:
    intent_id = _as_str(obj.get("payment_intent"))
    payment = await _stripe_payment(ctx, obj, transaction_id=intent_id)
    if payment is None:
        if intent_id is None:
            return "ignored: the charge has no payment intent"
        raise _Deferred("deferred: no confirmed payment for this charge yet")
    refunded = _as_int(obj.get("amount_refunded"))
    if refunded is None or refunded < 0:
        return "ignored: the charge carries no refunded amount"
    return await _apply_refund_total(ctx, payment, refunded)


async def _apply_refund_total(ctx: _Context, payment: Payment, refunded_fils: int) -> str | None:
    """A refund total (cumulative, as Stripe reports it): only ever moves up."""
    refunded = Decimal(refunded_fils) / FILS_PER_AED
    if refunded > payment.amount_refunded:
        payment.amount_refunded = min(refunded, payment.amount)
    await _settle_refunds(ctx, payment, get_product(payment.product_code))
    await ctx.session.flush()
    return None


async def _apply_deferred_refunds(ctx: _Context, payment: Payment) -> None:
    """Refund events that arrived before this payment was known, applied now (once)."""
    if not payment.transaction_id:
        return
    path: tuple[str, ...]
    if payment.provider == PaymentProvider.STRIPE:
        event_type, path = "charge.refunded", ("data", "object", "payment_intent")
    else:
        event_type, path = "refund.status.updated", ("data", "payment_intent_id")
    for row in await repository.deferred_events(
        ctx.session,
        provider=payment.provider,
        event_type=event_type,
        path=path,
        value=payment.transaction_id,
    ):
        await _apply_stored_refund(ctx, payment, row)


async def _apply_stored_refund(ctx: _Context, payment: Payment, row: WebhookEvent) -> None:
    if payment.provider == PaymentProvider.STRIPE:
        obj = row.payload["data"]["object"]
        refunded = _as_int(obj.get("amount_refunded"))
        if refunded is not None and refunded >= 0:
            await _apply_refund_total(ctx, payment, refunded)
    else:
        await _apply_ziina_refund(ctx, payment, row.payload["data"])
    row.processed_at = utcnow()
    row.error = None


_SUBSCRIPTION_STATUS = {
    "active": SubscriptionStatus.ACTIVE,
    "trialing": SubscriptionStatus.TRIALING,
    "past_due": SubscriptionStatus.PAST_DUE,
    "unpaid": SubscriptionStatus.PAST_DUE,
    "paused": SubscriptionStatus.PAST_DUE,
    "canceled": SubscriptionStatus.CANCELED,
    "incomplete": SubscriptionStatus.INCOMPLETE,
    "incomplete_expired": SubscriptionStatus.CANCELED,
}


def _subscription_plan(obj: dict[str, Any]) -> str:
    meta = _metadata_of(obj)
    if isinstance(meta.get("product_code"), str):
        return str(meta["product_code"])
    items = obj.get("items")
    data = items.get("data") if isinstance(items, dict) else None
    if isinstance(data, list) and data and isinstance(data[0], dict):
        price = data[0].get("price") or data[0].get("plan")
        if isinstance(price, dict):
            label = price.get("lookup_key") or price.get("nickname") or price.get("id")
            if isinstance(label, str):
                return label
    plan = obj.get("plan")
    if isinstance(plan, dict) and isinstance(plan.get("id"), str):
        return str(plan["id"])
    return "unknown"


def _period_end(obj: dict[str, Any]) -> datetime | None:
    found = _timestamp(obj.get("current_period_end"))
    if found is not None:
        return found
    items = obj.get("items")
    data = items.get("data") if isinstance(items, dict) else None
    if isinstance(data, list) and data and isinstance(data[0], dict):
        return _timestamp(data[0].get("current_period_end"))
    return None


async def _on_subscription(ctx: _Context, obj: dict[str, Any], event_type: str) -> str | None:
    subscription_id = _as_str(obj.get("id"))
    if subscription_id is None:
        return "ignored: the subscription has no id"
    deleted = event_type.endswith(".deleted")
    user_id = _as_uuid(_metadata_of(obj).get("user_id"))
    if user_id is not None and await repository.get_user(ctx.session, user_id) is None:
        user_id = None
    customer = _as_str(obj.get("customer"))
    if user_id is None and customer:
        user_id = await repository.user_for_customer(ctx.session, PaymentProvider.STRIPE, customer)
    if user_id is None:
        return "ignored: the subscription belongs to no user we know"
    status = (
        SubscriptionStatus.CANCELED
        if deleted
        else _SUBSCRIPTION_STATUS.get(str(obj.get("status")), SubscriptionStatus.INCOMPLETE)
    )
    row: Subscription = await repository.subscription_for_update(
        ctx.session,
        provider=PaymentProvider.STRIPE,
        provider_subscription_id=subscription_id,
        user_id=user_id,
        plan=_subscription_plan(obj),
        status=status,
    )
    if row.last_event_at is not None:
        if ctx.event_at < row.last_event_at:
            return "ignored: older than the subscription's last applied event"
        if (
            ctx.event_at == row.last_event_at
            and row.status == SubscriptionStatus.CANCELED
            and not deleted
        ):
            # Same second as the cancellation: an ended subscription does not come back.
            return "ignored: the subscription already ended"
    row.status = status
    row.plan = _subscription_plan(obj)[:64]
    row.start_date = _timestamp(obj.get("start_date")) or row.start_date
    row.current_period_end = _period_end(obj) or row.current_period_end
    row.cancel_at_period_end = bool(obj.get("cancel_at_period_end"))
    ended = _timestamp(obj.get("ended_at"))
    if deleted:
        row.end_date = ended or ctx.event_at
    else:
        row.end_date = ended or _timestamp(obj.get("cancel_at"))
    row.last_event_at = ctx.event_at
    await ctx.session.flush()
    return None


_STRIPE_HANDLERS = {
    "checkout.session.completed": _on_checkout_completed,
    "checkout.session.async_payment_succeeded": _on_checkout_completed,
    "checkout.session.async_payment_failed": _on_checkout_failed,
    "checkout.session.expired": _on_checkout_failed,
    "payment_intent.succeeded": _on_intent_succeeded,
    "payment_intent.payment_failed": _on_intent_failed,
    "charge.refunded": _on_charge_refunded,
    "customer.subscription.created": _on_subscription,
    "customer.subscription.updated": _on_subscription,
    "customer.subscription.deleted": _on_subscription,
}
HANDLED_STRIPE_EVENTS = frozenset(_STRIPE_HANDLERS)


# --- Ziina -------------------------------------------------------------------------------------


async def handle_ziina_event(
    session: AsyncSession, event: ZiinaEvent, *, api_settings: ApiSettings
) -> WebhookOutcome:
    """Store a verified Ziina event once and act on it in the caller's transaction."""
    ctx = _Context(session, api_settings, PaymentProvider.ZIINA, utcnow())

    async def act() -> str | None:
        if event.type == "payment_intent.status.updated":
            return await _on_ziina_intent(ctx, event.data)
        if event.type == "refund.status.updated":
            return await _on_ziina_refund(ctx, event.data)
        return "ignored: event type not handled"

    return await _record(
        session,
        provider=PaymentProvider.ZIINA,
        event_id=event.event_id,
        event_type=event.type,
        payload=event.payload,
        act=act,
    )


async def _on_ziina_intent(ctx: _Context, data: dict[str, Any]) -> str | None:
    payment = await repository.find_payment_for_update(
        ctx.session, PaymentProvider.ZIINA, transaction_id=_as_str(data.get("id"))
    )
    if payment is None:
        return "ignored: no payment for this payment intent"
    status = data.get("status")
    if status == "completed":
        return await _confirm(
            ctx,
            payment,
            paid_amount=_as_int(data.get("amount")),
            currency=_as_str(data.get("currency_code")),
            transaction_id=None,
        )
    if status in ("failed", "canceled"):
        error = data.get("latest_error")
        reason = error.get("message") if isinstance(error, dict) else None
        return _fail(payment, reason if isinstance(reason, str) else str(status))
    return f"ignored: status {status!s} needs no action"


async def _on_ziina_refund(ctx: _Context, data: dict[str, Any]) -> str | None:
    if data.get("status") != "completed":
        return f"ignored: refund status {data.get('status')!s} needs no action"
    intent_id = _as_str(data.get("payment_intent_id"))
    payment = await repository.find_payment_for_update(
        ctx.session, PaymentProvider.ZIINA, transaction_id=intent_id
    )
    if payment is None:
        if intent_id is None:
            return "ignored: the refund names no payment intent"
        raise _Deferred("deferred: no payment for this refund yet")
    return await _apply_ziina_refund(ctx, payment, data)


async def _apply_ziina_refund(ctx: _Context, payment: Payment, data: dict[str, Any]) -> str | None:
    """Ziina reports each refund on its own: keep them by id, the total is their sum."""
    refund_id, amount = _as_str(data.get("id")), _as_int(data.get("amount"))
    if refund_id is None or amount is None or amount <= 0:
        return "ignored: the refund has no id or amount"
    details = dict(payment.details or {})
    refunds = dict(details.get("refunds") or {})
    refunds[refund_id] = amount
    details["refunds"] = refunds
    payment.details = details
    return await _apply_refund_total(ctx, payment, sum(int(v) for v in refunds.values()))


# --- history and admin -------------------------------------------------------------------------


async def payment_of_user(session: AsyncSession, user: User, payment_id: uuid.UUID) -> Payment:
    """The user's own payment; anybody else's is a 404, exactly like a missing one."""
    payment = await repository.get_payment(session, payment_id)
    if payment is None or payment.user_id != user.id:
        raise NotFound("Payment not found", code="payment_not_found")
    return payment


async def set_fulfilment(
    session: AsyncSession, payment_id: uuid.UUID, status: FulfilmentStatus
) -> Payment:
    payment = await repository.payment_for_update(session, payment_id)
    if payment is None:
        raise NotFound("Payment not found", code="payment_not_found")
    if payment.fulfilment_status is None:
        raise Conflict("This payment has no service to fulfil", code="nothing_to_fulfil")
    if payment.fulfilment_status == FulfilmentStatus.CANCELLED and status == FulfilmentStatus.DONE:
        raise Conflict("The service was cancelled by a refund", code="fulfilment_cancelled")
    payment.fulfilment_status = status
    await session.flush()
    # updated_at is set by the database: load it now, not lazily (no implicit IO under asyncio).
    await session.refresh(payment)
    return payment


async def refund_payment(
    session: AsyncSession,
    *,
    stripe: StripeClient,
    payment_id: uuid.UUID,
    amount_fils: int | None,
    idempotency_key: str,
) -> tuple[Payment, str]:
    """Ask Stripe to refund (credits move when its ``charge.refunded`` event arrives)."""
    payment = await repository.payment_for_update(session, payment_id)
    if payment is None:
        raise NotFound("Payment not found", code="payment_not_found")
    if payment.provider != PaymentProvider.STRIPE or not payment.transaction_id:
        raise Conflict(
            "Only Stripe payments with a charge can be refunded here", code="not_refundable"
        )
    if payment.status not in (PaymentStatus.SUCCEEDED, PaymentStatus.PARTIALLY_REFUNDED):
        raise Conflict(
            f"A {payment.status.value} payment cannot be refunded", code="not_refundable"
        )
    left = to_fils(payment.amount) - to_fils(payment.amount_refunded)
    if amount_fils is not None and not 0 < amount_fils <= left:
        raise BadInput(
            f"The refund must be between 1 and {left} fils", code="invalid_refund_amount"
        )
    refund = await stripe.create_refund(
        payment_intent_id=payment.transaction_id,
        amount=amount_fils,
        idempotency_key=f"refund:{payment.id}:{idempotency_key}",
        metadata={"payment_id": str(payment.id), "user_id": str(payment.user_id)},
    )
    return payment, refund.id


async def credit_balances(session: AsyncSession, user_id: uuid.UUID) -> dict[CreditType, int]:
    return {credit: await ledger.balance(session, user_id, credit) for credit in CreditType}
