"""A local web server for tests of network code: fixture pages that look like real ones.

`serve_fixtures()` starts it on 127.0.0.1 (a free port) in a thread. Its routes:

| path | answer |
|---|---|
| `/news/council-bridge` | a news article with JSON-LD (`@graph`), OpenGraph and Twitter cards |
| `/roundup-ssg/roundup` | a GitHub repository page (OpenGraph, no date) |
| `/watch?v=Xk3l9tQ2pZs` | a video page with `og:video` and a JSON-LD VideoObject |
| `/diary/static-weekend` | an old blog page with only a `<title>` |
| `/forum/waermepumpen` | a windows-1252 page declared ISO-8859-1 in its HTTP header only |
| `/ru/static` | a windows-1251 page declared in `<meta http-equiv>` only |
| `/r/short` | 301 → `/r/step` → 302 → `/news/council-bridge` (a redirect chain) |
| `/moved/repo` | 308 → `/roundup-ssg/roundup` |
| `/temporary` | 307 → `/diary/static-weekend` |
| `/gone` | 404 with an HTML page |
| `/broken` | 500 |
| `/busy/<anything>` | 429 with `Retry-After: 1` on the first request for that path, then 200 |
| `/slow` | a page after `SLOW_SECONDS` |
| `/drip-headers` | a header line a byte every 0.1 s, for `SLOW_SECONDS` (each read in time) |
| `/pace/<anything>` | a page after 0.2 s; `most_at_once` counts how many were in flight |
| `/paper.pdf` | a PDF |
| `/no-head` | 405 to HEAD, the blog page to GET |
| `/head-hangs-up` | no answer to HEAD (the connection closed), the blog page to GET |
| `/not-http` | 20,000 bytes that are no HTTP answer, to any request |
| `/images/<name>.jpg` | a small JPEG |
| `/loop` | redirects to itself |
| `/moved/gone` | 301 → `/gone` (a link that moved, then died) |
| `/nowhere` | 302 without a `Location` |
| `/untitled` | a page with no title at all |
| `/import/starred.rss` | an RSS feed of starred items (`fixtures/import/starred.rss`) |
| `/import/notes/feed.atom` | an Atom feed with links relative to its own URL |
| `/import/moved.atom` | 301 → `/import/notes/feed.atom` |

Every request is recorded (`requests`) as (method, path, User-Agent).
"""

from __future__ import annotations

import contextlib
import http.server
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from urllib.parse import urlsplit

PAGES = Path(__file__).parent / "fixtures" / "web"
EXPORTS = Path(__file__).parent / "fixtures" / "import"
SLOW_SECONDS = 3.0
HTML = "text/html; charset=utf-8"
# The smallest JPEG anyone would serve: a 1x1 grey pixel.
JPEG = bytes.fromhex(
    "ffd8ffe000104a46494600010100000100010000ffdb004300080606070605080707070909080a0c140d0c0b0b0c"
    "1912130f141d1a1f1e1d1a1c1c20242e2720222c231c1c2837292c30313434341f27393d38323c2e333432ffc0000b"
    "080001000101011100ffc4001f0000010501010101010100000000000000000102030405060708090a0bffc400b510"
    "0002010303020403050504040000017d01020300041105122131410613516107227114328191a1082342b1c11552d1"
    "f02433627282090a161718191a25262728292a3435363738393a434445464748494a535455565758595a6364656667"
    "68696a737475767778797a838485868788898a92939495969798999aa2a3a4a5a6a7a8a9aab2b3b4b5b6b7b8b9bac2"
    "c3c4c5c6c7c8c9cad2d3d4d5d6d7d8d9dae1e2e3e4e5e6e7e8e9eaf1f2f3f4f5f6f7f8f9faffda0008010100003f00"
    "fbd3ffd9"
)


@dataclass(frozen=True)
class Route:
    status: int = 200
    body: bytes = b""
    content_type: str = HTML
    headers: tuple[tuple[str, str], ...] = ()
    head_status: int | None = None  # a different answer to HEAD


def _page(name: str, content_type: str = HTML) -> Route:
    return Route(body=(PAGES / name).read_bytes(), content_type=content_type)


def _redirect(status: int, location: str) -> Route:
    return Route(status, b"", HTML, (("Location", location),))


ROUTES: dict[str, Route] = {
    "/news/council-bridge": _page("news-article.html"),
    "/roundup-ssg/roundup": _page("github-repository.html"),
    "/watch?v=Xk3l9tQ2pZs": _page("video.html"),
    "/diary/static-weekend": _page("blog-title-only.html", "text/html"),
    "/forum/waermepumpen": _page("latin1-header.html", "text/html; charset=ISO-8859-1"),
    "/ru/static": _page("cp1251-meta.html", "text/html"),
    "/r/short": _redirect(301, "/r/step"),
    "/r/step": _redirect(302, "/news/council-bridge"),
    "/moved/repo": _redirect(308, "/roundup-ssg/roundup"),
    "/temporary": _redirect(307, "/diary/static-weekend"),
    "/loop": _redirect(302, "/loop"),
    "/moved/gone": _redirect(301, "/gone"),
    "/moved/tracked": _redirect(301, "/news/council-bridge?utm_source=feed&id=3"),
    "/moved/closed": _redirect(301, "http://localhost:1/closed"),  # a host that refuses
    "/maintenance": Route(503, b"<h1>Back soon</h1>", HTML, (("Retry-After", "120"),)),
    "/nowhere": Route(302, b"<p>Moved</p>"),  # a redirect without a Location
    "/gone": Route(404, (PAGES / "gone.html").read_bytes()),
    "/broken": Route(500, b"<h1>Internal Server Error</h1>"),
    "/untitled": Route(body=b"<html><body><p>No title here.</p></body></html>"),
    "/paper.pdf": Route(200, b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n", "application/pdf"),
    "/no-head": Route(
        200, (PAGES / "blog-title-only.html").read_bytes(), "text/html", head_status=405
    ),
    "/import/starred.rss": Route(
        200, (EXPORTS / "starred.rss").read_bytes(), "application/rss+xml; charset=utf-8"
    ),
    "/import/notes/feed.atom": Route(
        200, (EXPORTS / "relative.atom").read_bytes(), "application/atom+xml"
    ),
    "/import/moved.atom": _redirect(301, "/import/notes/feed.atom"),
}


@dataclass
class FixtureWeb:
    """The running server: `url(path)` gives a full URL; `requests` records what came in."""

    origin: str
    requests: list[tuple[str, str, str]] = field(default_factory=list)
    busy_seen: set[str] = field(default_factory=set)
    lock: threading.Lock = field(default_factory=threading.Lock)
    in_flight: int = 0
    most_at_once: int = 0  # of /pace/ requests

    def url(self, path: str) -> str:
        return self.origin + path

    def hits(self, path: str) -> list[str]:
        """The methods of the requests for `path`, in order."""
        with self.lock:
            return [method for method, seen, _ in self.requests if seen == path]


class _Handler(http.server.BaseHTTPRequestHandler):
    server_version = "FixtureWeb/1.0"
    protocol_version = "HTTP/1.1"
    web: FixtureWeb  # set on the subclass made for each server

    def log_message(self, format: str, *args: object) -> None:  # quiet in test output
        pass

    def do_GET(self) -> None:
        self._answer(head=False)

    def do_HEAD(self) -> None:
        self._answer(head=True)

    def _answer(self, head: bool) -> None:
        path = self.path
        with self.web.lock:
            self.web.requests.append(
                ("HEAD" if head else "GET", path, self.headers.get("User-Agent", ""))
            )
        if path == "/drip-headers":
            self._drip()
            return
        if (path == "/head-hangs-up" and head) or path == "/not-http":
            if path == "/not-http":
                with contextlib.suppress(ConnectionError):
                    self.wfile.write(b"Z" * 20_000 + b"\r\n\r\n")
            self.close_connection = True
            return
        if path == "/head-hangs-up":
            path = "/diary/static-weekend"
        route = self._route(urlsplit(path).path, path)
        status = route.head_status if head and route.head_status else route.status
        self.send_response(status)
        self.send_header("Content-Type", route.content_type)
        self.send_header("Content-Length", str(len(route.body)))
        for name, value in route.headers:
            self.send_header(name, value)
        self.end_headers()
        if not head:
            with contextlib.suppress(ConnectionError):  # a client that read enough and left
                self.wfile.write(route.body)

    def _drip(self) -> None:
        self.close_connection = True
        with contextlib.suppress(ConnectionError):
            self.wfile.write(b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nX-Slow: ")
            self.wfile.flush()
            for _ in range(int(SLOW_SECONDS / 0.1)):
                time.sleep(0.1)
                self.wfile.write(b"x")
                self.wfile.flush()

    def _route(self, path: str, full: str) -> Route:
        if full in ROUTES:
            return ROUTES[full]
        if path in ROUTES:
            return ROUTES[path]
        if path.startswith("/busy/"):
            with self.web.lock:
                first = path not in self.web.busy_seen
                self.web.busy_seen.add(path)
            if first:
                return Route(429, b"Too many requests", "text/plain", (("Retry-After", "1"),))
            return ROUTES["/diary/static-weekend"]
        if path.startswith("/pace/"):
            with self.web.lock:
                self.web.in_flight += 1
                self.web.most_at_once = max(self.web.most_at_once, self.web.in_flight)
            time.sleep(0.2)
            with self.web.lock:
                self.web.in_flight -= 1
            return ROUTES["/diary/static-weekend"]
        if path == "/slow":
            time.sleep(SLOW_SECONDS)
            return ROUTES["/diary/static-weekend"]
        if path.startswith("/images/") and path.endswith(".jpg"):
            return Route(200, JPEG, "image/jpeg")
        return ROUTES["/gone"]


class _QuietServer(http.server.ThreadingHTTPServer):
    """A server that takes a client hanging up mid-answer as normal, not as an error."""

    def handle_error(self, request: object, client_address: object) -> None:
        # roundup stops reading a body it will not use (a PDF, an over-long page); the
        # broken pipe that follows is expected and must not print into the test's stderr.
        error = sys.exc_info()[1]
        if isinstance(error, ConnectionError):
            return
        super().handle_error(request, client_address)  # type: ignore[arg-type]


@contextmanager
def serve_fixtures() -> Iterator[FixtureWeb]:
    """Serve the fixture pages on 127.0.0.1 for the duration of the block."""
    handler = type("Handler", (_Handler,), {})
    server = _QuietServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    host, port = server.server_address[:2]
    web = FixtureWeb(f"http://{host}:{port}")
    handler.web = web
    thread = threading.Thread(target=server.serve_forever, name="fixture-web", daemon=True)
    thread.start()
    try:
        yield web
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


class _QuietFiles(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # quiet in test output
        pass


@contextmanager
def serve_folder(root: Path) -> Iterator[str]:
    """Serve the files under `root` as they are (a built site, as a static host would) on
    127.0.0.1 for the duration of the block; yields the base URL, ending in "/"."""
    server = _QuietServer(("127.0.0.1", 0), partial(_QuietFiles, directory=str(root)))
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, name="static-web", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
