"""Read an upload into memory without ever holding more than the limit plus one byte."""

from __future__ import annotations

from collections.abc import AsyncIterable
from typing import Protocol, runtime_checkable

from ingestion.errors import FileTooLarge

CHUNK_BYTES = 64 * 1024


@runtime_checkable
class SupportsRead(Protocol):
    def read(self, size: int = -1, /) -> bytes: ...


@runtime_checkable
class SupportsAsyncRead(Protocol):
    """Starlette's ``UploadFile`` and anything else with ``async read(n)``."""

    async def read(self, size: int = -1, /) -> bytes: ...


def read_limited(stream: SupportsRead, max_bytes: int, *, chunk_bytes: int = CHUNK_BYTES) -> bytes:
    """Read ``stream`` to its end; raise ``FileTooLarge`` once it yields more than ``max_bytes``.

    Never asks the stream for more than ``max_bytes + 1`` bytes in total.
    """
    parts: list[bytes] = []
    total = 0
    while True:
        want = min(chunk_bytes, max_bytes + 1 - total)
        chunk = stream.read(want)
        if not chunk:
            return b"".join(parts)
        # A file object may hand back more than asked for; never keep past the limit.
        chunk = chunk[:want]
        parts.append(chunk)
        total += len(chunk)
        if total > max_bytes:
            raise FileTooLarge(limit_bytes=max_bytes)


async def read_limited_async(
    source: SupportsAsyncRead | AsyncIterable[bytes],
    max_bytes: int,
    *,
    chunk_bytes: int = CHUNK_BYTES,
) -> bytes:
    """Async ``read_limited`` for an object with ``async read(n)`` or an async iterator of chunks.

    With ``read(n)`` at most ``max_bytes + 1`` bytes are requested. An iterator chooses its own
    chunk sizes, so it is stopped at the first chunk that crosses the limit, and what is kept
    never exceeds ``max_bytes + 1`` bytes.
    """
    parts: list[bytes] = []
    total = 0
    if isinstance(source, SupportsAsyncRead):
        while True:
            want = min(chunk_bytes, max_bytes + 1 - total)
            chunk = await source.read(want)
            if not chunk:
                return b"".join(parts)
            chunk = chunk[:want]
            parts.append(chunk)
            total += len(chunk)
            if total > max_bytes:
                raise FileTooLarge(limit_bytes=max_bytes)
    iterator = aiter(source)
    try:
        async for chunk in iterator:
            keep = chunk[: max_bytes + 1 - total]
            parts.append(keep)
            total += len(keep)
            if total > max_bytes:
                raise FileTooLarge(limit_bytes=max_bytes)
    finally:
        # Tell a generator we are done with it, so it releases what it holds.
        aclose = getattr(iterator, "aclose", None)
        if aclose is not None:
            await aclose()
    return b"".join(parts)
