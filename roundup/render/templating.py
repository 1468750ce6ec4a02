"""The Jinja environment (site templates over the packaged theme) and page rendering."""

from __future__ import annotations

import hashlib
import sys
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any
from urllib.parse import quote

import jinja2
from markupsafe import Markup

from roundup import __version__
from roundup.core.config import SiteConfig
from roundup.core.dates import format_date, format_time
from roundup.core.errors import TemplateError
from roundup.core.text import plural
from roundup.core.weeks import EditionCalendar
from roundup.read import stored
from roundup.site import filters as F
from roundup.site import structure as S
from roundup.site.listed import listed_comment
from roundup.site.pages import Page

STATIC_DIR = "static"
TEMPLATE_SUFFIXES = ("html", "xml", "txt", "opml")
# A site template can extend the packaged one it replaces: {% extends "theme/base.html" %}.
THEME_PREFIX = "theme"
# The pieces that pages share, for templates as the global `macros`: the same as
# {% import "_macros.html" as macros %}, which costs each page that imports it more than
# printing twenty values (Jinja compares the importing template's globals with the module's).
MACROS = "_macros.html"
MACROS_GLOBAL = "macros"
# The parts of every page that depend only on the site (feed links, navigation, footer), for
# base.html as the global `page_parts`: a file of their own, so a site's older copy of
# `_macros.html` does not hide them.
PAGE_PARTS = "_page_parts.html"
PAGE_PARTS_GLOBAL = "page_parts"
# `cached` results kept in a compact build (see `macro_cache`). At 100,000 articles, 30,000
# put the build's peak at 397-400 MiB, 20,000 at 385 MiB (10,000: 373 MiB, but 3 % slower).
COMPACT_CACHED = 20_000


def theme_dir() -> Path:
    """The packaged theme: `templates/` at the top of the source tree, installed as package data."""
    return Path(str(resources.files("roundup.templates")))


@dataclass(frozen=True, slots=True)
class Asset:
    """A static file of the theme, served under a content-hashed name so browsers cache it."""

    source: Path
    path: str  # site path, e.g. "assets/style.3f2a1c9b.css"
    data: bytes
    name: str = ""  # its path in the static folder, as templates name it: "vendor/prism.css"

    @property
    def url_path(self) -> str:
        """`path` as a URL path: a file named `logo #1?.svg` is linked percent-encoded."""
        return quote(self.path, safe="/~")


# What `cached` remembers: its result, and the macro and arguments that made it (kept alive).
CachedResults = dict[tuple[Any, ...], tuple[Any, tuple[Any, ...], dict[str, Any]]]


def macro_cache(results: CachedResults | None = None) -> Callable[..., Any]:
    """A new `cached(macro, *args, **kwargs)` for templates, as a filter (`macro | cached(…)`)
    and a function: what `macro(*args, **kwargs)` returns, made once for the same macro and
    arguments and then handed out again.

    An item is listed alike on its day's page, its topics' pages and its source's page, and
    its byline, related coverage and topic list are the same on every one of them: the theme
    prints those through this cache, and saves most of their rendering. Arguments are compared
    by identity (text by value, a tuple by the identity of its members): so only for macros
    whose output depends on their arguments alone, with arguments that do not change while the
    cache lives. Each cached result keeps its arguments alive, so no other object can take the
    identity of one while it is remembered. The Renderer makes a new cache for each build
    (build.py makes a new Renderer for each), so nothing outlives the objects of one build;
    a rebuild that takes over the last build's Renderer empties `results` first (`forget`).
    Whole entries are not cached: an item is listed with a different heading or hidden topic
    on most of its pages, and their text at 30,000 articles would take hundreds of MB.
    """
    remembered: CachedResults = {} if results is None else results
    # In a big (compact) build, the results of the most recent pieces only: three an item,
    # the whole site's would take 130 MB at 100,000 articles in each process.
    limit = COMPACT_CACHED

    def cached(macro: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Any:
        # Written out rather than with a helper per argument: this runs for every entry of
        # every listing, and a call costs more than the rest of the key.
        parts: list[Any] = [id(macro), len(args), *kwargs]
        for value in (*args, *kwargs.values()) if kwargs else args:
            kind = type(value)
            if kind is str:
                parts.append(value)
            elif kind is tuple:
                parts.append(tuple(map(id, value)))
            else:
                parts.append(id(value))
        key = tuple(parts)
        found = remembered.get(key)
        if found is None:
            if len(remembered) >= limit and stored.is_compact():
                del remembered[next(iter(remembered))]  # the oldest: pages go newest day first
            found = remembered[key] = (macro(*args, **kwargs), (macro, *args), kwargs)
        return found[0]

    return cached


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
                    # utf-8-sig: a template saved with a byte-order mark (Notepad) put one
                    # into every page's <head>, which made each invalid HTML.
                    jinja2.FileSystemLoader(folders, encoding="utf-8-sig"),
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
        base, absolute = config.base_path, config.base_url

        # `url(path)` and `path | url` give the same. The theme uses the filter: Jinja calls a
        # filter straight away, but a function through the context's checks for arguments it
        # might want, which costs more than the function on pages with dozens of links. The
        # filters are marked as taking the context, which they ignore, so that Jinja never
        # works out `'feed.xml' | url` once while compiling: compiled templates are kept from
        # one build to the next (bytecode.py), and the base path may change in between.
        # A path is the site's, without a leading slash ("about/"); one written with it
        # ("/about/", as a designer would) made "//about/", a link to a host named "about".
        def url(path: str = "") -> str:
            return base + (path[1:] if path[:1] == "/" else path)

        def absolute_url(path: str = "") -> str:
            return absolute + (path[1:] if path[:1] == "/" else path)

        @jinja2.pass_context
        def url_filter(context: Any, path: str = "") -> str:
            return base + (path[1:] if path[:1] == "/" else path)

        @jinja2.pass_context
        def absolute_url_filter(context: Any, path: str = "") -> str:
            return absolute + (path[1:] if path[:1] == "/" else path)

        # One cache, two spellings: the theme writes `macro | cached(args)`, a filter, which
        # Jinja calls straight away; `cached(macro, args)`, a function, goes through the
        # context's checks first, which cost a tenth of a listing page's rendering.
        self._cached: CachedResults = {}
        cached = macro_cache(self._cached)
        self.env.filters.update(
            date=format_date,
            time=format_time,
            first_image=F.first_image,
            domain=F.domain_of,
            provider_name=F.provider_of,
            coverage=F.coverage,
            plural=plural,
            without=F.without,
            listed_topics=F.listed_topics,
            # Safe: comment_html only rewrites tags of the already sanitised comment.
            comment=lambda html, level: Markup(F.comment_html(html, level)),
            listed_comment=listed_comment,
            url=url_filter,
            absolute_url=absolute_url_filter,
            cached=cached,
        )
        self.env.globals.update(
            config=config,
            preview=preview,
            version=__version__,
            url=url,
            absolute_url=absolute_url,
            day_path=S.day_path,
            month_path=S.month_path,
            year_path=S.year_path,
            topic_path=S.topic_path,
            edition_path=EditionCalendar.of(config).path,
            cached=cached,
            **globals_,
        )
        # Which paths the navigation links to, so a page can tell whether it is one of them.
        self.env.globals["nav_paths"] = frozenset(path for path, _ in globals_.get("nav", ()))

    def assets(self) -> list[Asset]:
        """Static files, site ones over theme ones, each under a fingerprinted name."""
        chosen: dict[str, Path] = {}
        for folder in reversed(self.folders):
            root = Path(folder) / STATIC_DIR
            if root.is_dir():
                for path in sorted(root.rglob("*")):
                    # Hidden files and editors' backups (`notes.txt~`, `#notes.txt#`) stay home.
                    name = path.name
                    if path.is_file() and not name.startswith((".", "#")) and name[-1] != "~":
                        chosen[path.relative_to(root).as_posix()] = path
        assets = []
        for name, path in sorted(chosen.items()):
            data = path.read_bytes()
            stem, dot, suffix = name.rpartition(".")
            tag = hashlib.blake2b(data, digest_size=4).hexdigest()
            hashed = f"{stem}.{tag}.{suffix}" if dot else f"{name}.{tag}"
            assets.append(Asset(path, "assets/" + hashed, data, name))
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

    def forget(self) -> None:
        """Empty the `cached` macros' results, for a rebuild with some of the same objects
        changed (see `build.quick`)."""
        self._cached.clear()

    def template_names(self) -> list[str]:
        """The templates a page can use: not the static files (`static/notes.txt` is published
        as it is) nor anything hidden (`.git/`, `.old/item.html`)."""
        names = []
        for name in self.env.list_templates(extensions=TEMPLATE_SUFFIXES):
            parts = name.split("/")
            own = parts[1:] if parts[0] == THEME_PREFIX else parts
            if own[0] != STATIC_DIR and not any(part.startswith(".") for part in parts):
                names.append(name)
        return names

    def check(self) -> None:
        """Compile every template now, so a syntax error stops the build before any write."""
        for name in self.template_names():
            try:
                self.env.get_template(name)
            except jinja2.TemplateSyntaxError as error:
                where = shown_file(error.filename or name)
                raise TemplateError(f"{where}:{error.lineno}: {error.message}") from None
            except (OSError, UnicodeDecodeError) as error:
                where = next(
                    (shown_file(str(Path(f) / name)) for f in self.folders
                     if (Path(f) / name).is_file()),
                    name,
                )  # fmt: skip
                reason = "it is not UTF-8 text" if isinstance(error, UnicodeDecodeError) else error
                raise TemplateError(f"{where}: cannot read the template: {reason}") from None

    def check_extends(self) -> None:
        """Raise a TemplateError for templates that extend themselves, or one another in a
        loop. Run only once rendering recursed without end: parsing every template again
        would cost each build a tenth of a second."""
        extends: dict[str, tuple[str, str, int]] = {}  # name -> (file, parent, line)
        loader = self.env.loader
        assert loader is not None, "__init__ gives the environment its loader"
        for name in self.template_names():
            source, filename, _ = loader.get_source(self.env, name)
            for node in self.env.parse(source).find_all(jinja2.nodes.Extends):
                if isinstance(node.template, jinja2.nodes.Const):
                    extends[name] = (filename or name, str(node.template.value), node.lineno)
        for name in extends:
            _check_extends_loop(name, extends)

    def render(self, page: Page) -> bytes:
        try:
            if MACROS_GLOBAL not in self.env.globals:
                # Made once every global is set (the build adds `assets`): the macros see the
                # globals as they are when their module is made.
                for name, file in ((MACROS_GLOBAL, MACROS), (PAGE_PARTS_GLOBAL, PAGE_PARTS)):
                    self.env.globals[name] = self.env.get_template(file).module
            template = self.env.get_template(page.template)
            text = template.render(page=page, **page.context)
        except jinja2.TemplateError as error:
            where = _template_frame(error) or _reported_place(error) or page.template
            message = str(error)
            if isinstance(error, jinja2.TemplateNotFound):  # its text is the name alone
                names = getattr(error, "templates", None) or [error.name]
                message = _no_template([str(n) for n in names], self.folders)
            raise TemplateError(f"{where}: while rendering /{page.path}: {message}") from None
        except RecursionError:
            where = _template_frame(None) or page.template
            self.check_extends()
            message = "templates include one another, or a macro calls itself, without end"
            raise TemplateError(f"{where}: while rendering /{page.path}: {message}") from None
        except Exception as error:
            # A site template's own mistake ({{ 1 / 0 }}, calling a text): name its line. An
            # error anywhere else is roundup's, and must show as one.
            place = _template_frame(error, site_only=self.folders[:-1])
            if place is None:
                raise
            message = f"{type(error).__name__}: {error}"
            raise TemplateError(f"{place}: while rendering /{page.path}: {message}") from None
        return text.encode("utf-8")


def _no_template(names: list[str], folders: list[str]) -> str:
    places = " or ".join([shown_file(f) + "/" for f in folders[:-1]] + ["the theme"])
    return f"no template named {' or '.join(names)} in {places}"


def shown_file(filename: str) -> str:
    """A template's file as a message names it: relative to where roundup runs when inside it,
    the theme's as theme/<name>."""
    path = Path(filename)
    for base, prefix in ((Path.cwd(), ""), (theme_dir(), THEME_PREFIX + "/")):
        try:
            return prefix + path.resolve().relative_to(base.resolve()).as_posix()
        except ValueError:
            continue
    return filename


def _template_frame(error: BaseException | None, site_only: list[str] | None = None) -> str | None:
    """`file:line` of the innermost template being run when `error` (or the exception being
    handled) was raised; Jinja puts template files and lines in the traceback."""
    traceback_of = error.__traceback__ if error is not None else sys.exc_info()[2]
    templates = tuple(f".{suffix}" for suffix in TEMPLATE_SUFFIXES)
    for frame in reversed(traceback.extract_tb(traceback_of)):
        if frame.filename.endswith(templates):
            if site_only is not None and not any(
                Path(frame.filename).is_relative_to(folder) for folder in site_only
            ):
                return None
            return f"{shown_file(frame.filename)}:{frame.lineno}"
    return None


def _reported_place(error: jinja2.TemplateError) -> str | None:
    filename = getattr(error, "filename", None)
    line = getattr(error, "lineno", None)
    if not filename:
        return None
    return f"{shown_file(filename)}:{line}" if line else shown_file(filename)


def _check_extends_loop(start: str, extends: dict[str, tuple[str, str, int]]) -> None:
    """Raise a TemplateError if following `{% extends %}` from `start` comes back to it."""
    chain = [start]
    name = start
    while name in extends:
        name = extends[name][1]
        if name == start:
            filename, parent, line = extends[start]
            where = f"{shown_file(filename)}:{line}"
            if len(chain) == 1:
                own = f"{THEME_PREFIX}/{start}"
                raise TemplateError(
                    f'{where}: extends "{parent}", which is this template itself; to build on '
                    f'the theme\'s {start}, write {{% extends "{own}" %}}'
                )
            loop = " → ".join([*chain, start])
            raise TemplateError(f"{where}: templates extend one another in a loop: {loop}")
        if name in chain:
            return  # a loop that does not pass through `start`: reported from its own start
        chain.append(name)
