"""Site configuration: `[tool.roundup]` in pyproject.toml (or a roundup.toml) plus CLI flags."""

from __future__ import annotations

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

_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")


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
    cname: str = ""
    content_dir: str = "content"
    output_dir: str = "output"
    templates_dir: str = "templates"
    cache_dir: str = ".roundup-cache"
    search: bool = True

    @field_validator("*")
    @classmethod
    def _printable(cls, value: object) -> object:
        # TOML escapes can smuggle control characters into titles; XML output cannot hold them.
        if isinstance(value, str) and _CONTROL.search(value):
            raise ValueError("contains control characters")
        return value

    @field_validator("base_url")
    @classmethod
    def _absolute(cls, value: str) -> str:
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ValueError("must be an absolute http:// or https:// URL")
        if parts.query or parts.fragment:
            raise ValueError("must not have a query or fragment")
        return value if value.endswith("/") else value + "/"

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

    @field_validator("cname")
    @classmethod
    def _cname(cls, value: str) -> str:
        if value and (not value.replace("-", "").replace(".", "").isalnum() or "." not in value):
            raise ValueError("must be a bare host name such as links.example.org")
        return value.lower()


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
    cname: str
    content_dir: Path
    output_dir: Path
    templates_dir: Path
    cache_dir: Path  # roundup's own state (parse cache, records): never inside the output
    search: bool  # a /search/ page with a Pagefind index of the items
    source: Path | None  # the config file read, if any

    @property
    def base_path(self) -> str:
        """The path part of the base URL: "/" for a user site, "/repo/" for a project site."""
        return urlsplit(self.base_url).path or "/"

    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.timezone)


KEYS = tuple(_Settings.model_fields)


def load(
    config_file: Path | None = None,
    overrides: dict[str, Any] | None = None,
    cwd: Path | None = None,
) -> SiteConfig:
    """Read the config file (explicit, else ./pyproject.toml if present) and apply overrides."""
    cwd = cwd or Path.cwd()
    path = config_file
    if path is None and (cwd / "pyproject.toml").is_file():
        path = cwd / "pyproject.toml"
    settings = _read(path) if path else {}
    where = path.name if path else "defaults"
    settings.update({k: v for k, v in (overrides or {}).items() if v is not None})
    try:
        valid = _Settings.model_validate(settings)
    except ValidationError as error:
        raise ConfigError([_describe(where, e) for e in error.errors()]) from None
    root = path.parent if path else cwd
    return SiteConfig(
        **{
            key: getattr(valid, key)
            for key in KEYS
            if key not in ("content_dir", "output_dir", "templates_dir", "cache_dir", "site_id")
        },
        site_id=valid.site_id or slugify(valid.title) or "roundup",
        content_dir=root / valid.content_dir,
        output_dir=root / valid.output_dir,
        templates_dir=root / valid.templates_dir,
        cache_dir=root / valid.cache_dir,
        source=path,
    )


def _read(path: Path) -> dict[str, Any]:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError([f"{path}: config file not found"]) from None
    except (OSError, UnicodeDecodeError) as error:
        raise ConfigError([f"{path}: cannot read: {error}"]) from None
    except tomllib.TOMLDecodeError as error:
        raise ConfigError([f"{path}: invalid TOML: {error}"]) from None
    if path.name == "pyproject.toml":
        data = data.get("tool", {}).get("roundup", {})
    if not isinstance(data, dict):
        raise ConfigError([f"{path}: [tool.roundup] must be a table"])
    return dict(data)


def _describe(where: str, error: dict[str, Any]) -> str:
    key = ".".join(str(part) for part in error["loc"]) or "(config)"
    if error["type"] == "extra_forbidden":
        return f"{where}: {key}: unknown key (known keys: {', '.join(KEYS)})"
    message = error["msg"].removeprefix("Value error, ")
    return f"{where}: {key}: {message}"
