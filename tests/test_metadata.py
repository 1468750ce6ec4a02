"""Reading what a page says about itself, in order of trust, from real-looking pages."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path

import pytest

from roundup.core.model import Image
from roundup.web.fetch import decode_html
from roundup.web.metadata import PageMetadata, extract

PAGES = Path(__file__).parent / "fixtures" / "web"
HARBOUR = "https://www.harbourtimes.example"
STORY = f"{HARBOUR}/news/2026/03/04/council-approves-harbour-bridge-repairs/"


def page(name: str, url: str, content_type: str = "text/html") -> PageMetadata:
    text, _ = decode_html((PAGES / name).read_bytes(), content_type)
    return extract(text, url)


def test_a_news_article_with_json_ld() -> None:
    meta = page("news-article.html", "http://127.0.0.1:9/news/council-bridge")
    # JSON-LD's headline beats og:title, twitter:title and <title>; its entity is decoded once.
    assert meta.title == "Council approves £14m harbour bridge repairs after 6\u20133 vote"
    assert meta.excerpt == (
        "Councillors voted 6\u20133 on Tuesday night to fund the repairs, which will close the "
        "bridge to traffic for eight months from June."
    )
    # The NewsArticle's date, not the WebPage's (17:55) that comes first in the graph.
    assert meta.published_at == datetime(2026, 3, 4, 18, 0, tzinfo=UTC)
    assert meta.canonical_url == STORY  # <link rel=canonical>, not og:url with its utm_source
    assert meta.site_name == "The Harbour Times"  # og:site_name before the publisher's name
    assert meta.type == "article"
    uploads = f"{HARBOUR}/wp-content/uploads/2026/03"
    assert meta.images == (
        Image(f"{uploads}/bridge.jpg", 2048, 1365),  # the JSON-LD ImageObject, by @id
        Image(f"{uploads}/bridge-og.jpg", 1200, 630),
        Image(f"{uploads}/bridge-twitter.jpg"),
    )


def test_a_github_repository_page() -> None:
    meta = page("github-repository.html", "http://127.0.0.1:9/roundup-ssg/roundup")
    assert meta.title == (
        "GitHub - roundup-ssg/roundup: A static site generator for curated link roundups"
    )
    assert meta.excerpt is not None and meta.excerpt.startswith("A static site generator")
    assert meta.published_at is None
    assert meta.canonical_url == "https://github.com/roundup-ssg/roundup"
    assert meta.site_name == "GitHub"
    assert meta.type is None  # og:type "object" says nothing we keep
    assert meta.images == (
        Image("https://opengraph.githubassets.example/8a1c0e/roundup-ssg/roundup", 1200, 600),
    )


def test_a_video_page() -> None:
    meta = page("video.html", "http://127.0.0.1:9/watch?v=Xk3l9tQ2pZs")
    assert meta.title == "Building a link blog in ten minutes"
    assert meta.type == "video"
    assert meta.published_at == datetime(
        2026, 2, 27, 9, 30, 12, tzinfo=timezone(timedelta(hours=-8))
    )
    assert meta.canonical_url == "https://www.videosite.example/watch?v=Xk3l9tQ2pZs"
    assert meta.site_name == "VideoSite"
    # The VideoObject's thumbnails first; og:image tells the size of the first one.
    assert meta.images == (
        Image("https://i.videosite.example/vi/Xk3l9tQ2pZs/maxresdefault.jpg", 1280, 720),
        Image("https://i.videosite.example/vi/Xk3l9tQ2pZs/hqdefault.jpg"),
    )


def test_a_page_with_only_a_title() -> None:
    meta = page("blog-title-only.html", "http://127.0.0.1:9/diary/static-weekend")
    assert meta == PageMetadata(title='Notes on "static" sites & feeds — a weekend diary')


def test_a_page_without_a_title_is_named_by_its_first_heading() -> None:
    # It was refused ("the page has no title; give one with --title") for a page whose
    # heading says what it is; a <title> or any metadata still comes first.
    bare = "<html><body><nav>Menu</nav><h1>  Release <em>notes</em>\n 2.0 </h1><h1>Other</h1>"
    assert extract(bare, "http://x.example/").title == "Release notes 2.0"
    titled = "<html><head><title>Titled</title></head><body><h1>Heading</h1>"
    assert extract(titled, "http://x.example/").title == "Titled"
    assert extract("<html><body><p>Nothing</p>", "http://x.example/").title is None


def test_a_latin1_page_declared_in_its_header_is_read_as_windows_1252() -> None:
    meta = page("latin1-header.html", "http://x.example/", "text/html; charset=ISO-8859-1")
    assert meta.title == "Über die Größe von Wärmepumpen \u2013 Heizungsforum Süd"
    assert meta.excerpt is not None and meta.excerpt.endswith("Preise ab 12.000 €.")


def test_a_charset_declared_in_a_meta_tag() -> None:
    meta = page("cp1251-meta.html", "http://x.example/")
    assert meta.title == "Статические сайты и ленты новостей"


def html_page(head: str, body: str = "") -> str:
    return f"<!DOCTYPE html><html><head>{head}</head><body>{body}</body></html>"


def test_entities_are_decoded_exactly_once() -> None:
    meta = extract(
        html_page(
            "<title>AT&amp;T &amp;amp; you</title>"
            '<meta property="og:description" content="Tom &amp;amp; Jerry &lt;3">'
        ),
        "https://e.x/",
    )
    assert meta.title == "AT&T &amp; you"
    assert meta.excerpt == "Tom &amp; Jerry <3"
    ld = extract(
        html_page(
            '<script type="application/ld+json">{"@type": "Article", '
            '"headline": "Q&amp;A: &lt;b&gt; tags &amp;amp; more"}</script>'
        ),
        "https://e.x/",
    )
    assert ld.title == "Q&A: tags &amp; more"  # decoded once; the markup it then shows, dropped


def test_markup_and_control_characters_a_cms_left_in_metadata_are_dropped() -> None:
    # Written into the article file as they were, the tags showed on the page as text (and
    # went into the file name); a bidi override made the build warn about the new file.
    meta = extract(
        html_page(
            '<meta property="og:title" content="&lt;b&gt;Bold&lt;/b&gt; move: '
            '&lt;script&gt;alert(1)&lt;/script&gt; done \u202eRTL">'
            '<meta property="og:description" content="&lt;p&gt;An &lt;em&gt;excerpt&lt;/em&gt;'
            ' about Vec&lt;T&gt; and Option&lt;Box&lt;T&gt;&gt;&lt;/p&gt;">'
        ),
        "https://e.x/",
    )
    assert meta.title == "Bold move: done RTL"
    assert meta.excerpt == "An excerpt about Vec<T> and Option<Box<T>>"


def test_json_ld_in_lists_graphs_and_odd_wrappings() -> None:
    head = (
        '<script type="application/ld+json">{ not json }</script>'
        '<script type="application/ld+json">/* <![CDATA[ */ [{"@type": "Organization", '
        '"@id": "#org", "name": "Example Media"}, {"@graph": [{"@type": ["schema:BlogPosting"],'
        ' "headline": ["First", "Second"], "datePublished": "2024-02-29", "publisher": '
        '{"@id": "#org"}, "image": {"@type": "ImageObject", "url": "/i.png", '
        '"width": {"@type": "QuantitativeValue", "value": 800}, "height": "400px"}}]}]; '
        "/* ]]> */</script>"
    )
    meta = extract(html_page(head), "https://blog.example/post")
    assert meta.title == "First"
    assert meta.published_at == date(2024, 2, 29)
    assert meta.site_name == "Example Media"
    assert meta.images == (Image("https://blog.example/i.png", 800, 400),)
    assert meta.type == "article"


def test_a_canonical_naming_the_home_page_of_a_deeper_page_is_ignored() -> None:
    head = '<link rel="canonical" href="/"><meta property="og:url" content="/real/page">'
    assert extract(html_page(head), "https://e.x/real/page?x=1").canonical_url == (
        "https://e.x/real/page"
    )
    assert extract(html_page(head), "https://e.x/").canonical_url == "https://e.x/"


def test_urls_are_resolved_cleaned_and_checked() -> None:
    head = (
        '<base href="https://cdn.example/base/">'
        '<link rel="canonical" href="javascript:alert(1)">'
        '<meta property="og:image" content="data:image/png;base64,AAAA">'
        '<meta property="og:image" content="pictures/straße 1.png">'
        '<meta property="og:image:width" content="640">'
        '<meta property="og:image:height" content="0">'
    )
    meta = extract(html_page(head), "https://e.x/a/")
    assert meta.canonical_url is None
    assert meta.images == (Image("https://cdn.example/base/pictures/stra%C3%9Fe%201.png"),)


def test_dates_in_the_forms_pages_use() -> None:
    def published(content: str) -> object:
        head = f'<meta property="article:published_time" content="{content}">'
        return extract(html_page(head), "https://e.x/").published_at

    assert published("2026-03-04T18:00:00Z") == datetime(2026, 3, 4, 18, tzinfo=UTC)
    assert published("2026-03-04T20:00:00+0200") == datetime(2026, 3, 4, 18, tzinfo=UTC)
    assert published("Wed, 04 Mar 2026 18:00:00 GMT") == datetime(2026, 3, 4, 18, tzinfo=UTC)
    assert published("2026-03-04T18:00:00") == datetime(2026, 3, 4, 18)
    assert published("4 March 2026") is None
    assert published("2026-02-30") is None


@pytest.mark.parametrize("text", ["", "   ", "<?xml version='1.0' encoding='utf-8'?>", "\x00"])
def test_empty_or_odd_documents_give_nothing(text: str) -> None:
    assert extract(text, "https://e.x/") == PageMetadata()


def test_xhtml_with_an_xml_declaration() -> None:
    text = '<?xml version="1.0" encoding="UTF-8"?>\n<html xmlns="http://www.w3.org/1999/xhtml">'
    text += "<head><title>XHTML page</title></head><body/></html>"
    assert extract(text, "https://e.x/").title == "XHTML page"


def test_decoding() -> None:
    assert decode_html(b"\xef\xbb\xbf<p>caf\xc3\xa9", "text/html; charset=latin1") == (
        "<p>café",
        "utf-8",
    )
    assert decode_html("<p>café".encode("cp1252"), "text/html; charset=bogus") == (
        "<p>café",
        "cp1252",
    )
    assert decode_html("<p>café".encode(), "text/html") == ("<p>café", "utf-8")
    # A body cut at the size limit in the middle of a character is still UTF-8.
    assert decode_html("<p>café".encode()[:-1], "", truncated=True)[1] == "utf-8"
    assert decode_html("<p>café".encode()[:-1], "")[1] == "cp1252"
    meta16 = b'<meta charset="utf-16"><p>caf\xc3\xa9'
    assert decode_html(meta16, "") == ('<meta charset="utf-16"><p>café', "utf-8")
