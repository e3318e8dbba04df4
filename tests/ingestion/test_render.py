"""Rendering the structured CV to DOCX and PDF: ATS-safe structure, Arabic right to left with
shaped glyphs, mixed Arabic/Latin runs in order, and text that reads back in logical order."""

from __future__ import annotations

import io
import zipfile
from functools import lru_cache
from pathlib import Path

import pytest
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from PIL import Image
from pypdf import PdfReader

from ingestion.cv_parser import parse_cv
from ingestion.cv_schema import StructuredCV
from ingestion.extract import extract_in_process
from ingestion.render import (
    FontsUnavailable,
    RenderSettings,
    find_fonts,
    layout_cv,
    layout_pages,
    plain_text,
    render_docx,
    render_pdf,
)
from ingestion.render.bidi import LRM, bidi_runs, paragraph_rtl, protect_ltr, visual_order
from ingestion.render.pdf import MARGIN_X, PAGE_WIDTH
from ingestion.render.preview import preview_pngs

pytestmark = pytest.mark.unit

ARABIC_CV = """هدى المنصوري
مهندسة أمن سيبراني أولى | أبوظبي، الإمارات
البريد الإلكتروني: huda.almansoori@example.com | الهاتف: +971 52 982 3249

الملخص
مهندسة أمن سيبراني أولى تتمتع بخبرة 16 سنة في قطاع تقنية المعلومات.

الخبرات العملية
مهندسة أمن سيبراني أولى — Qamar Data Systems
مارس 2025 – حتى الآن
- الأدوات: Linux، Splunk Enterprise

التعليم
بكالوريوس علوم الحاسوب — جامعة الخليج المتروبوليتانية، 2009

المهارات
الأمن السيبراني، Linux، Splunk Enterprise

اللغات
العربية — اللغة الأم
الإنجليزية — جيد
"""
ENGLISH_CV = """Joseph Sharma
Financial Controller | Sharjah, United Arab Emirates
Email: joseph.sharma@example.com | Phone: +971 52 758 2962

SUMMARY
Financial Controller with 14 years of experience in finance and accounting.

EXPERIENCE
Financial Controller — Gulf Horizon Bank
Feb 2021 – Present
- Responsibilities: evaluate budgets; enforce financial policies
- Tools: SAP, Microsoft Excel

EDUCATION
Bachelor's degree in Accounting — Westmoor University, 2011

SKILLS
financial statements, SAP, Microsoft Excel
"""
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


@lru_cache(maxsize=2)
def cv(lang: str) -> StructuredCV:
    return parse_cv(ARABIC_CV if lang == "ar" else ENGLISH_CV)


def test_layout_uses_standard_headings_and_keeps_the_words() -> None:
    english = plain_text(layout_cv(cv("en")))
    for heading in ("PROFESSIONAL SUMMARY", "WORK EXPERIENCE", "EDUCATION", "SKILLS"):
        assert f"\n{heading}\n" in english
    assert "- Responsibilities: evaluate budgets; enforce financial policies\n- Tools:" in english
    assert "Feb 2021 – Present" in english
    arabic_layout = plain_text(layout_cv(cv("en"), "ar"))
    assert "الخبرات العملية" in arabic_layout
    assert "Financial Controller — Gulf Horizon Bank" in arabic_layout  # not translated
    assert "فبراير 2021 – حتى الآن" in arabic_layout


def test_docx_is_plain_paragraphs_with_real_headings() -> None:
    document = Document(io.BytesIO(render_docx(cv("en"))))
    assert document.tables == []
    assert not document.inline_shapes
    headings = [p.text for p in document.paragraphs if p.style and p.style.name == "Heading 1"]
    assert headings == ["PROFESSIONAL SUMMARY", "WORK EXPERIENCE", "EDUCATION", "SKILLS"]
    assert len(document.sections) == 1
    assert document.core_properties.title == "Joseph Sharma — Financial Controller"


def test_arabic_docx_is_right_to_left_with_latin_runs_left_to_right() -> None:
    document = Document(io.BytesIO(render_docx(cv("ar"))))
    paragraphs = document.paragraphs
    assert all(p._p.pPr is not None and p._p.pPr.find(f"{W}bidi") is not None for p in paragraphs)
    entry = next(p for p in paragraphs if "Qamar Data Systems" in p.text)
    runs = [(r.text, r._r.rPr.find(f"{W}rtl") is not None) for r in entry.runs]
    assert runs[0] == ("مهندسة أمن سيبراني أولى — ", True)
    assert ("Qamar Data Systems", False) in runs
    for run in entry.runs:  # Arabic size and weight come from the complex-script properties
        assert run._r.rPr.find(f"{W}szCs") is not None
        assert run._r.rPr.find(f"{W}bCs") is not None
    contact = next(p for p in paragraphs if "@" in p.text)
    assert f"{LRM}+971 52 982 3249" in contact.text
    styles = document.styles.element.xml
    assert 'w:bidi="ar-AE"' in styles


def test_english_lines_of_an_arabic_layout_read_left_to_right_aligned_right() -> None:
    doc = layout_cv(cv("en"), "ar")
    document = Document(io.BytesIO(render_docx(cv("en"), "ar")))
    bullet = next(p for p in document.paragraphs if p.text.startswith("- Responsibilities"))
    assert bullet._p.pPr.find(f"{W}bidi") is None
    assert bullet.alignment == WD_ALIGN_PARAGRAPH.RIGHT
    heading = next(p for p in document.paragraphs if p.text == "الخبرات العملية")
    assert heading._p.pPr.find(f"{W}bidi") is not None
    page = layout_pages(doc)[0]
    line = next(line for line in page.lines if line.runs[0].glyphs.startswith("- Resp"))
    assert len(line.runs) == 1  # one left-to-right run, the bullet first
    assert line.runs[0].x + line.runs[0].width == pytest.approx(PAGE_WIDTH - MARGIN_X)


def test_documents_are_deterministic() -> None:
    assert render_docx(cv("ar")) == render_docx(cv("ar"))
    assert render_pdf(cv("ar")) == render_pdf(cv("ar"))
    with zipfile.ZipFile(io.BytesIO(render_docx(cv("en")))) as archive:
        assert {i.date_time for i in archive.infolist()} == {(1980, 1, 1, 0, 0, 0)}


def test_pdf_embeds_its_fonts_and_holds_text_only() -> None:
    reader = PdfReader(io.BytesIO(render_pdf(cv("ar"))))
    page = reader.pages[0]
    assert list(page.images) == []
    fonts = [f.get_object() for f in page["/Resources"]["/Font"].values()]
    # Every font the text uses is an embedded DejaVu subset with a ToUnicode map (so the
    # text can be read back); reportlab also lists an unused Helvetica.
    used = [f for f in fonts if "DejaVuSans" in str(f["/BaseFont"])]
    assert len(used) >= 2  # regular and bold, each in as many subsets as it needs
    assert all("/FontFile2" in f["/FontDescriptor"] and "/ToUnicode" in f for f in used)
    assert reader.metadata is not None
    assert reader.metadata.title == "هدى المنصوري — مهندسة أمن سيبراني أولى"


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_pdf_text_reads_back_in_logical_order(lang: str) -> None:
    text = extract_in_process(render_pdf(cv(lang))).text
    lines = text.split("\n")
    if lang == "ar":
        assert lines[0] == "هدى المنصوري"
        assert "البريد الإلكتروني: huda.almansoori@example.com | الهاتف: +971 52 982 3249" in lines
        assert "مهندسة أمن سيبراني أولى — Qamar Data Systems" in lines
        assert "- الأدوات: Linux، Splunk Enterprise" in lines
        assert "مارس 2025 – حتى الآن" in lines
    else:
        assert lines[0] == "Joseph Sharma"
        assert "Financial Controller — Gulf Horizon Bank" in lines
        assert "Email: joseph.sharma@example.com | Phone: +971 52 758 2962" in lines


def test_arabic_pdf_lines_are_right_aligned_in_visual_order() -> None:
    page = layout_pages(layout_cv(cv("ar")))[0]
    right = PAGE_WIDTH - MARGIN_X
    for line in page.lines:
        end = max(r.x + r.width for r in line.runs)
        assert end == pytest.approx(right, abs=0.01)
    contact = next(line for line in page.lines if any("@" in r.glyphs for r in line.runs))
    label = next(r for r in contact.runs if r.rtl)  # "البريد الإلكتروني: " (shaped)
    email = next(r for r in contact.runs if "@" in r.glyphs)
    phone = next(r for r in contact.runs if "+971 52 982 3249" in r.glyphs)
    # Read right to left: label, email, "| الهاتف:", then the phone at the far left.
    assert label.x > email.x > phone.x
    assert phone.x == pytest.approx(min(r.x for r in contact.runs))
    # Shaped: presentation forms, not bare letters.
    assert all("\ufe70" <= g <= "\ufeff" or g in " :" for g in label.glyphs)


def test_bidi_helpers() -> None:
    assert protect_ltr("الهاتف: +971 52 982 3249") == f"الهاتف: {LRM}+971 52 982 3249"
    assert protect_ltr("مارس 2025 – 2026") == "مارس 2025 – 2026"  # years are no phone
    assert protect_ltr("- Responsibilities: budgets") == "- Responsibilities: budgets"
    assert paragraph_rtl("- المهام: الشبكات", document_rtl=False)
    assert not paragraph_rtl("- Responsibilities: budgets", document_rtl=True)
    assert paragraph_rtl("+971 52 982 3249", document_rtl=True)  # no strong letter: the doc's
    runs = bidi_runs("الأدوات: Linux، Splunk", rtl=True)
    assert [(r.text, r.rtl) for r in runs] == [("الأدوات: ", True), ("Linux، Splunk", False)]
    assert visual_order([1, 2, 1]) == [2, 1, 0]
    assert visual_order([0, 1, 1, 0]) == [0, 2, 1, 3]


def _ink_box(png: bytes, top: float, bottom: float) -> tuple[int, int]:
    image = Image.open(io.BytesIO(png)).convert("L")
    width, height = image.size
    band = image.crop((0, int(top * height), width, int(bottom * height)))
    xs = [
        x
        for x in range(band.width)
        for y in range(0, band.height, 2)
        if band.getpixel((x, y)) < 128
    ]
    return min(xs), max(xs)


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_preview_draws_the_name_at_the_starting_edge(lang: str) -> None:
    png = preview_pngs(layout_cv(cv(lang)), dpi=60)[0]
    width = Image.open(io.BytesIO(png)).size[0]
    left, right = _ink_box(png, 0.06, 0.085)  # the name's line
    margin = MARGIN_X / PAGE_WIDTH * width
    if lang == "ar":
        assert right == pytest.approx(width - margin, abs=4)
        assert left > width / 2
    else:
        assert left == pytest.approx(margin, abs=4)
        assert right < width / 2


def test_missing_fonts_are_a_clear_503(tmp_path: Path) -> None:
    with pytest.raises(FontsUnavailable) as raised:
        find_fonts(RenderSettings(font_regular=tmp_path / "missing.ttf"))
    assert raised.value.http_status == 503
    assert find_fonts().regular.name == "DejaVuSans.ttf"
