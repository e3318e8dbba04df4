"""The words a rendered CV adds around its content: headings, months, "Present", contact labels.

Headings are the standard ones ATS software and our own parser (``ingestion.cv_parser``) know;
month names are those the parser reads back, so a rendered CV parses to the same dates.
"""

from __future__ import annotations

from dataclasses import dataclass

from ingestion.cv_schema import CvLanguage, Proficiency


@dataclass(frozen=True)
class Labels:
    summary: str
    experience: str
    education: str
    skills: str
    languages: str
    certifications: str
    projects: str
    email: str
    phone: str
    linkedin: str
    present: str
    months: tuple[str, ...]
    proficiency: dict[str, str]
    #: Joins list items on one line ("a, b"); the Arabic comma in Arabic.
    comma: str
    #: Joins a title and its employer ("Accountant — Acme").
    dash: str = " — "
    #: Joins the two ends of a period ("Jan 2020 – Present").
    range_sep: str = " – "


_EN = Labels(
    summary="PROFESSIONAL SUMMARY",
    experience="WORK EXPERIENCE",
    education="EDUCATION",
    skills="SKILLS",
    languages="LANGUAGES",
    certifications="CERTIFICATIONS",
    projects="PROJECTS",
    email="Email",
    phone="Phone",
    linkedin="LinkedIn",
    present="Present",
    months=("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"),
    proficiency={
        "native": "Native",
        "fluent": "Fluent",
        "professional": "Professional",
        "intermediate": "Intermediate",
        "basic": "Basic",
    },
    comma=", ",
)

_AR = Labels(
    summary="الملخص المهني",
    experience="الخبرات العملية",
    education="التعليم",
    skills="المهارات",
    languages="اللغات",
    certifications="الشهادات",
    projects="المشاريع",
    email="البريد الإلكتروني",
    phone="الهاتف",
    linkedin="لينكدإن",
    present="حتى الآن",
    months=(
        "يناير",
        "فبراير",
        "مارس",
        "أبريل",
        "مايو",
        "يونيو",
        "يوليو",
        "أغسطس",
        "سبتمبر",
        "أكتوبر",
        "نوفمبر",
        "ديسمبر",
    ),
    proficiency={
        "native": "اللغة الأم",
        "fluent": "بطلاقة",
        "professional": "متقدم",
        "intermediate": "جيد",
        "basic": "مبتدئ",
    },
    comma="، ",
)

#: English language names (as StructuredCV stores them) in Arabic, for Arabic headings' CVs.
LANGUAGE_NAMES_AR = {
    "Arabic": "العربية",
    "English": "الإنجليزية",
    "French": "الفرنسية",
    "German": "الألمانية",
    "Spanish": "الإسبانية",
    "Hindi": "الهندية",
    "Urdu": "الأردية",
    "Persian": "الفارسية",
    "Farsi": "الفارسية",
    "Turkish": "التركية",
    "Russian": "الروسية",
    "Chinese": "الصينية",
    "Mandarin": "الصينية",
    "Japanese": "اليابانية",
    "Italian": "الإيطالية",
    "Portuguese": "البرتغالية",
    "Malayalam": "المالايالامية",
    "Tagalog": "التاغالوغية",
    "Filipino": "الفلبينية",
    "Bengali": "البنغالية",
    "Tamil": "التاميلية",
}


def labels_for(language: CvLanguage) -> Labels:
    """The labels of a CV laid out in ``language`` ("en" or "ar")."""
    return _AR if language == "ar" else _EN


def format_date(value: str | None, labels: Labels) -> str | None:
    """ "2021-02" → "Feb 2021" / "فبراير 2021"; "2011" stays "2011"; None stays None."""
    if not value:
        return None
    year, _, month = value.partition("-")
    if month:
        return f"{labels.months[int(month) - 1]} {year}"
    return year


def format_period(start: str | None, end: str | None, current: bool, labels: Labels) -> str | None:
    """ "Feb 2021 – Present", "2016 – 2020", "2011" (an end alone), or None."""
    first = format_date(start, labels)
    last = labels.present if current else format_date(end, labels)
    if first and last:
        return f"{first}{labels.range_sep}{last}"
    return first or last


def language_line(language: str, proficiency: Proficiency | None, labels: Labels) -> str:
    """ "Hindi — Native" / "العربية — اللغة الأم"."""
    name = LANGUAGE_NAMES_AR.get(language, language) if labels is _AR else language
    if proficiency is None:
        return name
    return f"{name}{labels.dash}{labels.proficiency[proficiency]}"
