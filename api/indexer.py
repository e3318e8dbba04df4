"""Keeping every derived index in step with Postgres: vectors (jobs, CVs, chunks) and BM25.

Incremental by default: only rows without a vector, or embedded by another model, are
embedded; the lexical index replays its outbox. ``full`` rebuilds the lexical index into a new
folder and swaps it in. Postgres stays the truth: running this again is always safe.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy import delete, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from indexing.embedder import Embedder
from indexing.lexical import TantivyJobIndex, rebuild_from_db_async, sync_from_outbox
from indexing.resumes import embed_and_store_resumes
from indexing.vector import PgVectorIndex, embed_job_documents_async
from models import Job, Resume
from models.search import SearchOutbox

Progress = Callable[[str], None]


def _quiet(_: str) -> None:
    pass


@dataclass
class IndexReport:
    jobs_embedded: int = 0
    resumes_embedded: int = 0
    lexical_rebuilt: bool = False
    lexical_synced: int = 0
    notes: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, object]:
        return {
            "jobs_embedded": self.jobs_embedded,
            "resumes_embedded": self.resumes_embedded,
            "lexical_rebuilt": self.lexical_rebuilt,
            "lexical_synced": self.lexical_synced,
        }


async def embed_pending_jobs(
    session: AsyncSession, embedder: Embedder, batch: int = 128, progress: Progress = _quiet
) -> int:
    """Embed (by chunks) every job without a vector or with another model's vector."""
    done, last = 0, uuid.UUID(int=0)
    vectors = PgVectorIndex(session)
    while True:
        jobs = (
            (
                await session.execute(
                    select(Job)
                    .where(
                        Job.id > last,
                        or_(Job.embedding.is_(None), Job.embedding_model != embedder.model_id),
                    )
                    .order_by(Job.id)
                    .limit(batch)
                )
            )
            .scalars()
            .all()
        )
        if not jobs:
            return done
        await vectors.upsert(await embed_job_documents_async(jobs, embedder))
        await session.flush()
        done += len(jobs)
        last = jobs[-1].id
        progress(f"embedded {done} jobs")


async def embed_pending_resumes(
    session: AsyncSession, embedder: Embedder, batch: int = 64, progress: Progress = _quiet
) -> int:
    """Embed (by chunks) every CV with text but no vector, or another model's vector."""
    done, last = 0, uuid.UUID(int=0)
    while True:
        rows = (
            await session.execute(
                select(Resume.id, Resume.extracted_text)
                .where(
                    Resume.id > last,
                    Resume.extracted_text.is_not(None),
                    or_(Resume.embedding.is_(None), Resume.embedding_model != embedder.model_id),
                )
                .order_by(Resume.id)
                .limit(batch)
            )
        ).all()
        if not rows:
            return done
        await embed_and_store_resumes(
            session, [(r.id, r.extracted_text or "") for r in rows], embedder
        )
        await session.flush()
        done += len(rows)
        last = rows[-1].id
        progress(f"embedded {done} CVs")


async def refresh_indexes(
    session: AsyncSession,
    embedder: Embedder,
    lexical: TantivyJobIndex,
    *,
    full: bool = False,
    progress: Progress = _quiet,
) -> IndexReport:
    """Bring vectors and the lexical index up to date (the caller commits)."""
    report = IndexReport()
    report.jobs_embedded = await embed_pending_jobs(session, embedder, progress=progress)
    report.resumes_embedded = await embed_pending_resumes(session, embedder, progress=progress)
    if full or await lexical.count() == 0:
        seen = (await session.execute(select(func.max(SearchOutbox.id)))).scalar_one_or_none()
        count = await rebuild_from_db_async(session, lexical)
        if seen is not None:
            # The rebuild read every job: changes queued before it started are in it already.
            await session.execute(delete(SearchOutbox).where(SearchOutbox.id <= seen))
        report.lexical_rebuilt = True
        progress(f"lexical index rebuilt with {count} jobs")
    while synced := await sync_from_outbox(session, lexical):
        report.lexical_synced += synced
    return report
