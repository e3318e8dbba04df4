"""Bodies of the job routes. The /api/v1/resume backend of the seed is Python and speaks
snake_case; these keep its field names."""

from __future__ import annotations

import math
import uuid
from datetime import UTC, date, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from api.jobs.inputs import refuse_nul
from models import Job
from models.enums import JobStatus, JobType, SalaryPeriod, WorkMode


class Pagination(BaseModel):
    page: int
    limit: int
    total: int
    pages: int


def page_of(page: int, limit: int, total: int) -> Pagination:
    """The pagination block every list returns."""
    return Pagination(page=page, limit=limit, total=total, pages=math.ceil(total / limit))


_JOB_EXAMPLE: dict[str, Any] = {
    "id": "0b8f4a52-3f0e-4d59-9a52-6a1c51b9d7a1",
    "title": "Senior Accountant",
    "company": "Falcon Analytics LLC",
    "description": "Own the month-end close for our Gulf entities.",
    "requirements": ["5+ years in audit or accounting", "IFRS"],
    "skills": ["IFRS", "SAP", "Excel"],
    "city": "Dubai",
    "country": "AE",
    "salary_min": 18000,
    "salary_max": 22000,
    "salary_currency": "AED",
    "salary_period": "month",
    "job_type": "full_time",
    "work_mode": "hybrid",
    "experience_min": 5,
    "experience_max": None,
    "language": "en",
    "status": "open",
    "source": "api",
    "blind_review": False,
    "posted_at": "2026-11-20T08:00:00Z",
    "expires_at": "2026-12-31T00:00:00Z",
    "closed_at": None,
    "created_at": "2026-11-20T08:00:00Z",
    "updated_at": "2026-11-20T08:00:00Z",
}


def effective_status(job: Job, now: datetime | None = None) -> JobStatus:
    """An open job past its ``expires_at`` is expired, whether or not a worker flipped it yet."""
    now = now or datetime.now(UTC)
    if job.status == JobStatus.OPEN and job.expires_at is not None and job.expires_at <= now:
        return JobStatus.EXPIRED
    return job.status


class JobRead(BaseModel):
    model_config = ConfigDict(from_attributes=True, json_schema_extra={"examples": [_JOB_EXAMPLE]})

    id: uuid.UUID
    title: str
    company: str
    description: str
    requirements: list[str]
    skills: list[str]
    city: str | None
    country: str | None
    salary_min: int | None
    salary_max: int | None
    salary_currency: str | None
    salary_period: SalaryPeriod | None
    job_type: JobType | None
    work_mode: WorkMode | None
    experience_min: int | None
    experience_max: int | None
    language: str
    #: The effective status: an open job past ``expires_at`` reads as expired.
    status: JobStatus
    source: str
    blind_review: bool = False
    posted_at: datetime | None
    expires_at: datetime | None
    closed_at: datetime | None = None
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, job: Job, now: datetime | None = None) -> JobRead:
        out = cls.model_validate(job)
        out.status = effective_status(job, now)
        return out


class JobList(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "items": [_JOB_EXAMPLE],
                    "pagination": {"page": 1, "limit": 20, "total": 1, "pages": 1},
                }
            ]
        }
    )

    items: list[JobRead]
    pagination: Pagination


SortOrder = Literal["newest", "oldest", "relevance", "salary_high", "salary_low", "expiring"]
StatusFilter = Literal["draft", "open", "closed", "expired", "all"]


class _JobFields(BaseModel):
    """What a person or a service may write on a job. Free text is normalised exactly as feed
    items are (city spellings, "AED 10k-15k per month", "3-5 years", "دوام كامل" …)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    title: str | None = Field(default=None, min_length=1, max_length=300)
    company: str | None = Field(default=None, min_length=1, max_length=200)
    description: str | None = Field(default=None, max_length=100_000)
    requirements: list[str] | str | None = Field(default=None)
    skills: list[str] | str | None = Field(default=None)
    city: str | None = Field(default=None, max_length=200)
    location: str | None = Field(default=None, max_length=300)
    country: str | None = Field(default=None, max_length=100)
    salary: str | None = Field(default=None, max_length=200)
    salary_min: int | None = Field(default=None, ge=0, le=100_000_000)
    salary_max: int | None = Field(default=None, ge=0, le=100_000_000)
    salary_currency: str | None = Field(default=None, max_length=50)
    salary_period: str | None = Field(default=None, max_length=50)
    job_type: str | None = Field(default=None, max_length=100)
    work_mode: str | None = Field(default=None, max_length=100)
    experience: str | int | None = Field(default=None)
    experience_min: int | None = Field(default=None, ge=0, le=60)
    experience_max: int | None = Field(default=None, ge=0, le=60)
    language: str | None = Field(default=None, max_length=20)
    expires_at: datetime | None = None
    blind_review: bool | None = None

    @model_validator(mode="before")
    @classmethod
    def _no_nul(cls, data: Any) -> Any:
        return refuse_nul(data)

    @model_validator(mode="after")
    def _bounded_lists(self) -> _JobFields:
        for name, most in (("requirements", 500), ("skills", 200)):
            value = getattr(self, name)
            if isinstance(value, list) and len(value) > most:
                raise ValueError(f"{name}: at most {most} entries")
            if isinstance(value, list) and any(len(v) > 2000 for v in value):
                raise ValueError(f"{name}: entries of at most 2000 characters")
            if isinstance(value, str) and len(value) > 100_000:
                raise ValueError(f"{name}: at most 100000 characters")
        if (
            self.salary_min is not None
            and self.salary_max is not None
            and self.salary_min > self.salary_max
        ):
            raise ValueError("salary_min is above salary_max")
        if (
            self.experience_min is not None
            and self.experience_max is not None
            and self.experience_min > self.experience_max
        ):
            raise ValueError("experience_min is above experience_max")
        return self


class JobCreate(_JobFields):
    model_config = ConfigDict(
        extra="forbid",
        str_strip_whitespace=True,
        json_schema_extra={
            "examples": [
                {
                    "title": "Senior Accountant",
                    "company": "Falcon Analytics LLC",
                    "description": "Own the month-end close for our Gulf entities.",
                    "requirements": ["Must have 5+ years in audit or accounting", "IFRS"],
                    "skills": ["IFRS", "SAP", "Excel"],
                    "location": "JLT, Dubai - UAE",
                    "salary": "AED 18k-22k per month",
                    "job_type": "Full-time",
                    "work_mode": "Hybrid",
                    "expires_at": "2026-12-31T00:00:00Z",
                    "status": "open",
                }
            ]
        },
    )

    title: str = Field(min_length=1, max_length=300)
    #: Recruiters may leave it out: their company name is used.
    company: str | None = Field(default=None, min_length=1, max_length=200)
    #: A new job is a draft (not listed) or open.
    status: Literal["draft", "open"] = "open"
    #: The poster's own reference; with source "api" it must be unique.
    external_id: str | None = Field(default=None, min_length=1, max_length=200)
    #: Services and job administrators may post on behalf of a recruiter.
    owner_id: uuid.UUID | None = None


class JobUpdate(_JobFields):
    """Only the fields sent change; the rest keep their values. ``status`` moves the job through
    its lifecycle: draft → open → closed, closed → open, expired → open with a later
    ``expires_at``; "expired" is never set by hand."""

    model_config = ConfigDict(
        extra="forbid",
        str_strip_whitespace=True,
        json_schema_extra={
            "examples": [
                {"salary": "AED 20k-24k per month", "expires_at": "2027-01-31T00:00:00Z"},
                {"status": "closed"},
            ]
        },
    )

    status: Literal["draft", "open", "closed"] | None = None


class JobDeleted(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"id": "0b8f4a52-3f0e-4d59-9a52-6a1c51b9d7a1", "deleted": False, "status": "closed"}
            ]
        }
    )

    id: uuid.UUID
    #: False when the job had applications: it was closed instead, so they keep their job.
    deleted: bool
    status: JobStatus | None


class CityCount(BaseModel):
    city: str | None
    country: str | None
    count: int


class CityCountList(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "items": [
                        {"city": "Dubai", "country": "AE", "count": 120},
                        {"city": "Riyadh", "country": "SA", "count": 41},
                    ],
                    "pagination": {"page": 1, "limit": 50, "total": 2, "pages": 1},
                }
            ]
        }
    )

    items: list[CityCount]
    pagination: Pagination


class MonthCount(BaseModel):
    #: The month as YYYY-MM, in ``time_zone``.
    month: str
    count: int


class MonthlyCount(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "time_zone": "Asia/Dubai",
                    "start": "2026-01-01",
                    "end": "2026-03-31",
                    "total": 9,
                    "items": [
                        {"month": "2026-01", "count": 4},
                        {"month": "2026-02", "count": 0},
                        {"month": "2026-03", "count": 5},
                    ],
                }
            ]
        }
    )

    time_zone: str
    start: date
    end: date
    total: int
    #: Every month of the range, in order, zeros included.
    items: list[MonthCount]


class ApplicantsCount(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "job_id": "0b8f4a52-3f0e-4d59-9a52-6a1c51b9d7a1",
                    "count": 7,
                    "by_stage": {
                        "applied": 4,
                        "screening": 2,
                        "interview": 1,
                        "offer": 0,
                        "hired": 0,
                        "rejected": 0,
                    },
                }
            ]
        }
    )

    job_id: uuid.UUID
    count: int
    by_stage: dict[str, int]


class SyncResult(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "sources": [
                        {
                            "source": "gulf-board",
                            "not_modified": False,
                            "error": None,
                            "code": None,
                            "created": 12,
                            "updated": 3,
                            "unchanged": 80,
                            "duplicates": 2,
                            "embedded": 0,
                            "failed": [],
                            "aliases": [],
                        }
                    ],
                    "embed_task_id": "5a3c0e0e-8d8b-4b55-a7c4-0b7f7d3b9e21",
                }
            ]
        }
    )

    sources: list[dict[str, Any]]
    #: The queued ``embed_missing`` task that gives new and changed jobs their vectors.
    embed_task_id: uuid.UUID | None
