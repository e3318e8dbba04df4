from __future__ import annotations

import dataclasses

import httpx
import pytest
from pydantic import SecretStr

from api.app import create_app
from api.settings import ApiSettings
from api.state import AppState
from indexing.lexical import TantivyJobIndex

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


async def test_metrics_are_not_served_to_the_world(
    settings: ApiSettings, app_state: AppState
) -> None:
    def client_from(app_settings: ApiSettings, address: str) -> httpx.AsyncClient:
        state = dataclasses.replace(app_state, settings=app_settings)
        app = create_app(app_settings, state=state)
        transport = httpx.ASGITransport(app=app, client=(address, 40000))
        return httpx.AsyncClient(transport=transport, base_url="http://test")

    # No token configured: this machine only.
    async with client_from(settings, "203.0.113.7") as outsider:
        refused = await outsider.get("/metrics")
        assert refused.status_code == 403
        assert refused.json()["code"] == "metrics_forbidden"
    async with client_from(settings, "::1") as local:
        assert (await local.get("/metrics")).status_code == 200
    # A token configured: that bearer token, from anywhere, and nothing else (loopback too).
    with_token = settings.model_copy(update={"metrics_token": SecretStr("scrape-me-0123456789")})
    async with client_from(with_token, "203.0.113.7") as scraper:
        assert (await scraper.get("/metrics")).status_code == 401
        wrong = await scraper.get("/metrics", headers={"Authorization": "Bearer nope"})
        assert wrong.status_code == 401
        assert wrong.headers["www-authenticate"].startswith("Bearer")
        good = await scraper.get(
            "/metrics", headers={"Authorization": "Bearer scrape-me-0123456789"}
        )
        assert good.status_code == 200
        assert "tabashir_http_requests_total" in good.text
    async with client_from(with_token, "127.0.0.1") as local:
        assert (await local.get("/metrics")).status_code == 401


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


async def test_an_unopenable_search_index_is_a_503_and_health_says_so(
    client: httpx.AsyncClient,
    lexical_index: TantivyJobIndex,
    app_state: AppState,
    job_factory,  # type: ignore[no-untyped-def]
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for title in ("Staff Nurse", "Charge Nurse", "Nurse Educator"):
        await job_factory(title=title, description="Ward nursing and patient care.")
    assert (await client.get("/health")).json()["lexical"]["status"] == "ok"
    # The current generation now names a folder that is not there (a disk lost, a bad copy).
    current = lexical_index.root / "current"
    current.unlink()
    current.symlink_to("gen-that-is-gone")
    # Few jobs pass the filters: every one is scored, BM25 is not needed and search still serves.
    exact = await client.get("/api/v1/search/jobs?q=nurse")
    assert exact.status_code == 200, exact.text
    assert exact.json()["pagination"]["total"] == 3
    # More than the engine ranks exactly: retrieval needs BM25, and the answer is a clear 503.
    small = app_state.matcher.settings.model_copy(update={"max_depth": 2, "rank_window": 1})
    monkeypatch.setattr(app_state.matcher, "settings", small)
    search = await client.get("/api/v1/search/jobs?q=nurse")
    assert search.status_code == 503, search.text
    assert search.json()["code"] == "search_unavailable"
    assert int(search.headers["retry-after"]) > 0
    health = await client.get("/health")
    assert health.status_code == 200  # the database is up: the rest of the API serves
    body = health.json()
    assert body["lexical"]["status"] == "down"
    assert body["status"] == "degraded"
    metrics = await client.get("/metrics")
    assert "tabashir_lexical_index_up 0.0" in metrics.text
