"""Settings owned by the persistence layer."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import AliasChoices, Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

#: The checkout this package runs from (an editable install), if it is one.
PROJECT_ROOT = Path(__file__).resolve().parent.parent

#: Dimension of every stored vector. Fixed by migrations; the embedder checks its model matches.
EMBEDDING_DIM = 384


class DatabaseSettings(BaseSettings):
    """Where the system of record lives.

    ``DATABASE_URL`` unset means: start the embedded PostgreSQL in ``TABASHIR_DATA_DIR/pg``.
    """

    model_config = SettingsConfigDict(env_prefix="TABASHIR_", env_file=".env", extra="ignore")

    database_url: SecretStr | None = Field(
        default=None, validation_alias=AliasChoices("DATABASE_URL", "TABASHIR_DATABASE_URL")
    )
    data_dir: Path = Path("var")
    db_name: str = "tabashir"
    db_pool_size: int = 10
    #: Extra connections opened beyond the pool under load (closed when returned).
    db_max_overflow: int = Field(default=10, ge=0)
    #: Seconds a request waits for a free connection before giving up (the API answers 503
    #: database_busy): waiting requests must not pile up behind a stuck database for minutes.
    db_pool_timeout_s: float = Field(default=5.0, gt=0)
    db_connect_timeout_s: float = 10.0
    db_echo: bool = False

    @field_validator("data_dir", mode="after")
    @classmethod
    def _anchor_to_the_checkout(cls, value: Path) -> Path:
        """A relative data folder is the checkout's (``var`` is ``<checkout>/var``), whatever the
        current directory: a notebook run from ``notebooks/`` or a script from ``benchmarks/``
        then joins the server's database instead of starting a second, empty one beside it."""
        value = value.expanduser()
        if value.is_absolute() or not (PROJECT_ROOT / "pyproject.toml").is_file():
            return value
        return PROJECT_ROOT / value


@lru_cache
def get_database_settings() -> DatabaseSettings:
    return DatabaseSettings()
