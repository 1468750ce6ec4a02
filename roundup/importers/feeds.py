"""RSS and Atom feeds, read with feedparser: a reader's starred items, another roundup's feed.

feedparser reads every RSS version and Atom, recovers from the usual XML mistakes, resolves
`xml:base` and relative links, and sanitises the entries' HTML; what it gives is turned into
entries here, with the HTML made into an excerpt and a Markdown comment (see `feedtext`).
"""

from __future__ import annotations

import io
import re
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from html import escape
from typing import Any
from urllib.parse import urljoin, urlsplit

from roundup.core.text import collapse_spaces, shorten
from roundup.importers.entry import Entry, Skip
from roundup.importers.feedtext import entry_text, titled
from roundup.importers.htmlmarkdown import to_text

__all__ = ["FeedProblem", "ReadFeed", "looks_like_feed", "read_feed"]

# The root element of RSS 0.9x/2.0 (`<rss>`), RSS 1.0 (`<rdf:RDF>`) and Atom (`<feed>`),
# after an XML declaration, comments, a doctype and processing instructions (stylesheets).
_ROOT = re.compile(
    rb"\A(?:\s|<\?[^>]*\?>|<!--.*?-->|<!DOCTYPE[^>]*>)*<(?:[A-Za-z_][\w.-]*:)?(rss|RDF|feed)\b",
    re.S,
)
_DATE_FIELDS = ("published", "updated", "created")
_HTML_TYPES = ("text/html", "application/xhtml+xml")


class FeedProblem(ValueError):
    """The bytes are not a feed feedparser can read."""


@dataclass(frozen=True, slots=True)
class ReadFeed:
    """A feed's entries, and the feed's own date (for entries that have none)."""

    entries: list[Entry | Skip]
    updated: datetime | None
    warnings: tuple[str, ...] = ()  # what was wrong with the feed as a whole


def looks_like_feed(head: bytes) -> bool:
    """Whether the data starts as an RSS or Atom document (byte-order mark allowed)."""
    head = head.removeprefix(b"\xef\xbb\xbf")
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):  # UTF-16: decode the start to look
        head = head.decode("utf-16", "ignore").encode("utf-8")
    return bool(_ROOT.match(head[:8192]))


def read_feed(data: bytes, base_url: str = "", content_type: str = "") -> ReadFeed:
    """The feed's entries in order. `base_url` is where it was downloaded from (relative
    links resolve against it, then against the feed's own link); raises FeedProblem when the
    data is not a feed at all."""
    import feedparser  # imported here: only an import of a feed needs it

    headers = {"content-location": base_url} if base_url else {}
    if content_type:
        headers["content-type"] = content_type
    # A stream, not bytes: feedparser takes a bytes or str argument for a file name or a URL.
    parsed = feedparser.parse(io.BytesIO(data), response_headers=headers or None)
    problem = _xml_problem(parsed.get("bozo_exception")) if parsed.get("bozo") else ""
    if not parsed.entries and (problem or not parsed.get("version")):
        raise FeedProblem(f"not a feed feedparser can read ({problem or 'no entries'})")
    warnings = (f"{problem}; imported the entries feedparser recovered",) if problem else ()
    feed = parsed.feed
    home = urljoin(base_url, feed.get("link") or "") if base_url else feed.get("link") or ""
    entries = [_entry(number, item, home) for number, item in enumerate(parsed.entries, 1)]
    return ReadFeed(entries, _date(feed), warnings)


def _xml_problem(error: object) -> str:
    """What feedparser found wrong, in a line. (Not where: feedparser rewrites the document's
    start before parsing it, so its line numbers are not the file's.)"""
    if error is None:
        return "not well-formed"
    message = getattr(error, "getMessage", None)
    if callable(message):
        return f"not well-formed XML ({message()})"
    return f"{type(error).__name__}: {error}"


def _entry(number: int, item: Any, home: str) -> Entry | Skip:
    place = f"entry {number}"
    link = (item.get("link") or "").strip()
    if link and not urlsplit(link).scheme and home:
        link = urljoin(home, link)  # a relative link and no xml:base: the feed's site
    for name in _DATE_FIELDS:
        written = _own(item, name)
        if written and _own(item, f"{name}_parsed") is None:
            return Skip(place, name, f"{shorten(written)!r} is not a date feedparser can read")
    summary, content = _summary(item), _content(item)
    # Links feedparser could not resolve (no xml:base) are relative to the entry's page.
    text = entry_text(summary, content, link, link)
    image, size = _image(item)
    source = item.get("source") or {}
    title, description = titled(_title(item), text)
    return Entry(
        place=place,
        url=link,
        title=title,
        description=description,
        note=text.note,
        tags=tuple(tag for tag in (_term(t) for t in item.get("tags") or ()) if tag),
        published_at=_date(item),
        provider_name=text.provider_name or (source.get("title") or "").strip(),
        image=image,
        image_size=size,
    )


def _title(item: Any) -> str:
    title = item.get("title") or ""
    detail = item.get("title_detail") or {}
    return to_text(title) if detail.get("type") in _HTML_TYPES else title


def _summary(item: Any) -> str:
    summary = item.get("summary") or ""
    contents = item.get("content") or ()
    if contents and summary == contents[0].get("value"):
        return ""  # feedparser copies the content here when an entry has no summary
    detail = item.get("summary_detail") or {}
    return summary if detail.get("type", "text/html") in _HTML_TYPES else _as_html(summary)


def _content(item: Any) -> str:
    contents = list(item.get("content") or ())
    if not contents:
        return ""
    html = [c for c in contents if c.get("type") in _HTML_TYPES]
    chosen = (html or contents)[0]
    value = chosen.get("value") or ""
    return value if chosen.get("type") in _HTML_TYPES else _as_html(value)


def _as_html(text: str) -> str:
    return "".join(f"<p>{escape(block)}</p>" for block in text.split("\n\n") if block.strip())


def _term(tag: Any) -> str:
    return collapse_spaces(str(tag.get("label") or tag.get("term") or ""))


def _date(item: Any) -> datetime | None:
    for name in _DATE_FIELDS:
        parsed: time.struct_time | None = _own(item, f"{name}_parsed")
        if parsed is not None:
            try:
                return datetime(*parsed[:6], tzinfo=UTC)
            except ValueError:
                return None
    return None


def _own(item: Any, key: str) -> Any:
    """A field the entry has itself: feedparser answers `updated` with `published` when an
    entry has no `updated` (with a deprecation warning), which would read one date twice."""
    return item.get(key) if key in item else None


def _image(item: Any) -> tuple[str, tuple[int, int] | None]:
    """The entry's picture (Media RSS thumbnail or image, or an image enclosure) and its
    size when the feed gives one."""
    for media in (*(item.get("media_thumbnail") or ()), *(item.get("media_content") or ())):
        kind = str(media.get("medium") or media.get("type") or "image")
        if media.get("url") and kind.startswith("image"):
            return str(media["url"]), _size(media.get("width"), media.get("height"))
    for enclosure in item.get("enclosures") or ():
        if enclosure.get("href") and str(enclosure.get("type", "")).startswith("image/"):
            return str(enclosure["href"]), None
    return "", None


def _size(width: Any, height: Any) -> tuple[int, int] | None:
    try:
        size = (int(str(width)), int(str(height)))
    except ValueError:
        return None
    return size if size[0] > 0 and size[1] > 0 else None
