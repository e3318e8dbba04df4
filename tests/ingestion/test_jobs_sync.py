"""sync_sources: configured feeds fetched from a real local HTTP server and ingested; one
broken feed does not stop the others; ETags skip unchanged feeds."""

from __future__ import annotations

from http.server import BaseHTTPRequestHandler

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from indexing.embedder import HashingEmbedder
from ingestion.jobs.settings import FeedSettings, FeedSource
from ingestion.jobs.sync import sync_sources
from models import Job
from tests.ingestion.test_jobs_http import FeedServer, job, send, server
from tests.ingestion.test_jobs_pipeline import TinySkills

__all__ = ["server"]  # the fixture, imported for this module

pytestmark = pytest.mark.integration


async def test_sync_sources(server: FeedServer, session: AsyncSession) -> None:
    def board(h: BaseHTTPRequestHandler) -> None:
        if h.headers.get("If-None-Match") == '"b1"':
            h.send_response(304)
            h.end_headers()
        else:
            send(h, {"jobs": [job(1), job(2)]}, headers={"ETag": '"b1"'})

    server.routes["/board"] = board
    server.routes["/broken"] = lambda h: send(h, {}, status=500)
    server.routes["/sheet.csv"] = lambda h: send(
        h, "Ref,Role,Employer\nS1,Chef,Oasis Hotels\n", content_type="text/csv"
    )
    settings = FeedSettings(
        http_retries=1,
        trusted_internal_hosts=["127.0.0.1"],
        http_backoff_s=0.01,
        sources={
            "board": FeedSource(url=server.url("/board")),
            "broken": FeedSource(url=server.url("/broken")),
            "sheet": FeedSource(
                url=server.url("/sheet.csv"),
                mapping={"external_id": "Ref", "title": "Role", "company": "Employer"},
            ),
        },
    )
    etags: dict[str, str] = {}
    first = await sync_sources(
        session, TinySkills(), HashingEmbedder(), settings=settings, etags=etags
    )
    by_name = {r.source: r for r in first}
    assert [r.source for r in first] == ["board", "broken", "sheet"]
    assert by_name["board"].report is not None
    assert by_name["board"].report.created == 2
    assert by_name["broken"].code == "feed_unavailable"
    assert by_name["sheet"].report is not None
    assert by_name["sheet"].report.created == 1
    assert etags == {"board": '"b1"'}
    stored = (await session.execute(select(Job.source, Job.source_id))).all()
    assert sorted(stored) == [("board", "J-1"), ("board", "J-2"), ("sheet", "S1")]

    second = await sync_sources(session, TinySkills(), None, settings=settings, etags=etags)
    again = {r.source: r for r in second}
    assert again["board"].not_modified
    assert again["board"].report is None
    assert again["sheet"].report is not None
    assert again["sheet"].report.unchanged == 1
    assert again["broken"].as_dict()["error"].endswith("HTTP 500")
