"""Editions by day or by week: which edition a day falls in, its path, its title and its end."""

from __future__ import annotations

import difflib
import re
import string
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo
from typing import Any

from roundup.core.dates import format_date

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
EDITION_KINDS = ("day", "week")
DASH = "\N{EN DASH}"
# What `edition_title` may name, with a value of each kind for checking a template.
PLACEHOLDERS: dict[str, Any] = {"number": 1, "date": "6 May 2024", "week": 19, "year": 2024}


@dataclass(frozen=True, slots=True)
class EditionCalendar:
    """How the site's links are cut into editions: by day (the default) or by week.

    A week starts on `week_start` (0 is Monday) and belongs to the year, and the month, of
    its fourth day: the one where most of its days fall. Week 1 is the first week with four
    days in January, and weeks are numbered on from there; with weeks starting on Monday this
    is exactly ISO 8601's week numbering (2024-W19 is 6-12 May 2024), and any other first day
    is numbered by the same rule.
    """

    weekly: bool = False
    week_start: int = 0
    title_template: str = ""

    @classmethod
    def of(cls, config: Any) -> EditionCalendar:
        """The calendar a `SiteConfig` sets (`editions`, `week_start`, `edition_title`)."""
        return cls(
            config.editions == "week",
            WEEKDAYS.index(config.week_start),
            config.edition_title,
        )

    @property
    def kind(self) -> str:
        return "week" if self.weekly else "day"

    @property
    def length(self) -> int:
        """Days in one edition."""
        return 7 if self.weekly else 1

    def first_day(self, day: date) -> date:
        """The first day of the edition that `day` falls in."""
        return day - timedelta(days=(day.weekday() - self.week_start) % 7) if self.weekly else day

    def week_start_of(self, day: date) -> date:
        """The first day of the week that `day` falls in, whatever the editions are."""
        return day - timedelta(days=(day.weekday() - self.week_start) % 7)

    def anchor(self, first: date) -> date:
        """The day that places an edition in a month and a year: a week's fourth day."""
        return first + timedelta(days=3) if self.weekly else first

    def week_number(self, day: date) -> tuple[int, int]:
        """(year, number) of the week that `day` falls in (see the class)."""
        fourth = self.week_start_of(day) + timedelta(days=3)
        return fourth.year, (fourth.timetuple().tm_yday - 1) // 7 + 1

    def path(self, day: date) -> str:
        """The site path of the edition that `day` falls in: "2024/05/06/" or "2024/w19/"."""
        if not self.weekly:
            return f"{day.year:04d}/{day.month:02d}/{day.day:02d}/"
        year, number = self.week_number(day)
        return f"{year:04d}/w{number:02d}/"

    def default_title(self, first: date) -> str:
        """An edition's name when `edition_title` is not set (and on pages of single items)."""
        if not self.weekly:
            return format_date(first, "weekday")
        year, number = self.week_number(first)
        return f"Week {number}, {year}"

    def title(self, first: date, number: int) -> str:
        """An edition's title: `edition_title` with its placeholders filled, else the default."""
        if not self.title_template:
            return self.default_title(first)
        year, week = self.week_number(first)
        return self.title_template.format(
            number=number, date=format_date(first), week=week, year=year
        )

    def end(self, first: date, zone: tzinfo) -> datetime:
        """When the edition starting on `first` is over: midnight after its last day, local."""
        return datetime.combine(first + timedelta(days=self.length), time(), zone)


def date_span(first: date, last: date) -> str:
    """The days an edition covers, naming each month and year once, with en dashes:
    "6 May 2024", "6-12 May 2024", "29 April - 5 May 2024", "30 December 2024 - 5 January 2025".
    """
    if first == last:
        return format_date(first)
    if first.year != last.year:
        return f"{format_date(first)} {DASH} {format_date(last)}"
    if first.month != last.month:
        return f"{format_date(first, 'day')} {DASH} {format_date(last)}"
    return f"{first.day}{DASH}{format_date(last)}"


def check_title(template: str) -> str:
    """The `edition_title` template as given, or a ValueError saying what is wrong with it."""
    try:
        parsed = list(string.Formatter().parse(template))
    except ValueError as error:
        raise ValueError(f"{error}; write {{{{ or }}}} for a brace of its own") from None
    known = ", ".join("{" + name + "}" for name in PLACEHOLDERS)
    for _, field, spec, conversion in parsed:
        # A format such as {number:03} pads; a width of millions ({number:>10000000}) made
        # every title 10 MB, and a conversion (!r) has no use here.
        if field is not None and (conversion or re.search(r"[0-9]{3,}", spec or "")):
            written = (
                field + (f"!{conversion}" if conversion else "") + (f":{spec}" if spec else "")
            )
            raise ValueError(
                f"{{{written}}}: a placeholder takes a short format at most, such as {{{field}:03}}"
            )
    for field in (field for _, field, _, _ in parsed):
        if field is not None and field not in PLACEHOLDERS:
            near = difflib.get_close_matches(field, PLACEHOLDERS, 1, 0.6)
            hint = f"did you mean {{{near[0]}}}?" if near else f"use {known}"
            raise ValueError(f"unknown placeholder {{{field}}}; {hint}")
    try:
        template.format(**PLACEHOLDERS)
    except (ValueError, TypeError) as error:
        raise ValueError(f"cannot be filled in: {error}") from None
    return template
