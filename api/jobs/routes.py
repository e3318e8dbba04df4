"""Job listing at the seed's paths (service-to-service, X-API-TOKEN)."""

from __future__ import annotations

import math
import uuid
from typing import Annotated

from fastapi import APIRouter, Query

from api.deps import ApiTokenDep, SessionDep
from api.errors import NotFound
from api.jobs import repository
from api.jobs.schemas import JobList, JobRead, Pagination
from models.enums import JobStatus, JobType, WorkMode

router = APIRouter(prefix="/api/v1/resume/jobs", tags=["jobs"])


@router.get("", response_model=JobList)
async def list_jobs(
    session: SessionDep,
    _: ApiTokenDep,
    page: Annotated[int, Query(ge=1, le=10_000)] = 1,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    city: Annotated[str | None, Query(max_length=100)] = None,
    country: Annotated[str | None, Query(min_length=2, max_length=2)] = None,
    job_type: JobType | None = None,
    work_mode: WorkMode | None = None,
    status: JobStatus | None = JobStatus.OPEN,
    company: Annotated[str | None, Query(max_length=200)] = None,
) -> JobList:
    """List jobs, newest first, with filters and pagination totals."""
    filters = repository.JobFilters(city, country, job_type, work_mode, status, company)
    rows, total = await repository.list_jobs(session, filters, (page - 1) * limit, limit)
    return JobList(
        items=[JobRead.model_validate(r) for r in rows],
        pagination=Pagination(page=page, limit=limit, total=total, pages=math.ceil(total / limit)),
    )


@router.get("/{job_id}", response_model=JobRead)
async def get_job(job_id: uuid.UUID, session: SessionDep, _: ApiTokenDep) -> JobRead:
    """One job by id."""
    job = await repository.get_job(session, job_id)
    if job is None:
        raise NotFound("Job not found", code="job_not_found")
    return JobRead.model_validate(job)
