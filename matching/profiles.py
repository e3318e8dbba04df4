"""Profiles for matching, built from stored rows: skills resolved to the taxonomy, rarity kept.

Built only from professional facts. A candidate's gender, nationality, date of birth, photo,
religion or marital status are never read here.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, datetime
from functools import lru_cache
from typing import Any, Protocol

from ingestion.cv_parser import parse_cv
from ingestion.skills import extract_skills, normalise_skill
from ingestion.taxonomy import get_taxonomy
from matching.features import CandidateProfile, JobProfile
from models import Job
from models.enums import WorkMode

_LANGUAGE_CODES = {
    "arabic": "ar",
    "العربية": "ar",
    "عربي": "ar",
    "اللغة العربية": "ar",
    "english": "en",
    "الإنجليزية": "en",
    "الانجليزية": "en",
    "اللغة الإنجليزية": "en",
    "اللغة الانجليزية": "en",
    "hindi": "hi",
    "urdu": "ur",
    "french": "fr",
    "tagalog": "tl",
    "filipino": "tl",
}


@lru_cache(maxsize=65536)
def resolve_skill(name: str) -> tuple[str, str, float] | None:
    """(skill id, label, rarity in [0, 1]) for one skill name, or None when unknown or a
    language (languages are matched by the language check, not as skills)."""
    if name.startswith(("esco:", "onet:")):  # already a canonical id (feeds store those)
        entry = get_taxonomy().get(name)
        if entry is None or entry.kind == "language":
            return None
        return entry.id, entry.label, entry.weight
    ref = normalise_skill(name)
    if ref is None or ref.kind == "language":
        return None
    return ref.skill_id, ref.label, ref.weight


def resolve_skills(names: Iterable[str]) -> tuple[dict[str, str], dict[str, float]]:
    """Skill names → ({id: name shown}, {id: rarity}); unknown names keep their own text as id."""
    labels: dict[str, str] = {}
    rarity: dict[str, float] = {}
    for name in names:
        if not name or not name.strip():
            continue
        hit = resolve_skill(name.strip())
        if hit is None and _is_language(name):
            continue
        if hit is None:
            key = "raw:" + name.strip().lower()
            labels.setdefault(key, name.strip())
            rarity.setdefault(key, 0.5)
        else:
            # Shown as the job or CV wrote it ("Python", not the taxonomy's "Python (computer
            # programming)"); an id stored by a feed shows the taxonomy's label.
            shown = hit[1] if name.startswith(("esco:", "onet:")) else name.strip()
            labels.setdefault(hit[0], shown)
            rarity[hit[0]] = hit[2]
    return labels, rarity


@lru_cache(maxsize=65536)
def _is_language(name: str) -> bool:
    ref = normalise_skill(name.strip())
    return (ref is not None and ref.kind == "language") or name.strip().lower() in _LANGUAGE_CODES


def skill_weight(rarity: float) -> float:
    """Weight of a job skill in the overlap: generic skills still count, rare ones count more."""
    return 0.25 + rarity


def _skill_names(parsed: Mapping[str, Any]) -> list[str]:
    names: list[str] = []
    for item in parsed.get("skills") or ():
        if isinstance(item, str):
            names.append(item)
        elif isinstance(item, Mapping) and item.get("name"):
            names.append(str(item["name"]))
    return names


def _languages(parsed: Mapping[str, Any]) -> tuple[str, ...]:
    codes: list[str] = []
    if parsed.get("language") in ("en", "ar"):
        codes.append(str(parsed["language"]))
    for item in parsed.get("languages") or ():
        name = item.get("language") if isinstance(item, Mapping) else item
        code = _LANGUAGE_CODES.get(str(name or "").strip().lower())
        if code:
            codes.append(code)
    return tuple(dict.fromkeys(codes))


def _years(parsed: Mapping[str, Any]) -> float | None:
    value = parsed.get("total_years_experience")
    return float(value) if isinstance(value, int | float) else None


def candidate_profile(
    parsed: Mapping[str, Any] | None, text: str | None = None
) -> CandidateProfile:
    """What matching knows of a CV: its parsed structure alone (skills, titles, years, place,
    languages), so the same CV gives the same profile through every route. An account's stated
    preferences (desired places, salary) are filters a route may apply, never part of a score."""
    parsed = parsed or {}
    names = _skill_names(parsed)
    if not names and text:
        names = [m.label for m in extract_skills(text)]
    labels, _ = resolve_skills(names)
    titles = [str(e.get("title")) for e in parsed.get("employment") or () if e.get("title")]
    if parsed.get("title"):
        titles.insert(0, str(parsed["title"]))
    personal = parsed.get("personal") or {}
    return CandidateProfile(
        skills=labels,
        years_experience=_years(parsed),
        city=personal.get("city"),
        country=personal.get("country"),
        languages=_languages(parsed),
        titles=tuple(dict.fromkeys(titles)),
    )


def profile_of_text(text: str, today: date | None = None) -> CandidateProfile:
    """The profile of a CV given as text, parsed as an upload is parsed."""
    return candidate_profile(parse_cv(text, today=today).model_dump(mode="json"), text)


class JobFacts(Protocol):
    """What matching reads of a job: a :class:`models.Job`, or a row of just these columns
    (where the enum columns are their text: a ``StrEnum`` member is one too)."""

    @property
    def title(self) -> str: ...
    @property
    def skills(self) -> list[str]: ...
    @property
    def experience_min(self) -> int | None: ...
    @property
    def experience_max(self) -> int | None: ...
    @property
    def city(self) -> str | None: ...
    @property
    def country(self) -> str | None: ...
    @property
    def work_mode(self) -> str | None: ...
    @property
    def salary_min(self) -> int | None: ...
    @property
    def salary_max(self) -> int | None: ...
    @property
    def salary_currency(self) -> str | None: ...
    @property
    def salary_period(self) -> str | None: ...
    @property
    def posted_at(self) -> datetime | None: ...
    @property
    def language(self) -> str: ...


#: The columns behind :class:`JobFacts`, for queries that load nothing else.
JOB_FACT_COLUMNS = (
    Job.title,
    Job.skills,
    Job.experience_min,
    Job.experience_max,
    Job.city,
    Job.country,
    Job.work_mode,
    Job.salary_min,
    Job.salary_max,
    Job.salary_currency,
    Job.salary_period,
    Job.posted_at,
    Job.language,
)


@lru_cache(maxsize=65536)
def job_skill_weights(names: tuple[str, ...]) -> tuple[dict[str, str], dict[str, float]]:
    labels, rarity = resolve_skills(names)
    return labels, {k: skill_weight(v) for k, v in rarity.items()}


def job_profile(job: JobFacts) -> tuple[JobProfile, dict[str, float]]:
    """A job's profile and the weight of each of its skills (by rarity).

    The skill maps are cached by the job's skill list and shared: treat them as read-only.
    """
    labels, weights = job_skill_weights(tuple(job.skills or ()))
    profile = JobProfile(
        skills=labels,
        experience_min=job.experience_min,
        experience_max=job.experience_max,
        city=job.city,
        country=job.country,
        remote=job.work_mode == WorkMode.REMOTE,
        salary_min=job.salary_min,
        salary_max=job.salary_max,
        salary_currency=job.salary_currency,
        salary_period=str(job.salary_period) if job.salary_period else None,
        posted_at=job.posted_at,
        language=job.language,
    )
    return profile, weights
