"""The one structured CV: what parsing produces, the AI builder fills in and rendering reads.

Dates are ``"YYYY-MM"`` or ``"YYYY"`` strings (as precise as the CV is). Every free-text value
a parser fills in is copied from the CV, never invented; ``city`` / ``country`` / education
``level`` / language names are normalised vocabularies. ``confidence`` holds, per top-level field
name, how sure the producer is, in [0, 1].

``parser`` says what produced the document: the rule parser alone (``"rules"``, the default and
what every document stored before it existed was), or the rule parser refined by a language
model (``"rules+llm"``, see :mod:`ingestion.cv_llm`), with ``llm_fields`` naming the fields the
model set or confirmed and ``rejected`` what the model said that the CV text does not support.
"""

from __future__ import annotations

import json
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

EducationLevel = Literal["high_school", "diploma", "bachelor", "master", "doctorate"]
#: Ordered from lowest to highest, for "highest education" comparisons.
EDUCATION_ORDER: tuple[EducationLevel, ...] = (
    "high_school",
    "diploma",
    "bachelor",
    "master",
    "doctorate",
)
CvLanguage = Literal["en", "ar"]
Proficiency = Literal["native", "fluent", "professional", "intermediate", "basic"]

#: A CV date: a year, or a year and month ("2019", "2019-03").
DATE_PATTERN = r"^\d{4}(-(0[1-9]|1[0-2]))?$"


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class Personal(_Model):
    name: str | None = None
    email: str | None = None
    #: As written in the CV ("050 123 4567").
    phone: str | None = None
    #: The same number in E.164 ("+971501234567") when it could be read as one.
    phone_e164: str | None = None
    linkedin: str | None = None
    #: As written ("Dubai, UAE").
    location: str | None = None
    #: Canonical English city name ("Dubai" for "دبي").
    city: str | None = None
    #: ISO 3166-1 alpha-2 code ("AE").
    country: str | None = Field(default=None, pattern=r"^[A-Z]{2}$")


class Employment(_Model):
    title: str | None = None
    company: str | None = None
    location: str | None = None
    start: str | None = Field(default=None, pattern=DATE_PATTERN)
    end: str | None = Field(default=None, pattern=DATE_PATTERN)
    current: bool = False
    description: str | None = None


class Education(_Model):
    degree: str | None = None
    field: str | None = None
    institution: str | None = None
    start: str | None = Field(default=None, pattern=DATE_PATTERN)
    end: str | None = Field(default=None, pattern=DATE_PATTERN)
    level: EducationLevel | None = None


class Skill(_Model):
    #: As written in the CV (or as typed by the user).
    name: str
    #: Taxonomy id ("esco:<uuid>" / "onet:<slug>"), None when the name is not in the taxonomy.
    skill_id: str | None = None


class Language(_Model):
    #: English name ("Arabic").
    language: str
    #: One of native, fluent, professional, intermediate, basic — or None when not stated.
    proficiency: Proficiency | None = None


CvParser = Literal["rules", "rules+llm", "model", "model+llm"]


class RejectedValue(_Model):
    """A value a language model returned that the CV text does not support (dropped)."""

    #: Where it was: "name", "employment[0].company", "skills[3]", ...
    field: str
    value: str
    reason: str


class StructuredCV(_Model):
    personal: Personal = Field(default_factory=Personal)
    title: str | None = None
    summary: str | None = None
    employment: list[Employment] = Field(default_factory=list)
    education: list[Education] = Field(default_factory=list)
    skills: list[Skill] = Field(default_factory=list)
    languages: list[Language] = Field(default_factory=list)
    certifications: list[str] = Field(default_factory=list)
    projects: list[str] = Field(default_factory=list)
    total_years_experience: float | None = Field(default=None, ge=0, le=70)
    highest_education: EducationLevel | None = None
    language: CvLanguage = "en"
    confidence: dict[str, float] = Field(default_factory=dict)
    parser: CvParser = "rules"
    #: Top-level field names (as in ``confidence``) the language model set or confirmed.
    llm_fields: list[str] = Field(default_factory=list)
    rejected: list[RejectedValue] = Field(default_factory=list)

    @field_validator("confidence")
    @classmethod
    def _in_unit_interval(cls, value: dict[str, float]) -> dict[str, float]:
        for key, conf in value.items():
            if not 0.0 <= conf <= 1.0:
                raise ValueError(f"confidence of {key!r} must be in [0, 1], got {conf}")
        return value


def cv_json_schema() -> dict[str, Any]:
    """The JSON Schema of :class:`StructuredCV` (draft 2020-12, as pydantic writes it)."""
    return StructuredCV.model_json_schema()


def cv_json_schema_text() -> str:
    """The JSON Schema as stable, indented text (for files and LLM prompts)."""
    return json.dumps(cv_json_schema(), indent=2, sort_keys=True, ensure_ascii=False)
