"""One build at a time per output folder: an exclusive lock that a crash cannot leave behind."""

from __future__ import annotations

import logging
import os
from pathlib import Path

try:
    import fcntl
except ImportError:  # pragma: no cover - not on POSIX: builds are not locked
    _CAN_LOCK = False
else:
    _CAN_LOCK = True

log = logging.getLogger(__name__)


class FolderLock:
    """`flock` on the folder itself: the kernel releases it when the process ends."""

    def __init__(self, folder: Path, label: str) -> None:
        self._fd: int | None = None
        if not _CAN_LOCK:
            return
        self._fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
        try:
            fcntl.flock(self._fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            log.warning("another build is writing %s; waiting for it to finish", label)
            fcntl.flock(self._fd, fcntl.LOCK_EX)

    def release(self) -> None:
        if self._fd is not None:
            os.close(self._fd)  # releases the lock
            self._fd = None
