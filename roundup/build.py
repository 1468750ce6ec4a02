"""The build pipeline: config → articles → site → pages and feeds → output folder."""

from __future__ import annotations

import gc
import hashlib
import json
import logging
import os
import shutil
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import Any

from roundup import (
    editionfeed,
    entryids,
    feeds,
    hosting,
    pages,
    published,
    search,
    sitemaps,
    stored,
)
from roundup import site as S
from roundup.bytecode import TemplateCache
from roundup.cache import ParseCache, ParseMemory, code_digest
from roundup.config import SiteConfig
from roundup.errors import ContentError, OutputError, Problem, RoundupError
from roundup.fingerprints import fingerprint, stable_bytes
from roundup.loader import display_path, load_articles, scan
from roundup.output import Writer, check_folder, read_records, resolved, untouched
from roundup.parallel import forks, map_shards
from roundup.render import Renderer
from roundup.state import StateFolder, check_apart
from roundup.stored import DamagedEntry

log = logging.getLogger(__name__)

LAST_BUILD = "last-build.json"  # in the records folder: inputs, counts and warnings


@dataclass(slots=True)
class Memory:
    """What a process that builds again and again (`roundup serve`) keeps from one build to
    the next: parse results decoded, and the site's items with their fingerprints, so that
    a rebuild after one edit works out again only what the edit touched."""

    parsed: ParseMemory = field(default_factory=ParseMemory)
    page_base: str = ""  # what every page's key starts from, when `items` were made
    items: dict[str, S.Item] = field(default_factory=dict)  # by source
    # Fingerprints by the id of an item in `items`, which keeps those items (and so their
    # ids) alive: no other object can take one of these ids while they are remembered.
    fingerprints: dict[int, Any] = field(default_factory=dict)


# What is being done ("reading", "files"), then how far along: (done, total).
Progress = Callable[[str, str, int, int], None]


@dataclass(slots=True)
class BuildResult:
    """What a build did, for the summary line and for tests."""

    shown: int = 0
    hidden: int = 0  # unpublished (drafts), not counting those below
    future: int = 0  # published, but dated after the build's "now": held back until then
    pages: int = 0
    feeds: int = 0
    files: int = 0
    written: int = 0
    warnings: list[Problem] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)
    release: datetime | None = None  # when the first held item comes out
    due: datetime | None = None  # when the running week's edition ends (the editions feed)

    @property
    def seconds(self) -> float:
        return sum(self.timings.values())


class _Clock:
    def __init__(self, timings: dict[str, float]) -> None:
        self.timings = timings
        self.last = time.perf_counter()

    def lap(self, phase: str) -> None:
        now = time.perf_counter()
        self.timings[phase] = now - self.last
        self.last = now
        if log.isEnabledFor(logging.DEBUG):
            log.debug("%s: %.3f s, peak memory %s", phase, self.timings[phase], _peak_memory())


def build(
    config: SiteConfig,
    preview: bool = False,
    strict: bool = False,
    progress: Progress | None = None,
    memory: Memory | None = None,
    now: datetime | None = None,
    search_index: bool = True,
) -> BuildResult:
    """Build the whole site; on any error the output folder is left exactly as it was.

    A process that builds again and again (`roundup serve`) passes the same `memory` each
    time: what one build worked out is then taken over by the next. `now` (default: the
    clock) is the build's time: items dated after it are held back from the site unless
    `config.future` (see `schedule`). `search_index=False` keeps the search index as it is,
    for `roundup serve`: it shows the edited page at once, then brings the index up to date
    with a build right after.
    """
    now = now or datetime.now(UTC)
    # Loading creates millions of long-lived objects and no garbage cycles: the cyclic
    # collector would only rescan them again and again (2-3x slower at 30,000 articles).
    gc.disable()
    try:
        try:
            return _build(config, preview, strict, progress, memory, now, search_index)
        except DamagedEntry as damaged:
            # Found only when a page read the article's text: nothing was written yet.
            log.warning(
                "parse cache: the entry of %s is damaged (%s); parsing every file again",
                damaged.source,
                damaged.reason,
            )
            shutil.rmtree(StateFolder(config.cache_dir).parsed, ignore_errors=True)
            return _build(
                config, preview, strict, progress, memory and _forget(memory), now, search_index
            )
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
    memory: Memory | None,
    now: datetime,
    search_index: bool,
) -> BuildResult:
    _leftovers.clear()
    result = BuildResult()
    clock = _Clock(result.timings)
    output = config.output_dir
    protected = [config.content_dir, config.templates_dir, Path.cwd()]
    if config.source is not None:
        protected.append(config.source.parent)
    check_folder(output, protected)
    check_apart(config.cache_dir, output)
    if resolved(output).is_relative_to(resolved(config.content_dir)):
        raise OutputError(
            f"refusing to build into {output}: it is inside the content folder, "
            "whose .md and .txt files are all read as articles; choose a folder beside it, "
            "such as output/"
        )
    state = StateFolder(config.cache_dir)
    records = state.records(output)
    found = scan(config.content_dir)
    renderer = Renderer(config, preview, {"nav": _nav(config)})
    inputs = _key(
        code_digest(), _settings(config), preview, renderer.digest(), found.files, search_index
    )
    previous = _unchanged(output, records, inputs, now)
    if previous is not None:
        if strict and previous.warnings:
            raise ContentError(previous.warnings)
        clock.lap("check")
        previous.timings = result.timings
        return previous
    state.ensure()
    stored.compact(len(found.files) > stored.COMPACT_ARTICLES)
    cache = ParseCache(state.parsed, config.timezone, memory=memory and memory.parsed)
    reading = partial(progress, "reading", "files") if progress else None
    loaded = load_articles(config, cache, found, reading, now)  # saves the cache, whatever
    shown = [a for a in loaded.articles if a.published or preview]
    prefix = display_path(config.content_dir, Path.cwd()) + "/"
    ids, id_warnings = entryids.assign(shown, config.site_id, prefix)
    result.warnings = _merged(loaded.warnings, id_warnings)
    if strict and result.warnings:
        raise ContentError(result.warnings)
    clock.lap("load")

    templates = TemplateCache(state.templates)
    renderer.env.bytecode_cache = templates
    renderer.check()
    with Writer(output, records, display_path(output, Path.cwd())) as writer:
        page_base = f"{code_digest()}|{renderer.digest()}|{_settings(config)}|{preview}"
        earlier = memory.items if memory and memory.page_base == page_base else None
        site = S.build_site(loaded.articles, config, preview, earlier)
        topic_warnings = [replace(p, path=prefix + p.path) for p in site.warnings]
        if strict and topic_warnings:
            raise ContentError(topic_warnings)
        result.warnings = _merged(result.warnings, topic_warnings)
        # Read before anything is written: what subscribers were last given, if anything.
        changed_ids = published.changed_ids(config, site.items, ids)
        if strict and changed_ids:
            raise ContentError(changed_ids)
        result.shown = len(site.items)
        result.future = len(loaded.held)
        result.hidden = sum(not a.published for a in loaded.articles) - result.future
        result.release = min(loaded.held, default=None)
        assets = renderer.assets()
        renderer.env.globals["assets"] = {a.source.name: a.path for a in assets}
        # The site's objects live until the end: move them out of the collector's sight.
        gc.freeze()
        clock.lap("site")

        same = memory if earlier is not None else None
        result.due = editionfeed.due(site, now)
        memo = _write_all(
            site, ids, renderer, assets, writer, result, progress, page_base, same, now
        )
        clock.lap("render")
        search.publish(site, writer, config.cache_dir, progress, later=not search_index)
        clock.lap("search")
        sizes = {path: record.size for path, record in writer.new.items()}
        too_big = hosting.size_warnings(config, sizes, site.items)
        if strict and too_big:
            raise ContentError(too_big)
        result.warnings.extend(too_big)
        result.files = len(writer.new)
        writer.commit()
    templates.save()
    _save_last_build(records, inputs, result)
    if memory is not None:
        memory.page_base = page_base
        memory.items = {item.article.source: item for item in site.items}
        memory.fingerprints = {id(i): memo[id(i)] for i in site.items if id(i) in memo}
    # Not in the record: once this build's feeds are written the ids are the new ones, and a
    # build with nothing to do must not repeat the warning.
    result.warnings.extend(changed_ids)
    result.written = writer.written
    clock.lap("write")
    _leftovers.extend((found, loaded, site, writer))
    return result


def _peak_memory() -> str:
    """The largest resident size so far of this process and of its finished workers."""
    try:
        import resource
    except ImportError:  # pragma: no cover - not on Unix
        return "unknown"
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
    workers = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss // 1024
    return f"{own} MiB (workers {workers} MiB)"


def _unchanged(output: Path, records: Path, inputs: str, now: datetime) -> BuildResult | None:
    """The last build's result, if it had exactly these inputs, its files are untouched and
    no item it held back has come out since."""
    try:
        last = json.loads((records / LAST_BUILD).read_text("utf-8"))
        recorded = read_records(records)
        if last["inputs"] != inputs or recorded is None or not untouched(output, recorded):
            return None
        release = last.get("release")
        if release is not None and datetime.fromisoformat(release) <= now:
            return None
        due = last.get("due")
        if due is not None and datetime.fromisoformat(due) <= now:
            return None  # a week has ended: its edition joins the editions feed
        return BuildResult(
            warnings=[Problem(*p) for p in last["warnings"]],
            written=0,
            release=None if release is None else datetime.fromisoformat(release),
            **last["counts"],
        )
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _save_last_build(records: Path, inputs: str, result: BuildResult) -> None:
    counts = {
        "shown": result.shown,
        "hidden": result.hidden,
        "future": result.future,
        "pages": result.pages,
        "feeds": result.feeds,
        "files": result.files,
    }
    warnings = [[p.path, p.line, p.field, p.message] for p in result.warnings]
    release = None if result.release is None else result.release.isoformat()
    due = None if result.due is None else result.due.isoformat()
    data = {"inputs": inputs, "counts": counts, "warnings": warnings, "release": release}
    data["due"] = due
    temporary = records / (LAST_BUILD + ".tmp")
    try:
        temporary.write_text(json.dumps(data, ensure_ascii=False, sort_keys=True), "utf-8")
        os.replace(temporary, records / LAST_BUILD)
    except OSError as error:  # only costs the next build its shortcut
        log.warning("could not record the build in %s: %s", records, error.strerror)


def _nav(config: SiteConfig) -> list[tuple[str, str]]:
    nav = [("", "Home"), ("topics/", "Topics"), ("sources/", "Sources"), ("archive/", "Archive")]
    nav.append(("feeds/", "Feeds"))
    return [*nav, ("search/", "Search")] if config.search else nav


Job = tuple[str, str, Callable[[], bytes], object]  # path, kind, make bytes, fingerprint source


def _merged(*groups: list[Problem]) -> list[Problem]:
    """Problems of several checks in one list, by file and line as each check orders them."""
    everything = [p for group in groups for p in group]
    return sorted(everything, key=lambda p: (p.path, p.line or 0, p.field))


def _jobs(site: S.Site, ids: dict[str, str], renderer: Renderer, now: datetime) -> list[Job]:
    """Every generated file of the site, in a fixed order, made lazily."""
    jobs: list[Job] = []
    for page in pages.list_pages(site):
        jobs.append((S.output_file(page.path), page.template, partial(renderer.render, page),
                     page.context))  # fmt: skip
    for item in site.items:
        if not item.has_page:
            continue
        # The page itself is made only if it must be rendered.
        context = pages.item_context(item, site.calendar)
        make = partial(_render_item, renderer, item, context)
        jobs.append((S.output_file(item.path), "item.html", make, context))
    for sitemap in sitemaps.plan(pages.sitemap_entries(site), site.config.base_url):
        make = partial(sitemap.render, site.config.base_url)
        jobs.append((sitemap.path, "sitemap", make, (sitemap.entries, sitemap.index)))
    for spec, path, make in _feed_files(site, ids):
        # The ids are part of what a feed shows: one can change with another file (two ids
        # alike), which the items' own fingerprints do not see.
        jobs.append((path, "feed", partial(make, site, spec), (spec.items, spec.ids)))
    if site.calendar.weekly:
        ended = editionfeed.published(site, now)
        make_editions = partial(editionfeed.atom, site, ended)
        jobs.append((editionfeed.PATH, "feed", make_editions, (ended.editions, ended.ends)))
    return jobs


def _render_item(renderer: Renderer, item: S.Item, context: dict) -> bytes:
    return renderer.render(pages.item_page(item, context))


def _write_all(
    site: S.Site,
    ids: dict[str, str],
    renderer: Renderer,
    assets: list,
    writer: Writer,
    result: BuildResult,
    progress: Progress | None,
    page_base: str,
    earlier: Memory | None,
    now: datetime,
) -> dict[int, Any]:
    """Make every file that changed; returns the fingerprints worked out on the way."""
    # Hashed once: each page's key goes on from this state, not from the long text again.
    base = hashlib.blake2b(page_base.encode(), digest_size=16)
    memo: dict[int, Any] = {}
    kept: set[int] = set()  # items taken over from the last build, unchanged
    if earlier is not None:
        memo.update(earlier.fingerprints)
        kept = {id(i) for i in site.items if earlier.items.get(i.article.source) is i}

    def key_of(kind: str, path: str, source: object) -> str:
        h = base.copy()
        h.update(stable_bytes((kind, path, fingerprint(source, memo))))
        return h.hexdigest()

    jobs = _jobs(site, ids, renderer, now)
    # Which files need making is worked out here, in one process: after a small edit that is
    # nearly all the work, and forked workers would spend more on copying the memory they
    # touch than they save. Files no earlier build made get their key where they are made.
    todo: list[tuple[Job, str | None]] = []
    for job in jobs:
        path, kind, _, source = job
        key = None
        if writer.had(path):
            if kind == "item.html" and id(source["item"]) in kept:  # type: ignore[index]
                key = writer.old[path].key  # its page shows nothing else: the same key
            else:
                key = key_of(kind, path, source)
            if writer.is_current(path, key):
                continue
        todo.append((job, key))
    total = len(todo)
    if forks(total):
        stored.read_all(item.article for item in site.items)
        gc.freeze()  # as long-lived as the rest of the site
    # Only now: sorting out the work makes many objects and no cycles, but rendering makes
    # short-lived cycles (Jinja's contexts) for the collector to free.
    gc.enable()

    def work(shard: int, shards: int):
        # Shard 0 runs in this process and records straight into the writer.
        own = writer.for_worker(shard) if shard > 0 else writer
        for index in range(shard, total, shards):
            (path, kind, make, source), key = todo[index]
            if key is None:
                key = key_of(kind, path, source)
            own.add(path, make(), key)
            if progress and shard == 0 and index % 500 < shards:
                progress("rendering", "pages", index, total)
        return own.results() if shard > 0 else None

    try:
        shard_results = map_shards(work, total)
    finally:
        gc.disable()  # what is left makes no cycles, but thousands of records and lists
    for shard_result in shard_results:
        if shard_result is not None:
            writer.merge(*shard_result)
    _leftovers.extend((jobs, todo, memo))
    result.pages = sum(1 for job in jobs if job[1] != "feed")
    result.feeds = len(jobs) - result.pages
    for asset in assets:
        writer.add(asset.path, asset.data)
    writer.add(".nojekyll", b"")
    if site.config.cname:
        writer.add("CNAME", site.config.cname.encode() + b"\n")
    return memo


def _feed_files(
    site: S.Site, ids: dict[str, str]
) -> Iterator[tuple[feeds.FeedSpec, str, Callable]]:
    for spec in feeds.feed_specs(site, ids):
        yield spec, spec.atom_path, feeds.atom
        yield spec, spec.rss_path, feeds.rss
        if spec.topic is None:
            yield spec, "feed.json", feeds.json_feed
    for spec in feeds.source_feed_specs(site, ids):  # Atom only: one more file per source
        yield spec, spec.atom_path, feeds.atom


def _key(*parts: object) -> str:
    return hashlib.blake2b(repr(parts).encode(), digest_size=16).hexdigest()


def _settings(config: SiteConfig) -> str:
    """Every setting that shapes the output (not where the config file happens to be)."""
    fields = config.__dataclass_fields__
    where = ("source", "cache_dir", "warnings")  # where files are kept, not what the site is
    return repr(sorted((name, str(getattr(config, name))) for name in fields if name not in where))
