"""Light pages at any size: listings split by item count, with stable URLs and pagers."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest
from lxml import html as lxml_html

from roundup.core import model
from roundup.site import listed, paging
from roundup.site.structure import Edition, Group

import bigsite
from conftest import build_folder, parse_html
from sitelinks import crawl, html_pages

# Lighthouse fails a page with more DOM elements than this; the weight is the project's own.
MAX_ELEMENTS = 1_400
MAX_BYTES = 150_000
BIG = "https://example.org/big/"
DASH = "\N{EN DASH}"  # between the first and last link a page shows of an edition


def weight(path: Path) -> tuple[int, int]:
    """A page's bytes and its number of elements, as the browser's DOM has them."""
    data = path.read_bytes()
    tree = lxml_html.fromstring(data)
    return len(data), sum(1 for e in tree.iter() if isinstance(e.tag, str))


@pytest.fixture(scope="module")
def big(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """1,500 heavy links on three days of one month, built with the default settings."""
    root = tmp_path_factory.mktemp("big")
    site = bigsite.write_site(root / "site", 1_500, 3)
    out, result = build_folder(site, root / "out", search=False)
    assert result.shown == 1_500
    return out


def test_no_page_of_a_big_archive_is_heavy(big: Path) -> None:
    heaviest: dict[str, tuple[int, int]] = {}
    for path in html_pages(big):
        size, elements = weight(big / (path if path.endswith(".html") else path + "index.html"))
        kind = re.sub(r"\d+", "N", re.sub(r"^(topics|items)/[^/]+", r"\1/X", path))
        old = heaviest.get(kind, (0, 0))
        heaviest[kind] = (max(old[0], size), max(old[1], elements))
        assert size <= MAX_BYTES and elements <= MAX_ELEMENTS, (path, size, elements)
    # Every kind of listing had enough links to be split, and was.
    for kind in ("page/N/", "N/N/N/page/N/", "N/N/page/N/", "topics/X/page/N/"):
        assert kind in heaviest, sorted(heaviest)
    # The limits were approached, not avoided: a page of heavy links weighs this much.
    assert max(size for size, _ in heaviest.values()) > MAX_BYTES / 2
    assert max(elements for _, elements in heaviest.values()) > MAX_ELEMENTS / 2


def test_weekly_editions_and_sources_are_split_as_lightly(tmp_path: Path) -> None:
    # The same links as weekly editions: one week of 1,500 heavy links, and a source each.
    site = bigsite.write_site(tmp_path / "site", 1_500, 3)
    out, _ = build_folder(site, tmp_path / "out", search=False, editions="week")
    kinds = set()
    for path in html_pages(out):
        size, elements = weight(out / (path if path.endswith(".html") else path + "index.html"))
        assert size <= MAX_BYTES and elements <= MAX_ELEMENTS, (path, size, elements)
        kinds.add(re.sub(r"\d+", "N", re.sub(r"^(sources|topics|items)/[^/]+", r"\1/X", path)))
    assert {"N/wN/", "N/wN/page/N/", "sources/X/page/N/"} <= kinds, sorted(kinds)
    week = next(out.glob("2024/w*/index.html")).parent
    pages = [parse_html(week / "index.html")]
    pages += [parse_html(p) for p in week.glob("page/*/index.html")]
    assert len(pages) == 50  # 1,500 links, 30 a page
    assert pages[0].cssselect(".top-stories") and not pages[1].cssselect(".top-stories")
    shown = [a.get("href") for page in pages for a in _titles(page)]
    assert len(shown) == len(set(shown)) == 1_500
    assert crawl(out, BIG).broken == []


def test_every_page_is_reachable_from_the_home_page_and_no_link_is_broken(big: Path) -> None:
    found = crawl(big, BIG)
    assert found.broken == []
    assert found.anchors == []
    pages = set(html_pages(big)) - {"404.html"}
    assert pages - found.reached == set()
    assert sum(p.startswith("items/") for p in found.reached) == 1_500


def test_a_big_day_is_split_with_stable_urls_and_pagers(big: Path) -> None:
    first = parse_html(big / "2024/05/01/index.html")
    pages = sorted(big.glob("2024/05/01/page/*/index.html"), key=lambda p: int(p.parent.name))
    assert len(pages) == 16  # 500 links, 30 a page
    second = parse_html(pages[0])
    last = parse_html(pages[-1])
    assert first.cssselect("h1")[0].text_content() == "Wednesday 1 May 2024"
    assert second.cssselect("h1")[0].text_content() == "Wednesday 1 May 2024, page 2 of 17"
    for page in (first, second, last):
        lede = page.cssselect(".lede")[0].text_content()
        assert lede.startswith("500 links in this edition") and "on 17 pages" in lede
    assert len(first.cssselect(".entry")) == 30 and len(last.cssselect(".entry")) == 20
    # Pages in the head and in the pager; the neighbouring editions without rel there.
    assert _head_rels(first) == {"next": "/big/2024/05/01/page/2/"}
    assert _head_rels(second) == {"prev": "/big/2024/05/01/", "next": "/big/2024/05/01/page/3/"}
    assert _head_rels(last) == {"prev": "/big/2024/05/01/page/16/"}
    pager = second.cssselect('nav.pagination[aria-label="More links of this edition"]')[0]
    assert pager.cssselect('a[rel="prev"]')[0].get("href") == "/big/2024/05/01/"
    assert not second.cssselect(".edition-nav a[rel]")
    assert second.cssselect(".edition-nav a")[0].get("href") == "/big/2024/05/02/"
    # Top stories once, on the first page; the day's links once each, over all its pages.
    assert first.cssselect(".top-stories") and not second.cssselect(".top-stories")
    shown = [a.get("href") for p in [first, *map(parse_html, pages)] for a in _titles(p)]
    assert len(shown) == len(set(shown)) == 500


def test_a_big_month_lists_its_titles_over_pages(big: Path) -> None:
    first = parse_html(big / "2024/05/index.html")
    pages = sorted(big.glob("2024/05/page/*/index.html"), key=lambda p: int(p.parent.name))
    assert len(pages) == 7  # 1,500 titles, 200 a page
    links = [a for p in [first, *map(parse_html, pages)] for a in p.cssselect(".titles a")]
    assert len({a.get("href") for a in links}) == 1_500
    counts = [c.text_content() for c in parse_html(pages[1]).cssselect(".day-title .count")]
    assert counts == [f"links 401{DASH}500 of 500", f"links 1{DASH}100 of 500"]  # page 3: two days
    assert _head_rels(parse_html(pages[0])) == {
        "prev": "/big/2024/05/",
        "next": "/big/2024/05/page/3/",
    }


def test_home_pages_split_big_editions_and_keep_their_order(big: Path) -> None:
    home = parse_html(big / "index.html")
    assert [h.text_content() for h in home.cssselect(".edition-title")] == ["Friday 3 May 2024"]
    assert home.cssselect(".edition-count")[0].text_content() == f"links 1{DASH}30 of 500"
    pages = [home] + [parse_html(big / f"page/{n}/index.html") for n in range(2, 52)]
    assert not (big / "page/52").exists()
    shown = [a.get("href") for p in pages for a in _titles(p)]
    assert len(shown) == len(set(shown)) == 1_500
    # Page 17 ends the newest day; the 10 places left are too few to start the next one.
    assert [c.text_content() for c in pages[16].cssselect(".edition-count")] == [
        f"links 481{DASH}500 of 500"
    ]
    assert pages[17].cssselect(".edition-count")[0].text_content() == f"links 1{DASH}30 of 500"


def _titles(page: lxml_html.HtmlElement) -> list[lxml_html.HtmlElement]:
    return page.cssselect(".entry .entry-title a")


def _head_rels(page: lxml_html.HtmlElement) -> dict[str, str]:
    return {
        link.get("rel"): link.get("href")
        for link in page.cssselect("head link[rel=prev], head link[rel=next]")
    }


# --- Laying editions out on pages.


def _edition(day: int, count: int) -> Edition:
    items = tuple(f"{day}-{n}" for n in range(count))  # stand-ins: only counted and sliced
    return Edition(date(2024, 5, day), items, (Group(None, items),), f"2024/05/{day:02d}/")  # type: ignore[arg-type]


def _layout(pages: list[tuple[paging.Part, ...]]) -> list[list[tuple[int, int, int]]]:
    return [[(p.day.day, p.first, len(p.items)) for p in page] for page in pages]


def test_editions_fill_pages_and_big_ones_go_on_over_several() -> None:
    editions = [_edition(9, 3), _edition(8, 12), _edition(7, 45), _edition(6, 4), _edition(5, 2)]
    laid_out = paging.runs_into_pages(editions, 20, paging.grouped_part, 7, 10)
    assert _layout(laid_out) == [
        [(9, 0, 3), (8, 0, 12)],  # 5 places left, fewer than 10: the next edition moves on
        [(7, 0, 20)],
        [(7, 20, 20)],
        [(7, 40, 5), (6, 0, 4), (5, 0, 2)],
    ]


def test_a_page_holds_at_most_so_many_editions_and_starts_anew_when_little_room_is_left() -> None:
    editions = [_edition(d, 2) for d in range(20, 10, -1)]
    laid_out = paging.runs_into_pages(editions, 30, paging.grouped_part, 3)
    assert [len(page) for page in laid_out] == [3, 3, 3, 1]
    big = [_edition(9, 25), _edition(8, 10)]
    # 5 places left on the first page: less than 15, so the next edition starts a page.
    assert _layout(paging.runs_into_pages(big, 30, paging.grouped_part, 7, 15)) == [
        [(9, 0, 25)],
        [(8, 0, 10)],
    ]
    # Archive listings fill every page.
    assert _layout(paging.runs_into_pages(big, 30, paging.listed_part)) == [
        [(9, 0, 25), (8, 0, 5)],
        [(8, 5, 5)],
    ]


def test_a_part_keeps_the_groups_of_the_items_it_shows() -> None:
    a, b = (object(), object())
    items = tuple(f"i{n}" for n in range(7))
    edition = Edition(
        date(2024, 5, 1),
        items,  # type: ignore[arg-type]
        (Group(a, items[:4]), Group(b, items[4:])),  # type: ignore[arg-type]
        "2024/05/01/",
    )
    part = paging.grouped_part(edition, 2, 6)
    assert [(g.topic, g.items) for g in part.groups] == [(a, items[2:4]), (b, items[4:6])]
    assert part.items == items[2:6] and (part.continued, part.continues) == (True, True)
    assert [len(p.items) for p in paging.edition_pages(edition, 3)] == [3, 3, 1]


# --- What listings show of long comments.


def test_a_short_comment_is_listed_whole() -> None:
    comment = "<p>Short and <em>sweet</em>.</p>\n<p>Two paragraphs.</p>"
    assert listed.listed_comment(comment) == (comment, False)


def test_a_long_comment_is_listed_by_its_first_paragraphs() -> None:
    paragraphs = [f"<p>Paragraph {n} {'word ' * 50}</p>" for n in range(10)]  # 270 characters
    shown, cut = listed.listed_comment("\n".join(paragraphs))
    assert cut and shown == "\n".join(paragraphs[:4])  # 4 of 270 and 3 line breaks: 1,083
    assert len(shown) <= model.COMMENT_CHARS


def test_a_comment_of_many_small_elements_is_cut_by_their_number() -> None:
    comment = (
        "<ul>"
        + "".join(f"<li><a href='https://e/{n}'>{n}</a></li>" for n in range(20))
        + "</ul><p>end</p>"
    )
    comment = comment.replace("'", '"')
    shown, cut = listed.listed_comment(comment)
    assert cut and model.elements(shown) <= model.COMMENT_ELEMENTS


def test_one_long_paragraph_is_shown_as_its_first_words() -> None:
    comment = "<p>" + " ".join(f"<em>w{n}</em> &amp; more" for n in range(400)) + "</p>"
    shown, cut = listed.listed_comment(comment)
    assert cut and shown.startswith("<p>w0 &amp; more w1") and shown.endswith("…</p>")
    assert len(lxml_html.fromstring(shown).text_content()) <= listed.OPENING_CHARS


def test_a_long_comment_links_to_the_rest_on_the_item_page(tmp_path: Path) -> None:
    site = bigsite.write_site(tmp_path / "site", 10, 1)
    out, _ = build_folder(site, tmp_path / "out", search=False)
    day = parse_html(out / "2024/05/01/index.html")
    more = [a.get("href") for a in day.cssselect(".comment .comment-more a")]
    assert "/big/items/link-00000/#comment-title" in more
    item = parse_html(out / "items/link-00000/index.html")
    assert len(item.cssselect(".comment p")) == 40  # the whole comment there
    assert len(day.cssselect(".entry")) == 10 and not day.cssselect(".entry[id]")


def test_listings_are_made_newest_day_first(tmp_path: Path) -> None:
    """A build makes its listings in the order of the newest day each shows (a big site
    decodes article texts as pages need them and keeps only recent ones): every kind of
    listing must be given its day, and the order must run from newest to oldest."""
    from roundup.core.config import load
    from roundup.read.cache import ParseCache
    from roundup.read.loader import load_articles, scan
    from roundup.site import pages
    from roundup.site.structure import build_site

    site_dir = bigsite.write_site(tmp_path / "site", 120, 4)
    config = load(None, {"content_dir": str(site_dir / "content"), "search": False})
    loaded = load_articles(config, ParseCache(None, "UTC"), scan(config.content_dir))
    site = build_site(loaded.articles, config, False, None)
    listings = sorted(pages.list_pages(site), key=pages.newest_day_first)
    kinds = {"home.html", "day.html", "topic.html", "source.html", "month.html"}
    dated = [p for p in listings if p.template in kinds]
    assert {p.template for p in dated} == kinds
    keys = [pages.newest_day_first(p) for p in dated]
    assert all(key[0] == 0 for key in keys)  # each listing's day was found
    assert keys == sorted(keys)  # newest first: -ordinal grows
    assert listings[: len(dated)] == dated  # the pages that list no links last
    assert listings[0].path == ""  # the home page first: errors are reported on it


def test_links_with_many_topics_keep_listings_light(tmp_path: Path) -> None:
    # 30 imported bookmarks of 20 tags each on one day: every listing that showed all their
    # topics passed 1,400 elements (found by a tester of skewed archives).
    from conftest import write_article

    site = tmp_path / "site"
    topics = ", ".join(f"Tag {n}" for n in range(20))
    for n in range(30):
        front = (
            f'title: "Link {n}"\npublishedDateTime: 2024-05-01T10:{n:02d}:00Z\n'
            f'originalUrl: "https://e.example/{n}"\ntopics: [{topics}]'
        )
        write_article(site / "content", f"link-{n:02d}.md", front)
    out, _ = build_folder(site, tmp_path / "out", search=False, base_url=BIG)
    for path in html_pages(out):
        size, elements = weight(out / (path if path.endswith(".html") else path + "index.html"))
        assert size <= MAX_BYTES and elements <= MAX_ELEMENTS, (path, size, elements)
    entry = parse_html(out / "2024/05/01/index.html").cssselect(".entry")[0]
    shown = [a.text_content() for a in entry.cssselect(".topics li")]
    # Its group's topic (Tag 0) is named above it: 8 of the other 19, and a link to them all.
    assert len(shown) == 9 and shown[-1] == "11 more topics"
    assert entry.cssselect(".topics-more a")[0].get("href").endswith("/items/link-29/")
    item = parse_html(out / "items/link-29/index.html")
    assert len(item.cssselect(".topics li")) == 20
    assert crawl(out, BIG).broken == []


def test_indexes_of_many_topics_are_split_too(tmp_path: Path) -> None:
    # 2,000 one-link topics made /topics/, /feeds/ and the search page's list (without
    # JavaScript) several times heavier than the limits; 400 are enough to split each.
    from conftest import write_article

    site = tmp_path / "site"
    for n in range(400):
        front = (
            f'title: "Link {n}"\npublishedDateTime: 2024-05-{1 + n % 28:02d}T10:00:00Z\n'
            f'originalUrl: "https://e.example/{n}"\ntopics: ["Topic {n:03d}"]'
        )
        write_article(site / "content", f"link-{n:03d}.md", front)
    out, _ = build_folder(site, tmp_path / "out", base_url=BIG)
    for path in html_pages(out):
        size, elements = weight(out / (path if path.endswith(".html") else path + "index.html"))
        assert size <= MAX_BYTES and elements <= MAX_ELEMENTS, (path, size, elements)
    first, second = (
        parse_html(out / "topics/index.html"),
        parse_html(out / "topics/page/2/index.html"),
    )
    names = [a.text_content() for page in (first, second) for a in page.cssselect(".topic-index a")]
    assert names == [f"Topic {n:03d}" for n in range(400)]
    assert second.cssselect("h1")[0].text_content() == "Topics, page 2 of 2"
    assert "400 topics" in second.cssselect(".lede")[0].text_content()
    feeds = [out / "feeds/index.html", *(out / f"feeds/page/{n}/index.html" for n in (2, 3, 4))]
    rows = [row for page in feeds for row in parse_html(page).cssselect(".feed-table tbody tr")]
    assert len(rows) == 400 and not (out / "feeds/page/5").exists()
    search = parse_html(out / "search/index.html").cssselect("#search .topics li")
    assert len(search) == 101 and search[-1].text_content() == "300 more topics"
    assert search[-1].cssselect("a")[0].get("href") == "/big/topics/"
    assert crawl(out, BIG).broken == []


def test_topics_a_to_z_put_accented_names_among_the_others(tmp_path: Path) -> None:
    # "Émoji" came after "Web" (code point order), on a page that says "A to Z".
    from conftest import write_article

    site = tmp_path / "site"
    names = ["Web", "émigrés", "Émoji", "C++", "Zebra", "Äpfel", "日本語", "feeds"]
    for n, name in enumerate(names):
        front = (
            f'title: "Link {n}"\npublishedDateTime: 2024-05-0{1 + n % 2}T10:00:00Z\n'
            f'originalUrl: "https://e.example/{n}"\ntopics: ["{name}"]'
        )
        write_article(site / "content", f"link-{n}.md", front)
    out, _ = build_folder(site, tmp_path / "out")
    listed = [
        a.text_content() for a in parse_html(out / "topics/index.html").cssselect(".topic-index a")
    ]
    assert listed == ["Äpfel", "C++", "émigrés", "Émoji", "feeds", "Web", "Zebra", "日本語"]
    # An edition's groups of one link each go A to Z too.
    day = parse_html(out / "2024/05/01/index.html").cssselect(".group-title")
    assert [h.text_content() for h in day] == ["Émoji", "Web", "Zebra", "日本語"]
