"""Request guards that hold for every route, before any handler runs.

``RejectNulMiddleware``: PostgreSQL text never holds NUL (0x00). A NUL in the path, in a query
parameter, in a JSON text field (``"\\u0000"``) or in a url-encoded form field is a 422 with the
usual validation body, naming the field, instead of a driver error turned into a 500 wherever a
route forgot to check. (Multipart fields are checked by their routes; the file parts are bytes.)
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import parse_qsl, unquote_to_bytes

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.errors import error_body

NUL = "\x00"
NUL_MESSAGE = "text may not contain NUL (0x00) characters"
_JSON_NUL = b"\\u0000"


def _nul_paths(value: Any, where: str) -> list[str]:
    """Dotted locations in a decoded JSON value whose text (or key) holds a NUL."""
    if isinstance(value, str):
        return [where] if NUL in value else []
    found: list[str] = []
    if isinstance(value, dict):
        for key, item in value.items():
            here = f"{where}.{key}" if where else str(key)
            if NUL in str(key):
                found.append(here)
            found.extend(_nul_paths(item, here))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            found.extend(_nul_paths(item, f"{where}.{i}" if where else str(i)))
    return found


def _form_nul_fields(raw: str, prefix: str) -> list[str]:
    return [
        f"{prefix}.{key}" if prefix else key
        for key, value in parse_qsl(raw, keep_blank_values=True)
        if NUL in key or NUL in value
    ]


def _body_kind(scope: Scope) -> str | None:
    for name, value in scope.get("headers") or []:
        if name == b"content-type":
            media = value.split(b";", 1)[0].strip().lower()
            if media == b"application/json" or media.endswith(b"+json"):
                return "json"
            if media == b"application/x-www-form-urlencoded":
                return "form"
            return None
    return None


def _refusal(fields: list[str]) -> tuple[bytes, list[tuple[bytes, bytes]]]:
    detail = [{"field": field, "message": NUL_MESSAGE} for field in dict.fromkeys(fields)]
    summary = "; ".join(f"{d['field']}: {d['message']}" for d in detail[:3])
    body = json.dumps(
        error_body(f"Invalid request: {summary}", "validation_error", detail)
    ).encode()
    return body, [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(body)).encode()),
    ]


class RejectNulMiddleware:
    """See the module's docstring. JSON and url-encoded bodies are read whole (they are small;
    the body-size guard bounds them) and handed on unchanged."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        bad: list[str] = []
        if NUL in scope.get("path", ""):
            bad.append("path")
        query: bytes = scope.get("query_string") or b""
        if b"\x00" in unquote_to_bytes(query):
            bad.extend(_form_nul_fields(query.decode("latin-1"), "query") or ["query"])
        kind = _body_kind(scope)
        if kind is not None and not bad:
            chunks: list[bytes] = []
            more = True
            while more:
                message = await receive()
                if message["type"] != "http.request":  # the client went away
                    return
                chunks.append(message.get("body", b""))
                more = bool(message.get("more_body", False))
            raw = b"".join(chunks)
            bad.extend(self._body_fields(kind, raw))
            receive = _replay(raw, receive)
        if bad:
            body, headers = _refusal(bad)
            await send({"type": "http.response.start", "status": 422, "headers": headers})
            await send({"type": "http.response.body", "body": body})
            return
        await self.app(scope, receive, send)

    @staticmethod
    def _body_fields(kind: str, raw: bytes) -> list[str]:
        if kind == "form":
            if b"\x00" in unquote_to_bytes(raw.replace(b"+", b" ")):
                return _form_nul_fields(raw.decode("latin-1"), "") or ["body"]
            return []
        # JSON: a NUL is either escaped ("\u0000") or, in UTF-16/32 text, a raw byte; decode
        # only when one could be there (json.loads detects UTF-8/16/32 from the bytes).
        if _JSON_NUL not in raw and b"\x00" not in raw:
            return []
        try:
            decoded = json.loads(raw)
        except ValueError:
            return []  # not JSON: the route's own validation answers
        return [where or "body" for where in _nul_paths(decoded, "")]


def _replay(raw: bytes, receive: Receive) -> Receive:
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": raw, "more_body": False}
        return await receive()

    return replay


# --- body size ---------------------------------------------------------------------------------

#: Room for a multipart body's boundaries, part headers and small text fields around the file.
MULTIPART_OVERHEAD_BYTES = 64 * 1024


def _content_type(scope: Scope) -> bytes:
    for name, value in scope.get("headers") or []:
        if name == b"content-type":
            return bytes(value.split(b";", 1)[0].strip().lower())
    return b""


def _declared_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers") or []:
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


class _BodyTooLarge(Exception):
    pass


class BodySizeLimitMiddleware:
    """A body over its limit is a 413 at once: on ``Content-Length`` before a byte of it is
    read, and for a chunked body as soon as the bytes received cross the limit (nothing more
    is read). File uploads (multipart) may be as large as the upload limit plus the multipart
    framing; every other body (JSON, forms) has its own, smaller limit."""

    def __init__(self, app: ASGIApp, *, upload_bytes: int, other_bytes: int) -> None:
        self.app = app
        self.upload_bytes = upload_bytes
        self.other_bytes = other_bytes

    def limit_for(self, scope: Scope) -> tuple[int, str]:
        if _content_type(scope) == b"multipart/form-data":
            return self.upload_bytes + MULTIPART_OVERHEAD_BYTES, "file_too_large"
        return self.other_bytes, "payload_too_large"

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit, code = self.limit_for(scope)
        declared = _declared_length(scope)
        if declared is not None and declared > limit:
            await _send_too_large(send, limit, code)
            return
        received = 0
        exceeded = False
        answered = False

        async def limited_receive() -> Message:
            nonlocal received, exceeded
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    exceeded = True
                    raise _BodyTooLarge
            return message

        async def guarded_send(message: Message) -> None:
            nonlocal answered
            if exceeded:
                # Whatever the app made of the interrupted body (FastAPI: a 400), the client
                # hears the truth: too large.
                if not answered:
                    answered = True
                    await _send_too_large(send, limit, code)
                return
            await send(message)

        try:
            await self.app(scope, limited_receive, guarded_send)
        except Exception:
            if not exceeded:
                raise
            if not answered:
                answered = True
                await _send_too_large(send, limit, code)


async def _send_too_large(send: Send, limit: int, code: str) -> None:
    what = "The upload" if code == "file_too_large" else "The request body"
    body = json.dumps(
        error_body(f"{what} is larger than the {limit // 1024} KiB limit", code)
    ).encode()
    await send(
        {
            "type": "http.response.start",
            "status": 413,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                (b"connection", b"close"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
