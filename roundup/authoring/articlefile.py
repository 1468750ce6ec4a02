"""Write one new article file in the seed's schema and field order, never over another file.

The public API, for `roundup new` and importers:

- `NewArticle`: what goes into the file; building one checks and normalises every field the
  way roundup reads it back (whitespace, limits, http(s) URLs), or raises `ValueError`.
- `render(article) -> str`: the file's text: YAML frontmatter, then the comment.
- `file_name(article, zone) -> str`: `YYYY-MM-DD-<slug>.md`, the day in the site's zone.
- `write(folder, article, zone) -> Path`: create the file, adding `-2`, `-3`, ... to its
  name when it is taken; an existing file is never opened for writing.
- `yaml_string(text) -> str`: a YAML double-quoted scalar that reads back as exactly `text`.

Why not python-frontmatter (`frontmatter.dumps`) with PyYAML: PyYAML's emitter cannot quote
every string while leaving keys and numbers plain, orders and spaces fields its own way, and
folds long quoted strings over several lines; the seed's layout (which roundup's fast reader
takes line by line) is simpler written directly, with one well-tested quoting function.
"""

from __future__ import annotations

import os
import re
import unicodedata
from collections.abc import Collection
from dataclasses import dataclass
from datetime import UTC, date, datetime, tzinfo
from pathlib import Path
from urllib.parse import urlsplit

from roundup.core.dates import utc_stamp
from roundup.core.errors import RoundupError
from roundup.core.model import Image, Provider
from roundup.core.slugs import slugify
from roundup.core.text import CONTROL_CHARS, cut, one_line
from roundup.read import schema
from roundup.read.content import derived_slug
from roundup.read.records import MAX_EXCERPT, MAX_IMAGES, MAX_TITLE, MAX_TOPIC_LENGTH, MAX_TOPICS

__all__ = ["NewArticle", "file_name", "render", "title_slug", "write", "yaml_string"]

SLUG_LENGTH = 50  # characters of the title in a file name: enough to recognise it
SUFFIX = ".md"
_MAX_ATTEMPTS = 1000  # `-2` ... `-1000`: past that, something else is wrong
# Escapes of characters YAML cannot hold raw in a double-quoted scalar: controls, the line
# separators YAML 1.1 (PyYAML) folds like newlines, the byte-order mark and non-characters.
_NAMED_ESCAPES = {
    "\\": "\\\\", '"': '\\"', "\t": "\\t", "\n": "\\n", "\r": "\\r", "\x00": "\\0",
    "\x85": "\\N", "\u2028": "\\L", "\u2029": "\\P",
}  # fmt: skip
_NEEDS_ESCAPE = re.compile('[\\\\"\x00-\x1f\x7f-\x9f\u2028\u2029\ufeff\ufffe\uffff]')


@dataclass(frozen=True, slots=True)
class NewArticle:
    """The fields of a new article file, normalised as roundup reads them back.

    `published_at` is an aware datetime (written in UTC), a naive one (read in the site's
    time zone, like any offset-less value) or a date. At least one of `original_url` and
    `web_url` is needed; both must be absolute http(s) URLs. `comment` is the Markdown body.
    """

    title: str
    published_at: datetime | date
    original_url: str | None = None
    web_url: str | None = None
    excerpt: str = ""
    provider: Provider | None = None
    topics: tuple[str, ...] = ()
    images: tuple[Image, ...] = ()
    published: bool = True
    type: str | None = None
    category: str | None = None
    quality: float | None = None
    heat: float | None = None
    comment: str = ""

    def __post_init__(self) -> None:
        title = cut(one_line(self.title), MAX_TITLE)
        if not title:
            raise ValueError("title: must not be empty")
        _set(self, "title", title)
        _set(self, "excerpt", cut(one_line(self.excerpt), MAX_EXCERPT))
        for name in ("original_url", "web_url"):
            _set(self, name, _checked_url(name, getattr(self, name)))
        if self.original_url is None and self.web_url is None:
            raise ValueError("originalUrl: an article needs originalUrl or webUrl")
        if isinstance(self.published_at, datetime) and self.published_at.tzinfo is not None:
            _set(self, "published_at", self.published_at.astimezone(UTC).replace(microsecond=0))
        if self.provider is not None:
            name = cut(one_line(self.provider.name), MAX_TITLE)
            domain = cut(one_line(self.provider.domain), MAX_TITLE)
            _set(self, "provider", Provider(name, domain) if name or domain else None)
        _set(self, "topics", _topics(self.topics))
        _set(self, "images", _images(self.images))
        for name in ("type", "category"):
            value = getattr(self, name)
            _set(self, name, (one_line(value) or None) if value is not None else None)
        body = CONTROL_CHARS.sub("", self.comment.replace("\r\n", "\n").replace("\r", "\n"))
        _set(self, "comment", body.strip("\n"))

    @property
    def url(self) -> str:
        """The outbound link, as roundup reads it: originalUrl, else webUrl."""
        return self.original_url or self.web_url or ""


def _set(article: NewArticle, name: str, value: object) -> None:
    object.__setattr__(article, name, value)  # normalising a frozen record as it is made


def _checked_url(name: str, url: str | None) -> str | None:
    if url is None:
        return None
    try:
        return schema.check_url(url)
    except ValueError as error:  # schema.FieldError
        field = "originalUrl" if name == "original_url" else "webUrl"
        raise ValueError(f"{field}: {error}") from None


def _topics(names: tuple[str, ...]) -> tuple[str, ...]:
    kept: dict[str, str] = {}
    for name in names:
        clean = cut(one_line(unicodedata.normalize("NFC", name)), MAX_TOPIC_LENGTH)
        if clean:
            kept.setdefault(clean.casefold(), clean)  # `AI` and `ai` are one topic
    return tuple(kept.values())[:MAX_TOPICS]


def _images(images: tuple[Image, ...]) -> tuple[Image, ...]:
    kept = []
    for image in images[:MAX_IMAGES]:
        try:
            url = schema.check_url(image.url)
        except ValueError:
            continue
        sized = bool(image.width and image.height and image.width > 0 and image.height > 0)
        kept.append(Image(url, image.width if sized else None, image.height if sized else None))
    return tuple(kept)


def yaml_string(text: str) -> str:
    """`text` as a YAML double-quoted scalar: one line, read back as exactly `text`.

    Printable characters, emoji and all, are written as they are; backslash, quote, controls
    and the few characters YAML would fold or refuse are escaped. Quoting every string means
    no title is ever read as a number, a date or a boolean (`yes`, `null`, `2024-01-01`).
    """
    return '"' + _NEEDS_ESCAPE.sub(_escape, text) + '"'


def _escape(match: re.Match[str]) -> str:
    character = match.group()
    named = _NAMED_ESCAPES.get(character)
    if named is not None:
        return named
    code = ord(character)
    return f"\\x{code:02X}" if code < 0x100 else f"\\u{code:04X}"


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else repr(float(value))


def _when(value: datetime | date) -> str:
    if isinstance(value, datetime):
        if value.tzinfo is not None:
            return utc_stamp(value)
        return value.replace(microsecond=0).isoformat()
    return value.isoformat()


def render(article: NewArticle) -> str:
    """The file's text: the frontmatter in the seed's field order (only fields with values,
    groups apart by a blank line as in the seed), then the comment, if any."""
    head = []
    if article.category:
        head.append(f"category: {yaml_string(article.category)}")
    head.append(f"title: {yaml_string(article.title)}")
    if article.excerpt:
        head.append(f"excerpt: {yaml_string(article.excerpt)}")
    head.append(f"publishedDateTime: {_when(article.published_at)}")
    for key, url in (("originalUrl", article.original_url), ("webUrl", article.web_url)):
        if url:
            head.append(f"{key}: {yaml_string(url)}")
    if article.type:
        head.append(f"type: {yaml_string(article.type)}")
    for key, number in (("quality", article.quality), ("heat", article.heat)):
        if number is not None:
            head.append(f"{key}: {_number(number)}")
    head.append(f"published: {'true' if article.published else 'false'}")
    groups = ["\n".join(head)]
    if article.provider:
        lines = ["provider:"]
        if article.provider.name:
            lines.append(f"  name: {yaml_string(article.provider.name)}")
        if article.provider.domain:
            lines.append(f"  domain: {yaml_string(article.provider.domain)}")
        groups.append("\n".join(lines))
    if article.topics:
        groups.append("\n".join(["topics:", *(f"  - {yaml_string(t)}" for t in article.topics)]))
    if article.images:
        lines = ["images:"]
        for image in article.images:
            lines.append(f"  - url: {yaml_string(image.url)}")
            if image.width and image.height:
                lines += [f"    width: {image.width}", f"    height: {image.height}"]
        groups.append("\n".join(lines))
    text = "---\n" + "\n\n".join(groups) + "\n---\n"
    return text + (f"\n{article.comment}\n" if article.comment else "")


_NUMBER_SIGN = re.compile(r"(?<![^\W\d_])#")  # "#" after no letter: "#42", " #tag"


def title_slug(title: str, url: str = "") -> str:
    """A short ASCII slug for a file name: the title's first words, else the URL's last path
    segment or host (for titles with nothing to transliterate, such as emoji), else `link`."""
    # A currency sign is no word of the title: "£14m" is "14m", not "ps14m" (transliterated).
    # Nor is a number sign that follows no letter: "Issue #42" is "issue-42" (topics spell
    # "#" out, for C#; a title's "-sharp-42" read oddly). Only for new files: no URL moves.
    title = _NUMBER_SIGN.sub(" ", title)
    slug = _short(slugify("".join(c for c in title if unicodedata.category(c) != "Sc")))
    if not slug and url:
        parts = urlsplit(url)
        segments = [s for s in parts.path.split("/") if s]
        last = unicodedata.normalize("NFKC", segments[-1].rsplit(".", 1)[0]) if segments else ""
        slug = _short(slugify(last)) or _short(slugify(parts.hostname or ""))
    return slug or "link"


def _short(slug: str) -> str:
    if len(slug) <= SLUG_LENGTH:
        return slug
    return slug[: SLUG_LENGTH + 1].rsplit("-", 1)[0] or slug[:SLUG_LENGTH]


def file_name(article: NewArticle, zone: tzinfo, suffix: str = "") -> str:
    """`YYYY-MM-DD-<slug><suffix>.md`: the day the link was published, in the site's zone."""
    when = article.published_at
    if isinstance(when, datetime):
        when = when.astimezone(zone).date() if when.tzinfo else when.date()
    return f"{when.isoformat()}-{title_slug(article.title, article.url)}{suffix}{SUFFIX}"


def write(folder: Path, article: NewArticle, zone: tzinfo, taken: Collection[str] = ()) -> Path:
    """Create the article's file in `folder` (made if missing) and return its path.

    The file is created exclusively (`O_EXCL`): when its name is taken, even by a file made a
    moment ago by another process, or its slug is in `taken` (the slugs of the content
    folder's files, in sub-folders too: see `curated.curated`), the next of `-2`, `-3`, ...
    is tried. Raises RoundupError when the folder cannot be written; a file that could not be
    written whole is removed.
    """
    data = render(article).encode("utf-8")
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise RoundupError(f"cannot create {folder}: {error.strerror}") from None
    for attempt in range(1, _MAX_ATTEMPTS + 1):
        path = folder / file_name(article, zone, f"-{attempt}" if attempt > 1 else "")
        if taken and derived_slug(path.name) in taken:
            continue
        flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0)
        try:
            fd = os.open(path, flags, 0o666)
        except FileExistsError:
            continue
        except OSError as error:
            raise RoundupError(f"cannot create {path}: {error.strerror}") from None
        try:
            with os.fdopen(fd, "wb") as file:
                file.write(data)
        except OSError as error:
            path.unlink(missing_ok=True)  # ours: created by this call, and only half written
            raise RoundupError(f"cannot write {path}: {error.strerror}") from None
        return path
    raise RoundupError(f"cannot find a free file name for {file_name(article, zone)} in {folder}")
