"""Payment history for the user, admin views behind MANAGE_PAYMENTS, the catalogue route and
the service-to-service LinkedIn email."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from api.billing import emails as billing_emails
from models import Subscription
from models.enums import (
    AdminRole,
    PaymentProvider,
    PaymentStatus,
    Permission,
    SubscriptionStatus,
    UserType,
)
from tests.api.billing.conftest import UserFactory
from tests.api.billing.helpers import (
    checkout_completed_object,
    emails_to,
    fresh_payment,
    make_payment,
    metadata_for,
    post_stripe,
    stripe_event,
)
from tests.fixtures.users import (
    TEST_API_TOKEN,
    assert_cross_user_404,
    assert_error,
    auth_headers,
    bearer,
    enable_totp,
)

pytestmark = [pytest.mark.integration, pytest.mark.filterwarnings("ignore::DeprecationWarning")]


async def _pay(client: httpx.AsyncClient, session: AsyncSession, user_id, product: str, n: int):  # type: ignore[no-untyped-def]
    payment = await make_payment(
        session,
        user_id,
        product,
        checkout_session_id=f"cs_hist_{n}",
        created_at=datetime(2026, 11, 1, tzinfo=UTC) + timedelta(minutes=n),
    )
    amount = {"ai_job_apply": 20000, "ats_cv": 4000, "interview_training": 15000}[product]
    event = stripe_event(
        "checkout.session.completed",
        checkout_completed_object(
            session_id=f"cs_hist_{n}",
            metadata=metadata_for(payment),
            amount_total=amount,
            payment_intent=f"pi_hist_{n}",
        ),
    )
    assert (await post_stripe(client, event)).json()["outcome"] == "processed"
    return payment


async def test_products_are_public(client: httpx.AsyncClient) -> None:
    response = await client.get("/api/billing/products")
    assert response.status_code == 200
    items = {p["code"]: p for p in response.json()["items"]}
    assert items["ai_job_apply"]["amount"] == 200.0
    assert items["ai_job_apply"]["grants"] == {"aiJobApplyCount": 50, "jobCount": 50}
    assert items["ats_cv"]["nameAr"]
    assert items["ats_cv"]["fulfilment"]


async def test_latest_and_list_show_only_the_users_own_payments(
    client: httpx.AsyncClient, session: AsyncSession, user_factory: UserFactory
) -> None:
    alice, bob = await user_factory(), await user_factory()
    alice_h, bob_h = await auth_headers(client, alice), await auth_headers(client, bob)
    empty = await client.get("/api/payments/latest", headers=alice_h)
    assert empty.status_code == 200
    assert empty.json() == {"payment": None}

    await _pay(client, session, alice.id, "ats_cv", 1)
    second = await _pay(client, session, alice.id, "ai_job_apply", 2)
    await make_payment(session, bob.id, "interview_training")

    latest = (await client.get("/api/payments/latest", headers=alice_h)).json()["payment"]
    assert latest["id"] == str(second.id)
    assert latest["productName"] == "AI Job Apply"
    assert latest["amount"] == 200.0
    assert latest["status"] == "succeeded"
    assert latest["paymentDate"]

    page = await client.get("/api/payments", params={"limit": 1}, headers=alice_h)
    body = page.json()
    assert body["pagination"] == {"page": 1, "limit": 1, "total": 2, "pages": 2}
    assert len(body["items"]) == 1
    mine = await client.get("/api/payments", headers=bob_h)
    assert [p["productCode"] for p in mine.json()["items"]] == ["interview_training"]
    filtered = await client.get("/api/payments", params={"status": "succeeded"}, headers=bob_h)
    assert filtered.json()["items"] == []

    await assert_cross_user_404(client, "GET", f"/api/payments/{second.id}", alice_h, bob_h)
    assert_error(await client.get("/api/payments/latest"), 401)


async def test_latest_subscription(
    client: httpx.AsyncClient, session: AsyncSession, user_factory: UserFactory
) -> None:
    user = await user_factory()
    headers = await auth_headers(client, user)
    assert (await client.get("/api/subscription/latest", headers=headers)).json() == {
        "subscription": None
    }
    session.add(
        Subscription(
            user_id=user.id,
            provider=PaymentProvider.STRIPE,
            provider_subscription_id="sub_latest",
            plan="ai_job_apply",
            status=SubscriptionStatus.ACTIVE,
        )
    )
    await session.commit()
    body = (await client.get("/api/subscription/latest", headers=headers)).json()["subscription"]
    assert body["plan"] == "ai_job_apply"
    assert body["status"] == "active"
    assert body["cancelAtPeriodEnd"] is False


async def _admin(
    client: httpx.AsyncClient,
    user_factory: UserFactory,
    *,
    permissions: list[Permission],
    totp: bool,
) -> dict[str, str]:
    admin = await user_factory(
        user_type=UserType.ADMIN, admin_role=AdminRole.REGULAR_ADMIN, permissions=permissions
    )
    headers = await auth_headers(client, admin)
    if totp:
        _, confirmed = await enable_totp(client, headers)
        headers = bearer(confirmed["accessToken"])
    return headers


async def test_admin_views_need_manage_payments_with_a_second_factor(
    client: httpx.AsyncClient, session: AsyncSession, user_factory: UserFactory
) -> None:
    candidate = await user_factory()
    candidate_h = await auth_headers(client, candidate)
    assert_error(await client.get("/api/admin/payments", headers=candidate_h), 403)
    other_admin = await _admin(
        client, user_factory, permissions=[Permission.MANAGE_USERS], totp=True
    )
    assert_error(
        await client.get("/api/admin/payments", headers=other_admin), 403, "permission_required"
    )
    no_2fa = await _admin(
        client, user_factory, permissions=[Permission.MANAGE_PAYMENTS], totp=False
    )
    assert_error(
        await client.get("/api/admin/payments", headers=no_2fa), 403, "two_factor_required"
    )

    admin = await _admin(client, user_factory, permissions=[Permission.MANAGE_PAYMENTS], totp=True)
    ats = await _pay(client, session, candidate.id, "ats_cv", 10)
    ai = await _pay(client, session, candidate.id, "ai_job_apply", 11)
    listing = await client.get(
        "/api/admin/payments", params={"userId": str(candidate.id)}, headers=admin
    )
    assert listing.status_code == 200, listing.text
    assert listing.json()["pagination"]["total"] == 2
    pending = await client.get(
        "/api/admin/payments", params={"fulfilmentStatus": "pending"}, headers=admin
    )
    assert [p["id"] for p in pending.json()["items"]] == [str(ats.id)]

    detail = (await client.get(f"/api/admin/payments/{ai.id}", headers=admin)).json()
    assert sorted((e["creditType"], e["delta"]) for e in detail["ledger"]) == [
        ("aiJobApplyCount", 50),
        ("jobCount", 50),
    ]
    done = await client.post(
        f"/api/admin/payments/{ats.id}/fulfilment", json={"status": "done"}, headers=admin
    )
    assert done.status_code == 200
    assert done.json()["fulfilmentStatus"] == "done"
    nothing = await client.post(
        f"/api/admin/payments/{ai.id}/fulfilment", json={"status": "done"}, headers=admin
    )
    assert_error(nothing, 409, "nothing_to_fulfil")
    assert_error(
        await client.get("/api/admin/payments/00000000-0000-0000-0000-000000000000", headers=admin),
        404,
        "payment_not_found",
    )
    pending_payment = await make_payment(session, candidate.id, "ats_cv")
    refund = await client.post(
        f"/api/admin/payments/{pending_payment.id}/refund", json={}, headers=admin
    )
    assert_error(refund, 409, "not_refundable")
    assert (await fresh_payment(session, pending_payment.id)).status == PaymentStatus.PENDING


async def test_send_linkedin_email_is_service_to_service(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    url = "/api/v1/resume/send-linkedin-email"
    body = {"email": "Layla@Example.com", "name": "Layla"}
    assert_error(await client.post(url, json=body), 401, "invalid_api_token")
    assert_error(
        await client.post(url, json={"email": "nope"}, headers={"X-API-TOKEN": TEST_API_TOKEN}),
        422,
    )
    response = await client.post(url, json=body, headers={"X-API-TOKEN": TEST_API_TOKEN})
    assert response.status_code == 200, response.text
    assert response.json()["success"] is True
    sent = await emails_to(session, "Layla@example.com")
    assert [e.template for e in sent] == [billing_emails.LINKEDIN_TEMPLATE]
    assert "LinkedIn" in sent[0].body_text
    assert "لينكدإن" in sent[0].body_text
