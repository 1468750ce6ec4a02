"""Every HTML and text page of the site as a `Page`: a path, a template and its context."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from functools import lru_cache, partial
from itertools import chain
from typing import Any

from roundup.core.dates import format_date
from roundup.core.model import Image
from roundup.core.text import cut
from roundup.core.weeks import EditionCalendar
from roundup.site import paging
from roundup.site import structure as S
from roundup.site.filters import first_image
from roundup.site.paging import in_page_order, paginate
from roundup.site.searchshards import bundle_paths
from roundup.site.sources import SOURCES, Source
from roundup.site.structure import Edition, Item, Site

TOP_STORIES_HOME = 5  # the front page spans several editions, so it can highlight more
TOP_STORIES_DAY = 3
TOP_STORIES_WEEK = 5
SOURCES_PER_PAGE = 250  # rows of the sources index: well under the weight of a heavy page
# Topic indexes: 3 elements a row (/topics/), 10 (a row of feeds, /feeds/). A site of 2,000
# one-link topics made each of them several times heavier than the light-page limits.
TOPICS_PER_PAGE = 300
FEED_TOPICS_PER_PAGE = 100
SEARCH_TOPICS = 100  # topics the search page offers without JavaScript: the most linked
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


def newest_day_first(page: Page) -> tuple[int, ...]:
    """A sort key: listings in the order of the newest day they show, newest first.

    A big site's article texts are decoded as pages need them, and only the last few
    thousand kept (see `stored.compact`): the pages of one time, whatever their topic or
    source, list many of the same articles. In the order pages are planned (every page of a
    topic, then the next topic) each topic began again from the newest articles, and
    decoding took a quarter of a 100,000-article build.
    """
    context = page.context
    if "days" in context:  # a topic's or source's page
        day = context["days"][0][0] if context["days"] else None
    elif "part" in context:  # an edition's page
        day = context["part"].day
    elif "parts" in context:  # the home page and month pages
        day = context["parts"][0].day if context["parts"] else None
    else:  # lists no links, or all of their topics or sources: last
        return (1,)
    # The home page shows the newest day, so it comes first: a template's mistake is then
    # reported while rendering /, the page a curator looks at.
    return (0, -day.toordinal()) if day is not None else (1,)


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
    # The same items, not equal ones: comparing items compares their articles field by
    # field, which decoded the text of most articles of the site on every build.
    if len(top) < 2 or all(a is b for a, b in zip(top, items, strict=False)):
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
        image = _lead_image(edition)
        parts = paging.edition_pages(edition, per_page)
        title = format_date(edition.day)
        for number, part in enumerate(parts, 1):
            yield Page(
                S.day_path(edition.day, number),
                "day.html",
                {
                    "edition": edition,
                    "part": part,
                    "pager": paging.pager(number, len(parts), partial(S.day_path, edition.day)),
                    "top": top if number == 1 else (),
                    "newer": _stub(newer),
                    "older": _stub(older),
                },
                title if number == 1 else f"{title}, page {number}",
                f"{count} link{'s' * (count != 1)} from {title}.",
                image,
                section="archive/",
            )


def _lead_image(edition: Edition) -> Image | None:
    """The image of an edition's pages (Open Graph): its strongest item's, worked out once
    for all its pages (`top` ranks every item of the edition)."""
    lead = edition.top
    return first_image(lead[0]) if lead else None


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
        image = _lead_image(edition)
        parts = paging.edition_pages(edition, site.config.items_per_page)
        for number, part in enumerate(parts, 1):
            yield Page(
                edition.path + S.page_suffix(number),
                "week.html",
                {
                    "edition": edition,
                    "part": part,
                    "pager": paging.pager(number, len(parts), partial(_part_path, edition.path)),
                    "top": top if number == 1 else (),
                    "newer": _titled_stub(newer),
                    "older": _titled_stub(older),
                },
                edition.title if number == 1 else f"{edition.title}, page {number}",
                f"{count} link{'s' * (count != 1)} from {edition.dates}.",
                image,
                section="archive/",
            )


def _part_path(path: str, page: int) -> str:
    return path + S.page_suffix(page)


def _titled_stub(edition: Edition | None) -> tuple[str, str, str] | None:
    """A neighbour edition as a link: its path, title and dates (not its items)."""
    return (edition.path, edition.title, edition.dates) if edition else None


def archive_pages(site: Site) -> Iterator[Page]:
    for month in site.months:
        title = format_date(month.start, "month")
        laid_out = paging.runs_into_pages(month.editions, TITLES_PER_PAGE, paging.listed_part)
        for number, parts in enumerate(laid_out, 1):
            pager = paging.pager(number, len(laid_out), partial(S.month_path, month.start))
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
    yield from _index_pages(
        tuple(site.topics), TOPICS_PER_PAGE, "topics/", "topics.html", "topics", "Topics",
        f"Every topic of {site.config.title}, with the number of links in each.",
    )  # fmt: skip
    for topic in site.topics:
        items = site.items_by_topic.get(topic.slug, [])
        per_page = site.config.items_per_page
        for number, window, pager in paginate(len(items), per_page, partial(S.topic_path, topic)):
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
    yield from _index_pages(
        sources, SOURCES_PER_PAGE, SOURCES, "sources.html", "sources", "Sources",
        f"Every site {site.config.title} links to, with the number of links from each.",
    )  # fmt: skip
    per_page = site.config.items_per_page
    for source in sources:
        items = site.items_by_source[source.key]
        for number, window, pager in paginate(len(items), per_page, partial(_source_path, source)):
            yield Page(
                _source_path(source, number),
                "source.html",
                {"source": source, "days": S.by_day(items[window]), "pager": pager},
                source.name if number == 1 else f"{source.name}, page {number}",
                f"{source.count} link{'s' * (source.count != 1)} from {source.domain}.",
                section=SOURCES,
            )


def _index_pages(
    rows: tuple[Any, ...],
    per_page: int,
    base: str,
    template: str,
    name: str,
    title: str,
    description: str,
) -> Iterator[Page]:
    """An index (topics, sources, the feeds of topics) at `base`, `per_page` rows a page:
    `name` (this page's rows), `total` and `pager`; page N at "topics/page/N/"."""

    def path_of(page: int) -> str:
        return base + (f"page/{page}/" if page > 1 else "")

    for number, window, pager in paginate(len(rows), per_page, path_of):
        context = {name: rows[window], "total": len(rows), "pager": pager}
        shown = title if number == 1 else f"{title}, page {number}"
        yield Page(path_of(number), template, context, shown, description, section=base)


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
    path, name = _edition_of(calendar, item.day)
    return {"item": item, "edition_path": path, "edition_name": name}


@lru_cache(maxsize=4096)
def _edition_of(calendar: EditionCalendar, day: date) -> tuple[str, str]:
    """The path and name of the edition a day falls in: the same for every item of a day,
    so formatting them once a day halves the cost of planning the items' pages."""
    first = calendar.first_day(day)
    return calendar.path(first), calendar.default_title(first)


def item_page(item: Item, context: dict[str, Any]) -> Page:
    a = item.article
    # Up to 300 characters whole; a longer one cut to 298 (as it always was: same bytes).
    summary = a.excerpt if len(a.excerpt) <= 300 else cut(a.excerpt, 298)
    return Page(item.path, "item.html", context, a.title, summary, first_image(item))


def extra_pages(site: Site) -> Iterator[Page]:
    topics = tuple(site.topics)
    yield from _index_pages(
        topics, FEED_TOPICS_PER_PAGE, "feeds/", "feeds.html", "topics", "Feeds",
        f"Follow {site.config.title} in a feed reader: Atom, RSS and JSON Feed, by topic too.",
    )  # fmt: skip
    if site.config.search:
        offered = {id(t) for t in sorted(topics, key=lambda t: -t.count)[:SEARCH_TOPICS]}
        yield Page(
            "search/",
            "search.html",
            {
                "topics": tuple(t for t in topics if id(t) in offered),  # by name, as everywhere
                "more_topics": len(topics) - len(offered),
                "bundles": bundle_paths(site.items),
            },
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
