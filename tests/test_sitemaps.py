"""Sitemaps: one file while the protocol's limits allow, else an index of numbered sitemaps."""

from __future__ import annotations

import shutil
import time
from datetime import date
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from lxml import etree

from roundup.render import sitemaps

from conftest import ROOT, build_folder, write_article

SCHEMAS = ROOT / "tests" / "schemas"
NS = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
BASE = "https://example.org/links/"
NEW_ARTICLE = """title: A new link
publishedDateTime: 2024-03-04T10:00:00Z
originalUrl: https://example.com/new
topics: [Feeds]"""


def _schema(name: str) -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(SCHEMAS / name)))


URLSET, SITEINDEX = _schema("sitemap.xsd"), _schema("siteindex.xsd")


def _valid(data: bytes) -> etree._Element:
    """The parsed sitemap or index, after checking it against its sitemaps.org schema."""
    tree = etree.fromstring(data)
    schema = SITEINDEX if etree.QName(tree).localname == "sitemapindex" else URLSET
    assert schema.validate(tree), schema.error_log
    return tree


def _locs(tree: etree._Element) -> list[str]:
    return [loc.text for loc in tree.iterfind(".//s:loc", NS)]


def test_fifty_thousand_urls_fit_one_sitemap_and_one_more_makes_an_index() -> None:
    entries = [(f"items/link-{n}/", date(2024, 1, 1 + n % 28)) for n in range(50_001)]
    started = time.perf_counter()
    one = sitemaps.plan(entries[:50_000], BASE)
    assert [(s.path, s.index, len(s.entries)) for s in one] == [("sitemap.xml", False, 50_000)]
    index, first, second = sitemaps.plan(entries, BASE)
    assert (index.path, index.index) == ("sitemap.xml", True)
    assert (first.path, len(first.entries)) == ("sitemap-1.xml", 50_000)
    assert (second.path, second.entries) == ("sitemap-2.xml", (entries[-1],))
    trees = {s.path: _valid(s.render(BASE)) for s in (index, first, second)}
    assert time.perf_counter() - started < 10
    assert _locs(trees["sitemap.xml"]) == [BASE + "sitemap-1.xml", BASE + "sitemap-2.xml"]
    # Each sitemap's date is the newest of its pages'.
    lastmods = [m.text for m in trees["sitemap.xml"].iterfind(".//s:lastmod", NS)]
    assert lastmods == ["2024-01-28", entries[-1][1].isoformat()]
    assert _locs(trees["sitemap-1.xml"]) + _locs(trees["sitemap-2.xml"]) == [
        BASE + path for path, _ in entries
    ]


def test_a_sitemap_is_split_at_the_byte_limit_exactly(monkeypatch: pytest.MonkeyPatch) -> None:
    # An odd base URL, to be escaped; pages with and without a date.
    base = "https://example.org/a&b/"
    entries = [(f"2024/05/{n:02d}/", date(2024, 5, n) if n % 2 else None) for n in range(1, 29)]
    whole = sitemaps.plan(entries, base)[0].render(base)
    monkeypatch.setattr(sitemaps, "MAX_BYTES", len(whole))
    assert [s.path for s in sitemaps.plan(entries, base)] == ["sitemap.xml"]
    monkeypatch.setattr(sitemaps, "MAX_BYTES", len(whole) - 1)
    split = sitemaps.plan(entries, base)
    assert [s.path for s in split] == ["sitemap.xml", "sitemap-1.xml", "sitemap-2.xml"]
    assert [len(s.entries) for s in split[1:]] == [27, 1]
    for sitemap in split:
        data = sitemap.render(base)
        assert len(data) <= len(whole) - 1
        _valid(data)
    assert b"<loc>https://example.org/a&amp;b/2024/05/01/</loc>" in split[1].render(base)


def _pages(out: Path) -> set[str]:
    """The URL of every page of a built site that a search engine should know."""
    return {
        BASE + p.relative_to(out).as_posix().removesuffix("index.html")
        for p in out.rglob("index.html")
    }


def test_a_big_site_publishes_an_index_that_robots_txt_names(
    fixture_site: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out, _ = build_folder(fixture_site, tmp_path / "out", search=False)
    single = _valid((out / "sitemap.xml").read_bytes())
    listed = _locs(single)
    assert len(listed) > 8 and not list(out.glob("sitemap-*.xml"))

    monkeypatch.setattr(sitemaps, "MAX_URLS", 4)
    # A build with the same inputs would do nothing at all: one more link makes it build.
    write_article(fixture_site / "content", "z-new.md", NEW_ARTICLE)
    build_folder(fixture_site, out, search=False)
    listed = _locs(etree.fromstring((out / "sitemap-1.xml").read_bytes()))
    listed += [u for p in sorted(out.glob("sitemap-*.xml"))[1:] for u in _locs(etree.parse(p))]
    index = _valid((out / "sitemap.xml").read_bytes())
    assert etree.QName(index).localname == "sitemapindex"
    numbered = [BASE + f"sitemap-{n}.xml" for n in range(1, (len(listed) + 3) // 4 + 1)]
    assert _locs(index) == numbered
    in_parts = []
    for url in numbered:
        part = _valid((out / urlsplit(url).path.removeprefix("/links/")).read_bytes())
        assert 1 <= len(_locs(part)) <= 4
        in_parts += _locs(part)
    assert in_parts == listed  # the same pages, in the same order
    # Every page listed exists; the pages left out are the continuation pages of a listing.
    assert set(listed) <= _pages(out)
    unlisted = {url.removeprefix(BASE) for url in _pages(out) - set(listed)}
    assert all(path.startswith(("page/", "feeds/")) or "/page/" in path for path in unlisted)
    robots = (out / "robots.txt").read_text("utf-8")
    assert robots.splitlines()[-1] == f"Sitemap: {BASE}sitemap.xml"

    # Back under the limit: one sitemap again, the numbered ones gone, also when roundup's
    # record of its files was lost.
    monkeypatch.setattr(sitemaps, "MAX_URLS", 50_000)
    shutil.rmtree(fixture_site / ".roundup-cache")
    build_folder(fixture_site, out, search=False)
    assert _locs(_valid((out / "sitemap.xml").read_bytes())) == listed
    assert not list(out.glob("sitemap-*.xml"))
