"""Feed HTML as Markdown: read back through roundup's own renderer, and never a raw tag."""

from __future__ import annotations

import re

import pytest

from roundup.importers.htmlmarkdown import note_markdown, to_markdown, to_text
from roundup.read.comment import render_comment

BASE = "https://blog.example/posts/one"

CASES = [
    # (feed HTML, Markdown written, HTML roundup renders from it)
    ("<p>Hello <b>world</b> &amp; <i>friends</i>.</p>",
     "Hello **world** & *friends*.",
     "<p>Hello <strong>world</strong> &amp; <em>friends</em>.</p>"),
    ('<p>A <a href="/two">relative</a> and a <a href="javascript:alert(1)">script</a> link</p>',
     "A [relative](https://blog.example/two) and a script link",
     '<p>A <a href="https://blog.example/two" rel="noopener">relative</a> and a script link</p>'),
    ("<p>&lt;script&gt;alert(1)&lt;/script&gt; and 2 &lt; 3</p>",
     "&lt;script>alert(1)&lt;/script> and 2 &lt; 3",
     "<p>&lt;script&gt;alert(1)&lt;/script&gt; and 2 &lt; 3</p>"),
    ("<p>*stars*, _under_scores_, [brackets] and a `tick`</p>",
     "\\*stars\\*, \\_under\\_scores\\_, \\[brackets\\] and a \\`tick\\`",
     "<p>*stars*, _under_scores_, [brackets] and a `tick`</p>"),
    ("<p># not a heading</p><p>1. not a list</p><p>- nor this</p><p>&gt; nor a quote</p>",
     "\\# not a heading\n\n1\\. not a list\n\n\\- nor this\n\n\\> nor a quote",
     "<p># not a heading</p>\n<p>1. not a list</p>\n<p>- nor this</p>\n<p>&gt; nor a quote</p>"),
    ("<h1>Title</h1><h3>Part</h3><p>Text</p>",
     "## Title\n\n### Part\n\nText",
     "<h2>Title</h2>\n<h3>Part</h3>\n<p>Text</p>"),
    ("<ul><li>one</li><li>two<ul><li>nested</li></ul></li></ul><ol start='3'><li>three</li></ol>",
     "-   one\n-   two\n    -   nested\n\n3.  three",
     "<ul>\n<li>one</li>\n<li>two<ul>\n<li>nested</li>\n</ul>\n</li>\n</ul>\n"
     '<ol start="3">\n<li>three</li>\n</ol>'),
    ("<blockquote><p>Quoted</p><p>twice</p></blockquote>",
     "> Quoted\n>\n> twice",
     "<blockquote>\n<p>Quoted</p>\n<p>twice</p>\n</blockquote>"),
    ("<pre>if a &lt; b:\n    print('&lt;b&gt;')</pre>",
     "```\nif a < b:\n    print('<b>')\n```",
     "<pre><code>if a &lt; b:\n    print('&lt;b&gt;')\n</code></pre>"),
    # Fenced: indented, a block after a list was more of its last item, a paragraph.
    ("<ul><li>a</li><li>b</li></ul><pre><code>code()\nx = ```y```</code></pre>",
     "-   a\n-   b\n\n````\ncode()\nx = ```y```\n````",
     "<ul>\n<li>a</li>\n<li>b</li>\n</ul>\n<pre><code>code()\nx = ```y```\n</code></pre>"),
    ("<p>Line<br>break and <code>x`y</code></p>",
     "Line  \nbreak and ``x`y``",
     "<p>Line<br>\nbreak and <code>x`y</code></p>"),
    ('<p><img src="https://i.example/a.png" alt="A *chart*"><img src="/px.gif" width="1" '
     'height="1"></p>',
     "![A \\*chart\\*](https://i.example/a.png)",
     '<p><img alt="A *chart*" src="https://i.example/a.png"></p>'),
    ('<p><a href="https://en.wikipedia.org/wiki/Fish_(disambiguation)">fish</a></p>',
     "[fish](https://en.wikipedia.org/wiki/Fish_%28disambiguation%29)",
     '<p><a href="https://en.wikipedia.org/wiki/Fish_%28disambiguation%29" rel="noopener">'
     "fish</a></p>"),
    ("<div><script>track()</script><style>p{}</style><iframe src='x'>no</iframe>Kept</div>",
     "Kept",
     "<p>Kept</p>"),
    ("<table><tr><th>a</th><th>b</th></tr><tr><td>1</td><td>2</td></tr></table>",
     "a · b\n\n1 · 2",
     "<p>a · b</p>\n<p>1 · 2</p>"),
    ("Loose text, <em> spaced </em>, &amp;copy; as text",
     "Loose text, *spaced* , &amp;copy; as text",
     "<p>Loose text, <em>spaced</em> , &amp;copy; as text</p>"),
]  # fmt: skip


@pytest.mark.parametrize(("html", "markdown", "rendered"), CASES)
def test_html_becomes_markdown_that_renders_as_the_html_meant(
    html: str, markdown: str, rendered: str
) -> None:
    assert to_markdown(html, BASE) == markdown
    comment = render_comment(markdown)
    assert not comment.plain
    assert comment.html == rendered


HOSTILE = [
    "<img src=x onerror=alert(1)>",
    "<a href='javascript:alert(1)'>x</a>",
    "<svg><script>alert(1)</script></svg>",
    "<p onclick='alert(1)'>click</p>",
    "&lt;img src=x onerror=alert(1)&gt;",
    "<math><mi xlink:href='javascript:alert(1)'>x</mi></math>",
    "<a href='data:text/html,<script>alert(1)</script>'>data</a>",
    "<!-- <script>alert(1)</script> -->",
    "<p>unclosed <b>bold <i>and italic",
    "<<script>script>alert(1)<</script>/script>",
]


@pytest.mark.parametrize("html", HOSTILE)
def test_no_tag_from_a_feed_reaches_the_file(html: str) -> None:
    markdown = to_markdown(html, BASE)
    assert not re.search(r"<[A-Za-z/!?]", markdown), markdown
    assert "javascript:" not in markdown and "data:" not in markdown
    rendered = render_comment(markdown).html
    assert not re.search(r"<(script|svg|math|iframe|object)\b", rendered), rendered
    assert not re.search(r"<[^>]*\son\w+\s*=", rendered), rendered  # no event handler


def test_text_is_one_line_without_code() -> None:
    assert to_text("<p>One</p><p>Two<br>lines &amp; <b>bo</b>ld</p><script>x()</script>") == (
        "One Two lines & bold"
    )
    assert to_text("") == to_text("   ") == ""
    assert to_text("<html><body><p>A whole document</p></body></html>") == "A whole document"


def test_a_note_keeps_its_markdown_and_loses_its_tags() -> None:
    note = "Some **Markdown**\r\n\r\n<script>alert(1)</script> and <https://example.org/> kept"
    assert note_markdown(note) == (
        "Some **Markdown**\n\n&lt;script>alert(1)&lt;/script> and <https://example.org/> kept"
    )


def test_controls_and_the_break_marker_in_input_are_dropped() -> None:
    assert to_markdown("<p>a\x00b\x07c\ue000d</p>") == "abcd"
