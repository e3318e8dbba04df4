"""Keeping every derived index in step with Postgres: vectors (jobs, CVs, chunks), the BM25 index
(tantivy) and, when ``ELASTICSEARCH_URL`` is set, Elasticsearch.

How changes travel (see docs/scale-out.md):

* Every change to a job or a CV writes a ``search_outbox`` row in the same transaction (triggers,
  migrations 0003 and 0007), whatever code made it.
* :func:`drain_outbox` takes a batch of rows (``FOR UPDATE SKIP LOCKED``), draws a **version**
  from the outbox's own sequence *before* reading the rows' current state, brings each document up
  to date everywhere (re-embeds changed text, rewrites it in tantivy and Elasticsearch, deletes
  what is gone, chunks included) and deletes the rows in the caller's transaction. Elasticsearch
  writes carry that version as an external version: a late or retried write can never replace
  newer data; a refused one keeps its outbox row and is retried with fresh data and a new version.
  tantivy has a single writer (the advisory lock below plus its own writer lock), so it is always
  written in drain order.
* Embedding is incremental by content hash: a job or CV is (re-)embedded when it has no vector,
  a vector of another model, or text whose hash (``indexing.documents.content_hash`` of
  ``job_text``) differs from the one stored with the vector. ``scan=True`` (the nightly reindex)
  checks every row; the default checks only rows without a current vector and those in the outbox.
* One indexer at a time: a Postgres advisory lock. A worker that finds it taken skips (the
  running reindex drains the outbox at its end).
* Lag is exported to Prometheus: pending outbox rows and the age of the oldest
  (:func:`update_lag_metrics`).
"""

from __future__ import annotations

import enum
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Collection, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from prometheus_client import Gauge
from sqlalchemy import bindparam, delete, func, insert, or_, select, text, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import load_only

from api.resumes.glossary import english_title
from indexing.documents import content_hash, job_text
from indexing.elasticsearch import ElasticsearchJobIndex, elasticsearch_configured
from indexing.embedder import Embedder
from indexing.lexical import JOB_DOCUMENT_COLUMNS, TantivyJobIndex, rebuild_from_db_async
from indexing.protocol import DocumentChunk, SearchDocument, job_document
from indexing.resumes import embed_and_store_resumes
from indexing.titles import cv_title_text, ensure_title_vectors
from indexing.vector import PgVectorIndex, embed_job_documents_async
from models import Job, Resume
from models.search import DocType, SearchChunk, SearchOutbox

Progress = Callable[[str], None]
Checkpoint = Callable[[], Awaitable[None]]

#: The advisory lock key every indexer run takes ("tabashir" in ASCII, as a signed bigint).
INDEX_LOCK_KEY = int.from_bytes(b"tabashir", "big") & (2**63 - 1)

BACKENDS = ("tantivy", "elasticsearch")

OUTBOX_PENDING = Gauge(
    "tabashir_index_outbox_pending", "Job and CV changes not yet applied to the derived indexes"
)
OUTBOX_OLDEST_AGE = Gauge(
    "tabashir_index_outbox_oldest_age_seconds",
    "Age of the oldest change not yet applied to the derived indexes (0 when none)",
)
INDEX_LAST_DRAIN = Gauge(
    "tabashir_index_last_drain_timestamp_seconds", "When the index outbox was last drained"
)


def _quiet(_: str) -> None:
    pass


class SearchFromSettings(enum.Enum):
    """Use Elasticsearch when ``ELASTICSEARCH_URL`` is set (a client for the call)."""

    FROM_SETTINGS = "from-settings"


FROM_SETTINGS = SearchFromSettings.FROM_SETTINGS
SearchTarget = ElasticsearchJobIndex | None | SearchFromSettings


@dataclass
class IndexReport:
    jobs_embedded: int = 0
    resumes_embedded: int = 0
    jobs_checked: int = 0
    resumes_checked: int = 0
    lexical_rebuilt: bool = False
    lexical_synced: int = 0
    elasticsearch_rebuilt: bool = False
    elasticsearch_synced: int = 0
    outbox_drained: int = 0
    #: Outbox rows kept for a retry because Elasticsearch held a newer version.
    version_conflicts: int = 0
    deleted: int = 0
    skipped_locked: bool = False
    notes: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, object]:
        return {
            "jobs_embedded": self.jobs_embedded,
            "resumes_embedded": self.resumes_embedded,
            "jobs_checked": self.jobs_checked,
            "resumes_checked": self.resumes_checked,
            "lexical_rebuilt": self.lexical_rebuilt,
            "lexical_synced": self.lexical_synced,
            "elasticsearch_rebuilt": self.elasticsearch_rebuilt,
            "elasticsearch_synced": self.elasticsearch_synced,
            "outbox_drained": self.outbox_drained,
            "version_conflicts": self.version_conflicts,
            "deleted": self.deleted,
            "skipped_locked": self.skipped_locked,
        }


# -- lock, versions, lag ------------------------------------------------------------------------


async def try_index_lock_xact(session: AsyncSession) -> bool:
    """Take the indexer lock until the caller's transaction ends; False if another run holds it."""
    stmt = select(func.pg_try_advisory_xact_lock(INDEX_LOCK_KEY))
    return bool((await session.execute(stmt)).scalar_one())


async def draw_version(session: AsyncSession) -> int:
    """A value above every change already enqueued, and below every later one: the outbox's own
    sequence. Drawn before the documents are read, so data written with it is at least as new."""
    stmt = text("SELECT nextval(pg_get_serial_sequence('search_outbox', 'id'))")
    return int((await session.execute(stmt)).scalar_one())


@dataclass(frozen=True)
class OutboxLag:
    pending: int
    oldest_age_s: float


async def outbox_lag(session: AsyncSession) -> OutboxLag:
    """How many changes wait for the indexer, and how long the oldest has waited."""
    count, oldest = (
        await session.execute(
            select(func.count(), func.min(SearchOutbox.enqueued_at)).select_from(SearchOutbox)
        )
    ).one()
    age = 0.0
    if oldest is not None:
        now = (await session.execute(select(func.now()))).scalar_one()
        age = max(0.0, (now - oldest).total_seconds())
    return OutboxLag(int(count), age)


async def update_lag_metrics(session: AsyncSession) -> OutboxLag:
    """Read the lag and set the Prometheus gauges (call it before rendering /metrics)."""
    lag = await outbox_lag(session)
    OUTBOX_PENDING.set(lag.pending)
    OUTBOX_OLDEST_AGE.set(lag.oldest_age_s)
    return lag


async def refresh_lag_metrics(factory: async_sessionmaker[AsyncSession]) -> None:
    """:func:`update_lag_metrics` in a session of its own; a database error leaves the gauges
    as they were (the metrics page must render when the database is down)."""
    try:
        async with factory() as session:
            await update_lag_metrics(session)
    except Exception:  # noqa: S110 - /health reports the database; metrics stay up
        pass


# -- content hashes -----------------------------------------------------------------------------

_JOB_TEXT = (Job.title, Job.company, Job.description, Job.requirements, Job.skills)


def job_hash(job: Any) -> str:
    """The content hash of a job's indexed text (a row or a :class:`Job`)."""
    return content_hash(
        job_text(
            job.title, job.company, job.description or "", job.requirements or [], job.skills or []
        )
    )


def _stale(
    has_vector: bool,
    model: str | None,
    stored: str | None,
    current: str,
    *,
    model_id: str,
    scan: bool,
) -> bool:
    if not has_vector or model != model_id:
        return True
    if stored is None:
        # A vector of unknown text (written before hashes were stored): the full scan re-embeds
        # it once; incremental runs trust it.
        return scan
    return stored != current


#: What the indexes read of a job (the tsvector and other heavy columns stay unloaded).
_JOB_INDEX_COLUMNS = load_only(
    *JOB_DOCUMENT_COLUMNS, Job.embedding, Job.embedding_model, Job.content_hash, raiseload=True
)


async def _store_job_hashes(session: AsyncSession, rows: list[dict[str, Any]]) -> None:
    if not rows:
        return
    table = Job.__table__
    # Core executemany by key, leaving the ORM objects alone. No trigger fires: content_hash is
    # not an indexed column.
    await session.execute(
        update(table)  # type: ignore[arg-type]
        .where(table.c.id == bindparam("b_id"))
        .values(content_hash=bindparam("content_hash")),
        rows,
    )


async def _embed_jobs(
    session: AsyncSession, embedder: Embedder, jobs: Sequence[Job]
) -> list[SearchDocument]:
    """Embed ``jobs`` by chunks; store vectors, chunks and the hash of the text embedded."""
    if not jobs:
        return []
    docs = await embed_job_documents_async(jobs, embedder)
    await PgVectorIndex(session).upsert(docs)
    await ensure_title_vectors(session, [j.title for j in jobs], embedder, english_title)
    await _store_job_hashes(session, [{"b_id": j.id, "content_hash": job_hash(j)} for j in jobs])
    return docs


async def _jobs(session: AsyncSession, ids: Collection[uuid.UUID]) -> list[Job]:
    if not ids:
        return []
    stmt = select(Job).options(_JOB_INDEX_COLUMNS).where(Job.id.in_(list(ids))).order_by(Job.id)
    return list((await session.execute(stmt)).scalars())


async def _chunks(
    session: AsyncSession, ids: Collection[uuid.UUID]
) -> dict[uuid.UUID, tuple[DocumentChunk, ...]]:
    """The stored chunks (with vectors) of jobs ``ids``."""
    out: dict[uuid.UUID, list[DocumentChunk]] = {}
    if not ids:
        return {}
    rows = await session.execute(
        select(SearchChunk.doc_id, SearchChunk.ordinal, SearchChunk.text, SearchChunk.embedding)
        .where(
            SearchChunk.doc_type == DocType.JOB,
            SearchChunk.doc_id.in_(list(ids)),
            SearchChunk.embedding.is_not(None),
        )
        .order_by(SearchChunk.doc_id, SearchChunk.ordinal)
    )
    for doc_id, ordinal, chunk_text, vector in rows.all():
        values = [float(x) for x in vector or ()]
        out.setdefault(doc_id, []).append(
            DocumentChunk(ordinal=ordinal, text=chunk_text, vector=values)
        )
    return {k: tuple(v) for k, v in out.items()}


def _stored_document(job: Job, chunks: tuple[DocumentChunk, ...]) -> SearchDocument:
    """A job's search document with the vector and chunks stored in Postgres."""
    stored = job.embedding
    vector = [float(x) for x in stored] if stored is not None else None
    return job_document(
        job,
        vector=vector,
        embedding_model=job.embedding_model if vector is not None else None,
        chunks=chunks if vector is not None else (),
    )


async def stored_documents(session: AsyncSession, page: int = 500) -> AsyncIterator[SearchDocument]:
    """Every job as a search document with its stored vector and chunks, in id order (what an
    Elasticsearch rebuild reads: nothing is embedded again)."""
    last = uuid.UUID(int=0)
    while True:
        jobs = (
            (
                await session.execute(
                    select(Job)
                    .options(_JOB_INDEX_COLUMNS)
                    .where(Job.id > last)
                    .order_by(Job.id)
                    .limit(page)
                )
            )
            .scalars()
            .all()
        )
        if not jobs:
            return
        chunks = await _chunks(session, [j.id for j in jobs if j.embedding is not None])
        for job in jobs:
            yield _stored_document(job, chunks.get(job.id, ()))
            # A rebuild reads every job once: keep the identity map small.
            session.expunge(job)
        last = jobs[-1].id


# -- incremental embedding ----------------------------------------------------------------------


@dataclass
class _Run:
    """What one indexer run carries around."""

    session: AsyncSession
    embedder: Embedder | None
    report: IndexReport
    progress: Progress
    checkpoint: Checkpoint | None
    scan: bool
    #: Called as (phase, done, total) for progress bars; total None when unknown.
    step: Callable[[str, int, int | None], None] | None = None
    enqueue_embedded: bool = False
    job_batch: int = 128
    resume_batch: int = 64
    jobs_total: int | None = None

    async def commit_point(self) -> None:
        if self.checkpoint is not None:
            await self.checkpoint()

    def tick(self, phase: str, done: int, total: int | None) -> None:
        if self.step is not None:
            self.step(phase, done, total)


async def _stale_job_ids(run: _Run, model_id: str, page: int) -> AsyncIterator[list[uuid.UUID]]:
    """Pages of ids of jobs to embed: every row checked by hash (scan) or, incrementally, rows
    without a vector of the current model (outbox rows are checked by the drain)."""
    session = run.session
    last = uuid.UUID(int=0)
    while True:
        if run.scan:
            full_rows = select(
                Job.id,
                *_JOB_TEXT,
                Job.embedding.is_not(None).label("has_vector"),
                Job.embedding_model,
                Job.content_hash,
            ).where(Job.id > last)
            rows: Sequence[Any] = (
                await session.execute(full_rows.order_by(Job.id).limit(page))
            ).all()
        else:
            missing = select(Job.id).where(
                Job.id > last,
                or_(
                    Job.embedding.is_(None),
                    Job.embedding_model.is_(None),
                    Job.embedding_model != model_id,
                ),
            )
            rows = (await session.execute(missing.order_by(Job.id).limit(page))).all()
        if not rows:
            return
        last = rows[-1].id
        if run.scan:
            run.report.jobs_checked += len(rows)
            yield [
                r.id
                for r in rows
                if _stale(
                    r.has_vector,
                    r.embedding_model,
                    r.content_hash,
                    job_hash(r),
                    model_id=model_id,
                    scan=True,
                )
            ]
        else:
            yield [r.id for r in rows]


async def _embed_stale_jobs(run: _Run, page: int = 5000) -> None:
    embedder = run.embedder
    batch = run.job_batch
    if embedder is None:
        return
    pending: list[uuid.UUID] = []

    async def flush(ids: list[uuid.UUID]) -> None:
        jobs = await _jobs(run.session, ids)
        await _embed_jobs(run.session, embedder, jobs)
        if run.enqueue_embedded and jobs:
            # Elasticsearch holds vectors too: their change travels like any other.
            await run.session.execute(
                insert(SearchOutbox), [{"doc_type": DocType.JOB, "doc_id": j.id} for j in jobs]
            )
        await run.session.flush()
        run.report.jobs_embedded += len(jobs)
        run.progress(f"embedded {run.report.jobs_embedded} jobs")
        run.tick("embed jobs", run.report.jobs_embedded, None)
        await run.commit_point()

    async for ids in _stale_job_ids(run, embedder.model_id, page):
        run.tick("check jobs", run.report.jobs_checked, run.jobs_total)
        pending.extend(ids)
        while len(pending) >= batch:
            await flush(pending[:batch])
            del pending[:batch]
    if pending:
        await flush(pending)


def _resume_stale(row: Any, model_id: str, scan: bool) -> bool:
    return _stale(
        row.has_vector,
        row.embedding_model,
        row.content_hash,
        content_hash(row.extracted_text or ""),
        model_id=model_id,
        scan=scan,
    )


async def _embed_stale_resumes(
    run: _Run, page: int = 2000, ids: Collection[uuid.UUID] | None = None
) -> None:
    """Embed CVs with text whose vector is missing, of another model or of other text
    (``ids``: only these, whatever ``scan`` says about the rest)."""
    embedder = run.embedder
    if embedder is None:
        return
    session = run.session
    last = uuid.UUID(int=0)
    while True:
        stmt = select(
            Resume.id,
            Resume.extracted_text,
            Resume.embedding.is_not(None).label("has_vector"),
            Resume.embedding_model,
            Resume.content_hash,
            Resume.parsed,
        ).where(Resume.id > last, Resume.extracted_text.is_not(None))
        if ids is not None:
            stmt = stmt.where(Resume.id.in_(list(ids)))
        elif not run.scan:
            stmt = stmt.where(
                or_(
                    Resume.embedding.is_(None),
                    Resume.embedding_model.is_(None),
                    Resume.embedding_model != embedder.model_id,
                )
            )
        rows = (await session.execute(stmt.order_by(Resume.id).limit(page))).all()
        if not rows:
            return
        last = rows[-1].id
        if ids is None and run.scan:
            run.report.resumes_checked += len(rows)
        stale_rows = [
            r
            for r in rows
            if (r.extracted_text or "").strip()
            and _resume_stale(r, embedder.model_id, scan=run.scan or ids is not None)
        ]
        stale = [(r.id, r.extracted_text or "") for r in stale_rows]
        for start in range(0, len(stale), run.resume_batch):
            part = stale[start : start + run.resume_batch]
            await embed_and_store_resumes(session, part, embedder)
            await ensure_title_vectors(
                session,
                [cv_title_text(r.parsed) for r in stale_rows[start : start + run.resume_batch]],
                embedder,
                english_title,
            )
            await session.flush()
            run.report.resumes_embedded += len(part)
            run.progress(f"embedded {run.report.resumes_embedded} CVs")
            run.tick("embed CVs", run.report.resumes_embedded, None)
            await run.commit_point()


# -- the outbox ---------------------------------------------------------------------------------


async def _drain_round(
    run: _Run,
    lexical: TantivyJobIndex | None,
    search: ElasticsearchJobIndex | None,
    limit: int,
) -> tuple[int, int]:
    """One batch of outbox rows applied everywhere; returns (rows done, rows kept for retry)."""
    session = run.session
    rows = (
        await session.execute(
            select(SearchOutbox.id, SearchOutbox.doc_type, SearchOutbox.doc_id)
            .order_by(SearchOutbox.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
    ).all()
    if not rows:
        return 0, 0
    version = await draw_version(session)
    job_ids = list(dict.fromkeys(r.doc_id for r in rows if r.doc_type == DocType.JOB))
    resume_ids = list(dict.fromkeys(r.doc_id for r in rows if r.doc_type == DocType.RESUME))
    conflicts: set[uuid.UUID] = set()

    if job_ids:
        jobs = await _jobs(session, job_ids)
        found = {j.id for j in jobs}
        gone = [i for i in job_ids if i not in found]
        if gone:
            # No foreign key can remove a deleted job's chunks.
            await session.execute(
                delete(SearchChunk).where(
                    SearchChunk.doc_type == DocType.JOB, SearchChunk.doc_id.in_(gone)
                )
            )
            run.report.deleted += len(gone)
        fresh: dict[uuid.UUID, SearchDocument] = {}
        if run.embedder is not None:
            model_id = run.embedder.model_id
            stale = [
                j
                for j in jobs
                if _stale(
                    j.embedding is not None,
                    j.embedding_model,
                    j.content_hash,
                    job_hash(j),
                    model_id=model_id,
                    scan=False,
                )
            ]
            fresh = {d.id: d for d in await _embed_jobs(session, run.embedder, stale)}
            run.report.jobs_embedded += len(fresh)
        if lexical is not None:
            await lexical.upsert([job_document(j) for j in jobs])
            await lexical.delete(gone)
            run.report.lexical_synced += len(job_ids)
        if search is not None:
            chunks = await _chunks(
                session, [j.id for j in jobs if j.id not in fresh and j.embedding is not None]
            )
            docs = [fresh.get(j.id) or _stored_document(j, chunks.get(j.id, ())) for j in jobs]
            result = await search.apply(docs, gone, version)
            conflicts = result.conflicts
            run.report.elasticsearch_synced += result.written + result.deleted
            run.report.version_conflicts += len(conflicts)

    if resume_ids:
        existing = set(
            (await session.execute(select(Resume.id).where(Resume.id.in_(resume_ids)))).scalars()
        )
        gone_cvs = [i for i in resume_ids if i not in existing]
        if gone_cvs:
            # Recommendations go with the CV (foreign key); chunks have none.
            await session.execute(
                delete(SearchChunk).where(
                    SearchChunk.doc_type == DocType.RESUME, SearchChunk.doc_id.in_(gone_cvs)
                )
            )
            run.report.deleted += len(gone_cvs)
        if existing:
            await _embed_stale_resumes(run, ids=existing)

    done = [r.id for r in rows if not (r.doc_type == DocType.JOB and r.doc_id in conflicts)]
    if done:
        await session.execute(delete(SearchOutbox).where(SearchOutbox.id.in_(done)))
    run.report.outbox_drained += len(done)
    return len(done), len(rows) - len(done)


async def drain_outbox(
    session: AsyncSession,
    embedder: Embedder | None,
    lexical: TantivyJobIndex | None,
    search: ElasticsearchJobIndex | None = None,
    *,
    limit: int = 500,
    progress: Progress = _quiet,
    checkpoint: Checkpoint | None = None,
    report: IndexReport | None = None,
) -> IndexReport:
    """Apply every pending job and CV change to the vectors, tantivy and Elasticsearch.

    Rows are deleted in the caller's transaction (or at each ``checkpoint``): if it rolls back
    they are applied again, which is harmless (writes are idempotent and versioned).
    """
    run = _Run(session, embedder, report or IndexReport(), progress, checkpoint, scan=False)
    await _drain(run, lexical, search, limit)
    return run.report


async def _drain(
    run: _Run,
    lexical: TantivyJobIndex | None,
    search: ElasticsearchJobIndex | None,
    limit: int = 500,
) -> None:
    total = 0
    while True:
        done, kept = await _drain_round(run, lexical, search, limit)
        total += done
        if done:
            run.progress(f"applied {total} changes from the outbox")
            run.tick("apply changes", total, None)
            await run.commit_point()
        if done == 0:
            # Empty, or only rows Elasticsearch refused as older: those wait for the next run
            # (a newer write won; retrying in a loop could spin against a concurrent writer).
            if kept:
                run.report.notes.append(f"{kept} changes kept for a retry (version conflicts)")
            break
    INDEX_LAST_DRAIN.set(datetime.now(UTC).timestamp())


# -- the whole refresh --------------------------------------------------------------------------


async def _cleanup_orphan_chunks(session: AsyncSession) -> int:
    """Chunks whose job or CV is gone (no foreign key can remove them)."""
    removed = 0
    for doc_type, model in ((DocType.JOB, Job), (DocType.RESUME, Resume)):
        result = await session.execute(
            delete(SearchChunk).where(
                SearchChunk.doc_type == doc_type,
                ~select(model.id).where(model.id == SearchChunk.doc_id).exists(),
            )
        )
        removed += int(getattr(result, "rowcount", 0) or 0)
    return removed


def resolve_search(search: SearchTarget) -> tuple[ElasticsearchJobIndex | None, bool]:
    """(the Elasticsearch index to use, whether this call owns its client)."""
    if isinstance(search, SearchFromSettings):
        if not elasticsearch_configured():
            return None, False
        return ElasticsearchJobIndex.from_settings(), True
    return search, False


async def refresh_indexes(
    session: AsyncSession,
    embedder: Embedder,
    lexical: TantivyJobIndex,
    *,
    full: bool = False,
    progress: Progress = _quiet,
    search: SearchTarget = FROM_SETTINGS,
    backends: Collection[str] = BACKENDS,
    scan: bool = False,
    checkpoint: Checkpoint | None = None,
    step: Callable[[str, int, int | None], None] | None = None,
    lock: bool = True,
    job_batch: int = 128,
    resume_batch: int = 64,
) -> IndexReport:
    """Bring vectors and every derived index up to date (the caller commits, or ``checkpoint``
    commits as it goes).

    ``full``: check every row's hash (as ``scan``) and rebuild the ``backends`` named (tantivy
    into a new folder, Elasticsearch into a new index behind its alias), swapping each in
    atomically. ``search``: the Elasticsearch index; by default the one ``ELASTICSEARCH_URL``
    names, if any. ``lock``: take the indexer's advisory lock for the transaction (pass False
    when the caller holds it for the whole run, as ``tabashir reindex`` does); when another run
    holds it nothing is done and ``skipped_locked`` says so.
    """
    report = IndexReport()
    if lock and not await try_index_lock_xact(session):
        report.skipped_locked = True
        report.notes.append("another indexer run holds the lock; nothing done")
        return report
    es, owned = resolve_search(search)
    try:
        scan = scan or full
        run = _Run(
            session,
            embedder,
            report,
            progress,
            checkpoint,
            scan=scan,
            step=step,
            enqueue_embedded=es is not None,
            job_batch=job_batch,
            resume_batch=resume_batch,
        )
        if scan and step is not None:
            run.jobs_total = (
                await session.execute(select(func.count()).select_from(Job))
            ).scalar_one()
        listed: list[int] = []
        if full:
            # Changes already committed now are read by the embedding scan and the rebuilds
            # below; rows for them can go once every configured index has been rebuilt.
            listed = list((await session.execute(select(SearchOutbox.id))).scalars())
        await _embed_stale_jobs(run)
        await _embed_stale_resumes(run)
        rebuilt: set[str] = set()
        if "tantivy" in backends and (full or await lexical.count() == 0):
            count = await rebuild_from_db_async(session, lexical)
            report.lexical_rebuilt = True
            rebuilt.add("tantivy")
            progress(f"lexical index rebuilt with {count} jobs")
            run.tick("rebuild tantivy", count, count)
        if (
            es is not None
            and "elasticsearch" in backends
            and (full or await es.current_index() is None)
        ):
            version = await draw_version(session)
            dropped = await es.drop_stale_indexes()
            if dropped:
                progress(f"dropped {len(dropped)} half-built Elasticsearch indexes")
            count = await es.rebuild(stored_documents(session), version=version)
            report.elasticsearch_rebuilt = True
            rebuilt.add("elasticsearch")
            progress(f"Elasticsearch index {es.alias} rebuilt with {count} jobs")
            run.tick("rebuild elasticsearch", count, count)
        if full:
            removed = await _cleanup_orphan_chunks(session)
            if removed:
                report.notes.append(f"removed {removed} orphan chunks")
            configured = {"tantivy"} | ({"elasticsearch"} if es is not None else set())
            if listed and configured <= rebuilt:
                await session.execute(delete(SearchOutbox).where(SearchOutbox.id.in_(listed)))
        await run.commit_point()
        await _drain(run, lexical, es)
        await update_lag_metrics(session)
    finally:
        if owned and es is not None:
            await es.close()
    return report
