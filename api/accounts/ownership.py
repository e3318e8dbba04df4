"""Object-level access: a user reads and changes only what is theirs.

Another user's object answers exactly like a missing one (404), never 403, which would confirm
that it exists. Use ``get_owned`` in repositories / services of owned resources (resumes,
applications, payments, ...)::

    resume = await get_owned(session, Resume, resume_id, user.id, what="Resume")
"""

from __future__ import annotations

import uuid
from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from api.errors import NotFound

T = TypeVar("T")


async def get_owned(
    session: AsyncSession,
    model: type[T],
    object_id: uuid.UUID,
    owner_id: uuid.UUID,
    *,
    what: str = "Object",
    owner_column: str = "user_id",
    for_update: bool = False,
) -> T:
    """The row ``object_id`` of ``model`` if ``owner_id`` owns it, else NotFound."""
    entity: Any = model
    stmt = select(entity).where(entity.id == object_id, getattr(entity, owner_column) == owner_id)
    if for_update:
        stmt = stmt.with_for_update()
    row = (await session.execute(stmt)).scalar_one_or_none()
    if row is None:
        code = f"{what.lower().replace(' ', '_')}_not_found"
        raise NotFound(f"{what} not found", code=code)
    found: T = row
    return found
