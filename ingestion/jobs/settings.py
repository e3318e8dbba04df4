"""Settings of the job-feed ingestion (environment variables ``TABASHIR_FEED_*``)."""

from __future__ import annotations

from functools import lru_cache

from pydantic import BaseModel, Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class FeedSource(BaseModel):
    """A feed synced on schedule or by ``/api/mobile/sync-jobs``."""

    url: str
    #: CSV column mapping, our field -> their column (see docs/job-feeds.md).
    mapping: dict[str, str] | None = None


class FeedSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="TABASHIR_FEED_", env_file=".env", extra="ignore")

    #: Seconds one HTTP attempt may take, connect to last byte.
    http_timeout_s: float = Field(default=20.0, gt=0)
    #: Further attempts after a timeout, a connection error, a 429 or a 5xx.
    http_retries: int = Field(default=3, ge=0, le=10)
    #: First pause between attempts; doubles each time (a server's Retry-After wins, capped).
    http_backoff_s: float = Field(default=0.5, ge=0)
    #: Largest feed accepted, per HTTP page or file, in bytes.
    max_bytes: int = Field(default=20 * 1024 * 1024, gt=0)
    #: Most pages followed through ``next`` links.
    max_pages: int = Field(default=100, gt=0)
    #: Feed URLs, and every redirect they lead to, must resolve to public addresses: private,
    #: loopback, link-local (cloud metadata), shared and reserved ranges are refused, so a feed
    #: cannot make the server fetch from inside its network. Host names listed here (exactly as
    #: in the URL, e.g. "feeds.internal" or "127.0.0.1") are trusted with internal addresses.
    trusted_internal_hosts: list[str] = Field(default_factory=list)
    #: User-Agent sent to feed servers.
    user_agent: str = "tabashir-feed-reader/0.1"
    #: rapidfuzz token_set_ratio (0-100) of two descriptions at or above which two postings of
    #: one employer, title and city are the same job.
    duplicate_description_ratio: float = Field(default=90.0, ge=0, le=100)
    #: rapidfuzz token_sort_ratio (0-100) of two normalised titles at or above which they match.
    duplicate_title_ratio: float = Field(default=90.0, ge=0, le=100)
    #: Feeds to sync, by source name, as JSON:
    #: ``{"gulf-board": {"url": "https://...", "mapping": {"title": "Job Title"}}}``.
    sources: dict[str, FeedSource] = Field(default_factory=dict)


@lru_cache
def get_feed_settings() -> FeedSettings:
    return FeedSettings()
