"""A parse cache in the output folder's state folder: unchanged files are not parsed again."""

from __future__ import annotations

import functools
import hashlib
import logging
import marshal
import mmap
import os
import sys
import zlib
from datetime import datetime
from pathlib import Path

import feedgen.version
import jinja2
import markdown
import nh3
import pydantic
import yaml

from roundup import __version__, stored
from roundup.collection import Keys, keys_of
from roundup.content import Parsed
from roundup.schedule import date_line, is_ahead
from roundup.stored import Draft

log = logging.getLogger(__name__)

CACHE_DIR = "parsed"  # in the state folder: one file per shard of the article paths
LEGACY_FILE = "parse-cache"  # what earlier versions kept, all in one file: removed
SHARDS = 256
_SHARD_NAMES = [f"{n:02x}" for n in range(SHARDS)]
_SHARD_SET = frozenset(_SHARD_NAMES)
# A shard file: this line, the index's length (8 bytes), the marshalled index, then each
# entry's pickled result, one after another. Marshal reads the index fast; the results are read
# as one block and unpickled from slices of it: a build holds one copy of them, not one a file.
_MAGIC = b"roundup parse cache 4\n"
_EMPTY: dict = {}
_NOTHING = memoryview(b"")


Result = Parsed | Draft
# Where an entry's pickled result is: the old file's block (offset, length), or new bytes.
Blob = tuple[int, int] | bytes
StatKey = tuple[int, int]  # a file's size and modification time (ns)
# A stored entry: the stat key, offset and length of its result in the shard's block, then
# the file's collection keys (see `collection.Keys`).
_Index = tuple[StatKey, int, int, str, str]


@functools.cache
def code_digest() -> str:
    """Changes with roundup's own code and the libraries that shape its output: an upgrade
    (or a local edit) re-parses and rewrites."""
    h = hashlib.blake2b(__version__.encode(), digest_size=16)
    # A new Markdown or sanitiser can change a cached comment, a new Jinja or feedgen a page
    # whose inputs did not change; the stored results are pickled by this Python.
    libraries = (sys.version, markdown.__version__, nh3.__version__, yaml.__version__,
                 pydantic.VERSION, jinja2.__version__, feedgen.version.version_str)  # fmt: skip
    h.update(repr(libraries).encode())
    for path in sorted(Path(__file__).parent.glob("*.py")):
        h.update(path.name.encode() + b"\0" + path.read_bytes())
    return h.hexdigest()


def for_storage(parsed: Result, public: bool, held_after: datetime | None = None) -> Result | None:
    """What may be stored of a result: drafts, and articles dated after `held_after`, shrink
    to a `Draft` in public builds; files with errors are not stored at all, so their errors
    are shown again next time."""
    if isinstance(parsed, Parsed):
        if parsed.errors:
            return None
        article = parsed.article
        if public and article is not None and not article.published:
            key = keys_of(article).link_key
            return Draft(article.source, article.slug, key, tuple(parsed.warnings))
        if public and article is not None and held_after and is_ahead(article, held_after):
            key = keys_of(article).link_key
            line = date_line(article)
            when = article.published_at
            return Draft(
                article.source, article.slug, key, tuple(parsed.warnings), False, when, line
            )
    return parsed


def dump(parsed: Result | None) -> bytes | None:
    return None if parsed is None else stored.dump(parsed)


class ParseCache:
    """Maps each article file, by path, size and modification time, to its parse result.

    Entries are spread over `SHARDS` files by a hash of their path, and a build rewrites only
    the files whose entries changed: after one edit, one small file instead of all results
    (62 MB at 30,000 articles). A rewritten file holds only the entries of this build, so
    nothing outlives its article, and a draft a preview build stored whole is gone from it as
    soon as a public build stores its stub.
    """

    def __init__(self, state_dir: Path | None, salt: str) -> None:
        self.folder = state_dir / CACHE_DIR if state_dir else None
        self.legacy = state_dir is not None and (state_dir / LEGACY_FILE).exists()
        self.salt = f"{code_digest()}|{salt}"
        self.old: dict[str, dict[str, _Index]] = {}
        self.blocks: dict[str, memoryview] = {}
        self.new: dict[str, dict[str, tuple[StatKey, Blob, Keys]]] = {}
        self.dirty: set[str] = set()  # shards to write whatever their entries
        self._read()

    def _read(self) -> None:
        if self.folder is None or not self.folder.is_dir():
            return
        for name in os.listdir(self.folder):
            if name in _SHARD_SET:
                index, block = _read_shard(self.folder / name, self.salt)
                self.old[name], self.blocks[name] = index, block
                if not index:  # damaged, or from other code or settings: replace it
                    self.dirty.add(name)

    def lookup(self, stat_keys: dict[str, StatKey]) -> dict[str, tuple[Result, Keys]]:
        """The stored results of the files whose size and modification time are unchanged.

        One pass over the stored entries, shard by shard: a build asks for every file.
        """
        found: dict[str, tuple[Result, Keys]] = {}
        for shard, index in self.old.items():
            block = self.blocks[shard]
            kept = self.new.setdefault(shard, {})
            for source, (stat, offset, length, derived, link) in index.items():
                if stat_keys.get(source) != stat:
                    continue
                try:
                    result = stored.load(block[offset : offset + length])
                except Exception:
                    self.dirty.add(shard)
                    continue
                keys = Keys(derived, link)
                kept[source] = (stat, (offset, length), keys)
                found[source] = (result, keys)
        return found

    def put(self, source: str, stat: StatKey, blob: bytes | None, keys: Keys) -> None:
        """Store a freshly parsed result (`blob` from `dump(for_storage(...))`)."""
        shard = shard_of_source(source)
        self.dirty.add(shard)
        entries = self.new.setdefault(shard, {})
        if blob is not None:
            entries[source] = (stat, blob, keys)
        else:
            entries.pop(source, None)

    def _changed(self) -> list[str]:
        shards = self.dirty | self.old.keys() | self.new.keys()
        return sorted(
            shard
            for shard in shards
            if shard in self.dirty
            or self.new.get(shard, _EMPTY).keys() != self.old.get(shard, _EMPTY).keys()
        )

    def changed(self) -> bool:
        return self.legacy or bool(self._changed())

    def save(self, staging: Path) -> dict[str, Path | None]:
        """Write the changed shards into `staging`, then let go of every entry.

        Returns what the writer should do on commit, by name in the state folder: move a
        staged file there, or (None) remove a file that has no entries left.
        """
        plan: dict[str, Path | None] = {LEGACY_FILE: None} if self.legacy else {}
        for shard in self._changed():
            name = f"{CACHE_DIR}/{shard}"
            entries = self.new.get(shard)
            if not entries:
                plan[name] = None
                continue
            staged = staging / f"{CACHE_DIR}-{shard}"
            _write_shard(staged, self.salt, entries, self.blocks.get(shard))
            plan[name] = staged
        self.close()
        return plan

    def close(self) -> None:
        """Let go of every entry: results are large, and a build has no more use for them."""
        self.old, self.new, self.blocks = {}, {}, {}


def shard_of_source(source: str) -> str:
    """The shard of an article path: the same on every machine and in every process."""
    return _SHARD_NAMES[zlib.crc32(source.encode("utf-8", "surrogatepass")) % SHARDS]


def _read_shard(path: Path, salt: str) -> tuple[dict[str, _Index], memoryview]:
    try:
        data = _map(path)
        start = len(_MAGIC) + 8
        if data[: len(_MAGIC)] != _MAGIC:
            return {}, _NOTHING
        end = start + int.from_bytes(data[len(_MAGIC) : start], "little")
        stored_salt, index = marshal.loads(data[start:end])
    except Exception as error:  # a damaged or foreign cache only costs parsing again
        log.debug("parse cache %s ignored: %s", path.name, error)
        return {}, _NOTHING
    if stored_salt != salt or not isinstance(index, dict):
        return {}, _NOTHING
    return index, data[end:]


def _map(path: Path) -> memoryview:
    """The file's bytes, mapped rather than read: no copy, and pages the system fills many at
    a time and takes back whole when the last view of them goes."""
    with path.open("rb") as file:
        if os.fstat(file.fileno()).st_size == 0:
            return _NOTHING
        return memoryview(mmap.mmap(file.fileno(), 0, access=mmap.ACCESS_READ))


def _write_shard(
    path: Path,
    salt: str,
    entries: dict[str, tuple[StatKey, Blob, Keys]],
    block: memoryview | None,
) -> None:
    index: dict[str, _Index] = {}
    blobs: list[bytes | memoryview] = []
    offset = 0
    for source in sorted(entries):
        stat, blob, keys = entries[source]
        if not isinstance(blob, bytes):
            assert block is not None
            blob = block[blob[0] : blob[0] + blob[1]]
        index[source] = (stat, offset, len(blob), *keys)
        blobs.append(blob)
        offset += len(blob)
    header = marshal.dumps((salt, index))
    with path.open("wb") as file:
        file.write(_MAGIC + len(header).to_bytes(8, "little"))
        file.write(header)
        file.writelines(blobs)
