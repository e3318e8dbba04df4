"""Settings owned by the ingestion layer (environment variables prefixed ``TABASHIR_INGEST_``)."""

from __future__ import annotations

from functools import lru_cache
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

MIB = 1024 * 1024


class IngestionSettings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="TABASHIR_INGEST_", env_file=".env", extra="ignore", frozen=True
    )

    #: Largest upload accepted, in bytes; reading stops one byte past it.
    max_upload_bytes: int = Field(default=2 * MIB, gt=0)
    #: Wall-clock seconds one document may spend in a parse worker before it is killed.
    parse_timeout_s: float = Field(default=10.0, gt=0)
    #: CPU seconds one document may use in a parse worker (RLIMIT_CPU; whole seconds).
    parse_cpu_s: int = Field(default=10, gt=0)
    #: Address-space cap of a parse worker in MiB (RLIMIT_AS), interpreter (~70 MiB) included.
    parse_memory_mb: int = Field(default=512, gt=0)
    #: DOCX (zip) archives: most entries, most inflated bytes, highest compression ratio.
    docx_max_entries: int = Field(default=500, gt=0)
    docx_max_inflated_bytes: int = Field(default=50 * MIB, gt=0)
    docx_max_ratio: float = Field(default=100.0, gt=1)
    #: Most characters of text kept from one document; the rest is cut at a line break. The
    #: 310 real CVs of resume-ner-dotin run to 3,394 characters at the median, 32,176 at the
    #: 99th percentile and 63,249 at most; 100,000 keeps every real CV whole and matches the
    #: most CV text the API takes as a form field, while a 1.7 MB DOCX that expands to 12 MB of
    #: text no longer is stored, indexed and returned on every read.
    max_text_chars: int = Field(default=100_000, ge=1000)
    #: Parse worker processes kept warm, and documents each handles before it is replaced.
    workers: int = Field(default=2, gt=0)
    worker_max_tasks: int = Field(default=200, gt=0)
    #: Which CV parser ``parse_cv`` runs: the trained span model with the exact rules
    #: (``model``) or the rule parser alone (``rules``, kept for comparison).
    cv_parser: Literal["model", "rules"] = "model"
    #: Link the model's skill spans the taxonomy does not name to the nearest ESCO label with
    #: the sentence encoder (:mod:`ingestion.skill_linking`). Off by default: it loads the
    #: encoder in the parsing process and embeds each CV's unresolved skill phrases.
    skill_linking: bool = False


@lru_cache
def get_ingestion_settings() -> IngestionSettings:
    return IngestionSettings()
