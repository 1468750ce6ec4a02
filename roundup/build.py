"""The build pipeline: config → articles → site → pages and feeds → output folder."""

from __future__ import annotations

import gc
import hashlib
import json
import logging
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

from roundup import feeds, pages, search, stored
from roundup import site as S
from roundup.bytecode import BYTECODE_FILE, TemplateCache
from roundup.cache import ParseCache, code_digest
from roundup.config import SiteConfig
from roundup.errors import ContentError, Problem
from roundup.fingerprints import fingerprint, stable_bytes
from roundup.loader import load_articles, scan
from roundup.output import MANIFEST, STATE_DIR, Writer, check_folder
from roundup.parallel import forks, map_shards
from roundup.render import Renderer

log = logging.getLogger(__name__)

LAST_BUILD = "last-build.json"  # inputs, counts and warnings of the last successful build

# What is being done ("reading", "files"), then how far along: (done, total).
Progress = Callable[[str, str, int, int], None]


@dataclass(slots=True)
class BuildResult:
    """What a build did, for the summary line and for tests."""

    shown: int = 0
    hidden: int = 0
    pages: int = 0
    feeds: int = 0
    files: int = 0
    written: int = 0
    warnings: list[Problem] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)

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
    search_index: bool = True,
) -> BuildResult:
    """Build the whole site; on any error the output folder is left exactly as it was.

    `search_index=False` keeps the search index as it is, for `roundup serve`: it shows the
    edited page at once, then brings the index up to date with a build right after.
    """
    # Loading creates millions of long-lived objects and no garbage cycles: the cyclic
    # collector would only rescan them again and again (2-3x slower at 30,000 articles).
    gc.disable()
    try:
        return _build(config, preview, strict, progress, search_index)
    finally:
        gc.unfreeze()  # what the build froze is collectable again, for a process that goes on
        gc.enable()


# What the last build made and no longer needs, left for the process to drop: freeing it object
# by object costs 0.2 s at 30,000 articles, which the command skips by exiting right after
# (see `cli.run`). The next build in the same process lets go of it.
_leftovers: list[object] = []


def _build(
    config: SiteConfig, preview: bool, strict: bool, progress: Progress | None, search_index: bool
) -> BuildResult:
    _leftovers.clear()
    result = BuildResult()
    clock = _Clock(result.timings)
    protected = [config.content_dir, config.templates_dir, Path.cwd()]
    if config.source is not None:
        protected.append(config.source.parent)
    check_folder(config.output_dir, protected)
    owned = (config.output_dir / STATE_DIR / MANIFEST).is_file()
    found = scan(config.content_dir)
    renderer = Renderer(config, preview, {"nav": _nav(config)})
    inputs = _key(
        code_digest(), _settings(config), preview, renderer.digest(), found.files, search_index
    )
    if owned:
        previous = _unchanged(config.output_dir, inputs)
        if previous is not None:
            if strict and previous.warnings:
                raise ContentError(previous.warnings)
            clock.lap("check")
            previous.timings = result.timings
            return previous
    cache = ParseCache(config.output_dir / STATE_DIR if owned else None, config.timezone)
    reading = partial(progress, "reading", "files") if progress else None
    loaded = load_articles(config, cache, preview, found, reading)
    result.warnings = loaded.warnings
    if strict and loaded.warnings:
        raise ContentError(loaded.warnings)
    clock.lap("load")

    templates = TemplateCache(config.output_dir / STATE_DIR if owned else None)
    renderer.env.bytecode_cache = templates
    renderer.check()
    writer = Writer(config.output_dir)
    try:
        writer.start()
        if cache.changed():
            # Written now, so the cached results' bytes are not held through rendering.
            writer.state_files.update(cache.save(writer.staging))
        cache.close()
        if templates.changed():
            writer.state_files[BYTECODE_FILE] = templates.data()
        site = S.build_site(loaded.articles, config, preview)
        result.shown = len(site.items)
        result.hidden = sum(not a.published for a in loaded.articles)
        assets = renderer.assets()
        renderer.env.globals["assets"] = {a.source.name: a.path for a in assets}
        # The site's objects live until the end: move them out of the collector's sight.
        gc.freeze()
        clock.lap("site")

        _write_all(site, renderer, assets, writer, result, progress)
        clock.lap("render")
        search.publish(site, writer, config.cache_dir, progress, later=not search_index)
        clock.lap("search")
        result.files = len(writer.new)
        writer.state_files[LAST_BUILD] = _last_build(inputs, result)
        writer.commit()
    except BaseException:
        writer.abort()
        raise
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


def _unchanged(output: Path, inputs: str) -> BuildResult | None:
    """The last build's result, if it had exactly these inputs and its files are untouched."""
    try:
        last = json.loads((output / STATE_DIR / LAST_BUILD).read_text("utf-8"))
        if last["inputs"] != inputs or not Writer(output).untouched():
            return None
        return BuildResult(
            warnings=[Problem(*p) for p in last["warnings"]], written=0, **last["counts"]
        )
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _last_build(inputs: str, result: BuildResult) -> bytes:
    counts = {
        "shown": result.shown,
        "hidden": result.hidden,
        "pages": result.pages,
        "feeds": result.feeds,
        "files": result.files,
    }
    warnings = [[p.path, p.line, p.field, p.message] for p in result.warnings]
    data = {"inputs": inputs, "counts": counts, "warnings": warnings}
    return json.dumps(data, ensure_ascii=False, sort_keys=True).encode("utf-8")


def _nav(config: SiteConfig) -> list[tuple[str, str]]:
    nav = [("", "Home"), ("topics/", "Topics"), ("archive/", "Archive"), ("feeds/", "Feeds")]
    return [*nav, ("search/", "Search")] if config.search else nav


Job = tuple[str, str, Callable[[], bytes], object]  # path, kind, make bytes, fingerprint source


def _jobs(site: S.Site, renderer: Renderer) -> list[Job]:
    """Every generated file of the site, in a fixed order, made lazily."""
    jobs: list[Job] = []
    for page in pages.list_pages(site):
        jobs.append((S.output_file(page.path), page.template, partial(renderer.render, page),
                     page.context))  # fmt: skip
    for item in site.items:
        # The page itself is made only if it must be rendered: its title and summary are
        # text that cached articles read only when asked (see `stored.LazyArticle`).
        context = pages.item_context(item)
        make = partial(_render_item, renderer, item, context)
        jobs.append((S.output_file(item.path), "item.html", make, context))
    for spec, path, make in _feed_files(site):
        jobs.append((path, "feed", partial(make, site, spec), spec.items))
    return jobs


def _render_item(renderer: Renderer, item: S.Item, context: dict) -> bytes:
    return renderer.render(pages.item_page(item, context))


def _write_all(
    site: S.Site,
    renderer: Renderer,
    assets: list,
    writer: Writer,
    result: BuildResult,
    progress: Progress | None,
) -> None:
    global_key = f"{code_digest()}|{renderer.digest()}|{_settings(site.config)}|{site.preview}"
    # Hashed once: each page's key goes on from this state, not from the long text again.
    base = hashlib.blake2b(global_key.encode(), digest_size=16)
    memo: dict = {}

    def key_of(kind: str, path: str, source: object) -> str:
        h = base.copy()
        h.update(stable_bytes((kind, path, fingerprint(source, memo))))
        return h.hexdigest()

    jobs = _jobs(site, renderer)
    # Which files need making is worked out here, in one process: after a small edit that is
    # nearly all the work, and forked workers would spend more on copying the memory they
    # touch than they save. Files no earlier build made get their key where they are made.
    todo: list[tuple[Job, str | None]] = []
    for job in jobs:
        path, kind, _, source = job
        key = None
        if writer.had(path):
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


def _feed_files(site: S.Site) -> Iterator[tuple[feeds.FeedSpec, str, Callable]]:
    for spec in feeds.feed_specs(site):
        yield spec, spec.atom_path, feeds.atom
        yield spec, spec.rss_path, feeds.rss
        if spec.topic is None:
            yield spec, "feed.json", feeds.json_feed


def _key(*parts: object) -> str:
    return hashlib.blake2b(repr(parts).encode(), digest_size=16).hexdigest()


def _settings(config: SiteConfig) -> str:
    """Every setting that shapes the output (not where the config file happens to be)."""
    fields = config.__dataclass_fields__
    where = ("source", "cache_dir")  # where files are kept, not what the site is
    return repr(sorted((name, str(getattr(config, name))) for name in fields if name not in where))
