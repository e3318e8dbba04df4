"""Settings owned by the API. Seed-compatible names (API_TOKEN) are read as the seed spelled them."""

from __future__ import annotations

from functools import lru_cache
from typing import Literal

from pydantic import AliasChoices, Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

#: Values that must never guard a deployment. Development and test accept them.
PLACEHOLDER_SECRETS = frozenset({"", "change-me", "changeme", "secret", "dev-token"})


class ApiSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="TABASHIR_", env_file=".env", extra="ignore")

    env: Literal["development", "test", "production"] = "development"
    host: str = "127.0.0.1"
    port: int = 8000
    #: Service-to-service token for /api/v1/resume/* (header X-API-TOKEN), as in the seed.
    api_token: SecretStr = Field(
        default=SecretStr("dev-token"),
        validation_alias=AliasChoices("API_TOKEN", "TABASHIR_API_TOKEN"),
    )
    log_level: str = "INFO"
    #: JSON lines (one object per event) instead of the readable console format.
    log_json: bool = False
    #: Browser origins allowed by CORS, as a JSON list: '["https://app.example.com"]'.
    cors_origins: list[str] = Field(default_factory=list)

    @model_validator(mode="after")
    def _refuse_placeholders(self) -> ApiSettings:
        if self.env == "production" and self.api_token.get_secret_value() in PLACEHOLDER_SECRETS:
            raise ValueError(
                "API_TOKEN is a placeholder; set a real secret before running with "
                "TABASHIR_ENV=production"
            )
        return self


@lru_cache
def get_api_settings() -> ApiSettings:
    return ApiSettings()
