"""Every HTML and text page of the site as a `Page`: a path, a template and its context."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from roundup import site as S
from roundup.dates import format_date
from roundup.model import Image
from roundup.site import Edition, Item, Site, Topic


@dataclass(frozen=True, slots=True)
class Page:
    """One output file made from a template; `context` is all the template sees of the site."""

    path: str  # site path ("topics/ai/", "sitemap.xml")
    template: str
    context: dict[str, Any]
    title: str = ""
    description: str = ""  # for <meta name="description"> and Open Graph
    image: Image | None = None  # for Open Graph and Twitter cards


@dataclass(frozen=True, slots=True)
class Pager:
    """Where a paginated page stands: its number, the total, and the neighbours' paths."""

    number: int
    total: int
    previous: str | None  # path of the newer page
    next: str | None  # path of the older page
    first: str


def _paginate(total_items: int, per_page: int, path_of) -> list[tuple[int, slice, Pager]]:
    total = S.page_count(total_items, per_page)
    out = []
    for number in range(1, total + 1):
        pager = Pager(
            number,
            total,
            path_of(number - 1) if number > 1 else None,
            path_of(number + 1) if number < total else None,
            path_of(1),
        )
        out.append((number, slice((number - 1) * per_page, number * per_page), pager))
    return out


def all_pages(site: Site) -> Iterator[Page]:
    """The site's pages in a fixed order (the order only matters for logs and progress)."""
    yield from home_pages(site)
    yield from edition_pages(site)
    yield from archive_pages(site)
    yield from topic_pages(site)
    yield from item_pages(site)
    yield from extra_pages(site)


def home_pages(site: Site) -> Iterator[Page]:
    editions = site.editions
    for number, window, pager in _paginate(
        len(editions), site.config.editions_per_page, S.home_path
    ):
        yield Page(
            S.home_path(number),
            "home.html",
            {"editions": tuple(editions[window]), "pager": pager},
            "" if number == 1 else f"Page {number}",
        )


def edition_pages(site: Site) -> Iterator[Page]:
    editions = site.editions
    for index, edition in enumerate(editions):
        newer = editions[index - 1] if index > 0 else None
        older = editions[index + 1] if index + 1 < len(editions) else None
        count = len(edition.items)
        yield Page(
            edition.path,
            "day.html",
            {"edition": edition, "newer": _stub(newer), "older": _stub(older)},
            format_date(edition.day),
            f"{count} link{'s' * (count != 1)} from {format_date(edition.day)}.",
        )


def _stub(edition: Edition | None) -> tuple[str, Any] | None:
    """A neighbour edition as a link target only, so its items don't feed this page's key."""
    return (edition.path, edition.day) if edition else None


def archive_pages(site: Site) -> Iterator[Page]:
    for month in site.months:
        title = format_date(month.start, "month")
        yield Page(month.path, "month.html", {"period": month}, title, f"Links from {title}.")
    for year in site.years:
        months = tuple(m for m in site.months if m.key.startswith(year.key + "-"))
        yield Page(
            year.path,
            "year.html",
            {"period": year, "months": months},
            year.key,
            f"Links from {year.key}.",
        )
    yield Page("archive/", "archive.html", {"years": _archive_tree(site)}, "Archive")


def _archive_tree(site: Site) -> tuple[tuple[Any, tuple[Any, ...]], ...]:
    return tuple(
        (
            (year.key, year.path, year.count),
            tuple(
                (m.start, m.path, m.count, len(m.editions))
                for m in site.months
                if m.key.startswith(year.key + "-")
            ),
        )
        for year in site.years
    )


def topic_pages(site: Site) -> Iterator[Page]:
    yield Page("topics/", "topics.html", {"topics": tuple(site.topics)}, "Topics")
    for topic in site.topics:
        items = site.items_by_topic.get(topic.slug, [])
        per_page = site.config.items_per_page
        for number, window, pager in _paginate(
            len(items), per_page, lambda n, t=topic: S.topic_path(t, n)
        ):
            yield Page(
                S.topic_path(topic, number),
                "topic.html",
                {"topic": topic, "days": S.by_day(items[window]), "pager": pager},
                topic.name if number == 1 else f"{topic.name}, page {number}",
                f"{topic.count} link{'s' * (topic.count != 1)} about {topic.name}.",
            )


def item_pages(site: Site) -> Iterator[Page]:
    for item in site.items:
        a = item.article
        summary = a.excerpt if len(a.excerpt) <= 300 else a.excerpt[:297].rstrip() + "…"
        yield Page(item.path, "item.html", {"item": item}, a.title, summary, a.image)


def extra_pages(site: Site) -> Iterator[Page]:
    yield Page("feeds/", "feeds.html", {"topics": tuple(site.topics)}, "Feeds")
    yield Page("404.html", "404.html", {}, "Page not found")
    yield Page("robots.txt", "robots.txt", {})
    yield Page("feeds.opml", "feeds.opml", {"topics": tuple(site.topics)})
    yield Page("sitemap.xml", "sitemap.xml", {"entries": tuple(sitemap_entries(site))})


def sitemap_entries(site: Site) -> Iterator[tuple[str, Any]]:
    """(path, last modified date or None) of every page worth indexing."""
    yield "", site.items[0].local_time.date() if site.items else None
    for edition in site.editions:
        yield edition.path, None
    for period in (*site.months, *site.years):
        yield period.path, None
    yield "archive/", None
    yield "topics/", None
    for topic in site.topics:
        yield S.topic_path(topic), None
    for item in site.items:
        yield item.path, item.local_time.date()


def fingerprint(value: Any, memo: dict[int, Any]) -> Any:
    """A plain-data stand-in for a page context: equal fingerprints render equal pages.

    Articles count by their file's content hash, so a page is re-rendered exactly when
    something it shows changed. Items, topics and editions live as long as the `Site`, so
    their results are memoised by identity; short-lived values are never memoised.
    """
    if isinstance(value, Item | Topic | Edition):
        key = id(value)
        if key not in memo:
            memo[key] = _fingerprint_record(value, memo)
        return memo[key]
    if isinstance(value, list | tuple):
        return tuple(fingerprint(v, memo) for v in value)
    if isinstance(value, dict):
        return tuple((k, fingerprint(v, memo)) for k, v in sorted(value.items()))
    if hasattr(value, "__dataclass_fields__"):
        fields = value.__dataclass_fields__
        return (type(value).__name__, *(fingerprint(getattr(value, f), memo) for f in fields))
    return value if isinstance(value, str | int | float | bool | type(None)) else str(value)


def _fingerprint_record(value: Item | Topic | Edition, memo: dict[int, Any]) -> Any:
    if isinstance(value, Item):
        a = value.article
        topics = tuple((t.name, t.slug, t.count) for t in value.topics)
        return ("I", a.digest, a.slug, a.source, value.local_time.isoformat(), value.path, topics)
    if isinstance(value, Topic):
        return ("T", value.name, value.slug, value.count)
    return ("E", value.path, fingerprint(value.groups, memo))
