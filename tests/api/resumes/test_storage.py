"""The file store: the local folder backend, and the S3 backend's Signature V4.

The S3 backend is checked against AWS's published signature example, and against an in-memory
bucket behind ``httpx.MockTransport`` (no local S3 server is available to the test suite);
the fake checks that each request is signed and that the signed payload hash matches the body.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path

import httpx
import pytest

from api.integrations.storage import (
    EMPTY_SHA256,
    LocalStorage,
    S3Storage,
    StorageSettings,
    StorageUnavailable,
    StoredFileMissing,
    check_key,
    sigv4_headers,
    storage_from_settings,
)

pytestmark = pytest.mark.unit


async def test_local_put_get_delete(tmp_path: Path) -> None:
    store = LocalStorage(tmp_path)
    await store.put("resumes/u1/abc.pdf", b"%PDF-1.4 one", "application/pdf")
    await store.put("resumes/u1/abc.pdf", b"%PDF-1.4 two", "application/pdf")
    assert await store.get("resumes/u1/abc.pdf") == b"%PDF-1.4 two"
    # Written through a temporary name and renamed: nothing else is left in the folder.
    assert [p.name for p in (tmp_path / "resumes" / "u1").iterdir()] == ["abc.pdf"]
    await store.delete("resumes/u1/abc.pdf")
    await store.delete("resumes/u1/abc.pdf")  # deleting twice is fine
    with pytest.raises(StoredFileMissing):
        await store.get("resumes/u1/abc.pdf")


@pytest.mark.parametrize(
    "key", ["../etc/passwd", "/abs", "a/../b", "a//b", ".hidden", "a/.b", "a b", "", "a\\b"]
)
def test_keys_cannot_escape(key: str) -> None:
    with pytest.raises(ValueError, match="invalid storage key"):
        check_key(key)


def test_sigv4_matches_the_aws_example() -> None:
    # AWS S3 documentation, "Example: GET Object" (header-based auth, single chunk).
    headers = sigv4_headers(
        method="GET",
        url="https://examplebucket.s3.amazonaws.com/test.txt",
        headers={"Range": "bytes=0-9"},
        payload_sha256=EMPTY_SHA256,
        access_key="AKIAIOSFODNN7EXAMPLE",
        secret_key="wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
        region="us-east-1",
        now=dt.datetime(2013, 5, 24, tzinfo=dt.UTC),
    )
    assert headers["Authorization"].endswith(
        "Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41"
    )
    assert "SignedHeaders=host;range;x-amz-content-sha256;x-amz-date" in headers["Authorization"]


def _s3(handler: httpx.MockTransport) -> S3Storage:
    settings = StorageSettings(
        backend="s3",
        s3_endpoint="https://s3.test",
        s3_bucket="cvs",
        s3_access_key_id="AKIDEXAMPLE",
        s3_secret_access_key="secret",
        s3_prefix="tabashir/",
    )
    return S3Storage(settings, transport=handler)


async def test_s3_round_trip_with_signed_requests() -> None:
    bucket: dict[str, bytes] = {}

    def fake_s3(request: httpx.Request) -> httpx.Response:
        assert request.headers["authorization"].startswith(
            "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/"
        )
        assert (
            request.headers["x-amz-content-sha256"] == hashlib.sha256(request.content).hexdigest()
        )
        path = request.url.path
        assert path.startswith("/cvs/tabashir/")
        if request.method == "PUT":
            bucket[path] = request.content
            return httpx.Response(200)
        if request.method == "GET":
            return (
                httpx.Response(200, content=bucket[path]) if path in bucket else httpx.Response(404)
            )
        bucket.pop(path, None)
        return httpx.Response(204)

    store = _s3(httpx.MockTransport(fake_s3))
    await store.put("resumes/u/1.pdf", b"%PDF", "application/pdf")
    assert await store.get("resumes/u/1.pdf") == b"%PDF"
    await store.delete("resumes/u/1.pdf")
    with pytest.raises(StoredFileMissing):
        await store.get("resumes/u/1.pdf")
    await store.aclose()


async def test_s3_failures_are_503() -> None:
    def broken(request: httpx.Request) -> httpx.Response:
        if request.method == "GET":
            raise httpx.ConnectError("refused", request=request)
        return httpx.Response(500)

    store = _s3(httpx.MockTransport(broken))
    with pytest.raises(StorageUnavailable):
        await store.put("a.pdf", b"x", "application/pdf")
    with pytest.raises(StorageUnavailable):
        await store.get("a.pdf")


def test_settings_choose_the_backend(tmp_path: Path) -> None:
    local = storage_from_settings(StorageSettings(local_dir=tmp_path))
    assert isinstance(local, LocalStorage)
    assert local.root == tmp_path
    with pytest.raises(ValueError, match="S3_ENDPOINT"):
        storage_from_settings(StorageSettings(backend="s3"))
