"""A parse cache in the output folder's state folder: unchanged files are not parsed again."""

from __future__ import annotations

import copyreg
import functools
import hashlib
import io
import logging
import marshal
import pickle
from collections import ChainMap
from dataclasses import dataclass
from operator import attrgetter
from pathlib import Path
from typing import Any

from roundup import __version__
from roundup.collection import Keys, keys_of
from roundup.content import Parsed
from roundup.errors import Problem
from roundup.model import Article, Image, Provider, Related

log = logging.getLogger(__name__)

CACHE_FILE = "parse-cache"
# The file: this line, the index's length (8 bytes), the marshalled index, then every entry's
# pickled result, one after another. Marshal reads the index fast; the results are read as one
# block and unpickled from slices of it, so a build holds one copy of them, not one per file.
_MAGIC = b"roundup parse cache 2\n"


@dataclass(frozen=True, slots=True)
class Draft:
    """What a public build keeps of an unpublished article: no title, no text, no link.

    The state folder sits inside the output folder, so a public build must not store an
    unpublished article's content there; only what cross-file checks need.
    """

    source: str
    slug: str
    link_key: str  # a fingerprint of the link, for duplicate-link warnings
    warnings: tuple[Problem, ...] = ()
    published: bool = False


Result = Parsed | Draft
# Where an entry's pickled result is: the old file's block (offset, length), or new bytes.
Blob = tuple[int, int] | bytes
# size, mtime_ns, offset, length, then the file's collection keys (see `collection.Keys`).
_Index = tuple[int, int, int, int, str, str]


def _by_fields(cls: type) -> Any:
    # Pickled as a call with the fields in order: slotted dataclasses otherwise restore
    # field by field in Python, which made reading 30,000 cached results a third slower.
    fields = cls.__dataclass_fields__  # type: ignore[attr-defined]
    assert all(f.init and not f.kw_only for f in fields.values()), cls
    values = attrgetter(*fields)
    return lambda obj: (cls, values(obj))


_DISPATCH = ChainMap(
    {cls: _by_fields(cls) for cls in (Article, Provider, Image, Related, Parsed, Draft, Problem)},
    copyreg.dispatch_table,
)


@functools.cache
def code_digest() -> str:
    """Changes with roundup's own code: an upgrade (or a local edit) re-parses and rewrites."""
    h = hashlib.blake2b(__version__.encode(), digest_size=16)
    for path in sorted(Path(__file__).parent.glob("*.py")):
        h.update(path.name.encode() + b"\0" + path.read_bytes())
    return h.hexdigest()


def for_storage(parsed: Result, public: bool) -> Result | None:
    """What may be stored of a result: drafts shrink to a `Draft` in public builds; files with
    errors are not stored at all, so their errors are shown again next time."""
    if isinstance(parsed, Parsed):
        if parsed.errors:
            return None
        article = parsed.article
        if public and article is not None and not article.published:
            key = keys_of(article).link_key
            return Draft(article.source, article.slug, key, tuple(parsed.warnings))
    return parsed


def dump(parsed: Result | None) -> bytes | None:
    if parsed is None:
        return None
    buffer = io.BytesIO()
    pickler = pickle.Pickler(buffer, pickle.HIGHEST_PROTOCOL)
    pickler.dispatch_table = _DISPATCH
    pickler.dump(parsed)
    return buffer.getvalue()


def load(blob: bytes) -> Result:
    return pickle.loads(blob)


class ParseCache:
    """Maps each article file, by path, size and modification time, to its parse result."""

    def __init__(self, state_dir: Path | None, salt: str) -> None:
        self.path = state_dir / CACHE_FILE if state_dir else None
        self.salt = f"{code_digest()}|{salt}"
        self.block = memoryview(b"")
        self.old: dict[str, _Index] = self._read()
        self.new: dict[str, tuple[int, int, Blob, Keys]] = {}
        self.fresh = 0  # entries added or replaced in this build

    def _read(self) -> dict[str, _Index]:
        if self.path is None or not self.path.is_file():
            return {}
        try:
            data = memoryview(self.path.read_bytes())
            start = len(_MAGIC) + 8
            if data[: len(_MAGIC)] != _MAGIC:
                return {}
            end = start + int.from_bytes(data[len(_MAGIC) : start], "little")
            salt, index = marshal.loads(data[start:end])
        except Exception as error:  # a damaged or foreign cache only costs a full parse
            log.debug("parse cache ignored: %s", error)
            return {}
        if salt != self.salt or not isinstance(index, dict):
            return {}
        self.block = data[end:]
        return index

    def get(self, source: str, key: tuple[int, int]) -> tuple[Result, Keys] | None:
        entry = self.old.get(source)
        if entry is None or (entry[0], entry[1]) != key:
            return None
        size, mtime, offset, length, derived, link = entry
        try:
            result = pickle.loads(self.block[offset : offset + length])
        except Exception:
            return None
        keys = Keys(derived, link)
        self.new[source] = (size, mtime, (offset, length), keys)
        return result, keys

    def put(self, source: str, key: tuple[int, int], blob: bytes | None, keys: Keys) -> None:
        """Store a freshly parsed result (`blob` from `dump(for_storage(...))`)."""
        self.fresh += 1
        if blob is not None:
            self.new[source] = (key[0], key[1], blob, keys)
        else:
            self.new.pop(source, None)

    def changed(self) -> bool:
        return self.fresh > 0 or self.new.keys() != self.old.keys()

    def save(self, path: Path) -> None:
        """Write the entries of this build to `path`, then let go of them and the old file."""
        index: dict[str, _Index] = {}
        blobs: list[bytes | memoryview] = []
        offset = 0
        for source in sorted(self.new):
            size, mtime, blob, keys = self.new[source]
            data = blob if isinstance(blob, bytes) else self.block[blob[0] : blob[0] + blob[1]]
            index[source] = (size, mtime, offset, len(data), *keys)
            blobs.append(data)
            offset += len(data)
        header = marshal.dumps((self.salt, index))
        with path.open("wb") as file:
            file.write(_MAGIC + len(header).to_bytes(8, "little"))
            file.write(header)
            file.writelines(blobs)
        del blobs
        self.close()

    def close(self) -> None:
        """Let go of every entry: results are large, and a build has no more use for them."""
        self.old, self.new = {}, {}
        self.block = memoryview(b"")
