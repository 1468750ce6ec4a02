"""Site configuration: `[tool.roundup]` in pyproject.toml (or a roundup.toml) plus CLI flags."""

from __future__ import annotations

import difflib
import re
import tomllib
import zoneinfo
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from roundup.errors import ConfigError
from roundup.slugs import slugify
from roundup.text import LINE_CONTROLS, shorten
from roundup.weeks import EDITION_KINDS, WEEKDAYS, check_title

COMMENTED = "commented"  # item_pages: only links with a curator's comment get a page


class _Settings(BaseModel):
    """The keys a site may set, with their defaults; anything else is an error."""

    model_config = ConfigDict(extra="forbid", strict=True)

    title: str = Field("Roundup", min_length=1)
    description: str = ""
    base_url: str = "http://localhost:8000/"
    language: str = Field("en", pattern=r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$")
    timezone: str = "UTC"
    author: str = ""
    items_per_page: int = Field(30, ge=1, le=1000)
    editions_per_page: int = Field(7, ge=1, le=1000)
    feed_items: int = Field(50, ge=1, le=10_000)
    site_id: str = ""
    websub_hub: str = ""
    cname: str = ""
    content_dir: str = "content"
    output_dir: str = "output"
    templates_dir: str = "templates"
    cache_dir: str = ".roundup-cache"
    future: bool = False  # publish items dated after the build's "now" (see build.now)
    search: bool = True
    # Which links get a page of their own: all (true), those with a comment, or none.
    item_pages: bool | str = True
    editions: str = "day"  # one page per day, or per week (see weeks.EditionCalendar)
    week_start: str = "monday"
    edition_title: str = ""  # e.g. "This Week in Rust #{number}"

    @field_validator("*")
    @classmethod
    def _printable(cls, value: object) -> object:
        # TOML escapes can smuggle control characters into titles; XML output cannot hold them.
        if isinstance(value, str) and LINE_CONTROLS.search(value):
            raise ValueError("contains control characters")
        return value

    @field_validator("base_url")
    @classmethod
    def _absolute(cls, value: str) -> str:
        return checked_base_url(value)

    @field_validator("item_pages", mode="plain")
    @classmethod
    def _item_pages(cls, value: object) -> bool | str:
        if value is True or value is False or value == COMMENTED:
            return value  # type: ignore[return-value]
        raise ValueError(f'expected true, false or "{COMMENTED}", got {value!r}')

    @field_validator("websub_hub")
    @classmethod
    def _hub(cls, value: str) -> str:
        parts = urlsplit(value)
        if value and (parts.scheme not in ("http", "https") or not parts.hostname):
            raise ValueError("must be an absolute http:// or https:// URL (the hub's endpoint)")
        return value

    @field_validator("timezone")
    @classmethod
    def _zone(cls, value: str) -> str:
        try:
            zoneinfo.ZoneInfo(value)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"{value!r} is not an IANA time zone such as Europe/Berlin") from None
        return value

    @field_validator("site_id")
    @classmethod
    def _site_id(cls, value: str) -> str:
        if value and slugify(value) != value:
            raise ValueError("use lower-case letters, digits and hyphens (like my-roundup)")
        return value

    @field_validator("editions")
    @classmethod
    def _editions(cls, value: str) -> str:
        if value not in EDITION_KINDS:
            raise ValueError(f'{value!r} is not an edition length; use "day" or "week"')
        return value

    @field_validator("week_start")
    @classmethod
    def _week_start(cls, value: str) -> str:
        if value.lower() not in WEEKDAYS:
            raise ValueError(f"{value!r} is not a day of the week; use monday, ..., sunday")
        return value.lower()

    @field_validator("edition_title")
    @classmethod
    def _edition_title(cls, value: str) -> str:
        return check_title(value)

    @field_validator("cname")
    @classmethod
    def _cname(cls, value: str) -> str:
        if value and (not value.replace("-", "").replace(".", "").isalnum() or "." not in value):
            raise ValueError("must be a bare host name such as links.example.org")
        return value.lower()


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


KEYS = tuple(_Settings.model_fields)


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
            if project.is_file() and _tool_table(_toml(project)) is not None:
                raise ConfigError([f"{project}: [tool.roundup]: the settings are in {OWN_FILE} "
                                   "too; keep them in one of the two files"])  # fmt: skip
        elif project.is_file():
            path = project
    settings = _read(path, warnings) if path else {}
    given = {k: v for k, v in (overrides or {}).items() if v is not None}
    settings.update(given)
    try:
        valid = _Settings.model_validate(settings)
    except ValidationError as error:
        where = path.name if path else "defaults"
        raise ConfigError([_describe(where, e, given) for e in error.errors()]) from None
    root = path.parent if path else cwd
    return SiteConfig(
        **{
            key: getattr(valid, key)
            for key in KEYS
            if key not in ("content_dir", "output_dir", "templates_dir", "cache_dir", "site_id")
        },
        site_id=valid.site_id or default_site_id(valid.base_url),
        content_dir=root / valid.content_dir,
        output_dir=root / valid.output_dir,
        templates_dir=root / valid.templates_dir,
        cache_dir=root / valid.cache_dir,
        source=path,
        warnings=tuple(warnings),
    )


def default_site_id(base_url: str) -> str:
    """The site id when none is set: the base URL's host (without "www.") and path, slugified.

    Not the title, so renaming the site keeps every feed entry id; moving it to another
    host or path changes them, which `site_id` prevents (the build warns when it happens).
    """
    parts = urlsplit(base_url)
    host = (parts.hostname or "").removeprefix("www.")
    return slugify(f"{host} {parts.path}") or "roundup"


def _toml(path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError([f"{path}: config file not found"]) from None
    except IsADirectoryError:
        raise ConfigError([f"{path}: is a folder, not a config file"]) from None
    except (OSError, UnicodeDecodeError) as error:
        reason = getattr(error, "strerror", None) or error
        raise ConfigError([f"{path}: cannot read: {reason}"]) from None
    except tomllib.TOMLDecodeError as error:
        raise ConfigError([f"{path}: invalid TOML: {error}"]) from None


def _read(path: Path, warnings: list[str]) -> dict[str, Any]:
    data = _toml(path)
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


# What a key of each kind takes, for values of the wrong type (TOML has types: 30 vs "30").
_EXPECTED = {
    "string_type": "text in quotes",
    "int_type": "a whole number, such as 30 (without quotes)",
    "bool_type": "true or false (without quotes)",
}


def _describe(where: str, error: dict[str, Any], given: dict[str, Any]) -> str:
    key = ".".join(str(part) for part in error["loc"]) or "(config)"
    message = error["msg"].removeprefix("Value error, ")
    if error["type"] in _EXPECTED:
        message = f"expected {_EXPECTED[error['type']]}, got {error['input']!r}"
    elif error["type"] == "string_pattern_mismatch" and key == "language":
        message = f"{error['input']!r} is not a language tag such as en or en-GB"
    if key in given:  # typed on the command line: blame the flag, not the file
        return f"{FLAGS.get(key, '--' + key.replace('_', '-'))}: {message}"
    if error["type"] == "extra_forbidden":
        near = difflib.get_close_matches(key, KEYS, 1, 0.75)
        if near:
            return f"{where}: {key}: unknown key; did you mean {near[0]}?"
        return f"{where}: {key}: unknown key (known keys: {', '.join(KEYS)})"
    return f"{where}: {key}: {message}"
