"""The interim match port (cosine of stored embeddings, skill overlap explanation) and the
rule that an application's explanation holds only what the CV supports."""

from __future__ import annotations

import dataclasses
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from api.applications.explanation import skill_in_text, skill_overlap, supported_explanation
from api.applications.matching_port import (
    EngineMatchPort,
    MatchPort,
    SimilarityMatchPort,
    get_match_port,
)
from api.applications.settings import ApplySettings
from api.state import AppState
from indexing.embedder import HashingEmbedder
from indexing.filters import JobFilters
from models.enums import JobStatus
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
def test_supported_explanation_keeps_only_what_the_cv_says() -> None:
    cv = "Data analyst: SQL, Python and some Tableau."
    claimed = {
        "matched_skills": ["SQL", "Spark", "Tableau", 42],
        "missing_skills": ["ignored: recomputed from the job"],
        "reasons": ["fits", "", "x" * 400, *[f"r{i}" for i in range(20)]],
        "scorer": "engine",
        "nationality": "should never be stored",
    }
    out = supported_explanation(claimed, cv, ["SQL", "Python", "Kubernetes"])
    assert out["matched_skills"] == ["SQL", "Python", "Tableau"]
    assert out["missing_skills"] == ["Kubernetes"]
    assert len(out["reasons"]) == 10
    assert max(len(r) for r in out["reasons"]) == 300
    assert set(out) == {"matched_skills", "missing_skills", "reasons", "scorer"}
    assert skill_overlap(["SQL", "SQL", "Go"], "sql") == (["SQL"], ["Go"])


@pytest.mark.integration
async def test_the_similarity_port_scores_in_both_directions_and_skips_expired_jobs(
    session: AsyncSession, user_factory: UserFactory
) -> None:
    port: MatchPort = SimilarityMatchPort(HashingEmbedder())
    close = await make_job(
        session, title="Data Analyst", description="Analyse data with SQL and Python."
    )
    far = await make_job(session, title="Pastry Chef", description="Bake bread.", skills=["Baking"])
    expired = await make_job(
        session, title="Data Analyst", expires_at=datetime.now(UTC) - timedelta(minutes=5)
    )
    closed = await make_job(session, title="Data Analyst", status=JobStatus.CLOSED)
    unembedded = await make_job(session, title="Data Analyst", embedded=False)
    seeker = await candidate(user_factory)
    resume = await add_resume(session, seeker)

    found = await port.find_jobs_for_text(
        session, "Data analyst with SQL and Python", JobFilters(), 10
    )
    ids = [r.job_id for r in found]
    assert ids[0] == close.id
    assert far.id in ids
    for missing in (expired.id, closed.id, unembedded.id):
        assert missing not in ids
    assert all(0 <= r.score <= 1 for r in found)
    assert found[0].explanation["matched_skills"] == ["SQL", "Python"]

    scored = await port.score_jobs_for_resume(
        session, resume.id, [close.id, far.id, unembedded.id, uuid.uuid4()]
    )
    assert set(scored) == {close.id, far.id}
    assert scored[close.id].score > scored[far.id].score
    assert scored[far.id].explanation["missing_skills"] == ["Baking"]

    ranked = await port.rank_applicants(session, close.id, [resume.id, uuid.uuid4()])
    assert set(ranked) == {resume.id}
    # The same pair scores the same from either side.
    assert ranked[resume.id].score == pytest.approx(scored[close.id].score)
    assert await port.find_jobs_for_text(session, "   ", JobFilters(), 10) == []


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

    found = await port.find_jobs_for_text(session, CV_TEXT, JobFilters(), 10)
    assert found[0].job_id == close.id
    assert all(0 <= r.score <= 1 for r in found)
    assert found[0].explanation["scorer"] == "matching-engine"
    scored = await port.score_jobs_for_resume(session, resume.id, [close.id, far.id])
    assert set(scored) == {close.id, far.id}
    assert scored[close.id].score > scored[far.id].score
    ranked = await port.rank_applicants(session, close.id, [resume.id])
    assert ranked[resume.id].score == pytest.approx(scored[close.id].score)
    # What an application keeps of it: CV-backed skills and the engine's numbers.
    kept = supported_explanation(scored[close.id].explanation, CV_TEXT, close.skills)
    assert kept["matched_skills"] == ["SQL", "Python"]
    assert all(isinstance(v, float) for v in kept["features"].values())


@pytest.mark.integration
def test_the_scorer_is_chosen_in_one_place(app_state: AppState) -> None:
    assert isinstance(get_match_port(app_state, ApplySettings()), EngineMatchPort)
    assert isinstance(
        get_match_port(app_state, ApplySettings(scorer="similarity")), SimilarityMatchPort
    )
    custom = SimilarityMatchPort(HashingEmbedder())
    with_port = dataclasses.replace(app_state)
    with_port.match_port = custom  # type: ignore[attr-defined]
    assert get_match_port(with_port, ApplySettings(scorer="engine")) is custom


@pytest.mark.unit
def test_taxonomy_ids_show_their_label_and_match_synonyms() -> None:
    sql = "esco:598de5b0-5b58-4ea7-8058-a4bc4d18c742"
    matched, missing = skill_overlap(
        [sql, "onet:microsoft-excel", "esco:not-a-skill"], "Structured query language daily"
    )
    assert matched == ["SQL"]
    assert missing == ["Microsoft Excel", "esco:not-a-skill"]
