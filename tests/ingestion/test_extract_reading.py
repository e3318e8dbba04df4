"""Reading an upload stops one byte past the limit, whatever the stream would still give."""

from __future__ import annotations

import io
from collections.abc import AsyncIterator

import pytest
from starlette.datastructures import UploadFile

from ingestion.errors import FileTooLarge
from ingestion.extract import read_limited, read_limited_async

pytestmark = pytest.mark.unit

HUNDRED_MB = 100 * 1024 * 1024
LIMIT = 2 * 1024 * 1024


class EndlessStream:
    """A file object that would hand out 100 MB, counting what it was asked for."""

    def __init__(self, size: int = HUNDRED_MB) -> None:
        self.left = size
        self.consumed = 0

    def read(self, size: int = -1, /) -> bytes:
        n = self.left if size < 0 else min(size, self.left)
        self.left -= n
        self.consumed += n
        return b"x" * n


class AsyncEndlessStream(EndlessStream):
    async def read(self, size: int = -1, /) -> bytes:  # type: ignore[override]
        return EndlessStream.read(self, size)


def test_sync_read_stops_one_byte_past_the_limit() -> None:
    stream = EndlessStream()
    with pytest.raises(FileTooLarge) as caught:
        read_limited(stream, LIMIT)
    assert stream.consumed == LIMIT + 1
    assert caught.value.code == "file_too_large"
    assert caught.value.limit_bytes == LIMIT
    assert "2 MB" in caught.value.message


def test_sync_read_returns_everything_up_to_the_limit() -> None:
    assert read_limited(EndlessStream(LIMIT), LIMIT) == b"x" * LIMIT
    assert read_limited(io.BytesIO(b"%PDF-1.7 small"), LIMIT) == b"%PDF-1.7 small"
    assert read_limited(io.BytesIO(b""), LIMIT) == b""


async def test_async_read_n_stops_one_byte_past_the_limit() -> None:
    stream = AsyncEndlessStream()
    with pytest.raises(FileTooLarge):
        await read_limited_async(stream, LIMIT)
    assert stream.consumed == LIMIT + 1


async def test_async_read_of_a_starlette_upload() -> None:
    upload = UploadFile(file=io.BytesIO(b"y" * (LIMIT + 10)), filename="cv.pdf")
    with pytest.raises(FileTooLarge):
        await read_limited_async(upload, LIMIT)
    assert upload.file.tell() == LIMIT + 1
    small = UploadFile(file=io.BytesIO(b"plain text CV"), filename="cv.pdf")
    assert await read_limited_async(small, LIMIT) == b"plain text CV"


async def test_async_chunk_iterator_is_stopped_at_the_chunk_crossing_the_limit() -> None:
    chunk = 64 * 1024
    yielded = 0
    closed = False

    async def body() -> AsyncIterator[bytes]:
        nonlocal yielded, closed
        try:
            while yielded < HUNDRED_MB:
                yielded += chunk
                yield b"z" * chunk
        finally:
            closed = True

    with pytest.raises(FileTooLarge):
        await read_limited_async(body(), LIMIT)
    # 2 MiB is 32 chunks exactly; the 33rd crosses the limit and nothing after it is pulled.
    assert yielded == LIMIT + chunk
    assert closed


async def test_async_chunk_iterator_under_the_limit_is_joined() -> None:
    async def body() -> AsyncIterator[bytes]:
        for part in (b"Layla ", b"Haddad"):
            yield part

    assert await read_limited_async(body(), LIMIT) == b"Layla Haddad"
