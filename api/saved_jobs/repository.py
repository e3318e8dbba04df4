"""SQL of saved jobs."""

from __future__ import annotations

import uuid

from sqlalchemy import delete, exists, func, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from models import Job, JobApplication, SavedJob


async def save(session: AsyncSession, user_id: uuid.UUID, job_id: uuid.UUID) -> bool:
    """Save a job; False when it was saved already (saving is idempotent)."""
    inserted = await session.execute(
        insert(SavedJob)
        .values(id=uuid.uuid4(), user_id=user_id, job_id=job_id)
        .on_conflict_do_nothing(index_elements=[SavedJob.user_id, SavedJob.job_id])
        .returning(SavedJob.id)
    )
    return inserted.scalar_one_or_none() is not None


async def get(session: AsyncSession, user_id: uuid.UUID, job_id: uuid.UUID) -> SavedJob | None:
    saved: SavedJob | None = (
        await session.execute(
            select(SavedJob).where(SavedJob.user_id == user_id, SavedJob.job_id == job_id)
        )
    ).scalar_one_or_none()
    return saved


async def applied(session: AsyncSession, user_id: uuid.UUID, job_id: uuid.UUID) -> bool:
    found = await session.execute(
        select(exists().where(JobApplication.user_id == user_id, JobApplication.job_id == job_id))
    )
    return bool(found.scalar_one())


async def unsave(session: AsyncSession, user_id: uuid.UUID, job_id: uuid.UUID) -> None:
    await session.execute(
        delete(SavedJob).where(SavedJob.user_id == user_id, SavedJob.job_id == job_id)
    )


async def list_saved(
    session: AsyncSession, user_id: uuid.UUID, offset: int, limit: int
) -> tuple[list[tuple[SavedJob, Job, bool]], int]:
    total = (
        await session.execute(
            select(func.count()).select_from(SavedJob).where(SavedJob.user_id == user_id)
        )
    ).scalar_one()
    applied = (
        exists()
        .where(JobApplication.user_id == user_id, JobApplication.job_id == SavedJob.job_id)
        .label("applied")
    )
    rows = await session.execute(
        select(SavedJob, Job, applied)
        .join(Job, Job.id == SavedJob.job_id)
        .where(SavedJob.user_id == user_id)
        .order_by(SavedJob.created_at.desc(), SavedJob.id)
        .offset(offset)
        .limit(limit)
    )
    return [(s, j, bool(a)) for s, j, a in rows], int(total)
