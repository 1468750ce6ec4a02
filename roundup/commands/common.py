"""What several commands share: reading the config with their flags, printing problems."""

from __future__ import annotations

import argparse
import logging
import re
import sys
from pathlib import Path
from typing import Any

from roundup import config as config_module
from roundup.config import SiteConfig
from roundup.errors import ConfigError, RoundupError

_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def add_config_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--config",
        metavar="FILE",
        help="config file (default ./roundup.toml, else [tool.roundup] of ./pyproject.toml)",
    )


def port_number(text: str) -> int:
    """An argparse type: a TCP port, 0 (any free one) to 65535; else a usage error."""
    try:
        port = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a port number") from None
    if not 0 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"{port} is not a port number from 0 to 65535")
    return port


def load_config(args: argparse.Namespace, **overrides: Any) -> SiteConfig:
    """The site's config from `--config` (or the default file) with these flag values over it.

    Folder flags are taken relative to where the user runs roundup, as they typed them.
    """
    try:
        cwd = Path.cwd()
    except FileNotFoundError:
        raise RoundupError("the current folder no longer exists; cd to the site's folder") from None
    for key in ("content_dir", "output_dir", "cache_dir", "templates_dir"):
        if overrides.get(key) is not None:
            overrides[key] = str(cwd / overrides[key])
    config_file = Path(args.config) if getattr(args, "config", None) else None
    config = config_module.load(config_file, overrides, cwd)
    if config.warnings and getattr(args, "strict", False):
        raise ConfigError(list(config.warnings))
    for warning in config.warnings:
        error(f"warning: {warning}")
    return config


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


class LogHandler(logging.StreamHandler):
    """Log records on stderr, each after clearing the progress line."""

    def emit(self, record: logging.LogRecord) -> None:
        status.clear()
        super().emit(record)


def error(line: str) -> None:
    """Print a line to stderr, made printable, at the start of a line."""
    status.clear()
    print(printable(line), file=sys.stderr)
