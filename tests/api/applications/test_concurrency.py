"""Applying under real concurrency: requests through the app, each on its own connection and
transaction, committing for real (not the per-test rolled-back transaction).

- 20 simultaneous applies by one candidate to one job → exactly one application, 19 × 409;
- 20 simultaneous AI applications spending the last credits → exactly the credits available are
  spent, one application per credit, the balance at zero and never below.
"""

from __future__ import annotations

import asyncio
import dataclasses
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime

import httpx
import pytest
from sqlalchemy import delete, func, select
from sqlalchemy.engine import URL
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from api.app import create_app
from api.applications.settings import ApplySettings, get_apply_settings
from api.billing import ledger
from api.settings import ApiSettings
from api.state import AppState
from indexing.documents import content_hash, job_text
from indexing.embedder import HashingEmbedder
from models import Candidate, CreditLedgerEntry, Job, JobApplication, Notification, Resume, User
from models.enums import CreditType, JobStatus, UserType
from tests.api.jobs.support import CV_TEXT, bearer_for, cv_file, include_domain_routes
from tests.conftest import API_TOKEN

pytestmark = pytest.mark.integration

AI = CreditType.AI_JOB_APPLY_COUNT
CONCURRENCY = 20


@dataclass
class Committed:
    """Rows this module commits for real, removed afterwards."""

    users: list[uuid.UUID] = field(default_factory=list)
    jobs: list[uuid.UUID] = field(default_factory=list)


@pytest.fixture
async def real_engine(database_url: URL) -> AsyncIterator[AsyncEngine]:
    engine = create_async_engine(
        database_url.set(drivername="postgresql+psycopg"),
        pool_size=CONCURRENCY + 4,
        max_overflow=0,
    )
    yield engine
    await engine.dispose()


@pytest.fixture
async def committed(real_engine: AsyncEngine) -> AsyncIterator[Committed]:
    rows = Committed()
    yield rows
    async with real_engine.begin() as conn:
        await conn.execute(delete(Notification).where(Notification.user_id.in_(rows.users)))
        await conn.execute(delete(JobApplication).where(JobApplication.user_id.in_(rows.users)))
        await conn.execute(
            delete(CreditLedgerEntry).where(CreditLedgerEntry.user_id.in_(rows.users))
        )
        await conn.execute(delete(Resume).where(Resume.user_id.in_(rows.users)))
        await conn.execute(delete(Job).where(Job.id.in_(rows.jobs)))
        await conn.execute(delete(Candidate).where(Candidate.user_id.in_(rows.users)))
        await conn.execute(delete(User).where(User.id.in_(rows.users)))


@pytest.fixture
def real_sessions(real_engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(real_engine, expire_on_commit=False)


@pytest.fixture
async def real_client(
    settings: ApiSettings,
    app_state: AppState,
    real_engine: AsyncEngine,
    real_sessions: async_sessionmaker[AsyncSession],
) -> AsyncIterator[httpx.AsyncClient]:
    """The app on the real engine: each request gets its own pooled connection."""
    state = dataclasses.replace(app_state, engine=real_engine, sessionmaker=real_sessions)
    app = include_domain_routes(create_app(settings, state=state))
    app.dependency_overrides[get_apply_settings] = lambda: ApplySettings(
        min_match_score=0.0, daily_quota=100, bulk_max_jobs=1, bulk_pool=100
    )
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="https://test") as c:
        yield c


async def _candidate(sessions: async_sessionmaker[AsyncSession], rows: Committed) -> User:
    async with sessions() as s:
        user = User(email=f"race-{uuid.uuid4().hex}@example.com", user_type=UserType.CANDIDATE)
        s.add(user)
        await s.flush()
        s.add(Candidate(user_id=user.id))
        await s.commit()
        rows.users.append(user.id)
        return user


async def _jobs(
    sessions: async_sessionmaker[AsyncSession], rows: Committed, n: int
) -> list[uuid.UUID]:
    embedder = HashingEmbedder()
    async with sessions() as s:
        for i in range(n):
            title = f"Data Analyst {i}"
            description = f"Analyse data with SQL and Python, team {i}."
            text = job_text(title, f"Employer {i}", description, [], ["SQL", "Python"])
            job = Job(
                id=uuid.uuid4(),
                title=title,
                company=f"Employer {i}",
                description=description,
                skills=["SQL", "Python"],
                city="Dubai",
                country="AE",
                status=JobStatus.OPEN,
                source="race-test",
                source_id=uuid.uuid4().hex,
                posted_at=datetime.now(UTC),
                content_hash=content_hash(text),
                embedding=embedder.embed([text])[0].tolist(),
                embedding_model=embedder.model_id,
            )
            s.add(job)
            rows.jobs.append(job.id)
        await s.commit()
    return rows.jobs[-n:]


async def test_twenty_simultaneous_applies_make_one_application(
    real_client: httpx.AsyncClient,
    real_sessions: async_sessionmaker[AsyncSession],
    committed: Committed,
    settings: ApiSettings,
) -> None:
    seeker = await _candidate(real_sessions, committed)
    (job_id,) = await _jobs(real_sessions, committed, 1)
    headers = bearer_for(settings, seeker)
    responses = await asyncio.gather(
        *(
            real_client.post(f"/api/v1/resume/jobs/{job_id}/apply", headers=headers)
            for _ in range(CONCURRENCY)
        )
    )
    statuses = sorted(r.status_code for r in responses)
    assert statuses == [201] + [409] * (CONCURRENCY - 1), [r.text for r in responses]
    assert {r.json()["code"] for r in responses if r.status_code == 409} == {"already_applied"}
    async with real_sessions() as s:
        count = (
            await s.execute(
                select(func.count())
                .select_from(JobApplication)
                .where(JobApplication.user_id == seeker.id)
            )
        ).scalar_one()
    assert count == 1


async def test_twenty_simultaneous_ai_applications_spend_exactly_the_credits_available(
    real_client: httpx.AsyncClient,
    real_sessions: async_sessionmaker[AsyncSession],
    committed: Committed,
) -> None:
    available = 5
    seeker = await _candidate(real_sessions, committed)
    await _jobs(real_sessions, committed, CONCURRENCY + 5)
    async with real_sessions() as s:
        await ledger.grant(s, seeker.id, AI, available, "race-grant")
        await s.commit()

    async def one(i: int) -> httpx.Response:
        # Twenty different CV files and no profile fields: no row the requests share but the
        # candidate's credits, so only the apply lock and the ledger keep them apart.
        return await real_client.post(
            "/api/v1/resume/apply",
            headers={"X-API-TOKEN": API_TOKEN},
            data={"email": seeker.email},
            files={"file": ("cv.txt", cv_file(CV_TEXT + f"Reference {i}\n"), "text/plain")},
        )

    responses = await asyncio.gather(*(one(i) for i in range(CONCURRENCY)))
    statuses = [r.status_code for r in responses]
    assert sorted(statuses) == [200] * available + [402] * (CONCURRENCY - available), [
        r.text for r in responses if r.status_code not in (200, 402)
    ]
    applied = [
        a["job"]["id"] for r in responses if r.status_code == 200 for a in r.json()["applied"]
    ]
    assert len(applied) == len(set(applied)) == available
    async with real_sessions() as s:
        assert await ledger.balance(s, seeker.id, AI) == 0
        spent = (
            await s.execute(
                select(func.coalesce(func.sum(CreditLedgerEntry.delta), 0)).where(
                    CreditLedgerEntry.user_id == seeker.id, CreditLedgerEntry.delta < 0
                )
            )
        ).scalar_one()
        assert spent == -available
        applications = (
            await s.execute(
                select(func.count())
                .select_from(JobApplication)
                .where(JobApplication.user_id == seeker.id)
            )
        ).scalar_one()
        assert applications == available
