"""Spread work over the machine's cores with forked worker processes."""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Sequence
from typing import TypeVar, cast

T = TypeVar("T")
R = TypeVar("R")

# Below this many units of work, starting workers costs more than it saves.
MIN_PARALLEL = 400


def workers() -> int:
    """How many processes to use: ROUNDUP_JOBS if set, else every core this process may use."""
    wanted = os.environ.get("ROUNDUP_JOBS", "")
    if wanted.isdigit() and int(wanted) > 0:
        return int(wanted)
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not on Linux
        return os.cpu_count() or 1


_job: Callable[[int, int], object] | None = None


def _run(shard: int, shards: int) -> object:
    assert _job is not None
    return _job(shard, shards)


def forks(size: int) -> bool:
    """Whether `map_shards` shares out this many units of work among forked workers."""
    return (
        size >= MIN_PARALLEL and workers() > 1 and "fork" in multiprocessing.get_all_start_methods()
    )


def map_shards(function: Callable[[int, int], R], size: int) -> list[R]:
    """Run `function(shard, shards)` in one process per core (or here, for small jobs).

    Workers are forked after `function` is stored in a module global, so they see it and
    everything it closes over (the site, the templates) without pickling; only their
    results travel back.
    """
    global _job
    if not forks(size):
        return [function(0, 1)]
    shards = workers()
    _job = function
    try:
        with multiprocessing.get_context("fork").Pool(shards - 1) as pool:
            # This process takes shard 0 itself: one fork fewer, and its results need no
            # pickling on the way back.
            others = pool.starmap_async(_run, [(shard, shards) for shard in range(1, shards)])
            mine = function(0, shards)
            # The workers run `function` too (as `_job`), so their results are R as well.
            return [mine, *cast("list[R]", others.get())]
    finally:
        _job = None


def shard_of(items: Sequence[T], shard: int, shards: int) -> Sequence[T]:
    """Every `shards`-th item starting at `shard`: balanced without knowing item costs."""
    return items[shard::shards]
