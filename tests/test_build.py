"""End-to-end builds: every page type, preview versus public, determinism, base paths."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import feedparser

from conftest import SHOWCASE, Builder, build_folder, files_of, parse_html

SEED_TITLE = "LAPD Relies on Facial Recognition Software in 30,000 Cases, Despite Denials"
DRAFT_TITLE = "Secret draft about YAML"


def test_fixture_site_has_every_page_type(build_fixture: Builder) -> None:
    out, result = build_fixture()
    expected = [
        "index.html", "page/2/index.html", "2024/03/01/index.html", "2024/03/index.html",
        "2024/index.html", "archive/index.html", "topics/index.html",
        "topics/feeds/index.html", "topics/feeds/page/2/index.html", "items/a-first/index.html",
        "404.html", "sitemap.xml", "robots.txt", "feed.xml", "rss.xml", "feed.json",
        "topics/feeds/feed.xml", "topics/feeds/rss.xml", "feeds/index.html", "feeds.opml",
        ".nojekyll",
    ]  # fmt: skip
    for path in expected:
        assert (out / path).is_file(), path
    assert (result.shown, result.hidden) == (4, 1)


def test_days_are_cut_in_the_site_time_zone(build_fixture: Builder) -> None:
    out, _ = build_fixture()
    # 2024-03-01T23:30Z is 00:30 on 2 March in Berlin; 2023-12-31T23:59-05:00 is 1 January.
    day = parse_html(out / "2024/03/02/index.html")
    assert "Second link: RSS" in day.text_content()
    assert "Fourth link without topics" in parse_html(out / "2024/01/01/index.html").text_content()
    assert not (out / "2023").exists()


def test_topics_merge_case_insensitively_with_counts(build_fixture: Builder) -> None:
    out, _ = build_fixture()
    index = parse_html(out / "topics/index.html")
    links = {a.text_content(): a.get("href") for a in index.cssselect("main li a")}
    assert links["Feeds"] == "/links/topics/feeds/"
    assert "feeds" not in links  # "feeds" on one item merges into the more common "Feeds"
    assert "YAML" not in links  # only an unpublished item has it
    counts = [li.text_content() for li in index.cssselect("main li")]
    assert any(text.startswith("Feeds") and "3 links" in text for text in counts)


def test_topic_pages_are_paginated_newest_first(build_fixture: Builder) -> None:
    out, _ = build_fixture()
    first = parse_html(out / "topics/feeds/index.html")
    second = parse_html(out / "topics/feeds/page/2/index.html")
    titles = [a.text_content() for a in first.cssselect("article .entry-title a")]
    assert titles == ["Second link: RSS", "First link: Atom"]
    assert [a.text_content() for a in second.cssselect("article .entry-title a")] == [
        "Third link: JSON Feed"
    ]
    assert first.cssselect('a[rel="next"]')[0].get("href") == "/links/topics/feeds/page/2/"


def test_item_page_shows_everything(build_fixture: Builder) -> None:
    out, _ = build_fixture()
    page = parse_html(out / "items/b-second/index.html")
    h1 = page.cssselect("h1")
    assert len(h1) == 1 and h1[0].text_content().strip() == "Second link: RSS"
    assert h1[0].cssselect("a")[0].get("href") == "https://www.rssboard.org/rss-specification"
    text = page.text_content()
    assert "RSS Board" in text and "rssboard.org" in text and "RSS 2.0 specification." in text
    img = page.cssselect("main img")[0]
    # The lead picture, the largest element: not lazy.
    assert (img.get("width"), img.get("height"), img.get("loading")) == ("100", "50", None)
    related = page.cssselect(".related-coverage a")[0]
    assert related.get("href") == "https://www.rssboard.org/rss-profile"
    time = page.cssselect("main time")[0]
    assert time.get("datetime") == "2024-03-02T00:30:00+01:00"


def test_comment_is_rendered_markdown(build_fixture: Builder) -> None:
    out, _ = build_fixture()
    comment = parse_html(out / "items/a-first/index.html").cssselect(".comment")[0]
    assert comment.cssselect("em")[0].text == "fine"
    assert comment.cssselect("a")[0].get("href") == "https://example.com/"


def test_unknown_fields_are_carried_but_never_rendered(build_fixture: Builder) -> None:
    out, _ = build_fixture()
    assert all(b"do-not-render-me" not in data for data in files_of(out).values())


def test_public_build_leaves_unpublished_out_everywhere(build_fixture: Builder) -> None:
    out, _ = build_fixture()
    for path, data in files_of(out).items():
        assert DRAFT_TITLE.encode() not in data, path
        assert b"d-draft" not in data, path
    assert not (out / "topics/yaml").exists()
    assert b"noindex" not in (out / "index.html").read_bytes()


def test_preview_build_marks_unpublished_items(build_fixture: Builder) -> None:
    out, result = build_fixture(preview=True)
    assert result.shown == 5
    item = parse_html(out / "items/d-draft/index.html")
    assert item.cssselect(".preview-banner")
    assert "Unpublished" in item.cssselect(".badge")[0].text_content()
    for path in files_of(out):
        if path.endswith(".html"):
            page = parse_html(out / path)
            assert page.cssselect('meta[name="robots"]')[0].get("content").startswith("noindex")
    entries = feedparser.parse((out / "feed.xml").read_bytes()).entries
    assert any(e.title == "[Unpublished] " + DRAFT_TITLE for e in entries)
    assert (out / "topics/yaml/index.html").is_file()


def test_two_builds_are_byte_identical(build_fixture: Builder, tmp_path: Path) -> None:
    first, _ = build_fixture(output="one")
    second, _ = build_fixture(output="two")
    assert files_of(first) == files_of(second)


def test_every_internal_link_honours_the_base_path(build_fixture: Builder) -> None:
    out, _ = build_fixture()
    for path in files_of(out):
        if not path.endswith(".html"):
            continue
        for _element, attribute, link, _ in parse_html(out / path).iterlinks():
            if link.startswith(("https://example.org/", "/")) and attribute in ("href", "src"):
                local = link.removeprefix("https://example.org")
                assert local.startswith("/links/"), (path, link)


def test_feeds_are_valid_and_use_item_dates(build_fixture: Builder) -> None:
    out, _ = build_fixture()
    atom = feedparser.parse((out / "feed.xml").read_bytes())
    rss = feedparser.parse((out / "rss.xml").read_bytes())
    assert not atom.bozo and not rss.bozo
    assert [e.title for e in atom.entries] == [
        "Second link: RSS", "First link: Atom", "Third link: JSON Feed"
    ]  # fmt: skip
    assert atom.feed.updated_parsed[:6] == (2024, 3, 1, 23, 30, 0)
    # The id comes from the link (a hash of https://www.rssboard.org/rss-specification).
    assert atom.entries[0].id == "tag:fixture-roundup,2005:link/d20e9b5f387af8f9cc04d061ccf30411"
    assert rss.feed.link == "https://example.org/links/"


def test_seed_article_only_in_preview(tmp_path: Path) -> None:
    """The issue's acceptance check, on the example site."""
    public, _ = build_folder(SHOWCASE, tmp_path / "public", base_url="https://example.org/")
    for path, data in files_of(public).items():
        assert SEED_TITLE.encode() not in data, path
    preview, _ = build_folder(SHOWCASE, tmp_path / "preview", True, base_url="https://example.org/")
    seed = preview / "items/000-8ccf7ab2b6d15010/index.html"
    assert SEED_TITLE in parse_html(seed).cssselect("h1")[0].text_content()
    assert parse_html(seed).cssselect(".badge")
    pages = ("topics/computer-vision/index.html", "topics/ai/index.html", "2020/09/21/index.html")
    for page in pages:
        assert SEED_TITLE in parse_html(preview / page).text_content(), page


def test_cli_prints_a_summary_and_rebuild_writes_nothing(fixture_site: Path) -> None:
    env = {**os.environ, "CI": "1"}
    command = [sys.executable, "-m", "roundup", "build"]
    first = subprocess.run(command, cwd=fixture_site, capture_output=True, text=True, env=env)
    assert first.returncode == 0, first.stderr
    assert "4 items shown, 1 unpublished skipped" in first.stdout
    mtimes = {p: p.stat().st_mtime_ns for p in (fixture_site / "output").rglob("*.html")}
    second = subprocess.run(command, cwd=fixture_site, capture_output=True, text=True, env=env)
    assert " 0 of " in second.stdout, second.stdout
    assert mtimes == {p: p.stat().st_mtime_ns for p in (fixture_site / "output").rglob("*.html")}


def test_no_byte_of_a_draft_is_anywhere_in_a_public_output(
    build_fixture: Builder, fixture_site: Path
) -> None:
    out, _ = build_fixture(preview=True)  # a preview build first, into the same folder
    out, _ = build_fixture()
    everything = [p for p in out.rglob("*") if p.is_file()]  # hidden files included
    assert any(p.name == ".nojekyll" for p in everything)
    for path in everything:
        data = path.read_bytes()
        assert DRAFT_TITLE.encode() not in data and b"yaml.org/spec" not in data, path
    # roundup's own state is in the cache folder beside the config, never in the output;
    # marked for backup tools and for git (whatever the site's .gitignore says: it holds the
    # drafts' text).
    cache = fixture_site / ".roundup-cache"
    assert (cache / "CACHEDIR.TAG").is_file()
    ignored = (cache / ".gitignore").read_text("ascii").splitlines()
    assert [line for line in ignored if not line.startswith("#")] == ["*"]
    assert not [p for p in out.rglob(".*") if p.name != ".nojekyll"]


def test_progress_is_told_of_reading_and_rendering(fixture_site: Path, tmp_path: Path) -> None:
    from roundup.build.pipeline import build
    from roundup.core import config as config_module

    heard: list[tuple[str, str, int, int]] = []
    settings = {"output_dir": str(tmp_path / "out")}
    config = config_module.load(fixture_site / "pyproject.toml", settings, fixture_site)
    result = build(config, progress=lambda *report: heard.append(report))
    files = len(list((fixture_site / "content").rglob("*.md")))
    assert ("reading", "files", 0, files) in heard
    assert ("rendering", "pages", 0, result.pages + result.feeds) in heard
    assert all(0 <= done < total for _, _, done, total in heard)


def test_the_summary_line_counts_in_words_a_reader_would_write() -> None:
    from roundup.build.result import BuildResult
    from roundup.commands.build import summary

    one = BuildResult(shown=1, pages=1, feeds=1, files=1, written=1, timings={"all": 0.25})
    assert summary(one, "out", preview=False) == (
        "roundup: 1 item shown, 0 unpublished skipped; 1 page, 1 feed; "
        "1 of 1 file written to out/ in 0.25 s"
    )
    big = BuildResult(shown=25614, hidden=4386, pages=30297, feeds=103, files=30403)
    assert summary(big, "output", preview=True) == (
        "roundup: 25,614 items shown, 4,386 unpublished included (preview); 30,297 pages, "
        "103 feeds; 0 of 30,403 files written to output/ in 0.00 s"
    )
