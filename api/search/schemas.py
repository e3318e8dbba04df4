from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator
from pydantic.alias_generators import to_camel

from models.enums import JobStatus, JobType, SalaryPeriod, WorkMode


class Camel(BaseModel):
    model_config = ConfigDict(
        alias_generator=to_camel, validate_by_name=True, validate_by_alias=True
    )


class SearchFilters(Camel):
    """Hard filters: a job must satisfy every one given."""

    city: list[str] = Field(default_factory=list, max_length=20)
    country: list[str] = Field(default_factory=list, max_length=10)
    job_type: list[JobType] = Field(default_factory=list)
    work_mode: list[WorkMode] = Field(default_factory=list)
    salary_min: int | None = Field(default=None, ge=0)
    salary_max: int | None = Field(default=None, ge=0)
    experience_years: int | None = Field(default=None, ge=0, le=60)
    language: list[str] = Field(default_factory=list, max_length=5)
    posted_since: datetime | None = None
    company: list[str] = Field(default_factory=list, max_length=20)


class JobSummary(Camel):
    model_config = ConfigDict(
        from_attributes=True,
        alias_generator=to_camel,
        validate_by_name=True,
        validate_by_alias=True,
    )

    id: uuid.UUID
    title: str
    company: str
    city: str | None
    country: str | None
    job_type: JobType | None
    work_mode: WorkMode | None
    salary_min: int | None
    salary_max: int | None
    salary_currency: str | None
    salary_period: SalaryPeriod | None
    experience_min: int | None
    experience_max: int | None
    language: str
    status: JobStatus
    skills: list[str]
    posted_at: datetime | None


class JobHit(Camel):
    job: JobSummary
    #: In [0, 1]: the explained score of the pair, the same on every screen (a search with a
    #: text ranks by the score of that text; without one it is 0 and jobs come newest first).
    score: float
    explanation: dict[str, Any]


class Facet(Camel):
    value: str
    count: int


class PageInfo(Camel):
    page: int
    limit: int
    total: int
    pages: int


class SearchResults(Camel):
    items: list[JobHit]
    pagination: PageInfo
    facets: dict[str, list[Facet]]


class MatchRequest(Camel):
    """Exactly one of ``resumeId`` (one of your CVs) and ``text`` (a CV or a description)."""

    resume_id: uuid.UUID | None = None
    text: str | None = Field(default=None, max_length=100_000)
    filters: SearchFilters = Field(default_factory=SearchFilters)
    page: int = Field(default=1, ge=1, le=100)
    limit: int = Field(default=20, ge=1, le=50)

    @model_validator(mode="after")
    def _one_source(self) -> MatchRequest:
        if (self.resume_id is None) == (not self.text or not self.text.strip()):
            raise ValueError("give exactly one of resumeId and text")
        return self

    model_config = ConfigDict(
        alias_generator=to_camel,
        validate_by_name=True,
        validate_by_alias=True,
        json_schema_extra={
            "examples": [
                {
                    "resumeId": "5e475b30-3c82-4f5f-9cb5-5de3fb2124d2",
                    "filters": {"city": ["Dubai"]},
                },
                {"text": "Data analyst, 5 years, SQL, Python, Power BI", "limit": 10},
            ]
        },
    )


class MatchResults(Camel):
    items: list[JobHit]
    page: int
    limit: int
    #: How long the whole ranking is (it does not change while paging; at most the engine's
    #: depth, TABASHIR_MATCH_MAX_DEPTH, pages past which answer 400 ``page_too_deep``).
    total: int = 0
    pages: int = 0


class RankedApplicant(Camel):
    application_id: uuid.UUID
    candidate_id: uuid.UUID
    resume_id: uuid.UUID
    stage: str
    score: float
    explanation: dict[str, Any]
    city: str | None
    years_experience: int | None
    desired_positions: list[str]
