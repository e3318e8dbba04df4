"""The parse worker's own rules, checked in this process."""

from __future__ import annotations

import resource

import pytest

from ingestion.extract.worker import apply_limits, handle
from ingestion.settings import IngestionSettings
from tests.ingestion.fixtures import documents

pytestmark = pytest.mark.unit


def test_unexpected_failures_are_hidden(monkeypatch: pytest.MonkeyPatch) -> None:
    """A parser bug answers a plain sentence and retires the worker, never a traceback."""
    import ingestion.extract.core as core

    def broken(*_: object, **__: object) -> None:
        raise RuntimeError("secret internals at /srv/app/parser.py line 12")

    monkeypatch.setattr(core, "extract_in_process", broken)
    reply = handle(b"%PDF-1.4", IngestionSettings().model_dump())
    assert reply["exit"] is True
    assert reply["error"]["type"] == "CorruptDocument"
    assert "secret" not in reply["error"]["message"]
    assert reply["error"]["message"] == "The document is damaged and could not be read"


def test_document_errors_are_answered_by_type_and_code() -> None:
    reply = handle(documents.encrypted_pdf(), IngestionSettings().model_dump())
    assert reply == {
        "error": {
            "type": "EncryptedDocument",
            "code": "encrypted_document",
            "message": "This PDF is password-protected; upload an unprotected copy",
        }
    }


def test_cpu_allowance_is_on_top_of_what_the_process_used(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: dict[int, tuple[int, int]] = {}
    monkeypatch.setattr(
        resource, "setrlimit", lambda which, limits: calls.__setitem__(which, limits)
    )
    apply_limits(memory_mb=300, cpu_s=7)
    used = resource.getrusage(resource.RUSAGE_SELF)
    assert calls[resource.RLIMIT_AS][0] == 300 * 1024 * 1024
    assert calls[resource.RLIMIT_CPU][0] >= int(used.ru_utime + used.ru_stime) + 7
