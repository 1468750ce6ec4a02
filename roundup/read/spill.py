"""Freshly parsed results written to a file as they are made, not sent back by a worker."""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import BinaryIO

# Where a result was written: the file, its offset and its length.
Spilled = tuple[str, int, int]


class Spill:
    """The stored results (see `stored.dump`) a parsing process makes, appended to a file in
    the parse cache folder. Workers send back only where each result is, and the main
    process reads each back to load it: sent through the pool, the bytes of 100,000 results
    (157 MB) were all in memory at once, in the workers and then in the main process, until
    the cache was saved; and at 30,000 the main process waited 0.26 s for them."""

    def __init__(self, folder: Path | None, share: int, owner: int) -> None:
        # Named after the build's process (`owner`), which removes it when done (`remove_own`),
        # or the next build once that process is gone (ParseCache.save): a build stopped by
        # Ctrl-C or killed left one of 10-20 MB behind for good.
        self.path = None if folder is None else folder / f"spill.{owner}.{share}.tmp"
        self._file: BinaryIO | None = None
        self._offset = 0

    def add(self, blob: bytes) -> Spilled | None:
        """Write one result; None when it cannot be written (the caller sends it instead)."""
        if self.path is None:
            return None
        try:
            file = self._file
            if file is None:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                file = self._file = open(self.path, "wb", buffering=1 << 20)  # noqa: SIM115
            file.write(blob)
        except OSError:
            self.path = None  # the disk is full, say: the rest travel as bytes
            return None
        where = (str(self.path), self._offset, len(blob))
        self._offset += len(blob)
        return where

    def close(self) -> None:
        """Flush what was written, for the main process to read. If that fails, reading a
        result back fails too, and the main process parses its file again."""
        if self._file is not None:
            with contextlib.suppress(OSError):
                self._file.close()
            self._file = None


def remove_own(folder: Path, owner: int) -> None:
    """Delete the spill files of the build of process `owner`, once the cache holds their
    results or the build stops (readers keep them open)."""
    with contextlib.suppress(OSError):
        for path in folder.glob(f"spill.{owner}.*.tmp"):
            with contextlib.suppress(OSError):
                path.unlink()
