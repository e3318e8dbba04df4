"""Time the nightly reindex on a large corpus whose vectors are all current.

Loads N synthetic jobs and M CVs (``benchmarks/_corpus.py``: vocabulary-based text, clustered
vectors drawn instead of embedded, with the content hash of each text and one chunk per job)
into its own database, ``tabashir_bench_reindex``, then measures:

* **incremental, unchanged corpus**: :func:`api.indexer.refresh_indexes` as ``tabashir reindex``
  runs it (every job's and CV's text hashed and compared, the outbox drained): nothing to embed.
  Reported as documents checked per second; target >= 5,000 docs/s. Baseline, same run: only
  reading the same columns (the floor any hash check sits on).
* **full rebuild from stored vectors**: ``refresh_indexes(full=True)``: the same check plus the
  tantivy index rebuilt into a new folder and swapped in (and Elasticsearch into a new index
  behind its alias when ``ELASTICSEARCH_URL`` is set), plus a faiss index built from the stored
  job vectors (what batch recommendations start from); target <= 60 s at 100k jobs.

Nothing is embedded: the embedder's model id is the one the stored vectors carry. The database
is kept between runs (same N, M and seed: reused); ``--reload`` starts over.

    .venv/bin/python benchmarks/reindex.py                  # 100,000 jobs, 10,000 CVs
    .venv/bin/python benchmarks/reindex.py 2000 --cvs 200   # a quick check
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import numpy as np
import psycopg
import psycopg.sql
from pgvector.psycopg import register_vector
from sqlalchemy import select
from sqlalchemy.engine import URL

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from api.indexer import job_hash, refresh_indexes
from api.migrations import upgrade
from benchmarks._corpus import COLUMNS, PG_TYPES, Corpus, machine
from indexing.documents import content_hash
from indexing.elasticsearch import ElasticsearchJobIndex, elasticsearch_configured
from indexing.embedder import HashingEmbedder
from indexing.lexical import TantivyJobIndex
from matching.batch import BatchSettings, build_index
from models import Job, Resume
from models.db import ensure_database, make_async_engine, make_sync_engine, resolve_database_url
from models.settings import DatabaseSettings

BENCH_DB = "tabashir_bench_reindex"
MODEL = "synthetic-clustered"


class StoredVectors(HashingEmbedder):
    """Claims the stored vectors' model id, so nothing is stale; never asked to embed here."""

    @property
    def model_id(self) -> str:
        return MODEL


class _Row:
    def __init__(self, row: tuple[Any, ...]) -> None:
        (_, self.title, self.company, self.description, self.requirements, self.skills) = row[:6]


def libpq(url: URL) -> str:
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


def bench_url() -> URL:
    app_url = resolve_database_url(DatabaseSettings())
    if app_url.database == BENCH_DB:
        raise SystemExit("Refusing to benchmark in the app's database")
    return ensure_database(app_url, BENCH_DB)


def load(url: URL, n: int, cvs: int, seed: int, reload: bool) -> dict[str, Any]:
    marker = f"n={n} cvs={cvs} seed={seed}"
    if not reload:
        try:
            with psycopg.connect(libpq(url)) as conn:
                row = conn.execute("SELECT value FROM bench_meta WHERE key = 'corpus'").fetchone()
            if row and row[0] == marker:
                print(f"reusing the loaded corpus ({marker})", file=sys.stderr)
                return {"reused": True}
        except psycopg.Error:
            pass
    admin = url.set(database="postgres")
    with psycopg.connect(libpq(admin), autocommit=True) as conn:
        name = psycopg.sql.Identifier(BENCH_DB)
        conn.execute(psycopg.sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(name))
        conn.execute(psycopg.sql.SQL("CREATE DATABASE {}").format(name))
    engine = make_sync_engine(url)
    with engine.begin() as conn:
        upgrade(conn)
    engine.dispose()
    corpus = Corpus(seed)
    t0 = time.perf_counter()
    with psycopg.connect(libpq(url), autocommit=True) as conn:
        register_vector(conn)
        conn.execute("CREATE TABLE bench_meta (key text PRIMARY KEY, value text)")
        # A bulk load of a benchmark database, not the app's writes: no outbox rows.
        conn.execute("ALTER TABLE jobs DISABLE TRIGGER jobs_search_outbox")
        conn.execute("ALTER TABLE resumes DISABLE TRIGGER resumes_search_outbox")
        cols = ", ".join([*COLUMNS, "embedding", "embedding_model", "content_hash"])
        with conn.cursor() as cur:
            for i, batch in enumerate(corpus.batches(n, 5000)):
                with cur.copy(f"COPY jobs ({cols}) FROM STDIN (FORMAT BINARY)") as copy:
                    copy.set_types([*PG_TYPES, "vector", "varchar", "varchar"])
                    for row, vec in zip(batch.rows, batch.embedding, strict=True):
                        copy.write_row((*row, vec, MODEL, job_hash(_Row(row))))
                with cur.copy(
                    "COPY search_chunks (doc_type, doc_id, ordinal, text, embedding, "
                    "embedding_model, content_hash) FROM STDIN (FORMAT BINARY)"
                ) as copy:
                    copy.set_types(
                        ["varchar", "uuid", "int4", "text", "vector", "varchar", "varchar"]
                    )
                    for row, vec in zip(batch.rows, batch.embedding, strict=True):
                        copy.write_row(("job", row[0], 0, row[1], vec, MODEL, "bench"))
                if i % 5 == 0:
                    print(f"  loaded {min(n, (i + 1) * 5000)} / {n} jobs", file=sys.stderr)
            vectors, occupations = corpus.query_vectors(cvs, seed=seed + 1)
            users = [uuid.uuid4() for _ in range(cvs)]
            with cur.copy("COPY users (id, email, user_type) FROM STDIN") as copy:
                for i, user in enumerate(users):
                    copy.write_row((user, f"bench-{i}@example.com", "CANDIDATE"))
            with cur.copy(
                "COPY resumes (user_id, file_name, mime_type, size_bytes, sha256, extracted_text, "
                "embedding, embedding_model, content_hash, parse_status) FROM STDIN (FORMAT BINARY)"
            ) as copy:
                types = ["uuid", "varchar", "varchar", "int8", "varchar", "text", "vector"]
                copy.set_types([*types, "varchar", "varchar", "varchar"])
                for i, (user, vec, occ) in enumerate(zip(users, vectors, occupations, strict=True)):
                    text = corpus.cv_text(int(occ), seed=i)
                    file = (user, "cv.pdf", "application/pdf", len(text), f"{i:064d}", text)
                    copy.write_row((*file, vec, MODEL, content_hash(text), "ok"))
        conn.execute("ALTER TABLE jobs ENABLE TRIGGER jobs_search_outbox")
        conn.execute("ALTER TABLE resumes ENABLE TRIGGER resumes_search_outbox")
        conn.execute("VACUUM ANALYZE")
        conn.execute("INSERT INTO bench_meta VALUES ('corpus', %s)", (marker,))
    return {"reused": False, "load_s": round(time.perf_counter() - t0, 1)}


async def measure(url: URL, repeats: int) -> dict[str, Any]:
    engine = make_async_engine(url)
    embedder = StoredVectors()
    out: dict[str, Any] = {}
    es = ElasticsearchJobIndex.from_settings() if elasticsearch_configured() else None
    with tempfile.TemporaryDirectory() as tmp:
        lexical = TantivyJobIndex(Path(tmp) / "lexical")
        try:
            async with engine.connect() as conn:
                from sqlalchemy.ext.asyncio import AsyncSession

                session = AsyncSession(bind=conn, expire_on_commit=False)
                # Baseline: read the columns the hash check reads, nothing else.
                t0 = time.perf_counter()
                rows = 0
                for stmt in (
                    select(
                        Job.id, Job.title, Job.company, Job.description, Job.requirements,
                        Job.skills, Job.embedding_model, Job.content_hash,
                    ),
                    select(Resume.id, Resume.extracted_text, Resume.embedding_model, Resume.content_hash),
                ):  # fmt: skip
                    stream = await session.stream(stmt.execution_options(yield_per=5000))
                    async for partition in stream.partitions():
                        rows += len(partition)
                read_s = time.perf_counter() - t0
                out["baseline_read"] = {"docs": rows, "docs_per_s": round(rows / read_s)}

                # Full rebuild from stored vectors (first: it also creates the lexical index).
                t0 = time.perf_counter()
                full = await refresh_indexes(
                    session, embedder, lexical, full=True, scan=True, search=es, lock=False
                )
                full_s = time.perf_counter() - t0
                assert full.jobs_embedded == 0
                assert full.resumes_embedded == 0, "the stored vectors should all be current"
                t0 = time.perf_counter()
                vectors = np.asarray(
                    [
                        v
                        for (v,) in (await session.execute(select(Job.embedding))).all()
                        if v is not None
                    ],
                    dtype=np.float32,
                )
                build_index(vectors, "flat", BatchSettings())
                faiss_s = time.perf_counter() - t0
                out["full_rebuild"] = {
                    "seconds": round(full_s + faiss_s, 2),
                    "refresh_full_s": round(full_s, 2),
                    "faiss_from_stored_s": round(faiss_s, 2),
                    "lexical_documents": await lexical.count(),
                    "elasticsearch": es is not None,
                    "target_s": 60,
                }

                times = []
                checked = 0
                for _ in range(repeats):
                    t0 = time.perf_counter()
                    report = await refresh_indexes(
                        session, embedder, lexical, scan=True, search=es, lock=False
                    )
                    times.append(time.perf_counter() - t0)
                    checked = report.jobs_checked + report.resumes_checked
                    assert report.jobs_embedded == 0
                    assert report.resumes_embedded == 0
                median = statistics.median(times)
                out["incremental_unchanged"] = {
                    "docs": checked,
                    "seconds_median": round(median, 2),
                    "docs_per_s": round(checked / median),
                    "target_docs_per_s": 5000,
                }
                await session.rollback()
        finally:
            if es is not None:
                await es.close()
            await engine.dispose()
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("jobs", nargs="?", type=int, default=100_000)
    parser.add_argument("--cvs", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--reload", action="store_true", help="load the corpus again")
    args = parser.parse_args()
    print(machine(), file=sys.stderr)
    url = bench_url()
    loaded = load(url, args.jobs, args.cvs, args.seed, args.reload)
    result = {"jobs": args.jobs, "cvs": args.cvs, "load": loaded}
    result.update(asyncio.run(measure(url, args.repeats)))
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
