"""Items dated after the build's "now": held back from the public site until their time comes.

"Now" is an input of the build like the content: it only decides which items are held, and
a build whose items are all in the past makes the same bytes whenever it runs. The command
takes it from the clock, or from ROUNDUP_NOW (an ISO 8601 date-time) to reproduce a build.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta

from roundup.core.errors import ConfigError, Problem
from roundup.core.model import Article

NOW_VARIABLE = "ROUNDUP_NOW"
# Past this, even a build that publishes future items asks whether the year is right.
FAR_AHEAD = timedelta(days=366)


def build_time(environ: dict[str, str] | None = None) -> datetime:
    """The build's "now": ROUNDUP_NOW when set (for reproducing a build), else the clock."""
    text = (os.environ if environ is None else environ).get(NOW_VARIABLE, "").strip()
    if not text:
        return datetime.now(UTC)
    try:
        value = datetime.fromisoformat(text.replace("z", "Z"))
    except ValueError:
        message = f"{NOW_VARIABLE}={text!r} is not an ISO 8601 date-time such as 2026-08-04T09:00Z"
        raise ConfigError([message]) from None
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def is_ahead(article: Article, now: datetime) -> bool:
    """Whether a published article is dated after `now`."""
    return article.published and article.published_at > now


def held_warning(source: str, line: int | None, when: datetime) -> Problem:
    message = (
        f"{when.isoformat()} is in the future; the item is left out of the public site until "
        "then (build with --future, or future = true, to publish it now)"
    )
    return Problem(source, line, "publishedDateTime", message)


def far_ahead_warning(article: Article, now: datetime) -> Problem | None:
    """A warning for a date more than a year ahead (a typo such as 2062?), or None."""
    if article.published_at - now <= FAR_AHEAD:
        return None
    message = f"{article.published_at.isoformat()} is more than a year ahead; is the year right?"
    return Problem(article.source, date_line(article), "publishedDateTime", message)


def date_line(article: Article) -> int | None:
    return article.lines.get("publishedDateTime")
