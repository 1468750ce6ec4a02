"""Dates as pages show them, in English and without depending on the machine's locale."""

from __future__ import annotations

from datetime import date, datetime

MONTHS = (
    "January", "February", "March", "April", "May", "June", "July", "August", "September",
    "October", "November", "December",
)  # fmt: skip
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def format_date(value: date | datetime, style: str = "long") -> str:
    """ "21 September 2020" (long), "September 2020" (month), "21 Sep" (short), or with weekday."""
    month = MONTHS[value.month - 1]
    if style == "month":
        return f"{month} {value.year}"
    if style == "short":
        return f"{value.day} {month[:3]}"
    if style == "weekday":
        return f"{WEEKDAYS[value.weekday()]} {value.day} {month} {value.year}"
    return f"{value.day} {month} {value.year}"


def format_time(value: datetime) -> str:
    """ "20:42", in whatever zone the value is in (pages pass site-local times)."""
    return f"{value.hour:02d}:{value.minute:02d}"
