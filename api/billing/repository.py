"""SQL for billing: payments, provider events, subscriptions and customers."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from models import CreditLedgerEntry, Payment, Subscription, User, WebhookEvent
from models.billing import BillingCustomer, FulfilmentStatus
from models.enums import PaymentProvider, PaymentStatus

# --- webhook events ----------------------------------------------------------------------------


async def store_event(
    session: AsyncSession,
    *,
    provider: PaymentProvider,
    event_id: str,
    event_type: str,
    payload: dict[str, Any],
) -> WebhookEvent:
    """Insert the event once (on conflict do nothing) and return its row, locked for this
    transaction: a concurrent delivery of the same event waits here until this one is done."""
    await session.execute(
        insert(WebhookEvent)
        .values(
            id=uuid.uuid4(),
            provider=provider,
            event_id=event_id,
            event_type=event_type[:100],
            payload=payload,
        )
        .on_conflict_do_nothing(index_elements=[WebhookEvent.provider, WebhookEvent.event_id])
    )
    row = (
        await session.execute(
            select(WebhookEvent)
            .where(WebhookEvent.provider == provider, WebhookEvent.event_id == event_id)
            .with_for_update()
            .execution_options(populate_existing=True)
        )
    ).scalar_one()
    return row


async def deferred_events(
    session: AsyncSession,
    *,
    provider: PaymentProvider,
    event_type: str,
    path: tuple[str, ...],
    value: str,
) -> Sequence[WebhookEvent]:
    """Stored events not acted on yet whose payload has ``value`` at ``path`` (e.g. a refund
    that arrived before the payment it refunds), oldest first, locked."""
    return (
        (
            await session.execute(
                select(WebhookEvent)
                .where(
                    WebhookEvent.provider == provider,
                    WebhookEvent.event_type == event_type,
                    WebhookEvent.processed_at.is_(None),
                    WebhookEvent.payload[list(path)].astext == value,
                )
                .order_by(WebhookEvent.received_at)
                .with_for_update()
            )
        )
        .scalars()
        .all()
    )


# --- payments ----------------------------------------------------------------------------------


async def payment_for_update(session: AsyncSession, payment_id: uuid.UUID) -> Payment | None:
    return (
        await session.execute(
            select(Payment)
            .where(Payment.id == payment_id)
            .with_for_update()
            .execution_options(populate_existing=True)
        )
    ).scalar_one_or_none()


async def find_payment_for_update(
    session: AsyncSession,
    provider: PaymentProvider,
    *,
    payment_id: uuid.UUID | None = None,
    checkout_session_id: str | None = None,
    transaction_id: str | None = None,
) -> Payment | None:
    """The payment a provider object refers to: by our id (metadata), then by the provider's
    checkout session, then by its charge id. Locked for the rest of the transaction."""
    if payment_id is not None:
        found = await payment_for_update(session, payment_id)
        if found is not None and found.provider == provider:
            return found
    conditions: list[ColumnElement[bool]] = []
    if checkout_session_id:
        conditions.append(Payment.checkout_session_id == checkout_session_id)
    if transaction_id:
        conditions.append(
            (Payment.provider == provider) & (Payment.transaction_id == transaction_id)
        )
    for condition in conditions:
        found = (
            await session.execute(
                select(Payment)
                .where(condition)
                .with_for_update()
                .execution_options(populate_existing=True)
            )
        ).scalar_one_or_none()
        if found is not None:
            return found
    return None


async def payment_by_idempotency_key(session: AsyncSession, key: str) -> Payment | None:
    return (
        await session.execute(select(Payment).where(Payment.idempotency_key == key))
    ).scalar_one_or_none()


async def latest_payment(session: AsyncSession, user_id: uuid.UUID) -> Payment | None:
    return (
        await session.execute(
            select(Payment)
            .where(Payment.user_id == user_id)
            .order_by(Payment.created_at.desc(), Payment.id.desc())
            .limit(1)
        )
    ).scalar_one_or_none()


@dataclass(frozen=True)
class PaymentFilters:
    user_id: uuid.UUID | None = None
    status: PaymentStatus | None = None
    provider: PaymentProvider | None = None
    product_code: str | None = None
    fulfilment_status: FulfilmentStatus | None = None
    created_from: datetime | None = None
    created_to: datetime | None = None


def _payment_conditions(f: PaymentFilters) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = []
    if f.user_id is not None:
        conditions.append(Payment.user_id == f.user_id)
    if f.status is not None:
        conditions.append(Payment.status == f.status)
    if f.provider is not None:
        conditions.append(Payment.provider == f.provider)
    if f.product_code:
        conditions.append(Payment.product_code == f.product_code)
    if f.fulfilment_status is not None:
        conditions.append(Payment.fulfilment_status == f.fulfilment_status)
    if f.created_from is not None:
        conditions.append(Payment.created_at >= f.created_from)
    if f.created_to is not None:
        conditions.append(Payment.created_at < f.created_to)
    return conditions


async def list_payments(
    session: AsyncSession, filters: PaymentFilters, offset: int, limit: int
) -> tuple[Sequence[Payment], int]:
    conditions = _payment_conditions(filters)
    total = (
        await session.execute(select(func.count()).select_from(Payment).where(*conditions))
    ).scalar_one()
    rows = (
        (
            await session.execute(
                select(Payment)
                .where(*conditions)
                .order_by(Payment.created_at.desc(), Payment.id.desc())
                .offset(offset)
                .limit(limit)
            )
        )
        .scalars()
        .all()
    )
    return rows, int(total)


async def get_payment(session: AsyncSession, payment_id: uuid.UUID) -> Payment | None:
    return await session.get(Payment, payment_id)


# --- subscriptions -----------------------------------------------------------------------------


async def subscription_for_update(
    session: AsyncSession,
    *,
    provider: PaymentProvider,
    provider_subscription_id: str,
    user_id: uuid.UUID,
    plan: str,
    status: Any,
) -> Subscription:
    """The subscription row for a provider subscription, created on first sight, locked."""
    await session.execute(
        insert(Subscription)
        .values(
            id=uuid.uuid4(),
            user_id=user_id,
            provider=provider,
            provider_subscription_id=provider_subscription_id,
            plan=plan[:64],
            status=status,
        )
        .on_conflict_do_nothing(
            index_elements=[Subscription.provider, Subscription.provider_subscription_id]
        )
    )
    return (
        await session.execute(
            select(Subscription)
            .where(
                Subscription.provider == provider,
                Subscription.provider_subscription_id == provider_subscription_id,
            )
            .with_for_update()
            .execution_options(populate_existing=True)
        )
    ).scalar_one()


async def latest_subscription(session: AsyncSession, user_id: uuid.UUID) -> Subscription | None:
    return (
        await session.execute(
            select(Subscription)
            .where(Subscription.user_id == user_id)
            .order_by(
                Subscription.start_date.desc().nulls_last(),
                Subscription.created_at.desc(),
                Subscription.id.desc(),
            )
            .limit(1)
        )
    ).scalar_one_or_none()


# --- customers and users -----------------------------------------------------------------------


async def customer_id_for(
    session: AsyncSession, provider: PaymentProvider, user_id: uuid.UUID
) -> str | None:
    return (
        await session.execute(
            select(BillingCustomer.customer_id).where(
                BillingCustomer.provider == provider, BillingCustomer.user_id == user_id
            )
        )
    ).scalar_one_or_none()


async def save_customer(
    session: AsyncSession, provider: PaymentProvider, user_id: uuid.UUID, customer_id: str
) -> str:
    """Remember the provider's customer of a user; the first one stored wins."""
    await session.execute(
        insert(BillingCustomer)
        .values(id=uuid.uuid4(), user_id=user_id, provider=provider, customer_id=customer_id)
        .on_conflict_do_nothing()
    )
    stored = await customer_id_for(session, provider, user_id)
    return stored or customer_id


async def user_for_customer(
    session: AsyncSession, provider: PaymentProvider, customer_id: str
) -> uuid.UUID | None:
    return (
        await session.execute(
            select(BillingCustomer.user_id).where(
                BillingCustomer.provider == provider, BillingCustomer.customer_id == customer_id
            )
        )
    ).scalar_one_or_none()


async def get_user(session: AsyncSession, user_id: uuid.UUID) -> User | None:
    return await session.get(User, user_id)


async def ledger_for_payment(
    session: AsyncSession, payment_id: uuid.UUID
) -> Sequence[CreditLedgerEntry]:
    return (
        (
            await session.execute(
                select(CreditLedgerEntry)
                .where(CreditLedgerEntry.payment_id == payment_id)
                .order_by(CreditLedgerEntry.created_at, CreditLedgerEntry.id)
            )
        )
        .scalars()
        .all()
    )
