"""Checks between files: slugs claimed twice, file names that slugify alike, links curated twice."""

# Problem paths here are relative to the content folder; the loader prefixes them for display.

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

from roundup.core.model import Article
from roundup.read.collection import check_collection, url_key
from roundup.read.content import parse_bytes

EARLY, LATE = datetime(2026, 3, 1, tzinfo=UTC), datetime(2026, 4, 1, tzinfo=UTC)


def article(source: str, url: str = "", slug: str = "") -> Article:
    url = url or f"https://example.com/{source}"
    slug_line = f"slug: {slug}\n" if slug else ""
    text = f"---\ntitle: T\npublishedDateTime: 2020-09-21\noriginalUrl: {url}\n{slug_line}---\n"
    parsed = parse_bytes(text.encode(), source, UTC)
    assert parsed.article is not None, parsed.errors
    return parsed.article


def test_url_identity_ignores_host_case_and_utm_parameters() -> None:
    assert url_key("https://Example.COM/a?utm_source=x&id=1&UTM_medium=y") == url_key(
        "https://example.com/a?id=1"
    )
    assert url_key("https://example.com") == url_key("https://example.com/")
    assert url_key("https://example.com/A") != url_key("https://example.com/a")
    assert url_key("https://example.com/a?id=1") != url_key("https://example.com/a?id=2")


def test_a_slug_claimed_twice_is_an_error_naming_both_files() -> None:
    articles = [article("b.md", slug="same"), article("a.md", slug="same")]
    _, errors, _ = check_collection(articles, "content/")
    assert [str(e) for e in errors] == [
        "b.md:5: slug: 'same' is also the slug of content/a.md; give each file its own slug"
    ]


def test_file_names_that_slugify_alike_get_stable_distinct_slugs() -> None:
    articles = [article("sub/x.md"), article("x.md"), article("X.md"), article("x!.md")]
    result, errors, warnings = check_collection(articles, "content/")
    slugs = {a.source: a.slug for a in result}
    assert errors == [] and len(set(slugs.values())) == 4
    assert slugs["x.md"] == "x"  # its name is its slug
    assert all(slugs[s].startswith("x-") for s in ("sub/x.md", "X.md", "x!.md"))
    again, _, _ = check_collection(list(reversed(articles)), "content/")
    assert {a.source: a.slug for a in again} == slugs
    assert len(warnings) == 3


def test_a_written_slug_never_takes_another_files_page() -> None:
    result, errors, _ = check_collection([article("x.md"), article("a.md", slug="x")])
    assert {a.source: a.slug for a in result} == {"x.md": "x", "a.md": "x"}
    assert [str(e) for e in errors] == [
        "a.md:5: slug: x.md already has the slug 'x' from its file name; choose another"
    ]


def draft(source: str, slug: str = "") -> Article:
    return replace(article(source, slug=slug), published=False)


def test_an_unpublished_file_never_takes_the_url_of_a_published_one() -> None:
    # A draft content/news.md once moved the published content/b/news.md from items/news/ to
    # items/news-8c2970/ (a public URL broken, and the draft's existence told); a published
    # `slug: news` beside it failed the public build.
    result, errors, warnings = check_collection([article("b/news.md"), draft("news.md")])
    slugs = {a.source: a.slug for a in result}
    assert errors == [] and slugs["b/news.md"] == "news" and slugs["news.md"].startswith("news-")
    assert [str(w).split(":")[0] for w in warnings] == ["news.md"]
    result, errors, warnings = check_collection([article("pub.md", slug="news"), draft("news.md")])
    slugs = {a.source: a.slug for a in result}
    assert errors == [] and slugs["pub.md"] == "news" and slugs["news.md"].startswith("news-")
    assert [str(w) for w in warnings] == [
        f"news.md:2: slug: pub.md has the slug 'news'; this item is at {slugs['news.md']}"
    ]
    # Two claims written out: the published file keeps the slug, the draft is told.
    _, errors, _ = check_collection([article("b.md", slug="x"), draft("a.md", slug="x")])
    assert [str(e).split(":")[0] for e in errors] == ["a.md"]
    # A draft whose `slug:` takes a published file's name-derived slug: the draft is told.
    _, errors, _ = check_collection([article("x.md"), draft("a.md", slug="x")])
    assert [str(e).split(":")[0] for e in errors] == ["a.md"]


def test_the_file_whose_name_is_its_slug_keeps_it() -> None:
    result, _, warnings = check_collection([article("X.md"), article("x.md"), article("é/x.md")])
    assert {a.source: a.slug for a in result}["x.md"] == "x"
    assert sorted(w.path for w in warnings) == ["X.md", "é/x.md"]


def test_of_files_named_alike_the_link_published_first_keeps_the_url() -> None:
    # A file added to another folder with the name of one already online (a month's folder
    # and a shallower one) took its URL: the page online moved, and its old URL showed the
    # new link. A link added later is nearly always newer: the older one keeps the URL.
    online = replace(article("2026/03/emoji.md"), published_at=EARLY)
    added = replace(article("aaa/emoji.md"), published_at=LATE)
    result, errors, warnings = check_collection([added, online], "content/")
    assert errors == [] and {a.source: a.slug for a in result}["2026/03/emoji.md"] == "emoji"
    assert [w.path for w in warnings] == ["aaa/emoji.md"]  # paths as the loader gives them


def test_one_link_curated_twice_warns_once_and_keeps_both() -> None:
    articles = [
        article("a.md", "https://Example.com/story?utm_source=rss"),
        article("b.md", "https://example.com/story"),
    ]
    result, errors, warnings = check_collection(articles, "content/")
    assert len(result) == 2 and errors == []
    assert [str(w) for w in warnings] == [
        "b.md:4: originalUrl: the same link as content/a.md, in the same edition; both are kept"
    ]


def test_a_link_repeated_in_another_edition_is_not_a_warning() -> None:
    articles = [
        article("a.md", "https://example.com/story"),
        article("b.md", "https://example.com/story"),
    ]
    editions = {"a.md": "2026-03-04", "b.md": "2026-03-11"}
    _, _, warnings = check_collection(articles, "content/", edition_of=lambda a: editions[a.source])
    assert warnings == []
    editions["b.md"] = "2026-03-04"
    _, _, warnings = check_collection(articles, "content/", edition_of=lambda a: editions[a.source])
    assert [w.path for w in warnings] == ["b.md"]
