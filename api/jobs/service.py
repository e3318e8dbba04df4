"""The rules of job writes: who may post and edit, normalisation through the ingestion
normalisers (the same city, salary, type and experience parsing as feeds), the status lifecycle,
and queueing new or changed texts for embedding."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from pydantic import ValidationError
from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from api.errors import Conflict, Forbidden, TabashirError
from api.jobs import repository
from api.jobs.access import Caller, editable_job
from api.jobs.normaliser import skill_normaliser
from api.jobs.schemas import JobCreate, JobDeleted, JobUpdate, effective_status
from api.tasks.queue import enqueue
from ingestion.jobs import JobFeedItem, NormalisedJob, normalise_item
from models import Job, Recruiter, Task, User
from models.enums import JobStatus, Permission, TaskStatus, UserType

API_SOURCE = "api"
EMBED_TASK = "embed_missing"

_PLACE = ("city", "location", "country")
_SALARY = ("salary", "salary_min", "salary_max", "salary_currency", "salary_period")
_EXPERIENCE = ("experience", "experience_min", "experience_max")
#: Moves a person may make (expiry is not one: it follows ``expires_at``).
_TRANSITIONS: dict[JobStatus, frozenset[JobStatus]] = {
    JobStatus.DRAFT: frozenset({JobStatus.DRAFT, JobStatus.OPEN, JobStatus.CLOSED}),
    JobStatus.OPEN: frozenset({JobStatus.OPEN, JobStatus.CLOSED}),
    JobStatus.CLOSED: frozenset({JobStatus.CLOSED, JobStatus.OPEN}),
    JobStatus.EXPIRED: frozenset({JobStatus.OPEN, JobStatus.CLOSED}),
}


class InvalidJob(TabashirError):
    status_code, code, message = 422, "invalid_job", "The job is not valid"


def _normalise(fields: dict[str, Any], external_id: str) -> NormalisedJob:
    values = {k: v for k, v in fields.items() if v is not None}
    try:
        item = JobFeedItem.model_validate({**values, "external_id": external_id})
        return normalise_item(item, skill_normaliser())
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first.get("loc", ()))
        raise InvalidJob(f"Invalid job: {where}: {first.get('msg', 'invalid')}") from None
    except ValueError as exc:
        raise InvalidJob(f"Invalid job: {exc}") from None


async def queue_embedding(session: AsyncSession) -> uuid.UUID:
    """Make sure an ``embed_missing`` task is queued (one is enough: it embeds every row
    without a vector); its id."""
    queued = (
        await session.execute(
            select(Task.id)
            .where(Task.kind == EMBED_TASK, Task.status == TaskStatus.QUEUED)
            .limit(1)
        )
    ).scalar_one_or_none()
    if queued is not None:
        return queued
    return (await enqueue(session, EMBED_TASK)).id


async def _owner_for(
    session: AsyncSession, caller: Caller, requested: uuid.UUID | None
) -> User | None:
    if caller.is_recruiter and caller.user is not None:
        if requested is not None and requested != caller.user.id:
            raise Forbidden("Recruiters post jobs for themselves only", code="cannot_assign_owner")
        return caller.user
    if requested is None:
        return None
    owner = await session.get(User, requested)
    if owner is None or owner.user_type != UserType.RECRUITER or owner.deleted_at is not None:
        raise InvalidJob("owner_id must be a recruiter's account", code="invalid_owner")
    return owner


def _check_expiry(status: JobStatus, expires_at: datetime | None, now: datetime) -> None:
    if status == JobStatus.OPEN and expires_at is not None and expires_at <= now:
        raise InvalidJob(
            "expires_at is in the past: an open job must expire later", code="expires_at_in_past"
        )


async def create_job(session: AsyncSession, caller: Caller, body: JobCreate) -> Job:
    """Post a job (services, admins with MANAGE_JOBS, recruiters)."""
    caller.require_job_writer()
    now = datetime.now(UTC)
    owner = await _owner_for(session, caller, body.owner_id)
    company = body.company
    if company is None and owner is not None:
        recruiter = await session.get(Recruiter, owner.id)
        company = recruiter.company_name if recruiter is not None else None
    if not company:
        raise InvalidJob("company is required", code="company_required")
    status = JobStatus(body.status)
    _check_expiry(status, body.expires_at, now)
    if body.external_id and await repository.external_id_taken(
        session, API_SOURCE, body.external_id
    ):
        raise Conflict("A job with this external_id exists already", code="duplicate_external_id")
    fields = body.model_dump(exclude={"status", "external_id", "owner_id", "blind_review"})
    fields["company"] = company
    normalised = _normalise(fields, body.external_id or "api")
    job = Job(
        id=uuid.uuid4(),
        **normalised.columns(),
        source=API_SOURCE,
        source_id=body.external_id,
        status=status,
        posted_at=now if status == JobStatus.OPEN else None,
        owner_id=owner.id if owner is not None else None,
        blind_review=bool(body.blind_review),
        embedding=None,
        embedding_model=None,
    )
    session.add(job)
    await session.flush()
    await queue_embedding(session)
    return job


def _stored_fields(job: Job) -> dict[str, Any]:
    """The job's values in the shape the normaliser reads (it maps them onto themselves)."""
    return {
        "title": job.title,
        "company": job.company,
        "description": job.description,
        "requirements": list(job.requirements),
        "skills": list(job.skills),
        "city": job.city,
        "country": job.country,
        "salary_min": job.salary_min,
        "salary_max": job.salary_max,
        "salary_currency": job.salary_currency,
        "salary_period": job.salary_period.value if job.salary_period else None,
        "job_type": job.job_type.value if job.job_type else None,
        "work_mode": job.work_mode.value if job.work_mode else None,
        "experience_min": job.experience_min,
        "experience_max": job.experience_max,
        "language": job.language,
        "posted_at": job.posted_at,
        "expires_at": job.expires_at,
    }


def _merge(stored: dict[str, Any], given: dict[str, Any]) -> dict[str, Any]:
    """Overlay the fields sent on the stored ones; a field not sent keeps its value. Free text
    that describes a group as a whole replaces the group: a new "location" is not outvoted by
    the stored city and country, nor a new "salary" or "experience" text by the stored bounds,
    and a new city brings its own country. Structured fields alone change only themselves:
    ``{"salary_max": 30000}`` keeps the stored minimum, currency and period."""
    merged = dict(stored)
    groups = (
        (_PLACE, any(name in given for name in _PLACE)),
        (_SALARY, "salary" in given),
        (_EXPERIENCE, "experience" in given),
    )
    for group, replaced in groups:
        if replaced:
            for name in group:
                merged.pop(name, None)
    merged.update(given)
    for low, high, what in (
        ("salary_min", "salary_max", "salary"),
        ("experience_min", "experience_max", "experience"),
    ):
        lo, hi = merged.get(low), merged.get(high)
        if lo is not None and hi is not None and lo > hi:
            raise InvalidJob(
                f"{low} would be above {high}: send both to move the {what} range",
                code=f"invalid_{what}_range",
            )
    return merged


def _next_status(job: Job, requested: JobStatus | None, now: datetime) -> JobStatus:
    current = effective_status(job, now)
    if requested is None:
        # Expiry follows the date: a later expires_at brings an expired job back.
        if job.status == JobStatus.EXPIRED and (job.expires_at is None or job.expires_at > now):
            return JobStatus.OPEN
        return job.status
    if requested not in _TRANSITIONS[current]:
        raise Conflict(
            f"A {current.value} job cannot become {requested.value}",
            code="invalid_status_transition",
        )
    return requested


async def update_job(
    session: AsyncSession, caller: Caller, job_id: uuid.UUID, body: JobUpdate
) -> Job:
    """Change the fields sent; re-normalise; move the status; re-embed if the text changed."""
    job = editable_job(caller, await repository.get_job(session, job_id, for_update=True))
    now = datetime.now(UTC)
    given = body.model_dump(exclude_unset=True)
    requested = given.pop("status", None)
    blind = given.pop("blind_review", None)
    for required in ("title", "company"):
        if required in given and given[required] is None:
            raise InvalidJob(f"{required} cannot be empty", code=f"{required}_required")
    if given:
        normalised = _normalise(_merge(_stored_fields(job), given), job.source_id or "api")
        text_changed = normalised.content_hash != job.content_hash
        for column, value in normalised.columns().items():
            setattr(job, column, value)
        if text_changed:
            job.embedding = None
            job.embedding_model = None
            await queue_embedding(session)
    if blind is not None:
        job.blind_review = bool(blind)
    status = _next_status(job, JobStatus(requested) if requested else None, now)
    _check_expiry(status, job.expires_at, now)
    if status != job.status:
        if status == JobStatus.CLOSED:
            job.closed_at = now
        if status == JobStatus.OPEN:
            job.closed_at = None
            job.posted_at = job.posted_at or now
        job.status = status
    job.updated_at = now
    await session.flush()
    return job


async def delete_job(session: AsyncSession, caller: Caller, job_id: uuid.UUID) -> JobDeleted:
    """Delete a job nobody applied to; close one with applications (they keep their job).
    The row lock makes a concurrent apply wait, so no application is ever deleted with it."""
    job = editable_job(caller, await repository.get_job(session, job_id, for_update=True))
    if await repository.has_applications(session, job.id):
        if job.status != JobStatus.CLOSED:
            job.status = JobStatus.CLOSED
            job.closed_at = datetime.now(UTC)
            await session.flush()
        return JobDeleted(id=job.id, deleted=False, status=JobStatus.CLOSED)
    await session.execute(delete(Job).where(Job.id == job.id))
    session.expunge(job)
    return JobDeleted(id=job_id, deleted=True, status=None)


def may_see_applicants(caller: Caller, job: Job) -> bool:
    """Applicant counts and lists: services, application or job administrators, the owner."""
    return (
        caller.has(Permission.MANAGE_APPLICATIONS)
        or caller.has(Permission.MANAGE_JOBS)
        or (caller.is_recruiter and caller.owns(job))
    )
