"""A local web server for the built site, under the same base path as in production."""

from __future__ import annotations

import functools
import http.server
import logging
from pathlib import Path
from urllib.parse import unquote, urlsplit

log = logging.getLogger(__name__)


class _Handler(http.server.SimpleHTTPRequestHandler):
    """Serves `directory` at `base_path`, with the site's 404.html for anything missing."""

    def __init__(self, *args, base_path: str, **kwargs) -> None:
        self.base_path = base_path
        super().__init__(*args, **kwargs)

    def send_head(self):  # type: ignore[override]
        path = urlsplit(self.path).path
        if path == self.base_path.rstrip("/"):
            self.send_response(301)
            self.send_header("Location", self.base_path)
            self.end_headers()
            return None
        if not path.startswith(self.base_path):
            return self._not_found()
        self.path = "/" + path[len(self.base_path) :]
        local = Path(self.translate_path(self.path))
        if not local.exists() or (local.is_dir() and not (local / "index.html").exists()):
            return self._not_found()
        return super().send_head()

    def _not_found(self):
        page = Path(self.directory) / "404.html"
        body = page.read_bytes() if page.is_file() else b"Not found\n"
        self.send_response(404)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)
        return None

    def log_message(self, format: str, *args) -> None:
        log.info("%s %s", self.address_string(), format % args)


def make_server(
    output: Path, base_path: str, host: str = "127.0.0.1", port: int = 8000
) -> http.server.ThreadingHTTPServer:
    """A server for `output` at `http://host:port{base_path}`; call `serve_forever()` on it."""
    base_path = "/" + unquote(base_path).strip("/") + "/" if base_path.strip("/") else "/"
    handler = functools.partial(_Handler, directory=str(output), base_path=base_path)
    return http.server.ThreadingHTTPServer((host, port), handler)
