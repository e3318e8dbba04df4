"""``extract``: parse an upload in a separate, resource-capped process, never in ours.

A small pool of pre-warmed worker processes (``python -m ingestion.extract.worker``) takes one
document at a time each. The worker caps its own address space and CPU seconds per document;
we enforce the wall-clock limit and kill the worker past it. A worker that dies, times out or
has served ``worker_max_tasks`` documents is replaced at once, so the next upload finds a warm
one. Workers are plain subprocesses (no fork of this multi-threaded process, no re-import of
our ``__main__``), fed bytes over a pipe.
"""

from __future__ import annotations

import asyncio
import atexit
import json
import logging
import math
import os
import select
import signal
import subprocess
import sys
import threading
import time
from collections.abc import AsyncIterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from functools import partial
from pathlib import Path
from typing import Any

from ingestion.errors import (
    ERRORS_BY_NAME,
    ExtractionUnavailable,
    FileTooLarge,
    IngestionError,
    ParseResourceExceeded,
    ParseTimeout,
)
from ingestion.extract.core import Extraction
from ingestion.extract.protocol import READY, REPLY, REQUEST
from ingestion.extract.sniff import check_file_name, sniff
from ingestion.settings import IngestionSettings, get_ingestion_settings

log = logging.getLogger(__name__)

#: Largest answer read from a worker: far beyond any CV's text, well short of hurting us.
MAX_REPLY_BYTES = 32 * 1024 * 1024
#: How long a fresh worker may take to import its parsers before we give up on it.
START_TIMEOUT_S = 60.0
_PACKAGE_ROOT = str(Path(__file__).resolve().parents[2])


class _Timeout(Exception):
    pass


class _Died(Exception):
    pass


class _TooMuchOutput(Exception):
    pass


class ParseWorker:
    """One worker process and the two pipes to it."""

    def __init__(self) -> None:
        env = dict(os.environ)
        # The worker must import this very checkout of ``ingestion``, wherever we run from.
        env["PYTHONPATH"] = os.pathsep.join(p for p in (_PACKAGE_ROOT, env.get("PYTHONPATH")) if p)
        self.proc = subprocess.Popen(  # our own interpreter and module, no shell
            [sys.executable, "-m", "ingestion.extract.worker"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            bufsize=0,
            env=env,
            close_fds=True,
            # Its own session: a Ctrl-C meant for us (or a signal to our group) spares it.
            start_new_session=True,
        )
        assert self.proc.stdin is not None
        assert self.proc.stdout is not None
        self._in = self.proc.stdin.fileno()
        self._out = self.proc.stdout.fileno()
        os.set_blocking(self._in, False)
        os.set_blocking(self._out, False)
        self.tasks = 0
        self.ready = False

    @property
    def pid(self) -> int:
        return self.proc.pid

    def wait_ready(self, timeout_s: float) -> None:
        if self.ready:
            return
        try:
            signal_byte = self._read_exact(len(READY), time.monotonic() + timeout_s)
        except (_Timeout, _Died) as exc:
            self.kill()
            raise ExtractionUnavailable() from exc
        if signal_byte != READY:
            self.kill()
            raise ExtractionUnavailable()
        self.ready = True

    def request(self, frame: bytes, deadline: float) -> dict[str, Any]:
        """Send one framed request and wait for its reply until ``deadline``."""
        self._write_all(frame, deadline)
        (length,) = REPLY.unpack(self._read_exact(REPLY.size, deadline))
        if length > MAX_REPLY_BYTES:
            raise _TooMuchOutput
        reply: dict[str, Any] = json.loads(self._read_exact(length, deadline))
        return reply

    def _write_all(self, data: bytes, deadline: float) -> None:
        view = memoryview(data)
        poller = select.poll()
        poller.register(self._in, select.POLLOUT)
        while view:
            events = poller.poll(_poll_ms(deadline))
            if not events:
                raise _Timeout
            if any(mask & (select.POLLERR | select.POLLHUP) for _, mask in events):
                raise _Died
            try:
                view = view[os.write(self._in, view) :]
            except BlockingIOError:
                continue
            except (BrokenPipeError, OSError) as exc:
                raise _Died from exc

    def _read_exact(self, n: int, deadline: float) -> bytes:
        parts: list[bytes] = []
        poller = select.poll()
        poller.register(self._out, select.POLLIN)
        while n:
            if not poller.poll(_poll_ms(deadline)):
                raise _Timeout
            try:
                chunk = os.read(self._out, min(n, 1024 * 1024))
            except BlockingIOError:
                continue
            if not chunk:
                raise _Died
            parts.append(chunk)
            n -= len(chunk)
        return b"".join(parts)

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
        self.reap()

    def reap(self, timeout_s: float = 5.0) -> int | None:
        """Wait for the process to end (it just closed its pipe, or was killed); its exit code."""
        try:
            code = self.proc.wait(timeout_s)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            code = self.proc.wait()
        for pipe in (self.proc.stdin, self.proc.stdout):
            if pipe is not None:
                pipe.close()
        return code

    def close(self) -> None:
        """Ask the worker to finish (end of its stdin), kill it if it does not."""
        if self.proc.stdin is not None and not self.proc.stdin.closed:
            self.proc.stdin.close()
        self.reap(timeout_s=2.0)


def _poll_ms(deadline: float) -> int:
    return max(0, math.ceil((deadline - time.monotonic()) * 1000))


def _died_error(code: int | None) -> ParseResourceExceeded:
    if code == -signal.SIGXCPU:
        return ParseResourceExceeded(
            "The document needs more processing time than we allow", code="parse_cpu_exceeded"
        )
    if code == -signal.SIGKILL:
        return ParseResourceExceeded(
            "The document needs more memory to process than we allow",
            code="parse_memory_exceeded",
        )
    return ParseResourceExceeded(
        "The document could not be processed safely", code="parse_worker_crashed"
    )


class ExtractionPool:
    """Up to ``size`` warm workers, each serving one document at a time, thread-safe."""

    def __init__(self, size: int = 2, max_tasks_per_worker: int = 200) -> None:
        self.size = size
        self.max_tasks_per_worker = max_tasks_per_worker
        self._cond = threading.Condition()
        self._idle: list[ParseWorker] = []
        self._live: set[ParseWorker] = set()
        self._closed = False
        self.owner_pid = os.getpid()

    def warm_up(self, *, wait: bool = True) -> None:
        """Start every worker now; with ``wait``, until each has imported its parsers."""
        with self._cond:
            while len(self._live) < self.size and not self._closed:
                worker = ParseWorker()
                self._live.add(worker)
                self._idle.append(worker)
            idle = list(self._idle)
        if wait:
            for worker in idle:
                worker.wait_ready(START_TIMEOUT_S)

    @property
    def pids(self) -> list[int]:
        with self._cond:
            return sorted(w.pid for w in self._live)

    def _acquire(self) -> ParseWorker:
        with self._cond:
            while True:
                if self._closed:
                    raise ExtractionUnavailable()
                if self._idle:
                    worker = self._idle.pop()
                    if worker.proc.poll() is not None:
                        # Died while idle (killed from outside): not this document's fault.
                        self._live.discard(worker)
                        worker.reap()
                        continue
                    break
                if len(self._live) < self.size:
                    worker = ParseWorker()
                    self._live.add(worker)
                    break
                self._cond.wait()
        try:
            worker.wait_ready(START_TIMEOUT_S)
        except ExtractionUnavailable:
            self._release(worker, reuse=False)
            raise
        return worker

    def _release(self, worker: ParseWorker, *, reuse: bool) -> None:
        retire = not reuse or worker.tasks >= self.max_tasks_per_worker
        with self._cond:
            if retire:
                self._live.discard(worker)
                if not self._closed and len(self._live) < self.size:
                    # Start the replacement now: it imports while nobody waits for it.
                    fresh = ParseWorker()
                    self._live.add(fresh)
                    self._idle.append(fresh)
            elif self._closed:
                self._live.discard(worker)
                retire = True
            else:
                self._idle.append(worker)
            self._cond.notify()
        if retire:
            worker.close()

    def run(self, frame: bytes, timeout_s: float) -> dict[str, Any]:
        """One request on a free worker; raises ``ParseTimeout`` or ``ParseResourceExceeded``
        when the worker overran or died, after replacing it."""
        worker = self._acquire()
        try:
            reply = worker.request(frame, time.monotonic() + timeout_s)
        except _Timeout:
            log.warning("parse worker %s killed after %.2f s", worker.pid, timeout_s)
            worker.kill()
            self._release(worker, reuse=False)
            raise ParseTimeout(
                f"The document took too long to process (limit {timeout_s:g} s)"
            ) from None
        except _TooMuchOutput:
            worker.kill()
            self._release(worker, reuse=False)
            raise ParseResourceExceeded(
                "The document holds more text than we accept", code="parse_output_too_large"
            ) from None
        except _Died:
            code = worker.reap()
            log.warning("parse worker %s died with exit code %s", worker.pid, code)
            self._release(worker, reuse=False)
            raise _died_error(code) from None
        except BaseException:
            worker.kill()
            self._release(worker, reuse=False)
            raise
        worker.tasks += 1
        self._release(worker, reuse=not reply.get("exit"))
        return reply

    def close(self) -> None:
        """Stop every worker; the pool refuses work afterwards."""
        with self._cond:
            self._closed = True
            workers = list(self._idle)
            self._idle.clear()
            self._live.difference_update(workers)
            self._cond.notify_all()
        for worker in workers:
            worker.close()


_pool: ExtractionPool | None = None
_pool_lock = threading.Lock()


def get_extraction_pool(settings: IngestionSettings | None = None) -> ExtractionPool:
    """The process-wide pool, created on first use with ``settings``' size."""
    global _pool
    with _pool_lock:
        # A pool inherited through fork belongs to the parent: its pipes are not ours to use.
        if _pool is None or _pool.owner_pid != os.getpid():
            settings = settings or get_ingestion_settings()
            _pool = ExtractionPool(settings.workers, settings.worker_max_tasks)
        return _pool


def shutdown_extraction_pool() -> None:
    """Stop the process-wide pool's workers (app shutdown, end of tests)."""
    global _pool
    with _pool_lock:
        pool, _pool = _pool, None
    if pool is not None and pool.owner_pid == os.getpid():
        pool.close()


atexit.register(shutdown_extraction_pool)


def encode_request(data: bytes, settings: IngestionSettings) -> bytes:
    header = json.dumps(
        {
            "memory_mb": settings.parse_memory_mb,
            "cpu_s": settings.parse_cpu_s,
            "settings": settings.model_dump(mode="json"),
        }
    ).encode("utf-8")
    return REQUEST.pack(len(header), len(data)) + header + data


def decode_reply(reply: dict[str, Any]) -> Extraction:
    if "ok" in reply:
        return Extraction.from_dict(reply["ok"])
    error = reply.get("error") or {}
    cls = ERRORS_BY_NAME.get(str(error.get("type")), IngestionError)
    raise cls(str(error.get("message") or ""), code=str(error.get("code") or "") or None)


def extract(
    data: bytes, settings: IngestionSettings | None = None, *, file_name: str | None = None
) -> Extraction:
    """Text of an uploaded PDF, DOCX or text file, parsed in a sandboxed worker process.
    ``file_name``, when given, must not claim another type than the bytes are.

    Raises an ``IngestionError``: ``FileTooLarge``, ``UnsupportedFileType``,
    ``EncryptedDocument``, ``UnsafeDocument``, ``CorruptDocument``, ``ParseTimeout``,
    ``ParseResourceExceeded`` (or ``ExtractionUnavailable`` if no worker can start). Blocking:
    from async code use ``extract_async``.
    """
    settings = settings or get_ingestion_settings()
    if len(data) > settings.max_upload_bytes:
        raise FileTooLarge(limit_bytes=settings.max_upload_bytes)
    kind = sniff(data)  # refuse what is no document here; no worker needs to see it
    check_file_name(kind, file_name)
    reply = get_extraction_pool(settings).run(
        encode_request(data, settings), settings.parse_timeout_s
    )
    return decode_reply(reply)


#: Threads that wait on parse workers. Their own pool, not the event loop's default one: a
#: thread waits as long as a parse takes (up to the timeout), and a burst of uploads must never
#: hold every thread that password hashing, DNS or file reads need.
EXTRACT_THREADS = 8
_executor: ThreadPoolExecutor | None = None
_executor_lock = threading.Lock()


def extraction_executor() -> ThreadPoolExecutor:
    global _executor
    with _executor_lock:
        if _executor is None:
            _executor = ThreadPoolExecutor(EXTRACT_THREADS, thread_name_prefix="extract")
        return _executor


class _OwnerGates:
    """At most ``per_owner`` documents of one owner (a user) are parsed at once; the rest of
    that owner's uploads wait their turn, so one person's burst cannot take every worker while
    other people's single uploads queue behind it."""

    def __init__(self, per_owner: int) -> None:
        self.per_owner = per_owner
        self._gates: dict[object, tuple[asyncio.Semaphore, int]] = {}

    @asynccontextmanager
    async def hold(self, owner: object | None) -> AsyncIterator[None]:
        if owner is None:
            yield
            return
        gate, users = self._gates.get(owner, (asyncio.Semaphore(self.per_owner), 0))
        self._gates[owner] = (gate, users + 1)
        try:
            async with gate:
                yield
        finally:
            gate, users = self._gates[owner]
            if users <= 1:
                del self._gates[owner]
            else:
                self._gates[owner] = (gate, users - 1)


PARSES_PER_OWNER = 1
_owner_gates = _OwnerGates(PARSES_PER_OWNER)


async def extract_async(
    data: bytes,
    settings: IngestionSettings | None = None,
    *,
    file_name: str | None = None,
    owner: object | None = None,
) -> Extraction:
    """``extract`` on the extraction threads, so the event loop keeps serving while a worker
    parses; ``owner`` (a user id) queues one person's documents behind each other."""
    loop = asyncio.get_running_loop()
    async with _owner_gates.hold(owner):
        return await loop.run_in_executor(
            extraction_executor(), partial(extract, data, settings, file_name=file_name)
        )
