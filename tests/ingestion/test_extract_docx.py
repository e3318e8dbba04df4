"""DOCX: everything a person sees, once and in order; hostile archives refused before parsing."""

from __future__ import annotations

import io
import warnings
import zipfile

import pytest

from ingestion.errors import EncryptedDocument, UnsafeDocument, UnsupportedFileType
from ingestion.extract import extract_in_process
from ingestion.settings import IngestionSettings
from tests.ingestion.fixtures import documents

pytestmark = pytest.mark.unit


def test_paragraphs_table_header_footer_and_text_box_once_in_order(cv_docx: bytes) -> None:
    extraction = extract_in_process(cv_docx)
    assert extraction.kind == "docx"
    assert extraction.status == "ok"
    assert extraction.pages is None
    text = extraction.text
    expected_order = [
        "Layla Haddad | layla.haddad@example.com",  # header
        "Senior Data Analyst",
        "Dubai, United Arab Emirates",
        "Company | Role | Years",  # table, row by row
        "Falcon Analytics | Data Analyst | 2019-2024",
        "Skills: SQL, Python, Power BI",
        "Availability:",
        documents.TEXT_BOX_TEXT,  # the text box, after the paragraph anchoring it
        "Page footer: CV of Layla Haddad",  # footer
    ]
    assert text.split("\n") == expected_order
    # Word stores the text box twice (DrawingML and its VML fallback); it is read once.
    assert text.count(documents.TEXT_BOX_TEXT) == 1
    assert text.count("Falcon Analytics") == 1


def test_shared_header_of_several_sections_is_read_once() -> None:
    from docx import Document
    from docx.enum.section import WD_SECTION

    document = Document()
    document.sections[0].header.paragraphs[0].text = "Layla Haddad - CV"
    document.add_paragraph("First section")
    document.add_section(WD_SECTION.NEW_PAGE)
    document.add_paragraph("Second section")
    second = document.sections[1]
    second.different_first_page_header_footer = True
    second.first_page_header.paragraphs[0].text = "First page of section two"
    out = io.BytesIO()
    document.save(out)
    text = extract_in_process(out.getvalue()).text
    assert text.count("Layla Haddad - CV") == 1
    assert "First page of section two" in text
    assert text.index("First section") < text.index("Second section")


def test_two_column_table_layout_keeps_each_cell_together() -> None:
    docx = documents.cv_docx(
        table=[
            ["Skills\nSQL\nPython", "Experience\nFalcon Analytics, 2019-2024\nGulf Retail, 2016"],
        ],
        text_box=None,
    )
    lines = extract_in_process(docx).text.split("\n")
    start = lines.index("Skills")
    assert lines[start : start + 6] == [
        "Skills",
        "SQL",
        "Python",
        "Experience",
        "Falcon Analytics, 2019-2024",
        "Gulf Retail, 2016",
    ]


def test_arabic_docx() -> None:
    paragraphs = ["سارة المنصوري", "مهندس برمجيات name@example.com +971 50 123 4567"]
    docx = documents.cv_docx(
        header="السيرة الذاتية",
        footer="دبي، الإمارات العربية المتحدة",
        paragraphs=paragraphs,
        after_table=["المهارات: إدارة المشاريع، تحليل البيانات"],
        table=[["الشركة", "المسمى الوظيفي"], ["شركة الصقر", "مهندس برمجيات"]],
        text_box="متاحة للانتقال داخل دول الخليج",
        rtl=True,
    )
    extraction = extract_in_process(docx)
    assert extraction.language == "ar"
    lines = extraction.text.split("\n")
    assert lines[0] == "السيرة الذاتية"
    assert lines[1:3] == paragraphs
    assert "الشركة | المسمى الوظيفي" in lines
    assert "متاحة للانتقال داخل دول الخليج" in lines
    assert lines[-1] == "دبي، الإمارات العربية المتحدة"
    assert "السيره الذاتيه" in extraction.search_text


def test_picture_only_docx_needs_ocr() -> None:
    extraction = extract_in_process(documents.image_only_docx())
    assert extraction.status == "needs_ocr"
    assert extraction.text == ""
    assert extraction.message == "This document contains images only; text could not be extracted"


def test_zip_bomb_part_is_refused_by_ratio() -> None:
    with pytest.raises(UnsafeDocument) as caught:
        extract_in_process(documents.zip_bomb_docx(inflated_mb=40))
    assert caught.value.code == "zip_ratio"


def test_archive_inflating_past_the_limit_is_refused() -> None:
    with pytest.raises(UnsafeDocument) as caught:
        extract_in_process(documents.zip_bomb_docx(inflated_mb=51))
    assert caught.value.code == "zip_too_large"


def test_limits_come_from_settings(cv_docx: bytes) -> None:
    tight = IngestionSettings(docx_max_inflated_bytes=10_000)
    with pytest.raises(UnsafeDocument) as caught:
        extract_in_process(cv_docx, tight)
    assert caught.value.code == "zip_too_large"
    few = IngestionSettings(docx_max_entries=5)
    with pytest.raises(UnsafeDocument) as caught:
        extract_in_process(cv_docx, few)
    assert caught.value.code == "zip_too_many_entries"


def test_doctype_in_document_xml_is_refused() -> None:
    with pytest.raises(UnsafeDocument) as caught:
        extract_in_process(documents.doctype_docx())
    assert caught.value.code == "xml_doctype"


def test_entity_in_utf16_part_is_refused(cv_docx: bytes) -> None:
    styles = '<?xml version="1.0" encoding="UTF-16"?><!ENTITY x "y"><w:styles/>'.encode("utf-16")
    docx = documents.rezip(cv_docx, replace={"word/styles.xml": styles})
    with pytest.raises(UnsafeDocument) as caught:
        extract_in_process(docx)
    assert caught.value.code == "xml_doctype"


def test_doctype_in_an_svg_picture_is_not_a_false_alarm(cv_docx: bytes) -> None:
    svg = b'<?xml version="1.0"?><!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" "x"><svg/>'
    docx = documents.rezip(cv_docx, add=[("word/media/image1.svg", svg)])
    assert extract_in_process(docx).status == "ok"


def test_overlapping_entries_are_refused() -> None:
    data = documents.overlapping_zip()
    # Python's own zip reader opens it without complaint: the check is ours.
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert archive.namelist() == ["[Content_Types].xml", "word/document.xml"]
    with pytest.raises(UnsafeDocument) as caught:
        extract_in_process(data)
    assert caught.value.code == "zip_overlapping_entries"


def test_too_many_entries_are_refused() -> None:
    with pytest.raises(UnsafeDocument) as caught:
        extract_in_process(documents.many_entries_docx(extra=600))
    assert caught.value.code == "zip_too_many_entries"


def test_duplicate_names_are_refused(cv_docx: bytes) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # zipfile warns about the duplicate we make on purpose
        docx = documents.rezip(cv_docx, add=[("word/document.xml", b"<w:document/>")])
    with pytest.raises(UnsafeDocument) as caught:
        extract_in_process(docx)
    assert caught.value.code == "zip_duplicate_name"


@pytest.mark.parametrize("name", ["../evil.xml", "/etc/evil.xml", "word\\..\\evil.xml"])
def test_escaping_names_are_refused(cv_docx: bytes, name: str) -> None:
    with pytest.raises(UnsafeDocument) as caught:
        extract_in_process(documents.rezip(cv_docx, add=[(name, b"<x/>")]))
    assert caught.value.code == "zip_path_traversal"


def test_encrypted_zip_entry_is_encrypted(cv_docx: bytes) -> None:
    # Flag bit 0 marks an entry as encrypted; set it on the first entry's two headers.
    data = bytearray(cv_docx)
    central = data.index(b"PK\x01\x02")
    data[6] |= 1
    data[central + 8] |= 1
    with pytest.raises(EncryptedDocument):
        extract_in_process(bytes(data))


def test_macro_enabled_word_file_is_unsupported(cv_docx: bytes) -> None:
    with zipfile.ZipFile(io.BytesIO(cv_docx)) as archive:
        types = archive.read("[Content_Types].xml")
    macro = types.replace(
        b"wordprocessingml.document.main+xml", b"ms-word.document.macroEnabled.main+xml"
    )
    assert macro != types
    with pytest.raises(UnsupportedFileType):
        extract_in_process(documents.rezip(cv_docx, replace={"[Content_Types].xml": macro}))


def test_part_declared_xml_under_another_name_is_scanned(cv_docx: bytes) -> None:
    with zipfile.ZipFile(io.BytesIO(cv_docx)) as archive:
        types = archive.read("[Content_Types].xml")
    declared = types.replace(
        b"</Types>",
        b"<Override ContentType='application/vnd.openxmlformats-officedocument.theme+xml' "
        b"PartName='/word/theme/extra.bin'/></Types>",
    )
    docx = documents.rezip(
        cv_docx,
        replace={"[Content_Types].xml": declared},
        add=[("word/theme/extra.bin", b'<!DOCTYPE x [<!ENTITY a "b">]><x/>')],
    )
    with pytest.raises(UnsafeDocument) as caught:
        extract_in_process(docx)
    assert caught.value.code == "xml_doctype"
    # The same bytes as an undeclared binary part are no XML of anyone's.
    plain = documents.rezip(cv_docx, add=[("word/theme/extra.bin", b"<!DOCTYPE x><x/>")])
    assert extract_in_process(plain).status == "ok"


@pytest.mark.parametrize(
    ("encoding", "declared"),
    [
        ("utf-32", "UTF-32"),  # with a BOM
        ("utf-32-le", "UTF-32"),  # no BOM: found from the byte pattern
        ("utf-32-be", "UTF-32"),
        ("utf-16-be", "UTF-16"),
        ("cp037", "IBM037"),  # EBCDIC, named by its declaration
        ("utf-7", "UTF-7"),  # "<" is "+ADw-": no byte scan sees it, the decoded text does
    ],
)
def test_a_doctype_is_refused_in_every_encoding_xml_allows(
    cv_docx: bytes, encoding: str, declared: str
) -> None:
    styles = f'<?xml version="1.0" encoding="{declared}"?><!DOCTYPE x [<!ENTITY a "b">]><x/>'
    docx = documents.rezip(cv_docx, replace={"word/styles.xml": styles.encode(encoding)})
    with pytest.raises(UnsafeDocument) as caught:
        extract_in_process(docx)
    assert caught.value.code == "xml_doctype"


def test_an_xml_part_in_an_encoding_we_cannot_read_is_refused(cv_docx: bytes) -> None:
    styles = b'<?xml version="1.0" encoding="x-no-such-charset"?><x/>'
    docx = documents.rezip(cv_docx, replace={"word/styles.xml": styles})
    with pytest.raises(UnsafeDocument) as caught:
        extract_in_process(docx)
    assert caught.value.code == "xml_encoding"
