"""Webhook signature checks of both providers, on the wrappers (no database, no HTTP)."""

from __future__ import annotations

import json
import time

import pytest

from api.errors import BadInput
from api.integrations import ziina
from api.integrations.stripe import StripeClient
from tests.api.billing.helpers import WEBHOOK_SECRET, ZIINA_SECRET, stripe_event, stripe_signature

pytestmark = pytest.mark.unit


def _client(tolerance_s: int = 300) -> StripeClient:
    # No request is made: only the signature check is exercised.
    return StripeClient(
        api_key="sk_test_unused", webhook_secret=WEBHOOK_SECRET, tolerance_s=tolerance_s
    )


def _body() -> bytes:
    return json.dumps(stripe_event("payment_intent.succeeded", {"id": "pi_1"})).encode()


def _code(exc: pytest.ExceptionInfo[BadInput]) -> str:
    return exc.value.code


async def test_a_correctly_signed_event_is_returned_as_plain_json() -> None:
    client = _client()
    body = _body()
    event = client.construct_event(body, stripe_signature(body))
    assert event == json.loads(body)
    await client.close()


@pytest.mark.parametrize(
    ("header", "code"),
    [
        (None, "missing_signature"),
        ("", "missing_signature"),
        ("garbage", "invalid_signature"),
        ("t=notanumber,v1=abc", "invalid_signature"),
        ("t=1700000000", "invalid_signature"),
    ],
)
async def test_missing_or_malformed_signatures_are_refused(header: str | None, code: str) -> None:
    client = _client()
    with pytest.raises(BadInput) as exc:
        client.construct_event(_body(), header)
    assert _code(exc) == code
    await client.close()


async def test_a_signature_with_another_secret_is_refused() -> None:
    client = _client()
    body = _body()
    with pytest.raises(BadInput) as exc:
        client.construct_event(body, stripe_signature(body, secret="whsec_someone_else"))
    assert _code(exc) == "invalid_signature"
    await client.close()


async def test_a_tampered_body_is_refused() -> None:
    client = _client()
    body = _body()
    header = stripe_signature(body)
    with pytest.raises(BadInput) as exc:
        client.construct_event(body.replace(b"pi_1", b"pi_2"), header)
    assert _code(exc) == "invalid_signature"
    await client.close()


async def test_an_old_signature_is_expired_and_the_tolerance_is_honoured() -> None:
    client = _client(tolerance_s=300)
    body = _body()
    now = int(time.time())
    with pytest.raises(BadInput) as exc:
        client.construct_event(body, stripe_signature(body, timestamp=now - 301))
    assert _code(exc) == "signature_expired"
    # Just inside the window is accepted.
    assert client.construct_event(body, stripe_signature(body, timestamp=now - 290))["id"]
    await client.close()


async def test_a_signature_from_the_far_future_is_refused() -> None:
    client = _client(tolerance_s=300)
    body = _body()
    with pytest.raises(BadInput) as exc:
        client.construct_event(body, stripe_signature(body, timestamp=int(time.time()) + 3600))
    assert _code(exc) == "invalid_signature"
    await client.close()


@pytest.mark.parametrize("tolerance", [0, -1])
def test_a_tolerance_that_would_disable_replay_protection_is_refused(tolerance: int) -> None:
    with pytest.raises(ValueError, match="positive"):
        _client(tolerance_s=tolerance)


async def test_a_signed_body_that_is_not_an_event_is_refused() -> None:
    client = _client()
    for body in (b'{"object": "event"}', b'{"id": "evt_1", "type": "x", "created": 1}'):
        with pytest.raises(BadInput) as exc:
            client.construct_event(body, stripe_signature(body))
        assert _code(exc) == "invalid_payload"
    body = b"not json"
    with pytest.raises(BadInput) as exc:
        client.construct_event(body, stripe_signature(body))
    assert _code(exc) in ("invalid_payload", "invalid_signature")
    await client.close()


# --- Ziina -------------------------------------------------------------------------------------


def _ziina_body() -> bytes:
    return json.dumps(
        {"event": "payment_intent.status.updated", "data": {"id": "zpi_1", "status": "completed"}}
    ).encode()


def test_ziina_accepts_the_hex_hmac_of_the_body_in_either_case() -> None:
    body = _ziina_body()
    signature = ziina.sign(body, ZIINA_SECRET)
    assert len(signature) == 64
    ziina.verify_signature(body, signature, ZIINA_SECRET)
    ziina.verify_signature(body, signature.upper(), ZIINA_SECRET)


@pytest.mark.parametrize(
    ("signature", "code"),
    [
        (None, "missing_signature"),
        ("", "missing_signature"),
        ("00" * 32, "invalid_signature"),
        ("abc", "invalid_signature"),
    ],
)
def test_ziina_refuses_missing_and_wrong_signatures(signature: str | None, code: str) -> None:
    with pytest.raises(BadInput) as exc:
        ziina.verify_signature(_ziina_body(), signature, ZIINA_SECRET)
    assert exc.value.code == code


def test_ziina_refuses_another_secret_and_a_tampered_body() -> None:
    body = _ziina_body()
    with pytest.raises(BadInput):
        ziina.verify_signature(body, ziina.sign(body, "another-secret"), ZIINA_SECRET)
    with pytest.raises(BadInput):
        ziina.verify_signature(
            body.replace(b"completed", b"failed"), ziina.sign(body, ZIINA_SECRET), ZIINA_SECRET
        )


def test_ziina_event_ids_name_one_status_of_one_object() -> None:
    event = ziina.parse_event(_ziina_body())
    assert event.event_id == "payment_intent.status.updated:zpi_1:completed"
    with pytest.raises(BadInput):
        ziina.parse_event(b'{"event": "x", "data": {}}')
    with pytest.raises(BadInput):
        ziina.parse_event(b"[1, 2]")
