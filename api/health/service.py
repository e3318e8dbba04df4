"""What /health reports: database reachability and schema, vector coverage, embedding model."""

from __future__ import annotations

import asyncio
import time
from functools import lru_cache

from alembic.config import Config
from alembic.script import ScriptDirectory
from prometheus_client import Gauge
from sqlalchemy import func, select, text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncSession

from api.health.schemas import DatabaseHealth, Health, IndexHealth, LexicalHealth, ModelHealth
from api.state import AppState
from indexing.embedder import SentenceTransformerEmbedder
from indexing.protocol import SearchIndexError
from models import Job, Resume

VERSION = "0.1.0"

LEXICAL_UP = Gauge(
    "tabashir_lexical_index_up", "1 when the BM25 index opens and answers, 0 when it does not"
)


@lru_cache
def migration_heads() -> frozenset[str]:
    from api.migrations import alembic_config

    config: Config = alembic_config()
    return frozenset(ScriptDirectory.from_config(config).get_heads())


async def _database(session: AsyncSession) -> DatabaseHealth:
    started = time.perf_counter()
    try:
        await session.execute(text("SELECT 1"))
        latency = round((time.perf_counter() - started) * 1000, 2)
        # One row per applied head (several while branches are unmerged).
        revisions = frozenset(
            (await session.execute(text("SELECT version_num FROM alembic_version"))).scalars()
        )
    except SQLAlchemyError as exc:
        await session.rollback()
        return DatabaseHealth(status="down", error=type(exc).__name__)
    return DatabaseHealth(
        status="up",
        latency_ms=latency,
        revision=",".join(sorted(revisions)) or None,
        schema_current=revisions == migration_heads(),
    )


async def _index(session: AsyncSession) -> IndexHealth:
    try:
        jobs, jobs_embedded = (
            await session.execute(select(func.count(), func.count(Job.embedding)))
        ).one()
        resumes, resumes_embedded = (
            await session.execute(select(func.count(), func.count(Resume.embedding)))
        ).one()
    except SQLAlchemyError:
        await session.rollback()
        return IndexHealth(status="unknown")
    if jobs + resumes == 0:
        status = "empty"
    elif jobs_embedded == jobs and resumes_embedded == resumes:
        status = "ok"
    else:
        status = "partial"
    return IndexHealth(
        status=status,
        jobs=jobs,
        jobs_embedded=jobs_embedded,
        resumes=resumes,
        resumes_embedded=resumes_embedded,
    )


async def lexical_health(state: AppState) -> LexicalHealth:
    """Open the BM25 index and count its documents (also sets the metric)."""
    try:
        documents = await asyncio.to_thread(state.lexical.count_sync)
    except (SearchIndexError, OSError, ValueError) as exc:
        LEXICAL_UP.set(0)
        message = getattr(exc, "message", None) or str(exc) or type(exc).__name__
        return LexicalHealth(status="down", error=message[:300])
    LEXICAL_UP.set(1)
    return LexicalHealth(status="ok", documents=documents)


def _model(state: AppState) -> ModelHealth:
    embedder = state.embedder
    if isinstance(embedder, SentenceTransformerEmbedder):
        status = (
            "loaded" if embedder.loaded else ("available" if embedder.available() else "missing")
        )
    else:
        status = "loaded"
    return ModelHealth(status=status, model_id=embedder.model_id, dimension=embedder.dimension)


async def check(session: AsyncSession, state: AppState) -> Health:
    database = await _database(session)
    index = await _index(session) if database.status == "up" else IndexHealth(status="unknown")
    lexical = await lexical_health(state)
    model = _model(state)
    if database.status == "down":
        overall = "down"
    elif not database.schema_current or model.status == "missing" or lexical.status == "down":
        overall = "degraded"
    else:
        overall = "ok"
    return Health(
        status=overall,
        version=VERSION,
        database=database,
        index=index,
        lexical=lexical,
        model=model,
    )
