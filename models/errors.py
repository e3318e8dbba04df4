"""Errors the persistence layer raises before any request is served."""


class DatabaseError(RuntimeError):
    """The database cannot be used; the message says what to change."""


class DatabaseConfigError(DatabaseError):
    """A setting (DATABASE_URL, TABASHIR_DATA_DIR) is wrong."""


class DatabaseUnavailable(DatabaseError):
    """The configured server does not answer."""
