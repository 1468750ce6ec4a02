"""Atom, RSS 2.0 and JSON Feed files for the site and each topic, with ids that never change."""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from html import escape

from feedgen.feed import FeedGenerator

from roundup import __version__
from roundup import site as S
from roundup.site import Item, Site, Topic

# A fixed date in every entry id: RFC 4151 needs one, and it must never move.
_TAG_DATE = "2005"
_EMPTY_FEED_DATE = datetime(1970, 1, 1, tzinfo=UTC)
FEED_EXCERPT = 1_000  # characters of excerpt in feeds; feed readers want summaries


@dataclass(frozen=True, slots=True)
class FeedSpec:
    """One feed's identity and entries: the site's, or one topic's."""

    key: str  # "" for the site, else "topics/<slug>/"
    title: str
    description: str
    home: str  # site path of the HTML page the feed follows
    items: tuple[Item, ...]
    topic: Topic | None = None

    @property
    def atom_path(self) -> str:
        return self.key + "feed.xml"

    @property
    def rss_path(self) -> str:
        return self.key + "rss.xml"


def entry_id(site_id: str, item: Item) -> str:
    """A tag: URI from the site id and the item's slug: untouched by titles, URLs and hosts."""
    return f"tag:{site_id},{_TAG_DATE}:items/{item.article.slug}"


def feed_id(site_id: str, spec: FeedSpec) -> str:
    return f"tag:{site_id},{_TAG_DATE}:feed/{spec.key}"


def feed_specs(site: Site) -> Iterator[FeedSpec]:
    """The site feed, then one per topic; each holds the newest `feed_items` items."""
    limit = site.config.feed_items
    config = site.config
    yield FeedSpec(
        "", config.title, config.description or config.title, "", tuple(site.items[:limit])
    )
    for topic in site.topics:
        items = site.items_by_topic.get(topic.slug, [])
        yield FeedSpec(
            S.topic_path(topic),
            f"{config.title}: {topic.name}",
            f"Links about {topic.name} from {config.title}",
            S.topic_path(topic),
            tuple(items[:limit]),
            topic,
        )


def updated(items: Sequence[Item]) -> datetime:
    """A feed's date is its newest entry's, never the time of the build."""
    return max((i.article.published_at for i in items), default=_EMPTY_FEED_DATE)


def _title(item: Item, preview: bool) -> str:
    title = item.article.title
    return f"[Unpublished] {title}" if preview and not item.article.published else title


def entry_html(item: Item, item_url: str) -> str:
    """The entry body: excerpt, curator's comment, related coverage and a link to the item."""
    a = item.article
    parts = []
    if a.excerpt:
        excerpt = a.excerpt if len(a.excerpt) <= FEED_EXCERPT else a.excerpt[:FEED_EXCERPT] + "…"
        parts.append(f"<p>{escape(excerpt)}</p>")
    if a.comment_html:
        parts.append(a.comment_html)
    source = a.provider.name if a.provider else ""
    if source:
        parts.append(f"<p>Source: {escape(source)}</p>")
    related = [r for r in a.related if r.url]
    if related:
        links = ", ".join(
            f'<a href="{escape(r.url or "")}">{escape(r.title)}</a>'
            + (f" ({escape(r.provider.name)})" if r.provider and r.provider.name else "")
            for r in related
        )
        parts.append(f"<p>Also covered by: {links}</p>")
    parts.append(f'<p><a href="{escape(item_url)}">Permalink</a></p>')
    return "\n".join(parts)


def _generator(site: Site, spec: FeedSpec) -> FeedGenerator:
    config = site.config
    fg = FeedGenerator()
    fg.id(feed_id(config.site_id, spec))
    fg.title(spec.title)
    fg.subtitle(spec.description)
    fg.link(href=config.base_url + spec.home, rel="alternate")
    fg.language(config.language)
    fg.author({"name": config.author or config.title})
    fg.generator("roundup", __version__)
    newest = updated(spec.items)
    fg.updated(newest)
    fg.lastBuildDate(newest)
    for item in spec.items:
        a = item.article
        item_url = config.base_url + item.path
        fe = fg.add_entry(order="append")
        fe.id(entry_id(config.site_id, item))
        fe.guid(entry_id(config.site_id, item), permalink=False)
        fe.title(_title(item, site.preview))
        fe.link(href=a.url, rel="alternate")
        fe.link(href=item_url, rel="related", title="Comments on " + config.title)
        fe.published(a.published_at)
        fe.updated(a.published_at)
        if a.excerpt:
            fe.summary(a.excerpt[:FEED_EXCERPT])
        fe.content(entry_html(item, item_url), type="html")
        for topic in item.topics:
            fe.category(term=topic.name, label=topic.name)
    return fg


def atom(site: Site, spec: FeedSpec) -> bytes:
    fg = _generator(site, spec)
    fg.link(href=site.config.base_url + spec.atom_path, rel="self", type="application/atom+xml")
    return fg.atom_str(pretty=True)


def rss(site: Site, spec: FeedSpec) -> bytes:
    fg = _generator(site, spec)
    fg.link(href=site.config.base_url + spec.rss_path, rel="self", type="application/rss+xml")
    # feedgen takes RSS <link> from the last alternate link; set the home page explicitly.
    fg.link(href=site.config.base_url + spec.home, rel="alternate")
    return fg.rss_str(pretty=True)


def json_feed(site: Site, spec: FeedSpec) -> bytes:
    """JSON Feed 1.1: `url` is the item's page here, `external_url` the article it points to."""
    config = site.config
    items = []
    for item in spec.items:
        a = item.article
        entry = {
            "id": entry_id(config.site_id, item),
            "url": config.base_url + item.path,
            "external_url": a.url,
            "title": _title(item, site.preview),
            "content_html": entry_html(item, config.base_url + item.path),
            "date_published": a.published_at.isoformat(),
            "tags": [t.name for t in item.topics],
        }
        if a.excerpt:
            entry["summary"] = a.excerpt[:FEED_EXCERPT]
        if a.image:
            entry["image"] = a.image.url
        items.append(entry)
    feed = {
        "version": "https://jsonfeed.org/version/1.1",
        "title": spec.title,
        "home_page_url": config.base_url + spec.home,
        "feed_url": config.base_url + spec.key + "feed.json",
        "description": spec.description,
        "language": config.language,
        "authors": [{"name": config.author or config.title}],
        "items": items,
    }
    return (json.dumps(feed, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
