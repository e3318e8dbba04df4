"""Round trip: a CV rendered to DOCX or PDF and read back by our own ingestion (extraction, then
``parse_cv``) should say the same. :func:`field_agreement` measures how far it does.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from typing import Literal

from ingestion.cv_parser import parse_cv
from ingestion.cv_schema import CvLanguage, StructuredCV
from ingestion.extract import extract_in_process
from ingestion.render import render_docx, render_pdf
from ingestion.render.bidi import strip_controls

Format = Literal["docx", "pdf"]
_SPACE = re.compile(r"\s+")


def _norm(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else ""
    if isinstance(value, float):
        return f"{value:.1f}"
    return _SPACE.sub(" ", strip_controls(str(value))).strip().casefold()


def cv_fields(cv: StructuredCV) -> dict[str, str]:
    """Every filled field of ``cv`` as "path" → normalised value. Skills and languages are
    keyed by name (their order carries no meaning); entries by position."""
    out: dict[str, str] = {}

    def put(key: str, value: object) -> None:
        text = _norm(value)
        if text:
            out[key] = text

    p = cv.personal
    for name in ("name", "email", "phone_e164", "linkedin", "location", "city", "country"):
        put(f"personal.{name}", getattr(p, name))
    if not p.phone_e164:
        put("personal.phone", p.phone)
    put("title", cv.title)
    put("summary", cv.summary)
    for i, job in enumerate(cv.employment):
        for name in ("title", "company", "location", "start", "end", "current", "description"):
            put(f"employment.{i}.{name}", getattr(job, name))
    for i, edu in enumerate(cv.education):
        for name in ("degree", "field", "institution", "start", "end", "level"):
            put(f"education.{i}.{name}", getattr(edu, name))
    for skill in cv.skills:
        put(f"skills.{_norm(skill.name)}", skill.skill_id or "yes")
    for lang in cv.languages:
        put(f"languages.{_norm(lang.language)}", lang.proficiency or "yes")
    for i, cert in enumerate(cv.certifications):
        put(f"certifications.{i}", cert)
    for i, project in enumerate(cv.projects):
        put(f"projects.{i}", project)
    put("highest_education", cv.highest_education)
    put("total_years_experience", cv.total_years_experience)
    put("language", cv.language)
    return out


@dataclass(frozen=True)
class Agreement:
    """How many fields of either CV agree; ``differences`` names the others (path, a, b)."""

    agreed: int
    total: int
    differences: tuple[tuple[str, str, str], ...] = field(default=())

    @property
    def ratio(self) -> float:
        return self.agreed / self.total if self.total else 1.0


def field_agreement(expected: StructuredCV, actual: StructuredCV) -> Agreement:
    """Fields filled in either CV that have the same (normalised) value in both, over all such
    fields: a field lost, added or changed counts against."""
    a, b = cv_fields(expected), cv_fields(actual)
    keys = sorted(a.keys() | b.keys())
    diffs = tuple((k, a.get(k, ""), b.get(k, "")) for k in keys if a.get(k) != b.get(k))
    return Agreement(len(keys) - len(diffs), len(keys), diffs)


def round_trip(
    cv: StructuredCV,
    fmt: Format,
    language: CvLanguage | None = None,
    *,
    today: date | None = None,
) -> StructuredCV:
    """Render ``cv``, extract the file's text as an upload would be, and parse it again."""
    data = render_pdf(cv, language) if fmt == "pdf" else render_docx(cv, language)
    return parse_cv(extract_in_process(data).text, today=today)
