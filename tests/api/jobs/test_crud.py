"""Job writes at /api/v1/resume/jobs: who may post and edit, normalisation on write, the status
lifecycle with expiry honoured, delete-or-close, and embedding queued for new text."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from api.jobs.tasks import expire_jobs_task
from api.settings import ApiSettings
from api.state import AppState
from models import Job, JobApplication, Task
from models.enums import JobStatus, Permission, TaskStatus
from tests.api.jobs.support import (
    UserFactory,
    bearer_for,
    candidate,
    job_admin,
    make_job,
    recruiter,
)
from tests.conftest import API_TOKEN
from tests.fixtures.users import assert_error

pytestmark = pytest.mark.integration

SERVICE = {"X-API-TOKEN": API_TOKEN}
RAW_JOB: dict[str, Any] = {
    "title": "Senior Accountant",
    "description": "Own the month-end close for our Gulf entities.",
    "requirements": "• Must have 5+ years in audit\n• IFRS",
    "skills": "IFRS, SAP, Excel",
    "location": "JLT, Dubai - UAE",
    "salary": "AED 18k-22k per month",
    "job_type": "Full-time",
    "work_mode": "Hybrid",
}


def _later(days: int = 30) -> str:
    return (datetime.now(UTC) + timedelta(days=days)).isoformat()


async def _queued_embeds(session: AsyncSession) -> int:
    return int(
        (
            await session.execute(
                select(func.count())
                .select_from(Task)
                .where(Task.kind == "embed_missing", Task.status == TaskStatus.QUEUED)
            )
        ).scalar_one()
    )


async def test_a_recruiter_posts_a_job_normalised_like_a_feed_item(
    client: httpx.AsyncClient,
    settings: ApiSettings,
    user_factory: UserFactory,
    session: AsyncSession,
) -> None:
    owner = await recruiter(user_factory, company="Oasis Hotels LLC")
    response = await client.post(
        "/api/v1/resume/jobs", json=RAW_JOB, headers=bearer_for(settings, owner)
    )
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["company"] == "Oasis Hotels LLC"  # the recruiter's company by default
    assert (body["city"], body["country"]) == ("Dubai", "AE")
    assert (body["salary_min"], body["salary_max"]) == (18000, 22000)
    assert (body["salary_currency"], body["salary_period"]) == ("AED", "month")
    assert (body["job_type"], body["work_mode"]) == ("full_time", "hybrid")
    assert body["experience_min"] == 5
    assert body["skills"] == ["IFRS", "SAP", "Excel"]
    assert body["status"] == "open"
    assert body["posted_at"] is not None
    job = await session.get(Job, uuid.UUID(body["id"]))
    assert job is not None
    assert job.owner_id == owner.id
    assert job.source == "api"
    assert job.embedding is None
    assert job.content_hash is not None
    assert await _queued_embeds(session) == 1
    # A second post does not pile up embed tasks: one queued task embeds every new job.
    again = await client.post(
        "/api/v1/resume/jobs",
        json={**RAW_JOB, "title": "Accountant"},
        headers=bearer_for(settings, owner),
    )
    assert again.status_code == 201
    assert await _queued_embeds(session) == 1


async def test_who_may_post(
    client: httpx.AsyncClient, settings: ApiSettings, user_factory: UserFactory
) -> None:
    body = {**RAW_JOB, "company": "Falcon Analytics LLC"}
    anonymous = await client.post("/api/v1/resume/jobs", json=body)
    assert_error(anonymous, 401, "invalid_api_token")
    seeker = await candidate(user_factory)
    assert_error(
        await client.post("/api/v1/resume/jobs", json=body, headers=bearer_for(settings, seeker)),
        403,
        "wrong_user_type",
    )
    clerk = await job_admin(user_factory, Permission.MANAGE_USERS)
    assert_error(
        await client.post("/api/v1/resume/jobs", json=body, headers=bearer_for(settings, clerk)),
        403,
        "permission_required",
    )
    manager = await job_admin(user_factory, Permission.MANAGE_JOBS)
    made = await client.post(
        "/api/v1/resume/jobs", json=body, headers=bearer_for(settings, manager)
    )
    assert made.status_code == 201, made.text
    # A service posts on behalf of a recruiter; the owner must be a recruiter account.
    owner = await recruiter(user_factory)
    by_service = await client.post(
        "/api/v1/resume/jobs", json={**body, "owner_id": str(owner.id)}, headers=SERVICE
    )
    assert by_service.status_code == 201, by_service.text
    assert_error(
        await client.post(
            "/api/v1/resume/jobs", json={**body, "owner_id": str(seeker.id)}, headers=SERVICE
        ),
        422,
        "invalid_owner",
    )
    # A recruiter cannot post in another recruiter's name.
    assert_error(
        await client.post(
            "/api/v1/resume/jobs",
            json={**body, "owner_id": str(owner.id)},
            headers=bearer_for(settings, await recruiter(user_factory)),
        ),
        403,
        "cannot_assign_owner",
    )


@pytest.mark.parametrize(
    ("change", "status", "code"),
    [
        ({"expires_at": "2020-01-01T00:00:00Z"}, 422, "expires_at_in_past"),
        ({"salary_min": 9000, "salary_max": 5000}, 422, "validation_error"),
        ({"is_admin": True}, 422, "validation_error"),
        ({"status": "expired"}, 422, "validation_error"),
        ({"title": ""}, 422, "validation_error"),
        ({"skills": ["x"] * 201}, 422, "validation_error"),
    ],
)
async def test_bad_job_bodies_are_refused(
    client: httpx.AsyncClient, change: dict[str, Any], status: int, code: str
) -> None:
    body = {**RAW_JOB, "company": "Falcon Analytics LLC", **change}
    assert_error(await client.post("/api/v1/resume/jobs", json=body, headers=SERVICE), status, code)


async def test_a_duplicate_external_id_is_a_conflict(client: httpx.AsyncClient) -> None:
    body = {**RAW_JOB, "company": "Falcon", "external_id": "FAL-118"}
    assert (await client.post("/api/v1/resume/jobs", json=body, headers=SERVICE)).status_code == 201
    assert_error(
        await client.post("/api/v1/resume/jobs", json=body, headers=SERVICE),
        409,
        "duplicate_external_id",
    )


async def test_a_recruiter_edits_only_their_own_jobs(
    client: httpx.AsyncClient,
    settings: ApiSettings,
    user_factory: UserFactory,
    session: AsyncSession,
) -> None:
    owner, other = await recruiter(user_factory), await recruiter(user_factory)
    job = await make_job(session, owner_id=owner.id)
    url = f"/api/v1/resume/jobs/{job.id}"
    # Another recruiter's job answers like a missing one, for edits and deletes alike.
    assert_error(
        await client.put(url, json={"title": "Hijacked"}, headers=bearer_for(settings, other)),
        404,
        "job_not_found",
    )
    assert_error(await client.delete(url, headers=bearer_for(settings, other)), 404)
    seeker = await candidate(user_factory)
    assert_error(
        await client.put(url, json={"title": "x"}, headers=bearer_for(settings, seeker)), 403
    )
    mine = await client.put(
        url, json={"title": "Lead Data Analyst"}, headers=bearer_for(settings, owner)
    )
    assert mine.status_code == 200, mine.text
    assert mine.json()["title"] == "Lead Data Analyst"
    # Job administrators and services edit any job.
    manager = await job_admin(user_factory)
    assert (
        await client.put(url, json={"work_mode": "remote"}, headers=bearer_for(settings, manager))
    ).json()["work_mode"] == "remote"
    assert (await client.put(url, json={"city": "Riyadh"}, headers=SERVICE)).json()["country"] == (
        "SA"
    )


async def test_updates_renormalise_and_reembed_only_changed_text(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    job = await make_job(
        session, city="Abu Dhabi", salary_min=10000, salary_max=12000, salary_currency="AED"
    )
    url = f"/api/v1/resume/jobs/{job.id}"
    vector_before = list(job.embedding or [])
    # A new location replaces the stored city (the place is one group of fields).
    moved = (await client.put(url, json={"location": "DIFC"}, headers=SERVICE)).json()
    assert (moved["city"], moved["country"]) == ("Dubai", "AE")
    assert moved["salary_min"] == 10000  # untouched fields keep their values
    await session.refresh(job)
    # The place is not embedded text: the vector stays.
    assert job.embedding is not None
    assert list(job.embedding) == pytest.approx(vector_before, abs=1e-6)
    paid = (
        await client.put(url, json={"salary": "15,000 - 18,000 AED monthly"}, headers=SERVICE)
    ).json()
    assert (paid["salary_min"], paid["salary_max"]) == (15000, 18000)
    retitled = await client.put(url, json={"description": "Build dashboards."}, headers=SERVICE)
    assert retitled.status_code == 200
    await session.refresh(job)
    assert job.embedding is None  # new text: the worker embeds it again
    assert job.description == "Build dashboards."
    assert await _queued_embeds(session) == 1
    assert_error(await client.put(url, json={"title": None}, headers=SERVICE), 422)


async def test_status_lifecycle(
    client: httpx.AsyncClient,
    settings: ApiSettings,
    user_factory: UserFactory,
) -> None:
    owner = await recruiter(user_factory)
    mine = bearer_for(settings, owner)
    draft = (
        await client.post("/api/v1/resume/jobs", json={**RAW_JOB, "status": "draft"}, headers=mine)
    ).json()
    url = f"/api/v1/resume/jobs/{draft['id']}"
    assert draft["status"] == "draft"
    assert draft["posted_at"] is None
    # A draft is the owner's (and administrators') only.
    seeker = bearer_for(settings, await candidate(user_factory))
    assert_error(await client.get(url, headers=seeker), 404, "job_not_found")
    listed = (await client.get("/api/v1/resume/jobs?status=draft", headers=seeker)).json()
    assert listed["pagination"]["total"] == 0
    assert (await client.get("/api/v1/resume/jobs?status=draft&mine=true", headers=mine)).json()[
        "pagination"
    ]["total"] == 1
    opened = (await client.put(url, json={"status": "open"}, headers=mine)).json()
    assert opened["status"] == "open"
    assert opened["posted_at"] is not None
    assert_error(
        await client.put(url, json={"status": "draft"}, headers=mine),
        409,
        "invalid_status_transition",
    )
    closed = (await client.put(url, json={"status": "closed"}, headers=mine)).json()
    assert closed["status"] == "closed"
    assert closed["closed_at"] is not None
    reopened = (await client.put(url, json={"status": "open"}, headers=mine)).json()
    assert reopened["status"] == "open"
    assert reopened["closed_at"] is None


async def test_expiry_is_honoured_at_read_time_and_by_the_worker(
    client: httpx.AsyncClient, session: AsyncSession, app_state: AppState
) -> None:
    past = datetime.now(UTC) - timedelta(hours=1)
    stale = await make_job(session, title="Stale Role", expires_at=past)
    fresh = await make_job(
        session, title="Fresh Role", expires_at=datetime.now(UTC) + timedelta(days=3)
    )
    open_titles = {
        j["title"]
        for j in (await client.get("/api/v1/resume/jobs", headers=SERVICE)).json()["items"]
    }
    assert "Fresh Role" in open_titles
    assert "Stale Role" not in open_titles
    expired = (await client.get("/api/v1/resume/jobs?status=expired", headers=SERVICE)).json()
    assert [j["title"] for j in expired["items"]] == ["Stale Role"]
    shown = (await client.get(f"/api/v1/resume/jobs/{stale.id}", headers=SERVICE)).json()
    assert shown["status"] == "expired"
    # The worker stores what reads already computed.
    assert await expire_jobs_task(session, app_state, {}) == {"expired": 1}
    await session.refresh(stale)
    await session.refresh(fresh)
    assert (stale.status, fresh.status) == (JobStatus.EXPIRED, JobStatus.OPEN)
    # A later expiry date brings it back.
    back = await client.put(
        f"/api/v1/resume/jobs/{stale.id}", json={"expires_at": _later()}, headers=SERVICE
    )
    assert back.json()["status"] == "open"
    assert_error(
        await client.put(
            f"/api/v1/resume/jobs/{stale.id}",
            json={"expires_at": _later(-1), "status": "open"},
            headers=SERVICE,
        ),
        422,
        "expires_at_in_past",
    )


async def test_delete_destroys_an_unapplied_job_and_closes_one_with_applications(
    client: httpx.AsyncClient,
    user_factory: UserFactory,
    session: AsyncSession,
) -> None:
    lonely = await make_job(session)
    gone = await client.delete(f"/api/v1/resume/jobs/{lonely.id}", headers=SERVICE)
    assert gone.json() == {"id": str(lonely.id), "deleted": True, "status": None}
    assert_error(await client.get(f"/api/v1/resume/jobs/{lonely.id}", headers=SERVICE), 404)

    wanted = await make_job(session)
    seeker = await candidate(user_factory)
    session.add(JobApplication(user_id=seeker.id, job_id=wanted.id))
    await session.commit()
    closed = await client.delete(f"/api/v1/resume/jobs/{wanted.id}", headers=SERVICE)
    assert closed.json() == {"id": str(wanted.id), "deleted": False, "status": "closed"}
    still = await client.get(f"/api/v1/resume/jobs/{wanted.id}", headers=SERVICE)
    assert still.json()["status"] == "closed"
    assert (
        await session.execute(
            select(func.count())
            .select_from(JobApplication)
            .where(JobApplication.job_id == wanted.id)
        )
    ).scalar_one() == 1


async def test_a_job_posted_through_rest_gets_its_skills_like_a_feed_item(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    body = {
        "title": "Backend Developer",
        "company": "Falcon",
        "description": "You will build REST services in Python and model data in PostgreSQL.",
    }
    response = await client.post("/api/v1/resume/jobs", json=body, headers=SERVICE)
    assert response.status_code == 201, response.text
    job = await session.get(Job, uuid.UUID(response.json()["id"]))
    assert job is not None
    found = " | ".join(job.skills)
    assert "Python" in found  # found in the description, as the feed pipeline finds it
    assert "PostgreSQL" in found
    named = await client.post(
        "/api/v1/resume/jobs", json={**body, "skills": ["docker", "Kubernetes"]}, headers=SERVICE
    )
    named_job = await session.get(Job, uuid.UUID(named.json()["id"]))
    assert named_job is not None
    assert named_job.skills[:2] == ["docker", "Kubernetes"]  # the recruiter's words, kept


async def test_a_partial_update_changes_only_the_fields_it_names(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    job = await make_job(
        session,
        salary_min=10000,
        salary_max=12000,
        salary_currency="AED",
        experience_min=2,
        experience_max=5,
    )
    url = f"/api/v1/resume/jobs/{job.id}"
    raised = await client.put(url, json={"salary_max": 15000}, headers=SERVICE)
    assert raised.status_code == 200, raised.text
    body = raised.json()
    assert (body["salary_min"], body["salary_max"], body["salary_currency"]) == (
        10000,
        15000,
        "AED",
    )
    longer = (await client.put(url, json={"experience_max": 8}, headers=SERVICE)).json()
    assert (longer["experience_min"], longer["experience_max"]) == (2, 8)
    assert longer["salary_min"] == 10000
    floor = (await client.put(url, json={"salary_min": 11000}, headers=SERVICE)).json()
    assert (floor["salary_min"], floor["salary_max"]) == (11000, 15000)
    # One bound past the stored other is refused, not silently stored upside down.
    assert_error(
        await client.put(url, json={"salary_max": 9000}, headers=SERVICE),
        422,
        "invalid_salary_range",
    )
    assert_error(
        await client.put(url, json={"experience_min": 9}, headers=SERVICE),
        422,
        "invalid_experience_range",
    )
    # An explicit null clears the one field.
    cleared = (await client.put(url, json={"salary_max": None}, headers=SERVICE)).json()
    assert (cleared["salary_min"], cleared["salary_max"]) == (11000, None)


async def test_get_on_the_seed_match_path_says_to_post(client: httpx.AsyncClient) -> None:
    answer = await client.get("/api/v1/resume/jobs/match", headers=SERVICE)
    body = assert_error(answer, 405, "method_not_allowed")
    assert "POST" in body["error"]
    assert answer.headers["allow"] == "POST"
