"""The build pipeline: config → articles → site → pages and feeds → output folder."""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from roundup import feeds, pages
from roundup import site as S
from roundup.config import SiteConfig
from roundup.errors import ContentError, Problem
from roundup.loader import load_articles
from roundup.output import Writer, check_folder
from roundup.render import Renderer

log = logging.getLogger(__name__)

Progress = Callable[[int, int], None]


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
        log.debug("%s: %.3f s", phase, self.timings[phase])


def build(
    config: SiteConfig,
    preview: bool = False,
    strict: bool = False,
    progress: Progress | None = None,
) -> BuildResult:
    """Build the whole site; on any error the output folder is left exactly as it was."""
    result = BuildResult()
    clock = _Clock(result.timings)
    loaded = load_articles(config)
    result.warnings = loaded.warnings
    if strict and loaded.warnings:
        raise ContentError(loaded.warnings)
    clock.lap("load")

    site = S.build_site(loaded.articles, config, preview)
    result.shown = len(site.items)
    result.hidden = sum(not a.published for a in loaded.articles)
    renderer = Renderer(config, preview, {"site": site, "nav": _nav()})
    renderer.check()
    assets = renderer.assets()
    renderer.env.globals["assets"] = {a.source.name: a.path for a in assets}
    clock.lap("site")

    protected = [config.content_dir, config.templates_dir, Path.cwd()]
    if config.source is not None:
        protected.append(config.source.parent)
    check_folder(config.output_dir, protected)
    writer = Writer(config.output_dir)
    try:
        writer.start()
        _write_all(site, renderer, assets, writer, result, progress)
        clock.lap("render")
        writer.commit()
    except BaseException:
        writer.abort()
        raise
    result.files = len(writer.new)
    result.written = writer.written
    clock.lap("write")
    return result


def _nav() -> list[tuple[str, str]]:
    return [("", "Home"), ("topics/", "Topics"), ("archive/", "Archive"), ("feeds/", "Feeds")]


def _write_all(
    site: S.Site,
    renderer: Renderer,
    assets: list,
    writer: Writer,
    result: BuildResult,
    progress: Progress | None,
) -> None:
    config = site.config
    settings = repr(sorted((k, str(v)) for k, v in vars_of(config).items() if k != "source"))
    global_key = f"{renderer.digest()}|{settings}|{site.preview}"
    memo: dict = {}
    all_pages = list(pages.all_pages(site))
    total = len(all_pages)
    for index, page in enumerate(all_pages, 1):
        path = S.output_file(page.path)
        key = _key(global_key, page.template, path, pages.fingerprint(page.context, memo))
        if not writer.is_current(path, key):
            writer.add(path, renderer.render(page), key)
        if progress and index % 500 == 0:
            progress(index, total)
    result.pages = total
    for spec, path, make in _feed_files(site):
        key = _key(global_key, "feed", path, pages.fingerprint(spec.items, memo))
        if not writer.is_current(path, key):
            writer.add(path, make(site, spec), key)
        result.feeds += 1
    for asset in assets:
        writer.add(asset.path, asset.data)
    writer.add(".nojekyll", b"")
    if config.cname:
        writer.add("CNAME", config.cname.encode() + b"\n")


def _feed_files(site: S.Site) -> Iterator[tuple[feeds.FeedSpec, str, Callable]]:
    for spec in feeds.feed_specs(site):
        yield spec, spec.atom_path, feeds.atom
        yield spec, spec.rss_path, feeds.rss
        if spec.topic is None:
            yield spec, "feed.json", feeds.json_feed


def _key(*parts: object) -> str:
    return hashlib.blake2b(repr(parts).encode(), digest_size=16).hexdigest()


def vars_of(config: SiteConfig) -> dict[str, object]:
    return {name: getattr(config, name) for name in config.__dataclass_fields__}
