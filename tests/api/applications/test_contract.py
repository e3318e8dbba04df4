"""The seed's documented curl examples, replayed against the app: the jobs listing with page
and limit, and the bulk apply with its multipart fields (a real PDF CV). Status and shape are
our compatibility contract with the existing apps.

    curl -X GET ".../api/v1/resume/jobs?page=1&limit=20" \\
      -H "Content-Type: application/json" -H "X-API-TOKEN: <token>"

    curl -X POST ".../api/v1/resume/apply" -H "X-API-TOKEN: <token>" \\
      -F "email=test@example.com" -F "file=@resume.pdf" -F "nationality=Emirati" \\
      -F "gender=male" -F 'positions=Software Engineer' -F 'locations=Dubai'
"""

from __future__ import annotations

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from api.billing import ledger
from models.enums import CreditType
from tests.api.jobs.support import UserFactory, candidate, make_job, pdf_cv
from tests.conftest import API_TOKEN

pytestmark = pytest.mark.integration

JOB_FIELDS = {
    "id",
    "title",
    "company",
    "description",
    "requirements",
    "skills",
    "city",
    "country",
    "salary_min",
    "salary_max",
    "salary_currency",
    "salary_period",
    "job_type",
    "work_mode",
    "experience_min",
    "experience_max",
    "language",
    "status",
    "source",
    "posted_at",
    "expires_at",
    "created_at",
    "updated_at",
}
ENGINEER_CV = (
    "Omar Saeed\nSoftware Engineer, Dubai\n"
    "6 years building Python and Go services, PostgreSQL, Kubernetes on AWS.\n"
    "Skills: Python, Go, PostgreSQL, Kubernetes\n"
)


async def test_jobs_listing_with_page_and_limit(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    for _ in range(3):
        await make_job(session)
    response = await client.get(
        "/api/v1/resume/jobs?page=1&limit=20",
        headers={"Content-Type": "application/json", "X-API-TOKEN": API_TOKEN},
    )
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"items", "pagination"}
    assert body["pagination"] == {"page": 1, "limit": 20, "total": 3, "pages": 1}
    assert len(body["items"]) == 3
    for item in body["items"]:
        assert set(item) >= JOB_FIELDS


async def test_bulk_apply_with_the_seeds_multipart_fields(
    client: httpx.AsyncClient, user_factory: UserFactory, session: AsyncSession
) -> None:
    seeker = await candidate(user_factory, email="test@example.com")
    await ledger.grant(session, seeker.id, CreditType.AI_JOB_APPLY_COUNT, 3, "contract-grant")
    await session.commit()
    job = await make_job(
        session,
        title="Software Engineer",
        description="Build Python services on PostgreSQL and Kubernetes.",
        skills=["Python", "PostgreSQL", "Kubernetes", "Terraform"],
    )
    await make_job(session, title="Software Engineer", city="Doha", country="QA")
    response = await client.post(
        "/api/v1/resume/apply",
        headers={"X-API-TOKEN": API_TOKEN},
        data={
            "email": "test@example.com",
            "nationality": "Emirati",
            "gender": "male",
            "positions": "Software Engineer",
            "locations": "Dubai",
        },
        files={"file": ("resume.pdf", pdf_cv(ENGINEER_CV), "application/pdf")},
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert set(body) == {"resume_id", "applied", "skipped", "matched", "credits_left", "quota_left"}
    assert [a["job"]["id"] for a in body["applied"]] == [str(job.id)]
    applied = body["applied"][0]
    assert set(applied) == {"application_id", "job", "score", "explanation"}
    assert 0 <= applied["score"] <= 1
    assert applied["explanation"]["matched_skills"] == ["Python", "PostgreSQL", "Kubernetes"]
    assert applied["explanation"]["missing_skills"] == ["Terraform"]
    assert body["credits_left"] == 2
