from __future__ import annotations

import asyncio
import os
import random
import threading
from pathlib import Path

import pytest
from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from indexing.filters import JobFilters, job_filter_sql
from indexing.lexical import (
    TantivyJobIndex,
    _advance,
    build_analyzer,
    estimated_share,
    normalise_arabic,
    prepare_text,
    rebuild_from_db,
    rebuild_from_db_async,
    sync_from_outbox,
)
from indexing.protocol import InvalidQuery, LexicalIndex, SearchDocument
from indexing.settings import LexicalSettings
from models import Job
from models.enums import JobStatus, JobType
from models.search import SearchOutbox
from tests.indexing.conformance import Backend, IndexConformance, corpus, doc_id, no_preparation


@pytest.fixture
def lexical(tmp_path: Path) -> TantivyJobIndex:
    return TantivyJobIndex(tmp_path / "lexical")


@pytest.mark.unit
class TestTantivyConformance(IndexConformance):
    lexical = True

    @pytest.fixture
    def backend(self, lexical: TantivyJobIndex) -> Backend:
        return Backend(index=lexical, prepare=no_preparation())


def doc(
    n: int, title: str, skills: tuple[str, ...] = (), body: str = "", **kw: object
) -> SearchDocument:
    return SearchDocument(id=doc_id(n), title=title, skills=skills, body=body, **kw)  # type: ignore[arg-type]


def ids(hits: list) -> list:  # type: ignore[type-arg]
    return [h.id for h in hits]


ALL = JobFilters(status=())


# -- analysis -----------------------------------------------------------------------------------


@pytest.mark.unit
def test_arabic_normalisation_folds_spelling_variants() -> None:
    assert normalise_arabic("أحمد إبراهيم آمال") == "احمد ابراهيم امال"
    assert normalise_arabic("مُحَاسِبٌ") == "محاسب"  # diacritics
    assert normalise_arabic("مـــدير") == "مدير"  # tatweel
    assert normalise_arabic("مستشفى") == "مستشفي"  # alef maqsura
    assert normalise_arabic("شركة") == "شركه"  # ta marbuta
    assert normalise_arabic("٢٠٢٦") == "2026"
    assert normalise_arabic("Data Analyst") == "Data Analyst"


@pytest.mark.unit
def test_analysis_stems_english_and_arabic_and_keeps_tech_terms() -> None:
    analyze = build_analyzer().analyze
    assert analyze(prepare_text("managing")) == analyze(prepare_text("manage"))
    assert analyze(prepare_text("المهندسين")) == analyze(prepare_text("مهندسين"))
    assert analyze(prepare_text("C++ and C# on .NET")) == ["cplusplus", "csharp", "dotnet"]
    assert "the" not in analyze("the analyst")


# -- ranking ------------------------------------------------------------------------------------


@pytest.mark.unit
async def test_title_outweighs_skills_outweighs_body(lexical: TantivyJobIndex) -> None:
    filler = "Work with the team on daily tasks."
    # Every job lists skills, as real ones do (BM25 normalises by the field's average length).
    skills = ("Filing", "Typing")
    await lexical.upsert(
        [
            doc(1, "Office Assistant", skills=skills, body=f"{filler} Some payroll help."),
            doc(2, "Office Assistant", skills=("Payroll", "Typing"), body=filler),
            doc(3, "Payroll Officer", skills=skills, body=filler),
            *[doc(10 + i, f"Clerk {i}", skills=skills, body=filler) for i in range(20)],
        ]
    )
    hits = await lexical.search_lexical("payroll", ALL, 10)
    assert ids(hits) == [doc_id(3), doc_id(2), doc_id(1)]


@pytest.mark.unit
async def test_arabic_query_matches_other_spellings_and_forms(lexical: TantivyJobIndex) -> None:
    await lexical.upsert(
        [
            doc(1, "مُحَاسِب أول", body="شركة في دبي", language="ar"),
            doc(2, "مهندس برمجيات", body="تطوير البرمجيات", language="ar"),
            doc(3, "Accountant", body="Dubai", language="en"),
        ]
    )
    assert ids(await lexical.search_lexical("محاسب", ALL, 5)) == [doc_id(1)]
    assert ids(await lexical.search_lexical("المحاسب", ALL, 5)) == [doc_id(1)]
    assert ids(await lexical.search_lexical("شركه", ALL, 5)) == [doc_id(1)]
    assert ids(await lexical.search_lexical("المهندسين", ALL, 5)) == [doc_id(2)]
    assert ids(await lexical.search_lexical("accounting", ALL, 5)) == [doc_id(3)]


@pytest.mark.unit
async def test_a_whole_cv_as_query_finds_the_matching_jobs(lexical: TantivyJobIndex) -> None:
    docs = corpus()
    await lexical.upsert(docs)
    cv = (
        "Curriculum vitae. Experienced backend engineer with eight years of Python, PostgreSQL "
        "and Docker. Built payment APIs and data pipelines for a bank in Dubai. "
        + "Led code reviews, mentored juniors, improved reliability. " * 40
        + "Languages: English, Arabic. Hobbies: football, reading, travel, cooking."
    )
    assert len(cv.split()) > 300
    hits = await lexical.search_lexical(cv, ALL, 10)
    backend_ids = {d.id for d in docs if d.title.startswith("Backend Engineer")}
    assert {h.id for h in hits[:5]} <= backend_ids
    terms = lexical.query_terms(cv)
    assert 0 < len(terms) <= LexicalSettings().max_query_terms
    assert "python" in {t for t, _ in terms}


@pytest.mark.unit
async def test_long_queries_keep_only_the_most_distinctive_terms(tmp_path: Path) -> None:
    index = TantivyJobIndex(tmp_path / "lex", LexicalSettings(max_query_terms=3))
    await index.upsert([doc(i, f"Role {i}", body="common words everywhere") for i in range(20)])
    await index.upsert([doc(100, "Falconer", body="common words")])
    terms = [t for t, _ in index.query_terms("common words everywhere falconer role unknownword")]
    assert len(terms) == 3
    assert terms[0] == "falcon"
    assert "unknownword" not in terms


@pytest.mark.unit
async def test_boilerplate_terms_of_a_large_index_leave_long_queries(tmp_path: Path) -> None:
    # "week" is in every document (boilerplate), "falconer" in one; min docs lowered so that a
    # test-sized index counts as large.
    settings = LexicalSettings(max_df_ratio=0.2, max_df_min_docs=10)
    index = TantivyJobIndex(tmp_path / "lex", settings)
    await index.upsert([doc(i, f"Clerk {i}", body="forty hours a week") for i in range(30)])
    await index.upsert([doc(100, "Falconer", body="hunting birds, forty hours a week")])
    terms = [t for t, _ in index.query_terms("falconer hunting birds clerk week hours")]
    assert "week" not in terms
    assert "hour" not in terms
    assert {"falcon", "hunt", "bird"} <= set(terms)
    hits = await index.search_lexical("falconer hunting birds week hours", ALL, 5)
    assert hits[0].id == doc_id(100)
    # Only boilerplate asked: the most distinctive of it is kept rather than nothing.
    assert len(index.query_terms("forty hours a week")) >= 1
    # The same index below max_df_min_docs keeps every term.
    small = TantivyJobIndex(tmp_path / "lex", LexicalSettings(max_df_ratio=0.2))
    assert "week" in [t for t, _ in small.query_terms("falconer week")]


# -- post-filtering ------------------------------------------------------------------------------

_WORDS = [
    "python", "sql", "nurse", "icu", "welder", "pipeline", "audit", "ifrs", "tax", "sales",
    "retail", "forklift", "warehouse", "driver", "cloud", "kubernetes", "react", "design",
    "marketing", "seo", "crm", "hotel", "chef", "pastry", "teacher", "physics", "civil",
    "autocad", "revit", "safety", "hse", "lab", "chemist", "pharmacy", "budget", "payroll",
    "recruiter",
]  # fmt: skip
_CITIES = ("Dubai", "Dubai", "Dubai", "Abu Dhabi", "Riyadh", "Sharjah")


def _varied_docs(n: int) -> list[SearchDocument]:
    """Unique word mixes (no tied scores) across cities, statuses, job types and salaries."""
    rng = random.Random(5)
    docs = []
    for i in range(n):
        words = rng.sample(_WORDS, rng.randint(3, 9))
        docs.append(
            doc(
                i,
                " ".join(words[:2]),
                skills=tuple(words[2:4]),
                body=" ".join(words * rng.randint(1, 3)) + f" ref{i}",
                city=_CITIES[i % len(_CITIES)],
                status=JobStatus.CLOSED if i % 7 == 0 else JobStatus.OPEN,
                job_type=JobType.FULL_TIME if i % 3 else JobType.PART_TIME,
                salary_min=1000 * (i % 40),
                salary_max=1000 * (i % 40) + 5000,
            )
        )
    return docs


def _run(index: TantivyJobIndex, text: str, filters: JobFilters, k: int) -> tuple[list, int]:  # type: ignore[type-arg]
    """Hits and how many searches the plan asked for (the sync driver, counted)."""
    plan = index._prepare(text, filters, k)
    assert plan is not None
    steps, searches = plan.steps(k), 0
    step = _advance(steps, None)
    while not isinstance(step, list):
        searches += 1
        step = _advance(steps, plan.searcher.search(step[0], limit=step[1], count=False))
    return [(h.id, round(h.score, 5)) for h in step], searches


@pytest.mark.unit
async def test_post_filtering_returns_exactly_what_the_filtered_search_does(
    tmp_path: Path,
) -> None:
    root = tmp_path / "lex"
    await TantivyJobIndex(root).rebuild(_varied_docs(600))
    inner = TantivyJobIndex(root, LexicalSettings(post_filter_max_depth=0))
    # Post-filtering is chosen where it pays (many postings per hit); 0 lets this small index
    # take it, so that every path runs.
    always = LexicalSettings(post_filter_min_postings_per_hit=0)
    cases = {
        # name: (filters, settings, searches the post-filtering index may ask for)
        "open only, broad": (JobFilters(), always, {2}),
        "Dubai, full time": (JobFilters(city=("Dubai",), job_type=(JobType.FULL_TIME,)), always, {2}),
        # A salary band far narrower than the assumed half: the first depth falls short and
        # the search deepens.
        "narrow salary, deepens": (
            JobFilters(salary_min=36_000),
            always.model_copy(update={"post_filter_margin": 1.0, "range_filter_share": 1.0}),
            {4, 6, 8},  # two searches per depth, never the filtered search's odd one
        ),
        # Deepening capped below what is needed: the filtered search answers after all.
        "capped, falls back": (
            JobFilters(salary_min=36_000),
            always.model_copy(
                update={"post_filter_margin": 1.0, "range_filter_share": 1.0,
                        "post_filter_max_depth": 12}
            ),
            {3},
        ),
        # Too selective to post-filter (here: its depth, ~105, is over the cap): straight to
        # the filtered search.
        "Sharjah, selective": (
            JobFilters(city=("Sharjah",)),
            always.model_copy(update={"post_filter_max_depth": 50}),
            {1},
        ),
        # The defaults on a small index: too few postings for post-filtering to pay.
        "few postings": (JobFilters(city=("Dubai",)), LexicalSettings(), {1}),
    }  # fmt: skip
    rng = random.Random(9)
    for name, (filters, settings, searches) in cases.items():
        post = TantivyJobIndex(root, settings)
        for _ in range(10):
            text = " ".join(rng.sample(_WORDS, 6))
            expected, _ = _run(inner, text, filters, 10)
            got, asked = _run(post, text, filters, 10)
            assert got == expected, name
            assert len(got) == 10, name
            assert asked in searches, name
            assert await post.search_lexical(text, filters, 10) == post.search_sync(
                text, filters, 10
            )


@pytest.mark.unit
async def test_a_filter_share_is_estimated_from_term_counts(tmp_path: Path) -> None:
    index = TantivyJobIndex(tmp_path / "lex")
    await index.rebuild(_varied_docs(600))
    searcher = index._open().searcher()
    open_share = sum(1 for i in range(600) if i % 7) / 600
    assert estimated_share(searcher, JobFilters(), 0.5) == pytest.approx(open_share)
    dubai = estimated_share(searcher, JobFilters(city=("Dubai",)), 0.5)
    assert dubai == pytest.approx(open_share * 0.5)  # three cities in six are Dubai
    ranged = estimated_share(searcher, JobFilters(city=("Dubai",), salary_min=1), 0.3)
    assert ranged == pytest.approx(dubai * 0.3)


# -- untrusted input ----------------------------------------------------------------------------


@pytest.mark.unit
@pytest.mark.parametrize(
    "query",
    [
        'title:"Nurse" OR *:*',
        "* AND (",
        "Nurse) OR (city:Dubai",
        "\\\\ ^ ~ { } [ ] \" ' : / ! -",
        "nurse~2 OR nurs*",
        "\x00nurse\x00",
        "x" * 100_000,
    ],
)
async def test_query_syntax_in_user_text_is_just_words(
    lexical: TantivyJobIndex, query: str
) -> None:
    docs = corpus()
    await lexical.upsert(docs)
    hits = await lexical.search_lexical(query, ALL, 100)
    nurses = {d.id for d in docs if d.title.startswith("Nurse")}
    # Only the word "nurse" in the text can match; no wildcard, field or fuzzy syntax applies.
    assert {h.id for h in hits} <= nurses
    assert await lexical.count() == len(docs)


@pytest.mark.unit
async def test_non_text_query_is_refused(lexical: TantivyJobIndex) -> None:
    with pytest.raises(InvalidQuery):
        await lexical.search_lexical(123, ALL, 5)  # type: ignore[arg-type]


@pytest.mark.unit
async def test_empty_query_matches_nothing(lexical: TantivyJobIndex) -> None:
    await lexical.upsert(corpus())
    assert await lexical.search_lexical("   ", ALL, 5) == []
    assert await lexical.search_lexical("the and of", ALL, 5) == []  # stop words only


# -- the index on disk --------------------------------------------------------------------------


@pytest.mark.unit
def test_tantivy_index_is_a_lexical_index(lexical: TantivyJobIndex) -> None:
    assert isinstance(lexical, LexicalIndex)


@pytest.mark.unit
async def test_rebuild_swaps_a_new_folder_in_and_other_readers_follow(tmp_path: Path) -> None:
    root = tmp_path / "lex"
    writer = TantivyJobIndex(root)
    reader = TantivyJobIndex(root)  # as another process would
    await writer.upsert([doc(1, "Nurse"), doc(2, "Nurse assistant")])
    assert ids(await reader.search_lexical("nurse", ALL, 5)) != []
    first = os.readlink(root / "current")
    await writer.rebuild([doc(3, "Midwife")])
    second = os.readlink(root / "current")
    assert first != second
    assert (root / second).is_dir()
    assert await reader.search_lexical("nurse", ALL, 5) == []
    assert ids(await reader.search_lexical("midwife", ALL, 5)) == [doc_id(3)]
    # Only the current and the previous generation stay on disk.
    await writer.rebuild([doc(4, "Paramedic")])
    assert len(list(root.glob("gen-*"))) == 2


@pytest.mark.unit
async def test_a_failed_rebuild_leaves_the_index_as_it_was(lexical: TantivyJobIndex) -> None:
    await lexical.upsert([doc(1, "Nurse")])
    before = os.readlink(lexical.root / "current")

    def broken():  # type: ignore[no-untyped-def]
        yield doc(2, "Midwife")
        raise RuntimeError("database went away")

    with pytest.raises(RuntimeError):
        await lexical.rebuild(broken())
    assert os.readlink(lexical.root / "current") == before
    assert ids(await lexical.search_lexical("nurse", ALL, 5)) == [doc_id(1)]
    assert len(list(lexical.root.glob("gen-*"))) == 1


@pytest.mark.unit
def test_concurrent_writers_take_turns(tmp_path: Path) -> None:
    root = tmp_path / "lex"
    indexes = [TantivyJobIndex(root) for _ in range(3)]
    errors: list[BaseException] = []

    def write(i: int) -> None:
        try:
            for j in range(5):
                indexes[i].upsert_sync([doc(100 * i + j, f"Writer {i} job {j}")])
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=write, args=(i,)) for i in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert TantivyJobIndex(root).count_sync() == 15


@pytest.mark.unit
def test_an_unwritable_folder_is_a_clear_error(tmp_path: Path) -> None:
    from indexing.protocol import IndexUnavailable

    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    with pytest.raises(IndexUnavailable):
        TantivyJobIndex(blocker / "lexical").count_sync()


# -- kept in sync with Postgres -----------------------------------------------------------------


async def _drain_pending(session: AsyncSession) -> None:
    """Forget outbox rows other tests' setup may have left in this transaction."""
    await session.execute(delete(SearchOutbox))


@pytest.mark.integration
async def test_every_job_change_reaches_the_index_through_the_outbox(
    session: AsyncSession,
    job_factory,
    lexical: TantivyJobIndex,  # type: ignore[no-untyped-def]
) -> None:
    await _drain_pending(session)
    job = await job_factory(title="Falconry Instructor", city="Al Ain")
    other = await job_factory(title="Camel Vet")
    pending = await session.scalar(select(func.count()).select_from(SearchOutbox))
    assert pending == 2  # written by the trigger, in the same transaction
    assert await sync_from_outbox(session, lexical) == 2
    assert ids(await lexical.search_lexical("falconry", JobFilters(), 5)) == [job.id]
    assert await session.scalar(select(func.count()).select_from(SearchOutbox)) == 0

    # Updating only the vector is not a change to re-index.
    await session.execute(update(Job).where(Job.id == job.id).values(embedding_model="other"))
    assert await session.scalar(select(func.count()).select_from(SearchOutbox)) == 0

    await session.execute(
        update(Job).where(Job.id == job.id).values(title="Pearl Diver", status=JobStatus.CLOSED)
    )
    await session.execute(delete(Job).where(Job.id == other.id))
    assert await sync_from_outbox(session, lexical) == 2
    assert await lexical.search_lexical("falconry", ALL, 5) == []
    assert await lexical.search_lexical("pearl", JobFilters(), 5) == []  # closed now
    assert ids(await lexical.search_lexical("pearl", ALL, 5)) == [job.id]
    assert await lexical.search_lexical("camel", ALL, 5) == []
    assert await sync_from_outbox(session, lexical) == 0


@pytest.mark.integration
async def test_rebuild_from_the_database_matches_sql_filters(
    session: AsyncSession,
    job_factory,
    lexical: TantivyJobIndex,  # type: ignore[no-untyped-def]
) -> None:
    made = [
        await job_factory(title=f"Analyst {i}", city=city, salary_min=s, salary_max=s + 2000)
        for i, (city, s) in enumerate([("Dubai", 9000), ("Doha", 15000), ("Dubai", 20000)])
    ]
    n_jobs = await session.scalar(select(func.count()).select_from(Job))
    assert await rebuild_from_db_async(session, lexical) == n_jobs
    f = JobFilters(city=("Dubai",), salary_min=12000)
    sql_ids = set((await session.scalars(select(Job.id).where(*job_filter_sql(f)))).all())
    assert sql_ids & {j.id for j in made} == {made[2].id}
    assert lexical.ids_sync(f) == sql_ids


@pytest.mark.unit
async def test_async_rebuild_accepts_an_async_stream(lexical: TantivyJobIndex) -> None:
    async def stream():  # type: ignore[no-untyped-def]
        for d in corpus():
            await asyncio.sleep(0)
            yield d

    assert await lexical.rebuild(stream()) == len(corpus())
    assert await lexical.count() == len(corpus())


@pytest.mark.integration
async def test_rebuild_from_a_sync_session(
    session: AsyncSession,
    job_factory,  # type: ignore[no-untyped-def]
    lexical: TantivyJobIndex,
) -> None:
    job = await job_factory(title="Pearl Diver")
    n_jobs = await session.scalar(select(func.count()).select_from(Job))
    # run_sync hands the CLI's kind of session (sync) the test's connection and transaction.
    assert await session.run_sync(lambda s: rebuild_from_db(s, lexical)) == n_jobs
    assert ids(await lexical.search_lexical("pearl diver", JobFilters(), 5)) == [job.id]
