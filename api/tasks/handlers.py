"""What the worker knows how to do. Each handler takes (session, state, payload) → result dict."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from api.accounts.ratelimit import purge_rate_limits_task
from api.ai_resume.tasks import build_ai_resume_task
from api.indexer import refresh_indexes
from api.integrations.email import deliver_email_task
from api.jobs.tasks import expire_jobs_task
from api.resumes.tasks import delete_stored_file_task
from api.state import AppState

Handler = Callable[[AsyncSession, AppState, dict[str, Any]], Awaitable[dict[str, Any]]]


async def embed_missing(
    session: AsyncSession, state: AppState, payload: dict[str, Any]
) -> dict[str, Any]:
    """Embed jobs and CVs that have no vector yet (created through the API or a feed) and
    replay pending changes into the lexical index."""
    report = await refresh_indexes(session, state.embedder, state.lexical)
    return {
        "jobs": report.jobs_embedded,
        "resumes": report.resumes_embedded,
        "lexical_synced": report.lexical_synced,
        "outbox_drained": report.outbox_drained,
        "elasticsearch_synced": report.elasticsearch_synced,
        "skipped_locked": report.skipped_locked,
    }


async def refresh_recommendations_task(
    session: AsyncSession, state: AppState, payload: dict[str, Any]
) -> dict[str, Any]:
    """Recompute the stored batch recommendations (enqueued after the demo data is loaded; the
    nightly `tabashir reindex` does it otherwise). Announces only pairs never announced."""
    from matching.batch import refresh_recommendations

    # Vectors first (a no-op when `embed_missing` ran already): recommendations read them.
    await refresh_indexes(session, state.embedder, state.lexical)
    await session.commit()
    report = await refresh_recommendations(
        session, state.embedder.model_id, checkpoint=session.commit
    )
    return report.as_dict()


HANDLERS: dict[str, Handler] = {
    "refresh_recommendations": refresh_recommendations_task,
    "embed_missing": embed_missing,
    "ai_resume_build": build_ai_resume_task,
    "delete_stored_file": delete_stored_file_task,
    "expire_jobs": expire_jobs_task,
    "deliver_email": deliver_email_task,
    "purge_rate_limits": purge_rate_limits_task,
}
