from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from matching.features import (
    CandidateProfile,
    JobProfile,
    Similarities,
    experience_fit,
    monthly_aed,
    salary_fit,
    score,
    skill_overlap,
)
from matching.settings import MatchingSettings

pytestmark = pytest.mark.unit
NOW = datetime(2026, 11, 26, tzinfo=UTC)


def test_rare_skills_weigh_more_than_generic_ones() -> None:
    job = {"k8s": "Kubernetes", "comm": "communication"}
    rarity = {"k8s": 5.0, "comm": 0.5}
    with_rare, *_ = skill_overlap({"k8s": "Kubernetes"}, job, rarity)
    with_generic, matched, missing = skill_overlap({"comm": "communication"}, job, rarity)
    assert with_rare > with_generic
    assert matched == ["communication"]
    assert missing == ["Kubernetes"]


def test_experience_fit() -> None:
    assert experience_fit(5, 3, 6)[0] == 1.0
    below, reason = experience_fit(1, 4, None)
    assert below == pytest.approx(0.25)
    assert "at least 4" in reason
    assert experience_fit(20, 1, 3)[0] < 1.0


def test_salary_is_compared_in_monthly_aed() -> None:
    assert monthly_aed(120_000, "AED", "year") == pytest.approx(10_000)
    assert monthly_aed(10_000, "SAR", "month") == pytest.approx(9_793)
    job = JobProfile(
        salary_min=8_000, salary_max=10_000, salary_currency="SAR", salary_period="month"
    )
    assert salary_fit(9_000, job)[0] == 1.0
    low, reason = salary_fit(20_000, job)
    assert 0 < low < 0.5
    assert "below" in reason


def test_score_is_in_unit_interval_and_explained() -> None:
    candidate = CandidateProfile(
        skills={"py": "Python", "sql": "SQL"},
        years_experience=4,
        city="Dubai",
        country="AE",
        desired_locations=("Dubai",),
        salary_expectation_aed=15_000,
        languages=("en",),
    )
    good = JobProfile(
        skills={"py": "Python", "sql": "SQL", "aws": "AWS"},
        experience_min=3,
        experience_max=6,
        city="Dubai",
        country="AE",
        salary_min=14_000,
        salary_max=20_000,
        salary_currency="AED",
        salary_period="month",
        posted_at=NOW - timedelta(days=2),
    )
    poor = JobProfile(
        skills={"rn": "nursing"},
        experience_min=10,
        city="Muscat",
        country="OM",
        posted_at=NOW - timedelta(days=90),
        language="ar",
    )
    s = MatchingSettings()
    a = score(candidate, good, Similarities(0.7, 0.75, 0.8), {}, NOW, s)
    b = score(candidate, poor, Similarities(0.1, 0.1, 0.05), {}, NOW, s)
    assert 0 <= b.score < a.score <= 1
    assert a.matched_skills == ("Python", "SQL")
    assert a.missing_skills == ("AWS",)
    assert any("Matches 2 of 3 skills" in r for r in a.top_reasons(5))
    assert "nursing" in b.missing_skills


def test_weights_are_settings() -> None:
    candidate = CandidateProfile(skills={"py": "Python"})
    job = JobProfile(skills={"py": "Python"}, city="Doha", country="QA")
    only_skills = MatchingSettings(
        weight_semantic=0,
        weight_chunk=0,
        weight_title=0,
        weight_experience=0,
        weight_location=0,
        weight_salary=0,
        weight_recency=0,
        weight_language=0,
    )
    assert score(candidate, job, Similarities(), {}, NOW, only_skills).score == 1.0
