"""fetch_http against a real HTTP server on 127.0.0.1 (the standard library's, in a thread):
ETag / 304, pagination, retries, timeouts and size limits. Nothing is faked."""

from __future__ import annotations

import json
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from ingestion.jobs.errors import FeedTooLarge, FeedUnavailable, FeedUnreadable
from ingestion.jobs.feeds import fetch_http
from ingestion.jobs.settings import FeedSettings

pytestmark = pytest.mark.unit

Route = Callable[[BaseHTTPRequestHandler], None]


def job(n: int) -> dict[str, Any]:
    return {"external_id": f"J-{n}", "title": f"Engineer {n}", "company": "Acme", "city": "Dubai"}


class FeedServer:
    """Routes by path; records every request's path and headers."""

    def __init__(self) -> None:
        self.routes: dict[str, Route] = {}
        self.hits: Counter[str] = Counter()
        self.headers: list[dict[str, str]] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                path = self.path.split("?")[0]
                server.hits[path] += 1
                server.headers.append({k.lower(): v for k, v in self.headers.items()})
                route = server.routes.get(path)
                if route is None:
                    self.send_error(404)
                    return
                route(self)

            def log_message(self, *args: Any) -> None:
                pass

        class Server(ThreadingHTTPServer):
            daemon_threads = True
            block_on_close = False

            def handle_error(self, request: Any, client_address: Any) -> None:
                pass  # a client that gave up (timeout, size limit) is expected here

        self.httpd = Server(("127.0.0.1", 0), Handler)
        self.base = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(
            target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    def url(self, path: str) -> str:
        return self.base + path


def send(
    handler: BaseHTTPRequestHandler,
    body: bytes | str | Any,
    *,
    status: int = 200,
    headers: dict[str, str] | None = None,
    content_type: str = "application/json",
) -> None:
    data = (
        body
        if isinstance(body, bytes)
        else body.encode()
        if isinstance(body, str)
        else json.dumps(body).encode()
    )
    handler.send_response(status)
    handler.send_header("Content-Type", content_type)
    handler.send_header("Content-Length", str(len(data)))
    for k, v in (headers or {}).items():
        handler.send_header(k, v)
    handler.end_headers()
    handler.wfile.write(data)


@pytest.fixture
def server() -> Iterator[FeedServer]:
    s = FeedServer()
    s.thread.start()
    yield s
    s.httpd.shutdown()
    s.httpd.server_close()


#: The test server listens on 127.0.0.1: trusted here, as an operator would trust an internal
#: feed host (TABASHIR_FEED_TRUSTED_INTERNAL_HOSTS).
LOCAL = ["127.0.0.1"]
FAST = FeedSettings(
    http_timeout_s=2.0,
    http_retries=2,
    http_backoff_s=0.01,
    max_bytes=100_000,
    trusted_internal_hosts=LOCAL,
)


async def test_etag_then_304_not_modified(server: FeedServer) -> None:
    def feed(h: BaseHTTPRequestHandler) -> None:
        if h.headers.get("If-None-Match") == '"v1"':
            h.send_response(304)
            h.send_header("ETag", '"v1"')
            h.end_headers()
        else:
            send(h, [job(1), job(2)], headers={"ETag": '"v1"'})

    server.routes["/feed"] = feed
    first = await fetch_http(server.url("/feed"), settings=FAST)
    assert first.etag == '"v1"'
    assert not first.not_modified
    assert [r.item.external_id for r in first.items] == ["J-1", "J-2"]
    assert "if-none-match" not in server.headers[0]

    second = await fetch_http(server.url("/feed"), etag=first.etag, settings=FAST)
    assert second.not_modified
    assert second.items == []
    assert second.etag == '"v1"'
    assert server.headers[1]["if-none-match"] == '"v1"'
    assert server.headers[1]["user-agent"] == FAST.user_agent


async def test_pagination_by_next_field_and_link_header(server: FeedServer) -> None:
    server.routes["/p1"] = lambda h: send(h, {"jobs": [job(1), job(2)], "next": "/p2?page=2"})
    server.routes["/p2"] = lambda h: send(
        h, [job(3), {"title": "no id"}], headers={"Link": f'<{server.url("/p3")}>; rel="next"'}
    )
    server.routes["/p3"] = lambda h: send(
        h, json.dumps(job(4)) + "\n{broken\n", content_type="application/x-ndjson"
    )
    feed = await fetch_http(server.url("/p1"), settings=FAST)
    assert feed.pages == 3
    assert [(r.row, r.item.external_id) for r in feed.items] == [
        (1, "J-1"),
        (2, "J-2"),
        (3, "J-3"),
        (5, "J-4"),
    ]
    assert [e.row for e in feed.errors] == [4, 6]
    assert server.hits == Counter({"/p1": 1, "/p2": 1, "/p3": 1})


async def test_pagination_loop_and_foreign_next_are_refused(server: FeedServer) -> None:
    server.routes["/loop"] = lambda h: send(h, {"jobs": [job(1)], "next": "/loop"})
    with pytest.raises(FeedUnreadable, match="loop"):
        await fetch_http(server.url("/loop"), settings=FAST)
    server.routes["/away"] = lambda h: send(
        h, {"jobs": [job(1)], "next": "http://198.51.100.1/feed"}
    )
    with pytest.raises(FeedUnreadable, match="same-origin"):
        await fetch_http(server.url("/away"), settings=FAST)


async def test_max_pages(server: FeedServer) -> None:
    counter = iter(range(100))
    server.routes["/many"] = lambda h: send(h, {"jobs": [], "next": f"/many?n={next(counter)}"})
    with pytest.raises(FeedUnreadable, match="more than 3 pages"):
        await fetch_http(server.url("/many"), settings=FAST.model_copy(update={"max_pages": 3}))
    assert server.hits["/many"] == 3


async def test_retries_5xx_with_backoff_then_succeeds(server: FeedServer) -> None:
    def flaky(h: BaseHTTPRequestHandler) -> None:
        if server.hits["/flaky"] < 3:
            send(h, {"error": "busy"}, status=503)
        else:
            send(h, [job(1)])

    server.routes["/flaky"] = flaky
    feed = await fetch_http(server.url("/flaky"), settings=FAST)
    assert [r.item.external_id for r in feed.items] == ["J-1"]
    assert server.hits["/flaky"] == 3


async def test_retry_after_is_honoured(server: FeedServer) -> None:
    def limited(h: BaseHTTPRequestHandler) -> None:
        if server.hits["/limited"] == 1:
            send(h, {}, status=429, headers={"Retry-After": "1"})
        else:
            send(h, [job(1)])

    server.routes["/limited"] = limited
    started = time.monotonic()
    feed = await fetch_http(server.url("/limited"), settings=FAST)
    assert len(feed.items) == 1
    assert time.monotonic() - started >= 0.9


async def test_gives_up_after_the_retries(server: FeedServer) -> None:
    server.routes["/down"] = lambda h: send(h, {}, status=502)
    with pytest.raises(FeedUnavailable, match="after 3 attempt"):
        await fetch_http(server.url("/down"), settings=FAST)
    assert server.hits["/down"] == 3


async def test_client_errors_are_not_retried(server: FeedServer) -> None:
    with pytest.raises(FeedUnavailable, match="HTTP 404"):
        await fetch_http(server.url("/missing?token=secret"), settings=FAST)
    assert server.hits["/missing"] == 1


async def test_error_messages_never_show_credentials_or_query(server: FeedServer) -> None:
    url = server.url("/missing").replace("http://", "http://user:pw@") + "?api_key=hunter2"
    with pytest.raises(FeedUnavailable) as caught:
        await fetch_http(url, settings=FAST)
    assert "hunter2" not in str(caught.value)
    assert "pw" not in str(caught.value)


async def test_timeout(server: FeedServer) -> None:
    def slow(h: BaseHTTPRequestHandler) -> None:
        time.sleep(1.5)
        send(h, [job(1)])

    server.routes["/slow"] = slow
    settings = FeedSettings(
        http_timeout_s=0.3, http_retries=1, http_backoff_s=0.01, trusted_internal_hosts=LOCAL
    )
    started = time.monotonic()
    with pytest.raises(FeedUnavailable, match=r"within 0\.3 s"):
        await fetch_http(server.url("/slow"), settings=settings)
    assert time.monotonic() - started < 1.4  # two attempts of 0.3 s, not the server's 1.5 s
    assert server.hits["/slow"] == 2


async def test_slow_drip_is_bounded_by_the_timeout(server: FeedServer) -> None:
    def drip(h: BaseHTTPRequestHandler) -> None:
        h.send_response(200)
        h.send_header("Content-Type", "application/json")
        h.end_headers()
        for _ in range(30):  # a byte every 0.1 s: each read is quick, the whole is not
            h.wfile.write(b" ")
            h.wfile.flush()
            time.sleep(0.1)

    server.routes["/drip"] = drip
    settings = FeedSettings(http_timeout_s=0.5, http_retries=0, trusted_internal_hosts=LOCAL)
    started = time.monotonic()
    with pytest.raises(FeedUnavailable):
        await fetch_http(server.url("/drip"), settings=settings)
    assert time.monotonic() - started < 2.0


async def test_oversize_declared_and_streamed(server: FeedServer) -> None:
    big = json.dumps([job(n) for n in range(3000)]).encode()
    assert len(big) > FAST.max_bytes
    server.routes["/big"] = lambda h: send(h, big)

    def streamed(h: BaseHTTPRequestHandler) -> None:
        h.send_response(200)
        h.send_header("Content-Type", "application/json")
        h.send_header("Connection", "close")
        h.end_headers()  # no Content-Length: only counting the bytes can catch it
        h.wfile.write(big)

    server.routes["/streamed"] = streamed
    with pytest.raises(FeedTooLarge, match="sends"):
        await fetch_http(server.url("/big"), settings=FAST)
    with pytest.raises(FeedTooLarge, match="more than"):
        await fetch_http(server.url("/streamed"), settings=FAST)
    assert server.hits["/big"] == 1  # too large is final, not retried


async def test_csv_over_http_with_mapping(server: FeedServer) -> None:
    body = "Ref,Role,Employer\nR1,Chef,Acme\nR2,,Acme\n"
    server.routes["/jobs.csv"] = lambda h: send(h, body, content_type="text/csv; charset=utf-8")
    feed = await fetch_http(
        server.url("/jobs.csv"),
        mapping={"external_id": "Ref", "title": "Role", "company": "Employer"},
        settings=FAST,
    )
    assert [r.item.title for r in feed.items] == ["Chef"]
    assert [e.row for e in feed.errors] == [3]


async def test_not_json_is_unreadable(server: FeedServer) -> None:
    server.routes["/html"] = lambda h: send(h, "<html>login</html>", content_type="text/html")
    with pytest.raises(FeedUnreadable, match="not JSON"):
        await fetch_http(server.url("/html"), settings=FAST)


@pytest.mark.parametrize("url", ["ftp://example.org/feed", "file:///etc/passwd", "not a url", ""])
async def test_only_http_urls(url: str) -> None:
    with pytest.raises(FeedUnreadable):
        await fetch_http(url, settings=FAST)


async def test_connection_refused_is_unavailable() -> None:
    # A port nothing listens on: bind, note it, close.
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with pytest.raises(FeedUnavailable, match="connection failed"):
        await fetch_http(
            f"http://127.0.0.1:{port}/feed",
            settings=FeedSettings(
                http_retries=1, http_backoff_s=0.01, trusted_internal_hosts=LOCAL
            ),
        )


def redirect(to: str, status: int = 302) -> Route:
    def answer(h: BaseHTTPRequestHandler) -> None:
        h.send_response(status)
        h.send_header("Location", to)
        h.send_header("Content-Length", "0")
        h.end_headers()

    return answer


async def test_internal_addresses_are_refused_at_every_hop(server: FeedServer) -> None:
    port = server.httpd.server_address[1]
    server.routes["/feed"] = lambda h: send(h, [job(1)])
    # Without trust, the local server itself is an internal address.
    with pytest.raises(FeedUnreadable, match="internal address"):
        await fetch_http(server.url("/feed"), settings=FeedSettings(http_retries=0))
    assert server.hits["/feed"] == 0  # refused before any request was sent
    # A trusted first hop that redirects elsewhere inside: "localhost" is not trusted, and it
    # resolves to loopback; the metadata address and a private range likewise.
    for target in (
        f"http://localhost:{port}/feed",
        "http://169.254.169.254/latest/meta-data/",
        "http://10.0.0.7/feed",
        f"http://[::1]:{port}/feed",
    ):
        server.routes["/hop"] = redirect(target)
        with pytest.raises(FeedUnreadable, match="internal address"):
            await fetch_http(server.url("/hop"), settings=FAST)
    assert server.hits["/feed"] == 0
    # Redirects within the trusted host are followed as before.
    server.routes["/moved"] = redirect("/feed", status=301)
    feed = await fetch_http(server.url("/moved"), settings=FAST)
    assert [r.item.external_id for r in feed.items] == ["J-1"]


async def test_credentials_are_not_carried_to_another_origin(server: FeedServer) -> None:
    port = server.httpd.server_address[1]
    server.routes["/feed"] = lambda h: send(h, [job(1)])
    server.routes["/start"] = redirect(f"http://localhost:{port}/feed")
    trusted = FAST.model_copy(update={"trusted_internal_hosts": ["127.0.0.1", "localhost"]})
    await fetch_http(
        server.url("/start"), settings=trusted, headers={"Authorization": "Bearer feed-key"}
    )
    start, moved = server.headers
    assert start["authorization"] == "Bearer feed-key"
    assert "authorization" not in moved


async def test_endless_redirects_are_refused(server: FeedServer) -> None:
    server.routes["/a"] = redirect("/b")
    server.routes["/b"] = redirect("/a")
    with pytest.raises(FeedUnavailable, match="redirects too many times"):
        await fetch_http(server.url("/a"), settings=FAST)
