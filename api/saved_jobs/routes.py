"""/api/mobile/saved-jobs: a candidate's bookmarks."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query, Response, status

from api.applications.schemas import JobSummary, MobileJobSummary
from api.deps import CandidateUser, SessionDep
from api.errors import NotFound
from api.jobs.repository import get_job
from api.jobs.schemas import page_of
from api.saved_jobs import repository
from api.saved_jobs.schemas import SavedJobList, SavedJobOut, SaveJobIn
from models import Job
from models.enums import JobStatus

router = APIRouter(
    prefix="/api/mobile/saved-jobs",
    tags=["saved jobs"],
)


def _out(saved_at: datetime, job: Job, applied: bool) -> SavedJobOut:
    return SavedJobOut(
        job_id=job.id,
        saved_at=saved_at,
        applied=applied,
        job=MobileJobSummary(**JobSummary.of(job).model_dump()),
    )


@router.get("", response_model=SavedJobList, summary="My saved jobs")
async def list_saved_jobs(
    session: SessionDep,
    me: CandidateUser,
    page: Annotated[int, Query(ge=1, le=10_000)] = 1,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
) -> SavedJobList:
    """Jobs you saved, most recently saved first (closed and expired ones say so)."""
    rows, total = await repository.list_saved(session, me.id, (page - 1) * limit, limit)
    return SavedJobList(
        items=[_out(s.created_at, j, applied) for s, j, applied in rows],
        pagination=page_of(page, limit, total),
    )


@router.post(
    "",
    response_model=SavedJobOut,
    status_code=status.HTTP_201_CREATED,
    summary="Save a job",
    responses={
        200: {"description": "Saved already: nothing changed", "model": SavedJobOut},
        404: {"description": "No such job"},
    },
)
async def save_job(
    body: SaveJobIn, session: SessionDep, me: CandidateUser, response: Response
) -> SavedJobOut:
    """Save a job (saving it again changes nothing and answers 200)."""
    job = await get_job(session, body.job_id)
    if job is None or job.status == JobStatus.DRAFT:
        raise NotFound("Job not found", code="job_not_found")
    if not await repository.save(session, me.id, job.id):
        response.status_code = status.HTTP_200_OK
    saved = await repository.get(session, me.id, job.id)
    assert saved is not None
    return _out(saved.created_at, job, await repository.applied(session, me.id, job.id))


@router.delete(
    "/{job_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Unsave a job",
    response_class=Response,
)
async def unsave_job(job_id: uuid.UUID, session: SessionDep, me: CandidateUser) -> Response:
    """Remove a saved job; removing one that is not saved is fine too (idempotent)."""
    await repository.unsave(session, me.id, job_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
