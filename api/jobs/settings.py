"""Settings of the jobs domain (environment variables ``TABASHIR_JOBS_*``)."""

from __future__ import annotations

from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class JobsSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="TABASHIR_JOBS_", env_file=".env", extra="ignore")

    #: Calendar statistics (months, days, "today") are bucketed in this IANA time zone.
    time_zone: str = "Asia/Dubai"
    #: Longest range /monthly-count accepts, in months.
    max_month_range: int = Field(default=120, ge=1, le=1200)

    @field_validator("time_zone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {value!r}") from exc
        return value


@lru_cache
def get_jobs_settings() -> JobsSettings:
    return JobsSettings()
