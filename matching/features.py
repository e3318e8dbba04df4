"""Explainable re-ranking features: each in [0, 1], each with a sentence a person understands.

Inputs are plain profiles. Gender, nationality, age, religion, marital status and photo have no
field here, so they cannot move a score (tests/matching/test_fairness.py proves it end to end).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
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


@dataclass(frozen=True)
class CandidateProfile:
    """What a candidate brings, as matching sees it."""

    skills: Mapping[str, str] = field(default_factory=dict)  # skill id -> label
    years_experience: float | None = None
    city: str | None = None
    country: str | None = None
    desired_locations: tuple[str, ...] = ()
    salary_expectation_aed: float | None = None  # monthly
    languages: tuple[str, ...] = ()  # ISO 639-1 codes the candidate works in
    titles: tuple[str, ...] = ()  # job titles held or wanted


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
    posted_at: datetime | None = None
    language: str = "en"


@dataclass(frozen=True)
class Similarities:
    """How close the texts are (None when not computed): cosines of the whole document and of the
    best chunk from the vector index, and the word overlap of job titles in [0, 1]."""

    document: float | None = None
    best_chunk: float | None = None
    title: float | None = None


class Feature(NamedTuple):
    """One input of a score: its value, its weight and why (a tuple: a score builds nine)."""

    name: str
    value: float  # in [0, 1]
    weight: float
    reason: str


@dataclass(frozen=True)
class Scored:
    score: float  # in [0, 1]
    features: tuple[Feature, ...]
    matched_skills: tuple[str, ...]
    missing_skills: tuple[str, ...]

    def top_reasons(self, n: int = 3) -> list[str]:
        """The features that moved the score most, strongest first."""
        ranked = sorted(self.features, key=lambda f: f.weight * f.value, reverse=True)
        return [f.reason for f in ranked[:n] if f.value > 0]


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
    candidate: Mapping[str, str], job: Mapping[str, str], rarity: Mapping[str, float]
) -> tuple[float, list[str], list[str]]:
    """Share of the job's skills the candidate has, each weighted by rarity (rare skills count
    more than generic ones such as "communication")."""
    if not job:
        return 0.5, [], []
    matched = [s for s in job if s in candidate]
    missing = [s for s in job if s not in candidate]
    total = sum(rarity.get(s, 1.0) for s in job)
    got = sum(rarity.get(s, 1.0) for s in matched)
    return (got / total if total else 0.0), [job[s] for s in matched], [job[s] for s in missing]


def experience_fit(years: float | None, lo: int | None, hi: int | None) -> tuple[float, str]:
    if lo is None and hi is None:
        return 0.7, "The job states no experience requirement"
    if years is None:
        return 0.5, "Your years of experience are unknown"
    if lo is not None and years < lo:
        return _clip(1 - (lo - years) / max(lo, 1)), (
            f"{years:g} years of experience; the job asks for at least {lo}"
        )
    if hi is not None and years > hi + 5:
        return 0.6, f"{years:g} years of experience; the job is aimed at up to {hi}"
    asked = f"{lo}–{hi}" if lo is not None and hi is not None else f"{lo or 0}+"
    return 1.0, f"Your {years:g} years of experience meet the {asked} asked"


def location_fit(c: CandidateProfile, j: JobProfile) -> tuple[float, str]:
    wanted = {x.lower() for x in c.desired_locations}
    if j.remote:
        return 1.0, "Remote job"
    if j.city and (j.city.lower() in wanted or (c.city and j.city.lower() == c.city.lower())):
        return 1.0, f"In {j.city}, where you want to work"
    if j.country and c.country and j.country == c.country:
        return 0.6, f"In {j.city or j.country}, in your country"
    if j.country in GCC and (c.country in GCC or not c.country):
        return 0.3, f"In {j.city or j.country}, elsewhere in the GCC"
    return 0.1, f"In {j.city or j.country or 'an unstated location'}"


def salary_fit(expectation_aed: float | None, j: JobProfile) -> tuple[float, str]:
    top = monthly_aed(j.salary_max or j.salary_min, j.salary_currency, j.salary_period)
    if expectation_aed is None or top is None:
        return 0.5, "Salary fit unknown"
    if top >= expectation_aed:
        return 1.0, "The salary range reaches your expectation"
    return _clip(top / expectation_aed) ** 2, (
        f"The salary range tops out about {round(100 * (1 - top / expectation_aed))}% below "
        "your expectation"
    )


def recency(posted_at: datetime | None, now: datetime) -> tuple[float, str]:
    if posted_at is None:
        return 0.5, "Posting date unknown"
    days = max(0.0, (now - posted_at).total_seconds() / 86400)
    return math.exp(-days / 30), f"Posted {int(days)} day{'s' if int(days) != 1 else ''} ago"


def language_fit(languages: tuple[str, ...], job_language: str) -> tuple[float, str]:
    if not languages or job_language in languages:
        return 1.0, "Written in a language you work in"
    return 0.3, "Written in a language not on your CV"


def score(
    candidate: CandidateProfile,
    job: JobProfile,
    sims: Similarities,
    rarity: Mapping[str, float],
    now: datetime,
    settings: MatchingSettings,
) -> Scored:
    """The final score in [0, 1]: the weighted mean of the features, with its explanation."""
    overlap, matched, missing = skill_overlap(candidate.skills, job.skills, rarity)
    exp_v, exp_r = experience_fit(
        candidate.years_experience, job.experience_min, job.experience_max
    )
    loc_v, loc_r = location_fit(candidate, job)
    sal_v, sal_r = salary_fit(candidate.salary_expectation_aed, job)
    rec_v, rec_r = recency(job.posted_at, now)
    lang_v, lang_r = language_fit(candidate.languages, job.language)
    features = [
        Feature(
            "skills",
            overlap,
            settings.weight_skills,
            f"Matches {len(matched)} of {len(job.skills)} skills"
            + (f" ({', '.join(matched[:5])})" if matched else ""),
        ),
        Feature("experience", exp_v, settings.weight_experience, exp_r),
        Feature("location", loc_v, settings.weight_location, loc_r),
        Feature("salary", sal_v, settings.weight_salary, sal_r),
        Feature("recency", rec_v, settings.weight_recency, rec_r),
        Feature("language", lang_v, settings.weight_language, lang_r),
    ]
    for name, sim, weight, what in (
        ("semantic", sims.document, settings.weight_semantic, "Your CV as a whole"),
        ("chunk", sims.best_chunk, settings.weight_chunk, "A section of your CV"),
    ):
        if sim is not None:
            # MiniLM cosines of related texts sit in ~0.2–0.8: stretch that band onto [0, 1].
            value = _clip((sim - 0.15) / 0.6)
            features.append(
                Feature(name, value, weight, f"{what} reads close to this job ({sim:.2f})")
            )
    if sims.title is not None:
        features.append(
            Feature(
                "title",
                _clip(sims.title),
                settings.weight_title,
                "Your job titles share words with this one"
                if sims.title > 0
                else "Your job titles differ from this one",
            )
        )
    total = sum(f.weight for f in features)
    value = sum(f.weight * f.value for f in features) / total if total else 0.0
    return Scored(round(_clip(value), 4), tuple(features), tuple(matched), tuple(missing))
