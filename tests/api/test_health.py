from __future__ import annotations

import httpx
import pytest

pytestmark = pytest.mark.integration


@pytest.mark.parametrize("path", ["/health", "/api/v1/resume/health"])
async def test_health_reports_database_index_and_model(
    client: httpx.AsyncClient, path: str
) -> None:
    response = await client.get(path)
    assert response.status_code == 200
    body = response.json()
    assert body["database"]["status"] == "up"
    assert body["database"]["schema_current"] is True
    assert body["database"]["revision"]
    assert body["index"]["status"] in {"empty", "ok", "partial"}
    assert body["model"]["dimension"] == 384
    assert body["status"] == "ok"


async def test_health_counts_embedded_jobs(client: httpx.AsyncClient, job_factory) -> None:  # type: ignore[no-untyped-def]
    await job_factory(embedded=True)
    await job_factory(embedded=False)
    body = (await client.get("/health")).json()
    assert body["index"]["jobs"] == 2
    assert body["index"]["jobs_embedded"] == 1
    assert body["index"]["status"] == "partial"


async def test_every_response_carries_a_request_id(client: httpx.AsyncClient) -> None:
    response = await client.get("/health")
    assert len(response.headers["x-request-id"]) >= 16
    echoed = await client.get("/health", headers={"X-Request-ID": "abc-123"})
    assert echoed.headers["x-request-id"] == "abc-123"
    # An id that could smuggle log lines is replaced, not echoed.
    forged = await client.get("/health", headers={"X-Request-ID": "bad id\nINFO forged"})
    assert forged.headers["x-request-id"] != "bad id\nINFO forged"


async def test_metrics_are_exposed_in_prometheus_format(client: httpx.AsyncClient) -> None:
    await client.get("/health")
    response = await client.get("/metrics")
    assert response.status_code == 200
    assert (
        'tabashir_http_requests_total{method="GET",route="/health",status="200"}' in response.text
    )


async def test_openapi_lists_the_routes(client: httpx.AsyncClient) -> None:
    spec = (await client.get("/openapi.json")).json()
    for path in (
        "/health",
        "/api/v1/resume/health",
        "/api/v1/resume/jobs",
        "/api/v1/resume/jobs/{job_id}",
    ):
        assert path in spec["paths"]
    docs = await client.get("/docs")
    assert docs.status_code == 200
