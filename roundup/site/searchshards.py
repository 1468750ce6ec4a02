"""Which links go into which search shard: whole years, else equal runs of months."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from roundup.site import structure as S

BUNDLE_DIR = "pagefind"  # the shards' folder in the output: pagefind/<shard>/
# A shard holds at most this many items, unless one month alone has more. Measured on 38,000
# items in Chromium: a word found in half the pages takes 4 s to search in three shards of
# 12,700 and 0.5-0.6 s in 12, 18 or 36 shards of 3,200 to 1,100 (merging 36 costs 0.2 s more
# to load); an edit re-indexes its shard in a second or two.
SHARD_LIMIT = 3000


@dataclass(frozen=True, slots=True)
class Shard:
    """The items of one period, indexed together; the first shard also carries the runtime."""

    key: str  # "2024" (a whole year), "2024-04-06" (April to June) or "2024-05" (one month)
    items: tuple[S.Item, ...]

    @property
    def path(self) -> str:
        return f"{BUNDLE_DIR}/{self.key}/"


def shards(items: Sequence[S.Item], limit: int = SHARD_LIMIT) -> list[Shard]:
    """The items in shards of whole years, else of equal runs of months, oldest first.

    A year is split only as finely as needed for each part to stay within `limit`, so an
    edit (or a new link) changes one shard and adding links moves no other shard's border
    until its year outgrows its split.
    """
    by_month: dict[tuple[int, int], list[S.Item]] = defaultdict(list)
    for item in items:
        by_month[item.day.year, item.day.month].append(item)
    out = []
    for year in sorted({year for year, _ in by_month}):
        counts = [len(by_month.get((year, month), ())) for month in range(1, 13)]
        span = _span(counts, limit)
        for first in range(1, 13, span):
            chosen = [it for m in range(first, first + span) for it in by_month.get((year, m), ())]
            if chosen:
                out.append(Shard(_key(year, first, first + span - 1), tuple(chosen)))
    return out


def _span(counts: list[int], limit: int) -> int:
    """The most months (a whole year, halves, thirds, quarters, two) whose runs all hold no
    more than `limit` items; else one month."""
    for span in (12, 6, 4, 3, 2):
        if all(sum(counts[first : first + span]) <= limit for first in range(0, 12, span)):
            return span
    return 1


def _key(year: int, first: int, last: int) -> str:
    if first == 1 and last == 12:
        return str(year)
    return f"{year}-{first:02d}" if first == last else f"{year}-{first:02d}-{last:02d}"


def bundle_paths(items: Sequence[S.Item]) -> tuple[str, ...]:
    """The site paths of the shards' bundles, the one carrying the runtime first."""
    return tuple(shard.path for shard in shards(items))
