from __future__ import annotations

import json

import pytest

from matching.features import (
    BACKBONE,
    MODEL_FILE,
    SIGNALS,
    CandidateProfile,
    JobProfile,
    ScoreModel,
    Similarities,
    experience_fit,
    load_score_model,
    location_fit,
    monthly_aed,
    score,
    skill_overlap,
)
from matching.settings import MatchingSettings

pytestmark = pytest.mark.unit
SETTINGS = MatchingSettings()


def test_rare_skills_weigh_more_than_generic_ones() -> None:
    job = {"k8s": "Kubernetes", "comm": "communication"}
    rarity = {"k8s": 5.0, "comm": 0.5}
    with_rare, *_ = skill_overlap({"k8s": "Kubernetes"}, job, rarity)
    with_generic, matched, missing = skill_overlap({"comm": "communication"}, job, rarity)
    assert with_rare is not None
    assert with_generic is not None
    assert with_rare > with_generic
    assert matched == ["communication"]
    assert missing == ["Kubernetes"]
    assert skill_overlap({"k8s": "Kubernetes"}, {}, rarity) == (None, [], [])


def test_fit_checks_only_lower_a_score_and_only_when_both_sides_say() -> None:
    assert experience_fit(5, 3, 6)[0] == 1.0
    below, reason = experience_fit(1, 4, None)
    assert below == pytest.approx(0.25)
    assert "at least 4" in reason
    assert experience_fit(20, 1, 3)[0] < 1.0
    assert experience_fit(None, 4, None)[0] == 1.0
    dubai = JobProfile(city="Dubai", country="AE")
    assert location_fit(CandidateProfile(), dubai)[0] == 1.0
    assert location_fit(CandidateProfile(city="Dubai", country="AE"), dubai)[0] == 1.0
    assert location_fit(CandidateProfile(city="Riyadh", country="SA"), dubai)[0] < 1.0
    assert location_fit(CandidateProfile(city="Riyadh", country="SA"), JobProfile())[0] == 1.0


def test_salary_is_compared_in_monthly_aed() -> None:
    assert monthly_aed(120_000, "AED", "year") == pytest.approx(10_000)
    assert monthly_aed(10_000, "SAR", "month") == pytest.approx(9_793)


def test_the_shipped_model_keeps_semantic_as_the_backbone() -> None:
    model = load_score_model()
    assert set(model.mean) == set(SIGNALS)
    assert set(model.weights) == set(SIGNALS) - set(BACKBONE)
    assert all(0 <= w <= 1 for w in model.weights.values())
    assert model.scale > 0
    assert "O*NET" in model.fitted_on
    data = json.loads(MODEL_FILE.read_text())
    assert "cross_validation" in data


def test_a_model_with_evidence_over_the_backbone_is_refused() -> None:
    data = load_score_model().to_json()
    data["weights"] = {**data["weights"], "role": 2.0}  # type: ignore[dict-item]
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        ScoreModel.from_json(data)


def test_score_rises_with_every_signal_and_is_explained() -> None:
    candidate = CandidateProfile(
        skills={"py": "Python", "sql": "SQL"},
        years_experience=4,
        city="Dubai",
        country="AE",
        languages=("en",),
    )
    job = JobProfile(
        skills={"py": "Python", "sql": "SQL", "aws": "AWS"},
        experience_min=3,
        experience_max=6,
        city="Dubai",
        country="AE",
    )
    base = Similarities(document=0.5, best_chunk=0.55, role=0.4, title=0.5)
    a = score(candidate, job, base, {}, SETTINGS)
    assert 0 < a.score < 1
    assert a.matched_skills == ("Python", "SQL")
    assert a.missing_skills == ("AWS",)
    for field in ("document", "best_chunk", "role", "title"):
        higher = Similarities(**{**base.__dict__, field: getattr(base, field) + 0.2})
        assert score(candidate, job, higher, {}, SETTINGS).score >= a.score, field
    assert score(candidate, job, Similarities(0.9, 0.9, 0.7, 0.8), {}, SETTINGS).score > a.score
    reasons = a.top_reasons(5)
    assert reasons
    assert all(isinstance(r, str) for r in reasons)
    features = {f.name for f in a.features}
    assert {"semantic", "chunk", "role", "title", "skills", "experience", "location"} <= features


def test_a_missing_signal_counts_as_average_and_a_misfit_only_lowers() -> None:
    model = load_score_model()
    average = Similarities(
        document=model.mean["semantic"],
        best_chunk=model.mean["chunk"],
        role=model.mean["role"],
        title=model.mean["title"],
    )
    candidate = CandidateProfile(city="Dubai", country="AE", years_experience=1)
    job = JobProfile()
    assert score(candidate, job, average, {}, SETTINGS).score == pytest.approx(
        score(candidate, job, Similarities(), {}, SETTINGS).score, abs=1e-3
    )
    fits = score(candidate, JobProfile(city="Dubai", country="AE"), average, {}, SETTINGS)
    far = score(
        candidate, JobProfile(city="Muscat", country="OM", experience_min=8), average, {}, SETTINGS
    )
    assert far.score < fits.score
    no_penalty = MatchingSettings(fit_penalty=0)
    assert score(
        candidate, JobProfile(city="Muscat", country="OM"), average, {}, no_penalty
    ).score == pytest.approx(fits.score)
