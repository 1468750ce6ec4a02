"""What listings show of a curator's comment: all of a short one, the opening of a long one."""

from __future__ import annotations

import html
import re

from roundup.core.model import Article
from roundup.core.text import cut_at_word

# A listing shows a comment whole up to this size (of its HTML, and in elements); a longer
# one shows its first paragraphs within it and links to the item's page for the rest. Most
# comments are a few sentences; without a bound, one essay could make a page of a day or a
# topic heavier than the light-page limits (tests/test_pages.py).
COMMENT_CHARS = 1_200
COMMENT_ELEMENTS = 12
OPENING_CHARS = 400  # of text, when even the first paragraph is longer than the above

# Sanitised HTML (see `comment`) has quoted attribute values and escaped text, so a "<" in it
# always starts a tag, and these find its tags exactly.
_TAG = re.compile(r'<(/?)([a-zA-Z][a-zA-Z0-9]*)(?:\s+[^\s"\'=<>/]+(?:="[^"]*")?)*\s*/?>')
_VOID = frozenset({"br", "hr", "img", "wbr"})


# Coverage links a listing shows of a link with a page of its own (the rest are counted).
LISTED_RELATED = 3


def shown_whole(article: Article) -> bool:
    """Whether a listing can show all of a link's comment and coverage. A link it cannot gets
    a page of its own whatever `item_pages` says: shown whole on every list, 50 essays made a
    page of a day or a topic megabytes heavy, and a page showing less would lose the rest."""
    if article.has_comment:  # known without reading the comment (see `read.stored`)
        comment = article.comment_html
        if len(comment) > COMMENT_CHARS or elements(comment) > COMMENT_ELEMENTS:
            return False
    return sum(1 for r in article.related if r.url) <= LISTED_RELATED


def elements(fragment: str) -> int:
    """How many elements an HTML fragment of the sanitiser's holds."""
    return fragment.count("<") - fragment.count("</")


def listed_comment(comment: str) -> tuple[str, bool]:
    """The part of a comment a listing shows, and whether that is less than all of it."""
    if len(comment) <= COMMENT_CHARS and elements(comment) <= COMMENT_ELEMENTS:
        return comment, False
    kept: list[str] = []
    size = count = 0
    for block in _blocks(comment):
        size += len(block)
        count += elements(block)
        if size > COMMENT_CHARS or count > COMMENT_ELEMENTS:
            break
        kept.append(block)
    opening = "".join(kept).strip()
    if opening:
        return opening, True
    text = html.unescape(_TAG.sub(" ", comment)).split()
    return f"<p>{html.escape(cut_at_word(' '.join(text), OPENING_CHARS), quote=False)}</p>", True


def _blocks(fragment: str) -> list[str]:
    """The fragment cut between its top-level elements (text between them goes with them)."""
    blocks = []
    depth = start = 0
    for tag in _TAG.finditer(fragment):
        name = tag[2].lower()
        if name in _VOID or tag[0].endswith("/>"):
            if depth == 0:
                blocks.append(fragment[start : tag.end()])
                start = tag.end()
            continue
        depth += -1 if tag[1] else 1
        if depth == 0:
            blocks.append(fragment[start : tag.end()])
            start = tag.end()
    if fragment[start:].strip():
        blocks.append(fragment[start:])
    return blocks
