"""Warn before a build gives new ids to feed entries that subscribers already have, or
stops making a feed they follow.

The evidence is the site's Atom feed in the output folder, read before the build writes: it
is exactly what the last build gave subscribers (the newest `feed_items` entries, which are
the ones a reader can still show twice). A record in the cache folder would be a second
source of truth: lost with the cache, and blind to a build made into another folder or for
another base URL, whereas the feed always sits beside the files it describes.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import NamedTuple
from xml.etree import ElementTree

from roundup.core.config import SiteConfig, default_site_id
from roundup.core.errors import Problem
from roundup.core.links import uri
from roundup.read.loader import display_path
from roundup.site.structure import Item

log = logging.getLogger(__name__)

SITE_FEED = "feed.xml"
_ATOM = "{http://www.w3.org/2005/Atom}"
_MAX_BYTES = 50_000_000  # feed_items at most 10,000 entries: larger is not our feed
_FEED_ID = re.compile(r"tag:([^,]+),\d{4}:feed/")
_SLUG_ID = re.compile(r"tag:[^,]+,\d{4}:items/")  # ids from file names, before roundup 0.2


class Entry(NamedTuple):
    """An entry of the Atom feed subscribers were last given."""

    link: str  # the article (the alternate link)
    page: str  # the item's page (the related link), "" for an item without one
    id: str


def previous_entries(feed: Path) -> tuple[str, list[Entry]]:
    """The feed id and the entries of an Atom feed, or ("", [])."""
    try:
        if feed.stat().st_size > _MAX_BYTES:
            return "", []
        root = ElementTree.parse(feed).getroot()
    except (OSError, ElementTree.ParseError) as error:
        log.debug("%s not read for its ids: %s", feed, error)
        return "", []
    if root.tag != _ATOM + "feed":
        return "", []
    entries = []
    for entry in root.iter(_ATOM + "entry"):
        entry_id = (entry.findtext(_ATOM + "id") or "").strip()
        links = {"alternate": "", "related": ""}
        for link in entry.iter(_ATOM + "link"):
            rel = link.get("rel", "alternate")
            if rel in links and not links[rel]:
                links[rel] = link.get("href", "")
        if links["alternate"]:
            entries.append(Entry(links["alternate"], links["related"], entry_id))
    return (root.findtext(_ATOM + "id") or "").strip(), entries


def changed_ids(config: SiteConfig, items: Sequence[Item], ids: Mapping[str, str]) -> list[Problem]:
    """Warnings for entries of the output folder's site feed whose link is still curated
    but whose id this build changes: each would reach every subscriber a second time."""
    feed = config.output_dir / SITE_FEED
    feed_id, before = previous_entries(feed)
    if not before:
        return []
    # Only an item whose id subscribers never had is news to them: one that takes an id they
    # have (two files that swap names, a link curated twice losing one of its items) updates
    # an entry they already have, and reaches no one twice.
    known = {entry.id for entry in before}
    by_page = {entry.page: entry for entry in before if entry.page}
    # Links as URIs: feeds written before roundup wrote Atom's as URIs hold IRIs.
    by_link: dict[str, list[Entry]] = {}
    for entry in before:
        by_link.setdefault(uri(entry.link), []).append(entry)
    base = config.base_url
    changed: list[tuple[Item, Entry]] = []
    candidates = []  # the items at a page, or of a link, the feed had: a few of them
    # Only the items of the new feed can reach subscribers (again): an older item of a link
    # curated twice, beyond the feed's newest `feed_items`, was warned about by the entry of
    # the newer one, which keeps its id.
    for item in items[: config.feed_items]:
        at_page = by_page.get(base + item.path) if item.has_page else None
        link = uri(item.article.url)
        alike = by_link.get(link, [])
        if (at_page is not None or alike) and ids[item.article.source] not in known:
            candidates.append((item, at_page, link, alike))
    held = {ids[item.article.source] for item in items} if candidates else set()
    for item, at_page, link, alike in candidates:
        if at_page is not None and (uri(at_page.link) == link or not alike):
            changed.append((item, at_page))  # its own page: its link kept, or corrected
        elif alike:  # a link curated twice has two entries: the one no item holds now
            lost = next((e for e in alike if e.id not in held), None)
            if lost is not None:  # else the item is new, beside those the feed had
                changed.append((item, lost))
    if not changed:
        return []
    where = display_path(feed, Path.cwd())
    count = f"{len(changed)} of the {len(before)} entries in {where}"
    match = _FEED_ID.match(feed_id)
    old_site = match.group(1) if match else config.site_id
    if old_site != config.site_id:
        source = display_path(config.source, Path.cwd()) if config.source else "config"
        why = (
            " (without a site_id, it follows the base URL)"
            if config.site_id == default_site_id(config.base_url)
            else ""
        )
        message = (
            f"{count} get new ids, as the site id is now {config.site_id!r}{why}; it was "
            f"{old_site!r}: subscribers would see them again. To keep them, set "
            f'site_id = "{old_site}"'
        )
        return [Problem(source, None, "site_id", message)]
    if all(_SLUG_ID.match(entry.id) for _, entry in changed):
        message = (
            f"{count} get new ids: entry ids no longer come from file names (see README, "
            '"Upgrading"), so subscribers see these entries once more, this one time'
        )
        return [Problem(where, None, "", message)]
    prefix = display_path(config.content_dir, Path.cwd()) + "/"
    return [
        _changed(prefix, item, entry, ids[item.article.source], entry.id not in held)
        for item, entry in sorted(changed, key=lambda pair: pair[0].article.source)
    ]


def _changed(prefix: str, item: Item, entry: Entry, new: str, free: bool) -> Problem:
    """The warning for an item whose entry gets the id `new`; `free`: whether no item of
    this build holds its old id, which an `id:` field can then keep."""
    article = item.article
    message = f"this item's feed entry id changes from {entry.id} to {new}; "
    link_field = "originalUrl" if article.original_url else "webUrl"
    if article.entry_id:  # the `id:` field was added or changed
        message += "subscribers would see it again"
        return Problem(prefix + article.source, article.lines.get("id"), "id", message)
    if uri(entry.link) != uri(article.url):  # a corrected link (a typo, http to https)
        message += "subscribers would see it again, as its link changed"
    else:  # its link is curated twice, and the other item came or went
        message += "subscribers would see it again, as another item has its link"
    if free:
        message += f'; to keep it, add id: "{entry.id}"'
    return Problem(prefix + article.source, article.lines.get(link_field), link_field, message)


# The feeds of the URL layout, by file name: the site's, each topic's and source's, editions'.
_FEED_NAMES = ("feed.xml", "rss.xml", "feed.json", "editions.xml")


def gone_feeds(
    config: SiteConfig, before: Mapping[str, object], now: Mapping[str, object]
) -> list[Problem]:
    """Warnings for feeds of the output folder (`before`: its files as last built) that this
    build no longer makes (`now`): a topic renamed or emptied, weekly editions turned off.
    Their subscribers' readers get an error from then on, and nothing tells them why."""
    where = display_path(config.output_dir, Path.cwd())
    # Filtered before sorted: `before` holds every file of the site, 100,000 at a time.
    gone = sorted(p for p in before if p.rsplit("/", 1)[-1] in _FEED_NAMES and p not in now)
    return [Problem(f"{where}/{path}", None, "", _why_gone(path)) for path in gone]


def _why_gone(path: str) -> str:
    why = (
        "weekly editions are off" if path == "editions.xml"
        else "its topic or source has no published link now, or was renamed" if "/" in path
        else "the site makes no such feed now"
    )  # fmt: skip
    return f"this feed is no longer made ({why}); its subscribers get Not Found from now on"
