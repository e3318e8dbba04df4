"""The demo dataset generator is deterministic, bilingual and internally consistent."""

from __future__ import annotations

import re
from collections import Counter
from datetime import UTC, date, datetime, timedelta

import pytest

from api.demo.dataset import DemoCandidate, DemoDataset, build_dataset, load_vocab

pytestmark = pytest.mark.unit

TODAY = date(2026, 11, 26)
ARABIC = re.compile(r"[\u0600-\u06FF]")
EMAIL_DOMAINS = ("@example.com", "@example.org")
UAE_CITIES = {"Dubai", "Abu Dhabi", "Sharjah", "Ajman", "Ras Al Khaimah", "Fujairah", "Al Ain"}
GCC_CITIES = {"Riyadh", "Jeddah", "Dammam", "Doha", "Kuwait City", "Manama", "Muscat"}
CURRENCY = {"AE": "AED", "SA": "SAR", "QA": "QAR", "KW": "KWD", "BH": "BHD", "OM": "OMR"}
MONTHS_EN = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
MONTHS_AR = ("يناير", "فبراير", "مارس", "أبريل", "مايو", "يونيو", "يوليو", "أغسطس", "سبتمبر")
MONTHS_AR += ("أكتوبر", "نوفمبر", "ديسمبر")


@pytest.fixture(scope="module")
def ds() -> DemoDataset:
    return build_dataset()


def _month(value: str | None, lang: str) -> str:
    if value is None:
        return "Present" if lang == "en" else "حتى الآن"
    year, month = int(value[:4]), int(value[5:7])
    return f"{(MONTHS_EN if lang == 'en' else MONTHS_AR)[month - 1]} {year}"


def test_same_seed_gives_identical_dataset(ds: DemoDataset) -> None:
    again = build_dataset(seed=20261126, today=TODAY)
    assert again == ds
    assert [c.cv_text for c in again.candidates] == [c.cv_text for c in ds.candidates]


def test_different_seed_gives_different_dataset(ds: DemoDataset) -> None:
    other = build_dataset(seed=7)
    assert other != ds
    assert [j.title for j in other.jobs] != [j.title for j in ds.jobs]


def test_dates_follow_today() -> None:
    later = build_dataset(today=date(2027, 3, 1))
    assert max(j.posted_at for j in later.jobs).date() < date(2027, 3, 1)
    assert min(j.posted_at for j in later.jobs).date() > date(2026, 10, 1)


def test_counts(ds: DemoDataset) -> None:
    assert len(ds.jobs) >= 300
    assert len(ds.candidates) >= 30
    assert 6 <= len(ds.recruiters) <= 10
    assert 100 <= len(ds.applications) <= 250
    assert 50 <= len(ds.saved_jobs) <= 150
    assert sorted(a.role for a in ds.admins) == ["REGULAR_ADMIN", "SUPER_ADMIN"]


def test_keys_and_emails_are_unique(ds: DemoDataset) -> None:
    for keys in (
        [a.key for a in ds.admins],
        [r.key for r in ds.recruiters],
        [j.key for j in ds.jobs],
        [c.key for c in ds.candidates],
        [j.source_id for j in ds.jobs],
    ):
        assert len(keys) == len(set(keys))
    emails = [a.email for a in ds.admins] + [r.email for r in ds.recruiters]
    emails += [c.email for c in ds.candidates]
    assert len(emails) == len(set(emails))
    assert all(e.endswith(EMAIL_DOMAINS) for e in emails)


def test_admin_permissions(ds: DemoDataset) -> None:
    allowed = {
        "MANAGE_USERS", "MANAGE_JOBS", "MANAGE_APPLICATIONS", "MANAGE_PAYMENTS",
        "MANAGE_DASHBOARD", "MANAGE_INTERVIEWS", "MANAGE_AI_CV", "MANAGE_HELP",
        "MANAGE_ACCOUNT", "MANAGE_ADMIN_PERMISSIONS",
    }  # fmt: skip
    for admin in ds.admins:
        assert admin.permissions
        assert set(admin.permissions) <= allowed
    regular = next(a for a in ds.admins if a.role == "REGULAR_ADMIN")
    assert len(regular.permissions) < len(allowed)


def test_job_fields(ds: DemoDataset) -> None:
    recruiter_keys = {r.key for r in ds.recruiters}
    for job in ds.jobs:
        assert job.city in UAE_CITIES | GCC_CITIES
        assert job.salary_currency == CURRENCY[job.country]
        assert job.salary_period in ("month", "year")
        assert job.job_type in ("full_time", "part_time", "contract", "internship", "temporary")
        assert job.work_mode in ("onsite", "remote", "hybrid")
        assert job.status in ("open", "closed", "draft", "expired")
        assert job.language in ("en", "ar")
        assert (job.salary_min is None) == (job.salary_max is None)
        if job.salary_min is not None and job.salary_max is not None:
            assert 0 < job.salary_min <= job.salary_max
        if job.experience_min is not None and job.experience_max is not None:
            assert job.experience_min <= job.experience_max
        assert 3 <= len(job.requirements) <= 6
        assert 3 <= len(re.findall(r"[.!?؟](?:\s|$)", job.description)) <= 6
        if job.recruiter_key is None:
            assert job.source == "feed"
        else:
            assert job.recruiter_key in recruiter_keys
            assert job.company in {r.company for r in ds.recruiters}
    owners = {j.recruiter_key for j in ds.jobs}
    assert recruiter_keys <= owners
    assert any(j.recruiter_key is None for j in ds.jobs)


def test_job_locations_mostly_uae(ds: DemoDataset) -> None:
    countries = Counter(j.country for j in ds.jobs)
    assert countries["AE"] > len(ds.jobs) / 2
    assert set(countries) == set(CURRENCY)
    assert {j.city for j in ds.jobs} >= UAE_CITIES


def test_job_dates(ds: DemoDataset) -> None:
    midnight = datetime(TODAY.year, TODAY.month, TODAY.day, tzinfo=UTC)
    for job in ds.jobs:
        assert job.posted_at.utcoffset() == timedelta(0)
        assert 1 <= (TODAY - job.posted_at.date()).days <= 120
        if job.expires_at is not None:
            assert 30 <= (job.expires_at - job.posted_at).days <= 90
            if job.status in ("open", "draft"):
                assert job.expires_at > midnight
        if job.status == "expired":
            assert job.expires_at is not None
            assert job.expires_at <= midnight
    statuses = Counter(j.status for j in ds.jobs)
    assert statuses["open"] > len(ds.jobs) / 2
    assert statuses["closed"]
    assert statuses["draft"]
    assert statuses["expired"]


def test_arabic_share_and_script(ds: DemoDataset) -> None:
    arabic = [j for j in ds.jobs if j.language == "ar"]
    assert 0.10 <= len(arabic) / len(ds.jobs) <= 0.25
    for job in arabic:
        assert ARABIC.search(job.title)
        assert ARABIC.search(job.description)
        assert all(ARABIC.search(r) for r in job.requirements)
        assert any(ARABIC.search(s) for s in job.skills)
        assert not ARABIC.search(job.city)
    for job in ds.jobs:
        if job.language == "en":
            assert not ARABIC.search(job.title + job.description + "".join(job.requirements))


def test_job_skills_come_from_vocab(ds: DemoDataset) -> None:
    vocab = load_vocab()
    known = {s["label"] for o in vocab["occupations"] for s in o["skills"]}
    known |= {g["ar"] for g in vocab["skill_glossary"]}
    for job in ds.jobs:
        assert job.skills
        assert set(job.skills) <= known, job.key


def test_no_real_looking_domains_or_people(ds: DemoDataset) -> None:
    text = "\n".join([j.description for j in ds.jobs] + [c.cv_text for c in ds.candidates])
    for email in re.findall(r"[\w.+-]+@[\w.-]+", text):
        assert email.endswith(EMAIL_DOMAINS)


def _check_cv(c: DemoCandidate) -> None:
    cv, text = c.cv_parsed, c.cv_text
    assert set(cv) == {"personal", "summary", "employment", "education", "skills", "languages"}
    for value in cv["personal"].values():
        assert value in text
    assert cv["personal"]["email"] == c.email
    assert cv["personal"]["phone"] == c.phone
    assert cv["summary"] in text
    for job in cv["employment"]:
        assert job["title"] in text
        assert job["company"] in text
        assert (
            f"{_month(job['start'], c.cv_language)} – {_month(job['end'], c.cv_language)}" in text
        )
        assert job["current"] == (job["end"] is None)
        assert job["end"] is None or job["start"] <= job["end"]
    for edu in cv["education"]:
        assert edu["degree"] in text
        assert edu["institution"] in text
        assert str(edu["year"]) in text
    for skill in cv["skills"]:
        assert skill in text
    for lang in cv["languages"]:
        assert f"{lang['language']} — {lang['proficiency']}" in text


def test_cv_parsed_matches_cv_text(ds: DemoDataset) -> None:
    for cand in ds.candidates:
        _check_cv(cand)


def test_cv_headings_and_language(ds: DemoDataset) -> None:
    share = sum(c.cv_language == "ar" for c in ds.candidates) / len(ds.candidates)
    assert 0.1 <= share <= 0.3
    for c in ds.candidates:
        headings = (
            ("الملخص", "الخبرات العملية", "التعليم", "المهارات", "اللغات")
            if c.cv_language == "ar"
            else ("SUMMARY", "EXPERIENCE", "EDUCATION", "SKILLS", "LANGUAGES")
        )
        lines = c.cv_text.splitlines()
        assert all(h in lines for h in headings)
        assert bool(ARABIC.search(c.cv_parsed["summary"])) == (c.cv_language == "ar")


def test_candidate_fields(ds: DemoDataset) -> None:
    phone = re.compile(
        r"^\+(971 5\d \d{3} \d{4}|966 5\d \d{3} \d{4}|(974|965|973|968) \d{4} \d{4})$"
    )
    nationalities = Counter(c.nationality for c in ds.candidates)
    assert len(nationalities) >= 5
    for c in ds.candidates:
        assert phone.match(c.phone), c.phone
        assert c.gender in ("male", "female")
        assert c.city in UAE_CITIES | GCC_CITIES
        assert c.country in CURRENCY
        assert c.city in c.desired_locations
        assert c.desired_positions
        assert c.skills
        assert list(c.skills) == c.cv_parsed["skills"]
        assert c.salary_expectation is None or c.salary_expectation > 0
        age = (TODAY - c.date_of_birth).days / 365.25
        assert 20 < age < 65
        first_year = min(int(j["start"][:4]) for j in c.cv_parsed["employment"])
        assert first_year - c.date_of_birth.year >= 18


def test_years_experience_matches_employment(ds: DemoDataset) -> None:
    for c in ds.candidates:
        months = 0
        for job in c.cv_parsed["employment"]:
            end = job["end"] or f"{TODAY.year:04d}-{TODAY.month:02d}"
            months += (int(end[:4]) * 12 + int(end[5:7])) - (
                int(job["start"][:4]) * 12 + int(job["start"][5:7])
            )
        assert c.years_experience == months // 12
        assert c.years_experience >= 1


def test_applications(ds: DemoDataset) -> None:
    jobs = {j.key: j for j in ds.jobs}
    candidates = {c.key for c in ds.candidates}
    pairs = [(a.candidate_key, a.job_key) for a in ds.applications]
    assert len(pairs) == len(set(pairs))
    for app in ds.applications:
        job = jobs[app.job_key]
        assert app.candidate_key in candidates
        assert job.status in ("open", "closed")
        assert job.posted_at < app.applied_at
        assert app.applied_at.date() <= TODAY
        assert job.expires_at is None or app.applied_at <= job.expires_at
        assert app.stage in ("applied", "screening", "interview", "offer", "hired", "rejected")
        assert app.origin in ("single", "bulk", "ai")
        assert app.matched_score is None or 0.0 <= app.matched_score <= 1.0
    assert len({a.stage for a in ds.applications}) >= 5
    assert {a.origin for a in ds.applications} == {"single", "bulk", "ai"}


def test_saved_jobs(ds: DemoDataset) -> None:
    jobs = {j.key: j for j in ds.jobs}
    pairs = [(s.candidate_key, s.job_key) for s in ds.saved_jobs]
    assert len(pairs) == len(set(pairs))
    for saved in ds.saved_jobs:
        job = jobs[saved.job_key]
        assert job.status != "draft"
        assert job.posted_at <= saved.saved_at
        assert saved.saved_at.date() <= TODAY


@pytest.mark.parametrize("seed", [1, 42, 99991])
def test_invariants_hold_for_other_seeds(seed: int) -> None:
    ds = build_dataset(seed=seed)
    test_keys_and_emails_are_unique(ds)
    test_job_fields(ds)
    test_job_skills_come_from_vocab(ds)
    test_cv_parsed_matches_cv_text(ds)
    test_years_experience_matches_employment(ds)
    test_applications(ds)
    test_saved_jobs(ds)
    assert 0.10 <= sum(j.language == "ar" for j in ds.jobs) / len(ds.jobs) <= 0.25


def test_vocab_shape() -> None:
    vocab = load_vocab()
    assert next(iter(vocab)) == "attribution"
    assert "ESCO" in vocab["attribution"]["esco"]
    assert "O*NET" in vocab["attribution"]["onet"]
    occupations = vocab["occupations"]
    assert 55 <= len(occupations) <= 70
    assert [o["key"] for o in occupations] == sorted(o["key"] for o in occupations)
    for occ in occupations:
        assert ARABIC.search(occ["title_ar"])
        assert 2 <= len(occ["alt_titles_en"]) <= 4
        assert 8 <= len(occ["skills"]) <= 20
        assert occ["esco_uri"] or occ["onet_code"]
        for skill in occ["skills"]:
            assert skill["source_id"].startswith(("http://data.europa.eu/esco/skill/", "onet:"))
    glossary = vocab["skill_glossary"]
    assert len(glossary) >= 40
    assert all(ARABIC.search(g["ar"]) for g in glossary)
