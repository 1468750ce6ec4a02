"""CSV exports with a header row: Raindrop, Instapaper, Pocket, or a spreadsheet of your own.

Columns are found by name, in any order and case; only a URL column is required:

| field | column names |
|---|---|
| link | `url`, `href`, `link`, `uri` |
| title | `title`, `name` |
| excerpt | `excerpt`, `description`, `selection`, `summary` |
| comment | `note`, `notes`, `comment`, `annotation` |
| topics | `tags`, `tag`, `labels`, `keywords` |
| date | `created`, `date`, `time`, `timestamp`, `time_added`, `added`, `saved` (and `_at` forms) |
| folders | `folder`, `collection` (`a/b` is a folder `b` inside `a`) |
| unread | `status` (`unread`), `toread`, `unread`; a folder named `Unread` |
| private | `private` (yes), `shared` (no) |
| image | `cover`, `image`, `thumbnail` |
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Callable, Iterator
from datetime import tzinfo

from roundup.core.text import collapse_spaces
from roundup.importers.dates import DateProblem, parse_date
from roundup.importers.entry import (
    SYSTEM_FOLDERS,
    UNREAD_FOLDERS,
    Entry,
    Skip,
    decode_entities,
    flag,
    split_tags,
)
from roundup.importers.htmlmarkdown import note_markdown

__all__ = ["header_of", "read_csv"]

_COLUMNS = {
    "url": ("url", "href", "link", "uri"),
    "title": ("title", "name"),
    "description": ("excerpt", "description", "selection", "summary"),
    "note": ("note", "notes", "comment", "annotation"),
    "tags": ("tags", "tag", "labels", "keywords"),
    "date": ("created", "created_at", "date", "date_added", "time", "timestamp",
             "time_added", "added", "added_at", "saved", "saved_at", "add_date"),
    "folder": ("folder", "collection"),
    "status": ("status",),
    "unread": ("toread", "to_read", "unread", "read_later"),
    "private": ("private",),
    "shared": ("shared", "public"),
    "image": ("cover", "image", "thumbnail"),
}  # fmt: skip
_DELIMITERS = (",", ";", "\t")
_NAME = re.compile(r"[\s_-]+")


def _name(column: str) -> str:
    return _NAME.sub("_", column.strip().strip('"').lower())


def header_of(text: str) -> tuple[str, dict[str, int]] | None:
    """The delimiter and the fields' columns when the first line is a CSV header with a URL
    column; None otherwise."""
    first = text.split("\n", 1)[0].lstrip("\ufeff").rstrip("\r")
    for delimiter in _DELIMITERS:
        try:
            names = [_name(n) for n in next(csv.reader([first], delimiter=delimiter))]
        except (csv.Error, StopIteration):
            continue
        columns = {}
        for field, aliases in _COLUMNS.items():
            for alias in aliases:
                if alias in names:
                    columns[field] = names.index(alias)
                    break
        if "url" in columns and (len(names) > 1 or delimiter == ","):
            return delimiter, columns
    return None


def read_csv(text: str, zone: tzinfo) -> Iterator[Entry | Skip]:
    """Each row after the header; `place` is the line the row starts on."""
    found = header_of(text)
    if found is None:
        return
    delimiter, columns = found
    body = text.lstrip("\ufeff")
    reader = csv.reader(io.StringIO(body, newline=""), delimiter=delimiter)
    next(reader, None)
    end = reader.line_num
    rows = []
    for row in reader:
        line, end = end + 1, reader.line_num
        if any(cell.strip() for cell in row):
            rows.append((line, row))
    multiline = rows and any("\n" in cell or "\r" in cell for cell in rows[-1][1])
    if multiline and _unclosed(body, delimiter):
        # A quote opened and never closed: the reader took every line after it into that
        # one field. Told, rather than imported as a title that swallowed the rest.
        line = rows.pop()[0]
        message = (
            'a quoted field opens here and is never closed (a missing "), so the lines from '
            "here to the end were read as one field; nothing of them was imported"
        )
        yield Skip(str(line), "url", message)
    for line, row in rows:

        def cell(field: str, row: list[str] = row) -> str:
            index = columns.get(field)
            return row[index].strip() if index is not None and index < len(row) else ""

        yield _entry(str(line), cell, zone)


def _unclosed(body: str, delimiter: str) -> bool:
    """Whether the file ends inside a quoted field (which the lenient reader accepts)."""
    strict = csv.reader(io.StringIO(body, newline=""), delimiter=delimiter, strict=True)
    while True:
        try:
            next(strict)
        except StopIteration:
            return False
        except csv.Error as error:  # another slip (a quote inside a field): read on
            if "unexpected end of data" in str(error):
                return True


def _entry(place: str, get: Callable[[str], str], zone: tzinfo) -> Entry | Skip:
    """The entry of one row; `get(field)` is the row's text for a field."""
    try:
        published_at = parse_date(get("date"), zone)
    except DateProblem as problem:
        return Skip(place, "created", str(problem))
    folders = tuple(f for f in (collapse_spaces(p) for p in get("folder").split("/")) if f)
    status = get("status").lower()
    return Entry(
        place=place,
        url=get("url"),
        title=decode_entities(get("title")),
        description=decode_entities(get("description")),
        note=note_markdown(get("note")),
        tags=_tags(get("tags")),
        folders=tuple(f for i, f in enumerate(folders) if i or f.casefold() not in SYSTEM_FOLDERS),
        published_at=published_at,
        private=flag(get("private")) or get("shared").lower() in ("no", "false", "0"),
        unread=status == "unread"
        or flag(get("unread"))
        or bool(folders and folders[0].casefold() in UNREAD_FOLDERS),
        image=get("image"),
    )


def _tags(text: str) -> tuple[str, ...]:
    """Tags as exports write them in one cell: a JSON list (Instapaper), separated by `|`
    (Pocket) or by commas (Raindrop, most others)."""
    if text.startswith("["):
        try:
            value = json.loads(text)
        except ValueError:
            value = None
        if isinstance(value, list):
            return tuple(collapse_spaces(str(v)) for v in value if str(v).strip())
    return split_tags(text, "|" if "|" in text else ",")
