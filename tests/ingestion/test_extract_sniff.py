"""The type of an upload comes from its bytes; names and Content-Types are never consulted."""

from __future__ import annotations

import codecs

import pytest

from ingestion.errors import CorruptDocument, EncryptedDocument, UnsupportedFileType
from ingestion.extract import extract_in_process, sniff
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
