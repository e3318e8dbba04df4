"""The one door through which applications, recruiters and the candidate home ask for scores.

``MatchPort`` is what they depend on; ``EngineMatchPort`` answers it with the matching engine, so
every screen shows the engine's one score of a pair (``get_match_port`` lets a test or an app
state swap the implementation in one place).

Scores never use gender, nationality, age or any other protected attribute: none is read here.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Annotated, Any, Protocol, runtime_checkable

from fastapi import Depends
from sqlalchemy import ColumnElement, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from api.deps import StateDep
from indexing.filters import JobFilters
from matching.engine import Match, MatchEngine, MatchQuery, resume_query
from matching.profiles import profile_of_text
from models import Job, Resume
from models.enums import JobStatus

ENGINE_SCORER = "matching-engine"


@dataclass(frozen=True)
class MatchResult:
    """One scored pair. ``explanation`` has ``matched_skills``, ``missing_skills`` and
    ``reasons`` (sentences a candidate or recruiter understands)."""

    score: float
    explanation: dict[str, Any] = field(default_factory=dict)
    job_id: uuid.UUID | None = None
    resume_id: uuid.UUID | None = None


@runtime_checkable
class MatchPort(Protocol):
    async def score_jobs_for_resume(
        self, session: AsyncSession, resume_id: uuid.UUID, job_ids: Sequence[uuid.UUID]
    ) -> dict[uuid.UUID, MatchResult]:
        """Scores of these jobs for one CV, by job id; a job that cannot be scored is absent."""
        ...

    async def find_jobs_for_text(
        self, session: AsyncSession, text: str, filters: JobFilters, limit: int
    ) -> list[MatchResult]:
        """The best jobs for a text (a CV, desired positions) under hard filters, best first."""
        ...

    async def find_jobs_for_resume(
        self, session: AsyncSession, resume: Resume, filters: JobFilters, limit: int
    ) -> list[MatchResult]:
        """The best jobs for a stored CV under hard filters, best first."""
        ...

    async def rank_applicants(
        self, session: AsyncSession, job_id: uuid.UUID, resume_ids: Sequence[uuid.UUID]
    ) -> dict[uuid.UUID, MatchResult]:
        """Scores of these CVs for one job, by resume id; a CV that cannot be scored is absent."""
        ...


def _clip(value: float) -> float:
    return max(0.0, min(1.0, float(value)))


def _not_expired() -> ColumnElement[bool]:
    # Expiry is computed at read time: an open job past expires_at is never offered. (Spelled
    # without NOT: NOT (open AND NULL <= now()) is NULL, which would drop undated jobs.)
    return or_(Job.status != JobStatus.OPEN, Job.expires_at.is_(None), Job.expires_at > func.now())


#: Extra hits fetched per search, for jobs dropped as expired.
_EXPIRY_SLACK = 20


class EngineMatchPort:
    """The matching engine behind the port: the same score a candidate and a recruiter see for
    a pair, on every screen."""

    def __init__(self, engine: MatchEngine) -> None:
        self._engine = engine

    async def score_jobs_for_resume(
        self, session: AsyncSession, resume_id: uuid.UUID, job_ids: Sequence[uuid.UUID]
    ) -> dict[uuid.UUID, MatchResult]:
        resume = await session.get(Resume, resume_id)
        if resume is None or not job_ids:
            return {}
        query = await resume_query(session, resume)
        scored = await self._engine.score_jobs(session, query, list(dict.fromkeys(job_ids)))
        return {job_id: _engine_result(m, job_id, resume_id) for job_id, m in scored.items()}

    async def find_jobs_for_resume(
        self, session: AsyncSession, resume: Resume, filters: JobFilters, limit: int
    ) -> list[MatchResult]:
        if limit <= 0:
            return []
        query = await resume_query(session, resume, filters=filters)
        return await self._find(session, query, limit, resume.id)

    async def find_jobs_for_text(
        self, session: AsyncSession, text: str, filters: JobFilters, limit: int
    ) -> list[MatchResult]:
        if not text.strip() or limit <= 0:
            return []
        profile = profile_of_text(text)
        return await self._find(
            session, MatchQuery(text=text, profile=profile, filters=filters), limit, None
        )

    async def _find(
        self,
        session: AsyncSession,
        query: MatchQuery,
        limit: int,
        resume_id: uuid.UUID | None,
    ) -> list[MatchResult]:
        # A few more than asked for: open jobs past their expiry date are dropped here.
        depth = min(self._engine.settings.max_depth, limit + _EXPIRY_SLACK)
        page = await self._engine.match_page(session, replace(query, limit=depth))
        live = set(
            (
                await session.execute(
                    select(Job.id).where(Job.id.in_([m.id for m in page.items]), _not_expired())
                )
            ).scalars()
        )
        return [_engine_result(m, m.id, resume_id) for m in page.items if m.id in live][:limit]

    async def rank_applicants(
        self, session: AsyncSession, job_id: uuid.UUID, resume_ids: Sequence[uuid.UUID]
    ) -> dict[uuid.UUID, MatchResult]:
        matches = await self._engine.rank_candidates(session, job_id, list(resume_ids))
        return {m.id: _engine_result(m, job_id, m.id) for m in matches}


def _engine_result(
    match: Match, job_id: uuid.UUID | None, resume_id: uuid.UUID | None
) -> MatchResult:
    return MatchResult(
        _clip(match.score),
        {
            "matched_skills": list(match.matched_skills),
            "missing_skills": list(match.missing_skills),
            "reasons": list(match.reasons),
            "features": dict(match.features),
            "scorer": ENGINE_SCORER,
        },
        job_id,
        resume_id,
    )


def get_match_port(state: StateDep) -> MatchPort:
    """The app's scorer: ``state.match_port`` when set (tests), else the matching engine."""
    port: MatchPort | None = getattr(state, "match_port", None)
    if port is not None:
        return port
    return EngineMatchPort(state.matcher)


MatchPortDep = Annotated[MatchPort, Depends(get_match_port)]
