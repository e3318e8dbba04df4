"""The Elasticsearch 8 backend of :class:`indexing.protocol.SearchIndex`, for users who outgrow one
machine. Selected by ``ELASTICSEARCH_URL``; the embedded tantivy + pgvector pair stays the default.

* **Text**: ``title``, ``skills`` and ``body`` are each indexed twice, by the built-in
  ``english`` analyzer and by the ``arabic`` one (a ``.ar`` multi-field), so a mixed CV matches
  both kinds of job. Text goes through :func:`indexing.lexical.prepare_text` first (Arabic spelling
  folded, C++/C#/.NET kept as words), as tantivy's does.
* **Filters**: every :class:`JobFilters` field is a keyword / numeric / ``date_nanos`` field, and
  :func:`filter_clauses` translates a filter into ``bool`` clauses with exactly the semantics of
  :func:`indexing.filters.job_filter_sql` (a missing bound passes a range wish, as ``IS NULL OR``
  does). Values travel as JSON values, never inside a query string.
* **Vectors**: the whole-document vector is a ``dense_vector`` (cosine, HNSW); chunk vectors are
  a ``nested`` field of the same document (``chunks.vector``). Nested rather than a second chunk
  index: a job and its chunks are written, versioned and deleted as one document, the filter
  fields exist once, and a nested kNN answers "the jobs whose closest chunk is nearest" directly
  (one hit per job, scored by its best chunk), which is what :meth:`search_chunks` means.
  Needs Elasticsearch 8.11 or later.
* **Hybrid**: lexical and kNN retrievals are separate requests (kNN with the same filter inside
  ``knn.filter``, so HNSW never drops filtered rows after the fact); fusion is ours
  (``matching.fusion.reciprocal_rank_fusion`` over :meth:`rankings`): Elasticsearch's own RRF
  needs a paid licence.
* **Writes**: bulk requests. :meth:`apply` writes with *external* versions (values drawn from a
  Postgres sequence before the rows were read), so a late or retried bulk never overwrites newer
  data; a conflict is reported back and the caller retries with fresh data.
* **Blue/green**: the index is an alias over a concrete index ``<alias>-<nanoseconds>``.
  :meth:`rebuild` fills a new concrete index (no refresh, no replicas while it loads), then moves
  the alias in one ``_aliases`` call and deletes every other concrete index of the alias: the old
  one and any half-built one left by a crashed run.
"""

from __future__ import annotations

import asyncio
import json
import re
import time
import uuid
from collections.abc import AsyncIterable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

from elasticsearch import ApiError, AsyncElasticsearch, NotFoundError, TransportError
from pydantic import AliasChoices, Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from indexing.filters import JobFilters
from indexing.lexical import prepare_text
from indexing.protocol import (
    Documents,
    Hit,
    IndexUnavailable,
    InvalidQuery,
    SearchDocument,
    SearchIndexError,
    check_filters,
    check_k,
    check_vector,
)
from models.settings import EMBEDDING_DIM


class ElasticsearchSettings(BaseSettings):
    """Where Elasticsearch is and how the jobs index is laid out (``TABASHIR_ES_*``)."""

    model_config = SettingsConfigDict(env_prefix="TABASHIR_ES_", env_file=".env", extra="ignore")

    #: ``http(s)://[user:password@]host:9200``. Unset: Elasticsearch is not used.
    url: SecretStr | None = Field(
        default=None, validation_alias=AliasChoices("ELASTICSEARCH_URL", "TABASHIR_ES_URL")
    )
    #: An API key (base64 ``id:key``), instead of a user in the URL.
    api_key: SecretStr | None = Field(
        default=None,
        validation_alias=AliasChoices("ELASTICSEARCH_API_KEY", "TABASHIR_ES_API_KEY"),
    )
    #: CA bundle for a server with a private certificate (the 8.x default).
    ca_certs: str | None = None
    #: The alias is ``<prefix>-jobs``; concrete indexes are ``<prefix>-jobs-<nanoseconds>``.
    index_prefix: str = Field(default="tabashir", pattern=r"^[a-z0-9][a-z0-9_.-]{0,100}$")
    shards: int = Field(default=1, ge=1, le=1024)
    replicas: int = Field(default=0, ge=0, le=16)
    hnsw_m: int = Field(default=16, ge=2, le=512)
    hnsw_ef_construction: int = Field(default=100, ge=16, le=3200)
    #: kNN candidates per shard per result wanted (``num_candidates = k x this``, at most 10000).
    num_candidates_factor: int = Field(default=10, ge=1, le=100)
    title_boost: float = Field(default=3.0, gt=0)
    skills_boost: float = Field(default=2.0, gt=0)
    body_boost: float = Field(default=1.0, gt=0)
    #: Longest query text sent, in characters (a whole CV fits; the clause count stays bounded).
    max_query_chars: int = Field(default=8_000, ge=100, le=100_000)
    #: Documents per bulk request.
    bulk_size: int = Field(default=500, ge=1, le=10_000)
    request_timeout_s: float = Field(default=30.0, gt=0)
    #: How long deleted documents keep their version (a late write older than that could
    #: resurrect one; the indexer's advisory lock makes such a writer impossible in practice).
    gc_deletes: str = "1h"
    max_k: int = Field(default=1_000, ge=1, le=10_000)


@lru_cache
def get_elasticsearch_settings() -> ElasticsearchSettings:
    return ElasticsearchSettings()


class BulkError(SearchIndexError):
    """Elasticsearch refused part of a bulk request for a reason other than a version conflict."""


# -- mappings and queries (pure) ----------------------------------------------------------------

_KEYWORDS = ("id", "city", "country", "job_type", "work_mode", "language", "status", "company")
_TEXT_FIELDS = ("title", "skills", "body")


def _text_field() -> dict[str, Any]:
    return {
        "type": "text",
        "analyzer": "english",
        "fields": {"ar": {"type": "text", "analyzer": "arabic"}},
    }


def _vector_field(settings: ElasticsearchSettings) -> dict[str, Any]:
    return {
        "type": "dense_vector",
        "dims": EMBEDDING_DIM,
        "index": True,
        "similarity": "cosine",
        "index_options": {
            "type": "hnsw",
            "m": settings.hnsw_m,
            "ef_construction": settings.hnsw_ef_construction,
        },
    }


def index_mappings(settings: ElasticsearchSettings) -> dict[str, Any]:
    """The mappings of the jobs index: analysed text twice, keywords for filters, vectors."""
    properties: dict[str, Any] = {name: {"type": "keyword"} for name in _KEYWORDS}
    properties.update({name: _text_field() for name in _TEXT_FIELDS})
    properties.update(
        {
            "salary_min": {"type": "long"},
            "salary_max": {"type": "long"},
            "experience_min": {"type": "long"},
            # Nanoseconds: Postgres keeps microseconds and posted_since must cut exactly there.
            "posted_at": {"type": "date_nanos"},
            "embedding_model": {"type": "keyword"},
            "vector": _vector_field(settings),
            "chunks": {
                "type": "nested",
                "properties": {
                    "ordinal": {"type": "integer"},
                    "vector": _vector_field(settings),
                },
            },
        }
    )
    # strict: a typo in a field name is an error, never a new dynamically-mapped field.
    return {"dynamic": "strict", "properties": properties}


def index_settings(settings: ElasticsearchSettings, *, loading: bool = False) -> dict[str, Any]:
    """Settings of a concrete index; ``loading``: tuned for a bulk load (no refresh, no replica)."""
    return {
        "number_of_shards": settings.shards,
        "number_of_replicas": 0 if loading else settings.replicas,
        "refresh_interval": "-1" if loading else "1s",
        "gc_deletes": settings.gc_deletes,
    }


def _value(v: Any) -> Any:
    return getattr(v, "value", v)


def _iso(dt: datetime) -> str:
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)
    return dt.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _terms(name: str, values: Iterable[Any]) -> dict[str, Any]:
    return {"terms": {name: list(dict.fromkeys(_value(v) for v in values))}}


def _missing_or(name: str, condition: dict[str, Any]) -> dict[str, Any]:
    """``name IS NULL OR condition``: how SQL treats a job that states no bound."""
    return {
        "bool": {
            "should": [{"bool": {"must_not": {"exists": {"field": name}}}}, condition],
            "minimum_should_match": 1,
        }
    }


def filter_clauses(f: JobFilters) -> list[dict[str, Any]]:
    """``f`` as ``bool.filter`` clauses with :func:`indexing.filters.job_filter_sql`'s semantics."""
    check_filters(f)
    out: list[dict[str, Any]] = []
    if f.city:
        out.append(_terms("city", f.city))
    if f.country:
        out.append(_terms("country", [c.upper() for c in f.country]))
    if f.job_type:
        out.append(_terms("job_type", f.job_type))
    if f.work_mode:
        out.append(_terms("work_mode", f.work_mode))
    if f.salary_min is not None:
        out.append(_missing_or("salary_max", {"range": {"salary_max": {"gte": f.salary_min}}}))
    if f.salary_max is not None:
        out.append(_missing_or("salary_min", {"range": {"salary_min": {"lte": f.salary_max}}}))
    if f.experience_years is not None:
        out.append(
            _missing_or(
                "experience_min", {"range": {"experience_min": {"lte": f.experience_years}}}
            )
        )
    if f.language:
        out.append(_terms("language", f.language))
    if f.posted_since is not None:
        out.append({"range": {"posted_at": {"gte": _iso(f.posted_since)}}})
    if f.status:
        out.append(_terms("status", f.status))
    if f.company:
        out.append(_terms("company", f.company))
    return out


def to_source(doc: SearchDocument) -> dict[str, Any]:
    """What Elasticsearch stores of a document (``_source``)."""
    source: dict[str, Any] = {
        "id": str(doc.id),
        "title": prepare_text(doc.title),
        "skills": [prepare_text(s) for s in doc.skills],
        "body": prepare_text(doc.body),
        "language": doc.language,
        "city": doc.city,
        "country": doc.country,
        "job_type": _value(doc.job_type),
        "work_mode": _value(doc.work_mode),
        "salary_min": doc.salary_min,
        "salary_max": doc.salary_max,
        "experience_min": doc.experience_min,
        "posted_at": _iso(doc.posted_at) if doc.posted_at is not None else None,
        "status": _value(doc.status),
        "company": doc.company,
        "embedding_model": doc.embedding_model,
    }
    # A null field is "missing" to exists/terms/range, exactly like SQL NULL; drop them anyway to
    # keep documents small.
    source = {k: v for k, v in source.items() if v is not None}
    if doc.vector is not None:
        source["vector"] = check_vector(doc.vector)
        # As in pgvector: a document without chunks is its own single chunk, so chunk search
        # covers every job.
        source["chunks"] = [
            {"ordinal": c.ordinal, "vector": check_vector(c.vector)} for c in doc.chunks
        ] or [{"ordinal": 0, "vector": source["vector"]}]
    return source


# -- the index ----------------------------------------------------------------------------------


@dataclass
class ApplyResult:
    """What a versioned write did: ids skipped because the index holds a newer version."""

    written: int = 0
    deleted: int = 0
    conflicts: set[uuid.UUID] = field(default_factory=set)


def make_client(settings: ElasticsearchSettings | None = None) -> AsyncElasticsearch:
    """The async client for ``ELASTICSEARCH_URL`` (raises :class:`IndexUnavailable` if unset)."""
    settings = settings or get_elasticsearch_settings()
    if settings.url is None:
        raise IndexUnavailable("ELASTICSEARCH_URL is not set")
    kwargs: dict[str, Any] = {"request_timeout": settings.request_timeout_s}
    if settings.api_key is not None:
        kwargs["api_key"] = settings.api_key.get_secret_value()
    if settings.ca_certs:
        kwargs["ca_certs"] = settings.ca_certs
    return AsyncElasticsearch(settings.url.get_secret_value(), **kwargs)


class ElasticsearchJobIndex:
    """Jobs in Elasticsearch behind one alias. Build one per process (the client pools)."""

    def __init__(
        self,
        client: AsyncElasticsearch,
        settings: ElasticsearchSettings | None = None,
        *,
        name: str = "jobs",
    ) -> None:
        self.client = client
        self.settings = settings or get_elasticsearch_settings()
        self.alias = f"{self.settings.index_prefix}-{name}"
        self._fields = [
            *(f"{f}^{self.settings.title_boost:g}" for f in ("title", "title.ar")),
            *(f"{f}^{self.settings.skills_boost:g}" for f in ("skills", "skills.ar")),
            *(f"{f}^{self.settings.body_boost:g}" for f in ("body", "body.ar")),
        ]
        self._ready = False

    @classmethod
    def from_settings(cls, settings: ElasticsearchSettings | None = None) -> ElasticsearchJobIndex:
        settings = settings or get_elasticsearch_settings()
        return cls(make_client(settings), settings)

    async def close(self) -> None:
        await self.client.close()

    # -- index management -----------------------------------------------------------------------

    def _new_index_name(self) -> str:
        return f"{self.alias}-{time.time_ns()}"

    async def _create_index(self, name: str, *, loading: bool) -> None:
        await self.client.indices.create(
            index=name,
            settings=index_settings(self.settings, loading=loading),
            mappings=index_mappings(self.settings),
        )

    async def _aliased(self) -> list[str]:
        try:
            found = await self.client.indices.get_alias(name=self.alias)
        except NotFoundError:
            return []
        return sorted(found.body)

    async def current_index(self) -> str | None:
        """The concrete index the alias points at, or None before the first build."""
        names = await self._aliased()
        return names[-1] if names else None

    async def ensure(self) -> str:
        """Create the first concrete index and alias when there is none; return the index."""
        current = await self.current_index()
        if current is None:
            current = self._new_index_name()
            await self._create_index(current, loading=False)
            await self._swap(current)
        self._ready = True
        return current

    async def _ensure_ready(self) -> None:
        if not self._ready:
            await self.ensure()

    async def _swap(self, new_index: str) -> list[str]:
        """Point the alias at ``new_index`` atomically; delete every other index of the alias
        (the previous one and half-built ones left by crashed runs). Returns the deleted ones."""
        actions: list[dict[str, Any]] = [
            {"remove": {"index": old, "alias": self.alias}}
            for old in await self._aliased()
            if old != new_index
        ]
        actions.append({"add": {"index": new_index, "alias": self.alias}})
        # One request: searches see the old index or the new one, never none or both.
        await self.client.indices.update_aliases(actions=actions)
        return await self.drop_stale_indexes(keep=new_index)

    async def drop_stale_indexes(self, keep: str | None = None) -> list[str]:
        """Delete the alias's concrete indexes other than ``keep`` (default: the current one)."""
        return await self._drop_except(keep or await self.current_index())

    async def drop_all(self) -> list[str]:
        """Delete every concrete index of the alias, the current one too (tests, decommissioning)."""
        self._ready = False
        return await self._drop_except(None)

    async def _drop_except(self, keep: str | None) -> list[str]:
        found = await self.client.indices.get(
            index=f"{self.alias}-*", ignore_unavailable=True, allow_no_indices=True
        )
        own = re.compile(re.escape(self.alias) + r"-\d+")
        stale = sorted(name for name in found.body if own.fullmatch(name) and name != keep)
        if stale:
            await self.client.indices.delete(index=",".join(stale), ignore_unavailable=True)
        return stale

    # -- writes -----------------------------------------------------------------------------------

    async def _bulk(self, operations: list[dict[str, Any]], *, index: str, refresh: bool) -> Any:
        if not operations:
            return {"items": [], "errors": False}
        try:
            response = await self.client.bulk(
                operations=operations, index=index, refresh="wait_for" if refresh else False
            )
        except (ApiError, TransportError) as exc:
            raise IndexUnavailable(f"Elasticsearch bulk request failed: {exc}") from exc
        return response.body

    @staticmethod
    def _failures(body: Any) -> tuple[set[uuid.UUID], list[str]]:
        """(ids refused by a version conflict, other errors) of a bulk response."""
        conflicts: set[uuid.UUID] = set()
        errors: list[str] = []
        if not body.get("errors"):
            return conflicts, errors
        for item in body["items"]:
            (op, result), *_ = item.items()
            status = int(result.get("status", 200))
            if status == 409:
                conflicts.add(uuid.UUID(result["_id"]))
            elif op == "delete" and status == 404:
                continue
            elif status >= 300:
                errors.append(f"{op} {result.get('_id')}: {json.dumps(result.get('error'))}")
        return conflicts, errors

    async def _write(
        self,
        upserts: Sequence[SearchDocument],
        deletes: Sequence[uuid.UUID],
        *,
        version: int | None,
        index: str,
        refresh: bool,
    ) -> ApplyResult:
        result = ApplyResult()
        versioning: dict[str, Any] = (
            {} if version is None else {"version": version, "version_type": "external"}
        )
        ops: list[dict[str, Any]] = []
        # Sources are built first: a bad vector refuses the whole call before anything is sent.
        pending: list[tuple[dict[str, Any], dict[str, Any] | None]] = [
            ({"delete": {"_id": str(i), **versioning}}, None) for i in deletes
        ]
        pending += [({"index": {"_id": str(d.id), **versioning}}, to_source(d)) for d in upserts]
        for start in range(0, len(pending), self.settings.bulk_size):
            ops.clear()
            for action, source in pending[start : start + self.settings.bulk_size]:
                ops.append(action)
                if source is not None:
                    ops.append(source)
            body = await self._bulk(ops, index=index, refresh=refresh)
            conflicts, errors = self._failures(body)
            if errors:
                raise BulkError(f"{len(errors)} bulk items failed, first: {errors[0]}")
            result.conflicts |= conflicts
        result.deleted = sum(1 for i in deletes if i not in result.conflicts)
        result.written = sum(1 for d in upserts if d.id not in result.conflicts)
        return result

    async def upsert(self, docs: Sequence[SearchDocument]) -> None:
        """Store ``docs`` (unversioned: the last write wins), visible to the next search."""
        await self._ensure_ready()
        await self._write(docs, (), version=None, index=self.alias, refresh=True)

    async def delete(self, ids: Sequence[uuid.UUID]) -> None:
        """Forget ``ids``; unknown ids are ignored."""
        await self._ensure_ready()
        await self._write((), ids, version=None, index=self.alias, refresh=True)

    async def apply(
        self,
        upserts: Sequence[SearchDocument],
        deletes: Sequence[uuid.UUID],
        version: int,
    ) -> ApplyResult:
        """Write ``upserts`` and ``deletes`` with external ``version``: a document already
        holding a version >= it is left alone and reported in ``conflicts``."""
        if isinstance(version, bool) or not isinstance(version, int) or version < 1:
            raise InvalidQuery(f"version must be a positive integer, not {version!r}")
        await self._ensure_ready()
        return await self._write(upserts, deletes, version=version, index=self.alias, refresh=True)

    async def count(self) -> int:
        await self._ensure_ready()
        response = await self.client.count(index=self.alias)
        return int(response.body["count"])

    async def rebuild(self, docs: Documents, *, version: int | None = None) -> int:
        """Fill a new concrete index with exactly ``docs`` and swap the alias to it (blue/green).
        ``version``: the external version every document gets (see :meth:`apply`)."""
        name = self._new_index_name()
        await self._create_index(name, loading=True)
        count = 0
        batch: list[SearchDocument] = []

        async def flush() -> None:
            nonlocal count
            if batch:
                await self._write(batch, (), version=version, index=name, refresh=False)
                count += len(batch)
                batch.clear()

        try:
            if isinstance(docs, AsyncIterable):
                async for doc in docs:
                    batch.append(doc)
                    if len(batch) >= self.settings.bulk_size:
                        await flush()
            else:
                for doc in docs:
                    batch.append(doc)
                    if len(batch) >= self.settings.bulk_size:
                        await flush()
            await flush()
            await self.client.indices.put_settings(
                index=name,
                settings={
                    "number_of_replicas": self.settings.replicas,
                    "refresh_interval": "1s",
                },
            )
            await self.client.indices.refresh(index=name)
        except BaseException:
            # A failed build never becomes current; a crash leaves it for the next swap to drop.
            await asyncio.shield(self.client.indices.delete(index=name, ignore_unavailable=True))
            raise
        await self._swap(name)
        self._ready = True
        return count

    # -- search -----------------------------------------------------------------------------------

    def lexical_body(self, query_text: str, filters: JobFilters, k: int) -> dict[str, Any]:
        """The search request of :meth:`search_lexical` (public for the contract tests)."""
        if not isinstance(query_text, str):
            raise InvalidQuery("The query must be text")
        check_k(k, self.settings.max_k)
        text = prepare_text(query_text[: self.settings.max_query_chars])
        return {
            "size": k,
            "_source": False,
            "track_total_hits": False,
            # Sorting (for the id tie-break) would otherwise leave the hits' _score empty.
            "track_scores": True,
            "query": {
                "bool": {
                    "must": [
                        {
                            "multi_match": {
                                "query": text,
                                "fields": self._fields,
                                "type": "most_fields",
                            }
                        }
                    ],
                    "filter": filter_clauses(filters),
                }
            },
            # Equal scores in id order: the same query always gives the same ranking.
            "sort": [{"_score": "desc"}, {"id": "asc"}],
        }

    def knn_body(
        self, vector: Sequence[float], filters: JobFilters, k: int, *, chunks: bool = False
    ) -> dict[str, Any]:
        """The kNN request of :meth:`search_vector` / :meth:`search_chunks`."""
        query = check_vector(vector)
        check_k(k, self.settings.max_k)
        candidates = min(10_000, max(100, k * self.settings.num_candidates_factor))
        return {
            "size": k,
            "_source": False,
            "knn": {
                "field": "chunks.vector" if chunks else "vector",
                "query_vector": query,
                "k": k,
                "num_candidates": candidates,
                "filter": {"bool": {"filter": filter_clauses(filters)}},
            },
        }

    async def _search(self, body: dict[str, Any], *, cosine: bool) -> list[Hit]:
        await self._ensure_ready()
        try:
            response = await self.client.search(index=self.alias, body=body)
        except (ApiError, TransportError) as exc:
            raise IndexUnavailable(f"Elasticsearch search failed: {exc}") from exc
        hits: list[Hit] = []
        for rank, raw in enumerate(response.body["hits"]["hits"], start=1):
            score = float(raw.get("_score") or 0.0)
            # Elasticsearch scores cosine as (1 + cos) / 2; callers get the cosine itself,
            # comparable with pgvector's.
            hits.append(
                Hit(id=uuid.UUID(raw["_id"]), score=2 * score - 1 if cosine else score, rank=rank)
            )
        return hits

    async def search_lexical(self, query_text: str, filters: JobFilters, k: int) -> list[Hit]:
        """BM25 over title, skills and body (English and Arabic analysis) under ``filters``."""
        if not isinstance(query_text, str) or not query_text.strip():
            check_k(k, self.settings.max_k)
            check_filters(filters)
            return []
        return await self._search(self.lexical_body(query_text, filters, k), cosine=False)

    async def search_vector(
        self, vector: Sequence[float], filters: JobFilters, k: int
    ) -> list[Hit]:
        """The ``k`` documents passing ``filters`` nearest ``vector`` (score: cosine)."""
        return await self._search(self.knn_body(vector, filters, k), cosine=True)

    async def search_chunks(
        self, vector: Sequence[float], filters: JobFilters, k: int
    ) -> list[Hit]:
        """The ``k`` documents passing ``filters`` whose closest chunk is nearest ``vector``."""
        return await self._search(self.knn_body(vector, filters, k, chunks=True), cosine=True)

    async def rankings(
        self, query_text: str, vector: Sequence[float], filters: JobFilters, k: int
    ) -> dict[str, list[Hit]]:
        """The three retrievals of a hybrid query, run concurrently, for our own fusion:
        ``matching.fusion.reciprocal_rank_fusion(await index.rankings(...))``."""
        lexical, documents, chunks = await asyncio.gather(
            self.search_lexical(query_text, filters, k),
            self.search_vector(vector, filters, k),
            self.search_chunks(vector, filters, k),
        )
        return {"lexical": lexical, "vector": documents, "chunks": chunks}


def elasticsearch_configured(settings: ElasticsearchSettings | None = None) -> bool:
    """Whether ``ELASTICSEARCH_URL`` is set."""
    return (settings or get_elasticsearch_settings()).url is not None


__all__ = [
    "ApplyResult",
    "BulkError",
    "ElasticsearchJobIndex",
    "ElasticsearchSettings",
    "elasticsearch_configured",
    "filter_clauses",
    "get_elasticsearch_settings",
    "index_mappings",
    "index_settings",
    "make_client",
    "to_source",
]
