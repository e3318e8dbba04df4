"""Statistics at the seed's paths: count-by-city, monthly-count (calendar months of
Asia/Dubai, empty ranges, bounds) and applicants-count."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from api.settings import ApiSettings
from models import JobApplication
from models.enums import ApplicationStage, JobStatus
from tests.api.jobs.support import UserFactory, bearer_for, candidate, make_job, recruiter
from tests.conftest import API_TOKEN
from tests.fixtures.users import assert_error

pytestmark = pytest.mark.integration

SERVICE = {"X-API-TOKEN": API_TOKEN}


async def test_count_by_city_counts_open_jobs_most_first(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    for _ in range(3):
        await make_job(session, city="Dubai")
    await make_job(session, city="Riyadh", country="SA")
    await make_job(session, city="Riyadh", country="SA", status=JobStatus.CLOSED)
    await make_job(session, city="Doha", country="QA", status=JobStatus.DRAFT)
    await make_job(
        session, city="Muscat", country="OM", expires_at=datetime.now(UTC) - timedelta(days=1)
    )
    body = (await client.get("/api/v1/resume/jobs/count-by-city", headers=SERVICE)).json()
    assert body["items"] == [
        {"city": "Dubai", "country": "AE", "count": 3},
        {"city": "Riyadh", "country": "SA", "count": 1},
    ]
    assert body["pagination"]["total"] == 2
    every = (
        await client.get("/api/v1/resume/jobs/count-by-city?status=all&country=SA", headers=SERVICE)
    ).json()
    assert every["items"] == [{"city": "Riyadh", "country": "SA", "count": 2}]
    paged = (
        await client.get("/api/v1/resume/jobs/count-by-city?limit=1&page=2", headers=SERVICE)
    ).json()
    assert [i["city"] for i in paged["items"]] == ["Riyadh"]
    assert paged["pagination"]["pages"] == 2


async def test_monthly_count_buckets_by_dubai_calendar_months(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    # 22:00 UTC on 31 January is 02:00 on 1 February in Dubai (UTC+4).
    await make_job(session, posted_at=datetime(2026, 1, 31, 22, 0, tzinfo=UTC))
    await make_job(session, posted_at=datetime(2026, 1, 31, 19, 59, tzinfo=UTC))  # 23:59 Dubai
    await make_job(session, posted_at=datetime(2026, 3, 31, 20, 30, tzinfo=UTC))  # 1 April Dubai
    await make_job(session, posted_at=datetime(2026, 3, 15, tzinfo=UTC), status=JobStatus.DRAFT)
    body = (
        await client.get(
            "/api/v1/resume/jobs/monthly-count?start=2026-01-01&end=2026-04-30", headers=SERVICE
        )
    ).json()
    assert body["time_zone"] == "Asia/Dubai"
    assert body["items"] == [
        {"month": "2026-01", "count": 1},
        {"month": "2026-02", "count": 1},
        {"month": "2026-03", "count": 0},
        {"month": "2026-04", "count": 1},
    ]
    assert body["total"] == 3
    # The range's bounds are Dubai dates too: 1 February starts at 20:00 UTC on 31 January.
    february = (
        await client.get(
            "/api/v1/resume/jobs/monthly-count?start=2026-02-01&end=2026-02-28", headers=SERVICE
        )
    ).json()
    assert february["items"] == [{"month": "2026-02", "count": 1}]
    # An empty range is every month at zero, not an error.
    empty = (
        await client.get(
            "/api/v1/resume/jobs/monthly-count?start=2025-06-10&end=2025-08-01", headers=SERVICE
        )
    ).json()
    assert empty["items"] == [
        {"month": "2025-06", "count": 0},
        {"month": "2025-07", "count": 0},
        {"month": "2025-08", "count": 0},
    ]
    assert empty["total"] == 0
    one_day = (
        await client.get(
            "/api/v1/resume/jobs/monthly-count?start=2026-02-01&end=2026-02-01", headers=SERVICE
        )
    ).json()
    assert one_day["items"] == [{"month": "2026-02", "count": 1}]


async def test_monthly_count_defaults_and_bounds(client: httpx.AsyncClient) -> None:
    default = (await client.get("/api/v1/resume/jobs/monthly-count", headers=SERVICE)).json()
    assert len(default["items"]) == 12
    assert_error(
        await client.get(
            "/api/v1/resume/jobs/monthly-count?start=2026-05-01&end=2026-04-01", headers=SERVICE
        ),
        400,
        "invalid_range",
    )
    assert_error(
        await client.get(
            "/api/v1/resume/jobs/monthly-count?start=2000-01-01&end=2026-04-01", headers=SERVICE
        ),
        400,
        "range_too_long",
    )
    assert_error(
        await client.get("/api/v1/resume/jobs/monthly-count?start=not-a-date", headers=SERVICE), 422
    )


async def test_applicants_count_per_stage_for_those_allowed(
    client: httpx.AsyncClient,
    settings: ApiSettings,
    user_factory: UserFactory,
    session: AsyncSession,
) -> None:
    owner = await recruiter(user_factory)
    job = await make_job(session, owner_id=owner.id)
    for stage in (ApplicationStage.APPLIED, ApplicationStage.APPLIED, ApplicationStage.INTERVIEW):
        seeker = await candidate(user_factory)
        session.add(JobApplication(user_id=seeker.id, job_id=job.id, stage=stage))
    await session.commit()
    url = f"/api/v1/resume/jobs/{job.id}/applicants-count"
    mine = (await client.get(url, headers=bearer_for(settings, owner))).json()
    assert mine["count"] == 3
    assert mine["by_stage"] == {
        "applied": 2,
        "screening": 0,
        "interview": 1,
        "offer": 0,
        "hired": 0,
        "rejected": 0,
    }
    assert (await client.get(url, headers=SERVICE)).json()["count"] == 3
    other = await recruiter(user_factory)
    assert_error(await client.get(url, headers=bearer_for(settings, other)), 404)
    assert_error(await client.get(url, headers=bearer_for(settings, seeker)), 403)
