"""`tabashir up` as a user runs it: start-up times, and how soon posted jobs and uploaded CVs count.

Usage::

    .venv/bin/python benchmarks/liveness.py [--jobs 20] [--cvs 10] [--no-demo] [--json]

Starts `python -m api up` (what `make run` runs) in a fresh data folder on a free port, and
measures, against that live server and its in-process worker:

* first start to the first healthy answer (empty folder: initdb, migrations, demo load), and how
  long the background work it queued (embedding and indexing the demo set, recommendations)
  takes after that;
* **job-to-searchable**: ``POST /api/v1/resume/jobs`` with a unique word in the title, then
  ``GET /api/v1/search/jobs?q=<word>`` every 50 ms until the job is a hit;
* **CV-to-matched**: a candidate (registered, verified through the link the development
  mailbox received, signed in) uploads a CV; polled every 50 ms until the CV's vector is stored
  (what ``/api/mobile/jobs/recommended`` ranks with), then that list is fetched once;
* **email delivery**: registration to the verification email in the mailbox folder;
* stop with SIGTERM (does the embedded PostgreSQL stop with it?), then a second start with
  nothing changed: time to healthy, and whether it queued, embedded or notified anything.

p50/p95 over the samples; the machine is printed. The baseline in the same run is the server's
own floor: the same search for a job that is already indexed (one request, no waiting).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import httpx
import psycopg

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))

from api.demo.loader import DEMO_ACCOUNTS, DEMO_PASSWORD  # noqa: E402
from api.integrations.dev_mailbox import list_messages  # noqa: E402

TOKEN = "bench-token"  # noqa: S105 - a throw-away server of this run
PASSWORD = "Bench-passw0rd!"  # noqa: S105


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    k = max(0, min(len(ordered) - 1, round(q * (len(ordered) - 1))))
    return ordered[k]


def _summary(values: list[float]) -> dict[str, float]:
    return {
        "n": len(values),
        "p50_s": round(statistics.median(values), 3) if values else float("nan"),
        "p95_s": round(_pct(values, 0.95), 3),
        "max_s": round(max(values), 3) if values else float("nan"),
    }


def _machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{cpu}, {os.cpu_count()} cores, Python {platform.python_version()}"


class Server:
    def __init__(self, data_dir: Path, demo: bool) -> None:
        self.data_dir = data_dir
        self.port = _free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.demo = demo
        self.proc: subprocess.Popen[bytes] | None = None
        self.log = data_dir / "server.log"

    def start(self) -> float:
        env = {
            **os.environ,
            "TABASHIR_DATA_DIR": str(self.data_dir / "var"),
            "TABASHIR_PORT": str(self.port),
            "TABASHIR_API_TOKEN": TOKEN,
            "TABASHIR_RATE_LIMIT_ENABLED": "false",
            # httpx sends no Secure cookie over plain http; browsers do on 127.0.0.1.
            "TABASHIR_AUTH_COOKIE_SECURE": "false",
            "HF_HUB_OFFLINE": "1",
            "TRANSFORMERS_OFFLINE": "1",
            "PYTHONPATH": str(REPO_ROOT),
        }
        env.pop("DATABASE_URL", None)
        args = [sys.executable, "-m", "api", "up"] + ([] if self.demo else ["--no-demo"])
        started = time.perf_counter()
        with self.log.open("ab") as log:
            self.proc = subprocess.Popen(  # noqa: S603 - our own command line
                args, cwd=REPO_ROOT, env=env, stdout=log, stderr=log
            )
        deadline = started + 600
        while time.perf_counter() < deadline:
            if self.proc.poll() is not None:
                raise SystemExit(f"the server exited ({self.proc.returncode}); see {self.log}")
            try:
                if httpx.get(f"{self.base}/api/v1/resume/health", timeout=2).status_code == 200:
                    return time.perf_counter() - started
            except httpx.TransportError:
                pass
            time.sleep(0.1)
        raise SystemExit("the server did not become healthy in 600 s")

    def stop(self) -> float:
        assert self.proc is not None
        started = time.perf_counter()
        self.proc.send_signal(signal.SIGTERM)
        self.proc.wait(timeout=60)
        return time.perf_counter() - started

    def conninfo(self) -> str:
        """The embedded server's socket, read from postmaster.pid (no handle of ours is added,
        so the server still stops with the API)."""
        lines = (self.data_dir / "var" / "pg" / "postmaster.pid").read_text().splitlines()
        return f"host={lines[4]} port={lines[3]} user=postgres dbname=tabashir"

    def postgres_running(self) -> bool:
        pid_file = self.data_dir / "var" / "pg" / "postmaster.pid"
        if not pid_file.exists():
            return False
        try:
            os.kill(int(pid_file.read_text().splitlines()[0]), 0)
        except (ProcessLookupError, ValueError, IndexError):
            return False
        return True


def _scalar(conninfo: str, query: str, *params: Any) -> Any:
    with psycopg.connect(conninfo, autocommit=True) as conn:
        row = conn.execute(query, params).fetchone()  # type: ignore[arg-type]
        return row[0] if row else None


def _counts(conninfo: str, since: str | None = None) -> dict[str, int]:
    """Rows that a start could add: tasks queued, notifications sent, vectors (re)written."""
    since = since or "-infinity"
    return {
        "tasks": _scalar(conninfo, "SELECT count(*) FROM tasks"),
        "notifications": _scalar(conninfo, "SELECT count(*) FROM notifications"),
        "chunks_written": _scalar(
            conninfo, "SELECT count(*) FROM search_chunks WHERE created_at > %s::timestamptz", since
        ),
    }


def _wait_queue_empty(conninfo: str, timeout_s: float = 1800) -> float:
    started = time.perf_counter()
    while time.perf_counter() - started < timeout_s:
        busy = _scalar(conninfo, "SELECT count(*) FROM tasks WHERE status IN ('queued', 'running')")
        if busy == 0:
            return time.perf_counter() - started
        time.sleep(0.5)
    raise SystemExit("the background work did not finish")


def _job_to_searchable(client: httpx.Client, n: int) -> tuple[list[float], list[float]]:
    latencies: list[float] = []
    floor: list[float] = []
    for i in range(n):
        word = f"zqbench{uuid.uuid4().hex[:10]}"
        body = {
            "title": f"Payroll accountant {word}",
            "company": "Bench Trading LLC",
            "description": f"Month-end close, payroll and VAT returns ({word}).",
            "skills": ["Payroll", "VAT", "Excel"],
            "location": "Dubai - UAE",
            "job_type": "Full-time",
            "status": "open",
        }
        posted = time.perf_counter()
        r = client.post("/api/v1/resume/jobs", json=body, headers={"X-API-TOKEN": TOKEN})
        r.raise_for_status()
        job_id = r.json()["id"]
        while True:
            hits = client.get("/api/v1/search/jobs", params={"q": word}).json()["items"]
            if any(h["job"]["id"] == job_id for h in hits):
                latencies.append(time.perf_counter() - posted)
                break
            if time.perf_counter() - posted > 120:
                raise SystemExit(f"job {i} not searchable after 120 s")
            time.sleep(0.05)
        t = time.perf_counter()
        client.get("/api/v1/search/jobs", params={"q": word}).raise_for_status()
        floor.append(time.perf_counter() - t)
    return latencies, floor


def _verification_link(mailbox: Path, to: str, since: float, timeout_s: float = 60) -> str:
    while time.perf_counter() - since < timeout_s:
        for message in list_messages(mailbox, to=to):
            m = re.search(r"(http://\S+/api/auth/verify-email\?token=[^\s\"<]+)", message.text)
            if m:
                return m.group(1)
        time.sleep(0.05)
    raise SystemExit(f"no verification email for {to} in {timeout_s} s")


def _cv_to_matched(
    client: httpx.Client, server: Server, n: int
) -> tuple[list[float], list[float], str]:
    email = f"bench-{uuid.uuid4().hex[:8]}@example.com"
    registered = time.perf_counter()
    client.post(
        "/api/mobile/auth/register",
        json={"email": email, "password": PASSWORD, "name": "Bench Candidate"},
    ).raise_for_status()
    link = _verification_link(server.data_dir / "var" / "mailbox", email, registered)
    email_latency = time.perf_counter() - registered
    client.get(link).raise_for_status()
    tokens = client.post(
        "/api/mobile/auth/login", json={"email": email, "password": PASSWORD}
    ).json()
    auth = {"Authorization": f"Bearer {tokens['accessToken']}"}
    conninfo = server.conninfo()
    latencies: list[float] = []
    for i in range(n):
        cv = (
            f"Bench Candidate {i}\n{email}\nAccountant, Dubai\n\nExperience\n"
            f"2019 - present  Senior Accountant, Ledgerline {uuid.uuid4().hex[:6]}\n"
            "Month-end close, IFRS reporting, VAT returns, payroll, SAP, Excel.\n\n"
            "Skills\nIFRS, VAT, SAP, Excel, payroll\n"
        )
        uploaded = time.perf_counter()
        r = client.post(
            "/api/mobile/resumes",
            files={"file": (f"cv-{i}.txt", cv.encode(), "text/plain")},
            headers=auth,
        )
        r.raise_for_status()
        resume_id = r.json()["id"]
        while not _scalar(
            conninfo, "SELECT embedding IS NOT NULL FROM resumes WHERE id = %s", resume_id
        ):
            if time.perf_counter() - uploaded > 120:
                raise SystemExit(f"CV {i} not embedded after 120 s")
            time.sleep(0.05)
        latencies.append(time.perf_counter() - uploaded)
    recommended = client.get("/api/mobile/jobs/recommended", headers=auth)
    recommended.raise_for_status()
    if not recommended.json()["items"]:
        raise SystemExit("the embedded CV matched no job")
    return latencies, [email_latency], email


def _timed(call: Any, n: int) -> list[float]:
    out = []
    for _ in range(n):
        t = time.perf_counter()
        r = call()
        r.raise_for_status()
        out.append(time.perf_counter() - t)
    return out


def _console_render(base: str, conninfo: str, n: int) -> dict[str, Any]:
    """Console page render against the JSON route that calls the same service (the baseline):
    the candidate's recommended jobs, and a recruiter's ranked applicants (their busiest job)."""
    out: dict[str, Any] = {}
    for role, page_of, api_of in (
        (
            "candidate",
            lambda _: "/console/candidate/jobs",
            lambda _: "/api/mobile/jobs/recommended",
        ),
        (
            "recruiter",
            lambda job: f"/console/recruiter/jobs/{job}",
            lambda job: f"/api/recruiter/jobs/{job}/applicants?limit=100",
        ),
    ):
        email = DEMO_ACCOUNTS[role]
        job = _scalar(
            conninfo,
            "SELECT a.job_id FROM job_applications a JOIN jobs j ON j.id = a.job_id "
            "JOIN users u ON u.id = j.owner_id WHERE u.email = %s "
            "GROUP BY a.job_id ORDER BY count(*) DESC, a.job_id LIMIT 1",
            email,
        )
        with (
            httpx.Client(base_url=base, timeout=60) as web,
            httpx.Client(base_url=base, timeout=60) as api,
        ):
            signed_in = web.post("/console/login", data={"email": email, "password": DEMO_PASSWORD})
            if signed_in.status_code != 303 or "tabashir_access" not in web.cookies:
                raise SystemExit(f"console sign-in failed for {email}: {signed_in.status_code}")
            tokens = api.post(
                "/api/mobile/auth/login", json={"email": email, "password": DEMO_PASSWORD}
            ).json()
            api.headers["Authorization"] = f"Bearer {tokens['accessToken']}"
            page, route = page_of(job), api_of(job)
            web.get(page).raise_for_status()  # warm
            api.get(route).raise_for_status()
            out[f"{role}_console_page"] = _summary(
                _timed(lambda page=page: web.get(page), n)  # type: ignore[misc]
            )
            out[f"{role}_json_baseline"] = _summary(
                _timed(lambda route=route: api.get(route), n)  # type: ignore[misc]
            )
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--jobs", type=int, default=20, help="jobs posted (samples)")
    parser.add_argument("--cvs", type=int, default=10, help="CVs uploaded (samples)")
    parser.add_argument("--renders", type=int, default=30, help="console page renders (samples)")
    parser.add_argument("--no-demo", action="store_true", help="start on an empty database")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args()

    result: dict[str, Any] = {"machine": _machine(), "demo": not args.no_demo}
    with tempfile.TemporaryDirectory(prefix="tabashir-liveness-") as tmp:
        server = Server(Path(tmp), demo=not args.no_demo)
        try:
            result["first_start_to_healthy_s"] = round(server.start(), 2)
            conninfo = server.conninfo()
            result["background_work_after_healthy_s"] = round(_wait_queue_empty(conninfo), 2)
            with httpx.Client(base_url=server.base, timeout=30) as client:
                jobs, floor = _job_to_searchable(client, args.jobs)
                cvs, mail, _ = _cv_to_matched(client, server, args.cvs)
            result["job_to_searchable"] = _summary(jobs)
            result["baseline_search_of_an_indexed_job"] = _summary(floor)
            result["cv_to_matched"] = _summary(cvs)
            result["register_to_verification_email_s"] = round(mail[0], 3)
            if not args.no_demo:
                result.update(_console_render(server.base, conninfo, args.renders))
            _wait_queue_empty(conninfo)
            stopped_at = str(_scalar(conninfo, "SELECT now()"))
            before = _counts(conninfo, stopped_at)
            result["stop_s"] = round(server.stop(), 2)
            time.sleep(1.0)
            result["postgres_running_after_stop"] = server.postgres_running()
            result["second_start_to_healthy_s"] = round(server.start(), 2)
            time.sleep(3.0)  # the worker's catch-up pass, had it anything to do
            conninfo = server.conninfo()
            _wait_queue_empty(conninfo)
            after = _counts(conninfo, stopped_at)
            result["second_start_new_rows"] = {k: after[k] - before[k] for k in before}
        finally:
            if server.proc is not None and server.proc.poll() is None:
                server.stop()
    if args.json:
        print(json.dumps(result, indent=2))
        return 0
    print(f"tabashir up liveness ({'demo data' if result['demo'] else 'empty database'})")
    print(f"machine: {result['machine']}")
    for key, value in result.items():
        if key in ("machine", "demo"):
            continue
        print(f"  {key:<36} {value}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
