"""Shared fixtures and helpers of the jobs, applications, recruiter and home tests: an app with
every router of those domains (mounted here until api/app.py includes them), users with bearer
tokens minted directly, jobs embedded from their whole text, and CV files.

Import the fixtures into a test package's conftest::

    from tests.api.jobs.support import apply_settings, app, client, settings, user_factory
"""

from __future__ import annotations

import io
import itertools
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncSession

from api.accounts.security import issue_access_token
from api.app import create_app
from api.applications.settings import ApplySettings, get_apply_settings
from api.settings import ApiSettings
from api.state import AppState
from indexing.documents import content_hash, job_text
from indexing.embedder import HashingEmbedder
from models import Job, User
from models.enums import JobStatus, JobType, Permission, UserType, WorkMode
from tests.fixtures.users import api_settings_for_tests, make_user

UserFactory = Callable[..., Awaitable[User]]
_seq = itertools.count(1)
_embedder = HashingEmbedder()


def include_domain_routes(app: FastAPI) -> FastAPI:
    """Mount the routers of issue 6 unless api/app.py already does."""
    from api.applications.routes import router as applications
    from api.home.routes import router as home
    from api.jobs.sync_routes import router as sync
    from api.recruiter.routes import router as recruiter
    from api.saved_jobs.routes import router as saved_jobs

    # FastAPI keeps an included router as one entry (``original_router``), not its routes.
    included = {id(getattr(r, "original_router", None)) for r in app.routes}
    for router in (sync, applications, saved_jobs, recruiter, home):
        if id(router) not in included:
            app.include_router(router)
    return app


@pytest.fixture
def settings() -> ApiSettings:
    return api_settings_for_tests()


@pytest.fixture
def apply_settings() -> ApplySettings:
    """Mutable in a test (e.g. ``apply_settings.daily_quota = 2``): the app reads this object."""
    return ApplySettings(
        min_match_score=0.05,
        daily_quota=25,
        bulk_max_jobs=10,
        bulk_pool=100,
        ai_credit_cost=1,
        position_title_ratio=60,
    )


@pytest.fixture
def app(settings: ApiSettings, app_state: AppState, apply_settings: ApplySettings) -> FastAPI:
    app = include_domain_routes(create_app(settings, state=app_state))
    app.dependency_overrides[get_apply_settings] = lambda: apply_settings
    return app


@pytest.fixture
async def client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="https://test") as c:
        yield c


@pytest.fixture
def user_factory(session: AsyncSession, settings: ApiSettings) -> UserFactory:
    async def factory(**overrides: Any) -> User:
        return await make_user(session, settings.auth, **overrides)

    return factory


def bearer_for(settings: ApiSettings, user: User) -> dict[str, str]:
    """Bearer headers for ``user`` without a login round trip (login is tested elsewhere)."""
    token, _ = issue_access_token(
        settings.auth, user_id=user.id, epoch=user.token_epoch, user_type=user.user_type.value
    )
    return {"Authorization": f"Bearer {token}"}


async def candidate(factory: UserFactory, **overrides: Any) -> User:
    return await factory(user_type=UserType.CANDIDATE, **overrides)


async def recruiter(factory: UserFactory, **overrides: Any) -> User:
    return await factory(user_type=UserType.RECRUITER, **overrides)


async def job_admin(factory: UserFactory, *permissions: Permission) -> User:
    return await factory(
        user_type=UserType.ADMIN, permissions=permissions or (Permission.MANAGE_JOBS,)
    )


async def make_job(session: AsyncSession, *, embedded: bool = True, **overrides: Any) -> Job:
    """A committed job, embedded (HashingEmbedder) from the same text the worker embeds."""
    n = next(_seq)
    fields: dict[str, Any] = {
        "title": f"Data Analyst {n}",
        "company": "Falcon Analytics LLC",
        "description": "Analyse data with SQL and Python.",
        "skills": ["SQL", "Python"],
        "city": "Dubai",
        "country": "AE",
        "job_type": JobType.FULL_TIME,
        "work_mode": WorkMode.HYBRID,
        "status": JobStatus.OPEN,
        "source": "test",
        "source_id": f"support-job-{n}-{datetime.now(UTC).timestamp()}",
        "posted_at": datetime(2026, 11, 1, tzinfo=UTC),
    }
    fields.update(overrides)
    job = Job(**fields)
    text = job_text(
        job.title, job.company, job.description or "", job.requirements or [], job.skills
    )
    job.content_hash = content_hash(text)
    if embedded:
        job.embedding = _embedder.embed([text])[0].tolist()
        job.embedding_model = _embedder.model_id
    session.add(job)
    await session.commit()
    return job


CV_TEXT = (
    "Layla Haddad\nData Analyst, Dubai\n"
    "Experience: 4 years analysing data with SQL and Python at a Dubai bank.\n"
    "Skills: SQL, Python, Excel, dashboards\n"
)


def cv_file(text: str = CV_TEXT) -> bytes:
    return text.encode("utf-8")


def pdf_cv(text: str = CV_TEXT) -> bytes:
    """A real text PDF of ``text`` (reportlab), like the seed's resume.pdf."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4)
    y = 800
    for line in text.splitlines():
        pdf.drawString(50, y, line)
        y -= 16
    pdf.save()
    return buffer.getvalue()
