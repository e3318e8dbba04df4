"""The matching engine: one representation of a CV, one score of a pair, one order of a query.

A CV is represented the same way whichever route it arrives by (free text, an uploaded file, a
stored CV): its vector is the normalised mean of its chunk vectors (nothing past the encoder's
window is dropped), its titles' vector is the embedding of :func:`indexing.titles.cv_title_text`,
and its profile is :func:`matching.profiles.candidate_profile` of its parsed fields. A pair's
signals are computed by one SQL statement (:func:`pair_signals`) and turned into a score by
:func:`matching.features.score`, for jobs-for-a-CV and CVs-for-a-job alike.

The order of a query: when at most ``max_depth`` jobs pass the filters, all of them are scored
and sorted (score, then id). Above that, BM25 and vector retrieval are fused (RRF) and the top
``rank_window`` of that fusion are scored and sorted first; the jobs after them, down to
``max_depth``, are scored and sorted among themselves. Neither part depends on the page asked
for, so pages never overlap, the total does not move while paging, and the top k is the same for
any page size.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Literal, cast

from psycopg.rows import namedtuple_row
from sqlalchemy import any_, bindparam, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql import ClauseElement

from indexing.embedder import Embedder
from indexing.filters import JobFilters, job_filter_clause
from indexing.protocol import Hit, LexicalIndex
from indexing.resumes import embed_resumes
from indexing.settings import get_vector_settings
from indexing.titles import TitleGloss, embed_titles, stored_title_vectors, title_text
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
from matching.profiles import JOB_FACT_COLUMNS, JobFacts, candidate_profile, job_profile
from matching.settings import MatchingSettings, get_matching_settings
from models import Job, Resume
from models.search import DocType, SearchChunk, TitleEmbedding
from models.settings import EMBEDDING_DIM

Mode = Literal["lexical", "vector", "fused", "reranked"]
TITLE_VECTOR = bindparam("title_query", type_=QUERY_VECTOR.type)
#: A filter the planner estimates to keep this many times max_depth jobs keeps more than
#: max_depth (estimates are rarely off by this much for the filters' equality and range terms).
_SURELY_LARGE = 10


class DepthExceeded(ValueError):
    """A page beyond the deepest ranking the engine serves."""

    def __init__(self, max_depth: int) -> None:
        super().__init__(f"Results go {max_depth} deep: ask for a page that starts before that")
        self.max_depth = max_depth


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
    """Who is looking and under which hard filters. ``vector`` and ``title_vector`` are the CV's
    (a stored CV's, or None to have the engine represent ``text``)."""

    text: str
    profile: CandidateProfile = field(default_factory=CandidateProfile)
    vector: Sequence[float] | None = None
    title_vector: Sequence[float] | None = None
    filters: JobFilters = field(default_factory=JobFilters)
    limit: int = 20
    offset: int = 0


@dataclass(frozen=True)
class MatchPage:
    """One page of a query's ranking and how long the whole ranking is."""

    items: list[Match]
    total: int
    exact: bool
    #: Every job of the ranking computed for this page, best first (facets count over them).
    ranked_ids: list[uuid.UUID] = field(default_factory=list)


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
    """Stateless but for its long-lived parts: the lexical index, the embedder, the settings."""

    def __init__(
        self,
        lexical: LexicalIndex,
        embedder: Embedder,
        settings: MatchingSettings | None = None,
        title_gloss: TitleGloss | None = None,
    ) -> None:
        self.lexical = lexical
        self.embedder = embedder
        self.settings = settings or get_matching_settings()
        #: How titles are embedded (the same as indexing stores them): see TitleGloss.
        self.title_gloss = title_gloss
        # The engine ranks a pool, so its vector search needs a good pool, not an exact one:
        # fewer HNSW candidates per hit than a stand-alone search.
        self._vector_settings = get_vector_settings().model_copy(
            update={"oversample": self.settings.vector_oversample}
        )

    # --- the CV's representation --------------------------------------------------------------

    def _title_vector(self, titles: str | None) -> list[float] | None:
        """A CV's title text embedded as indexing embeds it (through the same gloss)."""
        if not titles:
            return None
        return [float(x) for x in embed_titles([titles], self.embedder, self.title_gloss)[0]]

    def _represent(
        self, text: str, titles: str | None
    ) -> tuple[list[float] | None, list[float] | None]:
        vector = embed_resumes([(uuid.UUID(int=0), text)], self.embedder)[0].vector
        return vector, self._title_vector(titles)

    async def represent(
        self, text: str, profile: CandidateProfile
    ) -> tuple[list[float] | None, list[float] | None]:
        """The vectors of a CV given as text, as a stored CV has them (off the event loop)."""
        return await asyncio.to_thread(self._represent, text, title_text(profile.titles))

    async def _query_vectors(
        self, session: AsyncSession, query: MatchQuery
    ) -> tuple[list[float] | None, list[float] | None]:
        if query.vector is None:
            return await self.represent(query.text, query.profile)
        if query.title_vector is not None:
            return list(query.vector), list(query.title_vector)
        # A stored CV whose titles' vector was not written yet (edited since its last indexing).
        titles = title_text(query.profile.titles)
        stored = (await stored_title_vectors(session, [titles])).get(titles) if titles else None
        title = stored or await asyncio.to_thread(self._title_vector, titles)
        return list(query.vector), title

    # --- one page of a ranking ----------------------------------------------------------------

    async def match_page(self, session: AsyncSession, query: MatchQuery) -> MatchPage:
        """The page ``query.offset``/``query.limit`` of the query's ranking (module docstring)."""
        s = self.settings
        if query.offset >= s.max_depth:
            raise DepthExceeded(s.max_depth)
        vector, title = await self._query_vectors(session, query)
        end = min(query.offset + query.limit, s.max_depth)
        # Far more jobs than max_depth by the planner's estimate (cached with the vector plan):
        # no need to read max_depth ids to learn that the ranking is not exact.
        plan = await PgVectorIndex(session, self._vector_settings).plan(query.filters)
        large = plan.estimated_rows > _SURELY_LARGE * s.max_depth
        filtered = [] if large else await _filtered_ids(session, query.filters, s.max_depth + 1)
        if not large and len(filtered) <= s.max_depth:
            ranked = await self._ranked(session, query.profile, vector, title, filtered, {})
            return MatchPage(
                ranked[query.offset : end], len(filtered), True, [m.id for m in ranked]
            )

        window_hits = await self._fused(session, query, vector, s.rank_window)
        window = window_hits[: s.rank_window]
        ranks = {h.id: h.ranks for h in window}
        ranked = await self._ranked(session, query.profile, vector, title, list(ranks), ranks)
        if end > len(ranked):
            deep = await self._fused(session, query, vector, s.max_depth)
            tail_ranks = {h.id: h.ranks for h in deep if h.id not in ranks}
            tail_ids = list(tail_ranks)[: s.max_depth - len(ranked)]
            if len(ranked) + len(tail_ids) < s.max_depth:
                # Jobs neither index returned (no vector yet, no shared word) still belong to
                # the ranking: the filtered ones not seen yet fill it, by id.
                seen = {*ranks, *tail_ids}
                filtered = filtered or await _filtered_ids(
                    session, query.filters, s.max_depth + len(seen)
                )
                tail_ids += [i for i in filtered if i not in seen][
                    : s.max_depth - len(ranked) - len(tail_ids)
                ]
            ranked += await self._ranked(
                session, query.profile, vector, title, tail_ids, tail_ranks
            )
        return MatchPage(ranked[query.offset : end], s.max_depth, False, [m.id for m in ranked])

    async def match_jobs(
        self,
        session: AsyncSession,
        query: MatchQuery,
        *,
        mode: Mode = "reranked",
        whole_pool: bool = False,
    ) -> list[Match]:
        """Jobs for ``query``: the engine's ranking (``reranked``, one page of it), or one of its
        retrieval signals alone (``lexical``, ``vector``, ``fused``) for evaluation, where
        ``whole_pool`` returns every retrieved hit."""
        if mode == "reranked":
            return (await self.match_page(session, query)).items
        vector, _ = await self._query_vectors(session, query)
        depth = max(self.settings.rank_window, query.offset + query.limit)
        fused = await self._fused(session, query, vector, depth, mode=mode)
        window = fused if whole_pool else fused[query.offset : query.offset + query.limit]
        top = fused[0].score if fused else 1.0
        return [Match(id=h.id, score=round(h.score / top, 4), ranks=h.ranks) for h in window]

    async def _fused(
        self,
        session: AsyncSession,
        query: MatchQuery,
        vector: Sequence[float] | None,
        depth: int,
        *,
        mode: Mode = "fused",
    ) -> list[Any]:
        """BM25 and vector retrieval of ``depth`` jobs each under the filters, fused by RRF."""
        s = self.settings
        # BM25 runs in a thread while Postgres answers the vector side: on two cores the lexical
        # search then costs next to nothing in wall time.
        lexical_task: asyncio.Future[list[Hit]] | None = None
        if mode != "vector":
            lexical_task = asyncio.ensure_future(
                self.lexical.search_lexical(query.text, query.filters, depth)
            )
        try:
            doc_hits: list[Hit] = []
            chunk_hits: list[Hit] = []
            if mode != "lexical" and vector is not None:
                vectors = PgVectorIndex(session, self._vector_settings)
                doc_hits = await vectors.search_vector(vector, query.filters, depth)
                if s.retrieve_chunks:
                    chunk_hits = await vectors.search_chunks(vector, query.filters, depth)
            lexical_hits = await lexical_task if lexical_task is not None else []
        except BaseException:
            if lexical_task is not None and not lexical_task.done():
                lexical_task.cancel()
            raise
        rankings: dict[str, list[Hit]] = {}
        if mode != "vector":
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
        return reciprocal_rank_fusion(rankings, k=s.rrf_k, weights=weights)

    async def _ranked(
        self,
        session: AsyncSession,
        profile: CandidateProfile,
        vector: Sequence[float] | None,
        title: Sequence[float] | None,
        job_ids: Sequence[uuid.UUID],
        ranks: Mapping[uuid.UUID, Mapping[str, int | None]],
    ) -> list[Match]:
        """``job_ids`` scored for the CV, best first; ties by id."""
        signals = await pair_signals(session, vector, title, job_ids)
        matches = [
            _as_match(job_id, self.score_pair(profile, found), ranks.get(job_id, {}))
            for job_id in job_ids
            if (found := signals.get(job_id)) is not None
        ]
        matches.sort(key=lambda m: (-m.score, m.id))
        return matches

    def score_pair(self, profile: CandidateProfile, signals: PairSignals) -> Scored:
        """The one score of a CV–job pair (every route's scores come from here)."""
        return score_signals(profile, signals, self.settings)

    async def score_jobs(
        self, session: AsyncSession, query: MatchQuery, job_ids: Sequence[uuid.UUID]
    ) -> dict[uuid.UUID, Match]:
        """The given jobs scored for the query's CV, by job id (no filters applied)."""
        vector, title = await self._query_vectors(session, query)
        ranked = await self._ranked(session, query.profile, vector, title, job_ids, {})
        return {m.id: m for m in ranked}

    # --- the other direction ------------------------------------------------------------------

    async def rank_candidates(
        self,
        session: AsyncSession,
        job_id: uuid.UUID,
        resume_ids: Sequence[uuid.UUID],
    ) -> list[Match]:
        """The given CVs (e.g. a job's applicants) ranked for the job, with the same score the
        candidate sees for that job. Ids are resume ids."""
        if not resume_ids:
            return []
        resumes = (
            (await session.execute(select(Resume).where(Resume.id.in_(list(resume_ids)))))
            .scalars()
            .all()
        )
        matches: list[Match] = []
        for resume in resumes:
            query = await resume_query(session, resume)
            scored = await self.score_jobs(session, query, [job_id])
            if job_id in scored:
                matches.append(replace(scored[job_id], id=resume.id))
        matches.sort(key=lambda m: (-m.score, m.id))
        return matches


async def resume_query(
    session: AsyncSession, resume: Resume, *, filters: JobFilters | None = None
) -> MatchQuery:
    """A stored CV as a query: its stored vectors, its parsed profile."""
    profile = candidate_profile(resume.parsed, resume.extracted_text)
    titles = title_text(profile.titles)
    title = (await stored_title_vectors(session, [titles])).get(titles) if titles else None
    return MatchQuery(
        text=resume.extracted_text or "",
        profile=profile,
        vector=[float(x) for x in resume.embedding] if resume.embedding is not None else None,
        title_vector=title,
        filters=filters or JobFilters(),
    )


async def _filtered_ids(session: AsyncSession, filters: JobFilters, cap: int) -> list[uuid.UUID]:
    """Ids of the jobs passing ``filters``, at most ``cap`` of them (by id)."""
    rows = await session.execute(
        select(Job.id).where(job_filter_clause(filters)).order_by(Job.id).limit(cap)
    )
    return list(rows.scalars())


def score_signals(
    profile: CandidateProfile, signals: PairSignals, settings: MatchingSettings
) -> Scored:
    """The one score of a CV–job pair from its :func:`pair_signals`."""
    job, weights = job_profile(signals.job)
    return score(profile, job, signals.similarities, weights, settings)


@dataclass(frozen=True)
class PairSignals:
    """A job's facts for the score, and its similarities to the CV."""

    job: JobFacts
    similarities: Similarities


def _pair_statement() -> ClauseElement:
    """For each job of ``:ids``: the columns the score reads and the four cosines of
    :class:`~matching.features.Similarities` (no description, no vector shipped). One array
    parameter instead of an IN list: the SQL text is the same for every pool."""
    best_chunk = (
        select(func.max(1 - SearchChunk.embedding.cosine_distance(QUERY_VECTOR)))
        .where(
            SearchChunk.doc_type == DocType.JOB,
            SearchChunk.doc_id == Job.id,
            SearchChunk.embedding.is_not(None),
        )
        .scalar_subquery()
    )
    return (
        select(
            Job.id,
            *JOB_FACT_COLUMNS,
            (1 - Job.embedding.cosine_distance(QUERY_VECTOR)).label("document"),
            best_chunk.label("best_chunk"),
            (1 - TitleEmbedding.embedding.cosine_distance(QUERY_VECTOR)).label("role"),
            (1 - TitleEmbedding.embedding.cosine_distance(TITLE_VECTOR)).label("title_sim"),
        )
        .join(TitleEmbedding, TitleEmbedding.title == Job.title, isouter=True)
        .where(Job.id == any_(IDS))
    )


def _float(value: Any) -> float | None:
    return None if value is None else float(value)


async def pair_signals(
    session: AsyncSession,
    vector: Sequence[float] | None,
    title: Sequence[float] | None,
    job_ids: Sequence[uuid.UUID],
) -> dict[uuid.UUID, PairSignals]:
    """Each job's facts and its similarities to the CV's ``vector`` and ``title``, in one query.

    Compiled once and run on the session's psycopg connection: through SQLAlchemy, building,
    hashing and reading it took longer than Postgres took to answer it."""
    if not job_ids:
        return {}
    sql = compiled_once(session, ("pair signals",), _pair_statement)
    params = {
        **sql.constants,
        "query": vector_text(vector if vector is not None else [0.0] * EMBEDDING_DIM),
        "title_query": vector_text(title) if title is not None else None,
        "ids": list(job_ids),
    }
    driver = await driver_connection(session)
    async with driver.cursor(row_factory=namedtuple_row) as cur:
        await cur.execute(sql.text, params)
        rows: list[Any] = await cur.fetchall()
    have_vector = vector is not None
    return {
        row.id: PairSignals(
            job=cast(JobFacts, row),
            similarities=Similarities(
                document=_float(row.document) if have_vector else None,
                best_chunk=_float(row.best_chunk) if have_vector else None,
                role=_float(row.role) if have_vector else None,
                title=_float(row.title_sim),
            ),
        )
        for row in rows
    }
