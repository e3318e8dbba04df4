"""The type of an upload comes from its bytes; a name may only agree with them (or be refused)."""

from __future__ import annotations

import codecs

import pytest

from ingestion.errors import CorruptDocument, EncryptedDocument, UnsupportedFileType
from ingestion.extract import extract_in_process, sniff
from ingestion.extract.sniff import Kind, check_file_name
from ingestion.settings import IngestionSettings
from tests.ingestion.fixtures import documents

pytestmark = pytest.mark.unit


def test_pdf_docx_and_text_are_recognised(english_pdf: bytes, cv_docx: bytes) -> None:
    assert sniff(english_pdf) == "pdf"
    assert sniff(cv_docx) == "docx"
    assert sniff(b"Layla Haddad\nData Analyst") == "text"


def test_a_pdf_uploaded_as_cv_docx_is_read_as_the_pdf_it_is(english_pdf: bytes) -> None:
    # The upload's name and type are not arguments at all: only the bytes decide.
    extraction = extract_in_process(english_pdf)
    assert extraction.kind == "pdf"
    assert "Layla Haddad" in extraction.text


def test_text_uploaded_as_cv_pdf_is_read_as_text() -> None:
    extraction = extract_in_process(b"Layla Haddad\r\nSenior Data Analyst\r\nSQL, Python\r\n")
    assert extraction.kind == "text"
    assert extraction.text == "Layla Haddad\nSenior Data Analyst\nSQL, Python"
    assert extraction.pages is None


def test_pdf_header_after_leading_junk_up_to_1024_bytes(english_pdf: bytes) -> None:
    assert sniff(b"\x00" * 1024 + english_pdf) == "pdf"
    assert extract_in_process(b"junk " * 100 + english_pdf).kind == "pdf"
    with pytest.raises(UnsupportedFileType):
        sniff(b"\x00" * 1025 + english_pdf)


@pytest.mark.parametrize(
    ("data", "words"),
    [
        (documents.png_bytes(), "PNG image"),
        (documents.jpeg_bytes(), "JPEG image"),
        (b"GIF89a\x01\x00\x01\x00\x00\x00\x00", "GIF image"),
        (b"\x7fELF\x02\x01\x01" + bytes(64), "program"),
        (b"MZ\x90\x00\x03\x00\x00\x00" + bytes(64), "program"),
    ],
)
def test_images_and_programs_are_refused_by_name(data: bytes, words: str) -> None:
    with pytest.raises(UnsupportedFileType) as caught:
        sniff(data)
    assert words in caught.value.message
    assert "PDF" in caught.value.message
    assert ".docx" in caught.value.message
    assert caught.value.http_status == 415


def test_old_word_doc_is_refused_with_advice() -> None:
    with pytest.raises(UnsupportedFileType) as caught:
        sniff(documents.old_word_doc())
    assert ".doc" in caught.value.message
    assert ".docx or PDF" in caught.value.message


def test_password_protected_docx_is_encrypted_not_unsupported() -> None:
    # Word saves a protected .docx as an OLE container with an "EncryptedPackage" stream.
    ole = documents.old_word_doc() + "EncryptedPackage".encode("utf-16-le") + bytes(64)
    with pytest.raises(EncryptedDocument):
        sniff(ole)


def test_other_zips_are_refused(cv_docx: bytes) -> None:
    spreadsheet = documents.rezip(
        cv_docx, add=[("xl/workbook.xml", b"<workbook/>")], replace={}
    ).replace(b"word/document.xml", b"word/documenX.xml")
    with pytest.raises(UnsupportedFileType, match="spreadsheet"):
        sniff(spreadsheet)
    plain = documents.rezip(cv_docx).replace(b"[Content_Types].xml", b"[Content_Typez].xml")
    with pytest.raises(UnsupportedFileType, match="ZIP archive"):
        sniff(plain)


def test_damaged_zip_is_corrupt() -> None:
    with pytest.raises(CorruptDocument):
        sniff(b"PK\x03\x04" + b"\x00" * 100)


def test_utf8_bom_and_utf16_text() -> None:
    text = "سارة المنصوري\nمهندس برمجيات"
    assert extract_in_process(codecs.BOM_UTF8 + text.encode()).text == text
    assert extract_in_process(codecs.BOM_UTF16_LE + text.encode("utf-16-le")).text == text
    assert extract_in_process(codecs.BOM_UTF16_BE + text.encode("utf-16-be")).text == text


def test_text_in_a_legacy_encoding_is_refused_with_advice() -> None:
    with pytest.raises(UnsupportedFileType, match="not UTF-8"):
        sniff("Résumé: café manager".encode("latin-1"))


def test_binary_controls_are_not_text() -> None:
    with pytest.raises(UnsupportedFileType):
        sniff(b"Layla\x00Haddad\x01\x02")


def test_empty_upload_is_refused() -> None:
    with pytest.raises(CorruptDocument) as caught:
        sniff(b"")
    assert caught.value.code == "empty_file"


def test_blank_text_has_no_text() -> None:
    with pytest.raises(CorruptDocument) as caught:
        extract_in_process(b"  \n\t\n  ")
    assert caught.value.code == "empty_document"


# --- type confusion ----------------------------------------------------------------------------


def test_a_pdf_that_is_also_a_zip_archive_is_refused(english_pdf: bytes, cv_docx: bytes) -> None:
    # A ZIP's directory sits at its end, so a PDF with a ZIP appended opens as both.
    for polyglot in (english_pdf + cv_docx, b"%PDF-1.7\n" + cv_docx):
        with pytest.raises(UnsupportedFileType) as caught:
            sniff(polyglot)
        assert caught.value.code == "polyglot_file"
    assert sniff(english_pdf) == "pdf"


def test_a_word_document_with_macros_is_refused(cv_docx: bytes) -> None:
    macro = documents.rezip(cv_docx, add=[("word/vbaProject.bin", b"\xd0\xcf\x11\xe0" + bytes(64))])
    with pytest.raises(UnsupportedFileType) as caught:
        sniff(macro)
    assert caught.value.code == "macros_not_accepted"


@pytest.mark.parametrize(
    ("data", "what"),
    [
        (b"<!DOCTYPE html><html><body>Layla Haddad</body></html>", "HTML"),
        (b"  <html><script>alert(1)</script></html>", "HTML"),
        (b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>', "SVG"),
        (b'<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg"/>', "SVG"),
        (b"Layla Haddad\nData Analyst\n<script>steal()</script>", "HTML"),
    ],
)
def test_markup_is_not_a_text_cv(data: bytes, what: str) -> None:
    with pytest.raises(UnsupportedFileType) as caught:
        sniff(data)
    assert what in caught.value.message


def test_plain_text_mentioning_angle_brackets_is_still_text() -> None:
    assert sniff(b"Layla Haddad\nSkills: C++, a < b, 5 > 3, <10 years") == "text"


@pytest.mark.parametrize(
    ("kind", "name", "ok"),
    [
        ("pdf", "cv.pdf", True),
        ("pdf", "CV.PDF", True),
        ("docx", "cv.docx", True),
        ("text", "cv.txt", True),
        ("pdf", "cv", True),  # no extension: the bytes decide
        ("pdf", "Layla.Haddad.final", True),  # not a file type's extension
        ("docx", "cv.pdf", False),
        ("text", "cv.pdf", False),
        ("pdf", "cv.docx", False),
        ("text", "cv.html", False),
        ("pdf", "cv.pdf.exe", False),
        ("docx", "folder\\cv.doc", False),
    ],
)
def test_the_name_must_agree_with_the_bytes(kind: Kind, name: str, ok: bool) -> None:
    if ok:
        check_file_name(kind, name)
        return
    with pytest.raises(UnsupportedFileType) as caught:
        check_file_name(kind, name)
    assert caught.value.code == "extension_mismatch"


def test_extracted_text_is_capped_at_a_line_break() -> None:
    line = "Built dashboards in SQL and Python for the finance team.\n"
    huge = ("Layla Haddad\n" + line * 5000).encode()  # ~290,000 characters of text
    settings = IngestionSettings(max_text_chars=100_000)
    extraction = extract_in_process(huge, settings)
    assert len(extraction.text) <= 100_000
    assert len(extraction.text) > 99_000
    assert extraction.text.endswith("finance team.")  # cut between lines, not inside one
    assert extraction.message is not None
    assert "100,000 characters" in extraction.message
    assert len(extraction.search_text) <= 100_000
    # The default keeps every real CV whole (the longest of 310 runs to 63,249 characters).
    assert IngestionSettings().max_text_chars == 100_000
    small = extract_in_process(b"Layla Haddad\n" + line.encode() * 10)
    assert small.message is None
