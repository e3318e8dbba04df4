"""CV management at the seed's paths, /api/mobile/resumes (bearer token or web session).

Candidates upload, list, edit, duplicate, translate and delete their CVs. Reading a CV and
downloading it (original file, PDF or Word export) is for its owner, and for a recruiter it was
sent to with an application to one of their jobs; to anyone else a CV does not exist (404).
"""

from __future__ import annotations

import uuid
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Body, Depends, File, Form, Query, UploadFile, status
from fastapi.responses import Response

from api.accounts.helpers import throttle, throttle_ai_features
from api.deps import CandidateUser, CurrentUser, SessionDep, StateDep
from api.integrations.llm import LlmClient, UsageSink, db_usage_sink, get_llm_client
from api.integrations.storage import Storage, get_storage
from api.jobs.schemas import page_of
from api.resumes import repository, service
from api.resumes.schemas import (
    DuplicateIn,
    ExportIn,
    ResumeDetail,
    ResumeList,
    ResumeOrigin,
    ResumeOut,
    ResumeUpdate,
    TranslateIn,
    UploadResult,
)
from api.resumes.settings import CvSettings, get_cv_settings
from ingestion.extract import read_limited_async
from ingestion.render import DOCX_MIME, PDF_MIME
from ingestion.settings import get_ingestion_settings
from models import Resume
from models.cv_services import ResumeDerivation

router = APIRouter(prefix="/api/mobile/resumes", tags=["resumes"])

StorageDep = Annotated[Storage, Depends(get_storage)]
LlmDep = Annotated[LlmClient, Depends(get_llm_client)]
CvSettingsDep = Annotated[CvSettings, Depends(get_cv_settings)]


def usage_sink(state: StateDep) -> UsageSink:
    """Token accounting in its own transaction (kept even when the request fails later)."""
    return db_usage_sink(state.sessionmaker)


SinkDep = Annotated[UsageSink, Depends(usage_sink)]

_NOT_FOUND: dict[int | str, dict[str, Any]] = {
    404: {"description": "No such CV, or not yours to see (the two are not told apart)"}
}
_FILE_RESPONSES: dict[int | str, dict[str, Any]] = {
    **_NOT_FOUND,
    409: {"description": "The CV has no readable content to render (e.g. a scanned PDF)"},
    503: {"description": "PDF fonts or file storage unavailable"},
}


def _out(resume: Resume, derivation: ResumeDerivation | None) -> dict[str, Any]:
    origin: ResumeOrigin = "upload"
    if derivation is not None:
        origin = "translation" if derivation.kind == "translation" else "duplicate"
    return {
        "id": resume.id,
        "title": resume.title,
        "file_name": resume.file_name,
        "mime_type": resume.mime_type,
        "size_bytes": resume.size_bytes,
        "language": resume.language,
        "parse_status": resume.parse_status,
        "parse_confidence": resume.parse_confidence,
        "parse_error": resume.parse_error,
        "origin": origin,
        "source_resume_id": derivation.source_resume_id if derivation else None,
        "original_url": f"{router.prefix}/{resume.id}/file",
        "created_at": resume.created_at,
        "updated_at": resume.updated_at,
    }


async def _detail(session: SessionDep, resume: Resume) -> ResumeDetail:
    derivation = (await repository.derivations(session, [resume.id])).get(resume.id)
    parsed = await service.structured_or_none(resume)
    return ResumeDetail.model_validate(
        {**_out(resume, derivation), "parsed": parsed, "text": resume.extracted_text}
    )


def file_response(data: bytes, media_type: str, file_name: str) -> Response:
    """An attachment download; the name in ASCII and in full (RFC 6266 / 5987)."""
    ascii_name = file_name.encode("ascii", "ignore").decode() or "cv"
    ascii_name = ascii_name.replace('"', "")
    disposition = f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(file_name)}"
    return Response(
        content=data,
        media_type=media_type,
        headers={"Content-Disposition": disposition, "Cache-Control": "private, no-store"},
    )


@router.get("", response_model=ResumeList, response_model_by_alias=True, summary="List my CVs")
async def list_resumes(
    session: SessionDep,
    user: CurrentUser,
    page: Annotated[int, Query(ge=1, le=10_000)] = 1,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
) -> ResumeList:
    """Your CVs, newest first, with pagination totals."""
    rows, total = await repository.list_for_user(session, user.id, (page - 1) * limit, limit)
    derivations = await repository.derivations(session, [r.id for r in rows])
    return ResumeList(
        items=[ResumeOut.model_validate(_out(r, derivations.get(r.id))) for r in rows],
        pagination=page_of(page, limit, total),
    )


@router.post(
    "",
    response_model=UploadResult,
    response_model_by_alias=True,
    status_code=status.HTTP_201_CREATED,
    summary="Upload a CV",
    responses={
        200: {"description": "This file was uploaded before: the existing CV, unchanged"},
        409: {"description": "Too many CVs kept already"},
        413: {"description": "File over the size limit (2 MB by default)"},
        415: {"description": "Not a PDF, Word (.docx) or text file"},
        422: {"description": "A damaged, encrypted or unreadable document"},
        429: {"description": "Too many uploads; Retry-After says when to try again"},
    },
)
async def upload_resume(
    session: SessionDep,
    state: StateDep,
    user: CandidateUser,
    storage: StorageDep,
    settings: CvSettingsDep,
    llm: LlmDep,
    sink: SinkDep,
    file: Annotated[UploadFile, File(description="The CV: PDF, DOCX or UTF-8 text, at most 2 MB")],
    title: Annotated[str | None, Form(max_length=200)] = None,
) -> Response | UploadResult:
    """Upload a CV: it is read in a sandbox, parsed into the structured CV (refined by the
    language model where the server switches that on) and queued for matching. The same file
    twice is one CV (200 with ``created: false``). At most 10 uploads in 10 minutes per user
    (429 with Retry-After past that)."""
    await throttle(state, ("upload:user", str(user.id), state.settings.rate_limits.upload_user))
    data = await read_limited_async(file, get_ingestion_settings().max_upload_bytes)
    result = await service.upload(
        session,
        storage,
        settings,
        user,
        data,
        file.filename,
        title.strip() if title else None,
        llm=llm,
        sink=sink,
    )
    body = UploadResult.model_validate(
        {**(await _detail(session, result.resume)).model_dump(), "created": result.created}
    )
    if not result.created:
        return Response(
            content=body.model_dump_json(by_alias=True),
            media_type="application/json",
            status_code=status.HTTP_200_OK,
        )
    return body


@router.get(
    "/{resume_id}",
    response_model=ResumeDetail,
    response_model_by_alias=True,
    summary="Get a CV",
    responses=_NOT_FOUND,
)
async def get_resume(session: SessionDep, user: CurrentUser, resume_id: uuid.UUID) -> ResumeDetail:
    """A CV with its structured content and text (its owner, or a recruiter it was sent to)."""
    return await _detail(session, await service.readable(session, user, resume_id))


@router.patch(
    "/{resume_id}",
    response_model=ResumeDetail,
    response_model_by_alias=True,
    summary="Rename or correct a CV",
    responses=_NOT_FOUND,
)
async def update_resume(
    session: SessionDep, user: CurrentUser, resume_id: uuid.UUID, body: ResumeUpdate
) -> ResumeDetail:
    """Change a CV's title, or correct its structured content (matching follows the change)."""
    return await _detail(session, await service.update(session, user, resume_id, body))


@router.delete(
    "/{resume_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Delete a CV",
    responses=_NOT_FOUND,
)
async def delete_resume(session: SessionDep, user: CurrentUser, resume_id: uuid.UUID) -> Response:
    """Delete a CV and, once no copy uses it, its stored file."""
    await service.delete(session, user, resume_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post(
    "/{resume_id}/duplicate",
    response_model=ResumeDetail,
    response_model_by_alias=True,
    status_code=status.HTTP_201_CREATED,
    summary="Duplicate a CV",
    responses={**_NOT_FOUND, 409: {"description": "Too many CVs kept already"}},
)
async def duplicate_resume(
    session: SessionDep,
    user: CurrentUser,
    storage: StorageDep,
    settings: CvSettingsDep,
    resume_id: uuid.UUID,
    body: Annotated[DuplicateIn | None, Body()] = None,
) -> ResumeDetail:
    """A copy of one of your CVs, to edit or translate without touching the original."""
    copy = await service.duplicate(
        session, storage, settings, user, resume_id, body.title if body else None
    )
    return await _detail(session, copy)


@router.get(
    "/{resume_id}/file",
    summary="Download the original file",
    response_class=Response,
    responses={**_FILE_RESPONSES, 200: {"content": {"application/octet-stream": {}}}},
)
async def download_original(
    session: SessionDep, user: CurrentUser, storage: StorageDep, resume_id: uuid.UUID
) -> Response:
    """The file the CV was made from, as uploaded (or as generated, for a translation)."""
    resume = await service.readable(session, user, resume_id)
    data = await service.original_file(storage, resume)
    return file_response(data, resume.mime_type, resume.file_name)


async def _export(
    session: SessionDep,
    user: CurrentUser,
    resume_id: uuid.UUID,
    body: ExportIn | None,
    fmt: service.DocFormat,
) -> Response:
    resume = await service.readable(session, user, resume_id)
    language = body.language if body else None
    data = await service.export(resume, fmt, language)
    return file_response(
        data,
        PDF_MIME if fmt == "pdf" else DOCX_MIME,
        await service.export_file_name(resume, fmt, language),
    )


@router.post(
    "/{resume_id}/export/pdf",
    summary="Export as PDF",
    response_class=Response,
    responses={**_FILE_RESPONSES, 200: {"content": {PDF_MIME: {}}}},
)
async def export_pdf(
    session: SessionDep,
    user: CurrentUser,
    resume_id: uuid.UUID,
    body: Annotated[ExportIn | None, Body()] = None,
) -> Response:
    """The CV as an ATS-friendly PDF (one column, real text; Arabic right to left)."""
    return await _export(session, user, resume_id, body, "pdf")


@router.post(
    "/{resume_id}/export/word",
    summary="Export as Word",
    response_class=Response,
    responses={**_FILE_RESPONSES, 200: {"content": {DOCX_MIME: {}}}},
)
async def export_word(
    session: SessionDep,
    user: CurrentUser,
    resume_id: uuid.UUID,
    body: Annotated[ExportIn | None, Body()] = None,
) -> Response:
    """The CV as an editable Word document (.docx)."""
    return await _export(session, user, resume_id, body, "docx")


@router.post(
    "/{resume_id}/translate",
    response_model=ResumeDetail,
    response_model_by_alias=True,
    status_code=status.HTTP_201_CREATED,
    summary="Translate a CV (English ↔ Arabic)",
    responses={
        **_NOT_FOUND,
        400: {"description": "Already in that language, or too long"},
        402: {"description": "Not enough credits (when translations are charged)"},
        409: {"description": "No readable content, or too many CVs kept already"},
        502: {"description": "The model's translation failed its checks; nothing was saved"},
        429: {"description": "Too many language-model requests; see Retry-After"},
        503: {"description": "No language model configured, or the provider is down"},
    },
    dependencies=[Depends(throttle_ai_features)],
)
async def translate_resume(
    session: SessionDep,
    user: CurrentUser,
    storage: StorageDep,
    settings: CvSettingsDep,
    llm: LlmDep,
    sink: SinkDep,
    resume_id: uuid.UUID,
    body: Annotated[TranslateIn | None, Body()] = None,
) -> ResumeDetail:
    """A translated copy of the CV, section by section: names, emails, phone numbers, numbers
    and dates are kept exactly; job titles follow the glossary."""
    body = body or TranslateIn()
    translated = await service.translate(
        session, storage, settings, llm, sink, user, resume_id, body.target_language, body.title
    )
    return await _detail(session, translated)
