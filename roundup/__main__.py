"""Allow `python -m roundup`."""

from roundup import command

command()
