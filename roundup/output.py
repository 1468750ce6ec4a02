"""Write built files into the output folder safely: staged, write-if-changed, no stray deletes."""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

from roundup.errors import OutputError

log = logging.getLogger(__name__)

STATE_DIR = (
    ".roundup"  # roundup's own records inside the output folder (a dot-folder: never served)
)
MANIFEST = "manifest.json"
_MANIFEST_VERSION = 1


@dataclass(frozen=True, slots=True)
class Record:
    """What the manifest remembers of one output file."""

    digest: str  # hash of the bytes
    size: int
    mtime_ns: int
    key: str  # fingerprint of the inputs the file was made from ("" when unknown)


def content_hash(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=16).hexdigest()


def check_relative(path: str) -> str:
    """Refuse any output path that could leave the output folder or hide in the state folder."""
    parts = path.split("/")  # no empty part: so no leading, trailing or doubled "/"
    if (
        "\\" in path
        or any(part in ("", ".", "..") or len(part.encode()) > 255 for part in parts)
        or parts[0] == STATE_DIR
    ):
        raise OutputError(f"refusing to write an unsafe output path: {path!r}")
    return path


def check_folder(output: Path, protected: list[Path]) -> None:
    """Refuse output folders that hold the project, the content, the home folder or the root."""
    target = output.resolve()
    home = Path.home().resolve()
    for place in [Path("/"), home, *protected]:
        place = place.resolve()
        if target == place or place.is_relative_to(target):
            raise OutputError(
                f"refusing to use {output} as the output folder: it contains {place}; "
                "choose a folder of its own, such as output/"
            )
    if target.exists() and not target.is_dir():
        raise OutputError(f"the output path {output} exists and is not a folder")
    owned = (target / STATE_DIR / MANIFEST).is_file()
    if target.is_dir() and not owned and any(target.iterdir()):
        raise OutputError(
            f"{output} is not empty and was not made by roundup (no {STATE_DIR}/{MANIFEST}); "
            "empty it or choose another output folder"
        )


class Writer:
    """Stages new and changed files, then commits them in one step at the end of a build.

    Nothing inside the output folder changes until `commit`; `abort` removes only what this
    build created. Files are compared with the previous manifest, so unchanged files keep
    their bytes and modification times, and only files a previous build recorded as its own
    are ever deleted.
    """

    def __init__(self, root: Path) -> None:
        self.root = root
        self._root = os.path.join(root, "")  # with a trailing separator
        self.created_root = not root.exists()
        self.state = root / STATE_DIR
        self.staging = self.state / f"staging-{os.getpid()}"
        self.old = self._read_manifest()
        self.new: dict[str, Record] = {}
        self.staged: dict[str, Path] = {}
        self.written = 0
        # roundup's own records, by path in the state folder, saved on commit: their bytes, a
        # file staged with them, or None to remove the record
        self.state_files: dict[str, bytes | Path | None] = {}
        self._counter = 0
        self._prefix = ""
        self._safe_dirs: set[Path] = set()
        self._made_dirs: set[str] = set()
        # Into a folder this build created nothing can be lost, so files go straight to their
        # place (half the file-system work of staging); `abort` removes the folder whole.
        self.direct = self.created_root

    def _read_manifest(self) -> dict[str, Record]:
        try:
            data = json.loads((self.state / MANIFEST).read_text("utf-8"))
            if data.get("version") != _MANIFEST_VERSION:
                return {}
            return {path: Record(*entry) for path, entry in data["files"].items()}
        except (OSError, ValueError, TypeError, KeyError, AttributeError):
            return {}

    def start(self) -> None:
        self.staging.mkdir(parents=True, exist_ok=True)

    def untouched(self) -> bool:
        """Whether every file of the last build is still there as it was written."""
        return bool(self.old) and all(self._untouched(p, r) for p, r in self.old.items())

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
        staged = self.staged.get(path)
        return self._root + path if staged is None else str(staged)

    def _untouched(self, path: str, old: Record) -> bool:
        try:
            # A string, not a Path: every file of the site is checked on every build.
            stat = os.stat(self._root + path, follow_symlinks=False)
        except OSError:
            return False
        return stat.st_size == old.size and stat.st_mtime_ns == old.mtime_ns

    def _claim(self, path: str, record: Record) -> None:
        if path in self.new:
            raise OutputError(f"two outputs for one path: /{path}")
        self.new[path] = record

    def add(self, path: str, data: bytes, key: str = "") -> None:
        """Record an output file; its bytes are staged only when they differ from the last build."""
        check_relative(path)
        digest = content_hash(data)
        old = self.old.get(path)
        if old is not None and old.digest == digest and self._untouched(path, old):
            self._claim(path, Record(digest, old.size, old.mtime_ns, key))
            return
        if self.direct:
            stat = self._write_new(self._root + path, data)
            self._claim(path, Record(digest, stat.st_size, stat.st_mtime_ns, key))
            self.written += 1
            return
        self._counter += 1
        staged = self.staging / f"{self._prefix}{self._counter}"
        staged.write_bytes(data)
        self._claim(path, Record(digest, len(data), 0, key))
        self.staged[path] = staged

    def adopt(self, path: str, file: str, key: str = "") -> None:
        """Record an output file another program wrote into the staging folder: as `add`, but
        moved into place rather than written again (on some disks, making files costs more
        than the rest of a build)."""
        check_relative(path)
        with open(file, "rb") as made:
            data = made.read()
        digest = content_hash(data)
        old = self.old.get(path)
        if old is not None and old.digest == digest and self._untouched(path, old):
            self._claim(path, Record(digest, old.size, old.mtime_ns, key))
            return  # the new copy goes with the staging folder
        if self.direct:
            target = self._root + path
            folder = target.rpartition("/")[0]
            if folder not in self._made_dirs:
                os.makedirs(folder, exist_ok=True)
                self._made_dirs.add(folder)
            os.replace(file, target)
            stat = os.stat(target)
            self._claim(path, Record(digest, stat.st_size, stat.st_mtime_ns, key))
            self.written += 1
            return
        self._claim(path, Record(digest, len(data), 0, key))
        self.staged[path] = Path(file)

    def _write_new(self, target: str, data: bytes) -> os.stat_result:
        # Strings and file descriptors, not Paths, and each folder made once: a cold build
        # writes every file of the site this way.
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

    def for_worker(self, shard: int) -> Writer:
        """Prepare this (forked) copy to work alone: own staging names, empty results."""
        self._prefix = f"w{shard}-"
        self.new, self.staged, self.written = {}, {}, 0
        return self

    def results(self) -> tuple[dict[str, Record], dict[str, Path], int]:
        return self.new, self.staged, self.written

    def merge(self, new: dict[str, Record], staged: dict[str, Path], written: int) -> None:
        """Take over what a worker recorded, refusing paths that two workers both claimed."""
        for path, record in new.items():
            self._claim(path, record)
        self.staged.update(staged)
        self.written += written

    def commit(self) -> None:
        """Move staged files into place, delete files of the last build that are gone, record."""
        # Every target folder is checked before the first move, so a refusal changes nothing.
        for folder in sorted({(self.root / path).parent for path in self.staged}):
            self._check_dir(folder)
        for path, staged in self.staged.items():
            target = self.root / path
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(staged, target)
            stat = os.stat(target)
            old = self.new[path]
            self.new[path] = Record(old.digest, stat.st_size, stat.st_mtime_ns, old.key)
        self.written += len(self.staged)
        for path in sorted(set(self.old) - set(self.new)):
            self._delete(path)
        if self.new != self.old:
            self._write_manifest()
        for name, data in self.state_files.items():
            target = self.state / name
            if data is None:
                target.unlink(missing_ok=True)
                continue
            target.parent.mkdir(exist_ok=True)
            if isinstance(data, Path):
                os.replace(data, target)
                continue
            temporary = self.state / (name + ".tmp")
            temporary.write_bytes(data)
            os.replace(temporary, target)
        shutil.rmtree(self.staging, ignore_errors=True)

    def abort(self) -> None:
        """Undo everything this build did: the output folder is as it was before."""
        shutil.rmtree(self.staging, ignore_errors=True)
        if self.created_root:
            shutil.rmtree(self.root, ignore_errors=True)
        elif self.state.is_dir() and not any(self.state.iterdir()):
            self.state.rmdir()

    def _check_dir(self, folder: Path) -> None:
        """Refuse a target folder that is, or sits below, a symlink or a file a user put there."""
        current = self.root
        for part in folder.relative_to(self.root).parts:
            current = current / part
            if current in self._safe_dirs:
                continue
            if current.is_symlink() or (current.exists() and not current.is_dir()):
                raise OutputError(
                    f"{current} is a link or a file where roundup needs a folder; remove it"
                )
            self._safe_dirs.add(current)

    def _delete(self, path: str) -> None:
        target = self.root / path
        try:
            if target.is_file() or target.is_symlink():
                target.unlink()
        except OSError as error:
            log.warning("could not remove %s: %s", target, error)
            return
        parent = target.parent
        while parent != self.root and parent.is_relative_to(self.root):
            try:
                parent.rmdir()  # only succeeds when empty: user files keep their folders
            except OSError:
                break
            parent = parent.parent

    def _write_manifest(self) -> None:
        files = {
            path: [r.digest, r.size, r.mtime_ns, r.key] for path, r in sorted(self.new.items())
        }
        text = json.dumps({"version": _MANIFEST_VERSION, "files": files}, separators=(",", ":"))
        temporary = self.state / (MANIFEST + ".tmp")
        temporary.write_text(text, "utf-8")
        os.replace(temporary, self.state / MANIFEST)
