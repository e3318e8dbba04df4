"""POST /api/webhooks/stripe: signed events acted on exactly once, whatever the order.

Events are built here in Stripe's shape and signed with Stripe's real scheme; where an object
can come from localstripe (payment intents, charges, refunds) it does."""

from __future__ import annotations

import json
import random
import time
from decimal import Decimal
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from api.billing import emails as billing_emails
from api.billing import ledger
from api.integrations.stripe import StripeClient
from models import Subscription, User, WebhookEvent
from models.billing import BillingCustomer, FulfilmentStatus
from models.enums import CreditType, PaymentProvider, PaymentStatus, SubscriptionStatus
from tests.api.billing.conftest import UserFactory
from tests.api.billing.helpers import (
    checkout_completed_object,
    counters,
    emails_to,
    fresh_payment,
    ledger_rows,
    make_payment,
    metadata_for,
    post_stripe,
    stored_event,
    stripe_event,
    stripe_signature,
)
from tests.fixtures.users import assert_error

pytestmark = [
    pytest.mark.integration,
    # The SDK's httpx client posts form bodies with data=..., which httpx deprecates.
    pytest.mark.filterwarnings("ignore::DeprecationWarning"),
]

AI, JOBS = CreditType.AI_JOB_APPLY_COUNT, CreditType.JOB_COUNT


async def _event_count(session: AsyncSession) -> int:
    return int((await session.execute(select(func.count()).select_from(WebhookEvent))).scalar_one())


async def _paid_intent(stripe_client: StripeClient, metadata: dict[str, str], amount: int) -> str:
    """A payment intent paid by card on localstripe, carrying our metadata (as Checkout's
    payment_intent_data would)."""
    sdk = stripe_client.sdk
    method = await sdk.v1.payment_methods.create_async(
        {
            "type": "card",
            "card": {"number": "4242424242424242", "exp_month": 12, "exp_year": 2034, "cvc": "123"},
        }
    )
    intent = await sdk.v1.payment_intents.create_async(
        {
            "amount": amount,
            "currency": "aed",
            "payment_method": method.id,
            "confirm": True,
            "metadata": metadata,
        }
    )
    assert intent.status == "succeeded"
    return str(intent.id)


async def _charge_refunded_event(stripe_client: StripeClient, intent_id: str) -> dict[str, Any]:
    """charge.refunded built from the charge as localstripe holds it after its refunds
    (localstripe emits no such event itself)."""
    sdk = stripe_client.sdk
    intent = await sdk.v1.payment_intents.retrieve_async(intent_id)
    charge_id = (
        intent.latest_charge if isinstance(intent.latest_charge, str) else intent.latest_charge.id
    )  # type: ignore[union-attr]
    charge = await sdk.v1.charges.retrieve_async(str(charge_id))
    obj = charge.to_dict()
    obj["refunded"] = obj["amount_refunded"] >= obj["amount"]
    return stripe_event("charge.refunded", obj)


# --- one purchase ------------------------------------------------------------------------------


async def test_a_paid_checkout_grants_credits_once_and_queues_receipt_and_linkedin_email(
    client: httpx.AsyncClient, session: AsyncSession, user_factory: UserFactory
) -> None:
    user = await user_factory()
    payment = await make_payment(session, user.id, checkout_session_id="cs_test_1")
    event = stripe_event(
        "checkout.session.completed",
        checkout_completed_object(
            session_id="cs_test_1",
            metadata=metadata_for(payment),
            amount_total=20000,
            payment_intent="pi_test_1",
        ),
    )
    first = await post_stripe(client, event)
    assert first.status_code == 200, first.text
    assert first.json() == {"received": True, "outcome": "processed"}
    assert await counters(session, user.id) == (50, 50)
    stored = await fresh_payment(session, payment.id)
    assert stored.status == PaymentStatus.SUCCEEDED
    assert stored.transaction_id == "pi_test_1"
    assert stored.payment_date is not None
    assert stored.fulfilled_at is not None
    sent = await emails_to(session, user.email)
    assert sorted(e.template or "" for e in sent) == sorted(
        [billing_emails.LINKEDIN_TEMPLATE, billing_emails.RECEIPT_TEMPLATE]
    )
    receipt = next(e for e in sent if e.template == billing_emails.RECEIPT_TEMPLATE)
    assert "200.00 AED" in receipt.subject
    assert str(payment.id) in receipt.body_text

    again = await post_stripe(client, event)
    assert again.status_code == 200
    assert again.json()["outcome"] == "duplicate"
    assert await counters(session, user.id) == (50, 50)
    assert len(await emails_to(session, user.email)) == 2
    assert await _event_count(session) == 1


async def test_checkout_and_payment_intent_events_of_one_purchase_grant_once(
    client: httpx.AsyncClient, session: AsyncSession, user_factory: UserFactory
) -> None:
    user = await user_factory()
    payment = await make_payment(session, user.id, checkout_session_id="cs_both")
    intent = {
        "id": "pi_both",
        "object": "payment_intent",
        "amount": 20000,
        "amount_received": 20000,
        "currency": "aed",
        "status": "succeeded",
        "metadata": metadata_for(payment),
    }
    completed = checkout_completed_object(
        session_id="cs_both",
        metadata=metadata_for(payment),
        amount_total=20000,
        payment_intent="pi_both",
    )
    for event in (
        stripe_event("payment_intent.succeeded", intent),
        stripe_event("checkout.session.completed", completed),
    ):
        assert (await post_stripe(client, event)).json()["outcome"] == "processed"
    assert await counters(session, user.id) == (50, 50)
    assert len([r for r in await ledger_rows(session, user.id) if r.delta > 0]) == 2


async def test_an_unpaid_checkout_grants_nothing_until_the_payment_arrives(
    client: httpx.AsyncClient, session: AsyncSession, user_factory: UserFactory
) -> None:
    user = await user_factory()
    payment = await make_payment(session, user.id, checkout_session_id="cs_unpaid")
    unpaid = checkout_completed_object(
        session_id="cs_unpaid",
        metadata=metadata_for(payment),
        amount_total=20000,
        payment_intent="pi_unpaid",
        payment_status="unpaid",
    )
    response = await post_stripe(client, stripe_event("checkout.session.completed", unpaid))
    assert response.json()["outcome"] == "ignored"
    assert await counters(session, user.id) == (0, 0)
    assert (await fresh_payment(session, payment.id)).status == PaymentStatus.PENDING

    paid = dict(unpaid, payment_status="paid")
    response = await post_stripe(
        client, stripe_event("checkout.session.async_payment_succeeded", paid)
    )
    assert response.json()["outcome"] == "processed"
    assert await counters(session, user.id) == (50, 50)


async def test_a_service_without_credits_records_a_fulfilment_need(
    client: httpx.AsyncClient, session: AsyncSession, user_factory: UserFactory
) -> None:
    user = await user_factory()
    payment = await make_payment(session, user.id, "ats_cv", checkout_session_id="cs_ats")
    event = stripe_event(
        "checkout.session.completed",
        checkout_completed_object(
            session_id="cs_ats",
            metadata=metadata_for(payment),
            amount_total=4000,
            payment_intent="pi_ats",
        ),
    )
    assert (await post_stripe(client, event)).json()["outcome"] == "processed"
    stored = await fresh_payment(session, payment.id)
    assert stored.fulfilment_status == FulfilmentStatus.PENDING
    assert await counters(session, user.id) == (0, 0)
    templates = [e.template for e in await emails_to(session, user.email)]
    assert templates == [billing_emails.RECEIPT_TEMPLATE]  # no LinkedIn email for an ATS CV


async def test_an_underpaid_or_foreign_currency_payment_grants_nothing(
    client: httpx.AsyncClient, session: AsyncSession, user_factory: UserFactory
) -> None:
    user = await user_factory()
    payment = await make_payment(session, user.id, checkout_session_id="cs_cheap")
    for amount, currency in ((100, "aed"), (20000, "usd")):
        event = stripe_event(
            "checkout.session.completed",
            checkout_completed_object(
                session_id="cs_cheap",
                metadata=metadata_for(payment),
                amount_total=amount,
                payment_intent="pi_cheap",
                currency=currency,
            ),
        )
        assert (await post_stripe(client, event)).json()["outcome"] == "ignored"
    assert await counters(session, user.id) == (0, 0)
    assert (await fresh_payment(session, payment.id)).status == PaymentStatus.PENDING


async def test_a_payment_we_lost_is_recovered_from_its_metadata(
    client: httpx.AsyncClient, session: AsyncSession, user_factory: UserFactory
) -> None:
    """The request that opened the checkout failed to commit after Stripe answered: the paid
    event still grants, from the metadata we sent."""
    user = await user_factory()
    metadata = {"user_id": str(user.id), "product_code": "ai_job_apply", "payment_id": ""}
    event = stripe_event(
        "checkout.session.completed",
        checkout_completed_object(
            session_id="cs_lost", metadata=metadata, amount_total=20000, payment_intent="pi_lost"
        ),
    )
    assert (await post_stripe(client, event)).json()["outcome"] == "processed"
    assert await counters(session, user.id) == (50, 50)


async def test_events_for_nobody_we_know_are_stored_and_ignored(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    orphan = stripe_event(
        "payment_intent.succeeded",
        {"id": "pi_orphan", "amount": 100, "currency": "aed", "metadata": {}},
    )
    other = stripe_event("invoice.finalized", {"id": "in_1"})
    for event in (orphan, other):
        response = await post_stripe(client, event)
        assert response.status_code == 200
        assert response.json()["outcome"] == "ignored"
        row = await stored_event(session, event["id"])
        assert row is not None
        assert row.processed_at is not None
        assert row.error


# --- failures, retries and ordering ------------------------------------------------------------


async def test_a_failed_payment_then_a_retry_that_succeeds(
    client: httpx.AsyncClient, session: AsyncSession, user_factory: UserFactory
) -> None:
    user = await user_factory()
    payment = await make_payment(session, user.id, transaction_id="pi_retry")
    intent = {
        "id": "pi_retry",
        "amount": 20000,
        "currency": "aed",
        "metadata": metadata_for(payment),
        "last_payment_error": {"message": "Your card was declined."},
    }
    failed = stripe_event("payment_intent.payment_failed", intent)
    assert (await post_stripe(client, failed)).json()["outcome"] == "processed"
    stored = await fresh_payment(session, payment.id)
    assert stored.status == PaymentStatus.FAILED
    assert stored.details
    assert stored.details["failure"] == "Your card was declined."

    succeeded = stripe_event("payment_intent.succeeded", dict(intent, amount_received=20000))
    assert (await post_stripe(client, succeeded)).json()["outcome"] == "processed"
    assert (await fresh_payment(session, payment.id)).status == PaymentStatus.SUCCEEDED

    # A failure notice delivered late never undoes the success.
    late = stripe_event("payment_intent.payment_failed", intent)
    assert (await post_stripe(client, late)).json()["outcome"] == "ignored"
    assert (await fresh_payment(session, payment.id)).status == PaymentStatus.SUCCEEDED
    assert await counters(session, user.id) == (50, 50)


async def test_a_failing_handler_rolls_everything_back_and_the_retry_succeeds(
    client: httpx.AsyncClient,
    session: AsyncSession,
    user_factory: UserFactory,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    user = await user_factory()
    payment = await make_payment(session, user.id, checkout_session_id="cs_boom")
    event = stripe_event(
        "checkout.session.completed",
        checkout_completed_object(
            session_id="cs_boom",
            metadata=metadata_for(payment),
            amount_total=20000,
            payment_intent="pi_boom",
        ),
    )

    async def broken(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("mail queue down")

    # Fails after the credits were granted in the same transaction.
    monkeypatch.setattr(billing_emails, "send_receipt", broken)
    response = await post_stripe(client, event)
    assert_error(response, 500, "webhook_processing_failed")
    assert "mail queue" not in response.text
    assert await stored_event(session, event["id"]) is None
    assert await counters(session, user.id) == (0, 0)
    assert await ledger_rows(session, user.id) == []
    assert (await fresh_payment(session, payment.id)).status == PaymentStatus.PENDING

    monkeypatch.undo()
    retried = await post_stripe(client, event)
    assert retried.json()["outcome"] == "processed"
    assert await counters(session, user.id) == (50, 50)


@pytest.mark.slow
async def test_one_checkout_replayed_1000_times_and_out_of_order_with_its_refund(
    client: httpx.AsyncClient,
    session: AsyncSession,
    user_factory: UserFactory,
    stripe_client: StripeClient,
) -> None:
    """The refund arrives first (kept until the payment is known), then the completion, then
    1,000 deliveries of both in random order: granted once, reversed once."""
    user = await user_factory()
    payment = await make_payment(session, user.id, checkout_session_id="cs_replay")
    intent_id = await _paid_intent(stripe_client, metadata_for(payment), 20000)
    await stripe_client.create_refund(payment_intent_id=intent_id, idempotency_key="full-refund")
    refund_event = await _charge_refunded_event(stripe_client, intent_id)
    assert refund_event["data"]["object"]["amount_refunded"] == 20000
    completed = stripe_event(
        "checkout.session.completed",
        checkout_completed_object(
            session_id="cs_replay",
            metadata=metadata_for(payment),
            amount_total=20000,
            payment_intent=intent_id,
        ),
    )

    first = await post_stripe(client, refund_event)
    assert first.json()["outcome"] == "deferred"
    assert await counters(session, user.id) == (0, 0)
    assert (await post_stripe(client, completed)).json()["outcome"] == "processed"

    rng = random.Random(8)
    outcomes: dict[str, int] = {}
    for _ in range(1000):
        event = completed if rng.random() < 0.5 else refund_event
        outcome = (await post_stripe(client, event)).json()["outcome"]
        outcomes[outcome] = outcomes.get(outcome, 0) + 1
    assert outcomes == {"duplicate": 1000}

    rows = await ledger_rows(session, user.id)
    assert sorted((r.credit_type.value, r.delta, r.reason) for r in rows) == [
        ("aiJobApplyCount", -50, "refund"),
        ("aiJobApplyCount", 50, "purchase"),
        ("jobCount", -50, "refund"),
        ("jobCount", 50, "purchase"),
    ]
    assert await counters(session, user.id) == (0, 0)
    stored = await fresh_payment(session, payment.id)
    assert stored.status == PaymentStatus.REFUNDED
    assert stored.amount_refunded == Decimal("200.00")
    assert await _event_count(session) == 2
    # Refunded before we heard it was paid: no receipt for money given back.
    assert await emails_to(session, user.email) == []


async def test_a_refund_after_credits_were_used_reverses_what_is_left_and_records_the_rest(
    client: httpx.AsyncClient,
    session: AsyncSession,
    user_factory: UserFactory,
    stripe_client: StripeClient,
) -> None:
    user = await user_factory()
    payment = await make_payment(session, user.id, checkout_session_id="cs_used")
    intent_id = await _paid_intent(stripe_client, metadata_for(payment), 20000)
    completed = stripe_event(
        "checkout.session.completed",
        checkout_completed_object(
            session_id="cs_used",
            metadata=metadata_for(payment),
            amount_total=20000,
            payment_intent=intent_id,
        ),
    )
    assert (await post_stripe(client, completed)).json()["outcome"] == "processed"
    await ledger.spend(session, user.id, AI, 30, "ai-apply-batch-1")
    await session.commit()

    await stripe_client.create_refund(payment_intent_id=intent_id, idempotency_key="r-used")
    response = await post_stripe(client, await _charge_refunded_event(stripe_client, intent_id))
    assert response.json()["outcome"] == "processed"
    assert await counters(session, user.id) == (0, 0)
    refunds = [r for r in await ledger_rows(session, user.id) if r.reason == "refund"]
    by_type = {r.credit_type: (r.delta, r.shortfall) for r in refunds}
    assert by_type == {AI: (-20, 30), JOBS: (-50, 0)}


async def test_partial_refunds_reverse_in_proportion_and_late_ones_change_nothing(
    client: httpx.AsyncClient,
    session: AsyncSession,
    user_factory: UserFactory,
    stripe_client: StripeClient,
) -> None:
    user = await user_factory()
    payment = await make_payment(session, user.id, checkout_session_id="cs_partial")
    intent_id = await _paid_intent(stripe_client, metadata_for(payment), 20000)
    completed = stripe_event(
        "checkout.session.completed",
        checkout_completed_object(
            session_id="cs_partial",
            metadata=metadata_for(payment),
            amount_total=20000,
            payment_intent=intent_id,
        ),
    )
    await post_stripe(client, completed)

    await stripe_client.create_refund(
        payment_intent_id=intent_id, amount=10000, idempotency_key="half"
    )
    half = await _charge_refunded_event(stripe_client, intent_id)
    assert (await post_stripe(client, half)).json()["outcome"] == "processed"
    assert await counters(session, user.id) == (25, 25)
    assert (await fresh_payment(session, payment.id)).status == PaymentStatus.PARTIALLY_REFUNDED

    await stripe_client.create_refund(
        payment_intent_id=intent_id, amount=10000, idempotency_key="rest"
    )
    full = await _charge_refunded_event(stripe_client, intent_id)
    assert (await post_stripe(client, full)).json()["outcome"] == "processed"
    assert await counters(session, user.id) == (0, 0)

    # The first refund's notice delivered again under a new event id (Stripe resends): no effect.
    late = stripe_event("charge.refunded", half["data"]["object"])
    assert (await post_stripe(client, late)).json()["outcome"] == "processed"
    assert await counters(session, user.id) == (0, 0)
    stored = await fresh_payment(session, payment.id)
    assert stored.status == PaymentStatus.REFUNDED
    assert sum(-r.delta for r in await ledger_rows(session, user.id) if r.delta < 0) == 100


# --- subscriptions -----------------------------------------------------------------------------


def _subscription(status: str, **extra: Any) -> dict[str, Any]:
    obj: dict[str, Any] = {
        "id": "sub_1",
        "object": "subscription",
        "customer": "cus_sub",
        "status": status,
        "start_date": 1_790_000_000,
        "cancel_at_period_end": False,
        "metadata": {},
        "items": {
            "data": [{"price": {"id": "price_monthly"}, "current_period_end": 1_792_600_000}]
        },
    }
    obj.update(extra)
    return obj


async def test_subscription_events_newest_wins_whatever_the_delivery_order(
    client: httpx.AsyncClient, session: AsyncSession, user_factory: UserFactory
) -> None:
    user: User = await user_factory()
    session.add(
        BillingCustomer(user_id=user.id, provider=PaymentProvider.STRIPE, customer_id="cus_sub")
    )
    await session.commit()
    t = 1_790_000_000
    created = stripe_event("customer.subscription.created", _subscription("active"), created=t)
    past_due = stripe_event(
        "customer.subscription.updated", _subscription("past_due"), created=t + 200
    )
    stale = stripe_event("customer.subscription.updated", _subscription("active"), created=t + 100)
    deleted = stripe_event(
        "customer.subscription.deleted",
        _subscription("canceled", ended_at=t + 300),
        created=t + 300,
    )
    same_second = stripe_event(
        "customer.subscription.updated", _subscription("active"), created=t + 300
    )

    async def current() -> Subscription:
        return (
            await session.execute(
                select(Subscription)
                .where(Subscription.provider_subscription_id == "sub_1")
                .execution_options(populate_existing=True)
            )
        ).scalar_one()

    # Delivered out of order: the update first, then the (older) creation.
    assert (await post_stripe(client, past_due)).json()["outcome"] == "processed"
    assert (await post_stripe(client, created)).json()["outcome"] == "ignored"
    assert (await post_stripe(client, stale)).json()["outcome"] == "ignored"
    sub = await current()
    assert sub.status == SubscriptionStatus.PAST_DUE
    assert sub.user_id == user.id
    assert sub.plan == "price_monthly"
    assert sub.current_period_end is not None

    assert (await post_stripe(client, deleted)).json()["outcome"] == "processed"
    assert (await post_stripe(client, same_second)).json()["outcome"] == "ignored"
    sub = await current()
    assert sub.status == SubscriptionStatus.CANCELED
    assert sub.end_date is not None
    assert int(sub.end_date.timestamp()) == t + 300


async def test_a_subscription_of_an_unknown_customer_is_ignored(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    event = stripe_event("customer.subscription.created", _subscription("active", customer="cus_x"))
    assert (await post_stripe(client, event)).json()["outcome"] == "ignored"
    assert (await session.execute(select(func.count()).select_from(Subscription))).scalar_one() == 0


# --- signatures over HTTP ----------------------------------------------------------------------


async def test_bad_missing_and_expired_signatures_are_400_and_store_nothing(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    event = stripe_event("payment_intent.succeeded", {"id": "pi_sig", "metadata": {}})
    body = json.dumps(event).encode()
    missing = await client.post("/api/webhooks/stripe", content=body)
    assert_error(missing, 400, "missing_signature")
    forged = await post_stripe(client, event, secret="whsec_attacker")
    assert_error(forged, 400, "invalid_signature")
    expired = await post_stripe(client, event, timestamp=int(time.time()) - 301)
    assert_error(expired, 400, "signature_expired")
    tampered = await post_stripe(
        client, body.replace(b"pi_sig", b"pi_evil"), signature=stripe_signature(body)
    )
    assert_error(tampered, 400, "invalid_signature")
    assert await _event_count(session) == 0


async def test_an_oversized_body_is_refused(client: httpx.AsyncClient) -> None:
    body = b'{"pad": "' + b"x" * (600 * 1024) + b'"}'
    response = await post_stripe(client, body)
    assert_error(response, 413, "webhook_too_large")
