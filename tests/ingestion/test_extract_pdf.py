"""PDF text, page by page; Arabic back in logical order; encrypted and scanned PDFs told apart."""

from __future__ import annotations

import json

import pytest

from ingestion.errors import CorruptDocument, EncryptedDocument
from ingestion.extract import extract_in_process
from tests.conftest import shared_data
from tests.ingestion.fixtures import documents

pytestmark = pytest.mark.unit


def test_english_two_page_pdf(english_pdf: bytes) -> None:
    extraction = extract_in_process(english_pdf)
    assert extraction.kind == "pdf"
    assert extraction.status == "ok"
    assert extraction.pages == 2
    assert extraction.language == "en"
    assert extraction.message is None
    lines = extraction.text.split("\n")
    for page in documents.ENGLISH_CV_PAGES:
        for line in page:
            assert line in lines
    # Page order survives, with a blank line between pages.
    assert extraction.text.index("Gulf Retail Group") < extraction.text.index("BSc Computer")
    assert "\n\nEducation\n" in extraction.text
    assert "layla.haddad@example.com" in extraction.search_text
    assert "senior data analyst" in extraction.search_text


def test_arabic_pdf_comes_back_in_logical_order(arabic_pdf: bytes) -> None:
    extraction = extract_in_process(arabic_pdf)
    assert extraction.language == "ar"
    lines = extraction.text.split("\n")
    assert lines == list(documents.ARABIC_CV_LINES)
    contact = next(line for line in lines if "@" in line)
    assert contact == "مهندس برمجيات name@example.com +971 50 123 4567"
    assert contact.index("مهندس برمجيات") < contact.index("name@example.com")
    # The PDF holds presentation forms; the text holds letters.
    assert not any(0xFB50 <= ord(c) <= 0xFEFE for c in extraction.text)


def test_arabic_pdf_search_text_is_folded(arabic_pdf: bytes) -> None:
    search = extract_in_process(arabic_pdf).search_text
    assert "الامارات العربيه المتحده" in search  # إ → ا, ة → ه
    assert "python و sql منذ 2015" in search


def test_pypdf_rtl_switch_is_restored_after_extraction(arabic_pdf: bytes) -> None:
    from pypdf import _text_extraction as extraction

    before = extraction.is_char_rtl  # type: ignore[attr-defined]
    extract_in_process(arabic_pdf)
    assert extraction.is_char_rtl is before  # type: ignore[attr-defined]
    assert extraction.is_char_rtl("\u0645")  # type: ignore[attr-defined]


@pytest.mark.parametrize("user_password", ["", "hunter2"])
def test_encrypted_pdf_is_refused_even_with_an_empty_password(user_password: str) -> None:
    with pytest.raises(EncryptedDocument) as caught:
        extract_in_process(documents.encrypted_pdf(user_password=user_password))
    assert caught.value.message == "This PDF is password-protected; upload an unprotected copy"


def test_scanned_pdf_needs_ocr_and_invents_nothing() -> None:
    extraction = extract_in_process(documents.scanned_pdf(pages=2))
    assert extraction.status == "needs_ocr"
    assert extraction.text == ""
    assert extraction.search_text == ""
    assert extraction.pages == 2
    assert extraction.message == (
        "This PDF contains scanned images only; text could not be extracted"
    )


def test_a_page_number_alone_still_needs_ocr() -> None:
    pages = [("1",), ("2",)]
    extraction = extract_in_process(documents.english_cv_pdf(pages))
    assert extraction.status == "needs_ocr"
    assert extraction.text == ""


def test_garbage_after_a_pdf_header_is_corrupt() -> None:
    with pytest.raises(CorruptDocument) as caught:
        extract_in_process(b"%PDF-1.7\n" + bytes(range(256)) * 20)
    assert "damaged" in caught.value.message
    assert "Traceback" not in caught.value.message


def test_truncated_pdf_is_corrupt_or_read_never_a_crash(english_pdf: bytes) -> None:
    for cut in (100, len(english_pdf) // 2, len(english_pdf) - 50):
        try:
            extraction = extract_in_process(english_pdf[:cut])
        except CorruptDocument:
            continue
        assert extraction.kind == "pdf"


def test_real_sample_resumes() -> None:
    """The public sample CVs (Resume-Matcher, Apache-2.0): name, email, phone and title found."""
    root = shared_data() / "sample-resumes"
    truth = json.loads((root / "ground_truth.json").read_text())["resumes"]
    assert len(truth) == 5
    for resume in truth:
        extraction = extract_in_process((root / resume["file"]).read_bytes())
        assert extraction.status == "ok", resume["file"]
        assert extraction.language == "en"
        assert extraction.pages is not None
        assert extraction.pages >= 1
        for field in ("name", "email", "phone", "title"):
            assert resume[field].casefold() in extraction.search_text, (resume["file"], field)
