"""The build pipeline: config → articles → site → pages and feeds → output folder."""

from __future__ import annotations

import gc
import hashlib
import logging
import shutil
import time
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import Any

from roundup.build import jobs, quick
from roundup.build.fingerprints import file_keys, stable_bytes
from roundup.build.quick import Memory
from roundup.build.result import (
    BuildResult,
    peak_memory,
    save_last_build,
    since_of,
)
from roundup.build.result import unchanged_result as unchanged
from roundup.core.config import SiteConfig
from roundup.core.errors import ContentError, Problem, RoundupError
from roundup.core.parallel import forks, share_out
from roundup.read import stored
from roundup.read.cache import ParseCache, ParseMemory, code_digest
from roundup.read.loader import display_path, load_articles, scan
from roundup.read.stored import DamagedEntry
from roundup.render import editionfeed, search
from roundup.render.bytecode import TemplateCache
from roundup.render.templating import Asset, Renderer
from roundup.site import entryids, hosting, published
from roundup.site import structure as S
from roundup.state import precheck
from roundup.state.folder import StateFolder, check_site_cache, check_site_folders
from roundup.state.output import Writer
from roundup.state.ownership import MANIFEST
from roundup.state.precheck import identity

log = logging.getLogger(__name__)


# What is being done ("reading", "files"), then how far along: (done, total).
Progress = Callable[[str, str, int, int], None]


class _Clock:
    def __init__(self, timings: dict[str, float]) -> None:
        self.timings = timings
        self.last = time.perf_counter()

    def lap(self, phase: str) -> None:
        now = time.perf_counter()
        self.timings[phase] = now - self.last
        self.last = now
        if log.isEnabledFor(logging.DEBUG):
            log.debug("%s: %.3f s, peak memory %s", phase, self.timings[phase], peak_memory())


def build(
    config: SiteConfig,
    preview: bool = False,
    strict: bool = False,
    progress: Progress | None = None,
    memory: Memory | None = None,
    now: datetime | None = None,
    search_index: bool = True,
    interrupted: Callable[[], bool] | None = None,
) -> BuildResult:
    """Build the whole site; on any error the output folder is left exactly as it was.

    A process that builds again and again (`roundup serve`) passes the same `memory` each
    time: what one build worked out is then taken over by the next. `now` (default: the
    clock) is the build's time: items dated after it are held back from the site unless
    `config.future` (see `schedule`). `search_index=False` keeps the search index as it is,
    for `roundup serve`: it shows the edited page at once, then brings the index up to date
    with a build right after, which stops (`Interrupted`, nothing written) as soon as
    `interrupted()` says so while Pagefind runs.
    """
    now = now or datetime.now(UTC)
    # Loading creates millions of long-lived objects and no garbage cycles: the cyclic
    # collector would only rescan them again and again (2-3x slower at 30,000 articles).
    gc.disable()
    run = partial(_build, config, preview, strict, progress, now, search_index, interrupted)
    try:
        try:
            return run(memory)
        except DamagedEntry as damaged:
            # Found only when a page read the article's text: nothing was written yet.
            log.warning(
                "parse cache: the entry of %s is damaged (%s); parsing every file again",
                damaged.source,
                damaged.reason,
            )
            shutil.rmtree(StateFolder(config.cache_dir).parsed, ignore_errors=True)
            return run(memory and _forget(memory))
    except OSError as error:
        # A read-only or missing place, an unreadable template: the environment's doing,
        # never a bug, and the writer has already undone what this build began.
        where = f"{error.filename}: " if error.filename else ""
        reason = error.strerror or str(error)
        raise RoundupError(f"{where}{reason}; the output folder was not changed") from None
    finally:
        gc.unfreeze()  # what the build froze is collectable again, for a process that goes on
        gc.enable()


# What the last build made and no longer needs, left for the process to drop: freeing it object
# by object costs 0.2 s at 30,000 articles, which the command skips by exiting right after
# (see `cli.run`). The next build in the same process lets go of it.
_leftovers: list[object] = []


def _forget(memory: Memory) -> Memory:
    memory.parsed, memory.page_base, memory.items, memory.fingerprints = ParseMemory(), "", {}, {}
    memory.last = memory.manifest = None
    return memory


def release() -> None:
    """Free now what the last build left (see `_leftovers`), rather than at the start of the
    next build: for a process that goes on and has idle time, such as `roundup serve`."""
    _leftovers.clear()


def _build(
    config: SiteConfig,
    preview: bool,
    strict: bool,
    progress: Progress | None,
    now: datetime,
    search_index: bool,
    interrupted: Callable[[], bool] | None,
    memory: Memory | None,
) -> BuildResult:
    _leftovers.clear()
    result = BuildResult(preview=preview)
    clock = _Clock(result.timings)
    output = config.output_dir
    check_site_folders(config)
    check_site_cache(config)
    state = StateFolder(config.cache_dir)
    records = state.records(output)
    found = scan(config.content_dir)
    renderer = Renderer(config, preview, {"nav": _nav(config)})
    digest = renderer.digest()
    inputs = _key(code_digest(), _settings(config), preview, digest, found.key(), search_index)
    # What every file's key starts from: every input but the content and the search flag.
    page_base = f"{code_digest()}|{digest}|{_settings(config)}|{preview}"
    previous = unchanged(output, records, inputs, now)
    if previous is not None:
        if strict and previous.warnings:
            raise ContentError(previous.warnings)
        clock.lap("check")
        previous.timings = result.timings
        return previous
    if memory is not None:
        label = display_path(output, Path.cwd())
        asked = quick.Asked(
            page_base, found, config, now, search_index, records, inputs, label, progress,
            interrupted,
        )  # fmt: skip
        quick_result = quick.rebuild(memory, strict, asked)
        if quick_result is not None:
            clock.lap("rebuild")
            quick_result.timings = result.timings
            return quick_result
    # Which output files are as recorded, found out on the other core while this one loads.
    # Only for a build that starts afresh: a process that builds again and again has threads.
    with precheck.checking(output, records, wanted=memory is None) as check:
        state.ensure()
        stored.compact(len(found.files) > stored.COMPACT_ARTICLES)
        parse_memory = memory.parsed if memory is not None else None
        cache = ParseCache(state.parsed, config.timezone, memory=parse_memory)
        reading = partial(progress, "reading", "files") if progress else None
        templates = TemplateCache(state.templates)
        renderer.env.bytecode_cache = templates
        # Templates are compiled (and checked) while the workers parse: after a change to
        # them, 0.2 s that would hold up both cores otherwise. Saves the cache, whatever.
        loaded = load_articles(config, cache, found, reading, now, meanwhile=renderer.check)
        kept_scan = found if memory is not None else None
        del found  # 25 MB at 100,000 articles, and no more use (but to a rebuild)
        shown = [a for a in loaded.articles if a.published or preview]
        prefix = display_path(config.content_dir, Path.cwd()) + "/"
        ids, id_warnings = entryids.assign(shown, config.site_id, prefix)
        result.warnings = _merged(loaded.warnings, id_warnings)
        if strict and result.warnings:
            raise ContentError(result.warnings)
        clock.lap("load")

        with Writer(output, records, display_path(output, Path.cwd()), check) as writer:
            # What this process worked out last time holds if its last build wrote the folder.
            ours = memory is not None and memory.wrote_last(records)
            earlier = memory.items if memory and ours and memory.page_base == page_base else None
            site = S.build_site(loaded.articles, config, preview, earlier)
            topic_warnings = [replace(p, path=prefix + p.path) for p in site.warnings]
            if strict and topic_warnings:
                raise ContentError(topic_warnings)
            result.warnings = _merged(result.warnings, topic_warnings)
            content_warnings = list(result.warnings)
            # Read before anything is written: what subscribers were last given, if anything.
            changed_ids = published.changed_ids(config, site.items, ids)
            if strict and changed_ids:
                raise ContentError(changed_ids)
            result.shown = len(site.items)
            result.future = len(loaded.held)
            result.hidden = sum(not a.published for a in loaded.articles) - result.future
            result.release = min(loaded.held, default=None)
            assets = renderer.assets()
            renderer.env.globals["assets"] = {a.name: a.url_path for a in assets}
            # The site's objects live until the end: move them out of the collector's sight.
            gc.freeze()
            clock.lap("site")

            same = memory if earlier is not None else None
            result.due, result.since = editionfeed.due(site, now), since_of(site, now)
            memo, planned = _write_all(
                site,
                ids,
                renderer,
                assets,
                writer,
                result,
                progress,
                page_base,
                same,
                now,
                remember=memory is not None,
            )
            clock.lap("render")
            search.publish(site, writer, config.cache_dir, progress, not search_index, interrupted)
            clock.lap("search")
            too_big = hosting.size_warnings(config, writer.new, site.items)
            if strict and too_big:
                raise ContentError(too_big)
            result.warnings.extend(too_big)
            # Not in the record either: said by the build that stops making them.
            changed_ids += published.gone_feeds(config, writer.old, writer.new)
            if strict and changed_ids:
                raise ContentError(changed_ids)
            result.files = len(writer.new)
            writer.commit()
        templates.save()
        save_last_build(records, inputs, result)
        if memory is not None:
            memory.page_base = page_base
            memory.items = {item.article.source: item for item in site.items}
            memory.fingerprints = {id(i): memo[id(i)] for i in site.items if id(i) in memo}
            assert kept_scan is not None
            renderer.forget()  # the pieces cached for this build's pages: many MB
            memory.last = quick.LastBuild(
                page_base, dict(kept_scan.files), kept_scan.warnings,
                {a.source: a for a in loaded.articles}, site, planned, renderer, assets, memo,
                content_warnings, result,
            )  # fmt: skip
            memory.manifest = identity(records / MANIFEST)
        # Not in the record: once this build's feeds are written the ids are the new ones (and
        # the feeds no longer made are gone), and a build with nothing to do must not repeat it.
        result.warnings.extend(changed_ids)
        result.written = writer.written
        clock.lap("write")
        _leftovers.extend((loaded, site, writer, planned))
        return result


def _nav(config: SiteConfig) -> list[tuple[str, str]]:
    nav = [("", "Home"), ("topics/", "Topics"), ("sources/", "Sources"), ("archive/", "Archive")]
    nav.append(("feeds/", "Feeds"))
    return [*nav, ("search/", "Search")] if config.search else nav


def _merged(*groups: list[Problem]) -> list[Problem]:
    """Problems of several checks in one list, by file and line as each check orders them."""
    everything = [p for group in groups for p in group]
    return sorted(everything, key=lambda p: (p.path, p.line or 0, p.field))


def _write_all(
    site: S.Site,
    ids: dict[str, str],
    renderer: Renderer,
    assets: list[Asset],
    writer: Writer,
    result: BuildResult,
    progress: Progress | None,
    page_base: str,
    earlier: Memory | None,
    now: datetime,
    remember: bool,
) -> tuple[dict[int, Any], list[jobs.Planned]]:
    """Make every file that changed; returns the fingerprints worked out on the way and the
    plan (if `remember`: for a later build of the same process to take over)."""
    memo: dict[int, Any] = {}
    kept: set[int] = set()  # items taken over from the last build, unchanged
    if earlier is not None:
        memo.update(earlier.fingerprints)
        kept = {id(i) for i in site.items if earlier.items.get(i.article.source) is i}

    key_of = file_keys(page_base, memo)
    calendar = site.calendar
    planned = jobs.plan(site, ids, renderer, now)
    result.feeds = sum(1 for entry in planned if jobs.is_feed(entry))
    result.pages = len(planned) - result.feeds
    # Which files need making: every file an earlier build made gets its key, to tell whether
    # it is as recorded; after a small edit that is nearly all the work (1 s at 100,000
    # articles), shared out among the cores. Not for a process that builds again (`remember`):
    # the fingerprints worked out on the way must stay in it. Files no earlier build made get
    # their key where they are made.
    old = writer.old

    def keys(units: Iterator[int], share: int) -> list[tuple[int, str | None]]:
        found: list[tuple[int, str | None]] = []
        for index in units:
            entry = planned[index]
            path = jobs.path_of(entry)
            key = None
            if path in old:  # made by the last build
                if id(entry) in kept:  # an item's page, which shows nothing else: the same key
                    key = old[path].key
                else:
                    kind, source = jobs.shown_by(entry, calendar)
                    key = key_of(kind, path, source)
            found.append((index, key))
        return found

    everything = range(len(planned))
    shares = [keys(iter(everything), 0)] if remember or not old else share_out(keys, len(planned))
    todo: list[tuple[jobs.Planned, str | None]] = []
    for index, key in sorted(pair for found in shares for pair in found):  # in the plan's order
        entry = planned[index]
        if key is not None and writer.is_current(jobs.path_of(entry), key):
            continue  # as recorded, and now claimed for this build
        todo.append((entry, key))
    if stored.is_compact() and not remember:
        planned.clear()  # files that are current, with their pages' contexts: many MB
    total = len(todo)
    if forks(total):
        stored.read_all(item.article for item in site.items)
    # As long-lived as the rest of the site, and out of the collector's sight: else its
    # first pass after `enable` goes through every object made since the site was frozen
    # (the plan, the fingerprints), 50 ms after one edit at 30,000 articles.
    gc.freeze()
    # Only now: sorting out the work makes many objects and no cycles, but rendering makes
    # short-lived cycles (Jinja's contexts) for the collector to free.
    gc.enable()

    def work(units: Iterator[int], share: int) -> bytes | None:
        # Share 0 runs in this process and records straight into the writer.
        own = writer.for_worker(share) if share > 0 else writer
        for index in units:
            entry, key = todo[index]
            path, kind, make, source = jobs.job_of(entry, renderer, calendar)
            if key is None:
                key = key_of(kind, path, source)
            own.add(path, make(), key)
            if progress and share == 0 and index % 500 == 0:
                progress("rendering", "pages", index, total)
        if share == 0 and stored.is_compact():
            # This process's pages are made. What it still holds for them (the jobs, the
            # texts kept decoded, the fingerprints if no later build takes them over) makes
            # room for the records the workers send back: the build's peak of memory.
            todo.clear()
            stored.forget_recent()
            if not remember:
                memo.clear()
        return own.recorded() if share > 0 else None

    try:
        share_results = share_out(work, total)
    finally:
        gc.disable()  # what is left makes no cycles, but thousands of records and lists
    for share_result in share_results:
        if share_result is not None:
            writer.merge(share_result)
    if not stored.is_compact():
        _leftovers.extend((todo, memo))
    for path, data in jobs.site_files(site, assets):
        writer.add(path, data)
    return memo, planned


def _key(*parts: object) -> str:
    # `stable_bytes`, not repr: the parts hold every content file's name and stat, and repr of
    # 30,000 of them took 60 ms of each build, even one with nothing to do.
    return hashlib.blake2b(stable_bytes(parts), digest_size=16).hexdigest()


def _settings(config: SiteConfig) -> str:
    """Every setting that shapes the output (not where the config file happens to be)."""
    fields = config.__dataclass_fields__
    where = ("source", "cache_dir", "warnings")  # where files are kept, not what the site is
    return repr(sorted((name, str(getattr(config, name))) for name in fields if name not in where))
