"""The rules of CV management: upload (idempotent by content), read (owner, or a recruiter the
CV was sent to), duplicate, edit, delete, export and translate.

Order of effects, so a failure leaves nothing half-done: the file is read and parsed first
(sandboxed; then, when switched on, refined by the language model, whose failure only means the
rule parse is kept), then stored under a key derived from its content, then its row is written
in the request's transaction; a crash between the two leaves at most an unreferenced file, which
the next upload of the same bytes reuses. Deleting a CV queues the file's removal in the same
transaction, so the file goes exactly when the row does.
"""

from __future__ import annotations

import asyncio
import hashlib
import re
import unicodedata
import uuid
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncSession

from api.billing import ledger
from api.errors import Conflict, NotFound
from api.integrations.llm import LlmClient, UsageSink
from api.integrations.storage import Storage
from api.resumes import repository
from api.resumes.schemas import ResumeUpdate
from api.resumes.settings import CvSettings
from api.resumes.structuring import structure
from api.resumes.translation import translate_cv
from api.tasks.queue import enqueue
from ingestion.cv_parser import parse_cv
from ingestion.cv_schema import CvLanguage, StructuredCV
from ingestion.extract import Extraction, extract_async
from ingestion.render import DOCX_MIME, PDF_MIME, render_docx, render_pdf, render_text
from models import Resume, User
from models.enums import ParseStatus, UserType

_MIME = {"pdf": PDF_MIME, "docx": DOCX_MIME, "text": "text/plain"}
_EXT = {"pdf": "pdf", "docx": "docx", "text": "txt"}
DocFormat = Literal["pdf", "docx"]


class ResumeNotParsed(Conflict):
    code = "resume_not_parsed"
    message = "This CV has no readable content yet (a scanned PDF needs a text version)"


class TooManyResumes(Conflict):
    code = "resume_limit_reached"
    message = "You have reached the most CVs you can keep; delete one first"


@dataclass(frozen=True)
class Uploaded:
    resume: Resume
    created: bool


def mean_confidence(cv: StructuredCV) -> float | None:
    """One number for how sure the parser is: the mean of its per-field confidences."""
    values = list(cv.confidence.values())
    return round(sum(values) / len(values), 3) if values else None


def _title_of(cv: StructuredCV | None, file_name: str) -> str:
    if cv and cv.personal.name:
        return " — ".join(p for p in (cv.personal.name, cv.title) if p)[:200]
    stem = file_name.rsplit(".", 1)[0] if "." in file_name else file_name
    return (stem or "CV")[:200]


def safe_file_name(name: str | None, fallback: str = "cv") -> str:
    """A file name fit for storage and headers: no folders, no controls, at most 255 chars."""
    base = (name or "").replace("\\", "/").rsplit("/", 1)[-1]
    base = "".join(c for c in base if unicodedata.category(c)[0] != "C").strip(" .")
    return base[:255] or fallback


def storage_key(user_id: uuid.UUID, name: str) -> str:
    return f"resumes/{user_id}/{name}"


async def upload(
    session: AsyncSession,
    storage: Storage,
    settings: CvSettings,
    user: User,
    data: bytes,
    file_name: str | None,
    title: str | None = None,
    *,
    llm: LlmClient | None = None,
    sink: UsageSink | None = None,
) -> Uploaded:
    """Store an uploaded CV: extracted in the sandbox, parsed (by the rules, refined by the
    language model when ``settings.llm_structuring`` is on), kept once per (user, content)."""
    digest = hashlib.sha256(data).hexdigest()
    existing = await repository.by_sha256(session, user.id, digest)
    if existing is not None:
        return Uploaded(existing, created=False)
    if await repository.count_for_user(session, user.id) >= settings.max_resumes_per_user:
        raise TooManyResumes()
    extraction: Extraction = await extract_async(data, file_name=file_name, owner=user.id)
    name = safe_file_name(file_name, f"cv.{_EXT[extraction.kind]}")
    values: dict[str, Any] = {
        "id": uuid.uuid4(),
        "user_id": user.id,
        "file_name": name,
        "mime_type": _MIME[extraction.kind],
        "size_bytes": len(data),
        "sha256": digest,
        "language": extraction.language,
    }
    cv: StructuredCV | None = None
    if extraction.status == "ok":
        cv = await asyncio.to_thread(parse_cv, extraction.text)
        cv = await structure(extraction.text, cv, llm, settings, user_id=user.id, sink=sink)
        values |= {
            "extracted_text": extraction.text,
            "parsed": cv.model_dump(mode="json"),
            "parse_status": ParseStatus.OK,
            "parse_confidence": mean_confidence(cv),
            "parse_error": extraction.message,
        }
    else:
        values |= {"parse_status": ParseStatus.NEEDS_OCR, "parse_error": extraction.message}
    values["title"] = (title or _title_of(cv, name))[:200]
    key = storage_key(user.id, f"{digest}.{_EXT[extraction.kind]}")
    await storage.put(key, data, values["mime_type"])
    values["storage_key"] = key
    resume_id = await repository.insert_resume(session, values)
    if resume_id is None:  # the same file arrived twice at once; the other request stored it
        raced = await repository.by_sha256(session, user.id, digest)
        assert raced is not None
        return Uploaded(raced, created=False)
    if cv is not None:
        await enqueue(session, "embed_missing")
    resume = await repository.get(session, resume_id)
    assert resume is not None
    return Uploaded(resume, created=True)


async def readable(session: AsyncSession, user: User, resume_id: uuid.UUID) -> Resume:
    """The CV if ``user`` may read it: its owner, or a recruiter it was sent to with an
    application to one of their jobs. Anyone else gets the same 404 as for a missing CV."""
    resume = await repository.get(session, resume_id)
    if resume is not None:
        if resume.user_id == user.id:
            return resume
        if user.user_type == UserType.RECRUITER and await repository.recruiter_may_read(
            session, user.id, resume_id
        ):
            return resume
    raise NotFound("Resume not found", code="resume_not_found")


async def owned(session: AsyncSession, user: User, resume_id: uuid.UUID) -> Resume:
    """The CV if ``user`` owns it (changes are for owners only), else 404."""
    resume = await repository.get(session, resume_id)
    if resume is None or resume.user_id != user.id:
        raise NotFound("Resume not found", code="resume_not_found")
    return resume


async def structured_or_none(resume: Resume) -> StructuredCV | None:
    """The CV's structured content. Rows written before the shared schema (the demo loader's,
    older imports) hold another shape: those are parsed again from their text, never a 500."""
    if resume.parsed is not None:
        try:
            return StructuredCV.model_validate(resume.parsed)
        except ValidationError:
            pass
    if resume.extracted_text:
        return await asyncio.to_thread(parse_cv, resume.extracted_text)
    return None


async def structured(resume: Resume) -> StructuredCV:
    """The structured content, or 409 when the CV has no readable text."""
    cv = await structured_or_none(resume)
    if cv is None:
        raise ResumeNotParsed()
    return cv


async def export(resume: Resume, fmt: DocFormat, language: CvLanguage | None) -> bytes:
    """The CV rendered as a PDF or DOCX (rendering is CPU work: off the event loop)."""
    cv = await structured(resume)
    if fmt == "pdf":
        return await asyncio.to_thread(render_pdf, cv, language)
    return await asyncio.to_thread(render_docx, cv, language)


async def export_file_name(resume: Resume, fmt: DocFormat, language: CvLanguage | None) -> str:
    cv = await structured(resume)
    return export_file_name_for(cv.model_copy(update={"language": language or cv.language}), fmt)


async def _new_derived(
    session: AsyncSession,
    storage: Storage,
    user: User,
    *,
    cv: StructuredCV,
    title: str,
    file_name: str,
    data: bytes,
    mime: str,
    extension: str,
    source: Resume,
    kind: str,
    sha256: str,
    reuse_key: str | None = None,
    target_language: str | None = None,
    confidence: float | None = None,
) -> Resume:
    new_id = uuid.uuid4()
    key = reuse_key
    if key is None:
        key = storage_key(user.id, f"{new_id}.{extension}")
        await storage.put(key, data, mime)
    values: dict[str, Any] = {
        "id": new_id,
        "user_id": user.id,
        "title": title[:200],
        "file_name": safe_file_name(file_name),
        "storage_key": key,
        "mime_type": mime,
        "size_bytes": len(data),
        "sha256": sha256,
        "extracted_text": render_text(cv),
        "parsed": cv.model_dump(mode="json"),
        "language": cv.language,
        "parse_status": ParseStatus.OK,
        "parse_confidence": confidence,
    }
    resume_id = await repository.insert_resume(session, values)
    if resume_id is None:
        existing = await repository.by_sha256(session, user.id, sha256)
        assert existing is not None
        return existing
    await repository.add_derivation(session, resume_id, source.id, kind, target_language)
    await enqueue(session, "embed_missing")
    resume = await repository.get(session, resume_id)
    assert resume is not None
    return resume


async def duplicate(
    session: AsyncSession,
    storage: Storage,
    settings: CvSettings,
    user: User,
    resume_id: uuid.UUID,
    title: str | None,
) -> Resume:
    """A copy to edit separately: same file, same parsed CV, a row of its own."""
    source = await owned(session, user, resume_id)
    if await repository.count_for_user(session, user.id) >= settings.max_resumes_per_user:
        raise TooManyResumes()
    new_id = uuid.uuid4()
    copy = Resume(
        id=new_id,
        user_id=user.id,
        title=(title or f"{source.title or 'CV'} (copy)")[:200],
        file_name=source.file_name,
        storage_key=source.storage_key,
        mime_type=source.mime_type,
        size_bytes=source.size_bytes,
        # Not an upload's digest: a duplicate must not answer for its source's file.
        sha256=hashlib.sha256(f"{source.sha256}:duplicate:{new_id}".encode()).hexdigest(),
        extracted_text=source.extracted_text,
        parsed=source.parsed,
        language=source.language,
        parse_status=source.parse_status,
        parse_confidence=source.parse_confidence,
        parse_error=source.parse_error,
    )
    session.add(copy)
    await session.flush()
    await repository.add_derivation(session, new_id, source.id, "duplicate")
    if copy.extracted_text:
        await enqueue(session, "embed_missing")
    await session.refresh(copy)
    return copy


async def update(
    session: AsyncSession, user: User, resume_id: uuid.UUID, body: ResumeUpdate
) -> Resume:
    """Rename a CV or correct its structured content (its text and vector follow)."""
    resume = await owned(session, user, resume_id)
    if body.title is not None:
        resume.title = body.title
    if body.parsed is not None:
        resume.parsed = body.parsed.model_dump(mode="json")
        resume.extracted_text = render_text(body.parsed)
        resume.language = body.parsed.language
        resume.parse_status = ParseStatus.OK
        resume.parse_error = None
        # The old vector described the old text: drop it so the worker embeds the new one.
        resume.embedding = None
        resume.content_hash = None
        await enqueue(session, "embed_missing")
    await session.flush()
    await session.refresh(resume)
    return resume


async def delete(session: AsyncSession, user: User, resume_id: uuid.UUID) -> None:
    """Delete a CV; its file is removed by the worker once no other CV uses it."""
    resume = await owned(session, user, resume_id)
    key = resume.storage_key
    await session.delete(resume)
    await session.flush()
    if key:
        await enqueue(session, "delete_stored_file", {"key": key})


async def original_file(storage: Storage, resume: Resume) -> bytes:
    if not resume.storage_key:
        raise NotFound("This CV has no stored file", code="file_missing")
    return await storage.get(resume.storage_key)


async def translate(
    session: AsyncSession,
    storage: Storage,
    settings: CvSettings,
    llm: LlmClient,
    sink: UsageSink,
    user: User,
    resume_id: uuid.UUID,
    target: CvLanguage,
    title: str | None,
) -> Resume:
    """A translated copy of the CV (a new CV with its own DOCX), charged only on success."""
    source = await owned(session, user, resume_id)
    llm.require()
    cv = await structured(source)
    cost = settings.translate_credit_cost if settings.credit_type else 0
    if (
        settings.credit_type
        and cost
        and await ledger.balance(session, user.id, settings.credit_type) < cost
    ):
        raise ledger.InsufficientCredits(
            f"Not enough {settings.credit_type.value} credits to translate a CV"
        )
    if await repository.count_for_user(session, user.id) >= settings.max_resumes_per_user:
        raise TooManyResumes()
    translated = await translate_cv(
        cv, target, llm, user_id=user.id, sink=sink, max_chars=settings.max_llm_chars
    )
    data = await asyncio.to_thread(render_docx, translated)
    digest = hashlib.sha256(data).hexdigest()
    label = "العربية" if target == "ar" else "English"
    resume = await _new_derived(
        session,
        storage,
        user,
        cv=translated,
        title=title or f"{source.title or 'CV'} ({label})",
        file_name=export_file_name_for(translated, "docx"),
        data=data,
        mime=DOCX_MIME,
        extension="docx",
        source=source,
        kind="translation",
        sha256=digest,
        target_language=target,
        confidence=source.parse_confidence,
    )
    if settings.credit_type and cost:
        await ledger.spend(
            session,
            user.id,
            settings.credit_type,
            cost,
            f"cv_translate:{resume.id}",
            reason="cv_translation",
        )
    return resume


def export_file_name_for(cv: StructuredCV, fmt: DocFormat) -> str:
    stem = re.sub(r"\s+", "-", (cv.personal.name or "cv").strip())
    return f"{stem}-cv-{cv.language}.{'pdf' if fmt == 'pdf' else 'docx'}"
