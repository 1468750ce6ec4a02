"""Parse results as JSON bytes, for the parse cache and for workers: data only, never code."""

from __future__ import annotations

import math
from typing import Any

import msgspec

from roundup.content import Parsed
from roundup.errors import Problem
from roundup.model import Article

# An article and the warnings met reading it. JSON keeps what the pages show exactly: texts,
# whole numbers apart from fractions, and each date with its own UTC offset (a related
# link's date is printed with it). Decoding builds the model's own frozen dataclasses.
_Entry = tuple[Article, tuple[Problem, ...]]
_encoder = msgspec.json.Encoder()
_decoder = msgspec.json.Decoder(_Entry)


def storable(parsed: Parsed) -> bool:
    """Whether a result can be kept: files with errors are not, so their errors are shown
    again next time; nor is an article whose extra fields JSON cannot carry exactly."""
    return parsed.article is not None and not parsed.errors and _exact(parsed.article.extra)


def dump(parsed: Parsed) -> bytes:
    """A storable result (see `storable`) as bytes."""
    return _encoder.encode((parsed.article, parsed.warnings))


def load(data: bytes | memoryview) -> Parsed:
    """A result from `dump`; raises `msgspec.DecodeError` or `ValueError` for damaged bytes."""
    article, warnings = _decoder.decode(data)
    return Parsed(article, [], list(warnings))


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
