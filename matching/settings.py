"""Settings owned by the matching engine: retrieval depths, paging limits, fit checks."""

from __future__ import annotations

from functools import lru_cache

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class MatchingSettings(BaseSettings):
    """How deep the engine ranks and how much a failed fit check costs. The relevance weights
    are not settings: they are fitted (``matching/data/score_model.json``, see README)."""

    model_config = SettingsConfigDict(env_prefix="TABASHIR_MATCH_", env_file=".env", extra="ignore")

    #: What an experience, location or language misfit costs at most, in z-units of the score
    #: (a job that fails a check ranks as if its evidence were this many spreads lower). Not
    #: fitted: no labelled data says how much a candidate minds; a check only lowers a score.
    fit_penalty: float = Field(default=0.5, ge=0, le=5)
    #: A ranking is at most this deep: every page up to here is served, deeper ones are refused
    #: with a 400 naming the limit.
    max_depth: int = Field(default=1000, ge=2, le=10_000)
    #: When at most ``max_depth`` jobs pass the filters, every one of them is scored (an exact
    #: ranking). Above that, the top ``rank_window`` of the fused retrieval are scored and ranked
    #: first; the rest, down to ``max_depth``, follow, ranked among themselves. The window does
    #: not depend on the page, so pages never overlap and the top k is the same for any limit.
    rank_window: int = Field(default=60, ge=1, le=1000)
    #: Weights of each ranking in reciprocal rank fusion (retrieval only; the score does not
    #: read them). Meaning leads: on real text BM25 alone ranks below the vectors.
    fusion_lexical: float = 0.5
    fusion_vector: float = 1.0
    fusion_chunks: float = 0.5
    #: HNSW candidates per pooled hit for the engine's vector search (a stand-alone search uses
    #: TABASHIR_VECTOR_OVERSAMPLE): the pool is re-ranked, so it needs to be good, not exact.
    vector_oversample: int = 1
    #: Also retrieve by chunk vectors (a third ranking in the fusion). Off: the best chunk's
    #: similarity is still a signal of the score for every ranked job.
    retrieve_chunks: bool = False
    rrf_k: int = 60


@lru_cache
def get_matching_settings() -> MatchingSettings:
    return MatchingSettings()
