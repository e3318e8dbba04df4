"""Bodies of the CV routes. The mobile routes speak camelCase like the apps; the structured CV
inside them (``parsed``) is the shared ``StructuredCV`` document, as it is everywhere."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from api.accounts.schemas import CamelModel
from api.jobs.schemas import Pagination
from ingestion.cv_schema import StructuredCV
from models.enums import ParseStatus

OutputLanguage = Literal["regular", "arabic"]
OutputFormat = Literal["docx", "pdf"]
CvLang = Literal["en", "ar"]
ResumeOrigin = Literal["upload", "duplicate", "translation"]

_RESUME_EXAMPLE: dict[str, Any] = {
    "id": "5f0c7e0e-2f55-4a8e-9c61-0a4c3f9c2b11",
    "title": "Joseph Sharma — Financial Controller",
    "fileName": "joseph-sharma-cv.pdf",
    "mimeType": "application/pdf",
    "sizeBytes": 48213,
    "language": "en",
    "parseStatus": "ok",
    "parseConfidence": 0.83,
    "parseError": None,
    "origin": "upload",
    "sourceResumeId": None,
    "originalUrl": "/api/mobile/resumes/5f0c7e0e-2f55-4a8e-9c61-0a4c3f9c2b11/file",
    "createdAt": "2026-11-20T08:00:00Z",
    "updatedAt": "2026-11-20T08:00:00Z",
}


class ResumeOut(CamelModel):
    model_config = ConfigDict(json_schema_extra={"examples": [_RESUME_EXAMPLE]})

    id: uuid.UUID
    title: str | None
    file_name: str
    mime_type: str
    size_bytes: int
    #: "en", "ar" or "mixed" (the script most of the CV is written in).
    language: str | None
    parse_status: ParseStatus
    #: Mean confidence of the parsed fields, in [0, 1].
    parse_confidence: float | None
    #: Why the CV could not be read (e.g. a scanned PDF), when it could not.
    parse_error: str | None
    #: How the CV came to be: uploaded, or made from another one.
    origin: ResumeOrigin
    source_resume_id: uuid.UUID | None
    #: Where to download the file this CV was made from (owner, or a recruiter it was sent to).
    original_url: str
    created_at: datetime
    updated_at: datetime


class ResumeDetail(ResumeOut):
    #: The structured CV (personal details, summary, employment, education, skills, languages,
    #: certifications); null while the CV has no readable text.
    parsed: StructuredCV | None
    #: The CV's text as extracted from the file.
    text: str | None


class ResumeList(BaseModel):
    items: list[ResumeOut]
    pagination: Pagination


class UploadResult(ResumeDetail):
    #: False when this very file was uploaded before: the existing CV is returned unchanged.
    created: bool


class ResumeUpdate(CamelModel):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"title": "CV for finance roles"}]}, extra="forbid"
    )

    title: str | None = Field(default=None, min_length=1, max_length=200)
    #: A corrected structured CV; its text (what matching reads) is rebuilt from it.
    parsed: StructuredCV | None = None


class DuplicateIn(CamelModel):
    model_config = ConfigDict(extra="forbid")

    title: str | None = Field(default=None, min_length=1, max_length=200)


class ExportIn(CamelModel):
    """Optional body of the export routes."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"language": "ar"}]}, extra="forbid")

    #: Headings and direction of the document: "en" (left to right) or "ar" (right to left).
    #: Default: the CV's own language. The CV's words are not translated; use /translate.
    language: CvLang | None = None


class TranslateIn(CamelModel):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"targetLanguage": "ar"}]}, extra="forbid"
    )

    target_language: CvLang = "ar"
    title: str | None = Field(default=None, min_length=1, max_length=200)


class FormatFromRawIn(BaseModel):
    """The ATS formatter's text input (the seed's Python backend speaks snake_case)."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "text": "Joseph Sharma\nFinancial Controller\n...",
                    "output_language": "regular",
                    "output_format": "docx",
                }
            ]
        },
    )

    text: str = Field(min_length=1, max_length=200_000)
    output_language: OutputLanguage = "regular"
    output_format: OutputFormat = "docx"


class GenerateDocxIn(BaseModel):
    """A structured CV to render; the body may also be the bare ``StructuredCV``."""

    model_config = ConfigDict(extra="forbid")

    cv: StructuredCV
    output_language: OutputLanguage = "regular"
