from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

import numpy as np
import psycopg
import pytest
from sqlalchemy import event, func, insert, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from indexing.embedder import HashingEmbedder
from indexing.filters import JobFilters, job_filter_clause
from indexing.protocol import (
    DocumentChunk,
    InvalidQuery,
    SearchDocument,
    UnknownDocument,
    VectorIndex,
)
from indexing.settings import ChunkingSettings, VectorSearchSettings
from indexing.vector import CompiledSql, PgVectorIndex, clear_plan_cache, embed_job_documents
from models import Job, Resume, User
from models.enums import JobStatus, UserType
from models.search import DocType, SearchChunk
from models.settings import EMBEDDING_DIM
from tests.indexing.conformance import (
    FILTER_CASES,
    Backend,
    IndexConformance,
    corpus,
    embed,
    reference_matches,
)

pytestmark = pytest.mark.integration


async def insert_jobs(session: AsyncSession, docs: Sequence[SearchDocument]) -> None:
    """The system of record: one job row per document, with the document's filter fields."""
    for d in docs:
        session.add(
            Job(
                id=d.id,
                title=d.title,
                company=d.company or "Test Co",
                description=d.body,
                skills=list(d.skills),
                city=d.city,
                country=d.country,
                job_type=d.job_type,
                work_mode=d.work_mode,
                salary_min=d.salary_min,
                salary_max=d.salary_max,
                experience_min=d.experience_min,
                language=d.language,
                status=d.status,
                posted_at=d.posted_at,
                source="test",
                source_id=str(d.id),
            )
        )
    await session.flush()


class TestPgVectorConformance(IndexConformance):
    vector = True

    @pytest.fixture
    def backend(self, session: AsyncSession) -> Backend:
        async def prepare(docs: Sequence[SearchDocument]) -> None:
            await insert_jobs(session, docs)

        return Backend(index=PgVectorIndex(session), prepare=prepare)


async def test_the_reference_semantics_are_job_filter_sql(session: AsyncSession) -> None:
    docs = corpus()
    await insert_jobs(session, docs)
    ids = {d.id for d in docs}
    for name, f in FILTER_CASES:
        rows = await session.execute(select(Job.id).where(job_filter_clause(f), Job.id.in_(ids)))
        assert set(rows.scalars()) == {d.id for d in docs if reference_matches(d, f)}, name


def test_pgvector_index_is_a_vector_index(session: AsyncSession) -> None:
    assert isinstance(PgVectorIndex(session), VectorIndex)


# -- recall: the property this module exists for -------------------------------------------------

N_JOBS = 3000
#: city -> share of jobs: 10 %, 1 %, 0.1 %; the rest spread over other cities.
SELECTIVITY_CITIES = {"Abu Dhabi": 0.10, "Sharjah": 0.01, "Fujairah": 0.001}
SELECTIVITIES = [
    ("100%", JobFilters(status=())),
    ("10%", JobFilters(city=("Abu Dhabi",), status=())),
    ("1%", JobFilters(city=("Sharjah",), status=())),
    ("0.1%", JobFilters(city=("Fujairah",), status=())),
]


async def load_clustered(session: AsyncSession, rng: np.random.Generator) -> dict[str, Any]:
    """N_JOBS jobs with vectors clustered by occupation (so neighbours mean something) and a city
    distribution giving the selectivities above."""
    centroids = rng.standard_normal((40, EMBEDDING_DIM))
    occupation = rng.integers(0, 40, N_JOBS)
    vectors = centroids[occupation] + 0.6 * rng.standard_normal((N_JOBS, EMBEDDING_DIM))
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    vectors = vectors.astype(np.float32)
    cities = np.array(["Dubai"] * N_JOBS, dtype=object)
    order = rng.permutation(N_JOBS)
    at = 0
    for city, share in SELECTIVITY_CITIES.items():
        n = max(1, round(share * N_JOBS))
        cities[order[at : at + n]] = city
        at += n
    ids = [uuid.UUID(int=int(rng.integers(1, 2**62)) << 64 | i) for i in range(N_JOBS)]
    rows = [
        {
            "id": ids[i],
            "title": f"Job {i}",
            "company": "Bench Co",
            "city": str(cities[i]),
            "country": "AE",
            "source": "recall-test",
            "source_id": str(i),
            "embedding": vectors[i].tolist(),
            "status": JobStatus.OPEN,
        }
        for i in range(N_JOBS)
    ]
    # Loading first and building the graph after is how bulk loads are done, and ~5x faster
    # than growing it row by row; DDL is transactional, so the test's rollback restores it.
    await session.execute(text("DROP INDEX ix_jobs_embedding_hnsw"))
    await session.execute(insert(Job), rows)
    await session.execute(
        text(
            "CREATE INDEX ix_jobs_embedding_hnsw ON jobs USING hnsw (embedding vector_cosine_ops)"
            " WITH (m = 16, ef_construction = 64)"
        )
    )
    # Fresh statistics, as the nightly autovacuum would leave them: the planner's estimate is
    # what picks the plan.
    await session.execute(text("ANALYZE jobs"))
    return {
        "ids": np.array(ids, dtype=object),
        "vectors": vectors,
        "cities": cities,
        "centroids": centroids,
    }


def exact_top(data: dict[str, Any], query: np.ndarray, f: JobFilters, k: int) -> list[uuid.UUID]:
    """Ground truth computed outside the database."""
    mask = np.ones(N_JOBS, dtype=bool) if not f.city else np.isin(data["cities"], f.city)
    sims = data["vectors"][mask] @ query
    ids = data["ids"][mask]
    return [ids[i] for i in np.argsort(-sims, kind="stable")[:k]]


def queries(data: dict[str, Any], rng: np.random.Generator, n: int) -> list[np.ndarray]:
    picks = rng.integers(0, len(data["centroids"]), n)
    q = data["centroids"][picks] + 0.6 * rng.standard_normal((n, EMBEDDING_DIM))
    q /= np.linalg.norm(q, axis=1, keepdims=True)
    return [row.astype(np.float32) for row in q]


async def test_filtered_search_never_loses_results(session: AsyncSession) -> None:
    rng = np.random.default_rng(7)
    data = await load_clustered(session, rng)
    index = PgVectorIndex(session)  # default settings: every filter here is "selective"
    k = 20
    for name, f in SELECTIVITIES:
        for q in queries(data, rng, 8):
            result = await index.search(q.tolist(), f, k)
            truth = exact_top(data, q, f, k)
            assert [h.id for h in result.hits] == truth, name
            assert result.answered_by == "exact"


async def test_unselective_filters_go_to_hnsw_and_keep_recall(session: AsyncSession) -> None:
    rng = np.random.default_rng(11)
    data = await load_clustered(session, rng)
    # A low threshold sends the 100 % and 10 % cases to HNSW, as 100k-row tables would.
    index = PgVectorIndex(session, VectorSearchSettings(exact_max_rows=100))
    k = 20
    for name, f in SELECTIVITIES:
        recalls = []
        for q in queries(data, rng, 10):
            result = await index.search(q.tolist(), f, k)
            truth = set(exact_top(data, q, f, k))
            recalls.append(len(truth & {h.id for h in result.hits}) / len(truth))
            expected_plan = "hnsw" if name in ("100%", "10%") else "exact"
            assert result.plan.method == expected_plan, name
        assert np.mean(recalls) >= 0.97, (name, recalls)
        if name in ("1%", "0.1%"):
            assert min(recalls) == 1.0


async def test_plan_uses_the_estimate_and_confirms_near_the_threshold(
    session: AsyncSession,
) -> None:
    rng = np.random.default_rng(3)
    await load_clustered(session, rng)
    index = PgVectorIndex(session, VectorSearchSettings(exact_max_rows=200))
    far_below = await index.plan(JobFilters(city=("Sharjah",), status=()))
    assert far_below.method == "exact"
    assert not far_below.counted
    near = await index.plan(JobFilters(city=("Abu Dhabi",), status=()))  # 300 rows: counted
    assert near.method == "hnsw"
    assert near.counted
    assert near.estimated_rows == 201
    far_above = await index.plan(JobFilters(status=()))
    assert far_above.method == "hnsw"
    assert not far_above.counted
    assert far_above.estimated_rows >= N_JOBS


async def test_plans_are_cached_per_filter_for_the_window(session: AsyncSession) -> None:
    rng = np.random.default_rng(4)
    await load_clustered(session, rng)
    clear_plan_cache()
    index = PgVectorIndex(session, VectorSearchSettings(exact_max_rows=200, plan_cache_s=60))
    explains: list[str] = []

    def seen(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if statement.startswith("EXPLAIN"):
            explains.append(statement)

    sync_engine = session.bind.engine.sync_engine  # type: ignore[union-attr]
    event.listen(sync_engine, "before_cursor_execute", seen)
    try:
        near = await index.plan(JobFilters(city=("Abu Dhabi",), status=()))
        assert near.counted
        assert len(explains) == 1
        # Same filters and thresholds: no EXPLAIN, no count, the same plan.
        assert await index.plan(JobFilters(city=("Abu Dhabi",), status=())) == near
        assert len(explains) == 1
        # Other filters, or other thresholds, are planned afresh.
        other = await index.plan(JobFilters(city=("Sharjah",), status=()))
        assert other.method == "exact"
        assert len(explains) == 2
        strict = PgVectorIndex(session, VectorSearchSettings(exact_max_rows=1000, plan_cache_s=60))
        assert (await strict.plan(JobFilters(city=("Abu Dhabi",), status=()))).method == "exact"
        assert len(explains) == 3
        # Off (the tests' default): every call plans.
        fresh = PgVectorIndex(session, VectorSearchSettings(exact_max_rows=200, plan_cache_s=0))
        await fresh.plan(JobFilters(city=("Abu Dhabi",), status=()))
        assert len(explains) == 4
    finally:
        event.remove(sync_engine, "before_cursor_execute", seen)
        clear_plan_cache()


def test_hnsw_search_widens_with_the_index(session: AsyncSession) -> None:
    index = PgVectorIndex(session, VectorSearchSettings(hnsw_ef_search_min=128))
    assert index.ef_search(pool=20, rows=5_000) == 128  # small tables: the floor
    assert index.ef_search(pool=300, rows=100_000) == 300  # a deep pool: the pool
    assert index.ef_search(pool=80, rows=1_000_000) == 405  # 128 * sqrt(10)
    assert index.ef_search(pool=80, rows=100_000_000) == 1000  # pgvector's ceiling


async def hnsw_scans(session: AsyncSession) -> int:
    """Scans of the jobs HNSW index in this transaction (counted even in rolled-back savepoints)."""
    stmt = text("SELECT pg_stat_get_xact_numscans('ix_jobs_embedding_hnsw'::regclass)")
    return int((await session.execute(stmt)).scalar_one())


async def test_each_plan_reads_what_it_says(session: AsyncSession) -> None:
    rng = np.random.default_rng(13)
    data = await load_clustered(session, rng)
    q = queries(data, rng, 1)[0].tolist()
    index = PgVectorIndex(session, VectorSearchSettings(exact_max_rows=100))
    before = await hnsw_scans(session)
    result = await index.search(q, JobFilters(status=()), 20)
    assert result.answered_by == "hnsw"
    assert await hnsw_scans(session) == before + 1
    # The exact plan never touches the graph, even with no filter at all.
    result = await index.search(q, JobFilters(status=()), 20, method="exact")
    assert result.answered_by == "exact"
    result = await index.search(q, JobFilters(city=("Sharjah",), status=()), 20)
    assert result.answered_by == "exact"
    assert await hnsw_scans(session) == before + 1


async def test_query_settings_do_not_leak_into_the_transaction(session: AsyncSession) -> None:
    rng = np.random.default_rng(5)
    data = await load_clustered(session, rng)
    index = PgVectorIndex(session, VectorSearchSettings(exact_max_rows=0))
    before = (await session.execute(text("SHOW hnsw.ef_search"))).scalar_one()
    jit = (await session.execute(text("SHOW jit"))).scalar_one()
    result = await index.search(queries(data, rng, 1)[0].tolist(), JobFilters(status=()), 20)
    assert result.answered_by == "hnsw"
    assert (await session.execute(text("SHOW hnsw.ef_search"))).scalar_one() == before
    assert (await session.execute(text("SHOW jit"))).scalar_one() == jit
    assert (await session.execute(text("SHOW enable_seqscan"))).scalar_one() == "on"
    assert (await session.execute(text("SHOW hnsw.iterative_scan"))).scalar_one() == "off"


async def test_a_failed_search_leaves_the_transaction_usable_and_unchanged(
    session: AsyncSession,
) -> None:
    rng = np.random.default_rng(6)
    data = await load_clustered(session, rng)
    index = PgVectorIndex(session, VectorSearchSettings(exact_max_rows=0))
    jobs = select(func.count()).select_from(Job)
    before = (await session.execute(jobs)).scalar_one()
    # A search statement that fails on the server, inside the pipelined savepoint.
    failing = CompiledSql("SELECT 1 / (count(*) - count(*)) FROM jobs", {})
    with pytest.raises(psycopg.errors.DivisionByZero):
        await index._run(failing, {}, {"enable_seqscan": "off", "hnsw.ef_search": 999})
    # The caller's transaction goes on, its rows and settings as they were.
    assert (await session.execute(text("SHOW enable_seqscan"))).scalar_one() == "on"
    assert (await session.execute(text("SHOW hnsw.ef_search"))).scalar_one() == "40"
    assert (await session.execute(jobs)).scalar_one() == before
    q = queries(data, rng, 1)[0].tolist()
    result = await index.search(q, JobFilters(status=()), 20)
    assert len(result.hits) == 20


async def test_hnsw_that_comes_back_short_falls_back_to_exact(session: AsyncSession) -> None:
    rng = np.random.default_rng(9)
    data = await load_clustered(session, rng)
    # Forced onto HNSW with a filter keeping 3 rows: a graph walk may not find them all, the
    # fallback must.
    index = PgVectorIndex(session, VectorSearchSettings(exact_max_rows=0))
    f = JobFilters(city=("Fujairah",), status=())
    q = queries(data, rng, 1)[0]
    result = await index.search(q.tolist(), f, 20, method="hnsw")
    assert [h.id for h in result.hits] == exact_top(data, q, f, 20)


# -- writes, chunks, errors ---------------------------------------------------------------------


async def test_upsert_of_an_unknown_job_writes_nothing(session: AsyncSession, job_factory) -> None:  # type: ignore[no-untyped-def]
    job = await job_factory(embedded=False)
    index = PgVectorIndex(session)
    known = SearchDocument(id=job.id, title="x", vector=embed("x"))
    unknown = SearchDocument(id=uuid.uuid4(), title="y", vector=embed("y"))
    with pytest.raises(UnknownDocument):
        await index.upsert([known, unknown])
    assert await index.count() == 0


@pytest.mark.parametrize(
    "vector",
    [[0.0] * EMBEDDING_DIM, [1.0] * 10, [float("nan")] + [0.1] * (EMBEDDING_DIM - 1), ["a"] * 384],
    ids=["zeros", "short", "nan", "text"],
)
async def test_bad_query_vectors_are_refused(session: AsyncSession, vector: list[Any]) -> None:
    with pytest.raises(InvalidQuery):
        await PgVectorIndex(session).search_vector(vector, JobFilters(), 10)


async def test_k_above_the_maximum_is_refused(session: AsyncSession) -> None:
    index = PgVectorIndex(session, VectorSearchSettings(max_k=50))
    with pytest.raises(InvalidQuery):
        await index.search_vector(embed("x"), JobFilters(), 51)


async def test_chunk_search_finds_a_job_by_a_passage_deep_in_its_text(
    session: AsyncSession, job_factory
) -> None:  # type: ignore[no-untyped-def]
    target = await job_factory(embedded=False, city="Dubai")
    other = await job_factory(embedded=False, city="Dubai")
    far = await job_factory(embedded=False, city="Riyadh", country="SA")
    index = PgVectorIndex(session)
    passage = "falconry desert camp hunting season birds"

    def doc(job: Job, texts: list[str]) -> SearchDocument:
        chunks = tuple(DocumentChunk(i, t, embed(t)) for i, t in enumerate(texts))
        return SearchDocument(
            id=job.id,
            title=job.title,
            vector=embed(texts[0]),
            embedding_model="hashing-384",
            chunks=chunks,
        )

    await index.upsert(
        [
            doc(target, ["accounting ledger", "payroll reports", passage]),
            doc(other, ["sales retail", "customer service"]),
            doc(far, [passage]),
        ]
    )
    hits = await index.search_chunks(embed(passage), JobFilters(city=("Dubai",)), 5)
    assert hits[0].id == target.id
    assert hits[0].score == pytest.approx(1.0, abs=1e-5)
    assert len({h.id for h in hits}) == len(hits)  # one hit per job, not per chunk
    assert far.id not in {h.id for h in hits}
    # HNSW over chunks agrees.
    forced = PgVectorIndex(session, VectorSearchSettings(exact_max_rows=0))
    result = await forced.search(embed(passage), JobFilters(city=("Dubai",)), 5, target="chunks")
    assert [h.id for h in result.hits] == [h.id for h in hits]
    # Re-upserting with fewer chunks leaves no stale ones.
    await index.upsert([doc(target, ["accounting ledger"])])
    stored = await session.execute(
        select(SearchChunk.ordinal).where(
            SearchChunk.doc_type == DocType.JOB, SearchChunk.doc_id == target.id
        )
    )
    assert list(stored.scalars()) == [0]


async def test_embed_job_documents_chunks_long_jobs(session: AsyncSession, job_factory) -> None:  # type: ignore[no-untyped-def]
    long = await job_factory(
        embedded=False,
        description=" ".join(f"Duty number {i}: reconcile ledger account {i}." for i in range(150)),
    )
    short = await job_factory(embedded=False)
    docs = embed_job_documents([long, short], HashingEmbedder(), chunking=ChunkingSettings())
    assert len(docs[0].chunks) > 3
    assert len(docs[1].chunks) == 1
    assert docs[1].vector == pytest.approx(docs[1].chunks[0].vector)
    assert np.linalg.norm(np.array(docs[0].vector)) == pytest.approx(1.0, abs=1e-5)
    index = PgVectorIndex(session)
    await index.upsert(docs)
    assert await index.count() == 2
    n_chunks = await session.execute(
        select(SearchChunk.id).where(SearchChunk.doc_id.in_([long.id, short.id]))
    )
    assert len(n_chunks.all()) == len(docs[0].chunks) + 1


async def test_resume_search_ranks_an_applicant_list_exactly(session: AsyncSession) -> None:
    user = User(email="cv-owner@example.com", user_type=UserType.CANDIDATE)
    session.add(user)
    await session.flush()
    texts = ["python data engineer", "nurse patient care", "python backend developer"]
    resumes = [
        Resume(
            user_id=user.id,
            file_name=f"cv{i}.pdf",
            mime_type="application/pdf",
            size_bytes=100,
            sha256=f"{i:064d}",
            embedding=embed(t),
        )
        for i, t in enumerate(texts)
    ]
    session.add_all(resumes)
    await session.flush()
    index = PgVectorIndex(session)
    q = embed("python engineer")
    ranked = await index.search_resumes(q, 3, resume_ids=[r.id for r in resumes[1:]])
    assert [h.id for h in ranked] == [resumes[2].id, resumes[1].id]
    assert await index.search_resumes(q, 3, resume_ids=[]) == []
    everyone = await index.search_resumes(q, 2)
    assert everyone[0].id in {resumes[0].id, resumes[2].id}
