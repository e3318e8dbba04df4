"""Shared by the CV-service tests: an app with the resume, ATS and AI-resume routes (mounted
here until api/app.py includes them), file storage in a temporary folder, and a fake
language-model provider.

The fake answers at the HTTP boundary only: the real ``LlmClient`` (and the real OpenAI SDK)
sends real chat-completion requests into an ``httpx.MockTransport``, because there is no local
server that speaks for a language model. Every test that uses it says so.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

import models.cv_services  # noqa: F401 - registers the tables until models/__init__ does
from api.app import create_app
from api.integrations.llm import LlmClient, LlmSettings, get_llm_client
from api.integrations.storage import LocalStorage, get_storage
from api.resumes.settings import CvSettings, get_cv_settings
from api.settings import ApiSettings
from api.state import AppState
from models import User
from models.cv_services import LlmUsage
from tests.api.jobs.support import bearer_for
from tests.fixtures.users import api_settings_for_tests, include_account_routes, make_user

UserFactory = Callable[..., Awaitable[User]]
Responder = Callable[[dict[str, Any]], "str | httpx.Response"]


def include_cv_routes(app: FastAPI) -> FastAPI:
    """Mount the routers of issue 7 unless api/app.py already does."""
    from api.ai_resume.routes import router as ai_resume
    from api.resumes.ats_routes import router as ats
    from api.resumes.routes import router as resumes

    for router, probe in (
        (resumes, "/api/mobile/resumes"),
        (ats, "/api/v1/resume/resume/format"),
        (ai_resume, "/api/ai-resume/create"),
    ):
        # FastAPI keeps an included router as one entry (``original_router``), older versions
        # as its routes (``path``): either means it is mounted already.
        mounted = any(
            getattr(r, "original_router", None) is router or getattr(r, "path", None) == probe
            for r in app.routes
        )
        if not mounted:
            app.include_router(router)
    return app


class FakeProvider:
    """An OpenAI-compatible chat endpoint in-process: each request is recorded and answered by
    the next responder (the last one repeats). A responder gets the request's JSON body and
    returns the assistant's content, or a whole ``httpx.Response`` (errors, timeouts)."""

    def __init__(self, *responders: Responder) -> None:
        self.responders = list(responders)
        self.requests: list[dict[str, Any]] = []

    def handler(self, request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content)
        self.requests.append(body)
        responder = self.responders[min(len(self.requests), len(self.responders)) - 1]
        answer = responder(body)
        if isinstance(answer, httpx.Response):
            return answer
        return httpx.Response(
            200,
            json={
                "id": f"chatcmpl-{len(self.requests)}",
                "object": "chat.completion",
                "created": 1764000000,
                "model": body["model"],
                "choices": [
                    {
                        "index": 0,
                        "message": {"role": "assistant", "content": answer},
                        "finish_reason": "stop",
                    }
                ],
                "usage": {"prompt_tokens": 1000, "completion_tokens": 200, "total_tokens": 1200},
            },
        )

    def client(self, **overrides: Any) -> LlmClient:
        values: dict[str, Any] = {
            "api_key": "test-key",
            "base_url": "https://llm.test/v1",
            "model": "test-model",
            "backoff_s": 0,
            "max_retries": 2,
        }
        values.update(overrides)
        return LlmClient(LlmSettings(**values), transport=httpx.MockTransport(self.handler))


async def llm_usage(session: AsyncSession, user: User) -> list[LlmUsage]:
    """The model calls recorded for ``user``."""
    rows = await session.execute(select(LlmUsage).where(LlmUsage.user_id == user.id))
    return list(rows.scalars().all())


def user_fields(body: dict[str, Any]) -> dict[str, str]:
    """The {"fields": {...}} object a translation request sent."""
    fields: dict[str, str] = json.loads(body["messages"][1]["content"])["fields"]
    return fields


def prefixing_translator(prefix: str = "[ar] ") -> Responder:
    """Answers a translation request with every field prefixed: numbers, emails, dates kept."""

    def respond(body: dict[str, Any]) -> str:
        return json.dumps({"fields": {k: prefix + v for k, v in user_fields(body).items()}})

    return respond


def unconfigured_llm() -> LlmClient:
    return LlmClient(LlmSettings(api_key=None, base_url=None))


@pytest.fixture
def settings() -> ApiSettings:
    return api_settings_for_tests()


@pytest.fixture
def storage(tmp_path: Path) -> LocalStorage:
    return LocalStorage(tmp_path / "files")


@pytest.fixture
def cv_settings() -> CvSettings:
    return CvSettings(max_resumes_per_user=50, credit_type=None)


@pytest.fixture
def llm_holder() -> dict[str, LlmClient]:
    """Which language-model client the app uses; a test swaps ``["client"]``."""
    return {"client": unconfigured_llm()}


@pytest.fixture
def app(
    settings: ApiSettings,
    app_state: AppState,
    storage: LocalStorage,
    cv_settings: CvSettings,
    llm_holder: dict[str, LlmClient],
) -> FastAPI:
    state = dataclasses.replace(app_state, settings=settings)
    app = include_cv_routes(include_account_routes(create_app(settings, state=state)))
    app.dependency_overrides[get_storage] = lambda: storage
    app.dependency_overrides[get_cv_settings] = lambda: cv_settings
    app.dependency_overrides[get_llm_client] = lambda: llm_holder["client"]
    return app


@pytest.fixture
async def client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="https://test") as c:
        yield c


@pytest.fixture
def user_factory(session: AsyncSession, settings: ApiSettings) -> UserFactory:
    async def factory(**overrides: Any) -> User:
        return await make_user(session, settings.auth, **overrides)

    return factory


@pytest.fixture
def headers_for(settings: ApiSettings) -> Callable[[User], dict[str, str]]:
    return lambda user: bearer_for(settings, user)
