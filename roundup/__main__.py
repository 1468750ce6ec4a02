"""`python -m roundup`, and the `roundup` command's first step: Ctrl-C while Python still
loads roundup stops quietly."""

import sys


def command() -> None:
    """The `roundup` command (`cli.run`): Ctrl-C while Python is still loading roundup's
    modules stops it with the status Ctrl-C gives later, not with a traceback."""
    try:
        from roundup.cli import run
    except KeyboardInterrupt:
        sys.stderr.write("roundup: interrupted\n")
        raise SystemExit(130) from None
    run()


if __name__ == "__main__":
    command()
