"""Which recorded files of the output folder changed since the last build, checked in a forked
process while the build reads the content."""

from __future__ import annotations

import contextlib
import marshal
import multiprocessing
import os
import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from roundup.core.parallel import workers
from roundup.state.ownership import MANIFEST, Record, as_recorded, read_records

# A file's identity: replaced whole (as the manifest always is), it gets a new inode.
Identity = tuple[int, int, int, int]


def identity(path: Path) -> Identity | None:
    try:
        found = os.stat(path)
    except OSError:
        return None
    return found.st_dev, found.st_ino, found.st_size, found.st_mtime_ns


class OutputCheck:
    """The answer of a forked process that stats every file the output folder's record names.

    A build after one edit checks that each of its files is as it left it: at 100,000 files
    that is 0.4 s of system calls, which this process would spend after loading and grouping.
    Checked ahead on the other core, it costs the build nothing but the fork, made before the
    content is loaded, while this process is still small.
    """

    def __init__(self, pid: int, answer: int) -> None:
        self.pid = pid  # the checking process
        self._answer = answer
        self._result: tuple[Identity, frozenset[str]] | None = None
        self._done = False  # its answer was read, or given up on
        self._reaped = False

    def changed(self, manifest_seen: Identity | None) -> frozenset[str] | None:
        """The recorded files that are not as recorded, if the check read the manifest this
        build read (`manifest_seen`); None when it did not, or failed: check each file then."""
        if not self._done:
            self._result = self._collect()
        if self._result is None or manifest_seen is None or self._result[0] != manifest_seen:
            return None
        return self._result[1]

    def _collect(self) -> tuple[Identity, frozenset[str]] | None:
        self._done = True
        chunks = []
        fd, self._answer = self._answer, -1  # the file opened on it closes it
        with open(fd, "rb") as answer:
            while chunk := answer.read(1 << 20):
                chunks.append(chunk)
        os.waitpid(self.pid, 0)
        self._reaped = True
        try:
            seen, changed = marshal.loads(b"".join(chunks))
            return tuple(seen), frozenset(changed)
        except (EOFError, ValueError, TypeError):  # the check died: nothing is taken from it
            return None

    def close(self) -> None:
        """Stop the check if its answer was never asked for (the build failed before) or
        reading it was cut short (Ctrl-C): no process is left behind, not even a zombie."""
        if self._reaped:
            return
        self._done = self._reaped = True
        if self._answer >= 0:
            os.close(self._answer)
        with contextlib.suppress(ProcessLookupError):
            os.kill(self.pid, signal.SIGKILL)
        with contextlib.suppress(ChildProcessError):
            os.waitpid(self.pid, 0)


def read_checked(
    records: Path, check: OutputCheck | None
) -> tuple[dict[str, Record] | None, frozenset[str] | None]:
    """The output folder's record (see `read_records`), and which of its files are not as
    recorded if `check` read this same record; None for those when it did not."""
    seen = identity(records / MANIFEST) if check is not None else None
    recorded = read_records(records)
    if check is None or seen is None or identity(records / MANIFEST) != seen:
        return recorded, None  # none, or it changed while read: another build's
    return recorded, check.changed(seen)


@contextmanager
def checking(output: Path, records: Path, wanted: bool = True) -> Iterator[OutputCheck | None]:
    """A check begun in a forked process (see `OutputCheck`), stopped on the way out if its
    answer was never asked for. None where it would not pay (one core, nothing recorded) or
    is not safe (other threads, whose locks a forked child could inherit held)."""
    check = start(output, records) if wanted else None
    try:
        yield check
    finally:
        if check is not None:
            check.close()


def start(output: Path, records: Path) -> OutputCheck | None:
    """Fork the checking process, or None where `checking` says it would not pay or be safe."""
    if (
        workers() < 2
        or "fork" not in multiprocessing.get_all_start_methods()
        or threading.active_count() > 1
        or not (records / MANIFEST).is_file()
    ):
        return None
    try:
        answer, send = os.pipe()
    except OSError:  # out of file descriptors: the writer checks each file itself
        return None
    try:
        pid = os.fork()
    except OSError:  # out of processes or memory: likewise
        os.close(answer)
        os.close(send)
        return None
    if pid == 0:  # pragma: no cover - the child's coverage is not collected
        code = 1
        try:
            os.close(answer)
            with open(send, "wb") as pipe:
                pipe.write(marshal.dumps(_changed_files(output, records)))
            code = 0
        finally:
            os._exit(code)  # never the parent's exit handlers, nor its buffers flushed twice
    os.close(send)
    return OutputCheck(pid, answer)


def _changed_files(output: Path, records: Path) -> tuple[Identity, list[str]] | None:
    seen = identity(records / MANIFEST)
    recorded = read_records(records)
    if seen is None or recorded is None:
        return None
    prefix = os.path.join(output, "")
    return seen, [path for path, r in recorded.items() if not as_recorded(prefix + path, r)]
