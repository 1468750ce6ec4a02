"""Netscape bookmark HTML, the export of every browser and of Pinboard, Raindrop, linkding and
Pocket: each `<A HREF>` with its `<DD>` description and the folders around it.

The format is HTML of the 1990s: `<DT>` and `<DD>` are never closed, `<p>` follows every
`<DL>`, and each browser nests it a little differently, so the tree lxml builds from it is
not the folder tree. The reader walks the elements in document order instead: an `<H3>`
names the folder whose `<DL>` comes next, a `<DL>` opens it and `</DL>` closes it, and a
`<DD>` describes the link right before it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import tzinfo

import lxml.html
from lxml import etree

from roundup.core.text import collapse_spaces
from roundup.importers.dates import DateProblem, parse_date
from roundup.importers.entry import (
    SYSTEM_FOLDERS,
    UNREAD_FOLDERS,
    Entry,
    Skip,
    flag,
    split_tags,
)
from roundup.importers.htmlmarkdown import note_markdown

__all__ = ["cut_short", "looks_like_bookmarks", "read_bookmarks"]

_DOCTYPE = re.compile(r"<!DOCTYPE\s+NETSCAPE-Bookmark-file-1\s*>", re.I)
# Pocket's old export: a plain HTML list of links, each with `time_added`.
_POCKET = re.compile(r"<a\s[^>]*\btime_added\s*=", re.I)
# linkding appends the bookmark's notes to its description in these markers.
_LINKDING_NOTES = re.compile(r"\[linkding-notes\](.*?)\[/linkding-notes\]", re.S)
_SERVICE_TAG = re.compile(r"^linkding:", re.I)  # linkding's own marks, such as `linkding:archived`
# Attributes browsers put on their own top folders (toolbar, "Other bookmarks").
# Firefox marks "Other Bookmarks" UNFILED_FOLDERS, whatever the language names it.
_ROOT_MARKS = ("personal_toolbar_folder", "unfiled_bookmarks_folder", "unfiled_folders")
_READING_LIST = "com.apple.readinglist"  # Safari's Reading List folder id
# Elements that end the description of the bookmark before them, or start a new one.
_OPENING = frozenset({"dl", "h3", "h1", "a", "dd"})


def looks_like_bookmarks(head: str) -> bool:
    """Whether the start of a file is bookmark HTML: Netscape's doctype, or Pocket's list."""
    return bool(_DOCTYPE.search(head[:4096]) or _POCKET.search(head[:65536]))


def cut_short(text: str) -> bool:
    """Whether the document closes fewer lists than it opens: every browser closes each
    `<DL>`, so a file that does not was cut short (a download or a copy stopped)."""
    return len(_LIST_END.findall(text)) < len(_LIST_START.findall(text))


_LIST_START = re.compile(r"<dl[\s>]", re.I)
_LIST_END = re.compile(r"</dl\s*>", re.I)


@dataclass(frozen=True, slots=True)
class _Folder:
    name: str
    system: bool  # a browser's own top folder (toolbar, menu, "Other bookmarks")
    unread: bool  # links still to be read (Safari's Reading List, Pocket's "Unread")


@dataclass(slots=True)
class _Bookmark:
    """A bookmark's attributes as written, until its `<DD>` (if any) has been read."""

    line: int
    url: str
    title: str
    added: str | None
    tags: str
    private: bool
    unread: bool
    folders: tuple[str, ...]
    image: str
    description: str = ""


def read_bookmarks(text: str, zone: tzinfo) -> Iterator[Entry | Skip]:
    """Every bookmark of the document, in order, with the folders it sits in (outermost
    first, browsers' own top folders left out) and its `<DD>` description."""
    parser = lxml.html.HTMLParser(remove_comments=True, huge_tree=True)
    root = lxml.html.document_fromstring(text, parser=parser)
    stack: list[_Folder | None] = []  # one per open <DL>: the folder it is, if any
    pending: _Folder | None = None  # the folder an <H3> named, until its <DL> opens
    section = ""  # an <H1>'s text: Pocket's "Unread" and "Read Archive"
    last: _Bookmark | None = None  # the bookmark a following <DD> describes
    for event, element in etree.iterwalk(root, events=("start", "end")):
        tag = element.tag if isinstance(element.tag, str) else ""
        if event == "end":
            if tag == "dl" and stack:
                stack.pop()
            continue
        if tag == "dd" and last is not None:
            last.description = _own_text(element)
        elif tag not in _OPENING:
            continue
        if last is not None:  # nothing else can describe it now
            yield _entry(last, zone)
            last = None
        if tag == "dl":
            stack.append(pending)
            pending = None
        elif tag == "h3":
            pending = _folder(element, depth=sum(1 for f in stack if f is not None))
        elif tag == "h1":
            section = collapse_spaces(element.text_content())
        elif tag == "a" and _is_bookmark(element):
            last = _bookmark(element, stack, section)
    if last is not None:
        yield _entry(last, zone)


def _is_bookmark(anchor: lxml.html.HtmlElement) -> bool:
    """A link of the list: one with an HREF outside a description, or a `<DT>`'s anchor
    without one (a bookmark that lost its link, told as skipped rather than left out)."""
    if _in_description(anchor):
        return False
    parent = anchor.getparent()
    return anchor.get("href") is not None or (parent is not None and parent.tag == "dt")


def _in_description(anchor: lxml.html.HtmlElement) -> bool:
    """Whether a link is part of a `<DD>`'s text rather than a bookmark (an unclosed `<DD>`
    also holds the `<DL>` after it, whose links are bookmarks)."""
    parent = anchor.getparent()
    while parent is not None:
        if parent.tag == "dd":
            return True
        if parent.tag in ("dl", "dt", "li"):
            return False
        parent = parent.getparent()
    return False


def _folder(h3: lxml.html.HtmlElement, depth: int) -> _Folder:
    name = collapse_spaces(h3.text_content())
    marked = any(flag(h3.get(mark)) for mark in _ROOT_MARKS)
    reading_list = (h3.get("id") or "").lower() == _READING_LIST
    system = marked or reading_list or (depth == 0 and name.casefold() in SYSTEM_FOLDERS)
    unread = reading_list or (depth == 0 and name.casefold() in UNREAD_FOLDERS)
    return _Folder(name, system, unread)


def _bookmark(
    anchor: lxml.html.HtmlElement, stack: list[_Folder | None], section: str
) -> _Bookmark:
    folders = [f for f in stack if f is not None]
    return _Bookmark(
        line=anchor.sourceline or 0,
        url=anchor.get("href") or "",
        # Not text_content(): an anchor left unclosed holds the bookmarks after it, and
        # their titles (a private one's too) would all become this link's.
        title=_own_text(anchor, until=("dl", "dt", "h3", "dd", "a", "h1", "p", "li")),
        added=anchor.get("add_date") or anchor.get("time_added"),
        tags=anchor.get("tags") or "",
        private=flag(anchor.get("private")),
        unread=flag(anchor.get("toread"))
        or any(f.unread for f in folders)
        or section.casefold() in UNREAD_FOLDERS,
        folders=tuple(f.name for f in folders if not f.system and f.name),
        image=anchor.get("data-cover") or "",
    )


def _own_text(
    element: lxml.html.HtmlElement, until: tuple[str, ...] = ("dl", "dt", "h3", "dd")
) -> str:
    """A `<DD>`'s text (or an `<A>`'s), without the folders and bookmarks that an unclosed
    one swallowed (the elements `until` starts)."""
    pieces = [element.text or ""]
    for child in element:
        if isinstance(child.tag, str) and child.tag in until:
            break
        pieces.append(child.text_content() if isinstance(child.tag, str) else "")
        pieces.append(child.tail or "")
    return "".join(pieces).strip()


def _entry(bookmark: _Bookmark, zone: tzinfo) -> Entry | Skip:
    place = str(bookmark.line)
    try:
        published_at = parse_date(bookmark.added, zone)
    except DateProblem as problem:
        return Skip(place, "ADD_DATE", str(problem))
    description, note = bookmark.description, ""
    notes = _LINKDING_NOTES.search(description)
    if notes:
        note = note_markdown(notes.group(1))
        description = _LINKDING_NOTES.sub("", description).strip()
    tags = tuple(t for t in split_tags(bookmark.tags) if not _SERVICE_TAG.match(t))
    return Entry(
        place=place,
        url=bookmark.url,
        title=bookmark.title,
        description=description,
        note=note,
        tags=tags,
        folders=bookmark.folders,
        published_at=published_at,
        private=bookmark.private,
        unread=bookmark.unread,
        image=bookmark.image,
    )
