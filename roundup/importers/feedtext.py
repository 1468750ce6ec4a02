"""A feed entry's summary and content as an excerpt and a Markdown comment, for any feed format.

A summary of one short paragraph is the excerpt; a longer one (a whole post in RSS's
`<description>`) is the comment. The content is the comment, without a first paragraph that
repeats the summary. An entry written by roundup (its content ends with a paragraph
`Source: <a href="the link">provider</a>`, then other coverage and the permalink) gives back
its own comment and provider: importing another roundup's feed keeps what its curator wrote,
not the feed's furniture.
"""

from __future__ import annotations

from dataclasses import dataclass

import lxml.html
from lxml import etree

from roundup.core.links import canonical_link
from roundup.core.text import collapse_spaces, cut_at_word
from roundup.importers.entry import EXCERPT_LIMIT
from roundup.importers.htmlmarkdown import to_markdown, to_text
from roundup.render.feeds import summary_of_comment

__all__ = ["EntryText", "entry_text", "title_from_text", "titled"]

TITLE_WORDS = 100  # characters of a text that make a title for an entry without one


@dataclass(frozen=True, slots=True)
class EntryText:
    description: str  # plain text, for the excerpt
    note: str  # Markdown, for the comment
    provider_name: str = ""


def entry_text(summary_html: str, content_html: str, link: str, base_url: str = "") -> EntryText:
    """The excerpt and comment of an entry from its summary and content (both HTML)."""
    summary = to_text(summary_html)
    provider = ""
    if content_html.strip():
        content_html, provider, first = _without_furniture(content_html, link)
        if provider and summary == summary_of_comment(content_html) and _has_markup(content_html):
            # roundup's entry of a link without an excerpt: its summary is the opening of the
            # comment, as text; the comment is the content, markup and links kept. (An
            # excerpt is plain text: a plain paragraph the summary repeats may be one.)
            summary = ""
        elif summary and collapse_spaces(first) == summary:  # the summary, repeated
            content_html = _without_first_paragraph(content_html)
        elif (
            not summary
            and first
            and _short(first)
            and not _more_than(content_html, first)
            and not (provider and _has_markup(content_html))
        ):  # one short paragraph: an excerpt (roundup's Atom has no summary; an excerpt is
            # plain text there, so a paragraph with links or emphasis is the comment)
            summary, content_html = collapse_spaces(first), ""
    if summary and not _short(summary):
        return EntryText("", to_markdown(content_html or summary_html, base_url), provider)
    return EntryText(summary, to_markdown(content_html, base_url), provider)


def titled(title: str, text: EntryText) -> tuple[str, str]:
    """The entry's title and excerpt: an untitled entry (a microblog post) is titled from its
    text, and an excerpt that all went into the title is not written again beneath it."""
    if title:
        return title, text.description
    made = title_from_text(text.description or text.note)
    return made, "" if made == text.description else text.description


def title_from_text(markdown_or_text: str) -> str:
    """A title for an untitled entry (a microblog post): the start of its text, cut at a
    word, with an ellipsis when cut."""
    text = collapse_spaces(to_text(markdown_or_text.split("\n\n", 1)[0]))
    text = text.replace("\\", "")  # the text is read from Markdown: no escapes in a title
    return cut_at_word(text, TITLE_WORDS)


def _short(text: str) -> bool:
    return len(text) <= EXCERPT_LIMIT


def _more_than(content_html: str, first: str) -> bool:
    return collapse_spaces(to_text(content_html)) != collapse_spaces(first)


def _root(html: str) -> lxml.html.HtmlElement | None:
    try:
        return lxml.html.fragment_fromstring(html, create_parent="div")
    except (etree.ParserError, ValueError):
        return None


def _serialised(root: lxml.html.HtmlElement) -> str:
    inner = root.text or ""
    return inner + "".join(lxml.html.tostring(c, encoding="unicode") for c in root)


def _without_furniture(html: str, link: str) -> tuple[str, str, str]:
    """The content without roundup's closing paragraphs, the provider they named, and the
    text of the first paragraph (empty when the content does not start with one)."""
    root = _root(html)
    if root is None:
        return html, "", ""
    provider = ""
    children = [c for c in root if isinstance(c.tag, str)]
    for index, child in enumerate(children):
        anchors = child.findall("a") if child.tag == "p" else []
        text = child.text_content().strip()
        if (
            len(anchors) == 1
            and text.startswith("Source:")
            and canonical_link(anchors[0].get("href") or "") == canonical_link(link)
        ):
            provider = collapse_spaces(anchors[0].text_content())
            for later in children[index:]:
                root.remove(later)
            html = _serialised(root)
            break
    first = ""
    start = [c for c in root if isinstance(c.tag, str)]
    if start and start[0].tag == "p" and not (root.text or "").strip():
        first = start[0].text_content()
    return html, provider, first


def _has_markup(html: str) -> bool:
    """Whether the fragment's paragraphs hold elements (links, emphasis), not text alone."""
    root = _root(html)
    return root is not None and any(len(child) for child in root if isinstance(child.tag, str))


def _without_first_paragraph(html: str) -> str:
    root = _root(html)
    if root is None:
        return html
    first = next(c for c in root if isinstance(c.tag, str))
    tail = first.tail or ""
    root.remove(first)
    root.text = (root.text or "") + tail
    return _serialised(root)
