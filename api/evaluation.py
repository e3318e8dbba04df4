"""`tabashir evaluate matching`: ranking quality of every ranker on every labelled set we have.

Two sets, both loaded into a database of their own (``<db>_eval``) with a fresh BM25 index and
the real embedding model:

- **generated**: the demo data set (seed fixed), whose jobs and CVs are generated from known
  occupations, so relevance is known by construction: 2 = the CV's own occupation, 1 = the same
  sector, 0 = otherwise. Queries: every demo CV (parsed by our own parser, as production does).
- **sample**: the 5 CVs and 4 job descriptions of ``sample-resumes`` with their hand-made graded
  relevance, the 4 job descriptions indexed among the demo jobs as distractors (assumed not
  relevant: 0).

Rankers: BM25 only, vectors only, the two fused by RRF, and fused + re-ranked by the features.
"""

from __future__ import annotations

import json
import tempfile
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from datetime import time as dtime
from pathlib import Path
from typing import Any, get_args

import psycopg
from psycopg import sql
from sqlalchemy import select
from sqlalchemy.engine import URL
from sqlalchemy.ext.asyncio import AsyncSession

from api.demo.dataset import build_dataset, relevance
from api.demo.loader import load_demo
from api.indexer import refresh_indexes
from api.migrations import upgrade
from indexing.embedder import Embedder
from indexing.lexical import TantivyJobIndex
from indexing.resumes import embed_resumes
from ingestion.cv_parser import parse_cv
from ingestion.extract import extract_in_process
from ingestion.jobs import parse_experience
from ingestion.skills import extract_skills
from matching.engine import MatchEngine, MatchQuery, Mode
from matching.metrics import summarise
from matching.profiles import candidate_profile
from models import Candidate, Job, Resume, User
from models.db import make_async_engine, make_sessionmaker, make_sync_engine
from models.enums import JobStatus

Progress = Callable[[str], None]
SEED = 20261126
TODAY = date(2026, 11, 26)
RANKERS: tuple[Mode, ...] = get_args(Mode)


@dataclass
class MatchingReport:
    #: {set name: {ranker: {metric: value}}}
    results: dict[str, dict[str, dict[str, float]]] = field(default_factory=dict)
    queries: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0
    model: str = ""

    def to_markdown(self) -> str:
        lines = []
        for name, by_ranker in self.results.items():
            metrics = list(next(iter(by_ranker.values())))
            lines.append(f"**{name}** ({self.queries[name]} queries)\n")
            lines.append("| ranker | " + " | ".join(metrics) + " |")
            lines.append("|---|" + "---:|" * len(metrics))
            for ranker, values in by_ranker.items():
                cells = " | ".join(f"{values[m]:.3f}" for m in metrics)
                lines.append(f"| {ranker} | {cells} |")
            lines.append("")
        lines.append(f"model {self.model}; {self.seconds:.0f} s")
        return "\n".join(lines)

    def to_json(self) -> str:
        return json.dumps(
            {"results": self.results, "queries": self.queries, "model": self.model}, indent=2
        )


def _recreate_database(server: URL, name: str) -> URL:
    admin = server.set(drivername="postgresql", database="postgres")
    with psycopg.connect(admin.render_as_string(hide_password=False), autocommit=True) as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    return server.set(database=name)


def _job_description(path: Path) -> dict[str, Any]:
    """A sample job description PDF as a job row: its first line is the title."""
    text = extract_in_process(path.read_bytes()).text
    lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
    title = lines[0].removeprefix("Job Description:").split("(")[0].strip()
    lo, hi = parse_experience(lines[0])
    return {
        "title": title,
        "company": "Tech Solutions",
        "description": "\n".join(lines[1:]),
        "skills": list(dict.fromkeys(m.label for m in extract_skills(text)))[:25],
        "city": "San Francisco",
        "country": "US",
        "experience_min": lo,
        "experience_max": hi,
        "status": JobStatus.OPEN,
        "source": "sample",
        "source_id": path.name,
        "posted_at": datetime.combine(TODAY, dtime(9), tzinfo=UTC),
        "language": "en",
    }


async def _run_queries(
    session: AsyncSession,
    engine: MatchEngine,
    queries: list[tuple[MatchQuery, dict[uuid.UUID, float]]],
    now: datetime,
) -> dict[str, dict[str, float]]:
    out: dict[str, dict[str, float]] = {}
    for mode in RANKERS:
        runs = []
        for query, rel in queries:
            matches = await engine.match_jobs(session, query, mode=mode, now=now)
            runs.append(([m.id for m in matches], rel))
        out[mode] = summarise(runs, k=10, recall_k=50)
    return out


async def evaluate_matching(
    server: URL,
    data_dir: Path,
    embedder: Embedder,
    *,
    progress: Progress = lambda _: None,
) -> MatchingReport:
    """Build the evaluation database and index, run every ranker on every set."""
    started = time.perf_counter()
    url = _recreate_database(server, f"{server.database}_eval")
    sync_engine = make_sync_engine(url)
    with sync_engine.begin() as conn:
        upgrade(conn)
        progress(load_demo(conn, seed=SEED, today=TODAY))
    sync_engine.dispose()

    report = MatchingReport(model=embedder.model_id)
    now = datetime.combine(TODAY, dtime(12), tzinfo=UTC)
    dataset = build_dataset(seed=SEED, today=TODAY)
    engine_db = make_async_engine(url)
    with tempfile.TemporaryDirectory() as tmp:
        lexical = TantivyJobIndex(Path(tmp) / "lexical")
        matcher = MatchEngine(lexical, embedder)
        try:
            async with make_sessionmaker(engine_db)() as session:
                jd_dir = data_dir / "sample-resumes" / "job_descriptions"
                session.add_all(Job(**_job_description(p)) for p in sorted(jd_dir.glob("*.pdf")))
                await session.flush()
                progress("embedding and indexing the evaluation corpus ...")
                await refresh_indexes(session, embedder, lexical)
                await session.commit()

                jobs = {
                    (j.source, j.source_id): j.id
                    for j in (await session.execute(select(Job))).scalars()
                }
                # generated set: relevance known by construction
                rows = await session.execute(
                    select(User.email, Resume, Candidate)
                    .join(Resume, Resume.user_id == User.id)
                    .join(Candidate, Candidate.user_id == User.id)
                )
                by_email = {email: (resume, cand) for email, resume, cand in rows.all()}
                generated = []
                for demo in dataset.candidates:
                    resume, cand = by_email[demo.email.lower()]
                    parsed = parse_cv(demo.cv_text, today=TODAY).model_dump(mode="json")
                    rel: dict[uuid.UUID, float] = {
                        jobs[(j.source, j.source_id)]: float(relevance(j, demo))
                        for j in dataset.jobs
                        if j.status == "open"
                    }
                    query = MatchQuery(
                        text=demo.cv_text,
                        vector=list(resume.embedding) if resume.embedding is not None else None,
                        profile=candidate_profile(parsed, cand, demo.cv_text),
                        limit=50,
                    )
                    generated.append((query, rel))
                progress(f"ranking {len(generated)} generated queries x {len(RANKERS)} rankers ...")
                report.results["generated (demo CVs vs demo jobs)"] = await _run_queries(
                    session, matcher, generated, now
                )
                report.queries["generated (demo CVs vs demo jobs)"] = len(generated)

                truth = json.loads((data_dir / "sample-resumes" / "ground_truth.json").read_text())
                sample = []
                for item in truth["resumes"]:
                    text = extract_in_process(
                        (data_dir / "sample-resumes" / item["file"]).read_bytes()
                    ).text
                    parsed = parse_cv(text, today=TODAY).model_dump(mode="json")
                    vector = embed_resumes([(uuid.uuid4(), text)], embedder)[0].vector
                    rel = {
                        jobs[("sample", name)]: float(grade)
                        for name, grade in item["relevance_to_jds"].items()
                    }
                    sample.append(
                        (
                            MatchQuery(
                                text=text,
                                vector=vector,
                                profile=candidate_profile(parsed, None, text),
                                limit=50,
                            ),
                            rel,
                        )
                    )
                progress(f"ranking {len(sample)} sample queries ...")
                report.results["sample-resumes (graded, 324 jobs)"] = await _run_queries(
                    session, matcher, sample, now
                )
                report.queries["sample-resumes (graded, 324 jobs)"] = len(sample)
        finally:
            await engine_db.dispose()
            admin = server.set(drivername="postgresql", database="postgres")
            with psycopg.connect(admin.render_as_string(hide_password=False), autocommit=True) as c:
                c.execute(
                    sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(
                        sql.Identifier(str(url.database))
                    )
                )
    report.seconds = time.perf_counter() - started
    return report
