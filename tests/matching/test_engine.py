"""The matching engine end to end on the real database, with the deterministic hashing embedder."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from api.indexer import refresh_indexes
from indexing.embedder import HashingEmbedder
from indexing.filters import JobFilters
from indexing.lexical import TantivyJobIndex
from matching.engine import DepthExceeded, MatchEngine, MatchQuery
from matching.profiles import candidate_profile
from matching.settings import MatchingSettings
from models import Candidate, Resume, User
from models.enums import UserType

pytestmark = pytest.mark.integration
NOW = datetime(2026, 11, 26, tzinfo=UTC)
CV = (
    "Layla Haddad\nData Analyst | Dubai\n\nEXPERIENCE\nData Analyst — Falcon Analytics\n"
    "Jan 2021 – Present\nBuilt dashboards in Power BI; SQL and Python reporting.\n\n"
    "SKILLS\nPython, SQL, Power BI, data analysis\n"
)
PARSED = {
    "title": "Data Analyst",
    "employment": [{"title": "Data Analyst", "company": "Falcon Analytics"}],
    "skills": [{"name": "Python"}, {"name": "SQL"}, {"name": "Power BI"}],
    "languages": [{"language": "English"}],
    "total_years_experience": 5,
}


async def _corpus(job_factory, session: AsyncSession, lexical: TantivyJobIndex):  # type: ignore[no-untyped-def]
    jobs = {
        "analyst": await job_factory(
            embedded=False,
            title="Data Analyst",
            city="Dubai",
            description="Analyse data with SQL and Python; build Power BI dashboards.",
            skills=["SQL", "Python", "Power BI"],
            experience_min=2,
            experience_max=6,
        ),
        "analyst_riyadh": await job_factory(
            embedded=False,
            title="Senior Data Analyst",
            city="Riyadh",
            country="SA",
            description="SQL, Python and Tableau reporting for a retail group.",
            skills=["SQL", "Python", "Tableau"],
            experience_min=4,
        ),
        "nurse": await job_factory(
            embedded=False,
            title="Registered Nurse",
            city="Dubai",
            description="Patient care in the intensive care unit; BLS certification.",
            skills=["patient care", "BLS"],
        ),
        "chef": await job_factory(
            embedded=False,
            title="Chef de Partie",
            city="Abu Dhabi",
            description="Run the hot kitchen section, HACCP food safety.",
            skills=["food safety", "HACCP"],
        ),
    }
    await refresh_indexes(session, HashingEmbedder(), lexical)
    await session.commit()
    return jobs


async def test_jobs_for_a_cv_rank_the_right_job_first_and_explain_it(
    session: AsyncSession, lexical_index: TantivyJobIndex, job_factory
) -> None:  # type: ignore[no-untyped-def]
    jobs = await _corpus(job_factory, session, lexical_index)
    engine = MatchEngine(lexical_index, HashingEmbedder())
    query = MatchQuery(text=CV, profile=candidate_profile(PARSED))
    matches = await engine.match_jobs(session, query)
    assert matches[0].id == jobs["analyst"].id
    assert [m.score for m in matches] == sorted((m.score for m in matches), reverse=True)
    assert all(0.0 <= m.score <= 1.0 for m in matches)
    top = matches[0].explanation()
    matched = " | ".join(
        top["matchedSkills"]
    )  # taxonomy labels, e.g. "Python (computer programming)"
    assert "Python" in matched
    assert "SQL" in matched
    assert "Power BI" in matched
    assert top["reasons"]
    # Four jobs: all are scored (an exact ranking), nothing needed retrieving.
    assert top["retrieval"] == {}
    # Past max_depth jobs, the top of the fused retrieval is what gets ranked first.
    windowed = MatchEngine(lexical_index, HashingEmbedder(), _windowed())
    first = (await windowed.match_jobs(session, query))[0]
    assert first.id == jobs["analyst"].id
    assert first.score == matches[0].score
    assert first.ranks["lexical"] == 1


def _windowed() -> MatchingSettings:
    """Settings under which the four-job corpus is "large": ranked by window and tail."""
    return MatchingSettings(max_depth=3, rank_window=2)


async def test_chunk_retrieval_adds_a_ranking_but_never_changes_a_score(
    session: AsyncSession, lexical_index: TantivyJobIndex, job_factory
) -> None:  # type: ignore[no-untyped-def]
    await _corpus(job_factory, session, lexical_index)
    query = MatchQuery(text=CV, profile=candidate_profile(PARSED))
    default = MatchEngine(lexical_index, HashingEmbedder(), _windowed())
    assert not default.settings.retrieve_chunks
    with_chunks = MatchEngine(
        lexical_index,
        HashingEmbedder(),
        default.settings.model_copy(update={"retrieve_chunks": True}),
    )
    off = {m.id: m for m in await default.match_jobs(session, replace(query, limit=2))}
    on = {m.id: m for m in await with_chunks.match_jobs(session, replace(query, limit=2))}
    assert set(off) == set(on)
    for job_id, match in off.items():
        # The best chunk is a feature of every pooled job either way ...
        assert "chunk" in match.features
        assert "chunks" not in match.ranks
        assert "chunks" in on[job_id].ranks
        # ... and a pair's score depends on the pair, not on which index retrieved it.
        assert on[job_id].score == match.score
        assert on[job_id].features == match.features


async def test_hard_filters_are_never_broken(
    session: AsyncSession, lexical_index: TantivyJobIndex, job_factory
) -> None:  # type: ignore[no-untyped-def]
    jobs = await _corpus(job_factory, session, lexical_index)
    engine = MatchEngine(lexical_index, HashingEmbedder())
    for mode in ("lexical", "vector", "fused", "reranked"):
        query = MatchQuery(text=CV, filters=JobFilters(city=("Dubai",)))
        found = {m.id for m in await engine.match_jobs(session, query, mode=mode)}  # type: ignore[arg-type]
        assert jobs["analyst_riyadh"].id not in found, mode
        assert jobs["chef"].id not in found, mode
        assert jobs["analyst"].id in found, mode


async def _candidate(
    session: AsyncSession, email: str, **protected: object
) -> tuple[Resume, Candidate]:
    user = User(email=email, user_type=UserType.CANDIDATE)
    session.add(user)
    await session.flush()
    candidate = Candidate(
        user_id=user.id,
        city="Dubai",
        country="AE",
        desired_locations=["Dubai"],
        years_experience=5,
        **protected,
    )
    resume = Resume(
        user_id=user.id,
        file_name="cv.txt",
        mime_type="text/plain",
        size_bytes=len(CV),
        sha256=email.ljust(64, "0")[:64],
        extracted_text=CV,
        parsed=PARSED,
    )
    session.add_all([candidate, resume])
    await session.flush()
    return resume, candidate


async def test_protected_attributes_change_no_score_in_either_direction(
    session: AsyncSession, lexical_index: TantivyJobIndex, job_factory
) -> None:  # type: ignore[no-untyped-def]
    jobs = await _corpus(job_factory, session, lexical_index)
    a = await _candidate(
        session, "a@example.com", gender="female", nationality="AE", date_of_birth=date(1995, 1, 1)
    )
    b = await _candidate(
        session, "b@example.com", gender="male", nationality="IN", date_of_birth=date(1970, 6, 30)
    )
    await refresh_indexes(session, HashingEmbedder(), lexical_index)
    await session.commit()
    engine = MatchEngine(lexical_index, HashingEmbedder())

    scores = []
    for resume, _ in (a, b):
        await session.refresh(resume)
        query = MatchQuery(
            text=CV,
            vector=list(resume.embedding),
            profile=candidate_profile(resume.parsed, CV),
        )
        scores.append({m.id: m.score for m in await engine.match_jobs(session, query)})
    assert scores[0] == scores[1]

    ranked = await engine.rank_candidates(session, jobs["analyst"].id, [a[0].id, b[0].id])
    by_resume = {m.id: m.score for m in ranked}
    assert by_resume[a[0].id] == by_resume[b[0].id]
    # The recruiter sees the score the candidate sees.
    assert by_resume[a[0].id] == scores[0][jobs["analyst"].id]


@pytest.mark.parametrize("windowed", [False, True], ids=["exact", "window-and-tail"])
async def test_paging_is_one_order_whatever_the_page_size(
    session: AsyncSession, lexical_index: TantivyJobIndex, job_factory, windowed: bool
) -> None:  # type: ignore[no-untyped-def]
    jobs = await _corpus(job_factory, session, lexical_index)
    settings = _windowed() if windowed else MatchingSettings()
    engine = MatchEngine(lexical_index, HashingEmbedder(), settings)
    query = MatchQuery(text=CV, profile=candidate_profile(PARSED))
    expected_total = 3 if windowed else len(jobs)
    orders = []
    for limit in (1, 2, 3):
        seen: list[object] = []
        for offset in range(0, expected_total, limit):
            page = await engine.match_page(session, replace(query, limit=limit, offset=offset))
            assert page.total == expected_total
            assert page.exact is not windowed
            seen += [m.id for m in page.items]
        assert len(seen) == len(set(seen)) == expected_total  # no job on two pages
        orders.append(seen)
    assert orders[0] == orders[1] == orders[2]  # the same top k whatever the limit
    with pytest.raises(DepthExceeded, match="3 deep" if windowed else "1000 deep"):
        await engine.match_page(session, replace(query, offset=settings.max_depth))


async def test_ties_are_broken_by_id(
    session: AsyncSession, lexical_index: TantivyJobIndex, job_factory
) -> None:  # type: ignore[no-untyped-def]
    twins = [
        await job_factory(embedded=False, title="Data Analyst", description="SQL and Python.")
        for _ in range(3)
    ]
    await refresh_indexes(session, HashingEmbedder(), lexical_index)
    engine = MatchEngine(lexical_index, HashingEmbedder())
    page = await engine.match_page(session, MatchQuery(text=CV, profile=candidate_profile(PARSED)))
    assert len({m.score for m in page.items}) == 1
    assert [m.id for m in page.items] == sorted(j.id for j in twins)


async def test_an_english_cv_finds_the_arabic_ad_of_its_occupation(
    session: AsyncSession, lexical_index: TantivyJobIndex, job_factory
) -> None:  # type: ignore[no-untyped-def]
    from api.resumes.glossary import english_title

    engineer = await job_factory(
        embedded=False,
        title="مهندس برمجيات",
        description="تطوير الأنظمة وصيانتها.",
        language="ar",
        skills=[],
    )
    accountant = await job_factory(
        embedded=False,
        title="محاسب",
        description="إعداد القوائم المالية.",
        language="ar",
        skills=[],
    )
    await refresh_indexes(session, HashingEmbedder(), lexical_index)
    cv = "Software Engineer\nI build and maintain software systems as a software engineer.\n"
    query = MatchQuery(text=cv, profile=candidate_profile({"title": "Software Engineer"}, cv))
    engine = MatchEngine(lexical_index, HashingEmbedder(), title_gloss=english_title)
    ranked = await engine.match_jobs(session, query)
    assert [m.id for m in ranked] == [engineer.id, accountant.id]
    assert ranked[0].features["role"] > ranked[1].features["role"]
