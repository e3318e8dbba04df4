"""The candidate's own views: applied jobs at the seed's paths (and the count variants),
/api/mobile/applications with stage and explanation, and saved jobs (idempotent)."""

from __future__ import annotations

import uuid

import httpx
import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from api.settings import ApiSettings
from models import JobApplication, SavedJob
from models.enums import ApplicationStage, JobStatus
from tests.api.jobs.support import UserFactory, bearer_for, candidate, make_job, recruiter
from tests.conftest import API_TOKEN
from tests.fixtures.users import assert_cross_user_404, assert_error

pytestmark = pytest.mark.integration

SERVICE = {"X-API-TOKEN": API_TOKEN}


async def test_applied_jobs_and_counts(
    client: httpx.AsyncClient,
    settings: ApiSettings,
    user_factory: UserFactory,
    session: AsyncSession,
) -> None:
    seeker = await candidate(user_factory, email="amal@example.com")
    for stage in (ApplicationStage.APPLIED, ApplicationStage.INTERVIEW, ApplicationStage.APPLIED):
        job = await make_job(session)
        session.add(JobApplication(user_id=seeker.id, job_id=job.id, stage=stage))
    other = await candidate(user_factory)
    session.add(JobApplication(user_id=other.id, job_id=job.id))
    await session.commit()
    mine = bearer_for(settings, seeker)
    listed = (await client.get("/api/v1/resume/applied-jobs?limit=2", headers=mine)).json()
    assert listed["pagination"] == {"page": 1, "limit": 2, "total": 3, "pages": 2}
    assert {"id", "job_id", "job", "stage", "matched_score", "match_explanation"} <= set(
        listed["items"][0]
    )
    by_service = (
        await client.get("/api/v1/resume/applied-jobs?email=AMAL@example.com", headers=SERVICE)
    ).json()
    assert by_service["pagination"]["total"] == 3
    interviews = (
        await client.get("/api/v1/resume/applied-jobs?stage=interview", headers=mine)
    ).json()
    assert [a["stage"] for a in interviews["items"]] == ["interview"]
    expected = {
        "count": 3,
        "by_stage": {
            "applied": 2,
            "screening": 0,
            "interview": 1,
            "offer": 0,
            "hired": 0,
            "rejected": 0,
        },
    }
    assert (await client.post("/api/v1/resume/applied-jobs", headers=mine)).json() == expected
    assert (
        await client.post(
            "/api/v1/resume/applied-jobs", headers=SERVICE, json={"email": "amal@example.com"}
        )
    ).json() == expected
    assert (
        await client.get(
            "/api/v1/resume/applied-jobs/count?email=amal@example.com", headers=SERVICE
        )
    ).json() == expected
    assert_error(await client.post("/api/v1/resume/applied-jobs", headers=SERVICE), 400)
    assert_error(
        await client.get("/api/v1/resume/applied-jobs?email=nope", headers=SERVICE),
        400,
        "invalid_email",
    )
    # A signed-in candidate cannot read another's applications by naming them.
    assert_error(
        await client.get(f"/api/v1/resume/applied-jobs?email={other.email}", headers=mine),
        400,
        "email_mismatch",
    )


async def test_my_applications_on_mobile(
    client: httpx.AsyncClient,
    settings: ApiSettings,
    user_factory: UserFactory,
    session: AsyncSession,
) -> None:
    seeker, other = await candidate(user_factory), await candidate(user_factory)
    job = await make_job(session, title="Data Analyst")
    explanation = {"matched_skills": ["SQL"], "missing_skills": [], "reasons": ["r"]}
    application = JobApplication(
        user_id=seeker.id,
        job_id=job.id,
        stage=ApplicationStage.SCREENING,
        matched_score=0.5,
        match_explanation=explanation,
    )
    session.add(application)
    await session.commit()
    mine, theirs = bearer_for(settings, seeker), bearer_for(settings, other)
    listed = (await client.get("/api/mobile/applications", headers=mine)).json()
    (item,) = listed["items"]
    assert item["jobId"] == str(job.id)
    assert item["job"]["title"] == "Data Analyst"
    assert (item["stage"], item["matchedScore"], item["matchExplanation"]) == (
        "screening",
        0.5,
        explanation,
    )
    await assert_cross_user_404(
        client, "GET", f"/api/mobile/applications/{application.id}", mine, theirs
    )
    assert (await client.get("/api/mobile/applications", headers=theirs)).json()["items"] == []
    assert_error(
        await client.get(
            "/api/mobile/applications",
            headers=bearer_for(settings, await recruiter(user_factory)),
        ),
        403,
    )


async def test_saved_jobs_are_idempotent(
    client: httpx.AsyncClient,
    settings: ApiSettings,
    user_factory: UserFactory,
    session: AsyncSession,
) -> None:
    seeker = await candidate(user_factory)
    headers = bearer_for(settings, seeker)
    job = await make_job(session, title="Saved Role")
    first = await client.post(
        "/api/mobile/saved-jobs", json={"jobId": str(job.id)}, headers=headers
    )
    assert first.status_code == 201, first.text
    assert first.json()["job"]["title"] == "Saved Role"
    assert first.json()["applied"] is False
    again = await client.post(
        "/api/mobile/saved-jobs", json={"jobId": str(job.id)}, headers=headers
    )
    assert again.status_code == 200
    assert again.json()["savedAt"] == first.json()["savedAt"]
    count = (
        await session.execute(
            select(func.count()).select_from(SavedJob).where(SavedJob.user_id == seeker.id)
        )
    ).scalar_one()
    assert count == 1
    draft = await make_job(session, status=JobStatus.DRAFT)
    assert_error(
        await client.post("/api/mobile/saved-jobs", json={"jobId": str(draft.id)}, headers=headers),
        404,
    )
    assert_error(
        await client.post(
            "/api/mobile/saved-jobs", json={"jobId": str(uuid.uuid4())}, headers=headers
        ),
        404,
    )
    listed = (await client.get("/api/mobile/saved-jobs", headers=headers)).json()
    assert [s["jobId"] for s in listed["items"]] == [str(job.id)]
    for _ in range(2):
        gone = await client.delete(f"/api/mobile/saved-jobs/{job.id}", headers=headers)
        assert gone.status_code == 204
    assert (await client.get("/api/mobile/saved-jobs", headers=headers)).json()["items"] == []
    assert_error(await client.get("/api/mobile/saved-jobs"), 401)
