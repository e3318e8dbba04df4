"""A write is committed before its response leaves the server, and a failed commit fails the
request: a client that reads back what it was just told exists must find it, from any
connection."""

from __future__ import annotations

import dataclasses
import json
import uuid
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from fastapi import APIRouter
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from api.app import create_app
from api.deps import SessionDep
from api.settings import ApiSettings
from api.state import AppState
from models.db import make_sessionmaker
from tests.conftest import API_TOKEN

pytestmark = pytest.mark.integration


@pytest.fixture
async def committing_state(app_state: AppState, engine: AsyncEngine) -> AsyncIterator[AppState]:
    """The app with real commits (not the test's rolled-back savepoints); the rows it writes are
    removed afterwards."""
    async with engine.connect() as conn:
        tasks_before = set((await conn.execute(text("SELECT id FROM tasks"))).scalars().all())
    yield dataclasses.replace(app_state, sessionmaker=make_sessionmaker(engine))
    async with engine.begin() as conn:
        ids = (
            (await conn.execute(text("SELECT id FROM jobs WHERE company = 'Commit Order LLC'")))
            .scalars()
            .all()
        )
        for job_id in ids:
            await conn.execute(text("DELETE FROM jobs WHERE id = :id"), {"id": job_id})
            await conn.execute(text("DELETE FROM search_outbox WHERE doc_id = :id"), {"id": job_id})
        tasks_after = set((await conn.execute(text("SELECT id FROM tasks"))).scalars().all())
        for task_id in tasks_after - tasks_before:
            await conn.execute(text("DELETE FROM tasks WHERE id = :id"), {"id": task_id})


async def test_created_job_is_readable_from_another_connection_when_the_response_is_sent(
    settings: ApiSettings, committing_state: AppState, engine: AsyncEngine
) -> None:
    app = create_app(settings, state=committing_state)
    seen_at_send: list[bool] = []

    async def probe(scope: Any, receive: Any, send: Any) -> None:
        async def watching_send(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.body" and message.get("body"):
                job_id = json.loads(message["body"])["id"]
                # A second connection, while the response body is on its way to the client.
                async with engine.connect() as other:
                    found = await other.execute(
                        text("SELECT 1 FROM jobs WHERE id = :id"), {"id": uuid.UUID(job_id)}
                    )
                    seen_at_send.append(found.first() is not None)
            await send(message)

        await app(scope, receive, watching_send)

    transport = httpx.ASGITransport(app=probe, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        for i in range(3):
            created = await client.post(
                "/api/v1/resume/jobs",
                json={"title": f"Commit order check {i}", "company": "Commit Order LLC"},
                headers={"X-API-TOKEN": API_TOKEN},
            )
            assert created.status_code == 201, created.text
    assert seen_at_send == [True, True, True]


async def test_a_commit_that_fails_fails_the_request(
    settings: ApiSettings, committing_state: AppState
) -> None:
    """PostgreSQL checks a deferred constraint at COMMIT: the handler returns normally and only
    the commit fails. The client must hear that, not a 200."""
    app = create_app(settings, state=committing_state)
    router = APIRouter()

    @router.post("/test/deferred-violation")
    async def deferred_violation(session: SessionDep) -> dict[str, str]:
        await session.execute(
            text(
                "CREATE TEMP TABLE commit_check (x int UNIQUE DEFERRABLE INITIALLY DEFERRED)"
                " ON COMMIT DROP"
            )
        )
        await session.execute(text("INSERT INTO commit_check VALUES (1), (1)"))
        return {"status": "saved"}

    app.include_router(router)
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        response = await client.post("/test/deferred-violation")
    assert response.status_code == 500
    assert response.json() == {"error": "Server error", "code": "internal_error"}
