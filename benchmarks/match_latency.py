"""Latency of the whole matching engine at scale: jobs for a stored CV (top 20, with filters and
explanations) and free-text search including the query embedding.

Runs against the synthetic corpus that benchmarks/vector_recall.py loads into ``tabashir_bench``
(run that first with the same --n). Vectors there are synthetic (clustered by occupation), texts
come from templates; the BM25 index is built here from the database, timed. Single-signal
latencies (BM25 only, vectors only) are measured in the same run as the baseline.

    .venv/bin/python benchmarks/match_latency.py --n 100000
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import statistics
import sys
import time
from pathlib import Path
from typing import Any

from _corpus import machine
from sqlalchemy import func, select
from vector_recall import bench_url

from indexing.embedder import SentenceTransformerEmbedder
from indexing.filters import JobFilters
from indexing.lexical import TantivyJobIndex, rebuild_from_db_async
from matching.engine import MatchEngine, MatchQuery
from matching.features import CandidateProfile
from matching.profiles import resolve_skills
from models import Job
from models.db import make_async_engine, make_sessionmaker
from models.enums import JobType


def pct(ms: list[float]) -> dict[str, float]:
    ms = sorted(ms)
    return {
        "p50": round(statistics.median(ms), 2),
        "p95": round(ms[min(len(ms) - 1, int(0.95 * len(ms)))], 2),
    }


async def main_async(args: argparse.Namespace) -> dict[str, Any]:
    url = bench_url(args.db_name)
    engine_db = make_async_engine(url)
    out: dict[str, Any] = {"machine": machine(), "n": args.n}
    lexical = TantivyJobIndex(args.lexical_dir or Path("var/bench") / f"lexical_{args.n}")
    async with make_sessionmaker(engine_db)() as session:
        total = (await session.execute(select(func.count()).select_from(Job))).scalar_one()
        if total != args.n:
            sys.exit(f"{args.db_name} holds {total} jobs, not {args.n}: run vector_recall.py first")
        if await lexical.count() != total:
            t0 = time.perf_counter()
            await rebuild_from_db_async(session, lexical)
            out["bm25_build_s"] = round(time.perf_counter() - t0, 1)
        rng = random.Random(7)
        sample = (
            await session.execute(
                select(Job.title, Job.description, Job.skills, Job.embedding)
                .order_by(func.random())
                .limit(args.queries)
            )
        ).all()
        embedder = SentenceTransformerEmbedder()
        matcher = MatchEngine(lexical, embedder)
        queries = []
        for title, description, skills, vector in sample:
            labels, _ = resolve_skills(skills)
            # A CV-like query: a title, a page of text, skills; the stored vector as its vector.
            text = f"{title}\n{description}\nSkills: {', '.join(skills)}"
            profile = CandidateProfile(
                skills=labels,
                years_experience=rng.randint(1, 15),
                city="Dubai",
                country="AE",
                desired_locations=("Dubai",),
                titles=(title,),
                languages=("en",),
            )
            queries.append((text, list(vector), profile))
        filter_sets = {
            "open jobs (no other filter)": JobFilters(),
            "city = Dubai": JobFilters(city=("Dubai",)),
            "city = Dubai, full time, 3 years": JobFilters(
                city=("Dubai",), job_type=(JobType.FULL_TIME,), experience_years=3
            ),
        }
        results: dict[str, Any] = {}
        for label, filters in filter_sets.items():
            row: dict[str, Any] = {}
            for mode in ("lexical", "vector", "reranked"):
                times = []
                for text, vector, profile in queries:
                    q = MatchQuery(text=text, vector=vector, profile=profile, filters=filters)
                    t0 = time.perf_counter()
                    await matcher.match_jobs(session, q, mode=mode)  # type: ignore[arg-type]
                    times.append((time.perf_counter() - t0) * 1000)
                row[mode] = pct(times[1:])  # the first call warms caches
            results[label] = row
            print(label, json.dumps(row), file=sys.stderr)
        out["match_for_stored_cv_ms"] = results

        short = [
            "data analyst",
            "registered nurse dubai",
            "python developer remote",
            "مهندس مدني",
            "sales manager riyadh",
            "accountant ifrs",
        ]
        embedder.embed(["warm up"])
        times, embed_times = [], []
        for i in range(args.queries):
            text = short[i % len(short)]
            t0 = time.perf_counter()
            vector = await matcher.embed(text)
            embed_times.append((time.perf_counter() - t0) * 1000)
            await matcher.match_jobs(
                session, MatchQuery(text=text, vector=vector, limit=20), mode="fused"
            )
            times.append((time.perf_counter() - t0) * 1000)
        out["free_text_search_ms"] = {"total": pct(times), "of_which_embedding": pct(embed_times)}
    await engine_db.dispose()
    return out


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=100)
    parser.add_argument("--db-name", default="tabashir_bench")
    parser.add_argument("--lexical-dir", type=Path, default=None)
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args()
    out = asyncio.run(main_async(args))
    text = json.dumps(out, indent=2, ensure_ascii=False)
    print(text)
    if args.json:
        args.json.write_text(text)


if __name__ == "__main__":
    main()
