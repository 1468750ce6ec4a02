"""`roundup new URL` end to end, through the command line, against the fixture server."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from roundup.cli import main
from roundup.core.model import Article, Image, Provider
from roundup.read.content import parse_file

from webserver import FixtureWeb, serve_fixtures

STORY = "https://www.harbourtimes.example/news/2026/03/04/council-approves-harbour-bridge-repairs/"
BERLIN = ZoneInfo("Europe/Berlin")


@pytest.fixture(scope="module")
def web() -> Iterator[FixtureWeb]:
    with serve_fixtures() as server:
        yield server


@pytest.fixture
def site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / "pyproject.toml").write_text(
        '[tool.roundup]\ntitle = "Links"\ntimezone = "Europe/Berlin"\n', encoding="utf-8"
    )
    (tmp_path / "content").mkdir()
    monkeypatch.chdir(tmp_path)
    return tmp_path


DATED = (
    "roundup: dated 2026-03-04, the page's publication time: it is listed on that day, not "
    "today, and a feed may already have newer entries; --now dates it now\n"
)


def new(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["new", *args])
    out, err = capsys.readouterr()
    return code, out, err


def test_a_page_dated_in_the_future_is_told_it_will_be_held_back(
    web: FixtureWeb, site: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # A page's wrong clock or time zone: the file was written without a word, and the link
    # was missing from the site (held back until then).
    monkeypatch.setenv("ROUNDUP_NOW", "2026-01-01T00:00:00Z")
    code, _, err = new(capsys, web.url("/news/council-bridge"))
    assert code == 0
    assert err.startswith("warning: dated 2026-03-04 ") and err.endswith(
        ", the page's publication time, which is still to come: the link is held back until "
        "then; --now dates it now\n"
    ), err


def read(path: Path) -> Article:
    parsed = parse_file(path, path.name, BERLIN)
    assert parsed.errors == [] and parsed.warnings == [], (parsed.errors, parsed.warnings)
    assert parsed.article is not None
    return parsed.article


def test_a_news_article_becomes_a_complete_file(
    web: FixtureWeb, site: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = web.url("/r/short?utm_source=newsletter&utm_medium=email")
    code, out, err = new(capsys, url, "--topic", "Local news", "--topic", "Transport",
                         "--comment", "Eight months of *detours*.")  # fmt: skip
    assert (code, err) == (0, DATED)  # the page came out long before today: said
    # The day in the site's zone (18:00 UTC is 19:00 in Berlin), the title's first words.
    assert out == "content/2026-03-04-council-approves-14m-harbour-bridge-repairs-after.md\n"
    path = site / out.strip()
    assert path.read_text(encoding="utf-8") == (
        "---\n"
        'title: "Council approves £14m harbour bridge repairs after 6\u20133 vote"\n'
        'excerpt: "Councillors voted 6\u20133 on Tuesday night to fund the repairs, which will '
        'close the bridge to traffic for eight months from June."\n'
        "publishedDateTime: 2026-03-04T18:00:00Z\n"
        f'originalUrl: "{STORY}"\n'
        f'webUrl: "{web.url("/news/council-bridge")}"\n'
        'type: "article"\n'
        "published: true\n"
        "\n"
        "provider:\n"
        '  name: "The Harbour Times"\n'
        '  domain: "harbourtimes.example"\n'
        "\n"
        "topics:\n"
        '  - "Local news"\n'
        '  - "Transport"\n'
        "\n"
        "images:\n"
        '  - url: "https://www.harbourtimes.example/wp-content/uploads/2026/03/bridge.jpg"\n'
        "    width: 2048\n"
        "    height: 1365\n"
        "---\n"
        "\n"
        "Eight months of *detours*.\n"
    )
    article = read(path)
    assert article.url == STORY
    assert article.comment_html == "<p>Eight months of <em>detours</em>.</p>"


def test_a_page_without_a_date_is_dated_now(
    web: FixtureWeb, site: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = datetime.now(UTC).replace(microsecond=0)
    code, out, _ = new(capsys, web.url("/roundup-ssg/roundup"), "--draft")
    after = datetime.now(UTC)
    assert code == 0
    article = read(site / out.strip())
    assert before <= article.published_at <= after
    assert out.strip().startswith(f"content/{article.published_at.astimezone(BERLIN):%Y-%m-%d}-")
    assert article.published is False
    assert article.original_url == "https://github.com/roundup-ssg/roundup"
    assert article.provider == Provider("GitHub", "github.com")
    assert article.images == (
        Image("https://opengraph.githubassets.example/8a1c0e/roundup-ssg/roundup", 1200, 600),
    )
    assert article.topics == () and article.comment_html == ""


def test_a_page_with_only_a_title_and_no_canonical(
    web: FixtureWeb, site: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = new(capsys, web.url("/diary/static-weekend#saturday"))
    assert code == 0
    article = read(site / out.strip())
    assert article.title == 'Notes on "static" sites & feeds — a weekend diary'
    assert article.original_url == web.url("/diary/static-weekend#saturday")
    assert article.web_url is None
    assert article.provider == Provider("127.0.0.1", "127.0.0.1")
    assert article.excerpt == "" and article.images == () and article.type is None


def test_the_title_flag_wins(
    web: FixtureWeb, site: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = new(capsys, web.url("/watch?v=Xk3l9tQ2pZs"), "--title", "Ten-minute link blog")
    assert code == 0 and out == "content/2026-02-27-ten-minute-link-blog.md\n"
    article = read(site / out.strip())
    assert article.title == "Ten-minute link blog" and article.type == "video"


def test_now_dates_a_link_today_whatever_the_page_says(
    web: FixtureWeb, site: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # A link curated today to a page of March went into March's edition, past the newest
    # entries of the feeds; --now puts it in today's.
    before = datetime.now(UTC).replace(microsecond=0)
    code, out, err = new(capsys, web.url("/news/council-bridge"), "--now")
    assert (code, err) == (0, "")
    written = parse_file(site / out.strip(), out.strip(), UTC).article
    assert written is not None and before <= written.published_at <= datetime.now(UTC)
    today = written.published_at.astimezone(BERLIN).date().isoformat()
    assert out.startswith(f"content/{today}-council-approves")


def test_the_same_link_warns_naming_the_earlier_file(
    web: FixtureWeb, site: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (site / "content" / "by-hand.md").write_text(
        "---\ntitle: Written by hand\npublishedDateTime: 2026-03-05\n"
        "originalUrl: http://harbourtimes.example/news/2026/03/04/"
        "council-approves-harbour-bridge-repairs/?utm_campaign=x#comments\n---\n",
        encoding="utf-8",
    )
    first = new(capsys, web.url("/news/council-bridge"))
    second = new(capsys, web.url("/r/short"))
    assert first == (
        0,
        "content/2026-03-04-council-approves-14m-harbour-bridge-repairs-after.md\n",
        "warning: content/by-hand.md: the same link is already curated there\n" + DATED,
    )
    assert second == (
        0,
        "content/2026-03-04-council-approves-14m-harbour-bridge-repairs-after-2.md\n",
        "warning: content/2026-03-04-council-approves-14m-harbour-bridge-repairs-after.md: "
        "the same link is already curated there\n"
        "warning: content/by-hand.md: the same link is already curated there\n" + DATED,
    )


@pytest.mark.parametrize(
    ("path", "reason"),
    [
        ("/gone", "404 Not Found"),
        ("/paper.pdf", "not an HTML page (application/pdf)"),
        ("/loop", "more than 10 redirects"),
    ],
)
def test_a_failed_fetch_writes_nothing(
    web: FixtureWeb, site: Path, capsys: pytest.CaptureFixture[str], path: str, reason: str
) -> None:
    code, out, err = new(capsys, web.url(path), "--topic", "X")
    assert (code, out, err) == (1, "", f"roundup: {web.url(path)}: {reason}\n")
    assert list((site / "content").iterdir()) == []


def test_a_failed_fetch_with_a_title_writes_from_the_flags(
    web: FixtureWeb, site: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = web.url("/paper.pdf?utm_source=x")
    code, out, err = new(capsys, url, "--title", "The paper", "--topic", "Research")
    assert code == 0
    assert err == (
        f"warning: {url}: not an HTML page (application/pdf); "
        "writing the file from the command line alone\n"
    )
    article = read(site / out.strip())
    assert (article.title, article.original_url, article.topics) == (
        "The paper",
        web.url("/paper.pdf"),
        ("Research",),
    )
    assert article.provider == Provider("127.0.0.1", "127.0.0.1")
    # Written as a fetched URL is: percent-encoded, the host in ASCII, no login in it.
    given = web.url("/straße?utm_campaign=x&a=ä").replace("http://", "http://ada:secret@")
    code, out, _ = new(capsys, given, "--title", "IDN test")
    assert code == 0
    assert read(site / out.strip()).original_url == web.url("/stra%C3%9Fe?a=%C3%A4")


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("javascript:alert(1)", "is not an absolute http:// or https:// URL"),
        ("ftp://files.example/a", "is not an absolute http:// or https:// URL"),
        ("https://a b/", "contains spaces, control characters or backslashes"),
    ],
)
def test_a_link_no_article_may_have_is_one_error_before_any_fetch(
    site: Path, capsys: pytest.CaptureFixture[str], url: str, reason: str
) -> None:
    # Not a warning that the page cannot be fetched and then an error: the link itself.
    code, out, err = new(capsys, url, "--title", "A title")
    assert (code, out, err) == (1, "", f"roundup: {url}: {url!r} {reason}\n")
    assert list((site / "content").iterdir()) == []


def test_a_page_without_any_title(
    web: FixtureWeb, site: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = new(capsys, web.url("/untitled"))
    assert (code, out) == (1, "")
    assert err == f"roundup: {web.url('/untitled')}: the page has no title; give one with --title\n"


def test_another_content_folder_is_made_when_missing(
    web: FixtureWeb, site: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = new(capsys, web.url("/ru/static"), "--content", "links/2026")
    assert code == 0 and out.startswith("links/2026/")
    assert read(site / out.strip()).title == "Статические сайты и ленты новостей"


def test_as_a_command(web: FixtureWeb, site: Path) -> None:
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "roundup",
            "new",
            web.url("/forum/waermepumpen"),
            "--topic",
            "Heizung",
        ],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=site,
    )
    assert (run.returncode, run.stderr) == (0, "")
    [written] = (site / "content").iterdir()
    assert run.stdout == f"content/{written.name}\n"
    assert read(written).title == "Über die Größe von Wärmepumpen \u2013 Heizungsforum Süd"


def test_new_outside_any_site_writes_nothing_and_says_where_to_run_it(
    web: FixtureWeb, site: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # Run from inside content/, it made content/content/ and wrote the link there.
    monkeypatch.chdir(site / "content")
    code, out, err = new(capsys, web.url("/diary/static-weekend?outside"))
    assert (code, out) == (1, "")
    assert err == (
        "roundup: content: content folder not found; run roundup new from the site's folder "
        "(the one with content/ and pyproject.toml or roundup.toml), or start a site with "
        "roundup init\n"
    )
    assert list((site / "content").iterdir()) == []
    assert web.hits("/diary/static-weekend?outside") == []  # refused before any fetch
    # A site's config without content/ yet is a site: its content folder is made.
    (site / "content").rmdir()
    monkeypatch.chdir(site)
    assert new(capsys, web.url("/diary/static-weekend"))[0] == 0
    assert len(list((site / "content").iterdir())) == 1


def test_an_empty_url_or_one_with_a_line_break_is_told_on_one_line(
    site: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert new(capsys, "") == (1, "", "roundup: new: the URL is empty; give the link to add\n")
    code, _, err = new(capsys, "https://example.org/a\nb")
    assert code == 1 and err.count("\n") == 1 and "'https://example.org/a\\nb'" in err
