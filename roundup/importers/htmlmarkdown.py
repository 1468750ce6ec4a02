"""HTML from feeds as Markdown for an article's comment, or as one line of plain text.

Why not a library such as markdownify: the Markdown is read back by roundup's renderer,
Python-Markdown, whose escapes differ from CommonMark's (`\\<` is not an escape there, so a
CommonMark converter's output shows stray backslashes), and markdownify leaves `<` from the
text unescaped, which would put raw HTML into the file. This converter is an allow-list by
construction: only the elements below produce Markdown, links and images only with http(s)
(and mailto) URLs, and every other element gives its text alone, escaped, so no tag from a
feed ever reaches the file. The tests read its output back through roundup's renderer.
"""

from __future__ import annotations

import re
from urllib.parse import urljoin, urlsplit

import lxml.html
from lxml import etree

from roundup.core.links import clean_url
from roundup.core.text import CONTROL_CHARS, collapse_spaces

__all__ = ["note_markdown", "to_markdown", "to_text"]

# Elements dropped with everything in them: code, embedded objects, forms, metadata.
_DROPPED = frozenset(
    {
        "script", "style", "noscript", "template", "iframe", "frame", "frameset", "object", "embed",
        "applet", "svg", "math", "form", "button", "input", "select", "option", "textarea", "head",
        "title", "meta", "link", "base", "audio", "video", "canvas", "map", "area",
    }
)  # fmt: skip
# Elements that make a block of their own; their content is read as blocks.
_CONTAINERS = frozenset(
    {
        "p", "div", "section", "article", "header", "footer", "main", "aside", "figure",
        "figcaption", "address", "center", "details", "summary", "nav", "body", "html", "fieldset",
        "legend", "caption",
    }
)  # fmt: skip
_HEADINGS = {"h1": 2, "h2": 2, "h3": 3, "h4": 4, "h5": 5, "h6": 6}  # h1 is the page's title
_LISTS_AND_TABLES = frozenset(
    {"blockquote", "ul", "ol", "li", "pre", "hr", "table", "thead", "tbody", "tfoot", "tr",
     "td", "th", "dl", "dt", "dd"}
)  # fmt: skip
_BLOCKS = _CONTAINERS | set(_HEADINGS) | _LISTS_AND_TABLES
_EMPHASIS = frozenset({"em", "i", "cite", "dfn", "var"})
_STRONG = frozenset({"strong", "b"})
_CODE = frozenset({"code", "kbd", "samp", "tt"})
_SCHEMES = ("http", "https")
_BREAK = "\ue000"  # a line break inside a paragraph (a private-use character, never in text)
_SPACE = re.compile(r"\s+")
# What Python-Markdown reads as markup anywhere in a line; escaped with a backslash.
_INLINE_MARKUP = re.compile(r"([\\`*_\[\]])")
_ENTITY_LIKE = re.compile(r"&(?=#?[A-Za-z0-9]+;)")
# What makes a line a heading, a quote, a list item or a rule when it starts a line.
_LINE_START = re.compile(r"^(#|>|[-+*](?=\s|$)|\d+(?=[.)](?:\s|$))|=+\s*$|-+\s*$)")
# A `<` that starts a tag, a comment or a declaration; autolinks (`<https://…>`) are safe.
_TAG_START = re.compile(r"<(?=[A-Za-z/!?])(?!(?:https?://|mailto:))", re.I)


def to_markdown(html: str, base_url: str = "") -> str:
    """The HTML fragment as Markdown: paragraphs, headings, quotes, lists, code, emphasis,
    links and images, with any text that looks like Markdown or HTML escaped. Relative
    links are resolved against `base_url`; links of other schemes keep their text only."""
    root = _parse(html)
    if root is None:
        return ""
    # Only newlines stripped: a code block's indentation is its markup.
    blocks = [_fenced(b) if type(b) is _Code else b for b in _Converter(base_url).blocks(root)]
    return "\n\n".join(blocks).strip("\n")


class _Code(str):
    """A code block, indented: at the top of the text it is fenced instead (see `_fenced`)."""

    __slots__ = ("code",)
    code: str


def _fenced(block: _Code) -> str:
    """A top-level code block between ``` fences: indented, it continued a list before it
    (in Markdown, an indented line after a list item is more of the item). Inside a list
    or a quote it stays indented, as Python-Markdown fences only at the top."""
    fence = "`" * max(3, 1 + max((len(r) for r in re.findall(r"`+", block.code)), default=0))
    return f"{fence}\n{block.code}\n{fence}"


def to_text(html: str) -> str:
    """The fragment's text on one line: entities decoded, blocks apart, code and styles
    dropped, whitespace collapsed."""
    root = _parse(html)
    if root is None:
        return ""
    pieces: list[str] = []
    _collect_text(root, pieces)
    return collapse_spaces("".join(pieces))


def note_markdown(text: str) -> str:
    """A note written as plain text or Markdown (bookmark services' notes) for the comment:
    kept as written, but anything an HTML parser would read as a tag escaped."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return _TAG_START.sub("&lt;", text).strip()


def _parse(html: str) -> lxml.html.HtmlElement | None:
    # The break marker is this module's own: one in the input would be read as a break.
    html = CONTROL_CHARS.sub("", html.replace(_BREAK, "")).strip()
    if not html:
        return None
    try:
        return lxml.html.fragment_fromstring(html, create_parent="div")
    except (etree.ParserError, ValueError):
        pass
    try:  # a whole document rather than a fragment
        document = lxml.html.document_fromstring(html)
        return document.find("body") if document.find("body") is not None else document
    except (etree.ParserError, ValueError):  # nothing an HTML parser can read: keep the text
        root = lxml.html.Element("div")
        root.text = html
        return root


def _tag(element: lxml.html.HtmlElement) -> str:
    tag = element.tag
    return tag.lower() if isinstance(tag, str) else ""  # comments and processing instructions


def _collect_text(element: lxml.html.HtmlElement, pieces: list[str]) -> None:
    tag = _tag(element)
    if tag and tag not in _DROPPED:
        block = tag in _BLOCKS or tag == "br"
        if block:
            pieces.append(" ")
        pieces.append(element.text or "")
        for child in element:
            _collect_text(child, pieces)
        if block:
            pieces.append(" ")
    pieces.append(element.tail or "")


def escape(text: str) -> str:
    """Plain text as Markdown that reads back as that text (for one line's inside)."""
    text = _INLINE_MARKUP.sub(r"\\\1", text)
    return _ENTITY_LIKE.sub("&amp;", text).replace("<", "&lt;")


def escape_line_start(line: str) -> str:
    """A line that Markdown would read as a heading, quote, list item or rule, escaped."""
    match = _LINE_START.match(line)
    if not match:
        return line
    mark = match.group()
    if mark[0].isdigit():  # `1. ` → `1\. `
        return mark + "\\" + line[len(mark) :]
    if mark[0] == "=":  # `=` has no backslash escape in Python-Markdown: an entity instead
        return "&#61;" + line[1:]
    return "\\" + line


class _Converter:
    def __init__(self, base_url: str) -> None:
        self.base_url = base_url

    def blocks(self, element: lxml.html.HtmlElement) -> list[str]:
        """The element's content as Markdown blocks; runs of inline content are paragraphs."""
        blocks: list[str] = []
        run: list[str] = [_escaped_text(element.text)]
        for child in element:
            tag = _tag(child)
            if tag in _BLOCKS:
                _paragraph(run, blocks)
                run = []
                blocks.extend(self.block(child, tag))
            elif tag and tag not in _DROPPED:
                run.append(self.inline(child, tag))
            run.append(_escaped_text(child.tail))
        _paragraph(run, blocks)
        return blocks

    def block(self, element: lxml.html.HtmlElement, tag: str) -> list[str]:
        if tag in _HEADINGS:
            text = _one_line(self.inline_content(element))
            return [f"{'#' * _HEADINGS[tag]} {text}"] if text else []
        if tag == "blockquote":
            inner = "\n\n".join(self.blocks(element))
            return [_prefixed(inner, "> ", "> ")] if inner else []
        if tag in ("ul", "ol"):
            return self.list_blocks(element, ordered=tag == "ol")
        if tag == "pre":
            code = (element.text_content() or "").expandtabs(4).strip("\n")
            if not code.strip():
                return []
            block = _Code(_prefixed(code, "    ", "    "))
            block.code = code
            return [block]
        if tag == "hr":
            return ["* * *"]
        if tag == "tr":  # a table row as one line: Markdown tables need a header row
            cells = [_one_line(self.inline_content(c)) for c in element if _tag(c) in ("td", "th")]
            line = " · ".join(c for c in cells if c)
            return [line] if line else []
        if tag == "dt":
            text = _one_line(self.inline_content(element))
            return [f"**{text}**"] if text else []
        return self.blocks(element)  # containers, table parts, li and dd outside their lists

    def list_blocks(self, element: lxml.html.HtmlElement, ordered: bool) -> list[str]:
        items: list[str] = []
        number = _start(element) if ordered else 1
        for child in element:
            tag = _tag(child)
            if not tag or tag in _DROPPED:
                continue
            parts = self.block(child, tag) if tag in _BLOCKS - {"li"} else self.blocks(child)
            inner = _item_text(parts)
            if not inner.strip():
                continue
            marker = f"{number}. " if ordered else "- "
            items.append(_prefixed(inner, marker.ljust(4), "    "))
            number += 1
        return ["\n".join(items)] if items else []

    def inline(self, element: lxml.html.HtmlElement, tag: str) -> str:
        if tag == "br":
            return _BREAK
        if tag == "img":
            return self.image(element)
        if tag in _CODE:
            return _code_span(element.text_content() or "")
        inner = self.inline_content(element)
        if tag in _EMPHASIS:
            return _wrapped(inner, "*")
        if tag in _STRONG:
            return _wrapped(inner, "**")
        if tag == "a":
            return self.link(element, inner)
        return inner

    def inline_content(self, element: lxml.html.HtmlElement) -> str:
        parts = [_escaped_text(element.text)]
        for child in element:
            tag = _tag(child)
            if tag in _BLOCKS:  # a block inside inline content: its text, set apart
                parts.append(" " + self.inline_content(child) + " ")
            elif tag and tag not in _DROPPED:
                parts.append(self.inline(child, tag))
            parts.append(_escaped_text(child.tail))
        return "".join(parts)

    def url(self, value: str | None) -> str | None:
        if not value or not value.strip():
            return None
        url = urljoin(self.base_url, value.strip()) if self.base_url else value.strip()
        try:
            scheme = urlsplit(url).scheme.lower()
            url = clean_url(url)
        except ValueError:
            return None
        if scheme == "mailto":
            return url.replace("(", "%28").replace(")", "%29")
        if scheme not in _SCHEMES or not urlsplit(url).hostname:
            return None
        return url.replace("(", "%28").replace(")", "%29").replace('"', "%22")

    def link(self, element: lxml.html.HtmlElement, inner: str) -> str:
        url = self.url(element.get("href"))
        if url is None:
            return inner
        label = _one_line(inner)
        if not label:
            return ""
        return f"[{label}]({url})"

    def image(self, element: lxml.html.HtmlElement) -> str:
        url = self.url(element.get("src"))
        if url is None or url.startswith("mailto:") or _is_pixel(element):
            return ""
        alt = escape(_one_line_raw(element.get("alt") or ""))
        return f"![{alt}]({url})"


def _escaped_text(text: str | None) -> str:
    return escape(_SPACE.sub(" ", text)) if text else ""


def _one_line_raw(text: str) -> str:
    return collapse_spaces(text)


def _one_line(markdown: str) -> str:
    return collapse_spaces(markdown.replace(_BREAK, " "))


def _paragraph(run: list[str], blocks: list[str]) -> None:
    """Close a run of inline Markdown as a paragraph: whitespace collapsed, line starts escaped,
    `<br>` as a hard line break."""
    lines = [collapse_spaces(line) for line in "".join(run).split(_BREAK)]
    while lines and not lines[-1]:
        lines.pop()
    while lines and not lines[0]:
        lines.pop(0)
    if lines:
        blocks.append("  \n".join(escape_line_start(line) for line in lines if line))


def _item_text(blocks: list[str]) -> str:
    """A list item's blocks: a nested list follows its line directly, keeping the list tight."""
    text = ""
    for block in blocks:
        nested = block.startswith(("-   ", "    ")) or bool(re.match(r"\d+\.\s", block))
        text += ("\n" if nested else "\n\n") + block if text else block
    return text


def _prefixed(text: str, first: str, rest: str) -> str:
    lines = text.split("\n")
    out = [first + lines[0]]
    out += [(rest + line) if line else rest.rstrip() for line in lines[1:]]
    return "\n".join(out)


def _wrapped(inner: str, mark: str) -> str:
    core = inner.strip()
    if not core or core == _BREAK:
        return inner
    lead = inner[: len(inner) - len(inner.lstrip())]
    trail = inner[len(inner.rstrip()) :]
    return f"{lead}{mark}{core}{mark}{trail}"


def _code_span(text: str) -> str:
    code = collapse_spaces(text)
    if not code:
        return ""
    longest = max((len(run) for run in re.findall(r"`+", code)), default=0)
    fence = "`" * (longest + 1)
    padded = f" {code} " if code.startswith("`") or code.endswith("`") else code
    return f"{fence}{padded}{fence}"


def _start(element: lxml.html.HtmlElement) -> int:
    try:
        return max(1, int(element.get("start") or 1))
    except ValueError:
        return 1


def _is_pixel(element: lxml.html.HtmlElement) -> bool:
    """A tracking pixel (1 by 1 pixel, as feed services add to every entry)."""
    sizes = (element.get("width") or "", element.get("height") or "")
    return any(size.strip() in ("0", "1", "0px", "1px") for size in sizes)
