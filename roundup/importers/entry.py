"""One link as an export holds it, before it becomes an article file, and what readers share."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from datetime import date, datetime

from roundup.core.text import collapse_spaces

__all__ = [
    "EXCERPT_LIMIT",
    "SYSTEM_FOLDERS",
    "Entry",
    "Skip",
    "decode_entities",
    "flag",
    "split_tags",
]

# Characters of a description that still make an excerpt (a line or two under the title);
# a longer one, or one of several paragraphs, is the curator's comment.
EXCERPT_LIMIT = 500
# Folders that a browser or service makes itself: where a link sits, never what it is about.
# Compared case-insensitively; a folder name becomes a topic only with --folders-as-topics.
SYSTEM_FOLDERS = frozenset(
    {
        "bookmarks", "bookmarks bar", "bookmarks toolbar", "bookmarks menu", "other bookmarks",
        "mobile bookmarks", "favorites", "favourites", "favorites bar", "favourites bar",
        "reading list", "unsorted", "unread", "read archive", "archive", "starred",
    }
)  # fmt: skip
# A folder whose links are still to be read (Instapaper, Pocket, Safari's Reading List).
UNREAD_FOLDERS = frozenset({"unread", "reading list"})
_ENTITY = re.compile(r"&(?:[A-Za-z][A-Za-z0-9]{1,31}|#[0-9]{1,7}|#[xX][0-9A-Fa-f]{1,6});")
_TRUE = frozenset({"1", "true", "yes", "y", "on"})


@dataclass(frozen=True, slots=True)
class Entry:
    """A link read from a source, in the source's own terms.

    `place` says where it is (`"12"` for a line, `"entry 3"`); `description` is a text meant
    to be read under the title, `note` the curator's longer Markdown; `published_at` is None
    when the source gives no date (the import then dates it), aware or naive (the site's zone).
    """

    place: str
    url: str
    title: str = ""
    description: str = ""
    note: str = ""
    tags: tuple[str, ...] = ()
    folders: tuple[str, ...] = ()
    published_at: datetime | date | None = None
    private: bool = False
    unread: bool = False
    provider_name: str = ""
    image: str = ""
    image_size: tuple[int, int] | None = None  # width and height, when the source says


@dataclass(frozen=True, slots=True)
class Skip:
    """An entry that cannot be imported, and why: printed as `SOURCE:place: field: message`."""

    place: str
    field: str
    message: str


def split_tags(text: str, separators: str = ",") -> tuple[str, ...]:
    """Tags written in one string: split on any of `separators` (`" "` means any whitespace),
    each trimmed, empty ones dropped."""
    if separators == " ":
        return tuple(text.split())
    parts = re.split("[" + re.escape(separators) + "]", text)
    return tuple(tag for tag in (collapse_spaces(part) for part in parts) if tag)


def decode_entities(text: str) -> str:
    """Text with HTML entities decoded once (`Fish &amp; Chips`), as services that store HTML
    escapes in plain-text fields export it; an `&` that starts no entity stays."""
    return html.unescape(text) if _ENTITY.search(text) else text


def flag(value: object) -> bool:
    """A yes/no field as exports write it: `1`, `true`, `yes` (any case), or a JSON boolean."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        return value != 0
    return isinstance(value, str) and value.strip().lower() in _TRUE
