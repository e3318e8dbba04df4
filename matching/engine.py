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
from typing import Any, Literal, cast

from psycopg.rows import namedtuple_row
from sqlalchemy import any_, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql import ClauseElement

from indexing.embedder import Embedder
from indexing.filters import JobFilters
from indexing.protocol import Hit, LexicalIndex
from indexing.settings import get_vector_settings
from indexing.vector import (
    IDS,
    QUERY_VECTOR,
    PgVectorIndex,
    compiled_once,
    driver_connection,
    vector_text,
)
from matching.features import CandidateProfile, Scored, Similarities, score
from matching.fusion import reciprocal_rank_fusion
from matching.profiles import (
    JOB_FACT_COLUMNS,
    JobFacts,
    candidate_profile,
    job_profile,
    title_overlap,
)
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


def _depth(query: MatchQuery, factor: int, least: int) -> int:
    """How many jobs to take for ``query``: ``factor`` times its page end, at least ``least``."""
    return max(least, (query.offset + query.limit) * factor)


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
        # The engine re-ranks a pool, so its vector search needs a good pool, not an exact one:
        # fewer HNSW candidates per hit than a stand-alone search.
        self._vector_settings = get_vector_settings().model_copy(
            update={"oversample": self.settings.vector_oversample}
        )

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
        whole_pool: bool = False,
    ) -> list[Match]:
        """Jobs for ``query``, best first, ``query.limit`` of them from ``query.offset``; with
        ``whole_pool`` (not for ``reranked``) every fused hit, for totals and facets."""
        now = now or datetime.now(UTC)
        s = self.settings
        pool = _depth(query, s.oversample, s.min_pool)
        # BM25 runs in a thread while Postgres answers the vector side (and while the query is
        # embedded): on two cores the lexical search then costs next to nothing in wall time.
        lexical_task: asyncio.Future[list[Hit]] | None = None
        if mode != "vector":
            lexical_task = asyncio.ensure_future(
                self.lexical.search_lexical(query.text, query.filters, pool)
            )
        try:
            vector = (
                list(query.vector) if query.vector is not None else await self.embed(query.text)
            )
            doc_hits: list[Hit] = []
            chunk_hits: list[Hit] = []
            if mode != "lexical":
                vectors = PgVectorIndex(session, self._vector_settings)
                doc_hits = await vectors.search_vector(vector, query.filters, pool)
                if s.retrieve_chunks:
                    chunk_hits = await vectors.search_chunks(vector, query.filters, pool)
            lexical_hits = await lexical_task if lexical_task is not None else []
        except BaseException:
            if lexical_task is not None and not lexical_task.done():
                lexical_task.cancel()
            raise
        rankings: dict[str, list[Hit]] = {}
        if lexical_hits or mode == "lexical":
            rankings["lexical"] = lexical_hits
        if mode != "lexical":
            rankings["vector"] = doc_hits
            if s.retrieve_chunks:
                rankings["chunks"] = chunk_hits
        weights = {
            name: w
            for name, w in (
                ("lexical", s.fusion_lexical),
                ("vector", s.fusion_vector),
                ("chunks", s.fusion_chunks),
            )
            if name in rankings
        }
        fused = reciprocal_rank_fusion(rankings, k=s.rrf_k, weights=weights)
        if mode != "reranked":
            window = fused if whole_pool else fused[query.offset : query.offset + query.limit]
            top = fused[0].score if fused else 1.0
            return [Match(id=h.id, score=round(h.score / top, 4), ranks=h.ranks) for h in window]

        reranked = fused[: _depth(query, s.rerank_oversample, s.min_pool)]
        ids = [h.id for h in reranked]
        ranks = {h.id: h.ranks for h in reranked}
        # The similarities are recomputed for every pooled job, not taken from the hit lists, so
        # that a pair's score does not depend on which index happened to retrieve it (the
        # recruiter sees the same); one query brings them with the columns the features read.
        pooled = await pooled_jobs(session, vector, ids)
        scored: list[tuple[uuid.UUID, Scored]] = []
        for job_id in ids:
            found = pooled.get(job_id)
            if found is None:  # deleted between retrieval and fetch
                continue
            profile, rarity = job_profile(found.job)
            sims = Similarities(
                document=found.document,
                best_chunk=found.best_chunk,
                title=title_overlap(query.profile.titles, found.job.title),
            )
            scored.append((job_id, score(query.profile, profile, sims, rarity, now, s)))
        # Ties keep the fused order (sorted() is stable); only the page is turned into answers.
        scored.sort(key=lambda pair: pair[1].score, reverse=True)
        page = scored[query.offset : query.offset + query.limit]
        return [_as_match(job_id, result, ranks[job_id]) for job_id, result in page]

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


@dataclass(frozen=True)
class PooledJob:
    """A pooled job's facts for the features, and its cosines to the query (None: no vector)."""

    job: JobFacts
    document: float | None
    best_chunk: float | None


def _pooled_statement() -> ClauseElement:
    """For each job of ``:ids``: the columns the features read, the cosine of the query vector
    to the job's document vector and to its closest chunk (no description, no vector shipped).
    One array parameter instead of an IN list: the SQL text is the same for every pool."""
    best_chunk = (
        select(func.max(1 - SearchChunk.embedding.cosine_distance(QUERY_VECTOR)))
        .where(
            SearchChunk.doc_type == DocType.JOB,
            SearchChunk.doc_id == Job.id,
            SearchChunk.embedding.is_not(None),
        )
        .scalar_subquery()
    )
    return select(
        Job.id,
        *JOB_FACT_COLUMNS,
        (1 - Job.embedding.cosine_distance(QUERY_VECTOR)).label("document"),
        best_chunk.label("best_chunk"),
    ).where(Job.id == any_(IDS))


async def pooled_jobs(
    session: AsyncSession, vector: Sequence[float], job_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, PooledJob]:
    """Each job's facts for the features and its cosines to ``vector``, in one query.

    Compiled once and run on the session's psycopg connection: through SQLAlchemy, building,
    hashing and reading it took longer than Postgres took to answer it."""
    if not job_ids:
        return {}
    sql = compiled_once(session, ("pooled jobs",), _pooled_statement)
    params = {**sql.constants, "query": vector_text(vector), "ids": list(job_ids)}
    driver = await driver_connection(session)
    async with driver.cursor(row_factory=namedtuple_row) as cur:
        await cur.execute(sql.text, params)
        rows: list[Any] = await cur.fetchall()
    return {
        row.id: PooledJob(
            job=cast(JobFacts, row),
            document=None if row.document is None else float(row.document),
            best_chunk=None if row.best_chunk is None else float(row.best_chunk),
        )
        for row in rows
    }


async def resume_similarities(
    session: AsyncSession, job_id: uuid.UUID, resume_ids: Sequence[uuid.UUID]
) -> tuple[dict[uuid.UUID, float], dict[uuid.UUID, float]]:
    """For one job: each CV's cosine to the job's vector and to the job's closest chunk — the
    same two numbers :func:`pooled_jobs` gives from the CV's side."""
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
