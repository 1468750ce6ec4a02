"""Parse results as bytes, for the parse cache and for workers: data only, never code.

An entry is MessagePack: the article's head (what every build reads of every article), its
warnings, and its body (the text) as JSON. Articles come back with
their body decoded only when first read; in a big site (see `compact`) never kept decoded for
long, nor even in memory: read again from the cache file each time (see `BodyAt`).
"""

from __future__ import annotations

import contextlib
import math
import os
import sys
from collections.abc import Iterable
from datetime import datetime
from operator import attrgetter
from typing import Any, Final

import msgspec

from roundup.core.errors import Problem
from roundup.core.model import Article, Image, Provider, Related
from roundup.read.content import Parsed

# What building the site and telling which pages changed read of every article; the rest
# (text, related coverage, extra fields) only the pages being made read. After one edit at
# 30,000 articles, decoding the rest of every article cost a fifth of the build.
# Feed entry ids are worked out for every article (to find two alike), hence `entry_id`.
HEAD = (
    "source", "slug", "published_at", "url", "provider", "topics", "images", "quality",
    "heat", "published", "digest", "entry_id",
)  # fmt: skip
BODY = tuple(name for name in Article.__dataclass_fields__ if name not in HEAD)
_BODY = frozenset(BODY)
_head = attrgetter(*HEAD)
_body = attrgetter(*BODY)
_compared = attrgetter(*(f.name for f in Article.__dataclass_fields__.values() if f.compare))
_set = object.__setattr__
# The slots' own setters, for the fields every cached article is loaded with: a third faster
# than `object.__setattr__` by name (which looks each name up), 100,000 times after an edit.
_SET_HEAD = tuple(getattr(Article, name).__set__ for name in HEAD)
# Positions in the head as literals, so that the type of `_Head` at each is known.
_DATE: Final = 2
_PROVIDER: Final = 4
_TOPICS: Final = 5
assert (HEAD[_DATE], HEAD[_PROVIDER], HEAD[_TOPICS]) == ("published_at", "provider", "topics")

# The body is JSON, which keeps what the pages show exactly: texts, whole numbers apart from
# fractions, and each date with its own UTC offset (a related link's date is printed with
# it). Never compressed: a compact build reads bodies from the cache files, not memory (see
# `BodyAt`), and compressing them cost a cold build of 100,000 articles 15 % of its time
# (deflate sets up 256 KB of state for each 2 KB body, and each read decompressed again), to
# make the cache files a third smaller. The head's date is written as ISO text, as dates
# in the body are. Decoding builds the model's own frozen dataclasses, checking every type.
Number = int | float | None
_Head = tuple[
    str, str, datetime, str, Provider | None, tuple[str, ...], tuple[Image, ...], Number,
    Number, bool, str, str | None,
]  # fmt: skip
_Body = tuple[
    str, str | None, str | None, str, str, tuple[Related, ...], str | None, str | None,
    str | None, bool, dict[str, Any], dict[str, int | None],
]  # fmt: skip
assert BODY == ("title", "original_url", "web_url", "excerpt", "comment_html", "related",
                "category", "type", "curator", "date_only", "extra", "lines"), BODY  # fmt: skip
_json = msgspec.json.Encoder()
_msgpack = msgspec.msgpack.Encoder()
# The head, the warnings, whether the article has a comment and whether the lists can show it
# whole (which items get a page depends on both, and the size warning's estimates: reading
# each body to know would decode them all), and the body last: its place in a cache file is
# then the end of the entry less its length (see `BodyAt`). memoryview: the body stays a view
# of the entry's bytes, not a copy.
_Entry = tuple[_Head, tuple[Problem, ...], bool, bool, memoryview]
_entry_decoder: msgspec.msgpack.Decoder[_Entry] = msgspec.msgpack.Decoder(_Entry)
_body_decoder: msgspec.json.Decoder[_Body] = msgspec.json.Decoder(_Body)

# Sites of more than this many articles are built compact: bodies are decoded each time a
# page needs them (a few are remembered) instead of once for good. Past about 50,000
# articles, decoded bodies would take most of the memory of a build (about 3 KB each).
COMPACT_ARTICLES = 50_000
_compact = False
_RECENT = 4_096  # bodies kept decoded in a compact build: the pages being made share many
_recent: dict[int, tuple[LazyArticle, tuple[Any, ...]]] = {}


def compact(on: bool) -> None:
    """Keep bodies decoded once read (False), or read and decode them when needed (True)."""
    global _compact
    _compact = on
    _recent.clear()
    if on:
        _allow_open_files(1024)


def _allow_open_files(wanted: int) -> None:
    """A compact build keeps each parse cache file open (256, see `OpenFile`): more than
    macOS allows a process by default. Raised up to the hard limit, as far as it goes."""
    try:
        import resource
    except ImportError:  # pragma: no cover - not on Unix: no limit of this kind
        return
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft != resource.RLIM_INFINITY and soft < wanted:
        target = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
        with contextlib.suppress(ValueError, OSError):  # the limit stays: fewer is fine
            resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))


class OpenFile:
    """A cache file kept open while articles read their bodies from it: it is read by
    position, so its content stays what it was when opened, even once the file is replaced
    (the replaced file lives on until the last article that reads it lets go of it)."""

    __slots__ = ("fd",)

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.fd = os.open(path, os.O_RDONLY | getattr(os, "O_BINARY", 0))

    def read(self, offset: int, length: int) -> bytes:
        """Exactly `length` bytes from `offset`; OSError if the file is shorter than that
        (cut short since it was written: a damaged cache, never a half-read body)."""
        if hasattr(os, "pread"):
            data = os.pread(self.fd, length, offset)
        else:  # pragma: no cover - Windows has no pread
            os.lseek(self.fd, offset, os.SEEK_SET)
            data = os.read(self.fd, length)
        if len(data) != length:
            raise OSError(f"a cache file is shorter than it was ({length} bytes expected)")
        return data

    def __del__(self) -> None:
        os.close(self.fd)


class BodyAt:
    """Where an article's stored body is in a cache file: in a compact build, 100,000 bodies
    held in memory took 157 MB that pages read only now and then."""

    __slots__ = ("file", "length", "offset")

    def __init__(self, file: OpenFile, offset: int, length: int) -> None:
        self.file, self.offset, self.length = file, offset, length

    def read(self) -> bytes:
        return self.file.read(self.offset, self.length)


def is_compact() -> bool:
    return _compact


def forget_recent() -> None:
    """Let go of the bodies a compact build keeps decoded: pages are made."""
    _recent.clear()


class DamagedEntry(Exception):
    """A cached article's body could not be decoded: the cache file was damaged."""

    def __init__(self, source: str, reason: str) -> None:
        super().__init__(source, reason)
        self.source = source
        self.reason = reason


class LazyArticle(Article):
    """An `Article` whose `BODY` fields are decoded from `_body` when one is first read.

    Reading an unset slot raises AttributeError, which sends Python to `__getattr__`: the
    fields are filled in there once, and read as plain slots from then on; in a compact
    build they stay unset, and a few recent bodies are remembered instead.
    """

    __slots__ = ("_body", "_commented", "_fits")

    @property
    def has_comment(self) -> bool:
        try:
            return bool(object.__getattribute__(self, "_commented"))
        except AttributeError:  # made whole rather than loaded (by `replace`, say)
            return bool(self.comment_html)

    @property
    def fits_lists(self) -> bool:
        try:
            return bool(object.__getattribute__(self, "_fits"))
        except AttributeError:
            return Article.fits_lists.fget(self)  # type: ignore[attr-defined,no-any-return]

    def __getattr__(self, name: str) -> Any:
        if name not in _BODY:
            raise AttributeError(name)
        try:
            body = object.__getattribute__(self, "_body")
        except AttributeError:
            raise AttributeError(name) from None
        if _compact:
            # Kept with the article itself, so that no other can take its id meanwhile.
            recent = _recent.get(id(self))
            if recent is None or recent[0] is not self:
                if len(_recent) >= _RECENT:
                    del _recent[next(iter(_recent))]  # the oldest
                recent = _recent[id(self)] = (self, _decode_body(self, body))
            return recent[1][_BODY_INDEX[name]]
        for field, value in zip(BODY, _decode_body(self, body), strict=True):
            _set(self, field, value)
        object.__delattr__(self, "_body")
        return object.__getattribute__(self, name)

    def __eq__(self, other: object) -> bool:
        # As an Article: equal fields are equal articles, whichever of the two classes.
        if not isinstance(other, Article):
            return NotImplemented
        return _compared(self) == _compared(other)

    __hash__ = Article.__hash__

    def __reduce__(self) -> tuple[Any, ...]:
        return Article, tuple(getattr(self, name) for name in Article.__dataclass_fields__)


_BODY_INDEX = {name: index for index, name in enumerate(BODY)}
# Providers are frozen: articles of one source can share one. Bounded by the site's sources.
_providers: dict[Provider, Provider] = {}


def _decode_body(article: LazyArticle, body: memoryview | bytes | BodyAt) -> _Body:
    try:
        if isinstance(body, BodyAt):
            body = body.read()
        return _body_decoder.decode(body)
    except (msgspec.DecodeError, ValueError, TypeError, OSError) as error:
        raise DamagedEntry(article.source, str(error)) from None


def body_length(article: Article) -> int | None:
    """How long the stored body of a loaded article is; None once it is decoded."""
    try:
        body = object.__getattribute__(article, "_body")
    except AttributeError:
        return None
    return body.length if type(body) is BodyAt else size_of(body)


def size_of(data: bytes | memoryview | msgspec.Raw) -> int:
    """How many bytes: for a memoryview msgspec decoded, its `nbytes`, not its length (msgspec
    0.18 gives such views the length of the whole message they were decoded from)."""
    return data.nbytes if isinstance(data, memoryview) else len(data)


def body_in_file(article: Article, file: OpenFile, entry_end: int) -> None:
    """Read a loaded article's body from here on out of `file`, whose stored entry for it
    ends at `entry_end` (the body is its last part); nothing for a decoded article."""
    length = body_length(article)
    if length is not None and _compact:
        _set(article, "_body", BodyAt(file, entry_end - length, length))


def storable(parsed: Parsed) -> bool:
    """Whether a result can be kept: files with errors are not, so their errors are shown
    again next time; nor is an article whose extra fields JSON cannot carry exactly."""
    return parsed.article is not None and not parsed.errors and _exact(parsed.article.extra)


def dump(parsed: Parsed) -> bytes:
    """A storable result (see `storable`) as bytes."""
    article = parsed.article
    assert article is not None, "a storable result has an article"
    head = list(_head(article))
    head[_DATE] = head[_DATE].isoformat()  # with its offset, which MessagePack would drop
    body = _json.encode(_body(article))
    return _msgpack.encode((head, parsed.warnings, article.has_comment, article.fits_lists, body))


def load(
    data: bytes | memoryview | msgspec.Raw, file: OpenFile | None = None, at: int = 0
) -> Parsed:
    """A result from `dump`; raises `msgspec.DecodeError` or `ValueError` for damaged bytes.

    The article's head is checked now, its body when first read (see `read_all`). In a
    compact build, an entry read from `file` at offset `at` reads its body from there then.
    """
    head, warnings, commented, fits, body = _entry_decoder.decode(data)
    article = object.__new__(LazyArticle)
    for set_field, value in zip(_SET_HEAD, head, strict=True):
        set_field(article, value)
    # Every article names a handful of the same topics: one string each, not one an article.
    _set(article, "topics", tuple([sys.intern(t) for t in head[_TOPICS]]))
    provider = head[_PROVIDER]
    if provider is not None:  # and the same few hundred sources: one object each (170 bytes)
        _set(article, "provider", _providers.setdefault(provider, provider))
    if file is not None and _compact:
        # The body ends the entry: its bytes are the entry's last ones.
        end, length = at + size_of(data), size_of(body)
        _set(article, "_body", BodyAt(file, end - length, length))
    else:
        _set(article, "_body", body)
    _set(article, "_commented", commented)
    _set(article, "_fits", fits)
    return Parsed(article, [], list(warnings))


def load_at(file: OpenFile, offset: int, length: int) -> tuple[Parsed, BodyAt]:
    """A result that `dump` made, read from `file`, and where its bytes are (for the cache
    to copy them); its body stays there. Raises OSError when the file is too short."""
    where = BodyAt(file, offset, length)
    return load(where.read(), file, offset), where


def read_all(articles: Iterable[Article]) -> None:
    """Decode what is left to decode of these articles, once, here: before forking workers
    that would each decode much of it again, into memory of their own (not in a compact
    build, where each decodes only what its pages need, and forgets it)."""
    if _compact:
        return
    for article in articles:
        if type(article) is LazyArticle:
            article.title  # noqa: B018  # reading one field fills them all


def _exact(value: Any) -> bool:
    """Whether JSON gives back exactly this value of an unknown field: YAML's .nan and .inf
    would come back as null, dates as text."""
    kind = type(value)
    if kind is str or kind is int or kind is bool or value is None:
        return True
    if kind is float:
        return math.isfinite(value)
    if kind is list:
        return all(_exact(v) for v in value)
    if kind is dict:
        return all(type(k) is str and _exact(v) for k, v in value.items())
    return False
