"""A source of `roundup import` (a file, `-` for standard input, or an http(s) URL) loaded and
read in the format its content shows, whatever its name."""

from __future__ import annotations

import dataclasses
import json
import stat
import sys
from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo
from pathlib import Path
from typing import BinaryIO

from roundup.core.errors import RoundupError
from roundup.importers.entry import Entry, Skip

__all__ = ["FORMATS", "Reading", "Source", "SourceError", "load", "read"]

MAX_DOWNLOAD = 50 * 1024 * 1024  # bytes of a source fetched over http(s)
# Bytes of a file or of standard input: a browser's export of 100,000 bookmarks is a few
# dozen MB, and reading a larger file (a video given by mistake, /dev/zero) only to refuse
# it would take all the machine's memory first.
MAX_FILE = 1024 * 1024 * 1024
# Every format, in the words a user knows it by (for messages and README).
FORMATS = {
    "bookmarks": "Netscape bookmark HTML",
    "pinboard": "Pinboard JSON",
    "feed": "RSS/Atom feed",
    "jsonfeed": "JSON Feed",
    "csv": "CSV",
}
_WHAT_WORKS = (
    "roundup imports Netscape bookmark HTML (browsers, Pinboard, Raindrop, Pocket, linkding), "
    "Pinboard JSON, RSS, Atom, JSON Feed and CSV with a header naming a url column"
)
_FEED_TYPES = (
    "application/rss+xml, application/atom+xml, application/feed+json, application/json;q=0.9, "
    "application/xml;q=0.9, text/xml;q=0.9, text/html;q=0.5, */*;q=0.1"
)


class SourceError(RoundupError):
    """A source cannot be read, or holds no format roundup can import; one line."""


@dataclass(frozen=True, slots=True)
class Source:
    """A source's bytes and what is known of where they came from."""

    label: str  # as the user named it: a path, `-` or a URL
    data: bytes
    base_url: str = ""  # the URL it was downloaded from, after redirects
    content_type: str = ""
    modified: datetime | None = None  # a file's modification time


@dataclass(frozen=True, slots=True)
class Reading:
    """A source read: its format, its entries in order, and the date for undated entries."""

    format: str  # a key of FORMATS
    entries: list[Entry | Skip]
    default_date: datetime
    default_reason: str  # where that date comes from, for the message that says so
    warnings: tuple[str, ...] = ()  # about the source as a whole


def load(spec: str, cwd: Path) -> Source:
    """The bytes of a source: `-` is standard input, http(s) URLs are downloaded (50 MB at
    most, 10 seconds), anything else is a file path relative to `cwd`."""
    if spec == "-":
        return Source("-", _at_most(spec, sys.stdin.buffer))
    if spec.partition(":")[0].lower() in ("http", "https"):
        from roundup.web.fetch import FetchError, download

        try:
            got = download(spec, accept=_FEED_TYPES, media_types=None, max_bytes=MAX_DOWNLOAD + 1)
        except FetchError as failure:
            raise SourceError(str(failure)) from None
        if got.truncated:
            raise SourceError(f"{spec}: larger than {MAX_DOWNLOAD // 2**20} MB; save it to a file")
        return Source(spec, got.body, got.final_url, got.content_type)
    path = cwd / spec
    try:
        found = path.stat()
        if stat.S_ISDIR(found.st_mode):
            raise SourceError(f"{spec}: is a folder; give the export file itself")
        if stat.S_ISCHR(found.st_mode) or stat.S_ISBLK(found.st_mode):
            raise SourceError(f"{spec}: is a device, not a file; give the export file itself")
        if found.st_size > MAX_FILE:
            raise SourceError(f"{spec}: {_too_big()}")
        with path.open("rb") as file:  # a pipe too (`<(...)`): read up to the limit
            data = _at_most(spec, file)
        modified = datetime.fromtimestamp(int(found.st_mtime), UTC)
    except OSError as error:
        raise SourceError(f"{spec}: cannot read it ({error.strerror})") from None
    return Source(spec, data, modified=modified)


def _at_most(spec: str, file: BinaryIO) -> bytes:
    data = file.read(MAX_FILE + 1)
    if len(data) > MAX_FILE:
        raise SourceError(f"{spec}: {_too_big()}")
    return data


def _too_big() -> str:
    return (
        f"larger than {MAX_FILE // 2**30} GB, far more than any export of links; "
        "is it the right file?"
    )


def read(source: Source, zone: tzinfo) -> Reading:
    """The source's entries in the format its content shows; SourceError when none fits."""
    from roundup.importers import bookmarks, csvfile, feeds, jsonfeed, pinboard

    data = source.data
    if feeds.looks_like_feed(data):
        try:
            feed = feeds.read_feed(data, source.base_url, source.content_type)
        except feeds.FeedProblem as problem:
            raise SourceError(f"{source.label}: {problem}") from None
        reading = _reading(source, "feed", feed.entries, feed.updated, "the feed's date")
        return dataclasses.replace(reading, warnings=feed.warnings)
    text = _text(data, source.content_type)
    head = text[:65536].lstrip()
    if not head:
        raise SourceError(f"{source.label}: empty; {_WHAT_WORKS}")
    if head[:1] in ("{", "["):
        document = _json(source, text)
        if pinboard.looks_like_pinboard(document):
            return _reading(source, "pinboard", list(pinboard.read_pinboard(document, zone)))
        if jsonfeed.looks_like_json_feed(document):
            entries = list(jsonfeed.read_json_feed(document, zone, source.base_url))
            updated = jsonfeed.feed_date(document, zone)
            return _reading(source, "jsonfeed", entries, updated, "the feed's newest date")
        raise SourceError(
            f"{source.label}: JSON, but neither a Pinboard export nor a JSON Feed; {_WHAT_WORKS}"
        )
    if bookmarks.looks_like_bookmarks(head):
        reading = _reading(source, "bookmarks", list(bookmarks.read_bookmarks(text, zone)))
        if bookmarks.cut_short(text):
            warning = (
                "the file ends before its lists do (a </DL> is missing): it may have been cut "
                "short, and its last bookmark may be incomplete or missing"
            )
            return dataclasses.replace(reading, warnings=(warning,))
        return reading
    if csvfile.header_of(text) is not None:
        return _reading(source, "csv", list(csvfile.read_csv(text, zone)))
    raise SourceError(f"{source.label}: not a format roundup can import; {_WHAT_WORKS}")


def _reading(
    source: Source,
    format: str,
    entries: list[Entry | Skip],
    own_date: datetime | None = None,
    own_reason: str = "",
) -> Reading:
    if own_date is not None:
        return Reading(format, entries, own_date.astimezone(UTC).replace(microsecond=0), own_reason)
    if source.modified is not None:
        return Reading(format, entries, source.modified, "when the file was last modified")
    now = datetime.now(UTC).replace(microsecond=0)
    return Reading(format, entries, now, "the time of the import")


def _json(source: Source, text: str) -> object:
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise SourceError(
            f"{source.label}:{error.lineno}: not valid JSON ({error.msg}, column {error.colno})"
        ) from None


def _text(data: bytes, content_type: str) -> str:
    """The text of the data: a byte-order mark, the charset the server or the document
    declares, else UTF-8, else windows-1252, as a browser would read it."""
    from roundup.web.fetch import decode_html

    return decode_html(data, content_type)[0]
