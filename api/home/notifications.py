"""In-app notifications: written in the transaction of the change they announce (a new
application, a stage change), read and marked read by their owner only."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from api.accounts.ownership import get_owned
from models import Notification

KIND_APPLICATION_SUBMITTED = "application_submitted"
KIND_NEW_APPLICANT = "new_applicant"
KIND_STAGE_CHANGED = "application_stage_changed"
KIND_BULK_APPLIED = "ai_applications_sent"


def notify(
    session: AsyncSession,
    user_id: uuid.UUID,
    kind: str,
    title: str,
    body: str = "",
    data: dict[str, Any] | None = None,
) -> Notification:
    """Add a notification to the caller's transaction (it exists exactly when the change does)."""
    note = Notification(user_id=user_id, kind=kind, title=title[:300], body=body, data=data)
    session.add(note)
    return note


async def list_notifications(
    session: AsyncSession, user_id: uuid.UUID, *, unread_only: bool, offset: int, limit: int
) -> tuple[Sequence[Notification], int, int]:
    """(page of notifications, newest first; total matching; unread in all)."""
    conditions = [Notification.user_id == user_id]
    if unread_only:
        conditions.append(Notification.read_at.is_(None))
    total = (
        await session.execute(select(func.count()).select_from(Notification).where(*conditions))
    ).scalar_one()
    unread = (
        await session.execute(
            select(func.count())
            .select_from(Notification)
            .where(Notification.user_id == user_id, Notification.read_at.is_(None))
        )
    ).scalar_one()
    rows = (
        (
            await session.execute(
                select(Notification)
                .where(*conditions)
                .order_by(Notification.created_at.desc(), Notification.id.desc())
                .offset(offset)
                .limit(limit)
            )
        )
        .scalars()
        .all()
    )
    return rows, int(total), int(unread)


async def unread_count(session: AsyncSession, user_id: uuid.UUID) -> int:
    return int(
        (
            await session.execute(
                select(func.count())
                .select_from(Notification)
                .where(Notification.user_id == user_id, Notification.read_at.is_(None))
            )
        ).scalar_one()
    )


async def mark_read(
    session: AsyncSession, user_id: uuid.UUID, notification_id: uuid.UUID
) -> Notification:
    """Mark one of the user's notifications read (idempotent); another user's is a 404."""
    note = await get_owned(session, Notification, notification_id, user_id, what="Notification")
    if note.read_at is None:
        note.read_at = datetime.now(UTC)
        await session.flush()
    return note


async def mark_all_read(session: AsyncSession, user_id: uuid.UUID) -> int:
    result = await session.execute(
        update(Notification)
        .where(Notification.user_id == user_id, Notification.read_at.is_(None))
        .values(read_at=func.now())
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]
