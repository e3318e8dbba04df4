"""The match port (the engine behind every screen) and what an application keeps of a match's
explanation."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from api.applications.explanation import skill_in_text, skill_overlap, supported_explanation
from api.applications.matching_port import EngineMatchPort, MatchPort, get_match_port
from api.state import AppState
from indexing.filters import JobFilters
from tests.api.applications.test_apply import add_resume
from tests.api.jobs.support import CV_TEXT, UserFactory, candidate, make_job


@pytest.mark.unit
@pytest.mark.parametrize(
    ("skill", "text", "found"),
    [
        ("SQL", "Skills: sql, python", True),
        ("SQL", "MySQLWorkbench", False),
        ("C++", "I write C++ daily", True),
        ("C", "I write C++ daily", False),
        ("Power BI", "dashboards in power  bi", True),
        ("إكسل", "مهارات: إكسل وبايثون", True),
        ("Excel", "Excellent communicator", False),
        ("", "anything", False),
    ],
)
def test_skill_in_text(skill: str, text: str, found: bool) -> None:
    from api.applications.explanation import folded_text

    assert skill_in_text(skill, folded_text(text)) is found


@pytest.mark.unit
def test_the_engines_explanation_is_kept_as_it_said_it() -> None:
    claimed = {
        "matched_skills": ["Python (computer programming)", "SQL", 42],
        "missing_skills": ["Kubernetes"],
        "reasons": ["fits", "", "x" * 400, *[f"r{i}" for i in range(20)]],
        "scorer": "matching-engine",
        "features": {"semantic": 0.5, "flag": True},
        "nationality": "should never be stored",
    }
    out = supported_explanation(claimed, "Python and SQL", ["SQL", "Python", "Kubernetes"])
    # Not re-derived from the CV's words: what every other screen showed for the pair.
    assert out["matched_skills"] == ["Python (computer programming)", "SQL"]
    assert out["missing_skills"] == ["Kubernetes"]
    assert len(out["reasons"]) == 10
    assert max(len(r) for r in out["reasons"]) == 300
    assert out["features"] == {"semantic": 0.5}
    assert set(out) == {"matched_skills", "missing_skills", "reasons", "scorer", "features"}


@pytest.mark.unit
def test_without_an_engine_explanation_skills_come_from_the_cv_text() -> None:
    out = supported_explanation(None, "Data analyst: SQL, Python.", ["SQL", "Python", "Go"])
    assert out["matched_skills"] == ["SQL", "Python"]
    assert out["missing_skills"] == ["Go"]
    assert skill_overlap(["SQL", "SQL", "Go"], "sql") == (["SQL"], ["Go"])


@pytest.mark.integration
async def test_the_engine_port_answers_the_same_three_calls(
    session: AsyncSession, user_factory: UserFactory, app_state: AppState
) -> None:
    port: MatchPort = EngineMatchPort(app_state.matcher)
    close = await make_job(
        session,
        title="Data Analyst",
        description="Analyse data with SQL and Python.",
        skills=["SQL", "Python"],
    )
    far = await make_job(session, title="Pastry Chef", description="Bake bread.", skills=["Baking"])
    seeker = await candidate(user_factory)
    resume = await add_resume(session, seeker)

    expired = await make_job(
        session, title="Data Analyst", expires_at=datetime.now(UTC) - timedelta(minutes=5)
    )
    found = await port.find_jobs_for_text(session, CV_TEXT, JobFilters(), 10)
    assert found[0].job_id == close.id
    assert expired.id not in {r.job_id for r in found}
    assert await port.find_jobs_for_text(session, "   ", JobFilters(), 10) == []
    by_resume = await port.find_jobs_for_resume(session, resume, JobFilters(), 10)
    assert by_resume[0].job_id == close.id
    assert all(0 <= r.score <= 1 for r in found)
    assert found[0].explanation["scorer"] == "matching-engine"
    scored = await port.score_jobs_for_resume(session, resume.id, [close.id, far.id])
    assert set(scored) == {close.id, far.id}
    assert scored[close.id].score > scored[far.id].score
    ranked = await port.rank_applicants(session, close.id, [resume.id])
    assert ranked[resume.id].score == pytest.approx(scored[close.id].score)
    # What an application keeps of it: CV-backed skills and the engine's numbers.
    kept = supported_explanation(scored[close.id].explanation, CV_TEXT, close.skills)
    assert kept["matched_skills"] == scored[close.id].explanation["matched_skills"]
    assert all(isinstance(v, float) for v in kept["features"].values())


@pytest.mark.integration
def test_the_scorer_is_chosen_in_one_place(app_state: AppState) -> None:
    assert isinstance(get_match_port(app_state), EngineMatchPort)
    custom = EngineMatchPort(app_state.matcher)
    with_port = dataclasses.replace(app_state)
    with_port.match_port = custom  # type: ignore[attr-defined]
    assert get_match_port(with_port) is custom
