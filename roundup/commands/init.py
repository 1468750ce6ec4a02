"""`roundup init [DIR]`: start a new site in its own folder, ready to build and to publish."""

from __future__ import annotations

import argparse
from pathlib import Path

from roundup.commands.common import error

HELP = "start a new site: settings, an example link, a GitHub Pages workflow"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "folder", nargs="?", default=".", metavar="DIR", help="where (default: this folder)"
    )
    parser.add_argument("--title", metavar="T", help="the site's name (default: the folder's)")
    parser.add_argument("--base-url", metavar="URL", help="the URL the site will be served from")
    parser.add_argument(
        "--force",
        action="store_true",
        help="use a folder that is not empty: add the missing files, overwrite nothing",
    )


def run(args: argparse.Namespace) -> int:
    from roundup.authoring import scaffold
    from roundup.core.errors import ConfigError
    from roundup.read.loader import display_path

    folder = Path(args.folder)
    title = args.title if args.title is not None else scaffold.default_title(folder)
    base_url = args.base_url or scaffold.DEFAULT_BASE_URL
    try:  # the settings file to be written, read as roundup will read it, before any write
        checked = scaffold.check_settings(title, base_url)
    except ConfigError as failure:
        flags = {"title": "--title", "base_url": "--base-url"}
        problems = [p.removeprefix("pyproject.toml: ") for p in failure.problems]
        for key, flag in flags.items():
            problems = [f"{flag}{p[len(key) :]}" if p.startswith(key) else p for p in problems]
        raise ConfigError(problems) from None
    created = scaffold.create(folder, title, checked.base_url, force=args.force)
    cwd = Path.cwd()
    for path in created.kept:
        error(f"roundup: kept {display_path(path, cwd)} as it was")
    for path in created.written:
        print(f"roundup: wrote {display_path(path, cwd)}")
    for path, what in created.added:
        print(f"roundup: added {what} to {display_path(path, cwd)}")
    where = display_path(folder, cwd)
    if not created.written and not created.added:
        print(f"roundup: {where}/ has every file of a site already; nothing was written")
        return 0
    step = "" if where == "." else f"cd {where} && "
    print(f"roundup: a new site in {where}/; next: {step}roundup build && roundup serve")
    return 0
