"""Allow `python -m roundup`."""

from roundup.cli import run

run()
