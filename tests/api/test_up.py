"""`tabashir up` (what `make run` runs): the worker runs with the API, start-up is idempotent and
non-blocking, emails reach the development mailbox, the embedded database stops with the API."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import psycopg
import pytest
from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncSession

from api.cli import served_settings
from api.integrations.dev_mailbox import DevMailbox, list_messages
from api.integrations.email import deliver_pending, send_email
from api.settings import ApiSettings, EmailSettings
from api.state import AppState
from api.tasks import queue
from api.tasks.worker import run_in_process_worker
from indexing.filters import JobFilters
from models import Task
from models.enums import TaskStatus
from models.settings import PROJECT_ROOT, DatabaseSettings

ROOT = Path(__file__).resolve().parents[2]
TABASHIR = [sys.executable, "-m", "api"]


# -- settings ------------------------------------------------------------------------------------


@pytest.mark.unit
def test_links_follow_the_port_actually_served() -> None:
    settings = ApiSettings(env="development")
    assert "public_url" not in settings.model_fields_set
    assert served_settings(settings, "127.0.0.1", 8765).public_url == "http://127.0.0.1:8765"
    assert served_settings(settings, "0.0.0.0", 9000).public_url == "http://127.0.0.1:9000"  # noqa: S104


@pytest.mark.unit
def test_a_configured_public_url_is_kept() -> None:
    settings = ApiSettings(env="development", public_url="https://jobs.example.com")
    assert served_settings(settings, "127.0.0.1", 8765).public_url == "https://jobs.example.com"


@pytest.mark.unit
def test_a_relative_data_folder_is_the_checkouts_whatever_the_current_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)  # as a notebook run from notebooks/ is
    settings = DatabaseSettings(data_dir=Path("var"))
    assert settings.data_dir == PROJECT_ROOT / "var"
    assert DatabaseSettings(data_dir=tmp_path / "x").data_dir == tmp_path / "x"


# -- the in-process worker -----------------------------------------------------------------------


@pytest.mark.integration
async def test_the_in_process_worker_embeds_a_new_job_and_stops_when_cancelled(
    app_state: AppState, session: AsyncSession, job_factory
) -> None:  # type: ignore[no-untyped-def]
    await session.execute(delete(Task))
    await session.commit()
    job = await job_factory(embedded=False, title="Marine Surveyor Zqworker")
    task = await queue.enqueue(session, "embed_missing")
    await session.commit()
    worker = asyncio.create_task(run_in_process_worker(app_state, poll_s=0.05))
    try:
        for _ in range(200):
            await session.refresh(task)
            if task.status == TaskStatus.SUCCEEDED:
                break
            await asyncio.sleep(0.05)
        assert task.status == TaskStatus.SUCCEEDED
        hits = await app_state.lexical.search_lexical("Zqworker", JobFilters(), 5)
        assert [h.id for h in hits] == [job.id]
    finally:
        worker.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await worker
    assert worker.cancelled()


@pytest.mark.integration
async def test_a_failing_poll_does_not_kill_the_in_process_worker(
    app_state: AppState, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = 0

    async def flaky(state: AppState, stale_after: object) -> None:
        nonlocal calls
        calls += 1
        raise RuntimeError("database restarting")

    monkeypatch.setattr("api.tasks.worker._poll", flaky)
    worker = asyncio.create_task(run_in_process_worker(app_state, poll_s=0.01))
    await asyncio.sleep(0.3)
    assert not worker.done()
    worker.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await worker
    assert calls >= 3


# -- the development mailbox ---------------------------------------------------------------------


@pytest.mark.integration
async def test_the_outbox_is_delivered_to_the_development_mailbox(
    tmp_path: Path, session: AsyncSession, settings: ApiSettings
) -> None:
    mailbox = DevMailbox(tmp_path / "mailbox")
    port = mailbox.start()
    try:
        row = await send_email(
            session,
            settings,
            to="new.user@example.com",
            subject="Verify your email",
            body_text="Open http://127.0.0.1:8765/api/auth/verify-email?token=abc",
        )
        email = EmailSettings(smtp_server="127.0.0.1", smtp_port=port, smtp_security="none")
        report = await deliver_pending(session, email)
        assert report.sent == 1
        await session.refresh(row)
        assert row.status.value == "sent"
    finally:
        mailbox.stop()
    [message] = list_messages(tmp_path / "mailbox", to="new.user@example.com")
    assert message.subject == "Verify your email"
    assert "verify-email?token=abc" in message.text
    assert list_messages(tmp_path / "mailbox", to="someone.else@example.com") == []


# -- the whole command ---------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait_healthy(base: str, proc: subprocess.Popen[bytes], deadline_s: float = 180) -> None:
    deadline = time.monotonic() + deadline_s
    while time.monotonic() < deadline:
        assert proc.poll() is None, "the server exited"
        with contextlib.suppress(httpx.TransportError):
            if httpx.get(f"{base}/api/v1/resume/health", timeout=2).status_code == 200:
                return
        time.sleep(0.2)
    raise AssertionError(f"{base} did not become healthy")


def _postgres_alive(pgdata: Path) -> bool:
    pid_file = pgdata / "postmaster.pid"
    if not pid_file.exists():
        return False
    try:
        os.kill(int(pid_file.read_text().splitlines()[0]), 0)
    except (ProcessLookupError, ValueError, IndexError):
        return False
    return True


def _conninfo(pgdata: Path) -> str:
    lines = (pgdata / "postmaster.pid").read_text().splitlines()
    return f"host={lines[4]} port={lines[3]} user=postgres dbname=tabashir"


def _count(pgdata: Path, table: str) -> int:
    with psycopg.connect(_conninfo(pgdata), autocommit=True) as conn:
        row = conn.execute(f"SELECT count(*) FROM {table}").fetchone()  # noqa: S608 - fixed names
        assert row is not None
        return int(row[0])


@pytest.mark.slow
def test_up_serves_with_the_worker_and_stops_its_database(tmp_path: Path) -> None:
    """`up --no-demo` in a fresh folder: empty; a posted job becomes searchable and the
    verification email reaches the mailbox with a link to the served port, both through the
    in-process worker; SIGTERM stops the embedded PostgreSQL; a second start queues nothing."""
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    pgdata = tmp_path / "var" / "pg"
    env = {
        **{k: v for k, v in os.environ.items() if k != "DATABASE_URL"},
        "TABASHIR_DATA_DIR": str(tmp_path / "var"),
        "TABASHIR_PORT": str(port),
        "TABASHIR_API_TOKEN": "t",
        "TABASHIR_ENV": "development",
    }
    env.pop("TABASHIR_PUBLIC_URL", None)
    log = (tmp_path / "up.log").open("ab")

    def start() -> subprocess.Popen[bytes]:
        proc = subprocess.Popen(
            [*TABASHIR, "up", "--no-demo"], cwd=ROOT, env=env, stdout=log, stderr=log
        )
        _wait_healthy(base, proc)
        return proc

    def stop(proc: subprocess.Popen[bytes]) -> None:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=60)

    proc = start()
    try:
        jobs = httpx.get(f"{base}/api/v1/resume/jobs", headers={"X-API-TOKEN": "t"}).json()
        assert jobs["pagination"]["total"] == 0  # --no-demo: nothing loaded
        created = httpx.post(
            f"{base}/api/v1/resume/jobs",
            headers={"X-API-TOKEN": "t"},
            json={"title": "Harbour Pilot Zqlive", "company": "Gulf Wing", "status": "open"},
        )
        assert created.status_code == 201, created.text
        job_id = created.json()["id"]
        found = False
        for _ in range(300):
            hits = httpx.get(
                f"{base}/api/v1/search/jobs", params={"q": "Zqlive"}, timeout=120
            ).json()["items"]
            if any(h["job"]["id"] == job_id for h in hits):
                found = True
                break
            time.sleep(0.1)
        assert found, "the posted job never became searchable"

        registered = httpx.post(
            f"{base}/api/mobile/auth/register",
            json={"email": "zq.live@example.com", "password": "Long-enough-pass1", "name": "Zq"},
        )
        assert registered.status_code == 201, registered.text
        messages = []
        for _ in range(300):
            messages = list_messages(tmp_path / "var" / "mailbox", to="zq.live@example.com")
            if messages:
                break
            time.sleep(0.1)
        assert messages, "the verification email never reached the mailbox"
        assert f"http://127.0.0.1:{port}/api/auth/verify-email?token=" in messages[0].text
        tasks_before = _count(pgdata, "tasks")
    finally:
        stop(proc)
    time.sleep(1)
    assert not _postgres_alive(pgdata), "the embedded PostgreSQL outlived the API"

    proc = start()
    try:
        time.sleep(2)
        assert _count(pgdata, "tasks") == tasks_before  # nothing re-queued by a second start
    finally:
        stop(proc)
        log.close()
    time.sleep(1)
    assert not _postgres_alive(pgdata)


@pytest.mark.integration
def test_a_fresh_demo_load_queues_indexing_before_recommendations(database_url) -> None:  # type: ignore[no-untyped-def]
    from sqlalchemy import select

    from api.demo.loader import queue_derived_work
    from models.db import make_sync_engine

    engine = make_sync_engine(database_url)
    try:
        with engine.connect() as conn:
            outer = conn.begin()
            conn.execute(delete(Task))
            queue_derived_work(conn)
            rows = conn.execute(select(Task.kind).order_by(Task.run_after)).scalars().all()
            outer.rollback()
    finally:
        engine.dispose()
    assert rows == ["embed_missing", "refresh_recommendations"]
