"""Bodies of the application routes: snake_case under /api/v1/resume (the seed's Python
backend), camelCase under /api/mobile (the apps)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from api.accounts.schemas import CamelModel, checked_email
from api.jobs.inputs import refuse_nul
from api.jobs.schemas import Pagination, effective_status
from models import Job, JobApplication
from models.enums import ApplicationOrigin, ApplicationStage, JobStatus

_EXPLANATION_EXAMPLE: dict[str, Any] = {
    "matched_skills": ["SQL", "Python"],
    "missing_skills": ["Tableau"],
    "reasons": [
        "The CV and the job read 64% alike (semantic similarity).",
        "The CV names 2 of the job's 3 skills: SQL, Python.",
    ],
    "scorer": "similarity-interim",
}
_JOB_SUMMARY_EXAMPLE: dict[str, Any] = {
    "id": "0b8f4a52-3f0e-4d59-9a52-6a1c51b9d7a1",
    "title": "Data Analyst",
    "company": "Falcon Analytics LLC",
    "city": "Dubai",
    "country": "AE",
    "status": "open",
}

_APPLICATION_EXAMPLE: dict[str, Any] = {
    "id": "3c0b2a51-6d5e-4f1a-8b7c-9d0e1f2a3b4c",
    "job_id": _JOB_SUMMARY_EXAMPLE["id"],
    "job": _JOB_SUMMARY_EXAMPLE,
    "resume_id": "7d1e9f0a-2b1c-4c7e-9d0e-1f2a3b4c5d6e",
    "stage": "applied",
    "origin": "single",
    "matched_score": 0.64,
    "match_explanation": _EXPLANATION_EXAMPLE,
    "created_at": "2026-11-20T08:00:00Z",
    "updated_at": "2026-11-20T08:00:00Z",
}
_MOBILE_APPLICATION_EXAMPLE: dict[str, Any] = {
    "id": "3c0b2a51-6d5e-4f1a-8b7c-9d0e1f2a3b4c",
    "jobId": _JOB_SUMMARY_EXAMPLE["id"],
    "job": _JOB_SUMMARY_EXAMPLE,
    "resumeId": "7d1e9f0a-2b1c-4c7e-9d0e-1f2a3b4c5d6e",
    "stage": "screening",
    "origin": "ai",
    "matchedScore": 0.64,
    "matchExplanation": _EXPLANATION_EXAMPLE,
    "createdAt": "2026-11-20T08:00:00Z",
    "updatedAt": "2026-11-22T10:30:00Z",
}


class JobSummary(BaseModel):
    id: uuid.UUID
    title: str
    company: str
    city: str | None
    country: str | None
    status: JobStatus
    salary_min: int | None = None
    salary_max: int | None = None
    salary_currency: str | None = None
    posted_at: datetime | None = None

    @classmethod
    def of(cls, job: Job) -> JobSummary:
        return cls(
            id=job.id,
            title=job.title,
            company=job.company,
            city=job.city,
            country=job.country,
            status=effective_status(job),
            salary_min=job.salary_min,
            salary_max=job.salary_max,
            salary_currency=job.salary_currency,
            posted_at=job.posted_at,
        )


class ApplyIn(BaseModel):
    """Optional body of a single apply."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {},
                {"resume_id": "7d1e9f0a-2b1c-4c7e-9d0e-1f2a3b4c5d6e"},
                {"email": "candidate@example.com"},
            ]
        },
    )

    #: One of your CVs (default: the latest you uploaded).
    resume_id: uuid.UUID | None = None
    #: Service calls (X-API-TOKEN without a user) name the candidate by email.
    email: str | None = Field(default=None, max_length=320)

    @model_validator(mode="before")
    @classmethod
    def _no_nul(cls, data: Any) -> Any:
        return refuse_nul(data)

    @field_validator("email")
    @classmethod
    def _email(cls, value: str | None) -> str | None:
        return checked_email(value) if value is not None else None


class ApplicationOut(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [_APPLICATION_EXAMPLE]})

    id: uuid.UUID
    job_id: uuid.UUID
    job: JobSummary
    resume_id: uuid.UUID | None
    stage: ApplicationStage
    origin: ApplicationOrigin
    matched_score: float | None
    match_explanation: dict[str, Any] | None
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, application: JobApplication, job: Job) -> ApplicationOut:
        return cls(
            id=application.id,
            job_id=application.job_id,
            job=JobSummary.of(job),
            resume_id=application.resume_id,
            stage=application.stage,
            origin=application.origin,
            matched_score=application.matched_score,
            match_explanation=application.match_explanation,
            created_at=application.created_at,
            updated_at=application.updated_at,
        )


class ApplicationList(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "items": [_APPLICATION_EXAMPLE],
                    "pagination": {"page": 1, "limit": 20, "total": 1, "pages": 1},
                }
            ]
        }
    )

    items: list[ApplicationOut]
    pagination: Pagination


class AppliedCountIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"email": "candidate@example.com"}, {}]}
    )

    #: Service calls name the candidate; a signed-in candidate sends nothing.
    email: str | None = Field(default=None, max_length=320)

    @model_validator(mode="before")
    @classmethod
    def _no_nul(cls, data: Any) -> Any:
        return refuse_nul(data)

    @field_validator("email")
    @classmethod
    def _email(cls, value: str | None) -> str | None:
        return checked_email(value) if value is not None else None


class AppliedCount(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "count": 3,
                    "by_stage": {
                        "applied": 2,
                        "screening": 1,
                        "interview": 0,
                        "offer": 0,
                        "hired": 0,
                        "rejected": 0,
                    },
                }
            ]
        }
    )

    count: int
    by_stage: dict[str, int]


class BulkApplied(BaseModel):
    application_id: uuid.UUID
    job: JobSummary
    score: float
    explanation: dict[str, Any]


class BulkSkipped(BaseModel):
    job_id: uuid.UUID
    title: str
    #: already_applied, insufficient_credits, daily_quota_reached, request_limit
    reason: str


class BulkApplyResult(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "resume_id": "7d1e9f0a-2b1c-4c7e-9d0e-1f2a3b4c5d6e",
                    "applied": [
                        {
                            "application_id": "3c0b2a51-6d5e-4f1a-8b7c-9d0e1f2a3b4c",
                            "job": _JOB_SUMMARY_EXAMPLE,
                            "score": 0.64,
                            "explanation": _EXPLANATION_EXAMPLE,
                        }
                    ],
                    "skipped": [],
                    "matched": 1,
                    "credits_left": 4,
                    "quota_left": 24,
                }
            ]
        }
    )

    resume_id: uuid.UUID
    applied: list[BulkApplied]
    skipped: list[BulkSkipped]
    #: Jobs at or above the minimum score under the requested positions and locations.
    matched: int
    credits_left: int
    quota_left: int


class StageEntry(BaseModel):
    from_stage: ApplicationStage | None
    to_stage: ApplicationStage
    at: datetime


# --- /api/mobile (camelCase) -------------------------------------------------------------------


class MobileJobSummary(JobSummary, CamelModel):
    pass


class MobileApplication(CamelModel):
    model_config = ConfigDict(json_schema_extra={"examples": [_MOBILE_APPLICATION_EXAMPLE]})

    id: uuid.UUID
    job_id: uuid.UUID
    job: MobileJobSummary
    resume_id: uuid.UUID | None
    stage: ApplicationStage
    origin: ApplicationOrigin
    matched_score: float | None
    match_explanation: dict[str, Any] | None
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, application: JobApplication, job: Job) -> MobileApplication:
        base = ApplicationOut.of(application, job)
        return cls(
            **base.model_dump(exclude={"job"}),
            job=MobileJobSummary(**base.job.model_dump()),
        )


class MobileStageEntry(StageEntry, CamelModel):
    pass


class MobileApplicationDetail(MobileApplication):
    #: The stages the application went through, oldest first (recruiters' notes stay private).
    history: list[MobileStageEntry]


class MobileApplicationList(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "items": [_MOBILE_APPLICATION_EXAMPLE],
                    "pagination": {"page": 1, "limit": 20, "total": 1, "pages": 1},
                }
            ]
        }
    )

    items: list[MobileApplication]
    pagination: Pagination
