"""The site's structure: shown items and what pages show of them, topics, days, archives, URLs."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from operator import attrgetter
from typing import Any

from roundup.core.config import SiteConfig
from roundup.core.dates import format_date
from roundup.core.errors import Problem
from roundup.core.model import Article, Image
from roundup.core.slugs import shared_slug_warnings, unique_slugs
from roundup.core.text import alphabetical
from roundup.core.weeks import EditionCalendar, date_span
from roundup.site.sources import (
    Source,
    domain_of,
    group_sources,
    host_of,
    provider_of,
    source_key,
    source_path,
)

# Top-level names a topic slug can never take, so no topic overwrites a site page.
RESERVED_TOPIC_SLUGS = ("index", "page", "feed", "rss")
MIN_IMAGE_SIDE = 32  # px: anything smaller is a tracking pixel or an icon, not a picture


@dataclass(frozen=True, slots=True)
class Topic:
    """A topic as shown: one spelling, one slug, how many shown items carry it."""

    name: str
    slug: str
    count: int
    # Where the name goes in an A-to-Z list (see `alphabetical`): worked out once, as each
    # edition's groups of the same size are put in that order.
    order: str = field(default="", compare=False, repr=False)


def _article_field(name: str) -> property:
    return property(attrgetter("article." + name), doc=f"The article's `{name}`.")


@dataclass(frozen=True, slots=True, eq=False)
class Item:
    """An article as pages show it: local time, topics, page path, and what listings show of it.

    An item appears on several pages (its day, each of its topics, the front page), so what
    they show of it is worked out here once (`make_item`), not by filters on every page.
    Items compare (and hash) by identity: a site has one item per article, and comparing
    fields would compare articles, decoding their texts.
    """

    article: Article
    local_time: datetime  # in the site's time zone
    topics: tuple[Topic, ...]
    path: str  # site path of its page, e.g. "items/my-link/"
    first_image: Image | None  # the first image worth showing: see `usable_image`
    provider_name: str  # who published it: see `provider_of`
    domain: str
    source_key: str  # its source (see `sources.source_key`): "lwn.net"
    source_path: str  # site path of its source's page: "sources/lwn.net/"
    has_page: bool = True  # whether it has a page of its own at `path` (see `item_pages`)

    # The fields templates read most, as properties: `__getattr__` costs an exception a read.
    title = _article_field("title")
    url = _article_field("url")
    excerpt = _article_field("excerpt")
    comment_html = _article_field("comment_html")
    provider = _article_field("provider")
    images = _article_field("images")
    related = _article_field("related")
    published = _article_field("published")
    heat = _article_field("heat")
    quality = _article_field("quality")
    slug = _article_field("slug")

    @property
    def day(self) -> date:
        return self.local_time.date()

    def __getattr__(self, name: str) -> Any:  # templates read article fields off the item
        if name == "article":  # not yet set (while copying): avoid endless recursion
            raise AttributeError(name)
        return getattr(self.article, name)


@dataclass(frozen=True, slots=True)
class Group:
    """Items of one topic within a listing (the topic is None for items without topics)."""

    topic: Topic | None
    items: tuple[Item, ...]


@dataclass(frozen=True, slots=True)
class Edition:
    """One day's or week's items, newest first, and the same items grouped by their first topic."""

    day: date  # its first day
    items: tuple[Item, ...]
    groups: tuple[Group, ...]
    path: str
    title: str = ""  # `edition_title` filled in, else its date or "Week 19, 2024"
    number: int = 0  # 1 for the oldest edition with links, counting up
    length: int = 1  # days it covers: 1, or 7 for a week

    @property
    def top(self) -> tuple[Item, ...]:
        """The day's strongest items by heat, then quality: a "Top stories" block."""
        return top_items(self.items)

    @property
    def kind(self) -> str:
        return "week" if self.length > 1 else "day"

    @property
    def end(self) -> date:
        """Its last day."""
        return self.day + timedelta(days=self.length - 1)

    @property
    def anchor(self) -> date:
        """The day that places it in a month and a year: a week's fourth (see `weeks`)."""
        return self.day + timedelta(days=3) if self.length > 1 else self.day

    @property
    def dates(self) -> str:
        """ "Monday 6 May 2024", or the days of a week: "6-12 May 2024" (see `date_span`)."""
        if self.length > 1:
            return date_span(self.day, self.end)
        return format_date(self.day, "weekday")


@dataclass(frozen=True, slots=True)
class Period:
    """A month or year: its editions, newest first."""

    key: str  # "2020" or "2020-09"
    start: date
    editions: tuple[Edition, ...]
    path: str

    @property
    def count(self) -> int:
        return sum(len(e.items) for e in self.editions)


@dataclass(slots=True)
class Site:
    """Everything that pages and feeds are made from, computed once per build."""

    config: SiteConfig
    preview: bool
    items: list[Item]  # shown items, newest first
    topics: list[Topic]  # by name
    editions: list[Edition]  # newest first
    months: list[Period] = field(default_factory=list)
    years: list[Period] = field(default_factory=list)
    items_by_topic: dict[str, list[Item]] = field(default_factory=dict)  # topic slug -> items
    calendar: EditionCalendar = field(default_factory=EditionCalendar)
    sources: list[Source] = field(default_factory=list)  # most links first, then by name
    items_by_source: dict[str, list[Item]] = field(default_factory=dict)  # source key -> items
    # Doubts about the site as a whole (topics whose URLs a reader would not guess), located
    # in the content folder like an article's warnings.
    warnings: list[Problem] = field(default_factory=list)


def make_item(
    article: Article, local_time: datetime, topics: tuple[Topic, ...], has_page: bool = True
) -> Item:
    """The item of an article, with everything listings show of it worked out."""
    provider = article.provider
    # A provider's domain names the source when it is a host name, and the link's own host
    # is not needed then: only worked out otherwise (each item of each build).
    source = source_key(provider.domain, "") if provider and provider.domain else ""
    if not source:
        source = source_key("", host_of(article.url or ""))
    return Item(
        article,
        local_time,
        topics,
        item_path(article),
        usable_image(article.images),
        provider_of(article),
        domain_of(article),
        source,
        source_path(source),
        has_page,
    )


def usable_image(images: Iterable[Image]) -> Image | None:
    """The first image worth showing: not a tracking pixel or icon (when its size is known)."""
    for image in images:
        if image.width is None or min(image.width, image.height or 0) >= MIN_IMAGE_SIDE:
            return image
    return None


def sort_key(article: Article) -> tuple[float, str]:
    """Newest first, then by slug: a total order, so equal times never reorder between builds."""
    return (-article.published_at.timestamp(), article.slug)


def top_items(items: Iterable[Item], limit: int = 3) -> tuple[Item, ...]:
    ranked = sorted(items, key=lambda i: (-(i.article.heat or 0), -(i.article.quality or 0)))
    return tuple(i for i in ranked[:limit] if (i.article.heat or i.article.quality))


def topic_spellings(articles: Iterable[Article]) -> dict[str, str]:
    """Case-insensitively merged topics: case-folded name -> the most used spelling."""
    counts: dict[str, dict[str, int]] = {}
    for article in articles:
        for name in article.topics:
            spellings = counts.setdefault(name.casefold(), {})
            spellings[name] = spellings.get(name, 0) + 1
    return {
        folded: min(spellings.items(), key=lambda kv: (-kv[1], kv[0]))[0]
        for folded, spellings in counts.items()
    }


def topic_slugs(names: Iterable[str]) -> dict[str, str]:
    """Each topic's slug: unique, never a name the site's own pages use."""
    return unique_slugs(names, "topic", RESERVED_TOPIC_SLUGS)


def topic_warnings(articles: Sequence[Article]) -> list[Problem]:
    """The warnings `build_site` gives about the topics of these (shown) articles."""
    return shared_slug_warnings(articles, topic_slugs(topic_spellings(articles).values()))


def build_site(
    articles: Sequence[Article],
    config: SiteConfig,
    preview: bool,
    earlier: Mapping[str, Item] | None = None,
) -> Site:
    """Select, order and group the articles; nothing here depends on templates.

    `earlier` has the items of the last build in this process (same settings), by source: an
    item whose article and topics are the very same is taken over, with what was worked out
    for it (see `build.Memory`).
    """
    shown = sorted((a for a in articles if a.published or preview), key=sort_key)
    zone = config.zone
    spellings = topic_spellings(shown)
    slugs = topic_slugs(spellings.values())
    counts = Counter(spellings[n.casefold()] for a in shown for n in a.topics)
    topic_of = {
        folded: Topic(name, slugs[name], counts[name], alphabetical(name))
        for folded, name in spellings.items()
    }
    items = []
    by_topic: dict[str, list[Item]] = {}
    pages_for = config.item_pages
    for article in shown:
        # Told apart by folded name, which is one topic each: cheaper than hashing topics.
        topics = tuple([topic_of[n] for n in dict.fromkeys([n.casefold() for n in article.topics])])
        old = earlier.get(article.source) if earlier else None
        if old is not None and old.article is article and old.topics == topics:
            item = old
        else:
            has_page = pages_for is True or (bool(pages_for) and article.has_comment)
            has_page = has_page or not article.fits_lists  # too long for the lists
            item = make_item(article, article.published_at.astimezone(zone), topics, has_page)
        items.append(item)
        for topic in topics:
            by_topic.setdefault(topic.slug, []).append(item)
    calendar = EditionCalendar.of(config)
    editions = _editions(items, calendar)
    sources, by_source = group_sources(items)
    site = Site(
        config=config,
        preview=preview,
        items=items,
        topics=sorted(topic_of.values(), key=lambda t: (t.order, t.name.casefold(), t.slug)),
        editions=editions,
        items_by_topic=by_topic,
        calendar=calendar,
        sources=sources,
        items_by_source=by_source,
        warnings=shared_slug_warnings(shown, slugs),
    )
    site.months = _periods(editions, lambda d: f"{d.year:04d}-{d.month:02d}", month_path)
    site.years = _periods(editions, lambda d: f"{d.year:04d}", year_path)
    return site


def group_by_topic(items: Iterable[Item]) -> tuple[Group, ...]:
    """Items grouped under their first topic; bigger groups first, then by name."""
    groups: dict[Topic | None, list[Item]] = {}
    for item in items:
        groups.setdefault(item.topics[0] if item.topics else None, []).append(item)
    order = sorted(
        groups.items(),
        key=lambda kv: (
            kv[0] is None,
            -len(kv[1]),
            (kv[0].order, kv[0].name) if kv[0] else ("", ""),
        ),
    )
    return tuple(Group(topic, tuple(members)) for topic, members in order)


def _editions(items: list[Item], calendar: EditionCalendar) -> list[Edition]:
    """The editions of `items`, newest first, numbered from the oldest (number 1)."""
    by_first_day: dict[date, list[Item]] = {}
    for item in items:
        by_first_day.setdefault(calendar.first_day(item.day), []).append(item)
    ordered = sorted(by_first_day.items())
    editions = [
        Edition(
            first,
            tuple(members),
            group_by_topic(members),
            calendar.path(first),
            calendar.title(first, number),
            number,
            calendar.length,
        )
        for number, (first, members) in enumerate(ordered, 1)
    ]
    editions.reverse()
    return editions


def _periods(
    editions: list[Edition], key_of: Callable[[date], str], path_of: Callable[[date], str]
) -> list[Period]:
    periods: dict[str, list[Edition]] = {}
    for edition in editions:
        periods.setdefault(key_of(edition.anchor), []).append(edition)
    return [
        Period(key, members[-1].anchor.replace(day=1), tuple(members), path_of(members[0].anchor))
        for key, members in periods.items()
    ]


def by_day(items: Iterable[Item]) -> list[tuple[date, tuple[Item, ...]]]:
    """Consecutive runs of items on one day, for listings grouped by day."""
    runs: dict[date, list[Item]] = {}
    for item in items:
        runs.setdefault(item.day, []).append(item)
    return [(day, tuple(members)) for day, members in runs.items()]


# --- URLs: the one place that knows where every page lives (paths relative to the base URL).


def item_path(article: Article) -> str:
    return f"items/{article.slug}/"


def day_path(day: date, page: int = 1) -> str:
    return f"{day.year:04d}/{day.month:02d}/{day.day:02d}/" + page_suffix(page)


def month_path(day: date, page: int = 1) -> str:
    return f"{day.year:04d}/{day.month:02d}/" + page_suffix(page)


def year_path(day: date) -> str:
    return f"{day.year:04d}/"


def topic_path(topic: Topic, page: int = 1) -> str:
    return f"topics/{topic.slug}/" + page_suffix(page)


def home_path(page: int = 1) -> str:
    return page_suffix(page)


def page_suffix(page: int) -> str:
    """Where page `page` of a listing is, below the listing's first page."""
    return f"page/{page}/" if page > 1 else ""


def output_file(path: str) -> str:
    """The file that serves a site path: "a/b/" is "a/b/index.html"; "" is "index.html"."""
    return path + "index.html" if path == "" or path.endswith("/") else path
