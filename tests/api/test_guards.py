"""Guards every route shares: a NUL (0x00) anywhere in the URL or a text body is a 422 that
names the field, from one middleware, on routes that forgot to check as much as on those that
did."""

from __future__ import annotations

import json

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from api.settings import ApiSettings
from tests.conftest import API_TOKEN
from tests.fixtures.users import assert_error, auth_headers, make_user

pytestmark = pytest.mark.integration

SERVICE = {"X-API-TOKEN": API_TOKEN}


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/search/jobs?city=a%00b",
        "/api/v1/search/jobs?language=e%00n",
        "/api/v1/search/jobs?company=Fal%00con",
        "/api/v1/search/jobs?q=nurse&q%00x=1",
        "/api/v1/resume/jobs?city=Dub%00ai",
        "/api/v1/resume/jobs/a%00b",
    ],
)
async def test_nul_in_the_url_is_a_422_even_anonymously(
    client: httpx.AsyncClient, url: str
) -> None:
    for headers in ({}, SERVICE):
        body = assert_error(await client.get(url, headers=headers), 422, "validation_error")
        assert "NUL" in body["error"]
        assert body["detail"][0]["field"].split(".")[0] in ("query", "path")


async def test_nul_in_a_json_text_field_is_a_422_naming_the_field(
    client: httpx.AsyncClient, session: AsyncSession, settings: ApiSettings
) -> None:
    user = await make_user(session, settings.auth)
    headers = await auth_headers(client, user)
    for path, body in (
        ("/api/mobile/candidate/onboarding/personal-info", {"name": "Lay\u0000la"}),
        ("/api/mobile/candidate/onboarding/professional-info", {"jobTitles": ["a\u0000b"]}),
    ):
        refused = assert_error(await client.post(path, json=body, headers=headers), 422)
        assert refused["code"] == "validation_error"
        field = refused["detail"][0]["field"]
        assert field in ("name", "jobTitles.0"), field
    # UTF-16 JSON is JSON too (RFC 8259 readers accept it): the NUL is found there as well.
    utf16 = json.dumps({"name": "Lay\u0000la"}).encode("utf-16")
    refused = await client.post(
        "/api/mobile/candidate/onboarding/personal-info",
        content=utf16,
        headers={**headers, "content-type": "application/json"},
    )
    assert_error(refused, 422, "validation_error")
    # An escaped backslash followed by "u0000" is six ordinary characters, not a NUL.
    fine = await client.post(
        "/api/mobile/candidate/onboarding/personal-info",
        content=b'{"name": "Layla \\\\u0000"}',
        headers={**headers, "content-type": "application/json"},
    )
    assert fine.status_code == 200, fine.text
    assert fine.json()["user"]["name"] == "Layla \\u0000"
