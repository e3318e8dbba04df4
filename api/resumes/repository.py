"""SQL of the CV services."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy import exists, func, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from models import Job, JobApplication, Resume
from models.cv_services import ResumeDerivation


async def list_for_user(
    session: AsyncSession, user_id: uuid.UUID, offset: int, limit: int
) -> tuple[list[Resume], int]:
    total = (
        await session.execute(select(func.count()).where(Resume.user_id == user_id))
    ).scalar_one()
    rows = (
        (
            await session.execute(
                select(Resume)
                .where(Resume.user_id == user_id)
                .order_by(Resume.created_at.desc(), Resume.id)
                .offset(offset)
                .limit(limit)
            )
        )
        .scalars()
        .all()
    )
    return list(rows), int(total)


async def count_for_user(session: AsyncSession, user_id: uuid.UUID) -> int:
    return int(
        (await session.execute(select(func.count()).where(Resume.user_id == user_id))).scalar_one()
    )


async def by_sha256(session: AsyncSession, user_id: uuid.UUID, sha256: str) -> Resume | None:
    row: Resume | None = (
        await session.execute(
            select(Resume).where(Resume.user_id == user_id, Resume.sha256 == sha256)
        )
    ).scalar_one_or_none()
    return row


async def get(session: AsyncSession, resume_id: uuid.UUID) -> Resume | None:
    return await session.get(Resume, resume_id)


async def insert_resume(session: AsyncSession, values: dict[str, Any]) -> uuid.UUID | None:
    """Insert a CV; None when the user already has one with this ``sha256`` (a concurrent
    upload of the same file won)."""
    inserted = await session.execute(
        insert(Resume)
        .values(**values)
        .on_conflict_do_nothing(index_elements=[Resume.user_id, Resume.sha256])
        .returning(Resume.id)
    )
    resume_id: uuid.UUID | None = inserted.scalar_one_or_none()
    return resume_id


async def add_derivation(
    session: AsyncSession,
    resume_id: uuid.UUID,
    source_id: uuid.UUID,
    kind: str,
    target_language: str | None = None,
) -> None:
    session.add(
        ResumeDerivation(
            resume_id=resume_id,
            source_resume_id=source_id,
            kind=kind,
            target_language=target_language,
        )
    )
    await session.flush()


async def derivations(
    session: AsyncSession, resume_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, ResumeDerivation]:
    if not resume_ids:
        return {}
    rows = (
        (
            await session.execute(
                select(ResumeDerivation).where(ResumeDerivation.resume_id.in_(resume_ids))
            )
        )
        .scalars()
        .all()
    )
    return {r.resume_id: r for r in rows}


async def recruiter_may_read(
    session: AsyncSession, recruiter_id: uuid.UUID, resume_id: uuid.UUID
) -> bool:
    """True when this CV was sent with an application to a job the recruiter owns, and that job
    is not under blind review (where recruiters see no names, and so no CV)."""
    stmt = select(
        exists().where(
            JobApplication.resume_id == resume_id,
            JobApplication.job_id == Job.id,
            Job.owner_id == recruiter_id,
            Job.blind_review.is_(False),
        )
    )
    return bool((await session.execute(stmt)).scalar_one())


async def storage_key_in_use(session: AsyncSession, key: str) -> bool:
    stmt = select(exists().where(Resume.storage_key == key))
    return bool((await session.execute(stmt)).scalar_one())
