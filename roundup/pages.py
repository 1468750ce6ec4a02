"""Every HTML and text page of the site as a `Page`: a path, a template and its context."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from itertools import chain
from typing import Any

from roundup import paging
from roundup import site as S
from roundup.dates import format_date
from roundup.model import Image, Related
from roundup.paging import in_page_order, paginate
from roundup.search import bundle_paths
from roundup.site import Edition, Item, Site
from roundup.sources import SOURCES, Source
from roundup.text import cut
from roundup.weeks import EditionCalendar

TOP_STORIES_HOME = 5  # the front page spans several editions, so it can highlight more
TOP_STORIES_DAY = 3
TOP_STORIES_WEEK = 5
SOURCES_PER_PAGE = 250  # rows of the sources index: well under the weight of a heavy page
# A "Top stories" block lists at most one item in this many of those it picks from: on a day
# of 3 links, 2 top stories would only say the same page twice (and fill a phone's screen).
TOP_STORIES_SHARE = 2
# Links per page of an archive listing of titles (month pages): about 4 elements and 300
# bytes each (see tests/test_pages.py), so a page stays far below the light-page limits.
TITLES_PER_PAGE = 200


@dataclass(frozen=True, slots=True)
class Page:
    """One output file made from a template; `context` is all the template sees of the site."""

    path: str  # site path ("topics/ai/", "sitemap.xml")
    template: str
    context: dict[str, Any]
    title: str = ""
    description: str = ""  # for <meta name="description"> and Open Graph
    image: Image | None = None  # for Open Graph and Twitter cards
    section: str | None = None  # path of the main navigation entry it falls under, if any


def list_pages(site: Site) -> Iterator[Page]:
    """Every page but the items' own: those a build makes from `item_context` and `item_page`
    only when needed, since a page's title and summary are text the build may not have read."""
    yield from home_pages(site)
    yield from edition_pages(site)
    yield from archive_pages(site)
    yield from topic_pages(site)
    yield from source_pages(site)
    yield from extra_pages(site)


def home_pages(site: Site) -> Iterator[Page]:
    """The latest editions, newest first, `items_per_page` links and `editions_per_page`
    editions (or parts of one) at most a page: a big edition goes on over several pages."""
    config = site.config
    per_page = config.items_per_page
    laid_out = paging.runs_into_pages(
        site.editions, per_page, paging.grouped_part, config.editions_per_page, per_page // 2
    )
    for number, parts in enumerate(laid_out, 1):
        pager = paging.pager(number, len(laid_out), S.home_path)
        # Shown after the newest edition, so a phone's first screen has the newest links:
        # picked from the other editions, which it brings up from further down the page.
        earlier = tuple(chain.from_iterable(part.items for part in parts[1:]))
        yield Page(
            S.home_path(number),
            "home.html",
            {"parts": parts, "pager": pager, "top": top_stories(earlier, TOP_STORIES_HOME)},
            "" if number == 1 else f"Page {number}",
            section=S.home_path(),
        )


def top_stories(items: tuple[Item, ...], limit: int) -> tuple[Item, ...]:
    """The strongest of `items` (in the order the page lists them), only where that adds
    something: at most one in TOP_STORIES_SHARE of them, at least two, and not simply the
    first items of the list in the same order."""
    top = S.top_items(items, min(limit, len(items) // TOP_STORIES_SHARE))
    if len(top) < 2 or top == items[: len(top)]:
        return ()
    return top


def edition_pages(site: Site) -> Iterator[Page]:
    if site.calendar.weekly:
        yield from week_pages(site)
        return
    editions = site.editions
    per_page = site.config.items_per_page
    for index, edition in enumerate(editions):
        newer = editions[index - 1] if index > 0 else None
        older = editions[index + 1] if index + 1 < len(editions) else None
        count = len(edition.items)
        top = top_stories(in_page_order(edition), TOP_STORIES_DAY)
        parts = paging.edition_pages(edition, per_page)
        title = format_date(edition.day)
        for number, part in enumerate(parts, 1):
            yield Page(
                S.day_path(edition.day, number),
                "day.html",
                {
                    "edition": edition,
                    "part": part,
                    "pager": paging.pager(
                        number, len(parts), lambda n, d=edition.day: S.day_path(d, n)
                    ),
                    "top": top if number == 1 else (),
                    "newer": _stub(newer),
                    "older": _stub(older),
                },
                title if number == 1 else f"{title}, page {number}",
                f"{count} link{'s' * (count != 1)} from {title}.",
                first_image(edition.top[0]) if edition.top else None,
                section="archive/",
            )


def _stub(edition: Edition | None) -> tuple[str, Any] | None:
    """A neighbour edition as a link target only, so its items don't feed this page's key."""
    return (edition.path, edition.day) if edition else None


def week_pages(site: Site) -> Iterator[Page]:
    """A page per week (`editions = "week"`), in place of the days'."""
    editions = site.editions
    for index, edition in enumerate(editions):
        newer = editions[index - 1] if index > 0 else None
        older = editions[index + 1] if index + 1 < len(editions) else None
        count = len(edition.items)
        top = top_stories(in_page_order(edition), TOP_STORIES_WEEK)
        parts = paging.edition_pages(edition, site.config.items_per_page)
        for number, part in enumerate(parts, 1):
            yield Page(
                edition.path + S.page_suffix(number),
                "week.html",
                {
                    "edition": edition,
                    "part": part,
                    "pager": paging.pager(
                        number, len(parts), lambda n, p=edition.path: p + S.page_suffix(n)
                    ),
                    "top": top if number == 1 else (),
                    "newer": _titled_stub(newer),
                    "older": _titled_stub(older),
                },
                edition.title if number == 1 else f"{edition.title}, page {number}",
                f"{count} link{'s' * (count != 1)} from {edition.dates}.",
                first_image(edition.top[0]) if edition.top else None,
                section="archive/",
            )


def _titled_stub(edition: Edition | None) -> tuple[str, str, str] | None:
    """A neighbour edition as a link: its path, title and dates (not its items)."""
    return (edition.path, edition.title, edition.dates) if edition else None


def archive_pages(site: Site) -> Iterator[Page]:
    for month in site.months:
        title = format_date(month.start, "month")
        laid_out = paging.runs_into_pages(month.editions, TITLES_PER_PAGE, paging.listed_part)
        for number, parts in enumerate(laid_out, 1):
            pager = paging.pager(number, len(laid_out), lambda n, d=month.start: S.month_path(d, n))
            yield Page(
                S.month_path(month.start, number),
                "month.html",
                {"period": month, "parts": parts, "pager": pager},
                title if number == 1 else f"{title}, page {number}",
                f"Links from {title}.",
                section="archive/",
            )
    for year in site.years:
        months = tuple(m for m in site.months if m.key.startswith(year.key + "-"))
        yield Page(
            year.path,
            "year.html",
            {"period": year, "months": months},
            year.key,
            f"Links from {year.key}.",
            section="archive/",
        )
    yield Page(
        "archive/",
        "archive.html",
        {"years": _archive_tree(site), "links": len(site.items), "editions": len(site.editions)},
        "Archive",
        f"Every edition of {site.config.title}, by year and month.",
        section="archive/",
    )


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
    yield Page(
        "topics/",
        "topics.html",
        {"topics": tuple(site.topics)},
        "Topics",
        f"Every topic of {site.config.title}, with the number of links in each.",
        section="topics/",
    )
    for topic in site.topics:
        items = site.items_by_topic.get(topic.slug, [])
        per_page = site.config.items_per_page
        for number, window, pager in paginate(
            len(items), per_page, lambda n, t=topic: S.topic_path(t, n)
        ):
            yield Page(
                S.topic_path(topic, number),
                "topic.html",
                {"topic": topic, "days": S.by_day(items[window]), "pager": pager},
                topic.name if number == 1 else f"{topic.name}, page {number}",
                f"{topic.count} link{'s' * (topic.count != 1)} about {topic.name}.",
                section="topics/",
            )


def source_pages(site: Site) -> Iterator[Page]:
    """`/sources/`, the sources by number of links, and a page (or more) per source."""
    sources = tuple(site.sources)
    for number, window, pager in paginate(len(sources), SOURCES_PER_PAGE, _sources_path):
        yield Page(
            _sources_path(number),
            "sources.html",
            {"sources": sources[window], "total": len(sources), "pager": pager},
            "Sources" if number == 1 else f"Sources, page {number}",
            f"Every site {site.config.title} links to, with the number of links from each.",
            section=SOURCES,
        )
    per_page = site.config.items_per_page
    for source in sources:
        items = site.items_by_source[source.key]
        for number, window, pager in paginate(
            len(items), per_page, lambda n, s=source: _source_path(s, n)
        ):
            yield Page(
                _source_path(source, number),
                "source.html",
                {"source": source, "days": S.by_day(items[window]), "pager": pager},
                source.name if number == 1 else f"{source.name}, page {number}",
                f"{source.count} link{'s' * (source.count != 1)} from {source.domain}.",
                section=SOURCES,
            )


def _sources_path(page: int) -> str:
    return SOURCES + (f"page/{page}/" if page > 1 else "")


def _source_path(source: Source, page: int) -> str:
    return source.path + (f"page/{page}/" if page > 1 else "")


def item_pages(site: Site) -> Iterator[Page]:
    for item in site.items:
        if item.has_page:
            yield item_page(item, item_context(item, site.calendar))


_DAYS = EditionCalendar()


def item_context(item: Item, calendar: EditionCalendar = _DAYS) -> dict[str, Any]:
    """An item page's variables: the item, and the edition it is in (by its path and a name
    that follows from the item's own day, so that no other item's change is the page's)."""
    first = calendar.first_day(item.day)
    return {
        "item": item,
        "edition_path": calendar.path(first),
        "edition_name": calendar.default_title(first),
    }


def item_page(item: Item, context: dict[str, Any]) -> Page:
    a = item.article
    # Up to 300 characters whole; a longer one cut to 298 (as it always was: same bytes).
    summary = a.excerpt if len(a.excerpt) <= 300 else cut(a.excerpt, 298)
    return Page(item.path, "item.html", context, a.title, summary, first_image(item))


def extra_pages(site: Site) -> Iterator[Page]:
    yield Page(
        "feeds/",
        "feeds.html",
        {"topics": tuple(site.topics)},
        "Feeds",
        f"Follow {site.config.title} in a feed reader: Atom, RSS and JSON Feed, by topic too.",
        section="feeds/",
    )
    if site.config.search:
        yield Page(
            "search/",
            "search.html",
            {"topics": tuple(site.topics), "bundles": bundle_paths(site.items)},
            "Search",
            f"Search the links of {site.config.title}.",
            section="search/",
        )
    yield Page("404.html", "404.html", {}, "Page not found")
    yield Page("robots.txt", "robots.txt", {})
    yield Page("feeds.opml", "feeds.opml", {"topics": tuple(site.topics)})


def sitemap_entries(site: Site) -> Iterator[tuple[str, Any]]:
    """(path, last modified date or None) of every page worth indexing (see `sitemaps`)."""
    yield "", site.items[0].local_time.date() if site.items else None
    for edition in site.editions:
        yield edition.path, None
    for period in (*site.months, *site.years):
        yield period.path, None
    yield "archive/", None
    yield "topics/", None
    for topic in site.topics:
        yield S.topic_path(topic), None
    yield SOURCES, None
    for source in site.sources:
        yield source.path, None
    for item in site.items:
        if item.has_page:
            yield item.path, item.local_time.date()


# --- What templates show of an item (registered as filters by the renderer).


def plural(count: int, noun: str) -> str:
    """ "1 link", "2,565 links": the count with its noun (nouns here take a plain "s")."""
    return f"{count:,} {noun}{'' if count == 1 else 's'}"


def without(values: tuple[Any, ...], unwanted: Any) -> tuple[Any, ...]:
    """`values` less any equal to `unwanted`: an item's topics less the one its group names."""
    return tuple(v for v in values if v != unwanted) if unwanted in values else values


def first_image(item: Item) -> Image | None:
    """The first image worth showing: not a tracking pixel or icon (when its size is known)."""
    return item.first_image


def domain_of(record: Item | Related) -> str:
    return record.domain if isinstance(record, Item) else S.domain_of(record)


def provider_of(record: Item | Related) -> str:
    """Who published it: the provider's name, else its domain."""
    return record.provider_name if isinstance(record, Item) else S.provider_of(record)


@dataclass(frozen=True, slots=True)
class Coverage:
    """One provider's related links, for "Also covered by …"."""

    provider: str
    links: tuple[Related, ...]


def coverage(related: Iterable[Related], limit: int = 0) -> tuple[tuple[Coverage, ...], int]:
    """Related links grouped by provider in first-seen order, and how many `limit` left out.

    Grouping keeps "Also covered by GitHub, GitHub" from naming one provider twice.
    """
    links = [r for r in related if r.url]
    shown = links[:limit] if limit else links
    groups: dict[str, list[Related]] = {}
    for link in shown:
        groups.setdefault(provider_of(link), []).append(link)
    return tuple(Coverage(p, tuple(ls)) for p, ls in groups.items()), len(links) - len(shown)


# Serialised sanitiser output has quoted attribute values and escaped text, so this reads its
# tags exactly; a plain "<img" search could match inside an attribute value.
_TOKEN = re.compile(
    r'<(/?)([a-zA-Z][a-zA-Z0-9]*)((?:\s+[^\s"\'=<>/]+(?:="[^"]*")?)*)\s*/?>|[^<]+|<'
)
_HEADING = re.compile(r"h([1-6])")
# Every heading tag starts with one of these and every image tag with one of the last two; a
# comment with none of them (most comments) comes out unchanged, so it needs no tokenising.
_REWRITTEN_STARTS = ("<h", "<H", "</h", "</H", "<i", "<I")


def comment_html(html: str, level: int) -> str:
    """The sanitised comment with its headings below `level` and its images lazy.

    The curator writes "## Why" whatever the page; moved down, the page keeps one h1 and no
    skipped levels. Levels beyond h6 become bold paragraphs.
    """
    for start in _REWRITTEN_STARTS:
        if start in html:
            break
    else:
        return html
    tokens = list(_TOKEN.finditer(html))
    levels = sorted({int(m[2][1]) for m in tokens if m[2] and _HEADING.fullmatch(m[2].lower())})
    # Ranked rather than shifted, so "## A" then "#### B" nest without a skipped level too.
    new_level = {old: level + 1 + rank for rank, old in enumerate(levels)}
    out = []
    for m in tokens:
        closing, name, attributes = m[1], (m[2] or "").lower(), m[3] or ""
        if _HEADING.fullmatch(name):
            new = new_level[int(name[1])]
            if new <= 6:
                out.append(f"<{closing}h{new}{attributes}>")
            elif closing:
                out.append("</p>")
            else:
                out.append(f'<p class="comment-heading"{attributes}>')
        elif name == "img" and not closing:
            out.append(f'<img{attributes} loading="lazy" decoding="async">')
        else:
            out.append(m[0])
    return "".join(out)
