"""The files a build makes: each with its path, its kind, how to make it, and what it shows."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime
from functools import partial

from roundup.core.weeks import EditionCalendar
from roundup.render import editionfeed, feeds, jsonfeed, sitemaps
from roundup.render.templating import Asset, Renderer
from roundup.site import pages
from roundup.site import structure as S

Job = tuple[str, str, Callable[[], bytes], object]  # path, kind, make bytes, fingerprint source
# An item's page stands for its job as the item itself until the job is needed (see `job_of`):
# at 100,000 articles, a path, a maker and a tuple for every item held 40 MB through the build.
Planned = Job | S.Item


def plan(site: S.Site, ids: dict[str, str], renderer: Renderer, now: datetime) -> list[Planned]:
    """Every generated file of the site, in a fixed order, made lazily."""
    jobs: list[Planned] = []
    for page in sorted(pages.list_pages(site), key=pages.newest_day_first):
        jobs.append((S.output_file(page.path), page.template, partial(renderer.render, page),
                     page.context))  # fmt: skip
    jobs.extend(item for item in site.items if item.has_page)
    for sitemap in sitemaps.plan(pages.sitemap_entries(site), site.config.base_url):
        make = partial(sitemap.render, site.config.base_url)
        jobs.append((sitemap.path, "sitemap", make, sitemap.shown()))
    for spec, path, make_feed in _feed_files(site, ids):
        # The ids are part of what a feed shows: one can change with another file (two ids
        # alike), which the items' own fingerprints do not see.
        jobs.append((path, "feed", partial(make_feed, site, spec), (spec.items, spec.ids)))
    if site.calendar.weekly:
        ended = editionfeed.published(site, now)
        make_editions = partial(editionfeed.atom, site, ended)
        jobs.append((editionfeed.PATH, "feed", make_editions, (ended.editions, ended.ends)))
    return jobs


def path_of(planned: Planned) -> str:
    return S.output_file(planned.path) if isinstance(planned, S.Item) else planned[0]


def shown_by(planned: Planned, calendar: EditionCalendar) -> tuple[str, object]:
    """A file's kind and what it shows (its fingerprint's source), without making its job:
    what telling whether it is current needs, for every file after each edit. An item page's
    context stands for it as a tuple of its values (fingerprinted without sorting keys), and
    is made again for rendering rather than kept."""
    if not isinstance(planned, S.Item):
        return planned[1], planned[3]
    context = pages.item_context(planned, calendar)
    return "item.html", (planned, context["edition_path"], context["edition_name"])


def job_of(planned: Planned, renderer: Renderer, calendar: EditionCalendar) -> Job:
    """The job itself, for a file that is made."""
    if not isinstance(planned, S.Item):
        return planned
    kind, shown = shown_by(planned, calendar)
    make = partial(_render_item, renderer, planned, calendar)
    return S.output_file(planned.path), kind, make, shown


def site_files(site: S.Site, assets: list[Asset]) -> list[tuple[str, bytes]]:
    """The files beside the pages and feeds: the theme's static files, .nojekyll, CNAME."""
    files = [(asset.path, asset.data) for asset in assets]
    files.append((".nojekyll", b""))
    if site.config.cname:
        files.append(("CNAME", site.config.cname.encode() + b"\n"))
    return files


def is_feed(planned: Planned) -> bool:
    return not isinstance(planned, S.Item) and planned[1] == "feed"


def _render_item(renderer: Renderer, item: S.Item, calendar: EditionCalendar) -> bytes:
    return renderer.render(pages.item_page(item, pages.item_context(item, calendar)))


def _feed_files(
    site: S.Site, ids: dict[str, str]
) -> Iterator[tuple[feeds.FeedSpec, str, Callable[[S.Site, feeds.FeedSpec], bytes]]]:
    for spec in feeds.feed_specs(site, ids):
        yield spec, spec.atom_path, feeds.atom
        yield spec, spec.rss_path, feeds.rss
        if spec.topic is None:
            yield spec, "feed.json", jsonfeed.json_feed
    for spec in feeds.source_feed_specs(site, ids):  # Atom only: one more file per source
        yield spec, spec.atom_path, feeds.atom
