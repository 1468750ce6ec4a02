"""Plain-data fingerprints of page contexts: a page is rendered again only when they change."""

from __future__ import annotations

import hashlib
import marshal
from collections.abc import Callable, Iterable
from datetime import date, datetime
from operator import attrgetter
from typing import Any

from roundup.site.structure import Edition, Item, Topic

_PLAIN = frozenset({str, int, float, bool, type(None)})
_AS_TEXT = frozenset({date, datetime})
_RECORDS = frozenset({Item, Topic, Edition})


def fingerprint(value: Any, memo: dict[int, Any]) -> Any:
    """A plain-data stand-in for a page context: equal fingerprints render equal pages.

    Articles count by their file's content hash, so a page is re-rendered exactly when
    something it shows changed. Items, topics and editions live as long as the `Site`, so
    their results are memoised by identity; short-lived values are never memoised.
    """
    # Exact types first: an incremental build fingerprints every page of the site, and
    # a page's context is mostly strings, tuples and items.
    kind = type(value)
    if kind in _PLAIN:
        return value
    if kind in _RECORDS:
        return memo.get(id(value)) or _record_digest(value, memo)
    if kind is tuple or kind is list:
        return tuple(_members(value, memo))
    if kind in _AS_TEXT:
        return str(value)
    if kind is dict:
        keys = sorted(value)
        return tuple(zip(keys, _members([value[k] for k in keys], memo), strict=True))
    if isinstance(value, list | tuple):
        return tuple(fingerprint(v, memo) for v in value)
    if isinstance(value, dict):
        return tuple((k, fingerprint(v, memo)) for k, v in sorted(value.items()))
    fields = _fields_of(kind)
    if fields is not None:  # a dataclass: a page's parts, its pager
        return (kind.__name__, *_members(fields(value), memo))
    return value if isinstance(value, str | int | float | bool | type(None)) else str(value)


_Fields = Callable[[Any], tuple[Any, ...]]
_fields_by_type: dict[type, _Fields | None] = {}


def _fields_of(kind: type) -> _Fields | None:
    """A dataclass's fields as one call that reads them all; None for any other type."""
    if kind in _fields_by_type:
        return _fields_by_type[kind]
    names = tuple(getattr(kind, "__dataclass_fields__", ()))
    fields: _Fields | None = None
    if len(names) == 1:
        name = names[0]

        def fields(value: Any) -> tuple[Any, ...]:  # attrgetter of one name gives no tuple
            return (getattr(value, name),)

    elif names:
        fields = attrgetter(*names)
    _fields_by_type[kind] = fields
    return fields


def _members(values: Iterable[Any], memo: dict[int, Any]) -> list[Any]:
    """The fingerprints of several values, the common kinds inline: a call for each of the
    ~300,000 values a 30,000-article site lists took half the time of checking its pages."""
    out = []
    for member in values:
        kind = type(member)
        if kind in _PLAIN:
            out.append(member)
        elif kind in _RECORDS:
            out.append(memo.get(id(member)) or _record_digest(member, memo))
        elif kind is tuple:  # (a day, its items) and the like: one call fewer each
            out.append(tuple(_members(member, memo)))
        elif kind in _AS_TEXT:
            out.append(str(member))
        else:
            out.append(fingerprint(member, memo))
    return out


def _record_digest(value: Item | Topic | Edition, memo: dict[int, Any]) -> str:
    # A short digest stands for the whole record: pages list the same items many times,
    # and hashing short strings keeps the page keys cheap to compute.
    record = stable_bytes(_fingerprint_record(value, memo))
    digest = memo[id(value)] = hashlib.blake2b(record, digest_size=12).hexdigest()
    return digest


def file_keys(base: str, memo: dict[int, Any]) -> Callable[[str, str, object], str]:
    """`key(kind, path, shown)`: the key of an output file, from what every file's key starts
    with (`base`: the code, templates and settings) and the fingerprint of what it shows."""
    # Hashed once: each file's key goes on from this state, not from the long text again.
    start = hashlib.blake2b(base.encode(), digest_size=16)

    def key(kind: str, path: str, shown: object) -> str:
        h = start.copy()
        h.update(stable_bytes((kind, path, fingerprint(shown, memo))))
        return h.hexdigest()

    return key


def stable_bytes(value: Any) -> bytes:
    """A fingerprint's bytes, the same in every process and on every run."""
    try:
        # Version 0 writes no back-references or interning marks, which would depend on
        # reference counts and interning rather than on the value; and it is 3x repr's speed.
        return marshal.dumps(value, 0)
    except ValueError:  # a value marshal cannot write (a str subclass, say)
        return repr(value).encode()


def _fingerprint_record(value: Item | Topic | Edition, memo: dict[int, Any]) -> Any:
    if isinstance(value, Item):
        a = value.article
        topics = tuple(_members(value.topics, memo))
        # The file's content hash covers everything read from it; its local time and page
        # path follow from that, its slug (which the collection may change) and the settings.
        return ("I", a.digest, a.slug, a.source, topics)
    if isinstance(value, Topic):
        return ("T", value.name, value.slug, value.count)
    return ("E", value.path, value.title, value.number, fingerprint(value.groups, memo))


# An edition's record holds its groups, and so its items: by the edition's id, the edition
# (kept alive) and the ids of those items.
EditionItems = dict[int, tuple[Edition, frozenset[int]]]


def items_in(value: Any, editions: EditionItems) -> set[int]:
    """The ids of the items whose records `fingerprint(value)` reads: the value's key
    changes with any of them, and with nothing else of an item. Walks as `fingerprint` does
    (through containers, dataclasses and editions; not into topics, or values it prints)."""
    found: set[int] = set()
    _collect(value, found, editions)
    return found


def _collect(value: Any, found: set[int], editions: EditionItems) -> None:
    kind = type(value)
    if kind in _PLAIN or kind in _AS_TEXT or kind is Topic:
        return
    if kind is Item:
        found.add(id(value))
    elif kind is Edition:
        known = editions.get(id(value))
        if known is None:
            inside: set[int] = set()
            _collect(value.groups, inside, editions)
            known = editions[id(value)] = (value, frozenset(inside))
        found.update(known[1])
    elif isinstance(value, list | tuple):
        for member in value:
            _collect(member, found, editions)
    elif isinstance(value, dict):
        for member in value.values():
            _collect(member, found, editions)
    else:
        fields = _fields_of(kind)
        if fields is not None:
            for member in fields(value):
                _collect(member, found, editions)
