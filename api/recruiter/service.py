"""The rules of a recruiter's pipeline.

A recruiter works on the applicants of their own jobs only (another recruiter's job or
application is a 404); administrators with MANAGE_APPLICATIONS work on every job. Applicants are
ranked by the match port and shown through the public candidate view; under blind review the
name, email, account id and CV link are withheld too (gender, nationality, date of birth, phone
and photo never appear). Every stage move is a history row (who, when, from, to) and a
notification to the candidate.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from sqlalchemy import ColumnElement
from sqlalchemy.ext.asyncio import AsyncSession

from api.accounts.permissions import effective_permissions
from api.applications.matching_port import MatchPort, MatchResult
from api.errors import Conflict, Forbidden, NotFound
from api.home.notifications import KIND_STAGE_CHANGED, notify
from api.jobs.repository import get_job
from api.recruiter import repository
from api.recruiter.repository import PIPELINE, ApplicantRow
from api.recruiter.schemas import (
    Applicant,
    ApplicantProfile,
    ImpactGroup,
    ImpactRatioReport,
    StageDuration,
)
from models import Candidate, Job, User
from models.enums import ApplicationStage, Permission, UserType

#: The four-fifths rule: a group selected at under 80 % of the best group's rate.
FOUR_FIFTHS = 0.8
_ORDER = {stage: i for i, stage in enumerate(PIPELINE)}
_STAGE_WORDS = {
    ApplicationStage.APPLIED: "is back with the recruiter",
    ApplicationStage.SCREENING: "is being screened",
    ApplicationStage.INTERVIEW: "moved to the interview stage",
    ApplicationStage.OFFER: "reached the offer stage",
    ApplicationStage.HIRED: "ended in a hire: congratulations",
    ApplicationStage.REJECTED: "was not taken further",
}


class InvalidStageTransition(Conflict):
    code = "invalid_stage_transition"


@dataclass(frozen=True)
class Reviewer:
    """A recruiter (own jobs) or an administrator holding MANAGE_APPLICATIONS (all jobs)."""

    user: User
    all_jobs: bool

    def may_review(self, job: Job) -> bool:
        return self.all_jobs or job.owner_id == self.user.id


async def reviewer(session: AsyncSession, user: User) -> Reviewer:
    if user.user_type == UserType.RECRUITER:
        return Reviewer(user, all_jobs=False)
    if user.user_type == UserType.ADMIN:
        if Permission.MANAGE_APPLICATIONS in await effective_permissions(session, user):
            return Reviewer(user, all_jobs=True)
        raise Forbidden(
            f"This needs the {Permission.MANAGE_APPLICATIONS.value} permission",
            code="permission_required",
        )
    raise Forbidden("Only recruiters and administrators review applicants", code="wrong_user_type")


async def reviewable_job(session: AsyncSession, who: Reviewer, job_id: uuid.UUID) -> Job:
    job = await get_job(session, job_id)
    if job is None or not who.may_review(job):
        raise NotFound("Job not found", code="job_not_found")
    return job


def check_transition(current: ApplicationStage, target: ApplicationStage) -> None:
    """Forward along applied → screening → interview → offer → hired (steps may be skipped);
    rejected from any stage before hired; a rejected applicant may be reconsidered at any
    stage before hired. Hired is final; going back is not a move."""
    if current == ApplicationStage.HIRED:
        raise InvalidStageTransition(f"A hired application cannot move to {target.value}")
    if target == ApplicationStage.REJECTED or current == ApplicationStage.REJECTED:
        if current == ApplicationStage.REJECTED and target == ApplicationStage.HIRED:
            raise InvalidStageTransition("A rejected application is reconsidered before hiring")
        return
    if _ORDER[target] < _ORDER[current]:
        raise InvalidStageTransition(
            f"An application at {current.value} cannot go back to {target.value}"
        )


def _label(application_id: uuid.UUID) -> str:
    return f"Applicant {application_id.hex[:6].upper()}"


def applicant_view(
    row: ApplicantRow,
    *,
    rank: int | None,
    result: MatchResult | None,
    blind: bool,
) -> Applicant:
    """The candidate as a recruiter may see them; under ``blind`` nothing that names them."""
    a = row.application
    c: Candidate | None = row.candidate
    score = result.score if result is not None else a.matched_score
    explanation = result.explanation if result is not None else a.match_explanation
    return Applicant(
        application_id=a.id,
        rank=rank,
        stage=a.stage,
        origin=a.origin,
        applied_at=a.created_at,
        score=None if score is None else round(max(0.0, min(1.0, score)), 4),
        explanation=explanation,
        display_name=_label(a.id) if blind else (row.name or row.email),
        email=None if blind else row.email,
        resume_id=None if blind else a.resume_id,
        candidate=ApplicantProfile(
            user_id=None if blind else a.user_id,
            city=c.city if c else None,
            country=c.country if c else None,
            desired_positions=list(c.desired_positions) if c else [],
            desired_locations=list(c.desired_locations) if c else [],
            years_experience=c.years_experience if c else None,
        ),
    )


async def ranked_applicants(
    session: AsyncSession,
    port: MatchPort,
    job: Job,
    stage: ApplicationStage | None,
    rank_limit: int,
) -> tuple[list[tuple[ApplicantRow, MatchResult | None]], int]:
    """Every applicant (up to ``rank_limit``) scored by the match port, best first; those the
    port cannot score keep their stored score, and unscored ones come last, oldest first."""
    rows, total = await repository.applicants(session, job.id, stage, rank_limit)
    resume_ids = [r.application.resume_id for r in rows if r.application.resume_id is not None]
    scores = await port.rank_applicants(session, job.id, resume_ids)
    scored = [
        (r, scores.get(r.application.resume_id) if r.application.resume_id else None) for r in rows
    ]

    def order(pair: tuple[ApplicantRow, MatchResult | None]) -> tuple[float, float]:
        row, result = pair
        score = result.score if result is not None else row.application.matched_score
        return (-(score if score is not None else -1.0), row.application.created_at.timestamp())

    scored.sort(key=order)
    return scored, total


async def change_stage(
    session: AsyncSession,
    who: Reviewer,
    application_id: uuid.UUID,
    target: ApplicationStage,
    reason: str | None,
) -> tuple[ApplicationStage, bool]:
    """Move one application; (the stage it had, whether it moved). Moving to the stage it is
    in changes nothing."""
    found = await repository.application_for_update(session, application_id)
    if found is None or not who.may_review(found[1]):
        raise NotFound("Application not found", code="application_not_found")
    application, job = found
    before = application.stage
    if before == target:
        return before, False
    check_transition(before, target)
    await repository.add_stage_change(session, application, target, who.user.id, reason)
    notify(
        session,
        application.user_id,
        KIND_STAGE_CHANGED,
        f"Your application for {job.title} {_STAGE_WORDS[target]}",
        data={
            "applicationId": str(application.id),
            "jobId": str(job.id),
            "fromStage": before.value,
            "toStage": target.value,
        },
    )
    return before, True


async def reviewable_application(
    session: AsyncSession, who: Reviewer, application_id: uuid.UUID
) -> tuple[ApplicantRow, Job]:
    row = await repository.applicant(session, application_id)
    job = await get_job(session, row.application.job_id) if row is not None else None
    if row is None or job is None or not who.may_review(job):
        raise NotFound("Application not found", code="application_not_found")
    return row, job


def durations(
    found: dict[ApplicationStage, tuple[int, float | None, float | None]],
) -> list[StageDuration]:
    """Every stage in pipeline order (rejected last), zeros where nobody left it yet."""
    out: list[StageDuration] = []
    for stage in (*PIPELINE, ApplicationStage.REJECTED):
        n, avg, median = found.get(stage, (0, None, None))
        out.append(
            StageDuration(
                stage=stage,
                entries=n,
                avg_hours=None if avg is None else round(avg, 2),
                median_hours=None if median is None else round(median, 2),
            )
        )
    return out


def selected_stages(selected_stage: ApplicationStage) -> list[ApplicationStage]:
    """The stages at or after ``selected_stage`` in the pipeline (rejected never counts)."""
    if selected_stage == ApplicationStage.REJECTED:
        raise Conflict("Rejection is not a selection", code="invalid_selected_stage")
    return [s for s in PIPELINE if _ORDER[s] >= _ORDER[selected_stage]]


async def impact_ratio(
    session: AsyncSession,
    attribute: Literal["gender", "nationality"],
    selected_stage: ApplicationStage,
    scope: list[ColumnElement[bool]],
    min_group_size: int,
) -> ImpactRatioReport:
    """Selection rate per group of a protected attribute, where the profile holds it, and each
    group's ratio to the best-selected group with enough data; ratios under 0.8 are flagged
    (the four-fifths rule). For audits: these attributes are never used to score anyone."""
    column = Candidate.gender if attribute == "gender" else Candidate.nationality
    rows = await repository.selection_by_group(
        session, column, selected_stages(selected_stage), scope
    )
    unknown = sum(n for g, n, _ in rows if g is None)
    known: Sequence[tuple[str, int, int]] = sorted((g, n, s) for g, n, s in rows if g is not None)
    rates = {g: s / n for g, n, s in known if n}
    sufficient = {g for g, n, _ in known if n >= min_group_size}
    reference = max(sufficient, key=lambda g: (rates[g], g), default=None)
    best = rates[reference] if reference is not None else 0.0
    groups: list[ImpactGroup] = []
    for g, n, s in known:
        ratio = rates[g] / best if g in sufficient and best > 0 else None
        groups.append(
            ImpactGroup(
                group=g,
                applicants=n,
                selected=s,
                selection_rate=round(rates[g], 4),
                impact_ratio=None if ratio is None else round(ratio, 4),
                sufficient_data=g in sufficient,
                adverse_impact=ratio is not None and ratio < FOUR_FIFTHS - 1e-12,
            )
        )
    return ImpactRatioReport(
        attribute=attribute,
        selected_stage=selected_stage,
        min_group_size=min_group_size,
        reference_group=reference,
        groups=groups,
        unknown=unknown,
        four_fifths_rule_violated=any(g.adverse_impact for g in groups),
    )
