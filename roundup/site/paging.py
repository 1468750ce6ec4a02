"""Splitting listings into pages by item count: pagers, and the runs of editions each page shows."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from itertools import chain

from roundup.site.structure import Edition, Group, Item

PAGE_WINDOW = 2  # numbered page links shown on each side of the current page


@dataclass(frozen=True, slots=True)
class Pager:
    """Where a paginated page stands: its number, the total, and the neighbours' paths."""

    number: int
    total: int
    previous: str | None  # path of the newer page
    next: str | None  # path of the older page
    first: str
    # Numbered links to show: (number, path), with None where a run of pages is left out.
    links: tuple[tuple[int, str] | None, ...] = ()


def page_count(total: int, per_page: int) -> int:
    return max(1, math.ceil(total / per_page))


def pager(number: int, total: int, path_of: Callable[[int], str]) -> Pager:
    return Pager(
        number,
        total,
        path_of(number - 1) if number > 1 else None,
        path_of(number + 1) if number < total else None,
        path_of(1),
        tuple(None if n is None else (n, path_of(n)) for n in page_window(number, total)),
    )


def paginate(
    total_items: int, per_page: int, path_of: Callable[[int], str]
) -> list[tuple[int, slice, Pager]]:
    """(number, the slice of the items it shows, its pager) of each page of a listing."""
    total = page_count(total_items, per_page)
    return [
        (n, slice((n - 1) * per_page, n * per_page), pager(n, total, path_of))
        for n in range(1, total + 1)
    ]


def page_window(number: int, total: int, width: int = PAGE_WINDOW) -> list[int | None]:
    """First, last and the pages near `number`; None marks a gap ("1 … 4 5 6 … 20").

    A gap of one page shows that page instead, since "…" would take as much room.
    """
    shown = sorted({1, total, *range(max(1, number - width), min(total, number + width) + 1)})
    out: list[int | None] = []
    last = 0
    for n in shown:
        if n - last == 2:
            out.append(n - 1)
        elif n - last > 2:
            out.append(None)
        out.append(n)
        last = n
    return out


@dataclass(frozen=True, slots=True)
class Part:
    """The run of one edition's items that one page shows: all of them, or a part.

    Plain values, not the edition itself: a page is made again only when what it shows
    changed, and a page showing ten of a day's links does not show the other three hundred.
    """

    day: date
    path: str  # the edition's own page
    title: str  # the edition's title: its date, its week, or `edition_title` filled in
    dates: str  # the days it covers, in words
    kind: str  # "day" or "week"
    total: int  # links in the whole edition
    first: int  # how many of the edition's links come before this run, in its order
    items: tuple[Item, ...]  # in the order the listing shows them
    groups: tuple[Group, ...] = ()  # the same items under their first topic, where shown so

    @property
    def continued(self) -> bool:
        """Whether the edition began on an earlier page."""
        return self.first > 0

    @property
    def continues(self) -> bool:
        """Whether the edition goes on on a later page."""
        return self.first + len(self.items) < self.total


def in_page_order(edition: Edition) -> tuple[Item, ...]:
    """An edition's items as its listing shows them: group by group."""
    return tuple(chain.from_iterable(group.items for group in edition.groups))


def grouped_part(edition: Edition, start: int, stop: int) -> Part:
    """The edition's items `start:stop` in page order, under the groups they belong to."""
    groups = []
    at = 0
    for group in edition.groups:
        end = at + len(group.items)
        if end > start and at < stop:
            groups.append(Group(group.topic, group.items[max(start - at, 0) : stop - at]))
        at = end
    items = tuple(chain.from_iterable(g.items for g in groups))
    return Part(*_edition_head(edition), len(edition.items), start, items, tuple(groups))


def listed_part(edition: Edition, start: int, stop: int) -> Part:
    """The edition's items `start:stop`, newest first, without groups (archive listings)."""
    items = edition.items[start:stop]
    return Part(*_edition_head(edition), len(edition.items), start, items)


def _edition_head(edition: Edition) -> tuple[date, str, str, str, str]:
    """What a part shows of its edition besides its items."""
    return edition.day, edition.path, edition.title, edition.dates, edition.kind


def edition_pages(edition: Edition, per_page: int) -> list[Part]:
    """An edition split into pages of `per_page` items, in page order."""
    count = len(edition.items)
    return [grouped_part(edition, s, s + per_page) for s in range(0, max(count, 1), per_page)]


Cut = Callable[[Edition, int, int], Part]


def runs_into_pages(
    editions: Iterable[Edition],
    per_page: int,
    cut: Cut,
    max_editions: int | None = None,
    min_room: int = 1,
) -> list[tuple[Part, ...]]:
    """Consecutive editions laid out on pages of at most `per_page` items (and at most
    `max_editions` editions or parts of one), newest first.

    An edition that does not fit in the room a page has left starts the next page, unless
    that room is at least `min_room` items: then the page is filled with its first items,
    and it goes on on the next page (as a big edition does, over as many pages as it needs).
    """
    pages: list[list[Part]] = [[]]
    used = 0
    for edition in editions:
        count, start = len(edition.items), 0
        while start < count:
            page = pages[-1]
            room = per_page - used
            full = bool(max_editions and len(page) >= max_editions)
            if page and (full or room <= 0 or (count - start > room and room < min_room)):
                pages.append([])
                page, used, room = pages[-1], 0, per_page
            stop = min(count, start + room)
            page.append(cut(edition, start, stop))
            used += stop - start
            start = stop
    return [tuple(page) for page in pages]
