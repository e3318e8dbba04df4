"""Latency of the whole matching engine at scale: jobs for a stored CV (top 20, with filters and
explanations) and free-text search including the query embedding.

Runs against the synthetic corpus that benchmarks/vector_recall.py loads into ``tabashir_bench``
(run that first with the same --n). Vectors there are synthetic (clustered by occupation), texts
come from templates; the BM25 index is built here from the database, timed. Chunk rows are added
here too, as the app stores them (one per job, two for every third job, their mean the job's
vector), because the re-ranker reads every pooled job's best chunk.

Before timing, the database's files are read once into the OS page cache (``--no-prewarm``
skips it): a serving machine whose memory fits its database has them there, a fresh machine does
not, and at 1M jobs (8 GB) the difference is most of the variance between runs. Then --warmup
untimed queries (other jobs than the timed ones) bring the index and the hot rows into the
server's buffers, as traffic would; the server's shared_buffers are reported with the figures.
Every query goes through every engine before the next query, in rotating order. Baselines in the
same run: BM25 only, vectors only, the engine with its BM25 filters applied inside the search
(post-filtering off), the engine with every CV term in its BM25 query (max_df_ratio 1), and the
engine with the previous defaults (chunk retrieval on, HNSW oversample 4) when the chunk HNSW
index is built.

    .venv/bin/python benchmarks/match_latency.py --n 100000 --chunk-index
    .venv/bin/python benchmarks/match_latency.py --n 1000000 --db-name tabashir_bench_1m
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import statistics
import sys
import time
import uuid
from pathlib import Path
from typing import Any

import numpy as np
import psycopg
from _corpus import Corpus, machine
from pgvector.psycopg import register_vector
from sqlalchemy import func, select
from sqlalchemy.engine import URL
from vector_recall import bench_url, libpq, prewarm

from api.app import settle
from indexing.embedder import SentenceTransformerEmbedder
from indexing.filters import JobFilters
from indexing.lexical import TantivyJobIndex, rebuild_from_db_async
from indexing.settings import LexicalSettings, VectorSearchSettings
from indexing.vector import PgVectorIndex
from matching.engine import MatchEngine, MatchQuery
from matching.features import CandidateProfile
from matching.profiles import profile_of_text, resolve_skills
from matching.settings import MatchingSettings
from models import Job
from models.db import make_async_engine, make_sessionmaker
from models.enums import JobType


def pct(ms: list[float]) -> dict[str, float]:
    ms = sorted(ms)
    return {
        "p50": round(statistics.median(ms), 2),
        "p95": round(ms[min(len(ms) - 1, int(0.95 * len(ms)))], 2),
    }


def ensure_chunks(url: URL, *, with_index: bool) -> dict[str, Any]:
    """Chunk rows for every job (unless there are some), written by binary COPY; the chunk HNSW
    index (only read when chunk retrieval is switched on) built after the load when asked for."""
    info: dict[str, Any] = {}
    with psycopg.connect(libpq(url), autocommit=True) as conn:
        register_vector(conn)
        have = conn.execute("SELECT count(*) FROM search_chunks").fetchone()
        if not have or have[0] == 0:
            conn.execute("DROP INDEX IF EXISTS ix_search_chunks_embedding_hnsw")
            rng = np.random.default_rng(11)
            t0 = time.perf_counter()
            rows = 0
            cols = "id, doc_type, doc_id, ordinal, text, embedding, embedding_model, content_hash"
            with conn.transaction(), conn.cursor(name="jobs") as read, conn.cursor() as write:
                read.execute("SELECT id, embedding FROM jobs WHERE embedding IS NOT NULL")
                while batch := read.fetchmany(10_000):
                    with write.copy(f"COPY search_chunks ({cols}) FROM STDIN") as copy:
                        for i, (job_id, vec) in enumerate(batch):
                            raw = vec.to_numpy() if hasattr(vec, "to_numpy") else vec
                            d = np.asarray(raw, dtype=np.float32)
                            parts = [d]
                            if (rows + i) % 3 == 0:
                                e = rng.normal(0, 0.02, d.shape).astype(np.float32)
                                parts = [d + e, d - e]
                            for ordinal, p in enumerate(parts):
                                v = p / np.linalg.norm(p)
                                copy.write_row(
                                    (uuid.uuid4(), "job", job_id, ordinal, "chunk", v,
                                     "synthetic-clustered", f"{job_id}-{ordinal}")
                                )  # fmt: skip
                    rows += len(batch)
            info["chunks_load_s"] = round(time.perf_counter() - t0, 1)
            conn.execute("ANALYZE search_chunks")
        indexed = conn.execute(
            "SELECT 1 FROM pg_indexes WHERE indexname = 'ix_search_chunks_embedding_hnsw'"
        ).fetchone()
        if with_index and not indexed:
            conn.execute("SET maintenance_work_mem = '2GB'")
            t0 = time.perf_counter()
            conn.execute(
                "CREATE INDEX ix_search_chunks_embedding_hnsw ON search_chunks USING hnsw "
                "(embedding vector_cosine_ops) WITH (m = 16, ef_construction = 64)"
            )
            info["chunk_hnsw_build_s"] = round(time.perf_counter() - t0, 1)
        # One vector per distinct title, as indexing stores them (titles repeat: a few hundred
        # rows); the job's own vector stands in for its title's. A table from before title
        # vectors existed has none.
        has_titles = conn.execute("SELECT to_regclass('title_embeddings') IS NOT NULL").fetchone()
        if has_titles and has_titles[0]:
            conn.execute(
                "INSERT INTO title_embeddings (title, embedding, embedding_model) "
                "SELECT DISTINCT ON (title) title, embedding, 'synthetic' FROM jobs "
                "WHERE embedding IS NOT NULL ORDER BY title, id ON CONFLICT DO NOTHING"
            )
            titles = conn.execute("SELECT count(*) FROM title_embeddings").fetchone()
            info["title_vectors"] = titles[0] if titles else 0
        counts = conn.execute(
            "SELECT count(*), pg_total_relation_size('search_chunks') FROM search_chunks"
        ).fetchone()
        assert counts is not None
        info["chunks"], info["chunks_table_mb"] = counts[0], round(counts[1] / 2**20, 1)
        info["chunk_index"] = bool(with_index or indexed)
    return info


async def main_async(args: argparse.Namespace) -> dict[str, Any]:
    url = bench_url(args.db_name)
    out: dict[str, Any] = {"machine": machine(), "n": args.n}
    out["chunks"] = ensure_chunks(url, with_index=args.chunk_index)
    print("chunks", out["chunks"], file=sys.stderr)
    if not args.no_prewarm:
        out["prewarm"] = prewarm(url)
        print("prewarm (OS page cache)", out["prewarm"], file=sys.stderr)
    engine_db = make_async_engine(url)
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
                .limit(args.queries + args.warmup)
            )
        ).all()
        sample, warmup = sample[: args.queries], sample[args.queries :]
        conn = await session.connection()
        out["server"] = {
            name: (await conn.exec_driver_sql(f"SHOW {name}")).scalar_one()
            for name in ("shared_buffers", "io_method", "server_version")
        }
        embedder = SentenceTransformerEmbedder()
        matcher = MatchEngine(lexical, embedder)
        await settle(embedder)  # what the API does at start-up: model loaded, heap frozen
        # A server in use has the HNSW graph and the hot rows in its buffers: warm them with
        # other jobs' texts and vectors than the timed ones, under every filter set below.
        t0 = time.perf_counter()
        for title, description, skills, vector in warmup:
            text = f"{title}\n{description}\nSkills: {', '.join(skills)}"
            for filters in (JobFilters(), JobFilters(city=("Dubai",))):
                q = MatchQuery(text=text, vector=list(vector), filters=filters)
                await matcher.match_jobs(session, q)
        out["warmup"] = {"queries": len(warmup), "s": round(time.perf_counter() - t0, 1)}
        print("server", out["server"], "warm-up", out["warmup"], file=sys.stderr)
        engines = {"reranked": matcher}
        # Baseline: BM25 filters inside the search, where tantivy cannot skip (the default
        # before post-filtering).
        inside = TantivyJobIndex(lexical.root, LexicalSettings(post_filter_max_depth=0))
        engines["reranked, BM25 filtered inside"] = MatchEngine(inside, embedder)
        # Baseline: BM25 queries keep their boilerplate terms too (the default before).
        every_term = TantivyJobIndex(lexical.root, LexicalSettings(max_df_ratio=1.0))
        engines["reranked, every query term"] = MatchEngine(every_term, embedder)
        if out["chunks"]["chunk_index"]:
            # The previous defaults, in the same run: chunk retrieval, 4 HNSW candidates per hit.
            engines["reranked, previous defaults"] = MatchEngine(
                lexical,
                embedder,
                MatchingSettings(retrieve_chunks=True, vector_oversample=4),
            )
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
        runs: list[tuple[str, MatchEngine, str]] = [
            ("lexical", matcher, "lexical"),
            ("vector", matcher, "vector"),
            *((name, eng, "reranked") for name, eng in engines.items()),
        ]
        uncached = VectorSearchSettings(plan_cache_s=0)
        for label, filters in filter_sets.items():
            row: dict[str, Any] = {}
            # What planning costs when the plan is not cached (the first query per filter in
            # each plan_cache_s window): EXPLAIN, and a bounded count near the threshold.
            plan_times = []
            for _ in range(5):
                t0 = time.perf_counter()
                plan = await PgVectorIndex(session, uncached).plan(filters)
                plan_times.append((time.perf_counter() - t0) * 1000)
            row["plan_uncached"] = {"method": plan.method, "rows": plan.estimated_rows}
            row["plan_uncached"].update(pct(plan_times))
            # Interleaved, each query through every engine, in an order that rotates: the first
            # engine to ask for a job pays for reading it into the buffers, the others find it
            # there, and rotating spreads that cost evenly instead of favouring later engines.
            by_engine: dict[str, list[float]] = {name: [] for name, _, _ in runs}
            for i, (text, vector, profile) in enumerate(queries):
                # A stored CV: its vector and its titles' vector are read, not computed (the
                # job's vector stands in for the titles').
                q = MatchQuery(
                    text=text, vector=vector, title_vector=vector, profile=profile, filters=filters
                )
                turn = i % len(runs)
                for name, eng, mode in runs[turn:] + runs[:turn]:
                    t0 = time.perf_counter()
                    await eng.match_jobs(session, q, mode=mode)  # type: ignore[arg-type]
                    by_engine[name].append((time.perf_counter() - t0) * 1000)
            for name, series in by_engine.items():
                row[name] = pct(series[1:])  # the first query warms caches
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
        # As GET /api/v1/search/jobs runs a short query: parsed, represented, ranked.
        short_ms = []
        for i in range(args.queries):
            text = short[i % len(short)]
            t0 = time.perf_counter()
            profile = profile_of_text(text)
            await matcher.match_page(session, MatchQuery(text=text, profile=profile))
            short_ms.append((time.perf_counter() - t0) * 1000)
        # A whole 2-page CV pasted as text (POST /api/v1/match/jobs {"text"}): parse, chunk
        # embedding (every chunk, nothing truncated), ranking.
        corpus = Corpus(seed=3)
        parse_ms, embed_ms, total_ms = [], [], []
        for i in range(args.queries):
            text = corpus.cv_text(i % len(corpus.vocab.occupations), seed=i, words=900)
            t0 = time.perf_counter()
            profile = profile_of_text(text)
            t1 = time.perf_counter()
            vector, title = await matcher.represent(text, profile)
            t2 = time.perf_counter()
            await matcher.match_page(
                session, MatchQuery(text=text, profile=profile, vector=vector, title_vector=title)
            )
            t3 = time.perf_counter()
            parse_ms.append((t1 - t0) * 1000)
            embed_ms.append((t2 - t1) * 1000)
            total_ms.append((t3 - t0) * 1000)
        out["free_text_ms"] = {
            "short query, as the search route runs it": pct(short_ms),
            "2-page CV, whole request": pct(total_ms),
            "2-page CV, of which parsing": pct(parse_ms),
            "2-page CV, of which chunk embedding": pct(embed_ms),
            "2-page CV, words": len(text.split()),
        }
    await engine_db.dispose()
    return out


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=100)
    parser.add_argument(
        "--warmup", type=int, default=200, help="untimed queries (other jobs) run first"
    )
    parser.add_argument("--db-name", default="tabashir_bench")
    parser.add_argument("--lexical-dir", type=Path, default=None)
    parser.add_argument(
        "--chunk-index",
        action="store_true",
        help="build the chunk HNSW index too (and time the engine with chunk retrieval on)",
    )
    parser.add_argument("--json", type=Path, default=None)
    parser.add_argument(
        "--no-prewarm",
        action="store_true",
        help="leave the OS page cache as it is (by default the database files are read once)",
    )
    args = parser.parse_args()
    out = asyncio.run(main_async(args))
    text = json.dumps(out, indent=2, ensure_ascii=False)
    print(text)
    if args.json:
        args.json.write_text(text)


if __name__ == "__main__":
    main()
