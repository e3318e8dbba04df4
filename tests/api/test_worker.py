from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from api.state import AppState
from api.tasks import queue
from api.tasks.worker import run_one, run_worker
from models import Task
from models.enums import TaskStatus

pytestmark = pytest.mark.integration


@pytest.fixture(autouse=True)
async def _empty_queue(session: AsyncSession) -> None:
    """Start from an empty queue: tests that commit for real (subprocesses, concurrency) may
    have left tasks in the shared test database. Rolled back with the test."""
    await session.execute(delete(Task))
    await session.commit()


async def test_embed_missing_fills_vectors(
    app_state: AppState, session: AsyncSession, job_factory
) -> None:  # type: ignore[no-untyped-def]
    job = await job_factory(embedded=False, title="Civil Engineer")
    await queue.enqueue(session, "embed_missing")
    await session.commit()

    await run_worker(app_state, once=True)

    await session.refresh(job)
    assert job.embedding is not None
    assert job.embedding_model == app_state.embedder.model_id
    task = (await session.execute(select(Task))).scalar_one()
    await session.refresh(task)
    assert task.status == TaskStatus.SUCCEEDED
    assert task.result is not None
    assert (task.result["jobs"], task.result["resumes"]) == (1, 0)
    assert await app_state.lexical.count() == 1


async def test_failing_task_is_retried_later_then_marked_failed(
    app_state: AppState, session: AsyncSession
) -> None:
    calls: list[int] = []

    async def broken(_s: Any, _st: Any, _p: dict[str, Any]) -> dict[str, Any]:
        calls.append(1)
        raise ValueError("feed unreachable")

    task = await queue.enqueue(session, "broken")
    task.max_attempts = 2
    await session.commit()

    assert await run_one(app_state, {"broken": broken})
    await session.refresh(task)
    assert task.status == TaskStatus.QUEUED
    assert "feed unreachable" in (task.error or "")
    # Backoff: not runnable now.
    assert not await run_one(app_state, {"broken": broken})
    await session.execute(update(Task).values(run_after=Task.created_at))
    await session.commit()
    assert await run_one(app_state, {"broken": broken})
    await session.refresh(task)
    assert task.status == TaskStatus.FAILED
    assert len(calls) == 2


async def test_stale_running_task_is_requeued(session: AsyncSession) -> None:
    task = await queue.enqueue(session, "embed_missing")
    claimed = await queue.claim(session)
    assert claimed is not None
    assert claimed.id == task.id
    assert await queue.claim(session) is None  # nothing else runnable
    await session.execute(update(Task).values(locked_at=Task.created_at - timedelta(hours=1)))
    assert await queue.requeue_stale(session, timedelta(minutes=15)) == 1
    await session.refresh(task)
    assert task.status == TaskStatus.QUEUED
