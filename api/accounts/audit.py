"""The audit trail of privileged and security-relevant actions (who did what to whom, when)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from models import AuditLog


@dataclass(frozen=True)
class RequestMeta:
    """Where a request came from: stored with sessions and audit entries."""

    ip: str | None = None
    user_agent: str | None = None
    request_id: str | None = None


async def record(
    session: AsyncSession,
    meta: RequestMeta,
    *,
    actor_id: uuid.UUID | None,
    action: str,
    entity_type: str,
    entity_id: uuid.UUID | str | None,
    data: dict[str, Any] | None = None,
) -> AuditLog:
    """Append one entry in the caller's transaction: it exists exactly when the action does."""
    entry = AuditLog(
        actor_id=actor_id,
        action=action,
        entity_type=entity_type,
        entity_id=str(entity_id) if entity_id is not None else None,
        data=data,
        ip=meta.ip,
        request_id=meta.request_id,
    )
    session.add(entry)
    await session.flush()
    return entry
