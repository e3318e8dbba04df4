"""DOCX → text in document order: body paragraphs and tables, headers and footers of every
section, and text boxes (DrawingML and VML), which python-docx does not expose."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from ingestion.errors import CorruptDocument, UnsupportedFileType
from ingestion.extract.archive import open_checked_docx
from ingestion.settings import IngestionSettings

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_MC = "{http://schemas.openxmlformats.org/markup-compatibility/2006}"
_R = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"

P, TBL, TR, TC = _W + "p", _W + "tbl", _W + "tr", _W + "tc"
T, TAB, PTAB, BR, CR = _W + "t", _W + "tab", _W + "ptab", _W + "br", _W + "cr"
NO_BREAK_HYPHEN = _W + "noBreakHyphen"
TXBX = _W + "txbxContent"
SECT_PR, TC_PR, V_MERGE = _W + "sectPr", _W + "tcPr", _W + "vMerge"
HEADER_REF, FOOTER_REF = _W + "headerReference", _W + "footerReference"
ALTERNATE, CHOICE, FALLBACK = _MC + "AlternateContent", _MC + "Choice", _MC + "Fallback"
R_ID = _R + "id"
VAL = _W + "val"

# Properties hold no text; deleted and moved-away revisions are not the document's text; field
# instructions (HYPERLINK "mailto:…") duplicate what the field shows.
_SKIP = frozenset(
    _W + tag
    for tag in (
        "pPr",
        "rPr",
        "tblPr",
        "tblGrid",
        "trPr",
        "tcPr",
        "sectPr",
        "del",
        "moveFrom",
        "delText",
        "instrText",
        "fldChar",
        "commentReference",
        "footnoteReference",
        "endnoteReference",
    )
)
# Containers a row or cell may be wrapped in (content controls, custom XML, tracked insertions).
_WRAPPERS = frozenset(_W + tag for tag in ("sdt", "sdtContent", "customXml", "ins", "moveTo"))


@dataclass(frozen=True)
class DocxText:
    text: str
    has_images: bool


def docx_text(data: bytes, settings: IngestionSettings) -> DocxText:
    """Text of a DOCX after ``open_checked_docx``'s safety checks; one line per paragraph."""
    with open_checked_docx(data, settings) as archive:
        has_images = any(name.startswith("word/media/") for name in archive.namelist())
    document = _open(data)
    body = document.element.body
    header_ids: list[str] = []
    footer_ids: list[str] = []
    for sect_pr in body.iter(SECT_PR):
        for ref in sect_pr:
            rid = ref.get(R_ID)
            if rid and ref.tag == HEADER_REF and rid not in header_ids:
                header_ids.append(rid)
            elif rid and ref.tag == FOOTER_REF and rid not in footer_ids:
                footer_ids.append(rid)
    lines: list[str] = []
    lines += _parts_lines(document, header_ids)
    _blocks(body, lines)
    lines += _parts_lines(document, footer_ids)
    return DocxText("\n".join(lines), has_images)


def _open(data: bytes) -> Any:
    import docx
    from docx.opc.exceptions import PackageNotFoundError
    from lxml import etree  # type: ignore[import-untyped]

    try:
        return docx.Document(io.BytesIO(data))
    except ValueError as exc:
        if "not a Word file" in str(exc):
            raise UnsupportedFileType(
                "This Office file is not a Word document we can read (macro-enabled and "
                "template files are not accepted); save it as .docx or PDF"
            ) from exc
        raise CorruptDocument("The Word document is damaged and could not be read") from exc
    except (KeyError, zipfile.BadZipFile, etree.XMLSyntaxError, PackageNotFoundError) as exc:
        raise CorruptDocument("The Word document is damaged and could not be read") from exc


def _parts_lines(document: Any, rids: list[str]) -> list[str]:
    """Lines of the header or footer parts, each distinct text once (the first-page, even-page
    and default headers often repeat each other)."""
    seen: set[str] = set()
    lines: list[str] = []
    related = document.part.related_parts
    for rid in rids:
        element = getattr(related.get(rid), "element", None)
        if element is None:
            continue
        part_lines: list[str] = []
        _blocks(element, part_lines)
        key = "\n".join(line.strip() for line in part_lines if line.strip())
        if key and key not in seen:
            seen.add(key)
            lines += part_lines
    return lines


def _blocks(element: Any, out: list[str]) -> None:
    for child in element:
        tag = child.tag
        if tag == P:
            _paragraph(child, out)
        elif tag == TBL:
            _table(child, out)
        elif tag == ALTERNATE:
            chosen = _choose(child)
            if chosen is not None:
                _blocks(chosen, out)
        elif tag not in _SKIP:
            _blocks(child, out)


def _paragraph(p: Any, out: list[str]) -> None:
    parts: list[str] = []
    boxes: list[Any] = []
    _inline(p, parts, boxes)
    out.append("".join(parts))
    for box in boxes:
        _blocks(box, out)


def _inline(element: Any, parts: list[str], boxes: list[Any]) -> None:
    for child in element:
        tag = child.tag
        if tag == T:
            parts.append(child.text or "")
        elif tag in (TAB, PTAB):
            parts.append("\t")
        elif tag in (BR, CR):
            parts.append("\n")
        elif tag == NO_BREAK_HYPHEN:
            parts.append("-")
        elif tag == TXBX:
            # A text box is its own block of paragraphs: read it after the anchoring paragraph.
            boxes.append(child)
        elif tag == ALTERNATE:
            chosen = _choose(child)
            if chosen is not None:
                _inline(chosen, parts, boxes)
        elif tag not in _SKIP:
            _inline(child, parts, boxes)


def _choose(alternate: Any) -> Any | None:
    """One branch of mc:AlternateContent: Word writes the same text box twice (DrawingML in
    mc:Choice, VML in mc:Fallback); reading both would double it."""
    for branch in alternate:
        if branch.tag in (CHOICE, FALLBACK):
            return branch
    return None


def _table(tbl: Any, out: list[str]) -> None:
    """Row by row. A row of one-line cells becomes one line, cells joined by " | "; a row holding
    longer cells (two-column CV layouts) gives each cell's lines in turn."""
    for row in _children(tbl, TR):
        cells: list[list[str]] = []
        for cell in _children(row, TC):
            if _is_merge_continuation(cell):
                continue
            cell_lines: list[str] = []
            _blocks(cell, cell_lines)
            # A line break inside a paragraph counts as a line too.
            cells.append([part for line in cell_lines for part in line.split("\n") if part.strip()])
        if all(len(cell) <= 1 for cell in cells):
            line = " | ".join(cell[0].strip() for cell in cells if cell)
            if line:
                out.append(line)
        else:
            for cell in cells:
                out += cell


def _children(element: Any, tag: str) -> Iterator[Any]:
    for child in element:
        if child.tag == tag:
            yield child
        elif child.tag in _WRAPPERS:
            yield from _children(child, tag)


def _is_merge_continuation(cell: Any) -> bool:
    tc_pr = cell.find(TC_PR)
    merge = tc_pr.find(V_MERGE) if tc_pr is not None else None
    return merge is not None and merge.get(VAL, "continue") != "restart"
