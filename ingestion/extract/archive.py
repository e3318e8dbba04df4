"""Safety checks on a DOCX (zip) archive, run on its central directory before any parser sees it.

Refused: too many entries, too many inflated bytes, compression ratios only a zip bomb has,
entries whose data overlap (the "overlapping files" bomb), duplicate or escaping names,
encrypted entries or unknown compression methods, and XML parts with a DOCTYPE or ENTITY
declaration (entity expansion, external entities).
"""

from __future__ import annotations

import io
import re
import struct
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager

from ingestion.errors import CorruptDocument, EncryptedDocument, UnsafeDocument
from ingestion.settings import IngestionSettings

_LOCAL_HEADER = struct.Struct("<4sHHHHHIIIHH")
_LOCAL_SIGNATURE = b"PK\x03\x04"
# Below these sizes a high ratio cannot hurt and small, repetitive XML parts reach it honestly.
RATIO_FLOOR_ENTRY_BYTES = 64 * 1024
RATIO_FLOOR_TOTAL_BYTES = 1024 * 1024
_ALLOWED_METHODS = {zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED}
_SCAN_CHUNK = 256 * 1024
# "<!doctype" / "<!entity" in UTF-8 and in both UTF-16 byte orders (lxml reads all three).
_DECLARATIONS = tuple(
    word.encode(encoding)
    for word in ("<!doctype", "<!entity")
    for encoding in ("utf-8", "utf-16-le", "utf-16-be")
)
_LONGEST_DECLARATION = max(len(d) for d in _DECLARATIONS)
_CONTENT_TYPE_TAG = re.compile(rb"<(Default|Override)\b([^>]*)>")
_ATTRIBUTE = re.compile(rb"\b(Extension|PartName|ContentType)\s*=\s*[\"']([^\"']*)[\"']")


@contextmanager
def open_checked_docx(data: bytes, settings: IngestionSettings) -> Iterator[zipfile.ZipFile]:
    """Open ``data`` as a zip after every check passed; raise ``UnsafeDocument`` if one fails."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError, OSError, EOFError) as exc:
        raise CorruptDocument(
            "The Word document is damaged and could not be read", code="corrupt_archive"
        ) from exc
    with archive:
        check_archive(archive, data, settings)
        yield archive


def check_archive(archive: zipfile.ZipFile, data: bytes, settings: IngestionSettings) -> None:
    """Every structural check, then the XML declaration scan (which inflates the XML parts)."""
    infos = archive.infolist()
    if len(infos) > settings.docx_max_entries:
        raise UnsafeDocument(
            f"The Word document has {len(infos)} parts; at most {settings.docx_max_entries} "
            "are accepted",
            code="zip_too_many_entries",
        )
    _check_names(infos)
    _check_sizes(infos, settings)
    _check_layout(infos, data, getattr(archive, "start_dir", len(data)))
    _check_xml_declarations(archive, infos)


def _check_names(infos: list[zipfile.ZipInfo]) -> None:
    seen: set[str] = set()
    for info in infos:
        name = info.orig_filename
        folded = name.casefold()
        if folded in seen:
            raise UnsafeDocument(
                "The Word document contains the same part twice", code="zip_duplicate_name"
            )
        seen.add(folded)
        parts = name.split("/")
        if (
            name.startswith(("/", "\\"))
            or "\\" in name
            or "\x00" in name
            or ".." in parts
            or re.match(r"^[A-Za-z]:", name)
        ):
            raise UnsafeDocument(
                "The Word document contains a part with an unsafe name", code="zip_path_traversal"
            )


def _check_sizes(infos: list[zipfile.ZipInfo], settings: IngestionSettings) -> None:
    inflated = compressed = 0
    for info in infos:
        if info.flag_bits & 0x1:
            raise EncryptedDocument(
                "This Word document is password-protected; upload an unprotected copy"
            )
        if info.compress_type not in _ALLOWED_METHODS:
            raise UnsafeDocument(
                "The Word document uses a compression method we do not accept",
                code="zip_unsupported_method",
            )
        inflated += info.file_size
        compressed += info.compress_size
        if inflated > settings.docx_max_inflated_bytes:
            raise UnsafeDocument(
                "The Word document expands to more data than we accept", code="zip_too_large"
            )
        if (
            info.file_size >= RATIO_FLOOR_ENTRY_BYTES
            and info.file_size > settings.docx_max_ratio * max(info.compress_size, 1)
        ):
            raise UnsafeDocument(
                "The Word document is compressed in a way only archive bombs are",
                code="zip_ratio",
            )
    if inflated >= RATIO_FLOOR_TOTAL_BYTES and inflated > settings.docx_max_ratio * max(
        compressed, 1
    ):
        raise UnsafeDocument(
            "The Word document is compressed in a way only archive bombs are", code="zip_ratio"
        )


def _check_layout(infos: list[zipfile.ZipInfo], data: bytes, central_start: int) -> None:
    """Each entry's local header and data must lie apart from every other's and before the
    central directory: overlapping entries let a small archive inflate the same bytes many times.
    """
    previous_end = 0
    for info in sorted(infos, key=lambda i: i.header_offset):
        start = info.header_offset
        if start < previous_end:
            raise UnsafeDocument(
                "The Word document's parts overlap each other", code="zip_overlapping_entries"
            )
        header = data[start : start + _LOCAL_HEADER.size]
        if len(header) < _LOCAL_HEADER.size:
            raise CorruptDocument(
                "The Word document is damaged and could not be read", code="corrupt_archive"
            )
        fields = _LOCAL_HEADER.unpack(header)
        if fields[0] != _LOCAL_SIGNATURE:
            raise UnsafeDocument(
                "The Word document's parts overlap each other", code="zip_overlapping_entries"
            )
        name_len, extra_len = fields[9], fields[10]
        local_name = data[start + _LOCAL_HEADER.size : start + _LOCAL_HEADER.size + name_len]
        if local_name != _raw_name(info):
            raise UnsafeDocument(
                "The Word document's directory does not match its contents",
                code="zip_name_mismatch",
            )
        end = start + _LOCAL_HEADER.size + name_len + extra_len + info.compress_size
        if end > central_start:
            raise UnsafeDocument(
                "The Word document's parts overlap each other", code="zip_overlapping_entries"
            )
        previous_end = end


def _raw_name(info: zipfile.ZipInfo) -> bytes:
    # zipfile decodes names as UTF-8 when flag bit 11 is set and as cp437 otherwise.
    encoding = "utf-8" if info.flag_bits & 0x800 else "cp437"
    return info.orig_filename.encode(encoding)


def _xml_part_names(archive: zipfile.ZipFile, infos: list[zipfile.ZipInfo]) -> set[str]:
    """Parts a parser may read as XML: *.xml, *.rels, and whatever [Content_Types].xml calls
    XML (SVG images excepted: no parser of ours reads them)."""
    names = {i.filename for i in infos if i.filename.lower().endswith((".xml", ".rels"))}
    try:
        content_types = archive.read("[Content_Types].xml")
    except KeyError:
        return names
    _scan_bytes(content_types)
    xml_extensions: set[str] = set()
    for kind, attributes in _CONTENT_TYPE_TAG.findall(content_types):
        fields = {
            key.decode(): value.decode("utf-8", "replace")
            for key, value in _ATTRIBUTE.findall(attributes)
        }
        content_type = fields.get("ContentType", "").lower()
        if not content_type.endswith("xml") or content_type == "image/svg+xml":
            continue
        if kind == b"Default" and fields.get("Extension"):
            xml_extensions.add("." + fields["Extension"].lower())
        elif kind == b"Override" and fields.get("PartName"):
            names.add(fields["PartName"].lstrip("/"))
    names.update(i.filename for i in infos if i.filename.lower().endswith(tuple(xml_extensions)))
    return names


def _check_xml_declarations(archive: zipfile.ZipFile, infos: list[zipfile.ZipInfo]) -> None:
    present = {i.filename for i in infos}
    for name in sorted(_xml_part_names(archive, infos) & present):
        with archive.open(name) as part:
            tail = b""
            while chunk := part.read(_SCAN_CHUNK):
                _scan_bytes(tail + chunk)
                tail = chunk[-_LONGEST_DECLARATION:]


def _scan_bytes(blob: bytes) -> None:
    lowered = blob.lower()
    for declaration in _DECLARATIONS:
        if declaration in lowered:
            raise UnsafeDocument(
                "The Word document contains XML declarations we do not accept (DOCTYPE/ENTITY)",
                code="xml_doctype",
            )
