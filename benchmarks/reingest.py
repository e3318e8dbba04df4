"""Time re-ingesting N unchanged jobs: the path every scheduled feed refresh takes.

Generates N distinct jobs (seeded; about 15 % in Arabic), ingests them once into the
``tabashir_bench`` database, then re-ingests the same feed R times and prints docs/s for

* ``parse + ingest``: JSON bytes → ``read_json`` → ``ingest_jobs`` (what the CLI does), and
* ``ingest only``: already-validated items → ``ingest_jobs`` (what the API does),

with the first (inserting) ingest as the baseline of the same run. Every re-ingest must report
N unchanged and make no write and no embedding call. Everything runs in one transaction that is
rolled back, so the bench database is left as it was. Target: >= 5,000 docs/s re-ingest.

    .venv/bin/python benchmarks/reingest.py            # N = 10,000
    .venv/bin/python benchmarks/reingest.py 500        # a quick check
    .venv/bin/python benchmarks/reingest.py 10000 --skills taxonomy   # the real skill matcher
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import platform
import random
import re
import statistics
import time
from collections.abc import Sequence
from typing import Any

import numpy as np
import structlog
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from api.migrations import upgrade
from indexing.embedder import HashingEmbedder
from ingestion.jobs import JobFeedItem, SkillNormaliser, ingest_jobs, read_json
from ingestion.jobs.text import fold
from models.db import ensure_database, make_async_engine, make_sync_engine, resolve_database_url

BENCH_DB = "tabashir_bench"
SOURCE = "bench-reingest"

ROLES = [
    "Data Analyst", "Backend Engineer", "HR Officer", "Sales Manager", "Payroll Specialist",
    "Marketing Lead", "Accountant", "Registered Nurse", "Civil Engineer", "Procurement Officer",
    "Customer Service Agent", "Logistics Coordinator", "IT Support Engineer", "Chef de Partie",
    "Legal Counsel", "Project Manager", "Graphic Designer", "Electrical Technician",
    "Business Analyst", "Teacher of Mathematics",
]  # fmt: skip
AR_ROLES = ["محاسب", "مهندس مدني", "مندوب مبيعات", "ممرض", "مسؤول موارد بشرية", "مدير مشروع"]
PREFIX = ["Falcon", "Oasis", "Pearl", "Dune", "Gulf", "Palm", "Crescent", "Horizon", "Atlas"]
SUFFIX = ["Analytics", "Trading", "Logistics", "Healthcare", "Contracting", "Hospitality"]
LEGAL = ["LLC", "L.L.C.", "FZ-LLC", "FZE", "Co.", "PJSC", ""]
CITIES = [
    "Dubai, UAE", "Abu Dhabi", "Sharjah - United Arab Emirates", "Riyadh, KSA", "Jeddah",
    "Doha, Qatar", "Kuwait City", "Manama", "Muscat, Oman", "دبي", "الرياض",
]  # fmt: skip
SALARIES = [
    "AED {a}k-{b}k per month", "{a},000 - {b},000 AED", "SAR {a}000 monthly", "Competitive",
    "up to {b}k", "من {a}000 إلى {b}000 درهم", "",
]  # fmt: skip
SKILLS = ["SQL", "Python", "Excel", "Power BI", "SAP", "IFRS", "Tableau", "AutoCAD", "Java"]
DUTIES = [
    "own the monthly reporting cycle", "work with regional teams across the GCC",
    "manage vendor relationships", "improve processes with data", "train junior colleagues",
    "prepare budgets and forecasts", "handle escalations from key accounts",
    "keep documentation current", "lead weekly planning meetings", "audit supplier invoices",
]  # fmt: skip


def generate(n: int, seed: int = 7) -> list[dict[str, Any]]:
    """N distinct jobs: every employer posts each role at most once per city."""
    rng = random.Random(seed)
    jobs = []
    for i in range(n):
        company_no, role_no = divmod(i, len(ROLES))
        company = (
            f"{PREFIX[company_no % len(PREFIX)]} {SUFFIX[company_no // len(PREFIX) % len(SUFFIX)]}"
            f" {company_no} {rng.choice(LEGAL)}"
        ).strip()
        arabic = rng.random() < 0.15
        title = rng.choice(AR_ROLES) + f" {i}" if arabic else ROLES[role_no]
        duties = rng.sample(DUTIES, 4)
        description = (
            f"{company} is looking for a {title} to {duties[0]}, {duties[1]} and {duties[2]}. "
            f"You will also {duties[3]}. Reference {i:06d}. " + " ".join(rng.sample(DUTIES, 5)) * 3
        )
        a = rng.randint(6, 20)
        jobs.append(
            {
                "external_id": f"bench-{i}",
                "title": title,
                "company": company,
                "description": description,
                "requirements": [
                    f"Must have {rng.randint(2, 8)}+ years of experience",
                    f"Strong {rng.choice(SKILLS)} and {rng.choice(SKILLS)}",
                    f"{rng.choice(SKILLS)} is a plus",
                    "Excellent English; Arabic preferred",
                ],
                "skills": rng.sample(SKILLS, 3),
                "location": rng.choice(CITIES),
                "salary": rng.choice(SALARIES).format(a=a, b=a + rng.randint(2, 8)),
                "job_type": rng.choice(["Full-time", "Contract", "دوام كامل", "Part-time", ""]),
                "work_mode": rng.choice(["On-site", "Hybrid", "Remote", "", "عن بعد"]),
                "posted_at": f"2026-11-{1 + i % 28:02d}T08:00:00Z",
            }
        )
    return jobs


class BenchSkills:
    """A small dictionary matcher standing in for the taxonomy (``--skills taxonomy`` for it)."""

    def __init__(self) -> None:
        self._patterns = [
            (re.compile(rf"(?<!\w){re.escape(fold(s))}(?!\w)"), s.lower()) for s in SKILLS
        ]

    def extract(self, text: str) -> list[str]:
        folded = fold(text)
        return [skill for pattern, skill in self._patterns if pattern.search(folded)]


class TaxonomySkills:
    """The real matcher of ``ingestion.skills`` behind our protocol."""

    def __init__(self) -> None:
        from ingestion.skills import extract_skills

        self._extract = extract_skills

    def extract(self, text: str) -> list[str]:
        return list(dict.fromkeys(m.skill_id for m in self._extract(text)))


class CountingEmbedder(HashingEmbedder):
    def __init__(self) -> None:
        super().__init__()
        self.calls = 0

    def embed(self, texts: list[str]) -> np.ndarray:
        self.calls += 1
        return super().embed(texts)


def _rate(n: int, seconds: Sequence[float]) -> str:
    best, median = min(seconds), statistics.median(seconds)
    return f"{n / median:>9,.0f} docs/s median  {n / best:>9,.0f} best  ({median * 1000:,.0f} ms)"


async def run(n: int, repeat: int, skills: SkillNormaliser) -> None:
    server = resolve_database_url()
    url = ensure_database(server, BENCH_DB)
    sync_engine = make_sync_engine(url)
    with sync_engine.begin() as conn:
        upgrade(conn)
    sync_engine.dispose()
    engine = make_async_engine(url)

    raw = json.dumps(generate(n), ensure_ascii=False).encode("utf-8")
    items = [r.item for r in read_json(raw).items]
    assert len(items) == n
    assert all(isinstance(i, JobFeedItem) for i in items)
    embedder = CountingEmbedder()
    print(f"{platform.processor() or platform.machine()}, Python {platform.python_version()}")
    print(f"N = {n:,} jobs, feed {len(raw) / 1e6:.1f} MB, {repeat} re-ingests each way")

    async with engine.connect() as connection:
        transaction = await connection.begin()
        make_session = async_sessionmaker(
            bind=connection, expire_on_commit=False, join_transaction_mode="create_savepoint"
        )
        try:
            async with make_session() as session:
                await _bench(session, raw, items, skills, embedder, n, repeat)
        finally:
            await transaction.rollback()
    await engine.dispose()


async def _bench(
    session: AsyncSession,
    raw: bytes,
    items: list[JobFeedItem],
    skills: SkillNormaliser,
    embedder: CountingEmbedder,
    n: int,
    repeat: int,
) -> None:
    started = time.perf_counter()
    first = await ingest_jobs(session, items, SOURCE, skills, embedder)
    insert_s = time.perf_counter() - started
    print(
        f"first ingest (insert + embed, baseline): {n / insert_s:>9,.0f} docs/s "
        f"({insert_s:.2f} s) created={first.created} duplicates={first.duplicates} "
        f"failed={len(first.failed)}"
    )
    stored = first.created
    embedder.calls = 0

    timings: dict[str, list[float]] = {"parse + ingest": [], "ingest only": []}
    for _ in range(repeat):
        for label in timings:
            started = time.perf_counter()
            feed = read_json(raw) if label == "parse + ingest" else items
            report = await ingest_jobs(session, feed, SOURCE, skills, embedder)
            timings[label].append(time.perf_counter() - started)
            # Duplicates of the first run are recognised again (no alias table yet); the rest
            # must be untouched.
            assert report.unchanged == stored, report
            assert report.created == report.updated == 0, report
    assert embedder.calls == 0, "an unchanged re-ingest must not embed"
    for label, seconds in timings.items():
        print(f"re-ingest unchanged, {label:<15}: {_rate(n, seconds)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("n", nargs="?", type=int, default=10_000, help="jobs in the feed")
    parser.add_argument("--repeat", type=int, default=3, help="re-ingests of each kind")
    parser.add_argument(
        "--skills",
        choices=("bench", "taxonomy"),
        default="bench",
        help="skill normaliser: a small dictionary (default) or ingestion.skills",
    )
    args = parser.parse_args()
    # Per-ingest log lines would be timed too; keep warnings only.
    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(logging.WARNING))
    skills: SkillNormaliser = TaxonomySkills() if args.skills == "taxonomy" else BenchSkills()
    asyncio.run(run(args.n, args.repeat, skills))


if __name__ == "__main__":
    main()
