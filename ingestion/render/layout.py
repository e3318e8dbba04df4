"""StructuredCV → one logical, single-column layout that the DOCX and PDF writers both draw.

ATS-safe by construction: every line is real text in reading order under a standard heading,
with no tables, columns, text boxes or images. The lines follow the shape our own parser reads
best ("Title — Company" over a period line; "Degree — Institution, 2011"), so a rendered CV
parses back to the same fields.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from ingestion.cv_schema import CvLanguage, Education, Employment, StructuredCV
from ingestion.render.bidi import has_arabic
from ingestion.render.labels import (
    Labels,
    format_date,
    format_period,
    labels_for,
    language_line,
)

BlockKind = Literal["name", "headline", "contact", "heading", "entry", "meta", "text", "bullet"]

#: Bullet markers a description may use; a description that starts with one is split on it.
_BULLET_START = re.compile(r"^\s*([-•*▪●◦‣–])\s+")


@dataclass(frozen=True)
class Block:
    """One paragraph of the layout. ``items`` (a list line such as the skills) may only be
    wrapped between items, never inside one; ``text`` is then the items joined."""

    kind: BlockKind
    text: str
    items: tuple[str, ...] = ()
    #: What joins ``items`` ("، " between Arabic items, ", " otherwise).
    sep: str = ", "
    #: A little space above (between entries of a section).
    gap: bool = False


@dataclass(frozen=True)
class CvDocument:
    """The laid-out CV: the language of its headings and its direction, then its blocks."""

    language: CvLanguage
    blocks: tuple[Block, ...]
    title: str
    author: str | None

    @property
    def rtl(self) -> bool:
        return self.language == "ar"


def _comma(before: str, labels: Labels) -> str:
    """The comma that suits the text it follows: Latin after Latin, even in an Arabic layout."""
    return labels.comma if has_arabic(before) else ", "


def _description_lines(description: str) -> list[tuple[BlockKind, str]]:
    """A description as bullets when it is written as bullets ("- a - b"), else one paragraph.
    The markers are kept as written, so the text reads back unchanged."""
    text = description.strip()
    m = _BULLET_START.match(text)
    if not m:
        return [("text", text)]
    marker = re.escape(m.group(1))
    parts = re.split(rf"\s+(?={marker}\s+\S)", text)
    return [("bullet", part.strip()) for part in parts if part.strip()]


def _headline(cv: StructuredCV) -> str | None:
    place = cv.personal.location
    if not place:
        place = ", ".join(p for p in (cv.personal.city, cv.personal.country) if p) or None
    parts = [p for p in (cv.title, place) if p]
    return " | ".join(parts) or None


def _contact(cv: StructuredCV, labels: Labels) -> str | None:
    p = cv.personal
    parts = []
    if p.email:
        parts.append(f"{labels.email}: {p.email}")
    if p.phone or p.phone_e164:
        parts.append(f"{labels.phone}: {p.phone or p.phone_e164}")
    if p.linkedin:
        parts.append(f"{labels.linkedin}: {p.linkedin}")
    return " | ".join(parts) or None


def _job_blocks(job: Employment, labels: Labels, first: bool) -> list[Block]:
    head = labels.dash.join(p for p in (job.title, job.company) if p)
    if job.location:
        head = f"{head}{_comma(head, labels)}{job.location}" if head else job.location
    blocks = [Block("entry", head, gap=not first)] if head else []
    period = format_period(job.start, job.end, job.current, labels)
    if period:
        blocks.append(Block("meta", period, gap=not first and not head))
    if job.description:
        blocks.extend(Block(kind, line) for kind, line in _description_lines(job.description))
    return blocks


def _degree_text(edu: Education, labels: Labels, arabic: bool) -> str | None:
    degree = edu.degree
    if edu.field and (not degree or edu.field.casefold() not in degree.casefold()):
        joiner = " في " if arabic else " in "
        degree = f"{degree}{joiner}{edu.field}" if degree else edu.field
    return degree


def _education_blocks(edu: Education, labels: Labels, arabic: bool, first: bool) -> list[Block]:
    degree = _degree_text(edu, labels, arabic)
    head = labels.dash.join(p for p in (degree, edu.institution) if p)
    if edu.start and edu.end:
        period = format_period(edu.start, edu.end, False, labels)
        blocks = [Block("entry", head, gap=not first)] if head else []
        if period:
            blocks.append(Block("meta", period))
        return blocks
    year = format_date(edu.end or edu.start, labels)
    if year and head and year not in head:
        head = f"{head}{_comma(head, labels)}{year}"
    elif year and not head:
        head = year
    return [Block("entry", head, gap=not first)] if head else []


def layout_cv(cv: StructuredCV, language: CvLanguage | None = None) -> CvDocument:
    """Lay ``cv`` out with the headings (and direction) of ``language``; default: the CV's own.
    The content is never translated here: an English CV laid out in Arabic keeps its words."""
    lang: CvLanguage = language or cv.language
    labels = labels_for(lang)
    arabic = lang == "ar"
    blocks: list[Block] = []
    if cv.personal.name:
        blocks.append(Block("name", cv.personal.name))
    headline = _headline(cv)
    if headline:
        blocks.append(Block("headline", headline))
    contact = _contact(cv, labels)
    if contact:
        blocks.append(Block("contact", contact))

    if cv.summary:
        blocks.append(Block("heading", labels.summary))
        blocks.append(Block("text", cv.summary))
    if cv.employment:
        blocks.append(Block("heading", labels.experience))
        for n, job in enumerate(cv.employment):
            blocks.extend(_job_blocks(job, labels, first=n == 0))
    if cv.education:
        blocks.append(Block("heading", labels.education))
        for n, edu in enumerate(cv.education):
            blocks.extend(_education_blocks(edu, labels, arabic, first=n == 0))
    if cv.skills:
        names = tuple(dict.fromkeys(s.name for s in cv.skills))
        sep = _comma(" ".join(names), labels)
        blocks.append(Block("heading", labels.skills))
        blocks.append(Block("text", sep.join(names), items=names, sep=sep))
    if cv.languages:
        blocks.append(Block("heading", labels.languages))
        blocks.extend(
            Block("text", language_line(lang_.language, lang_.proficiency, labels))
            for lang_ in cv.languages
        )
    if cv.certifications:
        blocks.append(Block("heading", labels.certifications))
        blocks.extend(Block("text", c) for c in cv.certifications)
    if cv.projects:
        blocks.append(Block("heading", labels.projects))
        blocks.extend(Block("text", p) for p in cv.projects)
    title = " — ".join(p for p in (cv.personal.name, cv.title) if p) or "CV"
    return CvDocument(lang, tuple(blocks), title=title, author=cv.personal.name)


def plain_text(doc: CvDocument) -> str:
    """The layout as plain text, one paragraph a line, a blank line before each heading: what a
    reader (or our extractor) gets back from the DOCX or PDF."""
    lines: list[str] = []
    for block in doc.blocks:
        if block.kind == "heading" or (block.gap and lines):
            lines.append("")
        lines.append(block.text)
    return "\n".join(lines).strip() + "\n"
