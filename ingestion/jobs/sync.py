"""Sync the configured feeds (``TABASHIR_FEED_SOURCES``): fetch each over HTTP, ingest it.

One broken feed never stops the others: its failure is reported with the feed's name.
"""

from __future__ import annotations

from collections.abc import MutableMapping
from dataclasses import dataclass
from typing import Any

import httpx
import structlog
from sqlalchemy.ext.asyncio import AsyncSession

from indexing.embedder import Embedder
from ingestion.jobs.errors import FeedError
from ingestion.jobs.feeds import fetch_http
from ingestion.jobs.pipeline import IngestReport, SkillNormaliser, ingest_jobs
from ingestion.jobs.settings import FeedSettings, get_feed_settings

__all__ = ["SourceResult", "sync_sources"]

log = structlog.get_logger("tabashir.ingestion.jobs")


@dataclass(slots=True)
class SourceResult:
    """What syncing one feed did: a report, "not modified", or an error with its code."""

    source: str
    report: IngestReport | None = None
    not_modified: bool = False
    etag: str | None = None
    error: str | None = None
    code: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "not_modified": self.not_modified,
            "error": self.error,
            "code": self.code,
            **(self.report.as_dict() if self.report is not None else {}),
        }


async def sync_sources(
    session: AsyncSession,
    normaliser: SkillNormaliser,
    embedder: Embedder | None,
    *,
    settings: FeedSettings | None = None,
    etags: MutableMapping[str, str] | None = None,
    client: httpx.AsyncClient | None = None,
) -> list[SourceResult]:
    """Fetch and ingest every configured feed, in name order.

    ``etags`` (source → ETag) is read to send ``If-None-Match`` and updated with the answers,
    so a caller that keeps it between runs skips unchanged feeds. A feed that cannot be
    fetched or read is reported (``error``, ``code``) and the others go on; database errors
    propagate. Never commits.
    """
    settings = settings or get_feed_settings()
    results: list[SourceResult] = []
    for name in sorted(settings.sources):
        source = settings.sources[name]
        try:
            parsed = await fetch_http(
                source.url,
                etag=(etags or {}).get(name),
                mapping=source.mapping,
                settings=settings,
                client=client,
            )
        except FeedError as exc:
            log.warning("feed_sync_failed", source=name, code=exc.code, error=exc.message)
            results.append(SourceResult(name, error=exc.message, code=exc.code))
            continue
        if etags is not None and parsed.etag:
            etags[name] = parsed.etag
        if parsed.not_modified:
            results.append(SourceResult(name, not_modified=True, etag=parsed.etag))
            continue
        report = await ingest_jobs(session, parsed, name, normaliser, embedder, settings=settings)
        results.append(SourceResult(name, report=report, etag=parsed.etag))
    return results
