"""Test fixtures: the embedded PostgreSQL (or DATABASE_URL's server) with a database of our own,
migrated once per run, and one rolled-back transaction per test."""

from __future__ import annotations

import os
import warnings
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import psycopg
import pytest
from psycopg import sql
from sqlalchemy.engine import URL
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession, async_sessionmaker

from api.app import create_app
from api.migrations import upgrade
from api.resumes.glossary import english_title
from api.settings import ApiSettings
from api.state import AppState
from indexing.embedder import HashingEmbedder
from indexing.lexical import TantivyJobIndex
from matching.engine import MatchEngine
from models.db import make_async_engine, make_sync_engine, resolve_database_url
from models.settings import DatabaseSettings

warnings.filterwarnings("ignore", message=".*XDG_RUNTIME_DIR.*")
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
# Every test reshapes the jobs inside a rolled-back transaction, so a plan cached by an earlier
# test would describe data that is gone; tests/indexing/test_vector.py switches it on to test it.
os.environ.setdefault("TABASHIR_VECTOR_PLAN_CACHE_S", "0")

ROOT = Path(__file__).resolve().parent.parent
# One database per pytest process, so parallel runs against one server never clobber each other.
TEST_DB_PREFIX = "tabashir_test_"
TEST_DB = f"{TEST_DB_PREFIX}{os.getpid()}"
API_TOKEN = "test-api-token"  # tests/fixtures/users.py TEST_API_TOKEN is the same


def shared_data() -> Path:
    """../shared/data beside the repository (real public data; see its README for licences)."""
    return Path(os.environ.get("TABASHIR_SHARED_DATA", ROOT.parent / "shared" / "data"))


@pytest.fixture(scope="session")
def database_url() -> Iterator[URL]:
    """A fresh, migrated test database on the same server the app uses."""
    server = resolve_database_url(DatabaseSettings())
    admin = server.set(drivername="postgresql", database="postgres")
    with psycopg.connect(admin.render_as_string(hide_password=False), autocommit=True) as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(TEST_DB))
        )
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(TEST_DB)))
    url = server.set(database=TEST_DB)
    engine = make_sync_engine(url)
    with engine.begin() as conn:
        upgrade(conn)
    engine.dispose()
    return url


@pytest.fixture(scope="session")
async def engine(database_url: URL) -> AsyncIterator[AsyncEngine]:
    eng = make_async_engine(database_url)
    yield eng
    await eng.dispose()


@pytest.fixture
async def connection(engine: AsyncEngine) -> AsyncIterator[AsyncConnection]:
    """One transaction per test, rolled back at the end: tests never see each other's rows."""
    async with engine.connect() as conn:
        trans = await conn.begin()
        yield conn
        await trans.rollback()


@pytest.fixture
def sessionmaker(connection: AsyncConnection) -> async_sessionmaker[AsyncSession]:
    # Commits inside the code under test become savepoints of the test's transaction.
    return async_sessionmaker(
        bind=connection,
        expire_on_commit=False,
        autoflush=False,
        join_transaction_mode="create_savepoint",
    )


@pytest.fixture
async def session(sessionmaker: async_sessionmaker[AsyncSession]) -> AsyncIterator[AsyncSession]:
    async with sessionmaker() as s:
        yield s


@pytest.fixture
def settings() -> ApiSettings:
    # Fixed secrets and the cheapest password hashing, so suites of logins stay fast.
    from tests.fixtures.users import api_settings_for_tests

    return api_settings_for_tests()


@pytest.fixture
def lexical_index(tmp_path: Path) -> TantivyJobIndex:
    """A BM25 index of the test's own, in a temporary folder."""
    return TantivyJobIndex(tmp_path / "lexical")


@pytest.fixture
def app_state(
    settings: ApiSettings,
    database_url: URL,
    engine: AsyncEngine,
    sessionmaker: async_sessionmaker[AsyncSession],
    lexical_index: TantivyJobIndex,
) -> AppState:
    embedder = HashingEmbedder()
    return AppState(
        settings=settings,
        database_url=database_url,
        engine=engine,
        sessionmaker=sessionmaker,
        embedder=embedder,
        lexical=lexical_index,
        matcher=MatchEngine(lexical_index, embedder, title_gloss=english_title),
    )


@pytest.fixture
async def client(settings: ApiSettings, app_state: AppState) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(settings, state=app_state)
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as c:
        yield c


@pytest.fixture
def api_headers() -> dict[str, str]:
    return {"X-API-TOKEN": API_TOKEN}


@pytest.fixture
def job_factory(session: AsyncSession):  # type: ignore[no-untyped-def]
    from tests.fixtures.factories import make_job

    async def factory(**overrides):  # type: ignore[no-untyped-def]
        job = await make_job(session, **overrides)
        await session.commit()
        return job

    return factory
