"""The rules of applying.

One apply: a candidate applies once per job (a re-post counts as the same job), only to an
open job, within a daily quota. Bulk (AI) apply: the CV is extracted in the sandbox, jobs are
found through the match port under the requested positions and locations, and the candidate is
applied to those above the minimum score — each application spending ``aiJobApplyCount``
credits through the ledger, in the same transaction, so credits and applications never
disagree. Every write of one candidate is serialised by a transaction-scoped lock, which makes
concurrent requests behave as if they came one after another.
"""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import dataclass
from typing import Any

from rapidfuzz import fuzz
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from api.accounts.ownership import get_owned
from api.applications import repository
from api.applications.explanation import supported_explanation
from api.applications.matching_port import MatchPort, MatchResult
from api.applications.reposts import AppliedJobs
from api.applications.schemas import BulkApplied, BulkApplyResult, BulkSkipped, JobSummary
from api.applications.settings import ApplySettings
from api.billing import ledger
from api.billing.ledger import InsufficientCredits
from api.errors import BadInput, Conflict, Forbidden, NotFound, TabashirError, TooManyRequests
from api.home.notifications import (
    KIND_APPLICATION_SUBMITTED,
    KIND_BULK_APPLIED,
    KIND_NEW_APPLICANT,
    notify,
)
from api.jobs.access import Caller
from api.jobs.repository import open_condition
from api.jobs.schemas import effective_status
from indexing.documents import content_hash
from indexing.embedder import Embedder
from indexing.filters import JobFilters
from indexing.resumes import embed_resumes
from ingestion.extract import extract_async
from ingestion.jobs import normalise_city
from ingestion.jobs.normalise import normalise_title
from ingestion.jobs.text import key
from models import Job, JobApplication, Resume, User
from models.enums import ApplicationOrigin, CreditType, JobStatus, UserType

AI_CREDITS = CreditType.AI_JOB_APPLY_COUNT


class AlreadyApplied(Conflict):
    code, message = "already_applied", "You have already applied to this job"


class JobNotOpen(Conflict):
    code, message = "job_not_open", "This job is not open for applications"


class DailyQuotaReached(TooManyRequests):
    code, message = "daily_quota_reached", "You have reached today's limit of applications"


class CvHasNoText(TabashirError):
    status_code, code = 422, "cv_has_no_text"
    message = "No text could be read from this CV; upload a text-based PDF or a Word document"


async def resolve_candidate(session: AsyncSession, caller: Caller, email: str | None) -> User:
    """The candidate a request acts for: the signed-in candidate, or (service calls) the
    candidate account of ``email``."""
    if caller.user is not None:
        if caller.user.user_type != UserType.CANDIDATE:
            raise Forbidden("Only candidates apply to jobs", code="wrong_user_type")
        if email is not None and email != caller.user.email:
            raise BadInput("email is not the signed-in candidate's", code="email_mismatch")
        return caller.user
    if email is None:
        raise BadInput("email is required for service calls", code="email_required")
    user = await repository.candidate_by_email(session, email)
    if user is None:
        raise NotFound("No candidate account with this email", code="candidate_not_found")
    return user


async def _quota_left(
    session: AsyncSession, user_id: uuid.UUID, settings: ApplySettings, time_zone: str
) -> int:
    used = await repository.applied_since(session, user_id, repository.local_midnight(time_zone))
    return max(0, settings.daily_quota - used)


def _announce(
    session: AsyncSession, candidate: User, job: Job, application: JobApplication, *, quiet: bool
) -> None:
    if job.owner_id is not None:
        # No candidate name: the job may be under blind review.
        notify(
            session,
            job.owner_id,
            KIND_NEW_APPLICANT,
            f"New applicant for {job.title}",
            data={"jobId": str(job.id), "applicationId": str(application.id)},
        )
    if not quiet:
        notify(
            session,
            candidate.id,
            KIND_APPLICATION_SUBMITTED,
            f"Application sent: {job.title} at {job.company}",
            data={"jobId": str(job.id), "applicationId": str(application.id)},
        )


async def apply_to_job(
    session: AsyncSession,
    port: MatchPort,
    settings: ApplySettings,
    time_zone: str,
    candidate: User,
    job_id: uuid.UUID,
    resume_id: uuid.UUID | None,
) -> tuple[JobApplication, Job]:
    """One application of ``candidate`` to ``job_id`` (origin single)."""
    await repository.lock_candidate(session, candidate.id)
    job = await repository.job_for_apply(session, job_id)
    if job is None or job.status == JobStatus.DRAFT:
        raise NotFound("Job not found", code="job_not_found")
    if effective_status(job) != JobStatus.OPEN:
        raise JobNotOpen(f"This job is {effective_status(job).value}: it takes no applications")
    applied = await AppliedJobs.load(session, candidate.id)
    same = await applied.same_as(session, job)
    if same is not None:
        raise AlreadyApplied(
            "You have already applied to this job"
            + ("" if same == job.id else " (an earlier posting of it)"),
            detail={"job_id": str(same)},
        )
    if await _quota_left(session, candidate.id, settings, time_zone) <= 0:
        raise DailyQuotaReached(
            f"You have reached today's limit of {settings.daily_quota} applications"
        )
    resume: Resume | None
    if resume_id is not None:
        resume = await get_owned(session, Resume, resume_id, candidate.id, what="Resume")
    else:
        resume = await repository.latest_resume(session, candidate.id)
    score: float | None = None
    explanation: dict[str, Any] | None = None
    if resume is not None:
        result = (await port.score_jobs_for_resume(session, resume.id, [job.id])).get(job.id)
        if result is not None:
            score = max(0.0, min(1.0, result.score))
            explanation = supported_explanation(
                result.explanation, resume.extracted_text or "", job.skills
            )
    application = await repository.insert_application(
        session,
        user_id=candidate.id,
        job_id=job.id,
        resume_id=resume.id if resume is not None else None,
        origin=ApplicationOrigin.SINGLE,
        score=score,
        explanation=explanation,
        changed_by=candidate.id,
    )
    if application is None:
        raise AlreadyApplied(detail={"job_id": str(job.id)})
    _announce(session, candidate, job, application, quiet=False)
    return application, job


# --- bulk (AI) apply ---------------------------------------------------------------------------


@dataclass(frozen=True)
class BulkRequest:
    email: str
    data: bytes
    file_name: str
    nationality: str | None
    gender: str | None
    positions: list[str]
    locations: list[str]


def location_filters(locations: list[str]) -> list[JobFilters]:
    """Hard filters for the requested places: cities ("DXB", "دبي" → Dubai) and whole
    countries ("UAE") are separate queries, so "Dubai" and "Saudi Arabia" together mean
    either, not both."""
    if not locations:
        return [JobFilters()]
    cities: list[str] = []
    countries: list[str] = []
    for raw in locations:
        ref = normalise_city(raw)
        if ref is not None and ref.city is None:
            countries.append(ref.country)
        else:
            cities.append(ref.city if ref is not None and ref.city else raw.strip())
    filters: list[JobFilters] = []
    if cities:
        filters.append(JobFilters(city=tuple(dict.fromkeys(cities))))
    if countries:
        filters.append(JobFilters(country=tuple(dict.fromkeys(countries))))
    return filters


def title_fits(title: str, positions: list[str], ratio: float) -> bool:
    """True when the job's title is one of the positions asked for (or none was asked)."""
    if not positions:
        return True
    title_key = normalise_title(title)
    return any(fuzz.token_set_ratio(key(p), title_key) >= ratio for p in positions)


async def _find(
    session: AsyncSession, port: MatchPort, text: str, filters: list[JobFilters], pool: int
) -> dict[uuid.UUID, MatchResult]:
    best: dict[uuid.UUID, MatchResult] = {}
    for f in filters:
        for result in await port.find_jobs_for_text(session, text, f, pool):
            if result.job_id is None:
                continue
            if result.job_id not in best or best[result.job_id].score < result.score:
                best[result.job_id] = result
    return best


async def bulk_apply(
    session: AsyncSession,
    port: MatchPort,
    embedder: Embedder,
    settings: ApplySettings,
    time_zone: str,
    request: BulkRequest,
) -> BulkApplyResult:
    """Extract the CV, find jobs for it under the positions and locations asked for, and apply
    (origin ai) to the best ones above the minimum score — within the daily quota, the
    request's cap and the candidate's aiJobApplyCount credits; never twice to one job."""
    candidate = await repository.candidate_by_email(session, request.email)
    if candidate is None:
        raise NotFound("No candidate account with this email", code="candidate_not_found")
    if await ledger.balance(session, candidate.id, AI_CREDITS) < settings.ai_credit_cost:
        raise InsufficientCredits(
            f"Not enough {AI_CREDITS.value} credits",
            detail={"creditType": AI_CREDITS.value, "required": settings.ai_credit_cost},
        )
    # Slow, lock-free work first: the sandboxed extraction, the CV's vector, the search.
    extraction = await extract_async(request.data, file_name=request.file_name, owner=candidate.id)
    cv_text = extraction.text.strip()
    if extraction.status != "ok" or not cv_text:
        raise CvHasNoText(extraction.message or None)
    # The CV's vector as every stored CV has it (the mean of its chunks), so the score of each
    # pair here is the one the candidate sees later on any screen.
    vector = (await asyncio.to_thread(embed_resumes, [(uuid.uuid4(), cv_text)], embedder))[0].vector
    found = await _find(
        session, port, cv_text, location_filters(request.locations), settings.bulk_pool
    )
    eligible = {
        job_id: result
        for job_id, result in found.items()
        if result.score >= settings.min_match_score
    }
    jobs = await _open_jobs(session, list(eligible))
    ranked = sorted(
        (
            (jobs[job_id], result)
            for job_id, result in eligible.items()
            if job_id in jobs
            and title_fits(jobs[job_id].title, request.positions, settings.position_title_ratio)
        ),
        key=lambda pair: (-pair[1].score, str(pair[0].id)),
    )

    # Writes, one candidate at a time.
    await repository.lock_candidate(session, candidate.id)
    resume_id = await repository.upsert_resume(
        session,
        candidate.id,
        extraction,
        request.file_name,
        len(request.data),
        vector,
        embedder.model_id,
        content_hash(cv_text),
    )
    await repository.save_profile_facts(
        session,
        candidate.id,
        nationality=request.nationality,
        gender=request.gender,
        positions=request.positions,
        locations=request.locations,
    )
    applied_jobs = await AppliedJobs.load(session, candidate.id)
    quota_left = await _quota_left(session, candidate.id, settings, time_zone)
    if quota_left <= 0 and ranked:
        raise DailyQuotaReached(
            f"You have reached today's limit of {settings.daily_quota} applications"
        )
    cap = min(quota_left, settings.bulk_max_jobs)
    applied: list[BulkApplied] = []
    skipped: list[BulkSkipped] = []
    credits_left = await ledger.balance(session, candidate.id, AI_CREDITS)
    for job, result in ranked:
        if await applied_jobs.same_as(session, job) is not None:
            skipped.append(BulkSkipped(job_id=job.id, title=job.title, reason="already_applied"))
            continue
        if len(applied) >= cap:
            reason = "daily_quota_reached" if cap == quota_left else "request_limit"
            skipped.append(BulkSkipped(job_id=job.id, title=job.title, reason=reason))
            break
        try:
            credits_left = await ledger.spend(
                session,
                candidate.id,
                AI_CREDITS,
                settings.ai_credit_cost,
                f"ai-apply:{job.id}",
                reason="ai_job_apply",
            )
        except InsufficientCredits:
            if not applied:
                raise
            skipped.append(
                BulkSkipped(job_id=job.id, title=job.title, reason="insufficient_credits")
            )
            break
        score = max(0.0, min(1.0, result.score))
        explanation = supported_explanation(result.explanation, cv_text, job.skills)
        application = await repository.insert_application(
            session,
            user_id=candidate.id,
            job_id=job.id,
            resume_id=resume_id,
            origin=ApplicationOrigin.AI,
            score=score,
            explanation=explanation,
            changed_by=None,
        )
        if application is None:  # unreachable under the lock; never charge for nothing
            raise AlreadyApplied(detail={"job_id": str(job.id)})
        applied_jobs.add(job)
        _announce(session, candidate, job, application, quiet=True)
        applied.append(
            BulkApplied(
                application_id=application.id,
                job=JobSummary.of(job),
                score=score,
                explanation=explanation,
            )
        )
    if applied:
        notify(
            session,
            candidate.id,
            KIND_BULK_APPLIED,
            f"We applied to {len(applied)} job{'s' if len(applied) != 1 else ''} for you",
            data={"applicationIds": [str(a.application_id) for a in applied]},
        )
    return BulkApplyResult(
        resume_id=resume_id,
        applied=applied,
        skipped=skipped,
        matched=len(ranked),
        credits_left=credits_left,
        quota_left=max(0, quota_left - len(applied)),
    )


async def _open_jobs(session: AsyncSession, job_ids: list[uuid.UUID]) -> dict[uuid.UUID, Job]:
    if not job_ids:
        return {}
    rows = await session.execute(select(Job).where(Job.id.in_(job_ids), open_condition()))
    return {job.id: job for job in rows.scalars()}
