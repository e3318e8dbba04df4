"""Feed readers: JSON (array, {"jobs": [...]}, JSON lines), CSV with a column mapping, and the
row-level errors that never stop a feed."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from ingestion.jobs.errors import FeedTooLarge, FeedUnreadable
from ingestion.jobs.feeds import (
    FEED_FIELDS,
    JobFeedItem,
    RowError,
    SalaryParts,
    load_mapping,
    parse_records,
    read_csv,
    read_json,
)
from ingestion.jobs.settings import FeedSettings

pytestmark = pytest.mark.unit

JOB_A = {
    "external_id": "A-1",
    "title": "Senior Accountant",
    "company": "Falcon Analytics LLC",
    "description": "Own month-end close.",
    "city": "Dubai",
}
JOB_B = {
    "id": 42,  # "id" is accepted for external_id, and numbers become text
    "title": "محاسب أول",
    "company": "شركة الصقر ذ.م.م",
    "location": "الرياض، السعودية",
    "salary": {"min": 9000, "max": 12000, "currency": "SAR", "period": "monthly"},
    "skills": "Excel، SAP; IFRS",
    "requirements": "• خبرة 3 سنوات\n• يفضل إجادة الإنجليزية",
    "posted_at": "2026-11-01",
}


def test_read_json_array(tmp_path: Path) -> None:
    path = tmp_path / "feed.json"
    path.write_text(json.dumps([JOB_A, JOB_B], ensure_ascii=False), encoding="utf-8")
    feed = read_json(path)
    assert feed.errors == []
    assert [(r.row, r.item.external_id) for r in feed.items] == [(1, "A-1"), (2, "42")]
    b = feed.items[1].item
    assert b.skills == ["Excel", "SAP", "IFRS"]
    assert b.requirements == ["خبرة 3 سنوات", "يفضل إجادة الإنجليزية"]
    assert b.salary == SalaryParts(min=9000, max=12000, currency="SAR", period="monthly")
    assert b.posted_at == datetime(2026, 11, 1, tzinfo=UTC)


def test_read_json_jobs_object_from_bytes() -> None:
    data = json.dumps({"jobs": [JOB_A], "next": None}).encode()
    feed = read_json(data)
    assert [r.item.title for r in feed.items] == ["Senior Accountant"]


def test_read_json_lines_reports_bad_lines_by_number() -> None:
    lines = [
        json.dumps(JOB_A),
        "",
        "{not json",
        json.dumps({**JOB_A, "external_id": "A-2", "title": ""}),
        json.dumps(JOB_B, ensure_ascii=False),
        "[1, 2]",
    ]
    feed = read_json("\n".join(lines).encode("utf-8"))
    assert [(r.row, r.item.external_id) for r in feed.items] == [(1, "A-1"), (5, "42")]
    assert [e.row for e in feed.errors] == [3, 4, 6]
    assert "invalid JSON" in feed.errors[0].reason
    assert feed.errors[1].reason.startswith("title:")
    assert feed.errors[2].reason == "not a JSON object"


def test_json_bad_rows_are_reported_and_the_rest_kept() -> None:
    rows = [
        JOB_A,
        {"title": "No id", "company": "X"},
        {**JOB_A, "external_id": "A-3", "posted_at": "yesterday-ish"},
        {**JOB_A, "external_id": "A-4", "url": "javascript:alert(1)"},
        {**JOB_A, "external_id": "A-5", "skills": ["x" * 201]},
        "a string",
        {**JOB_A, "external_id": "A-6"},
    ]
    feed = read_json(json.dumps(rows).encode())
    assert [r.item.external_id for r in feed.items] == ["A-1", "A-6"]
    reasons = dict(feed.errors)
    assert set(reasons) == {2, 3, 4, 5, 6}
    assert "external_id" in reasons[2]
    assert "posted_at" in reasons[3]
    assert "url" in reasons[4]
    assert "200 characters" in reasons[5]


def test_blank_values_are_missing_and_unknown_fields_ignored() -> None:
    item = JobFeedItem.model_validate(
        {**JOB_A, "city": "  ", "salary": "", "tracking_pixel": "x", "experience": 5.0}
    )
    assert item.city is None
    assert item.salary is None
    assert item.experience == 5
    assert not hasattr(item, "tracking_pixel")


def test_naive_dates_are_utc() -> None:
    item = JobFeedItem.model_validate({**JOB_A, "expires_at": "2026-12-31T18:00:00"})
    assert item.expires_at == datetime(2026, 12, 31, 18, tzinfo=UTC)


@pytest.mark.parametrize(
    "data",
    [b"", b"   ", b"hello", b"[{]", b'{"jobs": 3}', "x".encode("utf-16")],
)
def test_unreadable_json_feeds(data: bytes) -> None:
    with pytest.raises(FeedUnreadable):
        read_json(data)


def test_json_feed_larger_than_the_limit(tmp_path: Path) -> None:
    path = tmp_path / "big.json"
    path.write_text(json.dumps([JOB_A] * 50))
    with pytest.raises(FeedTooLarge):
        read_json(path, settings=FeedSettings(max_bytes=1000))
    with pytest.raises(FeedTooLarge):
        read_json(path.read_bytes(), settings=FeedSettings(max_bytes=1000))


def test_missing_feed_file_is_unreadable(tmp_path: Path) -> None:
    with pytest.raises(FeedUnreadable, match="No such feed file"):
        read_json(tmp_path / "nope.json")


def test_parse_records_for_api_bodies() -> None:
    feed = parse_records([JOB_A, {"title": "x"}])
    assert len(feed.items) == 1
    assert feed.errors[0].row == 2


# --- CSV ------------------------------------------------------------------------------------

CSV_THEIRS = (
    "Job Ref,Job Title,Employer,Where,Pay,Type,Skills,Details\n"
    'J-1,Data Analyst,Falcon Analytics LLC,"Dubai, UAE",AED 12k-15k per month,Full-time,'
    '"SQL, Python",Analyse data.\n'
    "J-2,,Falcon Analytics LLC,Dubai,,,,\n"
    'J-3,محاسب,شركة الصقر,الرياض,8000 ريال,دوام كامل,Excel,"سطر أول\nسطر ثان"\n'
    "J-4,Nurse,Gulf Care,Doha,QAR 9000,Contract,,Care.,EXTRA\n"
    "\n"
    "J-5,Driver,Gulf Care,Doha,,,,\n"
)
MAPPING = {
    "external_id": "Job Ref",
    "title": "Job Title",
    "company": "Employer",
    "location": "Where",
    "salary": "Pay",
    "job_type": "Type",
    "skills": "skills",  # case-insensitive
    "description": "Details",
}


def test_read_csv_with_mapping_reports_bad_rows_by_line(tmp_path: Path) -> None:
    path = tmp_path / "feed.csv"
    path.write_text(CSV_THEIRS, encoding="utf-8")
    feed = read_csv(path, MAPPING)
    assert [(r.row, r.item.external_id) for r in feed.items] == [(2, "J-1"), (4, "J-3"), (8, "J-5")]
    first = feed.items[0].item
    assert first.location == "Dubai, UAE"
    assert first.salary == "AED 12k-15k per month"
    assert first.skills == ["SQL", "Python"]
    assert feed.items[1].item.description == "سطر أول\nسطر ثان"
    assert [e.row for e in feed.errors] == [3, 6]
    assert feed.errors[0].reason.startswith("title:")
    assert "9 cells" in feed.errors[1].reason


def test_read_csv_with_a_mapping_file_and_bom_and_semicolons(tmp_path: Path) -> None:
    mapping_file = tmp_path / "mapping.json"
    mapping_file.write_text(json.dumps({"external_id": "Ref", "title": "Titre"}))
    path = tmp_path / "feed.csv"
    path.write_bytes("\ufeffRef;Titre;Company;City\nR1;Comptable;Acme;Sharjah\n".encode())
    feed = read_csv(path, mapping_file)
    assert feed.errors == []
    (row,) = feed.items
    assert (row.item.external_id, row.item.title, row.item.company, row.item.city) == (
        "R1",
        "Comptable",
        "Acme",
        "Sharjah",
    )


def test_read_csv_without_mapping_uses_field_names() -> None:
    data = b"external_id,TITLE,company,salary_min,salary_max,salary_currency\n1,Cook,Acme,4000,5000,AED\n"
    feed = read_csv(data)
    assert feed.items[0].item.salary_min == 4000
    assert feed.items[0].item.salary_currency == "AED"


def test_csv_mapping_errors_are_clear(tmp_path: Path) -> None:
    data = CSV_THEIRS.encode()
    with pytest.raises(FeedUnreadable, match="no column 'Salary'"):
        read_csv(data, {**MAPPING, "salary": "Salary"})
    with pytest.raises(FeedUnreadable, match="Unknown field"):
        read_csv(data, {"titel": "Job Title"})
    with pytest.raises(FeedUnreadable, match="no column for external_id, title, company"):
        read_csv(data)
    bad = tmp_path / "mapping.json"
    bad.write_text("{not json")
    with pytest.raises(FeedUnreadable, match="not valid JSON"):
        load_mapping(bad)
    as_list = tmp_path / "list.json"
    as_list.write_text("[]")
    with pytest.raises(FeedUnreadable, match="JSON object"):
        load_mapping(as_list)
    with pytest.raises(FeedUnreadable, match="non-empty text"):
        load_mapping({"title": 3})


def test_csv_must_be_utf8() -> None:
    with pytest.raises(FeedUnreadable, match="UTF-8"):
        read_csv("external_id,title,company\n1,محاسب,x\n".encode("cp1256"))


def test_every_mapping_key_is_a_feed_field() -> None:
    assert {"external_id", "title", "company", "salary", "posted_at"} <= set(FEED_FIELDS)
    assert load_mapping({"title": " Job Title "}) == {"title": "Job Title"}


def test_row_error_is_a_plain_pair() -> None:
    row, reason = RowError(3, "bad")
    assert (row, reason) == (3, "bad")
