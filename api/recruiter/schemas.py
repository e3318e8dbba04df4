"""Bodies of the recruiter routes (camelCase, like the web app)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

from api.accounts.schemas import CamelModel
from api.jobs.inputs import refuse_nul
from api.jobs.schemas import Pagination
from models.enums import ApplicationOrigin, ApplicationStage

_APPLICANT_EXAMPLE: dict[str, Any] = {
    "applicationId": "3c0b2a51-6d5e-4f1a-8b7c-9d0e1f2a3b4c",
    "rank": 1,
    "stage": "screening",
    "origin": "single",
    "appliedAt": "2026-11-20T08:00:00Z",
    "score": 0.71,
    "explanation": {
        "matched_skills": ["SQL", "Python"],
        "missing_skills": ["Tableau"],
        "reasons": ["The CV and the job read 71% alike (semantic similarity)."],
    },
    "displayName": "Applicant 3C0B2A",
    "email": None,
    "resumeId": None,
    "candidate": {
        "userId": None,
        "city": "Dubai",
        "country": "AE",
        "desiredPositions": ["Data Analyst"],
        "desiredLocations": ["Dubai"],
        "yearsExperience": 4,
    },
}


class ApplicantProfile(CamelModel):
    """What a recruiter sees of a candidate (the accounts' ``CandidatePublic`` fields): never
    gender, nationality, date of birth, phone or photo. ``userId`` is hidden in blind review."""

    user_id: uuid.UUID | None
    city: str | None
    country: str | None
    desired_positions: list[str]
    desired_locations: list[str]
    years_experience: int | None


class Applicant(CamelModel):
    model_config = ConfigDict(json_schema_extra={"examples": [_APPLICANT_EXAMPLE]})

    application_id: uuid.UUID
    #: Position in the ranked list (1 = best match), across pages; null outside a list.
    rank: int | None
    stage: ApplicationStage
    origin: ApplicationOrigin
    applied_at: datetime
    score: float | None
    explanation: dict[str, Any] | None
    #: The candidate's name, or a neutral label under blind review.
    display_name: str
    #: Hidden (null) under blind review.
    email: str | None
    resume_id: uuid.UUID | None
    candidate: ApplicantProfile


class ApplicantList(CamelModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "jobId": "0b8f4a52-3f0e-4d59-9a52-6a1c51b9d7a1",
                    "blind": True,
                    "items": [_APPLICANT_EXAMPLE],
                    "pagination": {"page": 1, "limit": 20, "total": 1, "pages": 1},
                }
            ]
        }
    )

    job_id: uuid.UUID
    blind: bool
    items: list[Applicant]
    pagination: Pagination


class StageChangeIn(CamelModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"stage": "interview", "reason": "Strong SQL test"}, {"stage": "rejected"}]
        }
    )

    stage: ApplicationStage
    reason: str | None = Field(default=None, max_length=2000)

    @model_validator(mode="before")
    @classmethod
    def _no_nul(cls, data: Any) -> Any:
        return refuse_nul(data)


class BulkStageChangeIn(StageChangeIn):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "applicationIds": [
                        "3c0b2a51-6d5e-4f1a-8b7c-9d0e1f2a3b4c",
                        "4d1c3b62-7e6f-4a2b-9c8d-0e1f2a3b4c5d",
                    ],
                    "stage": "screening",
                }
            ]
        }
    )

    application_ids: list[uuid.UUID] = Field(min_length=1, max_length=200)


_STAGE_CHANGE_EXAMPLE: dict[str, Any] = {
    "applicationId": "3c0b2a51-6d5e-4f1a-8b7c-9d0e1f2a3b4c",
    "fromStage": "applied",
    "toStage": "screening",
    "changed": True,
}
_NOTE_EXAMPLE: dict[str, Any] = {
    "id": "6e5d4c3b-2a19-4f8e-8d7c-6b5a4f3e2d1c",
    "authorId": "9e8d7c6b-5a4f-4e3d-8c2b-1a0f9e8d7c6b",
    "body": "Call back after Eid; strong on SQL.",
    "createdAt": "2026-11-21T09:15:00Z",
}


class StageChangeOut(CamelModel):
    model_config = ConfigDict(json_schema_extra={"examples": [_STAGE_CHANGE_EXAMPLE]})

    application_id: uuid.UUID
    from_stage: ApplicationStage | None
    to_stage: ApplicationStage
    changed: bool


class BulkFailure(CamelModel):
    application_id: uuid.UUID
    error: str
    code: str


class BulkStageChangeOut(CamelModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "updated": [
                        {
                            "applicationId": "3c0b2a51-6d5e-4f1a-8b7c-9d0e1f2a3b4c",
                            "fromStage": "applied",
                            "toStage": "screening",
                            "changed": True,
                        }
                    ],
                    "failed": [
                        {
                            "applicationId": "4d1c3b62-7e6f-4a2b-9c8d-0e1f2a3b4c5d",
                            "error": "A hired application cannot move to screening",
                            "code": "invalid_stage_transition",
                        }
                    ],
                }
            ]
        }
    )

    updated: list[StageChangeOut]
    failed: list[BulkFailure]


class HistoryEntry(CamelModel):
    from_stage: ApplicationStage | None
    to_stage: ApplicationStage
    changed_by_id: uuid.UUID | None
    reason: str | None
    at: datetime


class ApplicationDetail(Applicant):
    job_id: uuid.UUID
    history: list[HistoryEntry]


class NoteIn(CamelModel):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"body": "Call back after Eid; strong on SQL."}]}
    )

    body: str = Field(min_length=1, max_length=5000)

    @model_validator(mode="before")
    @classmethod
    def _no_nul(cls, data: Any) -> Any:
        return refuse_nul(data)


class NoteOut(CamelModel):
    model_config = ConfigDict(json_schema_extra={"examples": [_NOTE_EXAMPLE]})

    id: uuid.UUID
    author_id: uuid.UUID | None
    body: str
    created_at: datetime


class NoteList(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "items": [_NOTE_EXAMPLE],
                    "pagination": {"page": 1, "limit": 20, "total": 1, "pages": 1},
                }
            ]
        }
    )

    items: list[NoteOut]
    pagination: Pagination


class StageDuration(CamelModel):
    stage: ApplicationStage
    #: Completed stays in this stage (an application still in it is not counted yet).
    entries: int
    avg_hours: float | None
    median_hours: float | None


class JobPipelineStats(CamelModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "jobId": "0b8f4a52-3f0e-4d59-9a52-6a1c51b9d7a1",
                    "postedAt": "2026-11-01T08:00:00Z",
                    "applicants": 12,
                    "hires": 1,
                    "firstHireAt": "2026-11-19T12:00:00Z",
                    "timeToFillDays": 18.2,
                    "stages": [
                        {"stage": "applied", "entries": 10, "avgHours": 30.5, "medianHours": 20.0}
                    ],
                }
            ]
        }
    )

    job_id: uuid.UUID
    posted_at: datetime | None
    applicants: int
    hires: int
    first_hire_at: datetime | None
    #: Days from posting to the first hire (null until someone is hired).
    time_to_fill_days: float | None
    stages: list[StageDuration]


class RecruiterStats(CamelModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "recruiterId": "9e8d7c6b-5a4f-4e3d-8c2b-1a0f9e8d7c6b",
                    "jobs": 6,
                    "openJobs": 4,
                    "filledJobs": 2,
                    "avgTimeToFillDays": 21.5,
                    "medianTimeToFillDays": 21.5,
                    "stages": [
                        {"stage": "screening", "entries": 8, "avgHours": 50.0, "medianHours": 40.0}
                    ],
                }
            ]
        }
    )

    recruiter_id: uuid.UUID
    jobs: int
    open_jobs: int
    filled_jobs: int
    avg_time_to_fill_days: float | None
    median_time_to_fill_days: float | None
    stages: list[StageDuration]


class ImpactGroup(CamelModel):
    group: str
    applicants: int
    selected: int
    selection_rate: float
    #: Selection rate divided by the highest rate among groups with enough data.
    impact_ratio: float | None
    #: Fewer applicants than ``minGroupSize``: reported, but no ratio is drawn from it.
    sufficient_data: bool
    #: Impact ratio under 0.8 (the four-fifths rule).
    adverse_impact: bool


class ImpactRatioReport(CamelModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "attribute": "gender",
                    "selectedStage": "screening",
                    "minGroupSize": 5,
                    "referenceGroup": "male",
                    "groups": [
                        {
                            "group": "female",
                            "applicants": 40,
                            "selected": 10,
                            "selectionRate": 0.25,
                            "impactRatio": 0.625,
                            "sufficientData": True,
                            "adverseImpact": True,
                        },
                        {
                            "group": "male",
                            "applicants": 50,
                            "selected": 20,
                            "selectionRate": 0.4,
                            "impactRatio": 1.0,
                            "sufficientData": True,
                            "adverseImpact": False,
                        },
                    ],
                    "unknown": 7,
                    "fourFifthsRuleViolated": True,
                }
            ]
        }
    )

    attribute: str
    selected_stage: ApplicationStage
    min_group_size: int
    reference_group: str | None
    groups: list[ImpactGroup]
    #: Applicants whose profile holds no value for the attribute (not in any group).
    unknown: int
    four_fifths_rule_violated: bool
