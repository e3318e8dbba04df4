"""Decide what an upload is from its bytes alone: never from its name or Content-Type."""

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
    if decode_text(data) is not None:
        return "text"
    for magic, what in _WEAK_MAGIC:
        if data.startswith(magic):
            raise unsupported(what)
    if b"\x00" not in data and not _BINARY_CONTROLS.search(data[:4096].decode("latin-1")):
        raise UnsupportedFileType(
            f"This text file is not UTF-8 encoded; save it as UTF-8, or {ACCEPTED}"
        )
    raise unsupported()


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
    if "[Content_Types].xml" in names and "word/document.xml" in names:
        return "docx"
    if "[Content_Types].xml" in names and any(n.startswith("xl/") for n in names):
        raise unsupported("a spreadsheet")
    if "[Content_Types].xml" in names and any(n.startswith("ppt/") for n in names):
        raise unsupported("a presentation")
    if "mimetype" in names and any(n == "content.xml" for n in names):
        raise unsupported("an OpenDocument file")
    raise unsupported("a ZIP archive")
