"""SQL for jobs. Filter values are always bound parameters; expiry is computed at read time, so
an open job past its ``expires_at`` is never listed as open, whether or not the worker's
``expire_jobs`` task has flipped it yet."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import (
    TIMESTAMP,
    ColumnElement,
    and_,
    cast,
    exists,
    func,
    literal_column,
    or_,
    select,
    update,
)
from sqlalchemy.ext.asyncio import AsyncSession

from api.jobs.schemas import SortOrder, StatusFilter
from indexing.filters import JobFilters, job_filter_sql
from models import Job, JobApplication
from models.enums import ApplicationStage, JobStatus

#: 'simple': no stemming and no stop words, the same for English and Arabic.
_TS_CONFIG: ColumnElement[Any] = literal_column("'simple'::regconfig")


def status_condition(status: StatusFilter) -> ColumnElement[bool] | None:
    """Jobs whose *effective* status is ``status`` (None for "all")."""
    not_expired = or_(Job.expires_at.is_(None), Job.expires_at > func.now())
    if status == "all":
        return None
    if status == JobStatus.OPEN.value:
        return and_(Job.status == JobStatus.OPEN, not_expired)
    if status == JobStatus.EXPIRED.value:
        return or_(
            Job.status == JobStatus.EXPIRED,
            and_(Job.status == JobStatus.OPEN, Job.expires_at <= func.now()),
        )
    return Job.status == JobStatus(status)


def open_condition() -> ColumnElement[bool]:
    """Open and not past expiry: the jobs a candidate can apply to."""
    condition = status_condition("open")
    assert condition is not None
    return condition


def search_query(q: str) -> ColumnElement[bool]:
    return Job.search_vector.op("@@")(func.websearch_to_tsquery(_TS_CONFIG, q))


@dataclass(frozen=True)
class ListQuery:
    """Everything the listing filters on. ``filters`` carries the shared filter language
    (its ``status``, ``city`` and ``company`` are not used: see the fields below)."""

    filters: JobFilters = field(default_factory=lambda: JobFilters(status=()))
    #: Canonical or typed city names, compared case-insensitively.
    cities: tuple[str, ...] = ()
    companies: tuple[str, ...] = ()
    status: StatusFilter = "open"
    q: str | None = None
    sort: SortOrder = "newest"
    owner_id: uuid.UUID | None = None
    #: None: the caller sees every draft. Otherwise drafts of this user only (or none).
    draft_viewer: uuid.UUID | None = None
    drafts_hidden: bool = False


def _conditions(query: ListQuery) -> list[ColumnElement[bool]]:
    conditions = job_filter_sql(replace(query.filters, status=(), city=(), company=()))
    if query.cities:
        conditions.append(func.lower(Job.city).in_([c.lower() for c in query.cities]))
    if query.companies:
        conditions.append(func.lower(Job.company).in_([c.lower() for c in query.companies]))
    status = status_condition(query.status)
    if status is not None:
        conditions.append(status)
    if query.q:
        conditions.append(search_query(query.q))
    if query.owner_id is not None:
        conditions.append(Job.owner_id == query.owner_id)
    if query.drafts_hidden:
        if query.draft_viewer is None:
            conditions.append(Job.status != JobStatus.DRAFT)
        else:
            conditions.append(
                or_(Job.status != JobStatus.DRAFT, Job.owner_id == query.draft_viewer)
            )
    return conditions


def _order(query: ListQuery) -> list[Any]:
    newest: list[Any] = [Job.posted_at.desc().nulls_last(), Job.id]
    if query.sort == "relevance" and query.q:
        rank = func.ts_rank_cd(Job.search_vector, func.websearch_to_tsquery(_TS_CONFIG, query.q))
        return [rank.desc(), *newest]
    if query.sort == "oldest":
        return [Job.posted_at.asc().nulls_last(), Job.id]
    if query.sort == "salary_high":
        return [Job.salary_max.desc().nulls_last(), *newest]
    if query.sort == "salary_low":
        return [Job.salary_min.asc().nulls_last(), *newest]
    if query.sort == "expiring":
        return [Job.expires_at.asc().nulls_last(), *newest]
    return newest


async def list_jobs(
    session: AsyncSession, query: ListQuery, offset: int, limit: int
) -> tuple[Sequence[Job], int]:
    conditions = _conditions(query)
    total = (
        await session.execute(select(func.count()).select_from(Job).where(*conditions))
    ).scalar_one()
    rows = (
        (
            await session.execute(
                select(Job).where(*conditions).order_by(*_order(query)).offset(offset).limit(limit)
            )
        )
        .scalars()
        .all()
    )
    return rows, int(total)


async def get_job(
    session: AsyncSession, job_id: uuid.UUID, *, for_update: bool = False
) -> Job | None:
    stmt = select(Job).where(Job.id == job_id)
    if for_update:
        stmt = stmt.with_for_update()
    job: Job | None = (await session.execute(stmt)).scalar_one_or_none()
    return job


async def external_id_taken(session: AsyncSession, source: str, source_id: str) -> bool:
    found = await session.execute(
        select(Job.id).where(Job.source == source, Job.source_id == source_id).limit(1)
    )
    return found.first() is not None


async def has_applications(session: AsyncSession, job_id: uuid.UUID) -> bool:
    found = await session.execute(select(exists().where(JobApplication.job_id == job_id)))
    return bool(found.scalar_one())


async def expire_due(session: AsyncSession) -> int:
    """Flip open jobs past their ``expires_at`` to expired; the number flipped."""
    result = await session.execute(
        update(Job)
        .where(Job.status == JobStatus.OPEN, Job.expires_at <= func.now())
        .values(status=JobStatus.EXPIRED, updated_at=func.now())
        .execution_options(synchronize_session=False)
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


# --- statistics -------------------------------------------------------------------------------


async def count_by_city(
    session: AsyncSession,
    status: StatusFilter,
    country: str | None,
    offset: int,
    limit: int,
) -> tuple[list[tuple[str | None, str | None, int]], int]:
    """(city, country, jobs) for every city with jobs of ``status``, most jobs first."""
    conditions: list[ColumnElement[bool]] = [Job.status != JobStatus.DRAFT]
    condition = status_condition(status)
    if condition is not None:
        conditions.append(condition)
    if country:
        conditions.append(Job.country == country.upper())
    count = func.count().label("n")
    grouped = (
        select(Job.city, Job.country, count)
        .where(*conditions)
        .group_by(Job.city, Job.country)
        .subquery()
    )
    total = (await session.execute(select(func.count()).select_from(grouped))).scalar_one()
    rows = await session.execute(
        select(grouped.c.city, grouped.c.country, grouped.c.n)
        .order_by(grouped.c.n.desc(), grouped.c.city.asc().nulls_last(), grouped.c.country.asc())
        .offset(offset)
        .limit(limit)
    )
    return [(r.city, r.country, int(r.n)) for r in rows], int(total)


def local_day_start(day: date, time_zone: str) -> ColumnElement[datetime]:
    """Midnight of ``day`` in ``time_zone``, as an absolute instant (timestamptz)."""
    naive = cast(datetime(day.year, day.month, day.day), TIMESTAMP(timezone=False))
    return func.timezone(time_zone, naive)


async def monthly_count(
    session: AsyncSession,
    start: date,
    end: date,
    time_zone: str,
    *,
    status: StatusFilter,
    city: str | None,
    country: str | None,
    company: str | None,
) -> dict[date, int]:
    """Jobs posted per calendar month of ``time_zone`` between the local dates ``start`` and
    ``end`` (both included); months without jobs are absent (the caller fills zeros)."""
    # Local wall-clock time of the posting, then its month: 2026-01-31T22:00Z is February in
    # Dubai (UTC+4). The range bounds are local midnights turned into instants, so the
    # posted_at index serves the range.
    local_month = func.date_trunc("month", func.timezone(time_zone, Job.posted_at))
    conditions: list[ColumnElement[bool]] = [
        Job.posted_at >= local_day_start(start, time_zone),
        Job.posted_at < local_day_start(end + timedelta(days=1), time_zone),
        Job.status != JobStatus.DRAFT,
    ]
    condition = status_condition(status)
    if condition is not None:
        conditions.append(condition)
    if city:
        conditions.append(func.lower(Job.city) == city.lower())
    if country:
        conditions.append(Job.country == country.upper())
    if company:
        conditions.append(func.lower(Job.company) == company.lower())
    month = local_month.label("month")
    rows = await session.execute(
        select(month, func.count().label("n")).where(*conditions).group_by(month)
    )
    return {r.month.date(): int(r.n) for r in rows}


async def applicants_by_stage(session: AsyncSession, job_id: uuid.UUID) -> dict[str, int]:
    """Applications of a job per stage, every stage present (zeros included)."""
    counts = dict.fromkeys((s.value for s in ApplicationStage), 0)
    rows = await session.execute(
        select(JobApplication.stage, func.count())
        .where(JobApplication.job_id == job_id)
        .group_by(JobApplication.stage)
    )
    for stage, n in rows:
        counts[ApplicationStage(stage).value] = int(n)
    return counts
