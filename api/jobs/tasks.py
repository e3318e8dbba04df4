"""Background work of the jobs domain, run by ``tabashir worker``."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from api.jobs import repository
from api.state import AppState


async def expire_jobs_task(
    session: AsyncSession, state: AppState, payload: dict[str, Any]
) -> dict[str, Any]:
    """Store ``expired`` on open jobs past their ``expires_at``. Reads never wait for it (they
    compute expiry themselves); it keeps the stored status honest for exports and indexes."""
    return {"expired": await repository.expire_due(session)}
