"""Atom 1.0, RSS 2.0 and JSON Feed 1.1 files for the site and each topic, with stable ids."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import format_datetime
from html import escape
from typing import Any
from urllib.parse import urlsplit

from roundup import site as S
from roundup.site import Item, Site, Topic

# The feeds are written with ElementTree rather than feedgen: feedgen 1.0 drops every
# attribute but href from entry links (so rel="related" became a second "alternate", which
# RFC 4287 forbids) and fills unset dates with the build time.
ATOM_NS = "http://www.w3.org/2005/Atom"
CONTENT_NS = "http://purl.org/rss/1.0/modules/content/"
_XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
_XML_BASE = "{http://www.w3.org/XML/1998/namespace}base"
# RSS borrows two namespaces; readers expect these conventional prefixes.
ET.register_namespace("atom", ATOM_NS)
ET.register_namespace("content", CONTENT_NS)

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


def rfc822(moment: datetime) -> str:
    # email.utils spells day and month names in English whatever the locale, as RSS needs.
    return format_datetime(moment.astimezone(UTC), usegmt=True)


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


def _add(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
    """A child element whose text and attributes are cleaned for XML on the way in."""
    element = ET.SubElement(parent, tag, {k: clean(v) for k, v in attrs.items()})
    if text is not None:
        element.text = clean(text)
    return element


def _serialise(root: ET.Element) -> bytes:
    ET.indent(root, space="  ")
    body = ET.tostring(root, encoding="unicode")
    return f'<?xml version="1.0" encoding="utf-8"?>\n{body}\n'.encode()


def atom(site: Site, spec: FeedSpec) -> bytes:
    """An Atom 1.0 feed (RFC 4287): each entry links the article and, as related, its page."""
    config = site.config
    base = config.base_url

    # Atom elements are written unqualified under a default xmlns: ElementTree's own
    # default_namespace option refuses the unqualified attributes (href, rel) that Atom uses.
    add = _add
    feed = ET.Element("feed", {"xmlns": ATOM_NS, _XML_LANG: config.language})
    add(feed, "id", feed_id(config.site_id, spec))
    add(feed, "title", _feed_title(site, spec))
    add(feed, "subtitle", spec.description)
    add(feed, "updated", rfc3339(updated(spec.items)))
    add(add(feed, "author"), "name", config.author or config.title)
    add(feed, "link", rel="alternate", type="text/html", href=base + spec.home)
    add(feed, "link", rel="self", type="application/atom+xml", href=base + spec.atom_path)
    add(feed, "generator", GENERATOR)
    for item in spec.items:
        a = item.article
        item_url = base + item.path
        entry = add(feed, "entry")
        add(entry, "id", entry_id(config.site_id, item))
        add(entry, "title", _entry_title(item, site.preview))
        add(entry, "updated", rfc3339(a.published_at))
        add(entry, "published", rfc3339(a.published_at))
        add(entry, "link", rel="alternate", href=a.url)
        add(entry, "link", rel="related", type="text/html", href=item_url)
        for topic in item.topics:
            add(entry, "category", term=topic.name)
        if a.excerpt:
            add(entry, "summary", cut(a.excerpt))
        # xml:base lets a relative link in the comment resolve as it does on the item page.
        content = add(entry, "content", entry_html(item, item_url), type="html")
        content.set(_XML_BASE, clean(item_url))
    return _serialise(feed)


def rss(site: Site, spec: FeedSpec) -> bytes:
    """An RSS 2.0 feed: the channel links the home page, items carry a non-permalink guid."""
    config = site.config
    base = config.base_url
    root = ET.Element("rss", {"version": "2.0"})
    channel = _add(root, "channel")
    _add(channel, "title", _feed_title(site, spec))
    _add(channel, "link", base + spec.home)
    _add(channel, "description", spec.description)
    _add(
        channel,
        f"{{{ATOM_NS}}}link",
        href=base + spec.rss_path,
        rel="self",
        type="application/rss+xml",
    )
    _add(channel, "language", config.language)
    if spec.items:  # optional in RSS, and an empty feed has no date worth stating
        _add(channel, "lastBuildDate", rfc822(updated(spec.items)))
    _add(channel, "generator", GENERATOR)
    for item in spec.items:
        a = item.article
        item_url = base + item.path
        body = entry_html(item, item_url)
        entry = _add(channel, "item")
        _add(entry, "title", _entry_title(item, site.preview))
        _add(entry, "link", a.url)
        # RSS descriptions are HTML; the excerpt is plain text, so it is escaped once first.
        summary = f"<p>{escape(cut(a.excerpt), quote=False)}</p>" if a.excerpt else body
        _add(entry, "description", summary)
        _add(entry, f"{{{CONTENT_NS}}}encoded", body)
        _add(entry, "comments", item_url)
        _add(entry, "guid", entry_id(config.site_id, item), isPermaLink="false")
        _add(entry, "pubDate", rfc822(a.published_at))
        for topic in item.topics:
            _add(entry, "category", topic.name)
    return _serialise(root)


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
