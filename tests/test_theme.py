"""The default theme: valid HTML, accessible pages, complete heads and file-by-file overrides."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path
from urllib.parse import unquote

import pytest
from lxml import html as lxml_html

from roundup.build.pipeline import build
from roundup.core import config as config_module
from roundup.core import model
from roundup.core.model import Provider, Related
from roundup.site import pages as pages_module
from roundup.site.filters import comment_html, coverage
from roundup.site.paging import page_window

from checkers import (
    axe_script,
    chromium,
    node,
    output_of,
    playwright_core,
    run,
    vnu_command,
)
from conftest import CLI, ROOT, SHOWCASE, build_folder, parse_html, write_article
from webserver import serve_folder

THEME = ROOT / "templates"
AXE_CHECK = ROOT / "tests" / "tools" / "axe-check.mjs"
# The example site public, in preview and public with weekly editions (`editions = "week"`).
BUILDS = ("public", "preview", "weekly")
WEEKLY = {"editions": "week", "edition_title": "Formats Weekly #{number}"}
# The example again with short pages and item pages for commented links only: every listing
# split, entries without a page of their own, long comments cut.
PAGED = "paged"
PAGED_SETTINGS = {"items_per_page": 3, "editions_per_page": 2, "item_pages": "commented"}
NAV = ("Home", "Topics", "Sources", "Archive", "Feeds", "Search")
DAY = re.compile(r"\d{4}/\d{2}/\d{2}/")
WEEK = re.compile(r"\d{4}/w\d{2}/")


def weekly(build: str) -> dict[str, str]:
    """The settings that make a build weekly, for the build named "weekly"."""
    return WEEKLY if build == "weekly" else {}


@dataclass(frozen=True)
class Served:
    """The example site built twice (public and preview) under one local web server."""

    root: Path
    base: str  # "http://127.0.0.1:<port>/"; the builds live in public/ and preview/

    def folder(self, build: str) -> Path:
        return self.root / build

    def pages(self, build: str) -> list[str]:
        """Every HTML page of a build, as a site path ("", "topics/", "404.html")."""
        folder = self.folder(build)
        return sorted(
            p.relative_to(folder).as_posix().removesuffix("index.html")
            for p in folder.rglob("*.html")
            if ".roundup" not in p.parts
        )

    def page(self, build: str, path: str) -> lxml_html.HtmlElement:
        file = self.folder(build) / (path if path.endswith(".html") else path + "index.html")
        return parse_html(file)


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    root = tmp_path_factory.mktemp("served")
    with serve_folder(root) as base:
        for name in (*BUILDS, PAGED):
            # A base path, as on GitHub Pages: every link must honour it to be served here.
            settings = {"output_dir": str(root / name), "base_url": f"{base}{name}/"}
            settings |= weekly(name)
            if name == PAGED:
                settings |= PAGED_SETTINGS
            settings["cache_dir"] = str(root / f"{name}.cache")  # never in the fixture folder
            config = config_module.load(SHOWCASE / "pyproject.toml", settings, SHOWCASE)
            # Short month pages and short comments in listings, for every listing to be split
            # and some comments cut.
            titles, chars = pages_module.TITLES_PER_PAGE, model.COMMENT_CHARS
            if name == PAGED:
                pages_module.TITLES_PER_PAGE, model.COMMENT_CHARS = 5, 100
            try:
                build(config, preview=name == "preview")
            finally:
                pages_module.TITLES_PER_PAGE, model.COMMENT_CHARS = titles, chars
        yield Served(root, base)


def samples(served: Served) -> dict[str, str]:
    """One page of every type, "<build> <kind>" -> path, picked from the example content."""
    pages = served.pages("public")
    weekly = served.pages("weekly")

    def first(pattern: str, among: list[str] = pages) -> str:
        return next(p for p in among if re.fullmatch(pattern, p))

    # The richest item page: image, comment and related coverage all on one page.
    items = [p for p in pages if p.startswith("items/")]
    rich = max(items, key=lambda p: _richness(served.page("public", p)))
    day = served.page("public", rich).cssselect(".breadcrumbs a")[1].get("href")
    unpublished = next(
        p
        for p in served.pages("preview")
        if p.startswith("items/") and served.page("preview", p).cssselect("article.is-unpublished")
    )
    found = {
        "public home": "",
        "public home page 2": "page/2/",
        "public day": day.removeprefix("/public/"),
        "public month": first(r"\d{4}/\d{2}/"),
        "public year": first(r"\d{4}/"),
        "public archive": "archive/",
        "public topics": "topics/",
        "public topic": first(r"topics/[^/]+/"),
        "public item": rich,
        "public feeds": "feeds/",
        "public 404": "404.html",
        "public search": "search/",
        "public sources": "sources/",
        "public source": first(r"sources/(?!page/)[^/]+/"),
        "preview home": "",
        "preview item": unpublished,
        "weekly home": "",
        "weekly week": first(WEEK.pattern, weekly),
        "weekly month": first(r"\d{4}/\d{2}/", weekly),
        "weekly year": first(r"\d{4}/", weekly),
        "weekly feeds": "feeds/",
    }
    for kind, path in found.items():
        assert kind.startswith("preview") or path in (weekly if "weekly" in kind else pages)
    paged = served.pages(PAGED)

    def first_paged(pattern: str) -> str:
        return next(p for p in paged if re.fullmatch(pattern, p))

    found |= {
        "paged home page 2": "page/2/",
        "paged day page 2": first_paged(r"\d{4}/\d{2}/\d{2}/page/2/"),
        "paged month page 2": first_paged(r"\d{4}/\d{2}/page/2/"),
        "paged topic page 2": first_paged(r"topics/[^/]+/page/2/"),
        "paged day with a cut comment": next(
            p for p in paged if served.page(PAGED, p).cssselect(".comment-more")
        ),
    }
    return found


def _richness(page: lxml_html.HtmlElement) -> int:
    return sum(bool(page.cssselect(s)) for s in ("img.lead-image", ".comment", "#coverage"))


# --- Checkers: the Nu Html Checker and axe-core.


def test_every_page_is_valid_html_and_the_css_valid_css(
    served: Served, fixture_site: Path, tmp_path: Path
) -> None:
    # The fixture site adds the odd cases: an item without topics, a draft, time zones.
    folders = [served.folder(name) for name in (*BUILDS, PAGED)]
    folders += [
        build_folder(fixture_site, tmp_path / name, name == "preview", **weekly(name))[0]
        for name in BUILDS
    ]
    files = sorted(
        str(p)
        for folder in folders
        for p in folder.rglob("*")
        if p.suffix in (".html", ".css") and ".roundup" not in p.parts
    )
    # A small thread stack can make the checker print an empty report and exit 0.
    command = [*vnu_command()]
    command.insert(1, "-Xss8m")
    result = run([*command, "--errors-only", "--format", "json", "--also-check-css",
                  "--verbose", *files], timeout=120)  # fmt: skip
    try:
        report = json.loads(result.stderr)
    except ValueError:
        pytest.fail(f"no JSON report from the Nu checker\n{output_of(result)}")
    errors = [f"{m.get('url')}:{m.get('lastLine')}: {m['message']}" for m in report["messages"]]
    assert errors == []
    checked = [line for line in result.stdout.splitlines() if line.strip()]
    assert sorted(checked) == files
    # Each build has the theme's stylesheet and Pagefind's, on the search page.
    assert len(files) > 100 and sum(f.endswith(".css") for f in files) == 14
    assert sum(f.endswith("/pagefind-component-ui.css") for f in files) == 7
    assert any(WEEK.search(f) for f in files) and any("/sources/" in f for f in files)


def test_sample_pages_have_no_serious_axe_violations(served: Served) -> None:
    script, playwright, browser = axe_script(), playwright_core(), chromium()
    assert playwright.is_dir()
    found: dict[str, list[str]] = {}
    for name in (*BUILDS, PAGED):
        paths = [p for kind, p in samples(served).items() if kind.startswith(name)]
        result = run(
            [node(), AXE_CHECK, script, f"{served.base}{name}/", *paths],
            env={"CHROMIUM": str(browser)},
            timeout=120,
        )
        assert result.returncode == 0, output_of(result)
        report = json.loads(result.stdout)
        assert len(report) == 4 * len(paths)  # two schemes at two widths
        for page, violations in report.items():
            for v in violations:
                found.setdefault(f"{name} {page}", []).append(f"{v['id']} ({v['impact']})")
    serious = {
        page: [v for v in vs if v.endswith(("(serious)", "(critical)"))]
        for page, vs in found.items()
    }
    assert {p: vs for p, vs in serious.items() if vs} == {}
    assert found == {}  # minor and moderate ones too: none today, keep it so


# --- Structure of every page.


def _headings(page: lxml_html.HtmlElement) -> list[int]:
    return [int(h.tag[1]) for h in page.iter("h1", "h2", "h3", "h4", "h5", "h6")]


@pytest.mark.parametrize("name", (*BUILDS, PAGED))
def test_every_page_has_landmarks_one_h1_and_headings_in_order(served: Served, name: str) -> None:
    for path in served.pages(name):
        page = served.page(name, path)
        assert page.get("lang") == "en", path
        levels = _headings(page)
        assert levels.count(1) == 1 and levels[0] == 1, (path, levels)
        skips = [(a, b) for a, b in pairwise(levels) if b > a + 1]
        assert skips == [], (path, levels)
        body = page.find("body")
        skip = body.cssselect("a")[0]
        assert (skip.get("href"), skip.text_content()) == ("#main", "Skip to content"), path
        assert len(body.cssselect("body > header")) == 1, path
        assert len(page.cssselect("main#main")) == 1, path
        assert len(body.cssselect("body > footer")) == 1, path
        nav = page.cssselect('nav[aria-label="Main"] a')
        assert tuple(a.text_content() for a in nav) == NAV, path
        if path != "search/":  # the theme needs no JavaScript, but search runs in the browser
            assert not page.cssselect("script"), path
        labels = [n.get("aria-label") for n in page.cssselect("nav")]
        assert len(labels) == len(set(labels)), path  # each navigation named apart


@pytest.mark.parametrize("name", (*BUILDS, PAGED))
def test_every_page_has_a_complete_head(served: Served, name: str) -> None:
    base = f"{served.base}{name}/"
    for path in served.pages(name):
        page = served.page(name, path)

        def meta(key: str, value: str, page=page, path=path) -> str:
            found = page.cssselect(f'head meta[{key}="{value}"]')
            assert len(found) == 1, (path, value)
            return found[0].get("content")

        assert page.findtext(".//title").strip(), path
        assert meta("name", "description"), path
        for prop in ("og:title", "og:description", "og:site_name", "og:type", "og:locale"):
            assert meta("property", prop), (path, prop)
        assert meta("property", "og:url") == base + path
        assert meta("name", "twitter:card") in ("summary", "summary_large_image")
        assert meta("name", "twitter:title") and meta("name", "twitter:description")
        canonical = page.cssselect('link[rel="canonical"]')
        assert [c.get("href") for c in canonical] == ([] if path == "404.html" else [base + path])
        feeds = {a.get("type") for a in page.cssselect('head link[rel="alternate"]')}
        assert {"application/atom+xml", "application/rss+xml", "application/feed+json"} <= feeds
        robots = page.cssselect('meta[name="robots"]')
        if name == "preview":
            assert robots and "noindex" in robots[0].get("content"), path
            assert page.findtext(".//title").startswith("[Preview]"), path
            assert page.cssselect("header .preview-banner"), path
        else:
            assert not robots and not page.cssselect(".preview-banner"), path
        sheets = [s.get("href") for s in page.cssselect('link[rel="stylesheet"]')]
        assert re.fullmatch(rf"/{name}/assets/style\.[0-9a-f]{{8}}\.css", sheets[0]), path
        # The search page adds Pagefind's, from the first index shard.
        assert len(sheets) == (2 if path == "search/" else 1), path
        pagefind = rf"/{name}/pagefind/\d{{4}}/pagefind-component-ui\.css"
        assert all(re.fullmatch(pagefind, sheet) for sheet in sheets[1:]), path


@pytest.mark.parametrize("name", BUILDS)
def test_every_image_is_lazy_but_the_lead_sized_and_has_alt(served: Served, name: str) -> None:
    images = 0
    for path in served.pages(name):
        for img in served.page(name, path).cssselect("img"):
            images += 1
            # Lazy but for an item page's lead picture, its largest element (loaded at once).
            lazy = None if "lead-image" in img.get("class", "") else "lazy"
            assert img.get("loading") == lazy and img.get("decoding") == "async", path
            assert img.get("alt") is not None, path
            assert img.get("width") and img.get("height"), path  # the example images all have sizes
            assert img.get("src").startswith("https://"), path
    assert images > 5


def test_item_pages_show_provider_time_topics_image_and_coverage(served: Served) -> None:
    page = served.page("public", samples(served)["public item"])
    h1 = page.cssselect("h1 a")[0]
    assert h1.get("href").startswith("https://")
    meta = page.cssselect(".item-header .meta")[0].text_content()
    assert re.search(r"\d{2}:\d{2} UTC", meta)
    assert page.cssselect(".item-header .provider") and page.cssselect(".item-header .topics a")
    img = page.cssselect("img.lead-image")[0]
    assert "Picture from" in img.get("alt")
    # The page's largest picture: loaded at once (Lighthouse: "lcp-lazy-loaded" failed).
    assert img.get("loading") is None
    comment_title = page.cssselect(".comment h2")[0].text_content()
    assert comment_title == "Curator\N{RIGHT SINGLE QUOTATION MARK}s comment"
    coverage_links = page.cssselect("#coverage li")
    assert coverage_links and all(li.cssselect(".provider") for li in coverage_links)
    crumbs = [a.text_content() for a in page.cssselect(".breadcrumbs li")]
    assert crumbs[0] == "Home" and crumbs[-1] == h1.text_content()
    og = page.cssselect('meta[property="og:image"]')
    assert og and og[0].get("content") == img.get("src")


def test_day_pages_have_breadcrumbs_top_stories_groups_and_neighbours(served: Served) -> None:
    days = [p for p in served.pages("public") if DAY.fullmatch(p)]
    assert len(days) > 3
    with_top = 0
    for index, path in enumerate(days):  # oldest first
        page = served.page("public", path)
        crumbs = [li.text_content() for li in page.cssselect(".breadcrumbs li")]
        year = path.split("/")[0]
        # The same trail as the month's and the year's pages, then the month and the day.
        assert crumbs[:3] == ["Home", "Archive", year] and crumbs[3].endswith(year), crumbs
        assert len(crumbs) == 5, crumbs
        older = page.cssselect('.edition-nav a[rel="prev"]')
        newer = page.cssselect('.edition-nav a[rel="next"]')
        assert [a.get("href") for a in older] == ([f"/public/{days[index - 1]}"] if index else [])
        expect_newer = [f"/public/{days[index + 1]}"] if index + 1 < len(days) else []
        assert [a.get("href") for a in newer] == expect_newer
        entries = page.cssselect(".group .entry .entry-title a")
        top = [a.get("href") for a in page.cssselect(".top-stories li > a")]
        # Only where it adds something: one story in two links at most, two stories at least,
        # never the day's first links in their own order.
        assert len(top) <= min(3, len(entries) // 2) and len(top) != 1, path
        assert top != [a.get("href") for a in entries[: len(top)]] or not top, path
        with_top += bool(top)
        for group in page.cssselect(".group"):
            times = [t.get("datetime") for t in group.cssselect(".entry .meta time")]
            assert times == sorted(times, reverse=True), path  # newest first within a topic
    assert with_top == 1  # of the example's days, only the one with 5 links has enough


def test_home_pages_have_top_stories_and_numbered_pagination(served: Served) -> None:
    home = served.page("public", "")
    assert home.cssselect(".top-stories h2")[0].text_content() == "Top stories of earlier days"
    assert len(home.cssselect(".top-stories li")) == 5
    # After the newest edition, and none of its links again.
    newest, top = home.cssselect("main > section")[:2]
    assert "edition" in newest.classes and "top-stories" in top.classes
    shown = {a.get("href") for a in newest.cssselect("a")}
    assert not shown & {a.get("href") for a in top.cssselect("li > a")}
    pager = home.cssselect('nav.pagination[aria-label="Older editions"]')[0]
    assert pager.cssselect('[aria-current="page"]')[0].text_content() == "Page 1"
    assert pager.cssselect('a[rel="next"]')[0].get("href") == "/public/page/2/"
    second = served.page("public", "page/2/")
    assert "page 2" in second.cssselect("h1")[0].text_content()
    assert second.cssselect('a[rel="prev"]')[0].get("href") == "/public/"


FIRST_SCREEN = ROOT / "tests" / "tools" / "first-screen.mjs"


def first_screen(served: Served, width: int, paths: list[str]) -> dict[str, list[str]]:
    """The headings inside the first screen (844 px high) of public pages in Chromium."""
    playwright, browser = playwright_core(), chromium()
    assert playwright.is_dir()
    result = run(
        [node(), FIRST_SCREEN, str(width), "844", f"{served.base}public/", *paths],
        env={"CHROMIUM": str(browser)},
        timeout=120,
    )
    assert result.returncode == 0, output_of(result)
    return json.loads(result.stdout)


@pytest.mark.parametrize("width", [390, 1280])
def test_the_first_screen_shows_the_newest_links_not_old_top_stories(
    served: Served, width: int
) -> None:
    home = served.page("public", "")
    newest = home.cssselect(".edition-title")[0].text_content().strip()
    first_title = home.cssselect(".edition .entry-title")[0].text_content().strip()
    small_day = next(  # a day of 3 links: no block repeating two of them
        p for p in served.pages("public")
        if DAY.fullmatch(p) and len(served.page("public", p).cssselect(".entry")) == 3
    )  # fmt: skip
    seen = first_screen(served, width, ["", small_day])
    assert newest in seen[""] and first_title in seen[""], seen
    assert not any(h.startswith("Top stories") for h in seen[""]), seen
    assert not any(h.startswith("Top stories") for h in seen[small_day]), seen
    assert not served.page("public", small_day).cssselect(".top-stories")


def test_preview_marks_unpublished_items_everywhere_they_appear(served: Served) -> None:
    item = served.page("preview", samples(served)["preview item"])
    assert "Unpublished" in item.cssselect("article.is-unpublished .badge")[0].text_content()
    marked = 0
    for path in served.pages("preview"):
        marked += len(served.page("preview", path).cssselect(".is-unpublished .badge"))
    assert marked > 4  # item pages, day pages, month pages, topic pages


# --- Overriding the theme from a site's own templates/ folder.


def test_a_site_template_overrides_one_theme_file(fixture_site: Path, tmp_path: Path) -> None:
    templates = fixture_site / "templates"
    templates.mkdir()
    (templates / "404.html").write_text(
        '{% extends "base.html" %}{% block content %}<h1>Lost? {{ config.title }}</h1>'
        "{% endblock %}",
        encoding="utf-8",
    )
    out, _ = build_folder(fixture_site, tmp_path / "out")
    assert parse_html(out / "404.html").cssselect("main h1")[0].text == "Lost? Fixture Roundup"
    home = parse_html(out / "index.html")  # every other page still comes from the theme
    assert home.cssselect("header.site-header") and home.cssselect(".entry")


def test_a_site_template_can_extend_the_theme_file_it_replaces(
    fixture_site: Path, tmp_path: Path
) -> None:
    static = fixture_site / "templates" / "static"
    static.mkdir(parents=True)
    (fixture_site / "templates" / "base.html").write_text(
        '{% extends "theme/base.html" %}{% block footer %}<p>Our own footer</p>{% endblock %}',
        encoding="utf-8",
    )
    (static / "custom.css").write_text(":root { --accent: #004d40; }\n", encoding="utf-8")
    out, _ = build_folder(fixture_site, tmp_path / "out")
    for path in ("index.html", "items/a-first/index.html", "404.html"):
        page = parse_html(out / path)
        assert page.cssselect("footer p")[0].text == "Our own footer"
        assert page.cssselect('nav[aria-label="Main"]')  # the rest of the theme's base stays
        sheets = [link.get("href") for link in page.cssselect('link[rel="stylesheet"]')]
        assert [re.sub(r"\.[0-9a-f]{8}\.", ".#.", s) for s in sheets] == [
            "/links/assets/style.#.css",
            "/links/assets/custom.#.css",
        ]


def test_static_files_are_named_by_their_path_linked_encoded_and_never_compiled(
    fixture_site: Path, tmp_path: Path
) -> None:
    templates = fixture_site / "templates"
    static = templates / "static"
    (static / "vendor" / "prism").mkdir(parents=True)
    # A vendor's style.css in a sub-folder took the key of the theme's, whose link vanished.
    (static / "vendor" / "prism" / "style.css").write_text("code { color: red }\n", "utf-8")
    (static / "logo #1?.svg").write_text('<svg xmlns="http://www.w3.org/2000/svg"/>', "utf-8")
    # Published as they are, never templates: neither may fail the build as Jinja.
    (static / "snippet.html").write_text("A snippet: {{#each items}}{{/each}}\n", "utf-8")
    (static / "snippet.html~").write_text("an editor's backup", "utf-8")
    (templates / ".old").mkdir()
    (templates / ".old" / "item.html").write_text("{% broken", "utf-8")
    (templates / "base.html").write_text(
        '{% extends "theme/base.html" %}{% block head %}'
        '<link rel="stylesheet" href="{{ assets[\'vendor/prism/style.css\'] | url }}">'
        '<link rel="icon" href="{{ assets[\'logo #1?.svg\'] | url }}">{% endblock %}',
        encoding="utf-8",
    )
    out, _ = build_folder(fixture_site, tmp_path / "out")
    page = parse_html(out / "index.html")
    sheets = [re.sub(r"\.[0-9a-f]{8}\.", ".#.", link.get("href"))
              for link in page.cssselect('link[rel="stylesheet"]')]  # fmt: skip
    assert sheets == ["/links/assets/style.#.css", "/links/assets/vendor/prism/style.#.css"]
    [icon] = [link.get("href") for link in page.cssselect('link[rel="icon"]')
              if "logo" in link.get("href")]  # fmt: skip
    assert re.fullmatch(r"/links/assets/logo%20%231%3F\.[0-9a-f]{8}\.svg", icon)
    assert (out / unquote(icon.removeprefix("/links/"))).is_file()
    snippets = [re.sub(r"\.[0-9a-f]{8}\.", ".#.", p.name) for p in (out / "assets").glob("sn*")]
    assert snippets == ["snippet.#.html"]  # published as it is; its editor's backup is not


def test_a_templates_dir_that_is_not_there_is_told(cli: CLI, tmp_path: Path) -> None:
    write_article(tmp_path / "content", "a.md", "title: A\npublishedDateTime: 2026-01-01\n"
                  "originalUrl: https://example.com/a")  # fmt: skip
    (tmp_path / "roundup.toml").write_text('templates_dir = "mytheme"\n', "utf-8")
    ran = cli("build")
    assert ran.code == 0
    assert ran.lines == [
        "warning: roundup.toml: templates_dir: 'mytheme' is not a folder; the theme's "
        "templates are used as they are"
    ]


# --- Weight: a big day stays light.


def _article(number: int) -> str:
    return f"""---
title: "Story number {number} about something that happened today"
excerpt: "{"A sentence of excerpt that runs on for a while. " * 4}"
publishedDateTime: 2025-05-05T{number // 6:02d}:{number % 6 * 10:02d}:00Z
webUrl: "https://news{number % 7}.example.com/2025/05/05/story-{number}"
provider: {{name: "Newsroom {number % 7}", domain: "news{number % 7}.example.com"}}
topics: ["Topic {number % 5}", "Shared"]
heat: {number}
images:
  - {{url: "https://cdn.example.com/{number}.jpg", width: 1200, height: 800}}
related:
  - {{title: "Other take {number}", webUrl: "https://other.example.org/{number}",
      provider: {{name: "Other Desk", domain: "other.example.org"}}}}
---
A **comment** on story {number}, with ![a chart](https://cdn.example.com/chart-{number}.png).
"""


def test_a_day_with_fifty_items_stays_light(tmp_path: Path) -> None:
    site = tmp_path / "site"
    (site / "content").mkdir(parents=True)
    for number in range(50):
        (site / "content" / f"story-{number:02d}.md").write_text(_article(number), "utf-8")
    out, result = build_folder(site, tmp_path / "out", base_url="https://example.org/")
    assert result.shown == 50
    # 30 links a page (items_per_page), over two pages.
    pages = [out / "2025/05/05/index.html", out / "2025/05/05/page/2/index.html"]
    images = []
    for path, links in zip(pages, (30, 20), strict=True):
        html = path.read_bytes()
        page = lxml_html.fromstring(html)
        assert len(page.cssselect(".entry")) == links
        assert len(html) < 100_000
        images += page.cssselect("img")
        assert not page.cssselect("script")
    assert len(images) == 100  # a thumbnail and a comment image per item
    assert all(img.get("loading") == "lazy" for img in images)  # none before it scrolls in
    [css] = (out / "assets").glob("style.*.css")
    assert css.stat().st_size < 20_000
    first = lxml_html.fromstring(pages[0].read_bytes())
    assert [h.text_content() for h in first.cssselect(".top-stories li > a")] == [
        f"Story number {n} about something that happened today" for n in (49, 48, 47)
    ]


# --- Helpers behind the templates.


def test_comment_headings_move_below_the_page_heading_and_images_go_lazy() -> None:
    html = '<h2 title="a <img x">Why</h2><p>&lt;img <img src="https://e/a.png" alt="">'
    html += "</p><h4>Then</h4><h2>Again</h2>"
    assert comment_html(html, 3) == (
        '<h4 title="a <img x">Why</h4><p>&lt;img '
        '<img src="https://e/a.png" alt="" loading="lazy" decoding="async">'
        "</p><h5>Then</h5><h4>Again</h4>"
    )
    assert comment_html("<h3>a</h3><h4>b</h4>", 5) == ('<h6>a</h6><p class="comment-heading">b</p>')
    assert comment_html("<p>plain</p>", 2) == "<p>plain</p>"


def test_page_window_shows_ends_neighbours_and_gaps() -> None:
    assert page_window(1, 1) == [1]
    assert page_window(1, 7) == [1, 2, 3, None, 7]
    assert page_window(4, 7) == [1, 2, 3, 4, 5, 6, 7]
    assert page_window(10, 20) == [1, None, 8, 9, 10, 11, 12, None, 20]


def test_coverage_groups_links_by_provider() -> None:
    github = Provider("GitHub", "github.com")
    related = [
        Related("a", "https://github.com/a", provider=github),
        Related("no link", None, provider=github),
        Related("b", "https://www.w3.org/b"),
        Related("c", "https://github.com/c", provider=github),
    ]
    groups, more = coverage(related)
    assert [(g.provider, [r.title for r in g.links]) for g in groups] == [
        ("GitHub", ["a", "c"]),
        ("w3.org", ["b"]),
    ]
    assert more == 0
    groups, more = coverage(related, 2)
    assert [g.provider for g in groups] == ["GitHub", "w3.org"] and more == 1


def test_the_palette_meets_wcag_aa_contrast_in_both_schemes() -> None:
    css = (THEME / "static" / "style.css").read_text(encoding="utf-8")
    light = _variables(css.split("@media (prefers-color-scheme: dark)")[0])
    dark = {**light, **_variables(css.split("@media (prefers-color-scheme: dark)")[1])}
    text = ["fg", "muted", "accent", "accent-visited"]
    pairs = [(t, b) for t in text for b in ("bg", "card", "unpublished")]
    pairs += [("badge-fg", "badge-bg"), ("banner-fg", "banner-bg"), ("on-accent", "accent")]
    for scheme, colours in (("light", light), ("dark", dark)):
        for fg, bg in pairs:
            ratio = _contrast(colours[fg], colours[bg])
            assert ratio >= 4.5, (scheme, fg, bg, round(ratio, 2))
        for bg in ("bg", "card"):  # a focus ring is a graphic: 3:1 against what surrounds it
            assert _contrast(colours["focus"], colours[bg]) >= 3, (scheme, bg)


def _variables(css: str) -> dict[str, str]:
    block = css[css.index(":root") :]
    block = block[: block.index("}")]
    return dict(re.findall(r"--([\w-]+):\s*(#[0-9a-fA-F]{6})", block))


def _contrast(a: str, b: str) -> float:
    def luminance(colour: str) -> float:
        channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
        r, g, b = (c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels)
        return 0.2126 * r + 0.7152 * g + 0.0722 * b

    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_top_stories_appear_only_where_they_add_something(tmp_path: Path, cli: CLI) -> None:
    # Today: 3 strong links. Earlier days: 8 links, of varying strength.
    for number in range(11):
        day = "2026-03-10" if number < 3 else f"2026-03-0{number % 4 + 1}"
        front = f"title: Link {number}\npublishedDateTime: {day}T0{number % 9}:00:00Z\n"
        front += f"originalUrl: https://example.com/{number}\nheat: {number * 10 + 5}"
        write_article(tmp_path / "content", f"l{number:02d}.md", front)
    ran = cli("build", "--base-url", "https://example.org/")
    assert ran.code == 0, ran.err
    assert not parse_html(tmp_path / "output/2026/03/10/index.html").cssselect(".top-stories")
    home = parse_html(tmp_path / "output/index.html")
    newest, top = home.cssselect("main > section")[:2]
    assert [a.text_content() for a in newest.cssselect(".entry-title a")] == [
        "Link 2", "Link 1", "Link 0"
    ]  # fmt: skip
    # The strongest of the 8 earlier links (4 at most: one in two), not today's again.
    assert [a.text_content() for a in top.cssselect("li > a")] == [
        "Link 10", "Link 9", "Link 8", "Link 7"
    ]  # fmt: skip
