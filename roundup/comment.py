"""The curator's comment: Markdown rendered to HTML, then cleaned by an allow-list sanitiser."""

from __future__ import annotations

import markdown
import nh3

_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "code", "del", "dd", "dl", "dt", "em", "h2", "h3",
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

# One converter per process: building it (extension loading) costs more than a short render.
_converter = markdown.Markdown(extensions=["fenced_code", "tables", "sane_lists"])


def render_comment(text: str) -> str:
    """Markdown → HTML that is safe to embed: no scripts, styles, handlers or odd schemes."""
    if not text.strip():
        return ""
    html = _converter.reset().convert(text)
    return nh3.clean(
        html,
        tags=_TAGS,
        attributes=_ATTRIBUTES,
        url_schemes=_SCHEMES,
        link_rel="noopener",
        strip_comments=True,
    ).strip()
