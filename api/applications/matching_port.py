"""The one door through which applications, recruiters and the candidate home ask for scores.

``MatchPort`` is what they depend on. Two implementations:

- ``SimilarityMatchPort``, the INTERIM default: cosine similarity of the stored pgvector
  embeddings (``1 - (a <=> b)``), clipped to [0, 1], explained by the overlap of the job's
  skills with the CV's text;
- ``EngineMatchPort``, the matching engine (hybrid retrieval, explainable re-ranking) behind the
  same three calls, chosen with ``TABASHIR_APPLY_SCORER=engine``.

``get_match_port`` picks one per request (``state.match_port`` wins when set), so switching is
one line and no caller changes.

Scores never use gender, nationality, age or any other protected attribute: none is read here.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Annotated, Any, Protocol, runtime_checkable

from fastapi import Depends
from sqlalchemy import ColumnElement, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from api.applications.explanation import skill_overlap
from api.applications.settings import ApplySettings, get_apply_settings
from api.deps import StateDep
from indexing.embedder import Embedder
from indexing.filters import JobFilters
from indexing.vector import PgVectorIndex
from matching.engine import Match, MatchEngine, MatchQuery
from matching.profiles import candidate_profile
from models import Job, Resume
from models.enums import JobStatus

SCORER = "similarity-interim"
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

    async def rank_applicants(
        self, session: AsyncSession, job_id: uuid.UUID, resume_ids: Sequence[uuid.UUID]
    ) -> dict[uuid.UUID, MatchResult]:
        """Scores of these CVs for one job, by resume id; a CV that cannot be scored is absent."""
        ...


def _clip(value: float) -> float:
    return max(0.0, min(1.0, float(value)))


def _explain(score: float, job_skills: Sequence[str], cv_text: str) -> dict[str, Any]:
    matched, missing = skill_overlap(job_skills, cv_text)
    reasons = [f"The CV and the job read {round(score * 100)}% alike (semantic similarity)."]
    if job_skills:
        if matched:
            reasons.append(
                f"The CV names {len(matched)} of the job's {len(job_skills)} skills: "
                + ", ".join(matched[:8])
                + "."
            )
        else:
            reasons.append("The CV names none of the job's listed skills.")
    return {
        "matched_skills": matched,
        "missing_skills": missing,
        "reasons": reasons,
        "scorer": SCORER,
    }


def _not_expired() -> ColumnElement[bool]:
    # Expiry is computed at read time: an open job past expires_at is never offered. (Spelled
    # without NOT: NOT (open AND NULL <= now()) is NULL, which would drop undated jobs.)
    return or_(Job.status != JobStatus.OPEN, Job.expires_at.is_(None), Job.expires_at > func.now())


class SimilarityMatchPort:
    """INTERIM scorer: cosine similarity of stored embeddings, skill overlap as explanation."""

    def __init__(self, embedder: Embedder) -> None:
        self._embedder = embedder

    async def _cv_text(self, session: AsyncSession, resume_id: uuid.UUID) -> str | None:
        return (
            await session.execute(select(Resume.extracted_text).where(Resume.id == resume_id))
        ).scalar_one_or_none()

    async def score_jobs_for_resume(
        self, session: AsyncSession, resume_id: uuid.UUID, job_ids: Sequence[uuid.UUID]
    ) -> dict[uuid.UUID, MatchResult]:
        if not job_ids:
            return {}
        similarity = 1 - Job.embedding.cosine_distance(Resume.embedding)
        rows = await session.execute(
            select(Job.id, Job.skills, similarity.label("similarity"))
            .join(Resume, Resume.id == resume_id)
            .where(
                Job.id.in_(list(job_ids)),
                Job.embedding.is_not(None),
                Resume.embedding.is_not(None),
            )
        )
        cv_text = await self._cv_text(session, resume_id) or ""
        out: dict[uuid.UUID, MatchResult] = {}
        for job_id, skills, sim in rows:
            score = _clip(sim)
            out[job_id] = MatchResult(score, _explain(score, skills, cv_text), job_id, resume_id)
        return out

    async def find_jobs_for_text(
        self, session: AsyncSession, text: str, filters: JobFilters, limit: int
    ) -> list[MatchResult]:
        if not text.strip() or limit <= 0:
            return []
        # One query embedding, in the threadpool: the event loop keeps serving.
        vector = (await asyncio.to_thread(self._embedder.embed, [text]))[0].tolist()
        index = PgVectorIndex(session)
        # The indexing layer plans the filtered search (exact scan or HNSW); a few more than
        # asked for, as jobs past their expiry date are dropped here.
        k = min(index.settings.max_k, limit + _EXPIRY_SLACK)
        hits = await index.search_vector(vector, filters, k)
        if not hits:
            return []
        similarity = 1 - Job.embedding.cosine_distance(vector)
        rows = await session.execute(
            select(Job.id, Job.skills, similarity.label("similarity")).where(
                Job.id.in_([h.id for h in hits]), _not_expired()
            )
        )
        results = [
            MatchResult(_clip(sim), _explain(_clip(sim), skills, text), job_id)
            for job_id, skills, sim in rows
        ]
        results.sort(key=lambda r: (-r.score, str(r.job_id)))
        return results[:limit]

    async def rank_applicants(
        self, session: AsyncSession, job_id: uuid.UUID, resume_ids: Sequence[uuid.UUID]
    ) -> dict[uuid.UUID, MatchResult]:
        if not resume_ids:
            return {}
        similarity = 1 - Resume.embedding.cosine_distance(Job.embedding)
        rows = await session.execute(
            select(Resume.id, Resume.extracted_text, Job.skills, similarity.label("similarity"))
            .join(Job, Job.id == job_id)
            .where(
                Resume.id.in_(list(resume_ids)),
                Resume.embedding.is_not(None),
                Job.embedding.is_not(None),
            )
        )
        out: dict[uuid.UUID, MatchResult] = {}
        for resume_id, cv_text, skills, sim in rows:
            score = _clip(sim)
            out[resume_id] = MatchResult(
                score, _explain(score, skills, cv_text or ""), job_id, resume_id
            )
        return out


#: Extra hits fetched per search, for jobs dropped as expired.
_EXPIRY_SLACK = 20
ApplySettingsDep = Annotated[ApplySettings, Depends(get_apply_settings)]


class EngineMatchPort:
    """The matching engine behind the port: hybrid retrieval under the filters, features and
    re-ranking, the same score a candidate and a recruiter see for a pair."""

    def __init__(self, engine: MatchEngine) -> None:
        self._engine = engine

    async def score_jobs_for_resume(
        self, session: AsyncSession, resume_id: uuid.UUID, job_ids: Sequence[uuid.UUID]
    ) -> dict[uuid.UUID, MatchResult]:
        out: dict[uuid.UUID, MatchResult] = {}
        for job_id in dict.fromkeys(job_ids):
            for match in await self._engine.rank_candidates(session, job_id, [resume_id]):
                out[job_id] = _engine_result(match, job_id, resume_id)
        return out

    async def find_jobs_for_text(
        self, session: AsyncSession, text: str, filters: JobFilters, limit: int
    ) -> list[MatchResult]:
        if not text.strip() or limit <= 0:
            return []
        query = MatchQuery(
            text=text, profile=candidate_profile(None, None, text), filters=filters, limit=limit
        )
        return [
            _engine_result(m, m.id, None) for m in await self._engine.match_jobs(session, query)
        ]

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


def get_match_port(state: StateDep, settings: ApplySettingsDep) -> MatchPort:
    """The app's scorer: ``state.match_port`` when set; else the matching engine with
    ``TABASHIR_APPLY_SCORER=engine``; else the interim similarity scorer."""
    port: MatchPort | None = getattr(state, "match_port", None)
    if port is not None:
        return port
    if settings.scorer == "engine":
        return EngineMatchPort(state.matcher)
    return SimilarityMatchPort(state.embedder)


MatchPortDep = Annotated[MatchPort, Depends(get_match_port)]
