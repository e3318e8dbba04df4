"""One application per job, where a re-post counts as the same job.

Ingestion merges a re-post into the stored job while that job is open, so most re-posts already
are the same row. A job re-posted after the first one closed or expired is a new row: it is the
same job when the employer (legal forms folded away) and city match and either the indexed text
is identical (same content hash) or the titles are the same and the descriptions nearly so.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from rapidfuzz import fuzz
from sqlalchemy.ext.asyncio import AsyncSession

from api.applications import repository
from ingestion.jobs import get_feed_settings
from ingestion.jobs.normalise import normalise_company, normalise_title
from ingestion.jobs.text import fold, key
from models import Job


@dataclass(frozen=True, slots=True)
class _Applied:
    job_id: uuid.UUID
    title_key: str
    content_hash: str | None


class AppliedJobs:
    """The jobs a candidate applied to, indexed by employer and city."""

    def __init__(self, rows: Sequence[Any]) -> None:
        self.ids: set[uuid.UUID] = set()
        self._by_place: dict[tuple[str, str], list[_Applied]] = {}
        for row in rows:
            self.ids.add(row.id)
            place = (normalise_company(row.company), key(row.city or ""))
            self._by_place.setdefault(place, []).append(
                _Applied(row.id, normalise_title(row.title), row.content_hash)
            )

    @classmethod
    async def load(cls, session: AsyncSession, user_id: uuid.UUID) -> AppliedJobs:
        return cls(await repository.applied_jobs(session, user_id))

    def add(self, job: Job) -> None:
        self.ids.add(job.id)
        place = (normalise_company(job.company), key(job.city or ""))
        self._by_place.setdefault(place, []).append(
            _Applied(job.id, normalise_title(job.title), job.content_hash)
        )

    async def same_as(self, session: AsyncSession, job: Job) -> uuid.UUID | None:
        """The job already applied to that ``job`` is (itself or a re-post), or None."""
        if job.id in self.ids:
            return job.id
        title = normalise_title(job.title)
        close: list[_Applied] = []
        for applied in self._by_place.get(
            (normalise_company(job.company), key(job.city or "")), []
        ):
            if job.content_hash is not None and applied.content_hash == job.content_hash:
                return applied.job_id
            if applied.title_key == title:
                close.append(applied)
        if not close:
            return None
        texts = await repository.descriptions(session, [a.job_id for a in close])
        ratio = get_feed_settings().duplicate_description_ratio
        mine = fold(job.description or "")
        for applied in close:
            theirs = fold(texts.get(applied.job_id, ""))
            if (not mine and not theirs) or fuzz.token_set_ratio(mine, theirs) >= ratio:
                return applied.job_id
        return None
