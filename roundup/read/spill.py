"""Freshly parsed results written to a file as they are made, not sent back by a worker."""

from __future__ import annotations

import contextlib
import os
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

    def __init__(self, folder: Path | None, shard: int) -> None:
        # Ends in .tmp: the cache's own clean-up leaves it to the build that made it.
        self.path = None if folder is None else folder / f"spill.{os.getpid()}.{shard}.tmp"
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


def remove(paths: set[str]) -> None:
    """Delete spill files once the cache holds their results (readers keep them open)."""
    for path in paths:
        with contextlib.suppress(OSError):
            os.unlink(path)
