"""Atom 1.0 and RSS 2.0 feeds made with feedgen, for the site, each topic and each source (the
JSON Feed of the same entries is `jsonfeed`)."""

from __future__ import annotations

import email.utils
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from html import escape
from typing import Any
from urllib.parse import urlsplit

from feedgen.entry import FeedEntry
from feedgen.ext.base import BaseEntryExtension, BaseExtension
from feedgen.feed import FeedGenerator
from feedgen.util import xml_elem

from roundup.core.links import uri
from roundup.core.model import Image
from roundup.core.text import CONTROL_CHARS, cut_at_word
from roundup.read.comment import text_of
from roundup.site import structure as S
from roundup.site.entryids import TAG_DATE
from roundup.site.structure import Item, Site, Topic

# The lxml elements feedgen builds and hands its extensions: lxml's class for them has only a
# private name (_Element), which roundup does not use.
XmlElement = Any

_XML_BASE = "{http://www.w3.org/XML/1998/namespace}base"
_ATOM_LINK = "{http://www.w3.org/2005/Atom}link"
DC_NS = "http://purl.org/dc/elements/1.1/"
MEDIA_NS = "http://search.yahoo.com/mrss/"  # Media RSS: readers take thumbnails from it
_EXTENSION = "roundup"  # the attribute feedgen gives our extension on generators and entries

# What XML 1.0 cannot carry (C0 controls but tab and newline, lone surrogates, U+FFFE/F),
# plus DEL, C1 controls and non-characters, which readers show as garbage. Content loading
# strips these too; the feeds check again because config text and future fields reach them.

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
    ids: tuple[str, ...]  # each item's entry id (see entryids.py)
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


def feed_id(site_id: str, spec: FeedSpec) -> str:
    return f"tag:{site_id},{TAG_DATE}:feed/{spec.key}"


def feed_specs(site: Site, ids: Mapping[str, str]) -> Iterator[FeedSpec]:
    """The site feed, then one per topic; each holds the newest `feed_items` items.

    `ids` has every shown item's entry id by its source (see `entryids.assign`).
    """
    config = site.config
    limit = config.feed_items
    # site.items is newest first with the slug as tie-break, so a slice is a stable "newest N".
    newest = tuple(site.items[:limit])
    yield FeedSpec(
        "", config.title, config.description or config.title, "", newest, _ids(newest, ids)
    )
    for topic in site.topics:
        items = tuple(site.items_by_topic.get(topic.slug, [])[:limit])
        yield FeedSpec(
            S.topic_path(topic),
            f"{config.title}: {topic.name}",
            f"Links about {topic.name} from {config.title}",
            S.topic_path(topic),
            items,
            _ids(items, ids),
            topic,
        )


def source_feed_specs(site: Site, ids: Mapping[str, str]) -> Iterator[FeedSpec]:
    """An Atom feed per source (`sources/<domain>/feed.xml`): its newest `feed_items` items,
    with the same entry ids as every other feed."""
    config = site.config
    for source in site.sources:
        items = tuple(site.items_by_source[source.key][: config.feed_items])
        yield FeedSpec(
            source.path,
            f"{config.title}: {source.name}",
            f"Links from {source.domain} in {config.title}",
            source.path,
            items,
            _ids(items, ids),
        )


def _ids(items: Sequence[Item], ids: Mapping[str, str]) -> tuple[str, ...]:
    return tuple(ids[item.article.source] for item in items)


def author_of(site: Site, item: Item) -> str:
    """Who chose the link: its `curator:`, else the site's author, else the site's title."""
    config = site.config
    return item.article.curator or config.author or config.title


def thumbnail(item: Item) -> Image | None:
    """The picture readers show beside an entry: the item's image, when its size is known
    (an image of unknown size may be a tracking pixel, and readers lay out by the size)."""
    image = item.first_image
    return image if image is not None and image.width and image.height else None


def updated(items: Sequence[Item]) -> datetime:
    """A feed's date is its newest entry's, never the time of the build."""
    return max((i.article.published_at for i in items), default=_EMPTY_FEED_DATE)


def rfc3339(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def clean(text: str) -> str:
    """Text that XML 1.0 can carry: no control characters, lone surrogates or CR."""
    return CONTROL_CHARS.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))


def feed_title(site: Site, spec: FeedSpec) -> str:
    return f"[Preview] {spec.title}" if site.preview else spec.title


def entry_title(item: Item, preview: bool) -> str:
    title = item.article.title
    return f"[Unpublished] {title}" if preview and not item.article.published else title


def entry_html(item: Item, item_url: str | None) -> str:
    """The entry body: excerpt, curator's comment, source, related coverage, the item's page
    (when it has one)."""
    a = item.article
    parts = []
    if a.excerpt:
        parts.append(f"<p>{escape(cut_at_word(a.excerpt, FEED_EXCERPT), quote=False)}</p>")
    if a.comment_html:  # already sanitised by an allow-list when the content was loaded
        parts.append(a.comment_html)
    source = (a.provider.name if a.provider else "") or urlsplit(a.url).hostname or a.url
    parts.append(f'<p>Source: <a href="{escape(uri(a.url))}">{escape(source, quote=False)}</a></p>')
    related = [r for r in a.related if r.url]
    if related:
        links = "".join(
            f'<li><a href="{escape(uri(r.url or ""))}">{escape(r.title, quote=False)}</a>'
            + (f" ({escape(r.provider.name, quote=False)})" if r.provider else "")
            + "</li>"
            for r in related
        )
        parts.append(f"<p>Also covered by:</p>\n<ul>{links}</ul>")
    if item_url:
        parts.append(f'<p><a href="{escape(item_url)}">Permalink</a></p>')
    return "\n".join(parts)


def summary_of(item: Item) -> str:
    """What a reader shows as the entry's summary, as plain text: the excerpt, else the
    opening of the curator's comment; cut at `FEED_EXCERPT` characters ("" without either)."""
    a = item.article
    return cut_at_word(a.excerpt, FEED_EXCERPT) if a.excerpt else summary_of_comment(a.comment_html)


def summary_of_comment(comment_html: str) -> str:
    """The summary of an entry without an excerpt: the comment's opening, as plain text."""
    return cut_at_word(text_of(comment_html), FEED_EXCERPT) if comment_html else ""


def rss_date(moment: datetime) -> str:
    """An RFC 822 date with a four-digit year, as RSS readers read it back: feedgen writes the
    year 99 as "99", which readers take for 1999."""
    return email.utils.format_datetime(_utc(moment))


class _EntryAdditions(BaseEntryExtension):  # type: ignore[misc]  # feedgen has no types
    """What feedgen cannot write into an entry: the item page's link and the content base
    (Atom), the author (RSS `dc:creator`) and the thumbnail (Media RSS, both formats)."""

    def __init__(self) -> None:
        self.page = ""  # the item's page, if it has one
        self.base = ""  # what relative links in a comment resolve against without one
        self.author = ""
        self.image: Image | None = None
        self.date = _EMPTY_FEED_DATE

    def extend_atom(self, entry: XmlElement) -> XmlElement:
        content = entry.find("content")
        if not self.page:  # no page of its own: the article link is the entry's only link
            if content is not None:
                content.set(_XML_BASE, self.base)
            self._media(entry)
            return entry
        # feedgen 1.0 writes an entry link's href and nothing else: FeedEntry.atom_entry rebinds
        # its loop variable `link` to the new element before reading rel and type from it
        # (lkiesow/python-feedgen#135). So feedgen is given only the article link, whose rel is
        # the default "alternate" anyway, and the item page is added here as rel="related";
        # handed to feedgen it would be a second alternate link, which RFC 4287 forbids.
        xml_elem("link", entry, rel="related", type="text/html", href=self.page)
        # xml:base lets a relative link in the comment resolve as it does on the item page.
        if content is not None:
            content.set(_XML_BASE, self.page)
        self._media(entry)
        return entry

    def extend_rss(self, item: XmlElement) -> XmlElement:
        # RSS's own <author> must be an e-mail address; Dublin Core's creator is the name
        # that readers (newsboat, rss2email's "From") show.
        xml_elem(f"{{{DC_NS}}}creator", item).text = self.author
        self._media(item)
        _four_digit_year(item, "pubDate", self.date)
        return item

    def _media(self, entry: XmlElement) -> None:
        image = self.image
        if image is None:
            return
        url, size = uri(image.url), {"width": str(image.width), "height": str(image.height)}
        # media:content is the picture as such (feedparser's media_content, Feedly), and
        # media:thumbnail what most readers put beside the entry; both say its size.
        xml_elem(f"{{{MEDIA_NS}}}content", entry, url=url, medium="image", **size)
        xml_elem(f"{{{MEDIA_NS}}}thumbnail", entry, url=url, **size)


class _FeedAdditions(BaseExtension):  # type: ignore[misc]  # feedgen has no types
    """Namespaces, the WebSub hub in RSS, and no lastBuildDate in an empty RSS feed."""

    def __init__(self) -> None:
        self.empty = False
        self.hub = ""
        self.date = _EMPTY_FEED_DATE
        self.namespaces: dict[str, str] = {}

    def extend_ns(self) -> dict[str, str]:
        return self.namespaces

    def extend_rss(self, feed: XmlElement) -> XmlElement:
        channel = feed.find("channel")
        assert channel is not None, "feedgen writes the channel"
        # Optional in RSS, and an empty feed has no date worth stating (Atom needs one).
        date = channel.find("lastBuildDate")
        if self.empty and date is not None:
            channel.remove(date)
        _four_digit_year(channel, "lastBuildDate", self.date)
        if self.hub:  # feedgen writes only the self link of the atom:link elements
            self_link = channel.find(_ATOM_LINK)
            assert self_link is not None, "every feed has its self link"
            hub = self_link.makeelement(_ATOM_LINK, {"href": self.hub, "rel": "hub"})
            self_link.addnext(hub)
        return feed


def _utc(moment: datetime) -> datetime:
    return moment.astimezone(UTC)


def _four_digit_year(parent: XmlElement, name: str, moment: datetime) -> None:
    """Rewrite feedgen's RSS date `name` under `parent` when its year has fewer digits than
    four; later years keep feedgen's bytes (the same text)."""
    element = parent.find(name)
    if element is not None and moment.year < 1000:
        element.text = rss_date(moment)


def _generator(
    site: Site, spec: FeedSpec, self_path: str, self_type: str, rss: bool = False
) -> FeedGenerator:
    """A feedgen generator with every field set: left unset, its dates would be the clock's."""
    config = site.config
    base = config.base_url
    fg = FeedGenerator()
    fg.register_extension(_EXTENSION, _FeedAdditions, _EntryAdditions)
    additions: _FeedAdditions = getattr(fg, _EXTENSION)
    additions.empty = not spec.items
    additions.hub = clean(config.websub_hub)
    if rss:
        additions.namespaces["dc"] = DC_NS
    if any(thumbnail(item) for item in spec.items):
        additions.namespaces["media"] = MEDIA_NS
    fg.id(clean(feed_id(config.site_id, spec)))
    fg.title(clean(feed_title(site, spec)))
    fg.subtitle(clean(spec.description))  # the RSS description too
    fg.updated(_utc(updated(spec.items)))  # the RSS lastBuildDate too
    additions.date = updated(spec.items)
    fg.author({"name": clean(config.author or config.title)})
    fg.language(clean(config.language))  # Atom's xml:lang too
    fg.generator(GENERATOR)  # replaces feedgen's own name, version and uri
    fg.docs("")  # feedgen adds an RSS <docs> link by default; an empty value leaves it out
    fg.link(href=clean(base + self_path), rel="self", type=self_type)
    if config.websub_hub:  # WebSub: subscribers' readers find the hub here
        fg.link(href=clean(config.websub_hub), rel="hub")
    # RSS takes the channel link from the last link given: the home page, not the feed.
    fg.link(href=clean(base + spec.home), rel="alternate", type="text/html")
    for item, entry_id in zip(spec.items, spec.ids, strict=True):
        # feedgen puts a new entry first by default; spec.items is already newest first.
        _fill_entry(fg.add_entry(order="append"), site, item, entry_id, rss)
    return fg


def _fill_entry(fe: FeedEntry, site: Site, item: Item, entry_id: str, rss: bool) -> None:
    a = item.article
    page = clean(site.config.base_url + item.path) if item.has_page else ""
    body = entry_html(item, page)
    author = clean(author_of(site, item))
    fe.id(clean(entry_id))  # the RSS guid too, isPermaLink="false"
    fe.title(clean(entry_title(item, site.preview)))
    # As a URI in both: Atom allows an IRI, but some readers and proxies mishandle one.
    fe.link(href=clean(uri(a.url)), rel="alternate")
    fe.author({"name": author})  # Atom only: RSS wants an e-mail address there
    fe.published(_utc(a.published_at))  # the RSS pubDate too
    fe.updated(_utc(a.published_at))
    if item.topics:
        fe.category([{"term": clean(t.name)} for t in item.topics])  # RSS categories too
    # The calls' order matters: description() also sets Atom content, which content() then
    # replaces. RSS descriptions are HTML; the summary is plain text, so it is escaped first.
    # Without a summary (no excerpt, no comment) the entry is a few lines: it is the
    # description too, as feedgen writes content:encoded only beside a description.
    summary = summary_of(item)
    fe.description(clean(f"<p>{escape(summary, quote=False)}</p>" if summary else body))
    fe.content(clean(body), type="html")  # RSS content:encoded too
    # No Atom <summary>: the content already starts with the excerpt, and readers that prefer
    # a plain-text summary (rss2email) would show it instead of the curator's comment.
    if page:
        fe.comments(page)
    additions: _EntryAdditions = getattr(fe, _EXTENSION)
    additions.page = page
    additions.base = clean(site.config.base_url)
    additions.author = author
    additions.image = thumbnail(item)
    additions.date = a.published_at


def atom(site: Site, spec: FeedSpec) -> bytes:
    """An Atom 1.0 feed (RFC 4287): each entry links the article and, as related, its page."""
    fg = _generator(site, spec, spec.atom_path, "application/atom+xml")
    feed: bytes = fg.atom_str(pretty=True)
    return feed


def rss(site: Site, spec: FeedSpec) -> bytes:
    """An RSS 2.0 feed: the channel links the home page, items carry a non-permalink guid."""
    fg = _generator(site, spec, spec.rss_path, "application/rss+xml", rss=True)
    feed: bytes = fg.rss_str(pretty=True)
    return feed
