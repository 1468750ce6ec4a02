"""The editions feed (Atom): one entry per week, with all its links, once the week is over.

This is how a newsletter's readers follow a roundup: an entry a week rather than one a link.
An edition is published by the first build after its week has ended (in the site's time
zone); the running week is left out, however many links it has. An entry's date is the end
of its week, never the time of the build, and its id comes from the site id and the week's
first day alone: a later edit of a past week changes the entry's content, never its id or
its date, so readers do not announce an edition twice.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from html import escape

from feedgen.ext.base import BaseEntryExtension, BaseExtension
from feedgen.feed import FeedGenerator

from roundup.core.links import uri
from roundup.core.text import cut_at_word, plural
from roundup.render.feeds import GENERATOR, XmlElement, clean
from roundup.site.entryids import TAG_DATE
from roundup.site.filters import comment_html
from roundup.site.structure import Edition, Site

PATH = "editions.xml"
MAX_ENTRIES = 12  # a quarter of weekly editions: each entry holds a whole week of links
EXCERPT = 300  # characters of each link's excerpt: an edition is read as a list
_EMPTY_FEED_DATE = datetime(1970, 1, 1, tzinfo=UTC)
_XML_BASE = "{http://www.w3.org/XML/1998/namespace}base"
_EXTENSION = "roundup_edition"


@dataclass(frozen=True, slots=True)
class EditionsFeed:
    """The editions a build publishes (ended ones, newest first) and when each ended."""

    editions: tuple[Edition, ...]
    ends: tuple[datetime, ...]


def published(site: Site, now: datetime) -> EditionsFeed:
    """The newest editions whose time is over at `now`, as many as the feed holds."""
    zone = site.config.zone
    calendar = site.calendar
    limit = min(site.config.feed_items, MAX_ENTRIES)
    editions: list[Edition] = []
    ends: list[datetime] = []
    for edition in site.editions:  # newest first
        end = calendar.end(edition.day, zone)
        if end > now:
            continue
        editions.append(edition)
        ends.append(end)
        if len(editions) == limit:
            break
    return EditionsFeed(tuple(editions), tuple(ends))


def last_ended(site: Site, now: datetime) -> datetime | None:
    """When the newest edition that is over at `now` ended: before that time, the feed would
    not have it."""
    if not site.calendar.weekly:
        return None
    for edition in site.editions:  # newest first
        end = site.calendar.end(edition.day, site.config.zone)
        if end <= now:
            return end
    return None


def due(site: Site, now: datetime) -> datetime | None:
    """When the newest edition ends, if it has not yet: the feed changes then, with no edit."""
    if not site.calendar.weekly or not site.editions:
        return None
    end = site.calendar.end(site.editions[0].day, site.config.zone)
    return end if end > now else None


def entry_id(site_id: str, edition: Edition) -> str:
    """`tag:<site_id>,2005:edition/week/2024-05-06`: the kind and the first day, nothing else."""
    return f"tag:{site_id},{TAG_DATE}:edition/{edition.kind}/{edition.day.isoformat()}"


def edition_html(site: Site, edition: Edition) -> str:
    """An edition as one entry's content: its links under their topics, as its page has them."""
    base = site.config.base_url
    count = len(edition.items)
    topics = len(edition.groups)
    parts = [
        f"<p>{escape(edition.dates, quote=False)}: {plural(count, 'link')}"
        + (f" in {topics} topics" if topics > 1 else "")
        + ".</p>"
    ]
    for group in edition.groups:
        name = group.topic.name if group.topic else "Other links"
        parts.append(f"<h2>{escape(name, quote=False)}</h2>")
        for item in group.items:
            a = item.article
            title = a.title
            if site.preview and not a.published:
                title = f"[Unpublished] {title}"
            link = escape(uri(a.url))
            parts.append(f'<h3><a href="{link}">{escape(title, quote=False)}</a></h3>')
            source = escape(item.provider_name, quote=False)
            if item.has_page:  # not every link has one (`item_pages`)
                page = escape(base + item.path)
                parts.append(f'<p>{source} · <a href="{page}">Details</a></p>')
            else:
                parts.append(f"<p>{source}</p>")
            if a.excerpt:
                parts.append(f"<p>{escape(cut_at_word(a.excerpt, EXCERPT), quote=False)}</p>")
            if a.comment_html:  # sanitised when loaded; its headings go below the titles'
                parts.append(comment_html(a.comment_html, 3))
    return "\n".join(parts)


class _ContentBase(BaseEntryExtension):  # type: ignore[misc]  # feedgen has no types
    """xml:base on the content, so that a relative link in a comment resolves as on the page."""

    def __init__(self) -> None:
        self.page = ""

    def extend_atom(self, entry: XmlElement) -> XmlElement:
        content = entry.find("content")
        if content is not None:
            content.set(_XML_BASE, self.page)
        return entry


def atom(site: Site, feed: EditionsFeed) -> bytes:
    """The editions feed as Atom 1.0 (RFC 4287)."""
    config = site.config
    base = config.base_url
    fg = FeedGenerator()
    fg.register_extension(_EXTENSION, BaseExtension, _ContentBase, atom=True, rss=False)
    title = f"{config.title}: weekly editions"
    fg.id(clean(f"tag:{config.site_id},{TAG_DATE}:feed/editions"))
    fg.title(clean(f"[Preview] {title}" if site.preview else title))
    fg.subtitle(clean(f"Each week of {config.title} in one entry, once the week is over."))
    fg.updated(_newest(feed.ends))
    fg.author({"name": clean(config.author or config.title)})
    fg.language(clean(config.language))
    fg.generator(GENERATOR)
    fg.link(href=clean(base + PATH), rel="self", type="application/atom+xml")
    if config.websub_hub:
        fg.link(href=clean(config.websub_hub), rel="hub")
    fg.link(href=clean(base), rel="alternate", type="text/html")
    for edition, end in zip(feed.editions, feed.ends, strict=True):
        page = clean(base + edition.path)
        fe = fg.add_entry(order="append")
        fe.id(clean(entry_id(config.site_id, edition)))
        fe.title(clean(edition.title))
        fe.link(href=page, rel="alternate", type="text/html")
        fe.author({"name": clean(config.author or config.title)})
        fe.published(end.astimezone(UTC))
        fe.updated(end.astimezone(UTC))
        fe.content(clean(edition_html(site, edition)), type="html")
        getattr(fe, _EXTENSION).page = page
    atom_feed: bytes = fg.atom_str(pretty=True)
    return atom_feed


def _newest(ends: Sequence[datetime]) -> datetime:
    return max(ends, default=_EMPTY_FEED_DATE).astimezone(UTC)
