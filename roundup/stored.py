"""Parse results as bytes, for the cache and for workers: articles read back with their text
decoded only when first used."""

from __future__ import annotations

import copyreg
import io
import pickle
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from operator import attrgetter
from typing import Any

from roundup.content import Parsed
from roundup.errors import Problem
from roundup.model import Article, Image, Provider, Related

# What building the site and telling which pages changed read of every article; the rest
# (text, related coverage, extra fields) only the pages being made read. After one edit at
# 30,000 articles, reading the rest for every article cost more than a tenth of the build.
HEAD = (
    "source", "slug", "published_at", "url", "provider", "topics", "images", "quality",
    "heat", "published", "digest",
)  # fmt: skip
BODY = tuple(name for name in Article.__dataclass_fields__ if name not in HEAD)
_BODY = frozenset(BODY)
_head = attrgetter(*HEAD)
_body = attrgetter(*BODY)
_compared = attrgetter(*(f.name for f in Article.__dataclass_fields__.values() if f.compare))
_set = object.__setattr__


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
    # Of a published article dated after the build that stored it: when it comes out (it is
    # read again then) and the line of its date.
    until: datetime | None = None
    line: int | None = None


class LazyArticle(Article):
    """An `Article` whose `BODY` fields are unpickled from `_body` when one is first read.

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
        for field, value in zip(BODY, pickle.loads(body), strict=True):
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
        return _article(self)


def read_all(articles: Iterable[Article | None]) -> None:
    """Decode what is left to decode of these articles, once, here: before forking workers
    that would each decode much of it again, into memory of their own."""
    for article in articles:
        if type(article) is LazyArticle:
            article.title  # noqa: B018  # reading one field fills them all


def _lazy_parsed(head: tuple[Any, ...], body: bytes, warnings: list[Problem]) -> Parsed:
    article = object.__new__(LazyArticle)
    for field, value in zip(HEAD, head, strict=True):
        _set(article, field, value)
    _set(article, "_body", body)
    return Parsed(article, [], warnings)


def _by_fields(cls: type) -> Any:
    # Pickled as a call with the fields in order: slotted dataclasses otherwise restore
    # field by field in Python, which made reading 30,000 cached results a third slower.
    fields = cls.__dataclass_fields__  # type: ignore[attr-defined]
    assert all(f.init and not f.kw_only for f in fields.values()), cls
    values = attrgetter(*fields)
    return lambda obj: (cls, values(obj))


_article = _by_fields(Article)
_parsed = _by_fields(Parsed)


def _split_parsed(parsed: Parsed) -> tuple[Any, ...]:
    article = parsed.article
    if article is None or parsed.errors:
        return _parsed(parsed)
    return (_lazy_parsed, (_head(article), dump(_body(article)), parsed.warnings))


# A plain dict, not a ChainMap over copyreg's table: the pickler looks up every object it
# writes in it, and a ChainMap's Python lookup made each result's pickling half as slow again.
_DISPATCH = {
    **copyreg.dispatch_table,
    **{cls: _by_fields(cls) for cls in (Provider, Image, Related, Problem, Draft)},
    Article: _article,
    LazyArticle: _article,
    Parsed: _split_parsed,
}


def dump(value: Any) -> bytes:
    """`value` as bytes, its articles to be read back as `LazyArticle`s."""
    buffer = io.BytesIO()
    pickler = pickle.Pickler(buffer, pickle.HIGHEST_PROTOCOL)
    pickler.dispatch_table = _DISPATCH
    pickler.dump(value)
    return buffer.getvalue()


def load(data: bytes | memoryview) -> Any:
    return pickle.loads(data)
