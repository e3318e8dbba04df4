"""CV management at /api/mobile/resumes: upload through the sandboxed extractor, idempotency,
ownership (another user's CV is a 404), recruiter access, duplicate, edit, delete, export."""

from __future__ import annotations

import io
import uuid
import zipfile
from collections.abc import Callable
from functools import lru_cache
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from pypdf import PdfReader
from reportlab.pdfgen import canvas
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from api.integrations.storage import LocalStorage, StoredFileMissing
from api.resumes.settings import CvSettings, get_cv_settings
from api.resumes.tasks import delete_stored_file
from ingestion.cv_parser import parse_cv
from ingestion.extract import extract_in_process
from ingestion.render import DOCX_MIME, render_docx, render_pdf
from models import Job, JobApplication, Resume, Task, User
from models.cv_services import ResumeDerivation
from models.enums import UserType
from tests.api.resumes.support import UserFactory
from tests.fixtures.users import assert_cross_user_404, assert_error

pytestmark = pytest.mark.integration

Headers = Callable[[User], dict[str, str]]
BASE = "/api/mobile/resumes"
EN_CV = """Joseph Sharma
Financial Controller | Sharjah, United Arab Emirates
Email: joseph.sharma@example.com | Phone: +971 52 758 2962

SUMMARY
Financial Controller with 14 years of experience in finance and accounting.

EXPERIENCE
Financial Controller — Gulf Horizon Bank
Feb 2021 – Present
- Responsibilities: evaluate budgets; enforce financial policies
- Tools: SAP, Microsoft Excel

Treasurer — Deccan Softworks Pvt Ltd
Dec 2011 – Dec 2020
- Responsibilities: create a financial plan

EDUCATION
Bachelor's degree in Accounting — Westmoor University, 2011

SKILLS
financial statements, SAP, Microsoft Excel

LANGUAGES
Hindi — Native
English — Fluent
"""


@lru_cache(maxsize=1)
def cv_pdf() -> bytes:
    """A real text PDF of the CV, made by our own renderer."""
    return render_pdf(parse_cv(EN_CV))


def files(data: bytes, name: str = "cv.pdf", mime: str = "application/pdf") -> dict[str, Any]:
    return {"file": (name, data, mime)}


async def upload(
    client: httpx.AsyncClient, headers: dict[str, str], data: bytes | None = None, **kw: Any
) -> httpx.Response:
    return await client.post(BASE, headers=headers, files=files(data or cv_pdf(), **kw))


async def test_upload_parses_stores_and_queues_embedding(
    client: httpx.AsyncClient,
    user_factory: UserFactory,
    headers_for: Headers,
    storage: LocalStorage,
    session: AsyncSession,
) -> None:
    alice = await user_factory()
    response = await upload(client, headers_for(alice))
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["created"] is True
    assert body["parseStatus"] == "ok"
    assert body["mimeType"] == "application/pdf"
    assert body["origin"] == "upload"
    assert body["parsed"]["personal"]["email"] == "joseph.sharma@example.com"
    assert body["parsed"]["employment"][0]["company"] == "Gulf Horizon Bank"
    assert body["title"] == "Joseph Sharma — Financial Controller"
    assert 0 < body["parseConfidence"] <= 1
    row = await session.get(Resume, body["id"])
    assert row is not None
    assert row.storage_key
    assert await storage.get(row.storage_key) == cv_pdf()
    queued = (await session.execute(select(Task.kind).where(Task.kind == "embed_missing"))).all()
    assert queued


async def test_the_same_file_twice_is_one_resume(
    client: httpx.AsyncClient,
    user_factory: UserFactory,
    headers_for: Headers,
    session: AsyncSession,
) -> None:
    alice = await user_factory()
    first = await upload(client, headers_for(alice))
    again = await upload(client, headers_for(alice), name="renamed.pdf")
    assert first.status_code == 201
    assert again.status_code == 200, again.text
    assert again.json()["created"] is False
    assert again.json()["id"] == first.json()["id"]
    count = await session.scalar(select(func.count()).where(Resume.user_id == alice.id))
    assert count == 1


async def test_size_and_type_limits(
    client: httpx.AsyncClient,
    user_factory: UserFactory,
    headers_for: Headers,
    session: AsyncSession,
) -> None:
    alice = await user_factory()
    too_big = b"%PDF-1.4\n" + b"0" * (2 * 1024 * 1024)
    assert_error(await upload(client, headers_for(alice), too_big), 413, "file_too_large")
    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
    assert_error(
        await upload(client, headers_for(alice), png, name="me.png", mime="image/png"),
        415,
        "unsupported_file_type",
    )
    broken = b"%PDF-1.7\n1 0 obj <<>> garbage"
    response = await upload(client, headers_for(alice), broken)
    assert response.status_code == 422, response.text
    count = await session.scalar(select(func.count()).where(Resume.user_id == alice.id))
    assert count == 0


async def test_only_candidates_upload(
    client: httpx.AsyncClient, user_factory: UserFactory, headers_for: Headers
) -> None:
    recruiter = await user_factory(user_type=UserType.RECRUITER)
    assert_error(await upload(client, headers_for(recruiter)), 403, "wrong_user_type")
    assert_error(await client.post(BASE, files=files(cv_pdf())), 401)


async def test_a_scanned_pdf_is_kept_but_cannot_be_exported(
    client: httpx.AsyncClient, user_factory: UserFactory, headers_for: Headers
) -> None:
    buf = io.BytesIO()
    pdf = canvas.Canvas(buf)
    pdf.rect(50, 50, 200, 200, fill=1)  # a picture, no text
    pdf.save()
    alice = await user_factory()
    response = await upload(client, headers_for(alice), buf.getvalue())
    assert response.status_code == 201, response.text
    assert response.json()["parseStatus"] == "needs_ocr"
    assert response.json()["parsed"] is None
    rid = response.json()["id"]
    exported = await client.post(f"{BASE}/{rid}/export/pdf", headers=headers_for(alice))
    assert_error(exported, 409, "resume_not_parsed")


async def test_list_is_paginated_and_only_mine(
    client: httpx.AsyncClient, user_factory: UserFactory, headers_for: Headers
) -> None:
    alice, bob = await user_factory(), await user_factory()
    for n in range(3):
        text = EN_CV.replace("Joseph Sharma", f"Joseph Sharma {n}").encode()
        r = await upload(client, headers_for(alice), text, name=f"cv{n}.txt", mime="text/plain")
        assert r.status_code == 201, r.text
    await upload(client, headers_for(bob))
    page = await client.get(BASE, params={"limit": 2, "page": 2}, headers=headers_for(alice))
    assert page.status_code == 200
    body = page.json()
    assert body["pagination"] == {"page": 2, "limit": 2, "total": 3, "pages": 2}
    assert len(body["items"]) == 1
    assert all(i["mimeType"] == "text/plain" for i in body["items"])


async def test_another_users_resume_is_a_404_everywhere(
    client: httpx.AsyncClient, user_factory: UserFactory, headers_for: Headers
) -> None:
    alice, bob = await user_factory(), await user_factory()
    owner, other = headers_for(alice), headers_for(bob)
    rid = (await upload(client, owner)).json()["id"]
    for method, path in (
        ("GET", ""),
        ("GET", "/file"),
        ("POST", "/export/pdf"),
        ("POST", "/export/word"),
        ("POST", "/duplicate"),
        ("PATCH", ""),
    ):
        body = {"title": "mine now"} if method == "PATCH" else None
        await assert_cross_user_404(client, method, f"{BASE}/{rid}{path}", owner, other, json=body)
    # Translation is checked before the provider: 404 for the other user, 503 for the owner.
    await assert_cross_user_404(
        client, "POST", f"{BASE}/{rid}/translate", owner, other, owner_status=503
    )
    await assert_cross_user_404(client, "DELETE", f"{BASE}/{rid}", owner, other)
    assert_error(await client.get(f"{BASE}/{rid}", headers=owner), 404, "resume_not_found")


async def _apply(
    session: AsyncSession, candidate: User, recruiter: User, rid: str, **job: Any
) -> None:
    posted = Job(
        title="Finance Manager",
        company="Falcon",
        owner_id=recruiter.id,
        source="test",
        source_id=f"cv-access-{rid}-{job}",
        **job,
    )
    session.add(posted)
    await session.flush()
    session.add(JobApplication(user_id=candidate.id, job_id=posted.id, resume_id=rid))
    await session.commit()


async def test_a_recruiter_reads_only_cvs_sent_to_their_jobs(
    client: httpx.AsyncClient,
    user_factory: UserFactory,
    headers_for: Headers,
    session: AsyncSession,
) -> None:
    alice = await user_factory()
    hiring = await user_factory(user_type=UserType.RECRUITER)
    stranger = await user_factory(user_type=UserType.RECRUITER)
    blind = await user_factory(user_type=UserType.RECRUITER)
    rid = (await upload(client, headers_for(alice))).json()["id"]
    await _apply(session, alice, hiring, rid)
    await _apply(session, alice, blind, rid, blind_review=True)

    seen = await client.get(f"{BASE}/{rid}", headers=headers_for(hiring))
    assert seen.status_code == 200, seen.text
    pdf = await client.post(f"{BASE}/{rid}/export/pdf", headers=headers_for(hiring))
    assert pdf.status_code == 200
    original = await client.get(f"{BASE}/{rid}/file", headers=headers_for(hiring))
    assert original.content == cv_pdf()
    # Reading is all: a recruiter changes nothing.
    assert_error(
        await client.patch(f"{BASE}/{rid}", headers=headers_for(hiring), json={"title": "x"}), 404
    )
    for other in (stranger, blind):
        assert_error(await client.get(f"{BASE}/{rid}", headers=headers_for(other)), 404)


async def test_export_pdf_and_word(
    client: httpx.AsyncClient, user_factory: UserFactory, headers_for: Headers
) -> None:
    alice = await user_factory()
    rid = (await upload(client, headers_for(alice))).json()["id"]
    pdf = await client.post(f"{BASE}/{rid}/export/pdf", headers=headers_for(alice))
    assert pdf.status_code == 200, pdf.text
    assert pdf.headers["content-type"] == "application/pdf"
    assert 'filename="Joseph-Sharma-cv-en.pdf"' in pdf.headers["content-disposition"]
    assert pdf.headers["x-content-type-options"] == "nosniff"
    original = await client.get(f"{BASE}/{rid}/file", headers=headers_for(alice))
    assert original.status_code == 200
    assert original.headers["x-content-type-options"] == "nosniff"
    assert len(PdfReader(io.BytesIO(pdf.content)).pages) == 1
    assert "WORK EXPERIENCE" in extract_in_process(pdf.content).text

    word = await client.post(
        f"{BASE}/{rid}/export/word", headers=headers_for(alice), json={"language": "ar"}
    )
    assert word.status_code == 200, word.text
    assert word.headers["x-content-type-options"] == "nosniff"
    assert word.headers["content-type"].startswith(
        "application/vnd.openxmlformats-officedocument.wordprocessingml"
    )
    text = extract_in_process(word.content).text
    assert "الخبرات العملية" in text  # Arabic headings, the content as written
    assert "Gulf Horizon Bank" in text


async def test_duplicate_edit_and_delete(
    client: httpx.AsyncClient,
    user_factory: UserFactory,
    headers_for: Headers,
    session: AsyncSession,
    storage: LocalStorage,
) -> None:
    alice = await user_factory()
    me = headers_for(alice)
    original = (await upload(client, me)).json()
    rid = original["id"]
    copy = await client.post(f"{BASE}/{rid}/duplicate", headers=me, json={"title": "For banks"})
    assert copy.status_code == 201, copy.text
    dup = copy.json()
    assert dup["id"] != rid
    assert dup["title"] == "For banks"
    assert dup["origin"] == "duplicate"
    assert dup["sourceResumeId"] == rid
    assert dup["parsed"] == original["parsed"]
    derivation = await session.get(ResumeDerivation, dup["id"])
    assert derivation is not None
    assert derivation.kind == "duplicate"

    # Correct the copy's structured CV: its text follows, the original is untouched.
    parsed = dup["parsed"]
    parsed["title"] = "Head of Finance"
    edited = await client.patch(f"{BASE}/{dup['id']}", headers=me, json={"parsed": parsed})
    assert edited.status_code == 200, edited.text
    assert "Head of Finance" in edited.json()["text"]
    assert (await client.get(f"{BASE}/{rid}", headers=me)).json()["parsed"]["title"] == (
        "Financial Controller"
    )
    invalid = await client.patch(
        f"{BASE}/{dup['id']}", headers=me, json={"parsed": {"personal": {"country": "UAE"}}}
    )
    assert_error(invalid, 422, "validation_error")

    # Deleting the original keeps the file the copy still uses; deleting the copy frees it.
    source = await session.get(Resume, rid)
    assert source is not None
    assert source.storage_key
    key = source.storage_key
    assert (await client.delete(f"{BASE}/{rid}", headers=me)).status_code == 204
    assert_error(await client.get(f"{BASE}/{rid}", headers=me), 404)
    queued = await session.scalar(
        select(func.count()).where(
            Task.kind == "delete_stored_file", Task.payload["key"].astext == key
        )
    )
    assert queued == 1
    assert await delete_stored_file(session, storage, key) == {"deleted": False, "reason": "in use"}
    assert (await client.delete(f"{BASE}/{dup['id']}", headers=me)).status_code == 204
    assert await delete_stored_file(session, storage, key) == {"deleted": True}
    with pytest.raises(StoredFileMissing):
        await storage.get(key)


async def test_too_many_resumes(
    client: httpx.AsyncClient, user_factory: UserFactory, headers_for: Headers, app: FastAPI
) -> None:
    app.dependency_overrides[get_cv_settings] = lambda: CvSettings(max_resumes_per_user=1)
    alice = await user_factory()
    assert (await upload(client, headers_for(alice))).status_code == 201
    other = EN_CV.replace("Joseph", "Josef").encode()
    refused = await upload(client, headers_for(alice), other, name="b.txt", mime="text/plain")
    assert_error(refused, 409, "resume_limit_reached")


async def test_a_resume_stored_in_an_older_shape_is_read_from_its_text(
    client: httpx.AsyncClient,
    user_factory: UserFactory,
    headers_for: Headers,
    session: AsyncSession,
) -> None:
    # As the demo loader stores them: its own "parsed" shape, and the CV's text.
    alice = await user_factory()
    legacy = Resume(
        user_id=alice.id,
        title="Demo CV",
        file_name="cv.txt",
        mime_type="text/plain",
        size_bytes=len(EN_CV),
        sha256="0" * 64,
        extracted_text=EN_CV,
        parsed={"personal": {"name": "Joseph"}, "skills": ["SAP"], "education": [{"year": 2011}]},
    )
    session.add(legacy)
    await session.commit()
    detail = await client.get(f"{BASE}/{legacy.id}", headers=headers_for(alice))
    assert detail.status_code == 200, detail.text
    assert detail.json()["parsed"]["personal"]["email"] == "joseph.sharma@example.com"
    pdf = await client.post(f"{BASE}/{legacy.id}/export/pdf", headers=headers_for(alice))
    assert pdf.status_code == 200, pdf.text


async def test_type_confusion_is_refused_and_the_stored_type_is_what_the_bytes_are(
    client: httpx.AsyncClient,
    user_factory: UserFactory,
    headers_for: Headers,
    session: AsyncSession,
) -> None:
    alice = await user_factory()
    headers = headers_for(alice)
    docx = render_docx(parse_cv(EN_CV))
    html = b"<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>"
    svg = b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>'
    macro_docx = _with_part(docx, "word/vbaProject.bin", b"\xd0\xcf\x11\xe0" + bytes(64))
    for data, name, code in (
        (html, "cv.pdf", "unsupported_file_type"),
        (svg, "cv.pdf", "unsupported_file_type"),
        (docx, "cv.pdf", "extension_mismatch"),
        (cv_pdf() + docx, "cv.pdf", "polyglot_file"),
        (macro_docx, "cv.docx", "macros_not_accepted"),
    ):
        refused = await upload(client, headers, data, name=name, mime="application/pdf")
        assert_error(refused, 415, code)
    assert await session.scalar(select(func.count()).where(Resume.user_id == alice.id)) == 0
    # A Word document sent with a PDF Content-Type but a truthful name is stored as Word.
    fine = await upload(client, headers, docx, name="cv.docx", mime="application/pdf")
    assert fine.status_code == 201, fine.text
    stored = await session.get(Resume, uuid.UUID(fine.json()["id"]))
    assert stored is not None
    assert stored.mime_type == DOCX_MIME


def _with_part(docx: bytes, name: str, data: bytes) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(docx)) as src, zipfile.ZipFile(out, "w") as dst:
        for item in src.infolist():
            dst.writestr(item, src.read(item.filename))
        dst.writestr(name, data)
    return out.getvalue()


async def test_uploads_are_rate_limited_per_user(
    client: httpx.AsyncClient, user_factory: UserFactory, headers_for: Headers
) -> None:
    alice, bob = await user_factory(), await user_factory()
    # The same file again is cheap to answer, but each upload still counts.
    for _ in range(10):
        assert (await upload(client, headers_for(alice))).status_code in (200, 201)
    refused = await upload(client, headers_for(alice))
    assert_error(refused, 429, "rate_limited")
    assert 0 < int(refused.headers["retry-after"]) <= 2 * 600  # the sliding window's estimate
    # Another user is not held back by Alice's uploads.
    assert (await upload(client, headers_for(bob))).status_code == 201


async def test_nul_in_a_multipart_field_is_a_422(
    client: httpx.AsyncClient,
    user_factory: UserFactory,
    headers_for: Headers,
    session: AsyncSession,
) -> None:
    alice = await user_factory()
    refused = await client.post(
        BASE, headers=headers_for(alice), files=files(cv_pdf()), data={"title": "My\x00CV"}
    )
    assert_error(refused, 422, "validation_error")
    assert await session.scalar(select(func.count()).where(Resume.user_id == alice.id)) == 0
