"""The matching engine: hybrid retrieval under hard filters, fusion, explainable re-ranking.

Jobs for a candidate (a stored CV, an uploaded file or free text): retrieve from the BM25 index
and from pgvector (whole-document and chunk vectors) over oversampled pools with the same
filters, fuse the rankings with RRF, fetch the pooled jobs in one query, then score every one
with the features of :mod:`matching.features`. Candidates for a job go the other way with the
same features, so the candidate and the recruiter see the same score.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import defer

from indexing.embedder import Embedder
from indexing.filters import JobFilters
from indexing.protocol import Hit, LexicalIndex
from indexing.vector import PgVectorIndex
from matching.features import CandidateProfile, Scored, Similarities, score
from matching.fusion import reciprocal_rank_fusion
from matching.profiles import candidate_profile, job_profile, title_overlap
from matching.settings import MatchingSettings, get_matching_settings
from models import Candidate, Job, Resume
from models.search import DocType, SearchChunk

Mode = Literal["lexical", "vector", "fused", "reranked"]


@dataclass(frozen=True)
class Match:
    """One ranked hit with its score in [0, 1] and why."""

    id: uuid.UUID
    score: float
    matched_skills: tuple[str, ...] = ()
    missing_skills: tuple[str, ...] = ()
    reasons: tuple[str, ...] = ()
    features: Mapping[str, float] = field(default_factory=dict)
    ranks: Mapping[str, int | None] = field(default_factory=dict)

    def explanation(self) -> dict[str, Any]:
        """The explanation as JSON: what the candidate and the recruiter are shown."""
        return {
            "matchedSkills": list(self.matched_skills),
            "missingSkills": list(self.missing_skills),
            "reasons": list(self.reasons),
            "features": dict(self.features),
            "retrieval": dict(self.ranks),
        }


@dataclass(frozen=True)
class MatchQuery:
    """Who is looking (their profile and CV text or vector) and under which hard filters."""

    text: str
    profile: CandidateProfile = field(default_factory=CandidateProfile)
    vector: Sequence[float] | None = None
    filters: JobFilters = field(default_factory=JobFilters)
    limit: int = 20
    offset: int = 0


def _as_match(item_id: uuid.UUID, scored: Scored, ranks: Mapping[str, int | None]) -> Match:
    return Match(
        id=item_id,
        score=scored.score,
        matched_skills=scored.matched_skills,
        missing_skills=scored.missing_skills,
        reasons=tuple(scored.top_reasons(3)),
        features={f.name: round(f.value, 3) for f in scored.features},
        ranks=dict(ranks),
    )


class MatchEngine:
    """Stateless but for its long-lived parts: the lexical index, the embedder, the weights."""

    def __init__(
        self,
        lexical: LexicalIndex,
        embedder: Embedder,
        settings: MatchingSettings | None = None,
    ) -> None:
        self.lexical = lexical
        self.embedder = embedder
        self.settings = settings or get_matching_settings()

    async def embed(self, text: str) -> list[float]:
        """One query embedding, off the event loop."""
        vectors = await asyncio.to_thread(self.embedder.embed, [text])
        return [float(x) for x in vectors[0]]

    async def match_jobs(
        self,
        session: AsyncSession,
        query: MatchQuery,
        *,
        mode: Mode = "reranked",
        now: datetime | None = None,
    ) -> list[Match]:
        """Jobs for ``query``, best first, ``query.limit`` of them from ``query.offset``."""
        now = now or datetime.now(UTC)
        pool = max(50, (query.offset + query.limit) * self.settings.oversample)
        vector = list(query.vector) if query.vector is not None else await self.embed(query.text)
        vectors = PgVectorIndex(session)
        lexical_hits: list[Hit] = []
        doc_hits: list[Hit] = []
        chunk_hits: list[Hit] = []
        if mode != "vector":
            lexical_hits = await self.lexical.search_lexical(query.text, query.filters, pool)
        if mode != "lexical":
            doc_hits = await vectors.search_vector(vector, query.filters, pool)
            chunk_hits = await vectors.search_chunks(vector, query.filters, pool)
        rankings: dict[str, list[Hit]] = {}
        if lexical_hits or mode == "lexical":
            rankings["lexical"] = lexical_hits
        if mode != "lexical":
            rankings["vector"] = doc_hits
            rankings["chunks"] = chunk_hits
        weights = {
            name: w
            for name, w in (
                ("lexical", self.settings.fusion_lexical),
                ("vector", self.settings.fusion_vector),
                ("chunks", self.settings.fusion_chunks),
            )
            if name in rankings
        }
        fused = reciprocal_rank_fusion(rankings, k=self.settings.rrf_k, weights=weights)
        if mode != "reranked":
            window = fused[query.offset : query.offset + query.limit]
            top = fused[0].score if fused else 1.0
            return [Match(id=h.id, score=round(h.score / top, 4), ranks=h.ranks) for h in window]

        ids = [h.id for h in fused]
        ranks = {h.id: h.ranks for h in fused}
        # Recomputed for every pooled job, not taken from the hit lists, so that a pair's score
        # does not depend on which index happened to retrieve it (the recruiter sees the same).
        doc_sim, chunk_sim = await job_similarities(session, vector, ids)
        # The vectors are not needed here, and parsing 384 floats per row costs more than the query.
        stmt = select(Job).options(defer(Job.embedding)).where(Job.id.in_(ids))
        jobs = {j.id: j for j in (await session.execute(stmt)).scalars()}
        scored: list[Match] = []
        for job_id in ids:
            job = jobs.get(job_id)
            if job is None:  # deleted between retrieval and fetch
                continue
            profile, rarity = job_profile(job)
            sims = Similarities(
                document=doc_sim.get(job_id),
                best_chunk=chunk_sim.get(job_id),
                title=title_overlap(query.profile.titles, job.title),
            )
            result = score(query.profile, profile, sims, rarity, now, self.settings)
            scored.append(_as_match(job_id, result, ranks[job_id]))
        # Ties keep the fused order (sorted() is stable).
        scored.sort(key=lambda m: m.score, reverse=True)
        return scored[query.offset : query.offset + query.limit]

    async def rank_candidates(
        self,
        session: AsyncSession,
        job_id: uuid.UUID,
        resume_ids: Sequence[uuid.UUID],
        *,
        now: datetime | None = None,
    ) -> list[Match]:
        """The given CVs (e.g. a job's applicants) ranked for the job, with the same score a
        candidate sees for that job. Ids are resume ids."""
        now = now or datetime.now(UTC)
        job = await session.get(Job, job_id)
        if job is None or not resume_ids:
            return []
        profile, rarity = job_profile(job)
        doc_sim, chunk_sim = await resume_similarities(session, job_id, resume_ids)
        rows = await session.execute(
            select(Resume, Candidate)
            .join(Candidate, Candidate.user_id == Resume.user_id, isouter=True)
            .where(Resume.id.in_(list(resume_ids)))
        )
        matches: list[Match] = []
        for resume, candidate in rows.all():
            cand = candidate_profile(resume.parsed, candidate, resume.extracted_text)
            result = score(
                cand,
                profile,
                Similarities(
                    document=doc_sim.get(resume.id),
                    best_chunk=chunk_sim.get(resume.id),
                    title=title_overlap(cand.titles, job.title),
                ),
                rarity,
                now,
                self.settings,
            )
            matches.append(_as_match(resume.id, result, {}))
        matches.sort(key=lambda m: (-m.score, str(m.id)))
        return matches


async def job_similarities(
    session: AsyncSession, vector: Sequence[float], job_ids: Sequence[uuid.UUID]
) -> tuple[dict[uuid.UUID, float], dict[uuid.UUID, float]]:
    """Cosine of ``vector`` to each job's document vector and to its closest chunk."""
    if not job_ids:
        return {}, {}
    ids = list(job_ids)
    doc = await session.execute(
        select(Job.id, 1 - Job.embedding.cosine_distance(vector)).where(
            Job.id.in_(ids), Job.embedding.is_not(None)
        )
    )
    chunk = await session.execute(
        select(SearchChunk.doc_id, func.max(1 - SearchChunk.embedding.cosine_distance(vector)))
        .where(
            SearchChunk.doc_type == DocType.JOB,
            SearchChunk.doc_id.in_(ids),
            SearchChunk.embedding.is_not(None),
        )
        .group_by(SearchChunk.doc_id)
    )
    return (
        {i: float(s) for i, s in doc.all()},
        {i: float(s) for i, s in chunk.all()},
    )


async def resume_similarities(
    session: AsyncSession, job_id: uuid.UUID, resume_ids: Sequence[uuid.UUID]
) -> tuple[dict[uuid.UUID, float], dict[uuid.UUID, float]]:
    """For one job: each CV's cosine to the job's vector and to the job's closest chunk — the
    same two numbers :func:`job_similarities` gives from the CV's side."""
    ids = list(resume_ids)
    doc = await session.execute(
        select(Resume.id, 1 - Resume.embedding.cosine_distance(Job.embedding))
        .join(Job, Job.id == job_id)
        .where(Resume.id.in_(ids), Resume.embedding.is_not(None), Job.embedding.is_not(None))
    )
    chunk = await session.execute(
        select(Resume.id, func.max(1 - SearchChunk.embedding.cosine_distance(Resume.embedding)))
        .join(
            SearchChunk,
            (SearchChunk.doc_type == DocType.JOB) & (SearchChunk.doc_id == job_id),
        )
        .where(
            Resume.id.in_(ids),
            Resume.embedding.is_not(None),
            SearchChunk.embedding.is_not(None),
        )
        .group_by(Resume.id)
    )
    return (
        {i: float(s) for i, s in doc.all()},
        {i: float(s) for i, s in chunk.all()},
    )
