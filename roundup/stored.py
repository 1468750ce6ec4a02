"""Parse results as JSON bytes, for the parse cache and for workers: data only, never code.

Articles come back with their text decoded only when first read.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from datetime import datetime
from operator import attrgetter
from typing import Any

import msgspec

from roundup.content import Parsed
from roundup.errors import Problem
from roundup.model import Article, Image, Provider, Related

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

# JSON keeps what the pages show exactly: texts, whole numbers apart from fractions, and each
# date with its own UTC offset (a related link's date is printed with it). Decoding builds
# the model's own frozen dataclasses and checks every type on the way.
Number = int | float | None
_Head = tuple[
    str, str, datetime, str, Provider | None, tuple[str, ...], tuple[Image, ...], Number,
    Number, bool, str, str | None,
]  # fmt: skip
_Body = tuple[
    str, str | None, str | None, str, str, tuple[Related, ...], str | None, str | None,
    str | None, dict[str, Any], dict[str, int | None],
]  # fmt: skip
assert BODY == ("title", "original_url", "web_url", "excerpt", "comment_html", "related",
                "category", "type", "curator", "extra", "lines"), BODY  # fmt: skip
_encoder = msgspec.json.Encoder()
_entry_decoder = msgspec.json.Decoder(tuple[_Head, msgspec.Raw, tuple[Problem, ...]])
_body_decoder = msgspec.json.Decoder(_Body)


class DamagedEntry(Exception):
    """A cached article's body could not be decoded: the cache file was damaged."""

    def __init__(self, source: str, reason: str) -> None:
        super().__init__(source, reason)
        self.source = source
        self.reason = reason


class LazyArticle(Article):
    """An `Article` whose `BODY` fields are decoded from `_body` when one is first read.

    Reading an unset slot raises AttributeError, which sends Python to `__getattr__`: the
    fields are filled in there once, and read as plain slots from then on.
    """

    __slots__ = ("_body",)

    def __getattr__(self, name: str) -> Any:
        if name not in _BODY:
            raise AttributeError(name)
        try:
            body = object.__getattribute__(self, "_body")
        except AttributeError:
            raise AttributeError(name) from None
        try:
            values = _body_decoder.decode(body)
        except (msgspec.DecodeError, ValueError, TypeError) as error:
            raise DamagedEntry(self.source, str(error)) from None
        for field, value in zip(BODY, values, strict=True):
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


def storable(parsed: Parsed) -> bool:
    """Whether a result can be kept: files with errors are not, so their errors are shown
    again next time; nor is an article whose extra fields JSON cannot carry exactly."""
    return parsed.article is not None and not parsed.errors and _exact(parsed.article.extra)


def dump(parsed: Parsed) -> bytes:
    """A storable result (see `storable`) as bytes."""
    article = parsed.article
    body = msgspec.Raw(_encoder.encode(_body(article)))
    return _encoder.encode((_head(article), body, parsed.warnings))


def load(data: bytes | memoryview | msgspec.Raw) -> Parsed:
    """A result from `dump`; raises `msgspec.DecodeError` or `ValueError` for damaged bytes.

    The article's head is checked now, its body when first read (see `read_all`).
    """
    head, body, warnings = _entry_decoder.decode(data)
    article = object.__new__(LazyArticle)
    for field, value in zip(HEAD, head, strict=True):
        _set(article, field, value)
    _set(article, "_body", body)
    return Parsed(article, [], list(warnings))


def read_all(articles: Iterable[Article]) -> None:
    """Decode what is left to decode of these articles, once, here: before forking workers
    that would each decode much of it again, into memory of their own."""
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
