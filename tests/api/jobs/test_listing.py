"""GET /api/v1/resume/jobs: full-text q, filters, sorts, pagination bounds, callers."""

from __future__ import annotations

from datetime import UTC, datetime

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from api.settings import ApiSettings
from models.enums import JobStatus, JobType, SalaryPeriod, WorkMode
from tests.api.jobs.support import UserFactory, bearer_for, candidate, make_job
from tests.conftest import API_TOKEN
from tests.fixtures.users import assert_error

pytestmark = pytest.mark.integration

SERVICE = {"X-API-TOKEN": API_TOKEN}


async def _titles(client: httpx.AsyncClient, query: str) -> list[str]:
    response = await client.get(f"/api/v1/resume/jobs?{query}", headers=SERVICE)
    assert response.status_code == 200, response.text
    return [j["title"] for j in response.json()["items"]]


async def test_full_text_over_title_company_and_description(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    await make_job(session, title="Payroll Officer", description="Run WPS payroll monthly.")
    await make_job(
        session,
        title="Finance Assistant",
        description="Support the payroll officer with reconciliations.",
    )
    await make_job(session, title="Chef de Partie", company="Oasis Hotels")
    await make_job(session, title="محاسب أول", company="شركة الصقر", description="خبرة في الرواتب")
    # Title hits rank above description hits.
    assert await _titles(client, "q=payroll") == ["Payroll Officer", "Finance Assistant"]
    assert await _titles(client, "q=oasis") == ["Chef de Partie"]
    assert await _titles(client, "q=محاسب") == ["محاسب أول"]
    # websearch syntax: phrases and exclusions.
    assert await _titles(client, 'q="payroll officer"') == ["Payroll Officer", "Finance Assistant"]
    assert await _titles(client, "q=payroll -reconciliations") == ["Payroll Officer"]
    # Syntax that is not valid tsquery is still a query, never a 500.
    assert await _titles(client, "q=%22%27%28%29%3A%26%21") == []
    assert await _titles(client, "q=payroll&sort=oldest") != []


async def test_filters(client: httpx.AsyncClient, session: AsyncSession) -> None:
    await make_job(
        session,
        title="A",
        city="Dubai",
        salary_min=8000,
        salary_max=12000,
        salary_currency="AED",
        salary_period=SalaryPeriod.MONTH,
        experience_min=2,
        language="en",
        company="Falcon Analytics LLC",
        job_type=JobType.FULL_TIME,
        posted_at=datetime(2026, 11, 10, tzinfo=UTC),
    )
    await make_job(
        session,
        title="B",
        city="Riyadh",
        country="SA",
        salary_min=20000,
        salary_max=30000,
        experience_min=8,
        language="ar",
        company="Desert Bank",
        job_type=JobType.CONTRACT,
        work_mode=WorkMode.REMOTE,
        posted_at=datetime(2026, 10, 1, tzinfo=UTC),
    )
    await make_job(session, title="C", city="Sharjah", status=JobStatus.CLOSED)
    assert await _titles(client, "city=DXB") == ["A"]  # any spelling of a city
    assert await _titles(client, "city=%D8%AF%D8%A8%D9%8A") == ["A"]  # دبي
    assert sorted(await _titles(client, "city=Dubai,Riyadh")) == ["A", "B"]
    assert await _titles(client, "country=Saudi%20Arabia") == ["B"]
    assert await _titles(client, "city=KSA") == ["B"]  # a country typed as a place
    assert await _titles(client, "salary_min=15000") == ["B"]
    assert await _titles(client, "salary_max=10000") == ["A"]
    assert await _titles(client, "experience=3") == ["A"]
    assert await _titles(client, "language=ar") == ["B"]
    assert await _titles(client, "company=falcon%20analytics%20llc") == ["A"]
    assert await _titles(client, "job_type=contract&job_type=temporary") == ["B"]
    assert await _titles(client, "work_mode=remote") == ["B"]
    assert await _titles(client, "posted_since=2026-11-01T00:00:00Z") == ["A"]
    assert await _titles(client, "sort=salary_high") == ["B", "A"]
    assert await _titles(client, "sort=salary_low") == ["A", "B"]
    assert sorted(await _titles(client, "status=all")) == ["A", "B", "C"]
    assert_error(await client.get("/api/v1/resume/jobs?country=Atlantis", headers=SERVICE), 400)


async def test_pagination_is_bounded_and_totals_are_right(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    for n in range(5):
        await make_job(session, title=f"Role {n}", posted_at=datetime(2026, 11, n + 1, tzinfo=UTC))
    page = (await client.get("/api/v1/resume/jobs?page=2&limit=2", headers=SERVICE)).json()
    assert page["pagination"] == {"page": 2, "limit": 2, "total": 5, "pages": 3}
    assert [j["title"] for j in page["items"]] == ["Role 2", "Role 1"]
    for bad in ("limit=0", "limit=101", "page=0", "page=10001", "q=" + "x" * 201):
        assert_error(await client.get(f"/api/v1/resume/jobs?{bad}", headers=SERVICE), 422)


async def test_signed_in_people_list_jobs_without_the_service_token(
    client: httpx.AsyncClient,
    settings: ApiSettings,
    user_factory: UserFactory,
    session: AsyncSession,
) -> None:
    await make_job(session, title="Visible")
    seeker = await candidate(user_factory)
    listed = await client.get("/api/v1/resume/jobs", headers=bearer_for(settings, seeker))
    assert [j["title"] for j in listed.json()["items"]] == ["Visible"]
    assert_error(
        await client.get("/api/v1/resume/jobs", headers={"Authorization": "Bearer nonsense"}),
        401,
    )
    assert_error(
        await client.get("/api/v1/resume/jobs", headers={"X-API-TOKEN": "wrong"}),
        401,
        "invalid_api_token",
    )
    # "mine" needs a person.
    assert_error(await client.get("/api/v1/resume/jobs?mine=true", headers=SERVICE), 401)


async def test_what_the_database_cannot_store_is_a_4xx_not_a_500(
    client: httpx.AsyncClient,
) -> None:
    """PostgreSQL text holds no NUL; out-of-range numbers and dates are refused up front."""
    for url in ("/api/v1/resume/jobs?q=a%00b", "/api/v1/resume/jobs?city=Dub%00ai"):
        assert_error(await client.get(url, headers=SERVICE), 422, "validation_error")
    for url in (
        "/api/v1/resume/jobs/monthly-count?start=9999-12-01&end=9999-12-31",
        "/api/v1/resume/jobs/monthly-count?start=0001-01-01&end=0001-02-01",
    ):
        assert_error(await client.get(url, headers=SERVICE), 400)
    assert_error(
        await client.get("/api/v1/resume/jobs?salary_min=99999999999999999999", headers=SERVICE),
        422,
    )
    assert_error(
        await client.post(
            "/api/v1/resume/jobs", json={"title": "a\u0000b", "company": "x"}, headers=SERVICE
        ),
        422,
        "validation_error",
    )
