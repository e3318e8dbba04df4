"""ATS formatting for services, at the seed's paths /api/v1/resume/resume/* (X-API-TOKEN).

Every route reads a CV (an uploaded file through the sandboxed extractor, or text), parses it
into the structured CV and renders it single-column and ATS-safe. ``output_language=arabic``
renders right to left with Arabic headings; the words are translated only when a language
model is configured — otherwise the response says so in ``X-Content-Translated: false`` and
``X-Translation-Note``, and the content stays as written.
"""

from __future__ import annotations

import asyncio
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Body, Depends, File, Form, Query, UploadFile
from fastapi.responses import Response
from pydantic import ValidationError

from api.deps import ApiTokenDep
from api.errors import BadInput, TabashirError
from api.integrations.llm import LlmClient, UsageSink, get_llm_client
from api.resumes.routes import file_response, usage_sink
from api.resumes.schemas import FormatFromRawIn, GenerateDocxIn, OutputFormat, OutputLanguage
from api.resumes.service import export_file_name_for
from api.resumes.settings import CvSettings, get_cv_settings
from api.resumes.translation import translate_cv
from ingestion.cv_parser import parse_cv
from ingestion.cv_schema import CvLanguage, StructuredCV
from ingestion.extract import extract_async, read_limited_async
from ingestion.render import DOCX_MIME, PDF_MIME, render_docx, render_pdf
from ingestion.settings import get_ingestion_settings

router = APIRouter(prefix="/api/v1/resume/resume", tags=["ats"])

LlmDep = Annotated[LlmClient, Depends(get_llm_client)]
SinkDep = Annotated[UsageSink, Depends(usage_sink)]
CvSettingsDep = Annotated[CvSettings, Depends(get_cv_settings)]

UNTRANSLATED_NOTE = (
    "Arabic headings and right-to-left layout; the content is not translated "
    "(no language model is configured)"
)
_DOC_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {
        "content": {DOCX_MIME: {}, PDF_MIME: {}},
        "description": "The formatted CV. Headers: X-Output-Language (en|ar), "
        "X-Content-Translated (true|false), X-Translation-Note when not translated",
    },
    401: {"description": "Missing or invalid X-API-TOKEN"},
    413: {"description": "File over the size limit"},
    415: {"description": "Not a PDF, Word (.docx) or text file"},
    422: {"description": "Unreadable document, or one with images only"},
}


class NeedsOcr(TabashirError):
    status_code, code, message = 422, "needs_ocr", "This document holds images only"


class InvalidCv(TabashirError):
    status_code, code, message = 422, "validation_error", "Invalid structured CV"


async def read_cv(file: UploadFile | None, text: str | None) -> StructuredCV:
    """The structured CV of an uploaded file (sandboxed) or of text."""
    if file is not None:
        data = await read_limited_async(file, get_ingestion_settings().max_upload_bytes)
        extraction = await extract_async(data, file_name=file.filename)
        if extraction.status != "ok":
            raise NeedsOcr(extraction.message or None)
        text = extraction.text
    if not text or not text.strip():
        raise BadInput("Send the CV as a file or as text", code="cv_missing")
    return await asyncio.to_thread(parse_cv, text)


async def formatted(
    cv: StructuredCV,
    output_language: OutputLanguage,
    output_format: OutputFormat,
    llm: LlmClient,
    sink: UsageSink,
    settings: CvSettings,
) -> Response:
    """Render ``cv`` as asked; "arabic" translates when a model is configured."""
    headers: dict[str, str] = {}
    layout: CvLanguage = cv.language
    if output_language == "arabic":
        layout = "ar"
        if cv.language == "ar":
            headers["X-Content-Translated"] = "false"
        elif llm.configured:
            cv = await translate_cv(
                cv,
                "ar",
                llm,
                user_id=None,
                sink=sink,
                feature="ats_format",
                max_chars=settings.max_llm_chars,
            )
            headers["X-Content-Translated"] = "true"
        else:
            headers["X-Content-Translated"] = "false"
            headers["X-Translation-Note"] = UNTRANSLATED_NOTE
    else:
        headers["X-Content-Translated"] = "false"
    headers["X-Output-Language"] = layout
    render = render_pdf if output_format == "pdf" else render_docx
    data = await asyncio.to_thread(render, cv, layout)
    name = export_file_name_for(cv.model_copy(update={"language": layout}), output_format)
    response = file_response(data, PDF_MIME if output_format == "pdf" else DOCX_MIME, name)
    response.headers.update(headers)
    return response


@router.post(
    "/format", summary="Format a CV file for ATS", response_class=Response, responses=_DOC_RESPONSES
)
async def format_file(
    _: ApiTokenDep,
    llm: LlmDep,
    sink: SinkDep,
    settings: CvSettingsDep,
    file: Annotated[UploadFile, File(description="The CV: PDF, DOCX or text, at most 2 MB")],
    output_language: Annotated[OutputLanguage, Form()] = "regular",
    output_format: Annotated[OutputFormat, Form()] = "docx",
) -> Response:
    """The uploaded CV re-laid out single-column and ATS-safe, as DOCX (default) or PDF."""
    cv = await read_cv(file, None)
    return await formatted(cv, output_language, output_format, llm, sink, settings)


@router.post(
    "/format-from-raw",
    summary="Format CV text for ATS",
    response_class=Response,
    responses=_DOC_RESPONSES,
)
async def format_from_raw(
    _: ApiTokenDep, llm: LlmDep, sink: SinkDep, settings: CvSettingsDep, body: FormatFromRawIn
) -> Response:
    """CV text (as pasted) formatted like ``/format``."""
    cv = await read_cv(None, body.text)
    return await formatted(cv, body.output_language, body.output_format, llm, sink, settings)


@router.post(
    "/format-cv-object",
    response_model=StructuredCV,
    summary="Parse a CV into the structured CV",
    responses={k: v for k, v in _DOC_RESPONSES.items() if k != 200},
)
async def format_cv_object(
    _: ApiTokenDep,
    file: Annotated[UploadFile | None, File(description="The CV file")] = None,
    text: Annotated[str | None, Form(max_length=200_000, description="Or the CV's text")] = None,
) -> StructuredCV:
    """The structured CV (personal details, summary, employment, education, skills,
    languages, certifications) of a file or text; its JSON Schema is this response's."""
    return await read_cv(file, text)


@router.post(
    "/generate-docx-from-json",
    summary="Render a structured CV as DOCX",
    response_class=Response,
    responses={**_DOC_RESPONSES, 422: {"description": "Not a valid structured CV"}},
)
async def generate_docx_from_json(
    _: ApiTokenDep,
    body: Annotated[dict[str, Any], Body(examples=[{"cv": {"personal": {"name": "Amal"}}}])],
    output_language: Annotated[OutputLanguage | None, Query()] = None,
) -> Response:
    """A structured CV (bare, or as ``{"cv": …, "output_language": …}``) as an editable DOCX.
    The content is rendered as given; "arabic" sets Arabic headings and right-to-left."""
    try:
        if "cv" in body:
            wrapped = GenerateDocxIn.model_validate(body)
            cv, language = wrapped.cv, wrapped.output_language
        else:
            cv, language = StructuredCV.model_validate(body), "regular"
    except ValidationError as exc:
        detail = [
            {"field": ".".join(str(p) for p in e["loc"]) or "body", "message": e["msg"]}
            for e in exc.errors(include_url=False)[:20]
        ]
        raise InvalidCv(detail=detail) from None
    lang: Literal["regular", "arabic"] = output_language or language
    layout: CvLanguage = "ar" if lang == "arabic" else cv.language
    data = await asyncio.to_thread(render_docx, cv, layout)
    response = file_response(data, DOCX_MIME, export_file_name_for(cv, "docx"))
    response.headers["X-Output-Language"] = layout
    response.headers["X-Content-Translated"] = "false"
    return response


@router.post(
    "/translate",
    summary="Translate a CV (English ↔ Arabic)",
    response_class=Response,
    responses={
        **_DOC_RESPONSES,
        200: {"content": {DOCX_MIME: {}, PDF_MIME: {}, "application/json": {}}},
        502: {"description": "The model's translation failed its checks"},
        503: {"description": "No language model configured, or the provider is down"},
    },
)
async def translate(
    _: ApiTokenDep,
    llm: LlmDep,
    sink: SinkDep,
    settings: CvSettingsDep,
    file: Annotated[UploadFile | None, File(description="The CV file")] = None,
    text: Annotated[str | None, Form(max_length=200_000, description="Or the CV's text")] = None,
    target_language: Annotated[Literal["ar", "en"], Form()] = "ar",
    output_format: Annotated[Literal["docx", "pdf", "json"], Form()] = "docx",
) -> Response:
    """The CV translated section by section (names, emails, numbers and dates kept), as
    DOCX, PDF or the structured CV (``json``). 503 when no language model is configured."""
    llm.require()
    cv = await read_cv(file, text)
    translated = await translate_cv(
        cv,
        target_language,
        llm,
        user_id=None,
        sink=sink,
        feature="ats_translate",
        max_chars=settings.max_llm_chars,
    )
    if output_format == "json":
        return Response(translated.model_dump_json(), media_type="application/json")
    render = render_pdf if output_format == "pdf" else render_docx
    data = await asyncio.to_thread(render, translated, None)
    response = file_response(
        data,
        PDF_MIME if output_format == "pdf" else DOCX_MIME,
        export_file_name_for(translated, output_format),
    )
    response.headers["X-Output-Language"] = target_language
    response.headers["X-Content-Translated"] = "true"
    return response
