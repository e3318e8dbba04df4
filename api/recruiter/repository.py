"""SQL of the recruiter's pipeline: applicants, stage history, notes, and the statistics
(time in each stage, time-to-fill, selection rates) computed in the database."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Float,
    and_,
    cast,
    exists,
    func,
    literal,
    select,
    union_all,
)
from sqlalchemy.ext.asyncio import AsyncSession

from models import Candidate, Job, JobApplication, User
from models.enums import ApplicationStage, JobStatus
from models.pipeline import ApplicationNote, ApplicationStageChange

#: The pipeline's order; rejected stands apart.
PIPELINE = (
    ApplicationStage.APPLIED,
    ApplicationStage.SCREENING,
    ApplicationStage.INTERVIEW,
    ApplicationStage.OFFER,
    ApplicationStage.HIRED,
)


@dataclass(frozen=True)
class ApplicantRow:
    application: JobApplication
    name: str | None
    email: str
    candidate: Candidate | None


async def applicants(
    session: AsyncSession, job_id: uuid.UUID, stage: ApplicationStage | None, limit: int
) -> tuple[list[ApplicantRow], int]:
    """The job's applications (oldest first, at most ``limit``) with the candidate's account
    and profile, and how many there are in all."""
    conditions = [JobApplication.job_id == job_id]
    if stage is not None:
        conditions.append(JobApplication.stage == stage)
    total = (
        await session.execute(select(func.count()).select_from(JobApplication).where(*conditions))
    ).scalar_one()
    rows = await session.execute(
        select(JobApplication, User.name, User.email, Candidate)
        .join(User, User.id == JobApplication.user_id)
        .outerjoin(Candidate, Candidate.user_id == JobApplication.user_id)
        .where(*conditions)
        .order_by(JobApplication.created_at, JobApplication.id)
        .limit(limit)
    )
    return [ApplicantRow(a, n, e, c) for a, n, e, c in rows], int(total)


async def applicant(session: AsyncSession, application_id: uuid.UUID) -> ApplicantRow | None:
    row = (
        await session.execute(
            select(JobApplication, User.name, User.email, Candidate)
            .join(User, User.id == JobApplication.user_id)
            .outerjoin(Candidate, Candidate.user_id == JobApplication.user_id)
            .where(JobApplication.id == application_id)
        )
    ).first()
    if row is None:
        return None
    a, n, e, c = row
    return ApplicantRow(a, n, e, c)


async def application_for_update(
    session: AsyncSession, application_id: uuid.UUID
) -> tuple[JobApplication, Job] | None:
    row = (
        await session.execute(
            select(JobApplication, Job)
            .join(Job, Job.id == JobApplication.job_id)
            .where(JobApplication.id == application_id)
            .with_for_update(of=JobApplication)
        )
    ).first()
    return None if row is None else (row[0], row[1])


async def add_stage_change(
    session: AsyncSession,
    application: JobApplication,
    to_stage: ApplicationStage,
    changed_by: uuid.UUID | None,
    reason: str | None,
) -> ApplicationStageChange:
    change = ApplicationStageChange(
        application_id=application.id,
        from_stage=application.stage,
        to_stage=to_stage,
        changed_by_id=changed_by,
        reason=reason,
        # The wall clock: several moves in one transaction keep their order.
        created_at=func.clock_timestamp(),
    )
    session.add(change)
    application.stage = to_stage
    await session.flush()
    return change


async def add_note(
    session: AsyncSession, application_id: uuid.UUID, author_id: uuid.UUID, body: str
) -> ApplicationNote:
    note = ApplicationNote(
        application_id=application_id,
        author_id=author_id,
        body=body,
        created_at=func.clock_timestamp(),
    )
    session.add(note)
    await session.flush()
    await session.refresh(note)
    return note


async def notes(
    session: AsyncSession, application_id: uuid.UUID, offset: int, limit: int
) -> tuple[Sequence[ApplicationNote], int]:
    condition = ApplicationNote.application_id == application_id
    total = (
        await session.execute(select(func.count()).select_from(ApplicationNote).where(condition))
    ).scalar_one()
    rows = (
        (
            await session.execute(
                select(ApplicationNote)
                .where(condition)
                .order_by(ApplicationNote.created_at.desc(), ApplicationNote.id)
                .offset(offset)
                .limit(limit)
            )
        )
        .scalars()
        .all()
    )
    return rows, int(total)


# --- statistics ---------------------------------------------------------------------------------


def _hours(interval: ColumnElement[Any]) -> ColumnElement[Any]:
    return cast(func.extract("epoch", interval), Float) / 3600.0


async def stage_durations(
    session: AsyncSession, scope: ColumnElement[bool]
) -> dict[ApplicationStage, tuple[int, float | None, float | None]]:
    """For applications of the jobs in ``scope`` (a condition on ``jobs``): per stage, how many
    stays ended, and their mean and median length in hours. A stay ends when the next history
    row begins; an application without its first row counts as applied at its creation."""
    recorded = (
        select(
            ApplicationStageChange.application_id.label("application_id"),
            ApplicationStageChange.to_stage.label("stage"),
            ApplicationStageChange.created_at.label("entered"),
        )
        .join(JobApplication, JobApplication.id == ApplicationStageChange.application_id)
        .join(Job, Job.id == JobApplication.job_id)
        .where(scope)
    )
    implied = (
        select(
            JobApplication.id.label("application_id"),
            literal(ApplicationStage.APPLIED.value).label("stage"),
            JobApplication.created_at.label("entered"),
        )
        .join(Job, Job.id == JobApplication.job_id)
        .where(
            scope,
            ~exists().where(
                ApplicationStageChange.application_id == JobApplication.id,
                ApplicationStageChange.from_stage.is_(None),
            ),
        )
    )
    entries = union_all(recorded, implied).subquery("entries")
    spans = select(
        entries.c.stage,
        entries.c.entered,
        func.lead(entries.c.entered)
        .over(partition_by=entries.c.application_id, order_by=entries.c.entered)
        .label("left_at"),
    ).subquery("spans")
    hours = _hours(spans.c.left_at - spans.c.entered)
    rows = await session.execute(
        select(
            spans.c.stage,
            func.count(),
            func.avg(hours),
            func.percentile_cont(0.5).within_group(hours),
        )
        .where(spans.c.left_at.is_not(None))
        .group_by(spans.c.stage)
    )
    return {
        ApplicationStage(stage): (
            int(n),
            float(avg) if avg is not None else None,
            float(median) if median is not None else None,
        )
        for stage, n, avg, median in rows
    }


def _first_hires(scope: ColumnElement[bool]) -> Any:
    """(job_id, first_hire_at) of the jobs in ``scope`` that hired: the first move to hired in
    the history, or, for an application hired without history, its last update."""
    moved = (
        select(JobApplication.job_id.label("job_id"), ApplicationStageChange.created_at.label("at"))
        .join(JobApplication, JobApplication.id == ApplicationStageChange.application_id)
        .join(Job, Job.id == JobApplication.job_id)
        .where(scope, ApplicationStageChange.to_stage == ApplicationStage.HIRED)
    )
    unrecorded = (
        select(JobApplication.job_id.label("job_id"), JobApplication.updated_at.label("at"))
        .join(Job, Job.id == JobApplication.job_id)
        .where(
            scope,
            JobApplication.stage == ApplicationStage.HIRED,
            ~exists().where(
                ApplicationStageChange.application_id == JobApplication.id,
                ApplicationStageChange.to_stage == ApplicationStage.HIRED,
            ),
        )
    )
    hires = union_all(moved, unrecorded).subquery("hires")
    return (
        select(hires.c.job_id, func.min(hires.c.at).label("first_hire_at"))
        .group_by(hires.c.job_id)
        .subquery("first_hires")
    )


async def job_fill(
    session: AsyncSession, job_id: uuid.UUID
) -> tuple[int, int, datetime | None, float | None]:
    """(applicants, hires, first hire, days from posting to the first hire) of one job."""
    first = _first_hires(Job.id == job_id)
    applicants_n = select(func.count()).where(JobApplication.job_id == job_id).scalar_subquery()
    hires_n = (
        select(func.count())
        .where(JobApplication.job_id == job_id, JobApplication.stage == ApplicationStage.HIRED)
        .scalar_subquery()
    )
    row = (
        await session.execute(
            select(
                applicants_n,
                hires_n,
                first.c.first_hire_at,
                _hours(first.c.first_hire_at - Job.posted_at) / 24.0,
            )
            .select_from(Job)
            .outerjoin(first, first.c.job_id == Job.id)
            .where(Job.id == job_id)
        )
    ).one()
    days = float(row[3]) if row[3] is not None and row[3] >= 0 else None
    return int(row[0]), int(row[1]), row[2], days


async def recruiter_fill(
    session: AsyncSession, owner_id: uuid.UUID
) -> tuple[int, int, int, float | None, float | None]:
    """(jobs, open jobs, filled jobs, mean and median days to fill) of a recruiter's jobs."""
    scope = Job.owner_id == owner_id
    first = _first_hires(scope)
    days = _hours(first.c.first_hire_at - Job.posted_at) / 24.0
    not_expired = func.coalesce(Job.expires_at > func.now(), True)
    row = (
        await session.execute(
            select(
                func.count(Job.id),
                func.count(Job.id).filter(and_(Job.status == JobStatus.OPEN, not_expired)),
                func.count(first.c.job_id),
                func.avg(days).filter(first.c.first_hire_at >= Job.posted_at),
                func.percentile_cont(0.5)
                .within_group(days)
                .filter(first.c.first_hire_at >= Job.posted_at),
            )
            .select_from(Job)
            .outerjoin(first, first.c.job_id == Job.id)
            .where(scope)
        )
    ).one()
    return (
        int(row[0]),
        int(row[1]),
        int(row[2]),
        float(row[3]) if row[3] is not None else None,
        float(row[4]) if row[4] is not None else None,
    )


async def selection_by_group(
    session: AsyncSession,
    attribute: Any,
    selected: Sequence[ApplicationStage],
    scope: list[ColumnElement[bool]],
) -> list[tuple[str | None, int, int]]:
    """(group, applicants, selected) per value of a candidate attribute. Selected: the
    application is in, or ever reached, one of the ``selected`` stages."""
    reached = exists().where(
        ApplicationStageChange.application_id == JobApplication.id,
        ApplicationStageChange.to_stage.in_(selected),
    )
    is_selected = JobApplication.stage.in_(selected) | reached
    group = func.nullif(func.lower(func.btrim(attribute)), "").label("grp")
    rows = await session.execute(
        select(group, func.count(), func.count().filter(is_selected))
        .select_from(JobApplication)
        .join(Job, Job.id == JobApplication.job_id)
        .outerjoin(Candidate, Candidate.user_id == JobApplication.user_id)
        .where(*scope)
        .group_by(group)
    )
    return [(g, int(n), int(s)) for g, n, s in rows]
