"""Split off an article file's frontmatter and validate the file into an `Article`."""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import tzinfo
from functools import lru_cache
from pathlib import Path
from typing import Any

from roundup.core.errors import Problem
from roundup.core.model import Article
from roundup.core.slugs import check_slug, slug_or_hash
from roundup.core.text import CONTROL_CHARS, collapse_spaces, cut, shorten
from roundup.read import fieldnames, records, schema, yamlstrict
from roundup.read.comment import MAX_MARKDOWN, render_comment
from roundup.read.filetext import FileProblem, read_bytes, split_frontmatter, text_of
from roundup.read.records import MAX_EXCERPT, MAX_TITLE, Report

log = logging.getLogger(__name__)

ARTICLE_SUFFIXES = (".md", ".markdown", ".txt")
MAX_LABEL = 100
_KNOWN = {name.casefold(): name for name in schema.FIELDS}


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
        or name.endswith(("~", "#", ".swp", ".swo", ".swx", ".bak", ".tmp", ".orig"))
        or not name.lower().endswith(ARTICLE_SUFFIXES)
    )


def parse_file(path: str | Path, source: str, zone: tzinfo) -> Parsed:
    """Read and validate one article file; `source` is its path relative to the content folder."""
    try:
        data = read_bytes(path)
    except OSError as error:
        return Parsed(None, [Problem(source, None, "", f"cannot read file: {error.strerror}")])
    return parse_bytes(data, source, zone)


def parse_bytes(data: bytes, source: str, zone: tzinfo) -> Parsed:
    """Validate the bytes of one article file into an `Article` (pure: no I/O)."""
    try:
        front, first_line, body, body_line = split_frontmatter(text_of(data))
    except FileProblem as failure:
        return Parsed(None, [Problem(source, failure.line, "", failure.message)])
    loaded = yamlstrict.load(front, first_line)
    report = Report(source, loaded)
    for issue in loaded.issues:
        problem = Problem(source, issue.line, records.field_name(issue.path), issue.message)
        (report.warnings if issue.warning else report.errors).append(problem)
    value = loaded.value
    if value is None and not report.errors:
        value = {}  # an empty frontmatter: say which fields are missing
    if not isinstance(value, dict):
        if not report.errors:
            report.error((), "the frontmatter must be fields (title: ...), one per line")
        return Parsed(None, report.errors, report.warnings)
    yaml_errors = len(report.errors)
    digest = hashlib.blake2b(data, digest_size=16).hexdigest()
    article = _validate(value, report, body, body_line, source, digest, zone)
    if yaml_errors:  # a refused tag also empties its field: say so once, not twice
        named = {p.field for p in report.errors[:yaml_errors]}
        later = [p for p in report.errors[yaml_errors:] if p.field not in named]
        report.errors[yaml_errors:] = later
    return Parsed(None if report.errors else article, report.errors, report.warnings)


# Asked twice for each file parsed, one right after the other: by the article's own checks,
# then for the collection's (`collection.keys_of`). Transliterating a name is a tenth of
# parsing a file.
@lru_cache(maxsize=64)
def derived_slug(source: str) -> str:
    """An item's slug from its file name alone, so editing its title never moves its page."""
    stem = source.rsplit("/", 1)[-1].rsplit(".", 1)[0]
    return slug_or_hash(stem, "item")


def _validate(
    raw: dict[str, Any],
    report: Report,
    body: str,
    body_line: int,
    source: str,
    digest: str,
    zone: tzinfo,
) -> Article | None:
    _check_keys(raw, report)
    fields = {key: raw[key] for key in schema.FIELDS if key in raw}
    meta = _check_fields(raw, fields, report, zone)
    if report.yaml.comments:
        _check_comments(raw, report)
    # Nested records are read even when a field above failed, so one run shows every problem.
    provider = records.provider(raw.get("provider"), ("provider",), report)
    topics = records.topics(raw.get("topics"), report)
    images = records.images(raw.get("images"), ("images",), report)
    related = records.related(raw.get("related"), zone, report)
    # Checked even when a field above failed: every problem of the file in one run.
    written_slug = meta.slug if meta is not None else raw.get("slug")
    problem = check_slug(str(written_slug)) if isinstance(written_slug, str) else None
    if problem:
        report.error(("slug",), problem)
    if meta is None or problem:
        return None
    slug = meta.slug or derived_slug(source)

    title = collapse_spaces(meta.title)
    if len(title) > MAX_TITLE:
        report.warn(("title",), f"{len(title)} characters; cut to {MAX_TITLE}")
        title = cut(title, MAX_TITLE)
    category, kind, curator = (
        _short_text(report, key, getattr(meta, key)) for key in ("category", "type", "curator")
    )
    excerpt = (meta.excerpt or "").strip()
    if len(excerpt) > MAX_EXCERPT:
        report.warn(("excerpt",), f"{len(excerpt)} characters; cut to {MAX_EXCERPT}")
        excerpt = cut(excerpt, MAX_EXCERPT)
    comment = render_comment(_clean_body(body, body_line, report))
    if comment.plain:
        message = "too intricate to render as Markdown in time; shown as plain text"
        report.warnings.append(Problem(report.source, body_line, "body", message))
    for name in comment.unclosed:
        message = f"<{name}> is never closed, and would hide the rest; shown as text"
        report.warnings.append(Problem(report.source, body_line, "body", message))
    if comment.dropped:
        shown = ", ".join(repr(shorten(url)) for url in comment.dropped[:3])
        more = len(comment.dropped) - 3
        shown += f" and {more} more" if more > 0 else ""
        message = (
            f"links and images need a whole address (https://…); left out: {shown} "
            "(a link keeps its text)"
        )
        report.warnings.append(Problem(report.source, body_line, "body", message))

    keys: tuple[str, ...] = ("slug", "originalUrl", "webUrl", "publishedDateTime", "id", "topics")
    lines: dict[str, int | None] = {key: report.yaml.line_of((key,)) for key in keys}
    for name, keys, kept in (
        ("related", ("originalUrl", "webUrl"), [r.url for r in related]),
        ("images", ("url",), [i.url for i in images]),
    ):
        lines.update(_nested_link_lines(name, raw.get(name), keys, kept, report))
    return Article(
        source=source,
        slug=slug,
        title=title,
        published_at=meta.publishedDateTime,
        url=meta.originalUrl or meta.webUrl or "",
        original_url=meta.originalUrl,
        web_url=meta.webUrl,
        excerpt=excerpt,
        comment_html=comment.html,
        provider=provider,
        topics=topics,
        images=images,
        related=related,
        quality=meta.quality,
        heat=meta.heat,
        published=_published(meta, fields, report),
        category=category,
        type=kind,
        entry_id=meta.id,
        curator=curator,
        date_only=schema.is_date_only(raw.get("publishedDateTime")),
        extra={key: yamlstrict.plain(value) for key, value in raw.items() if key not in fields},
        digest=digest,
        lines=lines,
    )


def _nested_link_lines(
    field: str, entries: Any, keys: tuple[str, ...], kept: Sequence[str | None], report: Report
) -> dict[str, int]:
    """The lines of the URLs of kept related links or images, by their name in the file
    (`related[2].webUrl`, `images[0].url`), in the order of the kept entries: `roundup check
    --links` reports a dead one where it is written, even when entries before it were dropped.
    `keys`: the fields that may hold the URL, the one used first."""
    if not isinstance(entries, list):
        return {}
    lines: dict[str, int] = {}
    index = 0
    for url in kept:
        while url is not None and index < len(entries):
            entry, index = entries[index], index + 1
            if isinstance(entry, str):  # an image written as a bare URL
                path: tuple[str | int, ...] = (field, index - 1)
                written: Any = entry
            elif isinstance(entry, dict):
                key = next((k for k in keys if entry.get(k) is not None), keys[0])
                path, written = (field, index - 1, key), entry.get(key)
            else:
                continue
            # The kept URL is the written one with its scheme lower-cased.
            if isinstance(written, str) and written.partition(":")[2] == url.partition(":")[2]:
                lines[records.field_name(path)] = report.yaml.line_of(path)
                break
    return lines


def _check_keys(raw: dict[str, Any], report: Report) -> None:
    for key in raw:
        known = _KNOWN.get(key.casefold())
        if known and known != key:  # `Published: false` must not leave a draft public
            report.error((key,), f"unknown field; write it as {known}")
        elif not known:
            advice = fieldnames.advice(key, raw[key], raw)
            if advice:
                report.warn((key,), advice)
    for path, message in fieldnames.misplaced_hiding(raw):
        report.warn(path, message)


def _check_fields(
    raw: dict[str, Any], fields: dict[str, Any], report: Report, zone: tzinfo
) -> schema.ArticleFields | None:
    # A missing link is reported together with every problem of the fields themselves.
    # `tittle:` or `url:` instead of the field: the error names the line to fix.
    instead: dict[str, str] = {}
    for key in raw:
        field = None if key in fields else fieldnames.meant(key)
        if field and field not in fields:
            instead.setdefault(field, key)
    if fields.get("originalUrl") is None and fields.get("webUrl") is None:
        _missing(report, "originalUrl", "an article needs originalUrl or webUrl (an http(s) URL)",
                 instead)  # fmt: skip
    context = schema.Context(zone, report.yaml.implicit, report.yaml.cleaned)
    meta, problems = schema.check_article(fields, context)
    for name, message in problems:
        if message is None:
            _missing(report, name, "missing (required)", instead)
        else:
            report.error((name,), message)
    return None if report.errors else meta


def _is_prose(path: tuple[str | int, ...]) -> bool:
    """Whether a value at `path` is text a reader sees, where a "#" is likely meant."""
    if path in (("title",), ("excerpt",), ("category",), ("type",), ("topics",)):
        return True
    if path[0] == "topics" or path == ("provider", "name"):
        return len(path) == 2
    return len(path) == 3 and path[0] == "related" and path[2] in ("title", "excerpt")


def _check_comments(raw: dict[str, Any], report: Report) -> None:
    """Warn where YAML cut a text at " #": `title: Fixes issue #42` is "Fixes issue"."""
    for path, rest in report.yaml.comments.items():
        if not path or not _is_prose(path):
            continue  # `published: false  # until Monday` is a comment meant as one
        value: Any = raw
        for step in path:
            if isinstance(value, dict):
                value = value.get(step)
            elif isinstance(value, list) and isinstance(step, int):
                value = value[step]
            else:
                value = None
        text = value if isinstance(value, str) else ""
        whole = (text + rest).strip()
        what = "topic" if path[0] == "topics" else str(path[-1])
        quoted = '"' + whole.replace("\\", "\\\\").replace('"', '\\"') + '"'
        read_as = repr(shorten(text)) if text else "empty"
        fix = shorten(quoted, 80) if len(path) > 1 else f"{path[0]}: {shorten(quoted, 80)}"
        message = (
            f"YAML reads {shorten(rest.strip())!r} as a comment, so the {what} is {read_as}; "
            f"if the # belongs to it, put the {what} in quotes: {fix}"
        )
        # `title: #42 fixed` is an empty title: the error on it says why, instead of a warning.
        name = records.field_name(path)
        failed = [i for i, p in enumerate(report.errors) if p.field == name]
        if failed:
            report.errors[failed[0]] = replace(report.errors[failed[0]], message=message)
        else:
            report.warn(path, message)


def _published(meta: schema.ArticleFields, fields: dict[str, Any], report: Report) -> bool:
    """Public only if `published` says so and `draft` does not: a draft never goes out by
    accident. When both fields are there and say opposite things, the item stays unpublished."""
    if "draft" in fields and "published" in fields and meta.draft == meta.published:
        said = f"draft: {str(meta.draft).lower()} and published: {str(meta.published).lower()}"
        report.warn(("draft",), f"{said} disagree; the item stays unpublished (keep one of them)")
    return meta.published and not meta.draft


def _missing(report: Report, field: str, message: str, instead: dict[str, str]) -> None:
    """A required field is missing; if another name seems meant for it, say so on its line."""
    key = instead.get(field)
    if key is None:
        report.error((field,), message)
    else:
        line = report.yaml.line_of((key,))
        message += f"; write {key} as {field}"
        report.errors.append(Problem(report.source, line, field, message))
        # The error says it all: no "did you mean" warning about the same line beside it.
        report.warnings[:] = [w for w in report.warnings if w.field != key]


def _short_text(report: Report, key: str, value: str | None) -> str | None:
    """A label such as category or type: one line, at most MAX_LABEL characters."""
    if value is None or not value.strip():
        return None
    value = collapse_spaces(value)
    if len(value) > MAX_LABEL:
        report.warn((key,), f"{len(value)} characters; cut to {MAX_LABEL}")
        value = cut(value, MAX_LABEL)
    return value


def _clean_body(body: str, body_line: int, report: Report) -> str:
    found = CONTROL_CHARS.search(body)
    if found:
        line = body_line + body.count("\n", 0, found.start())
        report.warnings.append(Problem(report.source, line, "body", "control characters removed"))
        body = CONTROL_CHARS.sub("", body)
    if len(body) > MAX_MARKDOWN:
        message = f"{len(body)} characters; cut to {MAX_MARKDOWN}"
        report.warnings.append(Problem(report.source, body_line, "body", message))
        body = body[:MAX_MARKDOWN]
    return body
