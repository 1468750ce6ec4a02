"""Sources: one page and one Atom feed per site linked to, an index by number of links."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

import feedparser
import pytest
from hypothesis import given
from hypothesis import strategies as st
from lxml import etree

from roundup.core.model import Article, Provider
from roundup.site.sources import (
    RESERVED_SEGMENTS,
    host_of,
    normalised,
    readable,
    segment,
    source_key,
    source_path,
)
from roundup.site.structure import make_item

from conftest import build_folder, parse_html, write_article

SCHEMAS = Path(__file__).resolve().parent / "schemas"
BASE = "https://example.org/links/"
# What a source's folder name may hold: no slash, no percent sign, nothing a URL must escape.
SAFE_SEGMENT = re.compile(r"[a-z0-9._~-]+")


# --- Keys: one source, one page, whichever way its domain was written.


KEYS = pytest.mark.parametrize(
    ("domain", "host", "key"),
    [
        ("lwn.net", "lwn.net", "lwn.net"),
        ("LWN.net", "example.org", "lwn.net"),  # the provider's domain wins over the link's
        ("www.lwn.net", "", "lwn.net"),
        ("https://www.LWN.net:443/Articles/1/", "", "lwn.net"),  # a URL where a domain goes
        ("lwn.net.", "", "lwn.net"),  # the DNS root's dot
        ("user@lwn.net:8080", "", "lwn.net"),
        ("", "www.rust-lang.org", "rust-lang.org"),
        ("The Register", "www.theregister.com", "theregister.com"),  # a name, not a domain
        ("localhost", "blog.example.com", "blog.example.com"),  # no dot: not a domain
        ("Bücher.de", "", "xn--bcher-kva.de"),  # IDNA, as browsers map host names (UTS 46)
        ("xn--bcher-kva.de", "", "xn--bcher-kva.de"),
        ("", "straße.de", "xn--strae-oqa.de"),  # not "strasse.de": UTS 46 without transition
        ("../../etc", "example.com", "example.com"),  # never a path
        ("a/../../b.org", "example.com", "example.com"),  # host "a": no domain
        ("", "[2001:DB8:0::1]", "[2001:db8::1]"),
        ("[2001:db8::1]:8080", "", "[2001:db8::1]"),
        ("", "127.0.0.1", "127.0.0.1"),
    ],
)


@KEYS
def test_a_source_key_is_the_normalised_host(domain: str, host: str, key: str) -> None:
    assert source_key(domain, host) == key


@KEYS
def test_an_item_is_listed_under_its_source_key(domain: str, host: str, key: str) -> None:
    # An item looks at its link's host only when the provider's domain names no source.
    url = f"https://{host}/a" if host else ""
    provider = Provider("Name", domain) if domain else None
    when = datetime(2024, 5, 6, tzinfo=UTC)
    article = Article("a.md", "a", "A", when, url, provider=provider)
    item = make_item(article, when, ())
    assert item.source_key == key
    assert item.source_path == source_path(key)


def _library_host(url: str) -> str:
    return (urlsplit(url).hostname or "").lower().removeprefix("www.")


@pytest.mark.parametrize(
    "url",
    [
        "https://www.Example.org/x", "http://a.b", "http://a.b?q", "https://a.b#f",
        "https://user@a.b/", "https://a.b:8080/", "https://[::1]/", "ftp://x.y/", "", "https://",
        "https://exa\tmple.org/", " https://a.b/", "HTTPS://A.B/", "https://a.b\\c/",
        "https://a_b.c/", "https://a.b./", "https://xn--bcher-kva.example/",
    ],
)  # fmt: skip
def test_the_host_of_a_link_is_what_urlsplit_finds(url: str) -> None:
    assert host_of(url) == _library_host(url)


@given(
    st.sampled_from(["http://", "https://", "HTTP://", "ftp://", " https://", ""]),
    st.text(st.sampled_from("aZ09.-_:@[]/?#%\t\\ www"), max_size=24),
)
def test_the_fast_host_of_any_link_agrees_with_urlsplit(scheme: str, rest: str) -> None:
    url = scheme + rest
    try:
        expected = _library_host(url)
    except ValueError:  # urlsplit refuses it (a bad IPv6 literal): no item has such a link
        return
    assert host_of(url) == expected


def test_segments_stay_in_their_folder_and_never_meet_another_source() -> None:
    hostile = [
        "lwn.net", "page", "index.html", "feed.xml", "rss.xml", "feed.json", "[2001:db8::1]",
        "[::1]", "..", ".", "", "a/b", "a\\b", "%2e%2e", "x" * 300, "com", "xn--bcher-kva.de",
        "under_score.example", "-leading.example", "trailing-.example", "a..b", "é.example",
        "page~", "ipv6~2001-db8--1", "~abc",
    ]  # fmt: skip
    segments = {}
    for key in hostile:
        seg = segment(key)
        assert SAFE_SEGMENT.fullmatch(seg), (key, seg)
        assert seg not in (".", "..") and seg not in RESERVED_SEGMENTS, (key, seg)
        assert len(seg.encode()) <= 255
        assert segments.setdefault(seg, key) == key, f"{key!r} and {segments[seg]!r} meet"
    assert segment("lwn.net") == "lwn.net"  # a host name is its own folder name
    assert segment("page") == "page~"  # the index's own "page/" is never a source's
    assert segment("[2001:db8::1]") == "ipv6~2001-db8--1"
    assert segment("a/b").startswith("~")


def test_normalising_rejects_what_is_no_host() -> None:
    for text in ("", "exa mple.com", "a..b", "-x.com", "[zz::1]", "[::1", "x" * 300 + ".com"):
        assert normalised(text) == "", text
    assert readable("xn--bcher-kva.de") == "bücher.de"
    assert readable("xn--broken-.de") == "xn--broken-.de"  # shown as it is when undecodable


# --- The pages and feeds of a site.


def _site(tmp_path: Path) -> Path:
    content = tmp_path / "site" / "content"
    links = [
        # (file, provider, link, day, topics, published)
        ("l1", "{name: LWN.net, domain: lwn.net}", "https://lwn.net/Articles/1/", "01", "[Linux]"),
        ("l2", "{name: LWN, domain: www.LWN.net}", "https://lwn.net/Articles/2/", "02", "[]"),
        ("l3", "{name: LWN.net, domain: lwn.net}", "https://lwn.net/Articles/3/", "03", "[]"),
        ("l4", "{name: LWN.net}", "https://www.lwn.net/Articles/4/", "04", "[Linux]"),
        ("b1", "{name: Bücherblog, domain: bücher.de}", "https://xn--bcher-kva.de/1", "02", "[]"),
        ("b2", "{name: Bücherblog}", "https://bücher.de/2", "05", "[]"),
        ("r1", "{name: Rust Blog, domain: blog.rust-lang.org}", "https://blog.rust-lang.org/1",
         "03", "[Rust]"),
        ("a1", "{name: Apage, domain: page}", "https://page.example/1", "04", "[]"),
        ("v6", "{name: Six}", "http://[2001:db8::1]:8080/x", "05", "[]"),
    ]  # fmt: skip
    for name, provider, url, day, topics in links:
        front = (
            f"title: Link {name}\npublishedDateTime: 2024-05-{day}T10:00:00Z\n"
            f"originalUrl: {url!r}\nprovider: {provider}\ntopics: {topics}"
        )
        write_article(content, f"{name}.md", front, f"Comment on {name}.\n")
    draft = "title: Draft\npublishedDateTime: 2024-05-06T10:00:00Z\n"
    draft += "originalUrl: https://lwn.net/Articles/5/\ndraft: true"
    write_article(content, "draft.md", draft)
    (tmp_path / "site" / "pyproject.toml").write_text(
        '[tool.roundup]\ntitle = "Sourced"\nbase_url = "https://example.org/links/"\n'
        'site_id = "sourced"\nitems_per_page = 3\nsearch = false\n',
        encoding="utf-8",
    )
    return tmp_path / "site"


@pytest.fixture
def sourced(tmp_path: Path) -> Path:
    out, result = build_folder(_site(tmp_path), tmp_path / "out")
    assert result.shown == 9
    return out


def test_the_index_lists_sources_by_number_of_links_with_counts(sourced: Path) -> None:
    page = parse_html(sourced / "sources/index.html")
    rows = [
        (li.cssselect("a")[0].text_content(), li.cssselect("a")[0].get("href"),
         li.cssselect(".count")[0].text_content())
        for li in page.cssselect("main .source-index li")
    ]  # fmt: skip
    assert rows == [
        ("LWN.net", "/links/sources/lwn.net/", "4 links"),  # the draft is not counted
        ("Bücherblog", "/links/sources/xn--bcher-kva.de/", "2 links"),
        ("Apage", "/links/sources/page.example/", "1 link"),  # "page" is not a domain
        ("Rust Blog", "/links/sources/blog.rust-lang.org/", "1 link"),
        ("Six", "/links/sources/ipv6~2001-db8--1/", "1 link"),
    ]
    domains = [d.text_content() for d in page.cssselect("main .source-index .domain")]
    assert domains[:2] == ["lwn.net", "bücher.de"]
    assert "5 sites" in page.cssselect(".lede")[0].text_content()
    nav = [a.text_content() for a in page.cssselect('nav[aria-label="Main"] a')]
    assert nav[:3] == ["Home", "Topics", "Sources"]
    assert page.cssselect('nav[aria-label="Main"] a[aria-current="page"]')[0].text == "Sources"


def test_a_source_page_lists_its_links_newest_first_in_pages(sourced: Path) -> None:
    first = parse_html(sourced / "sources/lwn.net/index.html")
    second = parse_html(sourced / "sources/lwn.net/page/2/index.html")
    assert first.cssselect("h1")[0].text_content() == "LWN.net"  # the name most links give
    titles = [a.text_content() for a in first.cssselect(".entry-title a")]
    assert titles == ["Link l4", "Link l3", "Link l2"]
    assert [a.text_content() for a in second.cssselect(".entry-title a")] == ["Link l1"]
    assert first.cssselect('a[rel="next"]')[0].get("href") == "/links/sources/lwn.net/page/2/"
    assert second.cssselect('a[rel="prev"]')[0].get("href") == "/links/sources/lwn.net/"
    crumbs = [a.text_content() for a in first.cssselect(".breadcrumbs li")]
    assert crumbs == ["Home", "Sources", "LWN.net"]
    feed = first.cssselect('head link[type="application/atom+xml"][href$="lwn.net/feed.xml"]')
    assert feed[0].get("href") == "/links/sources/lwn.net/feed.xml"
    days = [a.get("href") for a in first.cssselect(".day-title a")]
    assert days == ["/links/2024/05/04/", "/links/2024/05/03/", "/links/2024/05/02/"]
    assert "draft" not in (sourced / "sources/lwn.net/index.html").read_text("utf-8").lower()
    assert (sourced / "sources/ipv6~2001-db8--1/index.html").is_file()
    assert (
        parse_html(sourced / "sources/xn--bcher-kva.de/index.html")
        .cssselect(".lede")[0]
        .text_content()
        .startswith("2 links from bücher.de")
    )


def test_every_byline_links_its_provider_to_the_source_page(sourced: Path) -> None:
    checked = 0
    for path in sourced.rglob("index.html"):
        for link in parse_html(path).cssselect(".meta a.provider"):
            target = link.get("href").removeprefix("/links/")
            assert (sourced / target / "index.html").is_file(), (path, target)
            checked += 1
    assert checked > 30  # listings, item pages and top stories
    item = parse_html(sourced / "items/l2/index.html")
    (provider,) = item.cssselect(".item-header .meta a.provider")
    assert (provider.text_content(), provider.get("href")) == ("LWN", "/links/sources/lwn.net/")


def test_each_source_has_an_atom_feed_with_the_site_feeds_entry_ids(sourced: Path) -> None:
    schema = etree.RelaxNG(etree.parse(SCHEMAS / "atom.rng"))
    site = feedparser.parse((sourced / "feed.xml").read_bytes())
    ids = {e.link: e.id for e in site.entries}
    path = sourced / "sources/lwn.net/feed.xml"
    assert schema.validate(etree.parse(path)), schema.error_log
    feed = feedparser.parse(path.read_bytes())
    assert not feed.bozo
    assert feed.feed.title == "Sourced: LWN.net"
    assert feed.feed.link == BASE + "sources/lwn.net/"
    links = [e.link for e in feed.entries]
    hosts = (("www.", 4), ("", 3), ("", 2), ("", 1))
    assert links == [f"https://{host}lwn.net/Articles/{n}/" for host, n in hosts]
    assert [e.id for e in feed.entries] == [ids[link] for link in links]
    assert not (sourced / "sources/lwn.net/rss.xml").exists()  # Atom only
    feeds_page = parse_html(sourced / "feeds/index.html")
    assert feeds_page.xpath("//main//a[@href='/links/sources/']")


def test_sources_are_in_the_sitemap(sourced: Path) -> None:
    sitemap = (sourced / "sitemap.xml").read_text("utf-8")
    for path in ("sources/", "sources/lwn.net/", "sources/xn--bcher-kva.de/"):
        assert f"<loc>{BASE}{path}</loc>" in sitemap
    assert "sources/lwn.net/page/2/" not in sitemap  # first pages only, as for topics


def test_the_sources_index_is_split_into_pages(tmp_path: Path) -> None:
    content = tmp_path / "site" / "content"
    for n in range(260):
        front = f"title: L{n}\npublishedDateTime: 2024-05-01T10:00:00Z\n"
        front += f"originalUrl: https://site{n:03d}.example/\n"
        write_article(content, f"l{n:03d}.md", front)
    out, _ = build_folder(tmp_path / "site", tmp_path / "out", search=False)
    first = parse_html(out / "sources/index.html")
    second = parse_html(out / "sources/page/2/index.html")
    assert len(first.cssselect(".source-index li")) == 250
    assert [a.text_content() for a in second.cssselect(".source-index a")][-1] == "site259.example"
    assert len(list(first.iter())) < 1400  # a light page
    assert "260 sites" in second.cssselect(".lede")[0].text_content()


def test_preview_counts_unpublished_links_and_public_builds_never_show_them(
    tmp_path: Path,
) -> None:
    site = _site(tmp_path)
    out, _ = build_folder(site, tmp_path / "preview", preview=True)
    page = parse_html(out / "sources/index.html")
    assert "5 links" in page.cssselect(".source-index li")[0].text_content()
    only_draft = site / "content" / "only.md"
    hidden = "title: Hidden\npublishedDateTime: 2024-05-06T10:00:00Z\n"
    hidden += "originalUrl: https://secret.example/\npublished: false"
    write_article(site / "content", "only.md", hidden)
    public, _ = build_folder(site, tmp_path / "public")
    assert not (public / "sources/secret.example").exists()
    assert only_draft.is_file()
