"""Find article files, parse their frontmatter strictly and validate them into `Article`s."""

from __future__ import annotations

import hashlib
import logging
import os
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import tzinfo
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import frontmatter
from pydantic import ValidationError

from roundup import schema, yamlstrict
from roundup.comment import MAX_MARKDOWN, render_comment
from roundup.errors import Problem
from roundup.model import Article, Image, Provider, Related
from roundup.slugs import check_slug, slugify

log = logging.getLogger(__name__)

ARTICLE_SUFFIXES = (".md", ".markdown", ".txt")
MAX_TOPICS = 50
MAX_RELATED = 50
MAX_IMAGES = 20
MAX_EXCERPT = 2_000  # characters; listings and feeds stay small whatever is pasted
MAX_TITLE = 500
_SPLITTER = frontmatter.YAMLHandler().FM_BOUNDARY


@dataclass(slots=True)
class Parsed:
    """The outcome of reading one file: an article, or the problems that prevent one."""

    article: Article | None
    errors: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)


def is_ignored(name: str) -> bool:
    """Hidden files, editor backups and lock files are never articles."""
    return (
        name.startswith((".", "#", "~"))
        or name.endswith(("~", ".swp", ".swo", ".bak", ".tmp"))
        or not name.lower().endswith(ARTICLE_SUFFIXES)
    )


def find_files(content_dir: Path, warnings: list[Problem]) -> Iterator[Path]:
    """Every article file below the folder, sorted; symlinks leaving the folder are skipped."""
    root = content_dir.resolve()
    for folder, dirs, files in os.walk(content_dir, followlinks=False):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        here = Path(folder)
        for d in list(dirs):
            if (here / d).is_symlink() and not _inside(here / d, root):
                warnings.append(_outside(here / d, content_dir))
                dirs.remove(d)
            elif (here / d).is_symlink():
                dirs.remove(d)  # os.walk will not enter it; reading it twice is never wanted
        for name in sorted(files):
            if is_ignored(name):
                continue
            path = here / name
            if path.is_symlink() and not _inside(path, root):
                warnings.append(_outside(path, content_dir))
                continue
            yield path


def _inside(path: Path, root: Path) -> bool:
    try:
        return path.resolve().is_relative_to(root)
    except OSError:
        return False


def _outside(path: Path, content_dir: Path) -> Problem:
    rel = path.relative_to(content_dir).as_posix()
    return Problem(rel, None, "", "symbolic link leads outside the content folder; not followed")


def parse_file(path: Path, source: str, zone: tzinfo) -> Parsed:
    """Read and validate one article file; `source` is its path relative to the content folder."""
    try:
        data = path.read_bytes()
    except OSError as error:
        return Parsed(None, [Problem(source, None, "", f"cannot read file: {error.strerror}")])
    return parse_bytes(data, source, zone)


def parse_bytes(data: bytes, source: str, zone: tzinfo) -> Parsed:
    """Validate the bytes of one article file into an `Article` (pure: no I/O)."""
    digest = hashlib.blake2b(data, digest_size=16).hexdigest()
    result = Parsed(None)

    def fail(message: str, line: int | None = None, where: str = "") -> Parsed:
        result.errors.append(Problem(source, line, where, message))
        return result

    if not data.strip():
        return fail("the file is empty; an article needs frontmatter between --- lines")
    if b"\x00" in data:
        return fail("the file contains NUL bytes; is it a binary file?")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        return fail(f"not valid UTF-8 (byte {error.start}); save the file as UTF-8", line)
    pieces = _SPLITTER.split(text, 2)
    if len(pieces) < 3 or pieces[0].strip():
        if text.lstrip().startswith("---"):
            return fail("the frontmatter is not closed: add a line with --- after it", 1)
        return fail("no frontmatter: the file must start with a line of ---", 1)
    before, front, body = pieces
    first_line = before.count("\n") + text[len(before) :].split("\n", 1)[0].count("\n") + 2
    loaded = yamlstrict.load(front, first_line)
    for issue in loaded.issues:
        problem = Problem(source, issue.line, _field_name(issue.path), issue.message)
        (result.warnings if issue.warning else result.errors).append(problem)
    if not isinstance(loaded.value, dict):
        if not result.errors:
            fail("the frontmatter must be a mapping of fields (title: ..., ...)", first_line)
        return result
    if result.errors:
        return result
    return _validate(loaded, front, first_line, body, source, digest, zone, result)


def _field_name(path: tuple[str | int, ...]) -> str:
    name = ""
    for step in path:
        name += f"[{step}]" if isinstance(step, int) else (f".{step}" if name else str(step))
    return name


def _validate(
    loaded: yamlstrict.YamlResult,
    front: str,
    first_line: int,
    body: str,
    source: str,
    digest: str,
    zone: tzinfo,
    result: Parsed,
) -> Parsed:
    raw: dict[str, Any] = loaded.value

    def line(path: tuple[str | int, ...]) -> int | None:
        return yamlstrict.line_of(front, path, first_line)

    def warn(path: tuple[str | int, ...], message: str) -> None:
        result.warnings.append(Problem(source, line(path), _field_name(path), message))

    context = {"zone": zone, "implicit": loaded.implicit}
    try:
        meta = schema.ArticleIn.model_validate(raw, context=context)
    except ValidationError as error:
        for item in error.errors():
            path = tuple(item["loc"])
            if item["type"] == "missing":
                message = "missing (required)"
            elif item["type"] == "link":
                path = ()
                message = item["msg"]
            else:
                message = item["msg"]
            where = _field_name(path) or ("originalUrl" if item["type"] == "link" else "")
            result.errors.append(Problem(source, line(path) or first_line, where, message))
        return result

    slug = meta.slug
    if slug is not None:
        reason = check_slug(slug)
        if reason:
            result.errors.append(Problem(source, line(("slug",)), "slug", reason))
            return result
    else:
        stem = source.rsplit("/", 1)[-1].rsplit(".", 1)[0]
        slug = slugify(stem) or f"item-{digest[:12]}"

    title = meta.title
    if len(title) > MAX_TITLE:
        warn(("title",), f"{len(title)} characters; cut to {MAX_TITLE}")
        title = title[: MAX_TITLE - 1].rstrip() + "…"
    excerpt = (meta.excerpt or "").strip()
    if len(excerpt) > MAX_EXCERPT:
        warn(("excerpt",), f"{len(excerpt)} characters; cut to {MAX_EXCERPT}")
        excerpt = excerpt[: MAX_EXCERPT - 1].rstrip() + "…"
    body = yamlstrict.CONTROL_CHARS.sub("", body)
    if len(body) > MAX_MARKDOWN:
        result.warnings.append(
            Problem(source, None, "body", f"{len(body)} characters; cut to {MAX_MARKDOWN}")
        )
        body = body[:MAX_MARKDOWN]

    known = set(schema.ArticleIn.model_fields)
    extra = {key: value for key, value in raw.items() if key not in known}
    article = Article(
        source=source,
        slug=slug,
        title=title,
        published_at=meta.publishedDateTime,
        url=meta.originalUrl or meta.webUrl or "",
        original_url=meta.originalUrl,
        web_url=meta.webUrl,
        excerpt=excerpt,
        comment_html=render_comment(body),
        provider=_provider(raw.get("provider"), ("provider",), warn),
        topics=_topics(raw.get("topics"), warn),
        images=_images(raw.get("images"), ("images",), warn),
        related=_related(raw.get("related"), zone, warn),
        quality=meta.quality,
        heat=meta.heat,
        published=meta.published,
        category=meta.category,
        type=meta.type,
        extra=extra,
        digest=digest,
    )
    result.article = article
    return result


Warn = Any  # Callable[[tuple[str | int, ...], str], None]


def _text(value: Any) -> str | None:
    return value.strip() if isinstance(value, str) and value.strip() else None


def _provider(value: Any, path: tuple[str | int, ...], warn: Warn) -> Provider | None:
    if value is None:
        return None
    if isinstance(value, str) and value.strip():
        return Provider(value.strip(), "")
    if not isinstance(value, dict):
        warn(path, "expected name and domain; ignored")
        return None
    name, domain = _text(value.get("name")), _text(value.get("domain"))
    if not name and not domain:
        return None
    return Provider(name or domain or "", domain or "")


def _topics(value: Any, warn: Warn) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        warn(("topics",), "a single text; write a list (topics: [Name]) for several topics")
        value = [value]
    if not isinstance(value, list):
        warn(("topics",), "expected a list of topic names; ignored")
        return ()
    topics: dict[str, str] = {}  # case-folded name -> first spelling on this item
    for index, name in enumerate(value):
        if not isinstance(name, str):
            warn(("topics", index), "expected a topic name (text); ignored")
            continue
        name = " ".join(unicodedata.normalize("NFC", name).split())
        if name:
            topics.setdefault(name.casefold(), name)
    if len(topics) > MAX_TOPICS:
        warn(("topics",), f"{len(topics)} topics; only the first {MAX_TOPICS} are kept")
    return tuple(topics.values())[:MAX_TOPICS]


def _images(value: Any, path: tuple[str | int, ...], warn: Warn) -> tuple[Image, ...]:
    if value is None:
        return ()
    if not isinstance(value, list):
        warn(path, "expected a list of images; ignored")
        return ()
    images = []
    for index, entry in enumerate(value[:MAX_IMAGES]):
        where = (*path, index)
        if not isinstance(entry, dict):
            warn(where, "expected url, width and height; image dropped")
            continue
        try:
            url = schema.check_url(entry.get("url"))
        except Exception as error:  # a PydanticCustomError carrying the reason
            warn((*where, "url"), f"{_reason(error)}; image dropped")
            continue
        width, height = _dimension(entry.get("width")), _dimension(entry.get("height"))
        if width is None or height is None:
            width = height = None  # one size alone cannot reserve the space; keep neither
        images.append(Image(url, width, height, entry.get("isCached") is True))
    return tuple(images)


def _dimension(value: Any) -> int | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return int(value) if 0 < value < 100_000 else None


def _reason(error: Exception) -> str:
    return getattr(error, "message", lambda: str(error))()


def _related(value: Any, zone: tzinfo, warn: Warn) -> tuple[Related, ...]:
    if value is None:
        return ()
    if not isinstance(value, list):
        warn(("related",), "expected a list of related articles; ignored")
        return ()
    related = []
    for index, entry in enumerate(value[:MAX_RELATED]):
        where: tuple[str | int, ...] = ("related", index)
        if not isinstance(entry, dict) or not _text(entry.get("title")):
            warn(where, "a related article needs a title; dropped")
            continue
        url_value = entry.get("webUrl", entry.get("originalUrl"))
        url_key = "webUrl" if "webUrl" in entry else "originalUrl"
        url = None
        if url_value is not None:
            try:
                url = schema.check_url(url_value)
            except Exception as error:
                warn((*where, url_key), f"{_reason(error)}; link dropped")
        published_at = None
        if entry.get("publishedDateTime") is not None:
            try:
                published_at = schema.parse_datetime(entry["publishedDateTime"], zone)
            except Exception as error:
                warn((*where, "publishedDateTime"), f"{_reason(error)}; date dropped")
        quality = entry.get("quality")
        title = _text(entry.get("title")) or ""
        related.append(
            Related(
                title=title[:MAX_TITLE],
                url=url,
                excerpt=(_text(entry.get("excerpt")) or "")[:MAX_EXCERPT],
                published_at=published_at,
                provider=_provider(entry.get("provider"), (*where, "provider"), warn),
                type=_text(entry.get("type")),
                quality=quality if isinstance(quality, int | float) else None,
                images=_images(entry.get("images"), (*where, "images"), warn),
            )
        )
    return tuple(related)


def url_key(url: str) -> str:
    """A link's identity for duplicate detection: host lower-cased, utm_* parameters dropped."""
    parts = urlsplit(url)
    query = "&".join(p for p in parts.query.split("&") if p and not p.lower().startswith("utm_"))
    path = parts.path.rstrip("/") or "/"
    return urlunsplit((parts.scheme.lower(), parts.netloc.lower(), path, query, ""))


def check_collection(articles: list[Article]) -> tuple[list[Problem], list[Problem]]:
    """Problems between files: one slug claimed twice (error), one link curated twice (warning)."""
    errors: list[Problem] = []
    warnings: list[Problem] = []
    by_slug: dict[str, Article] = {}
    by_link: dict[str, Article] = {}
    for article in sorted(articles, key=lambda a: a.source):
        first = by_slug.setdefault(article.slug, article)
        if first is not article:
            errors.append(
                Problem(
                    article.source,
                    None,
                    "slug",
                    f"the slug {article.slug!r} is also used by {first.source}; "
                    "give one of them its own slug: field",
                )
            )
        key = url_key(article.url)
        earlier = by_link.setdefault(key, article)
        if earlier is not article:
            warnings.append(
                Problem(article.source, None, "originalUrl", f"same link as {earlier.source}")
            )
    return errors, warnings
