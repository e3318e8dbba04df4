"""Alembic environment: the same URL resolution as the app; compares pgvector types correctly."""

from __future__ import annotations

from alembic import context
from sqlalchemy.engine import Connection

import models
from models.db import make_sync_engine, resolve_database_url

target_metadata = models.Base.metadata


def _include_object(obj, name, type_, reflected, compare_to):  # type: ignore[no-untyped-def]
    return True


def _configure(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        compare_type=True,
        compare_server_default=False,
        include_object=_include_object,
    )


def run_migrations_online() -> None:
    connection = context.config.attributes.get("connection")
    if connection is not None:  # handed over by tests / the CLI
        _configure(connection)
        with context.begin_transaction():
            context.run_migrations()
        return
    engine = make_sync_engine(resolve_database_url())
    with engine.connect() as conn:
        _configure(conn)
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


if context.is_offline_mode():
    raise SystemExit("Offline (--sql) migrations are not supported; run against a database.")
run_migrations_online()
