"""`tabashir evaluate matching`: ranking quality of every ranker and every signal, on every set.

Each corpus is loaded into a database of its own (``<db>_eval``, dropped afterwards) with a
fresh BM25 index and the real embedding model, then every query runs through the engine:

- **sample-resumes (graded)**: the 5 CVs and 4 job descriptions of ``sample-resumes`` with their
  hand-made graded relevance; the descriptions are indexed among the demo jobs as distractors
  (assumed not relevant: 0). Real human grading, 5 queries.
- **dotin x ESCO**: the dotin CVs against the 3,007 ESCO occupations written as jobs, relevance
  from the annotators' titles (:mod:`matching.realtext`), titles shown and titles masked. The
  score model was not fitted on ESCO: this corpus is held out.
- **dotin x O*NET**: the same CVs against the O*NET occupations: the data the score model was
  fitted on (``scripts/fit_match_model.py`` prints its 5-fold figures); here in-sample.
- **generated demo**: the demo data set, relevance by construction. It shares the taxonomy's
  vocabulary with the skill extractor, so it is reported last and never fitted on.

Rankers: ``lexical`` (BM25), ``vector`` (pgvector), ``fused`` (RRF) as retrieved (at most
``max_depth`` deep, the rest unranked); ``served`` (the engine's ranking as the routes page it);
``final`` (the one score over every job of the corpus) and each signal of the score alone over
every job. Metrics: MAP and AUC (relevant = the top grade), nDCG@10 (graded), P@10; unranked jobs
tie at the bottom.
"""

from __future__ import annotations

import json
import re
import tempfile
import time
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from datetime import time as dtime
from pathlib import Path
from typing import Any

import numpy as np
import psycopg
from psycopg import sql
from sqlalchemy import select
from sqlalchemy.engine import URL
from sqlalchemy.ext.asyncio import AsyncSession

from api.demo.dataset import build_dataset, relevance
from api.demo.loader import load_demo
from api.indexer import refresh_indexes
from api.migrations import upgrade
from api.resumes.glossary import english_title
from indexing.embedder import Embedder
from indexing.filters import JobFilters
from indexing.lexical import TantivyJobIndex
from ingestion.extract import extract_in_process
from ingestion.jobs import parse_experience
from ingestion.skills import extract_skills
from matching.engine import MatchEngine, MatchQuery, resume_query
from matching.features import SIGNALS
from matching.metrics import average_precision, ndcg_at_k
from matching.profiles import profile_of_text
from matching.realtext import RefJob, RefQuery, dotin_queries, esco_jobs, onet_jobs
from models import Job, Resume, User
from models.db import make_async_engine, make_sessionmaker, make_sync_engine
from models.enums import JobStatus

Progress = Callable[[str], None]
SEED = 20261126
TODAY = date(2026, 11, 26)
NOW = datetime.combine(TODAY, dtime(12), tzinfo=UTC)
RETRIEVERS = ("lexical", "vector", "fused")
#: The signals reported alone: the score's relevance signals and its fit checks.
REPORTED_SIGNALS = (*SIGNALS, "experience", "location", "language")


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


def _auc(ranked: Sequence[uuid.UUID], grades: dict[uuid.UUID, float], top: float) -> float | None:
    """ROC AUC of a ranking over all graded ids (relevant: grade >= ``top``); ids missing from
    ``ranked`` tie below every ranked one."""
    position = {job_id: i for i, job_id in enumerate(ranked)}
    n = len(ranked)
    scores = np.array([-(position.get(j, n + 0.5)) for j in grades], dtype=float)
    labels = np.array([g >= top for g in grades.values()])
    pos, neg = scores[labels], scores[~labels]
    if not len(pos) or not len(neg):
        return None
    wins = (pos[:, None] > neg[None, :]).sum() + 0.5 * (pos[:, None] == neg[None, :]).sum()
    return float(wins / (len(pos) * len(neg)))


def metrics(runs: Sequence[tuple[Sequence[uuid.UUID], dict[uuid.UUID, float]]]) -> dict[str, float]:
    """MAP, AUC, nDCG@10 and P@10 averaged over queries (``runs``: ranking, grades of all ids)."""
    aps, aucs, ndcgs, p10 = [], [], [], []
    for ranked, grades in runs:
        top = max(grades.values())
        relevant = {j: g for j, g in grades.items() if g >= top}
        graded = {j: g for j, g in grades.items() if g > 0}
        aps.append(average_precision(ranked, relevant))
        ndcgs.append(ndcg_at_k(ranked, graded, 10))
        p10.append(sum(1 for j in ranked[:10] if j in relevant) / 10)
        auc = _auc(ranked, grades, top)
        if auc is not None:
            aucs.append(auc)
    return {"MAP": _mean(aps), "AUC": _mean(aucs), "nDCG@10": _mean(ndcgs), "P@10": _mean(p10)}


def _mean(values: Sequence[float]) -> float:
    return float(np.mean(values)) if values else 0.0


def _recreate_database(server: URL, name: str) -> URL:
    admin = server.set(drivername="postgresql", database="postgres")
    with psycopg.connect(admin.render_as_string(hide_password=False), autocommit=True) as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    return server.set(database=name)


def _drop_database(server: URL, url: URL) -> None:
    admin = server.set(drivername="postgresql", database="postgres")
    with psycopg.connect(admin.render_as_string(hide_password=False), autocommit=True) as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(
                sql.Identifier(str(url.database))
            )
        )


def _job_row(
    title: str, description: str, skills: Sequence[str], source: str, source_id: str
) -> dict[str, Any]:
    return {
        "title": title[:300],
        "company": "",
        "description": description,
        "skills": list(skills),
        "status": JobStatus.OPEN,
        "source": source,
        "source_id": source_id,
        "posted_at": datetime.combine(TODAY, dtime(9), tzinfo=UTC),
        "language": "en",
    }


def _job_description(path: Path) -> dict[str, Any]:
    """A sample job description PDF as a job row: its first line is the title."""
    text = extract_in_process(path.read_bytes()).text
    lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
    title = lines[0].removeprefix("Job Description:").split("(")[0].strip()
    lo, hi = parse_experience(lines[0])
    row = _job_row(
        title,
        "\n".join(lines[1:]),
        list(dict.fromkeys(m.label for m in extract_skills(text)))[:25],
        "sample",
        path.name,
    )
    row.update(company="Tech Solutions", city="San Francisco", country="US", experience_min=lo)
    row["experience_max"] = hi
    return row


def _text_query(text: str) -> MatchQuery:
    return MatchQuery(
        text=text,
        profile=profile_of_text(text, TODAY),
    )


async def _rank_set(
    session: AsyncSession,
    engine: MatchEngine,
    queries: Sequence[tuple[MatchQuery, dict[uuid.UUID, float]]],
    all_ids: Sequence[uuid.UUID] | None,
) -> dict[str, dict[str, float]]:
    """Every ranker and signal over ``queries`` (each with the grade of every job of
    ``all_ids``; None: of the jobs its grades name)."""
    runs: dict[str, list[tuple[Sequence[uuid.UUID], dict[uuid.UUID, float]]]] = {}
    depth = engine.settings.max_depth
    every = set(all_ids or ()) | {j for _, grades in queries for j in grades}
    titles = await _titles(session, list(every))
    for query, grades in queries:
        deep = replace(query, limit=depth, offset=0)
        for mode in RETRIEVERS:
            hits = await engine.match_jobs(session, deep, mode=mode, whole_pool=True)  # type: ignore[arg-type]
            runs.setdefault(mode, []).append(([h.id for h in hits][:depth], grades))
        served = await engine.match_page(session, deep)
        runs.setdefault("served", []).append(([m.id for m in served.items], grades))
        scored = list((await engine.score_jobs(session, deep, all_ids or list(grades))).values())
        final = sorted(scored, key=lambda m: (-m.score, m.id))
        runs.setdefault("final", []).append(([m.id for m in final], grades))
        before = sorted(
            scored,
            key=lambda m: (-previous_formula(m.features, query.profile.titles, titles[m.id]), m.id),
        )
        runs.setdefault("before: the previous score formula", []).append(
            ([m.id for m in before], grades)
        )
        for name in REPORTED_SIGNALS:
            have = [m for m in scored if name in m.features]
            by_signal = sorted(have, key=lambda m: (-m.features[name], m.id))
            runs.setdefault(f"signal: {name}", []).append(([m.id for m in by_signal], grades))
    return {name: metrics(r) for name, r in runs.items()}


_WORDS = re.compile(r"[\w+#.]+")


def previous_formula(features: Mapping[str, float], cv_titles: Sequence[str], title: str) -> float:
    """What ranked pairs before this score (for the before/after table): the weighted mean of
    skills (3), title word overlap (2), semantic (1) and best chunk (0.5), cosines stretched from
    [0.15, 0.75] onto [0, 1]; a job without skills counted 0.5. (Its fit features are constant on
    these sets and leave the order unchanged.)"""

    def stretch(x: float | None) -> float:
        return 0.0 if x is None else min(1.0, max(0.0, (x - 0.15) / 0.6))

    job_words = {w.lower() for w in _WORDS.findall(title)}
    overlap = 0.0
    for cv_title in cv_titles:
        words = {w.lower() for w in _WORDS.findall(cv_title)}
        if words and job_words:
            overlap = max(overlap, len(words & job_words) / len(words | job_words))
    skills = features.get("skills", 0.5)
    return (
        3 * skills
        + 2 * overlap
        + stretch(features.get("semantic"))
        + 0.5 * stretch(features.get("chunk"))
    )


async def _titles(session: AsyncSession, ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, str]:
    rows = await session.execute(select(Job.id, Job.title).where(Job.id.in_(list(ids))))
    return {job_id: title for job_id, title in rows.all()}


async def _corpus_run(
    server: URL,
    embedder: Embedder,
    rows: Sequence[dict[str, Any]],
    *,
    demo: bool,
    progress: Progress,
    body: Callable[[AsyncSession, MatchEngine, dict[tuple[str, str], uuid.UUID]], Any],
) -> Any:
    """Load a corpus into a fresh database, index it, and run ``body`` against it."""
    url = _recreate_database(server, f"{server.database}_eval")
    sync_engine = make_sync_engine(url)
    with sync_engine.begin() as conn:
        upgrade(conn)
        if demo:
            progress(load_demo(conn, seed=SEED, today=TODAY))
    sync_engine.dispose()
    engine_db = make_async_engine(url)
    try:
        with tempfile.TemporaryDirectory() as tmp:
            lexical = TantivyJobIndex(Path(tmp) / "lexical")
            matcher = MatchEngine(lexical, embedder, title_gloss=english_title)
            async with make_sessionmaker(engine_db)() as session:
                session.add_all(Job(**row) for row in rows)
                await session.flush()
                progress(f"embedding and indexing {len(rows)} jobs ...")
                await refresh_indexes(session, embedder, lexical)
                await session.commit()
                jobs = {
                    (j.source, j.source_id or ""): j.id
                    for j in (await session.execute(select(Job))).scalars()
                }
                return await body(session, matcher, jobs)
    finally:
        await engine_db.dispose()
        _drop_database(server, url)


def _ref_rows(jobs: Sequence[RefJob], source: str) -> list[dict[str, Any]]:
    return [_job_row(j.title, j.description, j.skills, source, str(i)) for i, j in enumerate(jobs)]


async def _realtext(
    server: URL,
    embedder: Embedder,
    jobs: Sequence[RefJob],
    source: str,
    query_sets: dict[str, list[RefQuery]],
    progress: Progress,
) -> dict[str, dict[str, dict[str, float]]]:
    async def body(
        session: AsyncSession, engine: MatchEngine, ids: dict[tuple[str, str], uuid.UUID]
    ) -> dict[str, dict[str, dict[str, float]]]:
        all_ids = [ids[(source, str(i))] for i in range(len(jobs))]
        out = {}
        for name, queries in query_sets.items():
            progress(f"ranking {len(queries)} queries of {name} ...")
            graded = [
                (_text_query(q.text), {all_ids[i]: float(g) for i, g in enumerate(q.grades)})
                for q in queries
            ]
            out[name] = await _rank_set(session, engine, graded, all_ids)
        return out

    result: dict[str, dict[str, dict[str, float]]] = await _corpus_run(
        server, embedder, _ref_rows(jobs, source), demo=False, progress=progress, body=body
    )
    return result


async def evaluate_matching(
    server: URL,
    data_dir: Path,
    embedder: Embedder,
    *,
    progress: Progress = lambda _: None,
    sets: Sequence[str] = ("sample", "esco", "onet", "generated"),
) -> MatchingReport:
    """Build each corpus's database and index, run every ranker on every set."""
    started = time.perf_counter()
    report = MatchingReport(model=embedder.model_id)

    counts: dict[str, int] = {}
    if "sample" in sets or "generated" in sets:
        dataset = build_dataset(seed=SEED, today=TODAY)
        jd_dir = data_dir / "sample-resumes" / "job_descriptions"
        jd_rows = [_job_description(p) for p in sorted(jd_dir.glob("*.pdf"))]

        async def demo_body(
            session: AsyncSession, engine: MatchEngine, ids: dict[tuple[str, str], uuid.UUID]
        ) -> dict[str, dict[str, dict[str, float]]]:
            open_ids = [
                job_id
                for (source, source_id), job_id in ids.items()
                if source == "sample"
                or any(j.source_id == source_id and j.status == "open" for j in dataset.jobs)
            ]
            out = {}
            if "sample" in sets:
                truth = json.loads((data_dir / "sample-resumes" / "ground_truth.json").read_text())
                sample = []
                for item in truth["resumes"]:
                    text = extract_in_process(
                        (data_dir / "sample-resumes" / item["file"]).read_bytes()
                    ).text
                    grades = dict.fromkeys(open_ids, 0.0)
                    grades.update(
                        {
                            ids[("sample", name)]: float(grade)
                            for name, grade in item["relevance_to_jds"].items()
                        }
                    )
                    sample.append((_text_query(text), grades))
                counts["sample"] = len(sample)
                progress(f"ranking {len(sample)} sample queries ...")
                out["sample-resumes (graded, real CVs and job descriptions)"] = await _rank_set(
                    session, engine, sample, open_ids
                )
            if "generated" in sets:
                rows = await session.execute(
                    select(User.email, Resume).join(Resume, Resume.user_id == User.id)
                )
                by_email = {email: resume for email, resume in rows.all()}
                generated = []
                for demo in dataset.candidates:
                    resume = by_email[demo.email.lower()]
                    grades = dict.fromkeys(open_ids, 0.0)
                    grades.update(
                        {
                            ids[(j.source, j.source_id)]: float(relevance(j, demo))
                            for j in dataset.jobs
                            if j.status == "open"
                        }
                    )
                    generated.append((await resume_query(session, resume), grades))
                counts["generated demo (smoke test; never fitted on)"] = len(generated)
                progress(f"ranking {len(generated)} generated queries ...")
                out["generated demo (smoke test; never fitted on)"] = await _rank_set(
                    session, engine, generated, open_ids
                )
                # Across languages: each CV against the open jobs written in the other language
                # only (English CVs and Arabic ads, Arabic CVs and English ads).
                language = {
                    ids[(j.source, j.source_id)]: j.language
                    for j in dataset.jobs
                    if j.status == "open"
                }
                crossed = []
                for demo, (query, grades) in zip(dataset.candidates, generated, strict=True):
                    other = "ar" if demo.cv_language == "en" else "en"
                    subset = {j: g for j, g in grades.items() if language.get(j) == other}
                    if subset and max(subset.values()) > 0:
                        crossed.append(
                            (replace(query, filters=JobFilters(language=(other,))), subset)
                        )
                counts["generated demo, across languages (smoke test; never fitted on)"] = len(
                    crossed
                )
                progress(f"ranking {len(crossed)} cross-language queries ...")
                out[
                    "generated demo, across languages (smoke test; never fitted on)"
                ] = await _rank_set(session, engine, crossed, None)
            return out

        demo_results: dict[str, dict[str, dict[str, float]]] = await _corpus_run(
            server, embedder, jd_rows, demo=True, progress=progress, body=demo_body
        )
    else:
        demo_results = {}

    for name, by_ranker in demo_results.items():
        if name.startswith("sample"):
            report.results[name] = by_ranker
            report.queries[name] = 5
    for key, loader, source, label in (
        ("esco", esco_jobs, "esco", "dotin x ESCO (held out: not fitted on)"),
        ("onet", onet_jobs, "onet", "dotin x O*NET (the fitting data: in-sample)"),
    ):
        if key not in sets:
            continue
        jobs = loader(data_dir)
        query_sets = {
            f"{label}, titles shown": dotin_queries(data_dir, jobs, masked=False),
            f"{label}, titles masked": dotin_queries(data_dir, jobs, masked=True),
        }
        results = await _realtext(server, embedder, jobs, source, query_sets, progress)
        for name, by_ranker in results.items():
            report.results[name] = by_ranker
            report.queries[name] = len(query_sets[name])
    for name, by_ranker in demo_results.items():
        if name.startswith("generated"):  # reported last
            report.results[name] = by_ranker
            report.queries[name] = counts[name]
    report.seconds = time.perf_counter() - started
    return report
