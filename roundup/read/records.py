"""Nested frontmatter records (provider, topics, images, related) read leniently, entry by entry."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import tzinfo
from typing import Any
from urllib.parse import urlsplit

from roundup.core.errors import Problem
from roundup.core.model import Image, Provider, Related
from roundup.core.text import collapse_spaces, cut, shorten
from roundup.read import schema
from roundup.read.yamlstrict import Path, YamlResult

MAX_TOPICS = 50
MAX_TOPIC_LENGTH = 100  # characters; a topic is a name, not a sentence
MAX_RELATED = 50
MAX_IMAGES = 20
MAX_EXCERPT = 2_000  # characters; listings and feeds stay small whatever is pasted
MAX_TITLE = 500


def field_name(path: Path) -> str:
    """`("related", 1, "images", 0, "url")` → `related[1].images[0].url`."""
    name = ""
    for step in path:
        step = step if isinstance(step, int) else shorten(step, 40)  # a key can be any text
        name += f"[{step}]" if isinstance(step, int) else (f".{step}" if name else str(step))
    return name


@dataclass(slots=True)
class Report:
    """Collects one file's errors and warnings, each placed on the line of its field."""

    source: str
    yaml: YamlResult
    errors: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)

    def problem(self, path: Path, message: str) -> Problem:
        return Problem(self.source, self.yaml.line_of(path), field_name(path), message)

    def error(self, path: Path, message: str) -> None:
        self.errors.append(self.problem(path, message))

    def warn(self, path: Path, message: str) -> None:
        self.warnings.append(self.problem(path, message))

    def text(self, value: Any, path: Path) -> str | None:
        """A text field: None when absent or blank; YAML's non-texts are errors with a hint."""
        if value is None:
            return None
        if isinstance(value, str):
            return value.strip() or None
        self.error(
            path, f"expected text, got {schema.describe(value, self.yaml.implicit.get(path))}"
        )
        return None


def provider(value: Any, path: Path, report: Report) -> Provider | None:
    """Who published the page: {name, domain}, or just a name."""
    if value is None:
        return None
    if isinstance(value, list):
        report.warn(path, "expected name and domain; ignored")
        return None
    if not isinstance(value, dict):
        name = report.text(value, path)  # a plain name; a number or boolean is an error
        return Provider(cut(name, MAX_TITLE), "") if name else None
    name = report.text(value.get("name"), (*path, "name"))
    domain = _domain(report.text(value.get("domain"), (*path, "domain")), (*path, "domain"), report)
    if not name and not domain:
        return None
    return Provider(cut(name or domain or "", MAX_TITLE), cut(domain or "", MAX_TITLE))


# A host name as a reader would write it: labels of letters, digits and hyphens (IDN too),
# perhaps a final dot or a port. Anything else was shown as the domain while the provider's
# link went to the source of the link's own host.
_HOST = re.compile(r"(?:[^\W_](?:[\w-]*[^\W_])?\.)*[^\W_](?:[\w-]*[^\W_])?\.?(?::\d{1,5})?")


def _domain(domain: str | None, path: Path, report: Report) -> str | None:
    """The provider's domain if it is a host name; a URL's host, with a warning; else None."""
    if domain is None or (len(domain) <= 253 and _HOST.fullmatch(domain)):
        return domain
    host = urlsplit(domain).hostname if "://" in domain else None
    if host and _HOST.fullmatch(host):
        report.warn(path, f"{shorten(domain)!r} is a URL; its host {host} is the domain")
        return host
    report.warn(path, f"{shorten(domain)!r} is not a host name (such as lwn.net); left out")
    return None


def topics(value: Any, report: Report) -> tuple[str, ...]:
    """Topic names: NFC, spaces collapsed, each once per item (case-insensitively)."""
    path: Path = ("topics",)
    if value is None or (isinstance(value, str) and not value.strip()):
        return ()
    if isinstance(value, str):
        if "," in value:  # `topics: Conservation, UK` is one topic named "Conservation, UK"
            listed = ", ".join(part.strip() for part in value.split(",") if part.strip())
            message = f"{shorten(value)!r} is read as one topic; for several, write a list: "
            report.warn(path, message + f"[{shorten(listed)}]")
        else:
            report.warn(path, "a single text is read as one topic; write a list: [Name]")
        value = [value]
    if not isinstance(value, list):
        if not isinstance(value, dict):
            report.text(value, path)  # a number or boolean: say how to quote it
        else:
            report.error(path, "expected a list of topic names")
        return ()
    names: dict[str, str] = {}  # case-folded name -> first spelling on this item
    for index, entry in enumerate(value):
        where = (*path, index)
        if isinstance(entry, list | dict):
            report.error(where, "expected a topic name (text)")
            continue
        name = report.text(entry, where)  # None for null or blank text, or not text (told)
        if name is not None:
            name = collapse_spaces(unicodedata.normalize("NFC", name))
        if not name:
            if entry is None or isinstance(entry, str):
                report.warn(where, "empty topic; ignored")
            continue
        if len(name) > MAX_TOPIC_LENGTH:
            report.warn(where, f"{len(name)} characters; cut to {MAX_TOPIC_LENGTH}")
            name = cut(name, MAX_TOPIC_LENGTH)
        names.setdefault(name.casefold(), name)
    if len(names) > MAX_TOPICS:
        report.warn(path, f"{len(names)} topics; only the first {MAX_TOPICS} are kept")
    return tuple(names.values())[:MAX_TOPICS]


def images(value: Any, path: Path, report: Report) -> tuple[Image, ...]:
    if value is None:
        return ()
    if not isinstance(value, list):
        report.warn(path, "expected a list of images; ignored")
        return ()
    if len(value) > MAX_IMAGES:
        report.warn(path, f"{len(value)} images; only the first {MAX_IMAGES} are kept")
    kept = []
    for index, entry in enumerate(value[:MAX_IMAGES]):
        where = (*path, index)
        if isinstance(entry, str):
            entry = {"url": entry}  # a bare URL is a picture without known size
        if not isinstance(entry, dict):
            report.warn(where, "expected url, width and height; image dropped")
            continue
        try:
            url = checked_url(entry.get("url"), (*where, "url"), report)
        except schema.FieldError as error:
            report.warn((*where, "url"), f"{error.message}; image dropped")
            continue
        width = _dimension(entry.get("width"), (*where, "width"), report)
        height = _dimension(entry.get("height"), (*where, "height"), report)
        if width is None or height is None:
            width = height = None  # one size alone cannot reserve the space; keep neither
        kept.append(Image(url, width, height, entry.get("isCached") is True))
    return tuple(kept)


def checked_url(value: Any, path: Path, report: Report) -> str:
    if path in report.yaml.cleaned:
        raise schema.FieldError(schema.CONTROL_IN_URL)
    return schema.check_article_url(value)


MAX_DIMENSION = 100_000  # px; no real picture is wider or taller


def _dimension(value: Any, path: Path, report: Report) -> int | None:
    """A width or height in pixels; anything else is dropped with a warning (the image stays)."""
    if value is None:
        return None
    number = value
    if isinstance(value, str) and value.strip().isdigit():
        number = int(value.strip())  # "600": a number in quotes, as HTML attributes have them
    elif type(value) is float and value.is_integer():
        number = int(value)  # 600.0
    if type(number) is int and 0 < number <= MAX_DIMENSION:
        return number
    if type(number) is int:
        reason = f"must be between 1 and {MAX_DIMENSION:,} pixels"
    else:
        reason = "must be a whole number of pixels, such as 600"
    shown = shorten(value) if isinstance(value, str) else str(value).lower()
    report.warn(path, f"{reason}, not {shown}; the image is kept without its size")
    return None


def related(value: Any, zone: tzinfo, report: Report) -> tuple[Related, ...]:
    """Other coverage; a broken entry or link is dropped with a warning, never fatal."""
    path: Path = ("related",)
    if value is None:
        return ()
    if not isinstance(value, list):
        report.warn(path, "expected a list of related articles; ignored")
        return ()
    if len(value) > MAX_RELATED:
        report.warn(path, f"{len(value)} related articles; only the first {MAX_RELATED} are kept")
    kept = []
    for index, entry in enumerate(value[:MAX_RELATED]):
        where: Path = (*path, index)
        if not isinstance(entry, dict):
            report.warn(where, "expected a mapping with title and webUrl; dropped")
            continue
        raw_title = entry.get("title")
        title = report.text(raw_title, (*where, "title"))
        if title is None:
            if raw_title is None or isinstance(raw_title, str):  # else text() said why
                report.warn(where, "a related article needs a title; dropped")
            continue
        kept.append(
            Related(
                title=cut(collapse_spaces(title), MAX_TITLE),
                url=_related_url(entry, where, report),
                excerpt=cut(
                    report.text(entry.get("excerpt"), (*where, "excerpt")) or "", MAX_EXCERPT
                ),
                published_at=_related_date(entry.get("publishedDateTime"), where, zone, report),
                provider=provider(entry.get("provider"), (*where, "provider"), report),
                type=report.text(entry.get("type"), (*where, "type")),
                quality=_number(entry.get("quality")),
                images=images(entry.get("images"), (*where, "images"), report),
            )
        )
    return tuple(kept)


def _related_url(entry: dict[str, Any], where: Path, report: Report) -> str | None:
    # The same rule as the article's own link: originalUrl, else webUrl; a bad link is dropped,
    # never swapped silently for the other one.
    key = "originalUrl" if entry.get("originalUrl") is not None else "webUrl"
    if entry.get(key) is None:
        # Kept, as any field is, but shown nowhere: coverage is a list of links.
        report.warn(where, "a related article without originalUrl or webUrl is not shown")
        return None
    try:
        return checked_url(entry[key], (*where, key), report)
    except schema.FieldError as error:
        report.warn((*where, key), f"{error.message}; link dropped")
        return None


def _related_date(value: Any, where: Path, zone: tzinfo, report: Report) -> Any:
    if value is None:
        return None
    try:
        return schema.parse_datetime(value, zone)
    except schema.FieldError as error:
        report.warn((*where, "publishedDateTime"), f"{error.message}; date dropped")
        return None


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return value if value == value and abs(value) != float("inf") else None
