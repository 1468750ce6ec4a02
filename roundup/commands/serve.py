"""`roundup serve`: build the site, serve it on 127.0.0.1, rebuild and reload on every save."""

from __future__ import annotations

import argparse
import errno
import io
import signal
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from roundup.commands.common import add_config_argument, error, for_preview, load_config

if TYPE_CHECKING:
    from roundup.core.config import SiteConfig
    from roundup.serve.livereload import LiveReload
    from roundup.serve.server import Site, SiteServer

HELP = "build the site, serve it locally and rebuild and reload open pages on every save"

DEFAULT_PORT = 8000
PORTS_TRIED = 10  # without --port: 8000, else the next free one up to 8009, as Hugo does


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--content", metavar="DIR", help="folder of article files (default content/)"
    )
    parser.add_argument(
        "--output",
        metavar="DIR",
        help="folder to build into and serve (default output/; with --preview a folder in "
        "the cache folder)",
    )
    parser.add_argument(
        "--cache-dir", metavar="DIR", help="roundup's own state (default .roundup-cache/)"
    )
    parser.add_argument("--base-url", metavar="URL", help="absolute URL the site is built for")
    add_config_argument(parser)
    parser.add_argument(
        "--preview",
        action="store_true",
        help="include unpublished items, marked (built apart from output/)",
    )
    parser.add_argument(
        "--port",
        type=_port,
        metavar="N",
        help=f"port on 127.0.0.1 (default {DEFAULT_PORT}, or the next free one; 0: any free one)",
    )
    parser.add_argument(
        "--no-watch", action="store_true", help="build once and serve, without watching"
    )
    parser.add_argument(
        "--no-build",
        action="store_true",
        help="serve the output folder as it is, under the base path it was built for",
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="log every request")


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def _port(text: str) -> int:
    if not text.isdigit() or int(text) > 65535:
        raise argparse.ArgumentTypeError(f"{text!r} is not a port number (0 to 65535)")
    return int(text)


def run(args: argparse.Namespace) -> int:
    # A command that runs for hours: each line must show when it happens, also in a pipe.
    if isinstance(sys.stdout, io.TextIOWrapper):  # not when a caller replaced it
        sys.stdout.reconfigure(line_buffering=True)
    # Stopped by a process manager (SIGTERM) as by Ctrl-C: a build under way is undone.
    signal.signal(signal.SIGTERM, _interrupt)
    if args.no_build and args.preview:
        error("roundup: --no-build serves the output folder as it is: it cannot also build")
        return 2
    if args.no_build and args.no_watch:
        error("roundup: --no-build neither builds nor watches: --no-watch adds nothing to it")
        return 2
    config = load_config(
        args,
        content_dir=args.content,
        output_dir=args.output,
        cache_dir=args.cache_dir,
        base_url=args.base_url,
    )
    if args.no_build:
        return _serve_as_built(args, config)
    if not config.content_dir.is_dir():
        from roundup.read.loader import display_path

        folder = display_path(config.content_dir, Path.cwd())
        error(f"roundup: no content folder at {folder}/; run roundup init to start a site here")
        return 1
    from roundup.commands.serving import Session  # the pipeline: only when building

    session = Session(args, for_preview(args, config), config.cache_dir)
    server = listen(args.port, session.site(), session.live)
    if server is None:
        return 1
    return session.run(server)


def listen(port: int | None, site: Site, live: LiveReload | None) -> SiteServer | None:
    """A server on the port asked for or, with none asked for, on the first free one from
    8000; None (after saying why in one line) when there is none."""
    from roundup.serve.server import bind

    first = DEFAULT_PORT if port is None else port
    last = first + PORTS_TRIED - 1 if port is None else first
    for candidate in range(first, last + 1):
        try:
            server = bind(candidate, site, live)
        except OSError as failure:
            if failure.errno == errno.EADDRINUSE and candidate < last:
                continue
            error(_cannot_listen(first, last, port, failure))
            return None
        if candidate != first:
            print(f"roundup: port {first} is in use; serving on port {candidate} instead")
        return server
    return None  # pragma: no cover - the loop returns


def _cannot_listen(first: int, last: int, asked: int | None, failure: OSError) -> str:
    if failure.errno == errno.EADDRINUSE and asked is None:
        return (
            f"roundup: ports {first}-{last} on 127.0.0.1 are all in use; choose a port with "
            "--port N (--port 0: any free port)"
        )
    if failure.errno == errno.EADDRINUSE:
        return (
            f"roundup: port {first} on 127.0.0.1 is in use (another roundup serve?); choose "
            "another with --port N, or leave out --port to take the next free one"
        )
    reason = failure.strerror or str(failure)
    hint = "; ports below 1024 need special rights" if failure.errno == errno.EACCES else ""
    return f"roundup: cannot listen on 127.0.0.1 port {first}: {reason}{hint}"


def _serve_as_built(args: argparse.Namespace, config: SiteConfig) -> int:
    """`--no-build`: serve the folder as it is, under the base path its files were built for."""
    from roundup.read.loader import display_path
    from roundup.serve.builtfor import built_base_url
    from roundup.serve.server import Site

    folder = display_path(config.output_dir, Path.cwd())
    if not (config.output_dir / "index.html").is_file():
        error(f"roundup: nothing to serve in {folder}/; run roundup build first")
        return 1
    built_for = args.base_url or built_base_url(config.output_dir)
    if built_for is None:
        built_for = config.base_url
        print(f"roundup: no file in {folder}/ says what it was built for; using {built_for}")
    site = Site(config.output_dir, _path_of(built_for))
    server = listen(args.port, site, None)
    if server is None:
        return 1
    print(f"roundup: serving {folder}/ at {server.url} (as built, for {built_for})")
    print("roundup: not watching (--no-build); Ctrl-C to stop")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        print("roundup: stopped")
    finally:
        server.server_close()
    return 0


def _path_of(url: str) -> str:
    from urllib.parse import urlsplit

    return urlsplit(url).path or "/"
