"""A :class:`StructuredCV` from the span model's spans, with the rule parser where it is exact.

:func:`parse_cv_model` runs the rule parser (:func:`ingestion.cv_parser.parse_cv_rules`: e-mail,
phone, LinkedIn, sections, date ranges, languages, certifications, projects, summary) and the
span model (:mod:`ingestion.cv_ner`), then builds the fields from the spans:

- **name** and the **headline title**: the first ``NAME`` span; a ``TITLE`` span before the
  first section heading;
- **employment**: ``TITLE``, ``COMPANY``, ``LOCATION`` spans and the date ranges (the rules'
  :func:`~ingestion.cv_parser.find_date_ranges`, where a ``DATES`` span or the experience section
  holds them) taken in reading order; an entry closes when a field it already has comes again,
  and an entry that repeats an earlier one (same title and company, no dates) is dropped;
- **education**: ``DEGREE``, ``COLLEGE``, ``GRAD_YEAR`` spans grouped the same way, the level
  from the degree words;
- **skills**: ``SKILL`` spans (section headings, contact words, generic words and language names
  outside a languages section dropped), linked to the taxonomy, plus the taxonomy matches of the
  rule parser (:class:`Combine` says which source each field uses);
- **total years of experience**: the union of the employment periods (overlaps once, "Present"
  up to today), or the largest "N years of experience" the CV states when that is more.

Arabic CVs (``language == "ar"``; the model was trained on English CVs only) are parsed by the
rule parser alone and say so (``parser == "rules"``): its sections, Arabic headings, names,
Arabic month names and Hijri years, and total years from merged date ranges.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any, Literal

from ingestion import cv_parser as rules
from ingestion.cv_ner import Span, get_model
from ingestion.cv_ner import spans as model_spans
from ingestion.cv_schema import Education, Employment, Skill, StructuredCV
from ingestion.skills import clean_skill_names, normalise_skill

if TYPE_CHECKING:
    from spacy.language import Language

Source = Literal["model", "rules", "model_or_rules", "rules_or_model", "union"]


@dataclass(frozen=True)
class Combine:
    """Which source each field comes from: the model, the rules, the model and the rules when
    the model found nothing, or both (deduplicated)."""

    name: Source = "rules"
    title: Source = "rules_or_model"
    employment: Source = "union"
    education: Source = "union"
    location: Source = "rules_or_model"
    skills: Source = "union"


DEFAULT_COMBINE = Combine()


def _key(value: str | None) -> str:
    return " ".join(re.sub(r"[\W_]+", " ", (value or "").casefold()).split())


def _value(span: Span) -> str:
    return rules._clean(" ".join(span.text.split()))


def relabel(sp: Sequence[Span]) -> list[Span]:
    """Fix the model's commonest confusion with the gazetteers the rules already use: a TITLE
    or DEGREE span with a company cue ("Ltd", "Technologies", "Bank") and no job-title noun
    is a COMPANY; a COMPANY span with a job-title noun and no company cue is a TITLE."""
    out = []
    for s in sp:
        v = _value(s)
        label = s.label
        if label in ("TITLE", "DEGREE") and rules.is_company_like(v) and not rules.is_title_like(v):
            if label == "TITLE" or rules.degree_level(v) is None:
                label = "COMPANY"
        elif label == "COMPANY" and rules.is_title_like(v) and not rules.is_company_like(v):
            label = "TITLE"
        out.append(Span(label, s.text, s.start, s.end) if label != s.label else s)
    return out


def _headline_end(text: str) -> int:
    """Where the CV's header ends: the first section heading (or after a few lines)."""
    segs = rules.segments(text)
    for sec in rules.split_sections(text, segs):
        if sec.kind != "header" and sec.heading is not None:
            return sec.heading.start
    return segs[min(len(segs), 6) - 1].end if segs else 0


def _employment(
    text: str, sp: Sequence[Span], header_end: int, today: date
) -> tuple[list[Employment], list[rules.DateRange]]:
    dates_spans = [s for s in sp if s.label == "DATES"]
    edu_spans = [s for s in sp if s.label in ("DEGREE", "COLLEGE", "GRAD_YEAR")]
    ranges = [
        r
        for r in rules.find_date_ranges(text, today)
        if any(d.start < r.end and r.start < d.end for d in dates_spans)
        and not any(e.start < r.end and r.start < e.end for e in edu_spans)
    ]
    events: list[tuple[int, str, object]] = []
    for s in sp:
        if s.label in ("TITLE", "COMPANY", "LOCATION") and s.start >= header_end:
            events.append((s.start, s.label, _value(s)))
    for r in ranges:
        events.append((r.start, "DATES", r))
    events.sort(key=lambda e: e[0])
    entries: list[dict[str, object]] = []
    cur: dict[str, object] | None = None
    for _, kind, val in events:
        if not val:
            continue
        if kind == "LOCATION":
            if cur is not None and "LOCATION" not in cur:
                cur["LOCATION"] = val
            continue
        if cur is None or kind in cur:
            cur = {}
            entries.append(cur)
        cur[kind] = val
    out: list[Employment] = []
    used: list[rules.DateRange] = []
    seen: set[tuple[str, str]] = set()
    for e in entries:
        title = e.get("TITLE")
        company = e.get("COMPANY")
        rng = e.get("DATES")
        if title is None and company is None:
            continue
        key = (_key(str(title or "")), _key(str(company or "")))
        if rng is None and key in seen:
            continue
        seen.add(key)
        job = Employment(
            title=str(title) if title else None,
            company=str(company) if company else None,
            location=str(e["LOCATION"]) if e.get("LOCATION") else None,
        )
        if isinstance(rng, rules.DateRange):
            job.start, job.end, job.current = rng.start_str, rng.end_str, rng.current
            used.append(rng)
        out.append(job)
    return out, used


_YEAR_RX = re.compile(r"(?<!\d)(?:19[5-9]\d|20[0-4]\d)(?!\d)")


def _education(sp: Sequence[Span], text: str = "") -> list[Education]:
    entries: list[dict[str, str]] = []
    cur: dict[str, str] | None = None
    starts: list[int] = []
    ends: list[int] = []
    for s in sorted(sp, key=lambda s: s.start):
        if s.label not in ("DEGREE", "COLLEGE", "GRAD_YEAR"):
            continue
        val = _value(s)
        if s.label == "GRAD_YEAR":
            years = re.findall(r"(?<!\d)(?:19[5-9]\d|20[0-4]\d)(?!\d)", rules._digits_ascii(val))
            if not years:
                continue
            val = years[-1]
        if not val:
            continue
        if cur is None or s.label in cur:
            cur = {}
            entries.append(cur)
            starts.append(s.start)
            ends.append(s.end)
        cur[s.label] = val
        ends[-1] = s.end
    out: list[Education] = []
    for i, e in enumerate(entries):
        degree = e.get("DEGREE")
        if degree is None and e.get("COLLEGE") is None:
            if out and out[-1].end is None and e.get("GRAD_YEAR"):
                out[-1].end = e["GRAD_YEAR"]  # "B.Tech ... 2013" then a second year: the first
            continue
        if "GRAD_YEAR" not in e and text:
            # The year written on the entry's lines or just after them (not in the next entry).
            stop = starts[i + 1] if i + 1 < len(entries) else len(text)
            window = rules._digits_ascii(text[starts[i] : min(stop, ends[i] + 120)])
            years = _YEAR_RX.findall(window)
            if years:
                e["GRAD_YEAR"] = years[-1] if len(years) <= 2 else years[0]
        out.append(
            Education(
                degree=degree,
                institution=e.get("COLLEGE"),
                end=e.get("GRAD_YEAR"),
                level=rules.degree_level(degree) if degree else None,
            )
        )
    return out


def _years_of(jobs: Sequence[Employment], today: date) -> float | None:
    """Years covered by the jobs' periods together (overlaps once, current jobs up to today)."""
    ranges = []
    for j in jobs:
        if not j.start:
            continue
        fy, fm = int(j.start[:4]), int(j.start[5:7]) if len(j.start) > 4 else None
        ty = tm = None
        if j.end and not j.current:
            ty, tm = int(j.end[:4]), int(j.end[5:7]) if len(j.end) > 4 else None
        elif not j.current:
            continue  # a start with no end and not current: a single date, not a period
        ranges.append(rules.DateRange("", 0, 0, fy, fm, ty, tm, j.current or ty is None))
    return rules.total_years(ranges, today) if ranges else None


def _same_period(x: Any, y: Any) -> bool:
    """Two entries with the same start and end (or both current): one job read twice."""
    start = getattr(x, "start", None)
    if not start or start != getattr(y, "start", None):
        return False
    same_end = getattr(x, "end", None) == getattr(y, "end", None)
    return bool(same_end and getattr(x, "current", False) == getattr(y, "current", False))


def _merge(first: list[Any], second: list[Any], fields: tuple[str, str]) -> list[Any]:
    """``first``'s entries (the rules'), then ``second``'s (the model's) that add something: an
    entry matching an earlier one on one field fills that entry's empty fields instead."""
    model, rule = first, second
    out = [m.model_copy() for m in model]
    a, b = fields
    for r in rule:
        ka, kb = _key(getattr(r, a)), _key(getattr(r, b))
        twin = next(
            (
                m
                for m in out
                if (
                    ka and _key(getattr(m, a)) == ka and (not kb or _key(getattr(m, b)) in ("", kb))
                )
                or (
                    kb and _key(getattr(m, b)) == kb and (not ka or _key(getattr(m, a)) in ("", ka))
                )
                or _same_period(m, r)
            ),
            None,
        )
        if twin is None:
            if not (getattr(r, b) or getattr(r, "start", None)):
                continue  # a lone title / degree: running text more often than an entry
            out.append(r)
            continue
        for name in type(r).model_fields:
            if getattr(twin, name) in (None, "", False) and getattr(r, name) not in (None, ""):
                setattr(twin, name, getattr(r, name))
    return out


def _pick(source: Source, model: list[Any], rule: list[Any], key: Any) -> list[Any]:
    if source == "model":
        return model
    if source == "rules":
        return rule
    if source == "model_or_rules":
        return model or rule
    if source == "rules_or_model":
        return rule or model
    seen = {key(x) for x in model}
    return model + [x for x in rule if key(x) not in seen]


def structure(
    text: str,
    sp: Sequence[Span],
    rules_cv: StructuredCV,
    *,
    today: date | None = None,
    combine: Combine = DEFAULT_COMBINE,
    link: bool = False,
) -> StructuredCV:
    """The CV the spans ``sp`` describe, the rule parser's ``rules_cv`` filling the rest.

    ``link``: give skill spans the taxonomy does not name the nearest ESCO label when it is
    close enough (:mod:`ingestion.skill_linking`)."""
    today = today or date.today()
    if rules_cv.language == "ar":
        return rules_cv  # the model knows English CVs only: the rules' parse stands, as such
    cv = rules_cv.model_copy(deep=True)
    cv.parser = "model"
    conf = dict(cv.confidence)
    header_end = _headline_end(text)

    sp = relabel(sp)
    names = [_value(s) for s in sp if s.label == "NAME" and _value(s)]
    rule_name = cv.personal.name
    if combine.name == "rules_or_model" and rule_name:
        pass
    elif combine.name != "rules" and names:
        cv.personal.name = names[0]
        conf["name"] = 0.9
    elif combine.name == "model":
        cv.personal.name = None

    heads = [_value(s) for s in sp if s.label == "TITLE" and s.start < header_end and _value(s)]
    if combine.title == "rules_or_model" and cv.title:
        pass
    elif combine.title != "rules" and heads:
        cv.title = heads[0]
        conf["title"] = 0.8
    elif combine.title == "model":
        cv.title = None

    places = [s for s in sp if s.label == "LOCATION" and _value(s)]
    if combine.location == "rules_or_model" and cv.personal.location:
        pass
    elif combine.location != "rules" and places:
        first = places[0]
        cv.personal.location = _value(first)
        place = rules.find_place(cv.personal.location)
        cv.personal.city = place.city if place else None
        cv.personal.country = place.country if place else None
        conf["location"] = 0.8
    elif combine.location == "model":
        cv.personal.location = cv.personal.city = cv.personal.country = None

    jobs, _used = _employment(text, sp, header_end, today)
    if combine.employment == "union":
        cv.employment = _merge(cv.employment, jobs, ("title", "company"))
    else:
        cv.employment = _pick(
            combine.employment, jobs, cv.employment, lambda j: (_key(j.title), _key(j.company))
        )
    if jobs and combine.employment != "rules":
        conf["employment"] = 0.8
        years = _years_of(cv.employment, today)
        if years is not None:
            cv.total_years_experience = years
    stated = rules.stated_years(text)
    if stated is not None and (cv.total_years_experience or 0) < stated:
        cv.total_years_experience = stated
    if cv.total_years_experience is not None:
        conf.setdefault("total_years_experience", 0.7)

    edus = _education(sp, text)
    if combine.education == "union":
        cv.education = _merge(cv.education, edus, ("degree", "institution"))
    else:
        cv.education = _pick(
            combine.education, edus, cv.education, lambda e: (_key(e.degree), _key(e.institution))
        )
    cv.highest_education = rules.highest_level(cv.education)
    if cv.education:
        conf["education"] = max(conf.get("education", 0.0), 0.8 if edus else 0.0)
    if cv.highest_education:
        conf["highest_education"] = conf.get("education", 0.7)
    elif "highest_education" in conf:
        del conf["highest_education"]

    lang_spans = _language_section_spans(text)
    names_in = [
        (_value(s), s.start) for s in sp if s.label == "SKILL" and _value(s) and len(_value(s)) < 60
    ]
    kept = clean_skill_names(
        [n for n, _ in names_in],
        in_languages=[any(a <= pos < b for a, b in lang_spans) for _, pos in names_in],
    )
    # Not skills: the person, places, and what the CV names as employers, titles or schools.
    taken = {_key(cv.personal.name), _key(cv.personal.location), _key(cv.title)}
    taken |= {_key(v) for j in cv.employment for v in (j.title, j.company, j.location)}
    taken |= {_key(v) for e in cv.education for v in (e.degree, e.institution)}
    taken |= {_key(_value(x)) for x in sp if x.label in ("NAME", "LOCATION", "COMPANY", "COLLEGE")}
    name_words = set(_key(cv.personal.name).split())
    model_skills = []
    seen: set[str] = set()
    for name in kept:
        k = _key(name)
        if k in seen or k in taken or (name_words and set(k.split()) <= name_words):
            continue
        if rules.find_place(name) is not None:
            continue
        seen.add(k)
        ref = normalise_skill(name)
        model_skills.append(Skill(name=name, skill_id=ref.skill_id if ref else None))
    if link:
        _link_unresolved(model_skills)
    if combine.skills == "union":
        # One skill once: by taxonomy id, or by name when either side has no id.
        ids = {x.skill_id for x in model_skills if x.skill_id}
        model_names = {_key(x.name) for x in model_skills}
        extra = [x for x in cv.skills if x.skill_id not in ids and _key(x.name) not in model_names]
        cv.skills = model_skills + extra
    else:
        cv.skills = _pick(
            combine.skills, model_skills, cv.skills, lambda s: s.skill_id or _key(s.name)
        )
    if cv.skills:
        conf["skills"] = max(conf.get("skills", 0.0), 0.8 if model_skills else 0.0)
    cv.confidence = {k: round(v, 3) for k, v in conf.items() if v > 0}
    return StructuredCV.model_validate(cv.model_dump())


def _link_unresolved(skills: list[Skill]) -> None:
    from ingestion.skill_linking import get_linker, linking_available

    todo = [s for s in skills if s.skill_id is None]
    if not todo or not linking_available():
        return
    links = {x.phrase: x.skill_id for x in get_linker().link([s.name for s in todo])}
    for s in todo:
        s.skill_id = links.get(s.name)


def _language_section_spans(text: str) -> list[tuple[int, int]]:
    segs = rules.segments(text)
    return [sec.span for sec in rules.split_sections(text, segs) if sec.kind == "languages"]


def parse_cv_model(
    text: str,
    *,
    today: date | None = None,
    nlp: Language | None = None,
    combine: Combine = DEFAULT_COMBINE,
) -> StructuredCV:
    """Parse with the span model (the shipped one unless ``nlp`` is given) and the rules."""
    if not isinstance(text, str):
        raise TypeError("parse_cv expects the CV's text as str")
    rules_cv = rules.parse_cv_rules(text, today=today)
    if rules_cv.language == "ar":
        return rules_cv  # parser "rules": the span model was trained on English CVs only
    from ingestion.settings import get_ingestion_settings

    clean = rules.prepare_text(text)
    sp = model_spans(nlp or get_model(), clean)
    link = get_ingestion_settings().skill_linking
    return structure(clean, sp, rules_cv, today=today, combine=combine, link=link)


__all__ = ["DEFAULT_COMBINE", "Combine", "parse_cv_model", "structure"]
