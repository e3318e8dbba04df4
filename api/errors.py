"""One error hierarchy, one response shape: {"error": "<readable message>", "code": "<stable_code>"}.

The existing apps show ``error`` to people, so it is always a readable sentence; ``code`` is for
programs. Field errors add ``detail``. An expected failure is never a 500.
"""

from __future__ import annotations

from typing import Any

import structlog
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.exc import TimeoutError as SQLAlchemyTimeoutError
from starlette.exceptions import HTTPException as StarletteHTTPException

from indexing.protocol import IndexUnavailable
from ingestion.errors import IngestionError

log = structlog.get_logger("tabashir.errors")


class TabashirError(Exception):
    status_code = 500
    code = "internal_error"
    message = "Server error"

    def __init__(
        self,
        message: str | None = None,
        *,
        code: str | None = None,
        detail: Any = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        self.message = message or self.message
        self.code = code or self.code
        self.detail = detail
        self.headers = headers
        super().__init__(self.message)


class BadInput(TabashirError):
    status_code, code, message = 400, "bad_input", "Bad request"


#: Codes meaning "a token was presented and is no good" (RFC 6750 §3.1 error="invalid_token").
_BAD_TOKEN_CODES = frozenset({"invalid_token", "token_expired", "token_revoked"})


def auth_challenge(code: str) -> str:
    """The WWW-Authenticate challenge of a 401 (RFC 9110 §11.6.1 requires one): bearer tokens
    for people, the X-API-TOKEN header for services."""
    if code == "invalid_api_token":
        return 'ApiKey realm="tabashir", header="X-API-TOKEN"'
    if code in _BAD_TOKEN_CODES:
        return 'Bearer realm="tabashir", error="invalid_token"'
    return 'Bearer realm="tabashir"'


class Unauthorized(TabashirError):
    status_code, code, message = 401, "unauthorized", "Unauthorized"

    def __init__(
        self,
        message: str | None = None,
        *,
        code: str | None = None,
        detail: Any = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message, code=code, detail=detail, headers=headers)
        if not any(name.lower() == "www-authenticate" for name in self.headers or {}):
            self.headers = {**(self.headers or {}), "WWW-Authenticate": auth_challenge(self.code)}


class PaymentRequired(TabashirError):
    status_code, code, message = 402, "payment_required", "Not enough credits"


class Forbidden(TabashirError):
    status_code, code, message = 403, "forbidden", "You are not allowed to do this"


class NotFound(TabashirError):
    status_code, code, message = 404, "not_found", "Not found"


class Conflict(TabashirError):
    status_code, code, message = 409, "conflict", "Conflict"


class PayloadTooLarge(TabashirError):
    status_code, code, message = 413, "payload_too_large", "The upload is too large"


class UnsupportedMediaType(TabashirError):
    status_code, code, message = 415, "unsupported_media_type", "Unsupported file type"


class TooManyRequests(TabashirError):
    status_code, code, message = 429, "rate_limited", "Too many requests"


class ServiceUnavailable(TabashirError):
    status_code, code, message = 503, "unavailable", "The service is unavailable"


_HTTP_CODES = {
    400: "bad_input",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    406: "not_acceptable",
    413: "payload_too_large",
    415: "unsupported_media_type",
    429: "rate_limited",
}


def error_body(message: str, code: str, detail: Any = None) -> dict[str, Any]:
    body: dict[str, Any] = {"error": message, "code": code}
    if detail is not None:
        body["detail"] = detail
    return body


def _tabashir_handler(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, TabashirError)
    return JSONResponse(
        error_body(exc.message, exc.code, exc.detail), exc.status_code, headers=exc.headers
    )


def _http_handler(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    message = exc.detail if isinstance(exc.detail, str) else "Request failed"
    if exc.status_code == 404 and message == "Not Found":
        message = "No such route"
    code = _HTTP_CODES.get(exc.status_code, "http_error")
    return JSONResponse(error_body(message, code), exc.status_code, headers=exc.headers)


def _field(loc: tuple[Any, ...] | list[Any]) -> str:
    return ".".join(str(p) for p in loc if p not in ("body",)) or "body"


def _validation_handler(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = [
        {"field": _field(e.get("loc", ())), "message": e.get("msg", "invalid")}
        for e in exc.errors()
    ]
    summary = "; ".join(f"{e['field']}: {e['message']}" for e in errors[:3])
    return JSONResponse(error_body(f"Invalid request: {summary}", "validation_error", errors), 422)


def _ingestion_handler(_: Request, exc: Exception) -> JSONResponse:
    # Untrusted uploads fail with the ingestion layer's own readable message and code.
    assert isinstance(exc, IngestionError)
    return JSONResponse(error_body(exc.message, exc.code), exc.http_status)


#: SQLSTATEs of a statement cut short by statement_timeout (57014) or a lock not granted within
#: lock_timeout (55P03): the database is busy, not broken.
_BUSY_SQLSTATES = frozenset({"57014", "55P03"})
DATABASE_RETRY_AFTER_S = 5


def _database_handler(_: Request, exc: Exception) -> JSONResponse:
    """A busy or unreachable database is a 503 with Retry-After and a stable code; any other
    database error stays the opaque 500 it was."""
    if isinstance(exc, SQLAlchemyTimeoutError):  # no pooled connection came free in time
        code, message = "database_busy", "The service is busy; try again shortly"
    else:
        assert isinstance(exc, DBAPIError)
        sqlstate = getattr(exc.orig, "sqlstate", None) or ""
        if "NUL (0x00)" in str(exc.orig):
            # The driver refuses NUL in text before sending it. api.guards stops it in URLs and
            # JSON; this catches what other inputs (multipart form fields) still carry.
            return JSONResponse(
                error_body(
                    "Invalid request: text may not contain NUL (0x00) characters",
                    "validation_error",
                    [{"field": "body", "message": "text may not contain NUL (0x00) characters"}],
                ),
                422,
            )
        if sqlstate in _BUSY_SQLSTATES:
            code, message = "database_busy", "The service is busy; try again shortly"
        elif (
            exc.connection_invalidated
            or sqlstate.startswith("08")
            or (isinstance(exc, OperationalError) and not sqlstate)
        ):
            code, message = "database_unavailable", "The database cannot be reached right now"
        else:
            log.error("database error", error_type=type(exc.orig).__name__, sqlstate=sqlstate)
            return JSONResponse(error_body("Server error", "internal_error"), 500)
    log.warning(code, error_type=type(getattr(exc, "orig", exc)).__name__)
    return JSONResponse(
        error_body(message, code), 503, headers={"Retry-After": str(DATABASE_RETRY_AFTER_S)}
    )


SEARCH_RETRY_AFTER_S = 30


def _search_index_handler(_: Request, exc: Exception) -> JSONResponse:
    """The BM25 index cannot be opened (or is held by a rebuild): search is down for now, the
    rest of the API is not. /health and the tabashir_lexical_index_up metric say so too."""
    log.warning("search index unavailable", error=str(exc))
    return JSONResponse(
        error_body("Search is unavailable right now; try again shortly", "search_unavailable"),
        503,
        headers={"Retry-After": str(SEARCH_RETRY_AFTER_S)},
    )


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(TabashirError, _tabashir_handler)
    app.add_exception_handler(StarletteHTTPException, _http_handler)
    app.add_exception_handler(RequestValidationError, _validation_handler)
    app.add_exception_handler(IngestionError, _ingestion_handler)
    app.add_exception_handler(IndexUnavailable, _search_index_handler)
    app.add_exception_handler(DBAPIError, _database_handler)
    app.add_exception_handler(SQLAlchemyTimeoutError, _database_handler)
