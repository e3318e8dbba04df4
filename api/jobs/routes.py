"""Jobs at the seed's paths: listing, CRUD and statistics under /api/v1/resume/jobs.

Services call with X-API-TOKEN as the seed's apps do; people call with their bearer token, and
their role decides what they may change (a recruiter only their own jobs)."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, Query, status
from starlette.exceptions import HTTPException as StarletteHTTPException

from api.deps import SessionDep
from api.errors import BadInput, Forbidden, NotFound
from api.jobs import repository, service
from api.jobs.access import CallerDep, require_user, visible_job
from api.jobs.repository import ListQuery
from api.jobs.schemas import (
    ApplicantsCount,
    CityCount,
    CityCountList,
    JobCreate,
    JobDeleted,
    JobList,
    JobRead,
    JobUpdate,
    MonthCount,
    MonthlyCount,
    SortOrder,
    StatusFilter,
    page_of,
)
from api.jobs.settings import JobsSettings, get_jobs_settings
from indexing.filters import JobFilters
from ingestion.jobs import normalise_city
from ingestion.jobs.normalise import normalise_country
from models.enums import JobType, WorkMode

router = APIRouter(prefix="/api/v1/resume/jobs", tags=["jobs"])

JobsSettingsDep = Annotated[JobsSettings, Depends(get_jobs_settings)]
#: Statistics cover these dates; outside them a date is a typing mistake, not a question.
EARLIEST, LATEST = date(2000, 1, 1), date(2100, 12, 31)
_NOT_FOUND: dict[int | str, dict[str, Any]] = {
    404: {"description": "No such job (or not yours to see)"}
}


def _split(values: list[str] | None) -> list[str]:
    """Repeated parameters and comma-separated values both work: ?city=Dubai,Sharjah."""
    out: list[str] = []
    for value in values or []:
        out.extend(part.strip() for part in value.split(",") if part.strip())
    return out[:20]


def _places(cities: list[str], countries: list[str]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Canonical city names ("DXB", "دبي" → Dubai) and ISO countries ("UAE" → AE). A location
    that is only a country filters by country; an unknown city is compared as typed."""
    city_names: list[str] = []
    country_codes: list[str] = []
    for raw in cities:
        ref = normalise_city(raw)
        if ref is not None and ref.city is not None:
            city_names.append(ref.city)
        elif ref is not None:
            country_codes.append(ref.country)
        else:
            city_names.append(raw)
    for raw in countries:
        code = normalise_country(raw) or (raw.upper() if len(raw) == 2 and raw.isalpha() else None)
        if code is None:
            raise BadInput(f"Unknown country: {raw}", code="unknown_country")
        country_codes.append(code)
    return tuple(dict.fromkeys(city_names)), tuple(dict.fromkeys(country_codes))


@router.get(
    "",
    response_model=JobList,
    summary="List jobs",
    responses={401: {"description": "Neither X-API-TOKEN nor a signed-in user"}},
)
async def list_jobs(
    session: SessionDep,
    caller: CallerDep,
    page: Annotated[int, Query(ge=1, le=10_000, examples=[1])] = 1,
    limit: Annotated[int, Query(ge=1, le=100, examples=[20])] = 20,
    q: Annotated[
        str | None,
        Query(
            max_length=200,
            description='Full text over title, company and description: words, "phrases", '
            "OR, -excluded (English and Arabic).",
            examples=["accountant IFRS"],
        ),
    ] = None,
    city: Annotated[
        list[str] | None, Query(max_length=200, description="Any spelling: Dubai, DXB, دبي")
    ] = None,
    country: Annotated[
        list[str] | None, Query(max_length=100, description="ISO code or name: AE, UAE, السعودية")
    ] = None,
    job_type: Annotated[list[JobType] | None, Query()] = None,
    work_mode: Annotated[list[WorkMode] | None, Query()] = None,
    status_: Annotated[
        StatusFilter,
        Query(alias="status", description="Effective status; an open job past expiry is expired"),
    ] = "open",
    company: Annotated[list[str] | None, Query(max_length=200)] = None,
    salary_min: Annotated[
        int | None,
        Query(ge=0, le=100_000_000, description="Jobs whose range reaches this salary"),
    ] = None,
    salary_max: Annotated[int | None, Query(ge=0, le=100_000_000)] = None,
    experience: Annotated[
        int | None, Query(ge=0, le=60, description="Your years: jobs asking more are left out")
    ] = None,
    language: Annotated[list[str] | None, Query(max_length=8, examples=[["en"]])] = None,
    posted_since: Annotated[datetime | None, Query(examples=["2026-11-01T00:00:00Z"])] = None,
    sort: Annotated[
        SortOrder | None,
        Query(description="Default: relevance when q is given, else newest"),
    ] = None,
    mine: Annotated[bool, Query(description="Only jobs you posted (recruiters)")] = False,
) -> JobList:
    """List jobs (newest first, or by relevance to `q`) with filters and pagination totals."""
    cities, countries = _places(_split(city), _split(country))
    owner_id = require_user(caller).id if mine else None
    query = ListQuery(
        filters=JobFilters(
            country=countries,
            job_type=tuple(job_type or ()),
            work_mode=tuple(work_mode or ()),
            salary_min=salary_min,
            salary_max=salary_max,
            experience_years=experience,
            language=tuple(lang.lower() for lang in _split(language)),
            posted_since=posted_since,
            status=(),
        ),
        cities=cities,
        companies=tuple(_split(company)),
        status=status_,
        q=q.strip() if q and q.strip() else None,
        sort=sort or ("relevance" if q and q.strip() else "newest"),
        owner_id=owner_id,
        drafts_hidden=not caller.sees_every_job,
        draft_viewer=caller.user_id,
    )
    rows, total = await repository.list_jobs(session, query, (page - 1) * limit, limit)
    return JobList(items=[JobRead.of(r) for r in rows], pagination=page_of(page, limit, total))


@router.post(
    "",
    response_model=JobRead,
    status_code=status.HTTP_201_CREATED,
    summary="Create a job",
    responses={403: {"description": "Not a recruiter, job administrator or service"}},
)
async def create_job(body: JobCreate, session: SessionDep, caller: CallerDep) -> JobRead:
    """Post a job (recruiters, admins with MANAGE_JOBS, services); free text is normalised
    like feed items, and the job is queued for embedding."""
    return JobRead.of(await service.create_job(session, caller, body))


@router.get("/count-by-city", response_model=CityCountList, summary="Job counts by city")
async def count_by_city(
    session: SessionDep,
    _: CallerDep,
    status_: Annotated[StatusFilter, Query(alias="status")] = "open",
    country: Annotated[str | None, Query(max_length=100)] = None,
    page: Annotated[int, Query(ge=1, le=10_000)] = 1,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
) -> CityCountList:
    """Jobs per city (effective status, default open), most jobs first."""
    countries = _places([], [country] if country else [])[1]
    rows, total = await repository.count_by_city(
        session, status_, countries[0] if countries else None, (page - 1) * limit, limit
    )
    return CityCountList(
        items=[CityCount(city=c, country=k, count=n) for c, k, n in rows],
        pagination=page_of(page, limit, total),
    )


def _months(start: date, end: date) -> list[date]:
    months: list[date] = []
    cursor = date(start.year, start.month, 1)
    while cursor <= end:
        months.append(cursor)
        cursor = date(cursor.year + cursor.month // 12, cursor.month % 12 + 1, 1)
    return months


@router.get("/monthly-count", response_model=MonthlyCount, summary="Jobs posted per month")
async def monthly_count(
    session: SessionDep,
    _: CallerDep,
    settings: JobsSettingsDep,
    start: Annotated[
        date | None,
        Query(description="First day (local date); default: 11 months before end's month"),
    ] = None,
    end: Annotated[date | None, Query(description="Last day (local date); default: today")] = None,
    status_: Annotated[StatusFilter, Query(alias="status")] = "all",
    city: Annotated[str | None, Query(max_length=200)] = None,
    country: Annotated[str | None, Query(max_length=100)] = None,
    company: Annotated[str | None, Query(max_length=200)] = None,
) -> MonthlyCount:
    """Jobs posted per calendar month in the platform's time zone (Asia/Dubai), every month
    of the range listed, zeros included."""
    zone = settings.time_zone
    end = end or datetime.now(ZoneInfo(zone)).date()
    if start is None:
        months_back = end.year * 12 + end.month - 1 - 11
        start = date(months_back // 12, months_back % 12 + 1, 1)
    if start > end:
        raise BadInput("start is after end", code="invalid_range")
    if start < EARLIEST or end > LATEST:
        raise BadInput(f"Dates must lie between {EARLIEST} and {LATEST}", code="invalid_range")
    months = _months(start, end)
    if len(months) > settings.max_month_range:
        raise BadInput(
            f"The range spans more than {settings.max_month_range} months", code="range_too_long"
        )
    cities, countries = _places([city] if city else [], [country] if country else [])
    counts = await repository.monthly_count(
        session,
        start,
        end,
        zone,
        status=status_,
        city=cities[0] if cities else None,
        country=countries[0] if countries else None,
        company=company,
    )
    items = [MonthCount(month=m.strftime("%Y-%m"), count=counts.get(m, 0)) for m in months]
    return MonthlyCount(
        time_zone=zone, start=start, end=end, total=sum(i.count for i in items), items=items
    )


@router.get("/match", include_in_schema=False)
async def match_is_a_post() -> None:
    """``/api/v1/resume/jobs/match`` is the seed's AI match, a POST (search routes); a GET must
    say so rather than fail to read "match" as a job id."""
    raise StarletteHTTPException(
        status.HTTP_405_METHOD_NOT_ALLOWED,
        detail="Use POST for /api/v1/resume/jobs/match (a CV file or text in the form)",
        headers={"Allow": "POST"},
    )


@router.get("/{job_id}", response_model=JobRead, summary="Get a job", responses=_NOT_FOUND)
async def get_job(job_id: uuid.UUID, session: SessionDep, caller: CallerDep) -> JobRead:
    """One job by id (drafts only for their owner and job administrators)."""
    return JobRead.of(visible_job(caller, await repository.get_job(session, job_id)))


@router.put("/{job_id}", response_model=JobRead, summary="Update a job", responses=_NOT_FOUND)
async def update_job(
    job_id: uuid.UUID, body: JobUpdate, session: SessionDep, caller: CallerDep
) -> JobRead:
    """Change the fields sent and/or move the status (a recruiter only their own jobs)."""
    return JobRead.of(await service.update_job(session, caller, job_id, body))


@router.delete(
    "/{job_id}", response_model=JobDeleted, summary="Delete (or close) a job", responses=_NOT_FOUND
)
async def delete_job(job_id: uuid.UUID, session: SessionDep, caller: CallerDep) -> JobDeleted:
    """Delete a job; one with applications is closed instead, so they keep their job."""
    return await service.delete_job(session, caller, job_id)


@router.get(
    "/{job_id}/applicants-count",
    response_model=ApplicantsCount,
    summary="Applicants of a job",
    responses=_NOT_FOUND,
)
async def applicants_count(
    job_id: uuid.UUID, session: SessionDep, caller: CallerDep
) -> ApplicantsCount:
    """How many applied to a job, per pipeline stage (services, admins, the job's recruiter)."""
    job = visible_job(caller, await repository.get_job(session, job_id))
    if not service.may_see_applicants(caller, job):
        if caller.is_recruiter:
            raise NotFound("Job not found", code="job_not_found")
        raise Forbidden("Only the job's recruiter sees its applicants", code="not_job_owner")
    by_stage = await repository.applicants_by_stage(session, job.id)
    return ApplicantsCount(job_id=job.id, count=sum(by_stage.values()), by_stage=by_stage)
