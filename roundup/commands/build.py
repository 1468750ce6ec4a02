"""`roundup build`: build the site into the output folder and print the summary line."""

from __future__ import annotations

import argparse
import os
import sys
from datetime import UTC
from pathlib import Path
from typing import TYPE_CHECKING

from roundup.commands.common import (
    add_config_argument,
    add_warnings_argument,
    for_preview,
    load_config,
    print_warnings,
    status,
)
from roundup.core.text import plural

if TYPE_CHECKING:
    from roundup.build.result import BuildResult

HELP = "build the site into the output folder"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--content", metavar="DIR", help="folder of article files (default content/)"
    )
    parser.add_argument(
        "--output",
        metavar="DIR",
        help="folder to build into (default output/; with --preview a folder in the cache)",
    )
    parser.add_argument(
        "--cache-dir", metavar="DIR", help="roundup's own state (default .roundup-cache/)"
    )
    parser.add_argument("--base-url", metavar="URL", help="absolute URL the site is served from")
    add_config_argument(parser)
    parser.add_argument("--preview", action="store_true", help="include unpublished items, marked")
    parser.add_argument(
        "--future", action="store_true", default=None, help="publish items dated in the future"
    )
    parser.add_argument("--strict", action="store_true", help="treat warnings as errors")
    add_warnings_argument(parser)
    parser.add_argument(
        "--no-search",
        dest="search",
        action="store_false",
        default=None,
        help="make no search page or index (as search = false in the config)",
    )
    # One or the other: together, the timings were printed and the summary line left out.
    talk = parser.add_mutually_exclusive_group()
    talk.add_argument(
        "-q", "--quiet", action="store_true", help="print problems only (errors and warnings)"
    )
    talk.add_argument("-v", "--verbose", action="store_true", help="print timings per phase")


def run(args: argparse.Namespace) -> int:
    # Imported here: the pipeline's libraries are not needed to parse any command's options.
    from roundup.build.pipeline import build
    from roundup.read.loader import display_path
    from roundup.read.schedule import build_time

    config = load_config(
        args,
        content_dir=args.content,
        output_dir=args.output,
        cache_dir=args.cache_dir,
        base_url=args.base_url,
        future=args.future,
        search=args.search,
    )
    config = for_preview(args, config)
    now = build_time()
    progress = _progress if sys.stderr.isatty() and not os.environ.get("CI") else None
    result = build(config, preview=args.preview, strict=args.strict, progress=progress, now=now)
    status.clear()
    print_warnings(result.warnings, args.all_warnings)
    if not args.quiet:
        print(summary(result, display_path(config.output_dir, Path.cwd()), args.preview))
    return 0


def _progress(doing: str, unit: str, done: int, total: int) -> None:
    status.show(f"roundup: {doing} {done}/{total} {unit}")


def summary(result: BuildResult, output: str, preview: bool) -> str:
    """The line every build ends with: what was shown, skipped, made and written."""
    hidden = (
        f"{result.hidden:,} unpublished included (preview)"
        if preview
        else f"{result.hidden:,} unpublished skipped"
    )
    if result.future and result.release is not None:
        when = result.release.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")
        hidden += f", {result.future:,} scheduled " + (
            "included (preview)" if preview else f"held back (the next on {when})"
        )
    return (
        f"roundup: {plural(result.shown, 'item')} shown, {hidden}; "
        f"{plural(result.pages, 'page')}, {plural(result.feeds, 'feed')}; "
        f"{written(result)} to {output}/ in {result.seconds:.2f} s"
    )


def written(result: BuildResult) -> str:
    """ "3 of 30,403 files written": how many files of the site this build wrote."""
    return f"{result.written:,} of {plural(result.files, 'file')} written"
