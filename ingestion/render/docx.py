"""CvDocument → DOCX (python-docx): editable, one column, plain paragraphs, no tables.

Headings use Word's built-in "Heading 1" style (restyled plain), so ATS software and screen
readers see them as headings. In an Arabic document every paragraph is right-to-left
(``w:bidi``), runs the bidi algorithm resolves as right-to-left carry ``w:rtl`` and use the
complex-script size and weight (``w:szCs``, ``w:bCs``), and an LRM keeps phone numbers and
leading Latin in their order (see ``bidi.protect_ltr``). Word and LibreOffice then lay the text
out themselves; the file holds logical text only.
"""

from __future__ import annotations

import io
import zipfile
from datetime import UTC, datetime
from typing import Any

from docx import Document
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor
from docx.text.paragraph import Paragraph

from ingestion.render.bidi import bidi_runs, paragraph_rtl, protect_ltr
from ingestion.render.layout import BlockKind, CvDocument

LATIN_FONT = "Calibri"
#: Complex-script (Arabic) font: Arial has Arabic on Windows and macOS; LibreOffice maps it.
ARABIC_FONT = "Arial"
_FIXED_DATE = datetime(2000, 1, 1, tzinfo=UTC)

_SIZES: dict[BlockKind, tuple[float, bool]] = {
    "name": (18, True),
    "headline": (11.5, False),
    "contact": (9.5, False),
    "heading": (12, True),
    "entry": (11, True),
    "meta": (10, False),
    "text": (10.5, False),
    "bullet": (10.5, False),
}
# Elements that follow w:bidi in a w:pPr (ECMA-376 order), and w:szCs in a w:rPr.
_AFTER_BIDI = (
    "w:adjustRightInd",
    "w:snapToGrid",
    "w:spacing",
    "w:ind",
    "w:contextualSpacing",
    "w:mirrorIndents",
    "w:suppressOverlap",
    "w:jc",
    "w:textDirection",
    "w:textAlignment",
    "w:textboxTightWrap",
    "w:outlineLvl",
    "w:divId",
    "w:cnfStyle",
    "w:rPr",
    "w:sectPr",
    "w:pPrChange",
)
_AFTER_SZCS = (
    "w:highlight",
    "w:u",
    "w:effect",
    "w:bdr",
    "w:shd",
    "w:fitText",
    "w:vertAlign",
    "w:rtl",
    "w:cs",
    "w:em",
    "w:lang",
    "w:eastAsianLayout",
    "w:specVanish",
    "w:oMath",
)


def _set_bidi(paragraph: Paragraph) -> None:
    ppr: Any = paragraph._p.get_or_add_pPr()
    if ppr.find(qn("w:bidi")) is None:
        ppr.insert_element_before(OxmlElement("w:bidi"), *_AFTER_BIDI)


def _fonts(rpr: Any, lang_bidi: str | None) -> None:
    fonts = rpr.get_or_add_rFonts()
    for attr in ("w:ascii", "w:hAnsi"):
        fonts.set(qn(attr), LATIN_FONT)
    fonts.set(qn("w:cs"), ARABIC_FONT)
    if lang_bidi:
        lang = rpr.find(qn("w:lang"))
        if lang is None:
            lang = OxmlElement("w:lang")
            rpr.insert_element_before(lang, "w:eastAsianLayout", "w:specVanish", "w:oMath")
        lang.set(qn("w:val"), "en-US")
        lang.set(qn("w:bidi"), lang_bidi)


def _cs_size(rpr: Any, size: float) -> None:
    szcs = rpr.find(qn("w:szCs"))
    if szcs is None:
        szcs = OxmlElement("w:szCs")
        rpr.insert_element_before(szcs, *_AFTER_SZCS)
    szcs.set(qn("w:val"), str(round(size * 2)))


def _add_runs(paragraph: Paragraph, text: str, *, rtl: bool, size: float, bold: bool) -> None:
    """Runs split where the bidi level's direction changes; right-to-left ones marked rtl."""
    if rtl:
        text = protect_ltr(text)
        pieces = [(r.text, r.rtl) for r in bidi_runs(text, rtl=True)]
        merged: list[tuple[str, bool]] = []
        for piece, is_rtl in pieces:
            if merged and merged[-1][1] == is_rtl:
                merged[-1] = (merged[-1][0] + piece, is_rtl)
            else:
                merged.append((piece, is_rtl))
    else:
        merged = [(text, False)]
    for piece, is_rtl in merged:
        run = paragraph.add_run(piece)
        run.font.size = Pt(size)
        run.font.bold = bold or None
        rpr = run._r.get_or_add_rPr()
        if bold:
            run.font.cs_bold = True
        _cs_size(rpr, size)
        if is_rtl:
            run.font.rtl = True


def _style_document(document: Any, rtl: bool) -> None:
    normal = document.styles["Normal"]
    normal.font.name = LATIN_FONT
    normal.font.size = Pt(10.5)
    rpr = normal.element.get_or_add_rPr()
    _fonts(rpr, "ar-AE" if rtl else None)
    _cs_size(rpr, 10.5)
    normal.paragraph_format.space_after = Pt(2)
    normal.paragraph_format.space_before = Pt(0)
    heading = document.styles["Heading 1"]
    heading.font.name = LATIN_FONT
    heading.font.size = Pt(12)
    heading.font.bold = True
    heading.font.italic = False
    heading.font.color.rgb = RGBColor(0x1A, 0x1A, 0x1A)
    hrpr = heading.element.get_or_add_rPr()
    _fonts(hrpr, None)
    _cs_size(hrpr, 12)
    heading.paragraph_format.space_before = Pt(12)
    heading.paragraph_format.space_after = Pt(3)
    heading.paragraph_format.keep_with_next = True
    if "CV Entry" not in [s.name for s in document.styles]:
        entry = document.styles.add_style("CV Entry", WD_STYLE_TYPE.PARAGRAPH)
        entry.base_style = normal
        entry.paragraph_format.keep_with_next = True


def render_docx_document(doc: CvDocument) -> bytes:
    """A laid-out CV as DOCX bytes (deterministic for the same input)."""
    document = Document()
    section = document.sections[0]
    section.page_height, section.page_width = Cm(29.7), Cm(21.0)
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Cm(1.9))
    _style_document(document, doc.rtl)
    props = document.core_properties
    props.title = doc.title
    props.author = doc.author or ""
    props.subject = "Curriculum vitae"
    props.language = "ar-AE" if doc.rtl else "en-US"
    # Fixed dates, so the same CV always gives the same bytes (tests, content hashes).
    props.created = props.modified = _FIXED_DATE
    props.last_modified_by = "Tabashir"
    props.revision = 1
    for block in doc.blocks:
        size, bold = _SIZES[block.kind]
        if block.kind == "heading":
            paragraph = document.add_paragraph(style="Heading 1")
        elif block.kind == "entry":
            paragraph = document.add_paragraph(style="CV Entry")
        else:
            paragraph = document.add_paragraph()
        if block.gap:
            paragraph.paragraph_format.space_before = Pt(6)
        if block.kind == "bullet":
            indent = Cm(0.4)
            if doc.rtl and paragraph_rtl(block.text, doc.rtl):
                paragraph.paragraph_format.right_indent = indent
            else:
                paragraph.paragraph_format.left_indent = indent
        rtl = doc.rtl and paragraph_rtl(block.text, doc.rtl)
        if rtl:
            _set_bidi(paragraph)  # right-to-left, aligned at its start: the right margin
        elif doc.rtl:
            # A left-to-right line (English) in an Arabic CV, aligned with the rest.
            paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        _add_runs(paragraph, block.text, rtl=rtl, size=size, bold=bold)
    buf = io.BytesIO()
    document.save(buf)
    return _fixed_zip_times(buf.getvalue())


def _fixed_zip_times(data: bytes) -> bytes:
    # python-docx stamps each part with the current time; the same CV must give the same bytes.
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as src,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst,
    ):
        for item in src.infolist():
            info = zipfile.ZipInfo(item.filename, date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = item.external_attr
            dst.writestr(info, src.read(item.filename))
    return out.getvalue()
