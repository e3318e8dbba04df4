"""``extract_in_process``: bytes → ``Extraction``, in the calling process, no sandbox."""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass
from typing import Any, Literal

from ingestion.errors import CorruptDocument
from ingestion.extract.arabic import Language, detect_language, fix_visual_text
from ingestion.extract.normalise import clean_display_text, search_text
from ingestion.extract.sniff import Kind, decode_text, sniff
from ingestion.settings import IngestionSettings, get_ingestion_settings

Status = Literal["ok", "needs_ocr"]

DOCX_IMAGES_ONLY_MESSAGE = "This document contains images only; text could not be extracted"


@dataclass(frozen=True)
class Extraction:
    """What a document says, ready for the CV parser.

    ``text`` is for people and parsers: logical order, one line per paragraph or PDF line,
    pages separated by a blank line. ``search_text`` is the same text folded for matching
    (Arabic variants unified, case folded). ``status`` is "needs_ocr" when the file holds only
    images: then both texts are empty and ``message`` says why; otherwise ``message`` may note
    pages that could not be read. ``pages`` is None for DOCX and text. ``sha256`` is of the
    uploaded bytes (ingestion is idempotent by it).
    """

    kind: Kind
    text: str
    search_text: str
    language: Language
    status: Status
    message: str | None
    pages: int | None
    sha256: str

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, fields: dict[str, Any]) -> Extraction:
        return cls(**fields)


def extract_in_process(data: bytes, settings: IngestionSettings | None = None) -> Extraction:
    """Sniff, check and parse ``data`` here, without a sandbox: for the parse worker, and for
    tests and notebooks on trusted files. Uploads go through ``extract``."""
    settings = settings or get_ingestion_settings()
    kind = sniff(data)
    digest = hashlib.sha256(data).hexdigest()
    pages: int | None = None
    message: str | None = None
    if kind == "pdf":
        from ingestion.extract.pdf_text import NEEDS_OCR_MESSAGE, pdf_text

        pdf = pdf_text(data)
        pages = len(pdf.pages)
        if pdf.needs_ocr:
            return _needs_ocr(kind, NEEDS_OCR_MESSAGE, pages, digest)
        if pdf.failed_pages:
            message = f"{pdf.failed_pages} of {pages} pages could not be read"
        raw = "\n\n".join(clean_display_text(page) for page in pdf.pages)
        # PDFs store Arabic in visual order; fix_visual_text decides line by line.
        text = clean_display_text(fix_visual_text(_strip_lines(raw)))
    elif kind == "docx":
        from ingestion.extract.docx_text import docx_text

        docx = docx_text(data, settings)
        text = clean_display_text(docx.text)
        if not text.strip() and docx.has_images:
            return _needs_ocr(kind, DOCX_IMAGES_ONLY_MESSAGE, None, digest)
        # Word stores logical order; only a line pasted from a PDF carries visual evidence.
        text = fix_visual_text(text, default_visual=False)
    else:
        decoded = decode_text(data)
        if decoded is None:  # sniff said text, so this cannot happen; keep mypy and readers sure
            raise CorruptDocument("The text file could not be decoded")
        text = fix_visual_text(clean_display_text(decoded), default_visual=False)
    if not text.strip():
        raise CorruptDocument("The document contains no text", code="empty_document")
    if len(text) > settings.max_text_chars:
        text = cap_text(text, settings.max_text_chars)
        cut = f"Only the first {settings.max_text_chars:,} characters of the text were kept"
        message = f"{message}; {cut}" if message else cut
    return Extraction(
        kind=kind,
        text=text,
        search_text=search_text(text),
        language=detect_language(text),
        status="ok",
        message=message,
        pages=pages,
        sha256=digest,
    )


def cap_text(text: str, limit: int) -> str:
    """``text`` cut to at most ``limit`` characters, at the last line break when one is near."""
    head = text[:limit]
    newline = head.rfind("\n")
    return head[:newline] if newline >= limit // 2 else head


def _needs_ocr(kind: Kind, message: str, pages: int | None, digest: str) -> Extraction:
    return Extraction(
        kind=kind,
        text="",
        search_text="",
        language="en",
        status="needs_ocr",
        message=message,
        pages=pages,
        sha256=digest,
    )


def _strip_lines(text: str) -> str:
    # pypdf starts a line drawn right-aligned with a space; it would end the line once reversed.
    return "\n".join(line.strip() for line in text.split("\n"))
