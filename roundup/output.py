"""Write built files into the output folder safely: staged, write-if-changed, no stray deletes."""

from __future__ import annotations

import contextlib
import errno
import hashlib
import json
import logging
import os
import re
import shutil
import stat
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

from roundup.errors import OutputError

try:
    import fcntl
except ImportError:  # pragma: no cover - not on POSIX: builds are not locked
    fcntl = None  # type: ignore[assignment]

log = logging.getLogger(__name__)

MANIFEST = "manifest.json"  # in the output folder's records folder (see `state.StateFolder`)
PENDING = "commit-pending"  # present while a commit moves files: the record may be behind
STAGING = "staging"  # new files, in the records folder when it is on the output's device
STAGING_IN_OUTPUT = ".roundup-staging-"  # ...else here, removed by the next build if left
LEGACY_STATE = ".roundup"  # where versions before 0.2 kept their state, inside the output
_MANIFEST_VERSION = 2

# How roundup knows its own files when its record is lost (the cache folder deleted, or a
# build killed while committing): HTML pages carry the theme's generator tag, feeds name
# their generator, static files carry their content hash in their name.
_HTML_MARK = b'<meta name="generator" content="roundup'
_FEED_MARK = b">roundup</generator>"
_ASSET = re.compile(r"assets/(?:.*/)?[^/]*\.([0-9a-f]{8})(?:\.[^./]*)?")
# Files of a roundup site with fixed names: roundup's once its folder is known to be.
SITE_FILES = frozenset(
    {"robots.txt", "sitemap.xml", "feeds.opml", "feed.json", "404.html", ".nojekyll", "CNAME"}
)


INDEX_DIR = "pagefind/"  # the search index: roundup's own folder of a site it made
# The sitemaps a sitemap index lists (see `sitemaps`): numbered, so some may be left over.
_NUMBERED_SITEMAP = re.compile(r"sitemap-[1-9][0-9]*\.xml")


def _in_site_namespace(path: str) -> bool:
    """Files a roundup site has under fixed names: roundup's once the folder is known to be."""
    return path in SITE_FILES or path.startswith(INDEX_DIR) or _left_over(path)


def _left_over(path: str) -> bool:
    """Files a roundup site has or had under names only roundup gives, unmarked: with no
    record, those this build did not make are an earlier build's, to delete."""
    return path.startswith(INDEX_DIR) or _NUMBERED_SITEMAP.fullmatch(path) is not None


@dataclass(frozen=True, slots=True)
class Record:
    """What the record of an output folder remembers of one file."""

    digest: str  # hash of the bytes
    size: int
    mtime_ns: int
    key: str  # fingerprint of the inputs the file was made from ("" when unknown)


def content_hash(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=16).hexdigest()


def check_relative(path: str) -> str:
    """Refuse any output path that could leave the output folder or hide among dot-files."""
    parts = path.split("/")  # no empty part: so no leading, trailing or doubled "/"
    if (
        "\\" in path
        or any(part in ("", ".", "..") or len(part.encode()) > 255 for part in parts)
        or (parts[0].startswith(".") and path != ".nojekyll")
    ):
        raise OutputError(f"refusing to write an unsafe output path: {path!r}")
    return path


def check_folder(output: Path, protected: list[Path]) -> None:
    """Refuse output folders that hold the project, the content, the home folder or the root."""
    target = resolved(output)
    home = resolved(Path.home())
    for place in [Path("/"), home, *protected]:
        place = resolved(place)
        if target == place or place.is_relative_to(target):
            raise OutputError(
                f"refusing to use {output} as the output folder: it contains {place}; "
                "choose a folder of its own, such as output/"
            )
    if target.exists() and not target.is_dir():
        raise OutputError(f"the output path {output} exists and is not a folder")


def is_generated(path: str, data: bytes) -> bool:
    """Whether a file's own bytes show that roundup made it (see the marks above)."""
    if path.endswith(".html"):
        return _HTML_MARK in data[:16384]
    if path.endswith(".xml"):
        return _FEED_MARK in data[:4096]
    found = _ASSET.fullmatch(path)
    return found is not None and hashlib.blake2b(data, digest_size=4).hexdigest() == found[1]


def read_records(folder: Path) -> dict[str, Record] | None:
    """The record of the files an output folder holds from roundup, or None when there is
    none to trust (never written, damaged, or a commit was cut short)."""
    if (folder / PENDING).exists():
        return None
    return _read_manifest(folder / MANIFEST)


def _read_manifest(path: Path) -> dict[str, Record] | None:
    try:
        data = json.loads(path.read_text("utf-8"))
        if data.get("version") not in (1, _MANIFEST_VERSION):
            return None
        return {path: Record(*entry) for path, entry in data["files"].items()}
    except (OSError, ValueError, TypeError, KeyError, AttributeError):
        return None


def untouched(root: Path, records: dict[str, Record]) -> bool:
    """Whether every recorded file is still in the output folder as roundup wrote it, and
    nothing of a killed build or of an earlier version is left there to clean up."""
    try:
        with os.scandir(root) as entries:
            if any(e.name.startswith((STAGING_IN_OUTPUT, LEGACY_STATE)) for e in entries):
                return False
    except OSError:
        return False
    prefix = os.path.join(root, "")
    for path, record in records.items():
        try:
            found = os.stat(prefix + path, follow_symlinks=False)
        except OSError:
            return False
        if found.st_size != record.size or found.st_mtime_ns != record.mtime_ns:
            return False
    return bool(records)


def resolved(path: Path) -> Path:
    """The real path, or an OutputError for a symbolic link loop (RuntimeError before 3.13)."""
    try:
        return path.resolve()
    except (OSError, RuntimeError):
        raise OutputError(f"{path}: a symbolic link that leads back to itself") from None


class Writer:
    """Stages new and changed files, then moves them into the output folder in one step.

    Nothing in the output folder changes until `commit`, and nothing there is ever half
    written: each file is written whole elsewhere, then renamed into place. Unchanged files
    keep their bytes and modification times. Only files roundup can prove it wrote (by its
    record, or by their marks when the record is lost) are ever replaced or deleted. One build
    at a time: the output folder is locked (`flock`, which a crash cannot leave behind).
    """

    def __init__(self, root: Path, records: Path, label: str | None = None) -> None:
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
        self._lock: int | None = None
        self._made_dirs: set[str] = set()

    # --- opening: lock, read the record, choose where to stage

    def __enter__(self) -> Writer:
        self.open()
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
            self._acquire_lock()
            self.records.mkdir(mode=0o700, parents=True, exist_ok=True)
        except OSError as error:
            raise self._failure(error, self.root) from None
        records = read_records(self.records)
        if records is None and not self._empty():
            self.recovering = True
            # What a commit that was cut short had recorded is still roundup's.
            records = _read_manifest(self.records / MANIFEST) or _read_manifest(
                self.root / LEGACY_STATE / MANIFEST
            )
        self.old = records or {}
        self._remove_stale_staging()
        if self.recovering and not self.old and not self._recognised():  # not empty either
            raise OutputError(
                f"{self.label} is not empty and roundup did not make it (no file in it has "
                "roundup's marks); empty it or choose another output folder"
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

    def _acquire_lock(self) -> None:
        if fcntl is None:
            return
        self._lock = os.open(self.root, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
        try:
            fcntl.flock(self._lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            log.warning("another build is writing %s; waiting for it to finish", self.label)
            fcntl.flock(self._lock, fcntl.LOCK_EX)

    def close(self) -> None:
        if self._lock is not None:
            os.close(self._lock)  # releases the lock
            self._lock = None

    def _remove_stale_staging(self) -> None:
        """Files a killed build staged: never in the site, removed now that the lock is ours."""
        shutil.rmtree(self.records / STAGING, ignore_errors=True)
        for entry in os.scandir(self.root):
            if entry.name.startswith(STAGING_IN_OUTPUT) and entry.is_dir(follow_symlinks=False):
                shutil.rmtree(entry.path, ignore_errors=True)

    def _recognised(self) -> bool:
        """Whether the folder is empty or holds at least one file with roundup's marks."""
        for folder, folders, files in os.walk(self.root):
            folders[:] = sorted(f for f in folders if not f.startswith(STAGING_IN_OUTPUT))
            relative = os.path.relpath(folder, self.root)
            prefix = "" if relative == "." else relative.replace(os.sep, "/") + "/"
            for name in sorted(files, key=lambda n: n != "index.html"):
                if self._marked(prefix + name):
                    return True
        return False

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

    # --- what the last build left

    def had(self, path: str) -> bool:
        """Whether the last build made `path`."""
        return path in self.old

    def is_current(self, path: str, key: str) -> bool:
        """Whether `path` was made from the same inputs last time and is untouched since."""
        old = self.old.get(path)
        if old is None or not key or old.key != key or not self._untouched(path, old):
            return False
        self._claim(path, old)
        return True

    def _untouched(self, path: str, old: Record) -> bool:
        try:
            # A string, not a Path: every file of the site is checked on every build.
            found = os.stat(self._root + path, follow_symlinks=False)
        except OSError:
            return False
        return found.st_size == old.size and found.st_mtime_ns == old.mtime_ns

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

    # --- staging

    def add(self, path: str, data: bytes, key: str = "") -> None:
        """Record an output file; its bytes are staged only when they differ from the last build."""
        check_relative(path)
        digest = content_hash(data)
        old = self.old.get(path)
        if old is not None and old.digest == digest and self._untouched(path, old):
            self._claim(path, Record(digest, old.size, old.mtime_ns, key))
            return
        if self.recovering and self._same_bytes(path, data):
            found = os.stat(self._root + path)
            self._claim(path, Record(digest, found.st_size, found.st_mtime_ns, key))
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
        old = self.old.get(path)
        if old is not None and old.digest == digest and self._untouched(path, old):
            self._claim(path, Record(digest, old.size, old.mtime_ns, key))
            return  # the new copy goes with the scratch folder
        if self.recovering and self._same_bytes(path, data):
            found = os.stat(self._root + path)
            self._claim(path, Record(digest, found.st_size, found.st_mtime_ns, key))
            return
        target = self.staging + path
        try:
            folder = target.rpartition("/")[0]
            if folder not in self._made_dirs:
                os.makedirs(folder, exist_ok=True)
                self._made_dirs.add(folder)
            os.replace(file, target)
            moved = os.stat(target)
        except OSError as error:
            raise self._failure(error, self.root / path) from None
        self._claim(path, Record(digest, moved.st_size, moved.st_mtime_ns, key))
        self.staged.append(path)
        self._staged.add(path)

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
            folder = target.rpartition("/")[0]
            if folder not in self._made_dirs:
                os.makedirs(folder, exist_ok=True)
                self._made_dirs.add(folder)
            fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_CLOEXEC, 0o666)
            try:
                unwritten = memoryview(data)
                while unwritten:
                    unwritten = unwritten[os.write(fd, unwritten) :]
                return os.fstat(fd)
            finally:
                os.close(fd)
        except OSError as error:
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
        self.new, self.staged, self.written = {}, [], 0
        self._staged = set()
        self._lock = None
        return self

    def results(self) -> tuple[dict[str, Record], list[str], int]:
        return self.new, self.staged, self.written

    def merge(self, new: dict[str, Record], staged: list[str], written: int) -> None:
        """Take over what a worker recorded, refusing paths that two workers both claimed."""
        for path, record in new.items():
            self._claim(path, record)
        self.staged.extend(staged)
        self._staged.update(staged)
        self.written += written

    # --- committing

    def commit(self) -> None:
        """Move staged files into place, delete files of the last build that are gone, record."""
        self._check_targets()  # every refusal before the first move, so a refusal changes nothing
        pending = self.records / PENDING
        try:
            pending.touch()
            if self.staged:
                self._move(self.staging.rstrip("/"), self._root.rstrip("/"))
            shutil.rmtree(self.staging_root, ignore_errors=True)  # what was not adopted
            self.written += len(self.staged)
            gone = set(self.old) - set(self.new)
            for path in sorted(gone):
                self._delete(path)
            if self.recovering:
                self._delete_unrecorded()
            shutil.rmtree(self.root / LEGACY_STATE, ignore_errors=True)
            if self.new != self.old or self.recovering:
                self._write_manifest()
            for name, data in self.record_files.items():
                self._write_record(name, data)
            pending.unlink()
        except OSError as error:
            raise self._failure(error, self._output_path(error.filename)) from None

    def _check_targets(self) -> None:
        """Refuse folders that are links or files, and files roundup did not write."""
        if self.created_root:
            return
        folders: set[str] = set()
        foreign: list[str] = []
        for path in self.staged:
            parts = path.split("/")
            for depth in range(1, len(parts)):
                folders.add("/".join(parts[:depth]))
            if path not in self.old and not self._replaceable(path):
                foreign.append(path)
        for folder in sorted(folders):
            try:
                found = os.lstat(self._root + folder)
            except FileNotFoundError:
                continue
            if not stat.S_ISDIR(found.st_mode):
                raise OutputError(
                    f"{self.label}/{folder} is a link or a file where roundup needs a folder; "
                    "remove it"
                )
        if foreign:
            shown = ", ".join(f"{self.label}/{p}" for p in sorted(foreign)[:5])
            more = f" and {len(foreign) - 5} more" if len(foreign) > 5 else ""
            raise OutputError(
                f"roundup did not write {shown}{more}, and would replace it; move it out of "
                "the output folder (or delete it) and build again"
            )

    def _replaceable(self, path: str) -> bool:
        """Whether a file roundup wants to write may take the place of what is there."""
        try:
            found = os.lstat(self._root + path)
        except FileNotFoundError:
            return True
        if not stat.S_ISREG(found.st_mode):
            return False
        return self._marked(path) or (self.recovering and _in_site_namespace(path))

    def _move(self, source: str, target: str) -> None:
        """Move a staged tree into place: whole folders where the output has none yet (one
        rename for a cold build's `items/`), file by file where it has."""
        with os.scandir(source) as entries:
            for entry in entries:
                destination = f"{target}/{entry.name}"
                if entry.is_dir(follow_symlinks=False):
                    try:
                        os.rename(entry.path, destination)
                    except OSError as error:
                        if error.errno not in (errno.EEXIST, errno.ENOTEMPTY):
                            raise
                        self._move(entry.path, destination)
                else:
                    os.replace(entry.path, destination)

    def abort(self) -> None:
        """Undo everything this build did: the output folder is as it was before."""
        shutil.rmtree(self.staging_root or self.records / STAGING, ignore_errors=True)
        if self.created_root:
            with contextlib.suppress(OSError):  # not empty: a user's file arrived meanwhile
                self.root.rmdir()

    def _delete(self, path: str) -> None:
        target = self.root / path
        try:
            if target.is_file() or target.is_symlink():
                target.unlink()
        except OSError as error:
            log.warning("could not remove %s: %s", target, error.strerror)
            return
        parent = target.parent
        while parent != self.root and parent.is_relative_to(self.root):
            try:
                parent.rmdir()  # only succeeds when empty: user files keep their folders
            except OSError:
                break
            parent = parent.parent

    def _delete_unrecorded(self) -> None:
        """With no record to go by: delete the files with roundup's marks that this build did
        not make (the pages of an article deleted or unpublished meanwhile)."""
        for folder, folders, files in os.walk(self.root):
            folders[:] = [f for f in folders if not f.startswith(STAGING_IN_OUTPUT)]
            relative = os.path.relpath(folder, self.root)
            prefix = "" if relative == "." else relative.replace(os.sep, "/") + "/"
            for name in files:
                path = prefix + name
                if path not in self.new and (self._marked(path) or _left_over(path)):
                    self._delete(path)

    def _write_record(self, name: str, data: bytes | None) -> None:
        target = self.records / name
        if data is None:
            target.unlink(missing_ok=True)
            return
        temporary = self.records / (name + ".tmp")
        temporary.write_bytes(data)
        os.replace(temporary, target)

    def _write_manifest(self) -> None:
        files = {
            path: [r.digest, r.size, r.mtime_ns, r.key] for path, r in sorted(self.new.items())
        }
        data = {"version": _MANIFEST_VERSION, "output": str(self.root.resolve()), "files": files}
        text = json.dumps(data, separators=(",", ":"))
        temporary = self.records / (MANIFEST + ".tmp")
        temporary.write_text(text, "utf-8")
        os.replace(temporary, self.records / MANIFEST)
