"""The frontmatter schema: pydantic models and value parsers for untrusted article fields."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta, timezone, tzinfo
from typing import Annotated, Any
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, ValidationInfo
from pydantic.functional_validators import BeforeValidator
from pydantic_core import PydanticCustomError

from roundup.text import shorten

_DATETIME = re.compile(
    r"(\d{4})-(\d{1,2})-(\d{1,2})"
    r"(?:(?:[Tt]|[ \t]+)(\d{1,2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?"
    r"[ \t]*(?:(Z|z)|([+-])(\d{1,2})(?::?(\d{2}))?)?)?"
)
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


def _fail(kind: str, message: str) -> PydanticCustomError:
    return PydanticCustomError(kind, message)


def describe(value: Any, raw: str | None) -> str:
    """Say what YAML made of a value, quoting its source text when YAML changed it."""
    kinds = {bool: "the boolean", int: "the number", float: "the number", str: "the text"}
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


def parse_text(value: Any, info: ValidationInfo) -> str:
    if isinstance(value, str):
        return value
    raw = (info.context or {}).get("implicit", {}).get((info.field_name,))
    raise _fail("text", f"expected text, got {describe(value, raw)}")


def parse_optional_text(value: Any, info: ValidationInfo) -> str | None:
    if value is None:
        return None
    return parse_text(value, info)


def parse_required_text(value: Any, info: ValidationInfo) -> str:
    text = parse_text(value, info).strip()
    if not text:
        raise _fail("empty", "must not be empty")
    return text


def parse_number(value: Any, info: ValidationInfo) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise _fail("number", f"expected a number, got {describe(value, None)}")
    if value != value or value in (float("inf"), float("-inf")):
        raise _fail("number", "expected a finite number")
    return value


_TRUE = {"true", "yes", "on", "1"}
_FALSE = {"false", "no", "off", "0"}


def parse_published(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    if isinstance(value, str) and value.strip().lower() in _TRUE | _FALSE:
        return value.strip().lower() in _TRUE
    raise _fail("published", f"expected true or false, got {describe(value, None)}")


def parse_datetime(value: Any, site_zone: tzinfo) -> datetime:
    """Read an ISO 8601 date or date-time; offset-less values are in the site's zone."""
    if isinstance(value, datetime | date):  # only from callers outside YAML
        value = value.isoformat()
    example = "write a date such as 2020-09-21T20:42:00Z"
    if value is None or (isinstance(value, str) and not value.strip()):
        raise _fail("date", f"empty; {example}")
    if not isinstance(value, str):
        raise _fail("date", f"expected an ISO 8601 date, got {describe(value, None)}; {example}")
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
        raise _fail("date", f"{shorten(text)!r} is not a real date or time ({error})") from None
    zone: tzinfo = site_zone
    if zulu:
        zone = UTC
    elif sign:
        hours, minutes = int(off_h), int(off_m or 0)
        if hours > 23 or minutes > 59:
            raise _fail("date", f"{shorten(text)!r} has an impossible UTC offset")
        offset = timedelta(hours=hours, minutes=minutes)
        zone = timezone(offset if sign == "+" else -offset)
    return _in_range(datetime.combine(day_value, clock, tzinfo=zone), text)


def _other_iso_form(text: str, site_zone: tzinfo) -> datetime:
    """ISO 8601's basic (20200921T204200Z) and week forms, as far as Python reads them."""
    try:
        if not text[:1].isdigit() or len(text) > 40:
            raise ValueError(text)
        value = datetime.fromisoformat(text.replace("z", "Z"))
    except ValueError:
        raise _fail(
            "date", f"{shorten(text)!r} is not an ISO 8601 date such as 2020-09-21T20:42:00Z"
        ) from None
    return _in_range(value if value.tzinfo else value.replace(tzinfo=site_zone), text)


def _in_range(value: datetime, text: str) -> datetime:
    try:
        instant = value.astimezone(UTC)
    except (OverflowError, ValueError):
        instant = None
    if instant is None or not _EARLIEST <= instant <= _LATEST:
        raise _fail("date", f"{shorten(text)!r} is too far in the past or future")
    return value


# A host name of letters, digits, dots and hyphens, with no user, password or port.
_PLAIN_HOST = re.compile(r"//[A-Za-z0-9.-]+(?:[/?#]|\Z)")


def check_url(value: Any) -> str:
    """Accept only absolute http(s) URLs written plainly; raise a clear reason otherwise."""
    if not isinstance(value, str):
        raise _fail("url", f"expected an http(s) URL, got {describe(value, None)}")
    if not value:
        raise _fail("url", "must not be empty")
    if len(value) > MAX_URL:  # sitemaps stop at 2,048; no real link is longer
        raise _fail("url", f"{len(value)} characters; a URL has at most {MAX_URL}")
    if _URL_BAD_CHARS.search(value):
        raise _fail("url", f"{shorten(value)!r} contains spaces, control characters or backslashes")
    scheme, _, rest = value.partition(":")
    if scheme.lower() not in ("http", "https") or not rest.startswith("//"):
        raise _fail("url", f"{shorten(value)!r} is not an absolute http:// or https:// URL")
    if not _PLAIN_HOST.match(rest):  # else urlsplit could find nothing wrong (and costs 10 µs)
        try:
            parts = urlsplit(value)
            parts.port  # noqa: B018 - raises for a malformed port
        except ValueError:
            raise _fail("url", f"{shorten(value)!r} is not a valid URL") from None
        if not parts.hostname:
            raise _fail("url", f"{shorten(value)!r} has no host name")
    return scheme.lower() + ":" + rest


def parse_optional_url(value: Any, info: ValidationInfo) -> str | None:
    if (info.field_name,) in (info.context or {}).get("cleaned", ()):
        raise CONTROL_IN_URL
    return None if value is None else check_url(value)


# Browsers drop control characters from URLs, so "java\x00script:" works as "javascript:";
# removing them would accept a link its author never saw, so a URL that had any is refused.
CONTROL_IN_URL = _fail("url", "contains control characters")


# An `id:` that starts with one of these is a URI, used as the entry id exactly as written
# (an id kept from another generator, or from an earlier scheme); anything else is a name
# that roundup places inside the site's own tag: URI.
ID_URI_SCHEMES = ("tag:", "urn:", "http://", "https://")
_URI_CHARS = re.compile(r"[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=%]+")
_TAG_URI = re.compile(r"tag:[^,:]+,\d{4}(?:-\d{2}(?:-\d{2})?)?:.*", re.IGNORECASE)


def parse_entry_id(value: Any, info: ValidationInfo) -> str | None:
    """A pinned feed entry id: a full URI (`tag:`, `urn:`, `http(s)://`) or printable text."""
    if value is None:
        return None
    if (info.field_name,) in (info.context or {}).get("cleaned", ()):
        raise _fail("id", "contains control characters")
    text = parse_text(value, info).strip()
    if not text:
        raise _fail("empty", "must not be empty; leave it out to derive the id from the link")
    if len(text) > MAX_URL:
        raise _fail("id", f"{len(text)} characters; an id has at most {MAX_URL}")
    if not text.lower().startswith(ID_URI_SCHEMES):
        if not text.isprintable():
            raise _fail("id", f"{shorten(text)!r} contains characters that are not printable")
        return text
    if text.lower().startswith(("http://", "https://")):
        return check_url(text)
    if not _URI_CHARS.fullmatch(text) or len(text.split(":", 1)[1]) == 0:
        raise _fail(
            "id",
            f"{shorten(text)!r} is not a valid URI (no spaces or non-ASCII letters; "
            "percent-encode them, or leave out the scheme to use it as a name)",
        )
    if text.lower().startswith("tag:") and not _TAG_URI.fullmatch(text):
        raise _fail("id", f"{shorten(text)!r} is not a tag: URI such as tag:example.org,2024:x")
    return text


Text = Annotated[str, BeforeValidator(parse_text)]
RequiredText = Annotated[str, BeforeValidator(parse_required_text)]
OptionalText = Annotated[str | None, BeforeValidator(parse_optional_text)]
Number = Annotated[float | None, BeforeValidator(parse_number)]
Published = Annotated[bool, BeforeValidator(parse_published)]
OptionalUrl = Annotated[str | None, BeforeValidator(parse_optional_url)]
EntryId = Annotated[str | None, BeforeValidator(parse_entry_id)]


def _parse_date_field(value: Any, info: ValidationInfo) -> datetime:
    return parse_datetime(value, (info.context or {})["zone"])


DateValue = Annotated[datetime, BeforeValidator(_parse_date_field)]


class ArticleIn(BaseModel):
    """The known fields of one article's frontmatter, each checked by its parser.

    Unknown fields never reach the model: content.py keeps them aside as the article's extra
    data, so no field name (`model_config`, `__class__`) can interfere with pydantic.
    """

    model_config = ConfigDict(extra="ignore", frozen=True, populate_by_name=False)

    title: RequiredText
    publishedDateTime: DateValue
    originalUrl: OptionalUrl = None
    webUrl: OptionalUrl = None
    excerpt: OptionalText = None
    category: OptionalText = None
    type: OptionalText = None
    quality: Number = None
    heat: Number = None
    published: Published = True
    draft: Published = False  # the other generators' habit: `draft: true` is unpublished
    slug: OptionalText = None
    id: EntryId = None
    curator: OptionalText = None
    # Lists and nested records are checked entry by entry in content.py, where a broken
    # image or related link is dropped with a warning instead of failing the build.
    provider: Any = None
    topics: Any = None
    images: Any = None
    related: Any = None
