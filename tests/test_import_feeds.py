"""Feeds imported by URL from the local fixture server, and another roundup's own feeds."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import pytest

from roundup import __version__
from roundup.cli import main
from roundup.core.model import Article, Provider
from roundup.read.content import parse_file

from conftest import FIXTURE, write_article
from webserver import FixtureWeb, serve_fixtures

BERLIN = ZoneInfo("Europe/Berlin")


@pytest.fixture(scope="module")
def web() -> Iterator[FixtureWeb]:
    with serve_fixtures() as server:
        yield server


@pytest.fixture
def site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    site = tmp_path / "new-site"
    site.mkdir()
    (site / "pyproject.toml").write_text(
        '[tool.roundup]\ntitle = "Moved in"\ntimezone = "Europe/Berlin"\n', encoding="utf-8"
    )
    monkeypatch.chdir(site)
    return site


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, list[str], list[str]]:
    code = main(["import", *args])
    out, err = capsys.readouterr()
    return code, out.splitlines(), err.splitlines()


def articles(folder: Path) -> dict[str, Article]:
    found = {}
    for path in sorted(folder.rglob("*")):
        if path.suffix not in (".md", ".txt") or path.name.startswith((".", "#")):
            continue
        parsed = parse_file(path, path.name, BERLIN)
        assert parsed.errors == [], parsed.errors
        if parsed.article is not None:
            found[path.name] = parsed.article
    return found


def test_a_feed_by_url_is_fetched_with_roundups_user_agent(
    web: FixtureWeb, site: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = web.url("/import/starred.rss")
    code, out, err = run(capsys, url)
    assert code == 0
    assert out == [
        f"roundup: {url}: RSS/Atom feed, 5 entries",
        "roundup: imported 2, already present 0, skipped 2; 1 repeated in the import, merged",
    ]
    assert err[0] == f"{url}:entry 3: published: 'Someday, maybe' is not a date feedparser can read"
    [(method, _, agent)] = [r for r in web.requests if r[1] == "/import/starred.rss"]
    assert method == "GET" and agent.startswith(f"roundup/{__version__} ")
    assert sorted(articles(site / "content")) == [
        "2024-03-15-lessons-from-10-years-of-sqlite-and-postgres.md",
        "2024-03-16-starred-without-a-date.md",
    ]
    code, out, _ = run(capsys, url)
    assert out[-1] == "roundup: imported 0, already present 3, skipped 2; nothing new"


def test_relative_links_resolve_against_where_the_feed_was_found(
    web: FixtureWeb, site: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(capsys, web.url("/import/moved.atom"))  # 301 to /import/notes/feed.atom
    assert (code, err) == (0, [])
    assert out[-1] == "roundup: imported 2, already present 0, skipped 0"
    found = articles(site / "content")
    assert {a.url for a in found.values()} == {
        web.url("/notes/first"),
        web.url("/import/notes/second"),
    }
    second = found["2024-02-21-second-note.md"]
    assert second.topics == ("Notes",)
    assert second.provider == Provider("127.0.0.1", "127.0.0.1")


def test_a_feed_that_cannot_be_fetched_writes_nothing(
    web: FixtureWeb, site: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(capsys, web.url("/gone"))
    assert code == 1 and out == []
    assert err == [
        f"{web.url('/gone')}: 404 Not Found",
        "roundup: 1 source could not be read; nothing was written",
    ]
    code, _, err = run(capsys, web.url("/news/council-bridge"))  # a web page, not a feed
    assert code == 1
    assert err[0].startswith(f"{web.url('/news/council-bridge')}: not a format roundup can import")
    assert not (site / "content").exists()


@pytest.mark.parametrize("feed", ["rss.xml", "feed.json", "feed.xml"])
def test_another_roundups_feed_brings_its_links_back(
    tmp_path: Path, site: Path, capsys: pytest.CaptureFixture[str], feed: str
) -> None:
    """Import the fixture site's own feeds: each entry's link, title, date, topics, provider
    and comment come back as the curator wrote them, without the feed's furniture."""
    old = tmp_path / "old-site"
    shutil.copytree(FIXTURE, old)
    assert main(["build", "-q", "--config", str(old / "pyproject.toml")]) == 0
    originals = {a.url: a for a in articles(old / "content").values() if a.published}
    code, out, _ = run(capsys, str(old / "output" / feed))
    assert code == 0
    assert out[-1] == "roundup: imported 3, already present 0, skipped 0"  # feed_items = 3
    imported = {a.url: a for a in articles(site / "content").values()}
    assert len(imported) == 3
    for url, article in imported.items():
        original = originals[url]
        assert article.title == original.title
        assert article.published_at == original.published_at
        # Topics as the site names them: `feeds` and `Feeds` are one topic, spelt `Feeds`.
        assert [t.casefold() for t in article.topics] == [t.casefold() for t in original.topics]
        assert article.provider is not None
        # The provider's name, else (for a link without one) the host the feed names instead.
        expected = original.provider.name if original.provider else urlsplit(url).hostname
        assert article.provider.name == expected
        if feed == "feed.xml" and original.comment_html:
            # Atom entries carry no separate summary: the excerpt leads the comment.
            assert article.excerpt == ""
            excerpt = f"<p>{original.excerpt}</p>" if original.excerpt else ""
            assert article.comment_html == "\n".join(
                part for part in (excerpt, original.comment_html) if part
            )
        else:
            assert article.excerpt == original.excerpt
            assert article.comment_html == original.comment_html


@pytest.mark.parametrize("feed", ["rss.xml", "feed.json", "feed.xml"])
def test_a_short_comment_without_an_excerpt_comes_back_as_the_comment(
    tmp_path: Path, site: Path, capsys: pytest.CaptureFixture[str], feed: str
) -> None:
    # Without an excerpt, an entry's summary is the comment's opening as text: it came back
    # as the excerpt, the comment empty, its emphasis and links gone.
    old = tmp_path / "old-site"
    write_article(old / "content", "a.md",
                  "title: Short comment, no excerpt\npublishedDateTime: 2026-12-01T10:00:00Z\n"
                  "originalUrl: https://example.org/a", "I *really* like [this part]"
                  "(https://example.org/a#part) of it.\n")  # fmt: skip
    (old / "pyproject.toml").write_text('[tool.roundup]\ntitle = "Old"\n', encoding="utf-8")
    assert main(["build", "-q", "--config", str(old / "pyproject.toml")]) == 0
    [original] = articles(old / "content").values()
    assert run(capsys, str(old / "output" / feed))[0] == 0
    [article] = articles(site / "content").values()
    assert (article.excerpt, article.comment_html) == ("", original.comment_html)
