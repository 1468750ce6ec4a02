"""The rules for text every module shares: control characters, one-line text, truncation."""

from __future__ import annotations

import re
import unicodedata

# Code points that XML 1.0 forbids or HTML validators reject: C0 controls (but tab, newline
# and carriage return), DEL and C1 controls, lone surrogates and non-characters; and the
# invisible ones that change what other text looks like: the bidi embeddings, overrides and
# isolates (a title's unclosed U+202E drew the provider's name after it backwards) and zero
# width spaces (the topics "a\u200bb" and "ab" looked alike). Direction marks (U+200E,
# U+200F) and the joiners of emoji and scripts (U+200C, U+200D) stay. Nothing that roundup
# reads keeps them (the reader removes them with a warning), and nothing it writes (pages,
# feeds, article files) holds them.
_CONTROL_BMP = (
    "\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufdd0-\ufdef\ufffe\uffff"
    "\u200b\u202a-\u202e\u2060\u2066-\u2069\ufeff"
)
_CONTROL_ASTRAL = "".join(chr(plane * 0x10000 + 0xFFFE) + chr(plane * 0x10000 + 0xFFFF)
                          for plane in range(1, 17))  # fmt: skip


class _ControlChars:
    """A compiled pattern's `search` and `sub` for those code points, fast on common text.

    With the 32 astral non-characters in its class, the pattern tests every character against
    a list rather than a bitmap, 12 times slower; they are only looked for in text that has
    astral characters at all, and ASCII text (nearly every file) is known to have none.
    """

    def __init__(self) -> None:
        self.bmp = re.compile(f"[{_CONTROL_BMP}]")
        self.full = re.compile(f"[{_CONTROL_BMP}{_CONTROL_ASTRAL}]")
        self.astral = re.compile("[\U00010000-\U0010ffff]")

    def _pattern(self, text: str) -> re.Pattern[str]:
        if text.isascii() or self.astral.search(text) is None:
            return self.bmp
        return self.full

    def search(self, text: str) -> re.Match[str] | None:
        return self._pattern(text).search(text)

    def sub(self, replacement: str, text: str) -> str:
        return self._pattern(text).sub(replacement, text)


CONTROL_CHARS = _ControlChars()

# In a one-line value (a title, a name, a URL, a setting) every control character is out of
# place, tabs and line breaks included; a lone surrogate cannot even be written as UTF-8.
LINE_CONTROLS = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff]")

ELLIPSIS = "…"


def collapse_spaces(text: str) -> str:
    """Runs of whitespace (line breaks and tabs too) made one space, none at either end."""
    return " ".join(text.split())


def one_line(text: str) -> str:
    """Text for a one-line field: control characters made spaces, then spaces collapsed."""
    return collapse_spaces(LINE_CONTROLS.sub(" ", text))


def shorten(text: str, limit: int = 60) -> str:
    """A value as a message quotes it: long ones cut, so one bad field cannot flood the screen."""
    return text if len(text) <= limit else text[: limit - 3] + "..."


def cut(text: str, limit: int) -> str:
    """At most `limit` characters: a longer text is cut and ends in an ellipsis."""
    return text if len(text) <= limit else text[: limit - 1].rstrip() + ELLIPSIS


def cut_at_word(text: str, limit: int) -> str:
    """`text` if short enough, else its first words up to `limit` characters and an ellipsis."""
    if len(text) <= limit:
        return text
    head = text[: limit - 1]
    space = head.rfind(" ")
    if space > limit // 2:  # break between words unless that would lose half the text
        head = head[:space]
    return head.rstrip(" ,;:-") + ELLIPSIS


def plural(count: int, noun: str) -> str:
    """ "1 link", "2,565 links": the count with its noun (nouns here take a plain "s")."""
    return f"{count:,} {noun}{'' if count == 1 else 's'}"


def alphabetical(name: str) -> str:
    """A name's place in an A-to-Z list: letters with accents among those without ("Émoji"
    between "C++" and "Feeds", not after "Web"), capitals among small letters. Scripts with
    no Latin letters still come after Z, each in its own order."""
    plain = "".join(c for c in unicodedata.normalize("NFKD", name) if not unicodedata.combining(c))
    return plain.casefold()
