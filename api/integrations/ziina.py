"""Ziina (the UAE payment provider of the seed): webhook signature checks and event parsing.

Ziina signs a webhook with ``X-Hmac-Signature``: the hex HMAC-SHA256 of the raw body under the
secret registered with the webhook. The signature carries no timestamp, so a captured delivery
can be replayed; that is harmless here because every event is acted on once (see
``ZiinaEvent.event_id``) and payment states only move forward.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass
from typing import Any

from api.errors import BadInput

SIGNATURE_HEADER = "X-Hmac-Signature"
#: A SHA-256 digest is 32 bytes: 64 hex characters.
_HEX_DIGEST_CHARS = 64


@dataclass(frozen=True)
class ZiinaEvent:
    type: str
    data: dict[str, Any]
    payload: dict[str, Any]

    @property
    def event_id(self) -> str:
        """Ziina events carry no id of their own: one object reaching one status is one event."""
        return f"{self.type}:{self.data['id']}:{self.data.get('status', '')}"


def sign(body: bytes, secret: str) -> str:
    """The ``X-Hmac-Signature`` Ziina sends for ``body``."""
    return hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def verify_signature(body: bytes, signature: str | None, secret: str) -> None:
    """Raise ``BadInput`` (missing_signature / invalid_signature) unless ``signature`` is the
    HMAC-SHA256 of ``body`` under ``secret``. The comparison takes constant time."""
    if not secret:
        raise ValueError("a Ziina webhook secret is required")
    if not signature:
        raise BadInput(f"Missing {SIGNATURE_HEADER} header", code="missing_signature")
    candidate = signature.strip().lower()
    if candidate.startswith("sha256="):
        candidate = candidate[len("sha256=") :]
    expected = sign(body, secret)
    # compare_digest on bytes of equal length; a wrong length is simply a mismatch.
    if len(candidate) != _HEX_DIGEST_CHARS or not hmac.compare_digest(
        candidate.encode(), expected.encode()
    ):
        raise BadInput("Invalid webhook signature", code="invalid_signature")


def parse_event(body: bytes) -> ZiinaEvent:
    """The event of a verified body: ``{"event": "...", "data": {"id": "...", ...}}``."""
    try:
        payload = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        raise BadInput("The webhook body is not JSON", code="invalid_payload") from None
    if not isinstance(payload, dict):
        raise BadInput("The webhook body is not a Ziina event", code="invalid_payload")
    kind = payload.get("event")
    data = payload.get("data")
    if (
        not isinstance(kind, str)
        or not isinstance(data, dict)
        or not isinstance(data.get("id"), str)
    ):
        raise BadInput("The webhook body is not a Ziina event", code="invalid_payload")
    if len(kind) > 80 or len(data["id"]) > 120:
        raise BadInput("The webhook body is not a Ziina event", code="invalid_payload")
    return ZiinaEvent(type=kind, data=data, payload=payload)
