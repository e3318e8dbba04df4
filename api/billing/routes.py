"""Billing over HTTP, at the seed's paths: checkout, provider webhooks, payment history, admin
views and the service-to-service LinkedIn email. One ``router`` carries them all."""

from __future__ import annotations

import math
import uuid
from datetime import datetime
from typing import Annotated

import structlog
from fastapi import APIRouter, Header, Query, Request

from api.accounts import audit
from api.billing import emails, repository, service
from api.billing.catalogue import CATALOGUE, get_product
from api.billing.deps import BillingSettingsDep, StripeDep
from api.billing.schemas import (
    AdminPaymentRead,
    CheckoutCreate,
    CheckoutRead,
    CreditsRead,
    FulfilmentUpdate,
    LatestPayment,
    LatestSubscription,
    LedgerEntryRead,
    LinkedInEmailCreate,
    LinkedInEmailRead,
    PaymentIntentCreate,
    PaymentIntentRead,
    PaymentList,
    PaymentRead,
    ProductList,
    ProductRead,
    RefundCreate,
    RefundRead,
    SubscriptionRead,
    WebhookAck,
)
from api.deps import ApiTokenDep, CurrentUser, MetaDep, RequirePermission, SessionDep, StateDep
from api.errors import NotFound, PayloadTooLarge, ServiceUnavailable, TabashirError
from api.integrations import stripe as stripe_api
from api.integrations import ziina
from api.jobs.schemas import Pagination
from models import Payment, User
from models.billing import FulfilmentStatus
from models.enums import PaymentProvider, PaymentStatus, Permission

log = structlog.get_logger("tabashir.billing.routes")

#: Provider events are a few kilobytes; anything far larger is not one.
MAX_WEBHOOK_BYTES = 512 * 1024

PaymentsAdmin = Annotated[User, RequirePermission(Permission.MANAGE_PAYMENTS)]
IdempotencyKey = Annotated[
    str | None, Header(alias="Idempotency-Key", description="Retry-safe key for this purchase")
]

router = APIRouter(tags=["billing"])


class WebhookProcessingFailed(TabashirError):
    """A handler failed: everything is rolled back and the provider will deliver again."""

    status_code, code, message = (
        500,
        "webhook_processing_failed",
        "The event could not be processed",
    )


def _pagination(page: int, limit: int, total: int) -> Pagination:
    return Pagination(page=page, limit=limit, total=total, pages=math.ceil(total / limit))


def _payment_read(payment: Payment) -> PaymentRead:
    return PaymentRead.of(payment, get_product(payment.product_code))


async def _body(request: Request) -> bytes:
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > MAX_WEBHOOK_BYTES:
        raise PayloadTooLarge("The webhook body is too large", code="webhook_too_large")
    body = await request.body()
    if len(body) > MAX_WEBHOOK_BYTES:
        raise PayloadTooLarge("The webhook body is too large", code="webhook_too_large")
    return body


# --- catalogue and checkout --------------------------------------------------------------------


@router.get("/api/billing/products", response_model=ProductList)
async def list_products() -> ProductList:
    """The paid services, their prices in AED and what each grants."""
    return ProductList(items=[ProductRead.of(p) for p in CATALOGUE.values()])


@router.post("/api/stripe/create-checkout-session", response_model=CheckoutRead)
async def create_checkout_session(
    body: CheckoutCreate,
    user: CurrentUser,
    session: SessionDep,
    stripe: StripeDep,
    settings: BillingSettingsDep,
    idempotency_key: IdempotencyKey = None,
) -> CheckoutRead:
    """Open a Stripe Checkout for one product; redirect the buyer to ``url``."""
    result = await service.create_checkout_session(
        session,
        stripe=stripe,
        settings=settings,
        user=user,
        product_code=body.product_code,
        idempotency_key=idempotency_key,
    )
    return CheckoutRead(session_id=result.session_id, url=result.url, payment_id=result.payment.id)


@router.post("/api/payment-intent", response_model=PaymentIntentRead)
async def create_payment_intent(
    body: PaymentIntentCreate,
    user: CurrentUser,
    session: SessionDep,
    stripe: StripeDep,
    idempotency_key: IdempotencyKey = None,
) -> PaymentIntentRead:
    """A payment intent for the apps' payment sheet (confirmed at once with a saved method)."""
    result = await service.create_payment_intent(
        session,
        stripe=stripe,
        user=user,
        product_code=body.product_code,
        idempotency_key=idempotency_key,
        payment_method=body.payment_method_id,
    )
    payment = result.payment
    return PaymentIntentRead(
        payment_intent_id=result.payment_intent_id,
        client_secret=result.client_secret,
        status=result.status,
        payment_id=payment.id,
        amount=float(payment.amount),
        amount_fils=service.to_fils(payment.amount),
        currency=payment.currency,
    )


# --- the user's history ------------------------------------------------------------------------


@router.get("/api/payments/latest", response_model=LatestPayment)
async def latest_payment(user: CurrentUser, session: SessionDep) -> LatestPayment:
    """The signed-in user's most recent payment (``payment`` is null when there is none)."""
    payment = await repository.latest_payment(session, user.id)
    return LatestPayment(payment=_payment_read(payment) if payment else None)


@router.get("/api/payments", response_model=PaymentList)
async def list_my_payments(
    user: CurrentUser,
    session: SessionDep,
    page: Annotated[int, Query(ge=1, le=10_000)] = 1,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    status: PaymentStatus | None = None,
) -> PaymentList:
    """The signed-in user's payments, newest first."""
    filters = repository.PaymentFilters(user_id=user.id, status=status)
    rows, total = await repository.list_payments(session, filters, (page - 1) * limit, limit)
    return PaymentList(
        items=[_payment_read(p) for p in rows], pagination=_pagination(page, limit, total)
    )


@router.get("/api/payments/{payment_id}", response_model=PaymentRead)
async def get_my_payment(
    payment_id: uuid.UUID, user: CurrentUser, session: SessionDep
) -> PaymentRead:
    """One of the signed-in user's payments (a receipt)."""
    return _payment_read(await service.payment_of_user(session, user, payment_id))


@router.get("/api/subscription/latest", response_model=LatestSubscription)
async def latest_subscription(user: CurrentUser, session: SessionDep) -> LatestSubscription:
    """The signed-in user's current or last subscription (null when there is none)."""
    found = await repository.latest_subscription(session, user.id)
    return LatestSubscription(subscription=SubscriptionRead.of(found) if found else None)


@router.get("/api/billing/credits", response_model=CreditsRead)
async def my_credits(user: CurrentUser, session: SessionDep) -> CreditsRead:
    """The signed-in user's credit balances."""
    return CreditsRead.of(await service.credit_balances(session, user.id))


# --- provider webhooks -------------------------------------------------------------------------


@router.post("/api/webhooks/stripe", response_model=WebhookAck)
async def stripe_webhook(
    request: Request, session: SessionDep, stripe: StripeDep, state: StateDep
) -> WebhookAck:
    """Stripe events, verified by signature, acted on once (replays answer 200)."""
    body = await _body(request)
    event = stripe.construct_event(body, request.headers.get(stripe_api.SIGNATURE_HEADER))
    try:
        outcome = await service.handle_stripe_event(session, event, api_settings=state.settings)
    except Exception as exc:
        log.exception(
            "stripe webhook failed", event_id=event.get("id"), event_type=event.get("type")
        )
        raise WebhookProcessingFailed() from exc
    return WebhookAck(outcome=outcome.outcome)


@router.post("/api/webhooks/ziina", response_model=WebhookAck)
async def ziina_webhook(
    request: Request, session: SessionDep, state: StateDep, settings: BillingSettingsDep
) -> WebhookAck:
    """Ziina events, verified by their HMAC signature, acted on once."""
    if settings.ziina_webhook_secret is None:
        raise ServiceUnavailable("Ziina payments are not configured", code="ziina_not_configured")
    body = await _body(request)
    ziina.verify_signature(
        body,
        request.headers.get(ziina.SIGNATURE_HEADER),
        settings.ziina_webhook_secret.get_secret_value(),
    )
    event = ziina.parse_event(body)
    try:
        outcome = await service.handle_ziina_event(session, event, api_settings=state.settings)
    except Exception as exc:
        log.exception("ziina webhook failed", event_id=event.event_id)
        raise WebhookProcessingFailed() from exc
    return WebhookAck(outcome=outcome.outcome)


# --- admin -------------------------------------------------------------------------------------


@router.get("/api/admin/payments", response_model=PaymentList, tags=["admin"])
async def admin_list_payments(
    _: PaymentsAdmin,
    session: SessionDep,
    page: Annotated[int, Query(ge=1, le=10_000)] = 1,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    user_id: Annotated[uuid.UUID | None, Query(alias="userId")] = None,
    status: PaymentStatus | None = None,
    provider: PaymentProvider | None = None,
    product_code: Annotated[str | None, Query(alias="productCode", max_length=64)] = None,
    fulfilment_status: Annotated[FulfilmentStatus | None, Query(alias="fulfilmentStatus")] = None,
    created_from: Annotated[datetime | None, Query(alias="from")] = None,
    created_to: Annotated[datetime | None, Query(alias="to")] = None,
) -> PaymentList:
    """Every payment, newest first, with filters (MANAGE_PAYMENTS)."""
    filters = repository.PaymentFilters(
        user_id=user_id,
        status=status,
        provider=provider,
        product_code=product_code,
        fulfilment_status=fulfilment_status,
        created_from=created_from,
        created_to=created_to,
    )
    rows, total = await repository.list_payments(session, filters, (page - 1) * limit, limit)
    return PaymentList(
        items=[_payment_read(p) for p in rows], pagination=_pagination(page, limit, total)
    )


async def _admin_payment(session: SessionDep, payment: Payment) -> AdminPaymentRead:
    base = _payment_read(payment)
    entries = await repository.ledger_for_payment(session, payment.id)
    return AdminPaymentRead(
        **base.model_dump(),
        details=payment.details,
        ledger=[LedgerEntryRead.of(e) for e in entries],
    )


@router.get("/api/admin/payments/{payment_id}", response_model=AdminPaymentRead, tags=["admin"])
async def admin_get_payment(
    payment_id: uuid.UUID, _: PaymentsAdmin, session: SessionDep
) -> AdminPaymentRead:
    """One payment with its ledger entries (MANAGE_PAYMENTS)."""
    payment = await repository.get_payment(session, payment_id)
    if payment is None:
        raise NotFound("Payment not found", code="payment_not_found")
    return await _admin_payment(session, payment)


@router.post(
    "/api/admin/payments/{payment_id}/fulfilment",
    response_model=AdminPaymentRead,
    tags=["admin"],
)
async def admin_set_fulfilment(
    payment_id: uuid.UUID,
    body: FulfilmentUpdate,
    admin: PaymentsAdmin,
    session: SessionDep,
    meta: MetaDep,
) -> AdminPaymentRead:
    """Mark a paid service delivered (done) or cancelled (MANAGE_PAYMENTS)."""
    payment = await service.set_fulfilment(session, payment_id, FulfilmentStatus(body.status))
    await audit.record(
        session,
        meta,
        actor_id=admin.id,
        action="payment.fulfilment",
        entity_type="payment",
        entity_id=payment.id,
        data={"status": body.status.value},
    )
    return await _admin_payment(session, payment)


@router.post(
    "/api/admin/payments/{payment_id}/refund",
    response_model=RefundRead,
    status_code=202,
    tags=["admin"],
)
async def admin_refund_payment(
    payment_id: uuid.UUID,
    body: RefundCreate,
    admin: PaymentsAdmin,
    session: SessionDep,
    stripe: StripeDep,
    meta: MetaDep,
    idempotency_key: IdempotencyKey = None,
) -> RefundRead:
    """Refund a Stripe payment, whole or in part (MANAGE_PAYMENTS). Credits are reversed when
    Stripe confirms the refund with ``charge.refunded``."""
    payment, refund_id = await service.refund_payment(
        session,
        stripe=stripe,
        payment_id=payment_id,
        amount_fils=body.amount_fils,
        idempotency_key=idempotency_key or str(uuid.uuid4()),
    )
    await audit.record(
        session,
        meta,
        actor_id=admin.id,
        action="payment.refund",
        entity_type="payment",
        entity_id=payment.id,
        data={"refund_id": refund_id, "amount_fils": body.amount_fils},
    )
    return RefundRead(payment_id=payment.id, refund_id=refund_id)


# --- service to service ------------------------------------------------------------------------


@router.post(
    "/api/v1/resume/send-linkedin-email", response_model=LinkedInEmailRead, tags=["service"]
)
async def send_linkedin_email(
    body: LinkedInEmailCreate, _: ApiTokenDep, session: SessionDep, state: StateDep
) -> LinkedInEmailRead:
    """Queue the LinkedIn onboarding email (X-API-TOKEN)."""
    await emails.send_linkedin_onboarding(
        session, state.settings, to=str(body.email), name=body.name
    )
    return LinkedInEmailRead()
