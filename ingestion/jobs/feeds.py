"""Job feeds: the documented item schema and readers for JSON, JSON lines, CSV and HTTP.

A reader returns a ``ParsedFeed``: the valid items with their row numbers, and one ``RowError``
(row number, reason) per invalid row. A bad row never stops the feed; only a feed that cannot
be read at all (not JSON, too large, server down) raises a ``FeedError``. See docs/job-feeds.md.
"""

from __future__ import annotations

import asyncio
import csv
import io
import ipaddress
import json
import re
import socket
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any, NamedTuple

import httpx
from pydantic import (
    AliasChoices,
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from ingestion.jobs.errors import FeedTooLarge, FeedUnavailable, FeedUnreadable
from ingestion.jobs.normalise import requirement_lines
from ingestion.jobs.settings import FeedSettings, get_feed_settings

__all__ = [
    "FEED_FIELDS",
    "FeedRow",
    "JobFeedItem",
    "ParsedFeed",
    "RowError",
    "SalaryParts",
    "fetch_http",
    "load_mapping",
    "parse_records",
    "read_csv",
    "read_json",
]


def _as_number(value: Any) -> Any:
    """ "12,000" (a CSV cell) is the number 12000; "12k" stays text for the salary parser."""
    if isinstance(value, str):
        try:
            return float(value.replace(",", "").strip())
        except ValueError:
            return value
    return value


class SalaryParts(BaseModel):
    """A structured salary: ``{"min": 10000, "max": 15000, "currency": "AED", "period": "month"}``."""

    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)

    min: float | str | None = None
    max: float | str | None = None
    currency: str | None = Field(default=None, max_length=50)
    period: str | None = Field(default=None, max_length=50)

    @field_validator("min", "max", mode="before")
    @classmethod
    def _amount(cls, value: Any) -> Any:
        return _as_number(value)


_SKILL_SEPARATORS = re.compile(r"[,;،؛|\n]")
_MAX_SKILLS = 200


class JobFeedItem(BaseModel):
    """One job as a feed sends it. Only ``external_id``, ``title`` and ``company`` are required;
    everything else is optional free text that ingestion normalises. Unknown fields are ignored.
    """

    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True, populate_by_name=True)

    #: The feed's own id of the job; with the source name it identifies the job across runs.
    external_id: str = Field(
        min_length=1,
        max_length=200,
        validation_alias=AliasChoices("external_id", "id", "job_id"),
    )
    title: str = Field(min_length=1, max_length=300)
    company: str = Field(min_length=1, max_length=200)
    description: str = Field(default="", max_length=100_000)
    #: A list of lines, or one text with one requirement per line / bullet.
    requirements: list[str] = Field(default_factory=list, max_length=500)
    #: A list of names, or one text separated by commas, semicolons, "|" or new lines.
    skills: list[str] = Field(default_factory=list)
    city: str | None = Field(default=None, max_length=200)
    #: Free-text location ("JLT, Dubai - UAE", "Remote (KSA)"), used when ``city`` is absent.
    location: str | None = Field(default=None, max_length=300)
    country: str | None = Field(default=None, max_length=100)
    #: Free text ("AED 10k-15k per month") or structured (``SalaryParts``).
    salary: str | SalaryParts | None = None
    salary_min: float | str | None = None
    salary_max: float | str | None = None
    salary_currency: str | None = Field(default=None, max_length=50)
    salary_period: str | None = Field(default=None, max_length=50)
    job_type: str | None = Field(default=None, max_length=100)
    work_mode: str | None = Field(default=None, max_length=100)
    #: Free text ("3-5 years", "خبرة 3 سنوات على الأقل") or a number of years.
    experience: int | str | None = None
    experience_min: int | None = Field(default=None, ge=0, le=60)
    experience_max: int | None = Field(default=None, ge=0, le=60)
    #: "en", "ar", "english", "arabic", "العربية"; detected from the text when absent.
    language: str | None = Field(default=None, max_length=20)
    posted_at: datetime | None = None
    expires_at: datetime | None = None
    url: str | None = Field(default=None, max_length=2000)

    @model_validator(mode="before")
    @classmethod
    def _blank_is_missing(cls, data: Any) -> Any:
        # CSV cells and sloppy JSON send "" for "unknown"; treat it as absent.
        if isinstance(data, Mapping):
            return {k: v for k, v in data.items() if not (isinstance(v, str) and not v.strip())}
        return data

    @field_validator("external_id", mode="before")
    @classmethod
    def _id_as_text(cls, value: Any) -> Any:
        if isinstance(value, int) and not isinstance(value, bool):
            return str(value)
        return value

    @field_validator("requirements", mode="before")
    @classmethod
    def _requirement_lines(cls, value: Any) -> Any:
        if value is None:
            return []
        if isinstance(value, str):
            return requirement_lines(value)
        if isinstance(value, list) and all(isinstance(v, str) for v in value):
            return requirement_lines(value)
        return value

    @field_validator("skills", mode="before")
    @classmethod
    def _skill_names(cls, value: Any) -> Any:
        if value is None:
            return []
        if isinstance(value, str):
            value = _SKILL_SEPARATORS.split(value)
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            return value  # let the type check report it
        names: list[str] = []
        seen: set[str] = set()
        for raw in value:
            name = " ".join(raw.split())
            if name and name.casefold() not in seen:
                seen.add(name.casefold())
                names.append(name)
        return names

    @field_validator("skills")
    @classmethod
    def _skills_bounded(cls, value: list[str]) -> list[str]:
        if len(value) > _MAX_SKILLS:
            raise ValueError(f"at most {_MAX_SKILLS} skills")
        if any(len(name) > 200 for name in value):
            raise ValueError("a skill name is longer than 200 characters")
        return value

    @field_validator("experience", mode="before")
    @classmethod
    def _experience_text(cls, value: Any) -> Any:
        if isinstance(value, float) and value.is_integer():
            return int(value)
        if isinstance(value, str) and len(value) > 2000:
            raise ValueError("experience text is longer than 2000 characters")
        return value

    @field_validator("salary_min", "salary_max", mode="before")
    @classmethod
    def _amount(cls, value: Any) -> Any:
        return _as_number(value)

    @field_validator("salary", mode="before")
    @classmethod
    def _salary_number(cls, value: Any) -> Any:
        if isinstance(value, int | float) and not isinstance(value, bool):
            return str(value)
        if isinstance(value, str) and len(value) > 500:
            raise ValueError("salary text is longer than 500 characters")
        return value

    @field_validator("posted_at", "expires_at")
    @classmethod
    def _aware(cls, value: datetime | None) -> datetime | None:
        # A date without a zone is taken as UTC, so comparisons never mix naive and aware.
        if value is not None and value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value

    @field_validator("url")
    @classmethod
    def _http_url(cls, value: str | None) -> str | None:
        if value is not None and not re.match(r"^https?://\S+$", value, re.IGNORECASE):
            raise ValueError("must be an http(s) URL")
        return value


#: Every field a feed may send, the keys a CSV column mapping may use.
FEED_FIELDS: tuple[str, ...] = tuple(JobFeedItem.model_fields)
_REQUIRED_FIELDS = ("external_id", "title", "company")


class RowError(NamedTuple):
    """A row the feed sent that was not ingested: its row number and why."""

    row: int
    reason: str


@dataclass(frozen=True, slots=True)
class FeedRow:
    """A valid item and the row it came from (JSON: position; JSON lines and CSV: line)."""

    row: int
    item: JobFeedItem


@dataclass(slots=True)
class ParsedFeed:
    """What a reader produced: valid rows, invalid rows, and HTTP caching state."""

    items: list[FeedRow] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    #: The ETag of the first page, to send back as ``etag=`` next time.
    etag: str | None = None
    #: True when the server answered 304 Not Modified to our ETag: nothing to ingest.
    not_modified: bool = False
    pages: int = 1

    def extend(self, other: ParsedFeed) -> None:
        self.items.extend(other.items)
        self.errors.extend(other.errors)


def _reason(exc: ValidationError) -> str:
    parts = []
    for error in exc.errors()[:3]:
        where = ".".join(str(p) for p in error.get("loc", ())) or "row"
        parts.append(f"{where}: {error.get('msg', 'invalid')}")
    more = len(exc.errors()) - 3
    return "; ".join(parts) + (f" (and {more} more)" if more > 0 else "")


def parse_records(records: Iterable[tuple[int, Any]] | Iterable[Any]) -> ParsedFeed:
    """Validate already-decoded records (dicts, e.g. an API request body) into a ``ParsedFeed``.

    ``records`` are dicts numbered from 1, or ``(row, dict)`` pairs that carry their own row.
    """
    feed = ParsedFeed()
    for position, entry in enumerate(records, start=1):
        row, record = (
            entry
            if isinstance(entry, tuple) and len(entry) == 2 and isinstance(entry[0], int)
            else (position, entry)
        )
        if not isinstance(record, Mapping):
            feed.errors.append(RowError(row, "not a JSON object"))
            continue
        try:
            feed.items.append(FeedRow(row, JobFeedItem.model_validate(record)))
        except ValidationError as exc:
            feed.errors.append(RowError(row, _reason(exc)))
    return feed


# --------------------------------------------------------------------------------------------
# Files and bytes
# --------------------------------------------------------------------------------------------


def _read_bytes(source: str | Path | bytes, settings: FeedSettings) -> bytes:
    if isinstance(source, bytes):
        data = source
    else:
        path = Path(source)
        try:
            if path.stat().st_size > settings.max_bytes:
                raise FeedTooLarge(
                    f"{path.name} is larger than {settings.max_bytes} bytes (TABASHIR_FEED_MAX_BYTES)"
                )
            data = path.read_bytes()
        except FileNotFoundError:
            raise FeedUnreadable(f"No such feed file: {path}") from None
        except IsADirectoryError:
            raise FeedUnreadable(f"{path} is a folder, not a feed file") from None
        except PermissionError:
            raise FeedUnreadable(f"{path} cannot be read (permission denied)") from None
    if len(data) > settings.max_bytes:
        raise FeedTooLarge(f"The feed is larger than {settings.max_bytes} bytes")
    return data


def _decode(data: bytes, what: str) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise FeedUnreadable(
            f"The {what} is not UTF-8 text (byte {exc.start}); save it as UTF-8"
            + (" ('CSV UTF-8' in Excel)" if what == "CSV" else "")
        ) from None


def _parse_json(data: bytes, first_row: int = 1) -> tuple[ParsedFeed, str | None]:
    """Records of a JSON array, a ``{"jobs": [...]}`` object or JSON lines; and its ``next``."""
    text = _decode(data, "JSON feed")
    stripped = text.strip()
    if not stripped:
        raise FeedUnreadable("The feed is empty")
    if stripped[0] not in "[{":
        raise FeedUnreadable("The feed is not JSON (expected an array, an object or JSON lines)")
    try:
        document = json.loads(stripped)
    except json.JSONDecodeError as exc:
        if stripped[0] == "[":
            raise FeedUnreadable(
                f"The feed is not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}"
            ) from None
        return _parse_json_lines(text, first_row), None
    except RecursionError:
        raise FeedUnreadable("The feed is nested too deeply") from None
    next_link: str | None = None
    if isinstance(document, dict) and isinstance(document.get("jobs"), list):
        records: list[Any] = document["jobs"]
        raw_next = document.get("next")
        next_link = raw_next if isinstance(raw_next, str) and raw_next.strip() else None
    elif isinstance(document, dict) and "jobs" in document:
        raise FeedUnreadable('"jobs" must be an array')
    elif isinstance(document, dict):
        records = [document]  # a single job, or JSON lines with one line
    else:
        records = document
    numbered = [(first_row + i, r) for i, r in enumerate(records)]
    return parse_records(numbered), next_link


def _parse_json_lines(text: str, first_row: int) -> ParsedFeed:
    feed = ParsedFeed()
    numbered: list[tuple[int, Any]] = []
    for line_no, line in enumerate(text.splitlines(), start=first_row):
        if not line.strip():
            continue
        try:
            numbered.append((line_no, json.loads(line)))
        except (json.JSONDecodeError, RecursionError) as exc:
            msg = exc.msg if isinstance(exc, json.JSONDecodeError) else "nested too deeply"
            feed.errors.append(RowError(line_no, f"invalid JSON: {msg}"))
    parsed = parse_records(numbered)
    parsed.errors = sorted([*feed.errors, *parsed.errors])
    return parsed


def read_json(source: str | Path | bytes, *, settings: FeedSettings | None = None) -> ParsedFeed:
    """Read a JSON feed: an array of jobs, ``{"jobs": [...]}``, or JSON lines (one job a line).

    ``source`` is a path or the bytes themselves. Rows are numbered by position (array) or
    line (JSON lines). Raises ``FeedUnreadable`` / ``FeedTooLarge`` for the feed as a whole.
    """
    settings = settings or get_feed_settings()
    feed, _ = _parse_json(_read_bytes(source, settings))
    return feed


def load_mapping(source: str | Path | Mapping[str, Any]) -> dict[str, str]:
    """A CSV column mapping ``{our_field: their_column}`` from a JSON file (or a dict), checked:
    every key is a feed field and every value a column name."""
    if isinstance(source, Mapping):
        document: Any = dict(source)
    else:
        path = Path(source)
        try:
            document = json.loads(path.read_text(encoding="utf-8-sig"))
        except FileNotFoundError:
            raise FeedUnreadable(f"No such mapping file: {path}") from None
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise FeedUnreadable(f"The mapping file {path.name} is not valid JSON: {exc}") from None
    if not isinstance(document, dict):
        raise FeedUnreadable('A column mapping is a JSON object: {"title": "Job Title", ...}')
    unknown = sorted(k for k in document if k not in FEED_FIELDS)
    if unknown:
        raise FeedUnreadable(
            f"Unknown field(s) in the column mapping: {', '.join(unknown)}; "
            f"known fields: {', '.join(FEED_FIELDS)}"
        )
    bad = sorted(k for k, v in document.items() if not isinstance(v, str) or not v.strip())
    if bad:
        raise FeedUnreadable(f"Column names must be non-empty text (field(s): {', '.join(bad)})")
    return {k: v.strip() for k, v in document.items()}


def _parse_csv(
    data: bytes, mapping: Mapping[str, str] | None, delimiter: str | None, first_row: int = 1
) -> ParsedFeed:
    text = _decode(data, "CSV")
    if not text.strip():
        raise FeedUnreadable("The CSV file is empty")
    if delimiter is None:
        try:
            delimiter = csv.Sniffer().sniff(text[:8192], delimiters=",;\t|").delimiter
        except csv.Error:
            delimiter = ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = [h.strip() for h in next(reader)]
    except csv.Error as exc:
        raise FeedUnreadable(f"The CSV header cannot be read: {exc}") from None
    by_name = {h.casefold(): i for i, h in enumerate(header) if h}
    mapping = dict(mapping or {})
    missing = sorted(
        f"{column!r} (for {field_name})"
        for field_name, column in mapping.items()
        if column.casefold() not in by_name
    )
    if missing:
        raise FeedUnreadable(f"The CSV has no column {', '.join(missing)}")
    columns: dict[str, int] = {}
    for name in FEED_FIELDS:
        column = mapping.get(name, name)
        if column.casefold() in by_name:
            columns[name] = by_name[column.casefold()]
    unmapped = [f for f in _REQUIRED_FIELDS if f not in columns]
    if unmapped:
        raise FeedUnreadable(
            f"The CSV has no column for {', '.join(unmapped)}; name the columns after the feed "
            "fields or give a column mapping"
        )
    numbered: list[tuple[int, Any]] = []
    errors: list[RowError] = []
    line = reader.line_num + 1
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            raise FeedUnreadable(
                f"The CSV cannot be read at line {reader.line_num}: {exc}"
            ) from None
        row = first_row - 1 + line
        line = reader.line_num + 1
        if not any(c.strip() for c in cells):
            continue
        if len(cells) > len(header):
            errors.append(
                RowError(row, f"{len(cells)} cells but the header has {len(header)} columns")
            )
            continue
        numbered.append((row, {name: cells[i] for name, i in columns.items() if i < len(cells)}))
    feed = parse_records(numbered)
    feed.errors = sorted([*errors, *feed.errors])
    return feed


def read_csv(
    source: str | Path | bytes,
    mapping: Mapping[str, str] | str | Path | None = None,
    *,
    delimiter: str | None = None,
    settings: FeedSettings | None = None,
) -> ParsedFeed:
    """Read a CSV feed (UTF-8; delimiter sniffed among , ; tab | unless given).

    ``mapping`` maps feed fields to the file's column names (a dict, or a JSON mapping file);
    fields it leaves out are read from columns named like them (case-insensitive). Rows are
    numbered by the line they start on, the header being line 1.
    """
    settings = settings or get_feed_settings()
    resolved = load_mapping(mapping) if mapping is not None else None
    return _parse_csv(_read_bytes(source, settings), resolved, delimiter)


# --------------------------------------------------------------------------------------------
# HTTP
# --------------------------------------------------------------------------------------------

_RETRY_STATUSES = frozenset({408, 425, 429, 500, 502, 503, 504})
_MAX_PAUSE_S = 30.0
_LINK_NEXT = re.compile(r"<([^>]+)>\s*;[^,]*\brel\s*=\s*\"?next\"?", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class _Page:
    status: int
    headers: httpx.Headers
    body: bytes
    url: httpx.URL


def _safe(url: httpx.URL) -> str:
    """A URL fit for messages and logs: no credentials, no query string."""
    port = f":{url.port}" if url.port else ""
    return f"{url.scheme}://{url.host}{port}{url.path}"


def _check_url(raw: str) -> httpx.URL:
    try:
        url = httpx.URL(raw)
    except (httpx.InvalidURL, TypeError, ValueError):
        raise FeedUnreadable("The feed URL is not a valid URL") from None
    if url.scheme not in ("http", "https") or not url.host:
        raise FeedUnreadable("The feed URL must be an http:// or https:// URL")
    return url


def _retry_after(value: str | None) -> float | None:
    if not value:
        return None
    if value.strip().isdigit():
        return float(value.strip())
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


_REDIRECTS = frozenset({301, 302, 303, 307, 308})
MAX_REDIRECTS = 10
#: Headers that carry credentials: not sent on to another origin by a redirect.
_CREDENTIAL_HEADERS = frozenset({"authorization", "cookie", "proxy-authorization"})


def _internal(address: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    """The address when it is not a public one (private, loopback, link-local, shared,
    reserved, multicast, unspecified), else None."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip if (not ip.is_global or ip.is_multicast) else None


async def _refuse_internal(url: httpx.URL, settings: FeedSettings) -> None:
    """Refuse a URL whose host is, or resolves to, an internal address (checked for every hop
    of a redirect chain, not only the first URL)."""
    host = url.host
    if host in settings.trusted_internal_hosts:
        return
    port = url.port or (443 if url.scheme == "https" else 80)
    try:
        infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError):
        return  # unresolvable: the request itself fails as a connection error
    for info in infos:
        ip = _internal(str(info[4][0]))
        if ip is not None:
            raise FeedUnreadable(
                f"{_safe(url)} leads to an internal address ({ip}); feeds are fetched from "
                "public addresses only (TABASHIR_FEED_TRUSTED_INTERNAL_HOSTS)"
            )


async def _get(
    client: httpx.AsyncClient, url: httpx.URL, headers: dict[str, str], settings: FeedSettings
) -> _Page:
    """One page, following redirects ourselves: every hop's address is checked before it is
    fetched, and credentials are not carried to another origin."""
    hops = 0
    while True:
        await _refuse_internal(url, settings)
        page = await _get_once(client, url, headers, settings)
        location = page.headers.get("location")
        if page.status not in _REDIRECTS or not location:
            return page
        hops += 1
        if hops > MAX_REDIRECTS:
            raise FeedUnavailable(f"{_safe(url)} redirects too many times")
        try:
            target = url.join(location)
        except (httpx.InvalidURL, ValueError):
            raise FeedUnreadable(f"{_safe(url)} redirects to an invalid URL") from None
        if target.scheme not in ("http", "https") or not target.host:
            raise FeedUnreadable(f"{_safe(url)} redirects to a URL that is not http(s)")
        if (target.scheme, target.host, target.port) != (url.scheme, url.host, url.port):
            headers = {k: v for k, v in headers.items() if k.lower() not in _CREDENTIAL_HEADERS}
        url = target


async def _get_once(
    client: httpx.AsyncClient, url: httpx.URL, headers: dict[str, str], settings: FeedSettings
) -> _Page:
    """One page (a redirect is returned as it is), with retries on timeouts, connection
    errors, 429 and 5xx, and a size cap."""
    attempt = 0
    while True:
        pause: float | None = None
        try:
            async with asyncio.timeout(settings.http_timeout_s):
                async with client.stream(
                    "GET", url, headers=headers, follow_redirects=False
                ) as response:
                    status = response.status_code
                    if status in _RETRY_STATUSES:
                        problem = f"HTTP {status}"
                        pause = _retry_after(response.headers.get("retry-after"))
                    elif status >= 400:
                        raise FeedUnavailable(f"{_safe(url)} answered HTTP {status}")
                    else:
                        declared = response.headers.get("content-length", "")
                        if declared.isdigit() and int(declared) > settings.max_bytes:
                            raise FeedTooLarge(
                                f"{_safe(url)} sends {declared} bytes, more than "
                                f"{settings.max_bytes} (TABASHIR_FEED_MAX_BYTES)"
                            )
                        body = bytearray()
                        async for chunk in response.aiter_bytes():
                            body += chunk
                            if len(body) > settings.max_bytes:
                                raise FeedTooLarge(
                                    f"{_safe(url)} sent more than {settings.max_bytes} bytes "
                                    "(TABASHIR_FEED_MAX_BYTES)"
                                )
                        return _Page(status, response.headers, bytes(body), response.url)
        except TimeoutError:
            problem = f"no complete answer within {settings.http_timeout_s:g} s"
        except httpx.TimeoutException:
            problem = f"no complete answer within {settings.http_timeout_s:g} s"
        except httpx.TooManyRedirects:
            raise FeedUnavailable(f"{_safe(url)} redirects too many times") from None
        except httpx.TransportError as exc:
            problem = f"connection failed ({type(exc).__name__})"
        if attempt >= settings.http_retries:
            raise FeedUnavailable(f"{_safe(url)} failed after {attempt + 1} attempt(s): {problem}")
        delay = settings.http_backoff_s * (2**attempt) if pause is None else pause
        attempt += 1
        await asyncio.sleep(min(delay, _MAX_PAUSE_S))


def _next_from_link_header(value: str | None) -> str | None:
    if not value:
        return None
    m = _LINK_NEXT.search(value)
    return m.group(1).strip() if m else None


def _parse_page(
    page: _Page, mapping: Mapping[str, str] | None, first_row: int
) -> tuple[ParsedFeed, str | None]:
    content_type = page.headers.get("content-type", "").lower()
    if "csv" in content_type or page.url.path.lower().endswith(".csv"):
        feed, next_link = _parse_csv(page.body, mapping, None, first_row), None
    else:
        feed, next_link = _parse_json(page.body, first_row)
    return feed, next_link or _next_from_link_header(page.headers.get("link"))


async def fetch_http(
    url: str,
    *,
    etag: str | None = None,
    mapping: Mapping[str, str] | str | Path | None = None,
    headers: Mapping[str, str] | None = None,
    settings: FeedSettings | None = None,
    client: httpx.AsyncClient | None = None,
) -> ParsedFeed:
    """Fetch a feed over HTTP(S): JSON / JSON lines, or CSV (by content type or ``.csv`` path).

    Sends ``If-None-Match: etag`` when given and returns ``not_modified=True`` on 304; the new
    ETag comes back in ``ParsedFeed.etag``. Follows ``"next"`` (in a JSON object) or
    ``Link: <...>; rel="next"`` to further pages on the same origin, up to
    ``TABASHIR_FEED_MAX_PAGES``. Each attempt is bounded by ``TABASHIR_FEED_HTTP_TIMEOUT_S``,
    each page by ``TABASHIR_FEED_MAX_BYTES``; timeouts, connection errors, 429 and 5xx are
    retried with exponential backoff. All pages are read before anything is returned, so a
    failure part-way leaves nothing half-ingested.
    """
    settings = settings or get_feed_settings()
    start = _check_url(url)
    resolved = load_mapping(mapping) if mapping is not None else None
    extra = dict(headers or {})
    owned = client is None
    http = client or httpx.AsyncClient(
        timeout=settings.http_timeout_s,
        follow_redirects=False,  # _get follows them, checking every hop
        headers={"User-Agent": settings.user_agent},
    )
    result = ParsedFeed(pages=0)
    try:
        page_url: httpx.URL | None = start
        seen: set[str] = set()
        row = 1
        while page_url is not None:
            if str(page_url) in seen:
                raise FeedUnreadable(f"The feed's next links loop back to {_safe(page_url)}")
            if result.pages >= settings.max_pages:
                raise FeedUnreadable(
                    f"The feed has more than {settings.max_pages} pages (TABASHIR_FEED_MAX_PAGES)"
                )
            seen.add(str(page_url))
            request_headers = {
                "Accept": "application/json, application/x-ndjson;q=0.9, text/csv;q=0.8",
                **extra,
            }
            if result.pages == 0 and etag:
                request_headers["If-None-Match"] = etag
            page = await _get(http, page_url, request_headers, settings)
            if result.pages == 0:
                if page.status == 304:
                    return ParsedFeed(etag=etag, not_modified=True, pages=0)
                result.etag = page.headers.get("etag")
            elif page.status == 304:
                raise FeedUnavailable(f"{_safe(page_url)} answered 304 to a request without ETag")
            result.pages += 1
            feed, next_link = _parse_page(page, resolved, row)
            result.extend(feed)
            row += len(feed.items) + len(feed.errors)
            page_url = None
            if next_link:
                candidate = page.url.join(next_link)
                if (candidate.scheme, candidate.host, candidate.port) != (
                    start.scheme,
                    start.host,
                    start.port,
                ):
                    raise FeedUnreadable(
                        "The feed's next link leaves its server; only same-origin pages are followed"
                    )
                page_url = candidate
    finally:
        if owned:
            await http.aclose()
    return result
