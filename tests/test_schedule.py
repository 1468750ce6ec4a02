"""Items dated in the future: held back from public builds until their day, through the CLI.

"Now" is an input: ROUNDUP_NOW sets it, so each test says what day the build runs on.
"""

from __future__ import annotations

from pathlib import Path

import feedparser
import pytest

from conftest import CLI, files_of, parse_html, write_article

BASE = "https://example.org/"


@pytest.fixture
def site(tmp_path: Path) -> Path:
    content = tmp_path / "content"
    write_article(content, "past.md", "title: Already out\npublishedDateTime: 2026-03-01T09:00:00Z"
                  "\noriginalUrl: https://example.com/past")  # fmt: skip
    write_article(content, "soon.md", "title: Out on Monday\npublishedDateTime: "
                  "2026-03-09T08:00:00+01:00\noriginalUrl: https://example.com/soon")  # fmt: skip
    return tmp_path


def build_on(cli: CLI, monkeypatch: pytest.MonkeyPatch, now: str, *flags: str):
    monkeypatch.setenv("ROUNDUP_NOW", now)
    return cli("build", "--base-url", BASE, *flags)


def feed_titles(output: Path) -> list[str]:
    return [entry.title for entry in feedparser.parse((output / "feed.xml").read_bytes()).entries]


def test_a_future_item_waits_for_its_day_with_a_warning(
    site: Path, cli: CLI, monkeypatch: pytest.MonkeyPatch
) -> None:
    ran = build_on(cli, monkeypatch, "2026-03-05T12:00:00Z")
    assert ran.code == 0
    assert ran.lines == [
        "warning: content/soon.md:3: publishedDateTime: 2026-03-09T08:00:00+01:00 is in the "
        "future; the item is left out of the public site until then (build with --future, or "
        "future = true, to publish it now)"
    ]
    assert "1 item shown, 0 unpublished skipped, 1 scheduled held back (the next on " \
        "2026-03-09 07:00 UTC)" in ran.out  # fmt: skip
    output = site / "output"
    assert feed_titles(output) == ["Already out"]
    assert not (output / "items" / "soon").exists()
    # Like a draft, nothing of it is kept anywhere in the output folder, state included.
    for path in sorted(output.rglob("*")):
        assert not path.is_file() or b"Out on Monday" not in path.read_bytes(), path
    assert build_on(cli, monkeypatch, "2026-03-05T12:00:00Z", "--strict").code == 1

    # The scheduled build on its day publishes it, though no file changed since.
    ran = build_on(cli, monkeypatch, "2026-03-09T07:00:00Z")
    assert ran.code == 0 and ran.err == ""
    assert feed_titles(output) == ["Out on Monday", "Already out"]


def test_future_flag_or_key_publishes_now_and_preview_marks_it(
    site: Path, cli: CLI, monkeypatch: pytest.MonkeyPatch
) -> None:
    ran = build_on(cli, monkeypatch, "2026-03-05T12:00:00Z", "--future")
    assert ran.code == 0 and ran.err == ""
    assert feed_titles(site / "output") == ["Out on Monday", "Already out"]

    (site / "roundup.toml").write_text("future = true\n")
    ran = build_on(cli, monkeypatch, "2026-03-05T12:00:00Z", "--output", "keyed")
    assert ran.code == 0 and ran.err == ""
    assert feed_titles(site / "keyed") == ["Out on Monday", "Already out"]

    (site / "roundup.toml").unlink()
    ran = build_on(cli, monkeypatch, "2026-03-05T12:00:00Z", "--preview", "--output", "pre")
    assert "1 scheduled included (preview)" in ran.out
    page = parse_html(site / "pre" / "items" / "soon" / "index.html")
    assert page.cssselect("article.is-unpublished .badge")


def test_a_year_typo_warns_even_when_future_items_are_published(
    site: Path, cli: CLI, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_article(site / "content", "typo.md", "title: Typo\npublishedDateTime: 2062-03-01"
                  "\noriginalUrl: https://example.com/typo")  # fmt: skip
    ran = build_on(cli, monkeypatch, "2026-03-10T00:00:00Z", "--future")
    assert ran.lines == [
        "warning: content/typo.md:3: publishedDateTime: 2062-03-01T00:00:00+00:00 is more than "
        "a year ahead; is the year right?"
    ]


def test_the_output_depends_on_now_only_through_what_is_held(
    site: Path, cli: CLI, monkeypatch: pytest.MonkeyPatch
) -> None:
    build_on(cli, monkeypatch, "2026-03-10T00:00:00Z", "--output", "one")
    build_on(cli, monkeypatch, "2031-01-01T00:00:00Z", "--output", "two")
    assert files_of(site / "one") == files_of(site / "two")


def test_a_bad_now_is_a_clear_error(site: Path, cli: CLI, monkeypatch: pytest.MonkeyPatch) -> None:
    ran = build_on(cli, monkeypatch, "next tuesday")
    assert ran.code == 1
    assert ran.lines[0] == (
        "ROUNDUP_NOW='next tuesday' is not an ISO 8601 date-time such as 2026-08-04T09:00Z"
    )


def test_a_build_at_an_earlier_time_holds_back_again_what_was_out(
    site: Path, cli: CLI, monkeypatch: pytest.MonkeyPatch
) -> None:
    # ROUNDUP_NOW reproduces a build: going back before the newest item (or a week's end,
    # weekly) changes the output, which the shortcut for "nothing changed" took as it was.
    (site / "roundup.toml").write_text('editions = "week"\n')
    build_on(cli, monkeypatch, "2026-03-05T12:00:00Z", "--output", "earlier")
    assert build_on(cli, monkeypatch, "2026-03-20T00:00:00Z").code == 0
    assert "Out on Monday" in feed_titles(site / "output")
    ran = build_on(cli, monkeypatch, "2026-03-05T12:00:00Z")
    assert ran.code == 0 and "1 scheduled held back" in ran.out
    assert files_of(site / "output") == files_of(site / "earlier")
    # Only the week's end moving back (the item out in both) changes editions.xml too.
    build_on(cli, monkeypatch, "2026-03-10T00:00:00Z", "--output", "week")
    build_on(cli, monkeypatch, "2026-03-20T00:00:00Z")
    build_on(cli, monkeypatch, "2026-03-10T00:00:00Z")
    assert files_of(site / "output") == files_of(site / "week")
