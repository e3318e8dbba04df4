"""The `tabashir` command as a user runs it: clear failures, and data that survives kill -9."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

ROOT = Path(__file__).resolve().parents[2]
TABASHIR = [sys.executable, "-m", "api"]


def _run(
    args: list[str],
    env: dict[str, str] | None = None,
    timeout: float = 120,
    drop: tuple[str, ...] = (),
) -> subprocess.CompletedProcess[str]:
    full_env = {k: v for k, v in {**os.environ, **(env or {})}.items() if k not in drop}
    return subprocess.run(
        [*TABASHIR, *args],
        cwd=ROOT,
        env=full_env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.mark.integration
def test_malformed_database_url_fails_clearly() -> None:
    result = _run(["db", "url"], {"DATABASE_URL": "postgresql://app:pw-123@host:bad/x"})
    assert result.returncode == 2
    assert "DATABASE_URL" in result.stderr
    assert "pw-123" not in result.stderr + result.stdout
    assert "Traceback" not in result.stderr


@pytest.mark.integration
def test_unreachable_database_fails_serve_clearly() -> None:
    port = _free_port()
    result = _run(
        ["serve", "--port", str(_free_port())],
        {"DATABASE_URL": f"postgresql://app:pw-456@127.0.0.1:{port}/tabashir"},
    )
    assert result.returncode == 2
    assert "Cannot reach the database" in result.stderr
    assert f"127.0.0.1:{port}" in result.stderr
    assert "pw-456" not in result.stderr + result.stdout
    assert "Traceback" not in result.stderr


@pytest.mark.integration
def test_serve_refuses_a_taken_port_with_a_clear_message() -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = _run(["serve", "--port", str(port)])
    assert result.returncode == 2
    assert f"port {port}" in result.stderr
    assert "TABASHIR_PORT" in result.stderr


def _wait_healthy(base: str, deadline_s: float = 60) -> dict[str, object]:
    deadline = time.monotonic() + deadline_s
    while time.monotonic() < deadline:
        try:
            r = httpx.get(f"{base}/api/v1/resume/health", timeout=2)
            if r.status_code == 200:
                return dict(r.json())
        except httpx.TransportError:
            pass
        time.sleep(0.3)
    raise AssertionError(f"server at {base} did not become healthy")


def _stop_postgres(pgdata: Path) -> None:
    pid_file = pgdata / "postmaster.pid"
    if pid_file.exists():
        pid = int(pid_file.read_text().splitlines()[0])
        try:
            os.kill(pid, signal.SIGINT)  # fast shutdown
        except ProcessLookupError:
            return
        for _ in range(100):
            if not pid_file.exists():
                return
            time.sleep(0.1)


@pytest.mark.slow
def test_data_survives_kill_9_of_the_server(tmp_path: Path) -> None:
    """make run's sequence in a fresh data folder; kill -9; start again; the data is still there."""
    env = {"TABASHIR_DATA_DIR": str(tmp_path / "var"), "TABASHIR_API_TOKEN": "t"}
    full_env = {k: v for k, v in {**os.environ, **env}.items() if k != "DATABASE_URL"}
    totals: list[int] = []
    try:
        up = _run(["db", "upgrade"], env, drop=("DATABASE_URL",))
        assert up.returncode == 0, up.stderr
        demo = _run(
            ["demo", "--no-embed", "--today", "2026-11-26"],
            env,
            timeout=300,
            drop=("DATABASE_URL",),
        )
        assert demo.returncode == 0, demo.stderr
        assert "loaded" in demo.stdout

        for _ in range(2):
            port = _free_port()
            log = (tmp_path / "serve.log").open("a")
            server = subprocess.Popen(
                [*TABASHIR, "serve", "--port", str(port)],
                cwd=ROOT,
                env=full_env,
                stdout=log,
                stderr=log,
            )
            try:
                base = f"http://127.0.0.1:{port}"
                health = _wait_healthy(base)
                assert health["database"]["status"] == "up"  # type: ignore[index]
                jobs = httpx.get(f"{base}/api/v1/resume/jobs", headers={"X-API-TOKEN": "t"}).json()
                totals.append(jobs["pagination"]["total"])
            finally:
                server.send_signal(signal.SIGKILL)
                server.wait(timeout=10)
                log.close()
        # The second run found everything the first one wrote, after a kill -9.
        assert totals[0] > 200
        assert totals[0] == totals[1]
        again = _run(["demo", "--if-empty", "--no-embed"], env, drop=("DATABASE_URL",))
        assert "nothing loaded" in again.stdout
    finally:
        _stop_postgres(tmp_path / "var" / "pg")


@pytest.mark.slow
def test_ingest_cvs_reports_each_file_and_is_resumable(tmp_path: Path, database_url) -> None:  # type: ignore[no-untyped-def]
    import json

    import psycopg

    from tests.conftest import shared_data

    sample = shared_data() / "sample-resumes" / "resumes" / "john_doe.pdf"
    good = tmp_path / "cvs"
    good.mkdir()
    (good / "john.pdf").write_bytes(sample.read_bytes())
    (good / "layla.txt").write_text("Layla Haddad\nlayla@example.com\nSKILLS\nPython, SQL\n")
    (good / "photo.png").write_bytes(b"\x89PNG\r\n\x1a\n" + b"\0" * 64)
    email = "ingest-cli@example.com"
    conninfo = database_url.set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(conninfo, autocommit=True) as conn:
        conn.execute(
            "INSERT INTO users (email, user_type, token_epoch, is_active) "
            "VALUES (%s, 'CANDIDATE', 0, true)",
            (email,),
        )
    env = {
        "TABASHIR_DB_NAME": str(database_url.database),
        "TABASHIR_STORAGE_LOCAL_DIR": str(tmp_path / "files"),
    }
    try:
        first = _run(["ingest", "cvs", str(good), "--user", email, "--no-embed"], env, 300)
        assert first.returncode == 1, first.stderr  # the PNG is refused, the rest ingested
        report = json.loads(first.stdout[first.stdout.index("{") :])
        assert report["ok"] == 2
        assert [f["file"].endswith("photo.png") for f in report["failed"]] == [True]
        again = _run(["ingest", "cvs", str(good), "--user", email, "--no-embed"], env, 300)
        report = json.loads(again.stdout[again.stdout.index("{") :])
        assert (report["ok"], report["duplicate"]) == (0, 2)
        unknown = _run(["ingest", "cvs", str(good), "--user", "nobody@example.com"], env)
        assert unknown.returncode == 2
        assert "no user" in unknown.stderr
    finally:
        with psycopg.connect(conninfo, autocommit=True) as conn:
            conn.execute("DELETE FROM users WHERE email = %s", (email,))
            conn.execute("DELETE FROM tasks WHERE kind = 'embed_missing'")
            conn.execute("DELETE FROM search_outbox WHERE doc_type = 'resume'")
