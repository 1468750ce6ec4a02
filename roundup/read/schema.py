"""The frontmatter schema: the article's fields and the parsers that check untrusted values.

One way to validate, for the frontmatter and the config (config.py) alike: plain functions
that take a value and return it checked, or raise FieldError (a ValueError) with the text
the user reads; no schema library. Measured on 30,000 generated articles (CPU time, best of
7), pydantic 2's model cost 10.1 µs an article and these parsers called from a loop 10.0 µs,
out of 140 µs for reading a whole file: the work is in the parsers (dates, URLs), roundup's
own either way, since its messages say what YAML made of a value. The nested records
(records.py) could not be pydantic models at all: a broken image or related link is dropped
with a warning, not a failure of the file. Without pydantic a command starts 40 ms sooner.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Mapping
from datetime import UTC, date, datetime, time, timedelta, timezone, tzinfo
from typing import Any, NamedTuple
from urllib.parse import urlsplit

from roundup.core.links import encode_unsafe
from roundup.core.text import shorten
from roundup.read.yamlstrict import Timestamp

_DATETIME = re.compile(
    r"(\d{4})-(\d{1,2})-(\d{1,2})"
    r"(?:(?:[Tt]|[ \t]+)(\d{1,2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?"
    r"[ \t]*(?:(Z|z)|([+-])(\d{1,2})(?::?(\d{2}))?)?)?"
)
_DATE_ONLY = re.compile(r"\d{4}-\d{1,2}-\d{1,2}")
# Spaces (of any script), controls, bidirectional and invisible format characters and
# backslashes have no place in a URL written plainly: browsers strip or reinterpret them,
# which is how "java\tscript:" and " javascript:" slip past naive checks.
_URL_BAD_CHARS = re.compile(
    r"[\s\x00-\x20\x7f-\x9f\\\u00ad\u061c\u115f\u1160\u180e\u200b-\u200f\u202a-\u202e\u2060-\u206f\ufeff\ufff9-\ufffb]"
)
MAX_URL = 2_048
# Instants every time zone can show: a day of margin inside what `datetime` can hold.
_EARLIEST = datetime(1, 1, 2, tzinfo=UTC)
_LATEST = datetime(9999, 12, 30, tzinfo=UTC)


class FieldError(ValueError):
    """A value its field cannot take; `message` is what the user reads after `field:`."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class OutOfRange(FieldError):
    """A date written well that no calendar of roundup's can place (before 0001, after 9999)."""


Path = tuple[str | int, ...]  # where a value is in the frontmatter: ("related", 0, "webUrl")


class Context(NamedTuple):
    """What the parsers of one file's fields know besides the value: the site's time zone,
    and what the YAML reader saw (the source text of values YAML typed, such as `yes`, and the
    values it removed control characters from)."""

    zone: tzinfo
    implicit: Mapping[Path, str] = {}
    cleaned: Collection[Path] = ()


def describe(value: Any, raw: str | None) -> str:
    """Say what YAML made of a value, quoting its source text when YAML changed it."""
    kinds = {bool: "the boolean", int: "the number", float: "the number", str: "the text",
             Timestamp: "the date"}  # fmt: skip
    kind = kinds.get(type(value), type(value).__name__)
    if value is None and raw:  # `title: Null` or `~`: YAML's word for nothing
        return f'empty (YAML reads {shorten(raw)} as nothing; write "{shorten(raw)}" in quotes)'
    if value is None:
        return "empty"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    raw = None if raw is None else shorten(raw)
    shown = str(value).lower() if isinstance(value, bool) else repr(shorten(str(value)))
    if isinstance(value, int | float) and not isinstance(value, bool):
        shown = shorten(str(value))
    if raw is not None and raw != str(value):
        return f'{kind} {shown} (YAML reads {raw} that way; write "{raw}" in quotes)'
    if raw is not None and not isinstance(value, str):
        return f'{kind} {shown} (write "{raw}" in quotes if you mean text)'
    return f"{kind} {shown}"


def parse_text(value: Any, name: str, context: Context) -> str:
    if isinstance(value, str):
        # Plain text even when YAML saw a date (`slug: 2024-05-04`): the reader marks those
        # with a str subclass, which the parse cache cannot store.
        return value if type(value) is str else str(value)
    raise FieldError(f"expected text, got {describe(value, context.implicit.get((name,)))}")


def parse_optional_text(value: Any, name: str, context: Context) -> str | None:
    if value is None:
        return None
    return parse_text(value, name, context)


def parse_required_text(value: Any, name: str, context: Context) -> str:
    text = parse_text(value, name, context).strip()
    if not text:
        raise FieldError("must not be empty")
    return text


def parse_number(value: Any, name: str, context: Context) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise FieldError(f"expected a number, got {describe(value, None)}")
    if value != value or value in (float("inf"), float("-inf")):
        raise FieldError("expected a finite number")
    try:
        return float(value)  # a whole number too: quality and heat are compared as floats
    except OverflowError:  # a whole number of 309 digits or more (the message of roundup 0.1)
        raise FieldError("Input should be a valid number") from None


_TRUE = {"true", "yes", "on", "1"}
_FALSE = {"false", "no", "off", "0"}


def parse_published(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    if isinstance(value, str) and value.strip().lower() in _TRUE | _FALSE:
        return value.strip().lower() in _TRUE
    raise FieldError(f"expected true or false, got {describe(value, None)}")


def is_date_only(value: Any) -> bool:
    """Whether a date field's text names a day with no time of day: 2026-08-04."""
    return isinstance(value, str) and _DATE_ONLY.fullmatch(value.strip()) is not None


def parse_datetime(value: Any, site_zone: tzinfo) -> datetime:
    """Read an ISO 8601 date or date-time; offset-less values are in the site's zone."""
    if isinstance(value, datetime | date):  # only from callers outside YAML
        value = value.isoformat()
    example = "write a date such as 2020-09-21T20:42:00Z"
    if value is None or (isinstance(value, str) and not value.strip()):
        raise FieldError(f"empty; {example}")
    if not isinstance(value, str):
        raise FieldError(f"expected an ISO 8601 date, got {describe(value, None)}; {example}")
    text = value.strip()
    match = _DATETIME.fullmatch(text)
    if not match:
        return _other_iso_form(text, site_zone)
    year, month, day, hour, minute, second, fraction, zulu, sign, off_h, off_m = match.groups()
    try:
        day_value = date(int(year), int(month), int(day))
        clock = time(
            int(hour or 0),
            int(minute or 0),
            int(second or 0),
            int((fraction or "0")[:6].ljust(6, "0")),
        )
    except ValueError as error:
        raise FieldError(f"{shorten(text)!r} is not a real date or time ({error})") from None
    zone: tzinfo = site_zone
    if zulu:
        zone = UTC
    elif sign:
        hours, minutes = int(off_h), int(off_m or 0)
        if hours > 23 or minutes > 59:
            raise FieldError(f"{shorten(text)!r} has an impossible UTC offset")
        offset = timedelta(hours=hours, minutes=minutes)
        zone = timezone(offset if sign == "+" else -offset)
    value = datetime.combine(day_value, clock, tzinfo=zone)
    return _in_range(value if zone is not site_zone else _on_the_clock(value), text)


def _on_the_clock(value: datetime) -> datetime:
    """A time of the site's zone as its clocks showed it: one skipped when they went forward
    (02:30 on the last Sunday of March in Berlin) is the instant it names, 03:30 CEST. Left
    as written, it showed as "02:30 CET" until a build read it back from the parse cache,
    which keeps the instant: a cold build and the next one disagreed."""
    try:
        return value.astimezone(UTC).astimezone(value.tzinfo)
    except (OverflowError, ValueError):  # year 1 or 9999: refused by `_in_range` then
        return value


def _other_iso_form(text: str, site_zone: tzinfo) -> datetime:
    """ISO 8601's basic (20200921T204200Z) and week forms, as far as Python reads them."""
    try:
        if not text[:1].isdigit() or len(text) > 40:
            raise ValueError(text)
        value = datetime.fromisoformat(text.replace("z", "Z"))
    except ValueError:
        raise FieldError(
            f"{shorten(text)!r} is not an ISO 8601 date such as 2020-09-21T20:42:00Z"
        ) from None
    offset = value.utcoffset()
    if offset is not None and offset % timedelta(minutes=1):
        # Python reads "+00:00:30", which neither ISO 8601 nor RFC 3339 (nor the parse
        # cache, nor a feed's date) has: an offset is hours and minutes.
        raise FieldError(f"{shorten(text)!r} has a UTC offset with seconds; write +HH:MM")
    if value.tzinfo is None:
        value = _on_the_clock(value.replace(tzinfo=site_zone))
    return _in_range(value, text)


def _in_range(value: datetime, text: str) -> datetime:
    try:
        instant = value.astimezone(UTC)
    except (OverflowError, ValueError):
        instant = None
    if instant is None or not _EARLIEST <= instant <= _LATEST:
        raise OutOfRange(f"{shorten(text)!r} is too far in the past or future")
    return value


# A host name of letters, digits, dots and hyphens, with no user, password or port.
_PLAIN_HOST = re.compile(r"//[A-Za-z0-9.-]+(?:[/?#]|\Z)")


def check_url(value: Any) -> str:
    """Accept only absolute http(s) URLs written plainly; raise a clear reason otherwise."""
    if not isinstance(value, str):
        raise FieldError(f"expected an http(s) URL, got {describe(value, None)}")
    if not value:
        raise FieldError("must not be empty")
    if len(value) > MAX_URL:  # sitemaps stop at 2,048; no real link is longer
        raise FieldError(f"{len(value)} characters; a URL has at most {MAX_URL}")
    if _URL_BAD_CHARS.search(value):
        raise FieldError(f"{shorten(value)!r} contains spaces, control characters or backslashes")
    scheme, _, rest = value.partition(":")
    if scheme.lower() not in ("http", "https") or not rest.startswith("//"):
        raise FieldError(f"{shorten(value)!r} is not an absolute http:// or https:// URL")
    if not _PLAIN_HOST.match(rest):  # else urlsplit could find nothing wrong (and costs 10 µs)
        try:
            parts = urlsplit(value)
            parts.port  # noqa: B018 - raises for a malformed port
        except ValueError:
            raise FieldError(f"{shorten(value)!r} is not a valid URL") from None
        if not parts.hostname:
            raise FieldError(f"{shorten(value)!r} has no host name")
    return scheme.lower() + ":" + encode_unsafe(rest)  # a quote or stray "%" encoded


def check_article_url(value: Any) -> str:
    """`check_url`, and no user name or password: an article's links are published on every
    page and in every feed that shows it (`new` and `import` leave them out when writing)."""
    url = check_url(value)
    if "@" in url.partition("//")[2].partition("/")[0] and urlsplit(url).username is not None:
        raise FieldError(f"{shorten(url)!r} holds a user name or password; leave it out")
    return url


def parse_optional_url(value: Any, name: str, context: Context) -> str | None:
    if (name,) in context.cleaned:
        raise FieldError(CONTROL_IN_URL)
    return None if value is None else check_article_url(value)


# Browsers drop control characters from URLs, so "java\x00script:" works as "javascript:";
# removing them would accept a link its author never saw, so a URL that had any is refused.
CONTROL_IN_URL = "contains control characters"


# An `id:` that starts with one of these is a URI, used as the entry id exactly as written
# (an id kept from another generator, or from an earlier scheme); anything else is a name
# that roundup places inside the site's own tag: URI.
ID_URI_SCHEMES = ("tag:", "urn:", "http://", "https://")
_URI_CHARS = re.compile(r"[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=%]+")
_TAG_URI = re.compile(r"tag:[^,:]+,\d{4}(?:-\d{2}(?:-\d{2})?)?:.*", re.IGNORECASE)


def parse_entry_id(value: Any, name: str, context: Context) -> str | None:
    """A pinned feed entry id: a full URI (`tag:`, `urn:`, `http(s)://`) or printable text."""
    if value is None:
        return None
    if (name,) in context.cleaned:
        raise FieldError("contains control characters")
    text = parse_text(value, name, context).strip()
    if not text:
        raise FieldError("must not be empty; leave it out to derive the id from the link")
    if len(text) > MAX_URL:
        raise FieldError(f"{len(text)} characters; an id has at most {MAX_URL}")
    if not text.lower().startswith(ID_URI_SCHEMES):
        if not text.isprintable():
            raise FieldError(f"{shorten(text)!r} contains characters that are not printable")
        return text
    if text.lower().startswith(("http://", "https://")):
        return check_url(text)
    if not _URI_CHARS.fullmatch(text) or len(text.split(":", 1)[1]) == 0:
        raise FieldError(
            f"{shorten(text)!r} is not a valid URI (no spaces or non-ASCII letters; "
            "percent-encode them, or leave out the scheme to use it as a name)",
        )
    if text.lower().startswith("tag:") and not _TAG_URI.fullmatch(text):
        raise FieldError(f"{shorten(text)!r} is not a tag: URI such as tag:example.org,2024:x")
    return text


def _parse_date_field(value: Any, name: str, context: Context) -> datetime:
    return parse_datetime(value, context.zone)


def _parse_published_field(value: Any, name: str, context: Context) -> bool:
    return parse_published(value)


def _as_written(value: Any, name: str, context: Context) -> Any:
    return value


class ArticleFields(NamedTuple):
    """The known fields of one article's frontmatter, each checked by its parser (FIELDS).

    Unknown fields never reach it: content.py keeps them aside as the article's extra data.
    A named tuple: made for every file read, four times faster than a frozen dataclass.
    """

    title: str
    publishedDateTime: datetime
    originalUrl: str | None = None
    webUrl: str | None = None
    excerpt: str | None = None
    category: str | None = None
    type: str | None = None
    quality: float | None = None
    heat: float | None = None
    published: bool = True
    draft: bool = False  # the other generators' habit: `draft: true` is unpublished
    slug: str | None = None
    id: str | None = None
    curator: str | None = None
    # Lists and nested records are checked entry by entry in records.py, where a broken
    # image or related link is dropped with a warning instead of failing the build.
    provider: Any = None
    topics: Any = None
    images: Any = None
    related: Any = None


Parser = Callable[[Any, str, Context], Any]
_PARSERS: dict[str, Parser] = {
    "title": parse_required_text,
    "publishedDateTime": _parse_date_field,
    "originalUrl": parse_optional_url,
    "webUrl": parse_optional_url,
    "excerpt": parse_optional_text,
    "category": parse_optional_text,
    "type": parse_optional_text,
    "quality": parse_number,
    "heat": parse_number,
    "published": _parse_published_field,
    "draft": _parse_published_field,
    "slug": parse_optional_text,
    "id": parse_entry_id,
    "curator": parse_optional_text,
    "provider": _as_written,
    "topics": _as_written,
    "images": _as_written,
    "related": _as_written,
}
FIELDS = tuple(_PARSERS)  # the known field names, in the order their problems are reported
REQUIRED = ("title", "publishedDateTime")


def check_article(
    values: Mapping[str, Any], context: Context
) -> tuple[ArticleFields | None, list[tuple[str, str | None]]]:
    """The checked fields (None if any failed) and the problems: (field, message) in the
    order of FIELDS, message None for a required field that is missing."""
    checked: dict[str, Any] = {}
    problems: list[tuple[str, str | None]] = []
    for name, parse in _PARSERS.items():
        if name not in values:
            if name in REQUIRED:
                problems.append((name, None))
            continue
        try:
            checked[name] = parse(values[name], name, context)
        except FieldError as error:
            problems.append((name, error.message))
    return (None, problems) if problems else (ArticleFields(**checked), problems)
