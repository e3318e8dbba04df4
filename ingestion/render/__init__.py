"""Pure rendering of the structured CV: StructuredCV → DOCX or PDF, in English or Arabic.

Single column and ATS-safe (real text in reading order, standard headings, no layout tables,
no text in images). Arabic is right-to-left with shaped glyphs, and Latin or number runs
(emails, product names, phone numbers) stay in their order. ``language`` chooses the headings
and the direction; the CV's words are never translated here (see the translation service).
"""

from __future__ import annotations

from ingestion.cv_schema import CvLanguage, StructuredCV
from ingestion.render.docx import render_docx_document
from ingestion.render.fonts import FontSet, FontsUnavailable, RenderSettings, find_fonts
from ingestion.render.layout import Block, CvDocument, layout_cv, plain_text
from ingestion.render.pdf import layout_pages, render_pdf_document

DOCX_MIME = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
PDF_MIME = "application/pdf"


def render_docx(cv: StructuredCV, language: CvLanguage | None = None) -> bytes:
    """``cv`` as an editable DOCX, with the headings and direction of ``language`` (default:
    the CV's own)."""
    return render_docx_document(layout_cv(cv, language))


def render_pdf(
    cv: StructuredCV, language: CvLanguage | None = None, fonts: FontSet | None = None
) -> bytes:
    """``cv`` as a PDF with embedded fonts; raises ``FontsUnavailable`` (503) without them."""
    return render_pdf_document(layout_cv(cv, language), fonts)


def render_text(cv: StructuredCV, language: CvLanguage | None = None) -> str:
    """``cv`` as plain text, laid out like the documents (for indexing and previews)."""
    return plain_text(layout_cv(cv, language))


__all__ = [
    "DOCX_MIME",
    "PDF_MIME",
    "Block",
    "CvDocument",
    "FontSet",
    "FontsUnavailable",
    "RenderSettings",
    "find_fonts",
    "layout_cv",
    "layout_pages",
    "plain_text",
    "render_docx",
    "render_pdf",
    "render_text",
]
