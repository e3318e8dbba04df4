"""The parse worker: ``python -m ingestion.extract.worker``, started and fed by ``sandbox``.

It reads framed requests (``protocol``) on stdin, parses each document under the limits the
request names (RLIMIT_AS for memory, RLIMIT_CPU for CPU seconds) and answers one JSON frame on
stdout. Anything else the libraries might print goes to /dev/null, so it cannot corrupt the
frames. It writes ``READY`` once its imports are done.
"""

from __future__ import annotations

import importlib
import json
import logging
import math
import os
import resource
import sys
import warnings
from typing import Any

from ingestion.extract.protocol import READY, REPLY, REQUEST

MIB = 1024 * 1024
PRELOAD = (
    "ingestion.extract.core",
    "ingestion.extract.docx_text",
    "ingestion.extract.pdf_text",
    "pypdf",
    "pypdf._text_extraction",
    "docx",
    "lxml.etree",
    "bidi",
)


def _read_exact(fd: int, n: int) -> bytes | None:
    parts: list[bytes] = []
    while n:
        chunk = os.read(fd, min(n, 1024 * 1024))
        if not chunk:
            return None
        parts.append(chunk)
        n -= len(chunk)
    return b"".join(parts)


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]


def _set_soft_limit(which: int, soft: int) -> None:
    _, hard = resource.getrlimit(which)
    if hard != resource.RLIM_INFINITY:
        soft = min(soft, hard)
    resource.setrlimit(which, (soft, hard))


def apply_limits(memory_mb: int, cpu_s: int) -> None:
    """Cap this process for the next document. RLIMIT_CPU counts the process's whole life, so
    the cap is what it has used so far plus this document's allowance."""
    _set_soft_limit(resource.RLIMIT_AS, memory_mb * MIB)
    usage = resource.getrusage(resource.RUSAGE_SELF)
    _set_soft_limit(resource.RLIMIT_CPU, math.ceil(usage.ru_utime + usage.ru_stime) + cpu_s)


def _error(kind: str, code: str, message: str) -> dict[str, Any]:
    return {"error": {"type": kind, "code": code, "message": message}}


def handle(data: bytes, settings_fields: dict[str, Any]) -> dict[str, Any]:
    """One document → the reply; ``"exit": true`` when this process should not be reused."""
    from ingestion.errors import IngestionError
    from ingestion.extract.core import extract_in_process
    from ingestion.settings import IngestionSettings

    try:
        extraction = extract_in_process(data, IngestionSettings(**settings_fields))
    except IngestionError as exc:
        return _error(type(exc).__name__, exc.code, exc.message)
    except MemoryError:
        reply = _error(
            "ParseResourceExceeded",
            "parse_memory_exceeded",
            "The document needs more memory to process than we allow",
        )
        return reply | {"exit": True}
    except RecursionError:
        return _error(
            "CorruptDocument", "corrupt_document", "The document is nested too deeply to read"
        ) | {"exit": True}
    except Exception:
        # A parser failing on a malformed file: the person gets a plain sentence, never the
        # traceback, and the process is replaced in case the failure left state behind.
        return _error(
            "CorruptDocument", "corrupt_document", "The document is damaged and could not be read"
        ) | {"exit": True}
    return {"ok": extraction.to_dict()}


def main() -> None:
    """Serve requests until stdin closes."""
    out = os.dup(1)
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)
    sys.stdout = sys.stderr
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))  # a SIGXCPU must not leave a core file
    warnings.simplefilter("ignore")
    logging.disable(logging.CRITICAL)  # pypdf narrates every oddity of a hostile file
    # Import everything a document may need now, so the first document pays nothing.
    for module in PRELOAD:
        importlib.import_module(module)
    _write_all(out, READY)
    while True:
        head = _read_exact(0, REQUEST.size)
        if head is None:
            return
        header_len, data_len = REQUEST.unpack(head)
        header_raw = _read_exact(0, header_len)
        data = _read_exact(0, data_len)
        if header_raw is None or data is None:
            return
        header = json.loads(header_raw)
        apply_limits(int(header["memory_mb"]), int(header["cpu_s"]))
        reply = handle(data, header["settings"])
        del data
        body = json.dumps(reply, ensure_ascii=False).encode("utf-8")
        _write_all(out, REPLY.pack(len(body)) + body)
        if reply.get("exit"):
            return


if __name__ == "__main__":
    main()
