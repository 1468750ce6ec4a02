"""Site configuration: `[tool.roundup]` in pyproject.toml (or a roundup.toml) plus CLI flags."""

from __future__ import annotations

import contextlib
import difflib
import json
import re
import zoneinfo
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote, urlsplit, urlunsplit

from roundup.core.errors import ConfigError
from roundup.core.slugs import slugify
from roundup.core.text import CONTROL_CHARS, LINE_CONTROLS, shorten
from roundup.core.tomlfile import read_toml
from roundup.core.weeks import EDITION_KINDS, WEEKDAYS, check_title

COMMENTED = "commented"  # item_pages: only links with a curator's comment get a page


# What a key of each kind takes, for values of the wrong type (TOML has types: 30 vs "30").
_TEXT = "text in quotes"
_WHOLE_NUMBER = "a whole number, such as 30 (without quotes)"
_TRUE_OR_FALSE = "true or false (without quotes)"

Check = Callable[[Any], Any]  # the value to keep, or a ValueError whose text the user reads


def _text(*checks: Check, printable: bool = True) -> Check:
    """Text (a TOML string), then each check in turn: the value it returns goes on."""

    def check(value: Any) -> Any:
        if type(value) is not str:
            raise ValueError(f"expected {_TEXT}, got {as_toml(value)}")
        if not printable:  # its own check allows no control character and says what it wants
            return _all(checks, value)
        # TOML escapes can smuggle control characters into titles; XML output cannot hold them.
        if LINE_CONTROLS.search(value):
            raise ValueError("contains control characters")
        if CONTROL_CHARS.search(value):  # U+FFFE, U+FFFF and the like: no XML can hold them
            raise ValueError("contains a non-character (such as U+FFFF)")
        return _all(checks, value)

    return check


def as_toml(value: Any) -> str:
    """A value as TOML writes it (true, ["a"], "text"), for messages: not Python's True."""
    try:
        return json.dumps(value, ensure_ascii=False)
    except (TypeError, ValueError):  # a TOML date or time
        return str(value)


def _all(checks: tuple[Check, ...], value: Any) -> Any:
    for check in checks:
        value = check(value)
    return value


def _whole_number(low: int, high: int) -> Check:
    def check(value: Any) -> int:
        if type(value) is not int:
            raise ValueError(f"expected {_WHOLE_NUMBER}, got {as_toml(value)}")
        if value < low:
            raise ValueError(f"must be at least {low}, got {value}")
        if value > high:
            raise ValueError(f"must be at most {high:,}, got {value:,}")
        return value

    return check


def _true_or_false(value: Any) -> bool:
    if type(value) is not bool:
        raise ValueError(f"expected {_TRUE_OR_FALSE}, got {as_toml(value)}")
    return value


def _not_empty(value: str) -> str:
    if not value.strip():  # spaces alone made a page title of spaces, and the default site id
        raise ValueError("must not be empty; write the site's name")
    return value


_LANGUAGE = re.compile(r"[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*")


def _language(value: str) -> str:
    if not _LANGUAGE.fullmatch(value):
        raise ValueError(f"{value!r} is not a language tag such as en or en-GB")
    return value


def _item_pages(value: Any) -> bool | str:
    if value is True or value is False or value == COMMENTED:
        return value  # type: ignore[no-any-return]
    raise ValueError(f'expected true, false or "{COMMENTED}", got {as_toml(value)}')


def _hub(value: str) -> str:
    parts = urlsplit(value)
    if value and (parts.scheme not in ("http", "https") or not parts.hostname):
        raise ValueError("must be an absolute http:// or https:// URL (the hub's endpoint)")
    return value


# Names the system's zone folder holds that are no place's zone: "localtime" is a link to
# the machine's own zone (the same site would differ from machine to machine), "posixrules"
# a default for POSIX TZ strings.
_NOT_ZONES = frozenset({"localtime", "posixrules"})


def _zone(value: str) -> str:
    try:
        if value.rsplit("/", 1)[-1].casefold() in _NOT_ZONES:
            raise ValueError(value)
        zoneinfo.ZoneInfo(value)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        spelt = {z.casefold(): z for z in zoneinfo.available_timezones()}.get(value.casefold())
        hint = f"; did you mean {spelt}?" if spelt and spelt.casefold() not in _NOT_ZONES else ""
        raise ValueError(
            f"{value!r} is not an IANA time zone such as Europe/Berlin{hint}"
        ) from None
    return value


def _site_id(value: str) -> str:
    if value and slugify(value) != value:
        raise ValueError("use lower-case letters, digits and hyphens (like my-roundup)")
    return value


def _editions(value: str) -> str:
    if value not in EDITION_KINDS:
        raise ValueError(f'{value!r} is not an edition length; use "day" or "week"')
    return value


def _week_start(value: str) -> str:
    if value.lower() not in WEEKDAYS:
        raise ValueError(f"{value!r} is not a day of the week; use monday, ..., sunday")
    return value.lower()


def _cname(value: str) -> str:
    if value and (not value.replace("-", "").replace(".", "").isalnum() or "." not in value):
        raise ValueError("must be a bare host name such as links.example.org")
    return value.lower()


def _base_url(value: str) -> str:
    return checked_base_url(value)


# The keys a site may set, each with its default and its check; anything else is an error.
SETTINGS: dict[str, tuple[Any, Check]] = {
    "title": ("Roundup", _text(_not_empty)),
    "description": ("", _text()),
    "base_url": ("http://localhost:8000/", _text(_base_url)),
    "language": ("en", _text(_language, printable=False)),
    "timezone": ("UTC", _text(_zone)),
    "author": ("", _text()),
    "items_per_page": (30, _whole_number(1, 1000)),
    "editions_per_page": (7, _whole_number(1, 1000)),
    "feed_items": (50, _whole_number(1, 10_000)),
    "site_id": ("", _text(_site_id)),
    "websub_hub": ("", _text(_hub)),
    "cname": ("", _text(_cname)),
    "content_dir": ("content", _text()),
    "output_dir": ("output", _text()),
    "templates_dir": ("templates", _text()),
    "cache_dir": (".roundup-cache", _text()),
    "future": (False, _true_or_false),  # publish items dated after the build's "now"
    "search": (True, _true_or_false),
    # Which links get a page of their own: all (true), those with a comment, or none.
    "item_pages": (True, _item_pages),
    "editions": ("day", _text(_editions)),  # one page per day, or per week (weeks.py)
    "week_start": ("monday", _text(_week_start)),
    "edition_title": ("", _text(check_title)),  # e.g. "This Week in Rust #{number}"
}


# The last part of a path that names a page rather than the folder the site is served from.
_FILE_NAME = re.compile(r"[^/]*\.(?:html?|xhtml|php|aspx?|jsp|xml|json|txt|md)", re.IGNORECASE)
# What a host name is made of: letters (of any script, for IDNs), digits, dots and hyphens;
# or an IPv6 address (in brackets in the URL, without them here).
_HOST = re.compile(r"(?:[^\W_]|[.-])+|[0-9A-Fa-f.]*:[0-9A-Fa-f:.]*")


def checked_base_url(value: str) -> str:
    """The base URL as a folder URL ending in "/", or a ValueError saying what is wrong."""
    shown = repr(shorten(value, 80))
    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018 - raises for a port that is not a number from 0 to 65535
    except ValueError:
        raise ValueError(f"{shown} is not a valid URL") from None
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError(f"{shown} must be an absolute http:// or https:// URL")
    if parts.query or parts.fragment:
        raise ValueError(f"{shown} must not have a query (?) or fragment (#)")
    if parts.username is not None:
        raise ValueError(f"{shown} must not hold a user name or password")
    host = parts.hostname or ""
    if not _HOST.fullmatch(host) or ".." in host or host.startswith((".", "-")):
        raise ValueError(f"{shown}: {host!r} is not a host name (a space or another character "
                         "that host names cannot hold?)")  # fmt: skip
    if any(c.isspace() for c in parts.path):
        raise ValueError(f"{shown}: the path has a space; write it as %20")
    last = parts.path.rsplit("/", 1)[-1]
    if _FILE_NAME.fullmatch(last):
        folder = value[: value.rindex(last)]
        raise ValueError(f"{shown} ends in a file name; give the folder the site is served "
                         f"from: {folder}")  # fmt: skip
    # Written into sitemaps, robots.txt and feeds, which take URLs in ASCII only: a host of
    # other letters in its IDNA form, a path's other characters (and quotes, brackets)
    # percent-encoded, as a browser sends them.
    netloc = parts.netloc
    if not netloc.isascii():
        try:
            netloc = host.encode("idna").decode("ascii")
        except UnicodeError:
            raise ValueError(f"{shown}: {host!r} is not a host name") from None
        netloc += f":{parts.port}" if parts.port is not None else ""
    path = quote(parts.path, safe="/%:@!$&'()*+,;=-._~")
    value = urlunsplit((parts.scheme, netloc, path, "", ""))
    return value if value.endswith("/") else value + "/"


@dataclass(frozen=True, slots=True)
class SiteConfig:
    """Everything a build needs to know about the site, validated and resolved."""

    title: str
    description: str
    base_url: str  # absolute, ends with "/"
    language: str
    timezone: str
    author: str
    items_per_page: int
    editions_per_page: int
    feed_items: int
    site_id: str  # stable identity of the site in feed entry ids
    websub_hub: str  # the WebSub hub the feeds name and `roundup ping` notifies, or ""
    cname: str
    content_dir: Path
    output_dir: Path
    templates_dir: Path
    cache_dir: Path  # roundup's own state (parse cache, records): never inside the output
    search: bool  # a /search/ page with a Pagefind index of the items
    source: Path | None  # the config file read, if any
    future: bool = False  # publish items dated after the build's "now"
    item_pages: bool | str = True  # True, False or COMMENTED: which links get a page
    editions: str = "day"  # "day" or "week": what one edition (and its page) holds
    week_start: str = "monday"  # the first day of a week, lower-case
    edition_title: str = ""  # the template of editions' titles, checked (weeks.check_title)
    # Doubts about the config file (a [roundup] table in pyproject.toml), for the commands to
    # print: a setting that is silently not read looks like a bug in roundup.
    warnings: tuple[str, ...] = ()

    @property
    def base_path(self) -> str:
        """The path part of the base URL: "/" for a user site, "/repo/" for a project site."""
        return urlsplit(self.base_url).path or "/"

    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.timezone)


KEYS = tuple(SETTINGS)


# The flag that sets each key, for errors in a value typed on the command line.
FLAGS = {"content_dir": "--content", "output_dir": "--output", "base_url": "--base-url"}
OWN_FILE = "roundup.toml"  # keys at the top level


def load(
    config_file: Path | None = None,
    overrides: dict[str, Any] | None = None,
    cwd: Path | None = None,
) -> SiteConfig:
    """Read the config file and apply overrides (flags), which win over the file.

    Without an explicit file: ./roundup.toml if present, else [tool.roundup] of
    ./pyproject.toml if present, else the defaults. Both at once is an error: which one
    holds the settings must never be a guess.
    """
    cwd = cwd or Path.cwd()
    warnings: list[str] = []
    path = config_file
    if path is None:
        own, project = cwd / OWN_FILE, cwd / "pyproject.toml"
        if own.is_file():
            path = own
            if project.is_file() and _tool_table(read_toml(project)) is not None:
                raise ConfigError([f"{project}: [tool.roundup]: the settings are in {OWN_FILE} "
                                   "too; keep them in one of the two files"])  # fmt: skip
        elif project.is_file():
            path = project
    settings = _read(path, warnings) if path else {}
    given = {k: v for k, v in (overrides or {}).items() if v is not None}
    settings.update(given)
    valid, problems = _checked(settings)
    if problems:
        where = path.name if path else "defaults"
        raise ConfigError([_describe(where, key, message, given) for key, message in problems])
    root = path.parent if path else cwd
    if "templates_dir" in settings and not (root / valid["templates_dir"]).is_dir():
        # The default may well be missing (the theme alone); a folder named is meant to be.
        named = f"{path.name if path else 'config'}: templates_dir: {valid['templates_dir']!r}"
        warnings.append(f"{named} is not a folder; the theme's templates are used as they are")
    if "week_start" in settings and valid["editions"] != "week":
        warnings.append(f"{path.name if path else 'config'}: week_start: not used: editions are "
                        'by day (editions = "week" makes weekly ones)')  # fmt: skip
    folders = ("content_dir", "output_dir", "templates_dir", "cache_dir")
    return SiteConfig(
        **{key: valid[key] for key in KEYS if key not in (*folders, "site_id")},
        **{key: root / valid[key] for key in folders},
        site_id=valid["site_id"] or default_site_id(valid["base_url"]),
        source=path,
        warnings=tuple(warnings),
    )


def _checked(settings: dict[str, Any]) -> tuple[dict[str, Any], list[tuple[str, str | None]]]:
    """Every key's value (checked, or its default) and the problems: (key, message), in the
    order of SETTINGS, then unknown keys (message None) in the order they were written."""
    valid: dict[str, Any] = {}
    problems: list[tuple[str, str | None]] = []
    for key, (default, check) in SETTINGS.items():
        if key not in settings:
            valid[key] = default
            continue
        try:
            valid[key] = check(settings[key])
        except ValueError as error:
            problems.append((key, str(error)))
    problems.extend((key, None) for key in settings if key not in SETTINGS)
    return valid, problems


def default_site_id(base_url: str) -> str:
    """The site id when none is set: the base URL's host (without "www.") and path, slugified.

    Not the title, so renaming the site keeps every feed entry id; moving it to another
    host or path changes them, which `site_id` prevents (the build warns when it happens).
    """
    parts = urlsplit(base_url)
    host = parts.hostname or ""
    # As written: the base URL is kept in its ASCII form, and the ids were made before that.
    with contextlib.suppress(UnicodeError):
        host = host.encode("ascii").decode("idna")
    return slugify(f"{host.removeprefix('www.')} {unquote(parts.path)}") or "roundup"


def _read(path: Path, warnings: list[str]) -> dict[str, Any]:
    data = read_toml(path)
    if path.name == "pyproject.toml":
        if isinstance(data.get("roundup"), dict):
            warnings.append(f"{path.name}: [roundup]: not read; roundup's settings go in a "
                            "[tool.roundup] table")  # fmt: skip
        data = _tool_table(data)
        if data is None:
            return {}
        if not isinstance(data, dict):
            raise ConfigError([f"{path}: [tool.roundup] must be a table"])
    else:
        table = "[roundup]" if isinstance(data.get("roundup"), dict) else None
        if _tool_table(data) is not None:
            table = "[tool.roundup]"
        if table:
            raise ConfigError([f"{path.name}: {table}: in {path.name} the keys go at the top "
                               "level, with no table around them"])  # fmt: skip
    return dict(data)


def _tool_table(data: dict[str, Any]) -> Any:
    """What `[tool.roundup]` holds, or None without one."""
    tool = data.get("tool")
    return tool.get("roundup") if isinstance(tool, dict) else None


def _describe(where: str, key: str, message: str | None, given: dict[str, Any]) -> str:
    """One problem as a line: `file: key: message`, or `--flag: message` for a flag's value;
    `message` None: the key is unknown."""
    if key in given:  # typed on the command line: blame the flag, not the file
        return f"{FLAGS.get(key, '--' + key.replace('_', '-'))}: {message or 'unknown key'}"
    if message is None:
        near = difflib.get_close_matches(key, KEYS, 1, 0.75)
        if near:
            return f"{where}: {key}: unknown key; did you mean {near[0]}?"
        return f"{where}: {key}: unknown key (known keys: {', '.join(KEYS)})"
    return f"{where}: {key}: {message}"
