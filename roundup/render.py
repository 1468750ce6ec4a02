"""The Jinja environment (site templates over the packaged theme) and page rendering."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup

from roundup import __version__
from roundup import pages as P
from roundup import site as S
from roundup.config import SiteConfig
from roundup.dates import format_date, format_time
from roundup.errors import TemplateError
from roundup.pages import Page

STATIC_DIR = "static"
# A site template can extend the packaged one it replaces: {% extends "theme/base.html" %}.
THEME_PREFIX = "theme"


def theme_dir() -> Path:
    """The packaged theme: `templates/` at the top of the source tree, installed as package data."""
    return Path(str(resources.files("roundup.templates")))


@dataclass(frozen=True, slots=True)
class Asset:
    """A static file of the theme, served under a content-hashed name so browsers cache it."""

    source: Path
    path: str  # site path, e.g. "assets/style.3f2a1c9b.css"
    data: bytes


class Renderer:
    """Renders pages with the site's templates, falling back file by file to the theme."""

    def __init__(self, config: SiteConfig, preview: bool, globals_: dict[str, Any]) -> None:
        self.config = config
        folders = [str(config.templates_dir)] if config.templates_dir.is_dir() else []
        folders.append(str(theme_dir()))
        self.folders = folders
        self.env = jinja2.Environment(
            loader=jinja2.ChoiceLoader(
                [
                    jinja2.FileSystemLoader(folders),
                    jinja2.PrefixLoader({THEME_PREFIX: jinja2.FileSystemLoader(str(theme_dir()))}),
                ]
            ),
            autoescape=jinja2.select_autoescape(("html", "xml", "opml"), default=False),
            undefined=jinja2.StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=True,
            auto_reload=False,
        )
        self.env.filters.update(
            date=format_date,
            time=format_time,
            first_image=P.first_image,
            domain=P.domain_of,
            provider_name=P.provider_of,
            coverage=P.coverage,
            plural=P.plural,
            # Safe: comment_html only rewrites tags of the already sanitised comment.
            comment=lambda html, level: Markup(P.comment_html(html, level)),
        )
        base = config.base_path
        absolute = config.base_url
        self.env.globals.update(
            config=config,
            preview=preview,
            version=__version__,
            url=lambda path="": base + path,
            absolute_url=lambda path="": absolute + path,
            day_path=S.day_path,
            month_path=S.month_path,
            year_path=S.year_path,
            topic_path=S.topic_path,
            **globals_,
        )

    def assets(self) -> list[Asset]:
        """Static files, site ones over theme ones, each under a fingerprinted name."""
        chosen: dict[str, Path] = {}
        for folder in reversed(self.folders):
            root = Path(folder) / STATIC_DIR
            if root.is_dir():
                for path in sorted(root.rglob("*")):
                    if path.is_file() and not path.name.startswith("."):
                        chosen[path.relative_to(root).as_posix()] = path
        assets = []
        for name, path in sorted(chosen.items()):
            data = path.read_bytes()
            stem, dot, suffix = name.rpartition(".")
            tag = hashlib.blake2b(data, digest_size=4).hexdigest()
            hashed = f"{stem}.{tag}.{suffix}" if dot else f"{name}.{tag}"
            assets.append(Asset(path, "assets/" + hashed, data))
        return assets

    def digest(self) -> str:
        """Changes when any template, static file or roundup itself changes."""
        h = hashlib.blake2b(__version__.encode(), digest_size=16)
        for folder in self.folders:
            for path in sorted(Path(folder).rglob("*")):
                if path.is_file() and "__pycache__" not in path.parts:
                    h.update(path.relative_to(folder).as_posix().encode() + b"\0")
                    h.update(path.read_bytes())
        return h.hexdigest()

    def check(self) -> None:
        """Compile every template now, so a syntax error stops the build before any write."""
        for name in self.env.list_templates(extensions=("html", "xml", "txt", "opml")):
            try:
                self.env.get_template(name)
            except jinja2.TemplateSyntaxError as error:
                raise TemplateError(f"{error.filename}:{error.lineno}: {error.message}") from None

    def render(self, page: Page) -> bytes:
        try:
            template = self.env.get_template(page.template)
            text = template.render(page=page, **page.context)
        except jinja2.TemplateError as error:
            where = getattr(error, "filename", None) or page.template
            line = getattr(error, "lineno", None)
            location = f"{where}:{line}" if line else where
            raise TemplateError(f"{location}: while rendering /{page.path}: {error}") from None
        return text.encode("utf-8")
