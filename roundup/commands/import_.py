"""`roundup import SOURCE...`: bookmarks, Pinboard, feeds and CSV exports into article files."""

from __future__ import annotations

import argparse
from datetime import UTC
from pathlib import Path
from typing import TYPE_CHECKING

from roundup.commands.common import (
    add_config_argument,
    check_content_to_write,
    error,
    load_config,
)

if TYPE_CHECKING:
    from roundup.importers.plan import Plan

HELP = "bring links in from bookmark exports, Pinboard, RSS/Atom/JSON feeds or CSV"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "sources",
        nargs="+",
        metavar="SOURCE",
        help="an export file, - for standard input, or the http(s) URL of a feed",
    )
    parser.add_argument("--content", metavar="DIR", help="folder to write into (default content/)")
    parser.add_argument(
        "--topic",
        action="append",
        default=[],
        metavar="NAME",
        help="a topic for every imported link (repeat for several)",
    )
    parser.add_argument(
        "--folders-as-topics",
        action="store_true",
        help="a bookmark's folders become its topics too (not the browser's own top folders)",
    )
    parser.add_argument(
        "--draft", action="store_true", help="write every link unpublished (published: false)"
    )
    parser.add_argument(
        "--since",
        metavar="DATE",
        type=_date_text,
        help="only links dated on or after DATE (2024-01-31, or a time with its offset)",
    )
    parser.add_argument(
        "--dry-run", action="store_true", help="list the files it would write; write nothing"
    )
    add_config_argument(parser)
    talk = parser.add_mutually_exclusive_group()  # one or the other
    talk.add_argument("-q", "--quiet", action="store_true", help="print problems only")
    talk.add_argument("-v", "--verbose", action="store_true", help="list every file written")


def _date_text(text: str) -> str:
    from roundup.read import schema

    try:
        schema.parse_datetime(text, UTC)
    except ValueError as problem:
        raise argparse.ArgumentTypeError(str(problem)) from None
    return text


def run(args: argparse.Namespace) -> int:
    # Imported here: the readers' libraries (lxml, feedparser) are for this command only.
    from roundup.authoring import articlefile
    from roundup.authoring.curated import curated, unknown_links_warnings
    from roundup.importers.plan import Options, Plan, free_names
    from roundup.importers.sources import FORMATS, SourceError, load, read
    from roundup.read import schema
    from roundup.read.loader import display_path

    config = load_config(args, content_dir=args.content)
    check_content_to_write(config, "import")
    zone = config.zone
    cwd = Path.cwd()
    since = schema.parse_datetime(args.since, zone) if args.since else None
    readings = []
    failures = []
    for spec in args.sources:  # every source read before anything is written
        try:
            readings.append((spec, read(load(spec, cwd), zone)))
        except SourceError as failure:
            failures.append(str(failure))
    if failures:
        for line in failures:
            error(line)
        count = len(failures)
        error(f"roundup: {count} source{'s' * (count != 1)} could not be read; nothing was written")
        return 1
    folder = config.content_dir
    links, slugs, unreadable = curated(folder) if folder.is_dir() else ({}, set(), [])
    for line in unknown_links_warnings(display_path(folder, Path.cwd()), unreadable):
        error(line)
    options = Options(tuple(args.topic), args.draft, since, args.folders_as_topics)
    plan = Plan(options, set(links), zone)
    for spec, reading in readings:
        plan.add(spec, reading)
        if not args.quiet:
            entries = len(reading.entries)
            noun = "entry" if entries == 1 else "entries"
            print(f"roundup: {spec}: {FORMATS[reading.format]}, {entries:,} {noun}")
    for line in plan.notices:
        error(line)
    articles = [planned.article for planned in plan.articles]
    if args.dry_run:
        for path in free_names(folder, articles, zone, slugs):
            print(f"would write {display_path(path, cwd)}")
    else:
        for article in articles:
            path = articlefile.write(folder, article, zone, slugs)
            if args.verbose:
                print(display_path(path, cwd))
    if not args.quiet:
        print(_summary(plan, len(articles), args))
    return 0


def _summary(plan: Plan, imported: int, args: argparse.Namespace) -> str:
    present, skipped, older = plan.present, plan.skipped, plan.older
    verb = "would import" if args.dry_run else "imported"
    line = f"roundup: {verb} {imported:,}, already present {present:,}, skipped {skipped:,}"
    if plan.repeated:
        line += f"; {plan.repeated:,} repeated in the import, merged"
    if args.since:
        line += f"; {older:,} dated before {args.since} left out"
    if args.dry_run:
        line += "; nothing written (--dry-run)"
    elif imported == 0 and present:
        line += "; nothing new"
    return line
