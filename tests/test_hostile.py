"""Hostile but valid content builds a safe site: the real CLI, then the output parsed and checked.

The content folders under tests/hostile/ are committed; cases that need odd files (links,
editor backups) or huge inputs are made in a temporary folder at test time.
"""

from __future__ import annotations

import gzip
import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

import feedparser
import pytest
from lxml import etree
from lxml import html as lxml_html

HOSTILE = Path(__file__).resolve().parent / "hostile"
ESCAPING_TITLE = (
    "<script>alert('title')</script> \"quoted\" & 'single' {{ 7*7 }} "
    "{% if true %}EVALUATED{% endif %} ]]> <!-- c -->"
)
# Elements and attributes no content may bring into a page or a feed entry.
FORBIDDEN = {"script", "iframe", "object", "embed", "form", "input", "style", "base", "svg", "math"}
URL_ATTRIBUTES = {"href", "src", "action", "cite", "poster", "srcset", "formaction"}
C0 = re.compile(rb"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def roundup(site: Path, *flags: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "roundup", "build", "--content", "content"]
    command += ["--output", "output", "--base-url", "https://example.org/", *flags]
    run = subprocess.run(command, cwd=site, capture_output=True, text=True, timeout=120)
    assert "Traceback" not in run.stderr, run.stderr
    return run


def copy_site(name: str, target: Path) -> Path:
    site = target / name
    (site / "content").mkdir(parents=True)
    for path in sorted((HOSTILE / name / "content").rglob("*")):
        destination = site / "content" / path.relative_to(HOSTILE / name / "content")
        if path.is_dir():
            destination.mkdir(exist_ok=True)
        else:
            destination.write_bytes(path.read_bytes())
    return site


def outputs(site: Path) -> dict[str, bytes]:
    """Every published file (roundup's own state folder is not part of the site), the search
    index's files uncompressed (Pagefind gzips them), so that checks read what they hold."""
    out = site / "output"
    return {
        p.relative_to(out).as_posix(): _uncompressed(p.read_bytes())
        for p in sorted(out.rglob("*"))
        if p.is_file() and ".roundup" not in p.relative_to(out).parts
    }


def _uncompressed(data: bytes) -> bytes:
    return gzip.decompress(data) if data.startswith(b"\x1f\x8b") else data


def safe_url(value: str) -> bool:
    value = value.strip()
    scheme = urlsplit(value).scheme.lower() if ":" in value.split("/", 1)[0] else ""
    return scheme in ("", "http", "https", "mailto") and not value.startswith("//")


def active_markup(root: etree._Element) -> list[str]:
    """What in a parsed page or fragment could run code or send the reader elsewhere."""
    found = []
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue
        if element.tag in FORBIDDEN:
            found.append(f"<{element.tag}>")
        if element.tag == "meta" and element.get("http-equiv"):
            found.append("<meta http-equiv>")
        for name, value in element.attrib.items():
            if name.lower().startswith("on"):
                found.append(f"{element.tag}[{name}]")
            if name.lower() in URL_ATTRIBUTES and not safe_url(value):
                found.append(f"{element.tag}[{name}={value!r}]")
    return found


@pytest.fixture(scope="module")
def escaping(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    site = copy_site("escaping", tmp_path_factory.mktemp("escaping"))
    run = roundup(site)
    assert run.returncode == 0, run.stderr
    return site, run.stderr


def test_unsafe_image_and_related_links_are_dropped_with_warnings(
    escaping: tuple[Path, str],
) -> None:
    _, stderr = escaping
    warnings = [line for line in stderr.splitlines() if line.startswith("warning: ")]
    fields = {line.split(": ")[2] for line in warnings}
    for field in ("images[1].url", "images[2].url", "related[1].webUrl", "related[2].webUrl"):
        assert field in fields, stderr
    assert any("control-characters.md:2: title: control characters removed" in w for w in warnings)
    assert any("control-characters.md:8: body: control characters removed" in w for w in warnings)


def test_no_page_carries_active_markup_from_content(escaping: tuple[Path, str]) -> None:
    site, _ = escaping
    pages = {k: v for k, v in outputs(site).items() if k.endswith(".html")}
    assert "items/markup-everywhere/index.html" in pages
    # The search page's own: Pagefind's script, the results' template and the one starting it.
    theirs = {"search/index.html": ["<script>"] * 3}
    for name, data in pages.items():
        assert active_markup(lxml_html.fromstring(data)) == theirs.get(name, []), name


def test_every_string_is_shown_literally(escaping: tuple[Path, str]) -> None:
    site, _ = escaping
    page = lxml_html.fromstring((site / "output/items/markup-everywhere/index.html").read_bytes())
    assert page.find(".//h1").text_content().strip() == ESCAPING_TITLE
    assert page.findtext(".//title").startswith(ESCAPING_TITLE)
    assert page.xpath("//meta[@property='og:title']/@content") == [ESCAPING_TITLE]
    text = page.text_content()
    assert "<img src=x onerror=alert('excerpt')> {{ config }}" in text
    assert "<svg onload=alert('provider')>Provider & Co" in text
    assert "<a href=javascript:alert('related')>related</a>" in text
    topics = [a.text_content() for a in page.cssselect(".topics a")]
    assert "<script>alert('topic')</script>" in topics and "{{ 7*7 }}" in topics
    assert "Bell and escape removed" in topics
    # Percent-encoded, as a URL must be written: raw, a validator refused the link.
    outbound = page.xpath("//h1//a/@href")
    assert outbound == ["https://example.com/story?a=1&b=%3C2%3E&c=%223%22"]


def test_nothing_is_evaluated_as_a_template(escaping: tuple[Path, str]) -> None:
    site, _ = escaping
    literal = "{% if true %}EVALUATED{% endif %}"
    for name, data in outputs(site).items():
        text = data.decode("utf-8", "replace")
        assert text.count("EVALUATED") == text.count(literal), name
    item = (site / "output/items/markup-everywhere/index.html").read_text("utf-8")
    assert "{{ 7*7 }}" in item and ">49<" not in item


def test_the_comment_is_sanitised_by_an_allow_list(escaping: tuple[Path, str]) -> None:
    site, _ = escaping
    page = lxml_html.fromstring((site / "output/items/markup-everywhere/index.html").read_bytes())
    comment = page.cssselect(".comment")[0]
    links = {a.text_content(): a.get("href") for a in comment.iter("a")}
    assert links["good link"] == "https://example.org/ok"
    assert links["mail"] == "mailto:curator@example.org"
    # A link whose address is refused (or relative, leading elsewhere on each page) keeps only
    # its text: an <a> without href is not valid HTML.
    for refused in ("a relative one", "js", "mixed", "spaced", "data", "vb", "markdown js"):
        assert refused not in links and refused in comment.text_content(), refused
    assert "handler" in links and not comment.xpath(".//*[@style or @onclick]")
    assert "alert('body')" not in etree.tostring(comment, encoding="unicode")


def test_secured_and_other_extra_fields_are_never_rendered(escaping: tuple[Path, str]) -> None:
    site, _ = escaping
    for name, data in outputs(site).items():
        assert b"SECURED-MARKER" not in data, name
        assert b"OTHER-EXTRA-FIELD" not in data, name


def test_no_control_character_reaches_any_output(escaping: tuple[Path, str]) -> None:
    site, _ = escaping
    for name, data in outputs(site).items():
        if name.startswith("pagefind/") and not name.endswith(".pf_fragment"):
            continue  # binary formats (WebAssembly, CBOR); the fragments are the text, in JSON
        assert not C0.search(data), name
    page = lxml_html.fromstring((site / "output/items/control-characters/index.html").read_bytes())
    assert page.find(".//h1").text_content().strip() == "Control characters[31m in a title"


def test_feeds_are_valid_and_escape_everything(escaping: tuple[Path, str]) -> None:
    site, _ = escaping
    out = site / "output"
    for name in ("feed.xml", "rss.xml"):
        etree.fromstring((out / name).read_bytes())  # well-formed XML, or this raises
        feed = feedparser.parse((out / name).read_bytes())
        assert not feed.bozo, (name, feed.get("bozo_exception"))
        entry = next(e for e in feed.entries if "EVALUATED" in e.title)
        assert entry.title == ESCAPING_TITLE
        for link in entry.links:
            assert link.href.startswith(("https://", "http://")), link.href
        for content in entry.get("content", []):
            fragment = lxml_html.fragment_fromstring(content.value, create_parent="div")
            assert active_markup(fragment) == [], name
    data = json.loads((out / "feed.json").read_bytes())
    item = next(i for i in data["items"] if "EVALUATED" in i["title"])
    assert item["title"] == ESCAPING_TITLE
    fragment = lxml_html.fragment_fromstring(item["content_html"], create_parent="div")
    assert active_markup(fragment) == []
    assert "SECURED" not in json.dumps(data)


@pytest.fixture(scope="module")
def names(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    site = copy_site("names", tmp_path_factory.mktemp("names"))
    run = roundup(site)
    assert run.returncode == 0, run.stderr
    return site, run.stderr


def topic_links(site: Path) -> dict[str, str]:
    index = lxml_html.fromstring((site / "output/topics/index.html").read_bytes())
    links = {a.text_content().strip(): a.get("href") for a in index.cssselect("main li a")}
    return {name: href for name, href in links.items() if href.startswith("/topics/")}


def test_topics_that_slugify_alike_get_distinct_ascii_slugs(names: tuple[Path, str]) -> None:
    site, _ = names
    links = topic_links(site)
    for name in ("C++", "C#", "C", "Rust/Wasm", "Rust Wasm", "日本語", "العربية", "Москва"):
        assert name in links, (name, links)  # shown verbatim
    slugs = {name: href.removeprefix("/topics/").rstrip("/") for name, href in links.items()}
    assert len(set(slugs.values())) == len(slugs)
    for slug in slugs.values():
        assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", slug), slug
        assert len(slug.encode()) <= 255
    assert slugs["C++"] != slugs["C#"] != slugs["C"]
    assert slugs["Rust/Wasm"] != slugs["Rust Wasm"]
    for name, slug in slugs.items():
        assert (site / "output/topics" / slug / "index.html").is_file(), name


def test_topics_merge_case_and_unicode_forms_into_one_spelling(names: tuple[Path, str]) -> None:
    site, _ = names
    links = topic_links(site)
    assert [n for n in links if n.casefold() == "ai"] == ["AI"]
    assert [n for n in links if n.casefold() == "москва"] == ["Москва"]
    assert [n for n in links if n.casefold() == "rust wasm"] == ["Rust Wasm"]
    assert [n for n in links if "caf" in n.casefold()] == ["Café"]


def test_topics_never_overwrite_site_pages(names: tuple[Path, str]) -> None:
    site, _ = names
    links = topic_links(site)
    for name in ("index", "..", ".", "/", "topics", "page", "feed", "rss"):
        assert name in links, name
    index = lxml_html.fromstring((site / "output/topics/index.html").read_bytes())
    assert index.findtext(".//h1").strip() == "Topics"
    home = lxml_html.fromstring((site / "output/index.html").read_bytes())
    assert home.findtext(".//title").strip().startswith("Roundup")


def test_item_slugs_are_stable_unique_and_from_file_names(names: tuple[Path, str]) -> None:
    site, stderr = names
    items = sorted(p.name for p in (site / "output/items").iterdir())
    assert "chosen-by-hand" in items and "slugged" in items and "cpp" in items
    assert "dong-jing" in items  # 東京.md, transliterated
    assert any(re.fullmatch(r"slugged-[0-9a-f]{6}", name) for name in items)  # Slügged.md
    assert "content/Slügged.md:2: slug: content/slugged.md has the slug 'slugged'" in stderr
    again = roundup(site)
    assert again.returncode == 0
    assert sorted(p.name for p in (site / "output/items").iterdir()) == items


def test_duplicate_links_warn_once_naming_both_files(names: tuple[Path, str]) -> None:
    site, stderr = names
    duplicates = [line for line in stderr.splitlines() if "the same link as" in line]
    assert duplicates == [
        "warning: content/same-link-a.md:4: originalUrl: the same link as "
        "content/nested/deeper/same-link-b.md, in the same edition; both are kept"
    ]
    assert (site / "output/items/same-link-a/index.html").is_file()
    assert (site / "output/items/same-link-b/index.html").is_file()


@pytest.fixture(scope="module")
def dates(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return copy_site("dates", tmp_path_factory.mktemp("dates"))


def test_dates_of_every_kind_and_era_sort_newest_first(dates: Path) -> None:
    run = roundup(dates, "--future")  # the far future too: else it waits for its day
    assert run.returncode == 0, run.stderr
    feed = feedparser.parse((dates / "output/feed.xml").read_bytes())
    titles = [e.title for e in feed.entries]
    assert titles[:3] == ["Far future", "After 2038", "Shown true"]
    assert titles[-2:] == ["Before the epoch", "Long before"]
    same_day = ["Quoted date", "Space separator", "Fractional seconds"]
    assert titles[3:6] == same_day
    assert titles[6:9] == ["Naive time, read in the site zone", "Aware with offset", "Date only"]
    for year in ("1890", "1969", "2038", "3000"):
        assert (dates / "output" / year / "index.html").is_file(), year


def test_unpublished_items_appear_only_in_preview(dates: Path) -> None:
    public = roundup(dates)
    assert public.returncode == 0, public.stderr
    for name, data in outputs(dates).items():
        assert b"DRAFT" not in data, name
    preview = roundup(dates, "--preview", "--output", "preview")
    assert preview.returncode == 0, preview.stderr
    feed = feedparser.parse((dates / "preview/feed.xml").read_bytes())
    drafts = sorted(e.title for e in feed.entries if "DRAFT" in e.title)
    assert len(drafts) == 4 and all(t.startswith("[Unpublished] ") for t in drafts)


ARTICLE = """---
title: {title}
publishedDateTime: 2020-09-21T20:42:00Z
originalUrl: https://example.com/{slug}
---
"""


def test_hidden_files_backups_and_outside_links_are_skipped(tmp_path: Path) -> None:
    content = tmp_path / "content"
    (content / "nested" / "deeper").mkdir(parents=True)
    (content / ".git").mkdir()
    for name in (".DS_Store", ".x.md.swp", "x.md~", "#x.md#", ".hidden.md", ".git/HEAD.md"):
        (content / name).write_bytes(b"\x00 not an article")
    (content / "kept.md").write_text(ARTICLE.format(title="Kept", slug="kept"))
    (content / "nested/deeper/deep.txt").write_text(ARTICLE.format(title="Deep", slug="deep"))
    outside = tmp_path / "secret.md"
    outside.write_text(ARTICLE.format(title="OUTSIDE SECRET", slug="secret"))
    os.symlink(outside, content / "linked.md")
    os.symlink(tmp_path, content / "linked-folder")
    run = roundup(tmp_path)
    assert run.returncode == 0, run.stderr
    assert sorted(p.name for p in (tmp_path / "output/items").iterdir()) == ["deep", "kept"]
    warnings = [line for line in run.stderr.splitlines() if line.startswith("warning: ")]
    assert len(warnings) == 2
    assert all("symbolic link leads outside the content folder" in w for w in warnings)
    assert not any(b"OUTSIDE SECRET" in data for data in outputs(tmp_path).values())


def test_huge_inputs_build_quickly_with_small_listings_and_feeds(tmp_path: Path) -> None:
    content = tmp_path / "content"
    content.mkdir()
    excerpt = "All work and no play. " * 240_000  # 5 MB
    topics = "".join(f"  - Topic {i}\n" for i in range(10_000))
    (content / "huge.md").write_text(
        "---\ntitle: Huge\npublishedDateTime: 2020-09-21T20:42:00Z\n"
        f"originalUrl: https://example.com/huge\nexcerpt: {excerpt}\ntopics:\n{topics}---\n"
        + "A long comment. "
        * 400_000
    )
    started = time.monotonic()
    run = roundup(tmp_path)
    assert run.returncode == 0, run.stderr
    assert time.monotonic() - started < 30
    assert "huge.md:5: excerpt: 5279999 characters; cut to 2000" in run.stderr
    assert "huge.md:6: topics: 10000 topics; only the first 50 are kept" in run.stderr
    assert "huge.md:10008: body: 6400000 characters; cut to 100000" in run.stderr
    for name in ("feed.xml", "rss.xml", "feed.json", "index.html", "topics/index.html"):
        assert len((tmp_path / "output" / name).read_bytes()) < 300_000, name
    assert len(list((tmp_path / "output/topics").iterdir())) == 51
