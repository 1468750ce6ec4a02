"""A TOML settings file read into its tables, or one problem line that names its place."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any

from roundup.core.errors import ConfigError


def read_toml(path: Path) -> dict[str, Any]:
    """The file's tables, or a ConfigError of one line naming it (and the line, for a mistake
    in it)."""
    try:
        # utf-8-sig: a file saved with a byte-order mark (Notepad) is TOML all the same.
        return tomllib.loads(path.read_text(encoding="utf-8-sig"))
    except FileNotFoundError:
        raise ConfigError([f"{path}: config file not found"]) from None
    except IsADirectoryError:
        raise ConfigError([f"{path}: is a folder, not a config file"]) from None
    except (OSError, UnicodeDecodeError) as error:
        reason = getattr(error, "strerror", None) or error
        raise ConfigError([f"{path}: cannot read: {reason}"]) from None
    except tomllib.TOMLDecodeError as error:
        # As every other problem is told: the file as the user names it, then its line.
        shown = path.relative_to(Path.cwd()) if path.is_relative_to(Path.cwd()) else path
        message = str(error)
        where = _TOML_PLACE.search(message)
        if where is None:
            raise ConfigError([f"{shown}: invalid TOML: {message}"]) from None
        line, column = where.groups()
        reason = message[: where.start()].rstrip()
        raise ConfigError([f"{shown}:{line}: invalid TOML: {reason} (column {column})"]) from None


# Where tomllib says a mistake is, at the end of its message.
_TOML_PLACE = re.compile(r"\(at line (\d+), column (\d+)\)$")
