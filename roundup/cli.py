"""The `roundup` command: options, logging, the summary line and exit codes."""

from __future__ import annotations

import argparse
import logging
import os
import re
import sys
import traceback
from pathlib import Path
from typing import NoReturn

from roundup import __version__
from roundup import config as config_module
from roundup.build import BuildResult, build
from roundup.errors import ConfigError, ContentError, RoundupError
from roundup.loader import display_path

log = logging.getLogger("roundup")
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="roundup", description="Build a static site and feeds from curated link files."
    )
    parser.add_argument("--version", action="version", version=f"roundup {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    b = commands.add_parser("build", help="build the site into the output folder")
    b.add_argument("--content", metavar="DIR", help="folder of article files (default content/)")
    b.add_argument("--output", metavar="DIR", help="folder to build into (default output/)")
    b.add_argument("--base-url", metavar="URL", help="absolute URL the site is served from")
    b.add_argument("--config", metavar="FILE", help="config file (default ./pyproject.toml)")
    b.add_argument("--preview", action="store_true", help="include unpublished items, marked")
    b.add_argument("--strict", action="store_true", help="treat warnings as errors")
    b.add_argument("-q", "--quiet", action="store_true", help="print errors only")
    b.add_argument("-v", "--verbose", action="store_true", help="print timings per phase")
    s = commands.add_parser(
        "serve", help="serve the built output locally, under the base URL's path"
    )
    s.add_argument("--output", metavar="DIR", help="folder to serve (default output/)")
    s.add_argument("--base-url", metavar="URL", help="serve under this URL's path")
    s.add_argument("--config", metavar="FILE", help="config file (default ./pyproject.toml)")
    s.add_argument("--port", type=int, default=8000, help="port on 127.0.0.1 (default 8000)")
    s.add_argument("-v", "--verbose", action="store_true", help="log every request")
    return parser


def run() -> NoReturn:
    """The `roundup` command: `main`, then exit without freeing the build's objects.

    A build of 30,000 articles leaves ~300 MB of small objects; freeing them one by one at
    exit took 0.2 s, a tenth of a rebuild after one edit. The system takes the memory back
    whole instead, once the output is flushed (nothing else is pending: no files are open
    and worker pools are already closed).
    """
    code = main()
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except OSError:  # a closed pipe: let the usual exit report it
        raise SystemExit(code) from None
    os._exit(code)


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    level = logging.DEBUG if args.verbose else logging.WARNING
    logging.basicConfig(level=level, format="%(name)s: %(message)s", stream=sys.stderr)
    try:
        return _serve(args) if args.command == "serve" else _build(args)
    except ConfigError as error:
        for problem in error.problems:
            _error(str(problem))
        print("roundup: the configuration has errors; nothing was built", file=sys.stderr)
        return 1
    except ContentError as error:
        for problem in error.problems:
            _error(str(problem))
        files = len({p.path for p in error.problems})
        count = len(error.problems)
        print(
            f"roundup: {count} error{'s' * (count != 1)} in {files} file{'s' * (files != 1)}; "
            "the output folder was not changed",
            file=sys.stderr,
        )
        return 1
    except RoundupError as error:
        _error(f"roundup: {error}")
        return 1
    except KeyboardInterrupt:
        print("roundup: interrupted; the output folder was not changed", file=sys.stderr)
        return 130
    except Exception as error:  # a bug in roundup, not a mistake of the user's
        if args.verbose:
            traceback.print_exc()
        _error(
            f"roundup: internal error ({type(error).__name__}: {error}); the output folder "
            "was not changed. Please report it, with the output of the same command and -v."
        )
        return 2


def _error(line: str) -> None:
    """Print a line to stderr with control characters shown as escapes: file names and
    values come from content, and an escape sequence in them must not drive the terminal."""
    print(_CONTROL.sub(lambda m: repr(m.group())[1:-1], line), file=sys.stderr)


def _build(args: argparse.Namespace) -> int:
    cwd = Path.cwd()
    overrides = {
        "content_dir": str(cwd / args.content) if args.content else None,
        "output_dir": str(cwd / args.output) if args.output else None,
        "base_url": args.base_url,
    }
    config_file = Path(args.config) if args.config else None
    config = config_module.load(config_file, overrides, cwd)
    progress = _progress if sys.stderr.isatty() and not os.environ.get("CI") else None
    result = build(config, preview=args.preview, strict=args.strict, progress=progress)
    if progress:
        print("\r\033[K", end="", file=sys.stderr)
    for warning in result.warnings:
        _error(f"warning: {warning}")
    if not args.quiet:
        print(_summary(result, display_path(config.output_dir, cwd), args.preview))
    return 0


def _serve(args: argparse.Namespace) -> int:
    cwd = Path.cwd()
    overrides = {
        "output_dir": str(cwd / args.output) if args.output else None,
        "base_url": args.base_url,
    }
    config = config_module.load(Path(args.config) if args.config else None, overrides, cwd)
    if not (config.output_dir / "index.html").is_file():
        print(f"roundup: nothing to serve in {config.output_dir}; run roundup build first")
        return 1
    from roundup.serve import make_server  # here: http.server is slow to import for a build

    server = make_server(config.output_dir, config.base_path, port=args.port)
    host, port = server.server_address[:2]
    print(f"roundup: serving {config.output_dir} at http://{host}:{port}{config.base_path}")
    print("roundup: links point to", config.base_url, "(build with --base-url to change)")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0


def _progress(doing: str, unit: str, done: int, total: int) -> None:
    print(f"\r\033[Kroundup: {doing} {done}/{total} {unit}", end="", file=sys.stderr, flush=True)


def _summary(result: BuildResult, output: str, preview: bool) -> str:
    hidden = (
        f"{result.hidden} unpublished included (preview)"
        if preview
        else f"{result.hidden} unpublished skipped"
    )
    return (
        f"roundup: {result.shown} items shown, {hidden}; {result.pages} pages, "
        f"{result.feeds} feeds; {result.written} of {result.files} files written to {output}/ "
        f"in {result.seconds:.2f} s"
    )
