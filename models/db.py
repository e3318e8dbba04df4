"""The database: URL resolution (embedded or DATABASE_URL), engines and sessions."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import psycopg
from psycopg import sql
from sqlalchemy import Engine, create_engine
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from models.embedded import start_embedded_server
from models.errors import DatabaseConfigError, DatabaseUnavailable
from models.settings import DatabaseSettings, get_database_settings

DRIVER = "postgresql+psycopg"


def _scrub(message: str, url: URL) -> str:
    """Remove the password from a driver message, whatever the driver chose to echo."""
    if url.password:
        message = message.replace(str(url.password), "***")
    return re.sub(r"password=\S+", "password=***", message)


def parse_database_url(raw: str) -> URL:
    """Parse ``DATABASE_URL``; a malformed value is a clear error that never shows the password."""
    try:
        url = make_url(raw.strip())
    except (ArgumentError, ValueError):
        raise DatabaseConfigError(
            "DATABASE_URL is not a valid database URL; expected "
            "postgresql://USER:PASSWORD@HOST:PORT/DBNAME"
        ) from None
    if url.get_backend_name() not in ("postgresql", "postgres"):
        raise DatabaseConfigError(
            f"DATABASE_URL must point at PostgreSQL (postgresql://...), not {url.drivername!r}"
        )
    if not url.database:
        raise DatabaseConfigError("DATABASE_URL names no database (…/DBNAME at the end)")
    return url.set(drivername=DRIVER)


def _libpq_conninfo(url: URL) -> str:
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


def ensure_database(server_url: URL, name: str) -> URL:
    """Create database ``name`` on the server if missing; return its URL."""
    conninfo = _libpq_conninfo(server_url.set(database="postgres"))
    with psycopg.connect(conninfo, autocommit=True, connect_timeout=10) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone()
        if not exists:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    return server_url.set(database=name)


def resolve_database_url(settings: DatabaseSettings | None = None) -> URL:
    """The URL the app should use: ``DATABASE_URL`` if set, else the embedded server's database."""
    settings = settings or get_database_settings()
    if settings.database_url is not None:
        return parse_database_url(settings.database_url.get_secret_value())
    server = make_url(start_embedded_server(settings.data_dir)).set(drivername=DRIVER)
    return ensure_database(server, settings.db_name)


def check_reachable(url: URL, timeout_s: float = 10.0) -> None:
    """Connect once; turn any failure into a message naming the setting, never the password."""
    try:
        with psycopg.connect(_libpq_conninfo(url), connect_timeout=max(1, int(timeout_s))):
            pass
    except psycopg.Error as exc:
        where = url.render_as_string(hide_password=True)
        raise DatabaseUnavailable(
            f"Cannot reach the database at {where} (DATABASE_URL): {_scrub(str(exc).strip(), url)}"
        ) from None


def make_async_engine(url: URL, settings: DatabaseSettings | None = None) -> AsyncEngine:
    settings = settings or get_database_settings()
    return create_async_engine(
        url,
        pool_size=settings.db_pool_size,
        max_overflow=settings.db_max_overflow,
        pool_timeout=settings.db_pool_timeout_s,
        pool_pre_ping=True,
        echo=settings.db_echo,
        connect_args={"connect_timeout": int(settings.db_connect_timeout_s)},
    )


def make_sync_engine(url: URL) -> Engine:
    """For migrations, the CLI and batch jobs."""
    return create_engine(url, pool_pre_ping=True)


def make_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False, autoflush=False)


@asynccontextmanager
async def session_scope(
    factory: async_sessionmaker[AsyncSession],
) -> AsyncIterator[AsyncSession]:
    """One unit of work: committed if the block succeeds, rolled back if it raises."""
    async with factory() as session:
        try:
            yield session
            await session.commit()
        except BaseException:
            await session.rollback()
            raise
