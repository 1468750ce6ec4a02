"""A parse cache in the output folder's state folder: unchanged files are not parsed again."""

from __future__ import annotations

import functools
import hashlib
import logging
import marshal
import pickle
from dataclasses import dataclass
from pathlib import Path

from roundup import __version__
from roundup.collection import link_key
from roundup.content import Parsed
from roundup.errors import Problem

log = logging.getLogger(__name__)

CACHE_FILE = "parse-cache"


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
# size, mtime_ns, the pickled result: each entry is pickled on its own, so a build that
# parsed one file re-pickles one entry, and the file as a whole is a fast marshal dump.
Entry = tuple[int, int, bytes]


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
            key = link_key(article)
            return Draft(article.source, article.slug, key, tuple(parsed.warnings))
    return parsed


def dump(parsed: Result | None) -> bytes | None:
    return None if parsed is None else pickle.dumps(parsed, protocol=pickle.HIGHEST_PROTOCOL)


class ParseCache:
    """Maps each article file, by path, size and modification time, to its parse result."""

    def __init__(self, state_dir: Path | None, salt: str) -> None:
        self.path = state_dir / CACHE_FILE if state_dir else None
        self.salt = f"{code_digest()}|{salt}"
        self.old: dict[str, Entry] = self._read()
        self.new: dict[str, Entry] = {}
        self.fresh = 0  # entries added or replaced in this build

    def _read(self) -> dict[str, Entry]:
        if self.path is None or not self.path.is_file():
            return {}
        try:
            salt, entries = marshal.loads(self.path.read_bytes())
        except Exception as error:  # a damaged or foreign cache only costs a full parse
            log.debug("parse cache ignored: %s", error)
            return {}
        return entries if salt == self.salt and isinstance(entries, dict) else {}

    def get(self, source: str, key: tuple[int, int]) -> Result | None:
        entry = self.old.get(source)
        if entry is None or (entry[0], entry[1]) != key:
            return None
        try:
            result = pickle.loads(entry[2])
        except Exception:
            return None
        self.new[source] = entry
        return result

    def put(self, source: str, key: tuple[int, int], blob: bytes | None) -> None:
        """Store a freshly parsed result (`blob` from `dump(for_storage(...))`)."""
        self.fresh += 1
        if blob is not None:
            self.new[source] = (key[0], key[1], blob)

    def changed(self) -> bool:
        return self.fresh > 0 or self.new.keys() != self.old.keys()

    def data(self) -> bytes:
        return marshal.dumps((self.salt, dict(sorted(self.new.items()))))
