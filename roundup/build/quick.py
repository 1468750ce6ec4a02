"""Rebuilds after edits to comments alone, in a process that keeps its last build (`roundup
serve`): only the files that show an edited item are worked out and made again."""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field, fields
from datetime import datetime
from pathlib import Path
from typing import Any

from roundup.build import jobs
from roundup.build.fingerprints import EditionItems, file_keys, items_in
from roundup.build.result import BuildResult, save_last_build
from roundup.core.config import SiteConfig
from roundup.core.errors import Interrupted, Problem
from roundup.core.model import Article
from roundup.read import stored
from roundup.read.cache import ParseMemory
from roundup.read.content import parse_file
from roundup.read.loader import Scan
from roundup.render import editionfeed, search
from roundup.render.templating import Asset, Renderer
from roundup.site import hosting
from roundup.site import structure as S
from roundup.state.output import Writer
from roundup.state.ownership import MANIFEST
from roundup.state.precheck import Identity, identity

log = logging.getLogger(__name__)

# Every field of an article but its comment and its file's hash. A comment-only edit changes
# none of them, so it moves no item to another page and changes no count, title, link, id
# or warning: every page that does not show the item stays as it is.
_UNMOVED = tuple(f.name for f in fields(Article) if f.name not in ("comment_html", "digest"))
_ALL = tuple(f.name for f in fields(Article))


@dataclass(slots=True)
class LastBuild:
    """What a build in a process that builds again and again leaves for the next one."""

    base: str  # what every file's key starts from: every input but the content, search flag
    found: dict[str, tuple[int, int]]  # content files and their stat keys
    scan_warnings: list[Problem]
    articles: dict[str, Article]  # every valid article, by source, as the site has it
    site: S.Site
    planned: list[jobs.Planned]
    renderer: Renderer
    assets: list[Asset]
    memo: dict[int, Any]  # fingerprints of the site's records, by id (see `fingerprint`)
    warnings: list[Problem]  # the content's, as the next result has them
    result: BuildResult
    # Worked out at the first rebuild: by an item's id, the indexes in `planned` of the files
    # whose keys read it, and the editions whose records hold it.
    shown_in: dict[int, list[int]] | None = None
    editions_of: dict[int, list[S.Edition]] | None = None
    touched: set[int] = field(default_factory=set)  # indexes of the files the edits changed


@dataclass(slots=True)
class Memory:
    """What a process that builds again and again (`roundup serve`) keeps from one build to
    the next: parse results decoded, and the site's items with their fingerprints, so that
    a rebuild after one edit works out again only what the edit touched; after edits to
    comments alone, the whole last build (`last`), so that only the files showing the edited
    items are looked at."""

    parsed: ParseMemory = field(default_factory=ParseMemory)
    page_base: str = ""  # what every page's key starts from, when `items` were made
    items: dict[str, S.Item] = field(default_factory=dict)  # by source
    # Fingerprints by the id of an item in `items`, which keeps those items (and so their
    # ids) alive: no other object can take one of these ids while they are remembered.
    fingerprints: dict[int, Any] = field(default_factory=dict)
    last: LastBuild | None = None
    # The output record the last build wrote: what was remembered holds only while no other
    # build (another process, another site or preview) has written the folder since.
    manifest: Identity | None = None

    def wrote_last(self, records: Path) -> bool:
        """Whether the output folder is as this process's last build left it; call it with
        the folder locked (in a `Writer`), so that no other build can write it meanwhile."""
        return self.manifest is not None and identity(records / MANIFEST) == self.manifest


@dataclass(frozen=True, slots=True)
class Asked:
    """What a build is asked for, as a rebuild from the last one needs it."""

    base: str  # what every file's key starts from: every input but the content, search flag
    found: Scan
    config: SiteConfig
    now: datetime
    search_index: bool
    records: Path  # the output folder's records
    inputs: str  # the key of this build's inputs, for its record
    label: str  # how messages name the output folder
    progress: Callable[[str, str, int, int], None] | None = None
    interrupted: Callable[[], bool] | None = None


def rebuild(memory: Memory, strict: bool, asked: Asked) -> BuildResult | None:
    """The build after edits to comments alone from `memory.last`, or None when a whole
    build is needed (see `_rebuild`; and for `strict`, whose warnings the whole build
    checks). `memory.last` is then cleared, for the whole build to set again if it succeeds."""
    last, memory.last = memory.last, None
    if last is None or strict:
        return None
    try:
        result = _rebuild(memory, last, asked)
    except Interrupted:
        # Stopped on purpose, before any write: whatever it changed of `last`, the next
        # build finds changed again (a file's parse no longer the one `last` read).
        memory.last = last
        raise
    if result is not None:
        memory.last = last
    return result


def _rebuild(memory: Memory, last: LastBuild, asked: Asked) -> BuildResult | None:
    """The build after edits to comments alone, or None when a whole build is needed: any
    other change (a field, a file added or removed, a template, the time an item comes
    out), a file with problems, or an output record another build wrote."""
    started = time.perf_counter()
    config, found, records = asked.config, asked.found, asked.records
    files = dict(found.files)
    why = (
        "settings, templates or preview changed" if asked.base != last.base
        else "an item or edition came out" if not _in_time(last, asked.now)
        else "files were added or removed" if files.keys() != last.found.keys()
        or found.warnings != last.scan_warnings or found.errors
        else ""
    )  # fmt: skip
    edits: dict[str, Article] = {}  # the articles as the site shows them now
    for source, key in found.files if not why else ():
        if last.found[source] != key:
            article = _comment_edit(last, memory.parsed, source, key, config)
            if article is None:
                why = f"{source} changed more than its comment"
                break
            edits[source] = article
    if why:
        log.debug("rebuild: a whole build, as %s", why)
        return None
    stored.compact(len(files) > stored.COMPACT_ARTICLES)
    result = BuildResult(
        shown=last.result.shown, hidden=last.result.hidden, future=last.result.future,
        pages=last.result.pages, feeds=last.result.feeds, release=last.result.release,
        since=last.result.since,
    )  # fmt: skip
    with Writer(config.output_dir, records, asked.label) as writer:
        if not memory.wrote_last(records):
            log.debug("rebuild: a whole build, as another build wrote the output")
            return None
        _apply(last, edits, memory)
        _make(last, writer, asked.interrupted)
        result.due = editionfeed.due(last.site, asked.now)
        later = not asked.search_index
        search.publish(
            last.site, writer, config.cache_dir, asked.progress, later, asked.interrupted
        )
        result.warnings = [
            *last.warnings,
            *hosting.size_warnings(config, writer.new, last.site.items),
        ]
        result.files = len(writer.new)
        writer.commit()
    save_last_build(records, asked.inputs, result)
    result.written = writer.written
    last.found, last.result, memory.manifest = files, result, identity(records / MANIFEST)
    result.timings["rebuild"] = time.perf_counter() - started
    return result


def _in_time(last: LastBuild, now: datetime) -> bool:
    """Whether nothing came out since the last build: a held item, a week's edition."""
    release, due, since = last.result.release, last.result.due, last.result.since
    back = since is not None and now < since  # the time went back (ROUNDUP_NOW)
    return (release is None or now < release) and (due is None or now < due) and not back


def _comment_edit(
    last: LastBuild, parsed: ParseMemory, source: str, key: tuple[int, int], config: SiteConfig
) -> Article | None:
    """The edited file's article as the site shows it, if only its comment changed."""
    before = parsed.results.get(source)
    shown = last.articles.get(source)
    if before is None or before[0] != last.found[source] or shown is None:
        return None  # no parse of the file as the last build read it
    was = before[2]
    now = parse_file(os.path.join(config.content_dir, source), source, config.zone)
    old, new = was.article, now.article
    if old is None or new is None or was.warnings or now.warnings or now.errors:
        return None
    if old.has_comment != new.has_comment or old.fits_lists != new.fits_lists:
        return None  # an item of its own page, or none (`item_pages`, `fits_lists`)
    if any(getattr(old, name) != getattr(new, name) for name in _UNMOVED):
        return None
    parsed.results[source] = (key, before[1], now)
    if shown is old:
        return new
    # The site's article differs from the file's (the collection gave it another slug): the
    # same difference, with the new comment.
    values = {name: getattr(shown, name) for name in _ALL}
    return Article(**{**values, "comment_html": new.comment_html, "digest": new.digest})


def _apply(last: LastBuild, edits: dict[str, Article], memory: Memory) -> None:
    """Put the edited articles in their items, and forget what was worked out from the old
    ones: first of all, so that a rebuild that fails later leaves nothing stale behind for the
    whole build after it (which would take over an item of `memory` and its page as they
    were, not knowing that its article changed)."""
    site, memo = last.site, last.memo
    if last.shown_in is None or last.editions_of is None:
        last.shown_in, last.editions_of = _index(last.planned, site.calendar)
    last.touched = set()
    items = {item.article.source: item for item in site.items if item.article.source in edits}
    for source, article in edits.items():
        last.articles[source] = article
        item = items.get(source)
        if item is None:  # not shown (a draft, or held back): on no page of this build
            continue
        memory.items.pop(source, None)
        memory.fingerprints.pop(id(item), None)
        memo.pop(id(item), None)
        for edition in last.editions_of.get(id(item), ()):
            memo.pop(id(edition), None)
        # The item object stays, so that every edition, group and page that holds it shows the
        # new comment; its fingerprint, and those of the editions holding it, are made again.
        object.__setattr__(item, "article", article)
        last.touched.update(last.shown_in.get(id(item), ()))
    last.renderer.forget()  # cached pieces of the edited items are stale


def _make(last: LastBuild, writer: Writer, interrupted: Callable[[], bool] | None) -> None:
    """Make the files that show the edited items, and keep every other file of the last
    build (made again only if it is not as recorded). Asks `interrupted` now and then."""
    key_of, calendar = file_keys(last.base, last.memo), last.site.calendar
    for index, entry in enumerate(last.planned):
        if interrupted is not None and index % 1024 == 0 and interrupted():
            raise Interrupted("the build was stopped")
        path = jobs.path_of(entry)
        old = writer.old.get(path)
        if index not in last.touched and old is not None and writer.is_current(path, old.key):
            continue
        kind, shown = jobs.shown_by(entry, calendar)
        key = key_of(kind, path, shown)
        if not writer.is_current(path, key):
            path, kind, make, shown = jobs.job_of(entry, last.renderer, calendar)
            writer.add(path, make(), key)
    for path, data in jobs.site_files(last.site, last.assets):
        writer.add(path, data)


def _index(
    planned: list[jobs.Planned], calendar: Any
) -> tuple[dict[int, list[int]], dict[int, list[S.Edition]]]:
    """By an item's id: which planned files' keys read it, and which editions hold it."""
    editions: EditionItems = {}
    shown_in: dict[int, list[int]] = {}
    for index, entry in enumerate(planned):
        for item in items_in(jobs.shown_by(entry, calendar)[1], editions):
            shown_in.setdefault(item, []).append(index)
    editions_of: dict[int, list[S.Edition]] = {}
    for edition, inside in editions.values():
        for item in inside:
            editions_of.setdefault(item, []).append(edition)
    return shown_in, editions_of
