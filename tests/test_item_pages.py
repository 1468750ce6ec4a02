"""Hosting limits: `item_pages` (all, commented, none) and the warning near GitHub Pages' 1 GB."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import feedparser
import pytest
from lxml import etree
from test_search import fragments, make_site

from roundup.site import hosting

import checkers
from conftest import CLI, ROOT, SHOWCASE, build_folder, files_of, parse_html
from sitelinks import crawl, html_pages
from webserver import serve_folder

SCHEMAS = ROOT / "tests" / "schemas"
BASE = "https://example.org/links/"
ATOM = "{http://www.w3.org/2005/Atom}"
MODES = {"all": True, "commented": "commented", "none": False}
SEARCH_CHECK = ROOT / "tests" / "tools" / "search-check.mjs"


@pytest.fixture(scope="module", params=list(MODES))
def built(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The example site under a base path, with item pages for all, commented or no links."""
    out = tmp_path_factory.mktemp(request.param) / "out"
    build_folder(SHOWCASE, out, base_url=BASE, item_pages=MODES[request.param])
    return out


def _mode(out: Path) -> str:
    return out.parent.name.rstrip("0123456789")


def test_only_the_chosen_links_have_pages_and_nothing_links_elsewhere(built: Path) -> None:
    mode = _mode(built)
    items = {p.parent.name for p in built.glob("items/*/index.html")}
    shown = len(json.loads((built / "feed.json").read_bytes())["items"])
    if mode == "all":
        assert len(items) == shown == 32
    elif mode == "commented":
        assert 0 < len(items) < shown
        for slug in items:
            assert parse_html(built / f"items/{slug}/index.html").cssselect(".item .comment")
    else:
        assert items == set()
    found = crawl(built, BASE)
    assert found.broken == [] and found.anchors == []
    assert set(html_pages(built)) - {"404.html"} == found.reached


def test_listings_link_the_article_where_there_is_no_page(built: Path) -> None:
    mode = _mode(built)
    entries = [
        e for day in built.glob("20*/*/*/index.html") for e in parse_html(day).cssselect(".entry")
    ]
    assert len(entries) == 32
    for entry in entries:
        title = entry.cssselect(".entry-title a")[0]
        assert title.get("href").startswith(("https://", "http://"))
        has_page = bool(entry.cssselect(".permalink"))
        commented = bool(entry.cssselect(".comment"))
        assert has_page == (mode == "all" or (mode == "commented" and commented))
        # A link without a page can be pointed at: search results lead there.
        assert (entry.get("id") is None) == has_page
    titles = [
        a
        for month in built.glob("20*/*/index.html")
        for a in parse_html(month).cssselect(".titles a")
    ]
    pages = [a.get("href") for a in titles if a.get("href").startswith("/links/items/")]
    assert len(pages) == len(list(built.glob("items/*/index.html")))
    assert len(titles) - len(pages) == sum(1 for e in entries if e.get("id"))


def test_the_sitemap_lists_only_pages_that_exist(built: Path) -> None:
    tree = etree.parse(str(built / "sitemap.xml"))
    schema = etree.XMLSchema(etree.parse(str(SCHEMAS / "sitemap.xsd")))
    assert schema.validate(tree), schema.error_log
    locs = [e.text for e in tree.iter("{*}loc")]
    for loc in locs:
        path = loc.removeprefix(BASE)
        assert (built / path / "index.html").is_file(), loc
    items = [loc for loc in locs if "/items/" in loc]
    assert len(items) == len(list(built.glob("items/*/index.html")))


def test_feeds_stay_valid_and_point_to_the_article_without_a_page(built: Path) -> None:
    rng = etree.RelaxNG(etree.parse(str(SCHEMAS / "atom.rng")))
    atom = etree.parse(str(built / "feed.xml"))
    assert rng.validate(atom), rng.error_log
    check = checkers.venv_tool("check-jsonschema")
    result = checkers.run([check, "--schemafile", SCHEMAS / "jsonfeed-1.1.schema.json",
                           built / "feed.json"])  # fmt: skip
    assert result.returncode == 0, checkers.output_of(result)
    pages = {f"{BASE}items/{p.parent.name}/" for p in built.glob("items/*/index.html")}
    json_items = json.loads((built / "feed.json").read_bytes())["items"]
    for entry, item in zip(atom.iter(f"{ATOM}entry"), json_items, strict=True):
        links = {x.get("rel", "alternate"): x.get("href") for x in entry.iter(f"{ATOM}link")}
        page = links.get("related")
        content = entry.find(f"{ATOM}content").text
        if page is None:
            assert item["url"] == links["alternate"] and "external_url" not in item
            assert "Permalink" not in content and "Permalink" not in item["content_html"]
        else:
            assert page in pages and item["url"] == page
            assert item["external_url"] == links["alternate"]
            assert f'<a href="{page}">Permalink</a>' in content
    rss = feedparser.parse((built / "rss.xml").read_bytes())
    assert not rss.bozo
    assert {e.get("comments") for e in rss.entries} - {None} <= pages


def test_search_finds_links_without_a_page_at_their_entry(tmp_path: Path) -> None:
    site = make_site(tmp_path, item_pages="false")
    out, _ = build_folder(site, tmp_path / "out")
    records = fragments(out)
    assert {r["meta"]["title"] for r in records.values()} >= {"Marsupials of the open web"}
    quokka = next(r for r in records.values() if r["meta"]["title"].startswith("Marsupials"))
    assert quokka["meta"]["url"] == "/links/2024/05/02/#link-quokka"
    assert quokka["meta"]["link"] == "https://wildlife.example/quokka"
    assert quokka["content"] == (
        "Marsupials of the open web. Animals. Web. Rottnest Island's famous resident. "
        "The quokka smiles at every camera."
    )
    assert quokka["filters"] == {"year": ["2024"]}
    day = parse_html(out / "2024/05/02/index.html")
    assert day.cssselect("#link-quokka .entry-title a")[0].get("href") == (
        "https://wildlife.example/quokka"
    )
    assert len(records) == 4 and not list(out.glob("items/*"))


def test_search_results_without_a_page_lead_to_the_week_page_that_lists_them(
    tmp_path: Path,
) -> None:
    site = make_site(tmp_path, item_pages="false", editions='"week"', items_per_page="1")
    out, _ = build_folder(site, tmp_path / "out")
    urls = sorted(r["meta"]["url"] for r in fragments(out).values())
    assert len(urls) == 4 and all("/w" in url for url in urls)
    for url in urls:  # each leads to the page of its week's edition that shows its entry
        page, anchor = url.removeprefix("/links/").split("#")
        assert parse_html(out / page / "index.html").cssselect(f"#{anchor}"), url


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """A local web server over a folder: (its URL, the folder)."""
    root = tmp_path / "served"
    root.mkdir()
    with serve_folder(root) as url:
        yield url, root


def _search(page_url: str, word: str) -> dict:
    """What a reader typing `word` on the search page sees (tests/tools/search-check.mjs)."""
    assert checkers.playwright_core().is_dir()
    command = [checkers.node(), SEARCH_CHECK, page_url, word]
    result = checkers.run(command, env={"CHROMIUM": str(checkers.chromium())}, timeout=180)
    assert result.returncode == 0, checkers.output_of(result)
    return json.loads(result.stdout)


def test_a_reader_searching_a_site_without_item_pages_lands_on_the_entry(
    tmp_path: Path, served: tuple[str, Path]
) -> None:
    base, root = served
    site = make_site(tmp_path, base_url=f"{base}links/", item_pages='"commented"')
    build_folder(site, root / "links")
    found = _search(f"{base}links/search/", "rss")
    assert found["errors"] == []
    assert found["results"][0] == {
        "href": "/links/2024/02/10/#link-rss",
        "title": "RSS at twenty-five",
        "links": ["https://feeds.example/rss-25"],
    }
    quokka = _search(f"{base}links/search/", "quokka")  # commented: a page of its own
    assert quokka["results"][0]["href"] == "/links/items/quokka/"


def test_an_edit_to_a_link_without_a_page_reindexes_its_shard(tmp_path: Path) -> None:
    site = make_site(tmp_path, item_pages="false")
    out, _ = build_folder(site, tmp_path / "out")
    before = files_of(out / "pagefind")
    rss = site / "content" / "rss.md"
    rss.write_text(rss.read_text("utf-8").replace("A format that lasted.", "Still here."))
    build_folder(site, out)
    after = files_of(out / "pagefind")
    changed = {p.split("/")[0] for p in set(before) ^ set(after)}
    changed |= {p.split("/")[0] for p in before if p in after and before[p] != after[p]}
    assert changed == {"2024"}  # not the 2023 shard
    assert any(b"Still here" in r["content"].encode() for r in fragments(out).values())


# --- The size of the published site.


def test_a_site_near_the_pages_limit_is_told_how_to_shrink(
    tmp_path: Path, cli: CLI, monkeypatch: pytest.MonkeyPatch
) -> None:
    site = tmp_path / "site"
    shutil.copytree(SHOWCASE, site)
    out = tmp_path / "out"
    ran = cli("build", "--output", str(out), cwd=site)
    assert ran.code == 0 and "GitHub Pages" not in ran.err
    total = sum(p.stat().st_size for p in out.rglob("*") if p.is_file())
    items = sum(p.stat().st_size for p in out.glob("items/*/index.html"))
    index = sum(p.stat().st_size for p in (out / "pagefind").rglob("*") if p.is_file())
    monkeypatch.setattr(hosting, "WARN_AT", total - 1)
    (site / "content" / "000_8ccf7ab2b6d15010.txt").touch()  # an input changed: build again
    ran = cli("build", "--output", str(out), cwd=site)
    assert ran.code == 0, ran.err
    warnings = [line for line in ran.lines if "GitHub Pages" in line]
    mb = hosting.megabytes
    assert warnings == [
        f"warning: pyproject.toml: item_pages: the site is {mb(total)}, and GitHub Pages refuses "
        f'sites over 1 GB; item_pages = "commented" (only links with your comment get a page of '
        f"their own) makes it about {mb(total - _uncommented_pages(out))}, item_pages = false "
        f"(no link gets one; the lists link the articles) about {mb(total - items)}, "
        f"search = false about {mb(total - index)}"
    ]
    # --strict fails on it, and leaves the output as it was.
    before = files_of(out)
    (site / "content" / "000_8ccf7ab2b6d15010.txt").touch()
    ran = cli("build", "--output", str(out), "--strict", cwd=site)
    assert ran.code == 1 and "GitHub Pages" in ran.err
    assert files_of(out) == before


def _uncommented_pages(out: Path) -> int:
    return sum(
        p.stat().st_size
        for p in out.glob("items/*/index.html")
        if not parse_html(p).cssselect(".item .comment")
    )


def test_megabytes_are_counted_as_github_counts_them() -> None:
    assert hosting.megabytes(812_400_000) == "812 MB"
    assert hosting.megabytes(1_500_000) == "2 MB"


def test_a_link_too_long_for_the_lists_keeps_its_page_whatever_the_setting(
    tmp_path: Path,
) -> None:
    # With item_pages = false, lists showed each comment whole: 30 essays made a page of a
    # day 750 KB heavy (found by a tester of skewed archives). Such a link keeps its page.
    from conftest import write_article

    site = tmp_path / "site"
    essay = "\n\n".join(f"Paragraph {n}: " + "words of the essay " * 12 for n in range(60))
    related = "related:\n" + "".join(
        f'  - title: "Other {n}"\n    webUrl: "https://o{n}.example/"\n' for n in range(5)
    )
    for n in range(30):
        front = (
            f'title: "Link {n}"\npublishedDateTime: 2024-05-01T10:{n:02d}:00Z\n'
            f'originalUrl: "https://e.example/{n}"\ntopics: [Essays]'
        )
        body = essay if n % 3 == 0 else "A short comment."
        front += "\n" + related.rstrip("\n") if n % 3 == 1 else ""
        write_article(site / "content", f"link-{n:02d}.md", front, body)
    out, _ = build_folder(site, tmp_path / "out", search=False, base_url=BASE, item_pages=False)
    pages = {p.parent.name for p in out.glob("items/*/index.html")}
    assert pages == {f"link-{n:02d}" for n in range(30) if n % 3 != 2}
    for path in html_pages(out):
        data = (out / (path if path.endswith(".html") else path + "index.html")).read_bytes()
        assert len(data) < 150_000, path
    day = parse_html(out / "2024/05/01/index.html")
    assert len(day.cssselect(".comment-more a")) == 10  # the essays' openings, and their pages
    assert crawl(out, BASE).broken == []
