"""Optional LLM structuring of uploaded CVs (TABASHIR_CV_LLM_STRUCTURING), through the upload
route on the real database.

The language model is faked at its HTTP boundary (``FakeProvider``: an ``httpx.MockTransport``
under the real OpenAI SDK), because no local server speaks for a language model; everything
above the transport — the client's retries, validation, repair round and accounting, the support
rule, the merge and storage — is the real code.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncSession

from api.integrations.llm import LlmClient, LlmSettings
from api.resumes.settings import CvSettings, get_cv_settings
from ingestion.cv_parser import parse_cv
from models import Resume, User
from tests.api.resumes.support import FakeProvider, UserFactory, llm_usage

pytestmark = pytest.mark.integration

Headers = Callable[[User], dict[str, str]]
BASE = "/api/mobile/resumes"
CV = """Layla Haddad
Procurement Specialist | Dubai, UAE
Email: layla.haddad@example.com | Mobile: +971 55 234 7781

SUMMARY
Procurement specialist with nine years in oil and gas supply chains.

EXPERIENCE
Procurement Specialist — Al Noor Energy Services
Mar 2019 – Present
- Run tenders for drilling equipment; negotiate framework agreements

Buyer, Desert Line Logistics, Abu Dhabi
2015 – 2019
- Purchased spare parts using Oracle Procurement Cloud

EDUCATION
Bachelor of Commerce, University of Sharjah, 2014

SKILLS
contract negotiation, SAP Ariba, vendor management, Incoterms

LANGUAGES
Arabic (Native), English (Fluent)
"""


def answer(**changes: Any) -> str:
    """A faithful model's answer for CV (it finds the second employer the rule parser reads as
    a location, and a tool named only in a job description), with ``changes`` applied."""
    out: dict[str, Any] = {
        "name": "Layla Haddad",
        "email": "layla.haddad@example.com",
        "phone": "+971 55 234 7781",
        "location": "Dubai, UAE",
        "title": "Procurement Specialist",
        "employment": [
            {
                "title": "Procurement Specialist",
                "company": "Al Noor Energy Services",
                "start": "2019-03",
                "end": None,
                "current": True,
            },
            {
                "title": "Buyer",
                "company": "Desert Line Logistics",
                "location": "Abu Dhabi",
                "start": "2015",
                "end": "2019",
            },
        ],
        "education": [
            {
                "degree": "Bachelor of Commerce",
                "institution": "University of Sharjah",
                "end": "2014",
            }
        ],
        "skills": ["contract negotiation", "SAP Ariba", "Oracle Procurement Cloud"],
        "languages": ["Arabic (Native)", "English (Fluent)"],
    }
    for path, value in changes.items():
        *parents, last = path.split("__")
        node: Any = out
        for part in parents:
            node = node[int(part)] if part.isdigit() else node[part]
        node[int(last) if last.isdigit() else last] = value
    return json.dumps(out)


@pytest.fixture
def cv_settings() -> CvSettings:
    return CvSettings(max_resumes_per_user=50, credit_type=None, llm_structuring=True)


async def _upload(client: httpx.AsyncClient, headers: dict[str, str]) -> dict[str, Any]:
    response = await client.post(
        BASE, headers=headers, files={"file": ("cv.txt", CV.encode(), "text/plain")}
    )
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


async def _stored(session: AsyncSession, body: dict[str, Any]) -> dict[str, Any]:
    row = await session.get(Resume, body["id"])
    assert row is not None
    assert row.parsed is not None
    parsed: dict[str, Any] = row.parsed
    return parsed


def _rule_parse() -> dict[str, Any]:
    return parse_cv(CV).model_dump(mode="json")


async def test_setting_off_never_calls_the_model(
    app: FastAPI,
    client: httpx.AsyncClient,
    user_factory: UserFactory,
    headers_for: Headers,
    session: AsyncSession,
    llm_holder: dict[str, LlmClient],
) -> None:
    provider = FakeProvider(lambda _: answer())  # fake provider: see the module docstring
    llm_holder["client"] = provider.client()
    app.dependency_overrides[get_cv_settings] = lambda: CvSettings(credit_type=None)
    body = await _upload(client, headers_for(await user_factory()))
    assert provider.requests == []
    stored = await _stored(session, body)
    assert stored["parser"] == "model"  # the default parser: span model + rules
    assert stored == _rule_parse()


async def test_the_model_fills_what_the_rules_missed(
    client: httpx.AsyncClient,
    user_factory: UserFactory,
    headers_for: Headers,
    session: AsyncSession,
    llm_holder: dict[str, LlmClient],
) -> None:
    provider = FakeProvider(lambda _: answer())
    llm_holder["client"] = provider.client()
    alice = await user_factory()
    body = await _upload(client, headers_for(alice))
    assert len(provider.requests) == 1
    sent = provider.requests[0]["messages"]
    assert "Desert Line Logistics" in json.loads(sent[1]["content"])["CV_TEXT"]
    parsed = body["parsed"]
    assert parsed == await _stored(session, body)
    assert parsed["parser"] == "model+llm"
    assert parsed["rejected"] == []
    assert _rule_parse()["employment"][1]["company"] is None
    second = parsed["employment"][1]
    assert (second["company"], second["location"]) == ("Desert Line Logistics", "Abu Dhabi")
    assert second["description"] == "- Purchased spare parts using Oracle Procurement Cloud"
    assert "Oracle Procurement Cloud" in [s["name"] for s in parsed["skills"]]
    assert {"employment", "skills"} <= set(parsed["llm_fields"])
    usage = await llm_usage(session, alice)
    assert [(u.feature, u.status) for u in usage] == [("cv_structuring", "ok")]


async def test_an_invented_employer_is_rejected_after_the_repair_and_the_rest_kept(
    client: httpx.AsyncClient,
    user_factory: UserFactory,
    headers_for: Headers,
    session: AsyncSession,
    llm_holder: dict[str, LlmClient],
) -> None:
    # The model insists, in both rounds, that the first employer is one the CV never names.
    provider = FakeProvider(lambda _: answer(employment__0__company="ADNOC Drilling"))
    llm_holder["client"] = provider.client()
    alice = await user_factory()
    body = await _upload(client, headers_for(alice))
    assert len(provider.requests) == 2  # the answer and its repair round
    repair = provider.requests[1]["messages"][-1]["content"]
    assert "employment[0].company: 'ADNOC Drilling' is not in the CV text" in repair
    parsed = await _stored(session, body)
    assert parsed["parser"] == "model+llm"
    assert [(r["field"], r["value"]) for r in parsed["rejected"]] == [
        ("employment[0].company", "ADNOC Drilling")
    ]
    companies = [j["company"] for j in parsed["employment"]]
    assert "ADNOC Drilling" not in companies
    assert companies == ["Al Noor Energy Services", "Desert Line Logistics"]
    assert "Oracle Procurement Cloud" in [s["name"] for s in parsed["skills"]]
    usage = [u.status for u in await llm_usage(session, alice)]
    assert sorted(usage) == ["invalid_output", "invalid_output"]


async def test_a_repair_that_drops_the_invention_leaves_nothing_rejected(
    client: httpx.AsyncClient,
    user_factory: UserFactory,
    headers_for: Headers,
    session: AsyncSession,
    llm_holder: dict[str, LlmClient],
) -> None:
    provider = FakeProvider(
        lambda _: answer(skills__2="Kubernetes"),
        lambda _: answer(),
    )
    llm_holder["client"] = provider.client()
    body = await _upload(client, headers_for(await user_factory()))
    assert len(provider.requests) == 2
    assert "skills[2]: 'Kubernetes'" in provider.requests[1]["messages"][-1]["content"]
    parsed = await _stored(session, body)
    assert parsed["rejected"] == []
    assert "Kubernetes" not in [s["name"] for s in parsed["skills"]]
    assert parsed["employment"][1]["company"] == "Desert Line Logistics"


async def test_invalid_json_then_valid_goes_through_the_repair(
    client: httpx.AsyncClient,
    user_factory: UserFactory,
    headers_for: Headers,
    session: AsyncSession,
    llm_holder: dict[str, LlmClient],
) -> None:
    provider = FakeProvider(
        lambda _: '{"name": "Layla Haddad", "employment": [', lambda _: answer()
    )
    llm_holder["client"] = provider.client()
    body = await _upload(client, headers_for(await user_factory()))
    assert len(provider.requests) == 2
    repair = provider.requests[1]["messages"]
    assert repair[-2]["role"] == "assistant"
    assert "Answer again with only the corrected JSON object" in repair[-1]["content"]
    parsed = await _stored(session, body)
    assert parsed["parser"] == "model+llm"
    assert parsed["employment"][1]["company"] == "Desert Line Logistics"


async def test_a_model_that_answers_nonsense_twice_leaves_the_rule_parse(
    client: httpx.AsyncClient,
    user_factory: UserFactory,
    headers_for: Headers,
    session: AsyncSession,
    llm_holder: dict[str, LlmClient],
) -> None:
    provider = FakeProvider(lambda _: "I cannot read this CV.")
    llm_holder["client"] = provider.client()
    body = await _upload(client, headers_for(await user_factory()))
    assert len(provider.requests) == 2
    assert await _stored(session, body) == _rule_parse()


async def test_a_provider_that_is_down_leaves_the_rule_parse(
    client: httpx.AsyncClient,
    user_factory: UserFactory,
    headers_for: Headers,
    session: AsyncSession,
    llm_holder: dict[str, LlmClient],
) -> None:
    provider = FakeProvider(lambda _: httpx.Response(503, json={"error": {"message": "down"}}))
    llm_holder["client"] = provider.client(max_retries=2)
    alice = await user_factory()
    body = await _upload(client, headers_for(alice))
    assert len(provider.requests) == 3  # the first try and two retries
    parsed = await _stored(session, body)
    assert parsed == _rule_parse()
    assert parsed["parser"] == "model"
    assert body["parseStatus"] == "ok"
    statuses = [u.status for u in await llm_usage(session, alice)]
    assert statuses == ["error", "error", "error"]


async def test_timeouts_leave_the_rule_parse(
    client: httpx.AsyncClient,
    user_factory: UserFactory,
    headers_for: Headers,
    session: AsyncSession,
    llm_holder: dict[str, LlmClient],
) -> None:
    def timing_out(_: dict[str, Any]) -> httpx.Response:
        raise httpx.ReadTimeout("no answer in time")

    provider = FakeProvider(timing_out)
    llm_holder["client"] = provider.client(max_retries=1)
    body = await _upload(client, headers_for(await user_factory()))
    assert len(provider.requests) == 2
    assert await _stored(session, body) == _rule_parse()


async def test_a_slow_model_is_abandoned_at_the_upload_deadline(
    app: FastAPI,
    client: httpx.AsyncClient,
    user_factory: UserFactory,
    headers_for: Headers,
    session: AsyncSession,
    llm_holder: dict[str, LlmClient],
) -> None:
    async def slow(request: httpx.Request) -> httpx.Response:
        await asyncio.sleep(30)
        return httpx.Response(500)

    llm_holder["client"] = LlmClient(
        LlmSettings(api_key="test-key", base_url="https://llm.test/v1", timeout_s=60),
        transport=httpx.MockTransport(slow),
    )
    app.dependency_overrides[get_cv_settings] = lambda: CvSettings(
        credit_type=None, llm_structuring=True, llm_structuring_timeout_s=0.5
    )
    started = time.monotonic()
    body = await _upload(client, headers_for(await user_factory()))
    assert time.monotonic() - started < 10
    assert await _stored(session, body) == _rule_parse()
