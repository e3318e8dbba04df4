"""SQL for jobs. Filter values are always bound parameters."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from models import Job
from models.enums import JobStatus, JobType, WorkMode


@dataclass(frozen=True)
class JobFilters:
    city: str | None = None
    country: str | None = None
    job_type: JobType | None = None
    work_mode: WorkMode | None = None
    status: JobStatus | None = JobStatus.OPEN
    company: str | None = None


def _conditions(f: JobFilters) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = []
    if f.city:
        conditions.append(func.lower(Job.city) == f.city.lower())
    if f.country:
        conditions.append(Job.country == f.country.upper())
    if f.job_type:
        conditions.append(Job.job_type == f.job_type)
    if f.work_mode:
        conditions.append(Job.work_mode == f.work_mode)
    if f.status:
        conditions.append(Job.status == f.status)
    if f.company:
        conditions.append(func.lower(Job.company) == f.company.lower())
    return conditions


async def list_jobs(
    session: AsyncSession, filters: JobFilters, offset: int, limit: int
) -> tuple[Sequence[Job], int]:
    conditions = _conditions(filters)
    total = (
        await session.execute(select(func.count()).select_from(Job).where(*conditions))
    ).scalar_one()
    rows = (
        (
            await session.execute(
                select(Job)
                .where(*conditions)
                .order_by(Job.posted_at.desc().nulls_last(), Job.id)
                .offset(offset)
                .limit(limit)
            )
        )
        .scalars()
        .all()
    )
    return rows, total


async def get_job(session: AsyncSession, job_id: uuid.UUID) -> Job | None:
    return await session.get(Job, job_id)
