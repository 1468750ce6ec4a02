"""The curator's comment: Markdown rendered to HTML, then cleaned by an allow-list sanitiser."""

from __future__ import annotations

import html
import re
import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from urllib.parse import urljoin

import markdown
import nh3
from markdown.extensions.fenced_code import FencedCodeExtension
from markdown.extensions.sane_lists import SaneListExtension
from markdown.extensions.tables import TableExtension

from roundup.core.text import collapse_spaces
from roundup.read import simplemd

_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "code", "del", "dd", "dl", "dt", "em", "h1", "h2", "h3",
    "h4", "h5", "h6", "hr", "i", "img", "kbd", "li", "mark", "ol", "p", "pre", "q", "s",
    "samp", "small", "strong", "sub", "sup", "table", "tbody", "td", "tfoot", "th", "thead",
    "tr", "ul",
}  # fmt: skip
_ATTRIBUTES = {
    "a": {"href", "title"},
    "abbr": {"title"},
    "img": {"src", "alt", "title", "width", "height"},
    "td": {"align"},
    "th": {"align"},
    "ol": {"start"},
}
_SCHEMES = {"http", "https", "mailto"}
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
    return Comment(clean(converted))


# Built once: configuring a sanitiser costs three times as much as cleaning a comment with it.
_CLEANER = nh3.Cleaner(
    tags=_TAGS,
    attributes=_ATTRIBUTES,
    url_schemes=_SCHEMES,
    link_rel="noopener",
    strip_comments=True,
)


def clean(fragment: str) -> str:
    """Keep only the allowed tags, attributes and URL schemes of an HTML fragment."""
    return _CLEANER.clean(fragment).strip()


# A link or image of a cleaned comment whose URL names no scheme: relative to its page.
_RELATIVE = re.compile(r'(?:href|src)="(?![a-zA-Z][a-zA-Z0-9+.-]*:)')


def with_absolute_links(fragment: str, base: str) -> str:
    """A cleaned comment with its relative links and images resolved against `base` (the
    item's page): for feeds, where a reader would resolve them against the feed's address
    (RSS and JSON Feed have no `xml:base`). Most comments have none, and are handed back."""
    if _RELATIVE.search(fragment) is None:
        return fragment

    def resolve(tag: str, attribute: str, value: str) -> str:
        return urljoin(base, value) if attribute in ("href", "src") else value

    resolved: str = nh3.clean(
        fragment, tags=_TAGS, attributes=_ATTRIBUTES, url_schemes=_SCHEMES, link_rel="noopener",
        strip_comments=True, attribute_filter=resolve,
    )  # fmt: skip
    return resolved.strip()


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
