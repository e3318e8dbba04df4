"""`tabashir reindex`: the nightly job that brings every derived index and the batch
recommendations up to date from Postgres.

* Incremental by content hash (every row checked; only changed text, missing vectors and
  vectors of another model are embedded), committed batch by batch, so a run killed at any
  point (``kill -9`` included) loses at most one batch and the next run finishes the work.
* ``--full`` also rebuilds the lexical index (tantivy: a new folder, symlink swapped) and/or
  Elasticsearch (a new index, alias swapped), after dropping half-built ones of crashed runs.
* Then the outbox is drained and the batch recommendations are recomputed.
* One run at a time: a session-level Postgres advisory lock, held on a connection of its own for
  the whole run (released by the server if the process dies). A second run stops at once with
  :class:`ReindexLocked`; the worker's incremental refreshes skip while it is held.
"""

from __future__ import annotations

import asyncio
import contextlib
import enum
import json
import os
import shutil
import sys
import time
from collections.abc import Callable
from functools import lru_cache
from types import TracebackType
from typing import Annotated, Any, Literal, Protocol

import typer
from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict
from sqlalchemy import func, select
from sqlalchemy.engine import URL

from api.indexer import (
    INDEX_LOCK_KEY,
    IndexReport,
    outbox_lag,
    refresh_indexes,
    update_lag_metrics,
)
from indexing.elasticsearch import ElasticsearchJobIndex, elasticsearch_configured
from indexing.embedder import Embedder, HashingEmbedder, SentenceTransformerEmbedder
from indexing.lexical import TantivyJobIndex
from matching.batch import refresh_recommendations
from models.db import check_reachable, make_async_engine, make_sessionmaker, resolve_database_url

Backend = Literal["tantivy", "elasticsearch", "all"]
BACKEND_CHOICES: tuple[Backend, ...] = ("tantivy", "elasticsearch", "all")


class ReindexSettings(BaseSettings):
    """The reindex command (``TABASHIR_REINDEX_*``)."""

    model_config = SettingsConfigDict(
        env_prefix="TABASHIR_REINDEX_", env_file=".env", extra="ignore"
    )

    #: "model": the sentence-transformers model of TABASHIR_EMBEDDING_*; "hashing": the
    #: deterministic bag-of-words embedder (machines without the model, tests).
    embedder: Literal["model", "hashing"] = "model"
    #: Jobs / CVs embedded (and committed) per batch: what a crash can cost at most.
    job_batch: int = Field(default=128, ge=1, le=10_000)
    resume_batch: int = Field(default=64, ge=1, le=10_000)
    #: Recompute the batch recommendations after the indexes.
    recommendations: bool = True


@lru_cache
def get_reindex_settings() -> ReindexSettings:
    return ReindexSettings()


class ReindexError(RuntimeError):
    """The reindex cannot run as asked (a clear message for the command line)."""


class ReindexLocked(ReindexError):
    """Another reindex holds the lock."""


class ReindexProgress(Protocol):
    """Where a run reports: a line per step, and counters for a progress bar."""

    def __call__(self, message: str) -> None: ...

    def step(self, phase: str, done: int, total: int | None) -> None: ...


class LineProgress:
    """Progress as plain lines on stderr (logs, cron mail, a pipe), flushed at once."""

    def __init__(self, write: Callable[[str], None] | None = None) -> None:
        self._write = write

    def __call__(self, message: str) -> None:
        if self._write is not None:
            self._write(message)
            return
        sys.stderr.write(message + "\n")
        sys.stderr.flush()

    def step(self, phase: str, done: int, total: int | None) -> None:
        return None


class ConsoleProgress:
    """A rich progress bar on a terminal, plain lines otherwise (use it as a context manager)."""

    def __init__(self) -> None:
        from rich.console import Console

        self.console = Console(stderr=True)
        self._lines = LineProgress()
        self._bar: Any = None
        self._tasks: dict[str, Any] = {}

    def __enter__(self) -> ConsoleProgress:
        if self.console.is_terminal:
            from rich.progress import (
                BarColumn,
                MofNCompleteColumn,
                Progress,
                SpinnerColumn,
                TextColumn,
                TimeElapsedColumn,
            )

            self._bar = Progress(
                SpinnerColumn(),
                TextColumn("{task.description:<22}"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeElapsedColumn(),
                console=self.console,
                transient=False,
            )
            self._bar.__enter__()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._bar is not None:
            self._bar.__exit__(kind, exc, tb)
            self._bar = None

    def __call__(self, message: str) -> None:
        if self._bar is None:
            self._lines(message)

    def step(self, phase: str, done: int, total: int | None) -> None:
        if self._bar is None:
            return
        task = self._tasks.get(phase)
        if task is None:
            task = self._tasks[phase] = self._bar.add_task(phase, total=total)
        self._bar.update(task, completed=done, total=total)


def _as_progress(progress: ReindexProgress | Callable[[str], None] | None) -> ReindexProgress:
    if progress is None:
        return LineProgress(lambda _: None)
    if hasattr(progress, "step"):
        return progress  # type: ignore[return-value]
    return LineProgress(progress)


def clean_tantivy(index: TantivyJobIndex) -> list[str]:
    """Remove index generations newer than the current one (half-built by a killed rebuild) and
    stray swap links, under the writer lock. Returns what was removed."""
    root = index.root
    if not root.exists():
        return []
    removed: list[str] = []
    with index._lock().held():  # the index's own writer lock: no rebuild is running
        try:
            current = os.readlink(root / "current")
        except OSError:
            current = ""
        for path in sorted(root.glob("gen-*")):
            if path.is_dir() and path.name > current:
                shutil.rmtree(path, ignore_errors=True)
                removed.append(path.name)
        for link in root.glob(".current-*"):
            with contextlib.suppress(OSError):
                link.unlink()
                removed.append(link.name)
    return removed


def make_embedder(settings: ReindexSettings | None = None) -> Embedder:
    settings = settings or get_reindex_settings()
    if settings.embedder == "hashing":
        return HashingEmbedder()
    return SentenceTransformerEmbedder()


async def run_reindex_async(
    url: URL,
    *,
    full: bool = False,
    backend: Backend = "all",
    progress: ReindexProgress | Callable[[str], None] | None = None,
    embedder: Embedder | None = None,
    lexical: TantivyJobIndex | None = None,
    recommendations: bool | None = None,
    settings: ReindexSettings | None = None,
) -> dict[str, object]:
    """:func:`run_reindex` on the database at ``url``."""
    settings = settings or get_reindex_settings()
    if backend not in BACKEND_CHOICES:
        raise ReindexError(
            f"unknown backend {backend!r}; choose one of {', '.join(BACKEND_CHOICES)}"
        )
    if backend == "elasticsearch" and not elasticsearch_configured():
        raise ReindexError("--backend elasticsearch needs ELASTICSEARCH_URL to be set")
    report_progress = _as_progress(progress)
    embedder = embedder or make_embedder(settings)
    lexical = lexical or TantivyJobIndex()
    do_recommendations = settings.recommendations if recommendations is None else recommendations
    started = time.perf_counter()
    engine = make_async_engine(url)
    es: ElasticsearchJobIndex | None = None
    try:
        lock_conn = await engine.connect()
        lock_conn = await lock_conn.execution_options(isolation_level="AUTOCOMMIT")
        try:
            got = (
                await lock_conn.execute(select(func.pg_try_advisory_lock(INDEX_LOCK_KEY)))
            ).scalar_one()
            if not got:
                raise ReindexLocked(
                    "another `tabashir reindex` is running on this database (advisory lock "
                    "held); this run stops. Try again when it has finished."
                )
            try:
                es = ElasticsearchJobIndex.from_settings() if elasticsearch_configured() else None
                backends = {"tantivy", "elasticsearch"} if backend == "all" else {backend}
                notes: list[str] = []
                if full and "tantivy" in backends:
                    removed = await asyncio.to_thread(clean_tantivy, lexical)
                    if removed:
                        notes.append(f"removed {len(removed)} half-built tantivy generations")
                if backend == "all" and es is None:
                    notes.append("ELASTICSEARCH_URL is not set: Elasticsearch skipped")
                factory = make_sessionmaker(engine)
                async with factory() as session:
                    report: IndexReport = await refresh_indexes(
                        session,
                        embedder,
                        lexical,
                        full=full,
                        progress=report_progress,
                        search=es,
                        backends=backends,
                        scan=True,
                        checkpoint=session.commit,
                        step=report_progress.step,
                        lock=False,
                        job_batch=settings.job_batch,
                        resume_batch=settings.resume_batch,
                    )
                    await session.commit()
                    batch: dict[str, object] | None = None
                    if do_recommendations:
                        batch_report = await refresh_recommendations(
                            session,
                            embedder.model_id,
                            progress=report_progress,
                            checkpoint=session.commit,
                        )
                        await session.commit()
                        batch = batch_report.as_dict()
                    lag = await update_lag_metrics(session)
                    lexical_count = await lexical.count()
                    es_count = await es.count() if es is not None else None
                    await session.commit()
            finally:
                await lock_conn.execute(select(func.pg_advisory_unlock(INDEX_LOCK_KEY)))
        finally:
            await lock_conn.close()
    finally:
        if es is not None:
            await es.close()
        await engine.dispose()
    return {
        "full": full,
        "backend": backend,
        "model": embedder.model_id,
        "indexes": report.as_dict(),
        "recommendations": batch,
        "lexical_documents": lexical_count,
        "elasticsearch_documents": es_count,
        "outbox_pending": lag.pending,
        "seconds": round(time.perf_counter() - started, 2),
        "notes": [*notes, *report.notes],
    }


def run_reindex(
    full: bool = False,
    backend: str = "all",
    progress: ReindexProgress | Callable[[str], None] | None = None,
    **kwargs: Any,
) -> dict[str, object]:
    """Bring every derived index and the batch recommendations up to date; return a summary.

    Raises :class:`ReindexLocked` when another run holds the lock, :class:`ReindexError` when the
    run cannot start as asked, ``models.errors.DatabaseError`` when the database is unreachable.
    """
    if backend not in BACKEND_CHOICES:
        raise ReindexError(
            f"unknown backend {backend!r}; choose one of {', '.join(BACKEND_CHOICES)}"
        )
    url = resolve_database_url()
    check_reachable(url)
    return asyncio.run(
        run_reindex_async(url, full=full, backend=backend, progress=progress, **kwargs)
    )


async def lag_summary(url: URL) -> dict[str, float]:
    """Pending outbox rows and the oldest one's age (for `tabashir reindex --status`)."""
    engine = make_async_engine(url)
    try:
        async with make_sessionmaker(engine)() as session:
            lag = await outbox_lag(session)
    finally:
        await engine.dispose()
    return {"pending": lag.pending, "oldest_age_s": round(lag.oldest_age_s, 1)}


def summary_lines(result: dict[str, Any]) -> list[str]:
    """The run's summary for a person (the command prints it after the progress)."""
    idx = result["indexes"]
    lines = [
        f"reindex ({'full' if result['full'] else 'incremental'}, backend {result['backend']}, "
        f"model {result['model']}) in {result['seconds']} s",
        f"  checked   {idx['jobs_checked']} jobs, {idx['resumes_checked']} CVs",
        f"  embedded  {idx['jobs_embedded']} jobs, {idx['resumes_embedded']} CVs",
        f"  tantivy   {result['lexical_documents']} documents"
        + (" (rebuilt)" if idx["lexical_rebuilt"] else ""),
    ]
    if result["elasticsearch_documents"] is not None:
        lines.append(
            f"  elastic   {result['elasticsearch_documents']} documents"
            + (" (rebuilt)" if idx["elasticsearch_rebuilt"] else "")
        )
    lines.append(
        f"  outbox    {idx['outbox_drained']} changes applied, {idx['deleted']} deletions, "
        f"{result['outbox_pending']} pending"
    )
    rec = result.get("recommendations")
    if rec:
        lines.append(
            f"  recommend {rec['stored']} for {rec['candidates']} CVs over {rec['jobs']} open jobs, "
            f"{rec['notifications']} notified"
        )
    lines.extend(f"  note      {n}" for n in result.get("notes") or [])
    return lines


class BackendChoice(enum.StrEnum):
    TANTIVY = "tantivy"
    ELASTICSEARCH = "elasticsearch"
    ALL = "all"


def reindex_command(
    full: Annotated[
        bool,
        typer.Option(
            "--full",
            help="Also rebuild the lexical indexes from scratch (new index, atomic swap).",
        ),
    ] = False,
    backend: Annotated[
        BackendChoice, typer.Option(help="Which lexical index --full rebuilds.")
    ] = BackendChoice.ALL,
    recommendations: Annotated[
        bool, typer.Option(help="Recompute the batch recommendations afterwards.")
    ] = True,
) -> None:
    """Embed what changed (by content hash), sync or rebuild the indexes, refresh recommendations."""
    from models.errors import DatabaseError

    with ConsoleProgress() as progress:
        try:
            result = run_reindex(
                full=full,
                backend=str(backend.value if isinstance(backend, BackendChoice) else backend),
                progress=progress,
                recommendations=recommendations,
            )
        except ReindexLocked as exc:
            typer.echo(f"error: {exc}", err=True)
            raise typer.Exit(3) from None
        except (ReindexError, DatabaseError) as exc:
            typer.echo(f"error: {exc}", err=True)
            raise typer.Exit(2) from None
    for line in summary_lines(result):
        typer.echo(line, err=True)
    typer.echo("reindex: " + json.dumps(result, default=str))


__all__ = [
    "BACKEND_CHOICES",
    "BackendChoice",
    "ConsoleProgress",
    "LineProgress",
    "ReindexError",
    "ReindexLocked",
    "ReindexProgress",
    "ReindexSettings",
    "clean_tantivy",
    "lag_summary",
    "reindex_command",
    "run_reindex",
    "run_reindex_async",
    "summary_lines",
]


if __name__ == "__main__":  # `python -m api.reindex`: the same command as `tabashir reindex`
    typer.run(reindex_command)
