"""Test helpers for `roundup serve`: run it as a user would, read its pages and its events."""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import queue
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlsplit

from lxml import html as lxml_html

# Seconds: generous for a busy machine (CI runs two suites at once); every wait ends once met.
WAIT = 60.0


def _interruptible() -> None:
    signal.signal(signal.SIGINT, signal.SIG_DFL)


class Serve:
    """`roundup serve ARGS` running in `site`, its output lines collected as they come."""

    def __init__(self, site: Path, *args: str) -> None:
        env = {**os.environ, "PYTHONUNBUFFERED": "1"}
        env.pop("ROUNDUP_JOBS", None)
        self.process = subprocess.Popen(
            # -X faulthandler: a serve that hangs is stopped with SIGABRT (see `stop`), which
            # then prints every thread's stack into its output.
            [sys.executable, "-X", "faulthandler", "-m", "roundup", "serve", *args],
            cwd=site,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            env=env,
            # Ctrl-C as from a terminal: a suite run in the background (as CI runs one of its
            # two) starts its children with SIGINT ignored, and Python then keeps it ignored.
            preexec_fn=_interruptible,
        )
        self.lines: list[str] = []
        self._new_line = threading.Condition()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()
        self.url = ""

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            with self._new_line:
                self.lines.append(line.rstrip("\n"))
                self._new_line.notify_all()
        with self._new_line:
            self.lines.append("")  # the end: whoever waits, stops waiting
            self._new_line.notify_all()

    def wait_for_line(self, pattern: str, after: int = 0) -> re.Match[str]:
        """The first output line (from line `after` on) that matches `pattern`."""
        deadline = time.monotonic() + WAIT
        with self._new_line:
            while True:
                for line in self.lines[after:]:
                    found = re.search(pattern, line)
                    if found:
                        return found
                if self.process.poll() is not None and self.lines[-1:] == [""]:
                    raise AssertionError(f"serve ended without {pattern!r}:\n{self.output}")
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(f"no line matching {pattern!r}:\n{self.output}")
                self._new_line.wait(left)

    def ready(self) -> Serve:
        """Wait until it serves; remember its URL. Stopped if it never does: no test leaves
        a server running."""
        try:
            self.url = self.wait_for_line(r"serving \S+ at (http://\S+)").group(1)
            self.wait_for_line(r"watching|not watching")
        except BaseException:
            self.stop()
            raise
        return self

    @property
    def output(self) -> str:
        return "\n".join(self.lines)

    def get(self, path: str, headers: dict[str, str] | None = None) -> Response:
        """GET `path` (relative to the base path unless it starts with "/") over real HTTP."""
        parts = urlsplit(self.url)
        target = path if path.startswith("/") else parts.path + path
        connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=WAIT)
        try:
            connection.request("GET", target, headers=headers or {})
            answer = connection.getresponse()
            return Response(answer.status, dict(answer.getheaders()), answer.read())
        finally:
            connection.close()

    def stop(self, sig: int = signal.SIGINT) -> int:
        """Send `sig` and return the exit status. A serve still running after the wait has
        hung: it is aborted, and the error shows where each of its threads was."""
        if self.process.poll() is None:
            self.process.send_signal(sig)
        try:
            status = self.process.wait(WAIT)
            # The process may end before the reader thread has taken in its last lines: a
            # test that looks at them right after would race it (it once failed on CI so).
            self._reader.join(WAIT)
            return status
        except subprocess.TimeoutExpired:
            self.process.send_signal(signal.SIGABRT)  # faulthandler prints the stacks
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.process.wait(10)
            time.sleep(0.5)  # the reader thread takes in the last lines
            raise AssertionError(
                f"serve did not stop within {WAIT:.0f} s of signal {sig}; its output, with "
                f"the stacks of its threads:\n{self.output[-20_000:]}"
            ) from None
        finally:
            if self.process.poll() is None:
                self.process.kill()
                self.process.wait()


class Response:
    def __init__(self, status: int, headers: dict[str, str], body: bytes) -> None:
        self.status, self.headers, self.body = status, headers, body

    def page(self) -> lxml_html.HtmlElement:
        return lxml_html.fromstring(self.body)


class Events:
    """The server-sent events of a serve, read in a thread, as (event, data) pairs."""

    def __init__(self, serve: Serve) -> None:
        parts = urlsplit(serve.url)
        self.connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)
        self.connection.request("GET", "/_roundup/events")
        self.response = self.connection.getresponse()
        assert self.response.status == 200
        assert self.response.getheader("Content-Type") == "text/event-stream"
        self.received: queue.Queue[tuple[str, dict]] = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        name, data = "message", ""
        try:
            for raw in self.response:
                line = raw.decode().rstrip("\n")
                if line.startswith("event:"):
                    name = line[6:].strip()
                elif line.startswith("data:"):
                    data += line[5:].strip()
                elif not line and data:
                    self.received.put((name, json.loads(data)))
                    name, data = "message", ""
        except (OSError, ValueError):
            pass

    def next(self, until: Callable[[dict], bool] = lambda _: True) -> dict:
        """The data of the next `state` event for which `until` holds."""
        deadline = time.monotonic() + WAIT
        while True:
            left = deadline - time.monotonic()
            try:
                name, data = self.received.get(timeout=max(left, 0.01))
            except queue.Empty:
                raise AssertionError("no such event came") from None
            if name == "state" and until(data):
                return data

    def close(self) -> None:
        self.connection.close()


def free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]
