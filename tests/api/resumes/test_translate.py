"""POST /api/mobile/resumes/{id}/translate through the language-model client.

The provider is faked at the HTTP boundary (``FakeProvider``: an ``httpx.MockTransport`` under
the real OpenAI SDK), because no local server speaks for a language model; everything above
the transport — retries, validation, repair, accounting, storage — is the real code.
"""

from __future__ import annotations

import dataclasses
import json
import uuid
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from api.accounts.security import issue_access_token
from api.app import create_app
from api.billing import ledger
from api.integrations.llm import LlmClient
from api.resumes.settings import CvSettings, get_cv_settings
from api.settings import ApiSettings
from api.state import AppState
from models import Resume, User
from models.cv_services import ResumeDerivation
from models.db import make_sessionmaker
from models.enums import CreditType
from tests.api.resumes.support import (
    FakeProvider,
    UserFactory,
    llm_usage,
    prefixing_translator,
    user_fields,
)
from tests.fixtures.users import assert_error, make_user

pytestmark = pytest.mark.integration

Headers = Callable[[User], dict[str, str]]
BASE = "/api/mobile/resumes"
CV = """Joseph Sharma
Financial Controller | Sharjah, United Arab Emirates
Email: joseph.sharma@example.com | Phone: +971 52 758 2962

SUMMARY
Financial Controller with 14 years of experience; cut closing time by 30%.

EXPERIENCE
Financial Controller — Gulf Horizon Bank
Feb 2021 – Present
- Responsibilities: evaluate budgets for 12 business units

EDUCATION
Bachelor's degree in Accounting — Westmoor University, 2011

SKILLS
financial statements, SAP
"""


async def _resume(client: httpx.AsyncClient, headers: dict[str, str]) -> str:
    response = await client.post(
        BASE, headers=headers, files={"file": ("cv.txt", CV.encode(), "text/plain")}
    )
    assert response.status_code == 201, response.text
    rid: str = response.json()["id"]
    return rid


async def _count(session: AsyncSession, user: User) -> int:
    return int(await session.scalar(select(func.count()).where(Resume.user_id == user.id)) or 0)


async def test_no_provider_is_a_503_and_changes_nothing(
    client: httpx.AsyncClient,
    user_factory: UserFactory,
    headers_for: Headers,
    session: AsyncSession,
) -> None:
    alice = await user_factory()
    rid = await _resume(client, headers_for(alice))
    response = await client.post(f"{BASE}/{rid}/translate", headers=headers_for(alice))
    body = assert_error(response, 503, "llm_not_configured")
    assert "OPENAI_API_KEY" in body["error"]
    assert await _count(session, alice) == 1


async def test_translates_section_by_section_keeping_what_must_not_change(
    client: httpx.AsyncClient,
    user_factory: UserFactory,
    headers_for: Headers,
    session: AsyncSession,
    llm_holder: dict[str, LlmClient],
) -> None:
    provider = FakeProvider(prefixing_translator())  # fake provider: see the module docstring
    llm_holder["client"] = provider.client()
    alice = await user_factory()
    rid = await _resume(client, headers_for(alice))
    response = await client.post(
        f"{BASE}/{rid}/translate", headers=headers_for(alice), json={"targetLanguage": "ar"}
    )
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["origin"] == "translation"
    assert body["sourceResumeId"] == rid
    assert body["language"] == "ar"
    assert body["mimeType"].endswith("wordprocessingml.document")
    cv = body["parsed"]
    assert cv["language"] == "ar"
    # Never sent, copied: name, contacts, employer, dates.
    assert cv["personal"]["name"] == "Joseph Sharma"
    assert cv["personal"]["email"] == "joseph.sharma@example.com"
    job = cv["employment"][0]
    assert job["company"] == "Gulf Horizon Bank"
    assert (job["start"], job["current"]) == ("2021-02", True)
    # Job titles from the glossary, not from the model.
    assert cv["title"] == "مراقب مالي"
    assert job["title"] == "مراقب مالي"
    assert cv["summary"].startswith("[ar] Financial Controller with 14 years")
    assert job["description"].startswith("[ar] - Responsibilities")
    assert cv["skills"][0]["name"].startswith("[ar] ")

    sent = [user_fields(r) for r in provider.requests]
    keys = {k for fields in sent for k in fields}
    assert "title" not in keys
    assert "employment.0.title" not in keys
    assert not any("company" in k or "email" in k or k == "name" for k in keys)
    assert len(provider.requests) >= 4  # header, job, education, skills: one call each
    assert all(r["response_format"] == {"type": "json_object"} for r in provider.requests)
    # The header section carried the glossary hint for the title inside the summary.
    assert "Financial Controller => مراقب مالي" in provider.requests[0]["messages"][0]["content"]

    derived = await session.get(ResumeDerivation, body["id"])
    assert derived is not None
    assert derived.target_language == "ar"
    usage = await llm_usage(session, alice)
    assert len(usage) == len(provider.requests)
    assert all(u.status == "ok" and u.prompt_tokens == 1000 for u in usage)
    assert all(u.feature == "translate" for u in usage)
    # 1000 prompt + 200 completion tokens at 0.15 / 0.60 USD per million.
    assert float(usage[0].cost_usd) == pytest.approx(0.00027)
    # The new CV exports in Arabic layout, its own language.
    word = await client.post(f"{BASE}/{body['id']}/export/word", headers=headers_for(alice))
    assert word.status_code == 200


def _dropping_numbers(body: dict[str, Any]) -> str:
    return json.dumps(
        {"fields": {k: v.replace("14", "fourteen") for k, v in user_fields(body).items()}}
    )


async def test_a_changed_number_is_repaired_once(
    client: httpx.AsyncClient,
    user_factory: UserFactory,
    headers_for: Headers,
    llm_holder: dict[str, LlmClient],
) -> None:
    # Fake provider (see the module docstring): wrong first, right after the repair prompt.
    provider = FakeProvider(_dropping_numbers, prefixing_translator())
    llm_holder["client"] = provider.client()
    alice = await user_factory()
    rid = await _resume(client, headers_for(alice))
    response = await client.post(f"{BASE}/{rid}/translate", headers=headers_for(alice))
    assert response.status_code == 201, response.text
    repair = provider.requests[1]["messages"]
    assert repair[-2]["role"] == "assistant"
    assert "fourteen" in repair[-2]["content"]
    assert "keep '14' exactly as written" in repair[-1]["content"]
    assert "14 years" in response.json()["parsed"]["summary"]


async def test_an_unfaithful_translation_fails_and_saves_nothing(
    client: httpx.AsyncClient,
    user_factory: UserFactory,
    headers_for: Headers,
    session: AsyncSession,
    llm_holder: dict[str, LlmClient],
) -> None:
    provider = FakeProvider(_dropping_numbers)  # fake provider: always drops the "14"
    llm_holder["client"] = provider.client()
    alice = await user_factory()
    rid = await _resume(client, headers_for(alice))
    response = await client.post(f"{BASE}/{rid}/translate", headers=headers_for(alice))
    assert_error(response, 502, "llm_bad_output")
    assert len(provider.requests) == 2  # the answer, then one repair
    assert await _count(session, alice) == 1


async def test_provider_errors_are_retried_then_a_503(
    client: httpx.AsyncClient,
    user_factory: UserFactory,
    headers_for: Headers,
    llm_holder: dict[str, LlmClient],
) -> None:
    down = FakeProvider(lambda _: httpx.Response(503, json={"error": {"message": "overloaded"}}))
    llm_holder["client"] = down.client(max_retries=2)  # fake provider, always down
    alice = await user_factory()
    rid = await _resume(client, headers_for(alice))
    response = await client.post(f"{BASE}/{rid}/translate", headers=headers_for(alice))
    assert_error(response, 503, "llm_unavailable")
    assert len(down.requests) == 3  # one try and two retries

    flaky = FakeProvider(
        lambda _: httpx.Response(500, json={"error": {"message": "oops"}}),
        prefixing_translator(),
    )
    llm_holder["client"] = flaky.client()  # fake provider: one 500, then answers
    response = await client.post(f"{BASE}/{rid}/translate", headers=headers_for(alice))
    assert response.status_code == 201, response.text


async def test_translation_is_charged_only_when_configured_and_on_success(
    client: httpx.AsyncClient,
    user_factory: UserFactory,
    headers_for: Headers,
    session: AsyncSession,
    app: FastAPI,
    llm_holder: dict[str, LlmClient],
) -> None:
    app.dependency_overrides[get_cv_settings] = lambda: CvSettings(
        credit_type=CreditType.JOB_COUNT, translate_credit_cost=1
    )
    provider = FakeProvider(prefixing_translator())  # fake provider: see the module docstring
    llm_holder["client"] = provider.client()
    alice = await user_factory()
    rid = await _resume(client, headers_for(alice))
    refused = await client.post(f"{BASE}/{rid}/translate", headers=headers_for(alice))
    assert_error(refused, 402, "insufficient_credits")
    assert provider.requests == []  # no model call is paid for a request that cannot succeed

    await ledger.grant(session, alice.id, CreditType.JOB_COUNT, 1, "test-grant")
    await session.commit()
    done = await client.post(f"{BASE}/{rid}/translate", headers=headers_for(alice))
    assert done.status_code == 201, done.text
    assert await ledger.balance(session, alice.id, CreditType.JOB_COUNT) == 0


async def test_language_model_features_are_rate_limited_per_user(
    settings: ApiSettings, app_state: AppState, engine: AsyncEngine
) -> None:
    # Real commits: a refused request must not roll its hit back, and here every request is
    # refused (no such CV), which in the shared test transaction would undo the counter.
    real = make_sessionmaker(engine)
    async with real() as setup:
        alice = await make_user(setup, settings.auth)
        bob = await make_user(setup, settings.auth)
    state = dataclasses.replace(app_state, sessionmaker=real)
    app = create_app(settings, state=state)
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            alice_h = {"Authorization": f"Bearer {bearer_token(settings, alice)}"}
            bob_h = {"Authorization": f"Bearer {bearer_token(settings, bob)}"}
            # Every call counts, whatever it then answers (here: no such CV).
            for _ in range(30):
                missing = await client.post(f"{BASE}/{uuid.uuid4()}/translate", headers=alice_h)
                assert missing.status_code == 404
            refused = await client.post(f"{BASE}/{uuid.uuid4()}/translate", headers=alice_h)
            assert_error(refused, 429, "rate_limited")
            assert int(refused.headers["retry-after"]) > 0
            # The AI resume builder shares the budget.
            build = await client.post("/api/ai-resume/create", headers=alice_h, json={})
            assert_error(build, 429, "rate_limited")
            other = await client.post(f"{BASE}/{uuid.uuid4()}/translate", headers=bob_h)
            assert other.status_code == 404
    finally:
        async with engine.begin() as conn:
            await conn.execute(text("DELETE FROM rate_limit_counters WHERE key LIKE 'ai:user:%'"))
            for user in (alice, bob):
                await conn.execute(text("DELETE FROM users WHERE id = :id"), {"id": user.id})


def bearer_token(settings: ApiSettings, user: User) -> str:
    token, _ = issue_access_token(
        settings.auth,
        user_id=user.id,
        epoch=user.token_epoch,
        user_type=user.user_type.value,
        session_id=uuid.uuid4(),
    )
    return token
