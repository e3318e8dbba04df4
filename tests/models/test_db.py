"""Clear messages when the database settings are wrong; the password is never shown."""

from __future__ import annotations

import os
import socket
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from models.db import check_reachable, parse_database_url, resolve_database_url
from models.embedded import start_embedded_server
from models.errors import DatabaseConfigError, DatabaseUnavailable
from models.settings import DatabaseSettings

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(
    "raw",
    ["not a url", "postgresql://user:hunter2@host:notaport/db", "://hunter2@"],
)
def test_malformed_database_url_names_the_variable_not_the_password(raw: str) -> None:
    with pytest.raises(DatabaseConfigError) as info:
        parse_database_url(raw)
    assert "DATABASE_URL" in str(info.value)
    assert "hunter2" not in str(info.value)


def test_database_url_must_be_postgresql() -> None:
    with pytest.raises(DatabaseConfigError, match="PostgreSQL"):
        parse_database_url("mysql://u:p@localhost/db")
    with pytest.raises(DatabaseConfigError, match="DBNAME"):
        parse_database_url("postgresql://u:p@localhost:5432")


def test_database_url_gets_our_driver() -> None:
    url = parse_database_url("postgres://u:p@db.internal:6543/tabashir")
    assert url.drivername == "postgresql+psycopg"
    assert (url.host, url.port, url.database) == ("db.internal", 6543, "tabashir")


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_unreachable_database_is_a_clear_error_without_the_password() -> None:
    port = _closed_port()
    url = parse_database_url(f"postgresql://app:s3cr3t-pw@127.0.0.1:{port}/tabashir")
    with pytest.raises(DatabaseUnavailable) as info:
        check_reachable(url, timeout_s=2)
    message = str(info.value)
    assert "DATABASE_URL" in message
    assert f"127.0.0.1:{port}" in message
    assert "s3cr3t-pw" not in message


def test_settings_prefer_database_url(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", "postgresql://u:p@example.invalid:5432/x")
    url = resolve_database_url(DatabaseSettings())
    assert url.host == "example.invalid"


def test_data_dir_that_cannot_be_created_is_a_clear_error(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    with pytest.raises(DatabaseConfigError) as info:
        start_embedded_server(blocker / "data")
    assert "TABASHIR_DATA_DIR" in str(info.value)


@pytest.mark.skipif(os.geteuid() == 0, reason="root ignores folder permissions")
def test_read_only_data_dir_is_a_clear_error(tmp_path: Path) -> None:
    ro = tmp_path / "ro"
    ro.mkdir()
    ro.chmod(0o500)
    try:
        with pytest.raises(DatabaseConfigError, match="not writable"):
            start_embedded_server(ro)
    finally:
        ro.chmod(0o700)


def test_embedded_server_url_is_a_unix_socket_url(database_url) -> None:  # type: ignore[no-untyped-def]
    # The session fixture started (or joined) the embedded server unless DATABASE_URL is set.
    if os.environ.get("DATABASE_URL"):
        pytest.skip("DATABASE_URL is set: no embedded server in this run")
    url = make_url(start_embedded_server(DatabaseSettings().data_dir))
    assert "host" in url.query
