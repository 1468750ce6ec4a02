"""The curator's comment: Markdown rendered to HTML, then cleaned by an allow-list sanitiser."""

from __future__ import annotations

import html
import re
import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import markdown
import nh3
from markdown.extensions.fenced_code import FencedCodeExtension
from markdown.extensions.sane_lists import SaneListExtension
from markdown.extensions.tables import TableExtension

from roundup.core.links import encode_unsafe
from roundup.core.text import collapse_spaces
from roundup.read import simplemd

_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "code", "del", "dd", "details", "dl", "dt", "em",
    "figcaption", "figure", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "i", "img", "kbd", "li",
    "mark", "ol", "p", "pre", "q", "s", "samp", "small", "strong", "sub", "summary", "sup",
    "table", "tbody", "td", "tfoot", "th", "thead", "tr", "ul",
}  # fmt: skip
_ATTRIBUTES = {
    "a": {"href", "title"},
    "abbr": {"title"},
    "img": {"src", "alt", "title", "width", "height"},
    # A table column's alignment: Python-Markdown writes it as a style (older ones as align).
    "td": {"align", "style"},
    "th": {"align", "style"},
    "ol": {"start"},
}
_STYLES = {"text-align"}
_SCHEMES = {"http", "https", "mailto"}
_SCHEME_PREFIXES = {scheme + ":" for scheme in _SCHEMES}
MAX_MARKDOWN = 100_000  # characters; a comment longer than this is a mistake, not a comment
# Python-Markdown is quadratic on some inputs (100,000 "[" take a quarter of an hour); past
# this budget the comment is shown as plain text instead of stalling the build.
TIME_BUDGET = 2.0  # seconds
_HAS_TIMER = hasattr(signal, "setitimer")  # not on Windows


@dataclass(frozen=True, slots=True)
class Comment:
    """Safe HTML of a comment, and whether Markdown gave up on it (shown as plain text)."""

    html: str
    plain: bool = False
    # Addresses of links and images left out: relative ones ("notes.html", "/about/", "#top")
    # would lead somewhere else on each page that shows the comment, and other schemes (ftp:,
    # javascript:) are not for a web page. A link keeps its text.
    dropped: tuple[str, ...] = ()
    # Elements left open that would have hidden the rest of the comment: shown as text.
    unclosed: tuple[str, ...] = ()


class _TooSlow(Exception):
    pass


def _new_converter() -> markdown.Markdown:
    # Extensions as objects, not names: a name is looked up among the installed packages'
    # entry points, which reads the metadata of every package (12 ms of each build).
    extensions = [FencedCodeExtension(), TableExtension(), SaneListExtension()]
    return markdown.Markdown(extensions=extensions)


# One converter per process: building it (extension loading) costs more than a short render.
_converter = _new_converter()


def render_comment(text: str) -> Comment:
    """Markdown → HTML that is safe to embed: no scripts, styles, handlers or odd schemes."""
    global _converter
    if not text.strip():
        return Comment("")
    # Most comments are plain paragraphs, which this renders some 15 times faster.
    simple = simplemd.render(text)
    if simple is not None:
        return Comment(simple)
    try:
        with _time_limit(TIME_BUDGET):
            converted = _converter.reset().convert(text)
    except (_TooSlow, RecursionError, ValueError, IndexError, KeyError):
        # Too slow, too deep, or a parser bug met on odd input: none may stop the build.
        _converter = _new_converter()  # interrupted midway: its state cannot be trusted
        return Comment(plain_text(text), plain=True)
    converted, unclosed = _escape_unclosed(converted)
    dropped: list[str] = []
    return Comment(clean(converted, dropped), dropped=tuple(dropped), unclosed=unclosed)


# Elements whose content an HTML parser reads as text up to their end tag (or, for <template>,
# keeps apart): one left open took the rest of the comment with it, as the sanitiser drops
# what a <style> or <script> holds, and the rest of an <xmp> came out as markup.
_RAW_TEXT = re.compile(
    r"<(script|style|template|xmp|plaintext|title|textarea|noembed|noframes|noscript|iframe)"
    r"\b[^>]*>",
    re.IGNORECASE,
)


def _escape_unclosed(fragment: str) -> tuple[str, tuple[str, ...]]:
    """The fragment with each such element's opening tag that no end tag follows written as
    text (the curator's words after it kept), and the names of those elements."""
    if "<" not in fragment:
        return fragment, ()
    unclosed: list[str] = []

    def escaped(found: re.Match[str]) -> str:
        name = found[1].lower()
        if name != "plaintext" and re.search(f"</{name}\\s*>", fragment[found.end() :], re.I):
            return found[0]
        unclosed.append(name)
        return html.escape(found[0])

    return _RAW_TEXT.sub(escaped, fragment), tuple(dict.fromkeys(unclosed))


# The scheme a URL names; one that names none is relative to the page it is on.
_SCHEME = re.compile(r"[a-zA-Z][a-zA-Z0-9+.-]*:")
# Dropped by the sanitiser (a refused scheme, or relative), a link keeps its text; an image,
# nothing, as an <img> without src is not HTML.
_BARE_LINK = re.compile(r"<a (?:(?!href=)[^>])*>(.*?)</a>", re.DOTALL)
_IMAGE = re.compile(r"<img\b[^>]*>")
_NESTED_P = re.compile(r"<p[ >](?:(?!</p>).)*?<p[ >]", re.DOTALL)  # a paragraph in another


def clean(fragment: str, dropped: list[str] | None = None) -> str:
    """Keep only the allowed tags, attributes, styles and URL schemes of an HTML fragment:
    links and images only to absolute http(s) or mailto addresses (`dropped` hears of the
    others), written as a validator accepts them; every image with an alt text (empty when
    none is given, as for a Markdown image) and a size only in pixels."""
    _state.dropped = [] if dropped is None else dropped
    try:
        cleaned: str = _CLEANER.clean(fragment)
    finally:
        _state.dropped = []
    if _NESTED_P.search(cleaned):
        # A stray <select> leaves paragraphs inside a paragraph, which the serialiser writes
        # as they are (invalid: "no p element in scope"); read again, they come out apart.
        cleaned = _CLEANER.clean(cleaned)
    if "<a " in cleaned:
        cleaned = _BARE_LINK.sub(r"\1", cleaned)
    if "<img" in cleaned:
        cleaned = _IMAGE.sub(_usable_image, cleaned)
    return cleaned.strip()


def _check(tag: str, attribute: str, value: str) -> str | None:
    if attribute in ("href", "src"):
        scheme = _SCHEME.match(value)
        if scheme is None or scheme.group().lower() not in _SCHEME_PREFIXES:
            _state.dropped.append(value)
            return None
        return encode_unsafe(value)
    if attribute in ("width", "height"):
        return value if value.isascii() and value.isdigit() else None
    return value


# What `_check` tells of the fragment being cleaned (one per thread: `serve` builds in one).
_state = threading.local()
_state.dropped = []
# Built once: configuring a sanitiser costs three times as much as cleaning a comment with it.
_CLEANER = nh3.Cleaner(
    tags=_TAGS,
    attributes=_ATTRIBUTES,
    url_schemes=_SCHEMES,
    link_rel="noopener",
    strip_comments=True,
    attribute_filter=_check,
    filter_style_properties=_STYLES,
)


def _usable_image(match: re.Match[str]) -> str:
    tag = match.group()
    if " src=" not in tag:
        return ""
    return tag if " alt=" in tag else tag[:4] + ' alt=""' + tag[4:]


def text_of(fragment: str) -> str:
    """A cleaned comment as one line of plain text (for a feed entry's summary): its tags
    dropped (a block's end is a space, so that words of two blocks stay apart), its characters
    unescaped, its whitespace collapsed."""
    spaced = _BLOCK_END.sub(r"\g<0> ", fragment)
    return collapse_spaces(html.unescape(nh3.clean(spaced, tags=set())))


_BLOCK_END = re.compile(r"</(?:p|li|pre|h[1-6]|blockquote|t[dhr]|table|[ou]l|dd|dt|div)>|<br ?/?>")


def plain_text(text: str) -> str:
    """The text escaped, one paragraph per block of lines: a fallback that cannot go wrong."""
    blocks = (collapse_spaces(block) for block in text.split("\n\n"))
    return "\n".join(f"<p>{html.escape(block, quote=False)}</p>" for block in blocks if block)


@contextmanager
def _time_limit(seconds: float) -> Iterator[None]:
    # A timer signal is the one way to stop pure-Python code from outside; it only works in
    # the main thread (of this process or of a forked worker), elsewhere there is no limit.
    if threading.current_thread() is not threading.main_thread() or not _HAS_TIMER:
        yield
        return

    def expire(signum: int, frame: object) -> None:
        raise _TooSlow

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
