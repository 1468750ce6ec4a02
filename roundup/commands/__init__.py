"""The commands a curator runs; each module names itself, declares its options and runs."""

from __future__ import annotations

# Command name -> module under roundup.commands. A module defines HELP (one line),
# add_arguments(parser) and run(args) -> exit status; it imports its heavy libraries inside
# run(), so that `roundup build` never pays for the HTTP client of `roundup new`.
COMMANDS: dict[str, str] = {
    "build": "build",
    "serve": "serve",
    "init": "init",
    "new": "new",
    "check": "check",
    "ping": "ping",
    "import": "import_",  # `import` is a Python keyword
}
