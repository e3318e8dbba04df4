"""Arabic: visual-order detection and repair, search folding, language by script."""

from __future__ import annotations

import pytest

from ingestion.extract import (
    detect_language,
    fix_visual_order,
    fix_visual_text,
    normalise_arabic_for_search,
)
from ingestion.extract.arabic import to_base_letters, visual_order_score
from tests.ingestion.fixtures.documents import ARABIC_CV_LINES, visual

pytestmark = pytest.mark.unit


@pytest.mark.parametrize("line", [*ARABIC_CV_LINES, "هاتف: +971 50 123 4567"])
def test_visual_lines_are_detected_and_restored(line: str) -> None:
    stored = visual(line)
    assert stored != line
    assert visual_order_score(stored) > 0
    assert visual_order_score(line) <= 0
    assert fix_visual_order(stored) == line


def test_phone_number_groups_inside_arabic_come_back_in_order() -> None:
    # Shown inside Arabic, "+971 50 123 4567" is laid out as "4567 123 50 971+".
    stored = visual("هاتف: +971 50 123 4567")
    assert stored.startswith("4567 123 50")
    assert fix_visual_order(stored) == "هاتف: +971 50 123 4567"


def test_reversed_base_letters_are_detected_without_presentation_forms() -> None:
    logical = "مديرة المبيعات في الشركة"
    assert visual_order_score(logical[::-1]) > 0
    assert visual_order_score(logical) < 0
    assert fix_visual_text(logical[::-1]) == logical


def test_latin_line_with_an_arabic_name_keeps_latin_first() -> None:
    # In an English document the line's base direction is left-to-right.
    text = "\n".join(
        ["Curriculum vitae of a software engineer based in Dubai", "Name: " + visual("محمد أحمد")]
    )
    assert fix_visual_text(text).split("\n")[1] == "Name: محمد أحمد"


def test_logical_text_is_left_alone_but_forms_become_letters() -> None:
    text = "مهندس برمجيات name@example.com\nSoftware Engineer"
    assert fix_visual_text(text) == text
    shaped = str(__import__("arabic_reshaper").reshape("مهندس برمجيات"))
    assert shaped != "مهندس برمجيات"
    assert to_base_letters(shaped) == "مهندس برمجيات"


def test_undecided_lines_follow_the_document() -> None:
    # "محمد" alone tells nothing in base letters; the other lines say the page is reversed.
    lines = ["محمد", "مديرة المبيعات في الشركة", "خبرة في الإدارة المالية"]
    stored = "\n".join(line[::-1] for line in lines)
    assert fix_visual_text(stored) == "\n".join(lines)
    assert fix_visual_text(stored, default_visual=False).split("\n")[0] == "دمحم"


def test_inverted_brackets_are_swapped() -> None:
    # Writers that store mirrored bracket glyphs read back as ")…(" once reordered.
    stored = "(ﺕﺎﻧﺎﻴﺒﻟﺍ) ﻞﻴﻠﺤﺗ"
    assert fix_visual_order(stored) == "تحليل (البيانات)"


def test_lam_alef_ligature_is_expanded_in_logical_order() -> None:
    assert fix_visual_order(visual("لا شيء")) == "لا شيء"
    assert fix_visual_order(visual("الإمارات")) == "الإمارات"


@pytest.mark.parametrize(
    ("raw", "folded"),
    [
        ("أحمد إبراهيم آمنة ٱلله", "احمد ابراهيم امنه الله"),
        ("مستشفى", "مستشفي"),
        ("جامعة", "جامعه"),
        ("مـــهـــنـــدس", "مهندس"),
        ("مُهَنْدِسٌ", "مهندس"),
        ("الخِبْرَة ٣ سنوات", "الخبره 3 سنوات"),
        ("٠١٢٣٤٥٦٧٨٩ ۰۱۲۳۴۵۶۷۸۹", "0123456789 0123456789"),
        ("فارسی کار", "فارسي كار"),
    ],
)
def test_search_normalisation(raw: str, folded: str) -> None:
    assert normalise_arabic_for_search(raw) == folded


def test_ta_marbuta_folding_is_optional() -> None:
    assert normalise_arabic_for_search("جامعة", fold_ta_marbuta=False) == "جامعة"


def test_search_normalisation_maps_presentation_forms() -> None:
    assert normalise_arabic_for_search("ﻣﻬﻨﺪﺱ") == "مهندس"


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("Senior data analyst with SQL and Python", "en"),
        ("مهندس برمجيات في دبي منذ عشر سنوات", "ar"),
        ("مهندسة برمجيات في دبي منذ عشر سنوات، خبرة في تطوير الأنظمة Python", "ar"),
        ("Software Engineer مهندس برمجيات", "mixed"),
        ("Layla Haddad (ليلى حداد), senior data analyst in Dubai", "en"),
        ("+971 50 123 4567", "en"),
    ],
)
def test_detect_language(text: str, language: str) -> None:
    assert detect_language(text) == language
