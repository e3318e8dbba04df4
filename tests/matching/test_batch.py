"""Batch recommendations: faiss retrieval, the engine's own scores, storage, notifications once."""

from __future__ import annotations

import itertools
import uuid
from datetime import UTC, date, datetime, timedelta

import numpy as np
import pytest
from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from api.demo.loader import load_demo
from api.indexer import refresh_indexes
from indexing.embedder import HashingEmbedder
from indexing.lexical import TantivyJobIndex
from matching.batch import (
    NOTIFICATION_KIND,
    BatchSettings,
    build_index,
    recommendations_for,
    refresh_recommendations,
    top_k,
)
from matching.engine import MatchEngine
from models import Job, Notification, Resume
from models.enums import JobStatus
from models.recommendations import Recommendation, RecommendationNotice

NOW = datetime(2026, 11, 26, tzinfo=UTC)
MODEL = HashingEmbedder().model_id


def clustered(rng: np.random.Generator, n: int, dim: int = 64, centres: int = 20) -> np.ndarray:
    """Synthetic vectors around a few centres, L2-normalised (like embeddings of job families)."""
    c = rng.standard_normal((centres, dim)).astype(np.float32)
    x = c[rng.integers(0, centres, n)] + 0.35 * rng.standard_normal((n, dim)).astype(np.float32)
    x /= np.linalg.norm(x, axis=1, keepdims=True)
    return x


@pytest.mark.unit
def test_flat_index_is_exact() -> None:
    rng = np.random.default_rng(1)
    jobs, cvs = clustered(rng, 2_000), clustered(rng, 50)
    scores, rows = top_k(build_index(jobs, "flat", BatchSettings()), cvs, 10, block=16)
    exact = np.argsort(-(cvs @ jobs.T), axis=1)[:, :10]
    assert (rows == exact).all()
    assert np.allclose(scores, np.take_along_axis(cvs @ jobs.T, exact, axis=1), atol=1e-5)


@pytest.mark.unit
@pytest.mark.parametrize("kind", ["hnsw", "ivf"])
def test_approximate_indexes_keep_recall(kind: str) -> None:
    rng = np.random.default_rng(2)
    jobs, cvs = clustered(rng, 20_000), clustered(rng, 100)
    _, rows = top_k(build_index(jobs, kind, BatchSettings()), cvs, 10, block=64)  # type: ignore[arg-type]
    exact = np.argsort(-(cvs @ jobs.T), axis=1)[:, :10]
    recall = np.mean([len(set(a) & set(b)) / 10 for a, b in zip(rows, exact, strict=True)])
    assert recall >= 0.9, recall


@pytest.mark.unit
def test_fewer_jobs_than_asked_pads_with_minus_one() -> None:
    rng = np.random.default_rng(3)
    _, rows = top_k(
        build_index(clustered(rng, 3), "flat", BatchSettings()), clustered(rng, 2), 5, 8
    )
    assert rows.shape == (2, 3)
    assert (rows >= 0).all()


@pytest.fixture
async def demo(
    connection: AsyncConnection, session: AsyncSession, lexical_index: TantivyJobIndex
) -> None:
    await connection.run_sync(lambda c: load_demo(c, seed=11, today=date(2026, 11, 26)))
    await refresh_indexes(session, HashingEmbedder(), lexical_index, search=None)
    await session.commit()


def _settings(**kw: object) -> BatchSettings:
    return BatchSettings(**{"top_n": 10, "pool": 60, "block": 7, **kw})  # type: ignore[arg-type]


@pytest.mark.integration
@pytest.mark.usefixtures("demo")
async def test_stored_scores_are_the_engines_and_only_open_jobs_are_kept(
    session: AsyncSession, lexical_index: TantivyJobIndex
) -> None:
    report = await refresh_recommendations(
        session, MODEL, settings=_settings(notify_max_per_user=0), now=NOW
    )
    cvs = (await session.execute(select(func.count()).select_from(Resume))).scalar_one()
    assert report.candidates == cvs
    assert report.stored == cvs * 10
    assert report.pairs_scored == cvs * 60
    rows = (await session.execute(select(Recommendation))).scalars().all()
    assert len(rows) == cvs * 10
    statuses = set(
        (
            await session.execute(select(Job.status).where(Job.id.in_([r.job_id for r in rows])))
        ).scalars()
    )
    assert statuses == {JobStatus.OPEN}
    by_cv: dict[uuid.UUID, list[Recommendation]] = {}
    for r in rows:
        by_cv.setdefault(r.resume_id, []).append(r)
    for ranked in by_cv.values():
        ranked.sort(key=lambda r: r.rank)
        assert [r.rank for r in ranked] == list(range(1, 11))
        assert all(a.score >= b.score for a, b in itertools.pairwise(ranked))

    # The score a candidate is shown in batch is the one the engine gives the same pair.
    engine = MatchEngine(lexical_index, HashingEmbedder())
    sample = rows[:: max(1, len(rows) // 12)]
    for rec in sample:
        (match,) = await engine.rank_candidates(session, rec.job_id, [rec.resume_id])
        assert rec.score == match.score
        assert rec.explanation["matchedSkills"] == list(match.matched_skills)
        assert set(rec.explanation["features"]) == set(match.features)

    # faiss retrieved by cosine: the best-ranked pool member agrees with pgvector's cosine.
    rec = rows[0]
    cos = (
        await session.execute(
            select(1 - Resume.embedding.cosine_distance(Job.embedding))
            .join(Job, Job.id == rec.job_id)
            .where(Resume.id == rec.resume_id)
        )
    ).scalar_one()
    assert rec.retrieval_score == pytest.approx(cos, abs=1e-4)


@pytest.mark.integration
@pytest.mark.usefixtures("demo")
async def test_strong_new_matches_are_announced_exactly_once(session: AsyncSession) -> None:
    settings = _settings(notify_threshold=0.0, notify_max_per_user=2)
    first = await refresh_recommendations(session, MODEL, settings=settings)
    users = (await session.execute(select(func.count(func.distinct(Resume.user_id))))).scalar_one()
    assert first.notifications == 2 * users
    notes = (
        (await session.execute(select(Notification).where(Notification.kind == NOTIFICATION_KIND)))
        .scalars()
        .all()
    )
    assert len(notes) == 2 * users
    assert all(n.title.startswith("New match: ") and n.data and "jobId" in n.data for n in notes)

    # Run again the same day: the day's allowance is spent, nothing more is announced.
    again = await refresh_recommendations(session, MODEL, settings=settings)
    assert again.notifications == 0
    # The next day: the same pairs are not announced twice, new ones (the next best) are.
    tomorrow = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0) + timedelta(
        days=1
    )
    second = await refresh_recommendations(session, MODEL, settings=settings, now=tomorrow)
    assert second.notifications == 2 * users
    pairs = (await session.execute(select(RecommendationNotice))).scalars().all()
    assert len({(p.user_id, p.job_id) for p in pairs}) == 4 * users
    # Nothing above the threshold: nothing announced.
    strict = _settings(notify_threshold=1.0)
    later = tomorrow + timedelta(days=1)
    assert (
        await refresh_recommendations(session, MODEL, settings=strict, now=later)
    ).notifications == 0


@pytest.mark.integration
@pytest.mark.usefixtures("demo")
async def test_reading_a_users_recommendations(session: AsyncSession) -> None:
    await refresh_recommendations(
        session, MODEL, settings=_settings(notify_max_per_user=0), now=NOW
    )
    resume = (await session.execute(select(Resume).limit(1))).scalars().one()
    # A second CV of the same user: their list merges both, one entry per job, the best score.
    twin = Resume(
        user_id=resume.user_id,
        file_name="other.pdf",
        mime_type="application/pdf",
        size_bytes=1,
        sha256=uuid.uuid4().hex,
        extracted_text=resume.extracted_text,
        parsed=resume.parsed,
        embedding=list(resume.embedding) if resume.embedding is not None else None,
        embedding_model=resume.embedding_model,
    )
    session.add(twin)
    await session.flush()
    await refresh_recommendations(
        session, MODEL, settings=_settings(notify_max_per_user=0), now=NOW
    )

    page = await recommendations_for(session, resume.user_id, limit=4, offset=0, now=NOW)
    assert page.total == 10  # the same ten jobs from both CVs, counted once
    assert len(page.items) == 4
    assert [i.score for i in page.items] == sorted((i.score for i in page.items), reverse=True)
    rest = await recommendations_for(session, resume.user_id, limit=10, offset=4, now=NOW)
    assert len(rest.items) == 6
    assert not {i.job.id for i in page.items} & {i.job.id for i in rest.items}

    # A job closed since the batch ran is hidden at once; a deleted CV takes its rows along.
    closed = page.items[0].job.id
    await session.execute(update(Job).where(Job.id == closed).values(status=JobStatus.CLOSED))
    after = await recommendations_for(session, resume.user_id, limit=20, offset=0, now=NOW)
    assert closed not in {i.job.id for i in after.items}
    assert after.total == 9
    await session.execute(delete(Resume).where(Resume.user_id == resume.user_id))
    assert (await recommendations_for(session, resume.user_id, 20, 0, now=NOW)).total == 0
    with pytest.raises(ValueError, match="limit"):
        await recommendations_for(session, resume.user_id, 0, 0)


@pytest.mark.integration
async def test_cvs_or_jobs_that_lose_their_vectors_lose_their_recommendations(
    session: AsyncSession, connection: AsyncConnection, lexical_index: TantivyJobIndex
) -> None:
    await connection.run_sync(lambda c: load_demo(c, seed=5, today=date(2026, 11, 26)))
    await refresh_indexes(session, HashingEmbedder(), lexical_index, search=None)
    await refresh_recommendations(session, MODEL, settings=_settings())
    resume = (await session.execute(select(Resume).limit(1))).scalars().one()
    await session.execute(
        update(Resume).where(Resume.id == resume.id).values(embedding=None, embedding_model=None)
    )
    expired = (await session.execute(select(Recommendation.job_id).limit(1))).scalar_one()
    await session.execute(
        update(Job).where(Job.id == expired).values(expires_at=NOW - timedelta(days=1))
    )
    await refresh_recommendations(session, MODEL, settings=_settings())
    left = select(func.count()).where(Recommendation.resume_id == resume.id)
    assert (await session.execute(left)).scalar_one() == 0
    gone = select(func.count()).where(Recommendation.job_id == expired)
    assert (await session.execute(gone)).scalar_one() == 0
    # No open job at all: nothing is recommended.
    await session.execute(update(Job).values(status=JobStatus.CLOSED))
    report = await refresh_recommendations(session, MODEL, settings=_settings())
    assert report.stored == 0
    assert (
        await session.execute(select(func.count()).select_from(Recommendation))
    ).scalar_one() == 0
