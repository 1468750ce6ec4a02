"""`roundup check`: validate every article as a build would, and with --links request every URL."""

from __future__ import annotations

import argparse
import math
from dataclasses import replace
from datetime import tzinfo
from pathlib import Path
from typing import TYPE_CHECKING

from roundup.commands.common import (
    add_config_argument,
    add_warnings_argument,
    error,
    load_config,
    print_warnings,
)

if TYPE_CHECKING:
    from roundup.core.config import SiteConfig
    from roundup.read.loader import Loaded

HELP = "check every article (and with --links, every URL) without building anything"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--content", metavar="DIR", help="folder of article files (default content/)"
    )
    add_config_argument(parser)
    parser.add_argument(
        "--links", action="store_true", help="also request every URL; report dead and moved ones"
    )
    parser.add_argument(
        "--strict",
        action="store_true",
        help="fail on warnings too: content warnings, moved links, links not checked",
    )
    parser.add_argument(
        "--duplicates",
        action="store_true",
        help="list links curated more than once, in any editions (normal in a roundup)",
    )
    add_warnings_argument(parser)
    parser.add_argument(
        "--timeout",
        type=_seconds,
        default=10.0,
        metavar="SECONDS",
        help="wait this long for each answer (default 10)",
    )
    parser.add_argument(
        "--no-cache", action="store_true", help="request every URL, even those checked today"
    )
    parser.add_argument(
        "--cache-dir", metavar="DIR", help="roundup's own state (default .roundup-cache/)"
    )


def _seconds(text: str) -> float:
    """A wait in seconds: a number above zero and at most an hour (not nan, not inf)."""
    try:
        seconds = float(text)
    except ValueError:
        seconds = math.nan
    if not 0 < seconds <= 3600:  # False for nan too
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a number of seconds (0 < SECONDS <= 3600)"
        )
    return seconds


def run(args: argparse.Namespace) -> int:
    from roundup.core.errors import ContentError
    from roundup.read.loader import display_path
    from roundup.site import entryids
    from roundup.site.structure import topic_warnings

    config = load_config(args, content_dir=args.content, cache_dir=args.cache_dir)
    loaded = _load(config)
    prefix = display_path(config.content_dir, Path.cwd()) + "/"
    published = [a for a in loaded.articles if a.published]  # what a build shows
    site_warnings = [replace(p, path=prefix + p.path) for p in topic_warnings(published)]
    _, id_warnings = entryids.assign(published, config.site_id, prefix)  # as a build does
    loaded.warnings = sorted(
        loaded.warnings + site_warnings + id_warnings, key=lambda p: (p.path, p.line or 0, p.field)
    )
    if args.strict and loaded.warnings:  # as `roundup build --strict` would fail
        raise ContentError(loaded.warnings)
    print_warnings(loaded.warnings, args.all_warnings)
    articles = len(loaded.articles)
    summary = f"{articles:,} article{'s' * (articles != 1)} valid"
    failed = False
    if args.duplicates:
        folder = display_path(config.content_dir, Path.cwd())
        summary += "; " + _list_repeats(loaded, folder, config.zone)
    if args.links:
        from roundup.state.folder import check_site_cache
        from roundup.web.linkcheck import LinkCache, check_urls, uses_of

        uses = uses_of(loaded.articles)
        if not args.no_cache:
            check_site_cache(config)  # the link cache names drafts' links: never in output/
        cache = LinkCache(None if args.no_cache else config.cache_dir)
        outcomes = check_urls([use.url for use in uses], cache, timeout=args.timeout)
        counts = {"dead": 0, "moved": 0, "unchecked": 0}
        for use in sorted(uses, key=lambda u: (u.source, u.line or 0, u.field)):
            outcome = outcomes[use.url]
            if outcome.kind == "ok":
                continue
            counts[outcome.kind] += 1
            where = f"{prefix}{use.source}:{use.line}" if use.line else f"{prefix}{use.source}"
            if outcome.kind == "dead":
                error(f"{where}: {use.field}: {outcome.reason}")
            elif outcome.kind == "moved":
                error(f"warning: {where}: {use.field}: {outcome.reason} to {outcome.location}")
            else:
                error(f"warning: {where}: {use.field}: not checked: {outcome.reason}")
        urls = len(outcomes)
        cached = sum(1 for outcome in outcomes.values() if outcome.cached)
        words = {"dead": "dead", "moved": "moved", "unchecked": "not checked"}
        found = ", ".join(f"{n} {words[kind]}" for kind, n in counts.items() if n) or "all live"
        summary += f"; {urls} link{'s' * (urls != 1)} checked ({cached} from the last day): {found}"
        failed = failed or counts["dead"] > 0
        failed = failed or (args.strict and (counts["moved"] + counts["unchecked"]) > 0)
    print(f"roundup: {summary}")
    return 1 if failed else 0


def _list_repeats(loaded: Loaded, folder: str, zone: tzinfo) -> str:
    """Print each link curated more than once, with its files and days (in the site's time
    zone, as its editions go); say how many."""
    from roundup.core.links import strip_tracking
    from roundup.read.collection import repeated_links

    groups = repeated_links(loaded.articles)
    for group in groups:
        print(strip_tracking(group[0].url))  # the link the copies share, not one's utm_source
        for article in group:
            day = article.published_at.astimezone(zone).date().isoformat()
            line = article.lines.get("originalUrl") or article.lines.get("webUrl")
            where = f"{folder}/{article.source}" + (f":{line}" if line else "")
            print(f"  {day}  {where}")
    count = len(groups)
    return f"{count:,} link{'s' * (count != 1)} curated more than once"


def _load(config: SiteConfig) -> Loaded:
    """Every article, read and validated by the build's own loader (drafts too, whole), with
    the build's parse cache read but never written: check changes nothing anywhere."""
    from roundup.read.cache import ParseCache
    from roundup.read.loader import load_articles, scan
    from roundup.state.folder import StateFolder

    found = scan(config.content_dir)
    cache = ParseCache(StateFolder(config.cache_dir).parsed, config.timezone, read_only=True)
    return load_articles(config, cache, found)
