"""Build time, size and query latency of the tantivy BM25 index over synthetic job texts.

    .venv/bin/python -m benchmarks.lexical_latency --n 100000          # the README figure
    .venv/bin/python -m benchmarks.lexical_latency --n 1000000 --queries 300
    .venv/bin/python -m benchmarks.lexical_latency --n 5000 --queries 20  # a smoke run

Jobs come from ``benchmarks/_corpus.py`` (realistic English and Arabic post texts from templates;
no database is needed). The index is built in a temporary folder (or ``--dir``) through
:class:`indexing.lexical.TantivyJobIndex`, the class the app uses, then queried with:

* ``short``: one to three common terms OR'ed (the case Postgres full-text search takes ~200 ms
  at p95 over 100k rows, because it ranks every matching row);
* ``cv``: a CV-length text (~450 words) as the query, reduced to its most distinctive terms;

each without filters and with a city + job type + salary filter. Reports p50/p95 in milliseconds,
build time, size on disk and the process's peak resident memory.
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import shutil
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks._corpus import COLUMNS, Corpus, machine
from indexing.filters import JobFilters
from indexing.lexical import TantivyJobIndex
from indexing.protocol import SearchDocument
from indexing.settings import LexicalSettings
from models.enums import JobStatus, JobType, WorkMode

SHORT_TERMS = [
    "sales", "manager", "engineer", "accountant", "customer service", "nurse", "driver",
    "marketing", "teacher", "data analysis", "project management", "safety", "python",
    "finance", "hotel", "logistics", "design", "security", "محاسب", "مهندس",
]  # fmt: skip


def documents(corpus: Corpus, n: int, batch: int) -> Iterator[SearchDocument]:
    at = {name: i for i, name in enumerate(COLUMNS)}
    for b in corpus.batches(n, batch):
        for row in b.rows:
            yield SearchDocument(
                id=row[at["id"]],
                title=row[at["title"]],
                skills=tuple(row[at["skills"]]),
                body="\n".join(
                    [row[at["company"]], row[at["description"]], *row[at["requirements"]]]
                ),
                language=row[at["language"]],
                city=row[at["city"]],
                country=row[at["country"]],
                job_type=JobType(row[at["job_type"]]),
                work_mode=WorkMode(row[at["work_mode"]]),
                salary_min=row[at["salary_min"]],
                salary_max=row[at["salary_max"]],
                experience_min=row[at["experience_min"]],
                posted_at=row[at["posted_at"]],
                status=JobStatus(row[at["status"]]),
                company=row[at["company"]],
            )


def folder_mb(path: Path) -> float:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) / 2**20


def percentiles(ms: list[float]) -> dict[str, float]:
    ms = sorted(ms)
    return {
        "p50_ms": round(statistics.median(ms), 3),
        "p95_ms": round(ms[min(len(ms) - 1, int(0.95 * len(ms)))], 3),
        "max_ms": round(ms[-1], 3),
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--n", type=int, default=100_000, help="jobs in the index")
    parser.add_argument("--queries", type=int, default=200, help="queries per kind")
    parser.add_argument("--k", type=int, default=100, help="results per query (a fusion pool)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--batch", type=int, default=5000)
    parser.add_argument("--dir", type=Path, default=None, help="index folder (default: a temp one)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary index folder")
    parser.add_argument("--json", type=Path, default=None, help="also write the results here")
    args = parser.parse_args()

    print(machine())
    corpus = Corpus(args.seed)
    root = args.dir or Path(tempfile.mkdtemp(prefix="tabashir-lexical-bench-"))
    index = TantivyJobIndex(root, LexicalSettings())
    try:
        t0 = time.perf_counter()
        count = index.rebuild_sync(documents(corpus, args.n, args.batch))
        build_s = time.perf_counter() - t0
        size_mb = folder_mb(root)
        print(
            f"n={count}: build {build_s:.1f} s (text generation included), {size_mb:.1f} MB on disk"
        )

        rng = random.Random(args.seed)
        short = [" ".join(rng.sample(SHORT_TERMS, rng.randint(1, 3))) for _ in range(args.queries)]
        n_occ = len(corpus.vocab.occupations)
        cvs = [corpus.cv_text(rng.randrange(n_occ), seed=i) for i in range(args.queries)]
        filtered = JobFilters(
            city=("Dubai", "Abu Dhabi"),
            job_type=(JobType.FULL_TIME, JobType.CONTRACT),
            salary_min=15000,
            posted_since=datetime(2026, 8, 1, tzinfo=corpus.today.tzinfo),
        )
        cases: list[tuple[str, list[str], JobFilters]] = [
            ("short", short, JobFilters(status=())),
            ("short+filters", short, filtered),
            ("cv", cvs, JobFilters(status=())),
            ("cv+filters", cvs, filtered),
        ]
        for q in short[:20] + cvs[:5]:  # warm the page cache and the reader
            index.search_sync(q, JobFilters(), args.k)
        results: dict[str, Any] = {
            "n": count,
            "k": args.k,
            "build_s": round(build_s, 1),
            "size_mb": round(size_mb, 1),
            "cv_words_mean": round(statistics.fmean(len(c.split()) for c in cvs)),
        }
        for name, queries, f in cases:
            ms: list[float] = []
            found: list[int] = []
            for q in queries:
                t0 = time.perf_counter()
                hits = index.search_sync(q, f, args.k)
                ms.append((time.perf_counter() - t0) * 1000)
                found.append(len(hits))
            stats = dict(percentiles(ms), hits_mean=round(statistics.fmean(found), 1))
            results[name] = stats
            print(f"{name:>14}: p50 {stats['p50_ms']:.2f} ms  p95 {stats['p95_ms']:.2f} ms  "
                  f"max {stats['max_ms']:.2f} ms  hits/query {stats['hits_mean']}")  # fmt: skip
        # Incremental sync cost: one job changed, one commit, reader reloaded.
        one = next(documents(corpus, 1, 1))
        t0 = time.perf_counter()
        index.upsert_sync([SearchDocument(**{**one.__dict__, "id": uuid.uuid4()})])
        results["upsert_one_ms"] = round((time.perf_counter() - t0) * 1000, 1)
        results["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
        print(f"upsert of one job (commit + reload): {results['upsert_one_ms']} ms; "
              f"peak RSS {results['peak_rss_mb']} MB")  # fmt: skip
        if args.json:
            args.json.write_text(json.dumps(results, indent=2))
    finally:
        if args.dir is None and not args.keep:
            shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
