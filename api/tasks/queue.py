"""The Postgres-backed work queue: enqueue in the caller's transaction, claim with SKIP LOCKED.

A task is enqueued in the same transaction as the change that needs it, so it exists exactly when
the change does. Workers claim one row at a time; a worker that dies leaves its task ``running``
with an old ``locked_at``, and :func:`requeue_stale` hands it to another worker.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from models import Task
from models.enums import TaskStatus


async def enqueue(
    session: AsyncSession,
    kind: str,
    payload: dict[str, Any] | None = None,
    run_after: datetime | None = None,
) -> Task:
    task = Task(id=uuid.uuid4(), kind=kind, payload=payload or {})
    if run_after is not None:
        task.run_after = run_after
    session.add(task)
    await session.flush()
    return task


async def claim(session: AsyncSession) -> Task | None:
    """Take the oldest runnable task, or None. Commit soon after: the row lock is the claim."""
    task = (
        await session.execute(
            select(Task)
            .where(Task.status == TaskStatus.QUEUED, Task.run_after <= func.now())
            .order_by(Task.run_after, Task.created_at)
            .limit(1)
            .with_for_update(skip_locked=True)
        )
    ).scalar_one_or_none()
    if task is None:
        return None
    task.status = TaskStatus.RUNNING
    task.attempts += 1
    task.locked_at = func.now()
    await session.flush()
    await session.refresh(task)
    return task


async def complete(session: AsyncSession, task: Task, result: dict[str, Any]) -> None:
    task.status = TaskStatus.SUCCEEDED
    task.result = result
    task.progress = 1.0
    task.locked_at = None
    task.error = None
    await session.flush()


async def fail(session: AsyncSession, task: Task, error: str) -> None:
    """Retry with exponential backoff until ``max_attempts``, then mark the task failed."""
    task.error = error[:2000]
    task.locked_at = None
    if task.attempts >= task.max_attempts:
        task.status = TaskStatus.FAILED
    else:
        task.status = TaskStatus.QUEUED
        delay = timedelta(seconds=min(3600, 2**task.attempts * 5))
        task.run_after = func.now() + delay
    await session.flush()


async def requeue_stale(session: AsyncSession, older_than: timedelta) -> int:
    """Put back tasks whose worker vanished (claimed longer ago than ``older_than``)."""
    result = await session.execute(
        update(Task)
        .where(Task.status == TaskStatus.RUNNING, Task.locked_at < func.now() - older_than)
        .values(status=TaskStatus.QUEUED, locked_at=None)
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]
