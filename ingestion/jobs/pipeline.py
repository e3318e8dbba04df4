"""Feed items → normalised ``models.Job`` rows: upsert by (source, source_id), fuzzy-merge
re-posts, embed what is new or changed in one batch. The caller owns the session and commits.

Re-ingesting an unchanged feed costs one bulk read and no writes: the stored ``content_hash``
(of ``indexing.documents.job_text``) and the stored scalar columns are compared in memory.
"""

from __future__ import annotations

import asyncio
import dataclasses
import re
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Protocol, runtime_checkable

import structlog
from rapidfuzz import fuzz
from sqlalchemy import String, any_, bindparam, func, insert, or_, select, text, update
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.ext.asyncio import AsyncSession

from indexing.documents import content_hash, job_text
from indexing.embedder import Embedder
from ingestion.jobs.feeds import FeedRow, JobFeedItem, ParsedFeed, RowError, SalaryParts
from ingestion.jobs.normalise import (
    COUNTRY_CURRENCY,
    SalaryRange,
    currency_code,
    normalise_city,
    normalise_company,
    normalise_country,
    normalise_title,
    parse_experience,
    parse_job_type,
    parse_salary,
    parse_work_mode,
    salary_from_parts,
    split_requirements,
)
from ingestion.jobs.settings import FeedSettings, get_feed_settings
from ingestion.jobs.text import arabic_share, fold, key
from models import Job
from models.enums import JobStatus, JobType, SalaryPeriod, WorkMode
from models.settings import EMBEDDING_DIM

__all__ = [
    "DuplicateAlias",
    "IngestReport",
    "NormalisedJob",
    "SkillNormaliser",
    "ingest_jobs",
    "normalise_item",
]

log = structlog.get_logger("tabashir.ingestion.jobs")


@runtime_checkable
class SkillNormaliser(Protocol):
    """Finds skills in text and returns their canonical ids in the skill taxonomy.

    Given one skill name ("MS Excel") it returns that skill's id; given a requirement line it
    returns every skill named in it; an unknown name gives ``[]``.
    """

    def extract(self, text: str) -> list[str]: ...


class _MemoNormaliser:
    """Per-run memo: feeds repeat the same skill names and boilerplate lines thousands of times."""

    def __init__(self, inner: SkillNormaliser) -> None:
        self._inner = inner
        self._memo: dict[str, list[str]] = {}

    def extract(self, text: str) -> list[str]:
        found = self._memo.get(text)
        if found is None:
            found = self._memo[text] = list(self._inner.extract(text))
        return found


@dataclass(slots=True)
class NormalisedJob:
    """A feed item mapped onto ``models.Job`` columns, with what duplicate detection needs."""

    source_id: str
    title: str
    company: str
    description: str
    requirements: list[str]
    skills: list[str]
    #: Skills of "nice to have" lines. ``jobs`` has no column for them yet (see docs).
    preferred_skills: list[str]
    city: str | None
    country: str | None
    salary_min: int | None
    salary_max: int | None
    salary_currency: str | None
    salary_period: SalaryPeriod | None
    job_type: JobType | None
    work_mode: WorkMode | None
    experience_min: int | None
    experience_max: int | None
    language: str
    posted_at: datetime | None
    expires_at: datetime | None
    #: Kept for callers; ``jobs`` has no column for it yet (see docs/job-feeds.md).
    url: str | None
    text: str
    content_hash: str
    company_key: str
    title_key: str

    def status(self, now: datetime) -> JobStatus:
        return (
            JobStatus.EXPIRED
            if self.expires_at is not None and self.expires_at <= now
            else JobStatus.OPEN
        )

    def columns(self) -> dict[str, Any]:
        """Values of the ``jobs`` columns this job sets (not id, source, status, embedding)."""
        return {
            "title": self.title,
            "company": self.company,
            "description": self.description,
            "requirements": self.requirements,
            "skills": self.skills,
            **self.scalars(),
            "content_hash": self.content_hash,
        }

    def scalars(self) -> dict[str, Any]:
        """Columns outside the indexed text: a change here updates the row, not the vector."""
        values: dict[str, Any] = {
            "city": self.city,
            "country": self.country,
            "salary_min": self.salary_min,
            "salary_max": self.salary_max,
            "salary_currency": self.salary_currency,
            "salary_period": self.salary_period,
            "job_type": self.job_type,
            "work_mode": self.work_mode,
            "experience_min": self.experience_min,
            "experience_max": self.experience_max,
            "language": self.language,
            "expires_at": self.expires_at,
        }
        if self.posted_at is not None:  # absent from the feed: keep what is stored
            values["posted_at"] = self.posted_at
        return values


@dataclass(frozen=True, slots=True)
class DuplicateAlias:
    """A feed row recognised as a job already stored (or earlier in the same feed)."""

    row: int
    source: str
    source_id: str
    job_id: uuid.UUID
    reason: str


@dataclass(slots=True)
class IngestReport:
    """What one ingest did. ``failed`` holds (row, reason) for every row not ingested."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    duplicates: int = 0
    failed: list[RowError] = field(default_factory=list)
    aliases: list[DuplicateAlias] = field(default_factory=list)
    #: How many texts were sent to the embedder (0 when nothing new or changed, or no embedder).
    embedded: int = 0

    def as_dict(self) -> dict[str, Any]:
        return {
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "duplicates": self.duplicates,
            "embedded": self.embedded,
            "failed": [{"row": f.row, "reason": f.reason} for f in self.failed],
            "aliases": [
                {
                    "row": a.row,
                    "source": a.source,
                    "source_id": a.source_id,
                    "job_id": str(a.job_id),
                    "reason": a.reason,
                }
                for a in self.aliases
            ],
        }


# --------------------------------------------------------------------------------------------
# One item
# --------------------------------------------------------------------------------------------

_LANGUAGES = {
    **dict.fromkeys(("en", "eng", "english", "انجليزي", "الانجليزيه", "انكليزي"), "en"),
    **dict.fromkeys(("ar", "ara", "arabic", "عربي", "العربيه", "عربيه"), "ar"),
}
_SALARY_LINE = re.compile(r"\bsalary\b|\bpay\b|\bcompensation\b|راتب|الراتب")
_SALARY_HINTS = ("salary", "pay", "compensation", "راتب")
_REMOTE_WORDS = re.compile(r"\bremote\b|\banywhere\b|عن بعد")
_MAX_SKILL_CHARS = 200


def _unique(values: Iterable[str]) -> list[str]:
    seen: set[str] = set()
    out: list[str] = []
    for v in values:
        k = v.casefold()
        if v and k not in seen and len(v) <= _MAX_SKILL_CHARS:
            seen.add(k)
            out.append(v)
    return out


def _place(item: JobFeedItem) -> tuple[str | None, str | None]:
    city_ref = normalise_city(item.city)
    location_ref = normalise_city(item.location)
    explicit_country = normalise_country(item.country) if item.country else None
    if explicit_country is None and item.country and re.fullmatch(r"[A-Za-z]{2}", item.country):
        explicit_country = item.country.upper()  # an ISO code outside the Gulf
    for ref in (city_ref, location_ref):
        if ref is not None and ref.city is not None:
            return ref.city, ref.country
    city: str | None = None
    if item.city and city_ref is None and not _REMOTE_WORDS.search(fold(item.city)):
        city = " ".join(item.city.split())[:100]  # a place we do not know: keep it as written
    country = explicit_country or next(
        (ref.country for ref in (city_ref, location_ref) if ref is not None), None
    )
    return city, country


def _salary(item: JobFeedItem, description: str, currency: str | None) -> SalaryRange | None:
    found: SalaryRange | None = None
    if isinstance(item.salary, SalaryParts):
        s = item.salary
        found = salary_from_parts(s.min, s.max, s.currency, s.period, currency)
    elif item.salary:
        found = parse_salary(item.salary, currency)
    elif item.salary_min is not None or item.salary_max is not None:
        found = salary_from_parts(
            item.salary_min, item.salary_max, item.salary_currency, item.salary_period, currency
        )
    else:
        # Many feeds only mention pay inside the description ("Salary: AED 12k–15k").
        for line in description.splitlines():
            folded = fold(line)
            if (
                any(hint in folded for hint in _SALARY_HINTS)
                and _SALARY_LINE.search(folded)
                and (found := parse_salary(line, currency))
            ):
                break
    if found is not None and found.currency is None and item.salary_currency:
        found = dataclasses.replace(found, currency=currency_code(item.salary_currency))
    return found


def _experience(item: JobFeedItem) -> tuple[int | None, int | None]:
    if item.experience_min is not None or item.experience_max is not None:
        low, high = item.experience_min, item.experience_max
        if low is not None and high is not None and low > high:
            low, high = high, low
        return low, high
    for source in (item.experience, "\n".join(item.requirements), item.description):
        found = parse_experience(source)
        if found != (None, None):
            return found
    return None, None


def _language(item: JobFeedItem) -> str:
    if item.language:
        named = _LANGUAGES.get(key(item.language))
        if named:
            return named
        if re.fullmatch(r"[A-Za-z]{2,3}", item.language):
            return item.language.lower()
    # The title and the opening of the description tell the language; the rest adds only time.
    return "ar" if arabic_share(f"{item.title} {item.description[:400]}") > 0.5 else "en"


def normalise_item(item: JobFeedItem, normaliser: SkillNormaliser) -> NormalisedJob:
    """Map one feed item onto ``jobs`` columns: canonical city and country, salary, job type,
    work mode, experience, language, skills (explicit names, then those of required lines;
    preferred lines kept apart) and the content hash of the indexed text.

    Raises ``ValueError`` with a readable reason for an item that cannot be stored.
    """
    if item.posted_at and item.expires_at and item.expires_at < item.posted_at:
        raise ValueError("expires_at is before posted_at")
    title = " ".join(item.title.split())
    company = " ".join(item.company.split())
    description = item.description.strip()
    required_lines, preferred_lines = split_requirements(item.requirements)
    explicit = [s for name in item.skills for s in (normaliser.extract(name) or [name])]
    skills = _unique([*explicit, *(s for line in required_lines for s in normaliser.extract(line))])
    if not skills and description:
        skills = _unique(normaliser.extract(description))
    preferred = [
        s
        for s in _unique(s for line in preferred_lines for s in normaliser.extract(line))
        if s.casefold() not in {k.casefold() for k in skills}
    ]
    city, country = _place(item)
    salary = _salary(item, description, COUNTRY_CURRENCY.get(country or ""))
    job_type = (
        parse_job_type(item.job_type)
        or parse_job_type(title, free_text=True)
        or parse_job_type(description, free_text=True)
    )
    work_mode = (
        parse_work_mode(item.work_mode)
        or parse_work_mode(item.location)
        or parse_work_mode(item.city)
        or parse_work_mode(title, free_text=True)
        or parse_work_mode(description, free_text=True)
    )
    experience_min, experience_max = _experience(item)
    indexed = job_text(title, company, description, item.requirements, skills)
    return NormalisedJob(
        source_id=item.external_id,
        title=title,
        company=company,
        description=description,
        requirements=list(item.requirements),
        skills=skills,
        preferred_skills=preferred,
        city=city,
        country=country,
        salary_min=salary.min if salary else None,
        salary_max=salary.max if salary else None,
        salary_currency=(salary.currency if salary else None),
        salary_period=salary.period if salary else None,
        job_type=job_type,
        work_mode=work_mode,
        experience_min=experience_min,
        experience_max=experience_max,
        language=_language(item),
        posted_at=item.posted_at,
        expires_at=item.expires_at,
        url=item.url,
        text=indexed,
        content_hash=content_hash(indexed),
        company_key=normalise_company(company),
        title_key=normalise_title(title),
    )


# --------------------------------------------------------------------------------------------
# A batch
# --------------------------------------------------------------------------------------------

_MAX_SOURCE_CHARS = 64
# What the unchanged check reads for every row of the feed: small columns only, never text.
_STORED = (
    Job.id,
    Job.source_id,
    Job.content_hash,
    Job.status,
    Job.posted_at,
    Job.city,
    Job.country,
    Job.salary_min,
    Job.salary_max,
    Job.salary_currency,
    Job.salary_period,
    Job.job_type,
    Job.work_mode,
    Job.experience_min,
    Job.experience_max,
    Job.language,
    Job.expires_at,
)


def _text_array(name: str, values: list[str]) -> Any:
    # One array parameter instead of one parameter per value: no limit on the batch size.
    return any_(bindparam(name, values, type_=ARRAY(String())))


@dataclass(slots=True)
class _Candidate:
    """An open job a new item may duplicate: a stored row, or one inserted earlier this run."""

    id: uuid.UUID
    title_key: str
    content_hash: str | None
    posted_at: datetime | None
    expires_at: datetime | None
    description: str | None = None  # folded; loaded only for candidates worth comparing
    pending: dict[str, Any] | None = None  # the insert row, when inserted this run


def _rows(
    items: ParsedFeed | Iterable[JobFeedItem | FeedRow], report: IngestReport
) -> list[FeedRow]:
    if isinstance(items, ParsedFeed):
        report.failed.extend(items.errors)
        return list(items.items)
    return [
        entry if isinstance(entry, FeedRow) else FeedRow(position, entry)
        for position, entry in enumerate(items, start=1)
    ]


# Title words that make two otherwise identical postings different jobs: levels and grades
# ("Engineer II" / "Engineer III", "Accountant" / "Senior Accountant", "محاسب أول").
_LEVEL_WORDS = frozenset(
    key(w)
    for w in (
        *("i", "ii", "iii", "iv", "v", "vi", "junior", "jr", "senior", "sr", "lead", "principal"),
        *("staff", "head", "chief", "assistant", "associate", "trainee", "intern", "graduate"),
        *("entry", "mid", "deputy", "executive", "director", "vp"),
        *("أول", "أولى", "مساعد", "رئيس", "كبير", "مبتدئ", "متدرب", "نائب", "مدير"),
    )
)


def _levels(title_key: str) -> frozenset[str]:
    return frozenset(t for t in title_key.split() if t in _LEVEL_WORDS or t.isdigit())


def _is_duplicate(
    job: NormalisedJob, folded_description: str, candidate: _Candidate, settings: FeedSettings
) -> str | None:
    """Why ``job`` is the same posting as ``candidate`` (same employer and city), or ``None``."""
    if candidate.content_hash == job.content_hash:
        return "same content hash"
    if _levels(job.title_key) != _levels(candidate.title_key):
        return None
    title_ratio = fuzz.token_sort_ratio(job.title_key, candidate.title_key)
    if title_ratio < settings.duplicate_title_ratio or candidate.description is None:
        return None
    if not folded_description and not candidate.description:
        return "same title, employer and city, no description"
    ratio = fuzz.token_set_ratio(folded_description, candidate.description)
    if ratio >= settings.duplicate_description_ratio:
        return f"similar title ({title_ratio:.0f}) and description ({ratio:.0f})"
    return None


def _later(a: datetime | None, b: datetime | None) -> datetime | None:
    return b if a is None or (b is not None and b > a) else a


async def _candidates(
    session: AsyncSession, new: list[tuple[int, NormalisedJob]], settings: FeedSettings
) -> dict[tuple[str, str], list[_Candidate]]:
    """Open jobs sharing an employer key and city with a new item, with the descriptions of
    those whose title is close enough to matter — two queries, however many items."""
    wanted = {(job.company_key, key(job.city or "")) for _, job in new}
    cities = sorted({job.city.lower() for _, job in new if job.city})
    where_city = [func.lower(Job.city) == _text_array("cities", cities)] if cities else []
    if any(not job.city for _, job in new):
        where_city.append(Job.city.is_(None))
    result = await session.execute(
        select(
            Job.id,
            Job.company,
            Job.title,
            Job.city,
            Job.content_hash,
            Job.posted_at,
            Job.expires_at,
        ).where(Job.status == JobStatus.OPEN, or_(*where_city))
    )
    index: dict[tuple[str, str], list[_Candidate]] = {}
    for row in result:
        pair = (normalise_company(row.company), key(row.city or ""))
        if pair in wanted:
            index.setdefault(pair, []).append(
                _Candidate(
                    row.id,
                    normalise_title(row.title),
                    row.content_hash,
                    row.posted_at,
                    row.expires_at,
                )
            )
    close: dict[uuid.UUID, _Candidate] = {}
    for _, job in new:
        for candidate in index.get((job.company_key, key(job.city or "")), []):
            if (
                fuzz.token_sort_ratio(job.title_key, candidate.title_key)
                >= settings.duplicate_title_ratio
            ):
                close[candidate.id] = candidate
    if close:
        descriptions = await session.execute(
            select(Job.id, Job.description).where(
                Job.id == any_(bindparam("ids", list(close), type_=ARRAY(Job.id.type)))
            )
        )
        for job_id, description in descriptions:
            close[job_id].description = fold(description or "")
    return index


async def ingest_jobs(
    session: AsyncSession,
    items: ParsedFeed | Iterable[JobFeedItem | FeedRow],
    source: str,
    normaliser: SkillNormaliser,
    embedder: Embedder | None,
    *,
    settings: FeedSettings | None = None,
    now: datetime | None = None,
) -> IngestReport:
    """Ingest feed items from ``source`` (a feed name, at most 64 characters) into ``jobs``.

    Upserts by (source, external_id): an unchanged item writes nothing; a changed one is
    updated, and re-embedded only if its indexed text changed; a new one is inserted unless it
    duplicates an open job of the same employer and city (same content hash, or a similar
    title and description), in which case the stored job is kept, its dates extended, and the
    row counted in ``duplicates`` / ``aliases``. New and changed texts are embedded in one
    ``embedder.embed`` call off the event loop; without an embedder their vectors are left
    empty for the ``embed_missing`` task. Invalid rows land in ``failed`` with their row number.

    Flushes but never commits: the caller's transaction decides. Ingests of one source are
    serialised with a transaction-scoped advisory lock. Writes are bulk statements, so ``Job``
    objects already loaded in ``session`` keep their old values (reload them with
    ``populate_existing``).
    """
    if not source or len(source) > _MAX_SOURCE_CHARS:
        raise ValueError(f"source must be 1 to {_MAX_SOURCE_CHARS} characters")
    if embedder is not None and embedder.dimension != EMBEDDING_DIM:
        raise ValueError(
            f"embedder {embedder.model_id} makes {embedder.dimension}-d vectors; "
            f"jobs store {EMBEDDING_DIM}-d"
        )
    settings = settings or get_feed_settings()
    now = now or datetime.now(UTC)
    report = IngestReport()
    memo = _MemoNormaliser(normaliser)

    jobs: list[tuple[int, NormalisedJob]] = []
    first_row: dict[str, int] = {}
    for feed_row in _rows(items, report):
        external_id = feed_row.item.external_id
        if external_id in first_row:
            report.failed.append(
                RowError(
                    feed_row.row,
                    f"external_id {external_id!r} already appears at row {first_row[external_id]}",
                )
            )
            continue
        first_row[external_id] = feed_row.row
        try:
            jobs.append((feed_row.row, normalise_item(feed_row.item, memo)))
        except ValueError as exc:
            report.failed.append(RowError(feed_row.row, str(exc)))
    report.failed.sort()
    if not jobs:
        return report

    await session.execute(
        text("SELECT pg_advisory_xact_lock(hashtextextended(:lock, 0))"),
        {"lock": f"tabashir.ingest_jobs:{source}"},
    )
    stored = {
        row.source_id: row
        for row in await session.execute(
            select(*_STORED).where(
                Job.source == source,
                Job.source_id == _text_array("source_ids", [j.source_id for _, j in jobs]),
            )
        )
    }

    inserts: list[dict[str, Any]] = []
    updates: dict[uuid.UUID, dict[str, Any]] = {}
    to_embed: list[tuple[dict[str, Any], str]] = []
    new: list[tuple[int, NormalisedJob]] = []
    for row_no, job in jobs:
        current = stored.get(job.source_id)
        if current is None:
            new.append((row_no, job))
            continue
        changes = {
            column: value
            for column, value in job.scalars().items()
            if getattr(current, column) != value
        }
        status = job.status(now)
        if current.status in (JobStatus.OPEN, JobStatus.EXPIRED) and current.status != status:
            changes["status"] = status  # a recruiter's CLOSED or DRAFT is never overridden
        text_changed = current.content_hash != job.content_hash
        if not changes and not text_changed:
            report.unchanged += 1
            continue
        values: dict[str, Any] = {"id": current.id, **changes, "updated_at": now}
        if text_changed:
            values.update(job.columns())
            values.update(embedding=None, embedding_model=None)
            to_embed.append((values, job.text))
        updates[current.id] = values
        report.updated += 1

    if new:
        index = await _candidates(session, new, settings)
        for row_no, job in new:
            folded = fold(job.description)
            pair = (job.company_key, key(job.city or ""))
            match = next(
                (
                    (candidate, why)
                    for candidate in index.get(pair, [])
                    if (why := _is_duplicate(job, folded, candidate, settings)) is not None
                ),
                None,
            )
            if match is not None:
                candidate, why = match
                _merge_dates(candidate, job, updates, now)
                report.duplicates += 1
                report.aliases.append(
                    DuplicateAlias(row_no, source, job.source_id, candidate.id, why)
                )
                log.info(
                    "job_duplicate_merged",
                    source=source,
                    source_id=job.source_id,
                    job_id=str(candidate.id),
                    reason=why,
                )
                continue
            values = {
                "id": uuid.uuid4(),
                "source": source,
                "source_id": job.source_id,
                "status": job.status(now),
                **job.columns(),
                "posted_at": job.posted_at or now,
                "embedding": None,
                "embedding_model": None,
            }
            inserts.append(values)
            to_embed.append((values, job.text))
            index.setdefault(pair, []).append(
                _Candidate(
                    values["id"],
                    job.title_key,
                    job.content_hash,
                    values["posted_at"],
                    job.expires_at,
                    folded,
                    values,
                )
            )

    if embedder is not None and to_embed:
        vectors = await asyncio.to_thread(embedder.embed, [t for _, t in to_embed])
        if vectors.shape != (len(to_embed), EMBEDDING_DIM):
            raise ValueError(f"embedder returned shape {vectors.shape} for {len(to_embed)} texts")
        for (values, _), vector in zip(to_embed, vectors, strict=True):
            values["embedding"] = vector
            values["embedding_model"] = embedder.model_id
        report.embedded = len(to_embed)

    if inserts:
        await session.execute(insert(Job), inserts)
    if updates:
        # Rows with the same columns go in one executemany.
        by_shape: dict[tuple[str, ...], list[dict[str, Any]]] = {}
        for values in updates.values():
            by_shape.setdefault(tuple(sorted(values)), []).append(values)
        for batch in by_shape.values():
            await session.execute(update(Job), batch)
    report.created = len(inserts)
    await session.flush()
    log.info(
        "jobs_ingested",
        source=source,
        created=report.created,
        updated=report.updated,
        unchanged=report.unchanged,
        duplicates=report.duplicates,
        failed=len(report.failed),
        embedded=report.embedded,
    )
    return report


def _merge_dates(
    candidate: _Candidate,
    job: NormalisedJob,
    updates: dict[uuid.UUID, dict[str, Any]],
    now: datetime,
) -> None:
    """A re-post keeps the stored job alive: its newer posting date and later expiry win."""
    posted = _later(candidate.posted_at, job.posted_at)
    expires = _later(candidate.expires_at, job.expires_at)
    if posted == candidate.posted_at and expires == candidate.expires_at:
        return
    candidate.posted_at, candidate.expires_at = posted, expires
    if candidate.pending is not None:
        candidate.pending.update(posted_at=posted, expires_at=expires)
        return
    values = updates.setdefault(candidate.id, {"id": candidate.id})
    values.update(posted_at=posted, expires_at=expires, updated_at=now)
