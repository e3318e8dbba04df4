"""Bodies of the AI CV builder's routes (camelCase, like the apps)."""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from api.accounts.schemas import CamelModel
from api.jobs.schemas import Pagination
from ingestion.cv_schema import StructuredCV
from models.enums import AiResumeStatus

Section = Literal["summary", "employment", "skills"]
Tone = Literal["professional", "concise", "confident"]


class AiResumeCreate(CamelModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "resumeId": "5f0c7e0e-2f55-4a8e-9c61-0a4c3f9c2b11",
                    "useProfile": True,
                    "targetRole": "Finance Manager",
                }
            ]
        },
    )

    #: One of your uploaded CVs to start from; omitted: your profile alone.
    resume_id: uuid.UUID | None = None
    #: Add what your profile says (name, contact, city, desired positions, experience).
    use_profile: bool = True
    #: The role to write towards (wording and order only; no facts are added for it).
    target_role: str | None = Field(default=None, max_length=200)
    tone: Tone = "professional"


class ImproveIn(CamelModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"section": "employment", "index": 0, "instructions": "shorter"}]
        },
    )

    section: Section
    #: Which job, for ``employment`` (0 = the first listed); omitted: every job.
    index: int | None = Field(default=None, ge=0, le=100)
    instructions: str | None = Field(default=None, max_length=500)


class Rejection(BaseModel):
    section: str
    value: str | None
    reason: str


class AiResumeOut(CamelModel):
    id: uuid.UUID
    status: AiResumeStatus
    #: 0–100 while the builder works.
    progress: int
    error: str | None
    title: str | None
    language: str
    source_resume_id: uuid.UUID | None
    #: The built CV, once completed.
    cv: StructuredCV | None
    #: What the builder refused from the model because the source does not support it.
    rejected: list[Rejection]
    model: str | None
    created_at: datetime
    updated_at: datetime


class AiResumeList(BaseModel):
    items: list[AiResumeOut]
    pagination: Pagination


class FeatureUsage(CamelModel):
    feature: str
    requests: int
    prompt_tokens: int
    completion_tokens: int
    cost_usd: Decimal


class UsageOut(CamelModel):
    requests: int
    prompt_tokens: int
    completion_tokens: int
    cost_usd: Decimal
    by_feature: list[FeatureUsage]
