"""The API's own documentation: declared security, the real 422 body, and pages that load every
file from this server (a browser without internet renders them)."""

from __future__ import annotations

import re

import httpx
import pytest

pytestmark = pytest.mark.integration


async def test_openapi_declares_how_each_operation_authenticates(
    client: httpx.AsyncClient,
) -> None:
    doc = (await client.get("/openapi.json")).json()
    schemes = doc["components"]["securitySchemes"]
    assert schemes["bearerAuth"] == {
        "type": "http",
        "scheme": "bearer",
        "bearerFormat": "JWT",
        "description": schemes["bearerAuth"]["description"],
    }
    assert (schemes["apiToken"]["in"], schemes["apiToken"]["name"]) == ("header", "X-API-TOKEN")
    paths = doc["paths"]
    assert paths["/api/mobile/me"]["get"]["security"] == [
        {"bearerAuth": []},
        {"sessionCookie": []},
    ]
    # Services or people: any one of the three.
    assert {"apiToken": []} in paths["/api/v1/resume/jobs"]["get"]["security"]
    assert {"bearerAuth": []} in paths["/api/v1/resume/jobs"]["get"]["security"]
    # Open routes declare nothing.
    assert "security" not in paths["/health"]["get"]
    assert "security" not in paths["/api/mobile/auth/login"]["post"]


async def test_the_documented_422_body_is_the_one_returned(
    client: httpx.AsyncClient, api_headers: dict[str, str]
) -> None:
    doc = (await client.get("/openapi.json")).json()
    ref = doc["paths"]["/api/v1/resume/jobs"]["get"]["responses"]["422"]["content"][
        "application/json"
    ]["schema"]["$ref"]
    schema = doc["components"]["schemas"][ref.rsplit("/", 1)[-1]]
    returned = (await client.get("/api/v1/resume/jobs?page=0", headers=api_headers)).json()
    assert set(schema["required"]) <= set(returned)
    assert set(returned) <= set(schema["properties"])
    assert set(returned["detail"][0]) == set(schema["properties"]["detail"]["items"]["properties"])


@pytest.mark.parametrize("page", ["/docs", "/redoc"])
async def test_docs_pages_load_every_file_from_this_server(
    client: httpx.AsyncClient, page: str
) -> None:
    html = await client.get(page)
    assert html.status_code == 200
    urls = re.findall(r"""(?:src|href)\s*=\s*["']([^"']+)["']""", html.text)
    urls += re.findall(r"""url:\s*['"]([^'"]+)['"]""", html.text)  # the document itself
    assert urls
    assert "://" not in html.text.replace("http://test", ""), "nothing from another host"
    for url in urls:
        assert url.startswith("/"), url
        fetched = await client.get(url)
        assert fetched.status_code == 200, url
    scripts = [u for u in urls if u.endswith(".js")]
    assert scripts
    for script in scripts:
        body = await client.get(script)
        assert "javascript" in body.headers["content-type"]
        assert len(body.content) > 100_000  # the real bundle, not a stub
