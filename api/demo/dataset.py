"""Deterministic, bilingual (English/Arabic) demo dataset for Tabashir.

Pure functions, standard library only: ``build_dataset(seed, today)`` always returns the same
:class:`DemoDataset` for the same arguments. Occupations, skills and titles come from
``vocab.json`` (derived from ESCO and O*NET by ``scripts/derive_demo_vocab.py``); companies,
people, phone numbers and e-mail addresses are invented (e-mails use example.com / example.org).

Conventions:
- ``country`` and ``nationality`` are ISO 3166-1 alpha-2 codes; ``city`` is always the English name.
- Salaries are monthly; ``DemoCandidate.salary_expectation`` is monthly in AED.
- ``years_experience`` is the total number of months in ``cv_parsed["employment"]`` (an open end
  counts up to the month of ``today``) divided by 12, rounded down.
- All datetimes are timezone-aware UTC; every ``posted_at`` is before ``today``.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from functools import cache
from pathlib import Path
from typing import Any

__all__ = [
    "DemoAdmin",
    "DemoApplication",
    "DemoCandidate",
    "DemoDataset",
    "DemoJob",
    "DemoRecruiter",
    "DemoSavedJob",
    "build_dataset",
    "load_vocab",
]

VOCAB_PATH = Path(__file__).with_name("vocab.json")


# --------------------------------------------------------------------------- public records


@dataclass(frozen=True)
class DemoAdmin:
    key: str
    email: str
    name: str
    role: str  # "SUPER_ADMIN" | "REGULAR_ADMIN"
    permissions: tuple[str, ...]


@dataclass(frozen=True)
class DemoRecruiter:
    key: str
    email: str
    name: str
    company: str
    contact_person: str
    phone: str


@dataclass(frozen=True)
class DemoJob:
    key: str
    title: str
    company: str
    description: str
    requirements: tuple[str, ...]
    skills: tuple[str, ...]
    city: str
    country: str  # AE, SA, QA, KW, BH, OM
    salary_min: int | None
    salary_max: int | None
    salary_currency: str
    salary_period: str  # "month" | "year"
    job_type: str  # full_time | part_time | contract | internship | temporary
    work_mode: str  # onsite | remote | hybrid
    experience_min: int | None
    experience_max: int | None
    language: str  # "en" | "ar"
    status: str  # open | closed | draft | expired
    posted_at: datetime
    expires_at: datetime | None
    recruiter_key: str | None
    source: str  # "recruiter" | "feed"
    source_id: str
    #: Ground truth for evaluating matching: the vocab occupation and sector the post was made from.
    occupation: str = ""
    sector: str = ""


@dataclass(frozen=True)
class DemoCandidate:
    key: str
    email: str
    name: str
    phone: str
    city: str
    country: str
    nationality: str
    gender: str  # "male" | "female"
    date_of_birth: date
    desired_positions: tuple[str, ...]
    desired_locations: tuple[str, ...]
    salary_expectation: int | None
    years_experience: int
    cv_language: str  # "en" | "ar"
    cv_text: str
    cv_parsed: dict[str, Any] = field(hash=False)
    skills: tuple[str, ...]
    #: Ground truth for evaluating matching: the occupation and sector the CV was made from.
    occupation: str = ""
    sector: str = ""


@dataclass(frozen=True)
class DemoApplication:
    candidate_key: str
    job_key: str
    stage: str  # applied | screening | interview | offer | hired | rejected
    origin: str  # single | bulk | ai
    applied_at: datetime
    matched_score: float | None


@dataclass(frozen=True)
class DemoSavedJob:
    candidate_key: str
    job_key: str
    saved_at: datetime


@dataclass(frozen=True)
class DemoDataset:
    admins: tuple[DemoAdmin, ...]
    recruiters: tuple[DemoRecruiter, ...]
    jobs: tuple[DemoJob, ...]
    candidates: tuple[DemoCandidate, ...]
    applications: tuple[DemoApplication, ...]
    saved_jobs: tuple[DemoSavedJob, ...]


@cache
def load_vocab() -> dict[str, Any]:
    """The derived ESCO/O*NET vocabulary (cached; treat it as read-only)."""
    data: dict[str, Any] = json.loads(VOCAB_PATH.read_text(encoding="utf-8"))
    return data


# --------------------------------------------------------------------------- static tables


@dataclass(frozen=True)
class _Country:
    name_en: str
    adjective: str
    name_ar: str
    currency: str
    fx_from_aed: float  # 1 AED in local currency
    pay_level: float  # typical pay relative to the UAE
    dial: str
    cities: tuple[tuple[str, int], ...]  # (city, weight)


# fmt: off
COUNTRIES: dict[str, _Country] = {
    "AE": _Country("United Arab Emirates", "UAE", "الإمارات", "AED", 1.0, 1.0, "+971",
                   (("Dubai", 40), ("Abu Dhabi", 25), ("Sharjah", 12), ("Al Ain", 7),
                    ("Ajman", 6), ("Ras Al Khaimah", 6), ("Fujairah", 4))),
    "SA": _Country("Saudi Arabia", "Saudi", "السعودية", "SAR", 1.02, 1.0, "+966",
                   (("Riyadh", 5), ("Jeddah", 3), ("Dammam", 2))),
    "QA": _Country("Qatar", "Qatari", "قطر", "QAR", 0.99, 1.05, "+974", (("Doha", 1),)),
    "KW": _Country("Kuwait", "Kuwaiti", "الكويت", "KWD", 0.0837, 0.95, "+965", (("Kuwait City", 1),)),
    "BH": _Country("Bahrain", "Bahraini", "البحرين", "BHD", 0.1026, 0.85, "+973", (("Manama", 1),)),
    "OM": _Country("Oman", "Omani", "عُمان", "OMR", 0.1048, 0.85, "+968", (("Muscat", 1),)),
}
COUNTRY_WEIGHTS = {"AE": 64, "SA": 14, "QA": 7, "KW": 5, "BH": 4, "OM": 6}

CITY_AR = {
    "Dubai": "دبي", "Abu Dhabi": "أبوظبي", "Sharjah": "الشارقة", "Ajman": "عجمان",
    "Ras Al Khaimah": "رأس الخيمة", "Fujairah": "الفجيرة", "Al Ain": "العين", "Riyadh": "الرياض",
    "Jeddah": "جدة", "Dammam": "الدمام", "Doha": "الدوحة", "Kuwait City": "مدينة الكويت",
    "Manama": "المنامة", "Muscat": "مسقط",
}

SECTOR_TEXT: dict[str, tuple[str, str]] = {
    "it": ("information technology", "قطاع تقنية المعلومات"),
    "finance": ("finance and accounting", "قطاع المالية والمحاسبة"),
    "sales": ("sales", "قطاع المبيعات"),
    "marketing": ("marketing and communications", "قطاع التسويق والاتصال"),
    "hr": ("human resources", "قطاع الموارد البشرية"),
    "engineering": ("engineering", "قطاع الهندسة"),
    "energy": ("oil and gas", "قطاع النفط والغاز"),
    "construction": ("construction", "قطاع البناء والتشييد"),
    "healthcare": ("healthcare", "قطاع الرعاية الصحية"),
    "hospitality": ("hospitality and tourism", "قطاع الضيافة والسياحة"),
    "logistics": ("logistics and supply chain", "قطاع الخدمات اللوجستية وسلاسل الإمداد"),
    "education": ("education", "قطاع التعليم"),
    "customer_service": ("customer service and administration", "قطاع خدمة العملاء والإدارة"),
    "retail": ("retail", "قطاع التجزئة"),
    "aviation": ("aviation", "قطاع الطيران"),
    "legal": ("legal services", "قطاع الخدمات القانونية"),
    "government_relations": ("government relations", "مجال العلاقات الحكومية"),
}
# Every employer hires in these sectors, whatever its business.
SHARED_SECTORS = frozenset({"finance", "hr", "customer_service", "government_relations", "it"})

# Invented employers: (name, sectors, head-office city). Any resemblance to a real company is
# unintended.
COMPANIES: tuple[tuple[str, tuple[str, ...], str], ...] = (
    ("Dune Peak Technologies", ("it",), "Dubai"),
    ("Sandstream Digital FZ-LLC", ("it", "marketing"), "Dubai"),
    ("Qamar Data Systems", ("it",), "Riyadh"),
    ("Nakhla Cloud Solutions", ("it",), "Abu Dhabi"),
    ("Gulf Horizon Bank", ("finance", "sales"), "Abu Dhabi"),
    ("Pearl Crescent Finance", ("finance",), "Manama"),
    ("Ledgerline Chartered Accountants", ("finance",), "Dubai"),
    ("Brightdhow Media", ("marketing", "sales"), "Dubai"),
    ("Palm Arc Properties", ("sales", "construction"), "Dubai"),
    ("Saffron Coast Trading LLC", ("sales", "retail", "logistics"), "Sharjah"),
    ("Qasr Stone Contracting LLC", ("construction", "engineering"), "Abu Dhabi"),
    ("Falcon Ridge Engineering Consultants", ("engineering", "construction"), "Dubai"),
    ("Sandline MEP Services", ("engineering", "construction"), "Sharjah"),
    ("Wadi Flame Energy Services", ("energy", "engineering"), "Dammam"),
    ("Khaleej Wellhead Services", ("energy", "engineering"), "Abu Dhabi"),
    ("Lotus Oasis Medical Centre", ("healthcare",), "Dubai"),
    ("Harmony Dunes Hospital", ("healthcare",), "Al Ain"),
    ("Bluewave Pharmacy Group", ("healthcare", "retail"), "Jeddah"),
    ("Saffron Sands Hotels & Resorts", ("hospitality",), "Ras Al Khaimah"),
    ("Oasis Crest Hospitality", ("hospitality",), "Doha"),
    ("Lanterns & Dates Restaurants", ("hospitality",), "Dubai"),
    ("Falcon Logistics LLC", ("logistics",), "Dubai"),
    ("Caravan Freight Solutions", ("logistics",), "Dammam"),
    ("Bluecrate Warehousing", ("logistics",), "Ajman"),
    ("Crescent Heights International School", ("education",), "Sharjah"),
    ("Nakhla Learning Academy", ("education",), "Muscat"),
    ("Souq Lane Retail Group", ("retail",), "Dubai"),
    ("Mirage Crescent Retail", ("retail",), "Kuwait City"),
    ("Skyfalcon Aviation Services", ("aviation",), "Abu Dhabi"),
    ("Gulf Wing Airways", ("aviation", "hospitality"), "Sharjah"),
    ("Aerodune MRO", ("aviation", "engineering"), "Fujairah"),
    ("Harbour & Crescent Legal Consultants", ("legal",), "Dubai"),
    ("Pathway Business Setup Services", ("government_relations", "legal"), "Dubai"),
    ("Voicebridge Contact Centres", ("customer_service",), "Riyadh"),
    ("Talentgate Recruitment FZ-LLC", tuple(SECTOR_TEXT), "Dubai"),
)
# Earlier employers in the home country, by nationality (CVs only).
CV_EMPLOYERS: dict[str, tuple[str, ...]] = {
    "IN": ("Deccan Softworks Pvt Ltd", "Malabar Coast Traders"),
    "PK": ("Indus Valley Textiles", "Punjab Crown Logistics"),
    "PH": ("Manila Harbour Services Inc.", "Visayas Care Hospital"),
    "EG": ("Nile Delta Accounting Group", "Delta Bridge Contracting"),
    "JO": ("Amman Crest Engineering", "Petra Gate Trading"),
    "LB": ("Cedar Line Consulting", "Levant Star Hotels"),
    "SY": ("Levant Star Hotels", "Orontes Trading Co."),
    "GB": ("Northgate Retail Ltd", "Thames Bridge Consulting"),
    "ZA": ("Highveld Partners", "Cape Meridian Services"),
}
INSTITUTIONS_EN = (
    "Gulf Metropolitan University", "Crescent Bay University", "Northbridge University",
    "Levant Applied Sciences University", "Nile Valley Institute of Technology",
    "Deccan Coast Engineering College", "Indus Valley Business School",
    "Visayas Technological College", "Westmoor University", "Red Sea Polytechnic",
)
INSTITUTIONS_AR = (
    "جامعة الخليج المتروبوليتانية", "جامعة خليج الهلال", "جامعة العلوم التطبيقية الشامية",
    "معهد وادي النيل للتكنولوجيا", "كلية البحر الأحمر التقنية", "جامعة الواحة الوطنية",
)
SCHOOLS_EN = ("Al Rawabi Secondary School", "Greenhill Secondary School", "Bayview High School")
SCHOOLS_AR = ("ثانوية الروابي", "ثانوية الأندلس", "ثانوية النخيل")

# Name pools. Arab names carry their Arabic spelling for Arabic CVs.
ARAB_FIRST = {
    "male": (("Ahmed", "أحمد"), ("Mohammed", "محمد"), ("Omar", "عمر"), ("Khalid", "خالد"),
             ("Yousef", "يوسف"), ("Hamad", "حمد"), ("Saeed", "سعيد"), ("Tariq", "طارق"),
             ("Faisal", "فيصل"), ("Rashid", "راشد"), ("Hassan", "حسن"), ("Kareem", "كريم")),
    "female": (("Fatima", "فاطمة"), ("Mariam", "مريم"), ("Noura", "نورة"), ("Aisha", "عائشة"),
               ("Layla", "ليلى"), ("Huda", "هدى"), ("Reem", "ريم"), ("Salma", "سلمى"),
               ("Hala", "هالة"), ("Dana", "دانة")),
}
ARAB_LAST = {
    "AE": (("Al Mansoori", "المنصوري"), ("Al Hammadi", "الحمادي"), ("Al Suwaidi", "السويدي"),
           ("Al Ketbi", "الكتبي"), ("Al Nuaimi", "النعيمي")),
    "SA": (("Al Qahtani", "القحطاني"), ("Al Otaibi", "العتيبي"), ("Al Harbi", "الحربي"),
           ("Al Ghamdi", "الغامدي")),
    "EG": (("Abdelrahman", "عبد الرحمن"), ("El Sayed", "السيد"), ("Mostafa", "مصطفى"),
           ("Fahmy", "فهمي"), ("Shaker", "شاكر")),
    "JO": (("Haddad", "حداد"), ("Khoury", "خوري"), ("Al Zoubi", "الزعبي"), ("Nasser", "ناصر")),
    "LB": (("Khalil", "خليل"), ("Aoun", "عون"), ("Saade", "سعادة")),
    "SY": (("Al Halabi", "الحلبي"), ("Darwish", "درويش"), ("Kabbani", "قباني")),
}
OTHER_NAMES: dict[str, tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]] = {
    # nationality: (male first names, female first names, last names)
    "IN": (("Rahul", "Arjun", "Vikram", "Anil", "Rohan", "Joseph", "Suresh"),
           ("Priya", "Anjali", "Deepa", "Sneha", "Divya", "Lakshmi"),
           ("Nair", "Menon", "Sharma", "Iyer", "Pillai", "Reddy", "D'Souza")),
    "PK": (("Usman", "Bilal", "Imran", "Hamza"), ("Ayesha", "Sana", "Zainab", "Mahnoor"),
           ("Qureshi", "Siddiqui", "Malik", "Hussain", "Chaudhry")),
    "PH": (("Mark", "John Paul", "Carlo", "Jerome"),
           ("Maria", "Angelica", "Kristine", "Joanna", "Mary Grace"),
           ("Santos", "Reyes", "Bautista", "Dela Cruz", "Mendoza", "Villanueva")),
    "GB": (("James", "Daniel", "Thomas", "Oliver"), ("Emma", "Sarah", "Charlotte", "Hannah"),
           ("Turner", "Walsh", "Bennett", "Fletcher", "Hughes")),
    "ZA": (("Pieter", "Sipho", "Liam"), ("Lerato", "Anika", "Chloe"),
           ("van der Merwe", "Naidoo", "Botha", "Mokoena")),
}
NATIONALITY_WEIGHTS = {
    "AE": 7, "SA": 6, "EG": 13, "JO": 8, "LB": 5, "SY": 4, "IN": 22, "PK": 9, "PH": 14, "GB": 7,
    "ZA": 5,
}
HOME_LANGUAGE = {"IN": "Hindi", "PK": "Urdu", "PH": "Filipino", "ZA": "Afrikaans"}

ADMIN_PERMISSIONS = (
    "MANAGE_USERS", "MANAGE_JOBS", "MANAGE_APPLICATIONS", "MANAGE_PAYMENTS", "MANAGE_DASHBOARD",
    "MANAGE_INTERVIEWS", "MANAGE_AI_CV", "MANAGE_HELP", "MANAGE_ACCOUNT", "MANAGE_ADMIN_PERMISSIONS",
)

# Relative demand per occupation (default 1).
OCCUPATION_WEIGHT = {
    "sales_executive": 3.0, "accountant": 2.5, "registered_nurse": 2.5, "software_engineer": 2.0,
    "customer_service_representative": 2.0, "civil_engineer": 2.0, "retail_sales_associate": 2.0,
    "administrative_assistant": 2.0, "real_estate_agent": 2.0, "front_desk_agent": 1.5,
    "hr_officer": 1.5, "delivery_driver": 1.5, "data_analyst": 1.5, "mechanical_engineer": 1.5,
    "electrical_engineer": 1.5, "hse_officer": 1.5, "quantity_surveyor": 1.5,
}

MONTHS_EN = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
MONTHS_AR = ("يناير", "فبراير", "مارس", "أبريل", "مايو", "يونيو", "يوليو", "أغسطس", "سبتمبر",
             "أكتوبر", "نوفمبر", "ديسمبر")
_AR_ADJECTIVES = frozenset({"مسجل", "عام", "إداري", "عقاري", "قانوني", "مالي", "ضريبي",
                            "ميكانيكي", "كهربائي", "مدني", "معماري"})
_MANAGERIAL = ("Manager", "Director", "Head", "Controller", "Counsel", "Pilot", "Chef")
_NO_SENIORITY = (*_MANAGERIAL, "Crew")

# Job levels: (name, experience min, experience max, salary band position low/high)
LEVELS = (("junior", 0, 2, 0.0, 0.3), ("mid", 2, 5, 0.25, 0.6), ("senior", 5, 10, 0.55, 0.9),
          ("lead", 8, 15, 0.75, 1.0))

# Job-post sentences. English: {a_title} is the title with its article; {x} a joined list.
EN_INTRO = (
    "{company} is hiring {a_title} to join its team in {city}.",
    "{company} is looking for {a_title} based in {city}, {country}.",
    "Join {company} in {city} as {a_title} and help us grow across the GCC.",
    "{company} is expanding its {sector} team in {city} and is looking for {a_title}.",
)
EN_DUTIES = ("In this role you will {x}.", "Day to day, you will {x}.",
             "Your main responsibilities are to {x}.")
EN_TOOLS = ("Hands-on experience with {x} is expected.", "You will work daily with {x}.",
            "Familiarity with {x} will help you hit the ground running.")
EN_KNOWLEDGE = ("A solid understanding of {x} is essential.", "Good knowledge of {x} is required.")
EN_EXTRAS = (
    "We offer a competitive tax-free salary, medical insurance and annual leave in line with "
    "{adjective} labour law.",
    "The package includes visa sponsorship, health insurance and an annual flight ticket.",
    "You will report to the head of department and work closely with colleagues across the region.",
    "Candidates who can join within 30 days are preferred.",
    "This is a great opportunity to build a long-term career with a growing organisation.",
)
EN_WORK_MODE = {
    "remote": "This is a remote role, with occasional visits to our {city} office.",
    "hybrid": "This is a hybrid role, with three days a week in our {city} office.",
}
AR_INTRO = (
    "تبحث {company} عن {title} للانضمام إلى فريقها في {city}.",
    "تعلن {company} عن حاجتها إلى {title} للعمل في {city}، {country}.",
    "انضم إلى فريق {company} في {city} بوظيفة {title}.",
)
AR_DUTIES = ("تشمل المسؤوليات الرئيسية {x}.", "سيتولى الموظف مهام تتعلق ب{x}.")
AR_EXTRAS = (
    "نقدم راتباً تنافسياً معفى من الضرائب وتأميناً صحياً وإجازة سنوية وفق قانون العمل في {country}.",
    "تشمل المزايا تأشيرة الإقامة والتأمين الطبي وتذكرة سفر سنوية.",
    "يُفضَّل المرشحون القادرون على الالتحاق بالعمل خلال 30 يوماً.",
    "هذه فرصة مميزة لبناء مسار مهني طويل الأمد في مؤسسة متنامية.",
)
DRIVING_JOBS = frozenset({"delivery_driver", "government_relations_officer", "real_estate_agent",
                          "sales_executive"})
# fmt: on


# --------------------------------------------------------------------------- text helpers


def _article(phrase: str) -> str:
    first = phrase.split()[0]
    acronym = first.isupper() and len(first.rstrip("/")) > 1
    vowel = first[0] in ("AEFHILMNORSX" if acronym else "AEIOUaeiou")
    return ("an " if vowel else "a ") + phrase


def _join(items: list[str], conj: str = "and") -> str:
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} {conj} {items[-1]}"


def _is_arabic_char(ch: str) -> bool:
    return "\u0600" <= ch <= "\u06ff"


def _join_ar(items: list[str]) -> str:
    """Arabic list "أ وب وج": و is attached to an Arabic word, spaced before a Latin one."""
    out = items[:1]
    for item in items[1:]:
        out.append(("و" if _is_arabic_char(item[0]) else "و ") + item)
    return " ".join(out)


def _years_ar(n: int) -> str:
    """Arabic count of years after a preposition (genitive)."""
    if n == 1:
        return "سنة واحدة"
    if n == 2:
        return "سنتين"
    return f"{n} سنوات" if n <= 10 else f"{n} سنة"


def _feminine_ar(title: str) -> str:
    words = title.split()
    if not words[0].endswith("ة"):
        words[0] += "ة"
    if len(words) > 1 and words[1] in _AR_ADJECTIVES:
        words[1] += "ة"
    return " ".join(words)


def _month(ym: str | None, lang: str) -> str:
    if ym is None:
        return "Present" if lang == "en" else "حتى الآن"
    year, month = int(ym[:4]), int(ym[5:7])
    return f"{(MONTHS_EN if lang == 'en' else MONTHS_AR)[month - 1]} {year}"


def _first_option(field_text: str) -> str:
    """'Accounting or Finance' -> 'Accounting' (degree subject for a CV)."""
    for sep in (" or ", " أو ", ", "):
        field_text = field_text.split(sep)[0]
    return field_text


def _weighted(rng: random.Random, weights: dict[str, float] | dict[str, int]) -> str:
    keys = list(weights)
    return rng.choices(keys, weights=[float(weights[k]) for k in keys])[0]


def _city(rng: random.Random, country: str) -> str:
    cities = COUNTRIES[country].cities
    return rng.choices([c for c, _ in cities], weights=[w for _, w in cities])[0]


def _phone(rng: random.Random, country: str, mobile: bool = True) -> str:
    d = rng.randrange
    if country == "AE":
        if mobile:
            return f"+971 5{rng.choice('024568')} {d(100, 1000)} {d(1000, 10000)}"
        return f"+971 {rng.choice('2467')} {d(200, 1000)} {d(1000, 10000)}"
    if country == "SA":
        return f"+966 5{rng.choice('0345')} {d(100, 1000)} {d(1000, 10000)}"
    first = {"QA": "3567", "KW": "569", "BH": "36", "OM": "79"}[country]
    return f"{COUNTRIES[country].dial} {rng.choice(first)}{d(100, 1000)} {d(1000, 10000)}"


def _round_salary(value: float, currency: str) -> int:
    step = 25 if currency in ("KWD", "BHD", "OMR") else 500
    return max(step, round(value / step) * step)


# --------------------------------------------------------------------------- builders


def _admins() -> tuple[DemoAdmin, ...]:
    return (
        DemoAdmin(
            "admin-super",
            "super.admin@example.com",
            "Rania Haddad",
            "SUPER_ADMIN",
            ADMIN_PERMISSIONS,
        ),
        DemoAdmin(
            "admin-ops",
            "ops.admin@example.com",
            "Daniel Mercer",
            "REGULAR_ADMIN",
            ("MANAGE_JOBS", "MANAGE_APPLICATIONS", "MANAGE_INTERVIEWS", "MANAGE_HELP"),
        ),
    )


def _person(rng: random.Random, nationality: str, gender: str) -> tuple[str, str, str, str]:
    """(first, last, first_ar, last_ar); the Arabic parts are empty for non-Arab names."""
    if nationality in ARAB_LAST:
        first, first_ar = rng.choice(ARAB_FIRST[gender])
        last, last_ar = rng.choice(ARAB_LAST[nationality])
        return first, last, first_ar, last_ar
    males, females, lasts = OTHER_NAMES[nationality]
    return rng.choice(males if gender == "male" else females), rng.choice(lasts), "", ""


def _email(first: str, last: str, domain: str, used: set[str], rng: random.Random) -> str:
    local = "".join(ch for ch in f"{first}.{last}".lower() if ch.isalnum() or ch == ".")
    email = f"{local}@{domain}"
    while email in used:
        email = f"{local}{rng.randrange(2, 100)}@{domain}"
    used.add(email)
    return email


def _recruiters(
    rng: random.Random, used_emails: set[str]
) -> list[tuple[DemoRecruiter, tuple[str, ...], str]]:
    """Recruiters with their company's sectors and head-office city."""
    out = []
    for i, (company, sectors, city) in enumerate(rng.sample(COMPANIES, 8)):
        nat = _weighted(rng, NATIONALITY_WEIGHTS)
        gender = rng.choice(("male", "female"))
        first, last, _, _ = _person(rng, nat, gender)
        contact = _person(rng, _weighted(rng, NATIONALITY_WEIGHTS), rng.choice(("male", "female")))
        country = next(c for c, info in COUNTRIES.items() if city in dict(info.cities))
        recruiter = DemoRecruiter(
            key=f"recruiter-{i + 1:02d}",
            email=_email(first, last, "example.org", used_emails, rng),
            name=f"{first} {last}",
            company=company,
            contact_person=f"{contact[0]} {contact[1]}",
            phone=_phone(rng, country, mobile=False),
        )
        out.append((recruiter, sectors, city))
    return out


def _pick_skills(rng: random.Random, occ: dict[str, Any]) -> list[dict[str, str]]:
    tools = [s for s in occ["skills"] if s["type"] == "tool"]
    other = [s for s in occ["skills"] if s["type"] != "tool"]
    chosen = rng.sample(tools, min(len(tools), rng.randint(2, 4)))
    chosen += rng.sample(other, min(len(other), rng.randint(4, 6)))
    return sorted(chosen, key=occ["skills"].index)


def _salary(
    rng: random.Random, occ: dict[str, Any], country: str, lo_f: float, hi_f: float, factor: float
) -> tuple[int, int]:
    lo, hi = occ["salary_aed_month"]
    info = COUNTRIES[country]
    base = lo + (hi - lo) * rng.uniform(lo_f, hi_f)
    top = min(base * rng.uniform(1.15, 1.4), hi * 1.15)
    scale = info.fx_from_aed * info.pay_level * factor
    smin = _round_salary(base * scale, info.currency)
    smax = _round_salary(max(top, base) * scale, info.currency)
    return smin, max(smin, smax)


def _by_type(skills: list[dict[str, str]], kind: str) -> list[str]:
    return [s["label"] for s in skills if s["type"] == kind]


def _describe_en(
    rng: random.Random, company: str, title: str, city: str, country: str, occ: dict[str, Any],
    skills: list[dict[str, str]], work_mode: str,
) -> str:  # fmt: skip
    tools, know = _by_type(skills, "tool"), _by_type(skills, "knowledge")
    duties = _by_type(skills, "competence")[:3]
    info = COUNTRIES[country]
    fields = {"company": company, "a_title": _article(title), "city": city,
              "country": info.name_en, "sector": SECTOR_TEXT[occ["sector"]][0]}  # fmt: skip
    sentences = [rng.choice(EN_INTRO).format(**fields)]
    if duties:
        sentences.append(rng.choice(EN_DUTIES).format(x=_join(duties)))
    else:
        sentences.append(f"The role focuses on {_join((know or tools)[:2])}.")
    if tools and rng.random() < 0.75:
        sentences.append(rng.choice(EN_TOOLS).format(x=_join(tools[:3])))
    if know and rng.random() < 0.6:
        sentences.append(rng.choice(EN_KNOWLEDGE).format(x=_join(know[:2])))
    if work_mode == "onsite":
        extras = [e.format(adjective=info.adjective) for e in EN_EXTRAS]
        sentences += rng.sample(extras, rng.randint(1, 2))
    else:
        sentences.append(EN_WORK_MODE[work_mode].format(city=city))
    return " ".join(sentences)


def _requirements_en(
    rng: random.Random, occ: dict[str, Any], country: str, exp_min: int,
    skills: list[dict[str, str]],
) -> list[str]:  # fmt: skip
    tools, know = _by_type(skills, "tool"), _by_type(skills, "knowledge")
    comp = _by_type(skills, "competence")
    adjective = COUNTRIES[country].adjective
    reqs = [
        f"Bachelor's degree in {occ['degree_en'].replace(' or ', ', ')} or a related field"
        if occ["degree_en"] else "High school diploma or equivalent",
        f"{exp_min}+ years of experience as {_article(occ['title_en'])} or in a similar role"
        if exp_min else "Fresh graduates are welcome to apply",
    ]  # fmt: skip
    if tools:
        reqs.append(f"Proficiency in {_join(tools[:2])}")
    if know or comp:
        reqs.append(f"Strong knowledge of {know[0]}" if know else f"Proven ability to {comp[0]}")
    if occ["sector"] == "healthcare":
        reqs.append(f"A valid {adjective} healthcare licence, or eligibility to obtain one")
    elif occ["key"] in DRIVING_JOBS:
        reqs.append(f"Valid {adjective} driving licence")
    if occ["sector"] == "government_relations" or "arabic" in occ["skills_ar"]:
        reqs.append("Fluency in Arabic and English is mandatory")
    else:
        reqs.append("Excellent written and spoken English; Arabic is an advantage")
    if rng.random() < 0.5:
        reqs.append("Previous GCC experience is preferred")
    return reqs[:6]


def _describe_ar(
    rng: random.Random, company: str, title: str, city: str, country: str,
    skills_ar: list[str], tools: list[str],
) -> str:  # fmt: skip
    country_ar = COUNTRIES[country].name_ar
    fields = {"company": company, "title": title, "city": CITY_AR[city], "country": country_ar}
    sentences = [
        rng.choice(AR_INTRO).format(**fields),
        rng.choice(AR_DUTIES).format(x=_join_ar(skills_ar[:3])),
    ]
    if tools:
        sentences.append(f"يُشترط إتقان استخدام {_join_ar(tools[:3])}.")
    sentences += [e.format(country=country_ar) for e in rng.sample(AR_EXTRAS, rng.randint(1, 2))]
    return " ".join(sentences)


def _requirements_ar(
    rng: random.Random, occ: dict[str, Any], country: str, exp_min: int, skills_ar: list[str],
    tools: list[str],
) -> list[str]:  # fmt: skip
    country_ar = COUNTRIES[country].name_ar
    reqs = [
        f"درجة البكالوريوس في {occ['degree_ar']} أو تخصص ذي صلة"
        if occ["degree_ar"] else "شهادة الثانوية العامة أو ما يعادلها",
        f"خبرة لا تقل عن {_years_ar(exp_min)} في مجال مماثل" if exp_min else "يُرحَّب بحديثي التخرج",
    ]  # fmt: skip
    if tools:
        reqs.append(f"إتقان برامج مثل {_join_ar(tools[:2])}")
    reqs.append(f"معرفة جيدة ب{skills_ar[0]}")
    if occ["sector"] == "healthcare":
        reqs.append(f"ترخيص مهني ساري المفعول من الجهة الصحية المختصة في {country_ar}")
    elif occ["key"] in DRIVING_JOBS:
        reqs.append(f"رخصة قيادة سارية في {country_ar}")
    reqs.append("مهارات تواصل ممتازة باللغتين العربية والإنجليزية")
    if rng.random() < 0.5:
        reqs.append("يُفضَّل من لديه خبرة سابقة في دول مجلس التعاون الخليجي")
    return reqs[:6]


def _jobs(
    rng: random.Random,
    today: date,
    n_jobs: int,
    recruiters: list[tuple[DemoRecruiter, tuple[str, ...], str]],
) -> tuple[list[DemoJob], dict[str, dict[str, Any]]]:
    vocab = load_vocab()
    occupations: list[dict[str, Any]] = vocab["occupations"]
    glossary = {g["en"]: g["ar"] for g in vocab["skill_glossary"]}
    occ_weights = {o["key"]: OCCUPATION_WEIGHT.get(o["key"], 1.0) for o in occupations}
    by_key = {o["key"]: o for o in occupations}
    arabic_jobs = set(rng.sample(range(n_jobs), round(n_jobs * 0.15)))
    midnight = datetime.combine(today, time(0), tzinfo=UTC)
    jobs: list[DemoJob] = []
    job_occ: dict[str, dict[str, Any]] = {}
    for i in range(n_jobs):
        recruiter: DemoRecruiter | None = None
        if i < len(recruiters) or rng.random() < 0.35:
            # the first jobs go one to each recruiter, so that every recruiter owns some
            recruiter, sectors, hq = (
                recruiters[i] if i < len(recruiters) else rng.choice(recruiters)
            )
            pool = [
                o for o in occupations if o["sector"] in sectors or o["sector"] in SHARED_SECTORS
            ]
            occ = rng.choices(pool, weights=[occ_weights[o["key"]] for o in pool])[0]
            company = recruiter.company
            country = next(c for c, info in COUNTRIES.items() if hq in dict(info.cities))
            if rng.random() < 0.3:
                country = _weighted(rng, COUNTRY_WEIGHTS)
        else:
            occ = by_key[_weighted(rng, occ_weights)]
            names = [c for c, s, _ in COMPANIES if occ["sector"] in s]
            if occ["sector"] in SHARED_SECTORS or not names or rng.random() < 0.1:
                names = [c for c, _, _ in COMPANIES]
            company = rng.choice(names)
            country = _weighted(rng, COUNTRY_WEIGHTS)
        city = _city(rng, country)
        info = COUNTRIES[country]

        job_type = rng.choices(
            ("full_time", "contract", "part_time", "temporary", "internship"),
            weights=(82, 8, 4, 2, 4),
        )[0]
        if job_type == "part_time" and occ["sector"] not in (
            "retail",
            "hospitality",
            "education",
            "customer_service",
            "healthcare",
        ):
            job_type = "full_time"
        if job_type == "internship" and not occ["degree_en"]:
            job_type = "full_time"
        if job_type == "internship":
            level = LEVELS[0]
        elif any(w in occ["title_en"] for w in _MANAGERIAL):
            level = rng.choices(LEVELS, (0, 35, 45, 20))[0]
        elif not occ["degree_en"]:
            level = rng.choices(LEVELS, (40, 45, 15, 0))[0]
        else:
            level = rng.choices(LEVELS, (25, 40, 27, 8))[0]
        name, exp_min, exp_max, lo_f, hi_f = level
        title = occ["title_en"]
        if job_type == "internship":
            title, exp_min, exp_max = f"{title} Intern", 0, 1
        elif occ["degree_en"] and not any(w in title for w in _NO_SENIORITY):
            title = {
                "junior": f"Junior {title}",
                "senior": f"Senior {title}",
                "lead": f"Lead {title}",
            }.get(name, title)
        factor = {"internship": 0.3, "part_time": 0.55}.get(job_type, 1.0)
        smin, smax = _salary(rng, occ, country, lo_f, hi_f, factor)
        disclosed = rng.random() < 0.8
        work_mode = "onsite"
        if occ["remote_ok"]:
            work_mode = rng.choices(("onsite", "hybrid", "remote"), (55, 30, 15))[0]

        skills = _pick_skills(rng, occ)
        language = "ar" if i in arabic_jobs else "en"
        if language == "ar":
            skills_ar = [glossary[k] for k in occ["skills_ar"]]
            rng.shuffle(skills_ar)
            tools = _by_type(skills, "tool")
            title = occ["title_ar"] + (" (تدريب)" if job_type == "internship" else "")
            description = _describe_ar(rng, company, title, city, country, skills_ar, tools)
            requirements = _requirements_ar(rng, occ, country, exp_min, skills_ar, tools)
            job_skills = skills_ar + tools[:3]
        else:
            description = _describe_en(rng, company, title, city, country, occ, skills, work_mode)
            requirements = _requirements_en(rng, occ, country, exp_min, skills)
            job_skills = [s["label"] for s in skills]

        age_days = 1 + int(119 * rng.random() ** 3.5)  # most posts are recent
        posted_at = (
            midnight
            - timedelta(days=age_days)
            + timedelta(hours=rng.randint(6, 20), minutes=rng.randrange(60))
        )
        expires_at: datetime | None = posted_at + timedelta(days=rng.randint(30, 90))
        if recruiter is None and rng.random() < 0.05:
            expires_at = None
        if expires_at is not None and expires_at <= midnight:
            status = "expired" if rng.random() < 0.7 else "closed"
        else:
            status = rng.choices(("open", "closed", "draft"), (88, 5, 7))[0]

        key = f"job-{i + 1:04d}"
        jobs.append(
            DemoJob(
                key=key,
                title=title,
                company=company,
                description=description,
                requirements=tuple(requirements),
                skills=tuple(dict.fromkeys(job_skills)),
                city=city,
                country=country,
                salary_min=smin if disclosed else None,
                salary_max=smax if disclosed else None,
                salary_currency=info.currency,
                salary_period="month",
                job_type=job_type,
                work_mode=work_mode,
                experience_min=exp_min,
                experience_max=exp_max,
                language=language,
                status=status,
                posted_at=posted_at,
                expires_at=expires_at,
                recruiter_key=recruiter.key if recruiter else None,
                source="recruiter" if recruiter else "feed",
                source_id=f"tab-{i + 1:05d}" if recruiter else f"feed-{rng.getrandbits(40):010x}",
                occupation=occ["key"],
                sector=occ["sector"],
            )
        )
        job_occ[key] = occ
    return jobs, job_occ


def _employment(
    rng: random.Random, today: date, career_years: int
) -> list[tuple[tuple[int, int], tuple[int, int] | None]]:
    """Consecutive jobs as ((start year, month), (end year, month) | None), oldest first."""
    start = today.year * 12 + today.month - 1 - career_years * 12 - rng.randrange(12)
    n_jobs = max(1, min(4, 1 + career_years // 4 + rng.randint(-1, 1)))
    now = today.year * 12 + today.month - 1
    slots = range(start + 6, now - 3, 6)  # job changes at least 6 months apart
    cuts = sorted(rng.sample(slots, min(n_jobs - 1, len(slots))))
    n_jobs = len(cuts) + 1
    bounds = [start, *cuts, now]
    out: list[tuple[tuple[int, int], tuple[int, int] | None]] = []
    for j in range(n_jobs):
        s = bounds[j] + (rng.randint(0, 2) if j else 0)
        e: int | None = bounds[j + 1] - (rng.randint(0, 2) if j < n_jobs - 1 else 0)
        if j == n_jobs - 1 and rng.random() < 0.15:
            e = max(s + 1, now - rng.randint(1, 5))
        elif j == n_jobs - 1:
            e = None
        out.append(((s // 12, s % 12 + 1), None if e is None else (e // 12, e % 12 + 1)))
    return out


def _months(start: str, end: str | None, today: date) -> int:
    sy, sm = int(start[:4]), int(start[5:7])
    ey, em = (today.year, today.month) if end is None else (int(end[:4]), int(end[5:7]))
    return (ey * 12 + em) - (sy * 12 + sm)


def _candidate(
    rng: random.Random,
    today: date,
    key: str,
    nationality: str,
    arabic_cv: bool,
    occ: dict[str, Any],
    glossary: dict[str, str],
    used_emails: set[str],
) -> DemoCandidate:
    gender = rng.choice(("male", "female"))
    first, last, first_ar, last_ar = _person(rng, nationality, gender)
    name = f"{first} {last}"
    email = _email(
        first, last, rng.choice(("example.com", "example.com", "example.org")), used_emails, rng
    )
    country = {"AE": "AE", "SA": "SA"}.get(nationality) or _weighted(rng, COUNTRY_WEIGHTS)
    city = _city(rng, country)
    phone = _phone(rng, country)
    lang = "ar" if arabic_cv else "en"

    career = rng.randint(2, 16)
    periods = _employment(rng, today, career)
    employers = [c for c, s, _ in COMPANIES if occ["sector"] in s] or [c for c, _, _ in COMPANIES]
    employment: list[dict[str, Any]] = []
    for j, ((sy, sm), end) in enumerate(periods):
        senior = j == len(periods) - 1 and career >= 6
        if lang == "ar":
            title = occ["title_ar"] if gender == "male" else _feminine_ar(occ["title_ar"])
            if senior:
                title += " أول" if gender == "male" else " أولى"
        elif senior and occ["degree_en"] and not any(w in occ["title_en"] for w in _NO_SENIORITY):
            title = f"Senior {occ['title_en']}"
        elif j == 0 and len(periods) > 1 and occ["alt_titles_en"]:
            title = rng.choice(occ["alt_titles_en"])
        else:
            title = occ["title_en"]
        home = CV_EMPLOYERS.get(nationality, ())
        company = rng.choice(employers if j >= len(periods) - 2 or not home else home)
        employment.append(
            {
                "title": title,
                "company": company,
                "start": f"{sy:04d}-{sm:02d}",
                "end": None if end is None else f"{end[0]:04d}-{end[1]:02d}",
                "current": end is None,
            }
        )
    months = sum(_months(e["start"], e["end"], today) for e in employment)
    years = months // 12

    first_start = int(employment[0]["start"][:4])
    grad_year = first_start - rng.randint(0, 1)
    dob = date(grad_year - rng.randint(21, 24), rng.randint(1, 12), rng.randint(1, 28))
    if occ["degree_en"]:
        degree = (
            f"بكالوريوس {_first_option(occ['degree_ar'])}"
            if lang == "ar"
            else f"Bachelor's degree in {_first_option(occ['degree_en'])}"
        )
        institution = rng.choice(INSTITUTIONS_AR if lang == "ar" else INSTITUTIONS_EN)
    else:
        degree = "شهادة الثانوية العامة" if lang == "ar" else "High School Diploma"
        institution = rng.choice(SCHOOLS_AR if lang == "ar" else SCHOOLS_EN)
        grad_year = min(grad_year, dob.year + 18)

    picked = _pick_skills(rng, occ)
    tools = [s["label"] for s in picked if s["type"] == "tool"]
    nouns = [s["label"] for s in picked if s["type"] != "competence"]
    if lang == "ar":
        skills = [glossary[k] for k in occ["skills_ar"]] + tools
    else:
        skills = [s["label"] for s in picked]

    if lang == "ar":
        languages = [
            {"language": "العربية", "proficiency": "اللغة الأم"},
            {"language": "الإنجليزية", "proficiency": rng.choice(("ممتاز", "جيد جداً", "جيد"))},
        ]
        if nationality == "LB" and rng.random() < 0.6:
            languages.append({"language": "الفرنسية", "proficiency": "جيد"})
    elif nationality in ARAB_LAST:
        languages = [
            {"language": "Arabic", "proficiency": "Native"},
            {"language": "English", "proficiency": rng.choice(("Fluent", "Professional"))},
        ]
    else:
        native = "English" if nationality == "GB" else HOME_LANGUAGE[nationality]
        languages = [{"language": native, "proficiency": "Native"}]
        if native != "English":
            languages.append({"language": "English", "proficiency": "Fluent"})
        if rng.random() < 0.3:
            languages.append({"language": "Arabic", "proficiency": "Basic"})

    current_title = employment[-1]["title"]
    if lang == "ar":
        has, masters, seeks = (
            ("يتمتع", "ويجيد", "يبحث") if gender == "male" else ("تتمتع", "وتجيد", "تبحث")
        )
        ar_skills = [glossary[k] for k in occ["skills_ar"]]
        summary = (
            f"{current_title} {has} بخبرة {_years_ar(max(years, 1))} في "
            f"{SECTOR_TEXT[occ['sector']][1]}، {masters} {_join_ar(ar_skills[:3])}. "
            f"{seeks} عن فرصة جديدة في {CITY_AR[city]} أو في دول الخليج."
        )
    else:
        yrs = f"{years} year{'s' if years != 1 else ''}"
        summary = (
            f"{current_title} with {yrs} of experience in {SECTOR_TEXT[occ['sector']][0]}. "
            f"Skilled in {_join(nouns[:3])}, with a record of reliable delivery in fast-paced "
            f"teams. Looking for a new opportunity in {city} or elsewhere in the GCC."
        )

    display_name = f"{first_ar} {last_ar}" if lang == "ar" else name
    display_city = CITY_AR[city] if lang == "ar" else city
    parsed: dict[str, Any] = {
        "personal": {"name": display_name, "email": email, "phone": phone, "city": display_city},
        "summary": summary,
        "employment": list(reversed(employment)),
        "education": [{"degree": degree, "institution": institution, "year": grad_year}],
        "skills": skills,
        "languages": languages,
    }
    cv_text = _render_cv(parsed, lang, occ, glossary, tools, COUNTRIES[country])
    positions = [occ["title_ar"], occ["title_en"]] if lang == "ar" else [occ["title_en"]]
    if occ["alt_titles_en"] and rng.random() < 0.6:
        positions.append(rng.choice(occ["alt_titles_en"]))
    hubs = [c for c in ("Dubai", "Abu Dhabi", "Sharjah", "Riyadh", "Doha") if c != city]
    locations = [city, *rng.sample(hubs, rng.randint(0, 2))]
    lo, hi = occ["salary_aed_month"]
    expectation = _round_salary(
        lo + (hi - lo) * min(1.0, years / 15 + rng.uniform(0.0, 0.2)), "AED"
    )
    return DemoCandidate(
        key=key,
        email=email,
        name=name,
        phone=phone,
        city=city,
        country=country,
        nationality=nationality,
        gender=gender,
        date_of_birth=dob,
        desired_positions=tuple(dict.fromkeys(positions)),
        desired_locations=tuple(locations),
        salary_expectation=expectation if rng.random() < 0.85 else None,
        years_experience=years,
        cv_language=lang,
        cv_text=cv_text,
        cv_parsed=parsed,
        skills=tuple(skills),
        occupation=occ["key"],
        sector=occ["sector"],
    )


def _render_cv(
    cv: dict[str, Any],
    lang: str,
    occ: dict[str, Any],
    glossary: dict[str, str],
    tools: list[str],
    country: _Country,
) -> str:
    p = cv["personal"]
    duties = [s["label"] for s in occ["skills"] if s["type"] == "competence"]
    ar_duties = [glossary[k] for k in occ["skills_ar"]]
    lines: list[str] = []
    if lang == "ar":
        lines += [
            p["name"],
            f"{cv['employment'][0]['title']} | {p['city']}، {country.name_ar}",
            f"البريد الإلكتروني: {p['email']} | الهاتف: {p['phone']}",
            "",
            "الملخص",
            cv["summary"],
            "",
            "الخبرات العملية",
        ]
    else:
        lines += [
            p["name"],
            f"{cv['employment'][0]['title']} | {p['city']}, {country.name_en}",
            f"Email: {p['email']} | Phone: {p['phone']}",
            "",
            "SUMMARY",
            cv["summary"],
            "",
            "EXPERIENCE",
        ]
    for j, job in enumerate(cv["employment"]):
        period = f"{_month(job['start'], lang)} – {_month(job['end'], lang)}"
        lines += [f"{job['title']} — {job['company']}", period]
        if lang == "ar":
            lines.append(f"- المهام: {_join_ar(ar_duties[j % 2 :][:3])}")
            if tools and j == 0:
                lines.append(f"- الأدوات: {'، '.join(tools)}")
        else:
            picked = duties[j % 3 :][:3] or duties[:3]
            lines.append(f"- Responsibilities: {'; '.join(picked)}")
            if tools and j == 0:
                lines.append(f"- Tools: {', '.join(tools)}")
        lines.append("")
    edu_head, skills_head, lang_head, sep = (
        ("التعليم", "المهارات", "اللغات", "، ")
        if lang == "ar"
        else ("EDUCATION", "SKILLS", "LANGUAGES", ", ")
    )
    lines.append(edu_head)
    for edu in cv["education"]:
        lines.append(
            f"{edu['degree']} — {edu['institution']}، {edu['year']}"
            if lang == "ar"
            else f"{edu['degree']} — {edu['institution']}, {edu['year']}"
        )
    lines += ["", skills_head, sep.join(cv["skills"]), "", lang_head]
    lines += [f"{x['language']} — {x['proficiency']}" for x in cv["languages"]]
    return "\n".join(lines) + "\n"


def _candidates(
    rng: random.Random, today: date, n: int, used_emails: set[str]
) -> list[tuple[DemoCandidate, dict[str, Any]]]:
    """Candidates with the occupation each CV was written for."""
    vocab = load_vocab()
    occupations: list[dict[str, Any]] = vocab["occupations"]
    glossary = {g["en"]: g["ar"] for g in vocab["skill_glossary"]}
    weights = [OCCUPATION_WEIGHT.get(o["key"], 1.0) for o in occupations]
    nationalities = [_weighted(rng, NATIONALITY_WEIGHTS) for _ in range(n)]
    arab = [i for i, nat in enumerate(nationalities) if nat in ARAB_LAST]
    arabic_cv = set(rng.sample(arab, min(len(arab), round(n * 0.2))))
    out = []
    for i in range(n):
        occ = rng.choices(occupations, weights=weights)[0]
        cand = _candidate(
            rng,
            today,
            f"cand-{i + 1:03d}",
            nationalities[i],
            i in arabic_cv,
            occ,
            glossary,
            used_emails,
        )
        out.append((cand, occ))
    return out


def _affinity(
    job: DemoJob, job_occ: dict[str, Any], cand: DemoCandidate, occ: dict[str, Any]
) -> float:
    """How likely a candidate is to look at a job: same occupation >> same sector >> other."""
    weight = (
        6.0 if job_occ["key"] == occ["key"] else 1.5 if job_occ["sector"] == occ["sector"] else 0.2
    )
    if job.city in cand.desired_locations:
        weight *= 2
    if job.language == cand.cv_language:
        weight *= 1.5
    return weight


def _sample_jobs(
    rng: random.Random, jobs: list[DemoJob], weights: list[float], k: int
) -> list[DemoJob]:
    """Weighted sample without replacement, returned in key order."""
    weights = list(weights)
    picked: list[DemoJob] = []
    while len(picked) < k and any(weights):
        idx = rng.choices(range(len(jobs)), weights=weights)[0]
        picked.append(jobs[idx])
        weights[idx] = 0.0
    return sorted(picked, key=lambda j: j.key)


def _between(rng: random.Random, start: datetime, end: datetime) -> datetime:
    span = max(0, int((end - start).total_seconds()))
    return (start + timedelta(seconds=rng.randrange(span + 1))).replace(microsecond=0)


def _activity(
    rng: random.Random,
    today: date,
    jobs: list[DemoJob],
    job_occ: dict[str, dict[str, Any]],
    candidates: list[tuple[DemoCandidate, dict[str, Any]]],
) -> tuple[list[DemoApplication], list[DemoSavedJob]]:
    now = datetime.combine(today, time(9, 0), tzinfo=UTC)
    applications: list[DemoApplication] = []
    saved: list[DemoSavedJob] = []
    stages = ("applied", "screening", "interview", "offer", "hired", "rejected")
    for cand, occ in candidates:
        pool = [j for j in jobs if j.status in ("open", "closed")]
        n_apply = rng.choices(range(9), weights=(4, 6, 8, 10, 12, 12, 10, 8, 6))[0]
        weights = [_affinity(j, job_occ[j.key], cand, occ) for j in pool]
        chosen = _sample_jobs(rng, pool, weights, n_apply)
        for job in chosen:
            jocc = job_occ[job.key]
            if jocc["key"] == occ["key"]:
                base = rng.uniform(0.68, 0.96)
            elif jocc["sector"] == occ["sector"]:
                base = rng.uniform(0.42, 0.75)
            else:
                base = rng.uniform(0.12, 0.5)
            origin = rng.choices(("single", "bulk", "ai"), (60, 25, 15))[0]
            score = round(base, 2) if origin == "ai" or rng.random() < 0.8 else None
            stage_weights = (
                (35, 20, 15, 5, 5, 20) if job.status == "open" else (5, 5, 10, 5, 25, 50)
            )
            stage = rng.choices(stages, stage_weights)[0]
            end = min(now, job.expires_at) if job.expires_at else now
            applied_at = _between(rng, job.posted_at + timedelta(minutes=30), end)
            applications.append(
                DemoApplication(cand.key, job.key, stage, origin, applied_at, score)
            )

        applied = {j.key for j in chosen}
        visible = [j for j in jobs if j.status != "draft" and j.key not in applied]
        n_save = rng.choices(range(6), weights=(10, 15, 20, 20, 15, 10))[0]
        weights = [_affinity(j, job_occ[j.key], cand, occ) for j in visible]
        for job in _sample_jobs(rng, visible, weights, n_save):
            end = min(now, job.expires_at) if job.expires_at else now
            saved_at = _between(rng, job.posted_at + timedelta(minutes=10), end)
            saved.append(DemoSavedJob(cand.key, job.key, saved_at))
    return applications, saved


def build_dataset(
    seed: int = 20261126,
    today: date = date(2026, 11, 26),
    n_jobs: int = 320,
    n_candidates: int = 36,
) -> DemoDataset:
    """Build the demo dataset; the same ``seed`` and ``today`` always give an equal result."""
    rng = random.Random(seed)  # noqa: S311 - reproducible demo data, not security
    used_emails: set[str] = {a.email for a in _admins()}
    recruiters = _recruiters(rng, used_emails)
    jobs, job_occ = _jobs(rng, today, n_jobs, recruiters)
    candidates = _candidates(rng, today, n_candidates, used_emails)
    applications, saved = _activity(rng, today, jobs, job_occ, candidates)
    return DemoDataset(
        admins=_admins(),
        recruiters=tuple(r for r, _, _ in recruiters),
        jobs=tuple(jobs),
        candidates=tuple(c for c, _ in candidates),
        applications=tuple(applications),
        saved_jobs=tuple(saved),
    )


def relevance(job: DemoJob, candidate: DemoCandidate) -> int:
    """Graded ground truth: 2 the candidate's own occupation, 1 the same sector, 0 otherwise."""
    if job.occupation == candidate.occupation:
        return 2
    return 1 if job.sector == candidate.sector else 0
