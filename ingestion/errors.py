"""Errors raised while turning an uploaded file into text.

Each has a readable ``message`` (shown to the person who uploaded the file) and a stable ``code``
(for programs); ``http_status`` is the status the API answers with. None carries a traceback or
parser internals: the file is untrusted and so is anything a parser says about it.
"""

from __future__ import annotations


class IngestionError(Exception):
    code: str = "ingestion_error"
    message: str = "The document could not be processed"
    http_status: int = 422

    def __init__(self, message: str | None = None, *, code: str | None = None) -> None:
        self.message = message or type(self).message
        self.code = code or type(self).code
        super().__init__(self.message)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.message!r}, code={self.code!r})"


class FileTooLarge(IngestionError):
    code = "file_too_large"
    message = "The file is too large"
    http_status = 413

    def __init__(
        self, message: str | None = None, *, code: str | None = None, limit_bytes: int | None = None
    ) -> None:
        self.limit_bytes = limit_bytes
        if message is None and limit_bytes is not None:
            message = f"The file is larger than the {_human_size(limit_bytes)} limit"
        super().__init__(message, code=code)


class UnsupportedFileType(IngestionError):
    code = "unsupported_file_type"
    message = "Unsupported file type: upload a PDF, a Word document (.docx) or a UTF-8 text file"
    http_status = 415


class EncryptedDocument(IngestionError):
    code = "encrypted_document"
    message = "This document is password-protected; upload an unprotected copy"


class UnsafeDocument(IngestionError):
    code = "unsafe_document"
    message = "This document has a structure we do not accept; save it again and re-upload"


class CorruptDocument(IngestionError):
    code = "corrupt_document"
    message = "The document is damaged and could not be read"


class ParseTimeout(IngestionError):
    code = "parse_timeout"
    message = "The document took too long to process"


class ParseResourceExceeded(IngestionError):
    code = "parse_resource_exceeded"
    message = "The document needs more resources to process than we allow"


class ExtractionUnavailable(IngestionError):
    """The parse workers could not be started: a fault of this server, not of the document."""

    code = "extraction_unavailable"
    message = "Document processing is unavailable right now; try again shortly"
    http_status = 503


#: Every concrete error by class name: how the parse worker's answer is turned back into one.
ERRORS_BY_NAME: dict[str, type[IngestionError]] = {
    cls.__name__: cls
    for cls in (
        IngestionError,
        FileTooLarge,
        UnsupportedFileType,
        EncryptedDocument,
        UnsafeDocument,
        CorruptDocument,
        ParseTimeout,
        ParseResourceExceeded,
        ExtractionUnavailable,
    )
}


def _human_size(n: int) -> str:
    if n >= 1024 * 1024:
        return f"{n / (1024 * 1024):g} MB"
    if n >= 1024:
        return f"{n / 1024:g} KB"
    return f"{n} bytes"
