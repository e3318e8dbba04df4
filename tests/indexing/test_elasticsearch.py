"""The Elasticsearch backend: the conformance suite against a real server when ELASTICSEARCH_URL is
set (skipped, with the reason shown, otherwise), and contract tests of the exact requests we send.

The contract tests replace the client's HTTP node (``node_class``) with a recorder that answers
canned responses: this fakes Elasticsearch at the HTTP boundary only, because there is no local
server in the test environment. Everything above it (the official client, our request building,
our handling of responses) is the real code.
"""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any, ClassVar
from urllib.parse import parse_qs

import pytest
from elastic_transport import ApiResponseMeta, BaseAsyncNode, HttpHeaders
from elastic_transport._node._base import NodeApiResponse
from elasticsearch import AsyncElasticsearch

from indexing.elasticsearch import (
    BulkError,
    ElasticsearchJobIndex,
    ElasticsearchSettings,
    elasticsearch_configured,
    filter_clauses,
    index_mappings,
    to_source,
)
from indexing.filters import JobFilters
from indexing.protocol import DocumentChunk, InvalidQuery, SearchDocument, SearchIndex
from matching.fusion import reciprocal_rank_fusion
from models.enums import JobStatus, JobType, WorkMode
from tests.indexing.conformance import (
    FILTER_CASES,
    HOSTILE,
    Backend,
    IndexConformance,
    corpus,
    doc_id,
    embed,
    no_preparation,
    reference_matches,
)

# -- against a real server ------------------------------------------------------------------------

ES_URL = os.environ.get("ELASTICSEARCH_URL")
NO_SERVER = (
    "ELASTICSEARCH_URL is not set: the Elasticsearch conformance suite needs a server "
    "(docker compose up elasticsearch; see docs/scale-out.md)"
)


async def _drop_everything(index: ElasticsearchJobIndex) -> None:
    """Delete the test's indexes by name (8.x refuses wildcard deletes by default)."""
    try:
        await index.drop_all()
    finally:
        await index.close()


@pytest.mark.integration
class TestElasticsearchConformance(IndexConformance):
    lexical = True
    vector = True

    @pytest.fixture
    async def backend(self) -> AsyncIterator[Backend]:
        if not ES_URL:
            pytest.skip(NO_SERVER)
        # A prefix of the test's own: a fresh, empty index, deleted afterwards.
        settings = ElasticsearchSettings(
            ELASTICSEARCH_URL=ES_URL, index_prefix=f"tabashir-test-{uuid.uuid4().hex[:12]}"
        )
        index = ElasticsearchJobIndex.from_settings(settings)
        try:
            yield Backend(index=index, prepare=no_preparation())
        finally:
            await _drop_everything(index)


@pytest.mark.integration
async def test_real_server_versioning_and_chunks() -> None:
    """Behaviour only a server can show: external versions refuse older writes; nested kNN finds
    a job by one chunk; the alias moves to a rebuilt index and the old one is gone."""
    if not ES_URL:
        pytest.skip(NO_SERVER)
    settings = ElasticsearchSettings(
        ELASTICSEARCH_URL=ES_URL, index_prefix=f"tabashir-test-{uuid.uuid4().hex[:12]}"
    )
    index = ElasticsearchJobIndex.from_settings(settings)
    try:
        docs = corpus()
        first = await index.ensure()
        result = await index.apply(docs, (), version=10)
        assert result.written == len(docs)
        assert not result.conflicts
        stale = replace(docs[0], title="Stale title")
        late = await index.apply([stale], (), version=9)
        assert late.conflicts == {docs[0].id}
        hits = await index.search_lexical("Stale", JobFilters(status=()), 5)
        assert docs[0].id not in [h.id for h in hits]
        passage = embed("falconry desert safety instruction")
        deep = replace(
            docs[1],
            chunks=(
                DocumentChunk(0, "intro", embed("intro text about a company")),
                DocumentChunk(1, "deep", passage),
            ),
        )
        await index.apply([deep], (), version=11)
        top = await index.search_chunks(passage, JobFilters(status=()), 1)
        assert top[0].id == deep.id
        assert top[0].score == pytest.approx(1.0, abs=1e-3)
        assert await index.rebuild(docs[:5], version=12) == 5
        assert await index.current_index() != first
        assert await index.count() == 5
    finally:
        await _drop_everything(index)


# -- the HTTP boundary, recorded ------------------------------------------------------------------


@dataclass
class Request:
    method: str
    path: str
    params: dict[str, list[str]]
    body: Any


Handler = Callable[[Request], tuple[int, Any]]


class RecordingNode(BaseAsyncNode):
    """An HTTP node that records each request and answers from the test's handler."""

    requests: ClassVar[list[Request]]
    handler: ClassVar[Handler]

    async def perform_request(  # type: ignore[override]
        self,
        method: str,
        target: str,
        body: bytes | None = None,
        headers: HttpHeaders | None = None,
        request_timeout: Any = None,
    ) -> NodeApiResponse:
        path, _, query = target.partition("?")
        parsed: Any = None
        if body:
            text = body.decode()
            if path.endswith("/_bulk"):
                parsed = [json.loads(line) for line in text.splitlines() if line.strip()]
            else:
                parsed = json.loads(text)
        request = Request(method, path, parse_qs(query), parsed)
        self.requests.append(request)
        status, payload = self.handler(request)
        meta = ApiResponseMeta(
            status=status,
            http_version="1.1",
            headers=HttpHeaders(
                {"x-elastic-product": "Elasticsearch", "content-type": "application/json"}
            ),
            duration=0.0,
            node=self.config,
        )
        return NodeApiResponse(meta, json.dumps(payload).encode())

    async def close(self) -> None:
        return None


class Recorder:
    """The recorded requests of one test, and the responses it scripts."""

    def __init__(self) -> None:
        self.requests: list[Request] = []
        self.indexes: dict[str, bool] = {}  # concrete index -> holds the alias
        self.bulk_status: Callable[[str, dict[str, Any]], int] = lambda op, meta: 201
        self.hits: list[dict[str, Any]] = []
        node = type(
            "Node",
            (RecordingNode,),
            {"requests": self.requests, "handler": staticmethod(self.answer)},
        )
        self.client = AsyncElasticsearch("http://es.invalid:9200", node_class=node)

    def of(self, method: str, suffix: str = "") -> list[Request]:
        return [r for r in self.requests if r.method == method and r.path.endswith(suffix)]

    def creates(self) -> list[Request]:
        return [r for r in self.requests if r.method == "PUT" and r.path.count("/") == 1]

    def answer(self, r: Request) -> tuple[int, Any]:
        alias = "tabashir-jobs"
        if r.method == "GET" and r.path == f"/_alias/{alias}":
            held = {name: {"aliases": {alias: {}}} for name, on in self.indexes.items() if on}
            return (200, held) if held else (404, {"error": "alias missing", "status": 404})
        if r.method == "GET" and r.path.startswith(f"/{alias}-*"):
            return 200, {name: {} for name in self.indexes}
        if r.method == "PUT" and r.path.count("/") == 1:
            self.indexes[r.path[1:]] = False
            return 200, {"acknowledged": True, "index": r.path[1:]}
        if r.method == "POST" and r.path == "/_aliases":
            for action in r.body["actions"]:
                (kind, spec), *_ = action.items()
                self.indexes[spec["index"]] = kind == "add"
            return 200, {"acknowledged": True}
        if r.method == "DELETE":
            for name in r.path[1:].split(","):
                self.indexes.pop(name, None)
            return 200, {"acknowledged": True}
        if r.path.endswith("/_bulk"):
            items = []
            for line in r.body:
                (op, meta), *_ = line.items()
                if op in ("index", "delete"):
                    status = self.bulk_status(op, meta)
                    result: dict[str, Any] = {"_id": meta["_id"], "status": status}
                    if status >= 300:
                        result["error"] = {"type": "version_conflict_engine_exception"}
                    items.append({op: result})
            return 200, {
                "errors": any(i[k]["status"] >= 300 for i in items for k in i),
                "items": items,
            }
        if r.path.endswith("/_search"):
            return 200, {"hits": {"hits": self.hits}}
        if r.path.endswith("/_count"):
            return 200, {"count": 7}
        if r.path.endswith(("/_settings", "/_refresh")):
            return 200, {"acknowledged": True}
        return 400, {"error": f"unexpected {r.method} {r.path}", "status": 400}


@pytest.fixture
def recorder() -> Recorder:
    return Recorder()


@pytest.fixture
def settings() -> ElasticsearchSettings:
    return ElasticsearchSettings(ELASTICSEARCH_URL="http://es.invalid:9200")


@pytest.fixture
def index(recorder: Recorder, settings: ElasticsearchSettings) -> ElasticsearchJobIndex:
    return ElasticsearchJobIndex(recorder.client, settings)


@pytest.mark.unit
def test_the_backend_is_a_search_index(index: ElasticsearchJobIndex) -> None:
    assert isinstance(index, SearchIndex)


@pytest.mark.unit
def test_selected_by_elasticsearch_url(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ELASTICSEARCH_URL", raising=False)
    monkeypatch.delenv("TABASHIR_ES_URL", raising=False)
    assert not elasticsearch_configured(ElasticsearchSettings(_env_file=None))  # type: ignore[call-arg]
    monkeypatch.setenv("ELASTICSEARCH_URL", "http://elastic:secret@search:9200")
    settings = ElasticsearchSettings(_env_file=None)  # type: ignore[call-arg]
    assert elasticsearch_configured(settings)
    assert "secret" not in repr(settings)  # the URL may hold a password: never printed


@pytest.mark.unit
async def test_first_use_creates_the_mapped_index_behind_the_alias(
    index: ElasticsearchJobIndex, recorder: Recorder
) -> None:
    await index.count()
    (create,) = recorder.creates()
    assert create.path.startswith("/tabashir-jobs-")
    mappings = create.body["mappings"]
    assert mappings["dynamic"] == "strict"
    props = mappings["properties"]
    for text_field in ("title", "skills", "body"):
        assert props[text_field] == {
            "type": "text",
            "analyzer": "english",
            "fields": {"ar": {"type": "text", "analyzer": "arabic"}},
        }
    for keyword in ("city", "country", "job_type", "work_mode", "language", "status", "company"):
        assert props[keyword] == {"type": "keyword"}, keyword
    for number in ("salary_min", "salary_max", "experience_min"):
        assert props[number] == {"type": "long"}
    assert props["posted_at"] == {"type": "date_nanos"}
    vector = {
        "type": "dense_vector",
        "dims": 384,
        "index": True,
        "similarity": "cosine",
        "index_options": {"type": "hnsw", "m": 16, "ef_construction": 100},
    }
    assert props["vector"] == vector
    assert props["chunks"]["type"] == "nested"
    assert props["chunks"]["properties"]["vector"] == vector
    assert create.body["settings"]["refresh_interval"] == "1s"
    (aliases,) = recorder.of("POST", "/_aliases")
    assert aliases.body == {
        "actions": [{"add": {"index": create.path[1:], "alias": "tabashir-jobs"}}]
    }
    (count,) = recorder.of("POST", "/_count") or recorder.of("GET", "/_count")
    assert count.path == "/tabashir-jobs/_count"


@pytest.mark.unit
async def test_versioned_bulk_sends_external_versions_and_reports_conflicts(
    index: ElasticsearchJobIndex, recorder: Recorder
) -> None:
    docs = corpus()[:3]
    stale = docs[1].id
    recorder.bulk_status = lambda op, meta: 409 if meta["_id"] == str(stale) else 201
    gone = doc_id(500)
    result = await index.apply(docs, [gone], version=42)
    (bulk,) = recorder.of("POST", "/_bulk") or recorder.of("PUT", "/_bulk")
    assert bulk.path == "/tabashir-jobs/_bulk"
    assert bulk.params["refresh"] == ["wait_for"]
    assert bulk.body[0] == {"delete": {"_id": str(gone), "version": 42, "version_type": "external"}}
    actions = bulk.body[1::2]
    sources = bulk.body[2::2]
    assert actions == [
        {"index": {"_id": str(d.id), "version": 42, "version_type": "external"}} for d in docs
    ]
    assert sources[0] == to_source(docs[0])
    assert sources[0]["vector"] == pytest.approx(list(docs[0].vector or []))
    assert result.conflicts == {stale}
    assert result.written == 2
    assert result.deleted == 1


@pytest.mark.unit
async def test_other_bulk_failures_raise(index: ElasticsearchJobIndex, recorder: Recorder) -> None:
    recorder.bulk_status = lambda op, meta: 400
    with pytest.raises(BulkError):
        await index.apply(corpus()[:1], (), version=1)


@pytest.mark.unit
async def test_a_bad_vector_refuses_the_write_before_anything_is_sent(
    index: ElasticsearchJobIndex, recorder: Recorder
) -> None:
    await index.ensure()
    sent = len(recorder.requests)
    bad = replace(corpus()[0], vector=[0.0] * 384)
    with pytest.raises(InvalidQuery):
        await index.upsert([corpus()[1], bad])
    with pytest.raises(InvalidQuery):
        await index.apply(corpus()[:1], (), version=0)
    assert len(recorder.requests) == sent


@pytest.mark.unit
async def test_bulk_requests_are_split(recorder: Recorder) -> None:
    settings = ElasticsearchSettings(ELASTICSEARCH_URL="http://es.invalid:9200", bulk_size=10)
    index = ElasticsearchJobIndex(recorder.client, settings)
    await index.upsert(corpus())
    bulks = [r for r in recorder.requests if r.path.endswith("/_bulk")]
    assert [len(b.body) // 2 for b in bulks] == [10, 10, 10, 10, 2]


@pytest.mark.unit
async def test_filtered_knn_puts_the_filter_inside_knn(
    index: ElasticsearchJobIndex, recorder: Recorder
) -> None:
    query = embed("data analyst")
    f = JobFilters(city=("Dubai",), salary_min=9000)
    recorder.hits = [
        {"_id": str(doc_id(1)), "_score": 0.9},
        {"_id": str(doc_id(2)), "_score": 0.6},
    ]
    hits = await index.search_vector(query, f, 20)
    (search,) = recorder.of("POST", "/_search")
    assert search.path == "/tabashir-jobs/_search"
    knn = search.body["knn"]
    assert knn["field"] == "vector"
    assert knn["k"] == 20
    assert knn["num_candidates"] == 200
    assert knn["query_vector"] == pytest.approx(query)
    assert knn["filter"] == {"bool": {"filter": filter_clauses(f)}}
    assert "query" not in search.body  # no lexical part: fusion is ours
    assert search.body["size"] == 20
    # Elasticsearch's cosine score (1 + cos) / 2 comes back as the cosine.
    assert [(h.id, h.rank) for h in hits] == [(doc_id(1), 1), (doc_id(2), 2)]
    assert hits[0].score == pytest.approx(0.8)
    assert hits[1].score == pytest.approx(0.2)

    await index.search_chunks(query, f, 20)
    chunk_search = recorder.of("POST", "/_search")[-1]
    assert chunk_search.body["knn"]["field"] == "chunks.vector"
    assert chunk_search.body["knn"]["filter"] == knn["filter"]


@pytest.mark.unit
async def test_lexical_query_is_bm25_over_both_analyses_under_the_filter(
    index: ElasticsearchJobIndex, recorder: Recorder
) -> None:
    f = JobFilters(language=("ar",))
    await index.search_lexical("C++ developer, محاسب", f, 15)
    (search,) = recorder.of("POST", "/_search")
    body = search.body
    assert body["size"] == 15
    assert body["_source"] is False
    (match,) = body["query"]["bool"]["must"]
    assert match["multi_match"]["query"] == " cplusplus  developer, محاسب"
    assert match["multi_match"]["fields"] == [
        "title^3",
        "title.ar^3",
        "skills^2",
        "skills.ar^2",
        "body^1",
        "body.ar^1",
    ]
    assert body["query"]["bool"]["filter"] == [
        {"terms": {"language": ["ar"]}},
        {"terms": {"status": ["open"]}},
    ]
    assert body["sort"] == [{"_score": "desc"}, {"id": "asc"}]


@pytest.mark.unit
async def test_long_query_text_is_cut(index: ElasticsearchJobIndex) -> None:
    body = index.lexical_body("word " * 10_000, JobFilters(), 10)
    assert len(body["query"]["bool"]["must"][0]["multi_match"]["query"]) <= 8_000


@pytest.mark.unit
@pytest.mark.parametrize("hostile", HOSTILE)
def test_hostile_values_travel_as_json_values(hostile: str) -> None:
    clauses = filter_clauses(JobFilters(city=(hostile,), company=(hostile,)))
    assert clauses[0] == {"terms": {"city": [hostile]}}
    assert {"terms": {"company": [hostile]}} in clauses


@pytest.mark.unit
def test_every_filter_field_translates() -> None:
    f = JobFilters(
        city=("Dubai", "Doha", "Dubai"),
        country=("ae", "QA"),
        job_type=(JobType.CONTRACT,),
        work_mode=(WorkMode.REMOTE,),
        salary_min=9000,
        salary_max=16000,
        experience_years=3,
        language=("ar",),
        posted_since=datetime(2026, 10, 9, 12, 0, 8, 500, tzinfo=UTC),
        status=(JobStatus.OPEN, JobStatus.DRAFT),
        company=("Noor Tech",),
    )

    def missing_or(name: str, cond: dict[str, Any]) -> dict[str, Any]:
        return {
            "bool": {
                "should": [{"bool": {"must_not": {"exists": {"field": name}}}}, cond],
                "minimum_should_match": 1,
            }
        }

    assert filter_clauses(f) == [
        {"terms": {"city": ["Dubai", "Doha"]}},
        {"terms": {"country": ["AE", "QA"]}},
        {"terms": {"job_type": ["contract"]}},
        {"terms": {"work_mode": ["remote"]}},
        missing_or("salary_max", {"range": {"salary_max": {"gte": 9000}}}),
        missing_or("salary_min", {"range": {"salary_min": {"lte": 16000}}}),
        missing_or("experience_min", {"range": {"experience_min": {"lte": 3}}}),
        {"terms": {"language": ["ar"]}},
        {"range": {"posted_at": {"gte": "2026-10-09T12:00:08.000500Z"}}},
        {"terms": {"status": ["open", "draft"]}},
        {"terms": {"company": ["Noor Tech"]}},
    ]
    assert filter_clauses(JobFilters(status=())) == []
    with pytest.raises(InvalidQuery):
        filter_clauses(JobFilters(city=("Dubai\x00",)))


def _evaluate(clause: dict[str, Any], source: dict[str, Any]) -> bool:
    """Elasticsearch's semantics for the clause kinds we send, over one ``_source``."""
    (kind, spec), *_ = clause.items()
    if kind == "terms":
        (name, values), *_ = spec.items()
        value = source.get(name)
        return value is not None and value in values
    if kind == "exists":
        return source.get(spec["field"]) is not None
    if kind == "range":
        (name, bounds), *_ = spec.items()
        value = source.get(name)
        if value is None:
            return False
        for op, bound in bounds.items():
            if op == "gte" and not value >= bound:
                return False
            if op == "lte" and not value <= bound:
                return False
        return True
    if kind == "bool":
        ok = all(_evaluate(c, source) for c in spec.get("filter", []))
        ok = ok and not any(_evaluate(c, source) for c in _listed(spec.get("must_not")))
        should = _listed(spec.get("should"))
        if should:
            hits = sum(_evaluate(c, source) for c in should)
            ok = ok and hits >= int(spec.get("minimum_should_match", 1))
        return ok
    raise AssertionError(f"unexpected clause {kind}")


def _listed(value: Any) -> list[dict[str, Any]]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


@pytest.mark.unit
@pytest.mark.parametrize(("name", "filters"), FILTER_CASES, ids=[c[0] for c in FILTER_CASES])
def test_filter_translation_has_the_sql_semantics(name: str, filters: JobFilters) -> None:
    """The clauses we send, evaluated with Elasticsearch's semantics over the documents we send,
    keep exactly the documents the reference (itself checked against job_filter_sql) keeps."""
    clause = {"bool": {"filter": filter_clauses(filters)}}
    for doc in corpus():
        assert _evaluate(clause, to_source(doc)) == reference_matches(doc, filters), (name, doc.id)


@pytest.mark.unit
async def test_rebuild_fills_a_new_index_then_swaps_the_alias_and_drops_the_rest(
    index: ElasticsearchJobIndex, recorder: Recorder
) -> None:
    # The current index, a half-built one from a crashed run, and someone else's index.
    recorder.indexes = {
        "tabashir-jobs-100": True,
        "tabashir-jobs-200": False,
        "tabashir-jobs-archive": False,
    }
    docs = corpus()[:4]
    assert await index.rebuild(docs, version=77) == 4
    (create,) = recorder.creates()
    new = create.path[1:]
    assert create.body["settings"]["refresh_interval"] == "-1"
    assert create.body["settings"]["number_of_replicas"] == 0
    (bulk,) = [r for r in recorder.requests if r.path.endswith("/_bulk")]
    assert bulk.path == f"/{new}/_bulk"  # written to the new index, not through the alias
    assert bulk.params["refresh"] == ["false"]
    assert bulk.body[0] == {
        "index": {"_id": str(docs[0].id), "version": 77, "version_type": "external"}
    }
    (settings_call,) = [r for r in recorder.requests if r.path.endswith("/_settings")]
    assert settings_call.body == {"number_of_replicas": 0, "refresh_interval": "1s"}
    (swap,) = recorder.of("POST", "/_aliases")
    assert swap.body == {
        "actions": [
            {"remove": {"index": "tabashir-jobs-100", "alias": "tabashir-jobs"}},
            {"add": {"index": new, "alias": "tabashir-jobs"}},
        ]
    }
    (drop,) = recorder.of("DELETE")
    assert drop.path == "/tabashir-jobs-100,tabashir-jobs-200"
    assert set(recorder.indexes) == {new, "tabashir-jobs-archive"}
    order = [r.path for r in recorder.requests]
    assert order.index(swap.path) > order.index(bulk.path)  # swapped only once full


@pytest.mark.unit
async def test_a_failed_rebuild_deletes_its_index_and_keeps_the_alias(
    index: ElasticsearchJobIndex, recorder: Recorder
) -> None:
    recorder.indexes = {"tabashir-jobs-100": True}
    recorder.bulk_status = lambda op, meta: 400
    with pytest.raises(BulkError):
        await index.rebuild(corpus()[:3])
    assert recorder.indexes == {"tabashir-jobs-100": True}
    assert not recorder.of("POST", "/_aliases")


@pytest.mark.unit
async def test_rankings_feed_our_fusion(index: ElasticsearchJobIndex, recorder: Recorder) -> None:
    recorder.hits = [
        {"_id": str(doc_id(3)), "_score": 0.75},
        {"_id": str(doc_id(4)), "_score": 0.5},
    ]
    rankings = await index.rankings("analyst", embed("analyst"), JobFilters(), 10)
    assert set(rankings) == {"lexical", "vector", "chunks"}
    fused = reciprocal_rank_fusion(rankings)
    assert [h.id for h in fused] == [doc_id(3), doc_id(4)]
    assert fused[0].ranks == {"lexical": 1, "vector": 1, "chunks": 1}
    searches = recorder.of("POST", "/_search")
    assert sum("knn" in s.body for s in searches) == 2
    assert sum("query" in s.body for s in searches) == 1


@pytest.mark.unit
def test_documents_without_vectors_carry_no_vector_fields() -> None:
    doc = SearchDocument(id=doc_id(1), title="Nurse", city=None, salary_max=None)
    source = to_source(doc)
    assert "vector" not in source
    assert "chunks" not in source
    assert "city" not in source
    assert "salary_max" not in source
    assert index_mappings(ElasticsearchSettings())["properties"]["id"] == {"type": "keyword"}


@pytest.mark.unit
async def test_drop_all_deletes_every_index_of_the_alias_by_name(
    index: ElasticsearchJobIndex, recorder: Recorder
) -> None:
    recorder.indexes = {
        "tabashir-jobs-100": True,
        "tabashir-jobs-200": False,
        "tabashir-jobs-archive": False,
    }
    assert await index.drop_all() == ["tabashir-jobs-100", "tabashir-jobs-200"]
    (drop,) = recorder.of("DELETE")
    assert "*" not in drop.path  # 8.x refuses wildcard deletes by default
    assert set(recorder.indexes) == {"tabashir-jobs-archive"}
