"""Pure normalisers for job-feed fields: places, salaries, job type, work mode, experience,
required/preferred requirement lines, and the company/title keys duplicate detection uses.

English and Arabic, as Gulf job ads write them. Every function takes untrusted text and returns
``None`` (or an empty result) when it cannot tell, never raises on odd input.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import Final, TypeVar

from ingestion.jobs.places import (
    CAPITAL_BY_COUNTRY_NAME,
    CITIES,
    COUNTRIES,
    COUNTRY_CURRENCY,
    WHOLE_PART_ONLY,
)
from ingestion.jobs.text import fold, fold_letters, key
from models.enums import JobType, SalaryPeriod, WorkMode

__all__ = [
    "COUNTRY_CURRENCY",
    "CityRef",
    "SalaryRange",
    "currency_code",
    "normalise_city",
    "normalise_company",
    "normalise_country",
    "normalise_title",
    "parse_experience",
    "parse_job_type",
    "parse_salary",
    "parse_work_mode",
    "requirement_lines",
    "salary_from_parts",
    "split_requirements",
]


_T = TypeVar("_T")
# Feeds repeat the same short values (cities, salary texts, job types, requirement lines)
# thousands of times: the pure functions memoise values up to this length.
_MEMO_CHARS: Final = 300
_MEMO_SIZE: Final = 16_384


def _rx(pattern: str, flags: int = 0) -> re.Pattern[str]:
    """Compile a pattern meant for folded text, folding its Arabic the same way (أ→ا, ى→ي, ة→ه),
    so that a pattern written with ordinary spelling still matches."""
    return re.compile(fold_letters(pattern), flags)


# --------------------------------------------------------------------------------------------
# Places
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CityRef:
    """A canonical English city name (or ``None`` when only the country is known) and its
    ISO 3166-1 alpha-2 country code."""

    city: str | None
    country: str


def _place_tables() -> tuple[
    dict[str, tuple[str, str]],
    dict[str, tuple[str, str]],
    dict[str, str],
    dict[str, str],
    dict[str, str],
]:
    whole_only = {key(a) for a in WHOLE_PART_ONLY}
    city_whole: dict[str, tuple[str, str]] = {}
    city_scan: dict[str, tuple[str, str]] = {}
    for city, country, aliases in CITIES:
        for alias in (city, *aliases):
            k = key(alias)
            compact = k.replace(" ", "")
            city_whole[k] = city_whole[compact] = (city, country)
            if k not in whole_only:
                city_scan[k] = (city, country)
                if len(compact) >= 5:
                    city_scan[compact] = (city, country)
    country_whole: dict[str, str] = {}
    country_scan: dict[str, str] = {}
    for code, names in COUNTRIES.items():
        for name in names:
            k = key(name)
            country_whole[k] = country_whole[k.replace(" ", "")] = code
            if k not in whole_only:
                country_scan[k] = code
    capitals = {key(name): city for name, city in CAPITAL_BY_COUNTRY_NAME.items()}
    return city_whole, city_scan, country_whole, country_scan, capitals


_CITY_WHOLE, _CITY_SCAN, _COUNTRY_WHOLE, _COUNTRY_SCAN, _CAPITALS = _place_tables()
_MAX_ALIAS_TOKENS: Final = max(len(k.split()) for k in (*_CITY_SCAN, *_COUNTRY_SCAN))
# Parts of a location: "Dubai, UAE", "Dubai - United Arab Emirates", "Remote (UAE)", "دبي / الإمارات".
# A bare hyphen stays inside names ("Al-Ain", "Ras Al-Khaimah"); a spaced one or a dash splits.
_PARTS = re.compile(r"[,;/|()\[\]{}:]|\s-+\s|\s-+|-+\s")
_REMOTE = _rx(r"\bremote\b|work from home|\bwfh\b|anywhere|عن بعد|من المنزل")
_ARABIC_PREFIXES: Final = frozenset("وبلف")  # attached "and", "in", "to", "so": بدبي, وجدة


def _scan(tokens: list[str], table: dict[str, _T]) -> _T | None:
    """Earliest, then longest, alias found as a run of whole tokens."""
    for i in range(len(tokens)):
        for n in range(min(_MAX_ALIAS_TOKENS, len(tokens) - i), 0, -1):
            run = tokens[i : i + n]
            hit = table.get(" ".join(run))
            if hit is None and len(run[0]) > 3 and run[0][0] in _ARABIC_PREFIXES:
                hit = table.get(" ".join([run[0][1:], *run[1:]]))
            if hit is not None:
                return hit
    return None


def normalise_city(raw: str | None) -> CityRef | None:
    """Resolve a free-text location to a canonical Gulf city and country.

    Accepts English and Arabic names, transliterations, airport-style codes (DXB, AUH, RAK),
    "City, Country" / "City - Country" / "Remote (Country)" forms, and well-known districts
    (JLT, DIFC, Mussafah). A country alone gives ``CityRef(None, country)``; anything outside the
    GCC, or unrecognised, gives ``None``.
    """
    if not raw or not raw.strip():
        return None
    return _city_memo(raw) if len(raw) <= _MEMO_CHARS else _city(raw)


def _city(raw: str) -> CityRef | None:
    # Dashes split before folding turns them into hyphens: "Dubai—UAE" is two parts.
    folded = fold(re.sub("[\u2013\u2014]", ",", raw))
    parts = [p for p in (key(part) for part in _PARTS.split(folded)) if p]
    city: tuple[str, str] | None = None
    country: str | None = None
    capital: str | None = None
    for part in parts:
        whole_city = _CITY_WHOLE.get(part) or _CITY_WHOLE.get(part.replace(" ", ""))
        if whole_city is not None:
            city = city or whole_city
            continue
        whole_country = _COUNTRY_WHOLE.get(part) or _COUNTRY_WHOLE.get(part.replace(" ", ""))
        if whole_country is not None:
            country = country or whole_country
            capital = capital or _CAPITALS.get(part)
            continue
        tokens = part.split()
        city = city or _scan(tokens, _CITY_SCAN)
        if country is None and (found := _scan(tokens, _COUNTRY_SCAN)) is not None:
            country = found
            capital = capital or next((c for n, c in _CAPITALS.items() if n in tokens), None)
    if city is not None:
        # A named city decides the country: "Dubai, Saudi Arabia" is a typo, Dubai is in AE.
        return CityRef(city[0], city[1])
    if country is not None:
        if capital is not None and not _REMOTE.search(folded):
            return CityRef(capital, country)
        return CityRef(None, country)
    return None


_city_memo = lru_cache(maxsize=_MEMO_SIZE)(_city)


def normalise_country(raw: str | None) -> str | None:
    """ISO code of a GCC country named (or implied by a city) in ``raw``; ``None`` otherwise."""
    ref = normalise_city(raw)
    return ref.country if ref else None


# --------------------------------------------------------------------------------------------
# Salaries
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SalaryRange:
    """A salary range in whole currency units; one bound may be open (``None``), never both,
    and ``min <= max`` whenever both are set."""

    min: int | None
    max: int | None
    currency: str | None
    period: SalaryPeriod


# Approximate AED per unit, only to judge magnitudes (is 60,000 monthly or yearly?), never shown.
_AED_RATE: Final[dict[str, float]] = {
    "AED": 1.0,
    "SAR": 0.98,
    "QAR": 1.01,
    "OMR": 9.54,
    "KWD": 11.95,
    "BHD": 9.74,
    "USD": 3.67,
    "EUR": 4.0,
    "GBP": 4.65,
    "INR": 0.044,
}
# With no period given, an amount worth this much AED or more is read as yearly: monthly pay
# above it is rare top-executive pay, yearly pay below it (≈4,200 a month) is rarely quoted
# yearly in Gulf ads.
_YEARLY_FROM_AED: Final = 50_000
_SANE_MONTHLY_AED: Final = (100, 2_000_000)

_CURRENCIES: Final[list[tuple[re.Pattern[str], str]]] = [
    (_rx(p), code)
    for p, code in (
        (r"ريال\s+سعودي|ريال\s+السعودي|ر\.\s?س(?!\w)|saudi\s+ria?ls?|\bsar\b|\bsr\b", "SAR"),
        (r"ريال\s+قطري|ر\.\s?ق(?!\w)|qatari?\s+ria?ls?|\bqar\b|\bqr\b", "QAR"),
        (r"ريال\s+عماني|ر\.\s?ع(?!\w)|omani\s+ria?ls?|\bomr\b|\bro\b", "OMR"),
        (r"دينار\s+كويتي|د\.\s?ك(?!\w)|kuwaiti\s+dinars?|\bkwd\b|\bkd\b", "KWD"),
        (r"دينار\s+بحريني|د\.\s?ب(?!\w)|bahraini\s+dinars?|\bbhd\b|\bbd\b", "BHD"),
        (r"درهم|دراهم|د\.\s?ا(?!\w)|\baed\b|\bdhs?\b|\bdirh[ae]ms?\b|emirati\s+dirhams?", "AED"),
        (r"\busd\b|us\s?\$|\$|\bus\s+dollars?\b|\bdollars?\b|دولار", "USD"),
        (r"\beur\b|€|\beuros?\b|يورو", "EUR"),
        (r"\bgbp\b|£|pounds?\s+sterling|جنيه\s+استرليني", "GBP"),
        (r"\binr\b|₹|\brupees?\b|روبيه", "INR"),
        (r"\bria?ls?\b|\briyals?\b|ريالات|ريال", "riyal"),
        (r"\bdinars?\b|دنانير|دينار", "dinar"),
    )
]
_RIYALS: Final = ("SAR", "QAR", "OMR")
_DINARS: Final = ("KWD", "BHD")
_ANY_CURRENCY: Final = _rx("|".join(f"(?:{p.pattern})" for p, _ in _CURRENCIES))

_MONTH_RE: Final = (
    r"per\s+month|a\s+month|/\s*(?:month|mo|mth|m)\b|\bmonthly\b|\bp\.?\s?m\b\.?|\bpcm\b"
    r"|\bmonth\b|شهريا|شهري|بالشهر|في الشهر|/\s*شهر|\bشهر\b"
)
_YEAR_RE: Final = (
    r"per\s+(?:year|annum)|a\s+year|/\s*(?:year|yr|y|annum)\b|\b(?:yearly|annually|annual|annum)\b"
    r"|\bp\.?\s?a\b\.?|\byear\b|\byr\b|سنويا|سنوي|بالسنه|في السنه|/\s*سنه|\bسنه\b|في العام|بالعام"
)
_OTHER_PERIOD_RE: Final = (
    r"per\s+(?:hour|day|week)|/\s*(?:hour|hr|h|day|d|week|wk)\b|\b(?:hourly|daily|weekly)\b"
    r"|بالساعه|في الساعه|/\s*ساعه|يوميا|باليوم|في اليوم|اسبوعيا|في الاسبوع"
)
_PERIOD: Final = _rx(f"(?P<month>{_MONTH_RE})|(?P<year>{_YEAR_RE})|(?P<other>{_OTHER_PERIOD_RE})")

_NUMBER: Final = _rx(
    r"(?<![\d.,])(?P<int>\d{1,3}(?:,\d{3})+|\d+)(?:\.(?P<frac>\d+))?"
    r"(?:\s?(?P<mult>k|thousand|الف|الاف)(?![^\W\d_]))?(?![\d])",
    re.IGNORECASE,
)
_NOT_MONEY_AFTER: Final = _rx(
    r"\s*(?:%|years?\b|yrs?\b|months\b|weeks?\b|days?\b|hours?\b|hrs?\b"
    r"|سنوات|سنين|اشهر|شهور|ايام|ساعات)"
)
_RANGE_GAP: Final = _rx(r"^(?:-+|~|to|till|until|and|or|إلى|الى|أو|و|لغاية)$")
_MAX_CUE: Final = _rx(
    r"(?:up\s*to|upto|max(?:imum)?|not\s+exceeding|no\s+more\s+than|below|under|less\s+than"
    r"|حتي|لغايه|بحد\s+اقصي|كحد\s+اقصي|لا\s+يزيد|لا\s+تزيد|اقل\s+من)[\s:.]*$"
)
_MIN_CUE: Final = _rx(
    r"(?:from|starting(?:\s+(?:at|from))?|starts?\s+(?:at|from)|min(?:imum)?|at\s+least|above"
    r"|over|more\s+than|من|يبدا\s+من|ابتداء\s+من|اعتبارا\s+من|لا\s+يقل\s+عن|لا\s+تقل\s+عن"
    r"|اكثر\s+من|بحد\s+ادني|كحد\s+ادني)[\s:.]*$"
)
_MIN_AFTER: Final = _rx(
    r"^\s*(?:\+(?=\s*(?:$|/|per\b|a\b|monthly|yearly|annually|\)|,|شهر|سنوي))|and\s+above|or\s+more"
    r"|onwards|فما\s+فوق|فأكثر|أو\s+أكثر)"
)
_MAX_AFTER: Final = _rx(r"^\s*(?:or\s+less|and\s+below|فما\s+دون|او\s+اقل)")


@dataclass(frozen=True, slots=True)
class _Num:
    value: float
    start: int
    end: int
    multiplied: bool


def _numbers(text: str) -> list[_Num]:
    out: list[_Num] = []
    for m in _NUMBER.finditer(text):
        if _NOT_MONEY_AFTER.match(text, m.end()):
            continue
        whole, frac, mult = m.group("int").replace(",", ""), m.group("frac"), m.group("mult")
        if frac is not None and len(frac) == 3 and not mult and len(whole) <= 3:
            value = float(whole + frac)  # "12.500": a dot as the thousands separator
        else:
            value = float(f"{whole}.{frac}") if frac else float(whole)
        if mult:
            value *= 1000
        out.append(_Num(value, m.start(), m.end(), bool(mult)))
    return out


def _currency_in(folded: str, default: str | None) -> str | None:
    best: tuple[int, int, str] | None = None
    for order, (pattern, code) in enumerate(_CURRENCIES):
        m = pattern.search(folded)
        if m and (best is None or (m.start(), order) < best[:2]):
            best = (m.start(), order, code)
    if best is None:
        return default
    code = best[2]
    if code == "riyal":
        return default if default in _RIYALS else "SAR"
    if code == "dinar":
        return default if default in _DINARS else "KWD"
    return code


def currency_code(raw: str | None, default: str | None = None) -> str | None:
    """ISO 4217 code of a currency given as a code, a symbol or a word (English or Arabic)."""
    if raw is None or not raw.strip():
        return default
    stripped = raw.strip()
    if re.fullmatch(r"[A-Za-z]{3}", stripped):
        return stripped.upper()
    return _currency_in(fold(stripped), default)


_OTHER: Final = "other"


def _period_in(folded: str) -> SalaryPeriod | str | None:
    m = _PERIOD.search(folded)
    if m is None:
        return None
    if m.lastgroup == "month":
        return SalaryPeriod.MONTH
    if m.lastgroup == "year":
        return SalaryPeriod.YEAR
    return _OTHER


def _finish(
    low: float | None, high: float | None, currency: str | None, period: SalaryPeriod | None
) -> SalaryRange | None:
    bounds = [v for v in (low, high) if v is not None]
    if not bounds or any(v <= 0 for v in bounds):
        return None
    if low is not None and high is not None and low > high:
        low, high = high, low
    rate = _AED_RATE.get(currency or "AED", 1.0)
    if period is None:
        period = SalaryPeriod.YEAR if max(bounds) * rate >= _YEARLY_FROM_AED else SalaryPeriod.MONTH
    per_month = 12 if period is SalaryPeriod.YEAR else 1
    if not all(
        _SANE_MONTHLY_AED[0] <= v * rate / per_month <= _SANE_MONTHLY_AED[1] for v in bounds
    ):
        return None
    return SalaryRange(
        None if low is None else round(low),
        None if high is None else round(high),
        currency,
        period,
    )


def parse_salary(
    raw: str | float | None, default_currency: str | None = None
) -> SalaryRange | None:
    """Parse a salary as job ads write it, in English or Arabic.

    "AED 10k–15k per month", "10,000 - 15,000 AED", "AED 180,000/year", "up to 20k",
    "from 12,000", "١٥٬٠٠٠ درهم شهرياً", "من 10000 إلى 15000 ريال". ``default_currency`` (the
    country's, usually) fills in when none is named and picks the riyal or dinar meant by a
    bare ريال / دينار. Without a period, large amounts are yearly and the rest monthly.
    "Competitive", "Negotiable", hourly/daily/weekly pay and implausible amounts give ``None``.
    """
    if raw is None or isinstance(raw, bool):
        return None
    text = str(raw)
    if len(text) <= _MEMO_CHARS:
        return _salary_memo(text, default_currency)
    return _salary(text, default_currency)


def _salary(raw: str, default_currency: str | None) -> SalaryRange | None:
    folded = fold(raw)
    numbers = _numbers(folded)
    if not numbers:
        return None
    currency = _currency_in(folded, default_currency)
    period = _period_in(folded)
    if period == _OTHER:
        return None
    first = numbers[0]
    low: float | None = first.value
    high: float | None = first.value
    if len(numbers) > 1:
        second = numbers[1]
        gap = _ANY_CURRENCY.sub(" ", folded[first.end : second.start])
        if _RANGE_GAP.match(" ".join(gap.split())):
            low, high = first.value, second.value
            if second.multiplied and not first.multiplied and first.value < 1000:
                low = first.value * 1000  # "10-15k": the k belongs to both ends
            return _finish(
                low, high, currency, period if isinstance(period, SalaryPeriod) else None
            )
    before = " ".join(_ANY_CURRENCY.sub(" ", folded[: first.start]).split())
    after = _ANY_CURRENCY.sub(" ", folded[first.end :])
    if _MAX_CUE.search(before) or _MAX_AFTER.match(after):
        low = None
    elif _MIN_CUE.search(before) or _MIN_AFTER.match(after):
        high = None
    return _finish(low, high, currency, period if isinstance(period, SalaryPeriod) else None)


_salary_memo = lru_cache(maxsize=_MEMO_SIZE)(_salary)


def salary_from_parts(
    low: float | str | None,
    high: float | str | None,
    currency: str | None = None,
    period: str | None = None,
    default_currency: str | None = None,
) -> SalaryRange | None:
    """A ``SalaryRange`` from structured feed fields (min, max, currency, period); the bounds
    may be numbers or text such as "12k". Same rules as ``parse_salary``."""

    def bound(value: float | str | None) -> float | None:
        if value is None or isinstance(value, bool):
            return None
        if isinstance(value, int | float):
            return float(value)
        found = _numbers(fold(value))
        return found[0].value if found else None

    code = currency_code(currency, default_currency)
    found_period = _period_in(fold(period)) if period else None
    if found_period == _OTHER:
        return None
    return _finish(
        bound(low),
        bound(high),
        code,
        found_period if isinstance(found_period, SalaryPeriod) else None,
    )


# --------------------------------------------------------------------------------------------
# Job type and work mode
# --------------------------------------------------------------------------------------------

# A field value is short ("Full-time", "دوام جزئي"); free text (a title, a description) only
# counts phrases that cannot be mistaken for something else ("contract management" is a skill).
_FIELD_MAX_CHARS: Final = 40

_JOB_TYPE_FIELD: Final[list[tuple[JobType, re.Pattern[str]]]] = [
    (t, _rx(p))
    for t, p in (
        (JobType.INTERNSHIP, r"\bintern(?:ship)?s?\b|\btrainee\b|تدريب|متدرب|تدريب تعاوني"),
        (JobType.PART_TIME, r"\bpart\s?time\b|\bparttime\b|^pt$|جزئي|نصف دوام"),
        (JobType.TEMPORARY, r"\btemp(?:orary)?\b|\bseasonal\b|\bcasual\b|مؤقت|موسمي"),
        (
            JobType.CONTRACT,
            r"\bcontract(?:or|ual)?\b|\bfixed\s?term\b|\bfreelance(?:r)?\b"
            r"|\bconsultancy\b|عقد|مستقل|عمل حر",
        ),
        (
            JobType.FULL_TIME,
            r"\bfull\s?time\b|\bfulltime\b|^ft$|\bpermanent\b|\bregular\b"
            r"|دوام كامل|كامل|دائم|دائمه",
        ),
    )
]
_JOB_TYPE_TEXT: Final[list[tuple[JobType, re.Pattern[str]]]] = [
    (t, _rx(p))
    for t, p in (
        (
            JobType.INTERNSHIP,
            r"\binternship\b|\bintern\b|\binterns\b|تدريب صيفي|تدريب تعاوني"
            r"|برنامج تدريب|فرصه تدريب|متدرب",
        ),
        (JobType.PART_TIME, r"\bpart\s?time\b|دوام جزئي|نصف دوام"),
        (
            JobType.TEMPORARY,
            r"\btemporary\s+(?:role|position|job|contract|assignment)\b"
            r"|\bseasonal\s+(?:role|position|job|work)\b|وظيفه مؤقته|عمل مؤقت",
        ),
        (
            JobType.CONTRACT,
            r"\bcontract\s+(?:role|position|job|basis|assignment)\b"
            r"|\bon\s+(?:a\s+)?contract\b|\b\d+[\s-]*months?\s+contract\b"
            r"|\bfixed\s?term\b|\bfreelance\b|بعقد مؤقت|عقد لمده|عمل حر",
        ),
        (JobType.FULL_TIME, r"\bfull\s?time\b|دوام كامل"),
    )
]


def parse_job_type(raw: str | None, *, free_text: bool | None = None) -> JobType | None:
    """Job type from a feed field ("Full-time", "FT", "Permanent", "دوام جزئي") or from free
    text (a title like "Marketing Intern", a description saying "part-time").

    ``free_text`` says which (default: text longer than a field value is free text); free text
    counts only unmistakable phrases, so the title "Contract Manager" is not a contract job.
    When several apply the most specific wins: internship, part time, temporary, contract,
    full time ("Full-time, 12-month contract" is a contract).
    """
    if not raw or not raw.strip():
        return None
    if free_text is None:
        free_text = len(raw.strip()) > _FIELD_MAX_CHARS
    if len(raw) <= _MEMO_CHARS:
        return _job_type_memo(raw, free_text)
    return _job_type(raw, free_text)


# A word every free-text job-type phrase contains. Descriptions are long and the phrases rare:
# the regexes only look near these words (see ``_near``).
_JOB_TYPE_HINTS: Final = tuple(
    fold_letters(w)
    for w in ("intern", "part time", "parttime", "temporary", "seasonal", "contract", "fixed",
              "freelance", "full time", "fulltime", "تدريب", "متدرب", "جزئي", "نصف دوام", "موقت",
              "عقد", "عمل حر", "دوام كامل")
)  # fmt: skip
# The same, as they can appear in raw ASCII text (any case, "part-time", "on-site").
_JOB_TYPE_ASCII_HINTS: Final = (
    "intern", "part", "temporar", "seasonal", "contract", "fixed", "freelance", "full",
)  # fmt: skip
_WINDOW_BEFORE, _WINDOW_AFTER = 60, 80


def _ascii_without(raw: str, hints: tuple[str, ...]) -> bool:
    """True when ``raw`` is plain ASCII and has none of ``hints``: nothing to find, and no need
    to fold a whole description to know it."""
    if not raw.isascii():
        return False
    lowered = raw.lower()
    return not any(hint in lowered for hint in hints)


def _windows(text: str, hints: tuple[str, ...]) -> list[tuple[int, int]]:
    """Merged spans of ``text`` around each occurrence of a hint."""
    spans: list[tuple[int, int]] = []
    for hint in hints:
        at = text.find(hint)
        while at != -1:
            spans.append((max(0, at - _WINDOW_BEFORE), at + len(hint) + _WINDOW_AFTER))
            at = text.find(hint, at + 1)
    spans.sort()
    merged: list[tuple[int, int]] = []
    for start, end in spans:
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def _near(pattern: re.Pattern[str], text: str, windows: list[tuple[int, int]]) -> bool:
    # search(text, pos, endpos) sees the real neighbours at pos, so \b is never faked there.
    return any(pattern.search(text, start, end) for start, end in windows)


def _job_type(raw: str, free_text: bool) -> JobType | None:
    if not free_text:
        folded = key(raw)
        return next((t for t, pattern in _JOB_TYPE_FIELD if pattern.search(folded)), None)
    if _ascii_without(raw, _JOB_TYPE_ASCII_HINTS):
        return None
    folded = _key_memo(raw)
    windows = _windows(folded, _JOB_TYPE_HINTS)
    if not windows:
        return None
    return next((t for t, pattern in _JOB_TYPE_TEXT if _near(pattern, folded, windows)), None)


_job_type_memo = lru_cache(maxsize=_MEMO_SIZE)(_job_type)
# A description is keyed once for the job type and again for the work mode: keep the last few.
_key_memo = lru_cache(maxsize=64)(key)


_ROLE = r"(?:role|position|job|opportunity|work|working|basis|setup|set up|model|arrangement|team)"
# Field values: the word alone is enough ("Remote", "On-site", "هجين").
_MODE_FIELD: Final[list[tuple[WorkMode, re.Pattern[str]]]] = [
    (m, _rx(p))
    for m, p in (
        (WorkMode.HYBRID, r"\bhybrid\b|\bpart(?:ly|ially)? remote\b|\bflexible\b|هجين|مختلط|مرن"
                          r"|\b\d\s+days?\s+(?:a\s+|per\s+)?(?:week\s+)?(?:in|at)\s+(?:the\s+)?office\b"),
        (WorkMode.REMOTE, r"\bremote(?:ly)?\b|\bwork(?:ing)? from home\b|\bwfh\b|\banywhere\b"
                          r"|\btele(?:commut\w*|work\w*)\b|\bhome[\s-]?based\b|عن بعد|من المنزل"),
        (WorkMode.ONSITE, r"\bon\s?site\b|\bin\s?office\b|\boffice(?:\s?based)?\b|\bin person\b"
                          r"|حضوري|في الموقع|بالموقع|من المكتب|في المكتب|ميداني"),
    )
]  # fmt: skip
# Free text: only phrases about the job itself ("remote sensing" and "remote monitoring" are
# skills, "our office" is everywhere).
_MODE_TEXT: Final[list[tuple[WorkMode, re.Pattern[str]]]] = [
    (m, _rx(p))
    for m, p in (
        (WorkMode.HYBRID, rf"\bhybrid\s+{_ROLE}\b|\bthis\s+(?:role|position|job)\s+is\s+hybrid\b"
                          r"|\bpart(?:ly|ially)? remote\b"
                          r"|\b\d\s+days?\s+(?:a\s+|per\s+)?(?:week\s+)?(?:in|at|from)\s+(?:the\s+|our\s+)?office\b"
                          r"|عمل هجين|نظام هجين|بشكل هجين|دوام هجين|دوام مرن"),
        (WorkMode.REMOTE, rf"\bremote\s+{_ROLE}\b|\b(?:fully|100|completely|full)\s+remote\b"
                          r"|\bthis\s+(?:role|position|job)\s+is\s+remote\b|\bwork(?:ing)?\s+remotely\b"
                          r"|\bwork(?:ing)? from home\b|\bwfh\b|\bwork from anywhere\b"
                          r"|\btelecommut\w*\b|\bhome[\s-]based\b"
                          r"|العمل عن بعد|عمل عن بعد|وظيفه عن بعد|دوام عن بعد|من المنزل"),
        (WorkMode.ONSITE, rf"\bon\s?site\s+{_ROLE}\b|\bthis\s+(?:role|position|job)\s+is\s+on\s?site\b"
                          r"|\b(?:fully\s+)?office[\s-]based\b|\bin[\s-]office\s+" + _ROLE +
                          r"|\bwork(?:ing)? from (?:the |our )?office\b|دوام حضوري|عمل حضوري|من المكتب"),
    )
]  # fmt: skip
_REMOTE_NEGATED: Final = _rx(
    r"\b(?:not|no|non|isn t|is not|without)\s+(?:a\s+|an\s+|fully\s+)?(?:remote|wfh)"
    r"|\bremote\s+(?:work\s+)?(?:is\s+)?not\s+(?:possible|available|offered)"
    r"|لا\s+(?:يوجد\s+)?(?:عمل\s+)?عن بعد|ليس\s+عن بعد|ليست\s+عن بعد"
)


def parse_work_mode(raw: str | None, *, free_text: bool | None = None) -> WorkMode | None:
    """Onsite, remote or hybrid, from a field ("Remote", "On-site", "هجين", "Remote (UAE)") or
    free text ("work from home", "العمل عن بعد", "3 days a week in the office").

    ``free_text`` as for ``parse_job_type``: free text counts only phrases about the job, so
    "remote sensing" is not remote work. Hybrid beats remote beats onsite; "not a remote role"
    reads as onsite.
    """
    if not raw or not raw.strip():
        return None
    if free_text is None:
        free_text = len(raw.strip()) > _FIELD_MAX_CHARS
    if len(raw) <= _MEMO_CHARS:
        return _work_mode_memo(raw, free_text)
    return _work_mode(raw, free_text)


# A word every free-text work-mode phrase contains (as ``_JOB_TYPE_HINTS``).
_MODE_HINTS: Final = tuple(
    fold_letters(w)
    for w in ("remot", "hybrid", "home", "office", "site", "wfh", "anywhere", "telecommut",
              "هجين", "مرن", "عن بعد", "المنزل", "حضوري", "المكتب")
)  # fmt: skip
_MODE_ASCII_HINTS: Final = (
    "remot", "hybrid", "home", "office", "site", "wfh", "anywhere", "telecommut",
)  # fmt: skip


def _work_mode(raw: str, free_text: bool) -> WorkMode | None:
    if free_text:
        if _ascii_without(raw, _MODE_ASCII_HINTS):
            return None
        folded = _key_memo(raw)
        windows = _windows(folded, _MODE_HINTS)
        if not windows:
            return None
    else:
        folded = key(raw)
        windows = [(0, len(folded))]
    hybrid, remote, onsite = (pattern for _, pattern in (_MODE_TEXT if free_text else _MODE_FIELD))
    if _near(hybrid, folded, windows):
        return WorkMode.HYBRID
    if _near(_REMOTE_NEGATED, folded, windows):
        return WorkMode.ONSITE
    if _near(remote, folded, windows):
        return WorkMode.REMOTE
    if _near(onsite, folded, windows):
        return WorkMode.ONSITE
    return None


_work_mode_memo = lru_cache(maxsize=_MEMO_SIZE)(_work_mode)


# --------------------------------------------------------------------------------------------
# Experience
# --------------------------------------------------------------------------------------------

_NUMBER_WORDS: Final[dict[str, str]] = {
    **{
        w: str(i)
        for i, w in enumerate(
            ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve"]
        )
    },
    **{
        key(w): n
        for w, n in (
            ("واحد", "1"), ("واحدة", "1"), ("اثنين", "2"), ("اثنتين", "2"), ("ثلاث", "3"),
            ("ثلاثة", "3"), ("أربع", "4"), ("أربعة", "4"), ("خمس", "5"), ("خمسة", "5"),
            ("ست", "6"), ("ستة", "6"), ("سبع", "7"), ("سبعة", "7"), ("ثمان", "8"),
            ("ثماني", "8"), ("ثمانية", "8"), ("تسع", "9"), ("تسعة", "9"), ("عشر", "10"),
            ("عشرة", "10"),
        )
    },
}  # fmt: skip
_YEARS: Final = r"(?:years?|yrs?|y|سنوات|سنين|سنه|اعوام|عاما|عام)\b"
_EXP_CUE: Final = _rx(r"\bexperience[ds]?\b|\bexp\b|\bbackground\b|خبره|خبرات|الخبره")
_EXP_RANGE: Final = _rx(
    rf"(?:between\s+|من\s+|بين\s+)?\b(\d{{1,2}})\s*(?:-+|to|~|and|الى|و|او)\s*(\d{{1,2}})\s*\+?\s*{_YEARS}"
)
_EXP_PLUS: Final = _rx(
    rf"(?:\b(\d{{1,2}})\s*\+\s*{_YEARS}|\b(\d{{1,2}})\s*{_YEARS}\s*\+|\+\s*(\d{{1,2}})\s*{_YEARS})"
)
_EXP_SINGLE: Final = _rx(rf"\b(\d{{1,2}})\s*{_YEARS}")
# "at least" and "minimum" make a number of years a requirement even where the sentence never
# says "experience" ("use Rails in commercial projects for at least 2 years"); "over 20 years"
# does not (company blurbs say it).
_EXP_AT_LEAST_BEFORE: Final = _rx(
    r"(?:minimum(?:\s+of)?|min|at\s+least|no\s+less\s+than|not\s+less\s+than"
    r"|لا\s+تقل\s+عن|لا\s+يقل\s+عن|بحد\s+أدنى|كحد\s+أدنى)\s*$"
)
_EXP_AT_LEAST_AFTER: Final = _rx(r"^\s*(?:at\s+least|minimum|على\s+الأقل|كحد\s+أدنى)\b")
_EXP_MAX_BEFORE: Final = _rx(
    r"(?:up\s+to|upto|maximum(?:\s+of)?|max|less\s+than|under|no\s+more\s+than|حتي"
    r"|لا\s+تزيد\s+عن|اقل\s+من)\s*$"
)
_EXP_FRESH: Final = _rx(
    r"\bfresh\s+grad(?:uate)?s?\b|\bentry[\s-]level\b|\bgraduate\s+program(?:me)?\b"
    r"|حديث(?:ي)?\s+التخرج|خريج(?:ين)?\s+جدد"
)
_EXP_NONE: Final = _rx(
    r"\bno\s+(?:prior\s+|previous\s+)?experience\s+(?:is\s+)?(?:required|needed|necessary)\b"
    r"|بدون\s+خبره|لا\s+يشترط\s+(?:وجود\s+)?خبره|لا\s+تشترط\s+خبره"
)
_ONE_YEAR: Final = _rx(r"خبرة\s+(?:سنة|عام)\b|\b(?:سنة|عام)\s+(?:واحدة\s+)?(?:من\s+)?(?:ال)?خبرة")
_TWO_YEARS: Final = _rx(r"سنتين|سنتان|عامين|عامان")
_EXP_FIELD: Final = re.compile(r"(\d{1,2})\s*(?:\+|(?:-+|to|~)\s*(\d{1,2}))?")
_EXP_PUNCT: Final = re.compile(r"[^\w+~-]+")
_SENTENCES: Final = re.compile(r"[\n\r;•·▪●]|(?<=[.!?؟])\s")
_MAX_YEARS: Final = 50


def _words_to_digits(text: str) -> str:
    return " ".join(_NUMBER_WORDS.get(t, t) for t in text.split())


def _experience_in(sentence: str, field: bool) -> tuple[int | None, int | None] | None:
    cue = field or bool(_EXP_CUE.search(sentence))
    s = _TWO_YEARS.sub("2 سنوات", sentence)
    if (m := _EXP_RANGE.search(s)) is not None:
        low, high = int(m.group(1)), int(m.group(2))
        return (min(low, high), max(low, high))
    if (m := _EXP_PLUS.search(s)) is not None:
        return (int(next(g for g in m.groups() if g is not None)), None)
    if (m := _EXP_SINGLE.search(s)) is not None:
        n = int(m.group(1))
        before, after = s[: m.start()], s[m.end() :]
        if not cue and not (
            _EXP_AT_LEAST_BEFORE.search(before) or _EXP_AT_LEAST_AFTER.match(after)
        ):
            return None  # "founded 20 years ago" is not a requirement; "at least 2 years" is
        # "minimum 2 years", "at least 3 years" and a bare "2 years" all mean a minimum.
        return (0, n) if _EXP_MAX_BEFORE.search(before) else (n, None)
    if cue and _ONE_YEAR.search(s):
        return (1, None)
    if _EXP_NONE.search(s):
        return (0, None)
    if _EXP_FRESH.search(s):
        return (0, 1)
    return None


def parse_experience(raw: str | int | None) -> tuple[int | None, int | None]:
    """Years of experience asked for, as ``(min, max)``; ``(None, None)`` when not stated.

    "3-5 years" → (3, 5); "5+ years", "minimum 2 years", "خبرة 3 سنوات على الأقل" → (n, None);
    "up to 3 years" → (0, 3); "fresh graduates" → (0, 1); "no experience required" → (0, None).
    A bare number of years counts as a minimum. In free text only sentences that talk about
    experience count, except for the unmistakable "3-5 years" and "5+ years" forms.
    """
    if raw is None or isinstance(raw, bool):
        return (None, None)
    if isinstance(raw, int):
        return (raw, None) if 0 <= raw <= _MAX_YEARS else (None, None)
    text = raw.strip()
    if not text:
        return (None, None)
    return _experience_memo(text) if len(text) <= _MEMO_CHARS else _experience(text)


# Every experience phrase has one of these: text without any skips the sentence scan.
_EXP_HINTS: Final = tuple(
    fold_letters(w)
    for w in ("year", "yr", "سن", "عام", "fresh", "entry", "graduat", "experience", "خبر",
              "تخرج")
)  # fmt: skip


def _experience(text: str) -> tuple[int | None, int | None]:
    field = len(text) <= _FIELD_MAX_CHARS
    if field and (m := _EXP_FIELD.fullmatch(fold(text).strip())) is not None:
        # A bare field value: "7", "10+", "3-5".
        low = int(m.group(1))
        high = int(m.group(2)) if m.group(2) else None
        if max(low, high or 0) > _MAX_YEARS:
            return (None, None)
        return (low, high) if high is None else (min(low, high), max(low, high))
    folded = fold(text)
    if not any(h in folded for h in _EXP_HINTS):
        return (None, None)
    for sentence in _SENTENCES.split(folded):
        if not any(h in sentence for h in _EXP_HINTS):
            continue
        words = _words_to_digits(" ".join(_EXP_PUNCT.sub(" ", sentence).split()))
        found = _experience_in(words, field)
        if found is None:
            continue
        if max(v for v in (*found, 0) if v is not None) > _MAX_YEARS:
            continue
        return found
    return (None, None)


_experience_memo = lru_cache(maxsize=_MEMO_SIZE)(_experience)


# --------------------------------------------------------------------------------------------
# Requirements: required vs preferred
# --------------------------------------------------------------------------------------------

_BULLET: Final = re.compile(
    r"^\s*(?:[-*•·▪●◦‣–—>]+|\d{1,2}[.)]|[a-z][.)]|\(\w\))\s*", re.IGNORECASE
)
_PREFERRED_CUE: Final = _rx(
    r"\bpreferred\b|\bpreferably\b|\bpreferable\b|\bnice[\s-]to[\s-]have\b|\bgood[\s-]to[\s-]have\b"
    r"|\ba\s+plus\b|\bplus\s+point\b|\badvantage(?:ous)?\b|\bbonus\b|\bdesirable\b|\bdesired\b"
    r"|\bideally\b|\bwould\s+be\s+(?:great|nice|helpful)\b|\boptional\b|\bnot\s+required\b"
    r"|\bnot\s+mandatory\b|\bnot\s+essential\b"
    r"|يفضل|تفضيل|افضليه|الافضليه|ميزه|مميزات\s+اضافيه|مرغوب|يستحسن"
)
_REQUIRED_CUE: Final = _rx(
    r"\bmust\b|\brequired\b|\brequirements?\b|\bessential\b|\bmandatory\b|\bneed\s+to\b"
    r"|\bminimum\b|\bat\s+least\b"
    r"|يجب|مطلوب|المطلوب|الزامي|اساسي|ضروري|المتطلبات|يشترط|شرط|لا\s+بد"
)
_HEADING_PREFERRED: Final = _rx(
    r"^(?:preferred|desired|desirable|bonus|additional|nice[\s-]to[\s-]have|good[\s-]to[\s-]have"
    r"|optional|plus)(?:\s+(?:skills?|qualifications?|requirements?|experience|points?))?$"
    r"|^(?:المهارات|المؤهلات|المتطلبات)\s+(?:المفضله|الاضافيه|المرغوبه)$|^يفضل$|^مميزات اضافيه$"
)
_HEADING_REQUIRED: Final = _rx(
    r"^(?:(?:key|minimum|basic|essential|required|job|mandatory|core)\s+)?"
    r"(?:requirements?|qualifications?|skills?|skills\s+and\s+experience|must[\s-]haves?"
    r"|what\s+you\s+(?:need|bring|will\s+need)|who\s+you\s+are|about\s+you)$"
    r"|^(?:المتطلبات|المؤهلات|الشروط|المهارات)(?:\s+(?:المطلوبه|الاساسيه|الاساسيه))?$"
    r"|^متطلبات الوظيفه$"
)
_CLAUSES: Final = re.compile(r";|\.\s+|,\s*(?:and|but|while)\s+|\s+(?:but|while)\s+|؛|،\s*و")


def requirement_lines(text: str | Iterable[str]) -> list[str]:
    """Requirement text as one clean line per item: splits lines and bullets, drops markers
    and empty lines. A list is cleaned line by line."""
    raw_lines = (
        text.splitlines()
        if isinstance(text, str)
        else [line for chunk in text for line in str(chunk).splitlines()]
    )
    lines: list[str] = []
    for line in raw_lines:
        # "• a • b" on one line is two bullets.
        for piece in re.split(r"\s[•·▪●]\s", line):
            cleaned = " ".join(_BULLET.sub("", piece).split())
            if cleaned:
                lines.append(cleaned)
    return lines


def _heading(line: str) -> str | None:
    """'required' / 'preferred' when ``line`` is a section heading, else ``None``."""
    k = key(line)
    looks_like_heading = line.rstrip().endswith((":", "：")) and len(k.split()) <= 6
    if _HEADING_PREFERRED.match(k) or (looks_like_heading and _PREFERRED_CUE.search(k)):
        return "preferred"
    if _HEADING_REQUIRED.match(k) or (looks_like_heading and _REQUIRED_CUE.search(k)):
        return "required"
    return None


def split_requirements(lines: Iterable[str]) -> tuple[list[str], list[str]]:
    """Split requirement lines into ``(required, preferred)``.

    A line with a "nice to have" cue ("preferred", "a plus", "advantage", "يفضل", "ميزة") is
    preferred; one with a "must" cue ("must", "required", "essential", "يجب", "مطلوب") is
    required; others follow the section heading above them ("Nice to have:", "Requirements"),
    required by default. Headings themselves are dropped; a line with both cues is split into
    clauses ("Must know SQL; Tableau is a plus").
    """
    required: list[str] = []
    preferred: list[str] = []
    section = "required"
    for line in requirement_lines(list(lines)):
        heading, parts = _line_parts(line) if len(line) <= _MEMO_CHARS else _classify(line)
        if heading is not None:
            section = heading
            continue
        for kind, text in parts:
            (preferred if (kind or section) == "preferred" else required).append(text)
    return required, preferred


def _classify(line: str) -> tuple[str | None, tuple[tuple[str, str], ...]]:
    """(heading kind, ()) for a heading; else (None, ((kind, text), ...)) where kind is
    "required", "preferred" or "" (follows the section)."""
    heading = _heading(line)
    if heading is not None:
        return heading, ()
    folded = key(line)
    is_preferred = bool(_PREFERRED_CUE.search(folded))
    is_required = bool(_REQUIRED_CUE.search(folded))
    if is_preferred and is_required:
        clauses = [c.strip(" ,.") for c in _CLAUSES.split(line) if c.strip(" ,.")]
        kinds = [bool(_PREFERRED_CUE.search(key(c))) for c in clauses]
        # Split only a real mix ("must X; Y is a plus"), not "a plus but not required".
        if any(kinds) and not all(kinds):
            return None, tuple(
                ("preferred" if k else "required", c) for c, k in zip(clauses, kinds, strict=True)
            )
    if is_preferred:
        return None, (("preferred", line),)
    return None, (("required" if is_required else "", line),)


_line_parts = lru_cache(maxsize=_MEMO_SIZE)(_classify)


# --------------------------------------------------------------------------------------------
# Keys for duplicate detection
# --------------------------------------------------------------------------------------------

# Legal-form and free-zone suffixes that differ between postings of one employer.
_COMPANY_SUFFIXES: Final = frozenset(
    key(s)
    for s in (
        "llc", "l.l.c", "fz", "fze", "fzco", "fzc", "fzllc", "fz-llc", "dmcc", "dwc", "co",
        "company", "ltd", "limited", "inc", "incorporated", "corp", "corporation", "plc", "pjsc",
        "psc", "pvt", "private", "wll", "w.l.l", "spc", "saoc", "saog", "bsc", "b.s.c", "jsc",
        "sa", "est", "establishment", "llp", "gmbh", "bv", "ag", "and", "&", "the", "ذ.م.م",
        "ش.ذ.م.م", "ذمم", "م.م.ح", "ش.م.ع", "ش.م.ب", "ش.م.ك", "ش.م.م", "ذ", "م", "ش", "ح", "ع",
        "ك", "ب", "شركة", "مؤسسة", "المحدودة", "محدودة", "ش.م.ع.ق", "ق",
    )
)  # fmt: skip
_COMPANY_PREFIXES: Final = frozenset(key(s) for s in ("the", "شركة", "مؤسسة", "مجموعة"))
_TITLE_NOISE: Final = _rx(
    r"\b(?:urgent(?:ly)?|hiring|immediate(?:\s+joiner)?|m\s*f(?:\s*d)?|f\s*m(?:\s*d)?"
    r"|h\s*f|f\s*h|عاجل|مطلوب|فورا)\b"
)


@lru_cache(maxsize=_MEMO_SIZE)
def normalise_company(name: str) -> str:
    """Comparison key of an employer name: folded, without legal forms ("LLC", "FZ-LLC",
    "L.L.C", "Co.", "ذ.م.م"), so postings of one employer meet."""
    tokens = key(name.replace("&", " ")).split()
    while len(tokens) > 1 and tokens[-1] in _COMPANY_SUFFIXES:
        tokens.pop()
    while len(tokens) > 1 and tokens[0] in _COMPANY_PREFIXES:
        tokens.pop(0)
    return " ".join(tokens)


@lru_cache(maxsize=_MEMO_SIZE)
def normalise_title(title: str) -> str:
    """Comparison key of a job title: folded, without "Urgent", "(M/F)" and similar noise."""
    return " ".join(_TITLE_NOISE.sub(" ", key(title)).split()) or key(title)
