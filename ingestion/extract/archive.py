"""Safety checks on a DOCX (zip) archive, run on its central directory before any parser sees it.

Refused: too many entries, too many inflated bytes, compression ratios only a zip bomb has,
entries whose data overlap (the "overlapping files" bomb), duplicate or escaping names,
encrypted entries or unknown compression methods, and XML parts with a DOCTYPE or ENTITY
declaration (entity expansion, external entities).
"""

from __future__ import annotations

import codecs
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
# Declarations refused in any XML part, looked for in the part's decoded text.
_DECLARATIONS = ("<!doctype", "<!entity")
_LONGEST_DECLARATION = max(len(d) for d in _DECLARATIONS)
_ENCODING_DECLARATION = re.compile(r"""^<\?xml[^>]*?\bencoding\s*=\s*["']([A-Za-z][\w.\-]*)["']""")
# XML 1.0 appendix F: what the first four bytes say about the encoding, BOMs first (the UTF-32
# ones before UTF-16's, whose BOM they start with). Otherwise the bytes are ASCII-compatible
# or EBCDIC, and the encoding declaration names the encoding.
_BYTE_ORDER: tuple[tuple[bytes, str], ...] = (
    (b"\x00\x00\xfe\xff", "utf-32-be"),
    (b"\xff\xfe\x00\x00", "utf-32-le"),
    (b"\xef\xbb\xbf", "utf-8"),
    (b"\xfe\xff", "utf-16-be"),
    (b"\xff\xfe", "utf-16-le"),
    (b"\x00\x00\x00\x3c", "utf-32-be"),
    (b"\x3c\x00\x00\x00", "utf-32-le"),
    (b"\x00\x3c\x00\x3f", "utf-16-be"),
    (b"\x3c\x00\x3f\x00", "utf-16-le"),
)
_EBCDIC_XML = b"\x4c\x6f\xa7\x94"  # "<?xm" in EBCDIC
_UNUSUAL_UCS4 = (b"\x00\x00\x3c\x00", b"\x00\x3c\x00\x00", b"\x00\x00\xff\xfe", b"\xfe\xff\x00\x00")
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
            decoder: codecs.IncrementalDecoder | None = None
            tail, raw_tail = "", b""
            while chunk := part.read(_SCAN_CHUNK):
                if decoder is None:
                    decoder = _xml_decoder(chunk)
                text = decoder.decode(chunk)
                _scan_text(tail + text)
                # Also as ASCII bytes, whatever the declaration claims: a parser that ignores
                # a wrong declaration must not find what the decoded scan could not.
                _scan_text((raw_tail + chunk).decode("latin-1"))
                tail, raw_tail = text[-_LONGEST_DECLARATION:], chunk[-_LONGEST_DECLARATION:]


def _xml_encoding(head: bytes) -> str:
    """The encoding an XML parser would read ``head``'s document in.
    Every encoding XML allows is found (BOM, byte pattern, then the declaration); one Python
    cannot decode, or a byte order it does not know, is refused rather than left unchecked."""
    for prefix, encoding in _BYTE_ORDER:
        if head.startswith(prefix):
            return encoding
    if head.startswith(_UNUSUAL_UCS4):
        raise _unreadable_encoding("an unusual UCS-4 byte order")
    family = "cp500" if head.startswith(_EBCDIC_XML) else "latin-1"
    declared = _ENCODING_DECLARATION.match(head[:512].decode(family, "replace"))
    if declared is None:
        return "cp500" if family == "cp500" else "utf-8"
    try:
        encoding = codecs.lookup(declared.group(1)).name
    except LookupError:
        raise _unreadable_encoding(declared.group(1)) from None
    return encoding


def _unreadable_encoding(what: str) -> UnsafeDocument:
    return UnsafeDocument(
        f"The Word document has an XML part in an encoding we cannot check ({what})",
        code="xml_encoding",
    )


def _xml_decoder(head: bytes) -> codecs.IncrementalDecoder:
    # A BOM decodes to U+FEFF, harmless to the scan.
    decoder: codecs.IncrementalDecoder = codecs.getincrementaldecoder(_xml_encoding(head))(
        errors="replace"
    )
    return decoder


def _scan_bytes(blob: bytes) -> None:
    _scan_text(_xml_decoder(blob).decode(blob, final=True))
    _scan_text(blob.decode("latin-1"))


def _scan_text(text: str) -> None:
    lowered = text.lower()
    for declaration in _DECLARATIONS:
        if declaration in lowered:
            raise UnsafeDocument(
                "The Word document contains XML declarations we do not accept (DOCTYPE/ENTITY)",
                code="xml_doctype",
            )
