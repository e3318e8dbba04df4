"""Settings of applying (environment variables ``TABASHIR_APPLY_*``)."""

from __future__ import annotations

from functools import lru_cache

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class ApplySettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="TABASHIR_APPLY_", env_file=".env", extra="ignore")

    #: Bulk (AI) apply applies only to jobs scoring at least this (0-1) for the CV: 0.6 is about
    #: two spreads above an average pair on the score's scale (set by judgement, not fitted).
    min_match_score: float = Field(default=0.6, ge=0, le=1)
    #: Applications one candidate may make per calendar day (TABASHIR_JOBS_TIME_ZONE), all kinds.
    daily_quota: int = Field(default=25, ge=1, le=10_000)
    #: Most applications one bulk request makes.
    bulk_max_jobs: int = Field(default=10, ge=1, le=100)
    #: Jobs retrieved per location group before filtering, for one bulk request.
    bulk_pool: int = Field(default=100, ge=1, le=1000)
    #: aiJobApplyCount credits one AI application spends.
    ai_credit_cost: int = Field(default=1, ge=1, le=100)
    #: rapidfuzz token_set_ratio (0-100) a job title needs with one of the requested positions.
    position_title_ratio: float = Field(default=60.0, ge=0, le=100)
    #: Most applicants one ranked list scores (the oldest this many applications of a job).
    rank_limit: int = Field(default=1000, ge=1, le=20_000)


@lru_cache
def get_apply_settings() -> ApplySettings:
    return ApplySettings()
