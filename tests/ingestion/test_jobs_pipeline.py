"""ingest_jobs on the real database: upsert by (source, external_id), no work for unchanged
items, re-embedding only changed text, fuzzy duplicate merging, row-level failures."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any, ClassVar

import numpy as np
import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from indexing.documents import content_hash, job_text
from indexing.embedder import HashingEmbedder
from ingestion.jobs.feeds import JobFeedItem, ParsedFeed, RowError, parse_records, read_csv
from ingestion.jobs.pipeline import IngestReport, SkillNormaliser, ingest_jobs, normalise_item
from ingestion.jobs.text import fold
from models import Job
from models.enums import JobStatus, JobType, SalaryPeriod, WorkMode

NOW = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)


class TinySkills:
    """A test double of OUR OWN skill normaliser (ingestion.skills is wired in by the API/CLI):
    a handful of names → canonical ids, matched as whole words in folded text."""

    VOCAB: ClassVar[dict[str, str]] = {
        "python": "python",
        "sql": "sql",
        "excel": "microsoft-excel",
        "إكسل": "microsoft-excel",
        "power bi": "power-bi",
        "tableau": "tableau",
        "ifrs": "ifrs",
        "sap": "sap",
        "kubernetes": "kubernetes",
    }

    def __init__(self) -> None:
        self.calls = 0
        self._patterns = [
            (re.compile(rf"(?<!\w){re.escape(fold(name))}(?!\w)"), skill_id)
            for name, skill_id in self.VOCAB.items()
        ]

    def extract(self, text: str) -> list[str]:
        self.calls += 1
        folded = fold(text)
        return [skill_id for pattern, skill_id in self._patterns if pattern.search(folded)]


class CountingEmbedder(HashingEmbedder):
    """The deterministic embedder, counting calls and texts."""

    def __init__(self) -> None:
        super().__init__()
        self.calls = 0
        self.texts: list[str] = []

    def embed(self, texts: list[str]) -> np.ndarray:
        self.calls += 1
        self.texts.extend(texts)
        return super().embed(texts)


ROLES = [
    ("Data Analyst", "build dashboards, model sales data and present findings to leadership"),
    ("Backend Engineer", "design REST services, tune PostgreSQL queries and own deployments"),
    ("HR Officer", "run recruitment campaigns, onboard new joiners and keep personnel files"),
    ("Sales Manager", "lead a team of six account executives and grow the corporate segment"),
    ("Payroll Specialist", "process monthly payroll for 900 staff and reconcile WPS files"),
    ("Marketing Lead", "plan bilingual campaigns, manage agencies and report on spend"),
]


def item(n: int, **overrides: Any) -> JobFeedItem:
    role, duties = ROLES[(n - 1) % len(ROLES)]
    fields: dict[str, Any] = {
        "external_id": f"ext-{n}",
        "title": role,
        "company": "Falcon Analytics LLC",
        "description": f"Falcon Analytics is hiring a {role} in Dubai to {duties}.",
        "requirements": ["Must know SQL and Python", "Tableau is a plus"],
        "skills": ["Excel"],
        "location": "Dubai, UAE",
        "salary": "AED 12k-15k per month",
        "job_type": "Full-time",
        "work_mode": "Hybrid",
        "experience": "3-5 years",
        "posted_at": "2026-11-10T08:00:00Z",
        "expires_at": "2026-12-10T08:00:00Z",
    }
    fields.update(overrides)
    return JobFeedItem.model_validate(fields)


async def rows(session: AsyncSession, source: str | None = None) -> list[Job]:
    query = (
        select(Job).order_by(Job.source, Job.source_id).execution_options(populate_existing=True)
    )
    if source is not None:
        query = query.where(Job.source == source)
    return list((await session.execute(query)).scalars())


async def count(session: AsyncSession) -> int:
    return (await session.execute(select(func.count()).select_from(Job))).scalar_one()


async def ingest(
    session: AsyncSession,
    items: Any,
    source: str = "feed-a",
    embedder: Any = None,
    skills: SkillNormaliser | None = None,
) -> IngestReport:
    return await ingest_jobs(session, items, source, skills or TinySkills(), embedder, now=NOW)


# --- normalise_item -------------------------------------------------------------------------


@pytest.mark.unit
def test_normalise_item_maps_every_column() -> None:
    job = normalise_item(item(1), TinySkills())
    assert (job.city, job.country) == ("Dubai", "AE")
    assert (job.salary_min, job.salary_max, job.salary_currency, job.salary_period) == (
        12000,
        15000,
        "AED",
        SalaryPeriod.MONTH,
    )
    assert job.job_type is JobType.FULL_TIME
    assert job.work_mode is WorkMode.HYBRID
    assert (job.experience_min, job.experience_max) == (3, 5)
    assert job.language == "en"
    # Explicit skills first, then those of required lines; "a plus" lines kept apart.
    assert job.skills == ["microsoft-excel", "python", "sql"]
    assert job.preferred_skills == ["tableau"]
    assert job.requirements == ["Must know SQL and Python", "Tableau is a plus"]
    assert job.text == job_text(
        job.title, job.company, job.description, job.requirements, job.skills
    )
    assert job.content_hash == content_hash(job.text)
    assert job.company_key == "falcon analytics"
    assert job.status(NOW) is JobStatus.OPEN
    assert job.status(NOW + timedelta(days=60)) is JobStatus.EXPIRED


@pytest.mark.unit
def test_normalise_item_arabic() -> None:
    job = normalise_item(
        JobFeedItem.model_validate(
            {
                "external_id": "ar-1",
                "title": "محاسب أول",
                "company": "شركة الصقر ذ.م.م",
                "description": "نبحث عن محاسب للعمل في الرياض. الراتب: من 9000 إلى 12000 ريال شهرياً.",
                "requirements": "• خبرة 3 سنوات على الأقل\n• إجادة إكسل\n• يفضل معرفة SAP",
                "location": "الرياض",
                "work_mode": "حضوري",
                "job_type": "دوام كامل",
            }
        ),
        TinySkills(),
    )
    assert (job.city, job.country, job.language) == ("Riyadh", "SA", "ar")
    # Salary found in the description, in the country's currency.
    assert (job.salary_min, job.salary_max, job.salary_currency) == (9000, 12000, "SAR")
    assert (job.experience_min, job.experience_max) == (3, None)
    assert job.skills == ["microsoft-excel"]
    assert job.preferred_skills == ["sap"]
    assert (job.job_type, job.work_mode) == (JobType.FULL_TIME, WorkMode.ONSITE)


@pytest.mark.unit
def test_normalise_item_unknown_skill_names_are_kept_and_places_outside_the_gulf() -> None:
    job = normalise_item(
        item(1, skills=["Underwater Basket Weaving"], location=None, city="London", country="GB"),
        TinySkills(),
    )
    assert job.skills[0] == "Underwater Basket Weaving"
    assert (job.city, job.country) == ("London", "GB")


@pytest.mark.unit
def test_normalise_item_refuses_expiry_before_posting() -> None:
    with pytest.raises(ValueError, match="expires_at is before posted_at"):
        normalise_item(item(1, expires_at="2026-01-01"), TinySkills())


# --- the pipeline ---------------------------------------------------------------------------


@pytest.mark.integration
async def test_insert_then_reingest_is_all_unchanged_without_embedding(
    session: AsyncSession,
) -> None:
    embedder = CountingEmbedder()
    feed = [item(n) for n in range(1, 6)]
    first = await ingest(session, feed, embedder=embedder)
    assert (first.created, first.updated, first.unchanged, first.duplicates) == (5, 0, 0, 0)
    assert first.failed == []
    assert embedder.calls == 1  # one batch for all five
    assert first.embedded == 5

    stored = await rows(session, "feed-a")
    assert [j.source_id for j in stored] == [f"ext-{n}" for n in range(1, 6)]
    job = stored[0]
    assert (job.city, job.country, job.salary_min, job.salary_max) == ("Dubai", "AE", 12000, 15000)
    assert job.status is JobStatus.OPEN
    assert job.embedding_model == embedder.model_id
    expected = embedder.embed(
        [job_text(job.title, job.company, job.description, job.requirements, job.skills)]
    )[0]
    assert np.allclose(np.asarray(job.embedding), expected, atol=1e-6)
    assert job.content_hash == content_hash(
        job_text(job.title, job.company, job.description, job.requirements, job.skills)
    )
    updated_at = job.updated_at

    embedder.calls = 0
    second = await ingest(session, [item(n) for n in range(1, 6)], embedder=embedder)
    assert (second.created, second.updated, second.unchanged, second.duplicates) == (0, 0, 5, 0)
    assert embedder.calls == 0
    assert second.embedded == 0
    assert (await rows(session, "feed-a"))[0].updated_at == updated_at


@pytest.mark.integration
async def test_changed_description_is_updated_and_re_embedded(session: AsyncSession) -> None:
    embedder = CountingEmbedder()
    await ingest(session, [item(1), item(2)], embedder=embedder)
    before = {j.source_id: j.embedding for j in await rows(session)}
    embedder.calls, embedder.texts = 0, []

    changed = item(2, description="Now also owns the data warehouse and the SQL models.")
    report = await ingest(session, [item(1), changed], embedder=embedder)
    assert (report.created, report.updated, report.unchanged) == (0, 1, 1)
    assert embedder.calls == 1
    assert len(embedder.texts) == 1
    assert "data warehouse" in embedder.texts[0]

    after = {j.source_id: j for j in await rows(session)}
    assert after["ext-2"].description.startswith("Now also owns")
    assert not np.allclose(np.asarray(after["ext-2"].embedding), np.asarray(before["ext-2"]))
    assert np.allclose(np.asarray(after["ext-1"].embedding), np.asarray(before["ext-1"]))


@pytest.mark.integration
async def test_changed_salary_updates_the_row_but_not_the_vector(session: AsyncSession) -> None:
    embedder = CountingEmbedder()
    await ingest(session, [item(1)], embedder=embedder)
    embedder.calls = 0
    report = await ingest(session, [item(1, salary="AED 14k-18k per month")], embedder=embedder)
    assert (report.updated, report.embedded, embedder.calls) == (1, 0, 0)
    (job,) = await rows(session)
    assert (job.salary_min, job.salary_max) == (14000, 18000)
    assert job.embedding is not None


@pytest.mark.integration
async def test_repost_under_a_new_id_is_a_duplicate(session: AsyncSession) -> None:
    await ingest(session, [item(1)], embedder=HashingEmbedder())
    (original,) = await rows(session)

    repost = item(1, external_id="ext-1-repost", posted_at="2026-11-18T08:00:00Z")
    report = await ingest(session, [repost], embedder=HashingEmbedder())
    assert (report.created, report.duplicates) == (0, 1)
    (alias,) = report.aliases
    assert (alias.source_id, alias.job_id, alias.reason) == (
        "ext-1-repost",
        original.id,
        "same content hash",
    )
    (kept,) = await rows(session)
    assert kept.id == original.id
    assert kept.source_id == "ext-1"
    assert kept.posted_at == datetime(2026, 11, 18, 8, tzinfo=UTC)  # the newer posting date


@pytest.mark.integration
async def test_the_same_job_from_two_sources_is_one_row(session: AsyncSession) -> None:
    embedder = CountingEmbedder()
    await ingest(session, [item(1)], source="bayt-like", embedder=embedder)
    # Another board: legal form spelt differently, noise in the title, the description lightly
    # edited, the city in Arabic, a later expiry.
    other = item(
        1,
        external_id="999",
        company="Falcon Analytics L.L.C.",
        title="URGENT: Data Analyst (M/F)",
        description=(
            "Falcon Analytics is hiring a Data Analyst in Dubai to build dashboards, model the "
            "sales data and present findings to leadership!"
        ),
        location="دبي",
        skills=["Excel", "Power BI"],
        expires_at="2027-01-31T00:00:00Z",
    )
    embedder.calls = 0
    report = await ingest(session, [other], source="gulf-board", embedder=embedder)
    assert (report.created, report.duplicates) == (0, 1)
    assert report.aliases[0].reason.startswith("similar title")
    assert embedder.calls == 0
    (job,) = await rows(session)
    assert job.source == "bayt-like"
    assert job.expires_at == datetime(2027, 1, 31, tzinfo=UTC)


@pytest.mark.integration
async def test_duplicates_within_one_feed_and_distinct_jobs(session: AsyncSession) -> None:
    feed = [
        item(1),
        item(1, external_id="ext-1-again"),  # the same job twice in one feed
        item(2),  # same employer and city, different title and text: a different job
        item(1, external_id="ext-1-sharjah", location="Sharjah"),  # another city: another job
    ]
    report = await ingest(session, feed, embedder=HashingEmbedder())
    assert (report.created, report.duplicates) == (3, 1)
    assert sorted(j.source_id or "" for j in await rows(session)) == [
        "ext-1",
        "ext-1-sharjah",
        "ext-2",
    ]


@pytest.mark.integration
async def test_levels_and_grades_are_different_jobs(session: AsyncSession) -> None:
    same_text = "Build and run our payments platform in Dubai with Python and PostgreSQL."
    feed = [
        item(1, title="Software Engineer II", description=same_text),
        item(2, title="Software Engineer III", description=same_text),
        item(3, title="Senior Software Engineer", description=same_text),
    ]
    report = await ingest(session, feed)
    assert (report.created, report.duplicates) == (3, 0)


@pytest.mark.integration
async def test_a_closed_job_is_not_a_duplicate_target_nor_reopened(
    session: AsyncSession,
) -> None:
    await ingest(session, [item(1)], embedder=None)
    (job,) = await rows(session)
    job.status = JobStatus.CLOSED  # a recruiter closed it
    await session.flush()

    again = await ingest(session, [item(1)])
    assert again.unchanged == 1
    assert (await rows(session))[0].status is JobStatus.CLOSED

    repost = await ingest(session, [item(1, external_id="ext-1-new")])
    assert (repost.created, repost.duplicates) == (1, 0)


@pytest.mark.integration
async def test_bad_rows_fail_with_their_number_and_the_rest_ingest(
    session: AsyncSession,
) -> None:
    feed = parse_records(
        [
            item(1).model_dump(),
            {"title": "no id", "company": "Acme"},
            item(2, expires_at="2026-01-01").model_dump(),
            item(3).model_dump(),
            item(3, title="Same id again").model_dump(),
        ]
    )
    report = await ingest(session, feed)
    assert report.created == 2
    assert [f.row for f in report.failed] == [2, 3, 5]
    assert "external_id" in report.failed[0].reason
    assert report.failed[1] == RowError(3, "expires_at is before posted_at")
    assert "already appears at row 4" in report.failed[2].reason
    assert sorted(j.source_id or "" for j in await rows(session)) == ["ext-1", "ext-3"]


@pytest.mark.integration
async def test_expired_items_and_no_embedder(session: AsyncSession) -> None:
    report = await ingest(
        session,
        [item(1, posted_at="2026-09-01T00:00:00Z", expires_at="2026-10-01T00:00:00Z")],
        embedder=None,
    )
    assert (report.created, report.embedded) == (1, 0)
    (job,) = await rows(session)
    assert job.status is JobStatus.EXPIRED
    assert job.embedding is None  # left for the embed_missing task
    assert job.content_hash is not None

    # The feed extends it: open again, and it now gets its vector.
    embedder = CountingEmbedder()
    extended = await ingest(
        session,
        [item(1, posted_at="2026-09-01T00:00:00Z", expires_at="2026-12-31T00:00:00Z")],
        embedder=embedder,
    )
    assert extended.updated == 1
    assert (await rows(session))[0].status is JobStatus.OPEN


@pytest.mark.integration
async def test_missing_posted_at_defaults_to_now_and_is_kept(session: AsyncSession) -> None:
    await ingest(session, [item(1, posted_at=None, expires_at=None)])
    (job,) = await rows(session)
    assert job.posted_at == NOW
    again = await ingest(session, [item(1, posted_at=None, expires_at=None)])
    assert again.unchanged == 1


@pytest.mark.integration
async def test_csv_file_end_to_end(session: AsyncSession) -> None:
    data = (
        "Ref,Role,Employer,Where,Pay,Kind,Mode,Years,Text\n"
        'r1,Accountant,Gulf Care LLC,"Doha, Qatar",QAR 9000-11000,Full-time,On-site,3+ years,'
        "Keep the books.\n"
        "r2,,Gulf Care LLC,Doha,,,,,\n"
        "r3,محاسب,شركة الخليج,جدة,من 7000 إلى 9000 ريال,دوام جزئي,عن بعد,خبرة سنتين,مسك الدفاتر\n"
    ).encode()
    feed = read_csv(
        data,
        {
            "external_id": "Ref",
            "title": "Role",
            "company": "Employer",
            "location": "Where",
            "salary": "Pay",
            "job_type": "Kind",
            "work_mode": "Mode",
            "experience": "Years",
            "description": "Text",
        },
    )
    report = await ingest(session, feed, source="csv-upload", embedder=HashingEmbedder())
    assert (report.created, [f.row for f in report.failed]) == (2, [3])
    by_id = {j.source_id: j for j in await rows(session)}
    r1, r3 = by_id["r1"], by_id["r3"]
    assert (r1.city, r1.country, r1.salary_currency, r1.salary_min, r1.salary_max) == (
        "Doha",
        "QA",
        "QAR",
        9000,
        11000,
    )
    assert (r1.job_type, r1.work_mode, r1.experience_min) == (
        JobType.FULL_TIME,
        WorkMode.ONSITE,
        3,
    )
    assert (r3.city, r3.country, r3.language, r3.salary_currency) == ("Jeddah", "SA", "ar", "SAR")
    assert (r3.job_type, r3.work_mode, r3.experience_min) == (
        JobType.PART_TIME,
        WorkMode.REMOTE,
        2,
    )


@pytest.mark.integration
async def test_empty_and_all_invalid_feeds_write_nothing(session: AsyncSession) -> None:
    before = await count(session)
    assert (await ingest(session, [])).created == 0
    report = await ingest(session, ParsedFeed(errors=[RowError(1, "bad")]))
    assert report.failed == [RowError(1, "bad")]
    assert await count(session) == before


@pytest.mark.integration
async def test_skill_normaliser_is_called_once_per_distinct_text(session: AsyncSession) -> None:
    skills = TinySkills()
    await ingest(session, [item(n) for n in range(1, 21)], skills=skills)
    # 20 items share one skill name and two requirement lines: three distinct texts.
    assert skills.calls == 3


@pytest.mark.unit
async def test_bad_arguments() -> None:
    with pytest.raises(ValueError, match="source"):
        await ingest_jobs(None, [], "x" * 65, TinySkills(), None)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="384"):
        await ingest_jobs(None, [], "feed", TinySkills(), HashingEmbedder(dimension=8))  # type: ignore[arg-type]
