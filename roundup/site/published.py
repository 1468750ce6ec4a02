"""Warn before a build gives new ids to feed entries that subscribers already have.

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
    now: dict[str, list[Item]] = {}  # a link curated twice has two items, and two ids
    for item in items:
        now.setdefault(item.article.url, []).append(item)
    # An entry's item is the one at its page, where it has one: a link curated twice has
    # two items alike, and a link corrected leaves the page where it was.
    base = config.base_url
    at_page = {base + item.path: item for item in items if item.has_page}
    changed: list[tuple[Item, Entry]] = []
    for entry in before:
        mine = at_page.get(entry.page) if entry.page else None
        if mine is not None:
            if ids[mine.article.source] != entry.id:
                changed.append((mine, entry))
            continue
        alike = now.get(entry.link, ())
        if alike and all(ids[item.article.source] != entry.id for item in alike):
            changed.append((alike[0], entry))
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
        _changed(prefix, item, entry, ids[item.article.source])
        for item, entry in sorted(changed, key=lambda pair: pair[0].article.source)
    ]


def _changed(prefix: str, item: Item, entry: Entry, new: str) -> Problem:
    article = item.article
    message = f"this item's feed entry id changes from {entry.id} to {new}; "
    if entry.link != article.url and not article.entry_id:
        # A corrected link (a typo, http to https): the old id can be written down.
        where = "originalUrl" if article.original_url else "webUrl"
        keep = f'add id: "{entry.id}"'
        message += f"subscribers would see it again, as its link changed; to keep it, {keep}"
        return Problem(prefix + article.source, article.lines.get(where), where, message)
    message += "subscribers would see it again"
    return Problem(prefix + article.source, article.lines.get("id"), "id", message)
