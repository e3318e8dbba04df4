"""What an application keeps of a match's explanation, and the CV-text skill check.

The matching engine's explanation is derived from the CV (its parsed skills, its vectors) and
the job, so its matched and missing skills and its reasons are kept as the engine said them:
the application shows what the candidate and the recruiter saw on every other screen, never a
re-worded copy that could contradict it. Without an engine explanation (no CV vector yet), a
skill is "matched" only when the CV's text names it (folded for case, accents and Arabic letter
forms, on word boundaries).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from ingestion.jobs.text import fold

_SPACE = re.compile(r"\s+")
_TAXONOMY_ID = re.compile(r"^(esco|onet):\S+$")
MAX_REASONS = 10
MAX_REASON_CHARS = 300


def folded_text(text: str) -> str:
    """The CV text as skills are looked up in it."""
    return _SPACE.sub(" ", fold(text))


def skill_in_text(skill: str, folded: str) -> bool:
    """True when ``folded`` (from :func:`folded_text`) names ``skill`` as a whole word/phrase."""
    needle = _SPACE.sub(" ", fold(skill)).strip()
    if not needle:
        return False
    # "+" and "#" continue a skill's name: C is not named by "C++" or "C#".
    return re.search(r"(?<!\w)" + re.escape(needle) + r"(?![\w+#])", folded) is not None


def skill_forms(skill: str) -> tuple[str, tuple[str, ...]]:
    """(the name to show, the names a CV may use for it). Feeds ingested through the skill
    taxonomy store its ids ("esco:…", "onet:…"): those show their label and are found under
    the label or any synonym; any other skill is shown and found as written."""
    if _TAXONOMY_ID.match(skill):
        from ingestion.taxonomy import get_taxonomy

        entry = get_taxonomy().get(skill)
        if entry is not None:
            return entry.label, (entry.label, *entry.synonyms)
    return skill, (skill,)


def skill_overlap(job_skills: Iterable[str], cv_text: str) -> tuple[list[str], list[str]]:
    """(skills of the job the CV names, skills of the job it does not), in the job's order,
    by their shown names."""
    folded = folded_text(cv_text)
    matched: list[str] = []
    missing: list[str] = []
    for skill in dict.fromkeys(job_skills):
        label, forms = skill_forms(skill)
        found = any(skill_in_text(form, folded) for form in forms)
        (matched if found else missing).append(label)
    return list(dict.fromkeys(matched)), list(dict.fromkeys(missing))


def _strings(values: Any, limit: int) -> list[str]:
    if not isinstance(values, list):
        return []
    return [v[:MAX_REASON_CHARS] for v in values if isinstance(v, str) and v][:limit]


def supported_explanation(
    explanation: Mapping[str, Any] | None, cv_text: str, job_skills: Iterable[str]
) -> dict[str, Any]:
    """The explanation in the stored shape: ``matched_skills``, ``missing_skills``, ``reasons``,
    ``scorer`` and the scorer's ``features`` (numbers only), lengths capped. The engine's own
    skill lists are kept as they are; without them, the skills come from the CV's text."""
    explanation = explanation or {}
    if isinstance(explanation.get("matched_skills"), list) and isinstance(
        explanation.get("missing_skills"), list
    ):
        matched = _strings(explanation["matched_skills"], 100)
        missing = _strings(explanation["missing_skills"], 100)
    else:
        matched, missing = skill_overlap(job_skills, cv_text)
    out: dict[str, Any] = {
        "matched_skills": matched,
        "missing_skills": missing,
        "reasons": _strings(explanation.get("reasons"), MAX_REASONS),
    }
    scorer = explanation.get("scorer")
    if isinstance(scorer, str):
        out["scorer"] = scorer[:64]
    # The scorer's feature values (numbers it computed from the CV and the job) say how the
    # score came about; they claim nothing new about the candidate.
    features = explanation.get("features")
    if isinstance(features, Mapping):
        out["features"] = {
            str(k)[:64]: float(v)
            for k, v in list(features.items())[:32]
            if isinstance(v, int | float) and not isinstance(v, bool)
        }
    return out
