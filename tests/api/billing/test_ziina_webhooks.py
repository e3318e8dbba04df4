"""POST /api/webhooks/ziina: HMAC-signed events with the same once-only guarantees.

Ziina has no local server: its payloads are built here in the documented shape
(``{"event": ..., "data": <payment intent | refund>}``) and signed with the real scheme."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncSession

from api.billing.deps import billing_settings
from api.billing.settings import BillingSettings
from models.enums import PaymentProvider, PaymentStatus
from tests.api.billing.conftest import UserFactory
from tests.api.billing.helpers import (
    counters,
    fresh_payment,
    ledger_rows,
    make_payment,
    post_ziina,
    ziina_signature,
)
from tests.fixtures.users import assert_error

pytestmark = pytest.mark.integration


def _intent(intent_id: str, status: str, amount: int = 20000) -> dict[str, Any]:
    return {
        "event": "payment_intent.status.updated",
        "data": {
            "id": intent_id,
            "account_id": "acct_1",
            "amount": amount,
            "tip_amount": 0,
            "fee_amount": 0,
            "currency_code": "AED",
            "created_at": "1790000000000",
            "status": status,
            "operation_id": "5a7b6b6e-0000-4000-8000-000000000001",
        },
    }


def _refund(
    refund_id: str, intent_id: str, amount: int, status: str = "completed"
) -> dict[str, Any]:
    return {
        "event": "refund.status.updated",
        "data": {
            "id": refund_id,
            "payment_intent_id": intent_id,
            "amount": amount,
            "currency_code": "AED",
            "status": status,
        },
    }


async def test_a_completed_payment_grants_once(
    client: httpx.AsyncClient, session: AsyncSession, user_factory: UserFactory
) -> None:
    user = await user_factory()
    payment = await make_payment(
        session, user.id, provider=PaymentProvider.ZIINA, transaction_id="zpi_1"
    )
    pending = await post_ziina(client, _intent("zpi_1", "pending"))
    assert pending.json()["outcome"] == "ignored"
    for expected in ("processed", "duplicate", "duplicate"):
        response = await post_ziina(client, _intent("zpi_1", "completed"))
        assert response.status_code == 200, response.text
        assert response.json()["outcome"] == expected
    assert await counters(session, user.id) == (50, 50)
    assert (await fresh_payment(session, payment.id)).status == PaymentStatus.SUCCEEDED

    late_failure = await post_ziina(client, _intent("zpi_1", "failed"))
    assert late_failure.json()["outcome"] == "ignored"
    assert (await fresh_payment(session, payment.id)).status == PaymentStatus.SUCCEEDED


async def test_a_refund_before_completion_is_reversed_once_the_payment_completes(
    client: httpx.AsyncClient, session: AsyncSession, user_factory: UserFactory
) -> None:
    user = await user_factory()
    payment = await make_payment(
        session, user.id, provider=PaymentProvider.ZIINA, transaction_id="zpi_2"
    )
    assert (await post_ziina(client, _refund("zr_1", "zpi_2", 10000))).json()["outcome"] == (
        "processed"
    )
    assert await counters(session, user.id) == (0, 0)
    await post_ziina(client, _intent("zpi_2", "completed"))
    assert await counters(session, user.id) == (25, 25)
    # A second refund of the rest; the first one's notice again changes nothing.
    await post_ziina(client, _refund("zr_2", "zpi_2", 10000))
    await post_ziina(client, _refund("zr_1", "zpi_2", 10000))
    assert await counters(session, user.id) == (0, 0)
    stored = await fresh_payment(session, payment.id)
    assert stored.status == PaymentStatus.REFUNDED
    assert stored.amount_refunded == Decimal("200.00")
    assert sum(r.delta for r in await ledger_rows(session, user.id)) == 0


async def test_a_failed_payment_is_marked_failed(
    client: httpx.AsyncClient, session: AsyncSession, user_factory: UserFactory
) -> None:
    user = await user_factory()
    payment = await make_payment(
        session, user.id, provider=PaymentProvider.ZIINA, transaction_id="zpi_3"
    )
    assert (await post_ziina(client, _intent("zpi_3", "failed"))).json()["outcome"] == "processed"
    assert (await fresh_payment(session, payment.id)).status == PaymentStatus.FAILED
    assert await counters(session, user.id) == (0, 0)


async def test_underpayment_is_ignored(
    client: httpx.AsyncClient, session: AsyncSession, user_factory: UserFactory
) -> None:
    user = await user_factory()
    await make_payment(session, user.id, provider=PaymentProvider.ZIINA, transaction_id="zpi_4")
    response = await post_ziina(client, _intent("zpi_4", "completed", amount=100))
    assert response.json()["outcome"] == "ignored"
    assert await counters(session, user.id) == (0, 0)


async def test_bad_signatures_are_refused(client: httpx.AsyncClient) -> None:
    payload = _intent("zpi_5", "completed")
    assert_error(await post_ziina(client, payload, secret="wrong-secret"), 400, "invalid_signature")
    response = await client.post(
        "/api/webhooks/ziina", content=b'{"event": "x"}', headers={"X-Hmac-Signature": ""}
    )
    assert_error(response, 400, "missing_signature")
    body = b"not json"
    response = await client.post(
        "/api/webhooks/ziina", content=body, headers={"X-Hmac-Signature": ziina_signature(body)}
    )
    assert_error(response, 400, "invalid_payload")


async def test_unconfigured_ziina_answers_503(
    client: httpx.AsyncClient, app: FastAPI, billing: BillingSettings
) -> None:
    app.dependency_overrides[billing_settings] = lambda: billing.model_copy(
        update={"ziina_webhook_secret": None}
    )
    response = await post_ziina(client, _intent("zpi_6", "completed"))
    assert_error(response, 503, "ziina_not_configured")
