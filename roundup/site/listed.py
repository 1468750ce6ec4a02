"""What listings show of a curator's comment: all of a short one, the opening of a long one."""

from __future__ import annotations

import html
import re

from roundup.core import model
from roundup.core.model import elements
from roundup.core.text import cut_at_word

# Of text, when even the first paragraph of a comment is longer than a listing shows whole
# (`model.COMMENT_CHARS`, `model.COMMENT_ELEMENTS`).
OPENING_CHARS = 400

# Sanitised HTML (see `comment`) has quoted attribute values and escaped text, so a "<" in it
# always starts a tag, and these find its tags exactly.
_TAG = re.compile(r'<(/?)([a-zA-Z][a-zA-Z0-9]*)(?:\s+[^\s"\'=<>/]+(?:="[^"]*")?)*\s*/?>')
_VOID = frozenset({"br", "hr", "img", "wbr"})


def listed_comment(comment: str) -> tuple[str, bool]:
    """The part of a comment a listing shows, and whether that is less than all of it."""
    chars, most = model.COMMENT_CHARS, model.COMMENT_ELEMENTS  # read here, for tests to lower
    if len(comment) <= chars and elements(comment) <= most:
        return comment, False
    kept: list[str] = []
    size = count = 0
    for block in _blocks(comment):
        size += len(block)
        count += elements(block)
        if size > chars or count > most:
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
