"""The one score of a CV–job pair: semantic similarity as its backbone, other evidence moving it.

Relevance signals (each a number about the pair, computed the same way on every screen):

- ``semantic``: cosine of the CV's vector (the mean of its chunk vectors) and the job's;
- ``chunk``: cosine of the CV's vector and the job's closest chunk;
- ``role``: cosine of the CV's vector and the job title's vector (what the CV reads like, as
  this title);
- ``title``: cosine of the CV's own titles (stated and latest jobs) and the job's title, by
  meaning, not by shared words;
- ``skills``: the share of the job's taxonomy skills the CV has, rare skills counting more.

Each is standardised with the mean and spread it has over labelled pairs of real text, then
``z = (z_semantic + z_chunk) / 2 + sum(weight * z_evidence)`` with every evidence weight in
[0, 1], so no single piece of evidence can outweigh the semantic backbone, and a missing signal
(no job skills, no titles on the CV) counts as average. The weights, the standardisation and the
display calibration ``score = sigmoid(scale * z + bias)`` are fitted by
``scripts/fit_match_model.py`` and shipped in ``matching/data/score_model.json``; README says on
which data.

Fit checks (not fitted, no labelled data for them): experience, location and language can only
lower a score, by ``MatchingSettings.fit_penalty`` z-units at most each, and only when both sides
state the fact. Gender, nationality, age, religion, marital status and photo have no field here,
so they cannot move a score.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import NamedTuple

from matching.settings import MatchingSettings

#: GCC currencies are pegged to the US dollar, so fixed rates to AED are exact enough.
TO_AED = {
    "AED": 1.0,
    "SAR": 0.9793,
    "QAR": 1.0089,
    "KWD": 11.95,
    "BHD": 9.768,
    "OMR": 9.539,
    "USD": 3.6725,
}
GCC = frozenset({"AE", "SA", "QA", "KW", "BH", "OM"})
#: The relevance signals, in the order the model file lists them.
SIGNALS = ("semantic", "chunk", "role", "title", "skills")
#: The two signals the backbone averages; the others are evidence with a weight in [0, 1].
BACKBONE = ("semantic", "chunk")
MODEL_FILE = Path(__file__).resolve().parent / "data" / "score_model.json"


@dataclass(frozen=True)
class CandidateProfile:
    """What a CV says, as matching sees it: facts of the CV alone, so a pair scores the same
    whoever looks at it and through whichever route the CV arrived."""

    skills: Mapping[str, str] = field(default_factory=dict)  # skill id -> label
    years_experience: float | None = None
    city: str | None = None
    country: str | None = None
    languages: tuple[str, ...] = ()  # ISO 639-1 codes the candidate works in
    titles: tuple[str, ...] = ()  # job titles held or stated


@dataclass(frozen=True)
class JobProfile:
    """What a job asks for, as matching sees it."""

    skills: Mapping[str, str] = field(default_factory=dict)  # skill id -> label
    experience_min: int | None = None
    experience_max: int | None = None
    city: str | None = None
    country: str | None = None
    remote: bool = False
    salary_min: int | None = None
    salary_max: int | None = None
    salary_currency: str | None = None
    salary_period: str | None = None  # "month" | "year"
    posted_at: object | None = None
    language: str = "en"


@dataclass(frozen=True)
class Similarities:
    """Cosines between the pair's vectors (None where a vector is missing): the CV's vector with
    the job's (``document``), with the job's closest chunk (``best_chunk``), with the job title's
    (``role``); and the CV's titles' vector with the job title's (``title``)."""

    document: float | None = None
    best_chunk: float | None = None
    role: float | None = None
    title: float | None = None


class Feature(NamedTuple):
    """One input of a score: its raw value, its contribution to ``z`` and why."""

    name: str
    value: float
    contribution: float
    reason: str


@dataclass(frozen=True)
class Scored:
    score: float  # in [0, 1]
    features: tuple[Feature, ...]
    matched_skills: tuple[str, ...]
    missing_skills: tuple[str, ...]

    def top_reasons(self, n: int = 3) -> list[str]:
        """What moved the score most, up first, then what held it back."""
        up = sorted(
            (f for f in self.features if f.contribution > 0.05), key=lambda f: -f.contribution
        )
        down = sorted(
            (f for f in self.features if f.contribution < -0.05), key=lambda f: f.contribution
        )
        return [f.reason for f in [*up, *down][:n]]


@dataclass(frozen=True)
class ScoreModel:
    """The fitted part of the score (see the module docstring)."""

    mean: Mapping[str, float]
    std: Mapping[str, float]
    weights: Mapping[str, float]
    scale: float
    bias: float
    fitted_on: str = ""

    def z(self, name: str, value: float | None) -> float:
        """``value`` standardised; 0 (average) when missing."""
        if value is None:
            return 0.0
        return (value - self.mean[name]) / self.std[name]

    def to_json(self) -> dict[str, object]:
        return {
            "signals": list(SIGNALS),
            "mean": dict(self.mean),
            "std": dict(self.std),
            "weights": dict(self.weights),
            "scale": self.scale,
            "bias": self.bias,
            "fitted_on": self.fitted_on,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, object]) -> ScoreModel:
        def floats(key: str) -> dict[str, float]:
            raw = data[key]
            assert isinstance(raw, Mapping)
            return {str(k): float(v) for k, v in raw.items()}

        model = cls(
            mean=floats("mean"),
            std=floats("std"),
            weights=floats("weights"),
            scale=float(str(data["scale"])),
            bias=float(str(data["bias"])),
            fitted_on=str(data.get("fitted_on", "")),
        )
        missing = [s for s in SIGNALS if s not in model.mean or s not in model.std]
        missing += [s for s in SIGNALS if s not in BACKBONE and s not in model.weights]
        if missing:
            raise ValueError(f"score model lacks signals {missing}")
        if any(not 0 <= w <= 1 for w in model.weights.values()):
            raise ValueError("evidence weights must lie in [0, 1]")
        return model


@lru_cache(maxsize=4)
def load_score_model(path: Path = MODEL_FILE) -> ScoreModel:
    """The shipped score model (loaded once per process)."""
    return ScoreModel.from_json(json.loads(path.read_text(encoding="utf-8")))


def monthly_aed(amount: float | None, currency: str | None, period: str | None) -> float | None:
    if amount is None:
        return None
    rate = TO_AED.get((currency or "AED").upper())
    if rate is None:
        return None
    return amount * rate / (12 if period == "year" else 1)


def _clip(x: float) -> float:
    return 0.0 if x < 0 else 1.0 if x > 1 else x


def skill_overlap(
    candidate: Mapping[str, str], job: Mapping[str, str], weight: Mapping[str, float]
) -> tuple[float | None, list[str], list[str]]:
    """Share of the job's skills the candidate has, each weighted by rarity (rare skills count
    more than generic ones such as "communication"); None when the job names no skill."""
    if not job:
        return None, [], []
    matched = [s for s in job if s in candidate]
    missing = [s for s in job if s not in candidate]
    total = sum(weight.get(s, 1.0) for s in job)
    got = sum(weight.get(s, 1.0) for s in matched)
    return (got / total if total else 0.0), [job[s] for s in matched], [job[s] for s in missing]


def experience_fit(years: float | None, lo: int | None, hi: int | None) -> tuple[float, str]:
    """1 when the CV's years meet the job's range (or either is unknown), lower below it."""
    if lo is None and hi is None:
        return 1.0, "The job states no experience requirement"
    if years is None:
        return 1.0, "Years of experience not stated on the CV"
    if lo is not None and years < lo:
        return _clip(1 - (lo - years) / max(lo, 1)), (
            f"{years:g} years of experience; the job asks for at least {lo}"
        )
    if hi is not None and years > hi + 5:
        return 0.6, f"{years:g} years of experience; the job is aimed at up to {hi}"
    asked = f"{lo}–{hi}" if lo is not None and hi is not None else f"{lo or 0}+"
    return 1.0, f"{years:g} years of experience meet the {asked} asked"


def location_fit(c: CandidateProfile, j: JobProfile) -> tuple[float, str]:
    """1 unless both the CV and the job state a place and they differ."""
    if j.remote:
        return 1.0, "Remote job"
    if not (j.city or j.country) or not (c.city or c.country):
        return 1.0, "Location not stated on both sides"
    if j.city and c.city and j.city.lower() == c.city.lower():
        return 1.0, f"In {j.city}, where the CV is based"
    if j.country and c.country and j.country == c.country:
        return 0.8, f"In {j.city or j.country}, in the CV's country"
    if j.country in GCC and c.country in GCC:
        return 0.6, f"In {j.city or j.country}, elsewhere in the GCC"
    return 0.4, f"In {j.city or j.country}, away from where the CV is based"


def language_fit(languages: tuple[str, ...], job_language: str) -> tuple[float, str]:
    if not languages or job_language in languages:
        return 1.0, "Written in a language the CV works in"
    return 0.5, "Written in a language not on the CV"


_REASONS = {
    "semantic": "The CV as a whole reads close to this job",
    "chunk": "A part of this job reads close to the CV",
    "role": "The CV reads like this job's title",
    "title": "The CV's job titles mean much the same as this one",
}
_REASONS_DOWN = {
    "semantic": "The CV as a whole reads unlike this job",
    "chunk": "No part of this job reads close to the CV",
    "role": "The CV reads unlike this job's title",
    "title": "The CV's job titles differ from this one",
}


def _sigmoid(x: float) -> float:
    return 1 / (1 + math.exp(-x)) if x > -700 else 0.0


def score(
    candidate: CandidateProfile,
    job: JobProfile,
    sims: Similarities,
    skill_weights: Mapping[str, float],
    settings: MatchingSettings,
    model: ScoreModel | None = None,
) -> Scored:
    """The final score in [0, 1] of one CV–job pair, with its explanation (the module docstring
    says how it is made)."""
    model = model or load_score_model()
    overlap, matched, missing = skill_overlap(candidate.skills, job.skills, skill_weights)
    values: dict[str, float | None] = {
        "semantic": sims.document,
        "chunk": sims.best_chunk,
        "role": sims.role,
        "title": sims.title,
        "skills": overlap,
    }
    features: list[Feature] = []
    z = 0.0
    for name in SIGNALS:
        value = values[name]
        weight = 1 / len(BACKBONE) if name in BACKBONE else model.weights[name]
        contribution = weight * model.z(name, value)
        z += contribution
        if value is None:
            continue
        if name == "skills":
            reason = f"Matches {len(matched)} of {len(job.skills)} skills" + (
                f" ({', '.join(matched[:5])})" if matched else ""
            )
        else:
            reason = (_REASONS if contribution >= 0 else _REASONS_DOWN)[name] + f" ({value:.2f})"
        features.append(Feature(name, value, contribution, reason))
    for name, (fit, why) in (
        (
            "experience",
            experience_fit(candidate.years_experience, job.experience_min, job.experience_max),
        ),
        ("location", location_fit(candidate, job)),
        ("language", language_fit(candidate.languages, job.language)),
    ):
        penalty = settings.fit_penalty * (fit - 1)
        z += penalty
        features.append(Feature(name, fit, penalty, why))
    value = _sigmoid(model.scale * z + model.bias)
    return Scored(round(value, 4), tuple(features), tuple(matched), tuple(missing))
