"""Job ingestion: feed readers (JSON, CSV, HTTP), field normalisers, and the upsert pipeline
with fuzzy duplicate merging. See docs/job-feeds.md for the feed schema."""

from ingestion.jobs.errors import FeedError, FeedTooLarge, FeedUnavailable, FeedUnreadable
from ingestion.jobs.feeds import (
    FEED_FIELDS,
    FeedRow,
    JobFeedItem,
    ParsedFeed,
    RowError,
    SalaryParts,
    fetch_http,
    load_mapping,
    parse_records,
    read_csv,
    read_json,
)
from ingestion.jobs.normalise import (
    CityRef,
    SalaryRange,
    normalise_city,
    parse_experience,
    parse_job_type,
    parse_salary,
    parse_work_mode,
    split_requirements,
)
from ingestion.jobs.pipeline import (
    DuplicateAlias,
    IngestReport,
    NormalisedJob,
    SkillNormaliser,
    ingest_jobs,
    normalise_item,
)
from ingestion.jobs.settings import FeedSettings, FeedSource, get_feed_settings
from ingestion.jobs.sync import SourceResult, sync_sources

__all__ = [
    "FEED_FIELDS",
    "CityRef",
    "DuplicateAlias",
    "FeedError",
    "FeedRow",
    "FeedSettings",
    "FeedSource",
    "FeedTooLarge",
    "FeedUnavailable",
    "FeedUnreadable",
    "IngestReport",
    "JobFeedItem",
    "NormalisedJob",
    "ParsedFeed",
    "RowError",
    "SalaryParts",
    "SalaryRange",
    "SkillNormaliser",
    "SourceResult",
    "fetch_http",
    "get_feed_settings",
    "ingest_jobs",
    "load_mapping",
    "normalise_city",
    "normalise_item",
    "parse_experience",
    "parse_job_type",
    "parse_records",
    "parse_salary",
    "parse_work_mode",
    "read_csv",
    "read_json",
    "split_requirements",
    "sync_sources",
]
