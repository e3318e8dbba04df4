"""Gulf cities and countries as job ads spell them: English, Arabic, transliterations, codes.

Every alias is folded with ``ingestion.jobs.text.key`` when the tables are built, so the
spellings below can be written the way people write them (hamzas, "Al-", dots and all).
"""

from __future__ import annotations

#: ISO 3166-1 alpha-2 code -> aliases (whole names, codes, Arabic).
COUNTRIES: dict[str, tuple[str, ...]] = {
    "AE": (
        "UAE",
        "U.A.E.",
        "AE",
        "ARE",
        "United Arab Emirates",
        "the United Arab Emirates",
        "Emirates",
        "the Emirates",
        "الإمارات",
        "الامارات",
        "الإمارات العربية المتحدة",
        "دولة الإمارات",
        "دولة الإمارات العربية المتحدة",
        "الإمارات العربية",
    ),
    "SA": (
        "KSA",
        "K.S.A.",
        "SA",
        "SAU",
        "Saudi Arabia",
        "Saudi",
        "Kingdom of Saudi Arabia",
        "the Kingdom of Saudi Arabia",
        "السعودية",
        "المملكة العربية السعودية",
        "المملكة",
        "السعوديه",
    ),
    "QA": ("Qatar", "State of Qatar", "QA", "QAT", "قطر", "دولة قطر"),
    "KW": ("Kuwait", "State of Kuwait", "KW", "KWT", "الكويت", "دولة الكويت"),
    "BH": ("Bahrain", "Kingdom of Bahrain", "BH", "BHR", "البحرين", "مملكة البحرين"),
    # Unvowelled عمان is both Oman (عُمان) and Amman (عَمّان); in a Gulf job feed it is Oman.
    "OM": ("Oman", "Sultanate of Oman", "OM", "OMN", "عمان", "سلطنة عمان", "سلطنة عُمان"),
}

#: Country aliases that, standing alone, name the capital as well: a job "in Kuwait" is, in
#: practice, in the Kuwait City metropolitan area (the brief lists الكويت under Kuwait City).
CAPITAL_BY_COUNTRY_NAME: dict[str, str] = {"Kuwait": "Kuwait City", "الكويت": "Kuwait City"}

#: (canonical English city, country, aliases). The canonical name is an alias of itself.
# fmt: off
CITIES: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    # United Arab Emirates
    ("Dubai", "AE", ("DXB", "دبي", "Dubayy", "Dubai City", "Jebel Ali", "جبل علي", "JAFZA",
                     "DIFC", "JLT", "Jumeirah Lake Towers", "Deira", "ديرة", "Bur Dubai",
                     "Business Bay", "Dubai Silicon Oasis", "Al Quoz", "Dubai South")),
    ("Abu Dhabi", "AE", ("AUH", "Abudhabi", "Abu Dhabi City", "Abu Zabi", "أبوظبي", "أبو ظبي",
                         "ابوظبي", "Mussafah", "Musaffah", "مصفح", "KIZAD", "Masdar City",
                         "Khalifa City", "Al Reem Island", "Reem Island")),
    ("Sharjah", "AE", ("SHJ", "Al Sharjah", "Ash Shariqah", "Sharjah City", "الشارقة")),
    ("Ajman", "AE", ("Ajman City", "عجمان")),
    ("Ras Al Khaimah", "AE", ("RAK", "Ras al-Khaimah", "Ras Alkhaimah", "Ras Al Khaima",
                              "Ra's al-Khaymah", "رأس الخيمة", "راس الخيمة")),
    ("Fujairah", "AE", ("Al Fujairah", "Fujeirah", "الفجيرة")),
    ("Umm Al Quwain", "AE", ("UAQ", "Umm al-Quwain", "Umm Al Qaiwain", "Umm al Qiwain",
                             "Umm Al Quwwain", "أم القيوين", "ام القيوين")),
    ("Al Ain", "AE", ("Al-Ain", "Alain", "العين")),
    # Saudi Arabia
    ("Riyadh", "SA", ("RUH", "Riyad", "Ar Riyadh", "Ar-Riyad", "Al Riyadh", "الرياض")),
    ("Jeddah", "SA", ("JED", "Jiddah", "Jedda", "Jiddah City", "جدة", "جده")),
    ("Dammam", "SA", ("DMM", "Ad Dammam", "Al Dammam", "الدمام")),
    ("Khobar", "SA", ("Al Khobar", "Al-Khobar", "Alkhobar", "Al Khubar", "الخبر")),
    ("Dhahran", "SA", ("Az Zahran", "Al Dhahran", "الظهران")),
    ("Mecca", "SA", ("Makkah", "Makka", "Makkah Al Mukarramah", "Mecca City", "مكة",
                     "مكة المكرمة", "مكه")),
    ("Medina", "SA", ("Madinah", "Madina", "Al Madinah", "Al-Madinah", "Medinah",
                      "Al Madinah Al Munawwarah", "المدينة المنورة", "المدينة")),
    ("Jubail", "SA", ("Al Jubail", "Al-Jubail", "الجبيل")),
    ("Yanbu", "SA", ("Yenbo", "Yanbu Al Bahr", "ينبع")),
    ("Tabuk", "SA", ("Tabouk", "تبوك")),
    ("Taif", "SA", ("At Taif", "Al Taif", "الطائف")),
    ("Abha", "SA", ("أبها", "ابها")),
    ("Khamis Mushait", "SA", ("Khamis Mushayt", "خميس مشيط")),
    ("Buraidah", "SA", ("Buraydah", "Buraida", "بريدة")),
    ("Hail", "SA", ("Ha'il", "حائل")),
    ("Al Ahsa", "SA", ("Al-Ahsa", "Al Hasa", "Hofuf", "Al Hofuf", "الأحساء", "الهفوف")),
    ("Qatif", "SA", ("Al Qatif", "القطيف")),
    ("NEOM", "SA", ("نيوم",)),
    # Qatar
    ("Doha", "QA", ("DOH", "Ad Dawhah", "Doha City", "الدوحة")),
    ("Al Wakrah", "QA", ("Wakrah", "Al Wakra", "الوكرة")),
    ("Al Rayyan", "QA", ("Rayyan", "Ar Rayyan", "الريان")),
    ("Lusail", "QA", ("Lusail City", "لوسيل")),
    ("Ras Laffan", "QA", ("Ras Laffan Industrial City", "راس لفان", "رأس لفان")),
    # Kuwait
    ("Kuwait City", "KW", ("KWI", "Kuwait City", "مدينة الكويت", "العاصمة الكويت")),
    ("Salmiya", "KW", ("Salmiyah", "As Salimiyah", "السالمية")),
    ("Hawalli", "KW", ("Hawally", "حولي")),
    ("Farwaniya", "KW", ("Al Farwaniyah", "Farwaniyah", "الفروانية")),
    ("Ahmadi", "KW", ("Al Ahmadi", "الأحمدي", "الاحمدي")),
    ("Jahra", "KW", ("Al Jahra", "Al Jahrah", "الجهراء")),
    # Bahrain
    ("Manama", "BH", ("BAH", "Al Manamah", "Manamah", "المنامة")),
    ("Muharraq", "BH", ("Al Muharraq", "المحرق")),
    ("Riffa", "BH", ("Ar Rifa", "Al Riffa", "الرفاع")),
    ("Isa Town", "BH", ("Madinat Isa", "مدينة عيسى")),
    # Oman
    ("Muscat", "OM", ("MCT", "Masqat", "Muscat City", "مسقط")),
    ("Salalah", "OM", ("SLL", "صلالة")),
    ("Sohar", "OM", ("Suhar", "صحار")),
    ("Nizwa", "OM", ("نزوى",)),
    ("Sur", "OM", ("Sur City", "صور")),
    ("Duqm", "OM", ("Al Duqm", "الدقم")),
    ("Seeb", "OM", ("As Seeb", "Al Seeb", "السيب")),
)
# fmt: on

#: Aliases that are ordinary words too ("the city", "the eye", "pictures", "the kingdom") or
#: country codes: they count only when they are a whole part of the location ("Riyadh, SA"),
#: never when found inside a longer phrase.
WHOLE_PART_ONLY: frozenset[str] = frozenset(
    {
        "المدينة",
        "العين",
        "صور",
        "Sur",
        "المملكة",
        "Hail",
        "AE",
        "SA",
        "QA",
        "KW",
        "BH",
        "OM",
        "ARE",
        "SAU",
        "QAT",
        "KWT",
        "BHR",
        "OMN",
        "DOH",
        "BAH",
        "MCT",
        "SLL",
        "JED",
        "RUH",
        "DMM",
        "KWI",
        "Saudi",
    }
)

#: ISO 4217 currency of each country, the default when a salary names none.
COUNTRY_CURRENCY: dict[str, str] = {
    "AE": "AED",
    "SA": "SAR",
    "QA": "QAR",
    "KW": "KWD",
    "BH": "BHD",
    "OM": "OMR",
}
