"""Decide what an upload is from its bytes alone, never from its name or Content-Type; the name
may only agree with the bytes (``check_file_name``) or have the upload refused. Files that read
as two types (PDF/ZIP polyglots), Word documents with macros and markup (HTML, SVG) sent as
text are refused."""

from __future__ import annotations

import codecs
import io
import re
import zipfile
from typing import Literal

from ingestion.errors import CorruptDocument, EncryptedDocument, UnsupportedFileType

Kind = Literal["pdf", "docx", "text"]

ACCEPTED = "upload a PDF, a Word document (.docx) or a UTF-8 text file"

#: Readers find "%PDF-" anywhere in the first 1024 bytes (ISO 32000-2, annex H), so do we.
PDF_HEADER_WINDOW = 1024

_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
# An encrypted .docx is an OLE container holding a stream named "EncryptedPackage" (MS-OFFCRYPTO).
_OLE_ENCRYPTED_PACKAGE = "EncryptedPackage".encode("utf-16-le")

_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF87a", "a GIF image"),
    (b"GIF89a", "a GIF image"),
    (b"II*\x00", "a TIFF image"),
    (b"MM\x00*", "a TIFF image"),
    (b"\x7fELF", "a program"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"Rar!", "a RAR archive"),
    (b"7z\xbc\xaf\x27\x1c", "a 7-Zip archive"),
)
# Weak magic numbers: only named once the bytes failed to be text.
_WEAK_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"MZ", "a program"),
    (b"BM", "a BMP image"),
)

#: Parts that carry VBA macros (MS-OFFMACRO2): vbaProject.bin, and its companion vbaData.xml.
_MACRO_PARTS = ("vbaproject.bin", "vbadata.xml")

# Text that is markup a browser would run or render: never a CV, whatever its name says.
_MARKUP_START = re.compile(
    r"^\s*<(?:(?P<html>!doctype\s+html|html|head|body|meta|script|iframe)|(?P<svg>svg)|"
    r"(?P<xml>\?xml))\b",
    re.IGNORECASE,
)
_ACTIVE_MARKUP = re.compile(r"<(?:script|iframe|object|embed|svg|html)\b", re.IGNORECASE)

#: File name extensions per kind; a name ending in another known extension disagrees.
EXTENSIONS: dict[str, frozenset[str]] = {
    "pdf": frozenset({".pdf"}),
    "docx": frozenset({".docx"}),
    "text": frozenset({".txt", ".text", ".md"}),
}
_KNOWN_EXTENSIONS = frozenset().union(*EXTENSIONS.values()) | frozenset(
    {
        ".doc", ".docm", ".dotx", ".dotm", ".rtf", ".odt", ".pages", ".xls", ".xlsx", ".xlsm",
        ".ppt", ".pptx", ".pptm", ".html", ".htm", ".xhtml", ".svg", ".xml", ".js", ".png",
        ".jpg", ".jpeg", ".gif", ".bmp", ".tif", ".tiff", ".webp", ".heic", ".zip", ".rar",
        ".7z", ".gz", ".exe", ".dll", ".bat", ".sh", ".ps1", ".jar", ".apk", ".epub", ".csv",
    }
)  # fmt: skip
_KIND_NAMES = {"pdf": "a PDF", "docx": "a Word document (.docx)", "text": "a text file"}

# C0 controls other than tab, newline, vertical tab, form feed and carriage return; DEL; C1.
_BINARY_CONTROLS = re.compile("[\x00-\x08\x0e-\x1f\x7f-\x9f]")


def unsupported(what: str | None = None) -> UnsupportedFileType:
    if what:
        return UnsupportedFileType(f"This file is {what}, which we cannot read; {ACCEPTED}")
    return UnsupportedFileType(f"Unsupported file type; {ACCEPTED}")


def sniff(data: bytes) -> Kind:
    """Return ``"pdf"``, ``"docx"`` or ``"text"``; raise ``UnsupportedFileType`` otherwise."""
    if not data:
        raise CorruptDocument("The file is empty", code="empty_file")
    if b"%PDF-" in data[: PDF_HEADER_WINDOW + 5]:
        if _opens_as_zip(data):
            # One file, two readings: whichever a later reader picks, it is not what we checked.
            raise UnsupportedFileType(
                f"This file is both a PDF and a ZIP archive; {ACCEPTED}", code="polyglot_file"
            )
        return "pdf"
    if data.startswith(b"PK\x03\x04"):
        return _sniff_zip(data)
    if data.startswith(b"PK\x05\x06"):
        raise unsupported("an empty ZIP archive")
    if data.startswith(_OLE):
        if _OLE_ENCRYPTED_PACKAGE in data:
            raise EncryptedDocument(
                "This Word document is password-protected; upload an unprotected copy"
            )
        raise UnsupportedFileType(
            "Old Word (.doc) and other legacy Office files are not accepted; "
            "save it as .docx or PDF and upload that"
        )
    if data.startswith(b"{\\rtf"):
        raise UnsupportedFileType("RTF files are not accepted; save it as .docx or PDF")
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        raise unsupported("a WebP image")
    for magic, what in _MAGIC:
        if data.startswith(magic):
            raise unsupported(what)
    text = decode_text(data)
    if text is not None:
        markup = _markup(text)
        if markup is not None:
            raise unsupported(markup)
        return "text"
    for magic, what in _WEAK_MAGIC:
        if data.startswith(magic):
            raise unsupported(what)
    if b"\x00" not in data and not _BINARY_CONTROLS.search(data[:4096].decode("latin-1")):
        raise UnsupportedFileType(
            f"This text file is not UTF-8 encoded; save it as UTF-8, or {ACCEPTED}"
        )
    raise unsupported()


def check_file_name(kind: Kind, file_name: str | None) -> None:
    """The name's extension must agree with what the bytes are: a Word document named
    ``cv.pdf`` is refused, so no reader downstream is led by the name to the wrong parser. A
    name without a known extension ("cv", "cv.final") is left to the bytes."""
    if not file_name:
        return
    base = file_name.replace("\\", "/").rsplit("/", 1)[-1].strip().rstrip(".")
    suffix = ("." + base.rsplit(".", 1)[-1].lower()) if "." in base else ""
    if suffix in _KNOWN_EXTENSIONS and suffix not in EXTENSIONS[kind]:
        raise UnsupportedFileType(
            f"This file is {_KIND_NAMES[kind]} but its name ends in {suffix}; rename it to "
            f"match what it is, or {ACCEPTED}",
            code="extension_mismatch",
        )


def _markup(text: str) -> str | None:
    """What markup ``text`` is (an HTML page, an SVG image, an XML document), or None."""
    head = text.lstrip("\ufeff")
    start = _MARKUP_START.match(head)
    if start is not None:
        if start.group("svg"):
            return "an SVG image"
        if start.group("xml"):
            return "an SVG image" if re.search(r"<svg\b", head, re.IGNORECASE) else "XML"
        return "an HTML page"
    if _ACTIVE_MARKUP.search(head):
        return "an HTML page"
    return None


def _opens_as_zip(data: bytes) -> bool:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return bool(archive.namelist())
    except (zipfile.BadZipFile, ValueError, OSError, EOFError):
        return False


def decode_text(data: bytes) -> str | None:
    """The text of UTF-8 (with or without BOM) or BOM-marked UTF-16 bytes; None if not text."""
    if data.startswith(codecs.BOM_UTF8):
        encoding, body = "utf-8", data[len(codecs.BOM_UTF8) :]
    elif data.startswith(codecs.BOM_UTF16_LE):
        encoding, body = "utf-16-le", data[2:]
    elif data.startswith(codecs.BOM_UTF16_BE):
        encoding, body = "utf-16-be", data[2:]
    else:
        encoding, body = "utf-8", data
    try:
        text = body.decode(encoding)
    except UnicodeDecodeError:
        return None
    if _BINARY_CONTROLS.search(text):
        return None
    return text


def _sniff_zip(data: bytes) -> Kind:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, ValueError, OSError, EOFError) as exc:
        raise CorruptDocument(
            "The file looks like a Word document or ZIP archive but is damaged",
            code="corrupt_archive",
        ) from exc
    if any(name.lower().endswith(_MACRO_PARTS) for name in names):
        raise UnsupportedFileType(
            "This Word document contains macros, which we do not accept; save it as a "
            "plain .docx (without macros) or PDF and upload that",
            code="macros_not_accepted",
        )
    if "[Content_Types].xml" in names and "word/document.xml" in names:
        return "docx"
    if "[Content_Types].xml" in names and any(n.startswith("xl/") for n in names):
        raise unsupported("a spreadsheet")
    if "[Content_Types].xml" in names and any(n.startswith("ppt/") for n in names):
        raise unsupported("a presentation")
    if "mimetype" in names and any(n == "content.xml" for n in names):
        raise unsupported("an OpenDocument file")
    raise unsupported("a ZIP archive")
