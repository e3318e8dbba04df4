"""PDF → text with pypdf, page by page, glyphs in the order the page stores them."""

from __future__ import annotations

import importlib
import io
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from ingestion.errors import CorruptDocument, EncryptedDocument, UnsafeDocument

#: Below this many non-space characters per page on average, a PDF is taken for scanned images.
MIN_CHARS_PER_PAGE = 20
NEEDS_OCR_MESSAGE = "This PDF contains scanned images only; text could not be extracted"

_NEVER = re.compile(r"(?!)")
_patch_lock = threading.Lock()


@dataclass(frozen=True)
class PdfText:
    pages: list[str]
    failed_pages: int

    @property
    def needs_ocr(self) -> bool:
        chars = sum(len("".join(page.split())) for page in self.pages)
        return bool(self.pages) and chars < MIN_CHARS_PER_PAGE * len(self.pages)


def _never_rtl(*_: object) -> bool:
    return False


@contextmanager
def _glyph_order() -> Iterator[None]:
    """Switch off pypdf's own right-to-left handling while we extract.

    pypdf reverses each run of Arabic characters but leaves the runs in the page's visual
    order, so a line mixing Arabic, an email and a phone number comes back scrambled in a way
    no later step can undo. Without it we get the plain visual order, which
    ``arabic.fix_visual_text`` reverses line by line with the bidi algorithm. The switch is two
    module globals of pypdf's text extractor (checked to exist; tests pin the behaviour) and is
    restored afterwards.
    """
    extraction: Any = importlib.import_module("pypdf._text_extraction")
    if not hasattr(extraction, "RTL_CHARACTER_PATTERN") or not hasattr(extraction, "is_char_rtl"):
        yield
        return
    with _patch_lock:
        saved = extraction.RTL_CHARACTER_PATTERN, extraction.is_char_rtl
        extraction.RTL_CHARACTER_PATTERN, extraction.is_char_rtl = _NEVER, _never_rtl
        try:
            yield
        finally:
            extraction.RTL_CHARACTER_PATTERN, extraction.is_char_rtl = saved


def pdf_text(data: bytes) -> PdfText:
    """Each page's text; refuses encrypted PDFs, even those that open with an empty password."""
    from pypdf import PdfReader
    from pypdf.errors import LimitReachedError, PyPdfError

    try:
        reader = PdfReader(io.BytesIO(data))
        encrypted = reader.is_encrypted
    except MemoryError:
        raise
    except LimitReachedError as exc:
        raise UnsafeDocument(
            "The PDF holds more data than we accept", code="pdf_limit_reached"
        ) from exc
    except (PyPdfError, Exception) as exc:
        raise CorruptDocument("The PDF file is damaged and could not be read") from exc
    if encrypted:
        raise EncryptedDocument("This PDF is password-protected; upload an unprotected copy")
    try:
        pages: Any = list(reader.pages)
    except MemoryError:
        raise
    except Exception as exc:
        raise CorruptDocument("The PDF file is damaged and could not be read") from exc
    if not pages:
        raise CorruptDocument("The PDF has no pages", code="empty_document")
    texts: list[str] = []
    failed = 0
    with _glyph_order():
        for page in pages:
            try:
                texts.append(page.extract_text() or "")
            except MemoryError:
                raise
            except LimitReachedError as exc:
                raise UnsafeDocument(
                    "The PDF holds more data than we accept", code="pdf_limit_reached"
                ) from exc
            except Exception:
                # One damaged page should not cost the reader the others; it is reported.
                failed += 1
    if failed == len(pages):
        raise CorruptDocument("The PDF file is damaged and could not be read")
    return PdfText(texts, failed)
