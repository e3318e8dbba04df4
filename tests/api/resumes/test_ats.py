"""The ATS services at /api/v1/resume/resume/* (X-API-TOKEN): format a file or text, parse to
the structured CV, render JSON to DOCX, translate.

Where a language model is needed, the provider is faked at the HTTP boundary
(``FakeProvider``: an ``httpx.MockTransport`` under the real SDK): no local server speaks for one.
"""

from __future__ import annotations

import io

import httpx
import pytest
from docx import Document

from api.integrations.llm import LlmClient
from ingestion.cv_parser import parse_cv
from ingestion.extract import extract_in_process
from ingestion.render import render_docx
from tests.api.resumes.support import FakeProvider, prefixing_translator
from tests.fixtures.users import TEST_API_TOKEN, assert_error

pytestmark = pytest.mark.integration

BASE = "/api/v1/resume/resume"
TOKEN = {"X-API-TOKEN": TEST_API_TOKEN}
CV = """Amal Haddad
Senior Data Analyst | Dubai, UAE
Email: amal.haddad@example.com | Phone: 050 123 4567

SUMMARY
Data analyst with 8 years of experience in SQL and Python.

EXPERIENCE
Senior Data Analyst — Falcon Analytics LLC
Jan 2020 – Present
- Built dashboards in Power BI

EDUCATION
Bachelor of Science in Statistics — American University of Sharjah, 2014

SKILLS
SQL, Python, Power BI
"""
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _docx_input() -> bytes:
    return render_docx(parse_cv(CV))


async def test_every_route_needs_the_api_token(client: httpx.AsyncClient) -> None:
    for path in ("/format", "/format-from-raw", "/format-cv-object", "/generate-docx-from-json"):
        assert_error(await client.post(f"{BASE}{path}"), 401, "invalid_api_token")
    assert_error(await client.post(f"{BASE}/translate", headers={"X-API-TOKEN": "wrong"}), 401)


async def test_format_a_file_regular(client: httpx.AsyncClient) -> None:
    response = await client.post(
        f"{BASE}/format",
        headers=TOKEN,
        files={"file": ("cv.docx", _docx_input(), DOCX)},
        data={"output_language": "regular"},
    )
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == DOCX
    assert response.headers["x-output-language"] == "en"
    document = Document(io.BytesIO(response.content))
    assert document.tables == []  # no layout tables
    styles = [p.style.name for p in document.paragraphs if p.style is not None]
    assert styles.count("Heading 1") == 4  # summary, experience, education, skills
    text = extract_in_process(response.content).text
    assert "amal.haddad@example.com" in text
    assert "Senior Data Analyst — Falcon Analytics LLC" in text


async def test_arabic_without_a_model_says_it_is_not_translated(client: httpx.AsyncClient) -> None:
    response = await client.post(
        f"{BASE}/format",
        headers=TOKEN,
        files={"file": ("cv.txt", CV.encode(), "text/plain")},
        data={"output_language": "arabic", "output_format": "pdf"},
    )
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/pdf"
    assert response.headers["x-output-language"] == "ar"
    assert response.headers["x-content-translated"] == "false"
    assert "not translated" in response.headers["x-translation-note"]
    text = extract_in_process(response.content).text
    assert "الخبرات العملية" in text
    assert "Falcon Analytics LLC" in text


async def test_arabic_with_a_model_translates(
    client: httpx.AsyncClient, llm_holder: dict[str, LlmClient]
) -> None:
    provider = FakeProvider(prefixing_translator("ترجمة "))  # fake provider (module docstring)
    llm_holder["client"] = provider.client()
    response = await client.post(
        f"{BASE}/format-from-raw",
        headers=TOKEN,
        json={"text": CV, "output_language": "arabic", "output_format": "docx"},
    )
    assert response.status_code == 200, response.text
    assert response.headers["x-content-translated"] == "true"
    assert "x-translation-note" not in response.headers
    text = extract_in_process(response.content).text
    assert "ترجمة Data analyst with 8 years" in text
    assert provider.requests


async def test_format_cv_object_from_file_or_text(client: httpx.AsyncClient) -> None:
    from_file = await client.post(
        f"{BASE}/format-cv-object", headers=TOKEN, files={"file": ("cv.docx", _docx_input(), DOCX)}
    )
    from_text = await client.post(f"{BASE}/format-cv-object", headers=TOKEN, data={"text": CV})
    assert from_file.status_code == 200, from_file.text
    assert from_text.status_code == 200, from_text.text
    for cv in (from_file.json(), from_text.json()):
        assert cv["personal"]["email"] == "amal.haddad@example.com"
        assert cv["employment"][0]["company"] == "Falcon Analytics LLC"
        assert cv["education"][0]["level"] == "bachelor"
    assert_error(await client.post(f"{BASE}/format-cv-object", headers=TOKEN), 400, "cv_missing")
    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
    refused = await client.post(
        f"{BASE}/format-cv-object", headers=TOKEN, files={"file": ("a.png", png, "image/png")}
    )
    assert_error(refused, 415)


async def test_generate_docx_from_json(client: httpx.AsyncClient) -> None:
    cv = parse_cv(CV).model_dump(mode="json")
    bare = await client.post(f"{BASE}/generate-docx-from-json", headers=TOKEN, json=cv)
    assert bare.status_code == 200, bare.text
    assert "Falcon Analytics LLC" in extract_in_process(bare.content).text
    wrapped = await client.post(
        f"{BASE}/generate-docx-from-json",
        headers=TOKEN,
        json={"cv": cv, "output_language": "arabic"},
    )
    assert wrapped.status_code == 200
    assert wrapped.headers["x-output-language"] == "ar"
    assert "التعليم" in extract_in_process(wrapped.content).text
    invalid = await client.post(
        f"{BASE}/generate-docx-from-json", headers=TOKEN, json={"personal": {"country": "UAE"}}
    )
    body = assert_error(invalid, 422, "validation_error")
    assert body["detail"][0]["field"] == "personal.country"


async def test_translate_route(client: httpx.AsyncClient, llm_holder: dict[str, LlmClient]) -> None:
    refused = await client.post(f"{BASE}/translate", headers=TOKEN, data={"text": CV})
    assert_error(refused, 503, "llm_not_configured")
    provider = FakeProvider(prefixing_translator())  # fake provider (module docstring)
    llm_holder["client"] = provider.client()
    response = await client.post(
        f"{BASE}/translate", headers=TOKEN, data={"text": CV, "output_format": "json"}
    )
    assert response.status_code == 200, response.text
    cv = response.json()
    assert cv["language"] == "ar"
    assert cv["personal"]["phone"] == "050 123 4567"
    assert cv["employment"][0]["title"] == "محلل بيانات أول"  # the glossary's, with seniority
