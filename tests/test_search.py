"""The search page and its Pagefind index: what is indexed, shards, rebuilds, the off switch."""

from __future__ import annotations

import gzip
import json
import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path
from types import SimpleNamespace

import pytest

from roundup.build.pipeline import build
from roundup.build.quick import Memory
from roundup.core import config as config_module
from roundup.core.errors import Interrupted, OutputError
from roundup.render import search
from roundup.site import searchshards

from checkers import axe_script, chromium, node, output_of, playwright_core, run
from conftest import ROOT, build_folder, files_of, parse_html
from webserver import serve_folder

SEARCH_CHECK = ROOT / "tests" / "tools" / "search-check.mjs"
# With a link as long as a word can be: it must wrap in the results, not run off a phone.
HOSTILE_TITLE = (
    "<img src=x onerror=alert(1)> Echidna & friends at https://hostile.example/" + "a" * 90
)

ARTICLES = {
    "quokka.md": """---
title: "Marsupials of the open web"
excerpt: "Rottnest Island's famous resident."
publishedDateTime: 2024-05-02T10:00:00Z
originalUrl: "https://wildlife.example/quokka"
provider: {name: "Wildlife Weekly", domain: "wildlife.example"}
topics: ["Animals", "Web"]
images:
  - {url: "https://wildlife.example/quokka.jpg", width: 800, height: 450}
related:
  - title: "Zebra coverage elsewhere"
    webUrl: "https://other.example/zebra"
---
The quokka smiles at every camera.
""",
    "rss.md": """---
title: "RSS at twenty-five"
excerpt: "A format that lasted."
publishedDateTime: 2024-02-10T08:00:00Z
originalUrl: "https://feeds.example/rss-25"
topics: ["Feeds"]
---
""",
    "old.md": """---
title: "Old news about feeds"
excerpt: "An archived specification."
publishedDateTime: 2023-06-01T12:00:00Z
originalUrl: "https://old.example/feeds"
topics: ["Feeds"]
---
""",
    "hostile.md": f"""---
title: "{HOSTILE_TITLE}"
publishedDateTime: 2024-04-01T12:00:00Z
originalUrl: "https://hostile.example/echidna"
secured: "SECRET-VALUE"
---
""",
    "draft.md": """---
title: "Unreleased wombat story"
publishedDateTime: 2024-03-01T12:00:00Z
originalUrl: "https://draft.example/wombat"
published: false
---
The wombat is not ready.
""",
}
ITEMS = {"/items/quokka/", "/items/rss/", "/items/old/", "/items/hostile/"}


def make_site(root: Path, base_url: str = "https://example.org/links/", **settings: str) -> Path:
    site = root / "site"
    (site / "content").mkdir(parents=True)
    for name, text in ARTICLES.items():
        (site / "content" / name).write_text(text, "utf-8")
    extra = "".join(f"{key} = {value}\n" for key, value in settings.items())
    (site / "pyproject.toml").write_text(
        f'[tool.roundup]\ntitle = "Search Test"\nbase_url = "{base_url}"\n{extra}', "utf-8"
    )
    return site


@pytest.fixture
def site(tmp_path: Path) -> Path:
    return make_site(tmp_path)


def fragments(out: Path, bundles: str = "pagefind/*") -> dict[str, dict]:
    """Every indexed page's record (Pagefind's fragments, gzipped JSON), by URL."""
    found = {}
    for path in sorted(out.glob(f"{bundles}/fragment/*.pf_fragment")):
        data = gzip.decompress(path.read_bytes()).removeprefix(b"pagefind_dcd")
        record = json.loads(data)
        found[record["url"]] = record
    return found


def index_files(out: Path) -> dict[str, int]:
    """Every file of the search index with its modification time."""
    return {
        p.relative_to(out).as_posix(): p.stat().st_mtime_ns
        for p in sorted((out / "pagefind").rglob("*"))
        if p.is_file()
    }


@pytest.fixture
def runs(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    """The folders Pagefind was run in (one per shard indexed), as builds go."""
    folders: list[Path] = []
    real = search._run

    def spy(
        executable: str, folder: Path, bundle: Path, interrupted: Callable[[], bool] | None = None
    ) -> bool:
        folders.append(folder)
        return real(executable, folder, bundle, interrupted)

    monkeypatch.setattr(search, "_run", spy)
    return folders


# --- The page, the item pages, the index.


def test_search_page_lists_the_shards_and_offers_topics_without_javascript(
    site: Path, tmp_path: Path
) -> None:
    out, _ = build_folder(site, tmp_path / "out")
    page = parse_html(out / "search/index.html")
    root = page.get_element_by_id("search")
    assert root.get("data-bundles") == "/links/pagefind/2023/ /links/pagefind/2024/"
    assert root.get("data-base-url") == "/links/"
    assert "Searching needs JavaScript" in root.text_content()
    topics = {a.text_content(): a.get("href") for a in root.cssselect(".topics a")}
    assert topics == {
        "Animals": "/links/topics/animals/",
        "Feeds": "/links/topics/feeds/",
        "Web": "/links/topics/web/",
    }
    # Pagefind's script and styles come from the first shard, which alone carries them.
    assert [s.get("src") for s in page.cssselect("script[src]")] == [
        "/links/pagefind/2023/pagefind-component-ui.js"
    ]
    assert (out / "pagefind/2023/pagefind-component-ui.js").is_file()
    assert (out / "pagefind/2023/pagefind.js").is_file()
    assert (out / "pagefind/2023/wasm.en.pagefind").is_file()
    assert not (out / "pagefind/2024/pagefind.js").exists()
    assert not list(out.glob("pagefind/*/pagefind-ui.js"))  # Pagefind's other UIs: unused
    template = page.get_element_by_id("search-ui")
    assert template.cssselect("pagefind-input") and template.cssselect("pagefind-filter-pane")
    for path in ("", "items/quokka/", "topics/"):
        nav = parse_html(out / path / "index.html").cssselect('nav[aria-label="Main"] a')
        assert [(a.text_content(), a.get("href")) for a in nav][-1] == ("Search", "/links/search/")
    sitemap = (out / "sitemap.xml").read_text("utf-8")
    assert "/links/items/quokka/" in sitemap and "/links/search/" not in sitemap


def test_item_pages_mark_what_is_searched_and_what_is_not(site: Path, tmp_path: Path) -> None:
    out, _ = build_folder(site, tmp_path / "out")
    page = parse_html(out / "items/quokka/index.html")
    body = page.cssselect("[data-pagefind-body]")
    assert len(body) == 1 and body[0].getparent().cssselect("article.item > [data-pagefind-body]")
    # One filter, year, with one value in each shard: Pagefind writes the values of a filter
    # with several (topics) in an arbitrary order, and the output must be byte-identical.
    assert body[0].get("data-pagefind-filter") == "year:2024"
    assert [e.get("data-pagefind-filter") for e in page.cssselect("[data-pagefind-filter]")] == [
        "year:2024"
    ]
    # The byline (date and time), the comment's heading and the image's alt text are left out
    # of the index; the article button, other coverage and the edition link are outside it.
    for selector in (".meta", "#comment-title", ".lead-image"):
        found = body[0].cssselect(selector)
        assert found and all(_ignored(e) for e in found), selector
    for selector in (".read-more", ".related-coverage", ".edition-link"):
        assert page.cssselect(selector) and not body[0].cssselect(selector), selector
    assert not _ignored(body[0].cssselect(".excerpt")[0])
    assert not _ignored(body[0].cssselect(".comment p")[0])
    title = body[0].cssselect("h1 a")[0]
    assert title.get("data-pagefind-meta") == "link[href], domain:wildlife.example"
    assert body[0].cssselect("header")[0].get("data-pagefind-meta") == "provider:Wildlife Weekly"
    # Nothing but item pages is indexed.
    for file in out.rglob("*.html"):
        marked = bool(parse_html(file).cssselect("[data-pagefind-body]"))
        assert marked == file.relative_to(out).as_posix().startswith("items/"), file


def _ignored(element) -> bool:
    """Whether Pagefind leaves this element's text out (it or a parent says so)."""
    chain = [element, *element.iterancestors()]
    return any(e.get("data-pagefind-ignore") is not None for e in chain)


def test_the_index_holds_each_published_item_and_nothing_else(site: Path, tmp_path: Path) -> None:
    out, _ = build_folder(site, tmp_path / "out")
    records = fragments(out)
    assert set(records) == ITEMS
    quokka = records["/items/quokka/"]
    assert quokka["content"] == (
        "Marsupials of the open web. Animals. Web. Rottnest Island's famous resident. "
        "The quokka smiles at every camera."
    )
    assert quokka["filters"] == {"year": ["2024"]}
    assert quokka["meta"]["link"] == "https://wildlife.example/quokka"
    assert quokka["meta"]["provider"] == "Wildlife Weekly"
    assert quokka["meta"]["domain"] == "wildlife.example"
    assert quokka["meta"]["title"] == "Marsupials of the open web"
    assert records["/items/old/"]["filters"] == {"year": ["2023"]}
    assert records["/items/hostile/"]["meta"]["title"] == HOSTILE_TITLE
    everything = json.dumps(records)
    for absent in ("wombat", "SECRET-VALUE", "Zebra", "Read it on", "2 May", "comment"):
        assert absent not in everything, absent
    counts = {
        shard: json.loads((out / "pagefind" / shard / "pagefind-entry.json").read_bytes())
        for shard in ("2023", "2024")
    }
    assert {s: e["languages"]["en"]["page_count"] for s, e in counts.items()} == {
        "2023": 1,
        "2024": 3,
    }


def test_pagefind_indexes_the_cut_out_element_as_it_would_the_whole_page(
    site: Path, tmp_path: Path
) -> None:
    out, _ = build_folder(site, tmp_path / "out")
    pages = tmp_path / "pages"
    for file in out.glob("items/*/index.html"):
        (pages / file.parent.relative_to(out)).mkdir(parents=True)
        (pages / file.relative_to(out)).write_bytes(file.read_bytes())
    bundle = tmp_path / "whole" / "pagefind"
    command = [search._executable(), "--site", str(pages), "--output-path", str(bundle)]
    subprocess.run(command, check=True, capture_output=True)
    whole = fragments(bundle.parent, "pagefind")
    assert set(whole) == ITEMS and whole == fragments(out)


@pytest.mark.parametrize(
    "page",
    [
        b"<html><body><p>no body marked</p></body></html>",
        b"<body><div data-pagefind-body>one</div><div data-pagefind-body>two</div></body>",
        b"<body><div data-pagefind-body><div>never closed</div></body>",
        b'<body><p title="a data-pagefind-body b">text</p></body>',
    ],
)
def test_a_page_whose_element_cannot_be_cut_out_is_given_whole(page: bytes) -> None:
    assert search.searched(page) == page


def test_the_cut_out_element_keeps_nested_ones_and_the_language() -> None:
    page = (
        b'<!doctype html><html lang="de-CH"><head><title>t</title></head><body><main>'
        b'<div class="x" data-pagefind-body><div>inner</div><DIV>upper</DIV></div>'
        b"<div>after</div></main></body></html>"
    )
    assert search.searched(page) == (
        b'<!doctype html><html lang="de-CH"><head><meta charset="utf-8"></head><body>'
        b'<div class="x" data-pagefind-body><div>inner</div><DIV>upper</DIV></div>'
        b"</body></html>\n"
    )


def test_the_cut_out_element_leaves_out_what_pagefind_would_skip_and_nothing_more() -> None:
    body = (
        b"<div data-pagefind-body><h1>Title</h1><p data-pagefind-ignore>date <b>bold</b></p>"
        b'<img src="a.png" alt="alt" data-pagefind-ignore><br data-pagefind-ignore/>'
        b'<div data-pagefind-ignore="all"><span data-pagefind-meta="who">kept</span></div>'
        b"<section data-pagefind-ignore><div><div>nested</div></div></section>"
        b'<p title="x data-pagefind-ignore">text</p></div>'
    )
    assert search.searched(b"<html><body>" + body + b"</body></html>") == (
        b'<!doctype html><html lang=""><head><meta charset="utf-8"></head><body>'
        b"<div data-pagefind-body><h1>Title</h1>"
        b'<img src="a.png" alt="alt" data-pagefind-ignore><br data-pagefind-ignore/>'
        b'<div data-pagefind-ignore="all"><span data-pagefind-meta="who">kept</span></div>'
        b'<p title="x data-pagefind-ignore">text</p></div>'
        b"</body></html>\n"
    )


def test_a_preview_build_indexes_unpublished_items_too(site: Path, tmp_path: Path) -> None:
    out, _ = build_folder(site, tmp_path / "out", preview=True)
    assert set(fragments(out)) == {*ITEMS, "/items/draft/"}


def test_shards_are_years_split_into_runs_of_months_only_as_needed() -> None:
    def items(*days: tuple[int, int, int]) -> list[SimpleNamespace]:
        return [SimpleNamespace(day=date(*day)) for day in days]

    def layout(found: list[searchshards.Shard]) -> list[tuple[str, int]]:
        return [(shard.key, len(shard.items)) for shard in found]

    small = items((2024, 1, 5), (2023, 6, 1), (2024, 12, 31))
    assert layout(searchshards.shards(small, limit=2)) == [("2023", 1), ("2024", 2)]  # type: ignore[arg-type]
    halves = items(*[(2024, 1, d) for d in range(1, 4)], (2024, 7, 1), (2024, 12, 1))
    assert layout(searchshards.shards(halves, limit=3)) == [("2024-01-06", 3), ("2024-07-12", 2)]  # type: ignore[arg-type]
    thirds = items(*[(2024, m, 1) for m in (1, 2, 3, 5, 6, 9, 10, 11)])
    assert layout(searchshards.shards(thirds, limit=3)) == [  # type: ignore[arg-type]
        ("2024-01-04", 3),
        ("2024-05-08", 2),
        ("2024-09-12", 3),
    ]
    # A month over the limit is a shard of its own; months without items make none.
    crowded = items(*[(2024, 3, d) for d in range(1, 6)], (2024, 4, 1))
    assert layout(searchshards.shards(crowded, limit=3)) == [("2024-03", 5), ("2024-04", 1)]  # type: ignore[arg-type]
    assert searchshards.shards([], limit=3) == []


# --- Rebuilds: nothing changed, one edit, other pages changed, a failure.


def test_a_rebuild_with_nothing_changed_touches_no_index_file(
    site: Path, tmp_path: Path, runs: list[Path]
) -> None:
    out, _ = build_folder(site, tmp_path / "out")
    assert len(runs) == 2
    before = index_files(out)
    build_folder(site, tmp_path / "out")
    assert len(runs) == 2 and index_files(out) == before
    # Other pages change, the item pages do not: every shard is kept as it is.
    build_folder(site, tmp_path / "out", editions_per_page=1)
    assert (out / "page/2/index.html").is_file()
    assert len(runs) == 2 and index_files(out) == before
    # The item pages show the site's title: a new one redoes every shard.
    build_folder(site, tmp_path / "out", editions_per_page=1, title="Renamed")
    assert len(runs) == 4


def test_an_edit_reindexes_only_its_shard(site: Path, tmp_path: Path, runs: list[Path]) -> None:
    out, _ = build_folder(site, tmp_path / "out")
    before = index_files(out)
    article = site / "content" / "quokka.md"
    article.write_text(article.read_text("utf-8") + "\nA numbat joins in.\n", "utf-8")
    build_folder(site, tmp_path / "out")
    assert len(runs) == 3  # two shards cold, then one
    after = index_files(out)
    old_shard = {p: t for p, t in before.items() if p.startswith("pagefind/2023/")}
    assert {p: t for p, t in after.items() if p.startswith("pagefind/2023/")} == old_shard
    assert after["pagefind/2024/pagefind-entry.json"] != before["pagefind/2024/pagefind-entry.json"]
    assert "A numbat joins in." in fragments(out)["/items/quokka/"]["content"]
    # The edited page's old fragment is gone; the others' are kept as they were.
    kept = [p for p in before if p.startswith("pagefind/2024/fragment/") and p in after]
    assert len(kept) == 2 and all(after[p] == before[p] for p in kept)
    assert len(list(out.glob("pagefind/2024/fragment/*"))) == 3
    assert files_of(out) == files_of(build_folder(site, tmp_path / "cold")[0])


@pytest.mark.parametrize("remembering", [False, True])
def test_serve_shows_the_edited_page_first_and_updates_the_index_next(
    site: Path, tmp_path: Path, runs: list[Path], remembering: bool
) -> None:
    # Remembering: as `roundup serve` builds, in one process that keeps its last build; the
    # comment-only edit is then rebuilt from it (`build.quick`), search index and all.
    memory = Memory() if remembering else None
    out, _ = build_folder(site, tmp_path / "out", memory=memory)
    before = index_files(out)
    article = site / "content" / "quokka.md"
    article.write_text(article.read_text("utf-8").replace("quokka smiles", "quokka grins"))
    config = config_module.load(site / "pyproject.toml", {"output_dir": str(out)}, site)
    shown: list[tuple[str, int, int]] = []
    pages = build(
        config,
        search_index=False,
        progress=lambda doing, _, n, total: shown.append((doing, n, total)),
        memory=memory,
    )
    assert "quokka grins" in (out / "items/quokka/index.html").read_text("utf-8")
    assert len(runs) == 2 and index_files(out) == before  # the index as it was
    assert "quokka smiles" in fragments(out)["/items/quokka/"]["content"]
    assert not any(doing == "indexing" for doing, _, _ in shown)
    index = build(
        config, progress=lambda doing, _, n, total: shown.append((doing, n, total)), memory=memory
    )
    assert ("rebuild" in pages.timings) == ("rebuild" in index.timings) == remembering
    assert len(runs) == 3  # the edited page's shard, and no other
    assert "quokka grins" in fragments(out)["/items/quokka/"]["content"]
    assert [s for s in shown if s[0] == "indexing"] == [("indexing", 0, 1)]
    build(config, memory=memory)
    assert len(runs) == 3  # up to date
    assert files_of(out) == files_of(build_folder(site, tmp_path / "cold")[0])


def test_an_older_link_moves_pagefinds_scripts_to_the_new_first_shard(
    site: Path, tmp_path: Path, runs: list[Path]
) -> None:
    out, _ = build_folder(site, tmp_path / "out")
    (site / "content" / "older.md").write_text(
        '---\ntitle: "Older still"\npublishedDateTime: 2022-01-01T12:00:00Z\n'
        'originalUrl: "https://old.example/older"\n---\n',
        "utf-8",
    )
    build_folder(site, tmp_path / "out")
    assert len(runs) == 4  # the new shard, and 2023's without the scripts; not 2024's
    bundles = parse_html(out / "search/index.html").get_element_by_id("search").get("data-bundles")
    assert bundles == "/links/pagefind/2022/ /links/pagefind/2023/ /links/pagefind/2024/"
    assert [p.parent.name for p in sorted(out.glob("pagefind/*/pagefind.js"))] == ["2022"]
    assert files_of(out) == files_of(build_folder(site, tmp_path / "cold")[0])


def test_without_pagefind_the_build_says_how_to_get_it_or_do_without(
    site: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "pagefind_bin", None)  # import pagefind_bin fails
    with pytest.raises(OutputError, match=r"pip install 'pagefind\[bin\]'.*--no-search"):
        build_folder(site, tmp_path / "out")
    assert not (tmp_path / "out").exists()
    build_folder(site, tmp_path / "out", search=False)


def test_a_save_while_the_index_is_refreshed_stops_the_refresh(
    site: Path, tmp_path: Path, runs: list[Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    # `roundup serve` refreshes the index after the pages, and stops when another save
    # comes in (its pages first): Pagefind is stopped, nothing of the refresh is written,
    # and the next refresh finishes what it began.
    memory = Memory()
    out, _ = build_folder(site, tmp_path / "out", memory=memory)
    article = site / "content" / "quokka.md"
    article.write_text(article.read_text("utf-8").replace("quokka smiles", "quokka grins"))
    config = config_module.load(site / "pyproject.toml", {"output_dir": str(out)}, site)
    build(config, search_index=False, memory=memory)
    before = files_of(out)
    # Asked within a millisecond: before Pagefind (a process to start) can be done.
    monkeypatch.setattr(search, "_POLL_SECONDS", 0.001)
    with pytest.raises(Interrupted):  # a save comes in once Pagefind has started
        build(config, memory=memory, interrupted=lambda: len(runs) == 3)
    assert len(runs) == 3  # the edited shard's Pagefind was started, then stopped
    assert files_of(out) == before
    assert not list((tmp_path / "out").parent.glob("**/search-*"))  # its scratch folders
    monkeypatch.setattr(search, "_POLL_SECONDS", 0.05)
    finished = build(config, memory=memory, interrupted=lambda: False)
    assert "rebuild" in finished.timings  # what the build serve keeps was kept
    assert "quokka grins" in fragments(out)["/items/quokka/"]["content"]
    assert files_of(out) == files_of(build_folder(site, tmp_path / "cold")[0])


def test_a_failed_index_leaves_the_output_as_it_was(
    site: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out, _ = build_folder(site, tmp_path / "out")
    before = {p.relative_to(out).as_posix(): (p.read_bytes(), p.stat().st_mtime_ns)
              for p in out.rglob("*") if p.is_file()}  # fmt: skip
    failing = tmp_path / "pagefind"
    failing.write_text("#!/bin/sh\necho 'Error: the disk is on fire' >&2\nexit 1\n")
    failing.chmod(0o755)
    monkeypatch.setattr(search, "_executable", lambda: str(failing))
    article = site / "content" / "quokka.md"
    article.write_text(article.read_text("utf-8").replace("quokka smiles", "quokka grins"))
    with pytest.raises(OutputError, match=r"Pagefind failed .*the disk is on fire"):
        build_folder(site, tmp_path / "out")
    after = {p.relative_to(out).as_posix(): (p.read_bytes(), p.stat().st_mtime_ns)
             for p in out.rglob("*") if p.is_file()}  # fmt: skip
    assert after == before
    assert not list((site / ".roundup-cache").glob("search-*"))  # its scratch folder is gone


def test_a_killed_builds_scratch_folders_are_removed_and_a_running_ones_kept(
    site: Path, tmp_path: Path
) -> None:
    # kill -9 while Pagefind ran left the pages laid out for it, megabytes a time, for good.
    cache = site / ".roundup-cache"
    killed = cache / "search-999999999-x1y2"  # no process has that number
    running = cache / f"search-{os.getpid()}-a1b2"
    for folder in (killed, running):
        (folder / "0" / "site").mkdir(parents=True)
        (folder / "0" / "site" / "index.html").write_text("laid out")
    build_folder(site, tmp_path / "out")
    assert not killed.exists() and running.exists()
    assert sorted(p.name for p in cache.glob("search-*")) == [running.name]


def test_a_build_with_another_cache_folder_leaves_an_index_the_usual_one_takes_over(
    site: Path, tmp_path: Path
) -> None:
    # The cache folder unwritable, roundup advises --cache-dir; the index files that build
    # wrote bear no marks and were not in the usual cache's record: every later build with
    # the usual cache refused them as files roundup did not write.
    out, _ = build_folder(site, tmp_path / "out")
    article = site / "content" / "quokka.md"
    article.write_text(article.read_text("utf-8").replace("quokka smiles", "quokka grins"))
    build_folder(site, tmp_path / "out", cache_dir=str(tmp_path / "other-cache"))
    made = {p: (out / p).read_bytes() for p in index_files(out)}
    build_folder(site, tmp_path / "out")  # the same index, under the same names: taken over
    assert {p: (out / p).read_bytes() for p in index_files(out)} == made


# --- The off switch.


@pytest.mark.parametrize("switch", ["flag", "config"])
def test_search_off_removes_what_search_made_and_nothing_else(tmp_path: Path, switch: str) -> None:
    site = make_site(tmp_path, search="false") if switch == "config" else make_site(tmp_path)
    out = site / "output"
    build_folder(site, out, search=True)
    assert (out / "search/index.html").is_file() and (out / "pagefind").is_dir()
    (out / "mine.txt").write_text("a file of mine")
    (out / "pagefind" / "2024" / "notes.txt").write_text("mine too")
    command = [sys.executable, "-m", "roundup", "build", "-q"]
    done = subprocess.run(
        command + (["--no-search"] if switch == "flag" else []),
        cwd=site,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert not (out / "search").exists()
    assert sorted(p.relative_to(out).as_posix() for p in (out / "pagefind").rglob("*")) == [
        "pagefind/2024",
        "pagefind/2024/notes.txt",
    ]
    nav = [a.text_content() for a in parse_html(out / "index.html").cssselect("nav a")]
    assert "Search" not in nav
    assert not (out / ".roundup" / search.RECORD).exists()
    plain, _ = build_folder(site, tmp_path / "plain", search=False)
    mine = {"mine.txt": b"a file of mine", "pagefind/2024/notes.txt": b"mine too"}
    assert files_of(out) == {**files_of(plain), **mine}


def test_build_help_lists_the_off_switch() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "roundup", "build", "--help"], capture_output=True, text=True
    )
    assert "--no-search" in done.stdout


# --- In a browser, under a base path, as a reader would.


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """A local web server over a folder: (its URL, the folder)."""
    root = tmp_path / "served"
    root.mkdir()
    with serve_folder(root) as url:
        yield url, root


def _search(page_url: str, word: str, *extra: Path) -> dict:
    assert playwright_core().is_dir()
    result = run(
        [node(), SEARCH_CHECK, page_url, word, *extra],
        env={"CHROMIUM": str(chromium())},
        timeout=180,
    )
    assert result.returncode == 0, output_of(result)
    return json.loads(result.stdout)


def test_a_reader_finds_an_item_by_a_word_of_its_comment(
    tmp_path: Path, served: tuple[str, Path]
) -> None:
    base, root = served
    site = make_site(tmp_path, base_url=f"{base}links/")
    build_folder(site, root / "links")
    report = _search(f"{base}links/search/", "quokka", axe_script())
    assert report["errors"] == [] and report["wide"] == []
    first = report["results"][0]
    assert first == {
        "href": "/links/items/quokka/",
        "title": "Marsupials of the open web",
        "links": ["https://wildlife.example/quokka"],
    }
    assert len(report["results"]) == 1 and report["summary"] == "1 result for quokka"
    # Both shards' filters, merged: every year is offered.
    offered = {name: sorted(values) for name, values in report["filters"].items()}
    assert offered == {"year": ["2023", "2024"]}
    assert report["axe"] == {f"{s} {w}": [] for s in ("light", "dark") for w in (1280, 390)}
    # Text from content stays text in the results, wherever it came from.
    hostile = _search(f"{base}links/search/", "echidna")
    assert [r["title"] for r in hostile["results"]] == [HOSTILE_TITLE]
    assert hostile["errors"] == [] and hostile["wide"] == []


def test_search_check_is_not_fooled_by_a_missing_index(
    tmp_path: Path, served: tuple[str, Path]
) -> None:
    base, root = served
    site = make_site(tmp_path, base_url=f"{base}links/")
    out, _ = build_folder(site, root / "links")
    for path in out.glob("pagefind/2024/fragment/*"):
        os.remove(path)  # the 2024 shard's records: its results cannot show
    result = run(
        [node(), SEARCH_CHECK, f"{base}links/search/", "quokka"],
        env={"CHROMIUM": str(chromium()), "SEARCH_CHECK_TIMEOUT_MS": "3000"},
        timeout=180,
    )
    assert result.returncode != 0 and "Timeout 3000ms exceeded" in result.stderr
