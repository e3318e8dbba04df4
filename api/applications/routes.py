"""Applying at the seed's paths (/api/v1/resume/jobs/{job_id}/apply, the bulk
/api/v1/resume/apply, /api/v1/resume/applied-jobs) and the candidate's own view of their
applications (/api/mobile/applications)."""

from __future__ import annotations

import re
import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, File, Form, Query, UploadFile, status
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, Field, ValidationError, field_validator, model_validator

from api.accounts.ownership import get_owned
from api.accounts.schemas import checked_email
from api.applications import repository, service
from api.applications.matching_port import MatchPortDep
from api.applications.schemas import (
    ApplicationList,
    ApplicationOut,
    AppliedCount,
    AppliedCountIn,
    ApplyIn,
    BulkApplyResult,
    MobileApplication,
    MobileApplicationDetail,
    MobileApplicationList,
    MobileStageEntry,
)
from api.applications.settings import ApplySettings, get_apply_settings
from api.deps import ApiTokenDep, CandidateUser, SessionDep, StateDep
from api.errors import BadInput
from api.jobs.access import CallerDep
from api.jobs.inputs import printable, refuse_nul
from api.jobs.schemas import page_of
from api.jobs.settings import JobsSettings, get_jobs_settings
from ingestion.extract import read_limited_async
from ingestion.settings import get_ingestion_settings
from models import Job, JobApplication
from models.enums import ApplicationStage

router = APIRouter(tags=["applications"])

ApplySettingsDep = Annotated[ApplySettings, Depends(get_apply_settings)]
JobsSettingsDep = Annotated[JobsSettings, Depends(get_jobs_settings)]
_SPLIT = re.compile(r"[,;|\n]")


@router.post(
    "/api/v1/resume/jobs/{job_id}/apply",
    response_model=ApplicationOut,
    status_code=status.HTTP_201_CREATED,
    summary="Apply to a job",
    responses={
        404: {"description": "No such job, or (service calls) no candidate with this email"},
        409: {"description": "Already applied (or to a re-post of it), or the job is not open"},
        429: {"description": "Today's application limit is reached"},
    },
)
async def apply_to_job(
    job_id: uuid.UUID,
    session: SessionDep,
    caller: CallerDep,
    port: MatchPortDep,
    settings: ApplySettingsDep,
    jobs_settings: JobsSettingsDep,
    body: Annotated[ApplyIn | None, Body()] = None,
) -> ApplicationOut:
    """Apply to one job: a signed-in candidate, or a service naming the candidate by email.
    One application per job (a re-post counts as the same job)."""
    body = body or ApplyIn()
    candidate = await service.resolve_candidate(session, caller, body.email)
    application, job = await service.apply_to_job(
        session, port, settings, jobs_settings.time_zone, candidate, job_id, body.resume_id
    )
    return ApplicationOut.of(application, job)


class BulkApplyForm(BaseModel):
    """The bulk apply's form fields, checked like a JSON body."""

    email: str = Field(max_length=320)
    nationality: str | None = Field(default=None, max_length=100)
    gender: str | None = Field(default=None, max_length=20)
    positions: list[str] = Field(default_factory=list, max_length=10)
    locations: list[str] = Field(default_factory=list, max_length=10)

    @model_validator(mode="before")
    @classmethod
    def _no_nul(cls, data: Any) -> Any:
        return refuse_nul(data)

    @field_validator("email")
    @classmethod
    def _email(cls, value: str) -> str:
        return checked_email(value)

    @field_validator("nationality", "gender")
    @classmethod
    def _blank_is_none(cls, value: str | None) -> str | None:
        value = " ".join(value.split()) if value else None
        return value or None

    @field_validator("positions", "locations", mode="before")
    @classmethod
    def _split(cls, value: Any) -> Any:
        # "Software Engineer, Data Analyst" and repeated fields both work.
        if isinstance(value, list) and all(isinstance(v, str) for v in value):
            parts = [" ".join(p.split()) for v in value for p in _SPLIT.split(v)]
            return list(dict.fromkeys(p for p in parts if p))
        return value

    @field_validator("positions")
    @classmethod
    def _positions_short(cls, value: list[str]) -> list[str]:
        if any(len(v) > 200 for v in value):
            raise ValueError("a position has at most 200 characters")
        return value

    @field_validator("locations")
    @classmethod
    def _locations_short(cls, value: list[str]) -> list[str]:
        if any(len(v) > 100 for v in value):
            raise ValueError("a location has at most 100 characters")
        return value


@router.post(
    "/api/v1/resume/apply",
    response_model=BulkApplyResult,
    summary="Apply to the best-matching jobs with a CV (AI job apply)",
    responses={
        402: {"description": "Not enough aiJobApplyCount credits"},
        404: {"description": "No candidate account with this email"},
        413: {"description": "The CV is larger than the upload limit"},
        415: {"description": "The CV is not a PDF, Word document or text file"},
        422: {"description": "The CV or a field is unreadable"},
        429: {"description": "Today's application limit is reached"},
    },
)
async def bulk_apply(
    session: SessionDep,
    state: StateDep,
    _: ApiTokenDep,
    port: MatchPortDep,
    settings: ApplySettingsDep,
    jobs_settings: JobsSettingsDep,
    email: Annotated[str, Form(examples=["candidate@example.com"])],
    file: Annotated[UploadFile, File(description="The CV: PDF, DOCX or text, at most 2 MB")],
    nationality: Annotated[
        str | None,
        Form(
            examples=["Emirati"],
            description="Stored on the profile for legal reporting only; never used to match",
        ),
    ] = None,
    gender: Annotated[
        str | None,
        Form(
            examples=["male"],
            description="Stored on the profile for legal reporting only; never used to match",
        ),
    ] = None,
    positions: Annotated[
        list[str] | None,
        Form(examples=[["Software Engineer"]], description="Repeat, or separate with commas"),
    ] = None,
    locations: Annotated[
        list[str] | None,
        Form(examples=[["Dubai"]], description="Cities or countries; repeat or use commas"),
    ] = None,
) -> BulkApplyResult:
    """The seed's bulk apply (service-to-service, X-API-TOKEN; multipart as its curl example):
    the CV is read in a sandbox, matching jobs are found under the positions and locations, and
    the candidate is applied to those above the minimum score — one aiJobApplyCount credit per
    application, within the daily quota, never twice to one job."""
    try:
        form = BulkApplyForm(
            email=email,
            nationality=nationality,
            gender=gender,
            positions=positions or [],
            locations=locations or [],
        )
    except ValidationError as exc:
        raise RequestValidationError(
            [{**e, "loc": ("body", *e.get("loc", ()))} for e in exc.errors(include_url=False)]
        ) from None
    data = await read_limited_async(file, get_ingestion_settings().max_upload_bytes)
    request = service.BulkRequest(
        email=form.email,
        data=data,
        file_name=printable(file.filename or "")[:255] or "cv",
        nationality=form.nationality,
        gender=form.gender.lower() if form.gender else None,
        positions=form.positions,
        locations=form.locations,
    )
    return await service.bulk_apply(
        session, port, state.embedder, settings, jobs_settings.time_zone, request
    )


@router.get(
    "/api/v1/resume/applied-jobs",
    response_model=ApplicationList,
    summary="A candidate's applications",
)
async def applied_jobs(
    session: SessionDep,
    caller: CallerDep,
    email: Annotated[
        str | None, Query(max_length=320, description="Service calls: whose applications")
    ] = None,
    stage: ApplicationStage | None = None,
    page: Annotated[int, Query(ge=1, le=10_000)] = 1,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
) -> ApplicationList:
    """The jobs a candidate applied to, newest first (the signed-in candidate, or a service
    naming the candidate by email)."""
    candidate = await service.resolve_candidate(session, caller, _email_param(email))
    rows, total = await repository.list_for_user(
        session, candidate.id, stage, (page - 1) * limit, limit
    )
    return ApplicationList(
        items=[ApplicationOut.of(a, j) for a, j in rows], pagination=page_of(page, limit, total)
    )


def _email_param(email: str | None) -> str | None:
    if not email:
        return None
    try:
        return checked_email(email)
    except ValueError:
        raise BadInput("email is not a valid address", code="invalid_email") from None


async def _count(session: SessionDep, caller: CallerDep, email: str | None) -> AppliedCount:
    candidate = await service.resolve_candidate(session, caller, email)
    by_stage = await repository.counts_by_stage(session, candidate.id)
    return AppliedCount(count=sum(by_stage.values()), by_stage=by_stage)


@router.post(
    "/api/v1/resume/applied-jobs", response_model=AppliedCount, summary="Count applied jobs"
)
async def count_applied_jobs(
    session: SessionDep,
    caller: CallerDep,
    body: Annotated[AppliedCountIn | None, Body()] = None,
) -> AppliedCount:
    """How many jobs a candidate applied to, per stage (the seed counts with POST)."""
    return await _count(session, caller, body.email if body else None)


@router.get(
    "/api/v1/resume/applied-jobs/count",
    response_model=AppliedCount,
    summary="Count applied jobs (GET)",
)
async def count_applied_jobs_get(
    session: SessionDep,
    caller: CallerDep,
    email: Annotated[str | None, Query(max_length=320)] = None,
) -> AppliedCount:
    """The same count as POST /applied-jobs, for clients that prefer GET."""
    return await _count(session, caller, _email_param(email))


# --- /api/mobile/applications --------------------------------------------------------------------


@router.get(
    "/api/mobile/applications",
    response_model=MobileApplicationList,
    summary="My applications",
)
async def my_applications(
    session: SessionDep,
    me: CandidateUser,
    stage: ApplicationStage | None = None,
    page: Annotated[int, Query(ge=1, le=10_000)] = 1,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
) -> MobileApplicationList:
    """Your applications, newest first, with their stage and why they matched."""
    rows, total = await repository.list_for_user(session, me.id, stage, (page - 1) * limit, limit)
    return MobileApplicationList(
        items=[MobileApplication.of(a, j) for a, j in rows],
        pagination=page_of(page, limit, total),
    )


@router.get(
    "/api/mobile/applications/{application_id}",
    response_model=MobileApplicationDetail,
    summary="One of my applications",
    responses={404: {"description": "No such application of yours"}},
)
async def my_application(
    application_id: uuid.UUID, session: SessionDep, me: CandidateUser
) -> MobileApplicationDetail:
    """One of your applications with the stages it went through."""
    application = await get_owned(
        session, JobApplication, application_id, me.id, what="Application"
    )
    job = await session.get(Job, application.job_id)
    assert job is not None  # the foreign key cascades: an application always has its job
    history = await repository.history(session, application.id)
    entries = [
        MobileStageEntry(from_stage=h.from_stage, to_stage=h.to_stage, at=h.created_at)
        for h in history
    ]
    base = MobileApplication.of(application, job)
    return MobileApplicationDetail(**base.model_dump(), history=entries)
