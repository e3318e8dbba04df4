"""BM25 over job texts with tantivy, in a folder beside the database, kept in sync from Postgres.

Why not Postgres full-text search: it ranks every matching row, so a few common words joined by
OR take ~200 ms at p95 over 100k jobs, and a CV used as a query is a very long OR. tantivy answers
the same in about a millisecond (``benchmarks/lexical_latency.py``).

* Fields: ``title`` (boost 3), ``skills`` (2), ``body`` (1), analysed for English and Arabic at
  once: Arabic letters normalised (:func:`normalise_arabic`), lower case, ASCII folding, English
  and Arabic stop words, then the English and the Arabic Snowball stemmers (each leaves the other
  script alone), so a mixed CV matches both kinds of job.
* Filters: keyword and numeric fields translated from :class:`JobFilters` with exactly the
  semantics of :func:`indexing.filters.job_filter_sql` (the conformance suite checks both agree).
  A filter most documents pass is applied after the search, on its deepest hits, so that
  tantivy keeps skipping documents that cannot rank (:class:`_SearchPlan`); the hits are exactly
  those of the filtered search.
* Queries are built from analysed terms, never parsed: user text cannot inject query syntax. A
  long query (a whole CV) keeps its ``max_query_terms`` most distinctive terms.
* One writer at a time (a thread lock plus a file lock shared by processes); readers reload after
  every commit. :meth:`TantivyJobIndex.rebuild` writes a new folder and swaps a symlink to it
  atomically, so searches never see a half-built index.
* Sync from Postgres: a trigger puts every changed job in ``search_outbox``;
  :func:`sync_from_outbox` applies them. :func:`rebuild_from_db` reads everything again.
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import fcntl
import math
import os
import re
import shutil
import threading
import time
import uuid
from collections import Counter
from collections.abc import (
    AsyncIterable,
    AsyncIterator,
    Generator,
    Iterable,
    Iterator,
    Sequence,
)
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import tantivy
from sqlalchemy import Select, delete, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session, load_only

from indexing.filters import JobFilters
from indexing.protocol import (
    Documents,
    Hit,
    IndexUnavailable,
    InvalidQuery,
    SearchDocument,
    check_filters,
    check_k,
    job_document,
)
from indexing.settings import LexicalSettings, get_lexical_settings
from models import Job
from models.search import DocType, SearchOutbox
from models.settings import get_database_settings

# -- text analysis ------------------------------------------------------------------------------

_ARABIC_MARKS = re.compile(
    "[\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06dc\u06df-\u06e8\u06ea-\u06ed]"
)
_ARABIC_LETTERS = str.maketrans(
    {
        "\u0622": "\u0627",  # آ → ا
        "\u0623": "\u0627",  # أ → ا
        "\u0625": "\u0627",  # إ → ا
        "\u0671": "\u0627",  # ٱ → ا
        "\u0649": "\u064a",  # ى → ي
        "\u06cc": "\u064a",  # Persian ی → ي
        "\u06a9": "\u0643",  # Persian ک → ك
        "\u0629": "\u0647",  # ة → ه
        "\u0640": None,  # tatweel
        **{chr(0x0660 + d): str(d) for d in range(10)},  # Arabic-Indic digits
        **{chr(0x06F0 + d): str(d) for d in range(10)},  # Eastern Arabic-Indic digits
    }
)


def normalise_arabic(text: str) -> str:
    """Arabic spelling variants folded to one form: diacritics and tatweel removed, alef forms
    to bare alef, alef maqsura to ya, ta marbuta to ha, Arabic-Indic digits to 0-9."""
    return _ARABIC_MARKS.sub("", text).translate(_ARABIC_LETTERS)


# Tokens the simple tokenizer would cut to a bare letter, yet name distinct skills.
_TECH_TERMS = [
    (re.compile(r"(?<![\w+#])c\+\+(?![\w+#])", re.IGNORECASE), " cplusplus "),
    (re.compile(r"(?<![\w+#])c#(?![\w#])", re.IGNORECASE), " csharp "),
    (re.compile(r"(?<![\w+#])f#(?![\w#])", re.IGNORECASE), " fsharp "),
    (re.compile(r"(?<![\w.])\.net(?![\w])", re.IGNORECASE), " dotnet "),
]

#: Common Arabic function words, in normalised spelling (tantivy ships no Arabic stop list).
_ARABIC_STOPWORDS = [
    normalise_arabic(w)
    for w in (  # noqa: SIM905 - one line of words reads better than 47 list items
        "في من على إلى عن مع هذا هذه ذلك تلك التي الذي الذين أن إن كان كانت و أو ثم لقد قد لا "
        "ما لم لن هو هي هم نحن أنا أنت كل بعض غير بين حتى عند عبر أي لدى خلال ضمن حول كما أيضا"
    ).split()
]

_TEXT_ANALYZER = "tabashir_text"


def prepare_text(text: str) -> str:
    """Text as the analyser expects it: Arabic normalised, C++/C#/.NET kept as words."""
    text = normalise_arabic(text)
    for pattern, replacement in _TECH_TERMS:
        text = pattern.sub(replacement, text)
    return text


def build_analyzer() -> tantivy.TextAnalyzer:
    """The analyser of title, skills and body (queries go through the same one)."""
    return (
        tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.simple())
        .filter(tantivy.Filter.remove_long(40))
        .filter(tantivy.Filter.lowercase())
        .filter(tantivy.Filter.ascii_fold())
        .filter(tantivy.Filter.stopword("english"))
        .filter(tantivy.Filter.custom_stopword(_ARABIC_STOPWORDS))
        .filter(tantivy.Filter.stemmer("english"))
        .filter(tantivy.Filter.stemmer("arabic"))
        .build()
    )


# -- schema and documents -----------------------------------------------------------------------

_KEYWORD_FIELDS = ("city", "country", "job_type", "work_mode", "language", "status", "company")
# A missing bound is stored as the value that makes SQL's "IS NULL OR ..." hold (or fail) the same
# way: a job without a salary ceiling passes any salary wish, one never posted fails posted_since.
_I64_MIN = -(2**63)
_I64_MAX = 2**63 - 1
#: Largest result list a lexical search returns (fusion pools are a few hundred).
_MAX_K = 10_000


def build_schema() -> tantivy.Schema:
    sb = tantivy.SchemaBuilder()
    sb.add_text_field("id", stored=True, tokenizer_name="raw")
    sb.add_text_field("title", tokenizer_name=_TEXT_ANALYZER, index_option="position")
    sb.add_text_field("skills", tokenizer_name=_TEXT_ANALYZER, index_option="position")
    sb.add_text_field("body", tokenizer_name=_TEXT_ANALYZER, index_option="freq")
    for name in _KEYWORD_FIELDS:
        sb.add_text_field(name, tokenizer_name="raw", index_option="basic")
    for name in ("salary_min", "salary_max", "experience_min", "posted_at_us"):
        sb.add_integer_field(name, indexed=True, fast=True)
    return sb.build()


def _value(v: Any) -> str:
    return str(getattr(v, "value", v))


def _micros(dt: datetime) -> int:
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)
    delta = dt - datetime(1970, 1, 1, tzinfo=UTC)
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


def _to_tantivy(doc: SearchDocument) -> tantivy.Document:
    out = tantivy.Document()
    out.add_text("id", str(doc.id))
    out.add_text("title", prepare_text(doc.title))
    for skill in doc.skills:
        out.add_text("skills", prepare_text(skill))
    out.add_text("body", prepare_text(doc.body))
    keywords = {
        "city": doc.city,
        "country": doc.country,
        "job_type": doc.job_type,
        "work_mode": doc.work_mode,
        "language": doc.language,
        "status": doc.status,
        "company": doc.company,
    }
    for name, value in keywords.items():
        if value is not None:
            out.add_text(name, _value(value))
    out.add_integer("salary_min", _I64_MIN if doc.salary_min is None else doc.salary_min)
    out.add_integer("salary_max", _I64_MAX if doc.salary_max is None else doc.salary_max)
    out.add_integer(
        "experience_min", _I64_MIN if doc.experience_min is None else doc.experience_min
    )
    out.add_integer("posted_at_us", _I64_MIN if doc.posted_at is None else _micros(doc.posted_at))
    return out


#: (field, terms): the document must hold one of the terms.
_OneOf = tuple[str, list[str]]
#: (field, lower bound, upper bound), inclusive; None: unbounded.
_Range = tuple[str, int | None, int | None]


def _filter_parts(f: JobFilters) -> tuple[list[_OneOf], list[_Range]]:
    """``f`` as keyword and numeric conditions with :func:`indexing.filters.job_filter_sql`'s
    semantics."""
    one_of: list[_OneOf] = []
    ranges: list[_Range] = []

    def terms(values: Iterable[Any]) -> list[str]:
        return list(dict.fromkeys(_value(v) for v in values))

    if f.city:
        one_of.append(("city", terms(f.city)))
    if f.country:
        one_of.append(("country", terms(c.upper() for c in f.country)))
    if f.job_type:
        one_of.append(("job_type", terms(f.job_type)))
    if f.work_mode:
        one_of.append(("work_mode", terms(f.work_mode)))
    if f.salary_min is not None:
        ranges.append(("salary_max", f.salary_min, None))
    if f.salary_max is not None:
        ranges.append(("salary_min", None, f.salary_max))
    if f.experience_years is not None:
        ranges.append(("experience_min", None, f.experience_years))
    if f.language:
        one_of.append(("language", terms(f.language)))
    if f.posted_since is not None:
        ranges.append(("posted_at_us", _micros(f.posted_since), None))
    if f.status:
        one_of.append(("status", terms(f.status)))
    if f.company:
        one_of.append(("company", terms(f.company)))
    return one_of, ranges


def filter_query(schema: tantivy.Schema, f: JobFilters) -> tantivy.Query | None:
    """``f`` as a tantivy query with :func:`indexing.filters.job_filter_sql`'s semantics."""
    return _filter_query(schema, *_filter_parts(f))


def _filter_query(
    schema: tantivy.Schema, one_of: list[_OneOf], ranges: list[_Range]
) -> tantivy.Query | None:
    must: list[tantivy.Query] = []
    for field, terms in one_of:
        if len(terms) > 16:
            must.append(tantivy.Query.term_set_query(schema, field, terms))
            continue
        # A few postings lists OR'ed skip through an intersection faster than a term set, which
        # materialises every matching document first (measured ~25 % faster on whole queries).
        must.append(
            tantivy.Query.boolean_query(
                [(tantivy.Occur.Should, tantivy.Query.term_query(schema, field, t)) for t in terms]
            )
        )
    for field, lower, upper in ranges:
        must.append(
            tantivy.Query.range_query(
                schema, field, tantivy.FieldType.Integer, lower_bound=lower, upper_bound=upper
            )
        )
    if not must:
        return None
    if len(must) == 1:
        return must[0]
    return tantivy.Query.boolean_query([(tantivy.Occur.Must, q) for q in must])


def estimated_share(searcher: tantivy.Searcher, f: JobFilters, range_share: float) -> float:
    """The share of documents that pass ``f``, estimated without a search: each keyword
    condition from its terms' document counts, each numeric one as ``range_share``, conditions
    taken as independent."""
    return _estimated_share(searcher, *_filter_parts(f), range_share)


def _estimated_share(
    searcher: tantivy.Searcher, one_of: list[_OneOf], ranges: list[_Range], range_share: float
) -> float:
    n_docs = max(1, int(searcher.num_docs))
    share = range_share ** len(ranges)
    for field, terms in one_of:
        share *= min(1.0, sum(searcher.doc_freq(field, t) for t in terms) / n_docs)
    return share


def _hits(searcher: tantivy.Searcher, found: tantivy.SearchResult) -> list[Hit]:
    hits: list[Hit] = []
    for rank, (score, address) in enumerate(found.hits, start=1):
        doc_id = searcher.doc(address).get_first("id")
        hits.append(Hit(id=uuid.UUID(str(doc_id)), score=float(score), rank=rank))
    return hits


#: One search a plan asks for: the query and how many hits.
_Search = tuple[tantivy.Query, int]
_Steps = Generator[_Search, tantivy.SearchResult, list[Hit]]


def _advance(steps: _Steps, found: tantivy.SearchResult | None) -> _Search | list[Hit]:
    """Send ``found`` (None to start) to a plan's :meth:`_SearchPlan.steps`: the next search it
    asks for, or its hits."""
    try:
        return next(steps) if found is None else steps.send(found)
    except StopIteration as done:
        hits: list[Hit] = done.value
        return hits


class _SearchPlan:
    """A prepared search. :meth:`steps` is the algorithm, free of I/O: it yields the searches
    it needs and is sent their results, so that the sync and the async callers share it.

    A filter costs a filtered search its speed: tantivy then visits every document that holds
    a query term (the intersection), where the bare terms are searched with block-max WAND,
    which skips the documents that cannot reach the top. So a filter that most documents pass
    is applied after the search (post-filtering): the top ``depth`` by the terms alone
    (``depth`` from the filter's estimated share), then the filter checked on those. When at
    least ``k`` pass, they are exactly the filtered search's top ``k``, as no document the
    filter passes can rank between them. Otherwise ``depth`` grows fourfold up to
    ``max_depth``, then the filtered search runs as before. A selective filter goes straight
    to the filtered search, where the few documents passing it lead the intersection.
    """

    def __init__(
        self,
        searcher: tantivy.Searcher,
        schema: tantivy.Schema,
        should: list[tuple[tantivy.Occur, tantivy.Query]],
        constraint: tantivy.Query | None,
        depth: int | None,
        max_depth: int,
    ) -> None:
        self.searcher = searcher
        self._schema = schema
        self._should = should
        self._constraint = constraint
        self._depth = depth
        self._max_depth = max_depth

    def steps(self, k: int) -> _Steps:
        terms = tantivy.Query.boolean_query(self._should)
        if self._constraint is None:
            return _hits(self.searcher, (yield terms, k))
        depth = self._depth
        while depth is not None:
            found = yield terms, depth
            ids = [str(self.searcher.doc(address).get_first("id")) for _, address in found.hits]
            if not ids:
                return []
            check = tantivy.Query.boolean_query(
                [
                    (tantivy.Occur.Must, tantivy.Query.term_set_query(self._schema, "id", ids)),
                    (tantivy.Occur.Must, self._constraint),
                ]
            )
            passed = yield check, len(ids)
            passing = {(a.segment_ord, a.doc) for _, a in passed.hits}
            kept = [
                (doc_id, score)
                for doc_id, (score, a) in zip(ids, found.hits, strict=True)
                if (a.segment_ord, a.doc) in passing
            ]
            if len(kept) >= k or len(ids) < depth:  # enough, or every matching document seen
                return [
                    Hit(id=uuid.UUID(doc_id), score=float(score), rank=rank)
                    for rank, (doc_id, score) in enumerate(kept[:k], start=1)
                ]
            depth = None if depth >= self._max_depth else min(depth * 4, self._max_depth)
        # One level: the filter must match (scored 0, so scores stay pure BM25 and comparable
        # across filters) and at least one term must.
        filtered = tantivy.Query.boolean_query(
            [
                *self._should,
                (tantivy.Occur.Must, tantivy.Query.const_score_query(self._constraint, 0.0)),
            ],
            minimum_number_should_match=1,
        )
        return _hits(self.searcher, (yield filtered, k))


# -- the writer lock ----------------------------------------------------------------------------


class _WriterLock:
    """One writer per index folder: a thread lock for this process, ``flock`` for the others."""

    def __init__(self, path: Path, timeout_s: float) -> None:
        self._path = path
        self._timeout_s = timeout_s
        self._thread_lock = threading.Lock()
        self._fd: int | None = None

    def acquire(self) -> None:
        deadline = time.monotonic() + self._timeout_s
        if not self._thread_lock.acquire(timeout=self._timeout_s):
            raise IndexUnavailable("The lexical index is being written by another task; try again")
        try:
            fd = os.open(self._path, os.O_RDWR | os.O_CREAT, 0o644)
            while True:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except OSError as exc:
                    if exc.errno not in (errno.EAGAIN, errno.EACCES):
                        raise
                    if time.monotonic() > deadline:
                        os.close(fd)
                        raise IndexUnavailable(
                            "The lexical index is being written by another process; try again"
                        ) from None
                    time.sleep(0.05)
            self._fd = fd
        except BaseException:
            self._thread_lock.release()
            raise

    def release(self) -> None:
        fd, self._fd = self._fd, None
        if fd is not None:
            fcntl.flock(fd, fcntl.LOCK_UN)
            os.close(fd)
        self._thread_lock.release()

    @contextlib.contextmanager
    def held(self) -> Iterator[None]:
        self.acquire()
        try:
            yield
        finally:
            self.release()


# -- the index ----------------------------------------------------------------------------------


def default_lexical_dir(settings: LexicalSettings | None = None) -> Path:
    """``TABASHIR_LEXICAL_DIR``, else ``<TABASHIR_DATA_DIR>/index/lexical``."""
    settings = settings or get_lexical_settings()
    if settings.dir is not None:
        return settings.dir
    return get_database_settings().data_dir / "index" / "lexical"


class _Build:
    """A new index generation being written; becomes current on :meth:`TantivyJobIndex._swap`."""

    def __init__(self, root: Path, heap_bytes: int) -> None:
        self.path = root / f"gen-{time.time_ns()}"
        self.path.mkdir(parents=True)
        self.index = tantivy.Index(build_schema(), path=str(self.path))
        self.index.register_tokenizer(_TEXT_ANALYZER, build_analyzer())
        self.writer = self.index.writer(heap_size=heap_bytes)
        self.count = 0

    def add(self, docs: Iterable[SearchDocument]) -> None:
        for doc in docs:
            self.writer.add_document(_to_tantivy(doc))
            self.count += 1

    def finish(self) -> None:
        self.writer.commit()
        self.writer.wait_merging_threads()

    def abandon(self) -> None:
        with contextlib.suppress(Exception):
            self.writer.rollback()
        shutil.rmtree(self.path, ignore_errors=True)


class TantivyJobIndex:
    """The tantivy backend of :class:`indexing.protocol.LexicalIndex` for jobs.

    Safe to share between threads and tasks of one process (build it once, in the lifespan);
    other processes may open the same folder: writes take turns, searches follow the newest
    commit and the newest rebuild.
    """

    def __init__(self, path: Path | None = None, settings: LexicalSettings | None = None) -> None:
        self._settings = settings or get_lexical_settings()
        self.root = (path or default_lexical_dir(self._settings)).expanduser().resolve()
        self._schema = build_schema()
        self._analyzer = build_analyzer()
        self._fields = (
            ("title", self._settings.title_boost),
            ("skills", self._settings.skills_boost),
            ("body", self._settings.body_boost),
        )
        self._open_lock = threading.Lock()
        self._index: tantivy.Index | None = None
        self._generation: str | None = None
        self._writer_lock: _WriterLock | None = None

    # -- opening --------------------------------------------------------------------------------

    @property
    def _current(self) -> Path:
        return self.root / "current"

    def _lock(self) -> _WriterLock:
        if self._writer_lock is None:
            try:
                self.root.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise IndexUnavailable(
                    f"The lexical index folder {self.root} cannot be created ({exc.strerror})"
                ) from exc
            self._writer_lock = _WriterLock(
                self.root / ".writer.lock", self._settings.lock_timeout_s
            )
        return self._writer_lock

    def _read_generation(self) -> str | None:
        try:
            return os.readlink(self._current)
        except (FileNotFoundError, NotADirectoryError):
            return None
        except OSError as exc:
            raise IndexUnavailable(
                f"{self._current} is not a link to an index generation ({exc.strerror})"
            ) from exc

    def _ensure_exists(self, *, locked: bool) -> None:
        """Create an empty generation the first time (under the writer lock: one creator)."""
        if self._read_generation() is not None:
            return
        with contextlib.nullcontext() if locked else self._lock().held():
            if self._read_generation() is None:
                build = _Build(self.root, self._heap_bytes())
                build.finish()
                self._swap(build)

    def _open(self, *, locked: bool = False) -> tantivy.Index:
        """The index of the current generation, reopened when a rebuild swapped it.
        ``locked``: the caller holds the writer lock."""
        generation = self._read_generation()
        if generation is None:
            self._ensure_exists(locked=locked)
            generation = self._read_generation()
        index = self._index
        if index is not None and generation == self._generation:
            return index
        with self._open_lock:
            if self._index is None or generation != self._generation:
                path = self.root / str(generation)
                try:
                    index = tantivy.Index.open(str(path))
                except (ValueError, OSError) as exc:
                    raise IndexUnavailable(f"The lexical index in {path} cannot be opened") from exc
                index.register_tokenizer(_TEXT_ANALYZER, build_analyzer())
                # Other processes' commits show up by themselves; ours reload at once (below).
                index.config_reader(reload_policy="commit")
                self._index, self._generation = index, generation
            assert self._index is not None
            return self._index

    def _heap_bytes(self) -> int:
        return self._settings.writer_heap_mb * 1_000_000

    def _swap(self, build: _Build) -> None:
        """Point ``current`` at ``build`` atomically (rename of a symlink), drop old generations."""
        link = self.root / f".current-{time.time_ns()}"
        os.symlink(build.path.name, link)
        os.replace(link, self._current)
        # Keep the previous generation: another process may still be reading it.
        generations = sorted(p for p in self.root.glob("gen-*") if p.is_dir())
        for old in generations[:-2]:
            if old.name != build.path.name:
                shutil.rmtree(old, ignore_errors=True)

    # -- writes (sync) --------------------------------------------------------------------------

    def _apply(self, upserts: Sequence[SearchDocument], deletes: Sequence[uuid.UUID]) -> None:
        """Delete then add, one commit. The caller holds the writer lock."""
        index = self._open(locked=True)
        writer = index.writer(heap_size=min(self._heap_bytes(), 64_000_000), num_threads=1)
        try:
            for doc_id in [*deletes, *(d.id for d in upserts)]:
                writer.delete_documents_by_term("id", str(doc_id))
            for doc in upserts:
                writer.add_document(_to_tantivy(doc))
            writer.commit()
        except BaseException:
            writer.rollback()
            raise
        finally:
            writer.wait_merging_threads()
        index.reload()

    def upsert_sync(self, docs: Sequence[SearchDocument]) -> None:
        """Store ``docs`` (replacing earlier versions) in one commit."""
        if docs:
            with self._lock().held():
                self._apply(docs, ())

    def delete_sync(self, ids: Sequence[uuid.UUID]) -> None:
        """Remove ``ids``; unknown ids are ignored."""
        if ids:
            with self._lock().held():
                self._apply((), ids)

    def rebuild_sync(self, docs: Iterable[SearchDocument]) -> int:
        """Write ``docs`` into a new generation and swap it in; return how many it holds."""
        with self._lock().held():
            build = _Build(self.root, self._heap_bytes())
            try:
                build.add(docs)
                build.finish()
            except BaseException:
                build.abandon()
                raise
            self._swap(build)
        self._open()
        return build.count

    def upsert_jobs(self, jobs: Sequence[Job]) -> None:
        """Index job rows (their text and filter fields)."""
        self.upsert_sync([job_document(j) for j in jobs])

    # -- search (sync) --------------------------------------------------------------------------

    def count_sync(self) -> int:
        return int(self._open().searcher().num_docs)

    def query_terms(
        self, query_text: str, searcher: tantivy.Searcher | None = None
    ) -> list[tuple[str, float]]:
        """The analysed terms of ``query_text`` with their weights, most distinctive first.

        A long text keeps its ``max_query_terms`` terms with the highest tf·idf; terms no
        document contains are dropped, and so are terms in more than ``max_df_ratio`` of a large
        index's documents (boilerplate), as long as ``min_query_terms`` remain.
        """
        return [(term, weight) for term, weight, _ in self._query_terms(query_text, searcher)]

    def _query_terms(
        self, query_text: str, searcher: tantivy.Searcher | None = None
    ) -> list[tuple[str, float, int]]:
        """:meth:`query_terms` with each term's document count."""
        prepared = prepare_text(query_text[: self._settings.max_query_chars])
        counts = Counter(self._analyzer.analyze(prepared))
        if not counts:
            return []
        searcher = searcher or self._open().searcher()
        n_docs = max(1, int(searcher.num_docs))
        scored: list[tuple[float, str, float, int]] = []
        for term, tf in counts.items():
            # Body first: nearly every term of a job is there, so one lookup usually suffices.
            df = 0
            for field, _ in reversed(self._fields):
                df = searcher.doc_freq(field, term)
                if df:
                    break
            if df == 0:
                continue
            weight = 1.0 + math.log(tf)
            idf = math.log(1.0 + (n_docs - df + 0.5) / (df + 0.5))
            scored.append((weight * idf, term, weight, df))
        scored.sort(key=lambda item: (-item[0], item[1]))
        cfg = self._settings
        cap = cfg.max_df_ratio * n_docs if n_docs >= cfg.max_df_min_docs else float(n_docs)
        kept = [item for item in scored if item[3] <= cap]
        if len(kept) < cfg.min_query_terms:
            # Too few distinctive terms ("data analyst" in a corpus of analysts): the most
            # distinctive of the common ones make up the difference, in tf-idf order.
            common = [item for item in scored if item[3] > cap]
            kept = sorted(
                kept + common[: cfg.min_query_terms - len(kept)],
                key=lambda item: (-item[0], item[1]),
            )
        return [(term, weight, df) for _, term, weight, df in kept[: cfg.max_query_terms]]

    def search_sync(self, query_text: str, filters: JobFilters, k: int) -> list[Hit]:
        """BM25 top ``k`` for ``query_text`` among documents passing ``filters``."""
        plan = self._prepare(query_text, filters, k)
        if plan is None:
            return []
        steps = plan.steps(k)
        step = _advance(steps, None)
        while not isinstance(step, list):
            step = _advance(steps, plan.searcher.search(step[0], limit=step[1], count=False))
        return step

    def _prepare(self, query_text: str, filters: JobFilters, k: int) -> _SearchPlan | None:
        """How to search (None: no query term is in the index)."""
        if not isinstance(query_text, str):
            raise InvalidQuery("The query must be text")
        check_k(k, _MAX_K)
        check_filters(filters)
        searcher = self._open().searcher()
        terms = self._query_terms(query_text, searcher)
        if not terms:
            return None
        should = [
            (
                tantivy.Occur.Should,
                tantivy.Query.boost_query(
                    tantivy.Query.term_query(self._schema, field, term), boost * weight
                ),
            )
            for term, weight, _ in terms
            for field, boost in self._fields
        ]
        one_of, ranges = _filter_parts(filters)
        constraint = _filter_query(self._schema, one_of, ranges)
        depth = None
        cfg = self._settings
        if constraint is not None and cfg.post_filter_max_depth > 0:
            share = _estimated_share(searcher, one_of, ranges, cfg.range_filter_share)
            wanted = max(k, math.ceil(k * cfg.post_filter_margin / max(share, 1e-9)))
            # What the filtered search would visit (the terms' documents) against what
            # post-filtering reads per hit: below the ratio, the filtered search is cheaper.
            postings = sum(df for _, _, df in terms)
            if (
                wanted <= cfg.post_filter_max_depth
                and postings >= wanted * cfg.post_filter_min_postings_per_hit
            ):
                depth = wanted
        return _SearchPlan(
            searcher, self._schema, should, constraint, depth, cfg.post_filter_max_depth
        )

    def ids_sync(self, filters: JobFilters, limit: int = 100_000) -> set[uuid.UUID]:
        """Ids of documents passing ``filters`` (no text); for checks and tests."""
        searcher = self._open().searcher()
        constraint = filter_query(self._schema, filters) or tantivy.Query.all_query()
        result = searcher.search(constraint, limit=limit, count=False)
        return {uuid.UUID(str(searcher.doc(a).get_first("id"))) for _, a in result.hits}

    # -- the protocol (async) -------------------------------------------------------------------

    async def upsert(self, docs: Sequence[SearchDocument]) -> None:
        await asyncio.to_thread(self.upsert_sync, list(docs))

    async def delete(self, ids: Sequence[uuid.UUID]) -> None:
        await asyncio.to_thread(self.delete_sync, list(ids))

    async def count(self) -> int:
        return await asyncio.to_thread(self.count_sync)

    async def search_lexical(self, query_text: str, filters: JobFilters, k: int) -> list[Hit]:
        # Only the searches go to a thread: they run in Rust without the GIL. The Python around
        # them (analysis, query building, ids) stays here, so the thread never holds the GIL
        # while the caller waits on Postgres (a thread that does cost the caller several
        # milliseconds per query in GIL hand-overs).
        plan = self._prepare(query_text, filters, k)
        if plan is None:
            return []
        steps = plan.steps(k)
        step = _advance(steps, None)
        while not isinstance(step, list):
            found = await asyncio.to_thread(
                plan.searcher.search, step[0], limit=step[1], count=False
            )
            step = _advance(steps, found)
        return step

    async def rebuild(self, docs: Documents) -> int:
        if not isinstance(docs, AsyncIterable):
            return await asyncio.to_thread(self.rebuild_sync, docs)
        lock = self._lock()
        await asyncio.to_thread(lock.acquire)
        try:
            build = await asyncio.to_thread(_Build, self.root, self._heap_bytes())
            try:
                batch: list[SearchDocument] = []
                async for doc in docs:
                    batch.append(doc)
                    if len(batch) >= 1000:
                        await asyncio.to_thread(build.add, batch)
                        batch = []
                await asyncio.to_thread(build.add, batch)
                await asyncio.to_thread(build.finish)
            except BaseException:
                await asyncio.to_thread(build.abandon)
                raise
            self._swap(build)
        finally:
            lock.release()
        await asyncio.to_thread(self._open)
        return build.count


# -- sync from Postgres -------------------------------------------------------------------------

#: What a job's search document is built from (:func:`indexing.protocol.job_document`).
JOB_DOCUMENT_COLUMNS = (
    Job.id,
    Job.title,
    Job.company,
    Job.description,
    Job.requirements,
    Job.skills,
    Job.city,
    Job.country,
    Job.job_type,
    Job.work_mode,
    Job.salary_min,
    Job.salary_max,
    Job.experience_min,
    Job.language,
    Job.status,
    Job.posted_at,
)
#: What the lexical index reads of a job; everything else (the vector above all) stays unloaded.
_JOB_COLUMNS = load_only(*JOB_DOCUMENT_COLUMNS, raiseload=True)


def _all_jobs() -> Select[Any]:
    return select(Job).options(_JOB_COLUMNS).order_by(Job.id).execution_options(yield_per=1000)


def rebuild_from_db(session: Session, index: TantivyJobIndex) -> int:
    """Rebuild the lexical index from every job in Postgres (new folder, atomic swap)."""

    def docs() -> Iterator[SearchDocument]:
        for job in session.scalars(_all_jobs()):
            yield job_document(job)
            session.expunge(job)

    return index.rebuild_sync(docs())


async def rebuild_from_db_async(session: AsyncSession, index: TantivyJobIndex) -> int:
    """:func:`rebuild_from_db` for an async session."""

    async def docs() -> AsyncIterator[SearchDocument]:
        stream = await session.stream_scalars(_all_jobs())
        async for job in stream:
            yield job_document(job)
            session.expunge(job)

    return await index.rebuild(docs())


async def sync_from_outbox(
    session: AsyncSession, index: TantivyJobIndex, *, limit: int = 1000
) -> int:
    """Apply up to ``limit`` pending job changes from ``search_outbox`` to the index.

    Holds the writer lock from reading the jobs to the index commit, so two drainers apply
    changes in the order they read them. The outbox rows are deleted in the caller's transaction:
    if it rolls back they are simply applied again (writes are idempotent). Returns how many
    documents were updated or removed.
    """
    lock = index._lock()
    await asyncio.to_thread(lock.acquire)
    try:
        pending = (
            await session.execute(
                select(SearchOutbox.id, SearchOutbox.doc_id)
                .where(SearchOutbox.doc_type == DocType.JOB)
                .order_by(SearchOutbox.id)
                .limit(limit)
                .with_for_update(skip_locked=True)
            )
        ).all()
        if not pending:
            return 0
        doc_ids = list(dict.fromkeys(row.doc_id for row in pending))
        jobs = (
            await session.scalars(select(Job).options(_JOB_COLUMNS).where(Job.id.in_(doc_ids)))
        ).all()
        docs = [job_document(j) for j in jobs]
        found = {d.id for d in docs}
        gone = [i for i in doc_ids if i not in found]
        await asyncio.to_thread(index._apply, docs, gone)
        await session.execute(
            delete(SearchOutbox).where(SearchOutbox.id.in_([row.id for row in pending]))
        )
        return len(doc_ids)
    finally:
        lock.release()
