"""What templates show of an item: the filters the renderer registers (plural, coverage...)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from roundup.core.model import Image, Related
from roundup.site import sources
from roundup.site.structure import Item


def without(values: tuple[Any, ...], unwanted: Any) -> tuple[Any, ...]:
    """`values` less any equal to `unwanted`: an item's topics less the one its group names."""
    return tuple(v for v in values if v != unwanted) if unwanted in values else values


# Topics a listing shows of one link; the rest are counted ("3 more", linking to its page).
# Imported bookmarks carry 20 tags and more: shown whole, 30 such links made a page of a day
# or a topic heavier than the light-page limit of 1,400 elements.
LISTED_TOPICS = 8


def listed_topics(topics: tuple[Any, ...]) -> tuple[tuple[Any, ...], int]:
    """The topics a listing shows, and how many it leaves out."""
    if len(topics) <= LISTED_TOPICS:
        return topics, 0
    return topics[:LISTED_TOPICS], len(topics) - LISTED_TOPICS


def first_image(item: Item) -> Image | None:
    """The first image worth showing: not a tracking pixel or icon (when its size is known)."""
    return item.first_image


def domain_of(record: Item | Related) -> str:
    return record.domain if isinstance(record, Item) else sources.domain_of(record)


def provider_of(record: Item | Related) -> str:
    """Who published it: the provider's name, else its domain."""
    return record.provider_name if isinstance(record, Item) else sources.provider_of(record)


@dataclass(frozen=True, slots=True)
class Coverage:
    """One provider's related links, for "Also covered by …"."""

    provider: str
    links: tuple[Related, ...]


def coverage(related: Iterable[Related], limit: int = 0) -> tuple[tuple[Coverage, ...], int]:
    """Related links grouped by provider in first-seen order, and how many `limit` left out.

    Grouping keeps "Also covered by GitHub, GitHub" from naming one provider twice.
    """
    links = [r for r in related if r.url]
    shown = links[:limit] if limit else links
    groups: dict[str, list[Related]] = {}
    for link in shown:
        groups.setdefault(provider_of(link), []).append(link)
    return tuple(Coverage(p, tuple(ls)) for p, ls in groups.items()), len(links) - len(shown)


# Serialised sanitiser output has quoted attribute values and escaped text, so this reads its
# tags exactly; a plain "<img" search could match inside an attribute value.
_TOKEN = re.compile(
    r'<(/?)([a-zA-Z][a-zA-Z0-9]*)((?:\s+[^\s"\'=<>/]+(?:="[^"]*")?)*)\s*/?>|[^<]+|<'
)
_HEADING = re.compile(r"h([1-6])")
# Where a tag this filter rewrites starts (a heading, an image, a code block, a table); a
# comment with none (most comments) comes out unchanged, with no tokenising. One search: it
# runs for every listed comment, and ten `in` tests took five times as long.
_REWRITTEN = re.compile(r"</?[hH]|<[iI]|<(?:pre|PRE|table|TABLE)")
# Boxes that scroll sideways when wider than the column: reachable by keyboard too.
_SCROLLING = ("pre", "table")


def comment_html(html: str, level: int) -> str:
    """The sanitised comment with its headings below `level`, its images lazy, and its code
    blocks and tables focusable (they scroll sideways; a keyboard must reach them).

    The curator writes "## Why" whatever the page; moved down, the page keeps one h1 and no
    skipped levels. Levels beyond h6 become bold paragraphs.
    """
    if _REWRITTEN.search(html) is None:
        return html
    tokens = list(_TOKEN.finditer(html))
    levels = sorted({int(m[2][1]) for m in tokens if m[2] and _HEADING.fullmatch(m[2].lower())})
    # Ranked rather than shifted, so "## A" then "#### B" nest without a skipped level too.
    new_level = {old: level + 1 + rank for rank, old in enumerate(levels)}
    out = []
    for m in tokens:
        closing, name, attributes = m[1], (m[2] or "").lower(), m[3] or ""
        if _HEADING.fullmatch(name):
            new = new_level[int(name[1])]
            if new <= 6:
                out.append(f"<{closing}h{new}{attributes}>")
            elif closing:
                out.append("</p>")
            else:
                out.append(f'<p class="comment-heading"{attributes}>')
        elif name == "img" and not closing:
            out.append(f'<img{attributes} loading="lazy" decoding="async">')
        elif name in _SCROLLING and not closing:
            out.append(f'<{name}{attributes} tabindex="0">')
        else:
            out.append(m[0])
    return "".join(out)
