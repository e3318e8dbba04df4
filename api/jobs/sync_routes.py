"""/api/mobile/sync-jobs: import the configured job feeds through the ingestion pipeline."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request

from api.deps import SessionDep
from api.errors import Forbidden
from api.jobs.access import CallerDep
from api.jobs.normaliser import skill_normaliser
from api.jobs.schemas import SyncResult
from api.jobs.service import queue_embedding
from ingestion.jobs import FeedSettings, get_feed_settings, sync_sources
from models.enums import Permission

router = APIRouter(tags=["jobs"])


def feed_settings() -> FeedSettings:
    """The configured feeds (``TABASHIR_FEED_SOURCES``); tests override this dependency."""
    return get_feed_settings()


FeedSettingsDep = Annotated[FeedSettings, Depends(feed_settings)]


@router.get(
    "/api/mobile/sync-jobs",
    response_model=SyncResult,
    summary="Sync jobs from the configured feeds",
    responses={403: {"description": "Needs MANAGE_JOBS (or X-API-TOKEN)"}},
)
async def sync_jobs(
    request: Request, session: SessionDep, caller: CallerDep, settings: FeedSettingsDep
) -> SyncResult:
    """Fetch every configured feed and ingest it (admins with MANAGE_JOBS, or X-API-TOKEN).
    A feed that fails is reported and the others go on; vectors are left to the queued
    ``embed_missing`` task, so the request never runs the model."""
    if not caller.has(Permission.MANAGE_JOBS):
        raise Forbidden(
            f"This needs the {Permission.MANAGE_JOBS.value} permission", code="permission_required"
        )
    # ETags of the last answers, per process: unchanged feeds are skipped with a 304.
    etags: dict[str, str] = request.app.state.__dict__.setdefault("feed_etags", {})
    results = await sync_sources(session, skill_normaliser(), None, settings=settings, etags=etags)
    changed = any(r.report is not None and (r.report.created or r.report.updated) for r in results)
    task_id = await queue_embedding(session) if changed else None
    sources: list[dict[str, Any]] = [r.as_dict() for r in results]
    return SyncResult(sources=sources, embed_task_id=task_id)
