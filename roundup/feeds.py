"""Atom 1.0 and RSS 2.0 feeds made with feedgen, and JSON Feed 1.1, for the site and each topic."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from html import escape
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from feedgen.entry import FeedEntry
from feedgen.ext.base import BaseEntryExtension, BaseExtension
from feedgen.feed import FeedGenerator
from feedgen.util import xml_elem

from roundup import site as S
from roundup.site import Item, Site, Topic

if TYPE_CHECKING:
    from lxml.etree import _Element

_XML_BASE = "{http://www.w3.org/XML/1998/namespace}base"
_EXTENSION = "roundup"  # the attribute feedgen gives our extension on generators and entries

# What XML 1.0 cannot carry (C0 controls but tab and newline, lone surrogates, U+FFFE/F),
# plus DEL, C1 controls and non-characters, which readers show as garbage. Content loading
# strips these too; the feeds check again because config text and future fields reach them.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufdd0-\ufdef\ufffe\uffff]")

# A fixed date in every tag: URI (RFC 4151 needs one); it must never move.
_TAG_DATE = "2005"
_EMPTY_FEED_DATE = datetime(1970, 1, 1, tzinfo=UTC)
FEED_EXCERPT = 1_000  # characters of excerpt in feeds: readers want a summary, not an essay
GENERATOR = "roundup"  # no version: a release must not change feed bytes on its own


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

    @property
    def json_path(self) -> str:
        return self.key + "feed.json"


def entry_id(site_id: str, item: Item) -> str:
    """A tag: URI from the site id and the item's slug: untouched by titles, URLs and hosts."""
    return f"tag:{site_id},{_TAG_DATE}:items/{item.article.slug}"


def feed_id(site_id: str, spec: FeedSpec) -> str:
    return f"tag:{site_id},{_TAG_DATE}:feed/{spec.key}"


def feed_specs(site: Site) -> Iterator[FeedSpec]:
    """The site feed, then one per topic; each holds the newest `feed_items` items."""
    config = site.config
    limit = config.feed_items
    # site.items is newest first with the slug as tie-break, so a slice is a stable "newest N".
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


def rfc3339(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def cut(text: str, limit: int = FEED_EXCERPT) -> str:
    """`text` if short enough, else its first words up to `limit` characters and an ellipsis."""
    if len(text) <= limit:
        return text
    head = text[: limit - 1]
    space = head.rfind(" ")
    if space > limit // 2:  # break between words unless that would lose half the text
        head = head[:space]
    return head.rstrip(" ,;:-") + "…"


def clean(text: str) -> str:
    """Text that XML 1.0 can carry: no control characters, lone surrogates or CR."""
    return _NOT_XML.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))


def _feed_title(site: Site, spec: FeedSpec) -> str:
    return f"[Preview] {spec.title}" if site.preview else spec.title


def _entry_title(item: Item, preview: bool) -> str:
    title = item.article.title
    return f"[Unpublished] {title}" if preview and not item.article.published else title


def entry_html(item: Item, item_url: str) -> str:
    """The entry body: excerpt, curator's comment, source, related coverage, the item's page."""
    a = item.article
    parts = []
    if a.excerpt:
        parts.append(f"<p>{escape(cut(a.excerpt), quote=False)}</p>")
    if a.comment_html:  # already sanitised by an allow-list when the content was loaded
        parts.append(a.comment_html)
    source = (a.provider.name if a.provider else "") or urlsplit(a.url).hostname or a.url
    parts.append(f'<p>Source: <a href="{escape(a.url)}">{escape(source, quote=False)}</a></p>')
    related = [r for r in a.related if r.url]
    if related:
        links = "".join(
            f'<li><a href="{escape(r.url or "")}">{escape(r.title, quote=False)}</a>'
            + (f" ({escape(r.provider.name, quote=False)})" if r.provider else "")
            + "</li>"
            for r in related
        )
        parts.append(f"<p>Also covered by:</p>\n<ul>{links}</ul>")
    parts.append(f'<p><a href="{escape(item_url)}">Permalink</a></p>')
    return "\n".join(parts)


class _EntryAdditions(BaseEntryExtension):
    """What feedgen cannot write into an Atom entry: the item page's link and the content base."""

    def __init__(self) -> None:
        self.page = ""

    def extend_atom(self, entry: _Element) -> _Element:
        # feedgen 1.0 writes an entry link's href and nothing else: FeedEntry.atom_entry rebinds
        # its loop variable `link` to the new element before reading rel and type from it
        # (lkiesow/python-feedgen#135). So feedgen is given only the article link, whose rel is
        # the default "alternate" anyway, and the item page is added here as rel="related";
        # handed to feedgen it would be a second alternate link, which RFC 4287 forbids.
        xml_elem("link", entry, rel="related", type="text/html", href=self.page)
        # xml:base lets a relative link in the comment resolve as it does on the item page.
        content = entry.find("content")
        if content is not None:
            content.set(_XML_BASE, self.page)
        return entry


class _FeedAdditions(BaseExtension):
    """Drops an empty feed's RSS lastBuildDate, which feedgen always writes."""

    def __init__(self) -> None:
        self.empty = False

    def extend_rss(self, feed: _Element) -> _Element:
        # Optional in RSS, and an empty feed has no date worth stating (Atom needs one).
        date = feed.find("channel/lastBuildDate")
        if self.empty and date is not None:
            date.getparent().remove(date)
        return feed


def _utc(moment: datetime) -> datetime:
    return moment.astimezone(UTC)


def _generator(site: Site, spec: FeedSpec, self_path: str, self_type: str) -> FeedGenerator:
    """A feedgen generator with every field set: left unset, its dates would be the clock's."""
    config = site.config
    base = config.base_url
    fg = FeedGenerator()
    fg.register_extension(_EXTENSION, _FeedAdditions, _EntryAdditions)
    additions: _FeedAdditions = getattr(fg, _EXTENSION)
    additions.empty = not spec.items
    fg.id(clean(feed_id(config.site_id, spec)))
    fg.title(clean(_feed_title(site, spec)))
    fg.subtitle(clean(spec.description))  # the RSS description too
    fg.updated(_utc(updated(spec.items)))  # the RSS lastBuildDate too
    fg.author({"name": clean(config.author or config.title)})
    fg.language(clean(config.language))  # Atom's xml:lang too
    fg.generator(GENERATOR)  # replaces feedgen's own name, version and uri
    fg.docs("")  # feedgen adds an RSS <docs> link by default; an empty value leaves it out
    fg.link(href=clean(base + self_path), rel="self", type=self_type)
    # RSS takes the channel link from the last link given: the home page, not the feed.
    fg.link(href=clean(base + spec.home), rel="alternate", type="text/html")
    for item in spec.items:
        # feedgen puts a new entry first by default; spec.items is already newest first.
        _fill_entry(fg.add_entry(order="append"), site, item)
    return fg


def _fill_entry(fe: FeedEntry, site: Site, item: Item) -> None:
    a = item.article
    page = clean(site.config.base_url + item.path)
    body = entry_html(item, page)
    fe.id(clean(entry_id(site.config.site_id, item)))  # the RSS guid too, isPermaLink="false"
    fe.title(clean(_entry_title(item, site.preview)))
    fe.link(href=clean(a.url), rel="alternate")  # the RSS link too
    fe.published(_utc(a.published_at))  # the RSS pubDate too
    fe.updated(_utc(a.published_at))
    if item.topics:
        fe.category([{"term": clean(t.name)} for t in item.topics])  # RSS categories too
    # The calls' order matters: description() also sets Atom content, which content() then
    # replaces, and summary() would replace an RSS description that was not yet set.
    # RSS descriptions are HTML; the excerpt is plain text, so it is escaped once first.
    fe.description(clean(f"<p>{escape(cut(a.excerpt), quote=False)}</p>" if a.excerpt else body))
    fe.content(clean(body), type="html")  # RSS content:encoded too
    if a.excerpt:
        fe.summary(clean(cut(a.excerpt)))
    fe.comments(page)
    additions: _EntryAdditions = getattr(fe, _EXTENSION)
    additions.page = page


def atom(site: Site, spec: FeedSpec) -> bytes:
    """An Atom 1.0 feed (RFC 4287): each entry links the article and, as related, its page."""
    fg = _generator(site, spec, spec.atom_path, "application/atom+xml")
    return fg.atom_str(pretty=True)


def rss(site: Site, spec: FeedSpec) -> bytes:
    """An RSS 2.0 feed: the channel links the home page, items carry a non-permalink guid."""
    fg = _generator(site, spec, spec.rss_path, "application/rss+xml")
    return fg.rss_str(pretty=True)


def json_feed(site: Site, spec: FeedSpec) -> bytes:
    """JSON Feed 1.1: `url` is the item's page here, `external_url` the article it points to."""
    config = site.config
    base = config.base_url
    items = []
    for item in spec.items:
        a = item.article
        entry: dict[str, Any] = {
            "id": entry_id(config.site_id, item),
            "url": base + item.path,
            "external_url": a.url,
            "title": _entry_title(item, site.preview),
            "content_html": entry_html(item, base + item.path),
            "date_published": rfc3339(a.published_at),
            "tags": [t.name for t in item.topics],
        }
        if a.excerpt:
            entry["summary"] = cut(a.excerpt)
        if a.image:
            entry["image"] = a.image.url
        items.append(entry)
    feed = {
        "version": "https://jsonfeed.org/version/1.1",
        "title": _feed_title(site, spec),
        "home_page_url": base + spec.home,
        "feed_url": base + spec.json_path,
        "description": spec.description,
        "language": config.language,
        "authors": [{"name": config.author or config.title}],
        "items": items,
    }
    text = json.dumps(_cleaned(feed), ensure_ascii=False, indent=2)
    return (text + "\n").encode("utf-8")


def _cleaned(value: Any) -> Any:
    """The same characters as the XML feeds carry; a lone surrogate would not even encode."""
    if isinstance(value, str):
        return clean(value)
    if isinstance(value, list):
        return [_cleaned(v) for v in value]
    if isinstance(value, dict):
        return {k: _cleaned(v) for k, v in value.items()}
    return value
