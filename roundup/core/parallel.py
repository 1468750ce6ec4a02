"""Spread work over the machine's cores with forked worker processes."""

from __future__ import annotations

import ctypes
import multiprocessing
import os
import signal
import sys
from collections.abc import Callable, Iterator
from multiprocessing.sharedctypes import Synchronized
from typing import TypeVar, cast

R = TypeVar("R")

# Below this many units of work, starting workers costs more than it saves.
MIN_PARALLEL = 400

# What a process is handed at a time: small enough that the processes end together (the
# longest unit, a big listing page, is about 2 ms), large enough that taking the next run
# (a lock shared by the processes) costs nothing next to it.
RUN = 16


def workers() -> int:
    """How many processes to use: ROUNDUP_JOBS if set, else every core this process may use."""
    wanted = os.environ.get("ROUNDUP_JOBS", "")
    if wanted.isdigit() and int(wanted) > 0:
        return int(wanted)
    return _cores()


def _cores() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not on Linux
        return os.cpu_count() or 1


def jobs_warning() -> str | None:
    """What is wrong with ROUNDUP_JOBS, if it is set to anything but a whole number above 0
    (a typo in a CI file would otherwise go unseen, and the build use every core)."""
    wanted = os.environ.get("ROUNDUP_JOBS", "")
    if not wanted or (wanted.isdigit() and int(wanted) > 0):
        return None
    cores = _cores()
    return (
        f"warning: ROUNDUP_JOBS={wanted!r} is not a whole number above 0; using every core "
        f"({cores})"
    )


Work = Callable[[Iterator[int], int], R]
_job: Work[object] | None = None
_next: Synchronized[int] | None = None  # the first unit that no process has taken yet
_size = 0
_parent = 0  # the process that shares out the work
# prctl's request that a signal come when the parent dies (linux/prctl.h).
_PR_SET_PDEATHSIG = 1


def _run(share: int) -> object:
    assert _job is not None and _next is not None
    try:
        return _job(_taken(_next, _size), share)
    except BaseException:
        # The work fails: the other processes take no more of it, and this process's error is
        # raised in the main one as soon as it is done with what it has (not after the rest).
        with _next.get_lock():
            _next.value = _size
        raise


def forks(size: int) -> bool:
    """Whether `share_out` shares this many units of work among forked workers."""
    return (
        size >= MIN_PARALLEL and workers() > 1 and "fork" in multiprocessing.get_all_start_methods()
    )


def share_out(function: Work[R], size: int) -> list[R]:
    """Run `function(units, share)` in one process per core (or here, for small jobs), and
    return what each returned, this process's (share 0) first.

    `units` hands out the numbers 0 to `size - 1`, each to one process only, a run of them
    at a time as the process asks for more: a process slowed by other work (this one, which
    does more for its results) takes fewer, and all end together. Which process makes which
    unit changes from run to run, so results must not depend on it. Workers are forked after
    `function` is stored in a module global, so they see it and everything it closes over
    (the site, the templates) without pickling; only their results travel back.
    """
    global _job, _next, _size, _parent
    if not forks(size):
        return [function(iter(range(size)), 0)]
    shares = workers()
    context = multiprocessing.get_context("fork")
    _job, _next, _size, _parent = function, context.Value("q", 0), size, os.getpid()
    try:
        with context.Pool(shares - 1, initializer=_as_worker) as pool:
            # This process takes share 0 itself: one fork fewer, and its results need no
            # pickling on the way back.
            others = pool.map_async(_run, range(1, shares))
            mine = function(_taken(_next, size), 0)
            # The workers run `function` too (as `_job`), so their results are R as well.
            return [mine, *cast("list[R]", others.get())]
    finally:
        _job, _next = None, None


def _as_worker() -> None:
    """Ctrl-C reaches the whole process group, but only the main process answers it (and stops
    the workers): a worker stopped by it printed "Process ForkPoolWorker-1:" to the terminal.
    A handler the main process set for SIGTERM (serve's) is not the worker's either. And a
    worker goes with the main process when that is killed outright (kill -9, the kernel out of
    memory): left alone, it went on working for nobody, then printed two tracebacks."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    if sys.platform == "linux":
        try:
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
        except (OSError, AttributeError):  # pragma: no cover - no prctl: `_taken` still looks
            pass
    _leave_if_orphaned()


def _leave_if_orphaned() -> None:
    """End this worker at once, silently, if the process that forked it is gone: its work
    is for nobody, and its staged files are cleared by the next build."""
    if os.getppid() != _parent:
        os._exit(1)


def _taken(next_unit: Synchronized[int], size: int) -> Iterator[int]:
    """The units this process takes, a run at a time, until none is left."""
    while True:
        if _parent and os.getpid() != _parent:  # a worker: where prctl is not, look each run
            _leave_if_orphaned()
        with next_unit.get_lock():
            start = next_unit.value
            next_unit.value = start + RUN
        if start >= size:
            return
        yield from range(start, min(start + RUN, size))


def process_runs(pid: int) -> bool:
    """Whether a process of that number runs (as far as this machine can tell): the files
    of a build still running are its own to remove."""
    try:
        os.kill(pid, 0)  # no signal: only asks whether it could be sent
    except ProcessLookupError:
        return False
    except OSError:  # PermissionError: a process of another user
        return True
    return pid > 0
