from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import BaseModel, ConfigDict

from models.enums import JobStatus, JobType, SalaryPeriod, WorkMode


class Pagination(BaseModel):
    page: int
    limit: int
    total: int
    pages: int


class JobRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

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
    status: JobStatus
    source: str
    posted_at: datetime | None
    expires_at: datetime | None
    created_at: datetime
    updated_at: datetime


class JobList(BaseModel):
    items: list[JobRead]
    pagination: Pagination
