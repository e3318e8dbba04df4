"""The worker loop: claim, run, record; one task per transaction so a crash loses nothing."""

from __future__ import annotations

import asyncio
import traceback
from datetime import timedelta

import structlog

from api.integrations.email import deliver_pending
from api.state import AppState
from api.tasks import queue
from api.tasks.handlers import HANDLERS, Handler

log = structlog.get_logger("tabashir.worker")


async def run_one(state: AppState, handlers: dict[str, Handler] | None = None) -> bool:
    """Run at most one task. Returns False when the queue had nothing runnable."""
    handlers = handlers or HANDLERS
    async with state.sessionmaker() as session:
        task = await queue.claim(session)
        await session.commit()  # the claim is visible before the work starts
        if task is None:
            return False
        handler = handlers.get(task.kind)
        try:
            if handler is None:
                raise LookupError(f"no handler for task kind {task.kind!r}")
            result = await handler(session, state, task.payload)
            await queue.complete(session, task, result)
            await session.commit()
            log.info("task done", task_id=str(task.id), kind=task.kind, result=result)
        except Exception as exc:
            await session.rollback()
            await session.refresh(task)
            await queue.fail(session, task, "".join(traceback.format_exception_only(exc)).strip())
            await session.commit()
            log.warning("task failed", task_id=str(task.id), kind=task.kind, error=str(exc))
    return True


async def run_worker(
    state: AppState,
    poll_s: float = 2.0,
    stale_after: timedelta = timedelta(minutes=15),
    once: bool = False,
) -> None:
    """Drain the queue; with ``once`` stop when it is empty, else poll for ever."""
    while True:
        await _poll(state, stale_after)
        if once:
            return
        await asyncio.sleep(poll_s)


async def _poll(state: AppState, stale_after: timedelta) -> None:
    async with state.sessionmaker() as session:
        requeued = await queue.requeue_stale(session, stale_after)
        await session.commit()
    if requeued:
        log.info("requeued stale tasks", count=requeued)
    if state.settings.email.enabled:
        # No scheduler: the outbox is delivered on every poll.
        async with state.sessionmaker() as session:
            await deliver_pending(session, state.settings.email)
            await session.commit()
    while await run_one(state):
        pass


async def run_in_process_worker(
    state: AppState, poll_s: float = 0.5, stale_after: timedelta = timedelta(minutes=15)
) -> None:
    """The worker `tabashir up` runs inside the API process (a task of the lifespan).

    It first catches up on anything left unindexed while nothing was running (an incremental
    refresh: rows without a vector and pending index changes only, so a restart with nothing
    changed embeds nothing), then polls the queue like `tabashir worker`. A failing poll (the
    database restarting, say) is logged and retried; cancelling the task stops it.
    """
    async with state.sessionmaker() as session:
        try:
            result = await HANDLERS["embed_missing"](session, state, {})
            await session.commit()
            log.info("worker caught up", **result)
        except Exception as exc:
            await session.rollback()
            log.warning("worker catch-up failed", error=str(exc))
    while True:
        try:
            await _poll(state, stale_after)
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            log.warning("worker poll failed", error=str(exc))
        await asyncio.sleep(poll_s)
