"""Pinboard's JSON export (and its API's `posts/all?format=json`): a list of bookmarks."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import tzinfo
from typing import Any, TypeGuard

from roundup.core.text import collapse_spaces
from roundup.importers.dates import DateProblem, parse_date
from roundup.importers.entry import Entry, Skip, decode_entities, flag, split_tags

__all__ = ["looks_like_pinboard", "read_pinboard"]


def looks_like_pinboard(document: object) -> TypeGuard[list[Any]]:
    """A JSON list of objects with Pinboard's `href` (an empty list is an empty export). Not
    every element needs one: a bookmark without a link, or no object at all, is one entry
    skipped with a line of its own, not a whole export refused."""
    return isinstance(document, list) and (
        not document or any(isinstance(item, dict) and "href" in item for item in document)
    )


def read_pinboard(document: list[Any], zone: tzinfo) -> Iterator[Entry | Skip]:
    """Each bookmark: `href`, `description` (the title), `extended` (the curator's text),
    `time`, `tags` (separated by spaces), `shared` and `toread` (`"yes"`/`"no"`).

    Tags starting with `.` are Pinboard's private tags, which no one else sees: they never
    become public topics. Pinboard stores HTML entities in its text fields; they are decoded.
    """
    for number, item in enumerate(document, start=1):
        place = f"entry {number}"
        if not isinstance(item, dict):
            yield Skip(place, "href", f"expected a bookmark object, got {type(item).__name__}")
            continue
        try:
            published_at = parse_date(item.get("time"), zone)
        except DateProblem as problem:
            yield Skip(place, "time", str(problem))
            continue
        tags = _tags(item.get("tags"))
        yield Entry(
            place=place,
            url=_text(item.get("href")),
            title=decode_entities(_text(item.get("description"))),
            description=decode_entities(_text(item.get("extended"))),
            tags=tuple(tag for tag in tags if not tag.startswith(".")),
            published_at=published_at,
            # Pinboard writes "no" for a private bookmark; a missing field means shared.
            private=str(item.get("shared", "yes")).strip().lower() in ("no", "0", "false"),
            unread=flag(item.get("toread")),
        )


def _tags(value: Any) -> tuple[str, ...]:
    if isinstance(value, list):  # some tools that write this format give a list
        return tuple(collapse_spaces(str(tag)) for tag in value if str(tag).strip())
    return split_tags(_text(value), " ")


def _text(value: Any) -> str:
    if isinstance(value, str):
        return value
    return "" if value is None or isinstance(value, dict | list) else str(value)
