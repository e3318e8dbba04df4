"""The one conformance suite every index backend passes (pgvector, tantivy; Elasticsearch later).

Subclass :class:`IndexConformance` in a ``test_*.py`` module, set ``lexical`` / ``vector`` to what
the backend answers, and provide a ``backend`` fixture returning a :class:`Backend` over a fresh,
empty index. Every backend is checked against the same pure reference of the filter semantics
(:func:`reference_matches`), itself checked against ``job_filter_sql`` on Postgres in
``test_vector.py``: so backends agree with each other and with SQL on every filtered set.
"""

from __future__ import annotations

import itertools
import uuid
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any, ClassVar

import numpy as np
import pytest

from indexing.embedder import HashingEmbedder
from indexing.filters import JobFilters
from indexing.protocol import DocumentIndex, Hit, InvalidQuery, SearchDocument
from models.enums import JobStatus, JobType, WorkMode

_embedder = HashingEmbedder()
_NS = uuid.UUID("6f1d3f0e-2f7e-4a59-9d0b-2f3c6a1e9b10")


def doc_id(n: int) -> uuid.UUID:
    return uuid.uuid5(_NS, f"doc-{n}")


def embed(text: str) -> list[float]:
    return [float(x) for x in _embedder.embed([text])[0]]


def with_vector(doc: SearchDocument) -> SearchDocument:
    text = " ".join([doc.title, *doc.skills, doc.body])
    return replace(doc, vector=embed(text), embedding_model=_embedder.model_id)


_TITLES = [
    ("Data Analyst", ("SQL", "Python", "Tableau"), "Analyse sales data and build dashboards."),
    ("Backend Engineer", ("Python", "PostgreSQL", "Docker"), "Build APIs for payments."),
    ("Nurse", ("Patient care", "BLS"), "Care for patients in a busy ward."),
    ("Accountant", ("IFRS", "Excel", "VAT"), "Prepare monthly accounts and VAT returns."),
    ("Sales Manager", ("Negotiation", "CRM"), "Lead a team selling to retailers."),
    ("محاسب", ("إكسل", "ضريبة القيمة المضافة"), "إعداد الحسابات الشهرية والإقرارات الضريبية."),
    ("مهندس برمجيات", ("بايثون", "قواعد البيانات"), "تطوير واجهات برمجية للمدفوعات."),
]
_CITIES = [
    ("Dubai", "AE"),
    ("Abu Dhabi", "AE"),
    ("Sharjah", "AE"),
    ("Riyadh", "SA"),
    ("Doha", "QA"),
    (None, None),
]
_COMPANIES = ["Falcon Analytics LLC", "Gulf Care Hospital", "Oasis Retail", "Noor Tech"]


def corpus() -> list[SearchDocument]:
    """42 jobs whose filter fields cover every case: missing values, edges, both languages."""
    docs: list[SearchDocument] = []
    salaries: list[tuple[int | None, int | None]] = [
        (8000, 12000),
        (15000, 25000),
        (None, None),
        (None, 9000),
        (20000, None),
        (12000, 12000),
    ]
    for n in range(42):
        title, skills, body = _TITLES[n % len(_TITLES)]
        city, country = _CITIES[n % len(_CITIES)]
        salary_min, salary_max = salaries[n % len(salaries)]
        arabic = n % len(_TITLES) >= 5
        docs.append(
            with_vector(
                SearchDocument(
                    id=doc_id(n),
                    title=f"{title} {n}",
                    skills=skills,
                    # "role" in every body: one word every document matches.
                    body=f"{body} Role number {n}.",
                    language="ar" if arabic else "en",
                    city=city,
                    country=country,
                    job_type=list(JobType)[n % len(JobType)],
                    work_mode=None if n % 9 == 0 else list(WorkMode)[n % len(WorkMode)],
                    salary_min=salary_min,
                    salary_max=salary_max,
                    experience_min=None if n % 4 == 0 else n % 8,
                    posted_at=None
                    if n % 10 == 0
                    else datetime(2026, 10, 1 + n % 28, 12, 0, n % 60, tzinfo=UTC),
                    status=JobStatus.CLOSED
                    if n % 7 == 3
                    else (JobStatus.DRAFT if n % 11 == 5 else JobStatus.OPEN),
                    company=_COMPANIES[n % len(_COMPANIES)],
                )
            )
        )
    return docs


FILTER_CASES: list[tuple[str, JobFilters]] = [
    ("default_open", JobFilters()),
    ("everything", JobFilters(status=())),
    ("city", JobFilters(city=("Dubai",))),
    ("two_cities", JobFilters(city=("Dubai", "Doha"), status=())),
    ("country_lower", JobFilters(country=("ae",))),
    ("job_type", JobFilters(job_type=(JobType.CONTRACT, JobType.PART_TIME))),
    ("work_mode", JobFilters(work_mode=(WorkMode.REMOTE,), status=())),
    ("salary_wish", JobFilters(salary_min=12000)),
    ("salary_wish_edge", JobFilters(salary_min=12001, status=())),
    ("salary_ceiling", JobFilters(salary_max=12000, status=())),
    ("salary_band", JobFilters(salary_min=10000, salary_max=16000)),
    ("experience", JobFilters(experience_years=3)),
    ("experience_zero", JobFilters(experience_years=0, status=())),
    ("language_ar", JobFilters(language=("ar",))),
    ("posted_since", JobFilters(posted_since=datetime(2026, 10, 15, tzinfo=UTC))),
    (
        "posted_since_to_the_second",
        JobFilters(posted_since=datetime(2026, 10, 9, 12, 0, 8, tzinfo=UTC), status=()),
    ),
    ("closed", JobFilters(status=(JobStatus.CLOSED,))),
    ("company", JobFilters(company=("Noor Tech",), status=())),
    (
        "combined",
        JobFilters(
            city=("Dubai", "Riyadh", "Abu Dhabi"),
            job_type=(JobType.FULL_TIME, JobType.CONTRACT, JobType.INTERNSHIP),
            salary_min=9000,
            experience_years=5,
            status=(JobStatus.OPEN, JobStatus.DRAFT),
        ),
    ),
    ("nothing", JobFilters(city=("Atlantis",))),
]


def reference_matches(doc: SearchDocument, f: JobFilters) -> bool:
    """The filter semantics, written plainly: what ``job_filter_sql`` means."""

    def within(value: Any, allowed: Sequence[Any]) -> bool:
        return not allowed or (value is not None and value in allowed)

    return (
        within(doc.city, f.city)
        and within(doc.country, [c.upper() for c in f.country])
        and within(doc.job_type, f.job_type)
        and within(doc.work_mode, f.work_mode)
        and (f.salary_min is None or doc.salary_max is None or doc.salary_max >= f.salary_min)
        and (f.salary_max is None or doc.salary_min is None or doc.salary_min <= f.salary_max)
        and (
            f.experience_years is None
            or doc.experience_min is None
            or doc.experience_min <= f.experience_years
        )
        and within(doc.language, f.language)
        and (
            f.posted_since is None
            or (doc.posted_at is not None and doc.posted_at >= f.posted_since)
        )
        and within(doc.status, f.status)
        and within(doc.company, f.company)
    )


@dataclass
class Backend:
    """An empty index and how to make documents known to the system of record first."""

    index: DocumentIndex
    #: Called with documents before they are first upserted (pgvector: insert the job rows).
    prepare: Callable[[Sequence[SearchDocument]], Awaitable[None]]


async def _nothing(docs: Sequence[SearchDocument]) -> None:
    return None


def no_preparation() -> Callable[[Sequence[SearchDocument]], Awaitable[None]]:
    return _nothing


HOSTILE = [
    "Dubai'; DROP TABLE jobs; --",
    'title:"Nurse" OR *:*',
    "* AND (",
    "\\ ^ ~ { } [ ] \" ' : / !",
    "Dubai OR Doha",
    "*",
]


class IndexConformance:
    """What every backend must do. Subclasses provide the ``backend`` fixture."""

    lexical: ClassVar[bool] = False
    vector: ClassVar[bool] = False

    @pytest.fixture
    def backend(self) -> Backend:  # pragma: no cover - overridden
        raise NotImplementedError

    # -- helpers ------------------------------------------------------------------------------

    async def load(
        self, backend: Backend, docs: list[SearchDocument] | None = None
    ) -> list[SearchDocument]:
        docs = corpus() if docs is None else docs
        await backend.prepare(docs)
        await backend.index.upsert(docs)
        return docs

    async def search_all(self, backend: Backend, f: JobFilters, k: int = 500) -> list[Hit]:
        """Every document passing ``f``, through each kind of search the backend offers."""
        results: list[list[Hit]] = []
        if self.lexical:
            results.append(await backend.index.search_lexical("role", f, k))  # type: ignore[attr-defined]
        if self.vector:
            results.append(await backend.index.search_vector(embed("role data"), f, k))  # type: ignore[attr-defined]
        first = results[0]
        for other in results[1:]:
            assert {h.id for h in other} == {h.id for h in first}
        return first

    async def top_ids(
        self, backend: Backend, doc: SearchDocument, text: str, k: int = 3
    ) -> list[uuid.UUID]:
        if self.lexical:
            hits = await backend.index.search_lexical(text, JobFilters(status=()), k)  # type: ignore[attr-defined]
        else:
            hits = await backend.index.search_vector(embed(text), JobFilters(status=()), k)  # type: ignore[attr-defined]
        return [h.id for h in hits]

    # -- the suite ----------------------------------------------------------------------------

    async def test_empty_index_answers_nothing(self, backend: Backend) -> None:
        assert await backend.index.count() == 0
        assert await self.search_all(backend, JobFilters(status=())) == []

    async def test_upsert_then_count(self, backend: Backend) -> None:
        docs = await self.load(backend)
        assert await backend.index.count() == len(docs)

    @pytest.mark.parametrize(("name", "filters"), FILTER_CASES, ids=[c[0] for c in FILTER_CASES])
    async def test_filtered_set_matches_the_reference(
        self, backend: Backend, name: str, filters: JobFilters
    ) -> None:
        docs = await self.load(backend)
        expected = {d.id for d in docs if reference_matches(d, filters)}
        got = await self.search_all(backend, filters)
        assert {h.id for h in got} == expected, name
        assert len(got) == len(expected)  # no document twice

    async def test_hits_are_ranked(self, backend: Backend) -> None:
        await self.load(backend)
        hits = await self.search_all(backend, JobFilters(status=()), k=10)
        assert [h.rank for h in hits] == list(range(1, len(hits) + 1))
        assert all(a.score >= b.score for a, b in itertools.pairwise(hits))
        assert len(hits) == 10

    async def test_k_limits_and_is_checked(self, backend: Backend) -> None:
        await self.load(backend)
        assert len(await self.search_all(backend, JobFilters(status=()), k=5)) == 5
        with pytest.raises(InvalidQuery):
            await self.search_all(backend, JobFilters(), k=0)

    async def test_upsert_then_search_finds_it(self, backend: Backend) -> None:
        await self.load(backend)
        new = with_vector(
            SearchDocument(
                id=doc_id(1000),
                title="Falconry Instructor",
                skills=("Falconry", "Desert safety"),
                body="Teach falconry to visitors. Role in the desert.",
                city="Al Ain",
                country="AE",
            )
        )
        await self.load(backend, [new])
        assert (await self.top_ids(backend, new, "falconry instructor desert"))[0] == new.id
        got = await self.search_all(backend, JobFilters(city=("Al Ain",)))
        assert [h.id for h in got] == [new.id]

    async def test_delete_removes_it(self, backend: Backend) -> None:
        docs = await self.load(backend)
        gone = docs[0]
        await backend.index.delete([gone.id, doc_id(99_999)])  # an unknown id is ignored
        assert await backend.index.count() == len(docs) - 1
        ids = {h.id for h in await self.search_all(backend, JobFilters(status=()))}
        assert gone.id not in ids
        assert len(ids) == len(docs) - 1

    async def test_update_replaces_it(self, backend: Backend) -> None:
        docs = await self.load(backend)
        old = docs[1]
        new = with_vector(
            replace(
                old, title="Pearl Diver", skills=("Free diving",), body="Dive for pearls. Role."
            )
        )
        await backend.index.upsert([new])
        assert await backend.index.count() == len(docs)
        assert (await self.top_ids(backend, new, "pearl diver free diving"))[0] == old.id
        if self.lexical:
            hits = await backend.index.search_lexical(old.title, JobFilters(status=()), 50)  # type: ignore[attr-defined]
            # The old title ("Backend Engineer 1") matched itself best; the replaced row no more.
            assert old.id not in [h.id for h in hits[:3]]

    async def test_upsert_twice_is_one_document(self, backend: Backend) -> None:
        docs = await self.load(backend)
        await backend.index.upsert(docs[:5])
        assert await backend.index.count() == len(docs)

    async def test_rebuild_holds_exactly_the_given_documents(self, backend: Backend) -> None:
        docs = await self.load(backend)
        kept = docs[:10]
        assert await backend.index.rebuild(kept) == 10
        assert await backend.index.count() == 10
        ids = {h.id for h in await self.search_all(backend, JobFilters(status=()))}
        assert ids == {d.id for d in kept}

    @pytest.mark.parametrize("hostile", HOSTILE)
    async def test_hostile_filter_values_match_nothing(
        self, backend: Backend, hostile: str
    ) -> None:
        await self.load(backend)
        for f in (
            JobFilters(city=(hostile,)),
            JobFilters(company=(hostile,), status=()),
            JobFilters(language=(hostile,)),
            JobFilters(country=(hostile,)),
        ):
            assert await self.search_all(backend, f) == []
        # And nothing was harmed.
        assert await backend.index.count() == len(corpus())

    async def test_filter_values_that_are_not_text_are_refused(self, backend: Backend) -> None:
        await self.load(backend)
        with pytest.raises(InvalidQuery):
            await self.search_all(backend, JobFilters(city=("Dubai\x00",)))


def random_unit(rng: np.random.Generator, dim: int) -> list[float]:
    v = rng.standard_normal(dim)
    return [float(x) for x in v / np.linalg.norm(v)]
