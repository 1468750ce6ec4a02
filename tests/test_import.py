"""`roundup import` end to end: every fixture export imports, builds and shows on its pages."""

from __future__ import annotations

import errno
import os
import shutil
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from roundup.cli import main
from roundup.core.model import Article
from roundup.importers import sources
from roundup.read.content import parse_file

from conftest import files_of, parse_html

EXPORTS = Path(__file__).parent / "fixtures" / "import"
BERLIN = ZoneInfo("Europe/Berlin")
EXPORTED_AT = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)  # the exports' modification time

# file, format as reported, imported, repeated in the file (merged), skipped (each on its own).
FORMATS = [
    ("firefox.html", "Netscape bookmark HTML", 9, 1, 2),
    ("chrome.html", "Netscape bookmark HTML", 6, 1, 1),
    ("safari.html", "Netscape bookmark HTML", 4, 0, 0),
    ("pinboard.html", "Netscape bookmark HTML", 4, 0, 1),
    ("raindrop.html", "Netscape bookmark HTML", 3, 0, 0),
    ("pocket.html", "Netscape bookmark HTML", 4, 0, 0),
    ("linkding.html", "Netscape bookmark HTML", 4, 0, 1),
    ("pinboard.json", "Pinboard JSON", 4, 1, 2),
    ("starred.rss", "RSS/Atom feed", 2, 1, 2),
    ("shared.atom", "RSS/Atom feed", 3, 0, 0),
    ("linkblog.json", "JSON Feed", 2, 0, 2),
    ("raindrop.csv", "CSV", 3, 0, 1),
    ("instapaper.csv", "CSV", 3, 0, 1),
    ("pocket.csv", "CSV", 3, 0, 1),
]


@pytest.fixture
def site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty site (Berlin time) with a copy of every export, all exported at one time."""
    (tmp_path / "pyproject.toml").write_text(
        '[tool.roundup]\ntitle = "Imported"\ntimezone = "Europe/Berlin"\n'
        'base_url = "https://links.example.org/"\nsite_id = "imported"\n',
        encoding="utf-8",
    )
    shutil.copytree(EXPORTS, tmp_path / "exports")
    for export in (tmp_path / "exports").iterdir():
        os.utime(export, (EXPORTED_AT.timestamp(), EXPORTED_AT.timestamp()))
    monkeypatch.chdir(tmp_path)
    return tmp_path


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, list[str], list[str]]:
    code = main(["import", *args])
    out, err = capsys.readouterr()
    return code, out.splitlines(), err.splitlines()


def import_text(
    capsys: pytest.CaptureFixture[str], name: str, text: str, *args: str
) -> tuple[int, list[str], list[str]]:
    """Write an export named `name` in the current folder (the site), then import it."""
    Path(name).write_text(text, encoding="utf-8")
    return run(capsys, name, *args)


def articles(site: Path) -> dict[str, Article]:
    """Every article file of the content folder, read as a build reads it (no problems)."""
    found = {}
    for path in sorted((site / "content").glob("*.md")):
        parsed = parse_file(path, path.name, BERLIN)
        assert parsed.errors == [] and parsed.warnings == [], (parsed.errors, parsed.warnings)
        assert parsed.article is not None
        found[path.name] = parsed.article
    return found


def links_on(page: Path) -> set[str]:
    return {str(href) for href in parse_html(page).xpath("//main//a/@href")}


def assert_shown_on_topic_and_day_pages(site: Path, imported: dict[str, Article]) -> None:
    """Each published link is on its day's page and on each of its topics' pages; no
    unpublished one is anywhere in the site."""
    output = site / "output"
    topic_pages = {  # topics are one whatever their case: the first spelling names them
        str(a.text_content()).strip().casefold(): str(a.get("href"))
        for a in parse_html(output / "topics" / "index.html").xpath("//main//a")
        if "/topics/" in str(a.get("href"))
    }
    every_page = "".join(p.read_text(encoding="utf-8") for p in output.rglob("*.html"))
    for name, article in imported.items():
        if not article.published:
            assert article.url not in every_page, name
            continue
        day = article.published_at.astimezone(BERLIN)
        assert article.url in links_on(output / f"{day:%Y/%m/%d}" / "index.html"), name
        for topic in article.topics:
            page = output / topic_pages[topic.casefold()].removeprefix("/") / "index.html"
            assert article.url in links_on(page), (name, topic)


@pytest.mark.parametrize(("export", "format", "imported", "repeated", "skipped"), FORMATS)
def test_each_export_imports_builds_shows_its_links_and_imports_once(
    site: Path,
    capsys: pytest.CaptureFixture[str],
    export: str,
    format: str,
    imported: int,
    repeated: int,
    skipped: int,
) -> None:
    source = f"exports/{export}"
    code, out, err = run(capsys, source)
    assert code == 0
    entries = imported + repeated + skipped
    merged = f"; {repeated} repeated in the import, merged" if repeated else ""
    assert out == [
        f"roundup: {source}: {format}, {entries} entries",
        f"roundup: imported {imported}, already present 0, skipped {skipped}{merged}",
    ]
    assert len([line for line in err if line.startswith(f"{source}:")]) >= skipped
    found = articles(site)
    assert len(found) == imported
    assert main(["build", "-q", "--strict"]) == 0
    assert capsys.readouterr().err == ""
    assert_shown_on_topic_and_day_pages(site, found)

    before = files_of(site / "content")
    code, out, err = run(capsys, source)
    assert code == 0
    assert out[-1] == (
        f"roundup: imported 0, already present {imported + repeated}, skipped {skipped}; "
        "nothing new"
    )
    assert files_of(site / "content") == before


def test_all_exports_at_once_build_with_zero_errors(
    site: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sources = [f"exports/{export}" for export, *_ in FORMATS]
    code, out, _ = run(capsys, *sources, "--folders-as-topics")
    assert code == 0
    assert out[-1] == (
        "roundup: imported 54, already present 0, skipped 14; 4 repeated in the import, merged"
    )
    found = articles(site)
    assert len(found) == sum(row[2] for row in FORMATS)
    assert main(["build", "-q", "--strict"]) == 0
    assert_shown_on_topic_and_day_pages(site, found)


def test_bad_entries_are_one_line_each_and_the_rest_imports(
    site: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sources = ["firefox.html", "linkding.html", "pinboard.json", "starred.rss"]
    sources += ["linkblog.json", "instapaper.csv", "pocket.csv", "raindrop.csv", "safari.html"]
    code, _, err = run(capsys, *(f"exports/{s}" for s in sources))
    assert code == 0
    assert err == [
        "exports/firefox.html:12: originalUrl: 'place:parent=toolbar_____&sort=12&maxResults=10'"
        " is not an http:// or https:// link",
        'exports/firefox.html:24: originalUrl: "javascript:(function(){document.body.'
        "contentEditable='true'})()\" is not an http:// or https:// link",
        "exports/firefox.html:31: title: empty; the link's address is the title",
        "exports/firefox.html:32: originalUrl: the same link as line 17; one file for both, "
        "its topics added",
        "exports/linkding.html:13: originalUrl: 'https://example.net/a\\x01b' contains control"
        " characters",
        "exports/linkding.html:14: title: control characters removed",
        "exports/pinboard.json:entry 3: originalUrl: the same link as entry 2; one file for "
        "both, its topics added",
        "exports/pinboard.json:entry 5: originalUrl: the entry has no link",
        "exports/pinboard.json:entry 6: time: '2021-02-30T25:61:00Z' is not a date such as "
        "2024-03-05T18:00:00Z",
        "exports/starred.rss:entry 3: published: 'Someday, maybe' is not a date feedparser "
        "can read",
        "exports/starred.rss:entry 4: originalUrl: the same link as entry 1; one file for both, "
        "its topics added",
        "exports/starred.rss:entry 5: originalUrl: the entry has no link",
        "exports/starred.rss: publishedDateTime: 1 entry has no date; dated "
        "2024-03-16T08:00:00Z, the feed's date",
        "exports/linkblog.json:entry 3: date_published: '10/03/2024' is not a date such as "
        "2024-03-05T18:00:00Z",
        "exports/linkblog.json:entry 4: items: expected an item object, got str",
        "exports/instapaper.csv:5: created: 'not a timestamp' is not a date such as "
        "2024-03-05T18:00:00Z",
        "exports/pocket.csv:5: originalUrl: the entry has no link",
        "exports/raindrop.csv:5: originalUrl: 'file:///Users/ada/Documents/notes.pdf' is not an "
        "http:// or https:// link",
        "exports/safari.html: publishedDateTime: 4 entries have no date; dated "
        "2024-05-01T12:00:00Z, when the file was last modified",
    ]


def test_dry_run_lists_the_files_a_real_run_writes_and_writes_nothing(
    site: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sources = ["exports/firefox.html", "exports/pinboard.json", "exports/starred.rss"]
    code, out, _ = run(capsys, *sources, "--dry-run")
    assert code == 0
    assert not (site / "content").exists()
    assert out[-1] == (
        "roundup: would import 15, already present 0, skipped 6; 3 repeated in the import, "
        "merged; nothing written (--dry-run)"
    )
    listed = sorted(line.removeprefix("would write ") for line in out if line.startswith("would"))
    code, out, _ = run(capsys, *sources, "-v")
    written = sorted(line for line in out if line.startswith("content/"))
    assert listed == written == sorted(f"content/{name}" for name in articles(site))
    assert len(written) == 15


def test_a_link_already_curated_is_left_alone_and_no_file_is_overwritten(
    site: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    content = site / "content"
    content.mkdir()
    by_hand = content / "mine.md"  # the same link as a Pinboard bookmark, spelled otherwise
    by_hand.write_text(
        "---\ntitle: Local-first, by hand\npublishedDateTime: 2024-01-01\n"
        "originalUrl: http://inkandswitch.com/local-first/#ideals\n---\nMine.\n",
        encoding="utf-8",
    )
    taken = content / "1999-08-15-frequently-asked-questions-by-the-press-tim-bl.md"
    taken.write_text(  # the name an imported file would take, for another link
        "---\ntitle: Another link\npublishedDateTime: 1999-08-15\n"
        "originalUrl: https://example.org/other\n---\n",
        encoding="utf-8",
    )
    before = files_of(content)
    code, out, _ = run(capsys, "exports/pinboard.json")
    assert code == 0
    assert out[-1] == (
        "roundup: imported 3, already present 1, skipped 2; 1 repeated in the import, merged"
    )
    after = files_of(content)
    assert {name: after[name] for name in before} == before
    new = sorted(set(after) - set(before))
    assert "1999-08-15-frequently-asked-questions-by-the-press-tim-bl-2.md" in new
    assert not any("local-first" in name for name in new)


def test_an_article_file_that_cannot_be_read_is_told_before_its_links_are_imported_again(
    site: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # Skipped without a word, its link was imported a second time (a "-2" file).
    content = site / "content"
    content.mkdir()
    mine = content / "mine.md"
    mine.write_text(
        "---\ntitle: Local-first, by hand\npublishedDateTime: 2024-01-01\n"
        "originalUrl: http://inkandswitch.com/local-first/#ideals\n---\nMine.\n",
        encoding="utf-8",
    )
    real = Path.read_bytes

    def locked(path: Path) -> bytes:
        if path == mine:
            raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(path))
        return real(path)

    monkeypatch.setattr(Path, "read_bytes", locked)
    code, _, err = run(capsys, "exports/pinboard.json", "--dry-run")
    assert code == 0
    assert err[0] == (
        "warning: content/mine.md: cannot read file: Permission denied; the links in it are "
        "not known"
    )


@pytest.mark.parametrize("dry_run", [False, True])
def test_an_imported_file_takes_no_slug_of_a_file_in_a_sub_folder_or_a_slug_field(
    site: Path, capsys: pytest.CaptureFixture[str], dry_run: bool
) -> None:
    # The build tells two slugs alike apart by moving one: an imported file named like a file
    # in content/2021/ moved that published item to another URL.
    content = site / "content"
    (content / "1999").mkdir(parents=True)
    (content / "1999" / "1999-08-15-frequently-asked-questions-by-the-press-tim-bl.md").write_text(
        "---\ntitle: Another link\npublishedDateTime: 1999-08-15\n"
        "originalUrl: https://example.org/other\n---\n",
        encoding="utf-8",
    )
    (content / "pinned.md").write_text(
        "---\ntitle: Pinned\npublishedDateTime: 2014-10-09\nslug: "
        '"2014-10-09-what-the-heck-is-the-event-loop-anyway-philip"\n'
        "originalUrl: https://example.org/pinned\n---\n",
        encoding="utf-8",
    )
    code, out, _ = run(capsys, "exports/pinboard.json", "-v", *(["--dry-run"] if dry_run else []))
    assert code == 0
    names = [
        line.removeprefix("would write ") for line in out if line.startswith(("content/", "would"))
    ]
    assert "content/1999-08-15-frequently-asked-questions-by-the-press-tim-bl-2.md" in names
    assert "content/2014-10-09-what-the-heck-is-the-event-loop-anyway-philip-2.md" in names
    if not dry_run:
        assert main(["build", "-q", "--strict"]) == 0  # no slug told apart, no page moved
        assert (site / "output/items/pinned/index.html").exists() is False
        page = site / "output/items/2014-10-09-what-the-heck-is-the-event-loop-anyway-philip"
        assert "Pinned" in (page / "index.html").read_text("utf-8")


def test_a_pinboard_entry_without_href_is_one_entry_skipped_not_a_whole_export_refused(
    site: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = import_text(
        capsys,
        "pb.json",
        '[{"href": "https://pinboard.example/one", "description": "One", '
        '"time": "2021-03-04T05:06:07Z"}, {"description": "no href", '
        '"time": "2021-03-04T05:06:07Z"}, null, 5]',
    )
    assert code == 0
    assert out == [
        "roundup: pb.json: Pinboard JSON, 4 entries",
        "roundup: imported 1, already present 0, skipped 3",
    ]
    assert err == [
        "pb.json:entry 2: originalUrl: the entry has no link",
        "pb.json:entry 3: href: expected a bookmark object, got NoneType",
        "pb.json:entry 4: href: expected a bookmark object, got int",
    ]


def test_a_csv_quote_never_closed_is_told_not_imported_as_one_swallowing_title(
    site: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = import_text(
        capsys,
        "bad.csv",
        "url,title,created\nhttps://c.example/5,Five,2023-01-01\n"
        'https://c.example/6,"unterminated quote,2023-01-01\n'
        "https://c.example/7,Seven,2023-01-01\n",
    )
    assert code == 0
    assert out[-1] == "roundup: imported 1, already present 0, skipped 1"
    assert err == [
        'bad.csv:3: url: a quoted field opens here and is never closed (a missing "), so the '
        "lines from here to the end were read as one field; nothing of them was imported"
    ]
    assert [a.title for a in articles(site).values()] == ["Five"]
    # A quoted field over several lines that does close is a note like any other.
    good = 'url,title,note\nhttps://c.example/8,Eight,"two\nlines"\n'
    assert import_text(capsys, "good.csv", good)[1][-1] == (
        "roundup: imported 1, already present 0, skipped 0"
    )


def test_a_link_twice_in_the_import_is_one_file_with_both_entries_topics_and_text(
    site: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = import_text(
        capsys,
        "dup.json",
        '[{"href": "https://dup.example/b", "description": "B", "tags": "one", '
        '"time": "2021-03-04T05:06:07Z"}, {"href": "http://www.dup.example/b?utm_source=x#f", '
        '"description": "B2", "extended": "Notes of B2", "tags": "two", '
        '"time": "2021-03-05T05:06:07Z"}]',
    )
    assert code == 0
    assert out[-1] == (
        "roundup: imported 1, already present 0, skipped 0; 1 repeated in the import, merged"
    )
    assert err == [
        "dup.json:entry 2: originalUrl: the same link as entry 1; one file for both, its "
        "topics and text added"
    ]
    [article] = articles(site).values()
    assert (article.title, article.topics, article.excerpt) == ("B", ("one", "two"), "Notes of B2")


def test_json_feed_dates_are_text_a_lone_tag_is_kept_and_a_far_date_says_so(
    site: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = import_text(
        capsys,
        "feed.json",
        '{"version": "https://jsonfeed.org/version/1.1", "title": "T", "items": ['
        '{"id": "1", "url": "https://j.example/1", "title": "Number", "date_published": 12345},'
        '{"id": "2", "url": "https://j.example/2", "title": "Far", '
        '"date_published": "9999-12-31T23:59:59Z"},'
        '{"id": "3", "url": "https://j.example/3", "title": "Tag", "tags": "lonely", '
        '"date_published": "2024-03-05T18:00:00Z"}]}',
    )
    assert code == 0
    assert err == [
        "feed.json:entry 1: date_published: expected a date such as 2024-03-05T18:00:00Z, "
        "got 12345",  # not 1970-01-01T03:25:45Z, silently
        "feed.json:entry 2: date_published: '9999-12-31T23:59:59Z' is too far in the past or "
        "future",
    ]
    [article] = articles(site).values()
    assert article.topics == ("lonely",)


def test_draft_topic_and_since(site: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(
        capsys, "exports/firefox.html", "--draft", "--topic", "Imported", "--topic", "Web",
        "--since", "2024-01-01",
    )  # fmt: skip
    assert code == 0
    assert out[-1] == (
        "roundup: imported 6, already present 0, skipped 2; 4 dated before 2024-01-01 left out"
    )
    found = articles(site)
    assert sorted(a.title for a in found.values()) == [
        "Announcing Rust 1.77.0 🦀 | Rust Blog",
        "Café menu (a space and an accent in the URL)",
        "Getting Started",
        "The dl element, again",  # its older duplicate is left out, so this one comes in
        "rfc-editor.org/rfc/rfc4287",
        "東京 - Wikipedia",
    ]
    for article in found.values():
        assert article.published is False
        assert article.published_at >= datetime(2024, 1, 1, tzinfo=BERLIN)
        assert article.topics[-2:] == ("Imported", "Web")


def test_a_bad_since_is_a_usage_error(site: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["import", "exports/firefox.html", "--since", "last week"])
    assert exit_info.value.code == 2
    assert "--since" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("contents", "message"),
    [
        (None, "exports/missing.html: cannot read it (No such file or directory)"),
        (b"", "exports/bad: empty; roundup imports Netscape bookmark HTML"),
        (b"Just some notes\nabout links\n", "exports/bad: not a format roundup can import;"),
        (b'{"href": "https://example.org/"', "exports/bad:1: not valid JSON (Expecting"),
        (b'{"links": []}', "exports/bad: JSON, but neither a Pinboard export nor a JSON Feed;"),
        (b"<html><body><a href='https://example.org/'>x</a></body></html>",
         "exports/bad: not a format roundup can import;"),
        (b"<rss version='2.0'><channel><title>Cut short</ti",
         "exports/bad: not a feed feedparser can read (not well-formed XML (unclosed token))"),
    ],
)  # fmt: skip
def test_a_source_that_cannot_be_read_stops_the_import_before_anything_is_written(
    site: Path, capsys: pytest.CaptureFixture[str], contents: bytes | None, message: str
) -> None:
    name = "exports/missing.html" if contents is None else "exports/bad"
    if contents is not None:
        (site / name).write_bytes(contents)
    code, out, err = run(capsys, "exports/firefox.html", name)
    assert code == 1
    assert out == []
    assert err[0].startswith(message), err
    assert err[-1] == "roundup: 1 source could not be read; nothing was written"
    assert not (site / "content").exists()


def test_a_feed_cut_short_imports_what_feedparser_recovered(
    site: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    whole = (EXPORTS / "starred.rss").read_bytes()
    cut = whole[: whole.index(b"<title>A broken date")]  # two items, then the download stopped
    (site / "exports" / "cut.rss").write_bytes(cut)
    code, out, err = run(capsys, "exports/cut.rss")
    assert code == 0
    assert err[0].startswith("exports/cut.rss: not well-formed XML (")
    assert err[0].endswith("); imported the entries feedparser recovered")
    assert out[-1] == "roundup: imported 2, already present 0, skipped 1"


def test_a_folder_is_not_a_source(site: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "exports")
    assert code == 1
    assert err[0] == "exports: is a folder; give the export file itself"


def test_a_device_or_a_huge_file_is_refused_before_it_is_read(
    site: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # Read whole only to be refused, /dev/zero took all memory, and a 3 GB video the
    # machine's: an internal error, exit 3.
    code, _, err = run(capsys, "/dev/zero")
    assert (code, err[0]) == (1, "/dev/zero: is a device, not a file; give the export file itself")
    huge = site / "huge.mp4"
    with huge.open("wb") as file:
        file.truncate(sources.MAX_FILE + 1)  # sparse: no disk used
    code, _, err = run(capsys, "huge.mp4", "--dry-run")
    assert code == 1
    assert (
        err[0]
        == "huge.mp4: larger than 1 GB, far more than any export of links; is it the right file?"
    )
    # A pipe has no size to look at: read up to the limit (a smaller one here).
    monkeypatch.setattr(sources, "MAX_FILE", 10)
    read, write = os.pipe()
    os.write(write, b"x" * 11)
    os.close(write)
    code, _, err = run(capsys, f"/dev/fd/{read}")
    os.close(read)
    assert code == 1 and err[0].startswith(f"/dev/fd/{read}: larger than 0 GB")


def test_bookmarks_without_href_a_localised_other_bookmarks_and_a_cut_file_are_told(
    site: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = import_text(
        capsys,
        "de.html",
        "<!DOCTYPE NETSCAPE-Bookmark-file-1>\n<DL><p>\n"
        '<DT><A ADD_DATE="1700000000">No href at all</A>\n'
        '<DT><A HREF="https://nh.example/ok" ADD_DATE="1700000000">OK</A>\n'
        '<DT><H3 UNFILED_FOLDERS="true">Weitere Lesezeichen</H3>\n'
        '<DL><p><DT><A HREF="https://de.example/2" ADD_DATE="1700000000">Zwei</A></DL><p>\n'
        "</DL>\n",
        "--folders-as-topics",
    )
    assert code == 0
    assert out[-1] == "roundup: imported 2, already present 0, skipped 1"
    assert err == ["de.html:3: originalUrl: the entry has no link"]  # was left out unsaid
    # Firefox's "Other Bookmarks" in any language (UNFILED_FOLDERS) is no topic.
    assert [a.topics for a in articles(site).values()] == [(), ()]
    whole = (site / "de.html").read_text("utf-8")
    (site / "cut.html").write_text(whole[: whole.index("Zwei") + 2], encoding="utf-8")
    code, out, err = run(capsys, "cut.html", "--dry-run")
    assert code == 0
    assert err[0] == (
        "cut.html: the file ends before its lists do (a </DL> is missing): it may have been "
        "cut short, and its last bookmark may be incomplete or missing"
    )


def test_standard_input(
    site: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import io
    import sys

    data = (EXPORTS / "pocket.csv").read_bytes()
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data)))
    code, out, _ = run(capsys, "-")
    assert code == 0
    assert out == [
        "roundup: -: CSV, 4 entries",
        "roundup: imported 3, already present 0, skipped 1",
    ]


def test_the_same_sources_give_the_same_files(
    site: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sources = [f"exports/{export}" for export, *_ in FORMATS]
    assert main(["import", "-q", *sources, "--content", "one"]) == 0
    assert main(["import", "-q", *sources, "--content", "two"]) == 0
    capsys.readouterr()
    assert files_of(site / "one") == files_of(site / "two")


def test_a_build_never_imports_the_importers(site: Path) -> None:
    import subprocess
    import sys

    (site / "content").mkdir()
    script = (
        "import sys\nfrom roundup.cli import main\nassert main(['build', '-q']) == 0\n"
        "loaded = [m for m in sys.modules if m.startswith(('feedparser', 'roundup.importers'))]\n"
        "assert loaded == [], loaded\n"
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def test_a_title_or_topic_cut_to_size_is_told(
    site: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Every other change to an entry had its line; these were cut without a word.
    title, tag = "Long " * 150, "verylongtag" * 30
    export = (
        '[{"href": "https://example.org/long", "description": "' + title.strip() + '", '
        '"extended": "", "time": "2024-03-05T18:00:00Z", "shared": "yes", "toread": "no", '
        '"tags": "' + tag + '"}]'
    )
    code, _, err = import_text(capsys, "pinboard.json", export)
    assert code == 0
    assert err == [
        "pinboard.json:entry 1: title: 749 characters; cut to 500",
        f"pinboard.json:entry 1: topics: '{tag[:37]}...' is 330 characters; cut to 100",
    ]
    [article] = articles(site).values()
    assert len(article.title) == 500 and len(article.topics[0]) == 100


def test_an_untitled_entry_titled_by_its_summary_does_not_repeat_it(
    site: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Its title was its whole summary, and the same text came again as the excerpt.
    feed = (
        '{"version": "https://jsonfeed.org/version/1.1", "title": "Posts", "items": [{"id": "1", '
        '"url": "https://example.org/p", "summary": "A short post.", '
        '"date_published": "2024-03-11T10:00:00Z"}]}'
    )
    assert import_text(capsys, "posts.json", feed)[0] == 0
    [article] = articles(site).values()
    assert (article.title, article.excerpt) == ("A short post.", "")
