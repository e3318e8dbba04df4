"""The rule-based CV parser on hand-written English and Arabic CVs, and on the dotin set."""

from __future__ import annotations

import re
from datetime import date

import pytest

from ingestion.cv_parser import (
    find_date_ranges,
    find_phones,
    heading_kind,
    total_years,
)
from ingestion.cv_parser import (
    parse_cv_rules as parse_cv,  # these tests pin the rule parser; test_cv_model the model's
)
from ingestion.cv_schema import StructuredCV, cv_json_schema
from ingestion.evaluate import load_dotin
from tests.conftest import shared_data

TODAY = date(2026, 11, 26)

ENGLISH_CV = """Fatima Al Mansouri
Senior Data Analyst
Abu Dhabi, UAE | +971 50 123 4567 | fatima.mansouri@example.org
linkedin.com/in/fatima-mansouri

PROFESSIONAL SUMMARY:
Data analyst with eight years in banking and telecom.

1. WORK EXPERIENCE
Senior Data Analyst at Emirates NBD
Jan 2019 – Present
• Built Power BI dashboards and SQL pipelines; automated reports with Python and R.

Data Analyst | Etisalat | Dubai
03/2016 – 06/2019
• Analysed churn with Python, pandas and scikit-learn.

EDUCATION
MSc in Data Science, Khalifa University, 2014 - 2016
B.Sc. in Statistics, UAE University, 2010 - 2014

SKILLS
Python, R, SQL, Power BI, Tableau, MS Excel, k8s, Go

LANGUAGES
Arabic (Native), English (Fluent), French (Basic)

CERTIFICATIONS
Microsoft Certified: Power BI Data Analyst Associate
"""

ARABIC_CV = """أحمد محمد العلي
مهندس برمجيات أول
دبي، الإمارات العربية المتحدة
البريد الإلكتروني: ahmed.ali@example.com
الجوال: 050 123 4567

الملخص
مهندس برمجيات بخبرة في تطوير الأنظمة المصرفية.

الخبرات العملية
مهندس برمجيات أول — شركة الإمارات للتقنية
يناير 2019 – حتى الآن
تطوير خدمات مصرفية باستخدام بايثون وجافا سكريبت.

مطور برمجيات — مجموعة الخليج للحلول
مارس 2015 – ديسمبر 2018
تطوير تطبيقات الويب.

التعليم
ماجستير إدارة الأعمال — الجامعة الأمريكية في الشارقة
2019 – 2021
بكالوريوس علوم الحاسوب — جامعة الإمارات العربية المتحدة
2010 – 2014

المهارات
إدارة المشاريع، خدمة العملاء، بايثون، جافا سكريبت، SQL

اللغات
اللغة العربية — اللغة الأم
اللغة الإنجليزية — بطلاقة
"""


@pytest.mark.unit
def test_english_cv_contact_details() -> None:
    cv = parse_cv(ENGLISH_CV, today=TODAY)
    p = cv.personal
    assert p.name == "Fatima Al Mansouri"
    assert p.email == "fatima.mansouri@example.org"
    assert p.phone == "+971 50 123 4567"
    assert p.phone_e164 == "+971501234567"
    assert p.linkedin == "linkedin.com/in/fatima-mansouri"
    assert (p.location, p.city, p.country) == ("Abu Dhabi, UAE", "Abu Dhabi", "AE")
    assert cv.title == "Senior Data Analyst"
    assert cv.summary == "Data analyst with eight years in banking and telecom."
    assert cv.language == "en"


@pytest.mark.unit
def test_english_cv_jobs_and_overlap_counted_once() -> None:
    cv = parse_cv(ENGLISH_CV, today=TODAY)
    jobs = [(e.title, e.company, e.start, e.end, e.current) for e in cv.employment]
    assert jobs == [
        ("Senior Data Analyst", "Emirates NBD", "2019-01", None, True),
        ("Data Analyst", "Etisalat", "2016-03", "2019-06", False),
    ]
    assert cv.employment[1].location == "Dubai"
    assert "churn" in (cv.employment[1].description or "")
    # March 2016 to November 2026 (129 months); Jan-Jun 2019 is in both jobs and counts once.
    assert cv.total_years_experience == pytest.approx(129 / 12, abs=0.06)


@pytest.mark.unit
def test_english_cv_education_skills_languages() -> None:
    cv = parse_cv(ENGLISH_CV, today=TODAY)
    edu = [(e.degree, e.field, e.institution, e.start, e.end, e.level) for e in cv.education]
    assert edu == [
        ("MSc in Data Science", "Data Science", "Khalifa University", "2014", "2016", "master"),
        ("B.Sc. in Statistics", "Statistics", "UAE University", "2010", "2014", "bachelor"),
    ]
    assert cv.highest_education == "master"
    names = {s.name for s in cv.skills}
    assert {"Python", "R", "SQL", "Power BI", "Tableau", "MS Excel", "k8s", "Go"} <= names
    assert all(s.skill_id for s in cv.skills if s.name in {"k8s", "Go", "R"})
    assert len({s.skill_id for s in cv.skills}) == len(cv.skills)  # deduplicated by id
    langs = {(lang.language, lang.proficiency) for lang in cv.languages}
    assert langs == {("Arabic", "native"), ("English", "fluent"), ("French", "basic")}
    assert cv.certifications == ["Microsoft Certified: Power BI Data Analyst Associate"]


@pytest.mark.unit
def test_arabic_cv() -> None:
    cv = parse_cv(ARABIC_CV, today=TODAY)
    p = cv.personal
    assert cv.language == "ar"
    assert p.name == "أحمد محمد العلي"
    assert p.phone == "050 123 4567"
    assert p.phone_e164 == "+971501234567"
    assert (p.city, p.country) == ("Dubai", "AE")
    assert cv.title == "مهندس برمجيات أول"
    jobs = [(e.title, e.company, e.start, e.end, e.current) for e in cv.employment]
    assert jobs == [
        ("مهندس برمجيات أول", "شركة الإمارات للتقنية", "2019-01", None, True),
        ("مطور برمجيات", "مجموعة الخليج للحلول", "2015-03", "2018-12", False),
    ]
    assert cv.total_years_experience == pytest.approx(141 / 12, abs=0.06)  # Mar 2015 - Nov 2026
    assert [e.level for e in cv.education] == ["master", "bachelor"]
    assert cv.education[0].institution == "الجامعة الأمريكية في الشارقة"
    assert cv.highest_education == "master"
    labels = {s.name for s in cv.skills}
    assert {"إدارة المشاريع", "خدمة العملاء", "بايثون", "جافا سكريبت", "SQL"} <= labels
    assert {(x.language, x.proficiency) for x in cv.languages} == {
        ("Arabic", "native"),
        ("English", "fluent"),
    }
    assert cv.summary
    assert "مهندس برمجيات" in cv.summary


@pytest.mark.unit
@pytest.mark.parametrize(
    ("text", "e164"),
    [
        ("Mobile: +971 50 123 4567", "+971501234567"),
        ("Tel 050 123 4567", "+971501234567"),
        ("00971 55 987 6543", "+971559876543"),
        ("+971-4-321-1234", "+97143211234"),
        ("جوال: 0501234567", "+971501234567"),
        ("Phone: +966 55 123 4567", "+966551234567"),
        ("Mob: +91 98450 12345", "+919845012345"),
    ],
)
def test_gulf_phone_formats(text: str, e164: str) -> None:
    (hit,) = find_phones(text)
    assert hit.e164 == e164
    assert hit.text in text


@pytest.mark.unit
def test_year_ranges_and_dates_are_not_phones() -> None:
    assert find_phones("2014 - 2018, 12/05/2019, ZIP 560001, order 1234") == []


@pytest.mark.unit
@pytest.mark.parametrize(
    ("text", "start", "end", "current"),
    [
        ("Jan 2019 – Present", "2019-01", None, True),
        ("2017 - 2020", "2017", "2020", False),
        ("03/2018 – 06/2021", "2018-03", "2021-06", False),
        ("September 2017 to till date", "2017-09", None, True),
        ("February 2016 to Present", "2016-02", None, True),
        ("since 2015", "2015", None, True),
        ("يناير 2019 – حتى الآن", "2019-01", None, True),
        ("مارس 2015 - ديسمبر 2018", "2015-03", "2018-12", False),
        ("٢٠١٠ - ٢٠١٤", "2010", "2014", False),
        ("June 2020 –\nPresent", "2020-06", None, True),
    ],
)
def test_date_ranges(text: str, start: str, end: str | None, current: bool) -> None:
    (r,) = find_date_ranges(text, TODAY)
    assert (r.start_str, r.end_str, r.current) == (start, end, current)
    assert text[r.start : r.end] == r.text


@pytest.mark.unit
def test_total_years_is_the_union_of_periods() -> None:
    ranges = find_date_ranges("Jan 2010 - Dec 2014\nJan 2012 - Dec 2013\nJan 2020 - Present", TODAY)
    # 5 years, a job inside it adds nothing, then Jan 2020 to Nov 2026.
    assert total_years(ranges, TODAY) == pytest.approx(5 + 6 + 11 / 12, abs=0.05)
    assert total_years([], TODAY) is None
    assert total_years(find_date_ranges("2017 - 2020", TODAY), TODAY) == 3.0


@pytest.mark.unit
@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("WORK EXPERIENCE", "experience"),
        ("Professional Experience:", "experience"),
        ("2. Education", "education"),
        ("III) Skills", "skills"),
        ("Career Experience/Job History", "experience"),
        ("E X P E R I E N C E", "experience"),
        ("الخبرات العملية", "experience"),
        ("التعليم:", "education"),
        ("المهارات", "skills"),
        ("اللغات", "languages"),
        ("الشهادات", "certifications"),
        ("المشاريع", "projects"),
        ("نبذة", "summary"),
        ("I worked on experience design", None),
        ("Skills that pay the bills and more words here", None),
    ],
)
def test_headings(text: str, kind: str | None) -> None:
    assert heading_kind(text) == kind


@pytest.mark.unit
def test_highest_education_levels() -> None:
    text = """John Smith
EDUCATION
High School Diploma, Dubai Scholars, 2008
Diploma in Hospitality, Emirates Academy, 2010
PhD in Physics, University of Oxford, 2020
"""
    cv = parse_cv(text, today=TODAY)
    assert [e.level for e in cv.education] == ["high_school", "diploma", "doctorate"]
    assert cv.highest_education == "doctorate"


@pytest.mark.unit
@pytest.mark.parametrize(
    "text",
    ["", "   \n\n  ", "\x00\x01\x02", "@@@@ ---- ####", "١٢٣٤٥٦٧٨٩", "a" * 300_000, "\n" * 5000],
)
def test_odd_input_gives_an_empty_but_valid_cv(text: str) -> None:
    cv = parse_cv(text, today=TODAY)
    assert isinstance(cv, StructuredCV)
    assert all(0.0 <= v <= 1.0 for v in cv.confidence.values())
    StructuredCV.model_validate_json(cv.model_dump_json())


@pytest.mark.unit
def test_parse_cv_rejects_non_text() -> None:
    with pytest.raises(TypeError):
        parse_cv(b"bytes")  # type: ignore[arg-type]


@pytest.mark.unit
def test_json_schema_export() -> None:
    schema = cv_json_schema()
    assert schema["title"] == "StructuredCV"
    props = schema["properties"]
    assert {"personal", "employment", "education", "skills", "confidence"} <= set(props)
    edu = schema["$defs"]["Education"]["properties"]["level"]
    assert "doctorate" in str(edu)


def _squash(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


@pytest.mark.slow
def test_nothing_is_invented_on_the_dotin_set() -> None:
    """Every name, email, phone, job title, company and skill name is in the source text."""
    docs = load_dotin(shared_data())
    assert len(docs) == 310
    checked = 0
    for doc in docs:
        cv = parse_cv(doc.text, today=TODAY)
        source = _squash(doc.text)
        values = [
            cv.personal.name,
            cv.personal.email,
            cv.personal.phone,
            cv.personal.location,
            cv.personal.linkedin,
            cv.title,
            *(v for e in cv.employment for v in (e.title, e.company, e.location)),
            *(v for e in cv.education for v in (e.degree, e.institution)),
            *(s.name for s in cv.skills),
            *cv.certifications,
        ]
        for value in values:
            if value:
                checked += 1
                assert _squash(value) in source, (doc.path.name, value)
        assert all(0.0 <= v <= 1.0 for v in cv.confidence.values())
    assert checked > 5000
