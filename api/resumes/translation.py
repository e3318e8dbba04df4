"""English ↔ Arabic translation of a structured CV through the language model.

Section by section (the header, each job, each degree, the skills, …), so the structure is
kept by construction: the model only ever sees ``{"fields": {key: text}}`` and must answer with
the same keys. What must not change never reaches it: names, emails, phone numbers, LinkedIn,
dates, language levels and taxonomy ids are copied. What it is sent is checked on the way
back: every email, URL and number of a field (years, phone digits, "15%") must appear
unchanged in its translation, every key must be answered and none added; a failing answer is
repaired once, then the translation fails (502) and nothing is saved. Job titles the glossary
knows are translated by the glossary, never by the model, and its pairs are given to the model
for titles inside sentences.
"""

from __future__ import annotations

import json
import re
import uuid
from typing import Any

from pydantic import BaseModel, Field

from api.errors import BadInput
from api.integrations.llm import Check, LlmClient, UsageSink
from api.resumes.glossary import get_glossary
from ingestion.cv_schema import CvLanguage, StructuredCV
from ingestion.render.bidi import has_arabic

_LANG_NAMES = {"en": "English", "ar": "Arabic (Modern Standard Arabic as used in Gulf CVs)"}
_EMAIL = re.compile(r"[\w.+'-]+@[\w-]+(?:\.[\w-]+)+")
_URL = re.compile(r"(?:https?://|www\.)\S+|\b[\w-]+(?:\.[\w-]+)*\.(?:com|org|net|io|ae|sa)/\S*")
_NUMBER = re.compile(r"\d+(?:[.,:/]\d+)*")
_INDIC_DIGITS = str.maketrans({chr(0x0660 + d): str(d) for d in range(10)})


class TranslatedFields(BaseModel):
    fields: dict[str, str] = Field(default_factory=dict)


def protected_tokens(text: str) -> list[str]:
    """Emails, URLs and numbers of ``text``: a translation must keep each of them verbatim."""
    tokens = _EMAIL.findall(text) + _URL.findall(text)
    rest = _URL.sub(" ", _EMAIL.sub(" ", text))
    tokens += _NUMBER.findall(rest.translate(_INDIC_DIGITS))
    return tokens


def translation_problems(source: dict[str, str], result: dict[str, str]) -> list[str]:
    """Why ``result`` is not a faithful translation of ``source`` (empty: it is)."""
    problems: list[str] = []
    missing = [k for k in source if k not in result]
    extra = [k for k in result if k not in source]
    if missing:
        problems.append(f"keys missing from your answer: {', '.join(missing[:10])}")
    if extra:
        problems.append(f"keys that were not asked for: {', '.join(extra[:10])}")
    for key, text in source.items():
        out = result.get(key)
        if out is None:
            continue
        if text.strip() and not out.strip():
            problems.append(f"{key}: the translation is empty")
            continue
        for token in protected_tokens(text):
            if token not in out:
                problems.append(f"{key}: keep {token!r} exactly as written")
    return problems


def _source_language(cv: StructuredCV) -> CvLanguage:
    return cv.language


def _sections(cv: StructuredCV, target: CvLanguage) -> tuple[list[dict[str, str]], dict[str, str]]:
    """What to send, section by section, and what the glossary already translated."""
    glossary = get_glossary()
    fixed: dict[str, str] = {}
    sections: list[dict[str, str]] = []

    def title(key: str, value: str | None, section: dict[str, str]) -> None:
        if not value:
            return
        known = glossary.translate(value, target)
        if known:
            fixed[key] = known
        else:
            section[key] = value

    head: dict[str, str] = {}
    title("title", cv.title, head)
    if cv.summary:
        head["summary"] = cv.summary
    if cv.personal.location:
        head["personal.location"] = cv.personal.location
    sections.append(head)
    for i, job in enumerate(cv.employment):
        part: dict[str, str] = {}
        title(f"employment.{i}.title", job.title, part)
        # Employers keep their name; one written in Arabic is given in English letters.
        if job.company and target == "en" and has_arabic(job.company):
            part[f"employment.{i}.company"] = job.company
        if job.location:
            part[f"employment.{i}.location"] = job.location
        if job.description:
            part[f"employment.{i}.description"] = job.description
        sections.append(part)
    for i, edu in enumerate(cv.education):
        part = {}
        for name in ("degree", "field", "institution"):
            value = getattr(edu, name)
            if value:
                part[f"education.{i}.{name}"] = value
        sections.append(part)
    sections.append({f"skills.{i}": s.name for i, s in enumerate(cv.skills)})
    sections.append({f"certifications.{i}": c for i, c in enumerate(cv.certifications)})
    sections.append({f"projects.{i}": p for i, p in enumerate(cv.projects)})
    return [s for s in sections if s], fixed


def _apply(cv: StructuredCV, values: dict[str, str], target: CvLanguage) -> StructuredCV:
    data: dict[str, Any] = cv.model_dump(mode="json")
    for key, value in values.items():
        path = key.split(".")
        node: Any = data
        for part in path[:-1]:
            node = node[int(part)] if part.isdigit() else node[part]
        last = path[-1]
        if last.isdigit():
            item = node[int(last)]
            if isinstance(item, dict):  # a skill
                item["name"] = value
            else:
                node[int(last)] = value
        else:
            node[last] = value
    data["language"] = target
    return StructuredCV.model_validate(data)


def _prompt(source: CvLanguage, target: CvLanguage, hints: list[tuple[str, str]]) -> str:
    lines = [
        f"You translate parts of a CV from {_LANG_NAMES[source]} to {_LANG_NAMES[target]}.",
        'You receive a JSON object {"fields": {key: text}}. Answer with one JSON object '
        '{"fields": {key: translation}} that has exactly the same keys.',
        "Rules:",
        "- Translate faithfully: add nothing, drop nothing, invent nothing.",
        "- Keep names of people, companies, products and software, email addresses, URLs, "
        "phone numbers, numbers and years exactly as written, with Western digits (0-9).",
        "- Keep line breaks and bullet markers such as '- ' where they are.",
        "- Job titles are translated as a professional CV in the target language writes them.",
    ]
    if hints:
        lines.append("- Use these job-title translations:")
        lines.extend(f"  {a} => {b}" for a, b in hints)
    return "\n".join(lines)


async def translate_cv(
    cv: StructuredCV,
    target: CvLanguage,
    llm: LlmClient,
    *,
    user_id: uuid.UUID | None,
    sink: UsageSink | None,
    feature: str = "translate",
    max_chars: int = 30_000,
) -> StructuredCV:
    """``cv`` in ``target``, section by section, with its invariants checked (see module)."""
    llm.require()
    source = _source_language(cv)
    if source == target:
        raise BadInput("This CV is already in that language", code="same_language")
    sections, fixed = _sections(cv, target)
    size = sum(len(v) for s in sections for v in s.values())
    if size > max_chars:
        raise BadInput(
            f"This CV is too long to translate ({size} characters; at most {max_chars})",
            code="cv_too_long",
        )
    glossary = get_glossary()
    values = dict(fixed)

    def checker(section: dict[str, str]) -> Check:
        def check(parsed: TranslatedFields) -> list[str]:
            return translation_problems(section, parsed.fields)

        return check

    for section in sections:
        hints = glossary.hints(" ".join(section.values()), target)
        answer = await llm.complete_json(
            system=_prompt(source, target, hints),
            user=json.dumps({"fields": section}, ensure_ascii=False),
            schema=TranslatedFields,
            feature=feature,
            user_id=user_id,
            sink=sink,
            check=checker(section),
        )
        values.update({k: v.strip() for k, v in answer.fields.items() if k in section})
    return _apply(cv, values, target)
