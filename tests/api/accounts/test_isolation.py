"""Upload parsing cannot starve sign-ins, and one person's burst of uploads cannot take every
parse worker: password hashing has threads of its own, and each user's documents are parsed
one at a time."""

from __future__ import annotations

import asyncio
import threading
import time
from typing import Any

import httpx
import pytest

from ingestion.extract import extract_in_process, sandbox
from tests.api.accounts.conftest import UserFactory
from tests.fixtures.users import login

pytestmark = pytest.mark.integration

CV = b"Layla Haddad\nSenior Data Analyst\nSQL, Python\n"


class SlowWorkers:
    """Stands in for the parse-worker processes: every document takes until ``release`` is
    set (a slow PDF each), then comes back with the text of a real extraction."""

    def __init__(self) -> None:
        self.release = threading.Event()
        self.lock = threading.Lock()
        self.running: list[bytes] = []
        self.reply = {"ok": extract_in_process(CV).to_dict()}

    def run(self, frame: bytes, timeout_s: float) -> dict[str, Any]:
        with self.lock:
            self.running.append(frame)
        try:
            self.release.wait(30)
            return self.reply
        finally:
            with self.lock:
                self.running.remove(frame)


@pytest.fixture
def slow_workers(monkeypatch: pytest.MonkeyPatch) -> SlowWorkers:
    workers = SlowWorkers()
    monkeypatch.setattr(sandbox, "get_extraction_pool", lambda settings=None: workers)
    return workers


async def test_a_login_never_waits_behind_upload_parsing(
    client: httpx.AsyncClient, user_factory: UserFactory, slow_workers: SlowWorkers
) -> None:
    user = await user_factory()
    # More parses in flight than the event loop's default thread pool has threads.
    parses = [asyncio.create_task(sandbox.extract_async(CV)) for _ in range(40)]
    await asyncio.sleep(0.2)
    try:
        started = time.perf_counter()
        await asyncio.wait_for(login(client, user.email), timeout=10)
        assert time.perf_counter() - started < 5
    finally:
        slow_workers.release.set()
        await asyncio.gather(*parses, return_exceptions=True)


async def test_one_users_burst_of_uploads_does_not_hold_every_parse(
    slow_workers: SlowWorkers,
) -> None:
    burst = [
        asyncio.create_task(sandbox.extract_async(CV + b"burst %d" % i, owner="alice"))
        for i in range(6)
    ]
    await asyncio.sleep(0.2)
    other = asyncio.create_task(sandbox.extract_async(CV + b"single", owner="bob"))
    await asyncio.sleep(0.3)
    try:
        with slow_workers.lock:
            running = list(slow_workers.running)
        # Alice's six wait for each other; Bob's one is parsed beside the first of them.
        assert len(running) == 2
        assert any(b"single" in frame for frame in running)
    finally:
        slow_workers.release.set()
        results = await asyncio.gather(*burst, other)
    assert all(r.kind == "text" for r in results)
