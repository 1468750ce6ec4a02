"""`roundup ping` against a WebSub hub on 127.0.0.1: which feeds it names, and when."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs

import pytest

from roundup.cli import main

TESTS = Path(__file__).resolve().parent
FIXTURE = TESTS / "fixtures" / "feeds"
BASE = "https://example.org/links/"
EVERY_FEED = sorted(
    BASE + name
    for name in (
        "feed.json", "feed.xml", "rss.xml", "topics/feeds/feed.xml", "topics/feeds/rss.xml",
        "topics/standards/feed.xml", "topics/standards/rss.xml",
        "sources/example.com/feed.xml", "sources/example.net/feed.xml",
        "sources/iana.org/feed.xml", "sources/jsonfeed.org/feed.xml",
        "sources/rfc-editor.org/feed.xml",
    )
)  # fmt: skip


class Hub:
    """A WebSub hub's publish endpoint, as a test sees it: what it was sent, and its answers."""

    def __init__(self) -> None:
        self.received: list[tuple[str, str, dict[str, list[str]]]] = []
        self.refuse: dict[str, tuple[int, str]] = {}  # feed URL -> status and body
        self.locations: dict[str, str] = {}  # feed URL -> the Location of its answer
        hub = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"])).decode()
                form = parse_qs(body)
                hub.received.append((self.path, self.headers["Content-Type"], form))
                status, text = hub.refuse.get(form.get("hub.url", [""])[0], (204, ""))
                self.send_response(status)
                location = hub.locations.get(form.get("hub.url", [""])[0])
                if location:
                    self.send_header("Location", location)
                self.send_header("Content-Length", str(len(text.encode())))
                self.end_headers()
                self.wfile.write(text.encode())

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/publish"

    def pinged(self) -> list[str]:
        """The feed URLs received since the last look, in order; each form checked."""
        urls = []
        for path, content_type, form in self.received:
            assert (path, content_type) == ("/publish", "application/x-www-form-urlencoded")
            assert form["hub.mode"] == ["publish"] and len(form["hub.url"]) == 1
            urls.append(form["hub.url"][0])
        self.received.clear()
        return urls


@pytest.fixture
def hub() -> Iterator[Hub]:
    hub = Hub()
    thread = threading.Thread(target=hub.server.serve_forever, daemon=True)
    thread.start()
    yield hub
    hub.server.shutdown()
    hub.server.server_close()


@pytest.fixture
def site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, hub: Hub) -> Path:
    """The feeds fixture with the local hub as its websub_hub, built, as the current folder."""
    folder = Path(shutil.copytree(FIXTURE, tmp_path / "site"))
    config = folder / "pyproject.toml"
    text = config.read_text("utf-8").replace("https://hub.example.org/", hub.url)
    config.write_text(text, "utf-8")
    monkeypatch.chdir(folder)
    assert main(["build", "-q"]) == 0
    return folder


def edit_title(site: Path, name: str, title: str) -> None:
    article = site / "content" / name
    lines = article.read_text("utf-8").splitlines(keepends=True)
    lines[1] = f'title: "{title}"\n'
    article.write_text("".join(lines), "utf-8")


def test_the_first_ping_names_every_feed_then_only_changed_ones(
    site: Path, hub: Hub, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["ping"]) == 0
    assert sorted(hub.pinged()) == EVERY_FEED
    assert (
        capsys.readouterr().out
        == f"roundup: {hub.url} accepted 12 of 12 feeds (0 unchanged since the last ping)\n"
    )
    record = json.loads((site / ".roundup-cache/websub.json").read_text("utf-8"))
    assert record["hub"] == hub.url and sorted(record["feeds"]) == EVERY_FEED

    assert main(["ping"]) == 0  # nothing built since: nothing to say
    assert hub.pinged() == []
    assert "no feed changed since the last ping" in capsys.readouterr().out

    # In the Feeds topic only, from jsonfeed.org
    edit_title(site, "b-json.md", "JSON Feed, version 1.1")
    assert main(["build", "-q"]) == 0
    assert main(["ping", "--dry-run"]) == 0
    listed = capsys.readouterr().out.splitlines()
    assert hub.pinged() == []  # a dry run sends nothing and records nothing
    changed = [url for url in EVERY_FEED if "standards" not in url and "sources/" not in url]
    changed = sorted([*changed, BASE + "sources/jsonfeed.org/feed.xml"])
    assert sorted(listed[:-1]) == changed
    assert main(["ping"]) == 0
    assert sorted(hub.pinged()) == changed
    assert main(["ping", "--all"]) == 0
    assert sorted(hub.pinged()) == EVERY_FEED


def test_a_refused_ping_is_reported_and_sent_again_next_time(
    site: Path, hub: Hub, capsys: pytest.CaptureFixture[str]
) -> None:
    hub.refuse[BASE + "rss.xml"] = (400, "hub.url\nis not allowed here\n")
    assert main(["ping"]) == 1
    assert len(hub.pinged()) == 12
    captured = capsys.readouterr()
    assert captured.err == (
        f"roundup: {BASE}rss.xml: the hub answered 400 Bad Request: hub.url is not allowed here\n"
    )
    assert "accepted 11 of 12 feeds" in captured.out
    hub.refuse.clear()
    assert main(["ping"]) == 0
    assert hub.pinged() == [BASE + "rss.xml"]


def test_an_unreachable_hub_is_one_line_and_changes_no_record(
    site: Path, hub: Hub, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["ping"]) == 0
    hub.pinged()
    edit_title(site, "a-atom.md", "Atom and RSS")
    assert main(["build", "-q"]) == 0
    record = (site / ".roundup-cache/websub.json").read_bytes()
    hub.server.shutdown()
    hub.server.server_close()  # the port now refuses connections
    capsys.readouterr()
    assert main(["ping"]) == 1
    lines = capsys.readouterr().err.splitlines()
    assert len(lines) == 2
    assert lines[0].startswith(f"roundup: {BASE}feed.xml: cannot reach the hub {hub.url}: ")
    assert lines[1] == "roundup: 7 feeds not pinged; run roundup ping again"
    assert (site / ".roundup-cache/websub.json").read_bytes() == record


def test_ping_needs_a_hub_a_build_and_the_hub_in_the_feeds(
    site: Path, hub: Hub, capsys: pytest.CaptureFixture[str]
) -> None:
    config = site / "pyproject.toml"
    text = config.read_text("utf-8")
    config.write_text(text.replace(hub.url, "https://other-hub.example.org/"), "utf-8")
    assert main(["ping"]) == 1
    assert capsys.readouterr().err == (
        f"roundup: output/feed.xml names the hub {hub.url}, not https://other-hub.example.org/: "
        "build the site again before pinging\n"
    )
    config.write_text(text.replace(f'websub_hub = "{hub.url}"\n', ""), "utf-8")
    assert main(["ping"]) == 1
    assert capsys.readouterr().err.splitlines()[0] == (
        "pyproject.toml: websub_hub: not set, so there is no hub to ping"
    )
    config.write_text(text, "utf-8")
    assert main(["ping", "--output", "elsewhere"]) == 1
    assert capsys.readouterr().err == (
        "roundup: elsewhere/feed.xml not found; build the site first\n"
    )
    assert hub.pinged() == []


@pytest.mark.parametrize("cache", ["output/st", "content"])
def test_the_ping_record_goes_nowhere_build_refuses_it(
    site: Path, hub: Hub, capsys: pytest.CaptureFixture[str], cache: str
) -> None:
    assert main(["ping", "--cache-dir", cache]) == 1
    assert "roundup: " in capsys.readouterr().err
    assert hub.pinged() == [] and not list(site.rglob("websub.json"))


def test_a_hub_redirect_is_told_with_its_absolute_target_and_the_right_advice(
    site: Path, hub: Hub, capsys: pytest.CaptureFixture[str]
) -> None:
    hub.refuse[BASE + "feed.xml"] = (307, "")
    hub.locations[BASE + "feed.xml"] = "/other"
    hub.refuse[BASE + "rss.xml"] = (308, "")
    hub.locations[BASE + "rss.xml"] = "https://hub.example/new"
    assert main(["ping"]) == 1
    err = capsys.readouterr().err
    other = hub.url.replace("/publish", "/other")
    assert (
        f"roundup: {BASE}feed.xml: the hub answered 307 Temporary Redirect (to {other}) and "
        "took no ping; try again later\n"
    ) in err
    assert (
        f"roundup: {BASE}rss.xml: the hub answered 308 Permanent Redirect (to "
        "https://hub.example/new); set websub_hub to the URL it moved to\n"
    ) in err


def test_a_build_never_imports_the_http_client(site: Path) -> None:
    script = (
        "import sys\nfrom roundup.cli import main\n"
        "assert main(['build', '-q']) == 0\nassert 'httpx' not in sys.modules\n"
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
