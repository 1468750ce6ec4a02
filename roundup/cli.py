"""The `roundup` command: parses the command line, sets up logging, turns errors into exit codes."""

from __future__ import annotations

import argparse
import contextlib
import importlib
import io
import logging
import os
import signal
import sys
import threading
import traceback
from types import ModuleType
from typing import NoReturn

from roundup import __version__
from roundup.commands import COMMANDS
from roundup.commands.common import LogHandler, error, print_warnings, status
from roundup.core.errors import ConfigError, ContentError, RoundupError
from roundup.state.signals import StoppedAfterWriting

log = logging.getLogger("roundup")

# Exit statuses: 0 when done, 2 for wrong options (argparse's own), and these.
EXIT_FAILED = 1  # a mistake in the input or the environment, explained on stderr
EXIT_INTERNAL = 3  # a bug in roundup
EXIT_INTERRUPTED = 130
EXIT_TERMINATED = 128 + signal.SIGTERM  # what a shell reports for a process SIGTERM ended


_BUILDS = ("build", "serve")  # the commands that write the output folder
_PARALLEL = (*_BUILDS, "check", "import")  # the commands that may share work among processes


class Terminated(KeyboardInterrupt):
    """SIGTERM (a process manager, a CI timeout, `kill`): undone as Ctrl-C is."""


def _terminate(signum: int, frame: object) -> None:
    raise Terminated


def _command(name: str) -> ModuleType:
    return importlib.import_module(f"roundup.commands.{COMMANDS[name]}")


def _parser() -> tuple[argparse.ArgumentParser, dict[str, argparse.ArgumentParser]]:
    """The command line's parser, and each command's own (which tells its own usage)."""
    parser = argparse.ArgumentParser(
        prog="roundup", description="Build a static site and feeds from curated link files."
    )
    parser.add_argument("--version", action="version", version=f"roundup {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    subs = {}
    for name in COMMANDS:
        module = _command(name)
        sub = subs[name] = commands.add_parser(name, help=module.HELP, description=module.HELP)
        module.add_arguments(sub)
        # Every command takes -v: an internal error asks for the output with it. A command
        # that gives -v a meaning of its own has added it already (argparse then refuses).
        with contextlib.suppress(argparse.ArgumentError):
            sub.add_argument("-v", "--verbose", action="store_true", help="print more detail")
    return parser, subs


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
    for stream in (sys.stdout, sys.stderr):
        # A file name or title the terminal's encoding cannot show is escaped, not a crash.
        if isinstance(stream, io.TextIOWrapper):
            stream.reconfigure(errors="backslashreplace")
    parser, subs = _parser()
    args, unknown = parser.parse_known_args(argv)
    if unknown:  # told with the command's own usage, not roundup's (exit 2, as argparse does)
        subs[args.command].error(f"unrecognized arguments: {' '.join(unknown)}")
    verbose = getattr(args, "verbose", False)
    handler = LogHandler(sys.stderr)
    # A warning reads as roundup's own ("roundup: another build is writing output; waiting");
    # with -v, each line names the module it comes from, as the timings do.
    shown = "%(name)s: %(message)s" if verbose else "roundup: %(message)s"
    logging.basicConfig(level=logging.WARNING, format=shown, handlers=[handler])
    # -v is roundup's own detail (timings per phase), not the libraries' debugging chatter.
    log.setLevel(logging.DEBUG if verbose else logging.NOTSET)
    # Killed outright, a build left its forked workers running on their own, holding the
    # output folder's lock; stopped as by Ctrl-C, it closes them and undoes what it began.
    # `serve` sets its own handler. Only the main thread may, and the handler is put back
    # for a caller that runs `main` in its own process (the tests).
    in_main_thread = threading.current_thread() is threading.main_thread()
    before = signal.signal(signal.SIGTERM, _terminate) if in_main_thread else None
    if os.environ.get("ROUNDUP_JOBS") and args.command in _PARALLEL:
        from roundup.core.parallel import jobs_warning  # workers: not for every command's start

        if (jobs := jobs_warning()) is not None:
            error(jobs)
    try:
        return _run(args, verbose)
    finally:
        if in_main_thread and before is not None:
            signal.signal(signal.SIGTERM, before)


def _run(args: argparse.Namespace, verbose: bool) -> int:
    # Said only by the commands that write the output folder: `check` never does, and `new`
    # or `import` write article files (each whole), never the site.
    unchanged = "; the output folder was not changed" if args.command in _BUILDS else ""
    try:
        return int(_command(args.command).run(args))
    except ConfigError as failure:
        for message in failure.problems:
            error(message)
        error("roundup: the configuration has errors; nothing was done")
        return EXIT_FAILED
    except ContentError as failure:
        problems = failure.problems
        if getattr(args, "strict", False):  # the warnings are errors, as they would be alone
            problems = sorted(problems + failure.warnings, key=lambda p: (p.path, p.line or 0))
        else:
            print_warnings(failure.warnings, getattr(args, "all_warnings", False))
        for problem in problems:
            error(str(problem))
        files = len({p.path for p in problems})
        count = len(problems)
        error(
            f"roundup: {count} error{'s' * (count != 1)} in {files} file{'s' * (files != 1)}"
            + unchanged
        )
        return EXIT_FAILED
    except RoundupError as failure:
        error(f"roundup: {failure}")
        return EXIT_FAILED
    except StoppedAfterWriting as stop:  # held until the output folder was whole again
        what = "stopped (SIGTERM)" if stop.terminated else "interrupted"
        error(f"roundup: {what} while the output folder was written; it holds the new site whole")
        return EXIT_TERMINATED if stop.terminated else EXIT_INTERRUPTED
    except Terminated:
        error(f"roundup: stopped (SIGTERM){unchanged}")
        return EXIT_TERMINATED
    except KeyboardInterrupt:
        error(f"roundup: interrupted{unchanged}")
        return EXIT_INTERRUPTED
    except Exception as failure:  # a bug in roundup, not a mistake of the user's
        if verbose:
            status.clear()
            traceback.print_exc()
        error(
            f"roundup: internal error ({type(failure).__name__}: {failure}){unchanged}. Please "
            "report it, with the output of the same command and -v."
        )
        return EXIT_INTERNAL
