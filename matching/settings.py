"""Settings owned by the matching engine: feature weights and retrieval pool sizes."""

from __future__ import annotations

from functools import lru_cache

from pydantic_settings import BaseSettings, SettingsConfigDict


class MatchingSettings(BaseSettings):
    """Weights of the re-ranking features; the score is their weighted mean, so only ratios
    matter. Change them with evidence from `tabashir evaluate matching`."""

    model_config = SettingsConfigDict(env_prefix="TABASHIR_MATCH_", env_file=".env", extra="ignore")

    weight_semantic: float = 1.0
    weight_chunk: float = 0.5
    weight_title: float = 2.0
    weight_skills: float = 3.0
    weight_experience: float = 0.5
    weight_location: float = 0.5
    weight_salary: float = 0.25
    weight_recency: float = 0.25
    weight_language: float = 0.25
    #: Weights of each ranking in reciprocal rank fusion.
    fusion_lexical: float = 1.0
    fusion_vector: float = 0.5
    fusion_chunks: float = 0.5
    #: Retrieval pools are this many times the page size (at least ``min_pool``), from each
    #: index, before fusion.
    oversample: int = 3
    min_pool: int = 50
    #: The fused list's top this-many-times-the-page jobs (at least ``min_pool``) are re-ranked.
    rerank_oversample: int = 3
    #: HNSW candidates per pooled hit for the engine's vector search (a stand-alone search uses
    #: TABASHIR_VECTOR_OVERSAMPLE): the pool is re-ranked, so it needs to be good, not exact.
    vector_oversample: int = 1
    #: Also retrieve by chunk vectors (a third ranking in the fusion). Off: the best chunk's
    #: similarity is still a re-ranking feature for every pooled job; see README for the
    #: measured effect of each choice.
    retrieve_chunks: bool = False
    rrf_k: int = 60


@lru_cache
def get_matching_settings() -> MatchingSettings:
    return MatchingSettings()
