"""`roundup serve` end to end: a real process on 127.0.0.1, real HTTP, real saves."""

from __future__ import annotations

import json
import re
import signal
import socket
import time
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from serving import WAIT, Events, Serve

from checkers import axe_script, chromium, node, output_of, playwright_core, run
from conftest import ROOT, files_of

if TYPE_CHECKING:  # the pipeline is imported by the tests that build, not at collection
    from roundup.commands.serving import Session

GOOD_DATE = "publishedDateTime: 2024-03-01T09:00:00Z"
BROKEN_DATE = "publishedDateTime: 2024-02-30T09:00:00Z"
ERROR_LINE = (
    "content/a-first.md:4: publishedDateTime: '2024-02-30T09:00:00Z' is not a real date or "
    "time (day is out of range for month)"
)


@pytest.fixture
def serve(fixture_site: Path):
    """`roundup serve --port 0` in a copy of the fixture site, stopped after the test."""
    running = Serve(fixture_site, "--port", "0").ready()
    yield running
    running.stop()


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text("utf-8")
    assert old in text
    path.write_text(text.replace(old, new), "utf-8")


def title_of(serve: Serve, path: str) -> str:
    response = serve.get(path)
    assert response.status == 200
    return response.page().cssselect("h1.page-title")[0].text_content().strip()


def overlay_of(serve: Serve, path: str):
    found = serve.get(path).page().cssselect("#roundup-errors")
    return found[0] if found else None


def test_serves_the_site_under_its_base_path(serve: Serve) -> None:
    assert serve.url.endswith("/links/")
    assert serve.url.startswith("http://127.0.0.1:")
    home = serve.get("")
    assert home.status == 200
    assert home.headers["Content-Type"] == "text/html; charset=utf-8"
    assert home.page().cssselect("link[rel=canonical]")[0].get("href") == (
        "https://example.org/links/"
    )
    # Links keep the base path of the built site, and are served under it here.
    stylesheet = home.page().cssselect("link[rel=stylesheet]")[0].get("href")
    assert stylesheet.startswith("/links/assets/")
    assert serve.get(stylesheet).headers["Content-Type"] == "text/css; charset=utf-8"
    assert serve.get("/").status == 301
    assert serve.get("/").headers["Location"] == "/links/"
    assert serve.get("topics").headers["Location"] == "/links/topics/"
    missing = serve.get("no/such/page/")
    assert missing.status == 404
    assert "Page not found" in missing.page().text_content()


def test_a_save_rebuilds_and_reloads_open_pages(serve: Serve, fixture_site: Path) -> None:
    assert title_of(serve, "items/a-first/") == "First link: Atom"
    events = Events(serve)
    try:
        first = events.next()
        assert first["errors"] == []
        edit(fixture_site / "content/a-first.md", "First link: Atom", "First link: Atom, edited")
        reloaded = events.next(lambda state: state["version"] != first["version"])
        assert reloaded["errors"] == []
        assert title_of(serve, "items/a-first/") == "First link: Atom, edited"
        serve.wait_for_line(r"rebuilt after content/a-first\.md: \d+ of \d+ files written")
    finally:
        events.close()


def test_the_search_index_follows_a_save_after_the_page(serve: Serve, fixture_site: Path) -> None:
    from test_search import fragments

    out = fixture_site / "output"
    assert not any("Zanzibar" in r["content"] for r in fragments(out).values())
    edit(fixture_site / "content/a-first.md", "First link: Atom", "First link: Zanzibar")
    serve.wait_for_line(r"rebuilt after content/a-first\.md")
    deadline = time.monotonic() + 30
    while not any("Zanzibar" in r["content"] for r in fragments(out).values()):
        assert time.monotonic() < deadline, "the search index was not brought up to date"
        time.sleep(0.2)


def test_served_pages_carry_the_reload_script_and_built_files_do_not(
    serve: Serve, fixture_site: Path
) -> None:
    page = serve.get("items/a-first/").page()
    scripts = [s.text or "" for s in page.iter("script")]
    assert any("/_roundup/events" in s and "location.reload()" in s for s in scripts)
    # The script sits at the end of the body, where the page's own markup is complete.
    assert page.body[-1].tag == "script"
    assert serve.get("no/such/page/").page().body[-1].tag == "script"
    # Other files are sent as they are.
    feed = (fixture_site / "output/feed.xml").read_bytes()
    assert serve.get("feed.xml").body == feed
    edit(fixture_site / "content/b-second.md", "RSS", "RSS 2.0")
    serve.wait_for_line("rebuilt after")
    for file in (fixture_site / "output").rglob("*"):
        if file.is_file():
            data = file.read_bytes()
            assert b"_roundup/events" not in data and b"roundup-errors" not in data, file


def test_a_broken_save_keeps_the_last_good_site_and_shows_why(
    serve: Serve, fixture_site: Path
) -> None:
    article = fixture_site / "content/a-first.md"
    events = Events(serve)
    try:
        good = events.next()
        edit(article, "First link: Atom", "First link: Atom, edited")
        good = events.next(lambda state: state["version"] != good["version"])
        edit(article, GOOD_DATE, BROKEN_DATE)
        broken = events.next(lambda state: state["errors"] != [])
        assert broken == {
            "version": good["version"],
            "errors": [ERROR_LINE],
            "headline": "roundup: the last change did not build. This is still the last good "
            "build.",
        }
        # The terminal says it too, in the usual shape.
        serve.wait_for_line(f"^{ERROR_LINE}$".replace("(", r"\(").replace(")", r"\)"))
        serve.wait_for_line("1 error in 1 file; the last good build is still served")
        # The last good page is still served, with the errors over it.
        assert title_of(serve, "items/a-first/") == "First link: Atom, edited"
        overlay = overlay_of(serve, "items/a-first/")
        assert overlay is not None and overlay.get("role") == "alert"
        assert ERROR_LINE in overlay.cssselect("pre")[0].text_content()
        assert overlay_of(serve, "topics/") is not None  # on every page
        # Fixed: the errors go away without a reload if nothing else changed.
        edit(article, BROKEN_DATE, GOOD_DATE)
        fixed = events.next(lambda state: state["errors"] == [])
        assert fixed["version"] == good["version"]
        assert overlay_of(serve, "items/a-first/") is None
        serve.wait_for_line("the build works again")
    finally:
        events.close()


def test_the_error_overlay_escapes_what_content_says(serve: Serve, fixture_site: Path) -> None:
    hostile = "javascript:<img src=x onerror=alert(1)></pre><b>bold</b>"
    edit(
        fixture_site / "content/b-second.md",
        'webUrl: "https://www.rssboard.org/rss-specification"',
        f'webUrl: "{hostile}"',
    )
    serve.wait_for_line("the last good build is still served")
    overlay = overlay_of(serve, "")
    assert overlay is not None
    assert overlay.cssselect("img, b") == []
    assert hostile in overlay.cssselect("pre")[0].text_content()


def test_a_new_article_gets_its_page_and_a_deleted_one_loses_it(
    serve: Serve, fixture_site: Path
) -> None:
    assert serve.get("items/f-new/").status == 404
    text = (fixture_site / "content/a-first.md").read_text("utf-8")
    (fixture_site / "content/f-new.md").write_text(text.replace("Atom", "Fresh"), "utf-8")
    serve.wait_for_line(r"rebuilt after content/f-new\.md")
    assert title_of(serve, "items/f-new/") == "First link: Fresh"
    (fixture_site / "content/f-new.md").unlink()
    serve.wait_for_line(r"rebuilt after content/f-new\.md", after=len(serve.lines))
    assert serve.get("items/f-new/").status == 404


def test_serve_builds_for_the_time_roundup_now_gives(
    fixture_site: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # As `roundup build` does: serve read the clock, so it published into output/ what a
    # build for ROUNDUP_NOW holds back (and held back what that build publishes).
    text = (fixture_site / "content/a-first.md").read_text("utf-8")
    dated = re.sub(r"publishedDateTime: .*", "publishedDateTime: 2030-06-01T09:00:00Z", text)
    (fixture_site / "content/f-later.md").write_text(dated.replace("Atom", "Later"), "utf-8")
    monkeypatch.setenv("ROUNDUP_NOW", "2031-01-01T00:00:00Z")
    running = Serve(fixture_site, "--port", "0", "--no-watch").ready()
    try:
        assert title_of(running, "items/f-later/") == "First link: Later"
    finally:
        running.stop()


def test_a_burst_of_saves_is_one_rebuild(serve: Serve, fixture_site: Path) -> None:
    before = len(serve.lines)
    text = (fixture_site / "content/a-first.md").read_text("utf-8")
    for number in range(5):
        (fixture_site / f"content/burst-{number}.md").write_text(text, "utf-8")
    serve.wait_for_line(r"rebuilt after content/burst-0\.md, .* and 2 more:", after=before)
    time.sleep(0.5)
    assert sum("rebuilt after" in line for line in serve.lines[before:]) == 1, serve.output


def test_the_config_and_a_new_templates_folder_are_watched(
    serve: Serve, fixture_site: Path
) -> None:
    edit(fixture_site / "pyproject.toml", 'title = "Fixture Roundup"', 'title = "Renamed"')
    serve.wait_for_line(r"rebuilt after pyproject\.toml")
    assert serve.get("").page().findtext(".//title") == "Renamed"
    # A site that had no templates folder starts one: the theme file it adds is used.
    custom = fixture_site / "templates/static/custom.css"
    custom.parent.mkdir(parents=True)
    custom.write_text("body { color: #123456; }\n", "utf-8")
    deadline = time.monotonic() + WAIT
    while time.monotonic() < deadline:
        links = serve.get("").page().cssselect("link[rel=stylesheet]")
        if any("custom" in link.get("href") for link in links):
            break
        time.sleep(0.1)
    else:
        raise AssertionError(f"custom.css never linked:\n{serve.output}")


def test_ctrl_c_exits_at_once_with_status_0(fixture_site: Path) -> None:
    running = Serve(fixture_site, "--port", "0").ready()
    events = Events(running)  # an open event stream must not hold it up
    try:
        events.next()
        started = time.monotonic()
        assert running.stop(signal.SIGINT) == 0
        assert time.monotonic() - started < 2
        assert running.lines[-2:] == ["roundup: stopped", ""]
        assert "Traceback" not in running.output
    finally:
        events.close()


def test_sigterm_stops_it_as_ctrl_c_does(serve: Serve) -> None:
    # Once (1 run in about 25) it exited with 3, an internal error: say what it printed.
    assert serve.stop(signal.SIGTERM) == 0, serve.output[-5000:]
    assert serve.lines[-2:] == ["roundup: stopped", ""]


def test_a_taken_port_is_one_clear_line(fixture_site: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        running = Serve(fixture_site, "--port", str(port))
        assert running.process.wait(WAIT) == 1
    running.wait_for_line("^$")  # the end of its output
    assert running.lines[:-1] == [
        f"roundup: port {port} on 127.0.0.1 is in use (another roundup serve?); choose another "
        "with --port N, or leave out --port to take the next free one"
    ]


def test_the_first_build_failing_still_serves_and_recovers(fixture_site: Path) -> None:
    article = fixture_site / "content/a-first.md"
    edit(article, GOOD_DATE, BROKEN_DATE)
    running = Serve(fixture_site, "--port", "0").ready()
    try:
        home = running.get("")
        assert home.status == 404
        overlay = home.page().cssselect("#roundup-errors")
        assert ERROR_LINE in overlay[0].text_content()
        # No good build was ever made: none is said to be served, on the page or in the terminal.
        headline = overlay[0].cssselect("p")[0].text_content()
        assert headline == "roundup: the site did not build. Its pages appear once it does."
        running.wait_for_line("1 error in 1 file; the site is served once it builds")
        assert "last good build" not in running.output
        edit(article, BROKEN_DATE, GOOD_DATE)
        running.wait_for_line("the build works again")
        assert running.get("").status == 200
    finally:
        assert running.stop() == 0


def test_an_output_folder_it_may_not_use_is_one_line_and_exit_1(fixture_site: Path) -> None:
    (fixture_site / "output").mkdir()
    (fixture_site / "output" / "notes.txt").write_text("mine\n", "utf-8")
    running = Serve(fixture_site, "--port", "0")
    assert running.process.wait(WAIT) == 1
    running.wait_for_line("^$")
    assert len(running.lines) == 2 and running.lines[0].startswith("roundup: "), running.output
    assert "output" in running.lines[0]
    assert (fixture_site / "output" / "notes.txt").read_text("utf-8") == "mine\n"


def test_requests_for_other_hosts_are_refused(serve: Serve) -> None:
    assert serve.get("", {"Host": "evil.example"}).status == 403
    assert serve.get("", {"Host": "localhost:1"}).status == 200


def test_in_a_browser_pages_reload_keep_their_place_and_show_errors(
    serve: Serve, fixture_site: Path
) -> None:
    """Headless Chromium with the home page open, while the curator saves an article: edited,
    broken, fixed (tests/tools/live-reload.mjs does the saving and the looking)."""
    script, _, browser = axe_script(), playwright_core(), chromium()
    result = run(
        [
            node(),
            ROOT / "tests/tools/live-reload.mjs",
            script,
            serve.url,
            fixture_site / "content/a-first.md",
            "First link: Atom",
            "First link: Atom, edited",
            BROKEN_DATE,
            GOOD_DATE,
        ],
        env={"CHROMIUM": str(browser)},
        timeout=180,
    )
    assert result.returncode == 0, output_of(result)
    report = json.loads(result.stdout)
    for width in ("390", "1280"):
        seen = report[width]
        assert seen["reloaded"] and seen["showsNewText"], seen
        # Where the reader was (the browser may move a little to keep the same text in view).
        assert seen["scrollBefore"] == 200 and abs(seen["scrollAfter"] - 200) <= 40, seen
        assert seen["overlayRole"] == "alert"
        assert seen["overlayText"] == ERROR_LINE
        assert seen["stillShowsNewText"]  # the last good build under the overlay
        assert seen["axe"] == []  # contrast, names, roles: nothing for axe-core to report
        assert seen["overlayGone"] and seen["reloadsWhileBroken"] == 0, seen


def _session(site: Path, monkeypatch: pytest.MonkeyPatch) -> Session:
    """A serve session of `site` (without watching), as `roundup serve` makes it."""
    from roundup.cli import _parser
    from roundup.commands import common, serving
    from roundup.core import config as config_module

    monkeypatch.chdir(site)
    args = _parser()[0].parse_args(["serve", "--no-watch"])
    config = config_module.load(site / "pyproject.toml", {}, site)
    return serving.Session(args, common.for_preview(args, config), config.cache_dir)


def test_a_stop_whose_keyboard_interrupt_was_lost_still_ends_the_wait(
    fixture_site: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Ctrl-C while the idle time freed a build's objects: the KeyboardInterrupt came inside a
    # finalizer (ZipFile.__del__), which only prints it, and serve waited for saves for good.
    import queue
    import signal as signals

    session = _session(fixture_site, monkeypatch)
    changes: queue.Queue[set[str]] = queue.Queue()
    changes.put({"content/a.md"})
    assert session._next(changes) == {"content/a.md"}
    with pytest.raises(KeyboardInterrupt):
        session._stop(signals.SIGINT, None)
    started = time.monotonic()
    with pytest.raises(KeyboardInterrupt):
        session._next(changes)  # nothing comes: the stop asked for ends the wait
    assert time.monotonic() - started < 5


def test_a_stop_with_saves_not_built_yet_builds_them_or_says_to(
    fixture_site: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    # Ctrl-C twice right after a burst of saves (500 files copied) left output/ without them
    # and said only "stopped": the saves were still waiting for their rebuild.
    import queue
    import types

    from roundup.commands import serving

    session = _session(fixture_site, monkeypatch)
    session._build(set(), first=True)
    saved = fixture_site / "content" / "zz-saved-at-the-last-moment.md"
    saved.write_text(
        '---\ntitle: "Saved at the last moment"\npublishedDateTime: 2024-03-05T10:00:00Z\n'
        'originalUrl: "https://example.com/last-moment"\n---\n',
        encoding="utf-8",
    )
    changes: queue.Queue[set[str]] = queue.Queue()
    changes.put({str(saved)})
    session.watcher = types.SimpleNamespace(changes=changes)  # type: ignore[assignment]
    building = serving.build

    def stopped_again(*args: object, **kwargs: object) -> object:
        raise KeyboardInterrupt  # the second Ctrl-C

    monkeypatch.setattr(serving, "build", stopped_again)
    capsys.readouterr()
    session._finish()
    out, err = capsys.readouterr()
    assert out == "roundup: stopping once your last saves are built (Ctrl-C again: at once)\n"
    assert err == "roundup: output/ may be behind your last saves; build before deploying\n"
    monkeypatch.setattr(serving, "build", building)
    session._finish()  # one Ctrl-C: the saves are built before leaving
    output = session.config.output_dir
    assert (output / "items" / "zz-saved-at-the-last-moment" / "index.html").is_file()
    # Nothing in the queue (a burst the watcher still collects is in none): built silently.
    changes.get()
    saved.unlink()
    capsys.readouterr()
    session._finish()
    assert capsys.readouterr() == ("", "")
    assert not (output / "items" / "zz-saved-at-the-last-moment").exists()


def test_a_stop_between_a_saves_pages_and_its_index_finishes_the_index(
    fixture_site: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    # Ctrl-C while the index of a save's pages was being made left new pages beside the old
    # index, and output/ was neither the old site nor the new one.
    from roundup.commands import serving
    from roundup.core import config as config_module

    session = _session(fixture_site, monkeypatch)
    session._build(set(), first=True)  # pages, then their index
    assert session.index_behind is False
    article = fixture_site / "content" / "a-first.md"
    article.write_text(article.read_text("utf-8") + "\nA word no index had: zanzibarite.\n")
    building = serving.build

    def stopped_at_the_index(*args: object, **kwargs: object) -> object:
        if kwargs.get("search_index", True):
            raise KeyboardInterrupt  # Ctrl-C while Pagefind works
        return building(*args, **kwargs)

    monkeypatch.setattr(serving, "build", stopped_at_the_index)
    with pytest.raises(KeyboardInterrupt):
        session._build({str(article)})
    assert session.index_behind is True
    monkeypatch.setattr(serving, "build", building)
    session._finish()
    assert "stopping once the search index is up to date" in capsys.readouterr().out
    output = session.config.output_dir
    cold = tmp_path / "cold"
    cold_config = config_module.load(
        fixture_site / "pyproject.toml",
        {"output_dir": str(cold), "cache_dir": str(tmp_path / "cache"),
         "base_url": session.config.base_url},
        fixture_site,
    )  # fmt: skip
    from roundup.build.pipeline import build as cold_build

    cold_build(cold_config)
    assert files_of(output) == files_of(cold)
