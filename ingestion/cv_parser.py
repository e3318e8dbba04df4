"""Rule-based CV parser: plain text (English or Arabic) -> :class:`StructuredCV`.

The text is cut into *segments*: lines, and within a line the pieces separated by two or more
spaces or a tab (PDF extractors put column gaps there; flattened text keeps its structure that
way). Segments that read as a heading ("WORK EXPERIENCE", "2. Education:", "المهارات") open a
section. Contact details come from the whole text (regular expressions, ``phonenumbers``); jobs
are anchored on date ranges in the experience section; degrees on degree words in the education
section. Every text value is a slice of the input: nothing is invented, only trimmed.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache

import phonenumbers

from ingestion.cv_schema import (
    EDUCATION_ORDER,
    CvLanguage,
    Education,
    EducationLevel,
    Employment,
    Language,
    Personal,
    Proficiency,
    Skill,
    StructuredCV,
)
from ingestion.skills import extract_skills, get_matcher, is_not_a_skill, normalise_arabic
from ingestion.taxonomy import get_taxonomy

PHONE_REGIONS = ("AE", "SA", "QA", "KW", "BH", "OM", "IN", "US", "GB")
MAX_TEXT_CHARS = 200_000  # a CV is a few thousand; anything longer is cut, never refused

# --- segments and sections --------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Segment:
    """A piece of one line: ``text == source[start:end]``; ``line`` numbers physical lines."""

    text: str
    start: int
    end: int
    line: int


@dataclass(slots=True)
class Section:
    kind: str  # header, summary, experience, education, skills, languages, certifications, ...
    heading: Segment | None
    segments: list[Segment] = field(default_factory=list)

    @property
    def span(self) -> tuple[int, int]:
        if not self.segments:
            pos = self.heading.end if self.heading else 0
            return pos, pos
        return self.segments[0].start, self.segments[-1].end


_SOFT_BREAK = re.compile(r"[ \t]{2,}|\t")


def segments(text: str) -> list[Segment]:
    """Lines, split further at runs of 2+ spaces or tabs; blank pieces dropped."""
    out: list[Segment] = []
    pos = 0
    for line_no, line in enumerate(text.split("\n")):
        piece_start = 0
        for m in [*_SOFT_BREAK.finditer(line), None]:
            piece_end = m.start() if m else len(line)
            piece = line[piece_start:piece_end]
            stripped = piece.strip()
            if stripped:
                lead = len(piece) - len(piece.lstrip())
                s = pos + piece_start + lead
                out.append(Segment(stripped, s, s + len(stripped), line_no))
            if m:
                piece_start = m.end()
        pos += len(line) + 1
    return out


def _heading_key(text: str) -> str:
    t = normalise_arabic(text).lower()
    t = re.sub(r"^\s*(?:[\divx]{1,4}|[a-h])\s*[.)\-:]\s+", "", t)  # "2. ", "iv) "
    t = re.sub(r"^[\W_]+|[\W_]+$", "", t)  # bullets, colons, decorations
    if re.fullmatch(r"(?:\w ){2,}\w", t):  # "e x p e r i e n c e"
        t = t.replace(" ", "")
    return re.sub(r"\s+", " ", t)


_HEADINGS: dict[str, tuple[str, ...]] = {
    "summary": (
        "summary",
        "professional summary",
        "profile",
        "professional profile",
        "career summary",
        "objective",
        "career objective",
        "objectives",
        "job objective",
        "job objectives",
        "about me",
        "about",
        "personal summary",
        "executive summary",
        "synopsis",
        "overview",
        "personal statement",
        "career profile",
        "summary of qualifications",
        "qualifications summary",
        "professional overview",
        "executive profile",
        "highlights",
        "profile summary",
        "الملخص",
        "ملخص",
        "نبذة",
        "نبذة عني",
        "نبذة مختصرة",
        "الهدف",
        "الهدف الوظيفي",
        "الملف الشخصي",
        "ملخص مهني",
        "الملخص المهني",
        "نبذه",
        "نبذه عني",
    ),
    "experience": (
        "experience",
        "work experience",
        "professional experience",
        "employment history",
        "work history",
        "employment",
        "career history",
        "career experience",
        "job history",
        "relevant experience",
        "experience details",
        "professional background",
        "employment experience",
        "working experience",
        "work experiences",
        "experiences",
        "internships",
        "internship",
        "internship experience",
        "industry experience",
        "professional work experience",
        "career",
        "الخبرات العملية",
        "الخبرة العملية",
        "الخبرة",
        "الخبرات",
        "الخبرة المهنية",
        "الخبرات المهنية",
        "السجل الوظيفي",
        "التاريخ الوظيفي",
        "الخبرات السابقة",
        "الخبره",
        "الخبره العمليه",
        "الخبرات العمليه",
        "الخبره المهنيه",
    ),
    "education": (
        "education",
        "academic background",
        "academic qualifications",
        "academic qualification",
        "educational qualifications",
        "educational qualification",
        "qualifications",
        "education and training",
        "academic profile",
        "educational background",
        "education details",
        "academics",
        "academic details",
        "scholastic profile",
        "education & training",
        "educational details",
        "التعليم",
        "المؤهلات",
        "المؤهلات العلمية",
        "المؤهل العلمي",
        "التحصيل العلمي",
        "المؤهلات العلميه",
        "التعليم والمؤهلات",
    ),
    "skills": (
        "skills",
        "core qualifications",
        "technical skills",
        "key skills",
        "core skills",
        "core competencies",
        "competencies",
        "areas of expertise",
        "expertise",
        "skill set",
        "skillset",
        "skills summary",
        "it skills",
        "computer skills",
        "technical proficiency",
        "tools",
        "technologies",
        "strengths",
        "key strengths",
        "soft skills",
        "professional skills",
        "technical expertise",
        "skills & abilities",
        "skills and abilities",
        "applied skills",
        "technical summary",
        "software skills",
        "key competencies",
        "additional skills",
        "المهارات",
        "المهارات التقنية",
        "المهارات الشخصية",
        "المهارات الفنية",
        "الكفاءات",
        "المهارات المهنية",
        "مهارات",
    ),
    "languages": (
        "languages",
        "language skills",
        "language proficiency",
        "languages known",
        "linguistic skills",
        "اللغات",
        "اللغه",
        "اللغات المتقنة",
    ),
    "certifications": (
        "certifications",
        "certificates",
        "certification",
        "licenses",
        "licences",
        "licenses and certifications",
        "licenses & certifications",
        "courses",
        "training",
        "trainings",
        "professional development",
        "courses and certifications",
        "certifications and training",
        "training and certifications",
        "الشهادات",
        "الشهادات المهنية",
        "الدورات",
        "الدورات التدريبية",
        "الشهادات والدورات",
        "الدورات والشهادات",
    ),
    "projects": (
        "projects",
        "academic projects",
        "personal projects",
        "key projects",
        "project details",
        "project experience",
        "projects undertaken",
        "المشاريع",
        "المشروعات",
    ),
    "other": (
        "personal details",
        "personal information",
        "personal data",
        "references",
        "interests",
        "hobbies",
        "awards",
        "achievements",
        "accomplishments",
        "publications",
        "additional information",
        "links",
        "volunteer",
        "volunteering",
        "volunteer experience",
        "activities",
        "extracurricular activities",
        "declaration",
        "contact",
        "contact details",
        "contact information",
        "honors",
        "honours",
        "awards and achievements",
        "memberships",
        "affiliations",
        "hobbies and interests",
        "personal profile",
        "المعلومات الشخصية",
        "البيانات الشخصية",
        "الهوايات",
        "المراجع",
        "الجوائز",
        "معلومات الاتصال",
        "الإنجازات",
        "الانجازات",
        "بيانات التواصل",
    ),
}


@lru_cache(maxsize=1)
def _heading_table() -> dict[str, str]:
    return {_heading_key(h): kind for kind, names in _HEADINGS.items() for h in names}


def heading_kind(text: str) -> str | None:
    """The section a segment opens, or None when it is not a heading."""
    if len(text) > 60 or "@" in text:
        return None
    key = _heading_key(text)
    if not key or len(key.split()) > 6:
        return None
    table = _heading_table()
    if key in table:
        return table[key]
    # "Career Experience/Job History", "Skills & Tools": every part must be a heading word.
    parts = [p.strip() for p in re.split(r"\s*(?:/|&|\band\b|\|)\s*", key) if p.strip()]
    kinds = {table.get(p) for p in parts}
    if len(parts) > 1 and None not in kinds and len(kinds) >= 1:
        return sorted(k for k in kinds if k)[0] if len(kinds) > 1 else kinds.pop()
    return None


_INLINE_HEADING = re.compile(r"^\s*([^\W\d][\w &/]{1,40}?)\s*[:：]\s*(\S.*)$")


def split_sections(text: str, segs: Sequence[Segment]) -> list[Section]:
    """Group segments under the headings that precede them (``header`` before the first)."""
    sections = [Section("header", None)]
    for seg in segs:
        kind = heading_kind(seg.text)
        if kind:
            sections.append(Section(kind, seg))
            continue
        m = _INLINE_HEADING.match(seg.text)
        if m:
            kind = heading_kind(m.group(1))
            if kind and kind not in ("other", "summary"):
                rest_start = seg.start + m.start(2)
                head = Segment(seg.text[: m.start(2)].strip(), seg.start, rest_start, seg.line)
                sections.append(Section(kind, head))
                sections[-1].segments.append(
                    Segment(text[rest_start : seg.end], rest_start, seg.end, seg.line)
                )
                continue
        sections[-1].segments.append(seg)
    return sections


# --- contact details --------------------------------------------------------------------------

_EMAIL = re.compile(
    r"(?<![\w.'+-])[A-Za-z0-9][A-Za-z0-9._%+'-]*@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}"
)
_LINKEDIN = re.compile(
    r"(?:https?://)?(?:[a-z]{2,3}\.)?linkedin\.com/(?:in|pub)/[^\s,;|)>\]]+", re.IGNORECASE
)
_PHONE_CANDIDATE = re.compile(r"(?<![\w/])(?:\+|00)?\(?\d[\d\s().\-]{6,18}\d(?![\w/])")
_PHONE_CUE = re.compile(
    r"(?:phone|tel|mobile|mob|cell|contact|call|ph|whatsapp|هاتف|جوال|موبايل|الهاتف|الجوال|رقم)\b\W{0,6}$",
    re.IGNORECASE,
)
_YEAR_RANGE_ONLY = re.compile(r"^\(?\s*(?:19|20)\d\d\s*[-–—/]\s*(?:(?:19|20)\d\d|\d\d)\s*\)?$")
_DATE_LIKE = re.compile(r"^\d{1,2}[./-]\d{1,2}[./-]\d{2,4}$")


@dataclass(frozen=True, slots=True)
class PhoneHit:
    text: str
    e164: str | None
    start: int
    valid: bool


def find_emails(text: str) -> list[tuple[str, int]]:
    """E-mail addresses with their offsets, in order, deduplicated case-insensitively."""
    seen: set[str] = set()
    out = []
    for m in _EMAIL.finditer(text):
        value = m.group().rstrip(".'-")
        if value.lower() not in seen:
            seen.add(value.lower())
            out.append((value, m.start()))
    return out


def find_phones(text: str) -> list[PhoneHit]:
    """Phone numbers: candidates by pattern, read by ``phonenumbers`` in the Gulf regions first.

    A number valid in some region wins; otherwise a number of possible length is kept when a
    cue ("Phone:", "جوال") precedes it or it carries an international prefix.
    """
    out: list[PhoneHit] = []
    for m in _PHONE_CANDIDATE.finditer(text):
        raw = m.group().strip(" .-")
        digits = re.sub(r"\D", "", raw)
        if not 8 <= len(digits) <= 15 or _YEAR_RANGE_ONLY.match(raw) or _DATE_LIKE.match(raw):
            continue
        if raw.count("(") != raw.count(")"):
            raw = raw.strip("()")
        start = m.start() + m.group().index(raw)
        cue = bool(_PHONE_CUE.search(text[max(0, start - 24) : start]))
        intl = raw.startswith(("+", "00"))
        best: PhoneHit | None = None
        for region in PHONE_REGIONS:
            for pm in phonenumbers.PhoneNumberMatcher(
                raw, region, leniency=phonenumbers.Leniency.POSSIBLE
            ):
                num = pm.number
                valid = phonenumbers.is_valid_number(num)
                if best is None or (valid and not best.valid):
                    # E.164 only for a number some plan accepts: a guessed country is invention.
                    e164 = (
                        phonenumbers.format_number(num, phonenumbers.PhoneNumberFormat.E164)
                        if valid
                        else None
                    )
                    best = PhoneHit(raw, e164, start, valid)
                break
            if best is not None and best.valid:
                break
        if best is None and (cue or intl) and 9 <= len(digits) <= 13:
            best = PhoneHit(raw, None, start, False)  # readable but not a real plan (fake CVs)
        if best is None:
            continue
        if best.valid or cue or intl or len(digits) >= 10:
            out.append(best)
    return out


def find_linkedin(text: str) -> str | None:
    m = _LINKEDIN.search(text)
    return m.group().rstrip(".") if m else None


# --- places -----------------------------------------------------------------------------------

# City -> (canonical English name, ISO country). Gulf first; a few large Indian and other
# cities because many Gulf applicants list them.
_CITIES: dict[str, tuple[str, str]] = {}
for _names, _canon, _cc in (
    (("Dubai", "دبي"), "Dubai", "AE"),
    (("Abu Dhabi", "Abu Dhabai", "أبوظبي", "أبو ظبي", "ابوظبي", "ابو ظبي"), "Abu Dhabi", "AE"),
    (("Sharjah", "الشارقة"), "Sharjah", "AE"),
    (("Ajman", "عجمان"), "Ajman", "AE"),
    (("Ras Al Khaimah", "Ras al-Khaimah", "RAK", "رأس الخيمة"), "Ras Al Khaimah", "AE"),
    (("Fujairah", "الفجيرة"), "Fujairah", "AE"),
    (("Umm Al Quwain", "Umm al-Quwain", "أم القيوين"), "Umm Al Quwain", "AE"),
    (("Al Ain", "العين"), "Al Ain", "AE"),
    (("Riyadh", "الرياض"), "Riyadh", "SA"),
    (("Jeddah", "Jiddah", "جدة"), "Jeddah", "SA"),
    (("Dammam", "الدمام"), "Dammam", "SA"),
    (("Khobar", "Al Khobar", "الخبر"), "Al Khobar", "SA"),
    (("Dhahran", "الظهران"), "Dhahran", "SA"),
    (("Jubail", "الجبيل"), "Jubail", "SA"),
    (("Mecca", "Makkah", "مكة", "مكة المكرمة"), "Makkah", "SA"),
    (("Medina", "Madinah", "المدينة المنورة"), "Madinah", "SA"),
    (("Tabuk", "تبوك"), "Tabuk", "SA"),
    (("Doha", "الدوحة"), "Doha", "QA"),
    (("Kuwait City", "مدينة الكويت"), "Kuwait City", "KW"),
    (("Manama", "المنامة"), "Manama", "BH"),
    (("Muscat", "مسقط"), "Muscat", "OM"),
    (("Salalah", "صلالة"), "Salalah", "OM"),
    (("Sohar", "صحار"), "Sohar", "OM"),
    (("Cairo", "القاهرة"), "Cairo", "EG"),
    (("Amman", "عمّان"), "Amman", "JO"),
    (("Beirut", "بيروت"), "Beirut", "LB"),
    (("Karachi",), "Karachi", "PK"),
    (("Lahore",), "Lahore", "PK"),
    (("Manila",), "Manila", "PH"),
    (("Mumbai", "Bombay"), "Mumbai", "IN"),
    (("Delhi", "New Delhi"), "New Delhi", "IN"),
    (("Bangalore", "Bengaluru"), "Bengaluru", "IN"),
    (("Chennai",), "Chennai", "IN"),
    (("Hyderabad",), "Hyderabad", "IN"),
    (("Pune",), "Pune", "IN"),
    (("Kolkata",), "Kolkata", "IN"),
    (("Kochi", "Cochin"), "Kochi", "IN"),
    (("London",), "London", "GB"),
):
    for _n in _names:
        _CITIES[normalise_arabic(_n).lower()] = (_canon, _cc)

_COUNTRIES: dict[str, str] = {
    normalise_arabic(k).lower(): v
    for k, v in {
        "UAE": "AE",
        "U.A.E": "AE",
        "U.A.E.": "AE",
        "United Arab Emirates": "AE",
        "الإمارات": "AE",
        "الإمارات العربية المتحدة": "AE",
        "Saudi Arabia": "SA",
        "KSA": "SA",
        "Kingdom of Saudi Arabia": "SA",
        "السعودية": "SA",
        "المملكة العربية السعودية": "SA",
        "Qatar": "QA",
        "قطر": "QA",
        "Kuwait": "KW",
        "الكويت": "KW",
        "Bahrain": "BH",
        "البحرين": "BH",
        "Oman": "OM",
        "Sultanate of Oman": "OM",
        "عمان": "OM",
        "سلطنة عمان": "OM",
        "Egypt": "EG",
        "مصر": "EG",
        "Jordan": "JO",
        "الأردن": "JO",
        "Lebanon": "LB",
        "لبنان": "LB",
        "India": "IN",
        "الهند": "IN",
        "Pakistan": "PK",
        "باكستان": "PK",
        "Philippines": "PH",
        "الفلبين": "PH",
        "USA": "US",
        "U.S.A": "US",
        "U.S.A.": "US",
        "United States": "US",
        "United States of America": "US",
        "UK": "GB",
        "United Kingdom": "GB",
        "England": "GB",
        "Canada": "CA",
        "Australia": "AU",
        "Germany": "DE",
        "France": "FR",
    }.items()
}
# Indian states and union territories, and US state codes: the second half of "City, Region".
_REGIONS = frozenset(
    x.lower()
    for x in (
        "Karnataka",
        "Maharashtra",
        "Tamil Nadu",
        "Kerala",
        "Telangana",
        "Andhra Pradesh",
        "Uttar Pradesh",
        "Madhya Pradesh",
        "Gujarat",
        "Rajasthan",
        "West Bengal",
        "Delhi",
        "Haryana",
        "Punjab",
        "Odisha",
        "Orissa",
        "Bihar",
        "Goa",
        "Assam",
        "Jharkhand",
        "Chhattisgarh",
        "Uttarakhand",
        "Himachal Pradesh",
        "Jammu and Kashmir",
        "Puducherry",
        "Chandigarh",
        "Bangalore Urban",
        "California",
        "Texas",
        "New York",
        "Florida",
        "Illinois",
        "Washington",
        "Michigan",
        "Ohio",
        "Georgia",
        "Virginia",
        "Massachusetts",
        "Pennsylvania",
        "New Jersey",
        "North Carolina",
        "Arizona",
        "Colorado",
        *[
            "AL",
            "AK",
            "AZ",
            "AR",
            "CA",
            "CO",
            "CT",
            "DE",
            "FL",
            "GA",
            "HI",
            "ID",
            "IL",
            "IN",
            "IA",
            "KS",
            "KY",
            "LA",
            "ME",
            "MD",
            "MA",
            "MI",
            "MN",
            "MS",
            "MO",
            "MT",
            "NE",
            "NV",
            "NH",
            "NJ",
            "NM",
            "NY",
            "NC",
            "ND",
            "OH",
            "OK",
            "OR",
            "PA",
            "RI",
            "SC",
            "SD",
            "TN",
            "TX",
            "UT",
            "VT",
            "VA",
            "WA",
            "WV",
            "WI",
            "WY",
            "DC",
        ],
    )
)
_PLACE_WORD = r"[A-Z][A-Za-z.'\-]+(?: [A-Z][A-Za-z.'\-]+){0,3}"


@lru_cache(maxsize=1)
def _city_regex() -> re.Pattern[str]:
    keys = sorted((k for k, v in _CITIES.items() if len(k) > 3 and v[1] in _GULF), key=len)
    return re.compile(r"(?<!\w)(?:" + "|".join(map(re.escape, reversed(keys))) + r")(?!\w)")


_GULF = frozenset({"AE", "SA", "QA", "KW", "BH", "OM"})


@dataclass(frozen=True, slots=True)
class Place:
    text: str
    city: str | None
    country: str | None


def _lookup_place(part: str) -> tuple[str | None, str | None]:
    key = normalise_arabic(part).lower().strip(" .")
    key = re.sub(r"^(?:ال)?(?:مدينة)\s+", "", key)
    if key in _CITIES:
        return _CITIES[key]
    if key in _COUNTRIES:
        return None, _COUNTRIES[key]
    return None, None


def find_place(text: str) -> Place | None:
    """A location written as known cities / regions / countries, or "City, Region[, Country]".

    Only the place-like end of the text is taken: "Google HQ, Mountain View, CA, USA" gives
    "Mountain View, CA, USA".
    """
    t = text.strip(" -|•,.;:()")
    if not t or len(t) > 80 or re.search(r"@|http", t):
        return None
    cuts = [m.end() for m in re.finditer(r"\s*[,،]\s*", t)]
    starts = [0, *cuts]
    # A postcode after the region ("CA 92648") does not make it less of a place.
    parts = [_clean(re.sub(r"\s+\d{4,6}(?:-\d{4})?$", "", p)) for p in re.split(r"\s*[,،]\s*", t)]
    known = []
    for p in parts:
        c, cc = _lookup_place(p)
        known.append((c, cc, bool(c or cc) or p.lower() in _REGIONS))
    # The longest run of trailing parts that are all known, plus at most one capitalised part
    # before it ("Mountain View" before "CA, USA").
    k = len(parts)
    while k > 0 and known[k - 1][2]:
        k -= 1
    if k == len(parts):
        return None
    if k > 0 and re.fullmatch(_PLACE_WORD, parts[k - 1]) and len(parts) - k <= 2:
        k -= 1
    if k > 0 and len(parts) - k == 1 and not (known[-1][0] or known[-1][1]):
        return None  # a lone region after other words ("Java, Go") is no place
    city = next((c for c, _, _ in known[k:] if c), None)
    country = next((cc for _, cc, _ in known[k:] if cc), None)
    if city is None and not _lookup_place(parts[k])[1]:
        city = parts[k]
    place_text = t[starts[k] :].strip()
    if len(place_text.split()) > 8:
        return None
    return Place(place_text, city, country)


# --- dates ------------------------------------------------------------------------------------

_AR_1TO1 = str.maketrans({"أ": "ا", "إ": "ا", "آ": "ا", "ة": "ه", "ى": "ي"})

_MONTHS_EN = {
    "jan": 1,
    "feb": 2,
    "mar": 3,
    "apr": 4,
    "may": 5,
    "jun": 6,
    "jul": 7,
    "aug": 8,
    "sep": 9,
    "oct": 10,
    "nov": 11,
    "dec": 12,
}
_MONTHS_AR = {
    "يناير": 1,
    "فبراير": 2,
    "مارس": 3,
    "ابريل": 4,
    "مايو": 5,
    "يونيو": 6,
    "يوليو": 7,
    "اغسطس": 8,
    "سبتمبر": 9,
    "اكتوبر": 10,
    "نوفمبر": 11,
    "ديسمبر": 12,
    "كانون الثاني": 1,
    "شباط": 2,
    "اذار": 3,
    "نيسان": 4,
    "ايار": 5,
    "حزيران": 6,
    "تموز": 7,
    "اب": 8,
    "ايلول": 9,
    "تشرين الاول": 10,
    "تشرين الثاني": 11,
    "كانون الاول": 12,
}
_MONTH_EN = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
)
_MONTH_AR = "(?:" + "|".join(sorted(_MONTHS_AR, key=len, reverse=True)) + ")"
_YEAR = r"(?:19[5-9]\d|20[0-4]\d)"
#: A Hijri year marked as one ("1440 هـ", "1440هـ"): read as the Gregorian year it mostly falls in.
_HIJRI = r"(?:13[5-9]\d|14[0-6]\d)\s*(?:هـ|ه)(?![\u0621-\u064A])"
_DATE = (
    rf"(?:(?:{_MONTH_EN}|{_MONTH_AR})\s*,?\s*'?{_YEAR}"
    rf"|(?:0?[1-9]|1[0-2])\s*/\s*(?:0?[1-9]|[12]\d|3[01])\s*/\s*{_YEAR}"
    rf"|(?:0?[1-9]|1[0-2])\s*[/.\-]\s*{_YEAR}"
    rf"|(?:{_MONTH_AR}\s*)?{_HIJRI}"
    rf"|{_YEAR})"
)
_PRESENT = (
    r"(?:present|current(?:ly)?|now|today|till\s+date|to\s+date|date|ongoing|continuing"
    r"|حتى\s+الان|الى\s+الان|حتى\s+تاريخه|حتى\s+اليوم|الان|حاليا|الحاضر|تاريخه)"
)
_SEP = r"(?:[-–—~]+|to|till|until|through|thru|الى|حتى)"
# Arabic in the patterns is normalised like the text they run on (alef, ta marbuta, alef maqsura).
_RANGE = re.compile(
    (
        rf"(?<![\w/.])(?P<a>{_DATE})\s*(?:{_SEP})\s*(?P<b>{_DATE}|{_PRESENT})(?![\w/])"
        rf"|(?:since|from|منذ)\s+(?P<c>{_DATE})(?![\w/])"
        rf"|(?<![\w/.])(?P<d>{_DATE})\s+(?:onwards|onward|till\s+now|to\s+now)(?!\w)"
        # "2010Present", "2010 Current": no separator, but the end is unmistakable.
        rf"|(?<![\w/.])(?P<e>{_DATE})\s*(?:present|current(?:ly)?|till\s+date|to\s+date)(?!\w)"
    ).translate(_AR_1TO1),
    re.IGNORECASE,
)
_STATED_YEARS = re.compile(
    r"(?P<n>\d{1,2}(?:\.\d)?)\s*\+?\s*(?:years?|yrs?)(?:\s+(?:and\s+)?\d{1,2}\s+months?)?"
    r"\s+(?:of\s+)?(?:\w+\s+){0,3}?(?:experience|exp\b)"
    r"|(?:خبرة|خبره)\s+(?P<ar>\d{1,2})\s+(?:سنوات|سنة|عاما|عام)",
    re.IGNORECASE,
)


@dataclass(frozen=True, slots=True)
class DateRange:
    """A period as written: ``text == source[start:end]``; months are None when not given."""

    text: str
    start: int
    end: int
    from_year: int
    from_month: int | None
    to_year: int | None  # None with current=True
    to_month: int | None
    current: bool

    @property
    def start_str(self) -> str:
        return _fmt(self.from_year, self.from_month)

    @property
    def end_str(self) -> str | None:
        return None if self.to_year is None else _fmt(self.to_year, self.to_month)


def _fmt(year: int, month: int | None) -> str:
    return f"{year:04d}-{month:02d}" if month else f"{year:04d}"


_DIGITS = str.maketrans(
    {**{chr(0x0660 + i): str(i) for i in range(10)}, **{chr(0x06F0 + i): str(i) for i in range(10)}}
)


def _digits_ascii(text: str) -> str:
    return text.translate(_DIGITS)


def hijri_to_gregorian(year: int) -> int:
    """The Gregorian year a Hijri year mostly falls in (1440 -> 2018)."""
    return int(year * 0.970229 + 621.5643 + 0.5)


def _parse_date(s: str) -> tuple[int, int | None] | None:
    s = s.strip().lower()
    h = re.search(_HIJRI.translate(_AR_1TO1), s)
    if h:
        return hijri_to_gregorian(int(h.group()[:4])), None
    y = re.search(_YEAR, s)
    if not y:
        return None
    year = int(y.group())
    before = s[: y.start()].strip(" ,'/.-")
    if not before:
        return year, None
    if before.isdigit():
        return year, int(before)
    md = re.fullmatch(r"(\d{1,2})\s*/\s*\d{1,2}", before)  # "12/1/2009": month / day / year
    if md:
        return year, int(md.group(1))
    for name, month in _MONTHS_AR.items():
        if before == name.translate(_AR_1TO1):
            return year, month
    return year, _MONTHS_EN.get(before[:3])


def find_date_ranges(text: str, today: date | None = None) -> list[DateRange]:
    """Every period in the text: "Jan 2019 – Present", "2017 - 2020", "03/2018 – 06/2021",
    "يناير 2019 – حتى الآن", "since 2015", "September 2017 onwards"."""
    today = today or date.today()
    norm = _digits_ascii(text.translate(_AR_1TO1))  # same length, so offsets hold
    out: list[DateRange] = []
    for m in _RANGE.finditer(norm):
        a = m.group("a") or m.group("c") or m.group("d") or m.group("e")
        frm = _parse_date(a)
        if frm is None:
            continue
        b = m.group("b")
        current = b is None or _parse_date(b) is None
        to = None if current else _parse_date(b or "")
        if frm[0] > today.year + 1:
            continue
        if to is not None and (
            (to[0], to[1] or 12) < (frm[0], frm[1] or 1) or to[0] > today.year + 6
        ):
            continue
        span = text[m.start() : m.end()]
        out.append(
            DateRange(
                text=span,
                start=m.start(),
                end=m.end(),
                from_year=frm[0],
                from_month=frm[1],
                to_year=to[0] if to else None,
                to_month=to[1] if to else None,
                current=current,
            )
        )
    return out


def _months(year: int, month: int | None, *, end: bool) -> int:
    # A bare year starts in January; as an end it means "into that year": January too, so
    # "2017 - 2020" counts three years, not four. A month end is inclusive.
    if month is None:
        return year * 12
    return year * 12 + month - (0 if end else 1)


def total_years(ranges: Iterable[DateRange], today: date | None = None) -> float | None:
    """Years covered by the union of the periods (overlaps counted once), up to today."""
    today = today or date.today()
    now = today.year * 12 + today.month
    intervals = []
    for r in ranges:
        a = _months(r.from_year, r.from_month, end=False)
        b = now if r.current or r.to_year is None else _months(r.to_year, r.to_month, end=True)
        b = min(b, now)
        if b > a:
            intervals.append((a, b))
    if not intervals:
        return None
    intervals.sort()
    total, (cur_a, cur_b) = 0, intervals[0]
    for a, b in intervals[1:]:
        if a <= cur_b:
            cur_b = max(cur_b, b)
        else:
            total += cur_b - cur_a
            cur_a, cur_b = a, b
    total += cur_b - cur_a
    return round(total / 12, 1)


# --- names, titles, companies -----------------------------------------------------------------

_NOT_NAME_WORDS = frozenset(
    [
        "resume",
        "résumé",
        "cv",
        "curriculum",
        "vitae",
        "template",
        "sample",
        "page",
        "address",
        "phone",
        "email",
        "e-mail",
        "mobile",
        "objective",
        "summary",
        "profile",
        "contact",
        "tel",
        "linkedin",
        "github",
        "portfolio",
        "website",
        "date",
        "birth",
        "nationality",
        "street",
        "road",
        "avenue",
        "apartment",
        "city",
        "state",
        "zip",
        "po",
        "box",
        "the",
        "and",
        "of",
        "for",
        "to",
        "in",
        "with",
        "at",
        "by",
        "on",
        "my",
        "your",
        "name",
        "example",
        "examples",
        "career",
        "community",
        "packet",
        "guide",
        "entry",
        "level",
        "dear",
        "sir",
        "madam",
        "personal",
        "details",
        "information",
        "experience",
        "education",
        "skills",
        "references",
        "do",
        "not",
        "copy",
        "you",
        "are",
        "first",
        "last",
        "title",
        "client",
        "job",
        "seeker",
        "core",
        "qualifications",
        "highlights",
        "competencies",
        "professional",
        "technical",
        "key",
        "center",
        "centre",
        "hall",
        "room",
        "department",
        "university",
        "college",
        "school",
        "institute",
        "office",
        "building",
        "floor",
        "organization",
        "organisation",
        "company",
        "magna",
        "cum",
        "laude",
        "updated",
        "last",
        "font",
        "size",
        "highly",
        "motivated",
        "seeking",
        "dedicated",
    ]
)
# Head nouns that end a name on a "Name Title" line; kept short on purpose: occupation words
# such as "Miller", "Fisher" or "Parker" are surnames too.
_NAME_STOP_TITLES = frozenset(
    [
        "engineer",
        "developer",
        "manager",
        "consultant",
        "analyst",
        "designer",
        "architect",
        "executive",
        "officer",
        "specialist",
        "director",
        "assistant",
        "administrator",
        "accountant",
        "teacher",
        "lecturer",
        "professor",
        "intern",
        "trainee",
        "programmer",
        "tester",
        "lead",
        "editor",
        "producer",
        "writer",
        "advertiser",
        "technician",
        "coordinator",
        "supervisor",
        "representative",
        "associate",
        "nurse",
        "scientist",
        "researcher",
        "student",
        "graduate",
        "clerk",
        "secretary",
        "receptionist",
        "president",
        "founder",
        "freelancer",
        "volunteer",
    ]
)
_DOC_WORDS = re.compile(
    r"(?i)\b(?:resume|résumé|template|sample|curriculum|vitae|packet|guide|do not copy)\b|\bcv\b"
)
_NAME_TOKEN = re.compile(
    r"^(?:[A-Z][a-z]+(?:['’\-][A-Z]?[a-z]+)*(?:[A-Z][a-z]+)*|[A-Z]{2,}(?:['’][A-Z]+)?|[A-Z]\.?"
    r"|[A-Z][a-z]*['’][A-Z][a-z]+|[\u0621-\u064A]{2,})$"
)
_NAME_LABEL = re.compile(
    r"^\s*(?:full\s+)?name\s*[:\-]\s*(.+)$|^\s*(?:الاسم|الإسم|الاسم الكامل)\s*[:\-]?\s*(.+)$",
    re.IGNORECASE,
)
_NAME_PREFIX = re.compile(r"^(?:resume\s+of|cv\s+of|curriculum\s+vitae\s+of)\s+", re.IGNORECASE)
_PLACEHOLDER = re.compile(r"^(?:X{2,}|x{2,}|\*+)$")
_NAME_PART_SPLIT = re.compile(r"\s+[-–—|•·]\s+|[,|•·]|\s{2,}")
_AR_TITLE_WORDS = frozenset(
    normalise_arabic(w)
    for w in [
        "مهندس",
        "مهندسة",
        "مدير",
        "مديرة",
        "محاسب",
        "محاسبة",
        "مطور",
        "مطورة",
        "أخصائي",
        "أخصائية",
        "اخصائي",
        "مسؤول",
        "مسؤولة",
        "مشرف",
        "مشرفة",
        "مدرس",
        "مدرسة",
        "معلم",
        "معلمة",
        "محلل",
        "محللة",
        "مستشار",
        "مستشارة",
        "فني",
        "فنية",
        "مندوب",
        "سكرتير",
        "سكرتيرة",
        "طبيب",
        "طبيبة",
        "ممرض",
        "ممرضة",
        "منسق",
        "منسقة",
        "رئيس",
        "رئيسة",
        "نائب",
        "موظف",
        "موظفة",
        "كاتب",
        "مصمم",
        "مصممة",
        "ممثل",
        "باحث",
        "باحثة",
        "مساعد",
        "مساعدة",
        "مراقب",
        "مدقق",
        "مبرمج",
        "مبرمجة",
        "أمين",
    ]
)
_AR_NOT_NAME = frozenset(
    normalise_arabic(w)
    for w in [
        "السيرة",
        "الذاتية",
        "سيرة",
        "ذاتية",
        "الهاتف",
        "البريد",
        "الإلكتروني",
        "العنوان",
        "الجنسية",
        "تاريخ",
        "الميلاد",
        "المهارات",
        "الخبرات",
        "التعليم",
    ]
)
_COMPANY_CUES = frozenset(
    [
        "ltd",
        "ltd.",
        "limited",
        "llc",
        "l.l.c",
        "inc",
        "inc.",
        "incorporated",
        "pvt",
        "pvt.",
        "private",
        "corp",
        "corp.",
        "corporation",
        "company",
        "co",
        "co.",
        "group",
        "technologies",
        "technology",
        "solutions",
        "systems",
        "services",
        "bank",
        "consulting",
        "consultancy",
        "labs",
        "software",
        "international",
        "holdings",
        "holding",
        "enterprises",
        "industries",
        "associates",
        "agency",
        "studio",
        "studios",
        "partners",
        "plc",
        "gmbh",
        "fze",
        "fzco",
        "fzc",
        "fz-llc",
        "est",
        "establishment",
        "trading",
        "contracting",
        "hospital",
        "clinic",
        "airlines",
        "airways",
        "university",
        "college",
        "school",
        "institute",
    ]
)
_AR_COMPANY_CUES = frozenset(
    normalise_arabic(w)
    for w in [
        "شركة",
        "شركه",
        "مؤسسة",
        "مؤسسه",
        "مجموعة",
        "مجموعه",
        "بنك",
        "مصرف",
        "هيئة",
        "وزارة",
        "مستشفى",
    ]
)
_EXTRA_TITLE_WORDS = frozenset(
    [
        "developer",
        "engineer",
        "intern",
        "internship",
        "freelancer",
        "freelance",
        "advertiser",
        "student",
        "volunteer",
        "trainee",
        "programmer",
        "consultant",
        "lead",
        "head",
        "manager",
        "executive",
        "officer",
        "analyst",
    ]
)
_NOT_TITLE_WORDS = frozenset(
    [
        "systems",
        "school",
        "business",
        "back",
        "front",
        "member",
        "professional",
        "services",
        "group",
        "agency",
        "bank",
        "company",
        "office",
        "center",
        "centre",
    ]
)


@lru_cache(maxsize=1)
def _title_words() -> frozenset[str]:
    return (get_taxonomy().title_words | _EXTRA_TITLE_WORDS) - _NOT_TITLE_WORDS


def _words(text: str) -> list[str]:
    return re.findall(r"[^\W_]+", normalise_arabic(text).lower())


def is_title_like(text: str) -> bool:
    """Reads as a job title: a title head noun ("Engineer", "مهندس") among its first words."""
    words = _words(text)
    if not words or len(words) > 9:
        return False
    tw = _title_words()
    return any(w in tw or w in _AR_TITLE_WORDS for w in words)


def is_company_like(text: str) -> bool:
    low = normalise_arabic(text).lower()
    words = re.findall(r"[^\s,()]+", low)
    return any(w.strip(".") in _COMPANY_CUES or w in _COMPANY_CUES for w in words) or any(
        w in _AR_COMPANY_CUES for w in _words(text)
    )


_TRIM_CHARS = " \t-–—|•·,;:/[]\u2022"  # a set of characters, each trimmed


def _clean(value: str) -> str:
    """Trim separators, and brackets only when unbalanced ("(Front-End)" keeps its pair)."""
    prev = None
    while prev != value:
        prev = value
        value = value.strip(_TRIM_CHARS)
        if value.endswith(")") and value.count("(") < value.count(")"):
            value = value[:-1]
        if value.startswith("(") and value.count("(") > value.count(")"):
            value = value[1:]
        if value.startswith("(") and value.endswith(")") and value.count("(") == 1:
            value = value[1:-1]
    return value.strip()


def _name_words(part: str) -> tuple[list[str], str] | None:
    """The leading run of name-like words of ``part`` and why it stopped ("" at the end)."""
    out: list[str] = []
    stop = ""
    for raw in part.split():
        w = raw.strip("\"'“”‘’")
        initial = re.match(r"^([A-Z][a-z]+)\.(?:[A-Z]\.?)?$", w)  # "Dibbert.V", "Jacobson."
        if initial:
            out.append(initial.group(1))
            stop = "initial"
            break
        wn = normalise_arabic(w)
        if (
            _PLACEHOLDER.match(w)
            or not _NAME_TOKEN.match(w)
            or w.lower().strip(".") in _NOT_NAME_WORDS
            or wn in _AR_TITLE_WORDS
            or wn in _AR_NOT_NAME
        ):
            stop = "word"
            break
        if w.lower() in _NAME_STOP_TITLES:
            stop = "title"
            break
        if out and w.isupper() and len(w.rstrip(".")) > 1 and not out[0].isupper():
            stop = "caps"  # "Allen Neal King ESB Integration Developer"
            break
        if out and out[0].isupper() and len(out[0].rstrip(".")) > 1 and not w.isupper():
            stop = "caps"  # "MAASMIND Java Training Institute"
            break
        out.append(w)
    return (out, stop) if out else None


def _name_from(text: str) -> str | None:
    """A name at the start of one segment, or None. The name must fill its part of the
    segment, or be followed by a job title, an address number or contact details."""
    t = _NAME_PREFIX.sub("", text.strip())
    part = _NAME_PART_SPLIT.split(t)[0].strip()
    found = _name_words(part)
    if found is None:
        return None
    out, stop = found
    if len(out) > 5 or all(re.fullmatch(r"[A-Z]\.", w) for w in out):
        return None
    words = part.split()
    rest = " ".join(w for w in words[len(out) :] if not _PLACEHOLDER.match(w)).strip()
    if stop == "initial":
        rest = ""
    if rest and not (rest[:1].isdigit() or is_title_like(rest) or "@" in rest):
        return None
    if len(out) == 1 and (rest or len(out[0]) < 3):
        return None  # one word is a name only alone on its line ("Von", "Cassin XXXX")
    english = get_taxonomy().english_words
    if all(w.lower() in english for w in out):
        return None  # "Freelance Software", "Bowling Green": words, not a name
    if out[-1].endswith(".") and len(out[-1]) > 2:
        out[-1] = out[-1].rstrip(".")
    # Copy the span from the segment so odd spacing or punctuation inside survives as written.
    idx = text.find(out[0])
    end = text.find(out[-1], idx) + len(out[-1]) if idx >= 0 else -1
    return text[idx:end] if idx >= 0 and end > idx else " ".join(out)


def _is_place_name(text: str) -> bool:
    if find_place(text):
        return True
    return any(_lookup_place(w)[0] for w in text.split())


def find_name(
    header: Sequence[Segment], everything: Sequence[Segment] = ()
) -> tuple[str, float] | None:
    """The candidate's name from the first segments of the CV, with a confidence. A labelled
    "Name: ..." line anywhere near the top wins."""
    lettered = [s for s in header if re.search(r"[^\W\d_]{2}", s.text)]
    near_top = [s for s in (everything or header) if re.search(r"[^\W\d_]{2}", s.text)]
    for seg in near_top[:30]:
        m = _NAME_LABEL.match(seg.text)
        if m:
            name = _name_from(m.group(1) or m.group(2))
            if name:
                return name, 0.95
    for rank, seg in enumerate(lettered[:8]):
        text = seg.text
        if heading_kind(text) or (_DOC_WORDS.search(text) and not _NAME_PREFIX.match(text)):
            continue
        part = _NAME_PART_SPLIT.split(_NAME_PREFIX.sub("", text.strip()))[0]
        if "@" in part or re.search(r"https?:|www\.", part) or _is_place_name(part):
            continue
        whole_place = find_place(text)
        if whole_place and text.startswith(whole_place.text[: len(part)]):
            continue  # "San Mateo, CA"
        name = _name_from(text)
        if not name:
            continue
        n_words = len(name.split())
        if n_words == 1 and (rank > 0 or name.isupper()):
            continue
        if name.isupper() and rank > 0:
            continue  # an all-capitals line further down is a heading
        return name, max(0.5, 0.9 - 0.08 * rank - (0.2 if n_words == 1 else 0.0))
    return None


# --- employment -------------------------------------------------------------------------------

_BULLET = re.compile(r"^[\-*•·▪●◦★✓➢►■♦>\u2022\u25aa\u25cf\u2713\uf0b7\uf0a7\uf0d8]")
_LABELLED = re.compile(r"^[\w ]{2,30}:\s*\S")  # "Responsibilities: ...", "Client: ..."
_SUFFIX_ONLY = re.compile(r"^(?:inc|ltd|llc|pvt\.? ltd|limited|corp|plc|co)\.?$", re.IGNORECASE)


def _header_like(seg: Segment) -> bool:
    t = seg.text
    if _BULLET.match(t) or len(t) > 110 or len(t.split()) > 12:
        return False
    if t.endswith(".") and not re.search(r"\b(?:ltd|inc|co|corp|pvt|llc)\.$", t, re.IGNORECASE):
        return False
    if re.search(r"[a-z]{3,}\.\s+[A-Z]", t):
        return False  # two sentences: a description line
    if _LABELLED.match(t) and not re.match(
        r"^(?:company|employer|designation|position|role|title)\s*:", t, re.IGNORECASE
    ):
        return False
    return bool(re.search(r"[^\W\d_]", t)) and heading_kind(t) is None


def _strong(seg_text: str) -> bool:
    return is_title_like(seg_text) or is_company_like(seg_text)


@dataclass(slots=True)
class _Part:
    text: str
    line: int
    at_right: bool  # came after " at ": a company
    a: int  # offsets in its line
    b: int


_AT = re.compile(r"\s+(?:at|@|في|لدى)\s+")
_PIECE_SPLIT = re.compile(r"\s+[-–—|]\s+|\s*[|,،]\s*|\s+-(?=\s|$)")
_LINE_LABEL = re.compile(
    r"^(?:company|employer|designation|position|role|title)\s*:\s*", re.IGNORECASE
)


def _parts(lines: Sequence[str]) -> list[_Part]:
    """Header lines cut at separators; a part after " at " is a company. Parts stay slices of
    their line ("COMPANY, INC." is kept whole, not re-joined)."""
    out: list[_Part] = []
    for li, line in enumerate(lines):
        lab = _LINE_LABEL.match(line)
        base = lab.end() if lab else 0
        m_at = _AT.search(line, base)
        chunks = [(base, len(line), False)]
        if m_at:
            chunks = [(base, m_at.start(), False), (m_at.end(), len(line), True)]
        for c_start, c_end, right in chunks:
            pos = c_start
            cuts = [m for m in _PIECE_SPLIT.finditer(line, c_start, c_end)]
            bounds = [(pos, cuts[0].start())] if cuts else [(pos, c_end)]
            for cut, nxt in zip(cuts, [*cuts[1:], None], strict=False):
                bounds.append((cut.end(), nxt.start() if nxt else c_end))
            prev_bound: tuple[int, int] | None = None
            for a, b in bounds:
                piece = _clean(line[a:b])
                if not piece:
                    continue
                if _SUFFIX_ONLY.match(piece) and prev_bound and out and out[-1].line == li:
                    out[-1].text = _clean(line[prev_bound[0] : b])
                    out[-1].b = b
                    continue
                out.append(_Part(piece, li, right, a, b))
                prev_bound = (a, b)
    return out


def _title_company_location(lines: Sequence[str]) -> tuple[str | None, str | None, str | None]:
    """Title, company and location among the parts of an entry's header lines."""
    parts = [p for p in _parts(lines) if re.search(r"[^\W\d_]", p.text)]
    title = company = None
    loc: _Part | None = None
    loc_k = -1
    rest: list[_Part] = []
    for k, p in enumerate(parts):
        place = find_place(p.text) if not is_company_like(p.text) else None
        if place:
            if loc is None:
                loc, loc_k = p, k
                # "San Francisco, USA": an unknown capitalised part just before a known place
                # belongs to it, when a company or title was already read on that line.
                prev = parts[k - 1] if k else None
                if (
                    prev is not None
                    and prev.line == p.line
                    and rest
                    and rest[-1] is prev
                    and (title or company)
                    and re.fullmatch(r"[A-Z][\w.' -]{1,30}", prev.text)
                    and lines[p.line][prev.b : p.a].strip() in (",", "،")
                ):
                    rest.pop()
                    loc = _Part(_clean(lines[p.line][prev.a : p.b]), p.line, False, prev.a, p.b)
            elif loc.line == p.line and loc_k == k - 1:
                loc = _Part(_clean(lines[p.line][loc.a : p.b]), p.line, False, loc.a, p.b)
                loc_k = k
            continue
        if p.at_right and company is None:
            company = p.text
        elif is_title_like(p.text) and title is None and not p.at_right:
            title = p.text
        elif is_company_like(p.text) and company is None:
            company = p.text
        else:
            rest.append(p)
    for p in rest:
        if len(p.text.split()) > 8:
            continue
        if company is None:
            company = p.text
        elif title is None:
            title = p.text
    return title, company, loc.text if loc else None


def _range_segments(
    segs: Sequence[Segment], ranges: Sequence[DateRange]
) -> list[tuple[int, int, DateRange]]:
    """For each range, the first and last segment index it touches."""
    out = []
    for r in ranges:
        idx = [i for i, s in enumerate(segs) if s.start < r.end and r.start < s.end]
        if idx:
            out.append((idx[0], idx[-1], r))
    return out


def _residual(text: str, seg: Segment, r: DateRange) -> str:
    """What a segment says besides its date range ("Developer, Acme (2019 - 2021)")."""
    a, b = max(seg.start, r.start), min(seg.end, r.end)
    before = text[seg.start : a]
    after = text[b : seg.end]
    before = re.sub(
        r"(?:from|since|duration|period|dates?|منذ|من)\s*:?\s*$", "", before, flags=re.IGNORECASE
    )
    return _clean(_clean(before) + " | " + _clean(after))


def _has_word(seg: Segment) -> bool:
    return re.search(r"[^\W_]", seg.text) is not None


def _header_run(segs: Sequence[Segment], i: int, stop: int, step: int) -> list[Segment]:
    """Header-like segments walking from ``i`` towards ``stop`` (exclusive): at most three
    segments on at most two lines; bare separators ("-") are stepped over. A farther line is
    kept only when it names a title or a company itself."""
    out: list[Segment] = []
    lines: list[int] = []
    while i != stop and 0 <= i < len(segs) and len(out) < 3:
        seg = segs[i]
        if not _has_word(seg):
            i += step
            continue
        if not _header_like(seg):
            break
        if seg.line not in lines:
            if len(lines) == 2:
                break
            lines.append(seg.line)
        out.append(seg)
        i += step
    if len(lines) == 2:
        far = [s for s in out if s.line == lines[1]]
        if not any(_strong(s.text) for s in far):
            out = [s for s in out if s.line == lines[0]]
    if step < 0:
        out.reverse()
    return out


def _after_index(segs: Sequence[Segment], after: Sequence[Segment], last: int) -> int:
    return segs.index(after[-1], last + 1) + 1 if after else last + 1


def parse_employment(
    text: str,
    segs: Sequence[Segment],
    today: date | None = None,
    ranges: Sequence[DateRange] | None = None,
) -> tuple[list[Employment], list[DateRange]]:
    """Jobs anchored on the date ranges found in ``segs`` (the experience section)."""
    if not segs:
        return [], []
    lo, hi = segs[0].start, segs[-1].end
    if ranges is None:
        ranges = find_date_ranges(text, today)
    ranges = [r for r in ranges if lo <= r.start and r.end <= hi]
    anchors = _range_segments(segs, ranges)
    # Two ranges on one segment (a job and a sub-role) anchor one entry.
    merged: list[tuple[int, int, DateRange]] = []
    for a in anchors:
        if merged and a[0] <= merged[-1][1]:
            continue
        merged.append(a)
    jobs: list[Employment] = []
    used: list[DateRange] = []
    for k, (first, last, r) in enumerate(merged):
        prev_end = merged[k - 1][1] + 1 if k else 0
        next_start = merged[k + 1][0] if k + 1 < len(merged) else len(segs)
        own = [_residual(text, segs[i], r) for i in range(first, last + 1)]
        own = [o for o in own if re.search(r"[^\W\d_]", o) and len(o.split()) <= 12]
        before = _header_run(segs, first - 1, prev_end - 1, -1)
        after = _header_run(segs, last + 1, next_start, 1)
        header: list[str] = list(own)
        desc_from = last + 1
        if own and _BULLET.match(segs[first].text):
            header = []  # a date inside a bullet of the description names no job
        if not header or not any(_strong(h) for h in header):
            if any(_strong(s.text) for s in before):
                header = [s.text for s in before] + header
            elif any(_strong(s.text) for s in after):
                header = header + [s.text for s in after]
                desc_from = _after_index(segs, after, last)
            elif before:
                header = [s.text for s in before] + header
            elif after:
                header = header + [s.text for s in after]
                desc_from = _after_index(segs, after, last)
        title, company, location = _title_company_location(header)
        # The next entry's header lines are not this one's description.
        desc_to = next_start
        if k + 1 < len(merged):
            nxt_before = _header_run(segs, next_start - 1, desc_from - 1, -1)
            if nxt_before:
                desc_to = segs.index(nxt_before[0], desc_from)
        desc = " ".join(s.text for s in segs[desc_from:desc_to])[:1500].strip() or None
        if title is None and company is None:
            continue
        jobs.append(
            Employment(
                title=title,
                company=company,
                location=location,
                start=r.start_str,
                end=r.end_str,
                current=r.current,
                description=desc,
            )
        )
        used.append(r)
    return jobs, used


# --- education --------------------------------------------------------------------------------

_DEGREES: tuple[tuple[EducationLevel, re.Pattern[str]], ...] = (
    (
        "doctorate",
        re.compile(
            r"\b(?:Ph\.?\s?D\.?|Doctorate|Doctor\s+of\s+\w+|D\.?Phil)(?!\w)|دكتوراه|الدكتوراه",
            re.IGNORECASE,
        ),
    ),
    (
        "master",
        re.compile(
            r"\b(?:Master'?s?(?:\s+(?:of|in)\b|\s+degree\b|\b)|M\.?\s?Sc\.?|M\.?B\.?A\b\.?|MBA"
            r"|M\.?\s?Tech\b\.?|M\.?\s?Eng\b\.?|M\.?C\.?A\b\.?|M\.?\s?Com\b\.?|LL\.?M\b\.?"
            r"|M\.S\.|M\.A\.|M\.E\b\.?|Post[- ]?Graduat\w*|PGDM|MS(?=\s*(?:in\b|\(|,|-))"
            r"|MA(?=\s+in\b)|ME(?=\s+in\b))|ماجستير|الماجستير",
        ),
    ),
    (
        "bachelor",
        re.compile(
            r"\b(?:Bachelor'?s?(?:\s+(?:of|in)\b|\s+degree\b|\b)|B\.?\s?Sc\.?|B\.?\s?Tech\b\.?"
            r"|B\.E\b\.?|B\.?\s?Eng\b\.?|BEng|B\.?B\.?A\b\.?|B\.?C\.?A\b\.?|B\.?\s?Com\b\.?"
            r"|LL\.?B\b\.?|B\.S\.|B\.A\.|MBBS|BE(?=\s*(?:in\b|\(|,|-))|BS(?=\s*(?:in\b|\(|,|-))"
            r"|BA(?=\s+in\b)|Graduat(?:e|ion)\s+in\b|Undergraduate)|بكالوريوس|البكالوريوس|ليسانس|الليسانس",
        ),
    ),
    (
        "diploma",
        re.compile(
            r"\b(?:Diploma|Associate'?s?\s+Degree|Associate\s+of|HND|Higher\s+National\s+Diploma)\b"
            r"|دبلوم|الدبلوم",
            re.IGNORECASE,
        ),
    ),
    (
        "high_school",
        re.compile(
            r"\b(?:High\s+School|Secondary\s+School|Higher\s+Secondary|Senior\s+Secondary|SSC|HSC"
            r"|SSLC|12th|10th|A[- ]Levels?|GCSE|Matriculation)\b|الثانوية العامة|الثانوية|ثانوية",
            re.IGNORECASE,
        ),
    ),
)
_INSTITUTION = re.compile(
    r"\b(?:university|college|institute|institution|school|academy|polytechnic|iit|nit"
    r"|faculty|universit\w+)\b|جامعة|جامعه|كلية|كليه|معهد|أكاديمية|اكاديمية",
    re.IGNORECASE,
)
_NOT_INST = re.compile(
    r"(?i)^\s*(?:specialization|specialisation|major|minor|concentration|gpa|cgpa|grade|honou?rs"
    r"|with|thesis|overall|percentage|score|class|division|first|second|distinction|cum laude"
    r"|magna|summa|graduated|expected)\b"
)
_DEGREE_END = re.compile(r"\s*(?:[,;|(–—]|\s-\s|\bfrom\b|\bat\b|\b(?:19|20)\d\d\b|من\s|في\s+جامعة)")


def _degree_span(seg_text: str, m: re.Match[str]) -> tuple[str, str | None]:
    """The degree phrase starting at ``m`` ("Bachelor of Science in Computer Science", "B.Tech")
    and its field ("Computer Science") when one follows "in" / "في"."""
    rest = seg_text[m.start() :]
    end = _DEGREE_END.search(rest, m.end() - m.start())
    phrase = rest[: end.start()] if end else rest
    words = phrase.split()
    if len(words) > 12:
        phrase = phrase[: phrase.index(words[11]) + len(words[11])]
    cut = re.search(
        r"\s+(?:in|majoring\s+in|with\s+(?:a\s+)?major\s+in)\s+|\s+في\s+|\s*[-–:]\s+", phrase
    )
    fld = None
    if cut and cut.start() >= len(m.group().rstrip(". ")):
        # The degree keeps its field, as CVs and both labelled sets write it; ``field`` repeats
        # the field alone for filters.
        fld = phrase[cut.end() :].strip(" .,:-") or None
    phrase = phrase.strip(" ,:-")
    if phrase.endswith(".") and not m.group().endswith(".") and phrase.count(".") == 1:
        phrase = phrase[:-1]  # sentence full stop, not "B.E."
    return phrase, fld


def parse_education(
    text: str,
    segs: Sequence[Segment],
    today: date | None = None,
    ranges: Sequence[DateRange] | None = None,
) -> list[Education]:
    """One entry per degree mention, with institution and years from the same or next lines."""
    out: list[Education] = []
    if ranges is None:
        ranges = find_date_ranges(text, today)
    years = list(re.finditer(r"(?<!\d)(?:19[5-9]\d|20[0-4]\d)(?!\d)", _digits_ascii(text)))
    for i, seg in enumerate(segs):
        # The degree written first on the line: "High School Diploma" is a school certificate.
        hits = [
            (m.start(), -len(m.group()), k)
            for k, (_, rx) in enumerate(_DEGREES)
            if (m := rx.search(seg.text))
        ]
        for _, _, k in sorted(hits)[:1]:
            level, rx = _DEGREES[k]
            m = rx.search(seg.text)
            if m is None:
                continue
            degree, fld = _degree_span(seg.text, m)
            if not degree:
                continue
            inst = None
            near = [seg, *segs[i + 1 : i + 3], *segs[max(0, i - 1) : i]]
            for s in near:
                for part in re.split(r"\s*[,|–—]\s*|\s+-\s+", s.text):
                    if (
                        _INSTITUTION.search(part)
                        and not rx.search(part)
                        and not _NOT_INST.match(part)
                    ):
                        inst = _clean(part)
                        break
                if inst:
                    break
            if inst is None:
                tail = seg.text[m.start() + len(degree) :]
                first = next(
                    (
                        p
                        for p in re.split(r"\s*[,|]\s*", tail)
                        if _clean(p) and not _NOT_INST.match(_clean(p))
                    ),
                    None,
                )
                if first and not find_place(first) and not re.search(r"\d", first):
                    inst = _clean(first) or None
            lo, hi = seg.start, seg.end
            nxt = segs[i + 1] if i + 1 < len(segs) else None
            start = end = None
            rng = next((r for r in ranges if r.start < hi and lo < r.end), None)
            if rng is None and nxt is not None:
                rng = next((r for r in ranges if r.start < nxt.end and nxt.start < r.end), None)
            if rng is not None:
                start, end = rng.start_str, rng.end_str
            else:
                ys = [y for y in years if lo <= y.start() < hi]
                if (
                    not ys
                    and nxt is not None
                    and not any(rx2.search(nxt.text) for _, rx2 in _DEGREES)
                ):
                    ys = [y for y in years if nxt.start <= y.start() < nxt.end]
                if ys:
                    end = ys[-1].group()
            out.append(
                Education(
                    degree=degree, field=fld, institution=inst, start=start, end=end, level=level
                )
            )
            break  # one degree per segment
    return out


def degree_level(degree: str) -> EducationLevel | None:
    """The education level a degree phrase names ("MSc in Data Science" -> master), or None."""
    hits = [
        (m.start(), -len(m.group()), k)
        for k, (_, rx) in enumerate(_DEGREES)
        if (m := rx.search(degree))
    ]
    return _DEGREES[min(hits)[2]][0] if hits else None


def highest_level(entries: Iterable[Education]) -> EducationLevel | None:
    levels = [e.level for e in entries if e.level]
    return max(levels, key=EDUCATION_ORDER.index) if levels else None


# --- languages --------------------------------------------------------------------------------

_LANGUAGES: dict[str, str] = {
    normalise_arabic(k).lower(): v
    for k, v in {
        "English": "English",
        "Arabic": "Arabic",
        "Hindi": "Hindi",
        "Urdu": "Urdu",
        "French": "French",
        "German": "German",
        "Spanish": "Spanish",
        "Tagalog": "Tagalog",
        "Filipino": "Filipino",
        "Malayalam": "Malayalam",
        "Tamil": "Tamil",
        "Telugu": "Telugu",
        "Bengali": "Bengali",
        "Bangla": "Bengali",
        "Russian": "Russian",
        "Chinese": "Chinese",
        "Mandarin": "Chinese",
        "Persian": "Persian",
        "Farsi": "Persian",
        "Turkish": "Turkish",
        "Italian": "Italian",
        "Portuguese": "Portuguese",
        "Japanese": "Japanese",
        "Korean": "Korean",
        "Kannada": "Kannada",
        "Marathi": "Marathi",
        "Gujarati": "Gujarati",
        "Punjabi": "Punjabi",
        "Sinhala": "Sinhala",
        "Nepali": "Nepali",
        "Swahili": "Swahili",
        "Indonesian": "Indonesian",
        "Malay": "Malay",
        "Dutch": "Dutch",
        "Greek": "Greek",
        "Kurdish": "Kurdish",
        "Pashto": "Pashto",
        "Somali": "Somali",
        "Amharic": "Amharic",
        "العربية": "Arabic",
        "اللغة العربية": "Arabic",
        "عربي": "Arabic",
        "الإنجليزية": "English",
        "الانجليزية": "English",
        "الإنكليزية": "English",
        "اللغة الإنجليزية": "English",
        "اللغة الانجليزية": "English",
        "انجليزي": "English",
        "إنجليزي": "English",
        "الفرنسية": "French",
        "اللغة الفرنسية": "French",
        "الهندية": "Hindi",
        "الأردية": "Urdu",
        "الألمانية": "German",
        "الإسبانية": "Spanish",
        "التركية": "Turkish",
        "الفارسية": "Persian",
        "الروسية": "Russian",
        "الصينية": "Chinese",
    }.items()
}
_PROFICIENCY: tuple[tuple[Proficiency, str], ...] = (
    (
        "native",
        r"native|mother\s*tongue|first\s+language|اللغة\s+الام|لغة\s+ام|اللغه\s+الام|لغه\s+ام|الام",
    ),
    (
        "fluent",
        r"fluent|fluency|bilingual|excellent|c2|c1|full\s+professional|بطلاقة|طلاقة|ممتاز|ممتازة",
    ),
    (
        "professional",
        r"professional|proficient|advanced|very\s+good|b2|working\s+proficiency|جيد\s+جدا|متقدم",
    ),
    ("intermediate", r"intermediate|good|conversational|b1|limited\s+working|جيد|متوسط"),
    ("basic", r"basic|beginner|elementary|a1|a2|fair|مبتدئ|اساسي|أساسي|ضعيف"),
)
_LANG_LINE = re.compile(
    r"^\s*(?:languages?(?:\s+(?:known|spoken|proficiency))?|اللغات)\s*[:\-]\s*(.+)$", re.IGNORECASE
)


def parse_languages(items: Iterable[str]) -> list[Language]:
    """Human languages named in the given lines, each with the proficiency written next to it."""
    found: dict[str, Language] = {}
    for item in items:
        norm = normalise_arabic(item).lower()
        hits = []
        for key, lang in _LANGUAGES.items():
            for m in re.finditer(rf"(?<![\w]){re.escape(key)}(?![\w])", norm):
                hits.append((m.start(), m.end(), lang))
        hits.sort()
        # Drop hits inside a longer one ("العربية" within "اللغة العربية").
        kept = [h for h in hits if not any(o != h and o[0] <= h[0] and h[1] <= o[1] for o in hits)]
        for k, (_a, b, lang) in enumerate(kept):
            stop = kept[k + 1][0] if k + 1 < len(kept) else len(norm)
            window = norm[b:stop]
            if k == len(kept) - 1 and len(kept) > 1:
                window = norm[b:]
            prof: Proficiency | None = None
            for level, rx in _PROFICIENCY:
                if re.search(rf"(?<!\w)(?:{normalise_arabic(rx)})(?!\w)", window):
                    prof = level
                    break
            if lang not in found or (prof and not found[lang].proficiency):
                found[lang] = Language(language=lang, proficiency=prof)
    return list(found.values())


# --- skills -----------------------------------------------------------------------------------

_ITEM_SPLIT = re.compile(r"\s*(?:[,;|•·▪●◦★✓➢►■♦\u2022\uf0b7\uf0a7،]|\s-\s|\band\b)\s*")


def _skill_items(text: str, sec: Section) -> list[str]:
    """The items of a SKILLS section. Lines wrapped by the PDF ("Project\nmanagement") are
    joined back; a new line starts a new item only after a separator or before a bullet."""
    if not sec.segments:
        return []
    lo, hi = sec.span
    body = text[lo:hi]
    body = re.sub(r"\n(?=\s*[\-*•·▪●◦★✓➢►■♦\u2022\uf0b7\uf0a7])", " ; ", body)
    body = re.sub(r"\n(?=[^\n:]{1,40}:)", " ; ", body)  # "Databases: ..." starts a new group
    body = re.sub(r"\s*\n\s*|[ \t]{2,}", " ; ", body) if "\n" in body and "," not in body else body
    body = re.sub(r"\s*\n\s*", " ", body)
    # "C# (2 years) .NET (1 year)": the duration ends an item.
    body = re.sub(r"\((?:[^)]*(?:year|month|yr)[^)]*)\)", " ; ", body, flags=re.IGNORECASE)
    items: list[str] = []
    for group in re.split(r"\s;\s", body):
        group = re.sub(r"^[^:]{1,40}:\s*", "", _clean(group))
        for piece in _ITEM_SPLIT.split(group):
            piece = _clean(re.sub(r"\s*\([^)]*\)?$", "", piece))
            if piece and len(piece.split()) <= 4 and re.search(r"[^\W\d_]{2}", piece):
                items.append(piece)
    return items


def _inside_any(spans: Sequence[tuple[int, int]], pos: int) -> bool:
    return any(a <= pos < b for a, b in spans)


def parse_skills(
    text: str,
    skill_sections: Sequence[Section],
    contact_spans: Sequence[tuple[int, int]] = (),
    ignore: Iterable[str] = (),
    language_spans: Sequence[tuple[int, int]] = (),
) -> tuple[list[Skill], float]:
    """Skills from the whole text (SKILLS sections count as skills context) plus the SKILLS
    section items the dictionary did not see, resolved one by one; deduplicated by id.
    Contact lines ("linkedin.com/in/...", "GitHub: x") are not skill claims, nor are the names in
    ``ignore`` (the CV's employers: "Google" the company is not Google the tool)."""
    ignore = {i.lower() for i in ignore}
    spans = [s.span for s in skill_sections if s.segments]
    matches = [
        m
        for m in extract_skills(text, context_spans=spans)
        if not any(a <= m.start and m.end <= b for a, b in contact_spans)
    ]
    out: list[Skill] = []
    seen_ids: set[str] = set()
    seen_names: set[str] = set()
    for m in matches:
        if m.skill_id in seen_ids:
            continue
        name = " ".join(m.surface.split())
        if name.lower() in ignore:
            continue
        if is_not_a_skill(name, in_languages=_inside_any(language_spans, m.start)):
            continue
        seen_ids.add(m.skill_id)
        seen_names.add(name.lower())
        out.append(Skill(name=name, skill_id=m.skill_id))
    matcher = get_matcher()
    for sec in skill_sections:
        in_lang = _inside_any(language_spans, sec.span[0])
        for item in _skill_items(text, sec):
            if item.lower() in seen_names or is_not_a_skill(item, in_languages=in_lang):
                continue
            ref = matcher.lookup(item, fuzzy=False)
            if ref is not None and ref.skill_id in seen_ids:
                continue
            seen_names.add(item.lower())
            if ref is not None:
                seen_ids.add(ref.skill_id)
            out.append(Skill(name=item, skill_id=ref.skill_id if ref else None))
    conf = 0.85 if spans else (0.6 if out else 0.0)
    return out, conf


_LEADING_DATE = re.compile(
    rf"^\s*(?:{_DATE})(?:\s*[-–—]\s*(?:{_DATE}|{_PRESENT}))?\s*[:\-–—]?\s*", re.IGNORECASE
)
_CONTACT_CUE = re.compile(
    r"@|https?:|www\.|linkedin|github|twitter|facebook|skype|instagram", re.IGNORECASE
)

# --- the parser -------------------------------------------------------------------------------


def _language_of(text: str) -> CvLanguage:
    arabic = len(re.findall(r"[\u0600-\u06FF]", text))
    latin = len(re.findall(r"[A-Za-z]", text))
    return "ar" if arabic > 0.4 * (arabic + latin) and arabic > 0 else "en"


def _headline(header: Sequence[Segment], name: str | None) -> str | None:
    """A job title written under the name at the top of the CV."""
    seen_name = name is None
    for seg in header[:8]:
        t = seg.text
        if name and name in t:
            seen_name = True
            rest = _clean(t[t.index(name) + len(name) :])
            if rest and is_title_like(rest) and not re.search(r"\d|@", rest):
                return re.split(r"\s+[-–—|]\s+", rest)[0].strip() or None
            continue
        if not seen_name or "@" in t or re.search(r"\d{3}", t) or heading_kind(t):
            continue
        first = re.split(r"\s+[-–—|]\s+|\s*[,|]\s*", _NAME_PREFIX.sub("", t))[0].strip()
        if (
            first
            and is_title_like(first)
            and len(first.split()) <= 8
            and not find_place(first)
            and not _DOC_WORDS.search(first)
        ):
            return _clean(first) or None
    return None


def prepare_text(text: str) -> str:
    """Line ends unified, NULs blanked, cut at :data:`MAX_TEXT_CHARS` (what every parser reads)."""
    return text.replace("\r\n", "\n").replace("\r", "\n").replace("\x00", " ")[:MAX_TEXT_CHARS]


def stated_years(text: str) -> float | None:
    """The largest "N years of experience" the text states ("over 7 years of experience")."""
    found = [
        float(m.group("n") or m.group("ar")) for m in _STATED_YEARS.finditer(_digits_ascii(text))
    ]
    found = [y for y in found if 0 < y <= 50]
    return max(found) if found else None


_warned_missing = False


def parse_cv(text: str, *, today: date | None = None) -> StructuredCV:
    """Parse a CV's plain text (English or Arabic) into a :class:`StructuredCV`.

    ``TABASHIR_INGEST_CV_PARSER`` picks the parser: ``model`` (the default: the trained span
    model plus the exact rules, :func:`ingestion.cv_structure.parse_cv_model`) or ``rules``
    (:func:`parse_cv_rules` alone). Deterministic for a given ``today`` (which only bounds
    "Present" in the total years of experience). Never raises on odd input.
    """
    if not isinstance(text, str):
        raise TypeError("parse_cv expects the CV's text as str")
    from ingestion.settings import get_ingestion_settings

    if get_ingestion_settings().cv_parser == "model":
        from ingestion import cv_ner

        if cv_ner.model_available():
            from ingestion.cv_structure import parse_cv_model

            return parse_cv_model(text, today=today)
        global _warned_missing
        if not _warned_missing:
            _warned_missing = True
            import logging

            logging.getLogger(__name__).warning(
                "no trained CV span model in %s (or spaCy missing): parsing with the rules",
                cv_ner.MODEL_DIR,
            )
    return parse_cv_rules(text, today=today)


def parse_cv_rules(text: str, *, today: date | None = None) -> StructuredCV:
    """The rule parser: regular expressions, word lists and the skill taxonomy.

    Pure and deterministic for a given ``today``. Never raises on odd input: unparseable parts
    stay empty.
    """
    if not isinstance(text, str):
        raise TypeError("parse_cv expects the CV's text as str")
    text = prepare_text(text)
    today = today or date.today()
    segs = segments(text)
    sections = split_sections(text, segs)
    by_kind: dict[str, list[Section]] = {}
    for sec in sections:
        by_kind.setdefault(sec.kind, []).append(sec)
    header = by_kind["header"][0].segments
    conf: dict[str, float] = {}

    # Contact details.
    personal = Personal()
    emails = find_emails(text)
    if emails:
        personal.email = emails[0][0]
        conf["email"] = 0.99
    phones = find_phones(text)
    if phones:
        best = next((p for p in phones if p.valid), phones[0])
        personal.phone, personal.phone_e164 = best.text, best.e164
        conf["phone"] = 0.95 if best.valid else 0.7
    linkedin = find_linkedin(text)
    if linkedin:
        personal.linkedin = linkedin
        conf["linkedin"] = 0.95
    top = header if header else segs[:10]
    named = find_name(top if top else segs[:10], segs) or find_name(segs[:6])
    if named:
        personal.name, conf["name"] = named
    place = None
    for seg in top[:12]:
        for part in re.split(r"\s+[-–—|•·]\s+|\s*[|•·]\s*", seg.text):
            if personal.name and part.startswith(personal.name):
                part = part[len(personal.name) :].lstrip(" ,")  # "Name, City - Email me ..."
            place = find_place(part)
            if place and place.text != personal.name:
                break
            place = None
        if place:
            break
    if place is None:
        # A Gulf city named near the top ("Dubai" alone on a contact line).
        for seg in top[:15]:
            m = _city_regex().search(normalise_arabic(seg.text).lower())
            if m:
                place = find_place(seg.text) or Place(
                    _clean(seg.text) if len(seg.text) <= 40 else "", *_CITIES[m.group()]
                )
                break
    if place and place.text:
        personal.location, personal.city, personal.country = place.text, place.city, place.country
        conf["location"] = 0.8 if place.city or place.country else 0.6

    # Experience: the experience sections, or when there is none, everything but education.
    exp_segs = [s for sec in by_kind.get("experience", []) for s in sec.segments]
    if not exp_segs:
        skip = {"education", "certifications", "projects", "languages", "skills"}
        exp_segs = [s for sec in sections if sec.kind not in skip for s in sec.segments]
    all_ranges = find_date_ranges(text, today)
    employment, ranges = parse_employment(text, exp_segs, today, all_ranges)
    if employment:
        conf["employment"] = 0.75 if by_kind.get("experience") else 0.5
    years = total_years(ranges, today)
    if years is not None:
        conf["total_years_experience"] = 0.8
    else:
        stated = stated_years(text)
        if stated is not None:
            years = stated
            conf["total_years_experience"] = 0.5

    edu_segs = [s for sec in by_kind.get("education", []) for s in sec.segments]
    education = parse_education(text, edu_segs or segs, today, all_ranges)
    if education:
        conf["education"] = 0.8 if edu_segs else 0.5
    highest = highest_level(education)
    if highest:
        conf["highest_education"] = conf["education"]

    phone_starts = [p.start for p in phones]
    contact_spans = [
        (s.start, s.end)
        for s in segs
        if _CONTACT_CUE.search(s.text) or any(s.start <= p < s.end for p in phone_starts)
    ]
    if named and personal.name:
        at = text.find(personal.name)
        if at >= 0:
            contact_spans.append((at, at + len(personal.name)))
    # Section headings ("EMPLOYMENT HISTORY") are not skill claims either.
    contact_spans += [(sec.heading.start, sec.heading.end) for sec in sections if sec.heading]
    companies = [e.company for e in employment if e.company]
    lang_spans = [sec.span for sec in by_kind.get("languages", [])]
    lang_spans += [(s.start, s.end) for s in segs if _LANG_LINE.match(s.text)]
    skills, skills_conf = parse_skills(
        text, by_kind.get("skills", []), contact_spans, ignore=companies, language_spans=lang_spans
    )
    if skills:
        conf["skills"] = skills_conf

    lang_lines = [s.text for sec in by_kind.get("languages", []) for s in sec.segments]
    lang_lines += [m.group(1) for s in segs if (m := _LANG_LINE.match(s.text))]
    languages = parse_languages(lang_lines)
    if languages:
        conf["languages"] = 0.85

    certifications = [
        _clean(s.text)
        for sec in by_kind.get("certifications", [])
        for s in sec.segments
        if len(_clean(s.text)) > 2
    ][:30]
    projects = []
    for sec in by_kind.get("projects", []):
        for s in sec.segments:
            item = _clean(_LEADING_DATE.sub("", s.text))
            if len(re.findall(r"[^\W\d_]{2,}", item)) < 2 or not item[:1].isupper():
                continue  # a wrapped description line, a page number
            if _header_like(s) or re.match(r"(?i)^(?:personal\s+|academic\s+)?project\s*:", item):
                projects.append(item)
    projects = projects[:30]
    summary_text = " ".join(s.text for sec in by_kind.get("summary", []) for s in sec.segments)
    summary = summary_text[:2000].strip() or None
    if summary:
        conf["summary"] = 0.8

    title = _headline(top, personal.name)
    if title:
        conf["title"] = 0.7
    elif employment and employment[0].title:
        title = employment[0].title
        conf["title"] = 0.5
    if certifications:
        conf["certifications"] = 0.7
    if projects:
        conf["projects"] = 0.6

    return StructuredCV(
        personal=personal,
        title=title,
        summary=summary,
        employment=employment,
        education=education,
        skills=skills,
        languages=languages,
        certifications=certifications,
        projects=projects,
        total_years_experience=years,
        highest_education=highest,
        language=_language_of(text),
        confidence={k: round(v, 3) for k, v in conf.items()},
    )
