"""Settings of the CV services (environment variables prefixed ``TABASHIR_CV_``)."""

from __future__ import annotations

from functools import lru_cache

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from models.enums import CreditType


class CvSettings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="TABASHIR_CV_", env_file=".env", extra="ignore", frozen=True
    )

    #: Most CVs (uploads, duplicates, translations) one user may keep.
    max_resumes_per_user: int = Field(default=50, gt=0)
    #: Longest CV text sent for translation or AI rewriting, in characters.
    max_llm_chars: int = Field(default=30_000, gt=0)
    #: Credits charged on success for a translation or an AI-built CV; unset: free.
    credit_type: CreditType | None = None
    translate_credit_cost: int = Field(default=1, ge=0)
    ai_resume_credit_cost: int = Field(default=1, ge=0)
    #: Refine each uploaded CV's rule parse with the language model (when one is configured);
    #: values the CV text does not support are dropped. Off: the rule parser alone.
    llm_structuring: bool = False
    #: Most seconds an upload waits for that model (retries and repair included) before it keeps
    #: the rule parse.
    llm_structuring_timeout_s: float = Field(default=45.0, gt=0)


@lru_cache
def get_cv_settings() -> CvSettings:
    return CvSettings()
