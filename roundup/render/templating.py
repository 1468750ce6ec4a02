"""The Jinja environment (site templates over the packaged theme) and page rendering."""

from __future__ import annotations

import hashlib
import sys
import traceback
from collections.abc import Callable, MutableMapping
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from types import BuiltinMethodType, FunctionType
from typing import Any

import jinja2
import jinja2.compiler
import jinja2.runtime
from jinja2.utils import missing
from markupsafe import Markup, escape

from roundup import __version__
from roundup.core.config import SiteConfig
from roundup.core.dates import format_date, format_time
from roundup.core.errors import TemplateError
from roundup.core.weeks import EditionCalendar
from roundup.site import filters as F
from roundup.site import structure as S
from roundup.site.listed import listed_comment
from roundup.site.pages import Page

STATIC_DIR = "static"
TEMPLATE_SUFFIXES = ("html", "xml", "txt", "opml")
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


# Pages print thousands of small values, and the Jinja defaults behind each of them cost more
# than the value itself. `_Environment` takes three shortcuts that leave every output
# byte-identical: they only skip work whose result is known in advance.

_escape_inner: Callable[[str], str] | None
try:  # MarkupSafe's C escaper, without the Markup wrapper that printed output never needs
    from markupsafe._speedups import _escape_inner
except ImportError:  # pragma: no cover - MarkupSafe without its C speedups, or before 3.0
    _escape_inner = None

# Callables that never take a context: a Python function carries any `jinja_pass_arg` mark
# itself, a builtin method can carry none.
_PLAIN_CALLABLES = frozenset({FunctionType, BuiltinMethodType})


def _escape_output(value: Any) -> str:
    """What `{{ value }}` prints: the text of `markupsafe.escape(value)`."""
    kind = type(value)
    if kind is str and _escape_inner is not None:  # never None when the compiler calls this
        return _escape_inner(value)
    if kind is Markup:  # a macro's output, already safe
        markup: Markup = value
        return markup
    if kind is int:  # sizes and counts: digits need no escaping
        return str(value)
    return escape(value)


class _CodeGenerator(jinja2.compiler.CodeGenerator):
    """Compiles `{{ … }}` to `_escape_output`, half the cost of `escape` (a page has ~150).

    A printed value is only ever joined into the page or into a macro's result (made Markup
    as a whole), so it need not be Markup itself.
    """

    def _output_child_pre(
        self,
        node: jinja2.nodes.Expr,
        frame: jinja2.compiler.Frame,
        finalize: jinja2.compiler.CodeGenerator._FinalizeInfo,
    ) -> None:
        if frame.eval_ctx.volatile or not frame.eval_ctx.autoescape or _escape_inner is None:
            super()._output_child_pre(node, frame, finalize)
            return
        self.write("environment.escape_output(")
        if finalize.src is not None:
            self.write(finalize.src)


class _Context(jinja2.runtime.Context):
    """Calls plain functions and macros the short way (a list page makes hundreds of calls).

    `Context.call` looks for a `jinja_pass_arg` mark on the callable and on its `__call__`
    each time, which costs more than calling `url()` itself.
    """

    # `__self` and `__obj` as in Jinja: a template may pass keyword arguments `self` or `obj`.
    # `__obj` is whatever a template calls, told apart by its type below.
    def call(__self, __obj: Any, *args: Any, **kwargs: Any) -> Any:
        kind = type(__obj)
        if kind is jinja2.runtime.Macro:
            if kwargs:  # loop and block variables only matter to callables taking the context
                kwargs.pop("_block_vars", None)
                kwargs.pop("_loop_vars", None)
            return _call_macro(__obj, __self.eval_ctx, args, kwargs)
        if kind not in _PLAIN_CALLABLES or hasattr(__obj, "jinja_pass_arg"):
            return super().call(__obj, *args, **kwargs)
        if kwargs:
            kwargs.pop("_block_vars", None)
            kwargs.pop("_loop_vars", None)
        try:
            return __obj(*args, **kwargs)
        except StopIteration:  # as Jinja does
            return __self.environment.undefined(
                "value was undefined because a callable raised a StopIteration exception"
            )


def _call_macro(
    macro: jinja2.runtime.Macro,
    eval_ctx: jinja2.nodes.EvalContext,
    args: tuple[Any, ...],
    kwargs: dict[str, Any],
) -> Any:
    """What `macro(*args, **kwargs)` returns, without Macro.__call__'s general argument binding
    (a list page calls a macro or two per item).

    Macros that take `caller`, `varargs` or `kwargs`, and calls with an argument the macro
    does not have, take Jinja's own way, which also raises its errors.
    """
    if macro.caller or macro.catch_kwargs or macro.catch_varargs:
        return macro(eval_ctx, *args, **kwargs)
    arguments = list(args[: macro._argument_count])
    unused = len(kwargs)
    for name in macro.arguments[len(arguments) :]:
        value = kwargs.get(name, missing)
        unused -= value is not missing
        arguments.append(value)
    if unused or len(args) > len(arguments):
        return macro(eval_ctx, *args, **kwargs)
    result = macro._func(*arguments)
    return Markup(result) if eval_ctx.autoescape else result


class _Environment(jinja2.Environment):
    """Jinja's environment with the shortcuts above."""

    code_generator_class = _CodeGenerator
    context_class = _Context

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self.escape_output = _escape_output  # what compiled templates call (see above)

    def make_globals(self, d: MutableMapping[str, Any] | None) -> MutableMapping[str, Any]:
        # Jinja lays a ChainMap of the template's own globals over these, which it then reads
        # key by key in Python for every page and every import (13 µs a page). roundup never
        # gives a template globals of its own, so templates can share the live dict itself.
        return super().make_globals(d) if d else self.globals


class Renderer:
    """Renders pages with the site's templates, falling back file by file to the theme."""

    def __init__(self, config: SiteConfig, preview: bool, globals_: dict[str, Any]) -> None:
        self.config = config
        folders = [str(config.templates_dir)] if config.templates_dir.is_dir() else []
        folders.append(str(theme_dir()))
        self.folders = folders
        self.env = _Environment(
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
            first_image=F.first_image,
            domain=F.domain_of,
            provider_name=F.provider_of,
            coverage=F.coverage,
            plural=F.plural,
            without=F.without,
            # Safe: comment_html only rewrites tags of the already sanitised comment.
            comment=lambda html, level: Markup(F.comment_html(html, level)),
            listed_comment=listed_comment,
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
            edition_path=EditionCalendar.of(config).path,
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
        for name in self.env.list_templates(extensions=TEMPLATE_SUFFIXES):
            try:
                self.env.get_template(name)
            except jinja2.TemplateSyntaxError as error:
                where = shown_file(error.filename or name)
                raise TemplateError(f"{where}:{error.lineno}: {error.message}") from None
            except (OSError, UnicodeDecodeError) as error:
                raise TemplateError(f"{name}: cannot read the template: {error}") from None

    def check_extends(self) -> None:
        """Raise a TemplateError for templates that extend themselves, or one another in a
        loop. Run only once rendering recursed without end: parsing every template again
        would cost each build a tenth of a second."""
        extends: dict[str, tuple[str, str, int]] = {}  # name -> (file, parent, line)
        loader = self.env.loader
        assert loader is not None, "__init__ gives the environment its loader"
        for name in self.env.list_templates(extensions=TEMPLATE_SUFFIXES):
            source, filename, _ = loader.get_source(self.env, name)
            for node in self.env.parse(source).find_all(jinja2.nodes.Extends):
                if isinstance(node.template, jinja2.nodes.Const):
                    extends[name] = (filename or name, str(node.template.value), node.lineno)
        for name in extends:
            _check_extends_loop(name, extends)

    def render(self, page: Page) -> bytes:
        try:
            template = self.env.get_template(page.template)
            text = template.render(page=page, **page.context)
        except jinja2.TemplateError as error:
            where = _template_frame(error) or _reported_place(error) or page.template
            raise TemplateError(f"{where}: while rendering /{page.path}: {error}") from None
        except RecursionError:
            where = _template_frame(None) or page.template
            self.check_extends()
            message = "templates include one another without end (does one include itself?)"
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
