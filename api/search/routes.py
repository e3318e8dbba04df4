"""Search and match routes: free-text job search, jobs for a CV, applicants for a job."""

from __future__ import annotations

import math
import uuid
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, File, Form, Query, UploadFile

from api.accounts.ownership import get_owned
from api.deps import ApiTokenDep, CandidateUser, CurrentUser, SessionDep, StateDep
from api.errors import BadInput
from api.search import service
from api.search.schemas import (
    JobHit,
    MatchRequest,
    MatchResults,
    PageInfo,
    RankedApplicant,
    SearchFilters,
    SearchResults,
)
from ingestion.extract import extract_async, read_limited_async
from ingestion.settings import get_ingestion_settings
from models import Resume
from models.enums import JobType, WorkMode

router = APIRouter(tags=["search and match"])


def _filters(
    city: Annotated[list[str] | None, Query(max_length=100)] = None,
    country: Annotated[list[str] | None, Query(min_length=2, max_length=2)] = None,
    job_type: Annotated[list[JobType] | None, Query(alias="jobType")] = None,
    work_mode: Annotated[list[WorkMode] | None, Query(alias="workMode")] = None,
    salary_min: Annotated[int | None, Query(alias="salaryMin", ge=0)] = None,
    salary_max: Annotated[int | None, Query(alias="salaryMax", ge=0)] = None,
    experience_years: Annotated[int | None, Query(alias="experienceYears", ge=0, le=60)] = None,
    language: Annotated[list[str] | None, Query(max_length=8)] = None,
    posted_since: Annotated[datetime | None, Query(alias="postedSince")] = None,
    company: Annotated[list[str] | None, Query(max_length=200)] = None,
) -> SearchFilters:
    return SearchFilters(
        city=city or [],
        country=country or [],
        job_type=job_type or [],
        work_mode=work_mode or [],
        salary_min=salary_min,
        salary_max=salary_max,
        experience_years=experience_years,
        language=language or [],
        posted_since=posted_since,
        company=company or [],
    )


@router.get(
    "/api/v1/search/jobs",
    response_model=SearchResults,
    response_model_by_alias=True,
)
async def search_jobs(
    session: SessionDep,
    state: StateDep,
    q: Annotated[str | None, Query(max_length=2000, examples=["data analyst python dubai"])] = None,
    page: Annotated[int, Query(ge=1, le=100)] = 1,
    limit: Annotated[int, Query(ge=1, le=50)] = 20,
    city: Annotated[list[str] | None, Query(max_length=100)] = None,
    country: Annotated[list[str] | None, Query(min_length=2, max_length=2)] = None,
    job_type: Annotated[list[JobType] | None, Query(alias="jobType")] = None,
    work_mode: Annotated[list[WorkMode] | None, Query(alias="workMode")] = None,
    salary_min: Annotated[int | None, Query(alias="salaryMin", ge=0)] = None,
    salary_max: Annotated[int | None, Query(alias="salaryMax", ge=0)] = None,
    experience_years: Annotated[int | None, Query(alias="experienceYears", ge=0, le=60)] = None,
    language: Annotated[list[str] | None, Query(max_length=8)] = None,
    posted_since: Annotated[datetime | None, Query(alias="postedSince")] = None,
    company: Annotated[list[str] | None, Query(max_length=200)] = None,
) -> SearchResults:
    """Search open jobs under filters, with facets: ranked by the one match score of ``q``.

    Without ``q``: newest first, exact totals. With ``q``: the ranking is at most 1,000 deep
    (``total`` says how long it is and does not move while paging; a page past it is a 400
    ``page_too_deep``), and facets count within the part of it ranked for this page."""
    f = _filters(
        city,
        country,
        job_type,
        work_mode,
        salary_min,
        salary_max,
        experience_years,
        language,
        posted_since,
        company,
    )
    hits, total, facets = await service.search_jobs(
        session, state.matcher, q, service.to_filters(f), limit, (page - 1) * limit
    )
    return SearchResults(
        items=hits,
        pagination=PageInfo(page=page, limit=limit, total=total, pages=math.ceil(total / limit)),
        facets=facets,
    )


@router.post("/api/v1/match/jobs", response_model=MatchResults, response_model_by_alias=True)
async def match_jobs(
    body: MatchRequest, session: SessionDep, state: StateDep, user: CurrentUser
) -> MatchResults:
    """Jobs ranked for one of your CVs (``resumeId``) or for a text, with scores in [0, 1] and
    the reasons: matched and missing skills and the features that moved the score."""
    filters = service.to_filters(body.filters)
    if body.resume_id is not None:
        resume = await get_owned(session, Resume, body.resume_id, user.id, what="Resume")
        query = await service.query_for_user(session, user, resume, filters)
    else:
        query = service.query_for_text(body.text or "", filters)
    items, total = await service.match_jobs(
        session, state.matcher, query, body.limit, (body.page - 1) * body.limit
    )
    return _results(items, total, body.page, body.limit)


def _results(items: list[JobHit], total: int, page: int, limit: int) -> MatchResults:
    return MatchResults(
        items=items, page=page, limit=limit, total=total, pages=math.ceil(total / limit)
    )


@router.post("/api/v1/match/jobs/upload", response_model=MatchResults, response_model_by_alias=True)
async def match_jobs_for_file(
    session: SessionDep,
    state: StateDep,
    _: CurrentUser,
    file: Annotated[UploadFile, File(description="A CV: PDF, DOCX or text (2 MB at most)")],
    limit: Annotated[int, Form(ge=1, le=50)] = 20,
) -> MatchResults:
    """Jobs ranked for an uploaded CV file, which is read but not stored."""
    data = await read_limited_async(file, get_ingestion_settings().max_upload_bytes)
    extraction = await extract_async(data)
    query = service.query_for_text(extraction.text, service.to_filters(SearchFilters()))
    items, total = await service.match_jobs(session, state.matcher, query, limit, 0)
    return _results(items, total, 1, limit)


@router.post("/api/v1/resume/jobs/match", response_model=MatchResults, response_model_by_alias=True)
async def seed_match(
    session: SessionDep,
    state: StateDep,
    _: ApiTokenDep,
    file: Annotated[UploadFile | None, File(description="A CV file")] = None,
    text: Annotated[str | None, Form(max_length=100_000)] = None,
    locations: Annotated[str | None, Form(description="Comma-separated cities")] = None,
    limit: Annotated[int, Form(ge=1, le=50)] = 20,
) -> MatchResults:
    """The seed's AI job match (service-to-service): a CV file or text in, ranked jobs out."""
    if file is not None:
        data = await read_limited_async(file, get_ingestion_settings().max_upload_bytes)
        text = (await extract_async(data)).text
    if not text or not text.strip():
        raise BadInput("Send a CV file or text", code="cv_required")
    cities = [c.strip() for c in (locations or "").split(",") if c.strip()]
    query = service.query_for_text(text, service.to_filters(SearchFilters(city=cities)))
    items, total = await service.match_jobs(session, state.matcher, query, limit, 0)
    return _results(items, total, 1, limit)


@router.get(
    "/api/mobile/jobs/recommended", response_model=MatchResults, response_model_by_alias=True
)
async def recommended(
    session: SessionDep,
    state: StateDep,
    user: CandidateUser,
    page: Annotated[int, Query(ge=1, le=50)] = 1,
    limit: Annotated[int, Query(ge=1, le=50)] = 20,
) -> MatchResults:
    """Open jobs ranked for your latest CV, explained."""
    query = await service.query_for_user(session, user, None, service.to_filters(SearchFilters()))
    items, total = await service.match_jobs(
        session, state.matcher, query, limit, (page - 1) * limit
    )
    return _results(items, total, page, limit)


@router.get(
    "/api/v1/jobs/{job_id}/candidates",
    response_model=list[RankedApplicant],
    response_model_by_alias=True,
)
async def ranked_candidates(
    job_id: uuid.UUID, session: SessionDep, state: StateDep, user: CurrentUser
) -> list[RankedApplicant]:
    """A job's applicants ranked by fit, with the same score and reasons each candidate sees.
    For the job's recruiter, or an admin with MANAGE_APPLICATIONS."""
    rows = await service.ranked_applicants(session, state.matcher, user, job_id)
    return [RankedApplicant.model_validate(r) for r in rows]
