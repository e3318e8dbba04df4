"""The search index protocol: what every backend (pgvector, tantivy, Elasticsearch) stores and answers.

A backend stores :class:`SearchDocument` values and answers with ranked :class:`Hit` lists under
the one typed filter language (:class:`indexing.filters.JobFilters`). Postgres stays the system of
record: every backend can be rebuilt from it. The conformance suite in
``tests/indexing/conformance.py`` holds each backend to the same behaviour.
"""

from __future__ import annotations

import math
import uuid
from collections.abc import AsyncIterable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Protocol, runtime_checkable

from indexing.filters import JobFilters
from models.enums import JobStatus, JobType, WorkMode
from models.settings import EMBEDDING_DIM

if TYPE_CHECKING:
    from models import Job


class SearchIndexError(Exception):
    """Base of what an index raises on purpose."""


class InvalidQuery(SearchIndexError, ValueError):
    """The caller's query cannot be answered as given (bad vector, k out of range, ...)."""


class UnknownDocument(SearchIndexError, LookupError):
    """A document the index was asked to store has no row in the system of record."""


class IndexUnavailable(SearchIndexError):
    """The index cannot answer now (missing folder, writer lock held too long, ...)."""


@dataclass(frozen=True)
class Hit:
    """One ranked result: ``rank`` is 1-based; ``score`` is the backend's own (higher is better)."""

    id: uuid.UUID
    score: float
    rank: int


@dataclass(frozen=True)
class DocumentChunk:
    """A window of a long text and its vector (see :mod:`indexing.chunking`)."""

    ordinal: int
    text: str
    vector: Sequence[float]


@dataclass(frozen=True)
class SearchDocument:
    """What an index stores of a job: searchable text, the filter fields and optional vectors."""

    id: uuid.UUID
    title: str
    skills: tuple[str, ...] = ()
    body: str = ""
    language: str = "en"
    city: str | None = None
    country: str | None = None
    job_type: JobType | None = None
    work_mode: WorkMode | None = None
    salary_min: int | None = None
    salary_max: int | None = None
    experience_min: int | None = None
    posted_at: datetime | None = None
    status: JobStatus = JobStatus.OPEN
    company: str = ""
    #: The whole-document vector (L2-normalised); None for text-only backends.
    vector: Sequence[float] | None = None
    embedding_model: str | None = None
    chunks: tuple[DocumentChunk, ...] = field(default=())


def job_document(
    job: Job,
    *,
    vector: Sequence[float] | None = None,
    embedding_model: str | None = None,
    chunks: tuple[DocumentChunk, ...] = (),
) -> SearchDocument:
    """The search document of a job row (reads only its text and filter columns; pass the vector
    and chunks explicitly, e.g. ``vector=job.embedding`` for the stored one)."""
    body_parts = [job.company, job.description, "\n".join(job.requirements or [])]
    return SearchDocument(
        id=job.id,
        title=job.title,
        skills=tuple(job.skills or ()),
        body="\n".join(p for p in body_parts if p),
        language=job.language or "en",
        city=job.city,
        country=job.country,
        job_type=job.job_type,
        work_mode=job.work_mode,
        salary_min=job.salary_min,
        salary_max=job.salary_max,
        experience_min=job.experience_min,
        posted_at=job.posted_at,
        status=job.status,
        company=job.company,
        vector=vector,
        embedding_model=embedding_model,
        chunks=chunks,
    )


def check_k(k: int, max_k: int) -> int:
    """``k`` if it is a sensible result count, else :class:`InvalidQuery`."""
    if isinstance(k, bool) or not isinstance(k, int) or not 1 <= k <= max_k:
        raise InvalidQuery(f"k must be an integer between 1 and {max_k}, not {k!r}")
    return k


def check_vector(vector: Sequence[float], dimension: int = EMBEDDING_DIM) -> list[float]:
    """The query vector as floats if it has the stored dimension and finite, non-zero values."""
    try:
        values = [float(x) for x in vector]
    except (TypeError, ValueError):
        raise InvalidQuery("The query vector must be a sequence of numbers") from None
    if len(values) != dimension:
        raise InvalidQuery(f"The query vector has {len(values)} dimensions, not {dimension}")
    if not all(math.isfinite(x) for x in values):
        raise InvalidQuery("The query vector has a value that is not a finite number")
    if not any(values):
        # Cosine distance to a zero vector is undefined (NaN): no ranking to give.
        raise InvalidQuery("The query vector is all zeros")
    return values


def check_filters(filters: JobFilters) -> JobFilters:
    """``filters`` if every text value can be stored at all (PostgreSQL text has no NUL)."""
    for name in ("city", "country", "language", "company"):
        for value in getattr(filters, name):
            if not isinstance(value, str) or "\x00" in value:
                raise InvalidQuery(f"The {name} filter has a value that is not plain text")
    return filters


Documents = Iterable[SearchDocument] | AsyncIterable[SearchDocument]


@runtime_checkable
class DocumentIndex(Protocol):
    """What every backend does with documents. Writes are idempotent by document id."""

    async def upsert(self, docs: Sequence[SearchDocument]) -> None:
        """Store ``docs``, replacing any earlier version of the same ids."""
        ...

    async def delete(self, ids: Sequence[uuid.UUID]) -> None:
        """Forget ``ids``; unknown ids are ignored."""
        ...

    async def count(self) -> int:
        """How many documents the index can return."""
        ...

    async def rebuild(self, docs: Documents) -> int:
        """Make the index hold exactly ``docs``; return how many it holds."""
        ...


@runtime_checkable
class LexicalIndex(DocumentIndex, Protocol):
    """BM25 over title, skills and body, under hard filters."""

    async def search_lexical(self, query_text: str, filters: JobFilters, k: int) -> list[Hit]:
        """Best ``k`` documents for free text (a few words or a whole CV) that pass ``filters``."""
        ...


@runtime_checkable
class VectorIndex(DocumentIndex, Protocol):
    """Nearest documents by cosine similarity, under hard filters, without losing any."""

    async def search_vector(
        self, vector: Sequence[float], filters: JobFilters, k: int
    ) -> list[Hit]:
        """The ``k`` documents passing ``filters`` closest to ``vector`` (score: cosine similarity)."""
        ...


@runtime_checkable
class SearchIndex(LexicalIndex, VectorIndex, Protocol):
    """A backend that does both (Elasticsearch)."""
