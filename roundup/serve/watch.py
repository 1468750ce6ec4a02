"""Watch a site's sources (content, templates, config file) and queue each burst of changes."""

from __future__ import annotations

import logging
import os
import queue
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import watchfiles

from roundup.read.content import is_ignored

log = logging.getLogger(__name__)

# watchfiles waits this long after a change for more (a save that writes several files, a
# `git checkout`) and yields the burst as one set: one rebuild for the lot.
QUIET_MS = 50
# A burst that never goes quiet (a long copy) is yielded at least this often.
LONGEST_BURST_MS = 400

READY_MS = 200

_BACKUP_ENDINGS = ("~", "#", ".swp", ".swo", ".swx", ".tmp", ".bak", ".orig")


@dataclass(frozen=True, slots=True)
class Sources:
    """What a build reads, and the folders it writes (never a reason to rebuild)."""

    content: Path
    templates: Path
    config: Path | None
    written: tuple[Path, ...] = ()


class Watcher:
    """Two watchfiles threads putting sets of changed paths on `changes`.

    One watches the content and templates folders with their sub-folders; the other watches
    only the folders that hold the config file and those two folders, for the config file
    itself (an editor that saves by renaming a new file over it is seen there) and for a
    templates or content folder that appears or goes away.
    """

    def __init__(self, sources: Sources) -> None:
        self.changes: queue.Queue[set[str]] = queue.Queue()
        self._sources = sources
        # Each thread starts its watch over when a count it watched with has moved on: both
        # when the sources change, the folder thread alone when a watched folder comes or goes.
        self._retargets = 0
        self._folder_moves = 0
        self._moved = threading.Condition()
        self._stop = threading.Event()
        self._ready = [threading.Event(), threading.Event()]
        self._warned: set[str] = set()

    def start(self) -> None:
        threads = (self._watch_folders, self._watch_places)
        for target, ready in zip(threads, self._ready, strict=True):
            thread = threading.Thread(target=target, args=(ready,), name=target.__name__)
            thread.daemon = True  # never holds up the end of the process
            thread.start()

    def wait_ready(self, timeout: float = 10.0) -> bool:
        """Wait until both threads watch (a save from then on is seen); whether they do."""
        deadline = time.monotonic() + timeout
        return all(ready.wait(max(0.0, deadline - time.monotonic())) for ready in self._ready)

    def retarget(self, sources: Sources) -> None:
        """Watch these sources from now on (the config named other folders)."""
        if sources != self._sources:
            self._sources = sources
            self._move("_retargets")

    def stop(self) -> None:
        self._stop.set()
        self._move("_retargets")

    def _move(self, count: str) -> None:
        with self._moved:
            setattr(self, count, getattr(self, count) + 1)
            self._moved.notify_all()

    def _watch_folders(self, ready: threading.Event) -> None:
        watched: list[str] | None = None
        while not self._stop.is_set():
            counts, sources = (self._retargets, self._folder_moves), self._sources
            roots = [str(p) for p in (sources.content, sources.templates) if p.is_dir()]
            # Files written into a folder before its watch began are seen by a rebuild then.
            news = set(roots) - set(watched) if watched is not None else set()
            watched = roots

            def outdated(counts: tuple[int, int] = counts) -> bool:
                return self._stop.is_set() or (self._retargets, self._folder_moves) != counts

            self._run(roots, True, _FolderFilter(sources), outdated, ready, news)

    def _watch_places(self, ready: threading.Event) -> None:
        while not self._stop.is_set():
            count, sources = self._retargets, self._sources
            places = [sources.content, sources.templates]
            if sources.config is not None:
                places.append(sources.config)
            parents = sorted({str(p.parent) for p in places if p.parent.is_dir()})

            def outdated(count: int = count) -> bool:
                return self._stop.is_set() or self._retargets != count

            keep = _PlaceFilter({str(p) for p in places})
            self._run(parents, False, keep, outdated, ready, set())

    def _run(
        self,
        roots: list[str],
        recursive: bool,
        keep: Callable[[watchfiles.Change, str], bool],
        outdated: Callable[[], bool],
        ready: threading.Event,
        news: set[str],
    ) -> None:
        """Queue changes under `roots` until stopped or outdated; once watching, `news` too."""
        if not roots:  # nothing there to watch yet
            ready.set()
            with self._moved:
                self._moved.wait_for(outdated)
            return
        try:
            for changed in watchfiles.watch(
                *roots,
                watch_filter=keep,
                debounce=LONGEST_BURST_MS,
                step=QUIET_MS,
                stop_event=_Until(outdated),
                # Yield (nothing) this often when nothing changes: the first time tells that
                # the watches are in place.
                rust_timeout=READY_MS,
                yield_on_timeout=True,
                recursive=recursive,
                raise_interrupt=False,
                ignore_permission_denied=True,
            ):
                ready.set()
                paths = {path for _, path in changed} | news
                news = set()
                if paths:
                    self.changes.put(paths)
                config = str(self._sources.config)
                if not recursive and any(
                    c != watchfiles.Change.modified and p != config for c, p in changed
                ):
                    # The content or templates folder came or went: watch what is there now.
                    self._move("_folder_moves")
        except (OSError, RuntimeError) as error:
            # A watched folder that went away is retargeted by the other thread; anything else
            # (such as the system's limit on watches) is said once, and tried again.
            if all(os.path.isdir(root) for root in roots) and str(error) not in self._warned:
                self._warned.add(str(error))
                log.warning(
                    "cannot watch %s: %s (WATCHFILES_FORCE_POLLING=1 watches by polling)",
                    ", ".join(roots),
                    error,
                )
            self._stop.wait(0.5)


class _Until:
    """A `stop_event` for watchfiles, which takes anything with an `is_set()` method."""

    def __init__(self, condition: Callable[[], bool]) -> None:
        self.is_set = condition


class _FolderFilter:
    """Changes inside the content and templates folders that may change the site."""

    def __init__(self, sources: Sources) -> None:
        self.content = str(sources.content) + os.sep
        self.templates = str(sources.templates) + os.sep
        self.written = tuple(str(p) + os.sep for p in sources.written)

    def __call__(self, change: watchfiles.Change, path: str) -> bool:
        if path.startswith(self.written):
            return False  # the build's own output, should it sit inside the content folder
        in_content = path.startswith(self.content)
        inside = path[len(self.content if in_content else self.templates) :]
        name = os.path.basename(path)
        if any(part.startswith(".") for part in inside.split(os.sep)):
            return False  # hidden: the build skips these too
        if name.startswith(("#", "~")) or name.endswith(_BACKUP_ENDINGS):
            return False  # an editor's backup or lock file
        if in_content and is_ignored(name):
            # Not an article, unless a folder (moving a folder in reports the folder alone).
            return os.path.isdir(path) or (change == watchfiles.Change.deleted and "." not in name)
        return True


class _PlaceFilter:
    """Changes to the config file, and the content or templates folder coming or going."""

    def __init__(self, places: set[str]) -> None:
        self.places = places

    def __call__(self, change: watchfiles.Change, path: str) -> bool:
        return path in self.places
