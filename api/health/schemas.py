from __future__ import annotations

from typing import Literal

from pydantic import BaseModel


class DatabaseHealth(BaseModel):
    status: Literal["up", "down"]
    latency_ms: float | None = None
    revision: str | None = None
    schema_current: bool | None = None
    error: str | None = None


class IndexHealth(BaseModel):
    status: Literal["ok", "empty", "partial", "unknown"]
    jobs: int | None = None
    jobs_embedded: int | None = None
    resumes: int | None = None
    resumes_embedded: int | None = None


class LexicalHealth(BaseModel):
    """The BM25 index beside the database: "down" when it cannot be opened (search and the
    seed's match answer 503 search_unavailable meanwhile)."""

    status: Literal["ok", "down"]
    documents: int | None = None
    error: str | None = None


class ModelHealth(BaseModel):
    status: Literal["loaded", "available", "missing"]
    model_id: str
    dimension: int


class Health(BaseModel):
    status: Literal["ok", "degraded", "down"]
    version: str
    database: DatabaseHealth
    index: IndexHealth
    lexical: LexicalHealth
    model: ModelHealth
