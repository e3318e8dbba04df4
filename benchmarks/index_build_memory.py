"""Memory of the index builds: the HNSW index in PostgreSQL and the BM25 index (tantivy).

HNSW: drops and rebuilds ``ix_jobs_embedding_hnsw`` in a corpus loaded by vector_recall.py (same
DDL, same maintenance_work_mem and parallel workers), sampling /proc every 50 ms for the private
memory (RssAnon, not the shared buffers every backend maps) of the backend that builds it and of
its parallel workers, and the dynamic shared memory in use (a parallel build keeps the graph
there, in /dev/shm). The server must run on this machine.

BM25: rebuilds the tantivy index from the same database into a scratch folder, in a child
process, and reports that process's peak resident memory (the writer's heap is a setting).

    .venv/bin/python benchmarks/index_build_memory.py --n 100000
    .venv/bin/python benchmarks/index_build_memory.py --n 1000000 --db-name tabashir_bench_1m \\
        --maintenance-work-mem 6GB
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import psycopg
from _corpus import machine
from vector_recall import HNSW_DDL, bench_url, libpq


def rss_anon_kb(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("RssAnon:"):
                return int(line.split()[1])
    except (FileNotFoundError, ProcessLookupError):
        pass
    return 0


def dsm_kb() -> int:
    """Memory in use by PostgreSQL's dynamic shared memory segments (a parallel build keeps its
    graph there): the allocated blocks of /dev/shm/PostgreSQL.* files."""
    total = 0
    for segment in Path("/dev/shm").glob("PostgreSQL.*"):  # noqa: S108 (reads sizes only)
        try:
            total += segment.stat().st_blocks * 512
        except FileNotFoundError:
            continue
    return total // 1024


def parallel_workers(leader: int) -> list[int]:
    """Parallel workers serving ``leader`` (their command line names the leader's pid)."""
    found = []
    for status in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            cmd = status.read_bytes().decode(errors="replace")
        except OSError:
            continue
        if "parallel worker for PID" in cmd and f"PID {leader}" in cmd:
            found.append(int(status.parent.name))
    return found


def hnsw_build(dsn: str, mwm: str, workers: int) -> dict[str, Any]:
    with psycopg.connect(dsn, autocommit=True) as conn:
        pid_row = conn.execute("SELECT pg_backend_pid()").fetchone()
        assert pid_row is not None
        pid = int(pid_row[0])
        conn.execute("DROP INDEX IF EXISTS ix_jobs_embedding_hnsw")
        conn.execute(f"SET maintenance_work_mem = '{mwm}'")
        conn.execute(f"SET max_parallel_maintenance_workers = {int(workers)}")
        base = rss_anon_kb(pid)
        dsm_base = dsm_kb()
        peak = {"leader_kb": 0, "workers_kb": 0, "total_kb": 0, "shared_reserved_kb": 0}
        done = threading.Event()

        def sample() -> None:
            while not done.is_set():
                leader = rss_anon_kb(pid)
                helpers = sum(rss_anon_kb(w) for w in parallel_workers(pid))
                peak["leader_kb"] = max(peak["leader_kb"], leader)
                peak["workers_kb"] = max(peak["workers_kb"], helpers)
                peak["total_kb"] = max(peak["total_kb"], leader + helpers)
                peak["shared_reserved_kb"] = max(peak["shared_reserved_kb"], dsm_kb() - dsm_base)
                time.sleep(0.05)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        t0 = time.perf_counter()
        conn.execute(HNSW_DDL)
        build_s = time.perf_counter() - t0
        done.set()
        sampler.join()
        size = conn.execute("SELECT pg_relation_size('ix_jobs_embedding_hnsw')").fetchone()
        assert size is not None
        conn.execute("ANALYZE jobs")
    return {
        "build_s": round(build_s, 1),
        "index_mb": round(size[0] / 2**20, 1),
        "maintenance_work_mem": mwm,
        "parallel_workers": workers,
        "backend_private_before_mb": round(base / 1024, 1),
        "peak_private_mb": {k.removesuffix("_kb"): round(v / 1024, 1) for k, v in peak.items()},
    }


_BM25_CHILD = """
import asyncio, sys, time
from pathlib import Path
from sqlalchemy.engine import make_url
from indexing.lexical import TantivyJobIndex, rebuild_from_db_async
from models.db import make_async_engine, make_sessionmaker

async def main() -> None:
    engine = make_async_engine(make_url(sys.argv[1]))
    index = TantivyJobIndex(Path(sys.argv[2]))
    t0 = time.perf_counter()
    async with make_sessionmaker(engine)() as session:
        count = await rebuild_from_db_async(session, index)
    print(count, round(time.perf_counter() - t0, 1))
    await engine.dispose()

asyncio.run(main())
"""


def bm25_build(url: str) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as scratch:
        out = subprocess.run(  # noqa: S603 (our interpreter, our script, our paths)
            [sys.executable, "-c", _BM25_CHILD, url, str(Path(scratch) / "lexical")],
            check=True,
            capture_output=True,
            text=True,
        )
        peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        size = sum(p.stat().st_size for p in Path(scratch).rglob("*") if p.is_file())
    count, seconds = out.stdout.split()
    return {
        "documents": int(count),
        "build_s": float(seconds),
        "index_mb": round(size / 2**20, 1),
        # The largest peak of this process's children so far: the rebuild dwarfs the pg_ctl
        # calls that started the embedded server.
        "process_peak_rss_mb": round(peak / 1024, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--db-name", default="tabashir_bench")
    parser.add_argument("--maintenance-work-mem", default="2GB")
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--skip-bm25", action="store_true")
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args()
    url = bench_url(args.db_name)
    out: dict[str, Any] = {"machine": machine(), "n": args.n}
    with psycopg.connect(libpq(url)) as conn:
        row = conn.execute("SELECT count(*) FROM jobs").fetchone()
    if not row or row[0] != args.n:
        sys.exit(f"{args.db_name} holds {row and row[0]} jobs, not {args.n}: run vector_recall.py")
    out["hnsw"] = hnsw_build(libpq(url), args.maintenance_work_mem, args.workers)
    print("hnsw", out["hnsw"], file=sys.stderr)
    if not args.skip_bm25:
        out["bm25"] = bm25_build(url.render_as_string(hide_password=False))
        print("bm25", out["bm25"], file=sys.stderr)
    text = json.dumps(out, indent=2)
    print(text)
    if args.json:
        args.json.write_text(text)


if __name__ == "__main__":
    main()
