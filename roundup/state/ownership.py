"""What a build owns in an output folder: its record of the files, and the marks in them."""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import stat
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path

import msgspec

from roundup.core.errors import OutputError

MANIFEST = "manifest.json"  # in the output folder's records folder (see `state.StateFolder`)
PENDING = "commit-pending"  # present while a commit moves files: the record may be behind
STAGING = "staging"  # new files, in the records folder when it is on the output's device
STAGING_IN_OUTPUT = ".roundup-staging-"  # ...else here, removed by the next build if left
LEGACY_STATE = ".roundup"  # where versions before 0.2 kept their state, inside the output
MANIFEST_VERSION = 2

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


def in_site_namespace(path: str) -> bool:
    """Files a roundup site has under fixed names: roundup's once the folder is known to be."""
    return path in SITE_FILES or path.startswith(INDEX_DIR) or left_over(path)


def left_over(path: str) -> bool:
    """Files a roundup site has or had under names only roundup gives, unmarked: with no
    record, those this build did not make are an earlier build's, to delete."""
    return path.startswith(INDEX_DIR) or _NUMBERED_SITEMAP.fullmatch(path) is not None


class Record(msgspec.Struct, frozen=True, array_like=True, gc=False):
    """What the record of an output folder remembers of one file: in the manifest, an array
    [digest, size, mtime_ns, key]. A msgspec struct, read and written as it is: 100,000
    records as tuples turned into objects cost a build 30 MB and 60 ms."""

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


def check_folder(output: Path, protected: dict[str, Path]) -> None:
    """Refuse output folders that are or hold the root, the home folder, or one of the
    `protected` places of the project (by what each is: "the content folder")."""
    target = resolved(output)
    places = {"the root folder": Path("/"), "your home folder": Path.home(), **protected}
    for name, place in places.items():
        place = resolved(place)
        if target == place or place.is_relative_to(target):
            plain = target == place or name.startswith(("the root", "your home"))
            what = f"it is {name}" if target == place else f"it holds {name}"
            raise OutputError(
                f"refusing to use {target} as the output folder: {what}"
                f"{'' if plain else f' ({place})'}; choose a folder of its own, such as output/"
            )
    if target.exists() and not target.is_dir():
        raise OutputError(f"the output path {output} exists and is not a folder")
    if output.is_symlink() and not target.exists():  # it said "file exists" when made
        raise OutputError(
            f"the output path {_unresolved(output)} is a symbolic link to "
            f"{os.readlink(output)}, which does "
            "not exist; create that folder, or remove the link"
        )


def _unresolved(path: Path) -> str:
    """A path as the user named it, from the current folder: its links not followed."""
    here = Path.cwd()
    return str(path.relative_to(here)) if path.is_relative_to(here) else str(path)


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
    return read_manifest(folder / MANIFEST)


class Manifest(msgspec.Struct):
    """The manifest file: the record of every file of the output folder, as JSON."""

    version: int
    files: dict[str, Record]
    output: str = ""  # the folder it describes, for a person reading the file


# msgspec, not the json module: a one-edit build reads and writes the record of every
# file of the site, 3.5 MB at 30,000 articles, in a fifth of json's time.
_manifest_decoder = msgspec.json.Decoder(Manifest)
_manifest_encoder = msgspec.json.Encoder()


def read_manifest(path: Path) -> dict[str, Record] | None:
    try:
        data = _manifest_decoder.decode(path.read_bytes())
    except (OSError, msgspec.DecodeError):
        return None
    if data.version not in (1, MANIFEST_VERSION):
        return None
    return data.files


def write_manifest(target: Path, records: Mapping[str, Record], output: Path) -> None:
    """Write the manifest whole or not at all (see `replace_atomically`), a few thousand
    records at a time: at 100,000 files its text was 12 MB more at the end of the build."""
    paths = sorted(records)
    temporary = target.with_name(target.name + ".tmp")
    with open(temporary, "wb") as file:
        file.write(b'{"version":%d,"files":{' % MANIFEST_VERSION)
        for start in range(0, len(paths), _MANIFEST_CHUNK):
            chunk = {path: records[path] for path in paths[start : start + _MANIFEST_CHUNK]}
            file.write(b"," if start else b"")
            file.write(_manifest_encoder.encode(chunk)[1:-1])  # the members, without braces
        file.write(b'},"output":' + _manifest_encoder.encode(str(output)) + b"}")
    os.replace(temporary, target)


_MANIFEST_CHUNK = 5_000

# What a forked rendering worker recorded: the files it staged, those it kept as they were.
WorkerRecords = tuple[dict[str, Record], dict[str, Record]]
_worker_records: msgspec.msgpack.Decoder[WorkerRecords] = msgspec.msgpack.Decoder(WorkerRecords)


def encode_worker_records(records: WorkerRecords) -> bytes:
    """A worker's records as one message, for the process that forked it to decode when it is
    ready for them: it receives them whenever the worker is done, maybe while it still holds
    what its own pages needed (at 100,000 articles, 50,000 records are 22 MB of objects, the
    peak of a build's memory if they arrive then; 6 MB encoded)."""
    return msgspec.msgpack.encode(records)


def decode_worker_records(data: bytes) -> WorkerRecords:
    return _worker_records.decode(data)


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
    return bool(records) and all(as_recorded(prefix + p, r) for p, r in records.items())


def as_recorded(file: str, record: Record) -> bool:
    """Whether the file (a string, not a Path: every file of a site is checked on every
    build) has the size and modification time roundup recorded when it wrote it."""
    try:
        found = os.stat(file, follow_symlinks=False)
    except OSError:
        return False
    return found.st_size == record.size and found.st_mtime_ns == record.mtime_ns


def resolved(path: Path) -> Path:
    """The real path, or an OutputError for a symbolic link loop (RuntimeError before 3.13)."""
    try:
        return path.resolve()
    except (OSError, RuntimeError):
        raise OutputError(f"{path}: a symbolic link that leads back to itself") from None


def check_targets(
    root: Path, label: str, staged: list[str], may_replace: Callable[[str], bool]
) -> None:
    """Refuse to stage over folders that are links or files, and over files roundup did not
    write (`may_replace` says which it did): every refusal before the first move."""
    folders: set[str] = set()
    foreign: list[str] = []
    for path in staged:
        parts = path.split("/")
        for depth in range(1, len(parts)):
            folders.add("/".join(parts[:depth]))
        if not may_replace(path):
            foreign.append(path)
    for folder in sorted(folders):
        try:
            found = os.lstat(os.path.join(root, folder))
        except FileNotFoundError:
            continue
        if not stat.S_ISDIR(found.st_mode):
            raise OutputError(
                f"{label}/{folder} is a link or a file where roundup needs a folder; remove it"
            )
    if foreign:
        shown = ", ".join(f"{label}/{p}" for p in sorted(foreign)[:5])
        more = f" and {len(foreign) - 5} more" if len(foreign) > 5 else ""
        them = "them" if len(foreign) > 1 else "it"
        raise OutputError(
            f"roundup did not write {shown}{more}, and would replace {them}; move {them} out "
            f"of the output folder (or delete {them}) and build again"
        )


# --- Files in the output folder


def site_files(root: Path) -> Iterator[str]:
    """Every file under `root` as a site path ("a/b.html"), index pages first in each
    folder (the likeliest to bear marks), leaving out what a killed build staged there."""
    for folder, folders, files in os.walk(root):
        folders[:] = sorted(f for f in folders if not f.startswith(STAGING_IN_OUTPUT))
        relative = os.path.relpath(folder, root)
        prefix = "" if relative == "." else relative.replace(os.sep, "/") + "/"
        for name in sorted(files, key=lambda n: n != "index.html"):
            yield prefix + name


class Undo:
    """The moves of one commit into the output folder, to be undone in reverse if one fails:
    a failed build (a file made immutable, a folder made read-only) leaves the folder as it
    was, not half old, half new. The file each move replaces is kept as a hard link in
    `folder` (on the staging area's disk, as renames need) until the commit is over."""

    def __init__(self, folder: str) -> None:
        self.folder = folder
        self.steps: list[tuple[str, str, str | None]] = []  # (moved to, from, old file kept)

    def move(self, staged: str, destination: str, is_folder: bool) -> None:
        kept: str | None = None
        if not is_folder:
            kept = f"{self.folder}/{len(self.steps)}"
            try:
                os.link(destination, kept)
            except FileNotFoundError:  # a new file: nothing to keep
                kept = None
            except OSError:  # a disk without hard links (FAT): replaced for good, if it can be
                kept = ""
        os.replace(staged, destination)
        self.steps.append((destination, staged, kept))

    def rollback(self) -> None:
        """Put back what the moves replaced, and take out what they added."""
        for destination, staged, kept in reversed(self.steps):
            with contextlib.suppress(OSError):  # as much as can be: the next build mends the rest
                if kept:
                    os.replace(kept, destination)
                elif kept is None:
                    os.rename(destination, staged)
        self.steps.clear()


def move_staged(staging: str, root: str) -> None:
    """Move a staged tree into the output folder `root`: all of it or, a move failing, none
    (what was moved is moved back, and the error raised)."""
    undo = Undo(os.path.join(os.path.dirname(staging), "undo"))
    os.makedirs(undo.folder, exist_ok=True)
    try:
        move_tree(staging, root, undo)
    except OSError:
        undo.rollback()
        raise


def move_tree(source: str, target: str, undo: Undo) -> None:
    """Move a staged tree into place: whole folders where the output has none yet (one
    rename for a cold build's `items/`), file by file where it has."""
    with os.scandir(source) as entries:
        for entry in entries:
            destination = f"{target}/{entry.name}"
            if entry.is_dir(follow_symlinks=False):
                if os.path.lexists(destination):
                    move_tree(entry.path, destination, undo)
                else:
                    undo.move(entry.path, destination, is_folder=True)
            else:
                undo.move(entry.path, destination, is_folder=False)


def replace_atomically(target: Path, data: bytes) -> None:
    """Write `target` whole or not at all: a crash leaves the old file or the new one."""
    temporary = target.with_name(target.name + ".tmp")
    temporary.write_bytes(data)
    os.replace(temporary, target)
