"""Batch recommendations: every CV against every open job, overnight, with faiss.

1. **Retrieve**: the vectors of open jobs go into a faiss inner-product index (vectors are
   L2-normalised, so inner product is cosine); every CV vector asks it for its ``pool`` nearest
   jobs, CVs in blocks. Exact ``IndexFlatIP`` by default: at 10k CVs x 100k jobs it is a
   matrix product BLAS runs in seconds on 2 cores and it never misses a job; HNSW / IVF are there
   for larger catalogues (``TABASHIR_BATCH_INDEX``; recall measured by
   ``benchmarks/batch_recommendations.py``).
2. **Re-rank**: each pooled job is scored by the matching engine's one score
   (:func:`matching.engine.pair_signals` then :func:`matching.engine.score_signals`, the same
   SQL and the same function as every other screen), so a stored recommendation has the score
   and explanation the candidate sees anywhere else.
3. **Store**: each CV's ``top_n`` replaces its earlier list (``models.recommendations``), a block
   of CVs per transaction; a rerun after a crash recomputes the same lists.
4. **Announce**: a pair scoring at least ``notify_threshold`` that was never announced to that
   user gets a notification (at most ``notify_max_per_user`` per user and run day), in the same transaction as
   the list, so it is announced exactly once.

``recommendations_for`` is what the apps read.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any, Literal

import faiss
import numpy as np
from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict
from sqlalchemy import and_, delete, func, insert, or_, select
from sqlalchemy.dialects.postgresql import distinct_on
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from matching.engine import Match, _as_match, pair_signals, resume_query, score_signals
from matching.settings import MatchingSettings, get_matching_settings
from models import Candidate, Job, Notification, Resume
from models.enums import JobStatus
from models.recommendations import Recommendation, RecommendationNotice
from models.search import DocType, SearchChunk

IndexKind = Literal["flat", "hnsw", "ivf"]
Progress = Callable[[str], None]
Checkpoint = Callable[[], Awaitable[None]]

NOTIFICATION_KIND = "job_recommendation"


class BatchSettings(BaseSettings):
    """Batch recommendations (``TABASHIR_BATCH_*``)."""

    model_config = SettingsConfigDict(env_prefix="TABASHIR_BATCH_", env_file=".env", extra="ignore")

    #: Jobs kept per CV.
    top_n: int = Field(default=20, ge=1, le=200)
    #: Jobs retrieved per CV by faiss before re-ranking (the features reorder within it).
    pool: int = Field(default=100, ge=1, le=2_000)
    #: faiss index: exact "flat" (default), "hnsw" or "ivf" for very large catalogues.
    index: IndexKind = "flat"
    hnsw_m: int = Field(default=32, ge=4, le=128)
    #: Graph quality at build time: faiss's default (40) loses recall on clustered vectors.
    hnsw_ef_construction: int = Field(default=200, ge=16, le=2_048)
    hnsw_ef_search: int = Field(default=256, ge=16, le=4_096)
    #: IVF lists (0: 4 x sqrt(jobs)) and lists probed per query.
    ivf_nlist: int = Field(default=0, ge=0)
    ivf_nprobe: int = Field(default=32, ge=1)
    #: CVs per faiss query block and per database transaction.
    block: int = Field(default=512, ge=1, le=100_000)
    #: faiss threads (0: faiss's default, every core).
    threads: int = Field(default=0, ge=0)
    #: Score the best chunk of each job too, as the engine does (needs chunk vectors in memory).
    use_chunks: bool = True
    #: A new pair scoring at least this is announced to the candidate.
    #: A "strong match" on the score's scale (z of about 6.5: semantic, role and title all far
    #: above average); set by judgement, not fitted.
    notify_threshold: float = Field(default=0.95, ge=0, le=1)
    #: Most announcements per user per run (the best first).
    notify_max_per_user: int = Field(default=3, ge=0, le=100)


@lru_cache
def get_batch_settings() -> BatchSettings:
    return BatchSettings()


# -- faiss ----------------------------------------------------------------------------------------


def build_index(vectors: np.ndarray, kind: IndexKind, settings: BatchSettings) -> Any:
    """A faiss inner-product index over ``vectors`` (float32, rows L2-normalised)."""
    if settings.threads:
        faiss.omp_set_num_threads(settings.threads)
    n, dim = vectors.shape
    index: Any
    if kind == "hnsw":
        index = faiss.IndexHNSWFlat(dim, settings.hnsw_m, faiss.METRIC_INNER_PRODUCT)
        index.hnsw.efConstruction = settings.hnsw_ef_construction
        index.hnsw.efSearch = settings.hnsw_ef_search
    elif kind == "ivf" and n >= 10_000:
        nlist = settings.ivf_nlist or max(1, int(4 * np.sqrt(n)))
        quantizer = faiss.IndexFlatIP(dim)
        index = faiss.IndexIVFFlat(quantizer, dim, nlist, faiss.METRIC_INNER_PRODUCT)
        index.train(vectors)
        index.nprobe = min(settings.ivf_nprobe, nlist)
    else:
        # Exact; also IVF on a catalogue too small to train lists on.
        index = faiss.IndexFlatIP(dim)
    if n:
        index.add(vectors)
    return index


def top_k(index: Any, queries: np.ndarray, k: int, block: int) -> tuple[np.ndarray, np.ndarray]:
    """(inner products, row numbers) of the ``k`` nearest rows for every query, in blocks;
    row numbers are -1 where the index holds fewer than ``k``."""
    k = max(1, min(k, int(index.ntotal) or 1))
    scores = np.empty((len(queries), k), dtype=np.float32)
    rows = np.empty((len(queries), k), dtype=np.int64)
    for start in range(0, len(queries), block):
        s, r = index.search(np.ascontiguousarray(queries[start : start + block]), k)
        scores[start : start + block] = s
        rows[start : start + block] = r
    return scores, rows


def _normalised(rows: Sequence[Any]) -> np.ndarray:
    matrix = np.asarray(rows, dtype=np.float32)
    if matrix.size == 0:
        return matrix.reshape(0, 0)
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    out: np.ndarray = matrix / norms
    return out


# -- loading --------------------------------------------------------------------------------------


@dataclass
class _Catalogue:
    """Open jobs with vectors of one model, in memory for the run."""

    ids: list[uuid.UUID]
    jobs: dict[uuid.UUID, Job]
    vectors: np.ndarray
    #: Chunk vectors of all jobs stacked; ``chunk_spans[row] = (start, end)`` into it.
    chunk_vectors: np.ndarray
    chunk_spans: list[tuple[int, int]]


def open_jobs_condition(now: datetime) -> Any:
    """Open and not past expiry (what a candidate can apply to)."""
    return and_(Job.status == JobStatus.OPEN, or_(Job.expires_at.is_(None), Job.expires_at > now))


async def _catalogue(
    session: AsyncSession, model_id: str, now: datetime, use_chunks: bool
) -> _Catalogue:
    rows = (
        (
            await session.execute(
                select(Job)
                .where(
                    open_jobs_condition(now),
                    Job.embedding.is_not(None),
                    Job.embedding_model == model_id,
                )
                .order_by(Job.id)
            )
        )
        .scalars()
        .all()
    )
    ids = [j.id for j in rows]
    vectors = _normalised([j.embedding for j in rows]) if rows else np.zeros((0, 0), np.float32)
    spans: list[tuple[int, int]] = [(0, 0)] * len(ids)
    chunk_list: list[Any] = []
    if use_chunks and ids:
        position = {job_id: row for row, job_id in enumerate(ids)}
        per_job: dict[int, list[Any]] = {}
        chunk_rows = await session.execute(
            select(SearchChunk.doc_id, SearchChunk.embedding)
            .where(
                SearchChunk.doc_type == DocType.JOB,
                SearchChunk.embedding.is_not(None),
                SearchChunk.doc_id.in_(select(Job.id).where(open_jobs_condition(now))),
            )
            .order_by(SearchChunk.doc_id, SearchChunk.ordinal)
        )
        for doc_id, vector in chunk_rows.all():
            row = position.get(doc_id)
            if row is not None:
                per_job.setdefault(row, []).append(vector)
        for row in range(len(ids)):
            start = len(chunk_list)
            chunk_list.extend(per_job.get(row, ()))
            spans[row] = (start, len(chunk_list))
    chunks = _normalised(chunk_list) if chunk_list else np.zeros((0, 0), np.float32)
    return _Catalogue(ids, {j.id: j for j in rows}, vectors, chunks, spans)


@dataclass(frozen=True)
class _Cv:
    resume: Resume
    candidate: Candidate | None


async def _cvs(session: AsyncSession, model_id: str) -> list[_Cv]:
    rows = await session.execute(
        select(Resume, Candidate)
        .join(Candidate, Candidate.user_id == Resume.user_id, isouter=True)
        .where(Resume.embedding.is_not(None), Resume.embedding_model == model_id)
        .order_by(Resume.id)
    )
    return [_Cv(resume, candidate) for resume, candidate in rows.all()]


# -- the run --------------------------------------------------------------------------------------


@dataclass
class BatchReport:
    candidates: int = 0
    jobs: int = 0
    pairs_scored: int = 0
    stored: int = 0
    notifications: int = 0
    index: str = "flat"
    retrieve_s: float = 0.0
    rerank_s: float = 0.0
    notes: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, object]:
        return {
            "candidates": self.candidates,
            "jobs": self.jobs,
            "pairs_scored": self.pairs_scored,
            "stored": self.stored,
            "notifications": self.notifications,
            "index": self.index,
            "retrieve_s": round(self.retrieve_s, 3),
            "rerank_s": round(self.rerank_s, 3),
        }


async def rerank(
    session: AsyncSession,
    cv: _Cv,
    rows: Sequence[int],
    retrieval: Sequence[float],
    catalogue: _Catalogue,
    settings: MatchingSettings,
) -> list[tuple[Match, float]]:
    """The pooled jobs of one CV scored as the engine scores them (the same SQL for the pair's
    similarities, the same score), best first; ties by job id."""
    pooled = [
        (catalogue.ids[row], float(inner))
        for row, inner in zip(rows, retrieval, strict=True)
        if row >= 0
    ]
    if not pooled:
        return []
    query = await resume_query(session, cv.resume)
    vector = list(query.vector) if query.vector is not None else None
    signals = await pair_signals(session, vector, query.title_vector, [i for i, _ in pooled])
    out: list[tuple[Match, float]] = []
    for position, (job_id, inner) in enumerate(pooled, start=1):
        found = signals.get(job_id)
        if found is None:
            continue
        scored = score_signals(query.profile, found, settings)
        out.append((_as_match(job_id, scored, {"faiss": position}), inner))
    out.sort(key=lambda pair: (-pair[0].score, pair[0].id))
    return out


async def refresh_recommendations(
    session: AsyncSession,
    model_id: str,
    *,
    settings: BatchSettings | None = None,
    matching: MatchingSettings | None = None,
    now: datetime | None = None,
    progress: Progress = lambda _: None,
    checkpoint: Checkpoint | None = None,
) -> BatchReport:
    """Recompute every CV's recommended jobs (vectors of ``model_id``) and store them.

    The caller commits; ``checkpoint`` (e.g. ``session.commit``) is awaited after each block of
    CVs so that a long run keeps what it finished. ``now`` (default: the start of today, UTC, so
    that a day's runs agree) is the reference time of the recency feature.
    """
    settings = settings or get_batch_settings()
    matching = matching or get_matching_settings()
    now = now or datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    report = BatchReport(index=settings.index)
    catalogue = await _catalogue(session, model_id, now, settings.use_chunks)
    cvs = await _cvs(session, model_id)
    report.jobs, report.candidates = len(catalogue.ids), len(cvs)
    # CVs without a current vector, and jobs no longer open, keep no recommendation.
    await session.execute(
        delete(Recommendation).where(
            or_(
                ~Recommendation.resume_id.in_(
                    select(Resume.id).where(
                        Resume.embedding.is_not(None), Resume.embedding_model == model_id
                    )
                ),
                ~Recommendation.job_id.in_(select(Job.id).where(open_jobs_condition(now))),
            )
        )
    )
    if not cvs or not catalogue.ids:
        await session.execute(delete(Recommendation))
        progress(f"recommendations: {len(cvs)} CVs, {len(catalogue.ids)} open jobs; nothing to do")
        return report

    started = time.perf_counter()
    index = build_index(catalogue.vectors, settings.index, settings)
    queries = _normalised([cv.resume.embedding for cv in cvs])
    report.retrieve_s += time.perf_counter() - started
    for start in range(0, len(cvs), settings.block):
        block = cvs[start : start + settings.block]
        t0 = time.perf_counter()
        inner, rows = top_k(
            index, queries[start : start + len(block)], settings.pool, settings.block
        )
        t1 = time.perf_counter()
        lists = [
            (await rerank(session, cv, rows[i], inner[i], catalogue, matching))[: settings.top_n]
            for i, cv in enumerate(block)
        ]
        report.retrieve_s += t1 - t0
        report.rerank_s += time.perf_counter() - t1
        report.pairs_scored += int((rows >= 0).sum())
        report.stored += await _store(session, block, lists, model_id, now)
        report.notifications += await _announce(session, block, lists, catalogue, settings, now)
        progress(f"recommendations for {start + len(block)} of {len(cvs)} CVs")
        if checkpoint is not None:
            await checkpoint()
    return report


async def _store(
    session: AsyncSession,
    block: Sequence[_Cv],
    lists: Sequence[list[tuple[Match, float]]],
    model_id: str,
    now: datetime,
) -> int:
    ids = [cv.resume.id for cv in block]
    await session.execute(delete(Recommendation).where(Recommendation.resume_id.in_(ids)))
    rows = [
        {
            "user_id": cv.resume.user_id,
            "resume_id": cv.resume.id,
            "job_id": match.id,
            "rank": rank,
            "score": match.score,
            "retrieval_score": round(inner, 6),
            "explanation": match.explanation(),
            "embedding_model": model_id,
        }
        for cv, ranked in zip(block, lists, strict=True)
        for rank, (match, inner) in enumerate(ranked, start=1)
    ]
    if rows:
        await session.execute(insert(Recommendation), rows)
    return len(rows)


async def _announce(
    session: AsyncSession,
    block: Sequence[_Cv],
    lists: Sequence[list[tuple[Match, float]]],
    catalogue: _Catalogue,
    settings: BatchSettings,
    since: datetime,
) -> int:
    """Notify users of strong matches never announced before (exactly once per user and job),
    at most ``notify_max_per_user`` per user for the run's reference time ``since``."""
    if settings.notify_max_per_user == 0:
        return 0
    best: dict[uuid.UUID, dict[uuid.UUID, Match]] = {}
    for cv, ranked in zip(block, lists, strict=True):
        mine = best.setdefault(cv.resume.user_id, {})
        for match, _ in ranked:
            if match.score >= settings.notify_threshold and (
                match.id not in mine or mine[match.id].score < match.score
            ):
                mine[match.id] = match
    pairs = [(user, job) for user, jobs in best.items() for job in jobs]
    if not pairs:
        return 0
    seen = {
        (row.user_id, row.job_id)
        for row in await session.execute(
            select(RecommendationNotice.user_id, RecommendationNotice.job_id).where(
                RecommendationNotice.user_id.in_(list(best))
            )
        )
    }
    # At most notify_max_per_user a user per run day: what a run of the same reference time
    # announced counts (so a run that resumes one that died converges to the uninterrupted one).
    announced = {
        user_id: int(count)
        for user_id, count in (
            await session.execute(
                select(RecommendationNotice.user_id, func.count())
                .where(
                    RecommendationNotice.user_id.in_(list(best)),
                    RecommendationNotice.created_at >= since,
                )
                .group_by(RecommendationNotice.user_id)
            )
        ).all()
    }
    sent = 0
    for user_id, jobs in best.items():
        allowance = max(0, settings.notify_max_per_user - announced.get(user_id, 0))
        fresh = sorted(
            (m for job_id, m in jobs.items() if (user_id, job_id) not in seen),
            key=lambda m: (-m.score, str(m.id)),
        )[:allowance]
        for match in fresh:
            claimed = await session.execute(
                pg_insert(RecommendationNotice)
                .values(user_id=user_id, job_id=match.id, score=match.score, created_at=since)
                .on_conflict_do_nothing()
                .returning(RecommendationNotice.job_id)
            )
            if claimed.scalar_one_or_none() is None:
                continue  # announced meanwhile by another run
            job = catalogue.jobs[match.id]
            session.add(
                Notification(
                    user_id=user_id,
                    kind=NOTIFICATION_KIND,
                    title=f"New match: {job.title} at {job.company}"[:300],
                    body="; ".join(match.reasons),
                    data={"jobId": str(job.id), "score": match.score},
                )
            )
            sent += 1
    await session.flush()
    return sent


# -- reading --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class StoredRecommendation:
    """A recommended open job for a user, with the score and explanation computed in batch."""

    job: Job
    score: float
    explanation: dict[str, Any]
    resume_id: uuid.UUID
    computed_at: datetime


@dataclass(frozen=True)
class RecommendationPage:
    items: list[StoredRecommendation]
    total: int


async def recommendations_for(
    session: AsyncSession,
    user_id: uuid.UUID,
    limit: int = 20,
    offset: int = 0,
    *,
    now: datetime | None = None,
) -> RecommendationPage:
    """A user's batch recommendations, best first: one entry per job (the best of their CVs),
    jobs still open only. ``total`` counts them all."""
    if limit < 1 or offset < 0:
        raise ValueError("limit must be >= 1 and offset >= 0")
    now = now or datetime.now(UTC)
    best = (
        select(Recommendation)
        .join(Job, Job.id == Recommendation.job_id)
        .where(Recommendation.user_id == user_id, open_jobs_condition(now))
        .ext(distinct_on(Recommendation.job_id))
        .order_by(Recommendation.job_id, Recommendation.score.desc(), Recommendation.resume_id)
        .subquery()
    )
    total = (await session.execute(select(func.count()).select_from(best))).scalar_one()
    rows = await session.execute(
        select(best, Job)
        .join(Job, Job.id == best.c.job_id)
        .order_by(best.c.score.desc(), best.c.job_id)
        .limit(limit)
        .offset(offset)
    )
    items = [
        StoredRecommendation(
            job=row.Job,
            score=float(row.score),
            explanation=dict(row.explanation),
            resume_id=row.resume_id,
            computed_at=row.computed_at,
        )
        for row in rows.all()
    ]
    return RecommendationPage(items=items, total=int(total))


__all__ = [
    "NOTIFICATION_KIND",
    "BatchReport",
    "BatchSettings",
    "RecommendationPage",
    "StoredRecommendation",
    "build_index",
    "get_batch_settings",
    "recommendations_for",
    "refresh_recommendations",
    "top_k",
]
