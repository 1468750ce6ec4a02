"""JSON Feed (versions 1 and 1.1): read with the json module, as the format is plain JSON."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, tzinfo
from html import escape
from typing import Any, TypeGuard
from urllib.parse import urljoin

from roundup.core.text import collapse_spaces
from roundup.importers.dates import DateProblem, parse_date
from roundup.importers.entry import Entry, Skip
from roundup.importers.feedtext import entry_text, titled

__all__ = ["feed_date", "looks_like_json_feed", "read_json_feed"]

_VERSION = "https://jsonfeed.org/version/"


def looks_like_json_feed(document: object) -> TypeGuard[dict[str, Any]]:
    return (
        isinstance(document, dict)
        and str(document.get("version", "")).startswith(_VERSION)
        and isinstance(document.get("items", []), list)
    )


def feed_date(document: dict[str, Any], zone: tzinfo) -> datetime | None:
    """The newest date of the feed's items: JSON Feed has no date of its own."""
    dates = []
    for item in document.get("items") or ():
        if isinstance(item, dict):
            try:
                value = parse_date(item.get("date_modified") or item.get("date_published"), zone)
            except DateProblem:
                continue
            if isinstance(value, datetime):
                dates.append(value)
    return max(dates, default=None)


def read_json_feed(
    document: dict[str, Any], zone: tzinfo, base_url: str = ""
) -> Iterator[Entry | Skip]:
    """Each item: `external_url` (the page a link blog points to), else `url`; `title`;
    `summary`; `content_html` (or `content_text`); `date_published`, else `date_modified`;
    `tags`; `image`, else `banner_image`. Relative URLs resolve against the feed's URL."""
    base = base_url or str(document.get("feed_url") or document.get("home_page_url") or "")
    for number, item in enumerate(document.get("items") or (), start=1):
        place = f"entry {number}"
        if not isinstance(item, dict):
            yield Skip(place, "items", f"expected an item object, got {type(item).__name__}")
            continue
        try:
            published_at = parse_date(_date(item, "date_published"), zone) or parse_date(
                _date(item, "date_modified"), zone
            )
        except DateProblem as problem:
            yield Skip(place, "date_published", str(problem))
            continue
        link = _text(item.get("external_url")) or _text(item.get("url"))
        link = urljoin(base, link) if base and link else link
        summary = escape(_text(item.get("summary")))
        content = _text(item.get("content_html"))
        if not content and _text(item.get("content_text")):
            content = "".join(
                f"<p>{escape(block)}</p>" for block in _text(item.get("content_text")).split("\n\n")
            )
        text = entry_text(summary, content, link, base)
        image = _text(item.get("image")) or _text(item.get("banner_image"))
        listed = item.get("tags")
        tags = listed if isinstance(listed, list) else (listed,) if isinstance(listed, str) else ()
        title, description = titled(_text(item.get("title")), text)
        yield Entry(
            place=place,
            url=link,
            title=title,
            description=description,
            note=text.note,
            tags=tuple(collapse_spaces(str(t)) for t in tags if isinstance(t, str) and t.strip()),
            published_at=published_at,
            provider_name=text.provider_name,
            image=urljoin(base, image) if base and image else image,
        )


def _text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


def _date(item: dict[str, Any], field: str) -> object:
    """A date field as JSON Feed writes it, RFC 3339 text: a number (seconds? milliseconds?)
    is no date of this format, and would be read as one silently."""
    value = item.get(field)
    if value is None or isinstance(value, str):
        return value
    raise DateProblem(f"expected a date such as 2024-03-05T18:00:00Z, got {value!r}")
