"""/api/mobile/sync-jobs: the configured feeds, served by a real local HTTP server, go through
the ingestion pipeline without the model; embed_missing is queued for the new jobs."""

from __future__ import annotations

from http.server import BaseHTTPRequestHandler

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from api.jobs.sync_routes import feed_settings
from api.settings import ApiSettings
from ingestion.jobs import FeedSettings, FeedSource
from models import Job, Task
from models.enums import Permission
from tests.api.jobs.support import UserFactory, bearer_for, candidate, job_admin
from tests.conftest import API_TOKEN
from tests.fixtures.users import assert_error
from tests.ingestion.test_jobs_http import FeedServer, job, send, server

__all__ = ["server"]  # the fixture, imported for this module

pytestmark = pytest.mark.integration


async def test_sync_jobs_imports_configured_feeds(
    client: httpx.AsyncClient,
    app: FastAPI,
    server: FeedServer,
    settings: ApiSettings,
    user_factory: UserFactory,
    session: AsyncSession,
) -> None:
    def board(h: BaseHTTPRequestHandler) -> None:
        if h.headers.get("If-None-Match") == '"v1"':
            h.send_response(304)
            h.end_headers()
        else:
            send(h, {"jobs": [job(1), job(2)]}, headers={"ETag": '"v1"'})

    server.routes["/board"] = board
    server.routes["/down"] = lambda h: send(h, {}, status=500)
    app.dependency_overrides[feed_settings] = lambda: FeedSettings(
        http_retries=0,
        trusted_internal_hosts=["127.0.0.1"],
        sources={
            "board": FeedSource(url=server.url("/board")),
            "down": FeedSource(url=server.url("/down")),
        },
    )
    assert_error(await client.get("/api/mobile/sync-jobs"), 401)
    seeker = await candidate(user_factory)
    assert_error(
        await client.get("/api/mobile/sync-jobs", headers=bearer_for(settings, seeker)), 403
    )
    clerk = await job_admin(user_factory, Permission.MANAGE_USERS)
    assert_error(
        await client.get("/api/mobile/sync-jobs", headers=bearer_for(settings, clerk)),
        403,
        "permission_required",
    )

    manager = await job_admin(user_factory, Permission.MANAGE_JOBS)
    first = await client.get("/api/mobile/sync-jobs", headers=bearer_for(settings, manager))
    assert first.status_code == 200, first.text
    by_source = {s["source"]: s for s in first.json()["sources"]}
    assert by_source["board"]["created"] == 2
    assert by_source["down"]["code"] == "feed_unavailable"
    task_id = first.json()["embed_task_id"]
    assert task_id is not None
    task = await session.get(Task, task_id)
    assert task is not None
    assert task.kind == "embed_missing"
    jobs = (await session.execute(select(Job).where(Job.source == "board"))).scalars().all()
    assert sorted(j.title for j in jobs) == ["Engineer 1", "Engineer 2"]
    assert all(j.embedding is None for j in jobs)  # the request never runs the model

    # The ETag is kept: an unchanged feed is skipped; nothing new, no task.
    again = await client.get("/api/mobile/sync-jobs", headers={"X-API-TOKEN": API_TOKEN})
    board_again = next(s for s in again.json()["sources"] if s["source"] == "board")
    assert board_again["not_modified"] is True
    assert again.json()["embed_task_id"] is None
