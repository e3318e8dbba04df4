"""Guards every route shares: a NUL (0x00) anywhere in the URL or a text body is a 422 that
names the field, from one middleware, on routes that forgot to check as much as on those that
did."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from api.app import create_app
from api.guards import MULTIPART_OVERHEAD_BYTES
from api.settings import ApiSettings
from api.state import AppState
from ingestion.settings import get_ingestion_settings
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


# --- body size ---------------------------------------------------------------------------------


async def _call(
    app: Any, path: str, headers: list[tuple[bytes, bytes]], chunks: list[bytes]
) -> tuple[int, dict[str, Any], int]:
    """Drive the ASGI app directly, so the declared length may differ from the bytes sent; the
    status, the JSON answer and how many chunks the app pulled."""
    pulled = 0
    answer: dict[str, Any] = {"status": None, "body": b""}

    async def receive() -> dict[str, Any]:
        nonlocal pulled
        if pulled < len(chunks):
            pulled += 1
            return {
                "type": "http.request",
                "body": chunks[pulled - 1],
                "more_body": pulled < len(chunks),
            }
        return {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            answer["status"] = message["status"]
        elif message["type"] == "http.response.body":
            answer["body"] += message.get("body", b"")

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [(b"host", b"test"), *headers],
        "client": ("127.0.0.1", 5000),
        "server": ("test", 80),
    }
    await app(scope, receive, send)
    return answer["status"], json.loads(answer["body"]), pulled


async def test_a_declared_oversized_upload_is_refused_before_reading_it(
    settings: ApiSettings, app_state: AppState
) -> None:
    app = create_app(settings, state=app_state)
    headers = [
        (b"content-type", b"multipart/form-data; boundary=x"),
        (b"content-length", str(100 * 1024 * 1024).encode()),
    ]
    status, body, pulled = await _call(app, "/api/mobile/resumes", headers, [b"--x\r\n"] * 10)
    assert status == 413
    assert body["code"] == "file_too_large"
    assert pulled == 0  # not one byte of the body was read
    json_headers = [
        (b"content-type", b"application/json"),
        (b"content-length", str(64 * 1024 * 1024).encode()),
    ]
    status, body, pulled = await _call(app, "/api/mobile/auth/login", json_headers, [b"{}"])
    assert (status, body["code"], pulled) == (413, "payload_too_large", 0)


async def test_a_chunked_body_stops_being_read_at_the_limit(
    settings: ApiSettings, app_state: AppState
) -> None:
    app = create_app(settings, state=app_state)
    chunk = b"0" * (256 * 1024)
    many = [chunk] * 400  # 100 MiB if it were all read
    part = (
        b'--x\r\nContent-Disposition: form-data; name="file"; filename="cv.pdf"\r\n'
        b"Content-Type: application/pdf\r\n\r\n%PDF-1.4\n"
    )
    headers = [(b"content-type", b"multipart/form-data; boundary=x")]
    status, body, pulled = await _call(app, "/api/mobile/resumes", headers, [part, *many])
    assert status == 413
    assert body["code"] == "file_too_large"
    limit = get_ingestion_settings().max_upload_bytes + MULTIPART_OVERHEAD_BYTES
    assert (pulled - 1) * len(chunk) <= limit + len(chunk)  # the part's header, then data
    # A JSON body the same way (the NUL guard reads those whole: bounded by the same limit).
    status, body, pulled = await _call(
        app, "/api/mobile/auth/login", [(b"content-type", b"application/json")], many
    )
    assert (status, body["code"]) == (413, "payload_too_large")
    assert pulled * len(chunk) <= settings.max_body_bytes + len(chunk)
