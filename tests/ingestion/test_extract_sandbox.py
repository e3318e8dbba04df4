"""``extract``: the same results as in-process parsing, from capped worker processes that are
killed on overrun and replaced, so one hostile file never takes the service with it."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest

from ingestion.errors import (
    EncryptedDocument,
    FileTooLarge,
    ParseResourceExceeded,
    ParseTimeout,
    UnsafeDocument,
    UnsupportedFileType,
)
from ingestion.extract import (
    extract,
    extract_async,
    extract_in_process,
    get_extraction_pool,
    shutdown_extraction_pool,
)
from ingestion.settings import IngestionSettings
from tests.ingestion.fixtures import documents

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module", autouse=True)
def warm_pool() -> Iterator[None]:
    get_extraction_pool().warm_up()
    yield
    shutdown_extraction_pool()


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def test_sandbox_gives_what_in_process_parsing_gives(
    english_pdf: bytes, arabic_pdf: bytes, cv_docx: bytes
) -> None:
    for data in (english_pdf, arabic_pdf, cv_docx, "سارة\nSoftware Engineer".encode()):
        assert extract(data) == extract_in_process(data)
    arabic = extract(arabic_pdf)
    assert "مهندس برمجيات name@example.com +971 50 123 4567" in arabic.text.split("\n")
    scanned = extract(documents.scanned_pdf())
    assert scanned.status == "needs_ocr"
    assert scanned.text == ""


def test_document_errors_cross_the_process_boundary_typed() -> None:
    with pytest.raises(EncryptedDocument) as encrypted:
        extract(documents.encrypted_pdf())
    assert encrypted.value.message == "This PDF is password-protected; upload an unprotected copy"
    with pytest.raises(UnsafeDocument) as bomb:
        extract(documents.zip_bomb_docx())
    assert bomb.value.code == "zip_ratio"
    with pytest.raises(UnsafeDocument) as overlap:
        extract(documents.overlapping_zip())
    assert overlap.value.code == "zip_overlapping_entries"


def test_refused_types_and_sizes_never_reach_a_worker(english_pdf: bytes) -> None:
    pool = get_extraction_pool()
    before = pool.pids
    with pytest.raises(UnsupportedFileType):
        extract(documents.png_bytes())
    with pytest.raises(FileTooLarge):
        extract(english_pdf, IngestionSettings(max_upload_bytes=1000))
    assert pool.pids == before


def test_wall_timeout_kills_the_worker_and_the_pool_carries_on(
    heavy_pdf: bytes, english_pdf: bytes
) -> None:
    pool = get_extraction_pool()
    before = set(pool.pids)
    with pytest.raises(ParseTimeout) as caught:
        extract(heavy_pdf, IngestionSettings(parse_timeout_s=0.05))
    assert caught.value.code == "parse_timeout"
    killed = before - set(pool.pids)
    assert len(killed) == 1
    assert not _alive(killed.pop())
    # A fresh worker took its place; the next upload is served.
    assert len(pool.pids) == pool.size
    assert "Layla Haddad" in extract(english_pdf).text


def test_memory_cap_ends_a_decompression_bomb(english_pdf: bytes) -> None:
    # Four Flate streams of 70 MB of spaces each, 290 KB on disk.
    bomb = documents.pdf_bomb(streams=4, inflated_mb=70)
    with pytest.raises(ParseResourceExceeded) as caught:
        extract(bomb, IngestionSettings(parse_memory_mb=160))
    assert caught.value.code == "parse_memory_exceeded"
    assert "memory" in caught.value.message
    assert extract(english_pdf).status == "ok"


def test_cpu_cap_ends_a_long_parse(heavy_pdf: bytes, english_pdf: bytes) -> None:
    with pytest.raises(ParseResourceExceeded) as caught:
        extract(heavy_pdf, IngestionSettings(parse_cpu_s=1, parse_timeout_s=60))
    assert caught.value.code == "parse_cpu_exceeded"
    assert extract(english_pdf).status == "ok"


def test_workers_are_reused_then_recycled(english_pdf: bytes) -> None:
    pool = get_extraction_pool()
    pool.warm_up()
    before = set(pool.pids)
    for _ in range(4):
        extract(english_pdf)
    assert set(pool.pids) == before  # warm workers served them all
    saved, pool.max_tasks_per_worker = pool.max_tasks_per_worker, 1
    try:
        extract(english_pdf)
    finally:
        pool.max_tasks_per_worker = saved
    assert set(pool.pids) != before


def test_concurrent_uploads(english_pdf: bytes, cv_docx: bytes, arabic_pdf: bytes) -> None:
    uploads = [english_pdf, cv_docx, arabic_pdf] * 4
    with ThreadPoolExecutor(max_workers=6) as threads:
        results = list(threads.map(extract, uploads))
    assert [r.kind for r in results] == ["pdf", "docx", "pdf"] * 4
    assert all(r.status == "ok" for r in results)


async def test_extract_async_keeps_the_loop_free(english_pdf: bytes) -> None:
    ticks = 0

    async def ticker() -> None:
        nonlocal ticks
        while True:
            ticks += 1
            await asyncio.sleep(0.001)

    task = asyncio.create_task(ticker())
    try:
        extraction = await extract_async(english_pdf)
    finally:
        task.cancel()
    assert extraction.pages == 2
    assert ticks > 1
