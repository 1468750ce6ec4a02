"""Dates as pages show them, in English and without depending on the machine's locale."""

from __future__ import annotations

from datetime import UTC, date, datetime

MONTHS = (
    "January", "February", "March", "April", "May", "June", "July", "August", "September",
    "October", "November", "December",
)  # fmt: skip
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def format_date(value: date | datetime, style: str = "long") -> str:
    """Styles: long "21 September 2020", month, day "21 September", short "21 Sep", weekday."""
    month = MONTHS[value.month - 1]
    if style == "month":
        return f"{month} {value.year}"
    if style == "short":
        return f"{value.day} {month[:3]}"
    if style == "day":
        return f"{value.day} {month}"
    if style == "weekday":
        return f"{WEEKDAYS[value.weekday()]} {value.day} {month} {value.year}"
    if style != "long":  # date("bogus") printed the long form without a word
        raise ValueError(f"{style!r} is not a date style; use long, month, day, short or weekday")
    return f"{value.day} {month} {value.year}"


def format_time(value: datetime, zone: bool = False) -> str:
    """ "20:42" (or "20:42 CEST" with `zone`), in the value's zone: pages pass site-local times."""
    text = f"{value.hour:02d}:{value.minute:02d}"
    name = value.tzname() if zone else None
    return f"{text} {name}" if name else text


def utc_stamp(moment: datetime) -> str:
    """An aware time as written in an article file: UTC, whole seconds, a four-digit year
    (`strftime("%Y")` gives "99" for the year 99, which no reader takes back)."""
    try:
        moment = moment.astimezone(UTC)
    except (OverflowError, ValueError):  # at the very ends of the calendar: as it is
        return moment.replace(microsecond=0).isoformat()
    return moment.replace(microsecond=0, tzinfo=None).isoformat() + "Z"
