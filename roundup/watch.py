"""Watch a site's sources (content, templates, config file) and queue each burst of changes."""

from __future__ import annotations

import logging
import os
import queue
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import watchfiles

from roundup.content import is_ignored

log = logging.getLogger(__name__)

# watchfiles waits this long after a change for more (a save that writes several files, a
# `git checkout`) and yields the burst as one set: one rebuild for the lot.
QUIET_MS = 50
# A burst that never goes quiet (a long copy) is yielded at least this often.
LONGEST_BURST_MS = 400

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
        self._targets = 0  # counts retargetings: a thread whose count is old starts over
        self._stop = threading.Event()
        self._retargeted = threading.Condition()

    def start(self) -> None:
        for target in (self._watch_folders, self._watch_places):
            threading.Thread(target=target, name=target.__name__, daemon=True).start()

    def retarget(self, sources: Sources) -> None:
        """Watch these sources from now on (the config named other folders, or a watched
        folder came or went)."""
        with self._retargeted:
            self._sources = sources
            self._targets += 1
            self._retargeted.notify_all()

    def stop(self) -> None:
        self._stop.set()
        self.retarget(self._sources)

    def _watch_folders(self) -> None:
        while not self._stop.is_set():
            targets, sources = self._targets, self._sources
            roots = [str(p) for p in (sources.content, sources.templates) if p.is_dir()]
            self._run(roots, True, _FolderFilter(sources), targets)

    def _watch_places(self) -> None:
        while not self._stop.is_set():
            targets, sources = self._targets, self._sources
            places = [sources.content, sources.templates]
            if sources.config is not None:
                places.append(sources.config)
            parents = sorted({str(p.parent) for p in places if p.parent.is_dir()})
            self._run(parents, False, _PlaceFilter({str(p) for p in places}), targets)

    def _run(self, roots: list[str], recursive: bool, keep: object, targets: int) -> None:
        """Queue changes under `roots` until stopped or retargeted."""

        def retargeted() -> bool:
            return self._stop.is_set() or self._targets != targets

        if not roots:  # nothing there to watch yet
            with self._retargeted:
                self._retargeted.wait_for(retargeted)
            return
        try:
            for changed in watchfiles.watch(
                *roots,
                watch_filter=keep,  # type: ignore[arg-type]
                debounce=LONGEST_BURST_MS,
                step=QUIET_MS,
                stop_event=_Until(retargeted),
                rust_timeout=1000,
                recursive=recursive,
                raise_interrupt=False,
                ignore_permission_denied=True,
            ):
                self.changes.put({path for _, path in changed})
                config = str(self._sources.config)
                if not recursive and any(
                    c != watchfiles.Change.modified and p != config for c, p in changed
                ):
                    # The content or templates folder came or went: watch what is there now.
                    self.retarget(self._sources)
        except (OSError, RuntimeError) as error:  # a watched folder went away under the watch
            log.debug("watching %s stopped: %s", roots, error)
            self._stop.wait(0.2)


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
