"""The parse cache in the cache folder: article files that did not change are not parsed again."""

from __future__ import annotations

import functools
import hashlib
import logging
import os
import re
import sys
import zlib
from dataclasses import dataclass, field
from pathlib import Path

import feedgen.version
import jinja2
import markdown
import msgspec
import nh3
import slugify
import yaml

from roundup import __version__
from roundup.core.parallel import process_runs
from roundup.read import spill, stored
from roundup.read.collection import Keys
from roundup.read.content import Parsed

log = logging.getLogger(__name__)

SHARDS = 256
_SHARD_NAMES = [f"{n:02x}.mpk" for n in range(SHARDS)]
_SHARD_SET = frozenset(_SHARD_NAMES)
# A build's temporary files, named after its process: a shard being written (00.mpk.PID.tmp)
# and its parsing processes' spill files (spill.PID.N.tmp, see `Spill`).
_TEMPORARY = re.compile(r"(?:[0-9a-f]{2}\.mpk|spill)\.([0-9]{1,9})(?:\.[0-9]+)?\.tmp")
FORMAT = "roundup parse cache 8"

StatKey = tuple[int, int]  # a file's size and its change stamp (see `loader.change_stamp`)


class _Shard(msgspec.Struct, forbid_unknown_fields=True):
    """One shard file. Entries stay raw bytes until a build asks for them: after one edit, a
    build decodes every entry but a whole shard file is only ever rewritten, not re-encoded."""

    format: str
    salt: str
    # source -> (size, change stamp, the file's collection keys, where its stored result
    # is in `results`: offset and length)
    entries: dict[str, tuple[int, int, str, str, int, int]]
    # The stored results one after the other, last in the file: a result's place in the file
    # is then known (the file's length less this field's, plus its offset), and so is its
    # body's, which a compact build reads from the file when a page needs it.
    results: memoryview


_shard_decoder: msgspec.msgpack.Decoder[_Shard] = msgspec.msgpack.Decoder(_Shard)
_shard_encoder = msgspec.msgpack.Encoder()
_Stored = tuple[StatKey, Keys, bytes | memoryview | stored.BodyAt]
_Row = tuple[int, int, str, str, int, int]  # size, change stamp, keys, offset, length


@dataclass(slots=True)
class _ShardFile:
    """What a build read of one shard file."""

    rows: dict[str, _Row]
    results: memoryview | None  # None: let go of (see `let_go`), read again when needed
    start: int = 0  # where `results` starts in the file
    size: int = 0  # and how long they are
    file: stored.OpenFile | None = None  # kept open in a compact build

    def result(self, row: _Row) -> memoryview:
        if self.results is None:
            assert self.file is not None, "only results that can be read again are let go of"
            self.results = memoryview(self.file.read(self.start, self.size))
        return self.results[row[4] : row[4] + row[5]]

    def let_go(self) -> None:
        """In a compact build, the shard's bytes need not stay in memory once its entries
        are loaded: each article reads its own body from the file, and a shard written again
        reads its bytes again. At 100,000 articles, 157 MB less at the build's peak."""
        if self.file is not None:
            self.results = None


_NO_SHARD = _ShardFile({}, memoryview(b""))  # never let go of: it has no file


@functools.cache
def code_digest() -> str:
    """Changes with roundup's own code and the libraries that shape its output: an upgrade
    (or a local edit) re-parses and rewrites."""
    h = hashlib.blake2b(__version__.encode(), digest_size=16)
    # A new Markdown or sanitiser can change a cached comment, a new python-slugify an item's
    # slug, a new Jinja or feedgen a page whose inputs did not change.
    libraries = (sys.version, markdown.__version__,
                 nh3.__version__,  # type: ignore[attr-defined]  # nh3's stubs omit __version__
                 yaml.__version__, jinja2.__version__,
                 slugify.__version__,  # type: ignore[attr-defined]  # not re-exported for mypy
                 feedgen.version.version_str, msgspec.__version__)  # fmt: skip
    h.update(repr(libraries).encode())
    package = Path(__file__).parents[1]  # the whole roundup package, not only read/
    for path in sorted(package.rglob("*.py")):
        h.update(path.relative_to(package).as_posix().encode() + b"\0" + path.read_bytes())
    return h.hexdigest()


@dataclass(slots=True)
class ParseMemory:
    """What a long-running process (`roundup serve`) keeps between its builds: every stored
    result, decoded, so that a rebuild reads and decodes only the shards of changed files."""

    key: tuple[Path | None, str] = (None, "")  # the cache folder and salt it belongs to
    results: dict[str, tuple[StatKey, Keys, Parsed]] = field(default_factory=dict)


class ParseCache:
    """Maps each article file, by path, size and change stamp (see `loader.change_stamp`), to
    its parse result.

    Entries are spread over `SHARDS` files by a hash of their path, and a build rewrites
    only the files whose entries changed: after one edit, one small file instead of all of
    them. A rewritten file holds only the entries of this build, so nothing outlives its
    article. MessagePack (see `stored`), not pickle: a cache that a poisoned CI cache or a
    shared folder could fill must never be code that runs when it is read.
    """

    def __init__(
        self,
        folder: Path | None,
        salt: str,
        read_only: bool = False,
        memory: ParseMemory | None = None,
    ) -> None:
        self.folder = folder
        self.read_only = read_only
        self.salt = f"{code_digest()}|{salt}"
        self.memory = memory
        # What the last build of this process knew: reused only for the same folder and salt.
        self.remembering = memory is not None and memory.key == (folder, self.salt)
        if memory is not None and not self.remembering:
            memory.key, memory.results = (folder, self.salt), {}
        self.old: dict[str, _ShardFile] = {}  # shards read so far
        self.present: set[str] | None = None  # the article files of this build
        self.puts: dict[str, dict[str, _Stored | None]] = {}
        self.dirty: set[str] = set()  # shards to write again
        # In a compact build, every result of this build by source: once a shard is written
        # again, its articles read their bodies from the new file (see `save`).
        self.results: dict[str, Parsed] = {}

    def _entries(self, shard: str) -> _ShardFile:
        """A shard's stored entries, read once; a damaged or foreign one counts as empty."""
        entries = self.old.get(shard)
        if entries is None:
            path = None if self.folder is None else self.folder / shard
            read = _read_shard(path, self.salt) if path is not None and path.exists() else _NO_SHARD
            if read is None:
                self.dirty.add(shard)
            entries = self.old[shard] = read or _NO_SHARD
        return entries

    def lookup(self, stat_keys: dict[str, StatKey]) -> dict[str, tuple[Parsed, Keys]]:
        """The stored results of the files whose size and change stamp are unchanged."""
        self.present = set(stat_keys)
        found: dict[str, tuple[Parsed, Keys]] = {}
        if self.remembering:
            assert self.memory is not None
            remembered = self.memory.results
            for source, stat in stat_keys.items():
                hit = remembered.get(source)
                if hit is not None and hit[0] == stat:
                    found[source] = (hit[2], hit[1])
                else:
                    self._find(source, stat, self._entries(shard_of_source(source)), found)
                if stored.is_compact() and source in found:
                    self.results[source] = found[source][0]
            for source in [s for s in remembered if s not in stat_keys]:
                del remembered[source]  # deleted or renamed: its shard sheds the entry
                self.dirty.add(shard_of_source(source))
            return found
        for shard in self._all_shards():
            entries = self._entries(shard)
            for source in entries.rows:
                current = stat_keys.get(source)
                if current is None:
                    self.dirty.add(shard)  # an entry of a file that is gone
                else:
                    self._find(source, current, entries, found)
            entries.let_go()
        return found

    def _all_shards(self) -> list[str]:
        try:
            return sorted(n for n in os.listdir(self.folder) if n in _SHARD_SET)
        except (OSError, TypeError):
            return []

    def _find(
        self,
        source: str,
        stat: StatKey,
        entries: _ShardFile,
        found: dict[str, tuple[Parsed, Keys]],
    ) -> None:
        entry = entries.rows.get(source)
        if entry is None or (entry[0], entry[1]) != stat:
            return
        try:
            at = entries.start + entry[4]
            result = stored.load(entries.result(entry), entries.file, at)
        except (msgspec.DecodeError, ValueError, TypeError) as error:
            log.warning("parse cache: %s: damaged entry ignored (%s)", source, error)
            self.dirty.add(shard_of_source(source))
            return
        keys = Keys(entry[2], entry[3])
        found[source] = (result, keys)
        if stored.is_compact():
            self.results[source] = result
        if self.memory is not None:
            self.memory.results[source] = (stat, keys, result)

    def put(
        self,
        source: str,
        stat: StatKey,
        blob: bytes | stored.BodyAt | None,
        keys: Keys,
        parsed: Parsed | None = None,
    ) -> None:
        """Store a freshly parsed result (`blob` from `stored.dump`, None for "keep nothing")."""
        shard = shard_of_source(source)
        self.dirty.add(shard)
        self.puts.setdefault(shard, {})[source] = None if blob is None else (stat, keys, blob)
        if parsed is not None and stored.is_compact():
            self.results[source] = parsed
        if self.memory is not None:
            if blob is not None and parsed is not None:
                self.memory.results[source] = (stat, keys, parsed)
            else:
                self.memory.results.pop(source, None)

    def changed(self) -> bool:
        return bool(self.dirty)

    def save(self) -> None:
        """Write the changed shards (each whole, then renamed into place), then let go of
        every entry. A cache that cannot be written only costs parsing again next time."""
        if self.folder is None or self.read_only:
            self.close()
            return
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            for name in os.listdir(self.folder):
                temporary = _TEMPORARY.fullmatch(name)
                if temporary is not None and not process_runs(int(temporary[1])):
                    (self.folder / name).unlink(missing_ok=True)  # a stopped build's
                elif name not in _SHARD_SET and not name.endswith(".tmp"):
                    (self.folder / name).unlink(missing_ok=True)  # a file of an earlier format
            for shard in sorted(self.dirty):
                old = self._entries(shard)
                entries: dict[str, _Stored] = {
                    source: ((row[0], row[1]), Keys(row[2], row[3]), old.result(row))
                    for source, row in old.rows.items()
                    if self.present is None or source in self.present
                }
                for source, change in self.puts.get(shard, {}).items():
                    if change is None:
                        entries.pop(source, None)
                    else:
                        entries[source] = change
                target = self.folder / shard
                if entries:
                    ends = _write_shard(target, self.salt, entries)
                    if stored.is_compact():
                        self._read_bodies_from(target, ends)
                else:
                    target.unlink(missing_ok=True)
                if old is not _NO_SHARD:
                    # Its articles read the new file now: the old one closes (at most one
                    # shard file open twice, not all 256).
                    old.file, old.results = None, memoryview(b"")
        except OSError as error:
            log.warning("parse cache not saved (%s): the next build parses again", error.strerror)
        finally:
            self.close()  # also when Ctrl-C comes meanwhile: the spill files go

    def _read_bodies_from(self, path: Path, ends: dict[str, int]) -> None:
        """Have this build's articles of a shard just written read their bodies from it:
        the bytes they were read from, or parsed into, can go."""
        file = stored.OpenFile(path)
        for source, end in ends.items():
            result = self.results.get(source)
            if result is not None and result.article is not None:
                stored.body_in_file(result.article, file, end)

    def close(self) -> None:
        """Let go of every entry: results are large, and a build has no more use for them."""
        self.old, self.puts, self.results = {}, {}, {}
        if self.folder is not None and not self.read_only:
            spill.remove_own(self.folder, os.getpid())


def shard_of_source(source: str) -> str:
    """The shard of an article path: the same on every machine and in every process."""
    return _SHARD_NAMES[zlib.crc32(source.encode("utf-8", "surrogatepass")) % SHARDS]


def _read_shard(path: Path, salt: str) -> _ShardFile | None:
    try:
        # In a compact build the file stays open: the articles read their bodies from it.
        file = stored.OpenFile(path) if stored.is_compact() else None
        data = path.read_bytes()
        shard = _shard_decoder.decode(data)
    except OSError as error:
        log.warning("parse cache: %s cannot be read (%s); parsing again", path, error.strerror)
        return None
    except (msgspec.DecodeError, ValueError) as error:
        log.warning("parse cache: %s is damaged (%s); parsing again", path, error)
        return None
    if shard.format != FORMAT or shard.salt != salt:
        return None  # another version or other settings: quietly replaced
    size = stored.size_of(shard.results)
    return _ShardFile(shard.entries, shard.results, len(data) - size, size, file)


def _write_shard(path: Path, salt: str, entries: dict[str, _Stored]) -> dict[str, int]:
    """Write a shard file whole, then rename it into place; returns where each entry ends
    in it."""
    rows: dict[str, _Row] = {}
    blobs: list[bytes | memoryview] = []
    offset = 0
    for source, (stat, keys, stored_at) in sorted(entries.items()):
        # A result a worker wrote to its spill file is read from there.
        blob = stored_at.read() if isinstance(stored_at, stored.BodyAt) else stored_at
        size = stored.size_of(blob)
        rows[source] = (stat[0], stat[1], keys[0], keys[1], offset, size)
        blobs.append(blob)
        offset += size
    results = b"".join(blobs)
    data = _shard_encoder.encode(_Shard(FORMAT, salt, rows, memoryview(results)))
    temporary = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    try:
        temporary.write_bytes(data)
        os.replace(temporary, path)
    except BaseException:  # a full disk, Ctrl-C: no half-written shard is left behind
        temporary.unlink(missing_ok=True)
        raise
    start = len(data) - len(results)
    return {source: start + row[4] + row[5] for source, row in rows.items()}
