"""The language-model client: configuration, retries with backoff, schema validation with one
repair round, and token accounting.

The provider is faked at the HTTP boundary (``FakeProvider``: an ``httpx.MockTransport`` under
the real OpenAI SDK), because there is no local server that speaks for a language model.
"""

from __future__ import annotations

import asyncio
import json
import time
from decimal import Decimal
from typing import Any

import httpx
import pytest
from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from api.integrations.llm import (
    LlmBadOutput,
    LlmClient,
    LlmNotConfigured,
    LlmSettings,
    LlmUnavailable,
    UsageRecord,
    db_usage_sink,
    extract_json,
)
from models.cv_services import LlmUsage
from tests.api.resumes.support import FakeProvider


class Answer(BaseModel):
    summary: str
    years: int


def _records() -> tuple[list[UsageRecord], Any]:
    records: list[UsageRecord] = []

    async def sink(record: UsageRecord) -> None:
        records.append(record)

    return records, sink


async def _ask(client: LlmClient, sink: Any = None, **kw: Any) -> Answer:
    return await client.complete_json(
        system="Summarise.", user="CV", schema=Answer, feature="test", sink=sink, **kw
    )


@pytest.mark.unit
def test_configured_by_key_or_base_url() -> None:
    assert not LlmSettings(api_key=None, base_url=None).configured
    assert not LlmSettings(api_key="  ", base_url=None).configured
    assert LlmSettings(api_key="sk-x", base_url=None).configured
    # A local OpenAI-compatible server (vLLM, Ollama) needs no key.
    assert LlmSettings(api_key=None, base_url="http://127.0.0.1:11434/v1").configured


@pytest.mark.unit
async def test_unconfigured_is_a_503_and_never_calls_out() -> None:
    client = LlmClient(LlmSettings(api_key=None, base_url=None))
    with pytest.raises(LlmNotConfigured) as raised:
        await _ask(client)
    assert raised.value.status_code == 503


@pytest.mark.unit
async def test_a_valid_answer_is_parsed_and_accounted() -> None:
    provider = FakeProvider(lambda _: '```json\n{"summary": "Analyst", "years": 8}\n```')
    records, sink = _records()
    answer = await _ask(provider.client(model="m-1"), sink)
    assert answer == Answer(summary="Analyst", years=8)
    request = provider.requests[0]
    assert request["model"] == "m-1"
    assert request["response_format"] == {"type": "json_object"}
    assert request["messages"][0] == {"role": "system", "content": "Summarise."}
    assert [r.status for r in records] == ["ok"]
    assert records[0].prompt_tokens == 1000
    assert records[0].completion_tokens == 200
    assert records[0].cost_usd == Decimal("0.00027")


@pytest.mark.unit
async def test_invalid_output_gets_one_repair_then_fails() -> None:
    provider = FakeProvider(
        lambda _: '{"summary": "Analyst"}',  # "years" missing
        lambda _: '{"summary": "Analyst", "years": 8}',
    )
    records, sink = _records()
    assert (await _ask(provider.client(), sink)).years == 8
    repair = provider.requests[1]["messages"]
    assert repair[-2] == {"role": "assistant", "content": '{"summary": "Analyst"}'}
    assert "years: Field required" in repair[-1]["content"]
    assert [r.status for r in records] == ["invalid_output", "ok"]

    stubborn = FakeProvider(lambda _: "not json at all")
    records, sink = _records()
    with pytest.raises(LlmBadOutput):
        await _ask(stubborn.client(), sink)
    assert len(stubborn.requests) == 2
    assert [r.status for r in records] == ["invalid_output", "invalid_output"]


@pytest.mark.unit
async def test_the_callers_check_drives_the_repair() -> None:
    provider = FakeProvider(
        lambda _: '{"summary": "Analyst since 2009", "years": 8}',
        lambda _: '{"summary": "Analyst", "years": 8}',
    )

    def no_years(answer: Answer) -> list[str]:
        return ["the year 2009 is not in the CV"] if "2009" in answer.summary else []

    answer = await _ask(provider.client(), check=no_years)
    assert answer.summary == "Analyst"
    assert "the year 2009 is not in the CV" in provider.requests[1]["messages"][-1]["content"]


@pytest.mark.unit
async def test_a_failed_check_after_the_repair_carries_the_last_answer() -> None:
    """The caller may keep what passes of an answer that fits the schema (CV structuring)."""
    provider = FakeProvider(
        lambda _: '{"summary": "Analyst since 2009", "years": 8}',
        lambda _: '{"summary": "Analyst since 2010", "years": 9}',
    )

    def no_years(answer: Answer) -> list[str]:
        return ["the summary names a year"] if any(c.isdigit() for c in answer.summary) else []

    with pytest.raises(LlmBadOutput) as raised:
        await _ask(provider.client(), check=no_years)
    assert raised.value.answer == Answer(summary="Analyst since 2010", years=9)
    assert raised.value.problems == ["the summary names a year"]

    unparsable = FakeProvider(
        lambda _: '{"summary": "Analyst since 2009", "years": 8}', lambda _: "?"
    )
    with pytest.raises(LlmBadOutput) as raised:
        await _ask(unparsable.client(), check=no_years)
    assert raised.value.answer is None  # the last answer did not fit the schema


@pytest.mark.unit
async def test_transient_errors_back_off_and_retry() -> None:
    pauses: list[float] = []

    async def sleep(seconds: float) -> None:
        pauses.append(seconds)

    provider = FakeProvider(
        lambda _: httpx.Response(429, headers={"retry-after": "3"}, json={"error": {}}),
        lambda _: httpx.Response(502, json={"error": {}}),
        lambda _: '{"summary": "ok", "years": 1}',
    )
    records, sink = _records()
    client = LlmClient(
        LlmSettings(
            api_key="k",
            base_url="https://llm.test/v1",
            backoff_s=0.5,
            max_retries=3,
            max_backoff_s=10,
        ),
        transport=httpx.MockTransport(provider.handler),
        sleep=sleep,
    )
    assert (await _ask(client, sink)).summary == "ok"
    assert pauses == [3.0, 1.0]  # Retry-After honoured, then 0.5 * 2**1
    assert [r.status for r in records] == ["error", "error", "ok"]
    assert records[0].error == "RateLimitError 429"


@pytest.mark.unit
async def test_a_refused_request_is_not_retried() -> None:
    provider = FakeProvider(lambda _: httpx.Response(401, json={"error": {"message": "bad key"}}))
    with pytest.raises(LlmUnavailable):
        await _ask(provider.client(max_retries=5))
    assert len(provider.requests) == 1


@pytest.mark.unit
async def test_timeouts_are_retried_then_503() -> None:
    def timeout(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout("slow", request=request)

    calls: list[int] = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(1)
        return timeout(request)

    async def no_sleep(_: float) -> None:
        return None

    client = LlmClient(
        LlmSettings(api_key="k", base_url="https://llm.test/v1", max_retries=1),
        transport=httpx.MockTransport(handler),
        sleep=no_sleep,
    )
    with pytest.raises(LlmUnavailable):
        await _ask(client)
    assert len(calls) == 2


@pytest.mark.unit
def test_extract_json() -> None:
    assert extract_json('Sure! {"a": 1} Hope it helps') == '{"a": 1}'
    assert json.loads(extract_json('```json\n{"a": {"b": 2}}\n```')) == {"a": {"b": 2}}


@pytest.mark.integration
async def test_usage_rows_are_written_per_user(
    sessionmaker: async_sessionmaker[AsyncSession], session: AsyncSession, user_factory: Any
) -> None:
    alice = await user_factory()
    sink = db_usage_sink(sessionmaker)
    await sink(
        UsageRecord(alice.id, "translate", "m", "ok", 1200, 300, Decimal("0.00036"), 850, None)
    )
    row = (await session.execute(select(LlmUsage).where(LlmUsage.user_id == alice.id))).scalar_one()
    assert (row.prompt_tokens, row.completion_tokens, row.status) == (1200, 300, "ok")
    assert row.cost_usd == Decimal("0.000360")


@pytest.mark.unit
async def test_the_whole_call_is_bounded_retries_included() -> None:
    calls = 0

    async def hanging(request: httpx.Request) -> httpx.Response:
        nonlocal calls
        calls += 1
        await asyncio.sleep(60)  # a provider that accepts the request and never answers
        raise AssertionError("unreachable")

    settings = LlmSettings(
        api_key="test-key",
        base_url="https://llm.test/v1",
        backoff_s=0,
        max_retries=5,
        timeout_s=60,
        total_timeout_s=0.5,
    )
    client = LlmClient(settings, transport=httpx.MockTransport(hanging))
    started = time.perf_counter()
    with pytest.raises(LlmUnavailable) as raised:
        await _ask(client)
    assert time.perf_counter() - started < 3
    assert raised.value.status_code == 503
    assert calls == 1


@pytest.mark.unit
async def test_an_over_long_answer_is_refused_not_returned() -> None:
    huge = json.dumps({"summary": "word " * 40_000, "years": 3})  # 200,000 characters
    provider = FakeProvider(lambda body: huge)
    records, sink = _records()
    with pytest.raises(LlmBadOutput):
        await _ask(provider.client(max_output_chars=64_000), sink)
    assert len(provider.requests) == 2  # the answer and one repair round, both refused
    assert [r.status for r in records] == ["invalid_output", "invalid_output"]
    fine = FakeProvider(lambda body: json.dumps({"summary": "Data analyst.", "years": 3}))
    assert (await _ask(fine.client())).years == 3
