"""The evaluation harness: comparison rules, data loading, and the parsing targets."""

from __future__ import annotations

import json
from datetime import date

import pytest

from ingestion.evaluate import (
    _Tally,
    evaluate_parsing,
    evaluate_skills,
    load_dotin,
    norm,
)
from tests.conftest import shared_data

TODAY = date(2026, 11, 26)


@pytest.mark.unit
def test_norm_ignores_case_punctuation_and_spacing() -> None:
    assert norm("  Oracle India Pvt. Ltd ") == norm("oracle india pvt ltd")
    assert norm("B.E.") == "b e"
    assert norm("Ｃ＃") == norm("c#") == "c"  # NFKC folds the full-width forms
    assert norm("") == ""


@pytest.mark.unit
def test_tally_counts_sets_per_document() -> None:
    t = _Tally()
    t.add(["a", "b", "b"], ["a", "c"])  # duplicates collapse
    t.add([""], [""])  # nothing on either side: not a document
    t.add(["x"], [])
    assert (t.docs, t.pred, t.gold, t.tp_pred, t.tp_gold) == (2, 3, 2, 1, 1)


@pytest.mark.unit
def test_tally_equivalence_and_lenient_containment() -> None:
    t = _Tally()
    t.add(
        ["js", "b e in enc"],
        ["javascript", "b e"],
        same=lambda a, b: {a, b} == {"js", "javascript"},
    )
    assert (t.tp_pred, t.tp_gold) == (1, 1)
    assert (t.lenient_pred, t.lenient_gold) == (2, 2)


@pytest.mark.unit
def test_dotin_loading_strips_tags_and_decodes_escapes() -> None:
    docs = load_dotin(shared_data())
    assert len(docs) == 310
    first = docs[0]
    assert first.path.name == "1.xml"
    assert "<label" not in first.text
    assert first.labels["Name"] == ["Meda Cronin"]
    assert first.text.startswith("Meda Cronin")
    assert all("\\xe2" not in d.text for d in docs)  # "\xe2\x80\xa2" became "•"
    assert any("•" in d.text for d in docs if d.path.name == "200.xml")
    # XML entities are unescaped once (a few files escape "&" twice; one level stays).
    assert all("&amp;amp;" not in d.text for d in docs)
    assert any("SALES & MARKETING" in d.text for d in docs)


@pytest.mark.slow
def test_parsing_targets_on_dotin_and_samples() -> None:
    report = evaluate_parsing(shared_data(), today=TODAY)
    dotin = report.dataset("resume-ner-dotin/train: rules")
    assert dotin.documents == 310
    assert dotin.field("email").f1 is not None
    assert dotin.field("email").f1 >= 0.98
    assert dotin.field("name").f1 is not None
    assert dotin.field("name").f1 >= 0.90
    # dotin labels no phone numbers: the phone target is checked on the sample PDFs.
    samples = report.dataset("sample-resumes: rules")
    assert samples.field("phone").f1 == 1.0
    assert samples.field("email").f1 == 1.0
    assert samples.field("name").f1 == 1.0
    # Every labelled field is reported, weak ones included.
    reported = {f.field for f in dotin.fields}
    assert {"designation", "companies", "location", "college", "degree", "graduation_year",
            "years_of_experience", "skills"} <= reported  # fmt: skip
    md = report.to_markdown()
    assert "| name |" in md
    assert "sample-resumes" in md
    assert json.loads(report.to_json())["datasets"][0]["documents"] == 310


@pytest.mark.unit
def test_skills_report_follows_the_protocol() -> None:
    report = evaluate_skills(shared_data())
    tech, house = report.dataset("tech"), report.dataset("house")
    for d in (tech, house):
        assert 0 < d.labelled_sentences <= d.sentences
        assert d.gold_labels >= d.labelled_sentences
        assert 0.0 <= d.precision <= 1.0
        assert 0.0 <= d.recall <= 1.0
        assert d.rp_at_5 <= 1.0
        assert d.rp_at_10 >= d.rp_at_5 - 1e-9
        # A regression floor, well under today's figures (see the benchmark).
        assert d.f1 > 0.25
    assert tech.unresolvable_labels == 0  # every ESCO label maps to a taxonomy id
    assert "| tech |" in report.to_markdown()
    assert json.loads(report.to_json())["datasets"][1]["dataset"] == "house"
