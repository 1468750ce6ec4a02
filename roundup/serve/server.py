"""A local web server for a built site: its files under the base path, and nothing else."""

from __future__ import annotations

import http.server
import logging
import mimetypes
import os
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

from roundup import __version__
from roundup.serve.livereload import EVENTS_PATH, LiveReload, inject

log = logging.getLogger(__name__)

# How often an idle event stream sends a comment: a closed tab's connection is noticed then.
KEEPALIVE_SECONDS = 15.0

# Names a browser may use for this machine; any other Host is a web page elsewhere trying to
# read the local site through DNS rebinding.
_LOCAL_HOSTS = ("127.0.0.1", "localhost", "::1")

# Fixed types for the files roundup writes, as GitHub Pages sends them (XML files declare
# their own encoding), so every system serves them alike.
_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".json": "application/json",
    ".xml": "application/xml",
    ".opml": "text/x-opml; charset=utf-8",
    ".txt": "text/plain; charset=utf-8",
    ".svg": "image/svg+xml",
}

_NOTHING_BUILT = (
    b"<!DOCTYPE html>\n<html lang=en><meta charset=utf-8><title>Not built yet</title>"
    b"<body><p>Nothing is built here yet. roundup shows the reason below as soon as it knows."
    b"</body></html>\n"
)
_NOT_FOUND = (
    b"<!DOCTYPE html>\n<html lang=en><meta charset=utf-8><title>Not found</title>"
    b"<body><p>Not found.</body></html>\n"
)


@dataclass(frozen=True, slots=True)
class Site:
    """What is served: the folder of built files at the base path ("/" or "/repo/")."""

    root: Path
    base_path: str


@dataclass(frozen=True, slots=True)
class Found:
    """Where a request leads: a file, a redirect, or nothing (`status` 200, 301 or 404)."""

    status: int
    file: str = ""
    location: str = ""


def normal_base_path(base_path: str) -> str:
    """The base path with one slash at each end ("/" for a site at the root)."""
    inner = base_path.strip("/")
    return f"/{inner}/" if inner else "/"


def locate(root: str, base_path: str, target: str) -> Found:
    """The file a request target names under `root` (a real, resolved path) served at
    `base_path`.

    Nothing hidden and nothing outside the folder: a path with a segment starting with "."
    (`.git/`, `.env`, `%2e%2e`, also when percent-encoded), a NUL or a backslash, or one
    whose real path (symbolic links followed) leaves `root`, is not found.
    """
    path = urlsplit(target).path
    if path != base_path and path in ("/", base_path.rstrip("/")):
        return Found(301, location=base_path)
    if not path.startswith(base_path):
        return Found(404)
    # Decoded before checking: %2F becomes a separator and %2e a dot, and are judged as such.
    rest = unquote(path[len(base_path) :])
    parts = rest.split("/")
    if (
        "\x00" in rest
        or "\\" in rest
        or any(part.startswith(".") for part in parts)
        or "" in parts[:-1]
    ):
        return Found(404)
    local = os.path.realpath(os.path.join(root, *parts))
    if local != root and not local.startswith(root + os.sep):
        return Found(404)
    if os.path.isdir(local):
        if rest and not rest.endswith("/"):
            return Found(301, location=path + "/")
        index = os.path.realpath(os.path.join(local, "index.html"))
        if index.startswith(root + os.sep) and os.path.isfile(index):
            return Found(200, file=index)
        return Found(404)
    if os.path.isfile(local) and not rest.endswith("/"):  # `feed.xml/`: no host serves it
        return Found(200, file=local)
    return Found(404)


def content_type(file: str) -> str:
    suffix = os.path.splitext(file)[1].lower()
    return _TYPES.get(suffix) or mimetypes.guess_type(file)[0] or "application/octet-stream"


def _local(host: str | None) -> bool:
    """Whether a request's Host header names this machine (no header: an HTTP/1.0 client)."""
    if host is None:
        return True
    try:
        return urlsplit(f"//{host}").hostname in _LOCAL_HOSTS
    except ValueError:
        return False


class SiteServer(http.server.ThreadingHTTPServer):
    """Serves `site` (which a rebuild may replace) on 127.0.0.1; with `live`, also the
    reload events, and the reload script in every HTML page it sends."""

    daemon_threads = True  # an open event stream never holds up Ctrl-C

    def __init__(self, port: int, site: Site, live: LiveReload | None = None) -> None:
        self.site = site
        self.live = live
        super().__init__(("127.0.0.1", port), _Handler)

    @property
    def url(self) -> str:
        """The address it really listens on, with the base path."""
        host, port = self.server_address[:2]
        return f"http://{host!s}:{port}{self.site.base_path}"

    def handle_error(self, request: object, client_address: object) -> None:
        # A browser that goes away mid-response is ordinary; anything else is logged in one
        # line (the traceback only with -v), and the server carries on.
        failure = sys.exc_info()[1]
        if not isinstance(failure, ConnectionError | TimeoutError):
            log.warning("could not answer a request: %s: %s", type(failure).__name__, failure)
        log.debug("while answering %s", client_address, exc_info=True)


class _Handler(http.server.BaseHTTPRequestHandler):
    server: SiteServer
    server_version = f"roundup/{__version__}"

    def do_GET(self) -> None:
        self._answer(send_body=True)

    def do_HEAD(self) -> None:
        self._answer(send_body=False)

    def _answer(self, send_body: bool) -> None:
        if not _local(self.headers.get("Host")):
            self._send(403, b"roundup serve answers only 127.0.0.1 and localhost.\n",
                       "text/plain; charset=utf-8", send_body)  # fmt: skip
            return
        live = self.server.live
        if live is not None and urlsplit(self.path).path == EVENTS_PATH:
            if send_body:
                self._stream_events(live)
            else:
                self._send(200, b"", "text/event-stream", send_body)
            return
        # The state before the file: a page read during a rebuild then reloads once more,
        # rather than missing the rebuild that made it.
        state = live.state if live is not None else None
        site = self.server.site
        found = locate(os.path.realpath(site.root), site.base_path, self.path)
        if found.status == 301:
            self.send_response(301)
            self.send_header("Location", found.location)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        status, file = found.status, found.file
        if status == 404:
            missing = os.path.join(os.path.realpath(site.root), "404.html")
            file = missing if os.path.isfile(missing) and not os.path.islink(missing) else ""
        kind = content_type(file or "404.html")
        if not kind.startswith("text/html"):
            self._send_file(file, kind, send_body)
            return
        try:
            page = Path(file).read_bytes() if file else b""
        except FileNotFoundError:  # removed by a rebuild since it was found
            page, status = b"", 404
        except OSError as error:
            self._unreadable(file, error, send_body)
            return
        if not page:
            page = _NOT_FOUND if site.root.is_dir() else _NOTHING_BUILT
        if state is not None:
            page = inject(page, state)
        self._send(status, page, kind, send_body)

    def _send(self, status: int, body: bytes, kind: str, send_body: bool) -> None:
        self.send_response(status)
        self._headers(kind, len(body))
        if send_body:
            self.wfile.write(body)

    def _send_file(self, file: str, kind: str, send_body: bool) -> None:
        try:
            stream = open(file, "rb")  # noqa: SIM115 - closed below, after the headers
        except FileNotFoundError:
            self._send(404, _NOT_FOUND, "text/html; charset=utf-8", send_body)
            return
        except OSError as error:
            self._unreadable(file, error, send_body)
            return
        with stream:
            self.send_response(200)
            self._headers(kind, os.fstat(stream.fileno()).st_size)
            if send_body:
                shutil.copyfileobj(stream, self.wfile)

    def _unreadable(self, file: str, error: OSError, send_body: bool) -> None:
        """A file of the site that cannot be read (its permissions): an error for the browser,
        and a line for the curator, as the web server it is deployed to would fail on it."""
        reason = error.strerror or str(error)
        log.warning("%s: cannot read: %s", file, reason)
        body = f"roundup serve: cannot read {os.path.basename(file)}: {reason}\n".encode()
        self._send(500, body, "text/plain; charset=utf-8", send_body)

    def _headers(self, kind: str, length: int) -> None:
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(length))
        # Always fresh: the point of this server is to show the latest build.
        self.send_header("Cache-Control", "no-store")
        self.send_header("X-Content-Type-Options", "nosniff")
        self.end_headers()

    def _stream_events(self, live: LiveReload) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        seen = None
        try:
            self.wfile.write(b"retry: 1000\n\n")  # reconnect quickly after a restart
            while not live.closed:
                state = live.wait(seen, KEEPALIVE_SECONDS)
                if state is not None:
                    seen = state
                self.wfile.write(state.event() if state is not None else b": keep-alive\n\n")
        except OSError:  # the page was closed or reloaded
            pass

    def log_message(self, format: str, *args: object) -> None:
        log.info("%s %s", self.address_string(), format % args)


def bind(port: int, site: Site, live: LiveReload | None = None) -> SiteServer:
    """A server for `site` on 127.0.0.1:`port` (0: any free port); call `serve_forever()`.

    Raises OSError when the port cannot be had (`errno.EADDRINUSE` when it is taken).
    """
    return SiteServer(port, Site(site.root, normal_base_path(site.base_path)), live)


def make_server(output: Path, base_path: str, port: int = 8000) -> SiteServer:
    """A server for `output` at `http://127.0.0.1:port{base_path}`, without live reload."""
    return bind(port, Site(output, base_path))
