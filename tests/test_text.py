"""Text rules: the control characters refused everywhere, one-line text, truncation."""

from __future__ import annotations

import pytest

from roundup.core.text import (
    CONTROL_CHARS,
    LINE_CONTROLS,
    collapse_spaces,
    cut,
    cut_at_word,
    one_line,
    shorten,
)


def _is_control(code: int) -> bool:
    return (
        code <= 0x08
        or code in (0x0B, 0x0C)
        or 0x0E <= code <= 0x1F
        or 0x7F <= code <= 0x9F
        or 0xD800 <= code <= 0xDFFF
        or 0xFDD0 <= code <= 0xFDEF
        or code & 0xFFFE == 0xFFFE
        # Invisible, and changing what other text looks like: bidi embeddings, overrides and
        # isolates, zero width spaces (and the BOM inside text).
        or code in (0x200B, 0x2060, 0xFEFF)
        or 0x202A <= code <= 0x202E
        or 0x2066 <= code <= 0x2069
    )


def test_control_characters_are_exactly_the_refused_code_points() -> None:
    # The finder takes a shortcut for text without astral characters: check every code point
    # alone, next to ASCII and next to an astral character, against the definition.
    for code in range(0x110000):
        char = chr(code)
        expected = _is_control(code)
        assert (CONTROL_CHARS.search(char) is not None) is expected, hex(code)
        if code % 97 == 0 or expected:
            for text in (f"ab{char}", f"é{char}\U0001f600", f"\U0001f600{char}"):
                assert (CONTROL_CHARS.search(text) is not None) is expected, hex(code)
                assert (char not in CONTROL_CHARS.sub("", text)) or not expected


def test_one_line_fields_refuse_tabs_and_line_breaks_too() -> None:
    for char in "\t\n\r\x00\x1f\x7f\x85\x9f\ud800":
        assert LINE_CONTROLS.search(f"a{char}b"), repr(char)
    for char in " é\u00a0\u2028\U0001f600":
        assert not LINE_CONTROLS.search(f"a{char}b"), repr(char)


@pytest.mark.parametrize(
    ("text", "expected"),
    [("  a \t b\n\nc  ", "a b c"), ("a\x07b", "a b"), ("\x00", ""), ("Ünï  cödé", "Ünï cödé")],
)
def test_one_line(text: str, expected: str) -> None:
    assert one_line(text) == expected
    assert collapse_spaces(text.replace("\x07", " ").replace("\x00", "")) == expected


def test_shorten_keeps_messages_short_with_ascii_dots() -> None:
    assert shorten("x" * 60) == "x" * 60
    assert shorten("x" * 61) == "x" * 57 + "..."
    assert shorten("abcdef", 5) == "ab..."


def test_cut_ends_in_an_ellipsis_within_the_limit() -> None:
    assert cut("short", 10) == "short"
    assert cut("a few words", 7) == "a few…"  # the space before the ellipsis is dropped
    assert cut("a few words", 8) == "a few w…"
    assert len(cut("y" * 1000, 100)) == 100


def test_cut_at_word_breaks_between_words() -> None:
    text = "one two three four five six"
    assert cut_at_word(text, 100) == text
    assert cut_at_word(text, 16) == "one two three…"
    assert cut_at_word("first second, third", 16) == "first second…"  # no comma before it
    # A break between words that would lose more than half the text cuts inside a word.
    assert cut_at_word("a " + "b" * 30, 20) == "a " + "b" * 17 + "…"
