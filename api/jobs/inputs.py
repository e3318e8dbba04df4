"""Guards for untrusted text the database cannot store: PostgreSQL text never holds NUL
(0x00), and a value carrying one must be a 4xx, never a driver error turned into a 500.

URLs, JSON and url-encoded bodies are checked for every route by ``api.guards``; these helpers
serve multipart form fields and schemas used outside HTTP."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

NUL = "\x00"


def contains_nul(value: Any) -> bool:
    """True when ``value`` (a string, or lists and mappings of them) holds a NUL character."""
    if isinstance(value, str):
        return NUL in value
    if isinstance(value, Mapping):
        return any(contains_nul(k) or contains_nul(v) for k, v in value.items())
    if isinstance(value, list | tuple | set):
        return any(contains_nul(v) for v in value)
    return False


def refuse_nul(data: Any) -> Any:
    """For ``model_validator(mode="before")``: a 422 for NUL anywhere in the body."""
    if contains_nul(data):
        raise ValueError("text may not contain NUL (0x00) characters")
    return data


def printable(value: str) -> str:
    """``value`` without control characters (file names from multipart headers)."""
    return "".join(ch for ch in value if ch.isprintable())
