"""The parse cache in the cache folder: article files that did not change are not parsed again."""

from __future__ import annotations

import functools
import hashlib
import logging
import os
import sys
import zlib
from pathlib import Path

import feedgen.version
import jinja2
import markdown
import msgspec
import nh3
import pydantic
import yaml

from roundup import __version__, stored
from roundup.collection import Keys
from roundup.content import Parsed

log = logging.getLogger(__name__)

CACHE_DIR = "parsed"  # in the cache folder: one JSON file per shard of the article paths
SHARDS = 256
_SHARD_NAMES = [f"{n:02x}.json" for n in range(SHARDS)]
_SHARD_SET = frozenset(_SHARD_NAMES)
FORMAT = "roundup parse cache 5"

StatKey = tuple[int, int]  # a file's size and modification time (ns)


class _Shard(msgspec.Struct, forbid_unknown_fields=True):
    """One shard file. Entries stay raw JSON until a build asks for them: after one edit, a
    build decodes every entry but a whole shard file is only ever rewritten, not re-encoded."""

    format: str
    salt: str
    # source -> (size, modification time, the file's collection keys, its stored result)
    entries: dict[str, tuple[int, int, str, str, msgspec.Raw]]


_shard_decoder = msgspec.json.Decoder(_Shard)
_shard_encoder = msgspec.json.Encoder()
_Stored = tuple[StatKey, Keys, bytes | msgspec.Raw]


@functools.cache
def code_digest() -> str:
    """Changes with roundup's own code and the libraries that shape its output: an upgrade
    (or a local edit) re-parses and rewrites."""
    h = hashlib.blake2b(__version__.encode(), digest_size=16)
    # A new Markdown or sanitiser can change a cached comment, a new Jinja or feedgen a page
    # whose inputs did not change.
    libraries = (sys.version, markdown.__version__, nh3.__version__, yaml.__version__,
                 pydantic.VERSION, jinja2.__version__, feedgen.version.version_str,
                 msgspec.__version__)  # fmt: skip
    h.update(repr(libraries).encode())
    package = Path(__file__).parent
    for path in sorted(package.rglob("*.py")):
        h.update(path.relative_to(package).as_posix().encode() + b"\0" + path.read_bytes())
    return h.hexdigest()


class ParseCache:
    """Maps each article file, by path, size and modification time, to its parse result.

    Entries are spread over `SHARDS` JSON files by a hash of their path, and a build rewrites
    only the files whose entries changed: after one edit, one small file instead of all of
    them. A rewritten file holds only the entries of this build, so nothing outlives its
    article. JSON, not pickle: a cache that a poisoned CI cache or a shared folder could fill
    must never be code that runs when it is read.
    """

    def __init__(self, folder: Path | None, salt: str, read_only: bool = False) -> None:
        self.folder = folder
        self.read_only = read_only
        self.salt = f"{code_digest()}|{salt}"
        self.old: dict[str, dict[str, tuple[int, int, str, str, msgspec.Raw]]] = {}
        self.new: dict[str, dict[str, _Stored]] = {}
        self.dirty: set[str] = set()  # shards to write whatever their entries
        self._read()

    def _read(self) -> None:
        if self.folder is None:
            return
        try:
            names = os.listdir(self.folder)
        except OSError:
            return
        for name in names:
            if name in _SHARD_SET:
                entries = _read_shard(self.folder / name, self.salt)
                if entries is None:  # damaged, or from other code or settings: replace it
                    self.dirty.add(name)
                else:
                    self.old[name] = entries

    def lookup(self, stat_keys: dict[str, StatKey]) -> dict[str, tuple[Parsed, Keys]]:
        """The stored results of the files whose size and modification time are unchanged."""
        found: dict[str, tuple[Parsed, Keys]] = {}
        for shard, entries in self.old.items():
            kept = self.new.setdefault(shard, {})
            for source, (size, mtime, derived, link, raw) in entries.items():
                stat = (size, mtime)
                if stat_keys.get(source) != stat:
                    continue
                try:
                    result = stored.load(raw)
                except (msgspec.DecodeError, ValueError, TypeError) as error:
                    log.warning("parse cache: %s: damaged entry ignored (%s)", source, error)
                    self.dirty.add(shard)
                    continue
                keys = Keys(derived, link)
                kept[source] = (stat, keys, raw)
                found[source] = (result, keys)
        return found

    def put(self, source: str, stat: StatKey, blob: bytes | None, keys: Keys) -> None:
        """Store a freshly parsed result (`blob` from `stored.dump`, None for "keep nothing")."""
        shard = shard_of_source(source)
        self.dirty.add(shard)
        entries = self.new.setdefault(shard, {})
        if blob is not None:
            entries[source] = (stat, keys, blob)
        else:
            entries.pop(source, None)

    def _changed(self) -> list[str]:
        shards = self.dirty | self.old.keys() | self.new.keys()
        return sorted(
            shard
            for shard in shards
            if shard in self.dirty
            or self.new.get(shard, {}).keys() != self.old.get(shard, {}).keys()
        )

    def changed(self) -> bool:
        return bool(self._changed())

    def save(self) -> None:
        """Write the changed shards (each whole, then renamed into place), then let go of
        every entry. A cache that cannot be written only costs parsing again next time."""
        if self.folder is None or self.read_only:
            self.close()
            return
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            for shard in self._changed():
                entries = self.new.get(shard)
                target = self.folder / shard
                if not entries:
                    target.unlink(missing_ok=True)
                    continue
                _write_shard(target, self.salt, entries)
        except OSError as error:
            log.warning("parse cache not saved (%s): the next build parses again", error.strerror)
        self.close()

    def close(self) -> None:
        """Let go of every entry: results are large, and a build has no more use for them."""
        self.old, self.new = {}, {}


def shard_of_source(source: str) -> str:
    """The shard of an article path: the same on every machine and in every process."""
    return _SHARD_NAMES[zlib.crc32(source.encode("utf-8", "surrogatepass")) % SHARDS]


def _read_shard(path: Path, salt: str) -> dict[str, tuple[int, int, str, str, msgspec.Raw]] | None:
    try:
        shard = _shard_decoder.decode(path.read_bytes())
    except OSError as error:
        log.warning("parse cache: %s cannot be read (%s); parsing again", path, error.strerror)
        return None
    except (msgspec.DecodeError, ValueError) as error:
        log.warning("parse cache: %s is damaged (%s); parsing again", path, error)
        return None
    if shard.format != FORMAT or shard.salt != salt:
        return None  # another version or other settings: quietly replaced
    return shard.entries


def _raw(blob: bytes | msgspec.Raw) -> msgspec.Raw:
    return blob if isinstance(blob, msgspec.Raw) else msgspec.Raw(blob)


def _write_shard(path: Path, salt: str, entries: dict[str, _Stored]) -> None:
    rows = {
        source: (stat[0], stat[1], keys[0], keys[1], _raw(blob))
        for source, (stat, keys, blob) in sorted(entries.items())
    }
    data = _shard_encoder.encode(_Shard(FORMAT, salt, rows))
    temporary = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    temporary.write_bytes(data)
    os.replace(temporary, path)
