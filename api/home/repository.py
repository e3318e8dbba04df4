"""SQL aggregates of the candidate home: the candidate's own numbers and the market's."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    Float,
    String,
    cast,
    exists,
    func,
    literal_column,
    select,
)
from sqlalchemy.ext.asyncio import AsyncSession

from api.jobs.repository import local_day_start, open_condition
from models import Candidate, Job, JobApplication, Resume, SavedJob
from models.enums import ApplicationOrigin, ApplicationStage
from models.pipeline import ApplicationStageChange


async def count_rows(session: AsyncSession, model: Any, user_id: uuid.UUID) -> int:
    return int(
        (
            await session.execute(
                select(func.count()).select_from(model).where(model.user_id == user_id)
            )
        ).scalar_one()
    )


async def candidate(session: AsyncSession, user_id: uuid.UUID) -> Candidate | None:
    return await session.get(Candidate, user_id)


async def resumes(session: AsyncSession, user_id: uuid.UUID) -> int:
    return await count_rows(session, Resume, user_id)


async def saved_jobs(session: AsyncSession, user_id: uuid.UUID) -> int:
    return await count_rows(session, SavedJob, user_id)


async def trending(
    session: AsyncSession, since: datetime, city: str | None, offset: int, limit: int
) -> tuple[list[tuple[Job, int, int]], int]:
    """Open jobs with the most applications and saves since ``since``."""
    applications = (
        select(JobApplication.job_id, func.count().label("n"))
        .where(JobApplication.created_at >= since)
        .group_by(JobApplication.job_id)
        .subquery("recent_applications")
    )
    saves = (
        select(SavedJob.job_id, func.count().label("n"))
        .where(SavedJob.created_at >= since)
        .group_by(SavedJob.job_id)
        .subquery("recent_saves")
    )
    applied_n = func.coalesce(applications.c.n, 0)
    saved_n = func.coalesce(saves.c.n, 0)
    conditions = [open_condition(), (applied_n + saved_n) > 0]
    if city:
        conditions.append(func.lower(Job.city) == city.lower())
    base = (
        select(Job, applied_n.label("applied"), saved_n.label("saved"))
        .outerjoin(applications, applications.c.job_id == Job.id)
        .outerjoin(saves, saves.c.job_id == Job.id)
        .where(*conditions)
    )
    total = (await session.execute(select(func.count()).select_from(base.subquery()))).scalar_one()
    rows = await session.execute(
        base.order_by(
            (applied_n + saved_n).desc(),
            applied_n.desc(),
            Job.posted_at.desc().nulls_last(),
            Job.id,
        )
        .offset(offset)
        .limit(limit)
    )
    return [(job, int(a), int(s)) for job, a, s in rows], int(total)


async def applications_per_month(
    session: AsyncSession, user_id: uuid.UUID, start: date, time_zone: str
) -> dict[date, int]:
    month = func.date_trunc("month", func.timezone(time_zone, JobApplication.created_at)).label(
        "month"
    )
    rows = await session.execute(
        select(month, func.count())
        .where(
            JobApplication.user_id == user_id,
            JobApplication.created_at >= local_day_start(start, time_zone),
        )
        .group_by(month)
    )
    return {m.date(): int(n) for m, n in rows}


async def own_application_facts(
    session: AsyncSession, user_id: uuid.UUID
) -> tuple[int, int, float | None, dict[str, int]]:
    """(applications, those a recruiter moved on, mean match score, per origin)."""
    moved = exists().where(
        ApplicationStageChange.application_id == JobApplication.id,
        ApplicationStageChange.from_stage.is_not(None),
    )
    responded = (JobApplication.stage != ApplicationStage.APPLIED) | moved
    row = (
        await session.execute(
            select(
                func.count(),
                func.count().filter(responded),
                func.avg(JobApplication.matched_score),
            ).where(JobApplication.user_id == user_id)
        )
    ).one()
    origins = dict.fromkeys((o.value for o in ApplicationOrigin), 0)
    for origin, n in await session.execute(
        select(JobApplication.origin, func.count())
        .where(JobApplication.user_id == user_id)
        .group_by(JobApplication.origin)
    ):
        origins[ApplicationOrigin(origin).value] = int(n)
    return int(row[0]), int(row[1]), float(row[2]) if row[2] is not None else None, origins


# --- the market ---------------------------------------------------------------------------------


def _market_scope(city: str | None, country: str | None) -> list[Any]:
    conditions: list[Any] = [open_condition()]
    if city:
        conditions.append(func.lower(Job.city) == city.lower())
    if country:
        conditions.append(Job.country == country.upper())
    return conditions


async def open_jobs(session: AsyncSession, city: str | None, country: str | None) -> int:
    return int(
        (
            await session.execute(
                select(func.count()).select_from(Job).where(*_market_scope(city, country))
            )
        ).scalar_one()
    )


async def top_skills(
    session: AsyncSession, city: str | None, country: str | None, limit: int
) -> list[tuple[str, int]]:
    skill = func.unnest(Job.skills).label("skill")
    per_job = select(Job.id, skill).where(*_market_scope(city, country)).subquery("job_skills")
    name = func.min(per_job.c.skill)
    rows = await session.execute(
        select(name, func.count(func.distinct(per_job.c.id)).label("jobs"))
        .group_by(func.lower(per_job.c.skill))
        .order_by(literal_column("jobs").desc(), name)
        .limit(limit)
    )
    return [(s, int(n)) for s, n in rows]


async def top_cities(
    session: AsyncSession, country: str | None, limit: int
) -> list[tuple[str | None, str | None, int]]:
    rows = await session.execute(
        select(Job.city, Job.country, func.count().label("jobs"))
        .where(*_market_scope(None, country))
        .group_by(Job.city, Job.country)
        .order_by(literal_column("jobs").desc(), Job.city.asc().nulls_last())
        .limit(limit)
    )
    return [(c, k, int(n)) for c, k, n in rows]


async def skill_city_demand(
    session: AsyncSession, city: str | None, country: str | None, limit: int
) -> list[tuple[str, str | None, int]]:
    skill = func.unnest(Job.skills).label("skill")
    per_job = (
        select(Job.id, Job.city, skill).where(*_market_scope(city, country)).subquery("job_skills")
    )
    name = func.min(per_job.c.skill)
    rows = await session.execute(
        select(name, per_job.c.city, func.count(func.distinct(per_job.c.id)).label("jobs"))
        .group_by(func.lower(per_job.c.skill), per_job.c.city)
        .order_by(literal_column("jobs").desc(), name, per_job.c.city)
        .limit(limit)
    )
    return [(s, c, int(n)) for s, c, n in rows]


async def salary_ranges(
    session: AsyncSession, city: str | None, country: str | None, min_jobs: int, limit: int
) -> list[tuple[Any, ...]]:
    """Per folded title, currency and period: jobs, lowest bound, quartiles of the midpoints,
    highest bound — over open jobs stating a salary."""
    low = func.coalesce(Job.salary_min, Job.salary_max)
    high = func.coalesce(Job.salary_max, Job.salary_min)
    midpoint = cast(low + high, Float) / 2.0
    title = func.lower(func.btrim(Job.title))
    period = cast(Job.salary_period, String)
    rows = await session.execute(
        select(
            title,
            Job.salary_currency,
            period,
            func.count().label("jobs"),
            func.min(low),
            func.percentile_cont(0.25).within_group(midpoint),
            func.percentile_cont(0.5).within_group(midpoint),
            func.percentile_cont(0.75).within_group(midpoint),
            func.max(high),
        )
        .where(*_market_scope(city, country), low.is_not(None))
        .group_by(title, Job.salary_currency, period)
        .having(func.count() >= min_jobs)
        .order_by(literal_column("jobs").desc(), title)
        .limit(limit)
    )
    return [tuple(r) for r in rows]


def months_back(today: date, months: int) -> date:
    """The first day of the month ``months - 1`` months before ``today``'s."""
    index = today.year * 12 + today.month - 1 - (months - 1)
    return date(index // 12, index % 12 + 1, 1)
