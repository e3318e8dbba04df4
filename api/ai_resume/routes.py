"""The AI CV builder at the seed's /api/ai-resume/* (bearer token or web session).

``POST /create`` queues a build from one of your CVs and/or your profile and answers 202 with
the AI resume's id; poll ``GET /{id}`` for its status and progress. The builder improves the
wording section by section and never adds an employer, date, degree or skill that your CV or
profile does not contain (what it refused is listed in ``rejected``). Without a configured
language model every route that needs one answers 503.
"""

from __future__ import annotations

import asyncio
import uuid
from decimal import Decimal
from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Query, status
from fastapi.responses import Response
from sqlalchemy import delete, func, select

from api.accounts.helpers import throttle_ai_features
from api.accounts.ownership import get_owned
from api.ai_resume import service
from api.ai_resume.schemas import (
    AiResumeCreate,
    AiResumeList,
    AiResumeOut,
    FeatureUsage,
    ImproveIn,
    UsageOut,
)
from api.deps import CandidateUser, CurrentUser, SessionDep
from api.errors import Conflict
from api.jobs.schemas import page_of
from api.resumes.routes import CvSettingsDep, LlmDep, SinkDep, file_response
from api.resumes.schemas import ExportIn
from ingestion.cv_schema import StructuredCV
from ingestion.render import DOCX_MIME, PDF_MIME, render_docx, render_pdf
from models import AiResume
from models.cv_services import AiResumeContent

router = APIRouter(prefix="/api/ai-resume", tags=["ai-resume"])

_NOT_FOUND: dict[int | str, dict[str, Any]] = {404: {"description": "No such AI resume"}}
_NEEDS_LLM: dict[int | str, dict[str, Any]] = {
    503: {"description": "No language model configured, or the provider is down"}
}


async def _owned(session: SessionDep, user: CurrentUser, ai_resume_id: uuid.UUID) -> AiResume:
    return await get_owned(session, AiResume, ai_resume_id, user.id, what="AI resume")


async def _out(session: SessionDep, ai: AiResume) -> AiResumeOut:
    # A flushed change leaves server-set columns (updated_at) expired: load them here.
    await session.refresh(ai)
    content = await session.get(AiResumeContent, ai.id)
    cv = None
    if content is not None and content.result_cv is not None:
        cv = StructuredCV.model_validate(content.result_cv)
    return AiResumeOut.model_validate(
        {
            "id": ai.id,
            "status": ai.status,
            "progress": ai.progress,
            "error": ai.error,
            "title": ai.title,
            "language": ai.language,
            "source_resume_id": ai.source_resume_id,
            "cv": cv,
            "rejected": list(content.rejected) if content else [],
            "model": content.model if content else None,
            "created_at": ai.created_at,
            "updated_at": ai.updated_at,
        }
    )


@router.post(
    "/create",
    response_model=AiResumeOut,
    response_model_by_alias=True,
    status_code=status.HTTP_202_ACCEPTED,
    summary="Create an AI resume",
    responses={
        400: {"description": "Nothing to build from"},
        402: {"description": "Not enough credits (when AI resumes are charged)"},
        404: {"description": "No such CV of yours"},
        409: {"description": "The CV has no readable content"},
        **_NEEDS_LLM,
    },
    dependencies=[Depends(throttle_ai_features)],
)
async def create_ai_resume(
    session: SessionDep,
    user: CandidateUser,
    llm: LlmDep,
    settings: CvSettingsDep,
    body: Annotated[AiResumeCreate | None, Body()] = None,
) -> AiResumeOut:
    """Queue an AI resume built from one of your CVs and/or your profile; poll its status."""
    ai = await service.create(session, llm, settings, user, body or AiResumeCreate())
    return await _out(session, ai)


@router.get("", response_model=AiResumeList, response_model_by_alias=True, summary="My AI resumes")
async def list_ai_resumes(
    session: SessionDep,
    user: CurrentUser,
    page: Annotated[int, Query(ge=1, le=10_000)] = 1,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
) -> AiResumeList:
    """Your AI resumes, newest first."""
    total = (
        await session.execute(select(func.count()).where(AiResume.user_id == user.id))
    ).scalar_one()
    rows = (
        (
            await session.execute(
                select(AiResume)
                .where(AiResume.user_id == user.id)
                .order_by(AiResume.created_at.desc(), AiResume.id)
                .offset((page - 1) * limit)
                .limit(limit)
            )
        )
        .scalars()
        .all()
    )
    return AiResumeList(
        items=[await _out(session, ai) for ai in rows], pagination=page_of(page, limit, total)
    )


@router.get("/usage", response_model=UsageOut, response_model_by_alias=True, summary="My AI usage")
async def my_usage(session: SessionDep, user: CurrentUser) -> UsageOut:
    """Language-model requests made for you (translation, AI resumes), with tokens and cost."""
    rows = await service.usage_totals(session, user.id)
    features = [
        FeatureUsage(
            feature=f, requests=n, prompt_tokens=p, completion_tokens=c, cost_usd=Decimal(cost)
        )
        for f, n, p, c, cost in rows
    ]
    return UsageOut(
        requests=sum(f.requests for f in features),
        prompt_tokens=sum(f.prompt_tokens for f in features),
        completion_tokens=sum(f.completion_tokens for f in features),
        cost_usd=sum((f.cost_usd for f in features), Decimal(0)),
        by_feature=features,
    )


@router.get(
    "/{ai_resume_id}",
    response_model=AiResumeOut,
    response_model_by_alias=True,
    summary="An AI resume, its status and progress",
    responses=_NOT_FOUND,
)
async def get_ai_resume(
    session: SessionDep, user: CurrentUser, ai_resume_id: uuid.UUID
) -> AiResumeOut:
    """Status (pending, processing, completed, failed), progress and, once done, the CV."""
    return await _out(session, await _owned(session, user, ai_resume_id))


@router.post(
    "/{ai_resume_id}/improve",
    response_model=AiResumeOut,
    response_model_by_alias=True,
    summary="Improve one section again",
    responses={**_NOT_FOUND, 409: {"description": "Still being built"}, **_NEEDS_LLM},
    dependencies=[Depends(throttle_ai_features)],
)
async def improve_ai_resume(
    session: SessionDep,
    user: CurrentUser,
    llm: LlmDep,
    sink: SinkDep,
    ai_resume_id: uuid.UUID,
    body: ImproveIn,
) -> AiResumeOut:
    """Rewrite the summary, one job (or all) or the skills, optionally with your instructions;
    the same checks apply: nothing the source does not say."""
    ai = await _owned(session, user, ai_resume_id)
    await service.improve(session, llm, sink, ai, body)
    return await _out(session, ai)


@router.post(
    "/{ai_resume_id}/retry",
    response_model=AiResumeOut,
    response_model_by_alias=True,
    status_code=status.HTTP_202_ACCEPTED,
    summary="Retry a failed build",
    responses={**_NOT_FOUND, 409: {"description": "Not failed"}, **_NEEDS_LLM},
    dependencies=[Depends(throttle_ai_features)],
)
async def retry_ai_resume(
    session: SessionDep, user: CurrentUser, llm: LlmDep, ai_resume_id: uuid.UUID
) -> AiResumeOut:
    """Queue a failed AI resume again."""
    ai = await service.retry(session, llm, await _owned(session, user, ai_resume_id))
    return await _out(session, ai)


async def _export(
    session: SessionDep,
    user: CurrentUser,
    ai_resume_id: uuid.UUID,
    body: ExportIn | None,
    pdf: bool,
) -> Response:
    ai = await _owned(session, user, ai_resume_id)
    content = await session.get(AiResumeContent, ai.id)
    if content is None or content.result_cv is None:
        raise Conflict("This AI resume is not built yet", code="ai_resume_not_ready")
    cv = StructuredCV.model_validate(content.result_cv)
    language = body.language if body else None
    render = render_pdf if pdf else render_docx
    data = await asyncio.to_thread(render, cv, language)
    name = f"{(cv.personal.name or 'cv').replace(' ', '-')}-ai-cv.{'pdf' if pdf else 'docx'}"
    return file_response(data, PDF_MIME if pdf else DOCX_MIME, name)


@router.post(
    "/{ai_resume_id}/export/pdf",
    summary="Export as PDF",
    response_class=Response,
    responses={**_NOT_FOUND, 200: {"content": {PDF_MIME: {}}}, 409: {"description": "Not built"}},
)
async def export_ai_pdf(
    session: SessionDep,
    user: CurrentUser,
    ai_resume_id: uuid.UUID,
    body: Annotated[ExportIn | None, Body()] = None,
) -> Response:
    """The built CV as a PDF."""
    return await _export(session, user, ai_resume_id, body, pdf=True)


@router.post(
    "/{ai_resume_id}/export/word",
    summary="Export as Word",
    response_class=Response,
    responses={**_NOT_FOUND, 200: {"content": {DOCX_MIME: {}}}, 409: {"description": "Not built"}},
)
async def export_ai_word(
    session: SessionDep,
    user: CurrentUser,
    ai_resume_id: uuid.UUID,
    body: Annotated[ExportIn | None, Body()] = None,
) -> Response:
    """The built CV as an editable Word document."""
    return await _export(session, user, ai_resume_id, body, pdf=False)


@router.delete(
    "/{ai_resume_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Delete an AI resume",
    responses=_NOT_FOUND,
)
async def delete_ai_resume(
    session: SessionDep, user: CurrentUser, ai_resume_id: uuid.UUID
) -> Response:
    """Delete an AI resume (a build in progress finds it gone and stops)."""
    ai = await _owned(session, user, ai_resume_id)
    # Its child rows go with it (ON DELETE CASCADE); the ORM would try to load them first.
    await session.execute(delete(AiResume).where(AiResume.id == ai.id))
    return Response(status_code=status.HTTP_204_NO_CONTENT)
