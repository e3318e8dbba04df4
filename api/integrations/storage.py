"""The one file store: CV uploads and the documents made from them.

Two backends behind :class:`Storage`: a local folder (``TABASHIR_DATA_DIR/files`` unless
``TABASHIR_STORAGE_LOCAL_DIR`` says otherwise; the default), and an S3-compatible bucket
(AWS S3, MinIO, Cloudflare R2, …) spoken to over plain HTTPS with AWS Signature Version 4 —
no SDK. Keys are ours, never a client's: ``resumes/<user id>/<sha256>.pdf``. Writes are atomic
(a local write goes to a temporary name, then is renamed), so a reader never sees half a file.

A store that cannot be reached answers :class:`StorageUnavailable` (503); a key that is not
there, :class:`StoredFileMissing` (404).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import hmac
import os
import re
import tempfile
from functools import lru_cache
from pathlib import Path
from typing import Literal, Protocol
from urllib.parse import quote, urlsplit

import httpx
from pydantic import AliasChoices, Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from api.errors import NotFound, ServiceUnavailable
from models.settings import get_database_settings

_KEY = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*(?:/[A-Za-z0-9][A-Za-z0-9._-]*)*$")
EMPTY_SHA256 = hashlib.sha256(b"").hexdigest()


class StorageUnavailable(ServiceUnavailable):
    code = "storage_unavailable"
    message = "File storage is unavailable right now; try again shortly"


class StoredFileMissing(NotFound):
    code = "file_missing"
    message = "The file is no longer stored"


class StorageSettings(BaseSettings):
    """Where files go (environment variables prefixed ``TABASHIR_STORAGE_``)."""

    model_config = SettingsConfigDict(
        env_prefix="TABASHIR_STORAGE_", env_file=".env", extra="ignore", validate_by_name=True
    )

    backend: Literal["local", "s3"] = "local"
    #: Folder of the local backend; unset: ``TABASHIR_DATA_DIR/files``.
    local_dir: Path | None = None
    #: S3 endpoint, e.g. https://s3.eu-central-1.amazonaws.com or http://127.0.0.1:9000 (MinIO).
    s3_endpoint: str | None = None
    s3_bucket: str | None = None
    s3_region: str = "us-east-1"
    s3_access_key_id: SecretStr | None = Field(
        default=None,
        validation_alias=AliasChoices(
            "TABASHIR_STORAGE_S3_ACCESS_KEY_ID", "AWS_ACCESS_KEY_ID", "s3_access_key_id"
        ),
    )
    s3_secret_access_key: SecretStr | None = Field(
        default=None,
        validation_alias=AliasChoices(
            "TABASHIR_STORAGE_S3_SECRET_ACCESS_KEY", "AWS_SECRET_ACCESS_KEY", "s3_secret_access_key"
        ),
    )
    #: Prepended to every key ("tabashir/"), to share a bucket.
    s3_prefix: str = ""
    s3_timeout_s: float = Field(default=20.0, gt=0)


class Storage(Protocol):
    """Bytes by key. Implementations are safe to share between requests."""

    async def put(self, key: str, data: bytes, content_type: str) -> None: ...

    async def get(self, key: str) -> bytes: ...

    async def delete(self, key: str) -> None: ...


def check_key(key: str) -> str:
    """Keys are relative, slash-separated, of letters, digits, ``.``, ``_`` and ``-``; no part
    starts with a dot, so no key climbs out of its folder."""
    if len(key) > 500 or not _KEY.match(key):
        raise ValueError(f"invalid storage key: {key!r}")
    return key


class LocalStorage:
    """Files in a folder on this machine."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    def _path(self, key: str) -> Path:
        return self.root / check_key(key)

    def _put(self, key: str, data: bytes) -> None:
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".tmp-", dir=path.parent)
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    async def put(self, key: str, data: bytes, content_type: str) -> None:
        try:
            await asyncio.to_thread(self._put, key, data)
        except OSError as exc:
            raise StorageUnavailable() from exc

    async def get(self, key: str) -> bytes:
        try:
            return await asyncio.to_thread(self._path(key).read_bytes)
        except FileNotFoundError:
            raise StoredFileMissing() from None
        except OSError as exc:
            raise StorageUnavailable() from exc

    async def delete(self, key: str) -> None:
        try:
            await asyncio.to_thread(self._path(key).unlink, True)
        except OSError as exc:
            raise StorageUnavailable() from exc


def _hmac(key: bytes, msg: str) -> bytes:
    return hmac.new(key, msg.encode(), hashlib.sha256).digest()


def sigv4_headers(
    *,
    method: str,
    url: str,
    headers: dict[str, str],
    payload_sha256: str,
    access_key: str,
    secret_key: str,
    region: str,
    service: str = "s3",
    now: dt.datetime | None = None,
) -> dict[str, str]:
    """``headers`` plus ``x-amz-date``, ``x-amz-content-sha256`` and the ``Authorization`` of
    AWS Signature Version 4 (header-based, single-chunk payload)."""
    now = (now or dt.datetime.now(dt.UTC)).astimezone(dt.UTC)
    amz_date = now.strftime("%Y%m%dT%H%M%SZ")
    day = amz_date[:8]
    parts = urlsplit(url)
    host = parts.netloc
    out = {**headers, "host": host, "x-amz-date": amz_date, "x-amz-content-sha256": payload_sha256}
    canonical_headers = {k.lower().strip(): " ".join(v.split()) for k, v in out.items()}
    signed = ";".join(sorted(canonical_headers))
    query = "&".join(
        f"{quote(k, safe='-_.~')}={quote(v, safe='-_.~')}"
        for k, v in sorted([*p.split("=", 1), ""][:2] for p in parts.query.split("&") if p)
    )
    canonical = "\n".join(
        [
            method.upper(),
            quote(parts.path or "/", safe="/-_.~"),
            query,
            "".join(f"{k}:{canonical_headers[k]}\n" for k in sorted(canonical_headers)),
            signed,
            payload_sha256,
        ]
    )
    scope = f"{day}/{region}/{service}/aws4_request"
    to_sign = "\n".join(
        ["AWS4-HMAC-SHA256", amz_date, scope, hashlib.sha256(canonical.encode()).hexdigest()]
    )
    key = _hmac(
        _hmac(_hmac(_hmac(f"AWS4{secret_key}".encode(), day), region), service), "aws4_request"
    )
    signature = hmac.new(key, to_sign.encode(), hashlib.sha256).hexdigest()
    del out["host"]  # httpx sets Host itself; it was signed with the same value
    out["Authorization"] = (
        f"AWS4-HMAC-SHA256 Credential={access_key}/{scope}, SignedHeaders={signed}, "
        f"Signature={signature}"
    )
    return out


class S3Storage:
    """An S3-compatible bucket, path-style URLs (``<endpoint>/<bucket>/<key>``)."""

    def __init__(
        self, settings: StorageSettings, transport: httpx.AsyncBaseTransport | None = None
    ) -> None:
        if not (
            settings.s3_endpoint
            and settings.s3_bucket
            and settings.s3_access_key_id
            and settings.s3_secret_access_key
        ):
            raise ValueError(
                "TABASHIR_STORAGE_BACKEND=s3 needs TABASHIR_STORAGE_S3_ENDPOINT, _S3_BUCKET and "
                "the access key pair (AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY)"
            )
        self.endpoint = settings.s3_endpoint.rstrip("/")
        self.bucket = settings.s3_bucket
        self.region = settings.s3_region
        self.prefix = settings.s3_prefix
        self._access = settings.s3_access_key_id.get_secret_value()
        self._secret = settings.s3_secret_access_key.get_secret_value()
        self._client = httpx.AsyncClient(timeout=settings.s3_timeout_s, transport=transport)

    def _url(self, key: str) -> str:
        return f"{self.endpoint}/{self.bucket}/{self.prefix}{check_key(key)}"

    async def _send(
        self, method: str, key: str, data: bytes = b"", headers: dict[str, str] | None = None
    ) -> httpx.Response:
        url = self._url(key)
        signed = sigv4_headers(
            method=method,
            url=url,
            headers=headers or {},
            payload_sha256=hashlib.sha256(data).hexdigest() if data else EMPTY_SHA256,
            access_key=self._access,
            secret_key=self._secret,
            region=self.region,
        )
        try:
            return await self._client.request(method, url, content=data or None, headers=signed)
        except httpx.HTTPError as exc:
            raise StorageUnavailable() from exc

    async def put(self, key: str, data: bytes, content_type: str) -> None:
        response = await self._send(
            "PUT",
            key,
            data,
            {"content-type": content_type, "content-length": str(len(data))},
        )
        if response.status_code >= 300:
            raise StorageUnavailable()

    async def get(self, key: str) -> bytes:
        response = await self._send("GET", key)
        if response.status_code == 404:
            raise StoredFileMissing()
        if response.status_code >= 300:
            raise StorageUnavailable()
        return response.content

    async def delete(self, key: str) -> None:
        response = await self._send("DELETE", key)
        if response.status_code >= 300 and response.status_code != 404:
            raise StorageUnavailable()

    async def aclose(self) -> None:
        await self._client.aclose()


def storage_from_settings(settings: StorageSettings | None = None) -> Storage:
    """The store the settings describe."""
    settings = settings or StorageSettings()
    if settings.backend == "s3":
        return S3Storage(settings)
    root = settings.local_dir or get_database_settings().data_dir / "files"
    return LocalStorage(root)


@lru_cache
def get_storage() -> Storage:
    """The process's store (a FastAPI dependency; tests override it)."""
    return storage_from_settings()
