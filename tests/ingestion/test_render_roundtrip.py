"""Round trip over the demo CVs: parsed, rendered to DOCX and PDF, read back by our own
extractor and parsed again, the fields agree (target ≥ 0.95, English and Arabic alike)."""

from __future__ import annotations

from collections import defaultdict
from datetime import date

import pytest

from api.demo.dataset import build_dataset
from ingestion.cv_parser import parse_cv
from ingestion.render.roundtrip import Format, field_agreement, round_trip

TODAY = date(2026, 11, 26)


@pytest.mark.slow
def test_demo_cvs_round_trip_with_at_least_95_percent_field_agreement() -> None:
    totals: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0])
    formats: tuple[Format, ...] = ("docx", "pdf")
    for cand in build_dataset(today=TODAY).candidates:
        source = parse_cv(cand.cv_text, today=TODAY)
        for fmt in formats:
            back = round_trip(source, fmt, today=TODAY)
            agreement = field_agreement(source, back)
            totals[(cand.cv_language, fmt)][0] += agreement.agreed
            totals[(cand.cv_language, fmt)][1] += agreement.total
            # What must never drift, whatever else does.
            assert back.personal.email == source.personal.email
            assert back.personal.phone_e164 == source.personal.phone_e164
            assert [j.company for j in back.employment] == [j.company for j in source.employment]
    assert set(totals) == {("en", "docx"), ("en", "pdf"), ("ar", "docx"), ("ar", "pdf")}
    for key, (agreed, total) in totals.items():
        assert total > 100, key
        assert agreed / total >= 0.95, (key, agreed, total)


@pytest.mark.unit
def test_agreement_counts_lost_added_and_changed_fields() -> None:
    source = parse_cv("Amal Haddad\nEmail: amal@example.com\n\nSKILLS\nSQL, Python\n")
    same = field_agreement(source, source)
    assert same.ratio == 1.0
    assert same.total >= 4
    changed = source.model_copy(deep=True)
    changed.personal.email = "other@example.com"
    changed.skills = changed.skills[:1]
    result = field_agreement(source, changed)
    paths = {path for path, _, _ in result.differences}
    assert "personal.email" in paths
    assert "skills.python" in paths
    assert result.agreed == result.total - len(result.differences)
