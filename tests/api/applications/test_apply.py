"""POST /api/v1/resume/jobs/{job_id}/apply: one application per job (a re-post is the same
job), only to open jobs, within the daily quota; score and explanation from the match port and
only what the CV supports; history and notifications written with it."""

from __future__ import annotations

import uuid
from datetime import timedelta

import httpx
import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from api.applications.repository import local_midnight
from api.applications.settings import ApplySettings
from api.settings import ApiSettings
from indexing.embedder import HashingEmbedder
from models import JobApplication, Notification, Resume, User
from models.enums import JobStatus
from models.pipeline import ApplicationStageChange
from tests.api.jobs.support import CV_TEXT, UserFactory, bearer_for, candidate, make_job, recruiter
from tests.conftest import API_TOKEN
from tests.fixtures.users import assert_error

pytestmark = pytest.mark.integration

SERVICE = {"X-API-TOKEN": API_TOKEN}


async def add_resume(session: AsyncSession, user: User, text: str = CV_TEXT) -> Resume:
    embedder = HashingEmbedder()
    resume = Resume(
        user_id=user.id,
        file_name="cv.txt",
        mime_type="text/plain",
        size_bytes=len(text),
        sha256=uuid.uuid4().hex + uuid.uuid4().hex,
        extracted_text=text,
        embedding=embedder.embed([text])[0].tolist(),
        embedding_model=embedder.model_id,
    )
    session.add(resume)
    await session.commit()
    return resume


def _apply(job_id: object) -> str:
    return f"/api/v1/resume/jobs/{job_id}/apply"


async def test_a_candidate_applies_once_with_a_cv_backed_explanation(
    client: httpx.AsyncClient,
    settings: ApiSettings,
    user_factory: UserFactory,
    session: AsyncSession,
) -> None:
    owner = await recruiter(user_factory)
    job = await make_job(
        session, owner_id=owner.id, title="Data Analyst", skills=["SQL", "Python", "Tableau"]
    )
    seeker = await candidate(user_factory)
    resume = await add_resume(session, seeker)
    headers = bearer_for(settings, seeker)
    response = await client.post(_apply(job.id), headers=headers)
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["stage"] == "applied"
    assert body["origin"] == "single"
    assert body["resume_id"] == str(resume.id)
    assert body["job"]["title"] == "Data Analyst"
    assert 0 < body["matched_score"] <= 1
    explanation = body["match_explanation"]
    # Only what the CV says: it names SQL and Python, not Tableau.
    assert explanation["matched_skills"] == ["SQL", "Python"]
    assert explanation["missing_skills"] == ["Tableau"]
    assert explanation["reasons"]
    history = (
        (
            await session.execute(
                select(ApplicationStageChange).where(
                    ApplicationStageChange.application_id == uuid.UUID(body["id"])
                )
            )
        )
        .scalars()
        .all()
    )
    assert [(h.from_stage, h.to_stage.value, h.changed_by_id) for h in history] == [
        (None, "applied", seeker.id)
    ]
    kinds = {
        (n.user_id, n.kind) for n in (await session.execute(select(Notification))).scalars().all()
    }
    assert (seeker.id, "application_submitted") in kinds
    assert (owner.id, "new_applicant") in kinds

    again = await client.post(_apply(job.id), headers=headers)
    assert_error(again, 409, "already_applied")
    count = (
        await session.execute(
            select(func.count()).select_from(JobApplication).where(JobApplication.job_id == job.id)
        )
    ).scalar_one()
    assert count == 1


async def test_a_repost_counts_as_the_same_job(
    client: httpx.AsyncClient,
    settings: ApiSettings,
    user_factory: UserFactory,
    session: AsyncSession,
) -> None:
    seeker = await candidate(user_factory)
    headers = bearer_for(settings, seeker)
    first = await make_job(
        session, title="Accountant", company="Falcon Analytics LLC", description="Close the books."
    )
    assert (await client.post(_apply(first.id), headers=headers)).status_code == 201
    first.status = JobStatus.CLOSED
    await session.commit()
    # Re-posted after closing: a new row with the same text (the legal form spelled another way
    # does not make another employer).
    same_text = await make_job(
        session, title="Accountant", company="Falcon Analytics LLC", description="Close the books."
    )
    refused = await client.post(_apply(same_text.id), headers=headers)
    body = assert_error(refused, 409, "already_applied")
    assert body["detail"] == {"job_id": str(first.id)}
    assert "earlier posting" in body["error"]
    # Same title and nearly the same description, other skills listed: still the same job.
    reworded = await make_job(
        session,
        title="Accountant (Urgent)",
        company="Falcon Analytics L.L.C.",
        description="Close the books!",
        skills=["Excel"],
    )
    assert_error(await client.post(_apply(reworded.id), headers=headers), 409, "already_applied")
    # Another employer's accountant is another job.
    other = await make_job(
        session, title="Accountant", company="Desert Bank", description="Close the books."
    )
    assert (await client.post(_apply(other.id), headers=headers)).status_code == 201
    # So is a more senior role at the same employer.
    senior = await make_job(
        session,
        title="Senior Accountant",
        company="Falcon Analytics LLC",
        description="Lead the close.",
    )
    assert (await client.post(_apply(senior.id), headers=headers)).status_code == 201


async def test_only_open_jobs_take_applications(
    client: httpx.AsyncClient,
    settings: ApiSettings,
    user_factory: UserFactory,
    session: AsyncSession,
) -> None:
    headers = bearer_for(settings, await candidate(user_factory))
    draft = await make_job(session, status=JobStatus.DRAFT)
    closed = await make_job(session, status=JobStatus.CLOSED)
    from datetime import UTC, datetime

    expired = await make_job(session, expires_at=datetime.now(UTC) - timedelta(minutes=1))
    assert_error(await client.post(_apply(draft.id), headers=headers), 404, "job_not_found")
    assert_error(await client.post(_apply(closed.id), headers=headers), 409, "job_not_open")
    refused = assert_error(
        await client.post(_apply(expired.id), headers=headers), 409, "job_not_open"
    )
    assert "expired" in refused["error"]
    assert_error(await client.post(_apply(uuid.uuid4()), headers=headers), 404, "job_not_found")


async def test_who_applies(
    client: httpx.AsyncClient,
    settings: ApiSettings,
    user_factory: UserFactory,
    session: AsyncSession,
) -> None:
    job = await make_job(session)
    seeker = await candidate(user_factory, email="layla@example.com")
    assert_error(await client.post(_apply(job.id)), 401)
    assert_error(
        await client.post(
            _apply(job.id), headers=bearer_for(settings, await recruiter(user_factory))
        ),
        403,
        "wrong_user_type",
    )
    assert_error(await client.post(_apply(job.id), headers=SERVICE), 400, "email_required")
    assert_error(
        await client.post(_apply(job.id), headers=SERVICE, json={"email": "nobody@example.com"}),
        404,
        "candidate_not_found",
    )
    assert_error(
        await client.post(_apply(job.id), headers=SERVICE, json={"email": "not an email"}), 422
    )
    # Services name the candidate; the address is matched case-insensitively.
    by_service = await client.post(
        _apply(job.id), headers=SERVICE, json={"email": "Layla@Example.com"}
    )
    assert by_service.status_code == 201, by_service.text
    application = await session.get(JobApplication, uuid.UUID(by_service.json()["id"]))
    assert application is not None
    assert application.user_id == seeker.id
    # Someone else's CV is as missing as no CV.
    stranger = await candidate(user_factory)
    their_cv = await add_resume(session, stranger)
    other_job = await make_job(session)
    assert_error(
        await client.post(
            _apply(other_job.id),
            headers=bearer_for(settings, seeker),
            json={"resume_id": str(their_cv.id)},
        ),
        404,
        "resume_not_found",
    )


async def test_the_daily_quota_counts_dubai_calendar_days(
    client: httpx.AsyncClient,
    settings: ApiSettings,
    apply_settings: ApplySettings,
    user_factory: UserFactory,
    session: AsyncSession,
) -> None:
    apply_settings.daily_quota = 2
    seeker = await candidate(user_factory)
    headers = bearer_for(settings, seeker)
    # An application a minute before midnight in Dubai belongs to yesterday.
    yesterday = await make_job(session)
    session.add(
        JobApplication(
            user_id=seeker.id,
            job_id=yesterday.id,
            created_at=local_midnight("Asia/Dubai") - timedelta(minutes=1),
        )
    )
    await session.commit()
    jobs = [await make_job(session) for _ in range(3)]
    assert (await client.post(_apply(jobs[0].id), headers=headers)).status_code == 201
    assert (await client.post(_apply(jobs[1].id), headers=headers)).status_code == 201
    assert_error(await client.post(_apply(jobs[2].id), headers=headers), 429, "daily_quota_reached")
