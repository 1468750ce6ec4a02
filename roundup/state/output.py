"""Write built files into the output folder safely: staged, write-if-changed, no stray deletes."""

from __future__ import annotations

import contextlib
import os
import shutil
import stat
from pathlib import Path
from types import TracebackType

from roundup.core.errors import OutputError
from roundup.state import signals
from roundup.state.lock import FolderLock
from roundup.state.ownership import (
    LEGACY_STATE,
    MANIFEST,
    PENDING,
    STAGING,
    STAGING_IN_OUTPUT,
    Record,
    as_recorded,
    check_relative,
    check_targets,
    content_hash,
    decode_worker_records,
    encode_worker_records,
    in_site_namespace,
    is_generated,
    left_over,
    move_staged,
    read_manifest,
    replace_atomically,
    write_manifest,
)
from roundup.state.precheck import OutputCheck, read_checked
from roundup.state.removal import delete_gone, delete_unrecorded, not_removed

# The files of a roundup site's top level that bear its marks (see `Writer._recognised`).
_TOP_LEVEL_FILES = ("index.html", "404.html", "feed.xml", "rss.xml")


class Writer:
    """Stages new and changed files, then moves them into the output folder in one step.

    Nothing in the output folder changes until `commit`, and nothing there is ever half
    written: each file is written whole elsewhere, then renamed into place. Unchanged files
    keep their bytes and modification times. Only files roundup can prove it wrote (by its
    record, or by their marks when the record is lost) are ever replaced or deleted. One build
    at a time: the output folder is locked (`flock`, which a crash cannot leave behind).
    """

    def __init__(
        self, root: Path, records: Path, label: str | None = None, check: OutputCheck | None = None
    ) -> None:
        self.root = root
        self._root = os.path.join(root, "")  # with a trailing separator
        self.records = records
        self.label = label or str(root)  # how messages name the output folder
        self.created_root = False
        self.old: dict[str, Record] = {}
        self.recovering = False  # no trustworthy record: ownership is proven by marks
        self.new: dict[str, Record] = {}
        self.staged: list[str] = []
        self.written = 0
        self.staging = ""
        self.staging_root: Path | None = None
        self._staged: set[str] = set()
        # Files of this output's records folder to write (bytes) or remove (None) on commit.
        self.record_files: dict[str, bytes | None] = {}
        self._lock: FolderLock | None = None
        self._check = check  # which files are as recorded, found out ahead (see `precheck`)
        self._changed: frozenset[str] | None = None  # its answer, once the record is read

    def __enter__(self) -> Writer:
        try:
            self.open()
        except BaseException:
            # A folder refused after it was locked: a process that builds again (`serve`)
            # would otherwise wait for its own lock on the next build, for ever.
            self.abort()
            self.close()
            raise
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if kind is not None:
            self.abort()
        self.close()

    def open(self) -> None:
        try:
            if not self.root.exists():
                self.root.mkdir(parents=True)
                self.created_root = True
            self._lock = FolderLock(self.root, self.label)
            self.records.mkdir(mode=0o700, parents=True, exist_ok=True)
        except OSError as error:
            raise self._failure(error, self.root) from None
        records, self._changed = read_checked(self.records, self._check)
        if records is None and not self._empty():
            self.recovering = True
            # What a commit that was cut short had recorded is still roundup's.
            records = read_manifest(self.records / MANIFEST) or read_manifest(
                self.root / LEGACY_STATE / MANIFEST
            )
        self.old = records or {}
        self._remove_stale_staging()
        if self.recovering and not self.old and not self._recognised():  # not empty either
            raise OutputError(
                f"{self.label} is not empty and roundup did not make it (its home page and "
                "feeds have no roundup marks); empty it or choose another output folder"
            )
        same_device = os.stat(self.root).st_dev == os.stat(self.records).st_dev
        self.staging_root = (
            self.records / STAGING
            if same_device
            else self.root / (STAGING_IN_OUTPUT + str(os.getpid()))
        )
        # The tree that commit moves into place, and beside it room for other programs (such
        # as Pagefind) to write files that are then adopted into the tree by a rename.
        self.staging = os.path.join(self.staging_root, "tree", "")

    def close(self) -> None:
        if self._lock is not None:
            self._lock.release()
            self._lock = None

    def _remove_stale_staging(self) -> None:
        """Files a killed build staged: never in the site, removed now that the lock is ours."""
        shutil.rmtree(self.records / STAGING, ignore_errors=True)
        for entry in os.scandir(self.root):
            if entry.name.startswith(STAGING_IN_OUTPUT) and entry.is_dir(follow_symlinks=False):
                shutil.rmtree(entry.path, ignore_errors=True)

    def _recognised(self) -> bool:
        """Whether the folder is a site roundup made: its home page, 404 page or main feeds
        bear roundup's marks. Only its top level counts: a project folder or any other
        folder that merely holds a roundup site somewhere inside (another project's
        `output/`, a copy kept in a sub-folder) is not one, and recovering would delete
        that site's pages as files this build did not make."""
        return any(self._marked(path) for path in _TOP_LEVEL_FILES)

    def _empty(self) -> bool:
        """Whether the folder holds nothing but what a killed build may have staged there."""
        with os.scandir(self.root) as entries:
            return all(entry.name.startswith(STAGING_IN_OUTPUT) for entry in entries)

    def _marked(self, path: str) -> bool:
        try:
            with open(self._root + path, "rb") as file:
                return is_generated(path, file.read(16384 if path.endswith(".html") else -1))
        except OSError:
            return False

    def is_current(self, path: str, key: str) -> bool:
        """Whether `path` was made from the same inputs last time and is untouched since."""
        old = self.old.get(path)
        if old is None or not key or old.key != key or not self._untouched(path, old):
            return False
        self._claim(path, old)
        return True

    def _untouched(self, path: str, old: Record) -> bool:
        if self._changed is not None:  # every recorded file was looked at ahead
            return path not in self._changed
        return as_recorded(self._root + path, old)

    def _claim(self, path: str, record: Record) -> None:
        if path in self.new:
            raise OutputError(f"two outputs for one path: /{path}")
        self.new[path] = record

    def keep(self, paths: list[str], key: str) -> bool:
        """Keep these files of the last build, all or none: whether each was made from the
        same inputs (`key`) and is untouched since (a set of files that only work together,
        such as a search index, is never kept in part)."""
        kept: list[tuple[str, Record]] = []
        for path in paths:
            old = self.old.get(path)
            if old is None or old.key != key or not self._untouched(path, old):
                return False
            kept.append((path, old))
        for path, old in kept:
            self._claim(path, old)
        return True

    def digest(self, path: str) -> str:
        """The content hash of the file this build publishes at `path` (recorded already)."""
        return self.new[path].digest

    def source(self, path: str) -> str:
        """Where the bytes this build publishes at `path` are now: staged, or already in place."""
        return (self.staging if path in self._staged else self._root) + path

    def scratch(self) -> Path:
        """A folder on the staging folder's device, for files to `adopt`; removed with it."""
        assert self.staging_root is not None, "open the writer first"
        folder = self.staging_root / "scratch"
        folder.mkdir(parents=True, exist_ok=True)
        return folder

    def add(self, path: str, data: bytes, key: str = "") -> None:
        """Record an output file; its bytes are staged only when they differ from the last build."""
        check_relative(path)
        digest = content_hash(data)
        if self._kept_as_is(path, data, digest, key):
            return
        written = self._stage(path, data)
        self._claim(path, Record(digest, written.st_size, written.st_mtime_ns, key))
        self.staged.append(path)
        self._staged.add(path)

    def adopt(self, path: str, file: str, key: str = "") -> None:
        """Record an output file another program wrote into `scratch()`: as `add`, but moved
        into the staging tree rather than written again (on some disks, making files costs
        more than the rest of a build)."""
        check_relative(path)
        with open(file, "rb") as made:
            data = made.read()
        digest = content_hash(data)
        if self._kept_as_is(path, data, digest, key):
            return  # the new copy goes with the scratch folder
        target = self.staging + path
        try:
            self._make_folder_of(target)
            os.replace(file, target)
            moved = os.stat(target)
        except OSError as error:
            raise self._failure(error, self.root / path) from None
        self._claim(path, Record(digest, moved.st_size, moved.st_mtime_ns, key))
        self.staged.append(path)
        self._staged.add(path)

    def _kept_as_is(self, path: str, data: bytes, digest: str, key: str) -> bool:
        """Record the file in place when the output folder already holds these bytes."""
        old = self.old.get(path)
        if old is not None and old.digest == digest and self._untouched(path, old):
            self._claim(path, Record(digest, old.size, old.mtime_ns, key))
            return True
        if self.recovering and self._same_bytes(path, data):
            found = os.stat(self._root + path)
            self._claim(path, Record(digest, found.st_size, found.st_mtime_ns, key))
            return True
        return False

    def _make_folder_of(self, target: str) -> None:
        # One `mkdir`: most folders are an item's, whose parent is already made, and hold one
        # file. Not remembered: a set of every folder made took 13 MB at 100,000 articles,
        # to spare the few folders of more than one file a `mkdir` each.
        folder = target.rpartition("/")[0]
        try:
            os.mkdir(folder)
        except FileNotFoundError:
            os.makedirs(folder, exist_ok=True)
        except FileExistsError:
            pass

    def _same_bytes(self, path: str, data: bytes) -> bool:
        try:
            with open(self._root + path, "rb") as file:
                return os.fstat(file.fileno()).st_size == len(data) and file.read() == data
        except OSError:
            return False

    def _stage(self, path: str, data: bytes) -> os.stat_result:
        # Strings and file descriptors, not Paths, and each folder made once: a cold build
        # stages every file of the site this way. Renaming keeps the modification time, so the
        # record can take it from here.
        target = self.staging + path
        try:
            self._make_folder_of(target)
            fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_CLOEXEC, 0o666)
            try:
                unwritten = memoryview(data)
                while unwritten:
                    unwritten = unwritten[os.write(fd, unwritten) :]
                return os.fstat(fd)
            finally:
                os.close(fd)
        except OSError as error:
            if isinstance(error, PermissionError) and not self.staging.startswith(self._root):
                # Staged in the cache folder: that is the folder to fix, not the page's.
                where = self.staging[:-1]
                raise OutputError(f"permission denied while staging files in {where}") from None
            raise self._failure(error, self.root / path) from None

    def _output_path(self, filename: str | bytes | None) -> Path:
        """The output file a failing system call was about (it may have named a staged file)."""
        name = os.fsdecode(filename) if filename else ""
        if name.startswith(self.staging):
            return self.root / name[len(self.staging) :]
        return Path(name) if name.startswith(self._root) else self.root

    def _failure(self, error: OSError, path: Path) -> OutputError:
        """One line for a failed write: what went wrong and the file roundup was making."""
        reason = (error.strerror or str(error)).lower()
        shown = self.label
        if path != self.root:
            shown += "/" + os.path.relpath(path, self.root).replace(os.sep, "/")
        return OutputError(f"{reason} while writing {shown}")

    def for_worker(self, shard: int) -> Writer:
        """Prepare this (forked) copy to work alone: empty results, no lock to release."""
        self.new, self.staged, self.written, self._staged, self._lock = {}, [], 0, set(), None
        return self

    def recorded(self) -> bytes:
        """What this (forked) copy recorded, encoded for `merge` in the process that forked it."""
        staged = {path: self.new[path] for path in self.staged}
        kept = {path: record for path, record in self.new.items() if path not in self._staged}
        return encode_worker_records((staged, kept))

    def merge(self, recorded: bytes) -> None:
        """Take over what a worker `recorded`, refusing paths that two workers both claimed."""
        staged, kept = decode_worker_records(recorded)
        for records in (staged, kept):
            for path, record in records.items():
                self._claim(path, record)
        self.staged.extend(staged)
        self._staged.update(staged)

    def commit(self) -> None:
        """Move staged files into place, delete files of the last build that are gone, record."""
        self._check_targets()  # every refusal before the first move, so a refusal changes nothing
        pending = self.records / PENDING
        kept: list[str] = []  # files of the last build that could not be removed, and why
        with signals.held():  # stopped halfway, the folder would be half old, half new
            moved = False
            try:
                pending.touch()
                if self.staged:  # all of it, or (a move failing) none: see `move_staged`
                    move_staged(self.staging.rstrip("/"), self._root.rstrip("/"))
                moved = True
                if self.staging_root is not None:
                    shutil.rmtree(self.staging_root, ignore_errors=True)  # what was not adopted
                self.written += len(self.staged)
                kept = delete_gone(self.root, self.label, self.old, self.new)
                if self.recovering:
                    kept += delete_unrecorded(self.root, self.label, self.new, self._marked)
                shutil.rmtree(self.root / LEGACY_STATE, ignore_errors=True)
                if self.new != self.old or self.recovering:
                    write_manifest(self.records / MANIFEST, self.new, self.root.resolve())
                for name, data in self.record_files.items():
                    self._write_record(name, data)
                pending.unlink()
            except OSError as error:
                name = os.fsdecode(error.filename or "")
                if moved and not name.startswith(self._root):  # the record, in the cache folder
                    reason = (error.strerror or str(error)).lower()
                    raise OutputError(
                        f"{reason} while writing the record of {self.label} in the cache "
                        f"folder ({name}); the site in {self.label} is complete, and the next "
                        "build checks every file of it"
                    ) from None
                if not moved:  # the folder is as recorded: no commit to finish
                    pending.unlink(missing_ok=True)
                raise self._failure(error, self._output_path(error.filename)) from None
        if kept:
            raise OutputError(f"{not_removed(kept)}; the rest of the site is written")

    def _check_targets(self) -> None:
        """Refuse folders that are links or files, and files roundup did not write."""
        if not self.created_root:
            check_targets(self.root, self.label, self.staged, self._may_replace)

    def _may_replace(self, path: str) -> bool:
        return path in self.old or self._replaceable(path)

    def _replaceable(self, path: str) -> bool:
        """Whether a file roundup wants to write may take the place of what is there."""
        try:
            found = os.lstat(self._root + path)
        except FileNotFoundError:
            return True
        if not stat.S_ISREG(found.st_mode):
            return False
        if self._marked(path) or left_over(path):  # the search index: its names are marks
            return True
        return self.recovering and in_site_namespace(path)

    def abort(self) -> None:
        """Undo everything this build did: the output folder is as it was before."""
        shutil.rmtree(self.staging_root or self.records / STAGING, ignore_errors=True)
        if self.created_root:
            with contextlib.suppress(OSError):  # not empty: a user's file arrived meanwhile
                self.root.rmdir()

    def _write_record(self, name: str, data: bytes | None) -> None:
        if data is None:
            (self.records / name).unlink(missing_ok=True)
        else:
            replace_atomically(self.records / name, data)
