"""The curator's comment: Markdown through an allow-list sanitiser, and never a stalled build."""

from __future__ import annotations

import re
import time

import pytest
from lxml import html as lxml_html

from roundup.read import comment
from roundup.read.comment import render_comment, with_absolute_links
from roundup.site.filters import comment_html


def parsed(text: str) -> lxml_html.HtmlElement:
    return lxml_html.fragment_fromstring(render_comment(text).html, create_parent="div")


def test_markdown_renders() -> None:
    html = render_comment("Some **bold** and a [link](https://example.org/).").html
    assert html == (
        '<p>Some <strong>bold</strong> and a <a href="https://example.org/" rel="noopener">'
        "link</a>.</p>"
    )


@pytest.mark.parametrize(
    "text",
    [
        "<script>alert(1)</script>", '<iframe src="https://x.example/"></iframe>',
        "<object data=x></object>", "<embed src=x>", "<form><input></form>",
        "<style>p{}</style>", '<base href="https://x.example/">',
        '<meta http-equiv="refresh" content="0">', "<svg onload=alert(1)>",
    ],
)  # fmt: skip
def test_dangerous_elements_are_removed(text: str) -> None:
    root = parsed("Text " + text)
    assert {el.tag for el in root.iter()} <= {"div", "p"}


@pytest.mark.parametrize(
    "href",
    ["javascript:alert(1)", "JaVaScRiPt:alert(1)", " javascript:alert(1)", "data:text/html,x",
     "vbscript:x", "jav&#x09;ascript:alert(1)"],
)  # fmt: skip
def test_only_http_mailto_and_relative_links_survive(href: str) -> None:
    root = parsed(f'<a href="{href}">x</a> [y]({href.strip()})')
    assert all(a.get("href") is None for a in root.iter("a"))
    kept = parsed(
        '<a href="https://a.example/">a</a> <a href="/b/">b</a> <a href="mailto:c@d">c</a>'
    )
    assert [a.get("href") for a in kept.iter("a")] == ["https://a.example/", "/b/", "mailto:c@d"]


def test_handlers_and_styles_are_dropped() -> None:
    root = parsed('<a href="https://a.example/" onclick="x()" style="color:red">a</a>'
                  '<img src="https://a.example/i.png" onerror="x()">')  # fmt: skip
    for element in root.iter():
        assert not [name for name in element.attrib if name.startswith("on") or name == "style"]


def test_template_syntax_stays_text() -> None:
    assert "{{ config }}" in render_comment("{{ config }} and {% raw %}").html


def test_pathological_markdown_falls_back_to_plain_text_in_time(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # 100,000 brackets: quadratic before Python-Markdown 3.11 (seconds), linear since, but
    # still half a second there, far over this budget.
    monkeypatch.setattr(comment, "TIME_BUDGET", 0.02)
    started = time.monotonic()
    result = render_comment("[" * 100_000 + " <script>x</script>")
    assert time.monotonic() - started < 2
    assert result.plain and result.html.startswith("<p>[[[")
    assert "<script>" not in result.html and "&lt;script&gt;" in result.html
    assert render_comment("*still fine*").html == "<p><em>still fine</em></p>"


def test_relative_links_are_resolved_against_the_page_and_nothing_else_changes() -> None:
    page = "https://example.org/links/items/a/"
    comment = render_comment(
        "[rel](foo/bar) [root](/x) [scheme](//cdn.example/y) [here](#part) ![i](img.png) "
        "[abs](https://b.example/) [mail](mailto:a@b.example)"
    ).html
    resolved = with_absolute_links(comment, page)
    targets = re.findall(r'(?:href|src)="([^"]*)"', resolved)
    assert targets == [
        page + "foo/bar", "https://example.org/x", "https://cdn.example/y", page + "#part",
        page + "img.png", "https://b.example/", "mailto:a@b.example",
    ]  # fmt: skip
    assert re.sub(r'(?:href|src)="[^"]*"', "", resolved) == re.sub(
        r'(?:href|src)="[^"]*"', "", comment
    )
    absolute = render_comment("[abs](https://b.example/) and *more*").html
    assert with_absolute_links(absolute, page) is absolute  # no relative link: no work


def test_a_level_one_heading_stays_a_heading() -> None:
    # The sanitiser dropped <h1> and kept its text, bare, outside any element.
    html = render_comment("# Why it matters\n\nSome text.\n").html
    assert html == "<h1>Why it matters</h1>\n<p>Some text.</p>"
    assert comment_html(html, 2) == "<h3>Why it matters</h3>\n<p>Some text.</p>"


def test_code_blocks_and_tables_that_scroll_can_be_reached_by_keyboard() -> None:
    # axe's scrollable-region-focusable: a wide <pre> or table scrolls, so it takes focus.
    html = render_comment("```\ncode\n```\n\n| a | b |\n|---|---|\n| 1 | 2 |\n").html
    shown = comment_html(html, 2)
    assert shown.count('tabindex="0"') == 2
    assert '<pre tabindex="0">' in shown and '<table tabindex="0">' in shown
    assert comment_html("<p>plain</p>", 2) == "<p>plain</p>"
