"""The demo data set lands in the database whole, with vectors, and only once."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from api.demo.loader import load_demo
from api.indexer import refresh_indexes
from indexing.embedder import HashingEmbedder
from indexing.lexical import TantivyJobIndex
from models import Job, JobApplication, Resume, SavedJob, User
from models.enums import UserType
from models.search import DocType, SearchChunk

pytestmark = pytest.mark.integration

TODAY = date(2026, 11, 26)


async def _count(conn: AsyncConnection, stmt) -> int:  # type: ignore[no-untyped-def]
    return int((await conn.execute(stmt)).scalar_one())


async def test_demo_loads_every_record_then_indexes(
    connection: AsyncConnection, session: AsyncSession, lexical_index: TantivyJobIndex
) -> None:
    summary = await connection.run_sync(lambda c: load_demo(c, seed=7, today=TODAY))
    assert summary.startswith("demo: loaded")

    jobs = await _count(connection, select(func.count()).select_from(Job))
    assert jobs >= 300
    assert await _count(connection, select(func.count(Job.embedding))) == 0
    report = await refresh_indexes(session, HashingEmbedder(), lexical_index)
    await session.commit()
    assert report.jobs_embedded == jobs
    assert report.lexical_rebuilt
    assert await lexical_index.count() == jobs
    assert await _count(connection, select(func.count(Job.embedding))) == jobs
    chunks = await _count(
        connection, select(func.count()).where(SearchChunk.doc_type == DocType.JOB)
    )
    assert chunks >= jobs
    # Indexing again finds nothing left to do.
    again = await refresh_indexes(session, HashingEmbedder(), lexical_index)
    assert (again.jobs_embedded, again.resumes_embedded, again.lexical_rebuilt) == (0, 0, False)
    arabic = await _count(connection, select(func.count()).where(Job.language == "ar"))
    assert arabic > 0
    cities = await _count(connection, select(func.count(func.distinct(Job.city))))
    assert cities >= 8
    candidates = await _count(
        connection, select(func.count()).where(User.user_type == UserType.CANDIDATE)
    )
    assert candidates >= 30
    assert await _count(connection, select(func.count()).select_from(Resume)) == candidates
    assert await _count(connection, select(func.count(Resume.embedding))) == candidates
    assert report.resumes_embedded == candidates
    assert await _count(connection, select(func.count()).select_from(JobApplication)) > 50
    assert await _count(connection, select(func.count()).select_from(SavedJob)) > 20
    admins = (
        (
            await connection.execute(
                text("SELECT admin_role FROM users WHERE user_type = 'ADMIN' ORDER BY admin_role")
            )
        )
        .scalars()
        .all()
    )
    assert admins == ["REGULAR_ADMIN", "SUPER_ADMIN"]
    # Recruiters own the jobs they posted.
    owned = await _count(connection, select(func.count()).where(Job.owner_id.is_not(None)))
    assert 0 < owned < jobs


async def test_demo_if_empty_does_nothing_on_a_populated_database(
    connection: AsyncConnection,
) -> None:
    await connection.run_sync(lambda c: load_demo(c, seed=7, today=TODAY))
    before = await _count(connection, select(func.count()).select_from(Job))
    again = await connection.run_sync(lambda c: load_demo(c, seed=7, today=TODAY, if_empty=True))
    assert "nothing loaded" in again
    # Without --if-empty a second load is refused instead of failing half-way on duplicates.
    twice = await connection.run_sync(lambda c: load_demo(c, seed=7, today=TODAY))
    assert "already exist" in twice
    assert await _count(connection, select(func.count()).select_from(Job)) == before


async def test_demo_applications_reference_the_candidates_own_cv(
    connection: AsyncConnection,
) -> None:
    await connection.run_sync(lambda c: load_demo(c, seed=7, today=TODAY))
    mismatched = await _count(
        connection,
        text(
            "SELECT count(*) FROM job_applications a JOIN resumes r ON r.id = a.resume_id "
            "WHERE r.user_id <> a.user_id"
        ),
    )
    assert mismatched == 0
