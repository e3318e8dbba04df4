"""Checkout and payment intents through the routes, with the official SDK against localstripe.

localstripe serves customers, payment methods, payment intents and refunds, and is used for
all of them. It answers 404 for Checkout Sessions, so ONLY /v1/checkout/sessions is faked, at
the HTTP boundary (``CheckoutSessionsFake``: the SDK still encodes the request and parses the
answer). Events localstripe emits are read back from its /v1/events and posted to our webhook,
signed with Stripe's scheme."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from api.integrations.stripe import StripeClient
from models import AuditLog, Payment
from models.billing import BillingCustomer
from models.enums import AdminRole, PaymentStatus, Permission, UserType
from tests.api.billing.conftest import UserFactory
from tests.api.billing.helpers import (
    CheckoutSessionsFake,
    checkout_completed_object,
    counters,
    fresh_payment,
    post_stripe,
    stripe_event,
)
from tests.fixtures.users import assert_error, auth_headers, bearer, enable_totp

pytestmark = [
    pytest.mark.integration,
    # The SDK's httpx client posts form bodies with data=..., which httpx deprecates.
    pytest.mark.filterwarnings("ignore::DeprecationWarning"),
]

CHECKOUT = "/api/stripe/create-checkout-session"
INTENT = "/api/payment-intent"


async def _payments(session: AsyncSession, user_id: Any) -> list[Payment]:
    return list(
        (
            await session.execute(
                select(Payment)
                .where(Payment.user_id == user_id)
                .execution_options(populate_existing=True)
            )
        )
        .scalars()
        .all()
    )


async def _card(stripe_client: StripeClient, number: str = "4242424242424242") -> str:
    method = await stripe_client.sdk.v1.payment_methods.create_async(
        {
            "type": "card",
            "card": {"number": number, "exp_month": 12, "exp_year": 2034, "cvc": "123"},
        }
    )
    return str(method.id)


async def _localstripe_event(
    stripe_client: StripeClient, event_type: str, object_id: str
) -> dict[str, Any]:
    events = await stripe_client.sdk.v1.events.list_async({"limit": 100})
    for event in events.data:
        data = event.to_dict()
        if data["type"] == event_type and data["data"]["object"]["id"] == object_id:
            return data
    raise AssertionError(f"localstripe emitted no {event_type} for {object_id}")


# --- checkout ----------------------------------------------------------------------------------


async def test_checkout_opens_a_session_with_our_metadata_and_writes_a_pending_payment(
    client: httpx.AsyncClient,
    session: AsyncSession,
    user_factory: UserFactory,
    checkout_fake: CheckoutSessionsFake,
) -> None:
    user = await user_factory()
    headers = await auth_headers(client, user) | {"Idempotency-Key": "order-1"}
    response = await client.post(CHECKOUT, json={"productCode": "ai_job_apply"}, headers=headers)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["sessionId"].startswith("cs_test_")
    assert body["url"].endswith(body["sessionId"])

    [payment] = await _payments(session, user.id)
    assert str(payment.id) == body["paymentId"]
    assert payment.status == PaymentStatus.PENDING
    assert payment.checkout_session_id == body["sessionId"]
    assert payment.amount == 200
    assert payment.currency == "AED"

    [sent] = checkout_fake.requests
    assert sent.headers["Idempotency-Key"] == f"checkout:{user.id}:order-1"
    form = sent.form
    assert form["mode"] == "payment"
    assert form["line_items[0][price_data][unit_amount]"] == "20000"
    assert form["line_items[0][price_data][currency]"] == "aed"
    assert form["metadata[user_id]"] == str(user.id)
    assert form["metadata[product_code]"] == "ai_job_apply"
    assert form["metadata[payment_id]"] == str(payment.id)
    assert form["payment_intent_data[metadata][payment_id]"] == str(payment.id)
    assert (
        form["success_url"] == "https://app.test/payment/success?session_id={CHECKOUT_SESSION_ID}"
    )
    assert form["cancel_url"] == "https://app.test/payment/cancelled"
    # The customer was created on localstripe and remembered for the next purchase.
    customer = (
        await session.execute(select(BillingCustomer).where(BillingCustomer.user_id == user.id))
    ).scalar_one()
    assert form["customer"] == customer.customer_id
    assert customer.customer_id.startswith("cus_")


async def test_the_same_idempotency_key_returns_the_same_checkout(
    client: httpx.AsyncClient,
    session: AsyncSession,
    user_factory: UserFactory,
    checkout_fake: CheckoutSessionsFake,
) -> None:
    user = await user_factory()
    headers = await auth_headers(client, user) | {"Idempotency-Key": "double-click"}
    first = await client.post(CHECKOUT, json={"productCode": "ats_cv"}, headers=headers)
    second = await client.post(CHECKOUT, json={"productCode": "ats_cv"}, headers=headers)
    assert first.status_code == second.status_code == 200
    assert first.json() == second.json()
    assert len(await _payments(session, user.id)) == 1
    assert len(checkout_fake.requests) == 1

    other = await client.post(CHECKOUT, json={"productCode": "interview_training"}, headers=headers)
    assert_error(other, 409, "idempotency_key_reused")
    # Without a key every request opens its own checkout.
    plain = await auth_headers(client, user)
    a = await client.post(CHECKOUT, json={"productCode": "ats_cv"}, headers=plain)
    b = await client.post(CHECKOUT, json={"productCode": "ats_cv"}, headers=plain)
    assert a.json()["sessionId"] != b.json()["sessionId"]
    assert len(await _payments(session, user.id)) == 3


async def test_checkout_refuses_bad_requests_clearly(
    client: httpx.AsyncClient, session: AsyncSession, user_factory: UserFactory
) -> None:
    anonymous = await client.post(CHECKOUT, json={"productCode": "ai_job_apply"})
    assert_error(anonymous, 401)
    user = await user_factory()
    headers = await auth_headers(client, user)
    assert_error(
        await client.post(CHECKOUT, json={"productCode": "free_stuff"}, headers=headers),
        400,
        "unknown_product",
    )
    assert_error(await client.post(CHECKOUT, json={}, headers=headers), 422, "validation_error")
    key: str | bytes
    for key in ("x" * 201, "clé".encode("latin-1")):
        response = await client.post(
            CHECKOUT,
            json={"productCode": "ats_cv"},
            headers=headers | {"Idempotency-Key": key},
        )
        assert_error(response, 400, "invalid_idempotency_key")
    recruiter = await user_factory(user_type=UserType.RECRUITER)
    response = await client.post(
        CHECKOUT,
        json={"productCode": "ai_job_apply"},
        headers=await auth_headers(client, recruiter),
    )
    assert_error(response, 403, "candidates_only")
    assert await _payments(session, user.id) == []


async def test_a_checkout_paid_end_to_end_grants_credits(
    client: httpx.AsyncClient,
    session: AsyncSession,
    user_factory: UserFactory,
    checkout_fake: CheckoutSessionsFake,
) -> None:
    user = await user_factory()
    headers = await auth_headers(client, user)
    opened = (
        await client.post(CHECKOUT, json={"productCode": "ai_job_apply"}, headers=headers)
    ).json()
    sent = checkout_fake.sessions[opened["sessionId"]]
    completed = stripe_event(
        "checkout.session.completed",
        checkout_completed_object(
            session_id=opened["sessionId"],
            metadata=sent["metadata"],
            amount_total=sent["amount_total"],
            payment_intent="pi_from_checkout",
        ),
    )
    assert (await post_stripe(client, completed)).json()["outcome"] == "processed"
    assert await counters(session, user.id) == (50, 50)
    credits = await client.get("/api/billing/credits", headers=headers)
    assert credits.json() == {"jobCount": 50, "aiJobApplyCount": 50}


# --- payment intents against localstripe -------------------------------------------------------


async def test_a_payment_intent_is_created_on_localstripe_with_our_metadata(
    client: httpx.AsyncClient,
    session: AsyncSession,
    user_factory: UserFactory,
    stripe_client: StripeClient,
) -> None:
    user = await user_factory()
    headers = await auth_headers(client, user) | {"Idempotency-Key": "sheet-1"}
    response = await client.post(
        INTENT, json={"productCode": "interview_training"}, headers=headers
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["clientSecret"].startswith(body["paymentIntentId"])
    assert body["amountFils"] == 15000
    assert body["amount"] == 150.0
    assert body["currency"] == "AED"
    assert body["status"] == "requires_payment_method"

    remote = await stripe_client.sdk.v1.payment_intents.retrieve_async(body["paymentIntentId"])
    assert remote.amount == 15000
    assert remote.currency == "aed"
    assert remote.metadata.to_dict() == {
        "user_id": str(user.id),
        "product_code": "interview_training",
        "payment_id": body["paymentId"],
    }
    [payment] = await _payments(session, user.id)
    assert payment.transaction_id == body["paymentIntentId"]

    again = await client.post(INTENT, json={"productCode": "interview_training"}, headers=headers)
    assert again.json()["paymentIntentId"] == body["paymentIntentId"]
    assert len(await _payments(session, user.id)) == 1


async def test_a_declined_card_is_a_402_and_leaves_no_payment_behind(
    client: httpx.AsyncClient,
    session: AsyncSession,
    user_factory: UserFactory,
    stripe_client: StripeClient,
) -> None:
    user = await user_factory()
    headers = await auth_headers(client, user)
    declined = await _card(stripe_client, "4000000000000341")
    response = await client.post(
        INTENT, json={"productCode": "ai_job_apply", "paymentMethodId": declined}, headers=headers
    )
    assert_error(response, 402, "card_declined")
    assert await _payments(session, user.id) == []


async def _signed_in_payments_admin(
    client: httpx.AsyncClient, user_factory: UserFactory
) -> dict[str, str]:
    admin = await user_factory(
        user_type=UserType.ADMIN,
        admin_role=AdminRole.REGULAR_ADMIN,
        permissions=[Permission.MANAGE_PAYMENTS],
    )
    _, confirmed = await enable_totp(client, await auth_headers(client, admin))
    return bearer(confirmed["accessToken"])


async def test_pay_with_a_saved_card_then_refund_end_to_end_on_localstripe(
    client: httpx.AsyncClient,
    session: AsyncSession,
    user_factory: UserFactory,
    stripe_client: StripeClient,
) -> None:
    """Confirmed on localstripe; its payment_intent.succeeded event grants; an admin refund goes
    to localstripe; the charge it left behind, sent as charge.refunded, reverses the credits."""
    user = await user_factory()
    headers = await auth_headers(client, user)
    card = await _card(stripe_client)
    paid = await client.post(
        INTENT, json={"productCode": "ai_job_apply", "paymentMethodId": card}, headers=headers
    )
    assert paid.status_code == 200, paid.text
    assert paid.json()["status"] == "succeeded"
    intent_id = paid.json()["paymentIntentId"]

    event = await _localstripe_event(stripe_client, "payment_intent.succeeded", intent_id)
    assert (await post_stripe(client, event)).json()["outcome"] == "processed"
    assert await counters(session, user.id) == (50, 50)
    latest = (await client.get("/api/payments/latest", headers=headers)).json()["payment"]
    assert latest["status"] == "succeeded"
    assert latest["transactionId"] == intent_id

    admin = await _signed_in_payments_admin(client, user_factory)
    refund = await client.post(
        f"/api/admin/payments/{latest['id']}/refund",
        json={"amountFils": 20000},
        headers=admin | {"Idempotency-Key": "refund-1"},
    )
    assert refund.status_code == 202, refund.text
    assert refund.json()["refundId"].startswith("re_")
    audit = (
        await session.execute(
            select(func.count()).select_from(AuditLog).where(AuditLog.action == "payment.refund")
        )
    ).scalar_one()
    assert audit == 1

    sdk = stripe_client.sdk
    intent = await sdk.v1.payment_intents.retrieve_async(intent_id)
    charge_id = (
        intent.latest_charge if isinstance(intent.latest_charge, str) else intent.latest_charge.id
    )  # type: ignore[union-attr]
    charge = (await sdk.v1.charges.retrieve_async(str(charge_id))).to_dict()
    assert charge["amount_refunded"] == 20000
    refunded = stripe_event("charge.refunded", dict(charge, refunded=True))
    assert (await post_stripe(client, refunded)).json()["outcome"] == "processed"
    assert await counters(session, user.id) == (0, 0)
    assert (await fresh_payment(session, latest["id"])).status == PaymentStatus.REFUNDED

    again = await client.post(f"/api/admin/payments/{latest['id']}/refund", json={}, headers=admin)
    assert_error(again, 409, "not_refundable")
