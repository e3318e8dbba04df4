"""The console in a real browser: Debian's Chromium driven by Playwright, against a server this
module starts (`tabashir serve --worker`, development settings) on a database of its own on the
embedded server, loaded with the demo data set. Screenshots of the main pages in English and
Arabic go to var/screenshots/ (gitignored)."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import httpx
import psycopg
import pytest
from psycopg import sql

from api.accounts.security import Passwords
from api.demo.loader import DEMO_ACCOUNTS, DEMO_PASSWORD, load_demo, queue_derived_work
from api.migrations import upgrade
from models.db import make_sync_engine, resolve_database_url
from models.settings import DatabaseSettings

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path(os.environ.get("TABASHIR_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
SHOTS = ROOT / "var" / "screenshots"
CANDIDATE = {"en": DEMO_ACCOUNTS["candidate"], "ar": DEMO_ACCOUNTS["candidate (Arabic CV)"]}

if not CHROMIUM.exists():
    # CI installs it (Makefile); a developer machine without it skips, CI never does.
    if os.environ.get("CI"):
        raise RuntimeError(f"{CHROMIUM} is missing: `make test` installs Debian's chromium")
    pytest.skip(f"no Chromium at {CHROMIUM}", allow_module_level=True)

pytestmark = pytest.mark.slow


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A development server with its in-process worker, on a fresh database with the demo set
    (demo passwords set); waits until the worker has embedded and indexed it."""
    tmp = tmp_path_factory.mktemp("console")
    name = f"tabashir_console_{os.getpid()}"
    root_url = resolve_database_url(DatabaseSettings())
    admin = root_url.set(drivername="postgresql", database="postgres")
    with psycopg.connect(admin.render_as_string(hide_password=False), autocommit=True) as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    url = root_url.set(database=name)
    engine = make_sync_engine(url)
    with engine.begin() as conn:
        upgrade(conn)
    cheap = Passwords(time_cost=1, memory_kib=1024, parallelism=1).hash(DEMO_PASSWORD)
    with engine.begin() as conn:
        load_demo(conn, seed=20261126, today=date.today(), password_hash=cheap)
        queue_derived_work(conn)
    port = _free_port()
    env = {
        **os.environ,
        "TABASHIR_ENV": "development",
        "TABASHIR_DB_NAME": name,
        "TABASHIR_LEXICAL_DIR": str(tmp / "lexical"),
        "TABASHIR_RATE_LIMIT_ENABLED": "false",
        "TABASHIR_API_TOKEN": "t",
        "PYTHONPATH": str(ROOT),
    }
    env.pop("TABASHIR_PUBLIC_URL", None)
    if os.environ.get("DATABASE_URL"):
        env["DATABASE_URL"] = url.render_as_string(hide_password=False)
    log = (tmp / "server.log").open("ab")
    proc = subprocess.Popen(
        [sys.executable, "-m", "api", "serve", "--worker", "--port", str(port)],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=log,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 900
        healthy = False
        while time.monotonic() < deadline:
            assert proc.poll() is None, (tmp / "server.log").read_text()[-3000:]
            with contextlib.suppress(httpx.TransportError):
                healthy = healthy or httpx.get(f"{base}/api/v1/resume/health").status_code == 200
            if healthy:
                with engine.connect() as conn:
                    busy = conn.exec_driver_sql(
                        "SELECT count(*) FROM tasks WHERE status IN ('queued', 'running')"
                    ).scalar_one()
                if busy == 0:
                    break
            time.sleep(0.5)
        else:
            raise AssertionError("the console server was not ready in 900 s")
        yield base
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=60)
        log.close()
        engine.dispose()
        with psycopg.connect(admin.render_as_string(hide_password=False), autocommit=True) as c:
            c.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        try:
            yield b
        finally:
            b.close()


def _shot(page: Any, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"))


def _sign_in_with(page: Any, base: str, email: str, password: str) -> None:
    page.goto(f"{base}/console/login?lang=en")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()


def _sign_in(page: Any, base: str, email: str, lang: str) -> None:
    page.goto(f"{base}/console/login?lang={lang}")
    page.get_by_label("Email" if lang == "en" else "البريد الإلكتروني").fill(email)
    page.get_by_label("Password" if lang == "en" else "كلمة المرور").fill(DEMO_PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()


UNLABELLED = """() => [...document.querySelectorAll('input:not([type=hidden]), select, textarea')]
    .filter(e => e.labels.length === 0 && !e.getAttribute('aria-label')).map(e => e.outerHTML)"""


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_candidate_journey(server: str, browser: Any, lang: str) -> None:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto(f"{server}/console/login?lang={lang}")
    assert page.locator("html").get_attribute("dir") == ("rtl" if lang == "ar" else "ltr")
    assert page.locator("html").get_attribute("lang") == lang
    _shot(page, f"login-{lang}")
    _sign_in(page, server, CANDIDATE[lang], lang)
    assert page.url.endswith("/console/candidate"), page.url
    assert page.evaluate(UNLABELLED) == []

    cv = (
        f"Test Candidate {uuid.uuid4().hex[:6]}\ncandidate@example.com\nDubai, UAE\n\n"
        "Experience\n2018 - present  Senior Accountant, Ledgerline Chartered Accountants\n"
        "Month-end close, IFRS reporting, VAT returns, payroll and audits.\n\n"
        "Skills\nIFRS, VAT, SAP, Microsoft Excel, payroll\n"
    )
    page.set_input_files(
        "#file", files=[{"name": "cv.txt", "mimeType": "text/plain", "buffer": cv.encode()}]
    )
    page.locator("#upload button[type=submit]").click()
    page.wait_for_url("**/console/candidate/cv/**")
    assert "IFRS" in page.inner_text("main")
    _shot(page, f"candidate-cv-{lang}")

    # Correct the parsed CV: a skill the parser did not see; the page shows it back.
    skills = page.locator("#cv-skills")
    skills.fill(skills.input_value() + ", Zakat accounting")
    page.locator("form:has(#cv-skills) button[type=submit]").click()
    page.wait_for_load_state()
    assert page.locator("p.notice").count() == 1
    assert "Zakat accounting" in page.locator("ul.tags").first.inner_text()

    # Export as PDF in the page's language.
    with page.expect_download() as download:
        page.locator("form[action$='/export'] button[type=submit]").click()
    assert Path(download.value.path()).read_bytes()[:5] == b"%PDF-"

    page.goto(f"{server}/console/candidate/jobs")
    jobs = page.locator("li.job")
    assert jobs.count() > 0
    first = jobs.first
    # The explanation the engine gave: skills on both sides or reasons, and a score.
    assert first.locator(".tags.ok li, .tags.miss li, .reasons li").count() > 0
    assert first.locator("meter").count() == 1
    _shot(page, f"candidate-jobs-{lang}")

    title = page.locator("li.job:has(form[action$='/apply']) .job-title").first.inner_text()
    page.locator("li.job form[action$='/apply'] button").first.click()
    page.wait_for_url("**/console/candidate/applications**")
    assert title in page.inner_text("main")
    _shot(page, f"candidate-applications-{lang}")

    # The application service told the candidate; the notifications page shows it.
    page.goto(f"{server}/console/notifications")
    assert f"Application sent: {title}" in page.inner_text("main")
    _shot(page, f"notifications-{lang}")

    # Save a job for later; the saved jobs page lists it.
    page.goto(f"{server}/console/candidate/jobs")
    saved_title = page.locator("li.job:has(form.save) .job-title").first.inner_text()
    page.locator("li.job form.save button").first.click()
    page.wait_for_url("**/console/candidate/saved**")
    assert saved_title in page.inner_text("main")

    if lang == "ar":
        # Right to left for real: the brand, first in the header, sits at the right edge.
        box = page.locator(".brand").bounding_box()
        assert box is not None
        assert box["x"] > 640
    context.close()


def test_a_form_without_its_csrf_token_changes_nothing(server: str, browser: Any) -> None:
    context = browser.new_context()
    page = context.new_page()
    _sign_in(page, server, CANDIDATE["en"], "en")
    page.goto(f"{server}/console/candidate/jobs")
    action = page.locator("li.job form[action$='/apply']").first.get_attribute("action")
    before = page.goto(f"{server}/console/candidate/applications")
    assert before is not None
    rows_before = page.locator("tbody tr").count()
    answer = page.request.post(f"{server}{action}", form={"csrf": "forged"})
    assert "csrf_failed" in answer.url
    page.goto(f"{server}/console/candidate/applications")
    assert page.locator("tbody tr").count() == rows_before
    context.close()


def test_keyboard_only_sign_in_and_the_recruiters_ranked_applicants(
    server: str, browser: Any
) -> None:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto(f"{server}/console/login")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip"
    for _ in range(10):
        if page.evaluate("document.activeElement.id") == "email":
            break
        page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "email"
    page.keyboard.type(DEMO_ACCOUNTS["recruiter"])
    page.keyboard.press("Tab")
    page.keyboard.type(DEMO_PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url("**/console/recruiter")
    _shot(page, "recruiter-jobs-en")

    counts = page.locator("td[data-label='Applicants']").all_inner_texts()
    best = max(range(len(counts)), key=lambda i: int(counts[i]))
    assert int(counts[best]) > 0
    page.locator("td[data-label='Job'] a").nth(best).click()
    page.wait_for_url("**/console/recruiter/jobs/**")
    applicants = page.locator("main ol.list > li.card")
    assert applicants.count() == int(counts[best])
    assert page.evaluate(UNLABELLED) == []
    _shot(page, "recruiter-applicants-en")
    job_url = page.url.split("?")[0]

    # Move an applicant (not hired: hired is final) to a stage the rules allow.
    stages = [applicants.nth(i).locator("select").input_value() for i in range(applicants.count())]
    index = next(i for i, s in enumerate(stages) if s != "hired")
    target = "rejected" if stages[index] != "rejected" else "screening"
    form = applicants.nth(index).locator("form")
    form.locator("select").select_option(target)
    form.locator("button").click()
    page.wait_for_load_state()
    assert page.locator("p.notice").count() == 1, page.inner_text("main")[:500]
    moved = page.locator("main ol.list > li.card select").all()
    assert target in [m.input_value() for m in moved]
    page.goto(f"{job_url}?lang=ar")
    _shot(page, "recruiter-applicants-ar")
    context.close()


def test_pages_fit_a_phone_and_every_control_is_labelled(server: str, browser: Any) -> None:
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)
    page = context.new_page()
    _sign_in(page, server, CANDIDATE["ar"], "ar")
    for path in (
        "/console/candidate",
        "/console/candidate/jobs",
        "/console/candidate/applications",
        "/console/candidate/saved",
        "/console/notifications",
    ):
        page.goto(f"{server}{path}")
        assert page.evaluate(UNLABELLED) == [], path
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 1, (path, overflow)
        _shot(page, "phone-" + path.removeprefix("/console/").replace("/", "-") + "-ar")
    context.close()


def test_sign_up_verify_by_the_mailbox_then_sign_in_and_admin(server: str, browser: Any) -> None:
    port = server.rsplit(":", 1)[1]
    email = f"new.{uuid.uuid4().hex[:8]}@example.com"
    password = "Long-enough-pass1"
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto(f"{server}/console/signup")
    page.get_by_label("Name").fill("New User")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()
    assert page.locator("p.notice").count() == 1
    _shot(page, "signup-done-en")

    for _ in range(100):
        page.goto(f"{server}/console/mailbox?to={email}")
        if page.locator("tbody tr").count():
            break
        time.sleep(0.2)
    assert page.locator("tbody tr").count() == 1
    _shot(page, "mailbox-en")
    page.locator("tbody tr a").first.click()
    body = page.inner_text("pre.mail")
    link = next(w for w in body.split() if "/api/auth/verify-email?token=" in w)
    assert link.startswith(f"http://127.0.0.1:{port}/")  # the port actually served
    page.goto(f"{page.url}?lang=ar")
    _shot(page, "mailbox-message-ar")
    assert httpx.get(link).status_code == 200
    _sign_in_with(page, server, email, password)
    assert page.url.endswith("/console/candidate"), page.url
    page.locator("form[action='/console/logout'] button").click()
    page.wait_for_url("**/console/login")

    _sign_in(page, server, DEMO_ACCOUNTS["admin (super admin)"], "en")
    page.wait_for_url("**/console/admin")
    assert page.locator("tbody tr").count() > 10
    assert "two-factor" in page.inner_text("main")  # the audit log waits for 2FA
    _shot(page, "admin-users-en")
    page.goto(f"{server}/console/admin?lang=ar")
    _shot(page, "admin-users-ar")
    context.close()
