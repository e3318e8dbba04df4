"""The job-field normalisers on strings as Gulf job ads write them, English and Arabic."""

from __future__ import annotations

import csv

import pytest

from ingestion.jobs.normalise import (
    CityRef,
    SalaryRange,
    currency_code,
    normalise_city,
    normalise_company,
    normalise_country,
    normalise_title,
    parse_experience,
    parse_job_type,
    parse_salary,
    parse_work_mode,
    requirement_lines,
    salary_from_parts,
    split_requirements,
)
from ingestion.jobs.text import arabic_share, fold, key
from models.enums import JobType, SalaryPeriod, WorkMode
from tests.conftest import shared_data

pytestmark = pytest.mark.unit

MONTH, YEAR = SalaryPeriod.MONTH, SalaryPeriod.YEAR


# --- text folding ---------------------------------------------------------------------------


def test_fold_unifies_arabic_letter_variants_digits_and_accents() -> None:
    assert fold("أبوظبي") == fold("ابوظبي") == fold("إبوظبي")
    assert fold("جدة") == fold("جده")
    assert fold("مكتبى") == fold("مكتبي")
    assert fold("شهرياً") == "شهريا"
    assert fold("١٥٬٠٠٠") == "15,000"
    assert fold("۱۲۳") == "123"
    assert fold("Dubái") == "dubai"
    assert fold("10k–15k") == "10k-15k"
    assert key("U.A.E.") == "uae"
    assert key("  Ras Al-Khaimah  ") == "ras al khaimah"


def test_arabic_share() -> None:
    assert arabic_share("محاسب أول في دبي") == 1.0
    assert arabic_share("Senior Accountant") == 0.0
    assert 0.3 < arabic_share("محاسب Accountant") < 0.7
    assert arabic_share("12345 !!") == 0.0


# --- cities ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        # United Arab Emirates
        ("Dubai", ("Dubai", "AE")),
        ("  dubai  ", ("Dubai", "AE")),
        ("DUBAI", ("Dubai", "AE")),
        ("DXB", ("Dubai", "AE")),
        ("دبي", ("Dubai", "AE")),
        ("Dubai, UAE", ("Dubai", "AE")),
        ("Dubai - United Arab Emirates", ("Dubai", "AE")),
        ("Dubai—UAE", ("Dubai", "AE")),
        ("Dubái", ("Dubai", "AE")),
        ("JLT, Dubai", ("Dubai", "AE")),
        ("Dubai Marina", ("Dubai", "AE")),
        ("Jebel Ali Free Zone", ("Dubai", "AE")),
        ("DIFC", ("Dubai", "AE")),
        ("في دبي", ("Dubai", "AE")),
        ("بدبي", ("Dubai", "AE")),
        ("دبي، الإمارات العربية المتحدة", ("Dubai", "AE")),
        ("Abu Dhabi", ("Abu Dhabi", "AE")),
        ("AbuDhabi", ("Abu Dhabi", "AE")),
        ("AUH", ("Abu Dhabi", "AE")),
        ("أبوظبي", ("Abu Dhabi", "AE")),
        ("أبو ظبي", ("Abu Dhabi", "AE")),
        ("ابو ظبي - الامارات", ("Abu Dhabi", "AE")),
        ("Mussafah Industrial Area, Abu Dhabi", ("Abu Dhabi", "AE")),
        ("Sharjah", ("Sharjah", "AE")),
        ("الشارقة", ("Sharjah", "AE")),
        ("SHJ", ("Sharjah", "AE")),
        ("Ajman, U.A.E.", ("Ajman", "AE")),
        ("عجمان", ("Ajman", "AE")),
        ("Ras Al Khaimah", ("Ras Al Khaimah", "AE")),
        ("Ras al-Khaimah", ("Ras Al Khaimah", "AE")),
        ("RAK", ("Ras Al Khaimah", "AE")),
        ("رأس الخيمة", ("Ras Al Khaimah", "AE")),
        ("راس الخيمة", ("Ras Al Khaimah", "AE")),
        ("Fujairah", ("Fujairah", "AE")),
        ("الفجيرة", ("Fujairah", "AE")),
        ("Umm Al Quwain", ("Umm Al Quwain", "AE")),
        ("Umm al-Qaiwain", ("Umm Al Quwain", "AE")),
        ("UAQ", ("Umm Al Quwain", "AE")),
        ("أم القيوين", ("Umm Al Quwain", "AE")),
        ("Al Ain", ("Al Ain", "AE")),
        ("Al-Ain, Abu Dhabi Emirate", ("Al Ain", "AE")),
        ("العين", ("Al Ain", "AE")),
        # Saudi Arabia
        ("Riyadh", ("Riyadh", "SA")),
        ("Riyadh, KSA", ("Riyadh", "SA")),
        ("Riyadh - Saudi Arabia", ("Riyadh", "SA")),
        ("الرياض", ("Riyadh", "SA")),
        ("بالرياض", ("Riyadh", "SA")),
        ("الرياض، المملكة العربية السعودية", ("Riyadh", "SA")),
        ("Jeddah", ("Jeddah", "SA")),
        ("Jiddah", ("Jeddah", "SA")),
        ("جدة", ("Jeddah", "SA")),
        ("جده", ("Jeddah", "SA")),
        ("Dammam", ("Dammam", "SA")),
        ("الدمام", ("Dammam", "SA")),
        ("Al Khobar", ("Khobar", "SA")),
        ("Al-Khobar, Eastern Province", ("Khobar", "SA")),
        ("الخبر", ("Khobar", "SA")),
        ("Mecca", ("Mecca", "SA")),
        ("Makkah", ("Mecca", "SA")),
        ("مكة", ("Mecca", "SA")),
        ("مكة المكرمة", ("Mecca", "SA")),
        ("Medina", ("Medina", "SA")),
        ("Madinah", ("Medina", "SA")),
        ("المدينة المنورة", ("Medina", "SA")),
        ("المدينة", ("Medina", "SA")),
        ("Dhahran", ("Dhahran", "SA")),
        ("Jubail Industrial City", ("Jubail", "SA")),
        # Qatar, Kuwait, Bahrain, Oman
        ("Doha", ("Doha", "QA")),
        ("Doha, Qatar", ("Doha", "QA")),
        ("الدوحة", ("Doha", "QA")),
        ("الدوحة، قطر", ("Doha", "QA")),
        ("Lusail", ("Lusail", "QA")),
        ("Kuwait City", ("Kuwait City", "KW")),
        ("مدينة الكويت", ("Kuwait City", "KW")),
        ("الكويت", ("Kuwait City", "KW")),
        ("Kuwait", ("Kuwait City", "KW")),
        ("Salmiya, Kuwait", ("Salmiya", "KW")),
        ("Manama", ("Manama", "BH")),
        ("Manama, Kingdom of Bahrain", ("Manama", "BH")),
        ("المنامة", ("Manama", "BH")),
        ("Muscat", ("Muscat", "OM")),
        ("Muscat - Sultanate of Oman", ("Muscat", "OM")),
        ("مسقط", ("Muscat", "OM")),
        ("Salalah", ("Salalah", "OM")),
        ("صلالة", ("Salalah", "OM")),
        ("Sohar", ("Sohar", "OM")),
        ("صحار", ("Sohar", "OM")),
        # country only
        ("UAE", (None, "AE")),
        ("U.A.E", (None, "AE")),
        ("United Arab Emirates", (None, "AE")),
        ("الإمارات", (None, "AE")),
        ("Remote (UAE)", (None, "AE")),
        ("KSA", (None, "SA")),
        ("Saudi Arabia", (None, "SA")),
        ("المملكة العربية السعودية", (None, "SA")),
        ("Qatar", (None, "QA")),
        ("قطر", (None, "QA")),
        ("State of Kuwait", (None, "KW")),
        ("Remote (Kuwait)", (None, "KW")),
        ("Bahrain", (None, "BH")),
        ("البحرين", (None, "BH")),
        ("Oman", (None, "OM")),
        ("سلطنة عمان", (None, "OM")),
        # A named city decides the country, however the rest is spelled.
        ("Remote - Dubai", ("Dubai", "AE")),
    ],
)
def test_normalise_city(raw: str, expected: tuple[str | None, str]) -> None:
    assert normalise_city(raw) == CityRef(*expected)


@pytest.mark.parametrize(
    "raw",
    [
        None,
        "",
        "   ",
        "Remote",
        "London, UK",
        "Cairo, Egypt",
        "GCC",
        "Middle East",
        "Anywhere",
        "-",
    ],
)
def test_normalise_city_unknown(raw: str | None) -> None:
    assert normalise_city(raw) is None


def test_city_words_only_count_as_whole_parts() -> None:
    # المدينة is "the city" and العين "the eye" inside a phrase; they name a place only alone.
    assert normalise_city("وسط المدينة") is None
    assert normalise_city("مركز العين الطبي، دبي") == CityRef("Dubai", "AE")
    assert normalise_city("Riyadh, SA") == CityRef("Riyadh", "SA")
    assert normalise_city("Saudi Aramco, Dhahran") == CityRef("Dhahran", "SA")


def test_normalise_country() -> None:
    assert normalise_country("United Arab Emirates") == "AE"
    assert normalise_country("ae") == "AE"
    assert normalise_country("السعودية") == "SA"
    assert normalise_country("Doha") == "QA"
    assert normalise_country("France") is None


# --- salaries -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "default", "expected"),
    [
        ("AED 10k–15k per month", None, (10000, 15000, "AED", MONTH)),
        ("AED 10K - 15K", None, (10000, 15000, "AED", MONTH)),
        ("10,000 - 15,000 AED", None, (10000, 15000, "AED", MONTH)),
        ("10,000 AED - 15,000 AED", None, (10000, 15000, "AED", MONTH)),
        ("AED 10-15k", None, (10000, 15000, "AED", MONTH)),
        ("15,000 AED", None, (15000, 15000, "AED", MONTH)),
        ("AED 180,000/year", None, (180000, 180000, "AED", YEAR)),
        ("AED 180,000", None, (180000, 180000, "AED", YEAR)),
        ("AED 30,000", None, (30000, 30000, "AED", MONTH)),
        ("SAR 8000 monthly", None, (8000, 8000, "SAR", MONTH)),
        ("SAR 96,000 per annum", None, (96000, 96000, "SAR", YEAR)),
        ("Salary: AED 8,000 to AED 12,000 p.m.", None, (8000, 12000, "AED", MONTH)),
        ("between 9000 and 11000 AED", None, (9000, 11000, "AED", MONTH)),
        ("AED 12.5k", None, (12500, 12500, "AED", MONTH)),
        ("AED 6,000 – 8,000/month + housing", None, (6000, 8000, "AED", MONTH)),
        ("15,000 AED + 10% bonus", None, (15000, 15000, "AED", MONTH)),
        ("Competitive (AED 20k-25k)", None, (20000, 25000, "AED", MONTH)),
        ("AED 15,000 - 10,000", None, (10000, 15000, "AED", MONTH)),
        ("up to 20k", None, (None, 20000, None, MONTH)),
        ("Up to AED 35,000 per month", None, (None, 35000, "AED", MONTH)),
        ("from 12,000", None, (12000, None, None, MONTH)),
        ("Starting from SAR 7,500", None, (7500, None, "SAR", MONTH)),
        ("AED 15,000+", None, (15000, None, "AED", MONTH)),
        ("د.إ 9,000", None, (9000, 9000, "AED", MONTH)),
        ("9000 ر.س", None, (9000, 9000, "SAR", MONTH)),
        ("QAR 12,000 - 16,000", None, (12000, 16000, "QAR", MONTH)),
        ("KWD 900 - 1,200 per month", None, (900, 1200, "KWD", MONTH)),
        ("KWD 24,000", None, (24000, 24000, "KWD", YEAR)),
        ("BHD 1,200 - 1,500", None, (1200, 1500, "BHD", MONTH)),
        ("OMR 2,000 per month", None, (2000, 2000, "OMR", MONTH)),
        ("USD 5,000 - 7,000 monthly", None, (5000, 7000, "USD", MONTH)),
        ("$120k - $150k / year", None, (120000, 150000, "USD", YEAR)),
        ("£45,000 per annum", None, (45000, 45000, "GBP", YEAR)),
        ("10000", "AED", (10000, 10000, "AED", MONTH)),
        # Arabic
        ("١٥٬٠٠٠ درهم شهرياً", None, (15000, 15000, "AED", MONTH)),
        ("من 10000 إلى 15000 ريال", None, (10000, 15000, "SAR", MONTH)),
        ("من 10000 إلى 15000 ريال", "QAR", (10000, 15000, "QAR", MONTH)),
        ("من ١٠٠٠٠ الى ١٥٠٠٠ درهم", None, (10000, 15000, "AED", MONTH)),
        ("8000 ريال سعودي", None, (8000, 8000, "SAR", MONTH)),
        ("12,000 ريال قطري", None, (12000, 12000, "QAR", MONTH)),
        ("دينار كويتي 900", None, (900, 900, "KWD", MONTH)),
        ("1,500 دينار بحريني", None, (1500, 1500, "BHD", MONTH)),
        ("ريال عماني 1500", None, (1500, 1500, "OMR", MONTH)),
        ("800 دينار", "BHD", (800, 800, "BHD", MONTH)),
        ("الراتب: 8000 - 12000 ريال", None, (8000, 12000, "SAR", MONTH)),
        ("15 ألف درهم", None, (15000, 15000, "AED", MONTH)),
        ("حتى 20 ألف درهم شهريا", None, (None, 20000, "AED", MONTH)),
        ("يبدأ من 7000 درهم", None, (7000, None, "AED", MONTH)),
        ("20,000-25,000 درهم إماراتي", None, (20000, 25000, "AED", MONTH)),
        ("180000 درهم سنوياً", None, (180000, 180000, "AED", YEAR)),
    ],
)
def test_parse_salary(
    raw: str, default: str | None, expected: tuple[int | None, int | None, str | None, SalaryPeriod]
) -> None:
    assert parse_salary(raw, default) == SalaryRange(*expected)


@pytest.mark.parametrize(
    "raw",
    [
        None,
        "",
        "Competitive",
        "Negotiable",
        "Attractive package",
        "راتب تنافسي",
        "قابل للتفاوض",
        "DOE",
        "AED 25 per hour",  # hourly pay has no place in a monthly/yearly range
        "AED 300 daily",
        "AED 12",  # implausible as monthly pay
        "AED 0",
    ],
)
def test_parse_salary_none(raw: str | None) -> None:
    assert parse_salary(raw) is None


def test_parse_salary_min_never_exceeds_max() -> None:
    for raw in ("AED 20,000 - 12,000", "من 15000 إلى 10000 درهم", "25k-18k AED"):
        found = parse_salary(raw)
        assert found is not None
        assert found.min is not None
        assert found.max is not None
        assert found.min <= found.max


def test_salary_from_structured_parts() -> None:
    assert salary_from_parts(10000, 15000, "AED", "monthly") == SalaryRange(
        10000, 15000, "AED", MONTH
    )
    assert salary_from_parts(200000, 150000, "aed", "annual") == SalaryRange(
        150000, 200000, "AED", YEAR
    )
    assert salary_from_parts("12k", None, "درهم", None) == SalaryRange(12000, None, "AED", MONTH)
    assert salary_from_parts(9000, None, None, None, "SAR") == SalaryRange(9000, None, "SAR", MONTH)
    assert salary_from_parts(None, None, "AED", "month") is None
    assert salary_from_parts(50, 60, "AED", "hourly") is None


def test_currency_code() -> None:
    assert currency_code("aed") == "AED"
    assert currency_code("درهم") == "AED"
    assert currency_code("ريال قطري") == "QAR"
    assert currency_code("$") == "USD"
    assert currency_code(None, "OMR") == "OMR"


# --- job type and work mode -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Full-time", JobType.FULL_TIME),
        ("full time", JobType.FULL_TIME),
        ("FULL_TIME", JobType.FULL_TIME),
        ("FT", JobType.FULL_TIME),
        ("Permanent", JobType.FULL_TIME),
        ("Full Time / Permanent", JobType.FULL_TIME),
        ("دوام كامل", JobType.FULL_TIME),
        ("Part-time", JobType.PART_TIME),
        ("PT", JobType.PART_TIME),
        ("دوام جزئي", JobType.PART_TIME),
        ("Contract", JobType.CONTRACT),
        ("Contractor", JobType.CONTRACT),
        ("Fixed-term", JobType.CONTRACT),
        ("Freelance", JobType.CONTRACT),
        ("Full-time, 12-month contract", JobType.CONTRACT),
        ("عقد", JobType.CONTRACT),
        ("Internship", JobType.INTERNSHIP),
        ("Intern", JobType.INTERNSHIP),
        ("تدريب", JobType.INTERNSHIP),
        ("Temporary", JobType.TEMPORARY),
        ("Temp", JobType.TEMPORARY),
        ("Seasonal", JobType.TEMPORARY),
        ("مؤقت", JobType.TEMPORARY),
        ("Any", None),
        ("", None),
        (None, None),
    ],
)
def test_parse_job_type_field(raw: str | None, expected: JobType | None) -> None:
    assert parse_job_type(raw) == expected


def test_parse_job_type_free_text_needs_a_clear_phrase() -> None:
    assert parse_job_type("Contract Manager", free_text=True) is None  # a role, not a contract
    assert parse_job_type("Marketing Intern", free_text=True) == JobType.INTERNSHIP
    assert (
        parse_job_type("This is a part-time role in our Dubai office, ideal for students.")
        == JobType.PART_TIME
    )
    assert (
        parse_job_type("Initial 6-month contract with a view to extend, based in Riyadh.")
        == JobType.CONTRACT
    )
    assert (
        parse_job_type("We handle contract management for clients across the GCC region.") is None
    )
    assert parse_job_type("نبحث عن متدرب في قسم المحاسبة للانضمام إلى فريقنا في دبي") == (
        JobType.INTERNSHIP
    )


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Remote", WorkMode.REMOTE),
        ("Fully remote", WorkMode.REMOTE),
        ("Remote (UAE)", WorkMode.REMOTE),
        ("Work from home", WorkMode.REMOTE),
        ("WFH", WorkMode.REMOTE),
        ("عن بعد", WorkMode.REMOTE),
        ("العمل عن بُعد", WorkMode.REMOTE),
        ("Hybrid", WorkMode.HYBRID),
        ("hybrid (3 days office)", WorkMode.HYBRID),
        ("3 days a week in the office, 2 from home", WorkMode.HYBRID),
        ("هجين", WorkMode.HYBRID),
        ("On-site", WorkMode.ONSITE),
        ("onsite", WorkMode.ONSITE),
        ("On site", WorkMode.ONSITE),
        ("In office", WorkMode.ONSITE),
        ("Office-based", WorkMode.ONSITE),
        ("حضوري", WorkMode.ONSITE),
        ("Not remote", WorkMode.ONSITE),
        ("Dubai", None),
        ("", None),
        (None, None),
    ],
)
def test_parse_work_mode_field(raw: str | None, expected: WorkMode | None) -> None:
    assert parse_work_mode(raw) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("This is a fully remote position open to candidates across the GCC.", WorkMode.REMOTE),
        ("You can work from home most days; we meet monthly in Dubai.", WorkMode.REMOTE),
        ("You will work 3 days a week in the office and 2 days from home.", WorkMode.HYBRID),
        ("We offer a hybrid working model with flexible hours for all staff.", WorkMode.HYBRID),
        ("This is not a remote role; you will work from our Dubai office.", WorkMode.ONSITE),
        ("نوفر إمكانية العمل عن بعد بالكامل لهذه الوظيفة مع زيارات شهرية.", WorkMode.REMOTE),
        ("الوظيفة بنظام هجين بين المكتب والمنزل في أبوظبي.", WorkMode.HYBRID),
        # "remote" as part of a skill is not a work mode
        ("We are hiring a Remote Sensing Specialist to analyse satellite imagery.", None),
        ("Remote monitoring of pipelines using SCADA is a key part of the job here.", None),
        ("Join our team at our Dubai office near the metro, free parking available.", None),
    ],
)
def test_parse_work_mode_free_text(text: str, expected: WorkMode | None) -> None:
    assert parse_work_mode(text) == expected


# --- experience -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("3-5 years", (3, 5)),
        ("3–5 years", (3, 5)),
        ("3 to 5 yrs", (3, 5)),
        ("between 2 and 4 years of experience", (2, 4)),
        ("5+ years", (5, None)),
        ("5 years+ in backend development", (5, None)),
        ("minimum 2 years", (2, None)),
        ("Minimum of 7 years' experience in audit", (7, None)),
        ("at least 4 years of experience", (4, None)),
        ("2 years", (2, None)),
        ("Experience: 10 years", (10, None)),
        ("five years of experience", (5, None)),
        ("up to 3 years experience", (0, 3)),
        ("less than 2 years experience", (0, 2)),
        ("Fresh graduates are welcome to apply", (0, 1)),
        ("Entry-level position", (0, 1)),
        ("No experience required", (0, None)),
        ("7", (7, None)),
        ("10+", (10, None)),
        ("3-5", (3, 5)),
        (4, (4, None)),
        # Arabic
        ("خبرة 3 سنوات على الأقل", (3, None)),
        ("خبرة من 3 إلى 5 سنوات", (3, 5)),
        ("خبرة لا تقل عن 5 سنوات", (5, None)),
        ("خبرة ٥ سنوات في المبيعات", (5, None)),
        ("خبرة سنتين", (2, None)),
        ("خبرة سنة", (1, None)),
        ("ثلاث سنوات خبرة", (3, None)),
        ("+5 سنوات خبرة", (5, None)),
        ("يفضل حديثي التخرج", (0, 1)),
        ("لا يشترط خبرة", (0, None)),
        # not a requirement
        ("Founded 20 years ago, we lead the market.", (None, None)),
        ("We have served clients for over 20 years.", (None, None)),
        ("99", (None, None)),
        ("", (None, None)),
        (None, (None, None)),
    ],
)
def test_parse_experience(raw: str | int | None, expected: tuple[int | None, int | None]) -> None:
    assert parse_experience(raw) == expected


def test_parse_experience_finds_the_requirement_in_a_description() -> None:
    text = (
        "Founded 20 years ago, Falcon is a leader in analytics.\n"
        "Requirements:\n- Bachelor's degree in Finance\n- Minimum 3 years experience in sales."
    )
    assert parse_experience(text) == (3, None)


def _skill_extraction_sentences() -> list[str]:
    folder = shared_data() / "skill-extraction"
    sentences: set[str] = set()
    for name in ("house_validation_annotations.csv", "tech_validation_annotations.csv"):
        with (folder / name).open(encoding="utf-8", newline="") as f:
            sentences.update(row["sentence"] for row in csv.DictReader(f))
    return sorted(sentences)


def test_experience_and_cues_on_real_job_ad_sentences() -> None:
    """Sentences of real job ads (Decorte et al., CC BY 4.0 / MIT; see shared data README)."""
    sentences = _skill_extraction_sentences()
    assert len(sentences) > 150
    found = {s: parse_experience(s) for s in sentences}
    expected = {
        "0-3 years of experience within production": (0, 3),
        "Requirements 3+ years professional web development": (3, None),
        "Have minimum 3 years of experience": (3, None),
        "+2 years experience in a similar role": (2, None),
        "at least 2 years of experience working in an agency": (2, None),
        "Ruby on Rails in commercial projects for at least 2 years": (2, None),
    }
    for fragment, value in expected.items():
        (sentence,) = [s for s in sentences if fragment in s]
        assert found[sentence] == value, sentence
    # Sentences that name no number of years never produce one.
    assert all(
        v == (None, None) for s, v in found.items() if "year" not in s.lower() and "fresh" not in s
    )
    # Every sentence with a "nice to have" cue is classed preferred.
    cued = [
        s
        for s in sentences
        if any(
            c in s.lower() for c in ("is a plus", "an advantage", "preferred", "a clear advantage")
        )
    ]
    assert len(cued) >= 8
    required, preferred = split_requirements(cued)
    assert required == []
    assert len(preferred) == len(cued)


# --- requirements ---------------------------------------------------------------------------


def test_requirement_lines_strips_bullets_and_numbers() -> None:
    text = "• Python\n- SQL\n* Excel\n1. Arabic\n2) English\n\n   \n▪ Power BI • Tableau"
    assert requirement_lines(text) == [
        "Python",
        "SQL",
        "Excel",
        "Arabic",
        "English",
        "Power BI",
        "Tableau",
    ]


def test_split_requirements_by_cue_and_section() -> None:
    lines = [
        "Requirements:",
        "- Must have 5 years of Python",
        "- Strong SQL",
        "- Arabic speaker preferred",
        "Nice to have:",
        "- Kubernetes",
        "- AWS certification is a plus",
        "- Must hold a valid UAE driving licence",
        "Preferred qualifications",
        "MBA",
        "Knowledge of IFRS would be an advantage",
        "يجب إجادة Excel",
        "يفضل إجادة اللغة العربية",
        "خبرة في SAP تعتبر ميزة",
    ]
    required, preferred = split_requirements(lines)
    assert required == [
        "Must have 5 years of Python",
        "Strong SQL",
        "Must hold a valid UAE driving licence",
        "يجب إجادة Excel",
    ]
    assert preferred == [
        "Arabic speaker preferred",
        "Kubernetes",
        "AWS certification is a plus",
        "MBA",
        "Knowledge of IFRS would be an advantage",
        "يفضل إجادة اللغة العربية",
        "خبرة في SAP تعتبر ميزة",
    ]


def test_split_requirements_splits_a_line_with_both_cues() -> None:
    required, preferred = split_requirements(["Must know SQL; Tableau is a plus"])
    assert required == ["Must know SQL"]
    assert preferred == ["Tableau is a plus"]


def test_split_requirements_arabic_headings() -> None:
    required, preferred = split_requirements(
        ["المتطلبات:", "شهادة جامعية في المحاسبة", "المؤهلات المفضلة:", "شهادة CPA"]
    )
    assert required == ["شهادة جامعية في المحاسبة"]
    assert preferred == ["شهادة CPA"]


# --- keys for duplicate detection -----------------------------------------------------------


@pytest.mark.parametrize(
    "name",
    [
        "Falcon Analytics LLC",
        "Falcon Analytics L.L.C.",
        "Falcon Analytics L.L.C",
        "Falcon Analytics FZ-LLC",
        "Falcon Analytics FZE",
        "FALCON ANALYTICS Co.",
        "Falcon Analytics Company LLC",
        "The Falcon Analytics",
        "  falcon   analytics  ",
    ],
)
def test_normalise_company_strips_legal_forms(name: str) -> None:
    assert normalise_company(name) == "falcon analytics"


def test_normalise_company_arabic_and_distinct_names() -> None:
    assert normalise_company("شركة الفطيم ذ.م.م") == normalise_company("الفطيم ذ م م")
    assert normalise_company("الفطيم ش.ذ.م.م") == normalise_company("شركة الفطيم")
    assert normalise_company("Emirates NBD PJSC") == "emirates nbd"
    assert normalise_company("Falcon Analytics") != normalise_company("Falcon Logistics")
    assert normalise_company("LLC") == "llc"  # never reduced to nothing


def test_normalise_title_drops_noise() -> None:
    assert normalise_title("URGENT: Senior Accountant (M/F)") == "senior accountant"
    assert normalise_title("Senior Accountant - Immediate Joiner") == "senior accountant"
    assert normalise_title("مطلوب محاسب") == normalise_title("محاسب")
    assert normalise_title("Senior Accountant") != normalise_title("Accountant")


def test_normalisers_never_raise_on_odd_input() -> None:
    odd = ["\x00", "💼💼", "-" * 500, "١٢٣" * 100, "AED " + "9" * 50, "(((", "k k k", "%%%"]
    for raw in odd:
        normalise_city(raw)
        parse_salary(raw)
        parse_job_type(raw)
        parse_work_mode(raw)
        parse_experience(raw)
        split_requirements([raw])
        normalise_company(raw)
        normalise_title(raw)
