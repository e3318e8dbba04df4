"""The AI CV builder: a CV rewritten section by section from the candidate's own CV and
profile, with better wording and never a new fact.

How it stays truthful (see ``grounding.py``): the structure — employers, titles, dates,
degrees, institutions, languages — is copied from the source CV, never taken from the model.
The model writes only prose (the summary, each job's description) and picks and orders skills
from the source's own list. Each piece of prose is checked for employers, dates, degrees,
skills, numbers and contacts the source does not contain; a failing answer gets one repair
round, and if it still fails the original text is kept and the refusal recorded in
``rejected``. Skills the source does not name are dropped and recorded too.

Creating an AI resume queues the work (``ai_resume_build``); its status and progress are
published as it goes. Credits (when configured) are charged once, when it completes.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Awaitable, Callable
from datetime import date
from typing import Any

import structlog
from pydantic import BaseModel, Field
from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from api.accounts.ownership import get_owned
from api.ai_resume.grounding import Source, supported_skill, unsupported_claims
from api.ai_resume.schemas import AiResumeCreate, ImproveIn, Section
from api.billing import ledger
from api.errors import BadInput, Conflict, TabashirError
from api.integrations.llm import Check, LlmBadOutput, LlmClient, UsageSink
from api.resumes.service import ResumeNotParsed, structured
from api.resumes.settings import CvSettings
from api.tasks.queue import enqueue
from ingestion.cv_schema import StructuredCV
from models import (
    AiEducation,
    AiEmploymentHistory,
    AiLanguage,
    AiResume,
    AiResumePersonalDetails,
    AiSkill,
    Candidate,
    Resume,
    User,
)
from models.cv_services import AiResumeContent, LlmUsage
from models.enums import AiResumeStatus

log = structlog.get_logger("tabashir.ai_resume")

TASK_KIND = "ai_resume_build"
Publish = Callable[[], Awaitable[None]]
_MAX_SOURCE_CHARS_IN_PROMPT = 12_000
_KEPT_ORIGINAL = "the model's wording made claims the source CV does not support; kept the original"


class AiResumeBusy(Conflict):
    code = "ai_resume_busy"
    message = "This AI resume is still being built; try again when it is done"


class SummaryOut(BaseModel):
    summary: str = Field(min_length=1, max_length=3000)


class DescriptionOut(BaseModel):
    description: str = Field(min_length=1, max_length=4000)


class SkillsOut(BaseModel):
    skills: list[str] = Field(max_length=60)


async def _nothing() -> None:
    return None


# --- the source --------------------------------------------------------------------------------


async def _profile(session: AsyncSession, user: User) -> tuple[list[str], dict[str, str]]:
    """Profile lines for the source text, and the personal details they give."""
    candidate = (
        await session.execute(select(Candidate).where(Candidate.user_id == user.id))
    ).scalar_one_or_none()
    lines: list[str] = []
    personal: dict[str, str] = {}
    if user.name:
        lines.append(f"Name: {user.name}")
        personal["name"] = user.name
    lines.append(f"Email: {user.email}")
    personal["email"] = user.email
    if candidate is not None:
        if candidate.phone:
            lines.append(f"Phone: {candidate.phone}")
            personal["phone"] = candidate.phone
        if candidate.city:
            lines.append(f"City: {candidate.city}")
            personal["city"] = candidate.city
        if candidate.country:
            personal["country"] = candidate.country
        if candidate.desired_positions:
            lines.append(f"Desired positions: {', '.join(candidate.desired_positions)}")
        if candidate.years_experience is not None:
            lines.append(f"Years of experience: {candidate.years_experience}")
    return lines, personal


async def build_source(
    session: AsyncSession, user: User, body: AiResumeCreate
) -> tuple[StructuredCV, str, uuid.UUID | None]:
    """The structured CV and the text the builder works from (a CV and/or the profile)."""
    cv = StructuredCV()
    parts: list[str] = []
    resume_id: uuid.UUID | None = None
    if body.resume_id is not None:
        resume = await get_owned(session, Resume, body.resume_id, user.id, what="Resume")
        if not resume.extracted_text:
            raise ResumeNotParsed()
        cv = await structured(resume)
        parts.append(resume.extracted_text)
        resume_id = resume.id
    if body.use_profile:
        lines, personal = await _profile(session, user)
        parts.append("\n".join(lines))
        for name, value in personal.items():
            if getattr(cv.personal, name) is None:
                setattr(cv.personal, name, value)
    if not parts:
        raise BadInput(
            "Nothing to build from: choose one of your CVs or include your profile",
            code="nothing_to_build",
        )
    return cv, "\n\n".join(parts), resume_id


async def _check_credits(session: AsyncSession, user_id: uuid.UUID, settings: CvSettings) -> None:
    cost = settings.ai_resume_credit_cost
    if (
        settings.credit_type
        and cost
        and await ledger.balance(session, user_id, settings.credit_type) < cost
    ):
        raise ledger.InsufficientCredits(
            f"Not enough {settings.credit_type.value} credits to build an AI resume"
        )


async def create(
    session: AsyncSession, llm: LlmClient, settings: CvSettings, user: User, body: AiResumeCreate
) -> AiResume:
    """Record the request and queue the build (503 at once when no model is configured)."""
    llm.require()
    await _check_credits(session, user.id, settings)
    cv, text, resume_id = await build_source(session, user, body)
    ai = AiResume(
        id=uuid.uuid4(),
        user_id=user.id,
        source_resume_id=resume_id,
        title=(cv.title or body.target_role or "AI resume")[:200],
        language=cv.language,
        status=AiResumeStatus.PENDING,
        progress=0,
    )
    session.add(ai)
    await session.flush()
    session.add(
        AiResumeContent(
            ai_resume_id=ai.id,
            source_text=text,
            source_cv=cv.model_dump(mode="json"),
            options={"target_role": body.target_role, "tone": body.tone},
        )
    )
    await session.flush()
    await enqueue(session, TASK_KIND, {"ai_resume_id": str(ai.id)})
    return ai


# --- the model's part --------------------------------------------------------------------------


def _language_name(cv: StructuredCV) -> str:
    return "Arabic" if cv.language == "ar" else "English"


def _system(cv: StructuredCV, task: str, output: str, options: dict[str, Any]) -> str:
    role = options.get("target_role")
    tone = options.get("tone") or "professional"
    return "\n".join(
        [
            f"You improve the wording of one part of a CV, written in {_language_name(cv)}.",
            task,
            "Strict rules:",
            "- Use only facts stated in SOURCE. Never add employers, job titles, dates, "
            "degrees, certifications, skills, tools, numbers, achievements or contact details "
            "that SOURCE does not state. When unsure, leave it out.",
            "- Do not change names of people, companies, products or institutions.",
            f"- Write in {_language_name(cv)}, {tone} tone, active voice, no first person, "
            "ATS-friendly plain text (no markdown).",
            *([f"- Emphasise what is relevant to the role: {role}."] if role else []),
            f"Answer with one JSON object: {output}",
        ]
    )


def _user(source: Source, part: str, instructions: str | None) -> str:
    payload: dict[str, Any] = {
        "SOURCE": source.text[:_MAX_SOURCE_CHARS_IN_PROMPT],
        "PART": part,
    }
    if instructions:
        payload["CANDIDATE_INSTRUCTIONS"] = instructions
    return json.dumps(payload, ensure_ascii=False)


def _grounded(source: Source, field: str) -> Check:
    def check(parsed: BaseModel) -> list[str]:
        return unsupported_claims(str(getattr(parsed, field)), source)

    return check


async def _improve_text(
    llm: LlmClient,
    sink: UsageSink,
    user_id: uuid.UUID,
    source: Source,
    *,
    schema: type[SummaryOut] | type[DescriptionOut],
    field: str,
    task: str,
    current: str,
    options: dict[str, Any],
    instructions: str | None,
) -> str | None:
    """The model's better wording of ``current``, or None when it could not be grounded."""
    try:
        answer = await llm.complete_json(
            system=_system(source.cv, task, f'{{"{field}": "..."}}', options),
            user=_user(source, current, instructions),
            schema=schema,
            feature="ai_resume",
            user_id=user_id,
            sink=sink,
            check=_grounded(source, field),
        )
    except LlmBadOutput:
        return None
    return str(getattr(answer, field)).strip()


def _summary_part(cv: StructuredCV) -> str:
    if cv.summary:
        return cv.summary
    facts = [f"Headline: {cv.title}" if cv.title else ""]
    facts += [f"{j.title or ''} at {j.company or ''}".strip() for j in cv.employment[:3]]
    return "No summary yet. Facts: " + "; ".join(f for f in facts if f)


async def improve_summary(
    llm: LlmClient,
    sink: UsageSink,
    user_id: uuid.UUID,
    source: Source,
    result: StructuredCV,
    options: dict[str, Any],
    rejected: list[dict[str, Any]],
    instructions: str | None = None,
) -> None:
    text = await _improve_text(
        llm,
        sink,
        user_id,
        source,
        schema=SummaryOut,
        field="summary",
        task="PART is the CV's professional summary (or facts for one): write a 2-4 sentence "
        "professional summary.",
        current=_summary_part(result),
        options=options,
        instructions=instructions,
    )
    if text is None:
        rejected.append({"section": "summary", "value": None, "reason": _KEPT_ORIGINAL})
    else:
        result.summary = text


async def improve_job(
    llm: LlmClient,
    sink: UsageSink,
    user_id: uuid.UUID,
    source: Source,
    result: StructuredCV,
    index: int,
    options: dict[str, Any],
    rejected: list[dict[str, Any]],
    instructions: str | None = None,
) -> None:
    job = result.employment[index]
    if not job.description:
        return
    text = await _improve_text(
        llm,
        sink,
        user_id,
        source,
        schema=DescriptionOut,
        field="description",
        task=f"PART describes the job '{job.title or ''}' at '{job.company or ''}': rewrite it as "
        "2-6 concise bullet points, each line starting with '- '.",
        current=job.description,
        options=options,
        instructions=instructions,
    )
    if text is None:
        rejected.append(
            {"section": f"employment.{index}.description", "value": None, "reason": _KEPT_ORIGINAL}
        )
    else:
        job.description = text


async def improve_skills(
    llm: LlmClient,
    sink: UsageSink,
    user_id: uuid.UUID,
    source: Source,
    result: StructuredCV,
    options: dict[str, Any],
    rejected: list[dict[str, Any]],
    instructions: str | None = None,
) -> None:
    """The source's skills, ordered (and tidied) by the model; anything new is dropped."""
    names = [s.name for s in result.skills]
    if not names:
        return
    try:
        answer = await llm.complete_json(
            system=_system(
                source.cv,
                "PART is the CV's skill list: order it by relevance, merge duplicates, fix "
                "capitalisation. Only skills from PART or SOURCE.",
                '{"skills": ["..."]}',
                options,
            ),
            user=_user(source, json.dumps(names, ensure_ascii=False), instructions),
            schema=SkillsOut,
            feature="ai_resume",
            user_id=user_id,
            sink=sink,
        )
    except LlmBadOutput:
        rejected.append({"section": "skills", "value": None, "reason": _KEPT_ORIGINAL})
        return
    by_name = {s.name.casefold(): s for s in result.skills}
    kept = []
    seen: set[str] = set()
    for name in answer.skills:
        clean = name.strip()
        if not clean or clean.casefold() in seen:
            continue
        if clean.casefold() in by_name or supported_skill(clean, source):
            original = by_name.get(clean.casefold())
            kept.append({"name": clean, "skill_id": original.skill_id if original else None})
            seen.add(clean.casefold())
        else:
            rejected.append(
                {"section": "skills", "value": clean, "reason": "not a skill the source names"}
            )
    # A skill the model left out is still the candidate's: keep it, after the chosen ones.
    kept += [
        {"name": s.name, "skill_id": s.skill_id}
        for s in result.skills
        if s.name.casefold() not in seen
    ]
    result.skills = StructuredCV.model_validate({"skills": kept}).skills


# --- the build ---------------------------------------------------------------------------------


def _date(value: str | None) -> date | None:
    if not value:
        return None
    year, _, month = value.partition("-")
    return date(int(year), int(month or 1), 1)


async def _write_children(session: AsyncSession, ai: AiResume, cv: StructuredCV) -> None:
    """Mirror the result into the seed's AiResume child tables."""
    for model in (AiEmploymentHistory, AiEducation, AiSkill, AiLanguage):
        await session.execute(delete(model).where(model.ai_resume_id == ai.id))
    await session.execute(
        delete(AiResumePersonalDetails).where(AiResumePersonalDetails.ai_resume_id == ai.id)
    )
    p = cv.personal
    session.add(
        AiResumePersonalDetails(
            ai_resume_id=ai.id,
            full_name=p.name[:200] if p.name else None,
            job_title=cv.title[:200] if cv.title else None,
            email=p.email[:320] if p.email else None,
            phone=(p.phone or p.phone_e164 or "")[:40] or None,
            city=p.city[:100] if p.city else None,
            country=p.country,
            linkedin_url=p.linkedin[:500] if p.linkedin else None,
        )
    )
    for n, job in enumerate(cv.employment):
        session.add(
            AiEmploymentHistory(
                ai_resume_id=ai.id,
                position=n,
                job_title=(job.title or "")[:200],
                employer=(job.company or "")[:200],
                city=job.location[:100] if job.location else None,
                start_date=_date(job.start),
                end_date=_date(job.end),
                is_current=job.current,
                description=job.description,
            )
        )
    for n, edu in enumerate(cv.education):
        session.add(
            AiEducation(
                ai_resume_id=ai.id,
                position=n,
                degree=(edu.degree or "")[:200],
                institution=(edu.institution or "")[:200],
                field_of_study=edu.field[:200] if edu.field else None,
                start_date=_date(edu.start),
                end_date=_date(edu.end),
            )
        )
    for n, skill in enumerate(cv.skills):
        session.add(AiSkill(ai_resume_id=ai.id, position=n, name=skill.name[:200]))
    for n, lang in enumerate(cv.languages):
        session.add(
            AiLanguage(
                ai_resume_id=ai.id,
                position=n,
                language=lang.language[:100],
                proficiency=lang.proficiency,
            )
        )
    await session.flush()


async def _finish(
    session: AsyncSession,
    ai: AiResume,
    content: AiResumeContent,
    result: StructuredCV,
    rejected: list[dict[str, Any]],
    model: str,
) -> None:
    content.result_cv = result.model_dump(mode="json")
    content.rejected = rejected
    content.model = model
    ai.summary = result.summary
    await _write_children(session, ai, result)


async def run_build(
    session: AsyncSession,
    llm: LlmClient,
    sink: UsageSink,
    settings: CvSettings,
    ai_resume_id: uuid.UUID,
    publish: Publish = _nothing,
) -> dict[str, Any]:
    """Build one AI resume (the worker's task). ``publish`` makes progress visible (the worker
    commits); a failure leaves the resume ``failed`` with a readable error, never half-built."""
    ai = await session.get(AiResume, ai_resume_id)
    content = await session.get(AiResumeContent, ai_resume_id)
    if ai is None or content is None:
        return {"status": "missing"}
    if ai.status == AiResumeStatus.COMPLETED:
        return {"status": "completed"}
    ai.status, ai.progress, ai.error = AiResumeStatus.PROCESSING, 5, None
    await session.flush()
    await publish()
    source = Source(content.source_text, StructuredCV.model_validate(content.source_cv))
    result = source.cv.model_copy(deep=True)
    rejected: list[dict[str, Any]] = []
    options = dict(content.options or {})
    try:
        llm.require()
        await improve_summary(llm, sink, ai.user_id, source, result, options, rejected)
        ai.progress = 30
        await session.flush()
        await publish()
        jobs = len(result.employment)
        for i in range(jobs):
            await improve_job(llm, sink, ai.user_id, source, result, i, options, rejected)
            ai.progress = 30 + round(55 * (i + 1) / jobs)
            await session.flush()
            await publish()
        await improve_skills(llm, sink, ai.user_id, source, result, options, rejected)
        await _finish(session, ai, content, result, rejected, llm.model)
        if settings.credit_type and settings.ai_resume_credit_cost:
            await ledger.spend(
                session,
                ai.user_id,
                settings.credit_type,
                settings.ai_resume_credit_cost,
                f"ai_resume:{ai.id}",
                reason="ai_resume",
            )
    except Exception as exc:  # the build fails as a whole; the resume says why
        if not isinstance(exc, TabashirError):
            log.exception("ai_resume_build_failed", ai_resume_id=str(ai_resume_id))
        await session.rollback()
        ai = await session.get(AiResume, ai_resume_id, populate_existing=True)
        assert ai is not None
        ai.status = AiResumeStatus.FAILED
        ai.error = getattr(exc, "message", None) or "The AI resume could not be built"
        await session.flush()
        await publish()
        return {"status": "failed", "error": ai.error}
    ai.status, ai.progress = AiResumeStatus.COMPLETED, 100
    await session.flush()
    return {"status": "completed", "rejected": len(rejected)}


async def retry(session: AsyncSession, llm: LlmClient, ai: AiResume) -> AiResume:
    """Queue a failed build again."""
    llm.require()
    if ai.status != AiResumeStatus.FAILED:
        raise Conflict("Only a failed AI resume can be retried", code="ai_resume_not_failed")
    ai.status, ai.progress, ai.error = AiResumeStatus.PENDING, 0, None
    await session.flush()
    await enqueue(session, TASK_KIND, {"ai_resume_id": str(ai.id)})
    return ai


async def improve(
    session: AsyncSession,
    llm: LlmClient,
    sink: UsageSink,
    ai: AiResume,
    body: ImproveIn,
) -> AiResumeContent:
    """Improve one section of a built AI resume again, with the candidate's instructions."""
    llm.require()
    if ai.status in (AiResumeStatus.PENDING, AiResumeStatus.PROCESSING):
        raise AiResumeBusy()
    content = await session.get(AiResumeContent, ai.id)
    if content is None:
        raise Conflict("This AI resume has no content to improve", code="ai_resume_empty")
    source = Source(content.source_text, StructuredCV.model_validate(content.source_cv))
    result = StructuredCV.model_validate(content.result_cv or content.source_cv)
    rejected = list(content.rejected or [])
    options = dict(content.options or {})
    section: Section = body.section
    if section == "summary":
        await improve_summary(
            llm, sink, ai.user_id, source, result, options, rejected, body.instructions
        )
    elif section == "employment":
        if body.index is not None and body.index >= len(result.employment):
            raise BadInput("There is no job with that index", code="no_such_job")
        indexes = [body.index] if body.index is not None else range(len(result.employment))
        for i in indexes:
            await improve_job(
                llm, sink, ai.user_id, source, result, i, options, rejected, body.instructions
            )
    else:
        await improve_skills(
            llm, sink, ai.user_id, source, result, options, rejected, body.instructions
        )
    await _finish(session, ai, content, result, rejected, llm.model)
    ai.status, ai.progress, ai.error = AiResumeStatus.COMPLETED, 100, None
    await session.flush()
    return content


async def usage_totals(session: AsyncSession, user_id: uuid.UUID) -> list[tuple[Any, ...]]:
    """(feature, requests, prompt tokens, completion tokens, cost) of the user's model calls."""
    rows = await session.execute(
        select(
            LlmUsage.feature,
            func.count(),
            func.coalesce(func.sum(LlmUsage.prompt_tokens), 0),
            func.coalesce(func.sum(LlmUsage.completion_tokens), 0),
            func.coalesce(func.sum(LlmUsage.cost_usd), 0),
        )
        .where(LlmUsage.user_id == user_id)
        .group_by(LlmUsage.feature)
        .order_by(LlmUsage.feature)
    )
    return [tuple(r) for r in rows.all()]
