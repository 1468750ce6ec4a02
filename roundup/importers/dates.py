"""Dates as exports write them: seconds since the epoch, ISO 8601, or the e-mail form of RSS."""

from __future__ import annotations

import email.utils
import re
from datetime import UTC, date, datetime, tzinfo

from roundup.core.text import shorten
from roundup.read import schema

__all__ = ["DateProblem", "parse_date"]

_NUMBER = re.compile(r"-?\d+(?:\.\d+)?")
# Epoch timestamps past these are in milliseconds or microseconds (Firefox's JSON, some
# tools' ADD_DATE); in seconds they would be past the year 5000.
_MILLISECONDS = 100_000_000_000
_MICROSECONDS = 100_000_000_000_000
_LATEST = datetime(9999, 12, 30, tzinfo=UTC).timestamp()


class DateProblem(ValueError):
    """A date that cannot be read; the message says what was written."""


def parse_date(value: object, zone: tzinfo) -> datetime | date | None:
    """The date a field holds, or None when it is empty (or 0, which exports write for none).

    Accepts seconds (or milliseconds, microseconds) since 1970 as a number or digits, ISO 8601
    (an offset-less value is read in the site's `zone`, as roundup reads article files), and
    RFC 2822 (`Tue, 05 Mar 2024 18:00:00 +0000`). Raises DateProblem for anything else.
    """
    if value is None or isinstance(value, bool):
        if value is None:
            return None
        raise DateProblem(f"{value!r} is not a date")
    if isinstance(value, int | float):
        return _from_epoch(float(value), str(value))
    if not isinstance(value, str):
        raise DateProblem(f"expected a date, got {type(value).__name__}")
    text = value.strip()
    if not text:
        return None
    if _NUMBER.fullmatch(text):
        return _from_epoch(float(text), text)
    try:
        return schema.parse_datetime(text, zone)
    except schema.OutOfRange as problem:  # a date, but none a site can show: say that
        raise DateProblem(problem.message) from None
    except ValueError:
        pass
    try:
        parsed = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        parsed = None
    if parsed is None:
        raise DateProblem(f"{shorten(text)!r} is not a date such as 2024-03-05T18:00:00Z")
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=zone)


def _from_epoch(number: float, text: str) -> datetime | None:
    if number == 0:
        return None
    if abs(number) >= _MICROSECONDS:
        number /= 1_000_000
    elif abs(number) >= _MILLISECONDS:
        number /= 1000
    if number < 0 or number > _LATEST:
        raise DateProblem(f"{shorten(text)!r} is not a time since 1970 that can be read")
    return datetime.fromtimestamp(int(number), UTC)
