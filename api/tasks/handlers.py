"""What the worker knows how to do. Each handler takes (session, state, payload) → result dict."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from api.accounts.ratelimit import purge_rate_limits_task
from api.integrations.email import deliver_email_task
from api.state import AppState
from indexing.documents import content_hash, job_text
from models import Job, Resume

Handler = Callable[[AsyncSession, AppState, dict[str, Any]], Awaitable[dict[str, Any]]]


async def embed_missing(
    session: AsyncSession, state: AppState, payload: dict[str, Any]
) -> dict[str, Any]:
    """Embed jobs and CVs that have no vector yet (e.g. created through the API)."""
    batch = int(payload.get("batch_size", 64))
    embedder = state.embedder
    jobs = (
        (await session.execute(select(Job).where(Job.embedding.is_(None)).limit(batch)))
        .scalars()
        .all()
    )
    texts = [job_text(j.title, j.company, j.description, j.requirements, j.skills) for j in jobs]
    vectors = await asyncio.to_thread(embedder.embed, texts)
    for job, text, vector in zip(jobs, texts, vectors, strict=True):
        job.embedding = vector.tolist()
        job.embedding_model = embedder.model_id
        job.content_hash = content_hash(text)
    resumes = (
        (
            await session.execute(
                select(Resume)
                .where(Resume.embedding.is_(None), Resume.extracted_text.is_not(None))
                .limit(batch)
            )
        )
        .scalars()
        .all()
    )
    cv_texts = [r.extracted_text or "" for r in resumes]
    cv_vectors = await asyncio.to_thread(embedder.embed, cv_texts)
    for resume, text, vector in zip(resumes, cv_texts, cv_vectors, strict=True):
        resume.embedding = vector.tolist()
        resume.embedding_model = embedder.model_id
        resume.content_hash = content_hash(text)
    await session.flush()
    return {"jobs": len(jobs), "resumes": len(resumes)}


HANDLERS: dict[str, Handler] = {
    "embed_missing": embed_missing,
    "deliver_email": deliver_email_task,
    "purge_rate_limits": purge_rate_limits_task,
}
