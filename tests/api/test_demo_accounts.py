"""Development demo accounts: one per role, documented, usable; refused outside development."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from api.accounts.security import passwords_for
from api.demo.dataset import build_dataset
from api.demo.loader import (
    DEMO_ACCOUNTS,
    DEMO_PASSWORD,
    load_demo,
    missing_demo_passwords,
    set_demo_passwords,
)
from api.settings import ApiSettings
from models import User

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.unit
def test_each_role_has_a_documented_account_in_the_data_set() -> None:
    data = build_dataset(seed=20261126, today=date(2026, 12, 7))
    assert DEMO_ACCOUNTS["candidate"] in {c.email for c in data.candidates}
    assert DEMO_ACCOUNTS["candidate (Arabic CV)"] in {
        c.email for c in data.candidates if c.cv_language == "ar"
    }
    assert DEMO_ACCOUNTS["recruiter"] in {r.email for r in data.recruiters}
    assert DEMO_ACCOUNTS["admin (super admin)"] in {a.email for a in data.admins}
    readme = (ROOT / "README.md").read_text()
    assert DEMO_PASSWORD in readme
    assert all(email in readme for email in DEMO_ACCOUNTS.values())


@pytest.mark.integration
async def test_demo_users_sign_in_with_the_demo_password(
    connection: AsyncConnection, client: httpx.AsyncClient, settings: ApiSettings
) -> None:
    digest = passwords_for(settings.auth).hash(DEMO_PASSWORD)
    await connection.run_sync(
        lambda c: load_demo(c, seed=20261126, today=date(2026, 11, 26), password_hash=digest)
    )
    for role, email in DEMO_ACCOUNTS.items():
        r = await client.post(
            "/api/mobile/auth/login", json={"email": email, "password": DEMO_PASSWORD}
        )
        assert r.status_code == 200, (role, r.text)
        assert r.json()["accessToken"]
    wrong = await client.post(
        "/api/mobile/auth/login",
        json={"email": DEMO_ACCOUNTS["candidate"], "password": "not-the-password"},
    )
    assert wrong.status_code in (400, 401)


@pytest.mark.integration
async def test_missing_demo_passwords_are_filled_in_never_overwritten(
    connection: AsyncConnection,
) -> None:
    await connection.run_sync(lambda c: load_demo(c, seed=20261126, today=date(2026, 11, 26)))
    email = DEMO_ACCOUNTS["recruiter"]
    await connection.execute(update(User).where(User.email == email).values(password_hash="mine"))
    assert await connection.run_sync(missing_demo_passwords)
    count = await connection.run_sync(lambda c: set_demo_passwords(c, "demo-hash"))
    assert count == len(DEMO_ACCOUNTS) - 1
    assert not await connection.run_sync(missing_demo_passwords)
    hashes = dict((await connection.execute(select(User.email, User.password_hash))).all())
    assert hashes[email] == "mine"
    assert hashes[DEMO_ACCOUNTS["candidate"]] == "demo-hash"


@pytest.mark.integration
def test_the_demo_is_refused_in_production() -> None:
    env = {
        **os.environ,
        "TABASHIR_ENV": "production",
        "API_TOKEN": "a-real-token-for-this-test-only-0123456789",
        "JWT_ACCESS_SECRET": "access-secret-for-this-test-only-0123456789",
        "JWT_REFRESH_SECRET": "refresh-secret-for-this-test-only-0123456789",
        "TABASHIR_AUTH_ENCRYPTION_KEY": "encryption-key-for-this-test-only-0123456789",
    }
    result = subprocess.run(
        [sys.executable, "-m", "api", "demo", "--no-embed"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 2
    assert "development only" in result.stderr
