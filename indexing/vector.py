"""pgvector search over job vectors (``jobs.embedding``) and chunk vectors that never loses filtered rows.

Why a planner of our own: HNSW walks the graph to ``ef_search`` candidates and *then* applies the
filter, so a filter keeping 5 % of 100k jobs returned 2 of the 20 right rows; pgvector 0.8's
iterative scans recover only part of that (recall 0.51–0.75). An exact scan of the filtered rows,
found through the B-tree filter indexes, is exact by construction and cheap while those rows are
few. So each query estimates how many rows its filter keeps (the planner's estimate, checked with a
bounded count when it is close to the threshold; the plan is cached for a few seconds per filter)
and then:

* few rows (``<= exact_max_rows``): exact distances over just those rows;
* many rows: HNSW with ``ef_search`` oversampled, ``iterative_scan = relaxed_order``, a
  candidate pool ``oversample`` times larger than ``k``, re-ordered exactly. If the pool comes back
  short (the iterative scan gave up), the exact plan answers instead.

Settings made for a query (``SET LOCAL``) live in a savepoint that is rolled back afterwards, so
they never leak into the rest of the caller's transaction. Every value is a bound parameter.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import math
import time
import uuid
from collections.abc import AsyncIterable, Callable, Hashable, Sequence
from dataclasses import dataclass
from typing import Any, Literal, cast

import numpy as np
import psycopg
from pgvector.sqlalchemy import Vector
from sqlalchemy import (
    CTE,
    ColumnElement,
    Integer,
    Select,
    Subquery,
    Table,
    all_,
    any_,
    bindparam,
    delete,
    func,
    insert,
    literal,
    select,
    update,
)
from sqlalchemy.dialects import postgresql
from sqlalchemy.engine import Dialect
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql import ClauseElement

from indexing.chunking import chunk_text
from indexing.documents import content_hash, job_text
from indexing.embedder import Embedder
from indexing.filters import JobFilters, job_filter_params, job_filter_shape, job_filter_sql
from indexing.protocol import (
    DocumentChunk,
    Documents,
    Hit,
    SearchDocument,
    UnknownDocument,
    check_filters,
    check_k,
    check_vector,
    job_document,
)
from indexing.settings import ChunkingSettings, VectorSearchSettings, get_vector_settings
from models import Job, Resume
from models.search import DocType, SearchChunk
from models.settings import EMBEDDING_DIM

Method = Literal["exact", "hnsw"]
Target = Literal["documents", "chunks"]
#: pgvector refuses hnsw.ef_search above this.
_MAX_EF_SEARCH = 1000
_WRITE_BATCH = 500


@dataclass(frozen=True)
class VectorPlan:
    """How a filtered query is answered and why (the filtered row count behind the choice)."""

    method: Method
    estimated_rows: int
    #: True when the estimate was confirmed by a bounded exact count.
    counted: bool = False


#: Cached plans: key -> (expiry on the monotonic clock, plan). Per process; dict operations are
#: atomic, so threads sharing it need no lock.
_PLANS: dict[tuple[Any, ...], tuple[float, VectorPlan]] = {}
_PLANS_MAX = 4096


#: Hot statements by a key of their shape (and the dialect), built and compiled once, run with
#: fresh parameters: building, hashing and compiling a statement cost more than Postgres took to
#: answer it.
_COMPILED: dict[tuple[Hashable, ...], CompiledSql] = {}
_SAVEPOINT = "tabashir_vector_search"
#: The parameters hot statements share: the query vector (as :func:`vector_text`) and an id list.
QUERY_VECTOR = bindparam("query", type_=Vector(EMBEDDING_DIM))
IDS = bindparam("ids", type_=postgresql.ARRAY(postgresql.UUID(as_uuid=True)))


def clear_plan_cache() -> None:
    """Forget every cached plan (after a bulk load, or between tests that reshape the data)."""
    _PLANS.clear()


@dataclass(frozen=True)
class VectorSearchResult:
    hits: list[Hit]
    plan: VectorPlan
    #: The plan that actually answered: "exact" also when HNSW came back short and fell back.
    answered_by: Method


class PgVectorIndex:
    """The pgvector backend of :class:`indexing.protocol.VectorIndex`, over one session.

    The index is the ``embedding`` column of ``jobs`` (one vector per job) plus ``search_chunks``
    (one vector per window of a long text). Writes flush in the caller's transaction and never
    commit: the caller's unit of work decides.
    """

    def __init__(self, session: AsyncSession, settings: VectorSearchSettings | None = None) -> None:
        self._session = session
        self._settings = settings or get_vector_settings()

    @property
    def settings(self) -> VectorSearchSettings:
        return self._settings

    # -- writes -------------------------------------------------------------------------------

    async def upsert(self, docs: Sequence[SearchDocument]) -> None:
        """Store the vectors of jobs that exist: the job's vector and its chunks, replacing old ones.

        A document with a vector but no chunks is stored as its own single chunk, so chunk search
        covers every job. Raises :class:`UnknownDocument` (nothing written) for ids with no job.
        """
        if not docs:
            return
        ids = [d.id for d in docs]
        found = set((await self._session.execute(select(Job.id).where(Job.id.in_(ids)))).scalars())
        missing = [i for i in ids if i not in found]
        if missing:
            raise UnknownDocument(f"No job with id {', '.join(map(str, missing[:5]))}")
        for start in range(0, len(docs), _WRITE_BATCH):
            await self._write_batch(list(docs[start : start + _WRITE_BATCH]))

    async def _write_batch(self, docs: list[SearchDocument]) -> None:
        rows: list[dict[str, Any]] = []
        chunk_rows: list[dict[str, Any]] = []
        for doc in docs:
            vector = check_vector(doc.vector) if doc.vector is not None else None
            rows.append({"b_id": doc.id, "embedding": vector, "model": doc.embedding_model})
            chunks = doc.chunks
            if not chunks and vector is not None:
                whole = "\n".join([doc.title, ", ".join(doc.skills), doc.body]).strip()
                chunks = (DocumentChunk(ordinal=0, text=whole, vector=vector),)
            for chunk in chunks:
                chunk_rows.append(
                    {
                        "doc_type": DocType.JOB,
                        "doc_id": doc.id,
                        "ordinal": chunk.ordinal,
                        "text": chunk.text,
                        "embedding": check_vector(chunk.vector),
                        "embedding_model": doc.embedding_model,
                        "content_hash": content_hash(chunk.text),
                    }
                )
        # Core executemany by primary key: one round trip, and the ORM's identity map is not
        # asked to track rows it never loaded.
        table = cast(Table, Job.__table__)
        await self._session.execute(
            update(table)
            .where(table.c.id == bindparam("b_id"))
            .values(embedding=bindparam("embedding"), embedding_model=bindparam("model")),
            rows,
        )
        await self._session.execute(
            delete(SearchChunk).where(
                SearchChunk.doc_type == DocType.JOB, SearchChunk.doc_id.in_([d.id for d in docs])
            )
        )
        if chunk_rows:
            await self._session.execute(insert(SearchChunk), chunk_rows)

    async def delete(self, ids: Sequence[uuid.UUID]) -> None:
        """Take the jobs' vectors and chunks out of the index (the jobs themselves stay)."""
        if not ids:
            return
        await self._session.execute(
            update(Job)
            .where(Job.id.in_(list(ids)))
            .values(embedding=None, embedding_model=None)
            .execution_options(synchronize_session=False)
        )
        await self._session.execute(
            delete(SearchChunk).where(
                SearchChunk.doc_type == DocType.JOB, SearchChunk.doc_id.in_(list(ids))
            )
        )

    async def count(self) -> int:
        """Jobs with a vector."""
        stmt = select(func.count()).select_from(Job).where(Job.embedding.is_not(None))
        return int((await self._session.execute(stmt)).scalar_one())

    async def rebuild(self, docs: Documents) -> int:
        """Make exactly ``docs`` the indexed jobs: store theirs, clear every other vector and chunk."""
        kept: list[uuid.UUID] = []
        batch: list[SearchDocument] = []

        async def flush() -> None:
            if batch:
                await self.upsert(batch)
                kept.extend(d.id for d in batch)
                batch.clear()

        if isinstance(docs, AsyncIterable):
            async for doc in docs:
                batch.append(doc)
                if len(batch) >= _WRITE_BATCH:
                    await flush()
        else:
            for doc in docs:
                batch.append(doc)
                if len(batch) >= _WRITE_BATCH:
                    await flush()
        await flush()
        # One array parameter, not one parameter per id (a rebuild may keep a million).
        keep = bindparam("keep", kept, type_=postgresql.ARRAY(postgresql.UUID(as_uuid=True)))
        others = Job.id != all_(keep)
        await self._session.execute(
            update(Job)
            .where(Job.embedding.is_not(None), others)
            .values(embedding=None, embedding_model=None)
            .execution_options(synchronize_session=False)
        )
        chunk_others = SearchChunk.doc_id != all_(keep)
        # Also drops chunks of jobs deleted since they were cut (no foreign key can do it).
        await self._session.execute(
            delete(SearchChunk).where(SearchChunk.doc_type == DocType.JOB, chunk_others)
        )
        return len(kept)

    # -- search -------------------------------------------------------------------------------

    async def search_vector(
        self, vector: Sequence[float], filters: JobFilters, k: int
    ) -> list[Hit]:
        """The ``k`` jobs passing ``filters`` nearest ``vector`` by their whole-document vector."""
        return (await self.search(vector, filters, k, target="documents")).hits

    async def search_chunks(
        self, vector: Sequence[float], filters: JobFilters, k: int
    ) -> list[Hit]:
        """The ``k`` jobs passing ``filters`` with the chunk nearest ``vector`` (score: that chunk's)."""
        return (await self.search(vector, filters, k, target="chunks")).hits

    async def search(
        self,
        vector: Sequence[float],
        filters: JobFilters,
        k: int,
        *,
        target: Target = "documents",
        method: Method | None = None,
    ) -> VectorSearchResult:
        """Filtered nearest-neighbour search with the plan chosen (or forced by ``method``)."""
        query = check_vector(vector)
        check_k(k, self._settings.max_k)
        check_filters(filters)
        plan = await self.plan(filters, target=target)
        chosen = method or plan.method
        if chosen == "exact":
            hits = await self._exact(query, filters, k, target)
            return VectorSearchResult(hits, plan, "exact")
        hits = await self._hnsw(query, filters, k, target, rows=plan.estimated_rows)
        if len(hits) < k:
            # The iterative scan stopped early (max_scan_tuples) or the estimate was wrong: the
            # exact plan is the one that cannot miss.
            exact = await self._exact(query, filters, k, target)
            if len(exact) > len(hits):
                return VectorSearchResult(exact, plan, "exact")
        return VectorSearchResult(hits, plan, "hnsw")

    async def plan(self, filters: JobFilters, *, target: Target = "documents") -> VectorPlan:
        """Exact scan or HNSW for ``filters``, from the planner's estimate of the rows they keep.

        The estimate (EXPLAIN, well under a millisecond) decides alone when it is far from the
        threshold; just above it (up to ``confirm_factor x exact_max_rows``) a count bounded at
        the threshold confirms it, because sending a selective filter to HNSW is the mistake that
        costs recall (the other way round only costs time; HNSW coming back short falls back too).
        The plan is then reused for ``plan_cache_s`` seconds for the same filters and database.
        """
        s = self._settings
        bind = self._session.bind
        url = getattr(getattr(bind, "engine", bind), "url", None)  # a URL is hashable
        if s.plan_cache_s <= 0 or url is None:
            return await self._plan(filters, target)
        key = (url, target, filters, s.exact_max_rows, s.confirm_factor)
        cached = _PLANS.get(key)
        if cached is not None and cached[0] >= time.monotonic():
            return cached[1]
        plan = await self._plan(filters, target)
        if len(_PLANS) >= _PLANS_MAX:
            _PLANS.clear()
        _PLANS[key] = (time.monotonic() + s.plan_cache_s, plan)
        return plan

    async def _plan(self, filters: JobFilters, target: Target) -> VectorPlan:
        threshold = self._settings.exact_max_rows
        estimate = await self.estimate_rows(filters, target=target)
        if estimate <= threshold:
            return VectorPlan("exact", estimate)
        if estimate > self._settings.confirm_factor * threshold:
            return VectorPlan("hnsw", estimate)
        actual = await self.count_rows(filters, target=target, limit=threshold + 1)
        return VectorPlan("exact" if actual <= threshold else "hnsw", actual, counted=True)

    async def estimate_rows(self, filters: JobFilters, *, target: Target = "documents") -> int:
        """The query planner's estimate of the vectors ``filters`` keep (no rows are read)."""
        return await self._estimate(self._filtered_rows(filters, target))

    async def count_rows(
        self, filters: JobFilters, *, target: Target = "documents", limit: int | None = None
    ) -> int:
        """How many vectors ``filters`` keep, counting at most ``limit`` of them."""
        rows = self._filtered_rows(filters, target)
        if limit is not None:
            rows = rows.limit(limit)
        stmt = select(func.count()).select_from(rows.subquery())
        return int((await self._session.execute(stmt)).scalar_one())

    # -- plans --------------------------------------------------------------------------------

    def _filtered_rows(self, filters: JobFilters, target: Target) -> Select[Any]:
        conditions = job_filter_sql(filters)
        if target == "documents":
            return (
                select(literal(1)).select_from(Job).where(Job.embedding.is_not(None), *conditions)
            )
        return (
            select(literal(1))
            .select_from(SearchChunk)
            .join(Job, Job.id == SearchChunk.doc_id)
            .where(
                SearchChunk.doc_type == DocType.JOB,
                SearchChunk.embedding.is_not(None),
                *conditions,
            )
        )

    async def _estimate(self, stmt: Select[Any]) -> int:
        conn = await self._session.connection()
        compiled = stmt.compile(dialect=conn.dialect, compile_kwargs={"render_postcompile": True})
        result = await conn.exec_driver_sql(
            "EXPLAIN (FORMAT JSON) " + str(compiled), compiled.params
        )
        raw = result.scalar_one()
        plan = json.loads(raw) if isinstance(raw, str) else raw
        return int(plan[0]["Plan"]["Plan Rows"])

    def _statement(self, method: Method, target: Target, filters: JobFilters) -> CompiledSql:
        """The search SQL for ``filters``' shape; run it with :meth:`_params`."""
        return compiled_once(
            self._session,
            ("search", method, target, job_filter_shape(filters)),
            lambda: _search_statement(method, target, filters),
        )

    @staticmethod
    def _params(query: list[float], filters: JobFilters, k: int, pool: int = 0) -> dict[str, Any]:
        params = {"query": vector_text(query), "k": k, **job_filter_params(filters)}
        if pool:
            params["pool"] = pool
        return params

    async def _exact(
        self, query: list[float], filters: JobFilters, k: int, target: Target
    ) -> list[Hit]:
        sql = self._statement("exact", target, filters)
        return await self._run(sql, self._params(query, filters, k), {})

    async def _run(
        self, sql: CompiledSql, params: dict[str, Any], settings: dict[str, str | int]
    ) -> list[Hit]:
        """Run ``sql`` with planner settings scoped to it: SET LOCAL inside a savepoint that is
        rolled back afterwards (the query writes nothing), so nothing leaks into the caller's
        transaction. JIT is always off: compiling a query costs more than the query here.

        The five statements go to the server in one psycopg pipeline, on the connection (and in
        the transaction) of the caller's session: through SQLAlchemy they were five round trips
        and ~2 ms of Python, more than the search itself took at 100k jobs.
        """
        settings = {"jit": "off", **settings}
        set_sql = "SELECT " + ", ".join(
            f"set_config(%(name_{i})s, %(value_{i})s, true)" for i in range(len(settings))
        )
        set_params: dict[str, str] = {}
        for i, (name, value) in enumerate(settings.items()):
            set_params[f"name_{i}"], set_params[f"value_{i}"] = name, str(value)
        driver = await driver_connection(self._session)
        async with driver.cursor() as control, driver.cursor() as search:
            try:
                async with driver.pipeline():
                    await control.execute(f"SAVEPOINT {_SAVEPOINT}")
                    await control.execute(set_sql, set_params)
                    await search.execute(sql.text, {**sql.constants, **params})
                    await control.execute(f"ROLLBACK TO SAVEPOINT {_SAVEPOINT}")
                    await control.execute(f"RELEASE SAVEPOINT {_SAVEPOINT}")
            except BaseException:
                # The pipeline stopped at the failure: put the transaction back as it was.
                with contextlib.suppress(Exception):
                    await control.execute(f"ROLLBACK TO SAVEPOINT {_SAVEPOINT}")
                    await control.execute(f"RELEASE SAVEPOINT {_SAVEPOINT}")
                raise
            return _hits(await search.fetchall())

    def ef_search(self, pool: int, rows: int) -> int:
        """hnsw.ef_search for a candidate pool over ``rows`` vectors: at least the pool, and at
        least ``hnsw_ef_search_min`` scaled by the square root of rows per 100k, because the
        search width a graph needs for the same recall grows with its size (measured on 1M
        vectors: ef 80 gave recall@20 0.85 with one query at 0, ef 400 gave 0.97)."""
        floor = self._settings.hnsw_ef_search_min * math.sqrt(max(1.0, rows / 100_000))
        return min(_MAX_EF_SEARCH, max(40, pool, round(floor)))

    async def _hnsw(
        self, query: list[float], filters: JobFilters, k: int, target: Target, *, rows: int
    ) -> list[Hit]:
        s = self._settings
        # Chunks of one job sit close together, so a chunk pool needs to be deeper.
        pool = k * s.oversample * (3 if target == "chunks" else 1)
        ef_search = self.ef_search(pool, rows)
        return await self._run(
            self._statement("hnsw", target, filters),
            self._params(query, filters, k, pool),
            {
                "hnsw.ef_search": ef_search,
                "hnsw.iterative_scan": "relaxed_order",
                "hnsw.max_scan_tuples": s.hnsw_max_scan_tuples,
                # Steer a small or cold table to the index too: the exact plan is ours to pick.
                "enable_seqscan": "off",
            },
        )

    # -- resumes ------------------------------------------------------------------------------

    async def search_resumes(
        self,
        vector: Sequence[float],
        k: int,
        *,
        resume_ids: Sequence[uuid.UUID] | None = None,
    ) -> list[Hit]:
        """CVs nearest ``vector``: exactly among ``resume_ids`` (an applicant list), else by HNSW."""
        query = check_vector(vector)
        check_k(k, self._settings.max_k)
        dist = Resume.embedding.cosine_distance(QUERY_VECTOR)
        stmt = select(Resume.id.label("doc_id"), dist.label("distance")).where(
            Resume.embedding.is_not(None)
        )
        params: dict[str, Any] = {"query": vector_text(query)}
        if resume_ids is not None:
            if not resume_ids:
                return []
            rows = stmt.where(Resume.id == any_(IDS)).cte("pool").prefix_with("MATERIALIZED")
            final = select(rows.c.doc_id, rows.c.distance).order_by(rows.c.distance, rows.c.doc_id)
            params["ids"] = list(resume_ids)
            return await self._run(self._compile(final.limit(k)), params, {})
        ef = min(_MAX_EF_SEARCH, max(40, k * self._settings.oversample))
        # ORDER BY the distance alone: a tie-breaker column would stop the index from ordering.
        stmt = stmt.order_by(dist).limit(k)
        return await self._run(self._compile(stmt), params, {"hnsw.ef_search": ef})

    def _compile(self, stmt: Select[Any]) -> CompiledSql:
        return CompiledSql.of(stmt, self._session.get_bind().dialect)


async def driver_connection(session: AsyncSession) -> psycopg.AsyncConnection[Any]:
    """The psycopg connection under ``session``, in the session's transaction (begun if not yet):
    for hot statements run as :class:`CompiledSql`, past SQLAlchemy's per-statement cost."""
    conn = await session.connection()
    raw = await conn.get_raw_connection()
    return cast(psycopg.AsyncConnection[Any], raw.driver_connection)


def compiled_once(
    session: AsyncSession, key: tuple[Hashable, ...], build: Callable[[], ClauseElement]
) -> CompiledSql:
    """The statement ``build`` makes, compiled for ``session``'s dialect the first time ``key``
    is asked for; the same :class:`CompiledSql` ever after."""
    dialect = session.get_bind().dialect
    full_key = (*key, dialect.name)
    sql = _COMPILED.get(full_key)
    if sql is None:
        sql = _COMPILED[full_key] = CompiledSql.of(build(), dialect)
    return sql


def vector_text(vector: Sequence[float]) -> str:
    """``vector`` as pgvector's text input (``[0.1,0.2]``), exact: ``repr`` round-trips."""
    return "[" + ",".join(map(repr, map(float, vector))) + "]"


def _hits(rows: Sequence[Sequence[Any]]) -> list[Hit]:
    return [
        Hit(id=row[0], score=1.0 - float(row[1]), rank=rank) for rank, row in enumerate(rows, 1)
    ]


@dataclass(frozen=True)
class CompiledSql:
    """A statement compiled for the driver: its text, and the values it carries itself."""

    text: str
    constants: dict[str, Any]

    @classmethod
    def of(cls, stmt: ClauseElement, dialect: Dialect) -> CompiledSql:
        """Values stay parameters: the text holds only ``%(name)s`` placeholders."""
        if dialect.paramstyle != "pyformat":
            raise ValueError(f"psycopg's pyformat parameters expected, not {dialect.paramstyle}")
        compiled = stmt.compile(dialect=dialect)
        return cls(str(compiled), dict(compiled.params))


def _distance_rows(target: Target, filters: JobFilters) -> tuple[Select[Any], ColumnElement[float]]:
    """``(doc_id, distance to :query)`` of the vectors passing ``filters``, and the distance."""
    conditions = job_filter_sql(filters)
    if target == "documents":
        dist = Job.embedding.cosine_distance(QUERY_VECTOR)
        stmt = select(Job.id.label("doc_id"), dist.label("distance")).where(
            Job.embedding.is_not(None), *conditions
        )
        return stmt, dist
    dist = SearchChunk.embedding.cosine_distance(QUERY_VECTOR)
    stmt = (
        select(SearchChunk.doc_id.label("doc_id"), dist.label("distance"))
        .join(Job, Job.id == SearchChunk.doc_id)
        .where(
            SearchChunk.doc_type == DocType.JOB,
            SearchChunk.embedding.is_not(None),
            *conditions,
        )
    )
    return stmt, dist


def _search_statement(method: Method, target: Target, filters: JobFilters) -> Select[Any]:
    """The ``:k`` best documents (a document's best chunk for chunks) passing ``filters``.

    exact: MATERIALIZED keeps the planner from pushing ORDER BY distance into the HNSW index:
    the filter picks rows through its B-tree indexes, distances are computed for those.
    hnsw: the index's ``:pool`` nearest, re-ordered exactly.
    """
    stmt, dist = _distance_rows(target, filters)
    rows: Subquery | CTE
    if method == "exact":
        rows = stmt.cte("filtered").prefix_with("MATERIALIZED")
    else:
        rows = stmt.order_by(dist).limit(bindparam("pool", type_=Integer)).subquery("candidates")
    best = func.min(rows.c.distance).label("distance")
    return (
        select(rows.c.doc_id, best)
        .group_by(rows.c.doc_id)
        .order_by(best, rows.c.doc_id)
        .limit(bindparam("k", type_=Integer))
    )


def embed_job_documents(
    jobs: Sequence[Job],
    embedder: Embedder,
    *,
    chunking: ChunkingSettings | None = None,
) -> list[SearchDocument]:
    """Search documents for ``jobs`` with vectors: one per chunk of the job's text, and the job's
    own vector (the normalised mean of its chunks, so no part of a long text is dropped).

    CPU-heavy: call it from a worker or ``asyncio.to_thread``, never on the event loop.
    """
    texts = [job_text(j.title, j.company, j.description, j.requirements, j.skills) for j in jobs]
    per_job = [chunk_text(t, settings=chunking) for t in texts]
    flat = [c.text for chunks in per_job for c in chunks]
    vectors = embedder.embed(flat) if flat else np.zeros((0, EMBEDDING_DIM), dtype=np.float32)
    docs: list[SearchDocument] = []
    at = 0
    for job, chunks in zip(jobs, per_job, strict=True):
        mine = vectors[at : at + len(chunks)]
        at += len(chunks)
        if len(chunks) == 0:
            docs.append(job_document(job, vector=None, embedding_model=None))
            continue
        mean = mine.mean(axis=0)
        norm = float(np.linalg.norm(mean))
        doc_vector = (mean / norm if norm > 0 else mine[0]).astype(np.float32)
        docs.append(
            job_document(
                job,
                vector=doc_vector.tolist(),
                embedding_model=embedder.model_id,
                chunks=tuple(
                    DocumentChunk(ordinal=c.ordinal, text=c.text, vector=v.tolist())
                    for c, v in zip(chunks, mine, strict=True)
                ),
            )
        )
    return docs


async def embed_job_documents_async(
    jobs: Sequence[Job], embedder: Embedder, *, chunking: ChunkingSettings | None = None
) -> list[SearchDocument]:
    """:func:`embed_job_documents` off the event loop."""
    return await asyncio.to_thread(embed_job_documents, jobs, embedder, chunking=chunking)


__all__ = [
    "IDS",
    "QUERY_VECTOR",
    "CompiledSql",
    "PgVectorIndex",
    "VectorPlan",
    "VectorSearchResult",
    "clear_plan_cache",
    "compiled_once",
    "driver_connection",
    "embed_job_documents",
    "embed_job_documents_async",
    "vector_text",
]
