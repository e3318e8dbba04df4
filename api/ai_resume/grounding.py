"""What keeps the AI builder honest: every employer, date, degree, skill and number in its
output must be found in the source (the candidate's CV text and profile).

The builder never lets the model write structure: employers, job titles, dates, degrees and
institutions are copied from the source CV, so they cannot be invented there. What the model
writes is prose (a summary, job descriptions) and a choice among the source's skills; here that
prose is checked claim by claim, and the skill choice is filtered. These checks are pure and
deliberately strict: a wording that merely *looks* like a new claim is rejected too, and the
candidate keeps their original text for that part.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property

from ingestion.cv_schema import StructuredCV
from ingestion.extract import normalise_arabic_for_search
from ingestion.skills import extract_skills

_YEAR = re.compile(r"(?<!\d)(?:19[5-9]\d|20[0-4]\d)(?!\d)")
_NUMBER = re.compile(r"(?<![\w.])\d+(?:[.,]\d+)?%?")
_EMAIL = re.compile(r"[\w.+'-]+@[\w-]+(?:\.[\w-]+)+")
_URL = re.compile(r"(?:https?://|www\.)\S+|\b[\w-]+\.(?:com|org|net|io|ae|sa)\b\S*", re.IGNORECASE)
_DEGREES = re.compile(
    r"\b(?:ph\.?\s?d|doctorate|doctor of|master'?s?|m\.?sc|mba|m\.?a\.|bachelor'?s?|b\.?sc"
    r"|b\.?a\.|b\.?tech|m\.?tech|diploma|associate degree|high school|llb|llm|cpa|acca|cfa)\b"
    r"|دكتوراه|ماجستير|بكالوريوس|ليسانس|دبلوم|الثانوية",
    re.IGNORECASE,
)
_ORG = re.compile(
    r"\b(?:[A-Z][\w&'.-]*\s+){1,5}(?:LLC|L\.L\.C\.?|Ltd\.?|Limited|Inc\.?|Corp\.?|Corporation"
    r"|Company|Co\.|Group|Bank|FZ-?LLC|FZE|FZCO|PJSC|PLC|GmbH|Holdings?|Authority|Ministry)\b"
    r"|(?:شركة|مجموعة|بنك|مصرف|وزارة|هيئة)\s+\S+(?:\s+\S+)?"
)
_INDIC_DIGITS = str.maketrans({chr(0x0660 + d): str(d) for d in range(10)})
# Small numbers read as words, not claims ("2 teams", "one of 3 analysts" are still checked).
_FREE_NUMBERS = frozenset({"0", "1"})


def _fold(text: str) -> str:
    return re.sub(r"\s+", " ", normalise_arabic_for_search(text)).casefold().strip()


@dataclass(frozen=True)
class Source:
    """Everything the candidate told us, to check claims against."""

    text: str
    cv: StructuredCV

    @cached_property
    def folded(self) -> str:
        return _fold(self.text)

    @cached_property
    def digits_text(self) -> str:
        return self.text.translate(_INDIC_DIGITS)

    @cached_property
    def years(self) -> frozenset[str]:
        years = set(_YEAR.findall(self.digits_text))
        for job in self.cv.employment:
            years.update(d[:4] for d in (job.start, job.end) if d)
        for edu in self.cv.education:
            years.update(d[:4] for d in (edu.start, edu.end) if d)
        return frozenset(years)

    @cached_property
    def numbers(self) -> frozenset[str]:
        return frozenset(n.rstrip("%").replace(",", "") for n in _NUMBER.findall(self.digits_text))

    @cached_property
    def skill_ids(self) -> frozenset[str]:
        ids = {m.skill_id for m in extract_skills(self.text)}
        ids.update(s.skill_id for s in self.cv.skills if s.skill_id)
        return frozenset(ids)

    def mentions(self, phrase: str) -> bool:
        """Whether ``phrase`` occurs in the source (case, spacing and Arabic spelling folded)."""
        folded = _fold(phrase)
        return bool(folded) and folded in self.folded


def unsupported_claims(text: str, source: Source) -> list[str]:
    """Employers, dates, degrees, skills, numbers and contacts in ``text`` that the source does
    not contain, each as a sentence the model (and a reviewer) can act on."""
    problems: list[str] = []
    plain = text.translate(_INDIC_DIGITS)
    for year in sorted(set(_YEAR.findall(plain)) - source.years):
        problems.append(f"the year {year} is not in the candidate's CV")
    for number in sorted({n.rstrip("%").replace(",", "") for n in _NUMBER.findall(plain)}):
        if number in _FREE_NUMBERS or number in source.numbers or _YEAR.fullmatch(number):
            continue
        problems.append(f"the number {number} is not in the candidate's CV")
    for email in set(_EMAIL.findall(text)):
        if not source.mentions(email):
            problems.append(f"the contact {email} is not in the candidate's CV")
    for url in set(_URL.findall(text)):
        if not source.mentions(url):
            problems.append(f"the link {url} is not in the candidate's CV")
    for degree in {m.group().strip() for m in _DEGREES.finditer(text)}:
        if not source.mentions(degree):
            problems.append(f"the qualification '{degree}' is not in the candidate's CV")
    for org in {m.group().strip() for m in _ORG.finditer(text)}:
        if not source.mentions(org):
            problems.append(f"the organisation '{org}' is not in the candidate's CV")
    for match in extract_skills(text):
        if match.skill_id not in source.skill_ids and not source.mentions(match.surface):
            problems.append(f"the skill '{match.surface}' is not in the candidate's CV")
    return problems


def supported_skill(name: str, source: Source) -> bool:
    """A skill the builder may list: named in the source, or the same taxonomy skill."""
    if source.mentions(name):
        return True
    found = extract_skills(name, context_spans=[(0, len(name))])
    return bool(found) and all(m.skill_id in source.skill_ids for m in found)
