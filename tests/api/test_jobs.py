from __future__ import annotations

import uuid

import httpx
import pytest

from models.enums import JobStatus

pytestmark = pytest.mark.integration


async def test_service_routes_require_the_api_token(client: httpx.AsyncClient) -> None:
    missing = await client.get("/api/v1/resume/jobs")
    assert missing.status_code == 401
    assert missing.json()["code"] == "invalid_api_token"
    wrong = await client.get("/api/v1/resume/jobs", headers={"X-API-TOKEN": "nope"})
    assert wrong.status_code == 401


async def test_list_jobs_filters_and_paginates(
    client: httpx.AsyncClient, api_headers: dict[str, str], job_factory
) -> None:  # type: ignore[no-untyped-def]
    for _ in range(3):
        await job_factory(city="Dubai")
    await job_factory(city="Riyadh", country="SA")
    await job_factory(city="Dubai", status=JobStatus.CLOSED)

    page1 = (await client.get("/api/v1/resume/jobs?city=dubai&limit=2", headers=api_headers)).json()
    assert page1["pagination"] == {"page": 1, "limit": 2, "total": 3, "pages": 2}
    assert {j["city"] for j in page1["items"]} == {"Dubai"}
    page2 = (
        await client.get("/api/v1/resume/jobs?city=Dubai&limit=2&page=2", headers=api_headers)
    ).json()
    assert len(page2["items"]) == 1
    ids = {j["id"] for j in page1["items"] + page2["items"]}
    assert len(ids) == 3

    closed = (await client.get("/api/v1/resume/jobs?status=closed", headers=api_headers)).json()
    assert closed["pagination"]["total"] == 1
    saudi = (await client.get("/api/v1/resume/jobs?country=sa", headers=api_headers)).json()
    assert [j["city"] for j in saudi["items"]] == ["Riyadh"]


async def test_get_job_by_id_and_404(
    client: httpx.AsyncClient, api_headers: dict[str, str], job_factory
) -> None:  # type: ignore[no-untyped-def]
    job = await job_factory(title="Petroleum Engineer")
    found = await client.get(f"/api/v1/resume/jobs/{job.id}", headers=api_headers)
    assert found.status_code == 200
    assert found.json()["title"] == "Petroleum Engineer"
    missing = await client.get(f"/api/v1/resume/jobs/{uuid.uuid4()}", headers=api_headers)
    assert missing.status_code == 404
    assert missing.json() == {"error": "Job not found", "code": "job_not_found"}
    bad = await client.get("/api/v1/resume/jobs/not-a-uuid", headers=api_headers)
    assert bad.status_code == 422
