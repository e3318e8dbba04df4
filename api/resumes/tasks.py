"""Background work of the CV services (registered in api/tasks/handlers.py)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from api.integrations.storage import Storage, get_storage
from api.resumes import repository
from api.state import AppState


async def delete_stored_file(session: AsyncSession, storage: Storage, key: str) -> dict[str, Any]:
    """Remove a deleted CV's file, unless another CV (a duplicate) still uses it."""
    if not key:
        return {"deleted": False, "reason": "no key"}
    if await repository.storage_key_in_use(session, key):
        return {"deleted": False, "reason": "in use"}
    await storage.delete(key)
    return {"deleted": True}


async def delete_stored_file_task(
    session: AsyncSession, state: AppState, payload: dict[str, Any]
) -> dict[str, Any]:
    """The ``delete_stored_file`` task: payload ``{"key": ...}``."""
    return await delete_stored_file(session, get_storage(), str(payload.get("key") or ""))
