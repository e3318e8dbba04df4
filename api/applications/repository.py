"""SQL of applications, CVs and the candidate profile as applying needs them."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select, text, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from ingestion.extract import Extraction
from models import Candidate, Job, JobApplication, Resume, User
from models.enums import ApplicationOrigin, ApplicationStage, ParseStatus, UserType
from models.pipeline import ApplicationStageChange

_MIME = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "text": "text/plain",
}


async def lock_candidate(session: AsyncSession, user_id: uuid.UUID) -> None:
    """Serialise one candidate's applications until the transaction ends: the duplicate,
    re-post, quota and credit checks then see every earlier application committed."""
    await session.execute(
        text("SELECT pg_advisory_xact_lock(hashtextextended(:key, 0))"),
        {"key": f"tabashir.apply:{user_id}"},
    )


async def candidate_by_email(session: AsyncSession, email: str) -> User | None:
    user: User | None = (
        await session.execute(
            select(User).where(
                User.email == email.strip().lower(),
                User.user_type == UserType.CANDIDATE,
                User.deleted_at.is_(None),
                User.is_active.is_(True),
            )
        )
    ).scalar_one_or_none()
    return user


async def job_for_apply(session: AsyncSession, job_id: uuid.UUID) -> Job | None:
    """The job, key-share locked: a concurrent delete waits for this application and then
    sees it (and closes the job instead of deleting it)."""
    job: Job | None = (
        await session.execute(
            select(Job).where(Job.id == job_id).with_for_update(read=True, key_share=True)
        )
    ).scalar_one_or_none()
    return job


def local_midnight(time_zone: str, now: datetime | None = None) -> datetime:
    """The start of today in ``time_zone``, as an aware instant."""
    zone = ZoneInfo(time_zone)
    local = (now or datetime.now(UTC)).astimezone(zone)
    return datetime(local.year, local.month, local.day, tzinfo=zone)


async def applied_since(session: AsyncSession, user_id: uuid.UUID, since: datetime) -> int:
    return int(
        (
            await session.execute(
                select(func.count())
                .select_from(JobApplication)
                .where(JobApplication.user_id == user_id, JobApplication.created_at >= since)
            )
        ).scalar_one()
    )


async def applied_jobs(session: AsyncSession, user_id: uuid.UUID) -> Sequence[Any]:
    """Small columns of every job the candidate applied to (re-post detection)."""
    rows = await session.execute(
        select(Job.id, Job.company, Job.title, Job.city, Job.content_hash)
        .join(JobApplication, JobApplication.job_id == Job.id)
        .where(JobApplication.user_id == user_id)
    )
    return rows.all()


async def descriptions(session: AsyncSession, job_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, str]:
    rows = await session.execute(select(Job.id, Job.description).where(Job.id.in_(list(job_ids))))
    return {job_id: description or "" for job_id, description in rows}


async def insert_application(
    session: AsyncSession,
    *,
    user_id: uuid.UUID,
    job_id: uuid.UUID,
    resume_id: uuid.UUID | None,
    origin: ApplicationOrigin,
    score: float | None,
    explanation: dict[str, Any] | None,
    changed_by: uuid.UUID | None,
) -> JobApplication | None:
    """Insert the application and its first history row; None when it exists already (the
    unique (user, job) constraint is the last guard behind the candidate lock)."""
    application_id = (
        await session.execute(
            insert(JobApplication)
            .values(
                id=uuid.uuid4(),
                user_id=user_id,
                job_id=job_id,
                resume_id=resume_id,
                stage=ApplicationStage.APPLIED,
                origin=origin,
                matched_score=score,
                match_explanation=explanation,
            )
            .on_conflict_do_nothing(index_elements=[JobApplication.user_id, JobApplication.job_id])
            .returning(JobApplication.id)
        )
    ).scalar_one_or_none()
    if application_id is None:
        return None
    session.add(
        ApplicationStageChange(
            application_id=application_id,
            from_stage=None,
            to_stage=ApplicationStage.APPLIED,
            changed_by_id=changed_by,
            # The wall clock, not the transaction's start: history rows of one transaction
            # keep their real order.
            created_at=func.clock_timestamp(),
        )
    )
    await session.flush()
    application: JobApplication | None = await session.get(JobApplication, application_id)
    return application


async def latest_resume(session: AsyncSession, user_id: uuid.UUID) -> Resume | None:
    resume: Resume | None = (
        await session.execute(
            select(Resume)
            .where(Resume.user_id == user_id)
            .order_by(Resume.created_at.desc(), Resume.id)
            .limit(1)
        )
    ).scalar_one_or_none()
    return resume


async def upsert_resume(
    session: AsyncSession,
    user_id: uuid.UUID,
    extraction: Extraction,
    file_name: str,
    size: int,
    embedding: list[float] | None,
    embedding_model: str,
    content_hash: str,
) -> uuid.UUID:
    """Store the CV (the same file twice is one resume, even from concurrent requests)."""
    values: dict[str, Any] = {
        "extracted_text": extraction.text,
        "language": extraction.language,
        "parse_status": ParseStatus.OK,
        "embedding": embedding,
        "embedding_model": embedding_model,
        "content_hash": content_hash,
    }
    resume_id: uuid.UUID = (
        await session.execute(
            insert(Resume)
            .values(
                id=uuid.uuid4(),
                user_id=user_id,
                title=file_name[:200] or None,
                file_name=file_name[:255] or "cv",
                mime_type=_MIME.get(extraction.kind, "application/octet-stream"),
                size_bytes=size,
                sha256=extraction.sha256,
                **values,
            )
            .on_conflict_do_update(
                index_elements=[Resume.user_id, Resume.sha256],
                set_={**values, "updated_at": func.now()},
            )
            .returning(Resume.id)
        )
    ).scalar_one()
    return resume_id


async def save_profile_facts(
    session: AsyncSession,
    user_id: uuid.UUID,
    *,
    nationality: str | None,
    gender: str | None,
    positions: list[str],
    locations: list[str],
) -> None:
    """Keep what the candidate told us on their profile. Nationality and gender are stored for
    the law's reporting only; nothing that scores or filters jobs ever reads them."""
    await session.execute(
        insert(Candidate).values(user_id=user_id).on_conflict_do_nothing(index_elements=["user_id"])
    )
    values: dict[str, Any] = {}
    if nationality:
        values["nationality"] = nationality
    if gender:
        values["gender"] = gender
    if positions:
        values["desired_positions"] = positions
    if locations:
        values["desired_locations"] = locations
    if values:
        await session.execute(
            update(Candidate).where(Candidate.user_id == user_id).values(**values)
        )


# --- the candidate's own applications ----------------------------------------------------------


async def list_for_user(
    session: AsyncSession,
    user_id: uuid.UUID,
    stage: ApplicationStage | None,
    offset: int,
    limit: int,
) -> tuple[list[tuple[JobApplication, Job]], int]:
    conditions = [JobApplication.user_id == user_id]
    if stage is not None:
        conditions.append(JobApplication.stage == stage)
    total = (
        await session.execute(select(func.count()).select_from(JobApplication).where(*conditions))
    ).scalar_one()
    rows = await session.execute(
        select(JobApplication, Job)
        .join(Job, Job.id == JobApplication.job_id)
        .where(*conditions)
        .order_by(JobApplication.created_at.desc(), JobApplication.id)
        .offset(offset)
        .limit(limit)
    )
    return [(a, j) for a, j in rows], int(total)


async def counts_by_stage(session: AsyncSession, user_id: uuid.UUID) -> dict[str, int]:
    counts = dict.fromkeys((s.value for s in ApplicationStage), 0)
    rows = await session.execute(
        select(JobApplication.stage, func.count())
        .where(JobApplication.user_id == user_id)
        .group_by(JobApplication.stage)
    )
    for stage, n in rows:
        counts[ApplicationStage(stage).value] = int(n)
    return counts


async def history(
    session: AsyncSession, application_id: uuid.UUID
) -> Sequence[ApplicationStageChange]:
    return (
        (
            await session.execute(
                select(ApplicationStageChange)
                .where(ApplicationStageChange.application_id == application_id)
                .order_by(ApplicationStageChange.created_at, ApplicationStageChange.id)
            )
        )
        .scalars()
        .all()
    )
