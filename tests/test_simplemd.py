"""The plain-paragraph fast path: byte-identical to Markdown + sanitiser whenever it answers."""

from __future__ import annotations

import os
import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from roundup.read import comment, simplemd

# Pieces of prose the fast path should take, markup around them, and pieces it must either
# refuse or render exactly as Markdown would.
WORDS = [
    "the", "Launch", "AI", "x", "3", "2020", "3.5", "1,000", "100%", "$30", "e-mail", "C++",
    "co-op", "it's", "O'Brien", "a/b", "user@example.com", "https://bare.example/x", "->",
    "a>b", ">", "&", "AT&T", "Q&A", "& co", ":", ";", "!", "?", "wow!", "(x)", "(", ")", '"',
    "'", ",", ".", "=", "+", "-", "--", "%", "@", "$", "a=b", "café", "naïve", "Zürich",
    "日本語", "שלום", "🎉", "e\u0301", "\u201cquoted\u201d", "\u2018single\u2019", "—", "…",
    "½", "™", "\U0001d400",
]  # fmt: skip
URLS = [
    "https://example.com", "http://example.com/", "https://www.theverge.com/2019/10/a-b-c/",
    "https://x.example/a?b=1&c=2", "https://x.example/a_b~c", "https://x.example/#frag",
    "https://x.example/?q=a+b,c:d@e!f$g%20", "https://a-b.c-d.example/p", "https://a.b2",
    "https://EXAMPLE.COM/P", "https://localhost/", "https://x.example?x", "https://x.example#a#b",
    "https://x.example/a&b", "https://x.example/a&amp", "https://x.example/%",
]  # fmt: skip
ODD_URLS = [
    "https://x.example/a&#", "https://1.2.3.4/", "https://x.123/", "https://x.0x1f/",
    "https://-x.example/", "https://x-.example/", "https://xn--zz.example/", "https://x..example/",
    "https://x.example./", "https://x.example:8080/", "https://u@x.example/", "https://x.example/a;b",
    "https://x.example/(a)", "https://x.example/a b", 'https://x.example/"', "https://x.example/'",
    "ftp://x.example/", "mailto:a@b.example", "javascript:alert(1)", "//x.example", "/relative",
    "https://", "https://x.example/*a*", "https://x.example/a_b_", "HTTPS://x.example",
    "https://x.example/<", "https://x.example/>", "https://x.example/\\", "https://x.example/`",
    "https://x.example/{|}^", "https://x.example/é", "https://é.example/", "<https://x.example/>",
    "https://x.example/&copy;", "https://x.example/&#38;", 'https://x.example/ "title"',
    "https://x.example/\u00a0",
]  # fmt: skip
TRICKY = [
    "`", "``code``", "\\", "\\*", "\\\n", "<", "<b>", "<!-- c -->", "<https://x.example>",
    "&amp;", "&copy;", "&#38;", "&#x26;", "&#X26;", "&nbsp;", "&a-b;", "&T;", "a&b;c", "&;",
    "![a](https://x.example/i.png)", "![", "wow![a](https://x.example)", "#", "C#", "|",
    "a | b", "~", "~~~", "_", "_a_", "__a__", "snake_case", "*", "**", "***", "* ", " *", "*a",
    "a*", "*a*b", "a*b*", "[", "]", "[a]", "[^1]", "{: .c}", "[a]: https://x.example",
    "\n[a]: https://x.example", "[a][b]", "[a]()", "[](https://x.example)",
    "[ a ](https://x.example)", '[a](https://x.example "t")', "[a](<https://x.example>)",
    "[*a*](https://x.example)", "*[a](https://x.example)*", "***a***", "**a*", "*a**", "* a*",
    "*a *", "*a**b*", "**a***b*", "*a***b**", "^", "{", "}", "{{ x }}", "\u00a0", "\u2028",
    "\u2029", "\u3000", "\u2003", "\u1680", "\u0085", "\u00ad", "\x1c", "\t", "\r\n", "\r",
    "\x0b", "\x0c", "\x02", "\u200b", "\ufeff", "\ue000", "\U0010ffff", "\u0300", "\uff11.",
    "٣.", "1.", "12)", "\n1. ", "\n1) ", "\n- ", "\n+ ", "\n* ", "\n> ", "\n# ", "\n===", "\n=",
    "\n-", "\n+", "\n:", "\n---", "\n***", "\n2020. ", "\n    ", "\n\t", "\n ", "  \n", " \n",
    " ", "  ",
]  # fmt: skip
SEPARATORS = [" "] * 12 + ["\n", "\n\n", "\n\n\n", ", ", ". "]
ODD_SEPARATORS = ["", "", "\n", "\n\n", " \n", "\n "]


def _words(rng: random.Random) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(rng.choice((1, 1, 2, 3))))


def _markup(rng: random.Random, tricky: float) -> str:
    kind = rng.randrange(4)
    if kind == 0:
        return f"*{_words(rng)}*"
    if kind == 1:
        return f"**{_words(rng)}**"
    url = rng.choice(ODD_URLS if rng.random() < tricky else URLS)
    return f"[{_words(rng)}]({url})"


def random_body(rng: random.Random, tricky: float) -> str:
    """A random comment: prose and markup, with a `tricky` chance of each piece being odd."""
    pieces = [rng.choice(("", "", "\n", "\n\n"))]
    for _ in range(rng.randint(1, 24)):
        roll = rng.random()
        if roll < tricky:
            pieces.append(rng.choice(TRICKY))
        elif roll < tricky + 0.2:
            pieces.append(_markup(rng, tricky))
        else:
            pieces.append(rng.choice(WORDS))
        pieces.append(rng.choice(ODD_SEPARATORS if rng.random() < tricky else SEPARATORS))
    pieces[-1] = rng.choice(("", "\n", "\n\n"))
    return "".join(pieces)


_converter = comment._new_converter()


def markdown_then_sanitiser(text: str) -> str:
    """What `render_comment` gives without the fast path."""
    return comment.clean(_converter.reset().convert(text))


@pytest.mark.parametrize(
    "text",
    [
        "Some **bold** and a [link](https://example.org/).",
        "\nOne paragraph.\n\nAnother *one*, with a [link](https://x.example/a?b=1&c=2).\n",
        "AT&T and Q&A > all; “smart” \u2018quotes\u2019 — café 🎉 (*really*) \"plain\" 'quotes'",
        "Two lines\nof one paragraph.\n\n\n\nThen 3.5 more, 100% and $30 for C++ -> e-mail.",
        "**AI** remains a theme to watch. See also [ai coverage](https://www.reuters.com/a-b-c).",
    ],
)
def test_plain_paragraphs_take_the_fast_path(text: str) -> None:
    assert simplemd.render(text) is not None
    assert simplemd.render(text) == markdown_then_sanitiser(text)
    assert comment.render_comment(text).html == simplemd.render(text)


@pytest.mark.parametrize(
    "text",
    ["# Heading", "- item", "1. item", "> quote", "    code", "a  \nb", "`code`", "a\\*b",
     "<b>x</b>", "&copy;", "_em_", "![i](https://x.example/i.png)", "[a]: https://x.example",
     "a | b\n--|--\n1 | 2", "Title\n===", "*a **b** c*", "[a](https://x.example/(b))", "a*b*c",
     "x\u00a0y", "a\tb"],
)  # fmt: skip
def test_anything_else_is_left_to_markdown(text: str) -> None:
    assert simplemd.render(text) is None


def test_random_bodies_render_as_markdown_would() -> None:
    rng = random.Random(20240611)
    accepted = dict.fromkeys((0.0, 0.05, 0.3), 0)
    for trial in range(9000):
        tricky = (0.0, 0.05, 0.3)[trial % 3]
        text = random_body(rng, tricky)
        fast = simplemd.render(text)
        if fast is not None:
            accepted[tricky] += 1
            assert fast == markdown_then_sanitiser(text), repr(text)
    # Ordinary prose is mostly taken (lines starting "-", "+", "=", ">" or "3. " are not),
    # and bodies with odd pieces still reach the comparison.
    assert accepted[0.0] > 2000 and accepted[0.05] > 700 and accepted[0.3] > 50, accepted


FRAGMENTS = [
    "a", "é", "1", " ", " ", "\n", "\n\n", "*", "**", "[", "]", "(", ")", "](https://x.y)",
    "](http://a-b.c/d?e=1&f#g)", "[a](https://x.y)", "!", "&", ";", "#", ">", "-", "+", "=",
    ".", "1.", "'", '"', ":", "/", "_", "~", "&amp;", "&x", "%", "@", ",", "?", "\u201c",
    "\u00a0", "https://x.y", "*a*", "**b**",
]  # fmt: skip


def test_random_fragments_render_as_markdown_would() -> None:
    # Short strings of markup pieces: delimiters and brackets next to each other and to text.
    rng = random.Random(7)
    accepted = 0
    for _ in range(20000):
        text = "".join(rng.choice(FRAGMENTS) for _ in range(rng.randint(1, 14)))
        fast = simplemd.render(text)
        if fast is not None:
            accepted += 1
            assert fast == markdown_then_sanitiser(text), repr(text)
    assert accepted > 2000, accepted


# --- Hypothesis: comments built from prose and the markup the fast path knows, and odd text ---

_PIECES = st.one_of(
    st.sampled_from(["word", "two words", "AT&T", "x > y", "“q”", "café", "🎉", "3.5", "C++",
                     "a_b", "*", "**", "_", "[", "]", "(", ")", "<", "&amp;", "\\", "`", "#",
                     "\n", "\n\n", " ", "  \n", "\t", "-", "1.", ">"]),
    st.builds(lambda t: f"*{t}*", st.sampled_from(["em", "two em", " em", "em "])),
    st.builds(lambda t: f"**{t}**", st.sampled_from(["strong", "two strong", "x*y"])),
    st.builds(lambda t, u: f"[{t}]({u})", st.sampled_from(["link", "a link", ""]),
              st.sampled_from(["https://example.org/", "http://x.example/a?b=1&c=2",
                               "https://x.example/(b)", "javascript:x", "https://xn--e.example/",
                               "https://x.example:8/", "ftp://x.example/"])),
    st.text(max_size=6),
)  # fmt: skip


@settings(max_examples=int(os.environ.get("ROUNDUP_HYPOTHESIS", "400")), deadline=None)
@given(st.lists(_PIECES, max_size=12).map(" ".join))
def test_hypothesis_comments_render_as_markdown_would(text: str) -> None:
    fast = simplemd.render(text)
    if fast is not None:  # taken: exactly what Python-Markdown and the sanitiser make
        assert fast == markdown_then_sanitiser(text)
