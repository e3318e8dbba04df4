"""Bodies of the saved-jobs routes (camelCase, like the apps)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict

from api.accounts.schemas import CamelModel
from api.applications.schemas import MobileJobSummary
from api.jobs.schemas import Pagination


class SaveJobIn(CamelModel):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"jobId": "0b8f4a52-3f0e-4d59-9a52-6a1c51b9d7a1"}]}
    )

    job_id: uuid.UUID


_SAVED_EXAMPLE: dict[str, Any] = {
    "jobId": "0b8f4a52-3f0e-4d59-9a52-6a1c51b9d7a1",
    "savedAt": "2026-11-20T08:00:00Z",
    "applied": False,
    "job": {
        "id": "0b8f4a52-3f0e-4d59-9a52-6a1c51b9d7a1",
        "title": "Data Analyst",
        "company": "Falcon Analytics LLC",
        "city": "Dubai",
        "country": "AE",
        "status": "open",
    },
}


class SavedJobOut(CamelModel):
    model_config = ConfigDict(json_schema_extra={"examples": [_SAVED_EXAMPLE]})

    job_id: uuid.UUID
    saved_at: datetime
    #: Whether you applied to it already.
    applied: bool
    job: MobileJobSummary


class SavedJobList(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "items": [_SAVED_EXAMPLE],
                    "pagination": {"page": 1, "limit": 20, "total": 1, "pages": 1},
                }
            ]
        }
    )

    items: list[SavedJobOut]
    pagination: Pagination
