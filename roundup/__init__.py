"""roundup: a static site generator for curated link roundups."""

import sys

__version__ = "0.1.0"


def command() -> None:
    """The `roundup` command (`cli.run`): Ctrl-C while Python is still loading roundup stops
    it quietly too, with the status Ctrl-C gives later, not with a traceback."""
    try:
        from roundup.cli import run
    except KeyboardInterrupt:
        sys.stderr.write("roundup: interrupted\n")
        raise SystemExit(130) from None
    run()
