"""What several commands share: reading the config with their flags, printing problems."""

from __future__ import annotations

import argparse
import dataclasses
import logging
import re
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any, TextIO

from roundup.core import config as config_module
from roundup.core.config import SiteConfig
from roundup.core.errors import ConfigError, Problem, RoundupError

# In the cache folder: a preview never lands in the folder that gets deployed.
PREVIEW_FOLDER = "preview"
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def add_config_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--config",
        metavar="FILE",
        help="config file (default ./roundup.toml, else [tool.roundup] of ./pyproject.toml)",
    )


def load_config(args: argparse.Namespace, **overrides: Any) -> SiteConfig:
    """The site's config from `--config` (or the default file) with these flag values over it.

    Folder flags are taken relative to where the user runs roundup, as they typed them.
    """
    config = _read_config(args, overrides)
    if config.warnings and getattr(args, "strict", False):
        raise ConfigError(list(config.warnings))
    for warning in config.warnings:
        error(f"warning: {warning}")
    return config


def _read_config(args: argparse.Namespace, overrides: dict[str, Any]) -> SiteConfig:
    try:
        cwd = Path.cwd()
    except FileNotFoundError:
        raise RoundupError("the current folder no longer exists; cd to the site's folder") from None
    for key in ("content_dir", "output_dir", "cache_dir", "templates_dir"):
        if overrides.get(key) is not None:
            overrides[key] = str(cwd / overrides[key])
    given = getattr(args, "config", None)
    if given == "":  # an unset variable in a script ("--config $CONF"): not the default file
        raise ConfigError(["--config: empty; name the config file, or leave the option out"])
    config_file = Path(given) if given else None
    return config_module.load(config_file, overrides, cwd)


def check_content_to_write(config: SiteConfig, command: str) -> None:
    """Refuse a content folder that `new` or `import` cannot write into: a file, or a folder
    missing where there is no site (run from inside content/, say), where a new content/
    would be no site's and its copies of links already curated would clash with them."""
    from roundup.read.loader import display_path  # the reader: not for every command's start

    where = display_path(config.content_dir, Path.cwd())
    if config.content_dir.exists() and not config.content_dir.is_dir():
        raise RoundupError(f"{where}: is not a folder; the content folder holds one file per link")
    if config.source is None and not config.content_dir.is_dir():
        raise RoundupError(
            f"{where}: content folder not found; run roundup {command} from the site's folder "
            "(the one with content/ and pyproject.toml or roundup.toml), or start a site with "
            "roundup init"
        )


def for_preview(args: argparse.Namespace, config: SiteConfig) -> SiteConfig:
    """The config to build with: a preview (`--preview`) goes into the cache folder, never
    into the folder that gets deployed (unless `--output` names another folder)."""
    if not args.preview:
        return config
    if args.output is None:
        folder = config.cache_dir / PREVIEW_FOLDER
        # Its own state folder too: the public build's records stay the public build's.
        return dataclasses.replace(config, output_dir=folder / "site", cache_dir=folder / "state")
    from roundup.read.loader import display_path

    deployed = _read_config(args, {}).output_dir.resolve()  # as without --output
    preview = config.output_dir.resolve()
    shown = display_path(deployed, Path.cwd())
    # Inside it, the preview is deployed with it (a public build leaves what it did not
    # make); around it, the preview's files would take the place of the public ones.
    if preview == deployed:
        where = ""
    elif preview.is_relative_to(deployed):
        where = f" inside {shown},"
    elif deployed.is_relative_to(preview):
        where = f" which holds {shown},"
    else:
        from roundup.build.result import refuse_public_folder
        from roundup.state.folder import StateFolder

        refuse_public_folder(preview, StateFolder(config.cache_dir).records(preview))
        return config
    raise RoundupError(
        f"refusing to build a preview into {args.output},{where} the folder that gets deployed; "
        "leave out --output (previews go into the cache folder) or name another folder"
    )


def printable(line: str) -> str:
    """The line with control characters shown as escapes: file names and values come from
    content, and an escape sequence in them must not drive the terminal."""
    return _CONTROL.sub(lambda m: repr(m.group())[1:-1], line)


class StatusLine:
    """The progress line of a terminal: one line rewritten in place, cleared before any other
    output, so that no message starts in the middle of it."""

    def __init__(self) -> None:
        self.shown = False

    def show(self, text: str) -> None:
        print(f"\r\033[K{text}", end="", file=sys.stderr, flush=True)
        self.shown = True

    def clear(self) -> None:
        if self.shown:
            print("\r\033[K", end="", file=sys.stderr, flush=True)
            self.shown = False


status = StatusLine()


class LogHandler(logging.StreamHandler[TextIO]):
    """Log records on stderr, each after clearing the progress line."""

    def emit(self, record: logging.LogRecord) -> None:
        status.clear()
        super().emit(record)


def error(line: str) -> None:
    """Print a line to stderr, made printable, at the start of a line."""
    status.clear()
    print(printable(line), file=sys.stderr)


SHOWN_PER_KIND = 5  # warnings of one kind listed before the rest are only counted
# What differs between warnings of one kind: quoted values, paths, numbers.
_PARTICULARS = re.compile(r"'[^']*'|\"[^\"]*\"|\S+/\S+|\d[\d,.]*")
_INDEX = re.compile(r"\[\d+\]")


def add_warnings_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--all-warnings",
        action="store_true",
        help=f"list every warning (by default {SHOWN_PER_KIND} of each kind, then a count)",
    )


def warning_kind(problem: Problem) -> tuple[str, str]:
    """Warnings of one kind say the same about different files and values (and different
    entries of a list: `topics[0]` and `topics[49]` are one field)."""
    return _INDEX.sub("[]", problem.field), _PARTICULARS.sub("…", problem.message)


def print_warnings(warnings: Sequence[Problem], everything: bool = False) -> None:
    """Each warning on its own line; of a kind seen many times, the first few and a count,
    so that the one warning that matters is not lost among thousands alike."""
    if everything:
        for problem in warnings:
            error(f"warning: {problem}")
        return
    kinds: dict[tuple[str, str], list[Problem]] = {}
    for problem in warnings:
        kinds.setdefault(warning_kind(problem), []).append(problem)
    for problems in kinds.values():
        for problem in problems[:SHOWN_PER_KIND]:
            error(f"warning: {problem}")
        hidden = len(problems) - SHOWN_PER_KIND
        if hidden > 0:
            error(f"warning: and {hidden:,} more like this (--all-warnings lists them)")
