"""Money: payments, subscriptions, the credits ledger and provider webhook events."""

from __future__ import annotations

import enum
import uuid
from decimal import Decimal
from typing import Any

from sqlalchemy import CheckConstraint, ForeignKey, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, CreatedAt, Timestamp, UpdatedAt, UUIDPk, str_enum
from models.enums import CreditType, PaymentProvider, PaymentStatus, SubscriptionStatus


class FulfilmentStatus(enum.StrEnum):
    """A paid service that grants no credits is delivered by people: its state."""

    PENDING = "pending"
    DONE = "done"
    CANCELLED = "cancelled"


class Payment(Base):
    __tablename__ = "payments"
    __table_args__ = (
        UniqueConstraint("provider", "transaction_id"),
        CheckConstraint("amount >= 0", name="amount_non_negative"),
    )

    id: Mapped[UUIDPk]
    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("users.id", ondelete="RESTRICT"), index=True
    )
    provider: Mapped[PaymentProvider] = mapped_column(str_enum(PaymentProvider, "provider"))
    # The provider's id for the charge (Stripe payment intent, Ziina payment id): the seed's name.
    transaction_id: Mapped[str | None] = mapped_column(String(255))
    checkout_session_id: Mapped[str | None] = mapped_column(String(255), unique=True)
    product_code: Mapped[str] = mapped_column(String(64))
    amount: Mapped[Decimal] = mapped_column(Numeric(12, 2))
    currency: Mapped[str] = mapped_column(String(3), server_default="AED", default="AED")
    amount_refunded: Mapped[Decimal] = mapped_column(
        Numeric(12, 2), server_default="0", default=Decimal(0)
    )
    status: Mapped[PaymentStatus] = mapped_column(
        str_enum(PaymentStatus, "payment_status"),
        server_default=PaymentStatus.PENDING.value,
        default=PaymentStatus.PENDING,
    )
    payment_date: Mapped[Timestamp | None]
    subscription_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("subscriptions.id", ondelete="SET NULL")
    )
    details: Mapped[dict[str, Any] | None]
    # The checkout request that created the row ("<user id>:<Idempotency-Key>"): a retried request
    # finds it instead of opening a second checkout.
    idempotency_key: Mapped[str | None] = mapped_column(String(255), unique=True)
    # Set once, when the confirmed payment's credits were granted (or its service queued).
    fulfilled_at: Mapped[Timestamp | None]
    # Services without credits (ATS CV, LinkedIn, interview training) wait for a person.
    fulfilment_status: Mapped[FulfilmentStatus | None] = mapped_column(
        str_enum(FulfilmentStatus, "fulfilment_status")
    )
    created_at: Mapped[CreatedAt]
    updated_at: Mapped[UpdatedAt]


class BillingCustomer(Base):
    """The provider's customer for one of our users: reused across checkouts, and how subscription
    events that carry no metadata are attributed to a user."""

    __tablename__ = "billing_customers"
    __table_args__ = (
        UniqueConstraint("provider", "customer_id"),
        UniqueConstraint("provider", "user_id"),
    )

    id: Mapped[UUIDPk]
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    provider: Mapped[PaymentProvider] = mapped_column(str_enum(PaymentProvider, "provider"))
    customer_id: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[CreatedAt]


class Subscription(Base):
    __tablename__ = "subscriptions"
    __table_args__ = (UniqueConstraint("provider", "provider_subscription_id"),)

    id: Mapped[UUIDPk]
    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("users.id", ondelete="RESTRICT"), index=True
    )
    provider: Mapped[PaymentProvider] = mapped_column(str_enum(PaymentProvider, "provider"))
    provider_subscription_id: Mapped[str | None] = mapped_column(String(255))
    plan: Mapped[str] = mapped_column(String(64))
    status: Mapped[SubscriptionStatus] = mapped_column(
        str_enum(SubscriptionStatus, "subscription_status")
    )
    start_date: Mapped[Timestamp | None]
    end_date: Mapped[Timestamp | None]
    current_period_end: Mapped[Timestamp | None]
    cancel_at_period_end: Mapped[bool] = mapped_column(server_default="false", default=False)
    # Provider events can arrive out of order: the newest one we applied wins.
    last_event_at: Mapped[Timestamp | None]
    created_at: Mapped[CreatedAt]
    updated_at: Mapped[UpdatedAt]


class CreditLedgerEntry(Base):
    """Every grant and spend of credits. The candidate's counters are kept in the same transaction."""

    __tablename__ = "credit_ledger"
    __table_args__ = (
        # A reversal of credits that were all used already moves nothing but records a shortfall.
        CheckConstraint("delta <> 0 OR shortfall > 0", name="delta_or_shortfall"),
        CheckConstraint("shortfall >= 0", name="shortfall_non_negative"),
    )

    id: Mapped[UUIDPk]
    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("users.id", ondelete="RESTRICT"), index=True
    )
    credit_type: Mapped[CreditType] = mapped_column(str_enum(CreditType, "credit_type"))
    delta: Mapped[int]
    balance_after: Mapped[int]
    reason: Mapped[str] = mapped_column(String(64))
    payment_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("payments.id", ondelete="SET NULL"), index=True
    )
    # Makes a grant or spend happen at most once (e.g. "grant:<payment id>").
    idempotency_key: Mapped[str | None] = mapped_column(String(255), unique=True)
    # A refund that could not be fully reversed because credits were already used.
    shortfall: Mapped[int] = mapped_column(server_default="0", default=0)
    note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[CreatedAt]


class WebhookEvent(Base):
    """A provider event stored once, keyed by the provider's id, before it is acted on."""

    __tablename__ = "webhook_events"
    __table_args__ = (UniqueConstraint("provider", "event_id"),)

    id: Mapped[UUIDPk]
    provider: Mapped[PaymentProvider] = mapped_column(str_enum(PaymentProvider, "provider"))
    event_id: Mapped[str] = mapped_column(String(255))
    event_type: Mapped[str] = mapped_column(String(100), index=True)
    payload: Mapped[dict[str, Any]]
    received_at: Mapped[CreatedAt]
    processed_at: Mapped[Timestamp | None]
    error: Mapped[str | None] = mapped_column(Text)
