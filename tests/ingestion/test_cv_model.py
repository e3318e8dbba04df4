"""The span-model CV parser: training data, structure from spans, the shipped model, settings."""

from __future__ import annotations

import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from ingestion import cv_ner
from ingestion.cv_ner import Span, chunks
from ingestion.cv_parser import find_date_ranges, parse_cv, parse_cv_rules, total_years
from ingestion.cv_structure import Combine, parse_cv_model, structure
from ingestion.evaluate import dotin_files, dotin_folds, dotin_spans, load_dotin
from ingestion.settings import get_ingestion_settings
from tests.conftest import shared_data

TODAY = date(2026, 11, 26)
ROOT = Path(__file__).resolve().parents[2]


def _spans(text: str, *items: tuple[str, str]) -> list[Span]:
    """Spans for each (label, value), found in reading order."""
    out, pos = [], 0
    for label, value in items:
        start = text.index(value, pos)
        out.append(Span(label, value, start, start + len(value)))
        pos = start + len(value)
    return out


# --- training data ----------------------------------------------------------------------------


@pytest.mark.unit
def test_dotin_spans_give_the_same_text_and_the_labelled_values() -> None:
    docs = load_dotin(shared_data())
    same = 0
    for doc in docs[:40]:
        text, spans = dotin_spans(doc.path)
        same += text == doc.text
        for s, e, _ in spans:
            assert text[s:e] == text[s:e].strip()
            assert text[s:e]
    assert same == 40
    text, spans = dotin_spans(docs[0].path)
    found = {(text[s:e], lab) for s, e, lab in spans}
    assert ("Meda Cronin", "Name") in found
    assert ("Oracle India Pvt Ltd", "Companies worked at") in found
    assert ("B.E.", "Degree") in found


@pytest.mark.unit
def test_folds_are_fixed_balanced_and_cover_every_document() -> None:
    folds = dotin_folds(310)
    assert folds == dotin_folds(310)  # the seed fixes them
    sizes = [folds.count(k) for k in range(5)]
    assert sizes == [62] * 5
    assert folds != sorted(folds)  # dealt after a shuffle, not in file order


@pytest.mark.unit
def test_training_chunks_never_cut_a_span() -> None:
    text = ("line\n\n" * 400) + "Anna Lee\n\nAcme Corp\n\n" + ("more\n\n" * 400)
    spans = [(text.index("Anna"), text.index("Corp") + 4, "Name")]
    pieces = chunks(text, spans)
    assert len(pieces) > 1
    assert pieces[0][0] == 0
    assert pieces[-1][1] == len(text)
    ((s, e, _),) = spans
    assert any(a <= s and e <= b for a, b in pieces)


# --- structure from spans ---------------------------------------------------------------------

CV = """Anna Lee
Data Analyst
Dubai, UAE - anna@example.com

WORK EXPERIENCE

Senior Data Analyst
Emirates NBD - Dubai
Jan 2019 - Present

Data Analyst
Careem - Dubai
03/2016 - 12/2019

EDUCATION

B.E in Computer Science
Anna University
2015

SKILLS

Python, SQL, Email, history
"""


def _cv_spans() -> list[Span]:
    return _spans(
        CV,
        ("NAME", "Anna Lee"),
        ("TITLE", "Data Analyst"),
        ("LOCATION", "Dubai, UAE"),
        ("TITLE", "Senior Data Analyst"),
        ("COMPANY", "Emirates NBD"),
        ("LOCATION", "Dubai"),
        ("DATES", "Jan 2019 - Present"),
        ("TITLE", "Data Analyst"),
        ("COMPANY", "Careem"),
        ("DATES", "03/2016 - 12/2019"),
        ("DEGREE", "B.E in Computer Science"),
        ("COLLEGE", "Anna University"),
        ("GRAD_YEAR", "2015"),
        ("SKILL", "Python"),
        ("SKILL", "SQL"),
        ("SKILL", "Email"),
        ("SKILL", "history"),
    )


@pytest.mark.unit
def test_spans_group_into_jobs_and_degrees_with_merged_years() -> None:
    cv = structure(CV, _cv_spans(), parse_cv_rules(CV, today=TODAY), today=TODAY)
    assert cv.parser == "model"
    assert cv.personal.name == "Anna Lee"
    assert cv.personal.email == "anna@example.com"  # the exact rule stays
    assert cv.title == "Data Analyst"
    assert cv.personal.location == "Dubai, UAE"
    jobs = [(j.title, j.company, j.location, j.start, j.end, j.current) for j in cv.employment]
    assert jobs == [
        ("Senior Data Analyst", "Emirates NBD", "Dubai", "2019-01", None, True),
        # No LOCATION span on the second job: the rules read the same job and fill it in.
        ("Data Analyst", "Careem", "Dubai", "2016-03", "2019-12", False),
    ]
    # March 2016 .. November 2026 (today) is 129 months, the overlap in 2019 counted once.
    assert cv.total_years_experience == round(129 / 12, 1)
    (edu,) = cv.education
    assert (edu.degree, edu.institution, edu.end, edu.level) == (
        "B.E in Computer Science",
        "Anna University",
        "2015",
        "bachelor",
    )
    names = {s.name.lower() for s in cv.skills}
    assert {"python", "sql"} <= names
    assert "email" not in names
    assert "history" not in names


@pytest.mark.unit
def test_combine_chooses_the_source_of_each_field() -> None:
    rules_cv = parse_cv_rules(CV, today=TODAY)
    only_rules = structure(
        CV,
        _cv_spans(),
        rules_cv,
        today=TODAY,
        combine=Combine(
            name="rules",
            title="rules",
            employment="rules",
            education="rules",
            location="rules",
            skills="rules",
        ),
    )
    assert only_rules.employment == rules_cv.employment
    assert only_rules.skills == rules_cv.skills
    # With no spans at all, "model_or_rules" falls back to the rules' values.
    fallback = structure(CV, [], rules_cv, today=TODAY)
    assert fallback.personal.name == rules_cv.personal.name
    assert fallback.education == rules_cv.education


@pytest.mark.unit
def test_a_stated_length_of_experience_wins_when_the_dates_say_less() -> None:
    text = "Sam Roe\nSummary: over 7 years of experience in sales.\n\nEXPERIENCE\nSales Lead\nAcme\n2022 - 2024\n"
    sp = _spans(
        text,
        ("NAME", "Sam Roe"),
        ("TITLE", "Sales Lead"),
        ("COMPANY", "Acme"),
        ("DATES", "2022 - 2024"),
    )
    cv = structure(text, sp, parse_cv_rules(text, today=TODAY), today=TODAY)
    assert cv.employment[0].start == "2022"
    assert cv.total_years_experience == 7.0


@pytest.mark.unit
def test_arabic_cvs_keep_the_rules_fields() -> None:
    text = "أحمد علي\nمهندس برمجيات\n\nالخبرات\nمهندس برمجيات - شركة الاتصالات\nيناير 2018 - حتى الآن\n"
    rules_cv = parse_cv_rules(text, today=TODAY)
    cv = structure(text, [Span("NAME", "x", 0, 1)], rules_cv, today=TODAY)
    assert cv.language == "ar"
    assert cv == rules_cv
    assert cv.parser == "rules"  # says honestly that the model did not read it
    assert cv.employment
    assert cv.employment[0].current


# --- dates and rule fixes named in the issue --------------------------------------------------


@pytest.mark.unit
@pytest.mark.parametrize(
    ("text", "start", "end", "current"),
    [
        ("12/1/2009 - Current", "2009-12", None, True),
        ("2010Present", "2010", None, True),
        ("Jan 2015 to till date", "2015-01", None, True),
        ("1438 هـ - 1442 هـ", "2017", "2021", False),
        ("مارس 2015 - يونيو 2018", "2015-03", "2018-06", False),
    ],
)
def test_date_formats(text: str, start: str, end: str | None, current: bool) -> None:
    (r,) = find_date_ranges(text, TODAY)
    assert (r.start_str, r.end_str, r.current) == (start, end, current)


@pytest.mark.unit
def test_overlapping_periods_count_once() -> None:
    ranges = find_date_ranges("2010 - 2014\n2012 - 2016\n2018 - 2019", TODAY)
    assert total_years(ranges, TODAY) == 7.0


@pytest.mark.unit
def test_rule_fixes_degree_heading_initials_and_noise_skills() -> None:
    text = (
        "John A Smith\nAccountant\nPune - Email me on Indeed: js@example.com\n\n"
        "EMPLOYMENT HISTORY\nAccountant\nAcme\n2015 - 2019\n\n"
        "EDUCATION\nB.E in Civil Engineering, Pune University, 2012\n\n"
        "Core Qualifications\nBookkeeping, Payroll, English\n"
    )
    cv = parse_cv_rules(text, today=TODAY)
    assert cv.personal.name == "John A Smith"
    assert cv.education[0].degree.startswith("B.E")
    assert cv.education[0].level == "bachelor"
    names = {s.name.lower() for s in cv.skills}
    assert "bookkeeping" in names
    assert "payroll" in names
    assert not names & {"email", "history", "english"}
    # In a languages section a language name is kept (and read as a language).
    cv = parse_cv_rules(text + "\nLANGUAGES\nEnglish, Hindi\n", today=TODAY)
    assert {lang.language for lang in cv.languages} == {"English", "Hindi"}
    assert "hindi" in {s.name.lower() for s in cv.skills}


# --- the shipped model and the setting --------------------------------------------------------

needs_model = pytest.mark.skipif(
    not cv_ner.model_available(), reason="the trained span model is not in this checkout"
)


@needs_model
@pytest.mark.slow
def test_shipped_model_loads_once_and_parses_a_cv() -> None:
    first = cv_ner.get_model()
    assert cv_ner.get_model() is first
    cv = parse_cv_model(CV, today=TODAY)
    assert cv.parser == "model"
    assert cv.personal.name == "Anna Lee"
    assert cv.personal.email == "anna@example.com"
    assert cv.employment
    assert cv.education
    assert any(s.name.lower() == "python" for s in cv.skills)


@needs_model
@pytest.mark.slow
def test_setting_switches_between_model_and_rules(monkeypatch: pytest.MonkeyPatch) -> None:
    get_ingestion_settings.cache_clear()
    try:
        monkeypatch.setenv("TABASHIR_INGEST_CV_PARSER", "rules")
        get_ingestion_settings.cache_clear()
        assert parse_cv(CV, today=TODAY).parser == "rules"
        monkeypatch.setenv("TABASHIR_INGEST_CV_PARSER", "model")
        get_ingestion_settings.cache_clear()
        assert parse_cv(CV, today=TODAY).parser == "model"
    finally:
        monkeypatch.delenv("TABASHIR_INGEST_CV_PARSER", raising=False)
        get_ingestion_settings.cache_clear()


@pytest.mark.slow
def test_training_script_makes_a_loadable_model(tmp_path: Path) -> None:
    out = tmp_path / "tiny"
    subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "train_cv_ner.py"), "--limit", "3",
         "--epochs", "1", "--out", str(out), "--data", str(shared_data())],
        check=True, capture_output=True, timeout=120,
    )  # fmt: skip
    nlp = cv_ner.get_model(out)
    assert set(cv_ner.LABELS) <= set(nlp.get_pipe("ner").labels)  # type: ignore[attr-defined]
    text, _ = dotin_spans(dotin_files(shared_data())[0])
    assert isinstance(cv_ner.spans(nlp, text), list)
