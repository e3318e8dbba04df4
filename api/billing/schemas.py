"""Request and response bodies of the billing routes, in the apps' camelCase (snake_case is
accepted on input). Amounts are in AED as numbers (``200.0``) where the seed had them, and in
fils (``amountFils``) wherever a client computes with them."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, EmailStr, Field
from pydantic.alias_generators import to_camel

from api.billing.catalogue import Product
from api.billing.service import to_fils
from api.jobs.schemas import Pagination
from models import CreditLedgerEntry, Payment, Subscription
from models.billing import FulfilmentStatus
from models.enums import CreditType, PaymentProvider, PaymentStatus, SubscriptionStatus


class CamelModel(BaseModel):
    model_config = ConfigDict(
        alias_generator=to_camel, validate_by_name=True, validate_by_alias=True, extra="ignore"
    )


# --- catalogue ---------------------------------------------------------------------------------


class ProductRead(CamelModel):
    code: str
    name: str
    name_ar: str
    amount: float
    amount_fils: int
    currency: str
    kind: Literal["one_off", "recurring"]
    grants: dict[str, int]
    fulfilment: str | None

    @classmethod
    def of(cls, product: Product) -> ProductRead:
        return cls(
            code=product.code,
            name=product.name_en,
            name_ar=product.name_ar,
            amount=float(product.amount_decimal),
            amount_fils=product.amount,
            currency=product.currency,
            kind=product.kind,
            grants={credit.value: qty for credit, qty in product.grants.items()},
            fulfilment=product.fulfilment,
        )


class ProductList(CamelModel):
    items: list[ProductRead]


# --- checkout ----------------------------------------------------------------------------------


class CheckoutCreate(CamelModel):
    product_code: str = Field(min_length=1, max_length=64)


class CheckoutRead(CamelModel):
    session_id: str
    url: str | None
    payment_id: uuid.UUID


class PaymentIntentCreate(CamelModel):
    product_code: str = Field(min_length=1, max_length=64)
    #: A saved Stripe payment method: the intent is confirmed at once.
    payment_method_id: str | None = Field(default=None, min_length=3, max_length=255)


class PaymentIntentRead(CamelModel):
    payment_intent_id: str
    client_secret: str | None
    status: str
    payment_id: uuid.UUID
    amount: float
    amount_fils: int
    currency: str


# --- history -----------------------------------------------------------------------------------


class PaymentRead(CamelModel):
    id: uuid.UUID
    user_id: uuid.UUID
    provider: PaymentProvider
    product_code: str
    product_name: str | None
    amount: float
    amount_fils: int
    amount_refunded: float
    currency: str
    status: PaymentStatus
    transaction_id: str | None
    checkout_session_id: str | None
    payment_date: datetime | None
    fulfilment_status: FulfilmentStatus | None
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, payment: Payment, product: Product | None) -> PaymentRead:
        return cls(
            id=payment.id,
            user_id=payment.user_id,
            provider=payment.provider,
            product_code=payment.product_code,
            product_name=product.name_en if product else None,
            amount=float(payment.amount),
            amount_fils=to_fils(payment.amount),
            amount_refunded=float(payment.amount_refunded),
            currency=payment.currency,
            status=payment.status,
            transaction_id=payment.transaction_id,
            checkout_session_id=payment.checkout_session_id,
            payment_date=payment.payment_date,
            fulfilment_status=payment.fulfilment_status,
            created_at=payment.created_at,
            updated_at=payment.updated_at,
        )


class LatestPayment(CamelModel):
    payment: PaymentRead | None


class PaymentList(CamelModel):
    items: list[PaymentRead]
    pagination: Pagination


class SubscriptionRead(CamelModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    user_id: uuid.UUID
    provider: PaymentProvider
    plan: str
    status: SubscriptionStatus
    start_date: datetime | None
    end_date: datetime | None
    current_period_end: datetime | None
    cancel_at_period_end: bool
    updated_at: datetime

    @classmethod
    def of(cls, subscription: Subscription) -> SubscriptionRead:
        return cls.model_validate(subscription, from_attributes=True)


class LatestSubscription(CamelModel):
    subscription: SubscriptionRead | None


class CreditsRead(CamelModel):
    job_count: int
    ai_job_apply_count: int

    @classmethod
    def of(cls, balances: dict[CreditType, int]) -> CreditsRead:
        return cls(
            job_count=balances[CreditType.JOB_COUNT],
            ai_job_apply_count=balances[CreditType.AI_JOB_APPLY_COUNT],
        )


# --- admin -------------------------------------------------------------------------------------


class LedgerEntryRead(CamelModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    credit_type: CreditType
    delta: int
    balance_after: int
    shortfall: int
    reason: str
    created_at: datetime

    @classmethod
    def of(cls, entry: CreditLedgerEntry) -> LedgerEntryRead:
        return cls.model_validate(entry, from_attributes=True)


class AdminPaymentRead(PaymentRead):
    details: dict[str, object] | None = None
    ledger: list[LedgerEntryRead] = Field(default_factory=list)


class FulfilmentUpdate(CamelModel):
    status: Literal[FulfilmentStatus.DONE, FulfilmentStatus.CANCELLED]


class RefundCreate(CamelModel):
    #: In fils; omitted: whatever is left to refund.
    amount_fils: int | None = Field(default=None, gt=0)


class RefundRead(CamelModel):
    payment_id: uuid.UUID
    refund_id: str
    status: Literal["requested"] = "requested"


# --- webhooks and service-to-service -----------------------------------------------------------


class WebhookAck(CamelModel):
    received: bool = True
    outcome: Literal["processed", "duplicate", "ignored", "deferred"]


class LinkedInEmailCreate(CamelModel):
    email: EmailStr
    name: str | None = Field(default=None, max_length=200)


class LinkedInEmailRead(CamelModel):
    success: bool = True
    message: str = "LinkedIn onboarding email queued"
