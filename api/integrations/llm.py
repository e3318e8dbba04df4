"""The one language-model client: any OpenAI-compatible chat-completions endpoint.

- **Off unless configured.** Without ``OPENAI_API_KEY`` (or ``OPENAI_BASE_URL`` for a local
  server that needs no key) every feature that needs a model answers 503
  ``llm_not_configured`` with a readable message. Nothing ever fakes a model's answer.
- **Timeouts and retries.** Each request has ``TABASHIR_LLM_TIMEOUT_S``; a timeout, a dropped
  connection, a 408/409/429 or a 5xx is retried ``TABASHIR_LLM_MAX_RETRIES`` times with
  exponential backoff (``Retry-After`` honoured, capped). Then: 503 ``llm_unavailable``.
- **Structured output.** :meth:`LlmClient.complete_json` asks for one JSON object, validates it
  against a pydantic model and then against the caller's own checks (a translation that lost a
  phone number, a CV that names an employer the source does not). A failing answer gets one
  repair round: the model sees its answer and what was wrong. A second failure is a 502
  ``llm_bad_output``, which carries the last answer when only the caller's checks failed it
  (CV structuring keeps the parts of it that pass).
- **Accounting.** Every request — retries and repairs included, failed or not — reports its
  tokens and cost (``TABASHIR_LLM_PRICE_*``) to a :data:`UsageSink`; :func:`db_usage_sink`
  writes them as ``LlmUsage`` rows in a transaction of their own, so a request that fails later
  still has its spend on record.

The SDK's own retries are switched off so that the policy above is the only one.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import re
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from typing import Any, TypeVar, cast

import httpx
import openai
import structlog
from pydantic import AliasChoices, BaseModel, Field, SecretStr, ValidationError
from pydantic_settings import BaseSettings, SettingsConfigDict
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from api.errors import ServiceUnavailable, TabashirError
from models.cv_services import LlmUsage

log = structlog.get_logger("tabashir.llm")

T = TypeVar("T", bound=BaseModel)
_MTOK = Decimal(1_000_000)
_RETRY_STATUSES = frozenset({408, 409, 429})


class LlmSettings(BaseSettings):
    """Model provider (``OPENAI_API_KEY``, ``OPENAI_BASE_URL``) and the ``TABASHIR_LLM_`` rest."""

    model_config = SettingsConfigDict(
        env_prefix="TABASHIR_LLM_", env_file=".env", extra="ignore", validate_by_name=True
    )

    api_key: SecretStr | None = Field(
        default=None,
        validation_alias=AliasChoices("OPENAI_API_KEY", "TABASHIR_LLM_API_KEY", "api_key"),
    )
    #: Any OpenAI-compatible server (vLLM, Ollama, Azure's v1 endpoint, …); unset: OpenAI.
    base_url: str | None = Field(
        default=None,
        validation_alias=AliasChoices("OPENAI_BASE_URL", "TABASHIR_LLM_BASE_URL", "base_url"),
    )
    model: str = "gpt-4o-mini"
    timeout_s: float = Field(default=60.0, gt=0)
    max_retries: int = Field(default=2, ge=0, le=10)
    backoff_s: float = Field(default=1.0, ge=0)
    max_backoff_s: float = Field(default=20.0, ge=0)
    temperature: float = Field(default=0.2, ge=0, le=2)
    max_output_tokens: int = Field(default=4096, gt=0)
    #: Longest answer accepted, in characters, whatever the server did with max_output_tokens
    #: (4096 tokens are ~16,000 characters of English, fewer of Arabic): a longer one is
    #: refused like any invalid answer, so it is neither stored nor charged.
    max_output_chars: int = Field(default=64_000, gt=0)
    #: Seconds one model call may take in all: both rounds, every retry and backoff included.
    total_timeout_s: float = Field(default=30.0, gt=0)
    #: Ask for ``response_format: json_object`` (switch off for servers that refuse it).
    json_mode: bool = True
    #: US dollars per million prompt / completion tokens, for the cost column.
    price_input_per_mtok: Decimal = Field(default=Decimal("0.15"), ge=0)
    price_output_per_mtok: Decimal = Field(default=Decimal("0.60"), ge=0)

    @property
    def configured(self) -> bool:
        key = self.api_key.get_secret_value().strip() if self.api_key else ""
        return bool(key or self.base_url)


class LlmNotConfigured(ServiceUnavailable):
    code = "llm_not_configured"
    message = (
        "This feature needs a language model, and none is configured on this server "
        "(set OPENAI_API_KEY, and OPENAI_BASE_URL for a non-OpenAI endpoint)"
    )


class LlmUnavailable(ServiceUnavailable):
    code = "llm_unavailable"
    message = "The language model provider did not answer; try again shortly"


class LlmBadOutput(TabashirError):
    status_code, code, message = (
        502,
        "llm_bad_output",
        "The language model's answer could not be used; nothing was changed, try again",
    )

    #: The last answer when it fitted the schema and failed only the caller's checks (with
    #: those ``problems``), for a caller that can use part of it; None otherwise.
    answer: BaseModel | None = None
    problems: list[str] | None = None


@dataclass(frozen=True)
class UsageRecord:
    user_id: uuid.UUID | None
    feature: str
    model: str
    #: ok | invalid_output | error
    status: str
    prompt_tokens: int
    completion_tokens: int
    cost_usd: Decimal
    duration_ms: int
    error: str | None = None


UsageSink = Callable[[UsageRecord], Awaitable[None]]
#: A caller's own checks of a parsed answer: the problems, in words the model can act on.
Check = Callable[[Any], list[str]]


async def _discard(_: UsageRecord) -> None:
    return None


def db_usage_sink(sessionmaker: async_sessionmaker[AsyncSession]) -> UsageSink:
    """A sink writing each record as an ``LlmUsage`` row, committed on its own."""

    async def sink(record: UsageRecord) -> None:
        try:
            async with sessionmaker() as session:
                session.add(
                    LlmUsage(
                        user_id=record.user_id,
                        feature=record.feature[:64],
                        model=record.model[:200],
                        status=record.status,
                        prompt_tokens=record.prompt_tokens,
                        completion_tokens=record.completion_tokens,
                        cost_usd=record.cost_usd,
                        duration_ms=record.duration_ms,
                        error=record.error[:500] if record.error else None,
                    )
                )
                await session.commit()
        except Exception:  # accounting must never turn a good answer into an error
            log.exception("llm_usage_not_recorded", feature=record.feature)

    return sink


def extract_json(content: str) -> str:
    """The JSON object in a model's answer: code fences and any words around it removed."""
    text = content.strip()
    fenced = re.search(r"```(?:json)?\s*(.*?)```", text, re.DOTALL)
    if fenced:
        text = fenced.group(1).strip()
    start, end = text.find("{"), text.rfind("}")
    return text[start : end + 1] if start >= 0 and end > start else text


def _validation_problems(exc: ValidationError) -> list[str]:
    return [
        f"{'.'.join(str(p) for p in e.get('loc', ())) or 'answer'}: {e.get('msg', 'invalid')}"
        for e in exc.errors()[:10]
    ]


@dataclass
class _Answer:
    content: str
    finish_reason: str | None


class LlmClient:
    """Typed calls to the configured model. Build one per process (lifespan or worker);
    ``transport`` lets tests answer at the HTTP boundary."""

    def __init__(
        self,
        settings: LlmSettings,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.settings = settings
        self._sleep = sleep
        self._client: openai.AsyncOpenAI | None = None
        if settings.configured:
            key = settings.api_key.get_secret_value() if settings.api_key else ""
            self._client = openai.AsyncOpenAI(
                api_key=key or "not-needed",
                base_url=settings.base_url,
                timeout=settings.timeout_s,
                max_retries=0,
                # The SDK takes an httpx client as well as its own httpx2 one (typed as the latter).
                http_client=cast(
                    Any, httpx.AsyncClient(timeout=settings.timeout_s, transport=transport)
                ),
            )

    @property
    def configured(self) -> bool:
        return self._client is not None

    @property
    def model(self) -> str:
        return self.settings.model

    def require(self) -> None:
        """Raise the 503 of an unconfigured provider (call before doing any work)."""
        if self._client is None:
            raise LlmNotConfigured()

    def cost(self, prompt_tokens: int, completion_tokens: int) -> Decimal:
        s = self.settings
        return (
            s.price_input_per_mtok * prompt_tokens + s.price_output_per_mtok * completion_tokens
        ) / _MTOK

    async def aclose(self) -> None:
        if self._client is not None:
            await self._client.close()

    def _backoff(self, attempt: int, exc: Exception) -> float:
        delay = self.settings.backoff_s * (2**attempt)
        response = getattr(exc, "response", None)
        retry_after = response.headers.get("retry-after") if response is not None else None
        if retry_after:
            with contextlib.suppress(ValueError):
                delay = max(delay, float(retry_after))
        return float(min(delay, self.settings.max_backoff_s))

    async def _chat(
        self,
        messages: list[dict[str, str]],
        *,
        feature: str,
        user_id: uuid.UUID | None,
        sink: UsageSink,
    ) -> tuple[_Answer, int, int, float]:
        """One answer, retried on transient failures; each try is reported to ``sink``."""
        assert self._client is not None
        kwargs: dict[str, Any] = {
            "model": self.settings.model,
            "messages": messages,
            "temperature": self.settings.temperature,
            "max_tokens": self.settings.max_output_tokens,
        }
        if self.settings.json_mode:
            kwargs["response_format"] = {"type": "json_object"}
        attempt = 0
        while True:
            started = time.monotonic()
            try:
                response = await self._client.chat.completions.create(**kwargs)
            except (
                openai.APITimeoutError,
                openai.APIConnectionError,
                openai.APIStatusError,
            ) as exc:
                elapsed = int((time.monotonic() - started) * 1000)
                status = getattr(exc, "status_code", None)
                transient = status is None or status in _RETRY_STATUSES or status >= 500
                await sink(
                    UsageRecord(
                        user_id,
                        feature,
                        self.settings.model,
                        "error",
                        0,
                        0,
                        Decimal(0),
                        elapsed,
                        f"{type(exc).__name__}{f' {status}' if status else ''}",
                    )
                )
                log.warning("llm_request_failed", feature=feature, status=status, attempt=attempt)
                if not transient or attempt >= self.settings.max_retries:
                    raise LlmUnavailable() from None
                await self._sleep(self._backoff(attempt, exc))
                attempt += 1
                continue
            elapsed = int((time.monotonic() - started) * 1000)
            usage = response.usage
            prompt = usage.prompt_tokens if usage else 0
            completion = usage.completion_tokens if usage else 0
            choice = response.choices[0] if response.choices else None
            content = (choice.message.content if choice else None) or ""
            return (
                _Answer(content, choice.finish_reason if choice else None),
                prompt,
                completion,
                elapsed,
            )

    async def complete_json(
        self,
        *,
        system: str,
        user: str,
        schema: type[T],
        feature: str,
        user_id: uuid.UUID | None = None,
        check: Check | None = None,
        sink: UsageSink | None = None,
    ) -> T:
        """One JSON object of ``schema`` that passes ``check``; one repair round allowed. The
        whole call is bounded by ``total_timeout_s`` (then 503 ``llm_unavailable``)."""
        self.require()
        try:
            async with asyncio.timeout(self.settings.total_timeout_s):
                return await self._complete_json(
                    system=system,
                    user=user,
                    schema=schema,
                    feature=feature,
                    user_id=user_id,
                    check=check,
                    sink=sink or _discard,
                )
        except TimeoutError:
            log.warning(
                "llm_call_timed_out", feature=feature, limit_s=self.settings.total_timeout_s
            )
            raise LlmUnavailable(
                "The language model did not answer in time; try again shortly"
            ) from None

    async def _complete_json(
        self,
        *,
        system: str,
        user: str,
        schema: type[T],
        feature: str,
        user_id: uuid.UUID | None,
        check: Check | None,
        sink: UsageSink,
    ) -> T:
        messages = [{"role": "system", "content": system}, {"role": "user", "content": user}]
        problems: list[str] = []
        parsed: T | None = None
        for round_ in range(2):
            answer, prompt, completion, elapsed = await self._chat(
                messages, feature=feature, user_id=user_id, sink=sink
            )
            parsed = None
            try:
                if answer.finish_reason == "length":
                    problems = ["the answer was cut off: keep it shorter"]
                elif len(answer.content) > self.settings.max_output_chars:
                    problems = [
                        f"the answer is longer than {self.settings.max_output_chars} characters: "
                        "keep to what was asked"
                    ]
                else:
                    parsed = schema.model_validate_json(extract_json(answer.content))
                    problems = check(parsed) if check else []
            except ValidationError as exc:
                problems = _validation_problems(exc)
            status = "ok" if parsed is not None and not problems else "invalid_output"
            await sink(
                UsageRecord(
                    user_id,
                    feature,
                    self.settings.model,
                    status,
                    prompt,
                    completion,
                    self.cost(prompt, completion),
                    int(elapsed),
                    "; ".join(problems)[:500] or None,
                )
            )
            if parsed is not None and not problems:
                return parsed
            log.info("llm_answer_rejected", feature=feature, round=round_, problems=problems[:5])
            messages = [
                *messages,
                {"role": "assistant", "content": answer.content[:20_000]},
                {
                    "role": "user",
                    "content": "Your answer cannot be used:\n- "
                    + "\n- ".join(problems[:20])
                    + "\nAnswer again with only the corrected JSON object.",
                },
            ]
        failure = LlmBadOutput()
        if parsed is not None:
            failure.answer, failure.problems = parsed, problems
        raise failure


def json_prompt(schema: type[BaseModel]) -> str:
    """The schema a model must follow, as compact JSON for a system prompt."""
    return json.dumps(schema.model_json_schema(), ensure_ascii=False, separators=(",", ":"))


@lru_cache
def get_llm_client() -> LlmClient:
    """The process's client, built from the environment (a FastAPI dependency; tests override
    it with a client on an ``httpx.MockTransport``)."""
    return LlmClient(LlmSettings())
