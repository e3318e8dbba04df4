"""Optional language-model structuring of a CV: the pure parts (no client, no I/O).

The rule parser (:func:`ingestion.cv_parser.parse_cv`) always runs and stands on its own. When a
model is configured and switched on, the API asks it for :class:`CvLlmOutput` (the prompt comes
from :func:`structuring_prompt`), checks the answer with :func:`unsupported_values` and merges
it into the rule parse with :func:`merge_llm`.

The rule that keeps the model honest: every value it returns must be found in the CV text.
Strings are compared after folding case, spacing, dashes and Arabic spelling variants, as whole
words; phone numbers by their digits; dates by their year. A value that fails is never kept:
the rule parser's value stays, and the rejected value is recorded in ``StructuredCV.rejected``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from ingestion.cv_parser import (
    degree_level,
    find_phones,
    find_place,
    highest_level,
    parse_languages,
)
from ingestion.cv_schema import (
    DATE_PATTERN,
    Education,
    Employment,
    RejectedValue,
    Skill,
    StructuredCV,
)
from ingestion.extract import normalise_arabic_for_search
from ingestion.skills import normalise_skill

#: Confidence of a value the model placed and the text supports, where the rule parser had
#: another value or none; a value both agree on keeps the higher of the two.
LLM_CONFIDENCE = 0.85
AGREED_CONFIDENCE = 0.95

Text = Annotated[str, StringConstraints(strip_whitespace=True, max_length=300)]
Date = Annotated[str, StringConstraints(strip_whitespace=True, pattern=DATE_PATTERN)]


class _Out(BaseModel):
    # Keys a model adds beyond the schema are ignored rather than refused: only the fields below
    # are ever read, so an extra key cannot carry a value into the CV.
    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)


class LlmJob(_Out):
    title: Text | None = None
    company: Text | None = None
    location: Text | None = None
    start: Date | None = None
    end: Date | None = None
    current: bool = False


class LlmEducation(_Out):
    degree: Text | None = None
    field: Text | None = None
    institution: Text | None = None
    start: Date | None = None
    end: Date | None = None


class CvLlmOutput(_Out):
    """What the model must answer: each value copied from the CV as written."""

    name: Text | None = None
    email: Text | None = None
    phone: Text | None = None
    #: As written ("Dubai, UAE"); the city and country are read from it, not asked for.
    location: Text | None = None
    #: The headline job title under the name.
    title: Text | None = None
    employment: list[LlmJob] = Field(default_factory=list, max_length=40)
    education: list[LlmEducation] = Field(default_factory=list, max_length=20)
    skills: list[Text] = Field(default_factory=list, max_length=150)
    #: Human languages as written, with the proficiency words beside them ("English (Fluent)").
    languages: list[Text] = Field(default_factory=list, max_length=20)
    certifications: list[Text] = Field(default_factory=list, max_length=30)


# --- the prompt --------------------------------------------------------------------------------

_SYSTEM = """You read one CV and return its facts as one JSON object following this JSON Schema:
{schema}
Strict rules:
- Copy every value exactly as the CV writes it: same words, same spelling, same language and
  script. Do not translate, expand abbreviations, correct, complete or summarise.
- Never add anything the CV does not state. When the CV does not state a value, use null (or an
  empty list).
- Dates are "YYYY" or "YYYY-MM" and only from dates written in the CV. A job held now has
  "end": null and "current": true.
- employment: one entry per job, in the CV's order; company is the employer's name only.
- education: one entry per degree; degree as written ("MSc in Data Science").
- skills: the skills, tools and technologies the CV names, one per item.
- languages: human languages as written, with the proficiency words written beside them.
- phone: one phone number of the candidate, as written.
Answer with the JSON object only."""


def structuring_prompt(text: str, max_chars: int = 30_000) -> tuple[str, str]:
    """The system and user messages asking a model for :class:`CvLlmOutput` of ``text``
    (cut to ``max_chars``)."""
    schema = json.dumps(CvLlmOutput.model_json_schema(), ensure_ascii=False, separators=(",", ":"))
    user = json.dumps({"CV_TEXT": text[:max_chars]}, ensure_ascii=False)
    return _SYSTEM.format(schema=schema), user


# --- the support rule --------------------------------------------------------------------------

_DASHES = str.maketrans(dict.fromkeys("‐‑‒–—―−", "-") | dict.fromkeys("‘’`´", "'"))
_YEAR = re.compile(r"(?<!\d)(?:19|20)\d\d(?!\d)")
_PHONE_RUN = re.compile(r"\+?\(?\d[\d\s().\-/]{5,}\d")
_NOT_DIGIT = re.compile(r"\D")


def fold(text: str) -> str:
    """Text as the support rule compares it: Arabic spelling variants and digits, dashes and
    quotes, spacing and case folded."""
    folded = normalise_arabic_for_search(text).translate(_DASHES)
    return re.sub(r"\s+", " ", folded).casefold().strip()


def _class(ch: str) -> str | None:
    return "a-z" if "a" <= ch <= "z" else "0-9" if "0" <= ch <= "9" else None


def _bounded(needle: str) -> str:
    """A pattern for ``needle`` (folded) that a Latin letter or a digit may not extend."""
    head, tail = _class(needle[0]), _class(needle[-1])
    return (
        (f"(?<![{head}])" if head else "") + re.escape(needle) + (f"(?![{tail}])" if tail else "")
    )


def _digits(value: str) -> str:
    return _NOT_DIGIT.sub("", fold(value))


@dataclass(frozen=True)
class Unsupported:
    """One value of a model's answer that the CV text does not support."""

    field: str
    value: str
    reason: str

    def sentence(self) -> str:
        """The problem in words the model (and a reviewer) can act on."""
        return f"{self.field}: '{self.value}' {self.reason}"

    def record(self) -> RejectedValue:
        return RejectedValue(field=self.field, value=self.value, reason=self.reason)


class CvText:
    """A CV's text, folded once, to check values against."""

    def __init__(self, text: str) -> None:
        self.text = text

    @cached_property
    def folded(self) -> str:
        return fold(self.text)

    @cached_property
    def years(self) -> frozenset[str]:
        return frozenset(_YEAR.findall(self.folded))

    @cached_property
    def phone_digits(self) -> tuple[str, ...]:
        return tuple(_NOT_DIGIT.sub("", m.group()) for m in _PHONE_RUN.finditer(self.folded))

    def mentions(self, value: str) -> bool:
        """Whether ``value`` occurs in the text (folded), not as a piece of a longer Latin word
        or number: "R" is not found in "Reporting", "Java" not in "JavaScript", "201" not in
        "2019" (a letter may touch a digit: "Java" is in "Java8")."""
        needle = fold(value)
        if not needle:
            return False
        return re.search(_bounded(needle), self.folded) is not None

    def has_phone(self, value: str) -> bool:
        """Whether the digits of ``value`` (at least 7) are those of a number in the text."""
        digits = _digits(value)
        return len(digits) >= 7 and any(digits in run for run in self.phone_digits)

    def has_date(self, value: str) -> bool:
        """Whether the year of a "YYYY" / "YYYY-MM" date is written in the text."""
        return value[:4] in self.years


def _source(text: str | CvText) -> CvText:
    return text if isinstance(text, CvText) else CvText(text)


def unsupported_values(out: CvLlmOutput, text: str | CvText) -> list[Unsupported]:
    """Every value of ``out`` that ``text`` does not support, in the answer's order."""
    src = _source(text)
    problems: list[Unsupported] = []

    def words(path: str, value: str | None) -> None:
        if value and not src.mentions(value):
            problems.append(Unsupported(path, value, "is not in the CV text"))

    def date(path: str, value: str | None) -> None:
        if value and not src.has_date(value):
            problems.append(Unsupported(path, value, f"the year {value[:4]} is not in the CV text"))

    for key in ("name", "email", "location", "title"):
        words(key, getattr(out, key))
    if out.phone and not src.has_phone(out.phone):
        problems.append(Unsupported("phone", out.phone, "is not a phone number in the CV text"))
    for i, job in enumerate(out.employment):
        for key in ("title", "company", "location"):
            words(f"employment[{i}].{key}", getattr(job, key))
        date(f"employment[{i}].start", job.start)
        date(f"employment[{i}].end", job.end)
    for i, edu in enumerate(out.education):
        for key in ("degree", "field", "institution"):
            words(f"education[{i}].{key}", getattr(edu, key))
        date(f"education[{i}].start", edu.start)
        date(f"education[{i}].end", edu.end)
    for key in ("skills", "languages", "certifications"):
        for i, item in enumerate(getattr(out, key)):
            words(f"{key}[{i}]", item)
    return problems


# --- the merge ---------------------------------------------------------------------------------


def _same(a: str | None, b: str | None) -> bool:
    return bool(a) and bool(b) and fold(a or "") == fold(b or "")


def _pick(llm: str | None, rule: str | None, *, date: bool = False) -> str | None:
    """The model's value, else the rule's. When both say the same the rule's text wins: it is
    the CV's own spelling (the model's may differ in case, spacing or Arabic letter forms), and
    for a date it may carry the month the model left out."""
    if not llm or not rule:
        return llm or rule
    if date:
        return rule if rule[:4] == llm[:4] and len(rule) > len(llm) else llm
    return rule if _same(llm, rule) else llm


Keys = tuple[str | None, str | None, str | None]


def _pair(candidates: list[Keys], used: set[int], keys: Keys) -> int | None:
    """The first unused rule entry with the same start year, else the same organisation, else
    the same title."""
    for slot in range(3):
        for i, cand in enumerate(candidates):
            a, b = cand[slot], keys[slot]
            same = bool(a and b and a[:4] == b[:4]) if slot == 0 else _same(a, b)
            if i not in used and same:
                used.add(i)
                return i
    return None


def _entry(
    checked: dict[str, str | None], base: Employment | Education, dates: tuple[str, ...]
) -> dict[str, str | None]:
    return {k: _pick(v, getattr(base, k), date=k in dates) for k, v in checked.items()}


def _jobs(rule: list[Employment], out: list[LlmJob], bad: set[str]) -> list[Employment]:
    keys = [(j.start, j.company, j.title) for j in rule]
    used: set[int] = set()
    merged: list[Employment] = []
    for i, job in enumerate(out):
        checked = {
            k: None if f"employment[{i}].{k}" in bad else v
            for k, v in job.model_dump(exclude={"current"}).items()
        }
        paired = _pair(keys, used, (checked["start"], checked["company"], checked["title"]))
        base = rule[paired] if paired is not None else Employment()
        values = _entry(checked, base, ("start", "end"))
        if not (values["title"] or values["company"]):
            continue
        current = base.current
        if checked["end"]:
            current = False
        elif job.current:
            current, values["end"] = True, None
        merged.append(Employment(**values, current=current, description=base.description))
    return merged


def _degrees(rule: list[Education], out: list[LlmEducation], bad: set[str]) -> list[Education]:
    keys = [(e.start or e.end, e.institution, e.degree) for e in rule]
    used: set[int] = set()
    merged: list[Education] = []
    for i, edu in enumerate(out):
        checked = {
            k: None if f"education[{i}].{k}" in bad else v for k, v in edu.model_dump().items()
        }
        paired = _pair(
            keys,
            used,
            (checked["start"] or checked["end"], checked["institution"], checked["degree"]),
        )
        base = rule[paired] if paired is not None else Education()
        values = _entry(checked, base, ("start", "end"))
        if not (values["degree"] or values["institution"]):
            continue
        level = (degree_level(values["degree"]) if values["degree"] else None) or base.level
        merged.append(Education(**values, level=level))
    return merged


def _kept(items: Iterable[str], key: str, bad: set[str]) -> list[str]:
    return [v for i, v in enumerate(items) if v and f"{key}[{i}]" not in bad]


def merge_llm(rule_cv: StructuredCV, llm_out: CvLlmOutput, text: str | CvText) -> StructuredCV:
    """The rule parse refined by a model's answer: only values ``text`` supports are taken,
    each field the model set or confirmed is named in ``llm_fields`` (and its confidence set),
    and everything else keeps the rule parser's value. What the text does not support is listed
    in ``rejected``, never kept. Where both parsers say the same, the rule's text (the CV's own
    spelling) stays.

    Single values (name, email, phone, location, title) replace the rule's; the model's jobs and
    degrees replace the rule's lists when any survive the check (each keeps the description and,
    for a rejected part, the value of the rule entry it pairs with); skills, languages and
    certifications the rule parser missed are added to its own.
    """
    src = _source(text)
    problems = unsupported_values(llm_out, src)
    bad = {p.field for p in problems}
    cv = rule_cv.model_copy(deep=True)
    conf = dict(cv.confidence)
    taken: set[str] = set()

    def took(key: str, agreed: bool) -> None:
        taken.add(key)
        base = conf.get(key, 0.0) if agreed else 0.0
        conf[key] = max(base, AGREED_CONFIDENCE if agreed else LLM_CONFIDENCE)

    def single(key: str, rule: str | None) -> str | None:
        value: str | None = getattr(llm_out, key)
        if not value or key in bad:
            return rule
        took(key, _same(value, rule))
        return _pick(value, rule)

    p = cv.personal
    p.name = single("name", p.name)
    p.email = single("email", p.email)
    cv.title = single("title", cv.title)
    if llm_out.phone and "phone" not in bad:
        same = _digits(llm_out.phone) == _digits(p.phone or "")
        if not same:  # the same number written otherwise keeps the rule's text and E.164
            hits = find_phones(llm_out.phone)
            p.phone, p.phone_e164 = llm_out.phone, hits[0].e164 if hits else None
        took("phone", same)
    if llm_out.location and "location" not in bad:
        # Taken only when it reads as a place: the city and country come from the vocabulary.
        place = find_place(llm_out.location)
        if place is not None and (place.city or place.country):
            p.location = single("location", p.location)
            p.city, p.country = place.city, place.country

    jobs = _jobs(cv.employment, llm_out.employment, bad)
    if jobs:
        cv.employment = jobs
        took("employment", False)
    degrees = _degrees(cv.education, llm_out.education, bad)
    if degrees:
        cv.education = degrees
        took("education", False)
        cv.highest_education = highest_level(degrees)
        if cv.highest_education:
            conf["highest_education"] = conf["education"]
        else:
            conf.pop("highest_education", None)

    have = {fold(s.name) for s in cv.skills}
    ids = {s.skill_id for s in cv.skills if s.skill_id}
    for name in _kept(llm_out.skills, "skills", bad):
        ref = normalise_skill(name)
        if fold(name) in have or (ref is not None and ref.skill_id in ids):
            continue
        cv.skills.append(Skill(name=name, skill_id=ref.skill_id if ref else None))
        have.add(fold(name))
        if ref is not None:
            ids.add(ref.skill_id)
        taken.add("skills")
    if "skills" in taken:
        conf["skills"] = max(conf.get("skills", 0.0), LLM_CONFIDENCE)

    known = {lang.language: lang for lang in cv.languages}
    for lang in parse_languages(_kept(llm_out.languages, "languages", bad)):
        if lang.language not in known:
            cv.languages.append(lang)
            taken.add("languages")
        elif lang.proficiency and not known[lang.language].proficiency:
            known[lang.language].proficiency = lang.proficiency
            taken.add("languages")
    if "languages" in taken:
        conf["languages"] = max(conf.get("languages", 0.0), LLM_CONFIDENCE)

    certs = {fold(c) for c in cv.certifications}
    for cert in _kept(llm_out.certifications, "certifications", bad):
        if fold(cert) not in certs and len(cv.certifications) < 30:
            cv.certifications.append(cert)
            certs.add(fold(cert))
            taken.add("certifications")
    if "certifications" in taken:
        conf["certifications"] = max(conf.get("certifications", 0.0), LLM_CONFIDENCE)

    cv.confidence = {k: round(v, 3) for k, v in conf.items()}
    cv.parser = "model+llm" if cv.parser.startswith("model") else "rules+llm"
    cv.llm_fields = sorted(taken)
    cv.rejected = [p.record() for p in problems]
    return cv
