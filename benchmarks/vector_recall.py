"""Recall@k and latency of filtered vector search at filter selectivities 100 %, 10 %, 1 %, 0.1 %.

    .venv/bin/python -m benchmarks.vector_recall --n 100000          # the README figure
    .venv/bin/python -m benchmarks.vector_recall --n 1000000 --queries 200
    .venv/bin/python -m benchmarks.vector_recall --n 5000 --queries 10  # a smoke run

Loads a synthetic corpus (``benchmarks/_corpus.py``: realistic job text, clustered vectors drawn
without the model) into a SEPARATE database (``tabashir_bench`` by default) on the same server the
app uses — never the app's database — with a binary COPY, builds the HNSW index (timed, sized),
then for each selectivity and query compares, against the exact top k:

* ``planned``: :class:`indexing.vector.PgVectorIndex` as the app runs it (plan by estimate);
* ``plain HNSW``: ``ORDER BY embedding <=> q LIMIT k`` with the filter in WHERE, pgvector defaults
  (ef_search 40, no iterative scan): the baseline that loses filtered rows;
* ``iterative``: the same with pgvector 0.8's ``iterative_scan = relaxed_order``.

Also times the plan's inputs (EXPLAIN estimate, bounded and full counts). A loaded corpus of the
same size and seed is reused; ``--reload`` forces a fresh load.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psycopg
import psycopg.sql
from pgvector.psycopg import register_vector
from sqlalchemy import func, select, text
from sqlalchemy.engine import URL
from sqlalchemy.ext.asyncio import AsyncSession

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from api.migrations import upgrade
from benchmarks._corpus import (
    COLUMNS,
    GENERATOR,
    PG_TYPES,
    SELECTIVITY_CITY,
    Corpus,
    machine,
)
from indexing.filters import JobFilters, job_filter_sql
from indexing.settings import VectorSearchSettings
from indexing.vector import PgVectorIndex
from models import Job
from models.db import (
    ensure_database,
    make_async_engine,
    make_sync_engine,
    resolve_database_url,
)
from models.settings import DatabaseSettings

HNSW_DDL = (
    "CREATE INDEX ix_jobs_embedding_hnsw ON jobs USING hnsw (embedding vector_cosine_ops) "
    "WITH (m = 16, ef_construction = 64)"
)


def bench_url(db_name: str) -> URL:
    settings = DatabaseSettings()
    app_url = resolve_database_url(settings)
    if db_name == app_url.database:
        raise SystemExit(f"Refusing to benchmark in the app's database {db_name!r}")
    return ensure_database(app_url, db_name)


def libpq(url: URL) -> str:
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


def prewarm(url: URL) -> dict[str, Any]:
    """Read every table and index file of the benchmark database once, so that the OS page
    cache holds it: the steady state of a server whose memory fits its database, which a fresh
    machine or a restart does not start in. Only for a server on this machine (the embedded one);
    nothing is read into PostgreSQL's own buffers (no pg_prewarm in the embedded build)."""
    with psycopg.connect(libpq(url)) as conn:
        data_dir = conn.execute("SHOW data_directory").fetchone()
        files = conn.execute(
            "SELECT pg_relation_filepath(c.oid) FROM pg_class c "
            "JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname IN ('public', 'pg_toast') AND c.relkind IN ('r', 'i', 't') "
            "AND pg_relation_size(c.oid) > 0"
        ).fetchall()
    assert data_dir is not None
    t0, read = time.perf_counter(), 0
    for (relative,) in files:
        base, segment = Path(data_dir[0]) / relative, 0
        while (path := base.with_name(f"{base.name}.{segment}") if segment else base).exists():
            with path.open("rb", buffering=0) as f:
                while chunk := f.read(8 << 20):
                    read += len(chunk)
            segment += 1
    return {"read_gib": round(read / 2**30, 2), "s": round(time.perf_counter() - t0, 1)}


def _loaded(url: URL, marker: str) -> dict[str, Any] | None:
    try:
        with psycopg.connect(libpq(url)) as conn:
            row = conn.execute("SELECT value FROM bench_meta WHERE key = 'load'").fetchone()
            corpus = conn.execute("SELECT value FROM bench_meta WHERE key = 'corpus'").fetchone()
    except psycopg.Error:
        return None
    if not row or not corpus or corpus[0] != marker:
        return None
    return dict(json.loads(row[0]))


def recreate(url: URL) -> None:
    """Drop and create the benchmark database, then migrate it: a load always starts clean."""
    admin = url.set(database="postgres")
    with psycopg.connect(libpq(admin), autocommit=True) as conn:
        name = psycopg.sql.Identifier(str(url.database))
        conn.execute(psycopg.sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(name))
        conn.execute(psycopg.sql.SQL("CREATE DATABASE {}").format(name))
    engine = make_sync_engine(url)
    with engine.begin() as conn:
        upgrade(conn)
    engine.dispose()


def load(
    url: URL, n: int, seed: int, *, reload: bool, batch: int, mwm: str, workers: int
) -> dict[str, Any]:
    """Load ``n`` synthetic jobs unless the same corpus is already there; build HNSW, timed."""
    marker = f"n={n} seed={seed} generator={GENERATOR}"
    found = None if reload else _loaded(url, marker)
    if found is not None:
        print(f"reusing the loaded corpus ({marker})", file=sys.stderr)
        return dict(found, reused=True)
    recreate(url)
    with psycopg.connect(libpq(url), autocommit=True) as conn:
        conn.execute("CREATE TABLE bench_meta (key text PRIMARY KEY, value text)")
        register_vector(conn)
        # Loading first and building the graph after is the fast way (and how the figure is
        # quoted: "HNSW build time").
        conn.execute("DROP INDEX ix_jobs_embedding_hnsw")
        # The outbox trigger is for the app's writes, not a bulk load of a benchmark database.
        conn.execute("ALTER TABLE jobs DISABLE TRIGGER jobs_search_outbox")
        corpus = Corpus(seed)
        t0 = time.perf_counter()
        cols = ", ".join([*COLUMNS, "embedding", "embedding_model"])
        with conn.cursor() as cur:
            for i, b in enumerate(corpus.batches(n, batch)):
                with cur.copy(f"COPY jobs ({cols}) FROM STDIN (FORMAT BINARY)") as copy:
                    copy.set_types([*PG_TYPES, "vector", "varchar"])
                    for row, vec in zip(b.rows, b.embedding, strict=True):
                        copy.write_row((*row, vec, "synthetic-clustered"))
                if i % 20 == 0:
                    print(f"  loaded {min(n, (i + 1) * batch)} / {n}", file=sys.stderr)
        load_s = time.perf_counter() - t0
        conn.execute("ALTER TABLE jobs ENABLE TRIGGER jobs_search_outbox")
        conn.execute("ANALYZE jobs")
        conn.execute(f"SET maintenance_work_mem = '{mwm}'")
        conn.execute(f"SET max_parallel_maintenance_workers = {int(workers)}")
        t0 = time.perf_counter()
        conn.execute(HNSW_DDL)
        build_s = time.perf_counter() - t0
        sizes = conn.execute(
            "SELECT pg_relation_size('ix_jobs_embedding_hnsw'), pg_total_relation_size('jobs')"
        ).fetchone()
        assert sizes is not None
        info = {
            "load_s": round(load_s, 1),
            "hnsw_build_s": round(build_s, 1),
            "hnsw_index_mb": round(sizes[0] / 2**20, 1),
            "jobs_table_total_mb": round(sizes[1] / 2**20, 1),
            "maintenance_work_mem": mwm,
            "parallel_workers": workers,
        }
        conn.execute(
            "INSERT INTO bench_meta VALUES ('corpus', %s), ('load', %s)", (marker, json.dumps(info))
        )
        conn.execute("VACUUM ANALYZE jobs")
        return dict(info, reused=False)


@dataclass
class Series:
    recalls: list[float] = field(default_factory=list)
    ms: list[float] = field(default_factory=list)

    def summary(self) -> dict[str, float]:
        ms = sorted(self.ms)
        return {
            "recall_mean": round(statistics.fmean(self.recalls), 4)
            if self.recalls
            else float("nan"),
            "recall_min": round(min(self.recalls), 4) if self.recalls else float("nan"),
            "p50_ms": round(ms[len(ms) // 2], 2),
            "p95_ms": round(ms[min(len(ms) - 1, int(0.95 * len(ms)))], 2),
        }


async def baseline(
    session: AsyncSession, q: list[float], f: JobFilters, k: int, *, iterative: bool
) -> list[Any]:
    """pgvector as a plain ORDER BY ... LIMIT with the filter in WHERE."""
    dist = Job.embedding.cosine_distance(q)
    stmt = (
        select(Job.id).where(Job.embedding.is_not(None), *job_filter_sql(f)).order_by(dist).limit(k)
    )
    sp = await session.begin_nested()
    try:
        await session.execute(select(func.set_config("hnsw.ef_search", "40", True)))
        mode = "relaxed_order" if iterative else "off"
        await session.execute(select(func.set_config("hnsw.iterative_scan", mode, True)))
        return list((await session.execute(stmt)).scalars())
    finally:
        await sp.rollback()


async def measure(url: URL, corpus: Corpus, args: argparse.Namespace) -> dict[str, Any]:
    engine = make_async_engine(url)
    settings = VectorSearchSettings(
        **({"exact_max_rows": args.exact_max_rows} if args.exact_max_rows is not None else {})
    )
    queries, _ = corpus.query_vectors(args.queries, seed=args.seed + 1)
    cases = [("100%", JobFilters(status=()))] + [
        (label, JobFilters(city=(city,), status=())) for label, city in SELECTIVITY_CITY.items()
    ]
    out: dict[str, Any] = {"settings": settings.model_dump(), "k": args.k, "queries": args.queries}
    rows: list[dict[str, Any]] = []
    async with AsyncSession(engine) as session:
        versions = (
            await session.execute(
                text(
                    "SELECT current_setting('server_version'), "
                    "(SELECT extversion FROM pg_extension WHERE extname = 'vector')"
                )
            )
        ).one()
        out["postgres"], out["pgvector"] = versions[0], versions[1]
        print(f"PostgreSQL {versions[0]}, pgvector {versions[1]}, settings {out['settings']}")
        index = PgVectorIndex(session, settings)
        for q in queries[:3]:  # warm the caches
            await index.search(q.tolist(), JobFilters(status=()), args.k)
        for label, f in cases:
            exact, planned, plain, iterative = Series(), Series(), Series(), Series()
            plan_ms: list[float] = []
            methods: dict[str, int] = {}
            filtered = await index.count_rows(f)
            t0 = time.perf_counter()
            estimate = await index.estimate_rows(f)
            explain_ms = (time.perf_counter() - t0) * 1000
            t0 = time.perf_counter()
            await index.count_rows(f, limit=settings.exact_max_rows + 1)
            bounded_ms = (time.perf_counter() - t0) * 1000
            t0 = time.perf_counter()
            await index.count_rows(f)
            count_ms = (time.perf_counter() - t0) * 1000
            for q in queries:
                vec = q.tolist()
                t0 = time.perf_counter()
                truth = [h.id for h in (await index.search(vec, f, args.k, method="exact")).hits]
                exact.ms.append((time.perf_counter() - t0) * 1000)
                exact.recalls.append(1.0)
                want = set(truth)

                def recall(got: list[Any], want: set[Any] = want) -> float:
                    return len(want & set(got)) / len(want) if want else 1.0

                t0 = time.perf_counter()
                plan = await index.plan(f)
                plan_ms.append((time.perf_counter() - t0) * 1000)
                t0 = time.perf_counter()
                result = await index.search(vec, f, args.k)
                planned.ms.append((time.perf_counter() - t0) * 1000)
                planned.recalls.append(recall([h.id for h in result.hits]))
                methods[result.answered_by] = methods.get(result.answered_by, 0) + 1
                assert plan.method == result.plan.method
                for series, it in ((plain, False), (iterative, True)):
                    t0 = time.perf_counter()
                    got = await baseline(session, vec, f, args.k, iterative=it)
                    series.ms.append((time.perf_counter() - t0) * 1000)
                    series.recalls.append(recall(got))
            await session.commit()
            rows.append(
                {
                    "selectivity": label,
                    "filtered_rows": filtered,
                    "planner_estimate": estimate,
                    "answered_by": methods,
                    "planned": planned.summary(),
                    "plain_hnsw": plain.summary(),
                    "iterative_hnsw": iterative.summary(),
                    "exact": exact.summary(),
                    "plan_ms_p50": round(statistics.median(plan_ms), 3),
                    "explain_ms": round(explain_ms, 3),
                    "bounded_count_ms": round(bounded_ms, 3),
                    "full_count_ms": round(count_ms, 3),
                }
            )
            print_row(rows[-1])
    await engine.dispose()
    out["results"] = rows
    return out


def print_row(r: dict[str, Any]) -> None:
    p, b, i, e = r["planned"], r["plain_hnsw"], r["iterative_hnsw"], r["exact"]
    print(
        f"{r['selectivity']:>5} rows={r['filtered_rows']:>8} est={r['planner_estimate']:>8} "
        f"by={r['answered_by']} | planned recall {p['recall_mean']:.3f} (min {p['recall_min']:.2f}) "
        f"p50 {p['p50_ms']:.1f} p95 {p['p95_ms']:.1f} ms | plain HNSW {b['recall_mean']:.3f} "
        f"p95 {b['p95_ms']:.1f} | iterative {i['recall_mean']:.3f} p95 {i['p95_ms']:.1f} | "
        f"exact p95 {e['p95_ms']:.1f} | EXPLAIN {r['explain_ms']:.2f} bounded count "
        f"{r['bounded_count_ms']:.2f} full count {r['full_count_ms']:.2f} ms"
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--n", type=int, default=100_000, help="jobs in the corpus")
    parser.add_argument("--queries", type=int, default=100)
    parser.add_argument("--k", type=int, default=20)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--db-name", default="tabashir_bench")
    parser.add_argument("--reload", action="store_true", help="load the corpus again")
    parser.add_argument("--batch", type=int, default=5000)
    parser.add_argument("--maintenance-work-mem", default="2GB")
    parser.add_argument("--workers", type=int, default=max(1, min(7, (os.cpu_count() or 2) - 1)))
    parser.add_argument("--exact-max-rows", type=int, default=None, help="override the setting")
    parser.add_argument("--json", type=Path, default=None, help="also write the results here")
    args = parser.parse_args()

    print(machine())
    url = bench_url(args.db_name)
    print(f"database: {url.render_as_string(hide_password=True)}", file=sys.stderr)
    info = load(
        url, args.n, args.seed, reload=args.reload, batch=args.batch,
        mwm=args.maintenance_work_mem, workers=args.workers,
    )  # fmt: skip
    print(
        f"n={args.n}: load {info.get('load_s')} s, HNSW build {info.get('hnsw_build_s')} s, "
        f"index {info.get('hnsw_index_mb')} MB, jobs table {info.get('jobs_table_total_mb')} MB"
        + (" (reused)" if info.get("reused") else "")
    )
    results = asyncio.run(measure(url, Corpus(args.seed), args))
    results.update(n=args.n, load=info)
    if args.json:
        args.json.write_text(json.dumps(results, indent=2, default=str))


if __name__ == "__main__":
    main()
