"""`roundup ping`: tell the site's WebSub hub which feeds changed since the last ping."""

from __future__ import annotations

import argparse
from collections.abc import Sized
from pathlib import Path

from roundup.commands.common import add_config_argument, error, load_config
from roundup.core.errors import ConfigError

HELP = "tell the WebSub hub (websub_hub) which feeds changed since the last ping"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--output", metavar="DIR", help="the built site (default output/)")
    parser.add_argument(
        "--cache-dir", metavar="DIR", help="where the record of pings is (default .roundup-cache/)"
    )
    add_config_argument(parser)
    parser.add_argument("--all", action="store_true", help="ping every feed, changed or not")
    parser.add_argument(
        "--dry-run", action="store_true", help="list the feeds to ping; send nothing"
    )
    parser.add_argument("-q", "--quiet", action="store_true", help="print errors only")


def run(args: argparse.Namespace) -> int:
    from roundup.read.loader import display_path
    from roundup.state.folder import check_site_cache
    from roundup.web import websub

    config = load_config(args, output_dir=args.output, cache_dir=args.cache_dir)
    hub = config.websub_hub
    where = config.source.name if config.source else "the config"
    if not hub:
        raise ConfigError([f"{where}: websub_hub: not set, so there is no hub to ping"])
    output = display_path(config.output_dir, Path.cwd())
    if not (config.output_dir / websub.SITE_FEED).is_file():
        raise websub.PingError(f"{output}/{websub.SITE_FEED} not found; build the site first")
    feeds = websub.built_feeds(config.output_dir)
    named = websub.hubs_named(config.output_dir)
    if hub not in named:
        raise websub.PingError(
            f"{output}/feed.xml names {'the hub ' + named[0] if named else 'no hub'}, not "
            f"{hub}: build the site again before pinging"
        )
    check_site_cache(config)  # its record of what the hub took goes there: never in output/
    record = websub.read_record(config.cache_dir, hub)
    todo = feeds if args.all else websub.changed(feeds, record)
    if args.dry_run:
        for feed in todo:
            print(feed.url)
        if not args.quiet:
            print(f"roundup: {_count(todo)} to ping at {hub} (dry run: nothing sent)")
        return 0
    if not todo:
        if not args.quiet:
            print(f"roundup: no feed changed since the last ping; nothing sent to {hub}")
        return 0
    outcome = websub.publish(hub, todo)
    websub.save_record(config.cache_dir, hub, feeds, record, outcome.accepted)
    for url, reason in outcome.failed.items():
        error(f"roundup: {url}: {reason}")
    if outcome.unsent:
        error(f"roundup: {_count(outcome.unsent)} not pinged; run roundup ping again")
    if not args.quiet or outcome.failed:
        unchanged = len(feeds) - len(todo)
        print(
            f"roundup: {hub} accepted {len(outcome.accepted)} of {_count(todo)} "
            f"({unchanged} unchanged since the last ping)"
        )
    return 1 if outcome.failed else 0


def _count(feeds: Sized) -> str:
    return f"{len(feeds)} feed{'s' * (len(feeds) != 1)}"
