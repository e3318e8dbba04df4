"""/api/recruiter: applicant lists ranked by fit, the pipeline, notes, statistics and the
impact-ratio report."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, status
from sqlalchemy import ColumnElement

from api.accounts.audit import record
from api.applications.matching_port import MatchPortDep
from api.applications.repository import history as stage_history
from api.applications.settings import ApplySettings, get_apply_settings
from api.deps import CurrentUser, MetaDep, RequirePermission, SessionDep
from api.errors import BadInput, NotFound, TabashirError
from api.jobs.schemas import page_of
from api.recruiter import repository, service
from api.recruiter.schemas import (
    ApplicantList,
    ApplicationDetail,
    BulkFailure,
    BulkStageChangeIn,
    BulkStageChangeOut,
    HistoryEntry,
    ImpactRatioReport,
    JobPipelineStats,
    NoteIn,
    NoteList,
    NoteOut,
    RecruiterStats,
    StageChangeIn,
    StageChangeOut,
)
from api.recruiter.service import Reviewer
from models import Job, JobApplication, User
from models.enums import ApplicationStage, Permission, UserType

router = APIRouter(prefix="/api/recruiter", tags=["recruiter"])

ApplySettingsDep = Annotated[ApplySettings, Depends(get_apply_settings)]
Auditor = Annotated[User, RequirePermission(Permission.MANAGE_APPLICATIONS)]
_NOT_FOUND: dict[int | str, dict[str, Any]] = {
    404: {"description": "No such job or application among those you review"}
}


async def get_reviewer(user: CurrentUser, session: SessionDep) -> Reviewer:
    return await service.reviewer(session, user)


ReviewerDep = Annotated[Reviewer, Depends(get_reviewer)]


@router.get(
    "/jobs/{job_id}/applicants",
    response_model=ApplicantList,
    summary="Applicants of a job, ranked by fit",
    responses=_NOT_FOUND,
)
async def list_applicants(
    job_id: uuid.UUID,
    session: SessionDep,
    who: ReviewerDep,
    port: MatchPortDep,
    settings: ApplySettingsDep,
    stage: ApplicationStage | None = None,
    blind: Annotated[
        bool,
        Query(description="Hide names, emails and account ids (always on for blind jobs)"),
    ] = False,
    page: Annotated[int, Query(ge=1, le=10_000)] = 1,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
) -> ApplicantList:
    """Your job's applicants, best match first (the matching engine's score and explanation),
    seen through the public candidate view; blind review hides who they are."""
    job = await service.reviewable_job(session, who, job_id)
    hidden = blind or job.blind_review
    ranked, total = await service.ranked_applicants(session, port, job, stage, settings.rank_limit)
    start = (page - 1) * limit
    items = [
        service.applicant_view(row, rank=start + i + 1, result=result, blind=hidden)
        for i, (row, result) in enumerate(ranked[start : start + limit])
    ]
    return ApplicantList(
        job_id=job.id, blind=hidden, items=items, pagination=page_of(page, limit, total)
    )


async def _history(session: SessionDep, application_id: uuid.UUID) -> list[HistoryEntry]:
    return [
        HistoryEntry(
            from_stage=h.from_stage,
            to_stage=h.to_stage,
            changed_by_id=h.changed_by_id,
            reason=h.reason,
            at=h.created_at,
        )
        for h in await stage_history(session, application_id)
    ]


@router.get(
    "/applications/{application_id}",
    response_model=ApplicationDetail,
    summary="One applicant with the pipeline history",
    responses=_NOT_FOUND,
)
async def get_application(
    application_id: uuid.UUID,
    session: SessionDep,
    who: ReviewerDep,
    port: MatchPortDep,
    blind: bool = False,
) -> ApplicationDetail:
    """One application of your job: the candidate (public view, or blind), its score and
    explanation, and every stage move (who, when, from, to)."""
    row, job = await service.reviewable_application(session, who, application_id)
    result = None
    if row.application.resume_id is not None:
        scores = await port.rank_applicants(session, job.id, [row.application.resume_id])
        result = scores.get(row.application.resume_id)
    view = service.applicant_view(row, rank=None, result=result, blind=blind or job.blind_review)
    return ApplicationDetail(
        **view.model_dump(), job_id=job.id, history=await _history(session, application_id)
    )


@router.post(
    "/applications/{application_id}/stage",
    response_model=StageChangeOut,
    summary="Move an applicant to a stage",
    responses={**_NOT_FOUND, 409: {"description": "Not a move the pipeline allows"}},
)
async def change_stage(
    application_id: uuid.UUID, body: StageChangeIn, session: SessionDep, who: ReviewerDep
) -> StageChangeOut:
    """Move an application along applied → screening → interview → offer → hired, or to
    rejected; recorded in its history and told to the candidate."""
    before, changed = await service.change_stage(
        session, who, application_id, body.stage, body.reason
    )
    return StageChangeOut(
        application_id=application_id, from_stage=before, to_stage=body.stage, changed=changed
    )


@router.post(
    "/applications/bulk-stage",
    response_model=BulkStageChangeOut,
    summary="Move several applicants to a stage",
)
async def bulk_change_stage(
    body: BulkStageChangeIn, session: SessionDep, who: ReviewerDep
) -> BulkStageChangeOut:
    """Move up to 200 applications at once; each moves or fails on its own (reported with
    why), so one closed door does not hold the others back."""
    updated: list[StageChangeOut] = []
    failed: list[BulkFailure] = []
    for application_id in dict.fromkeys(body.application_ids):
        try:
            async with session.begin_nested():
                before, changed = await service.change_stage(
                    session, who, application_id, body.stage, body.reason
                )
        except TabashirError as exc:
            failed.append(
                BulkFailure(application_id=application_id, error=exc.message, code=exc.code)
            )
            continue
        updated.append(
            StageChangeOut(
                application_id=application_id,
                from_stage=before,
                to_stage=body.stage,
                changed=changed,
            )
        )
    return BulkStageChangeOut(updated=updated, failed=failed)


@router.get(
    "/applications/{application_id}/notes",
    response_model=NoteList,
    summary="Notes on an applicant",
    responses=_NOT_FOUND,
)
async def list_notes(
    application_id: uuid.UUID,
    session: SessionDep,
    who: ReviewerDep,
    page: Annotated[int, Query(ge=1, le=10_000)] = 1,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
) -> NoteList:
    """Recruiters' notes on an application, newest first (never shown to the candidate)."""
    await service.reviewable_application(session, who, application_id)
    rows, total = await repository.notes(session, application_id, (page - 1) * limit, limit)
    return NoteList(
        items=[NoteOut.model_validate(n, from_attributes=True) for n in rows],
        pagination=page_of(page, limit, total),
    )


@router.post(
    "/applications/{application_id}/notes",
    response_model=NoteOut,
    status_code=status.HTTP_201_CREATED,
    summary="Add a note on an applicant",
    responses=_NOT_FOUND,
)
async def add_note(
    application_id: uuid.UUID, body: NoteIn, session: SessionDep, who: ReviewerDep
) -> NoteOut:
    """Keep a note on an application (internal to the hiring team)."""
    await service.reviewable_application(session, who, application_id)
    note = await repository.add_note(session, application_id, who.user.id, body.body)
    return NoteOut.model_validate(note, from_attributes=True)


@router.get(
    "/jobs/{job_id}/stats",
    response_model=JobPipelineStats,
    summary="Time-to-fill and time in each stage of a job",
    responses=_NOT_FOUND,
)
async def job_stats(job_id: uuid.UUID, session: SessionDep, who: ReviewerDep) -> JobPipelineStats:
    """Applicants, hires, days from posting to the first hire, and how long applications
    stay in each stage (completed stays; mean and median hours)."""
    job = await service.reviewable_job(session, who, job_id)
    applicants, hires, first_hire_at, days = await repository.job_fill(session, job.id)
    return JobPipelineStats(
        job_id=job.id,
        posted_at=job.posted_at,
        applicants=applicants,
        hires=hires,
        first_hire_at=first_hire_at,
        time_to_fill_days=None if days is None else round(days, 2),
        stages=service.durations(await repository.stage_durations(session, Job.id == job.id)),
    )


@router.get("/stats", response_model=RecruiterStats, summary="A recruiter's pipeline statistics")
async def recruiter_stats(
    session: SessionDep,
    who: ReviewerDep,
    recruiter_id: Annotated[
        uuid.UUID | None,
        Query(alias="recruiterId", description="Administrators: whose (default: your own)"),
    ] = None,
) -> RecruiterStats:
    """Your jobs (or, for administrators, a recruiter's): how many, how many filled, mean and
    median days to fill, and time in each stage."""
    owner_id = who.user.id
    if recruiter_id is not None and recruiter_id != who.user.id:
        target = await session.get(User, recruiter_id) if who.all_jobs else None
        if target is None or target.user_type != UserType.RECRUITER:
            raise NotFound("Recruiter not found", code="recruiter_not_found")
        owner_id = target.id
    jobs, open_jobs, filled, avg_days, median_days = await repository.recruiter_fill(
        session, owner_id
    )
    return RecruiterStats(
        recruiter_id=owner_id,
        jobs=jobs,
        open_jobs=open_jobs,
        filled_jobs=filled,
        avg_time_to_fill_days=None if avg_days is None else round(avg_days, 2),
        median_time_to_fill_days=None if median_days is None else round(median_days, 2),
        stages=service.durations(
            await repository.stage_durations(session, Job.owner_id == owner_id)
        ),
    )


@router.get(
    "/reports/impact-ratio",
    response_model=ImpactRatioReport,
    summary="Impact-ratio report over shortlists (audits)",
    responses={403: {"description": "Needs MANAGE_APPLICATIONS"}},
)
async def impact_ratio_report(
    session: SessionDep,
    auditor: Auditor,
    meta: MetaDep,
    attribute: Annotated[Literal["gender", "nationality"], Query()] = "gender",
    selected_stage: Annotated[
        ApplicationStage,
        Query(alias="selectedStage", description="Reaching this stage or later is selection"),
    ] = ApplicationStage.SCREENING,
    job_id: Annotated[uuid.UUID | None, Query(alias="jobId")] = None,
    recruiter_id: Annotated[uuid.UUID | None, Query(alias="recruiterId")] = None,
    since: Annotated[datetime | None, Query(description="Applications from this instant")] = None,
    until: Annotated[datetime | None, Query(description="Applications before this instant")] = None,
    min_group_size: Annotated[int, Query(alias="minGroupSize", ge=1, le=10_000)] = 5,
) -> ImpactRatioReport:
    """Selection rate per group (where the profile holds the attribute) and each group's ratio
    to the best-selected group; under 0.8 is flagged (four-fifths rule). MANAGE_APPLICATIONS;
    every run is written to the audit log."""
    if since is not None and until is not None and since >= until:
        raise BadInput("since must be before until", code="invalid_range")
    scope: list[ColumnElement[bool]] = []
    if job_id is not None:
        scope.append(JobApplication.job_id == job_id)
    if recruiter_id is not None:
        scope.append(Job.owner_id == recruiter_id)
    if since is not None:
        scope.append(JobApplication.created_at >= since)
    if until is not None:
        scope.append(JobApplication.created_at < until)
    report = await service.impact_ratio(session, attribute, selected_stage, scope, min_group_size)
    await record(
        session,
        meta,
        actor_id=auditor.id,
        action="report.impact_ratio",
        entity_type="job" if job_id else "platform",
        entity_id=job_id,
        data={
            "attribute": attribute,
            "selectedStage": selected_stage.value,
            "recruiterId": str(recruiter_id) if recruiter_id else None,
        },
    )
    return report
