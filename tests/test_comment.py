"""The curator's comment: Markdown through an allow-list sanitiser, and never a stalled build."""

from __future__ import annotations

import time

import pytest
from lxml import html as lxml_html

from roundup.read import comment
from roundup.read.comment import render_comment
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
def test_only_http_and_mailto_links_survive(href: str) -> None:
    root = parsed(f'<a href="{href}">x</a> [y]({href.strip()})')
    assert all(a.get("href") is None for a in root.iter("a"))
    kept = parsed(
        '<a href="https://a.example/">a</a> <a href="/b/">b</a> <a href="mailto:c@d">c</a>'
    )
    assert [a.get("href") for a in kept.iter("a")] == ["https://a.example/", "mailto:c@d"]


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


def test_relative_addresses_are_left_out_and_told_links_keeping_their_text() -> None:
    # Kept, they led somewhere else on each page showing the comment (the item page, its day,
    # its topics) and in the feeds; DESIGN: only http(s) and mailto URLs are ever emitted.
    result = render_comment(
        '[rel](foo/bar) [root](/x "T") [scheme](//cdn.example/y) [here](#part) ![i](img.png) '
        "[abs](https://b.example/) [mail](mailto:a@b.example) [ftp](ftp://f.example/f)"
    )
    assert result.dropped == ("foo/bar", "/x", "//cdn.example/y", "#part", "img.png")
    assert result.html == (
        '<p>rel root scheme here  <a href="https://b.example/" rel="noopener">abs</a> '
        '<a href="mailto:a@b.example" rel="noopener">mail</a> ftp</p>'
    )
    assert render_comment("[abs](https://b.example/) and *more*").dropped == ()


def test_what_a_validator_refuses_is_mended_or_left_out() -> None:
    # Each once made the Nu Html Checker (or axe) fail a page: a quote or space in a link, an
    # image without alt, without src (a data: URL refused) or sized "100%", a link whose
    # address was refused (<a rel="noopener"> with no href).
    html = render_comment(
        '[q](https://e.example/s?q="a"&x=<b>) <a href="mailto:a@b.example?subject=hi there">m'
        '</a> [p](https://e.example/%zz) <img src="https://e.example/c.png"> '
        "![d](data:image/png;base64,iVBORw0KGgo=) "
        '<img src="https://e.example/e.png" alt="e" width="100%" height="20"> '
        '<a href="javascript:x()" title="t">t</a>'
    ).html
    root = lxml_html.fragment_fromstring(html, create_parent="div")
    assert [a.get("href") for a in root.iter("a")] == [
        "https://e.example/s?q=%22a%22&x=%3Cb%3E", "mailto:a@b.example?subject=hi%20there",
        "https://e.example/%25zz",
    ]  # fmt: skip
    images = [dict(img.attrib) for img in root.iter("img")]
    assert images == [
        {"alt": "", "src": "https://e.example/c.png"},
        {"src": "https://e.example/e.png", "alt": "e", "height": "20"},
    ]
    assert root.text_content().endswith(" t")


def test_table_alignment_details_and_figures_are_kept() -> None:
    html = render_comment(
        "| Name | Price |\n|:-----|------:|\n| tea | 1.50 |\n\n"
        "<details><summary>More</summary>Hidden</details>\n\n"
        '<figure><img src="https://e.example/x.png" alt="x"><figcaption>Cap</figcaption></figure>'
    ).html
    root = lxml_html.fragment_fromstring(html, create_parent="div")
    # Python-Markdown 3.4 and later write a style; 3.3, the lowest allowed, an align attribute.
    aligned = [td.get("style") or f"text-align:{td.get('align')}" for td in root.iter("td")]
    assert aligned == ["text-align:left", "text-align:right"]
    assert [el.tag for el in root.iter("summary", "figcaption")] == ["summary", "figcaption"]
    styled = render_comment(
        '<table><tr><td style="color:red;text-align:center">x</td></tr></table>'
    )
    assert 'style="text-align:center"' in styled.html and "color" not in styled.html


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


@pytest.mark.parametrize("tag", ["<style>", "<script>", "<template>", "<XMP>", "<plaintext>",
                                 "<title>", "<noembed>", "<textarea rows=2>"])  # fmt: skip
def test_an_element_left_open_keeps_the_rest_of_the_comment_and_is_told(tag: str) -> None:
    # An unclosed <style> took every later paragraph with it, and an <xmp> showed them as
    # markup, without a word.
    text = f"First paragraph.\n\n{tag} css-or-code\n\nSecond paragraph AFTERTOKEN.\n\nThird."
    rendered = render_comment(text)
    assert rendered.unclosed == (tag[1:].split(">")[0].split()[0].lower(),)
    shown = lxml_html.fragment_fromstring(rendered.html, create_parent="div").text_content()
    assert "AFTERTOKEN" in shown and "Third." in shown and tag in shown
    assert "&lt;/p&gt;" not in rendered.html and "<script" not in rendered.html.lower()
    # Closed, it is dropped whole as before (what it holds is not the curator's text); in
    # code it is text.
    closed = render_comment("Before <style>p { color: red }</style> after `<style>`.")
    assert closed.unclosed == () and "color" not in closed.html
    assert "<code>&lt;style&gt;</code>" in closed.html


def test_a_stray_select_leaves_no_paragraph_inside_another() -> None:
    # The sanitiser wrote "<p> text<p></p>…</p></p>": invalid ("no p element in scope").
    text = "First paragraph.\n\n<select> css-or-code\n\nSecond paragraph AFTERTOKEN.\n\nThird."
    html = render_comment(text).html
    assert "</p></p>" not in html and not comment._NESTED_P.search(html)
    shown = lxml_html.fragment_fromstring(html, create_parent="div").text_content()
    assert "AFTERTOKEN" in shown and "Third." in shown
