"""`roundup check [--links]`: the build's validation without a build, and every URL requested."""

from __future__ import annotations

import json
import shutil
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from roundup.cli import main
from roundup.read.content import parse_bytes
from roundup.web.linkcheck import MAX_RETRY_AFTER, LinkCache, Outcome, Use, _retry_after, uses_of

from conftest import files_of
from webserver import FixtureWeb, serve_fixtures

BROKEN = Path(__file__).resolve().parent / "broken"
CASES = sorted(p.name for p in BROKEN.iterdir() if (p / "content").is_dir())
GOOD = """---
title: A good article
publishedDateTime: 2026-03-04T10:00:00Z
originalUrl: {url}
{extra}---
"""


def good(url: str, extra: str = "") -> str:
    return GOOD.format(url=url, extra=extra)


@pytest.fixture(scope="module")
def web() -> Iterator[FixtureWeb]:
    with serve_fixtures() as server:
        yield server


@pytest.fixture
def site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / "content").mkdir()
    monkeypatch.chdir(tmp_path)
    return tmp_path


def check(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, list[str]]:
    code = main(["check", *args])
    out, err = capsys.readouterr()
    return code, out, err.splitlines()


def write(site: Path, name: str, text: str) -> None:
    (site / "content" / name).write_text(text, encoding="utf-8")


# --- validation: exactly as build ----------------------------------------------------------


@pytest.mark.parametrize("case", CASES)
def test_check_reports_what_build_reports(
    case: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    shutil.copytree(BROKEN / case / "content", tmp_path / "content", symlinks=True)
    monkeypatch.chdir(tmp_path)
    flags_file = BROKEN / case / "flags.txt"
    flags = flags_file.read_text().split() if flags_file.exists() else []
    code, out, lines = check(capsys, *flags)
    expected = (BROKEN / case / "expected.txt").read_text(encoding="utf-8").splitlines()
    assert (code, out) == (1, "")
    assert [line for line in lines if not line.startswith("roundup: ")] == expected
    assert lines[-1].startswith("roundup: ")
    assert not (tmp_path / "output").exists() and not (tmp_path / ".roundup-cache").exists()


def test_a_valid_site_and_its_built_output_are_left_alone(
    site: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(site, "good.md", good(url="https://example.com/a"))
    write(site, "draft.md", good("https://example.com/a", "published: false\n"))
    assert main(["build"]) == 0
    capsys.readouterr()
    before = {**files_of(site / "output")}
    state = {p: p.stat().st_mtime_ns for p in (site / ".roundup-cache").rglob("*")}
    code, out, lines = check(capsys)
    assert (code, out) == (0, "roundup: 2 articles valid\n")
    assert lines == [
        "warning: content/good.md:4: originalUrl: the same link as content/draft.md, "
        "in the same edition; both are kept"
    ]
    assert files_of(site / "output") == before
    assert {p: p.stat().st_mtime_ns for p in (site / ".roundup-cache").rglob("*")} == state


def test_strict_fails_on_content_warnings_like_build(
    site: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(site, "a.md", good("https://example.com/a", "topics: AI\n"))
    code, _, lines = check(capsys, "--strict")
    assert code == 1
    assert (
        lines[0]
        == "content/a.md:5: topics: a single text is read as one topic; write a list: [Name]"
    )


# --- links ---------------------------------------------------------------------------------


def many_links(web: FixtureWeb) -> str:
    u = web.url
    return f"""---
title: Many links
publishedDateTime: 2026-03-04
originalUrl: {u("/gone")}
webUrl: {u("/moved/repo")}
images:
  - javascript:dropped
  - url: {u("/images/bridge.jpg")}
  - url: {u("/images/missing.png")}
related:
  - title: A redirect chain that starts with a permanent redirect
    webUrl: {u("/r/short")}
  - title: Rate-limited once
    webUrl: {u("/busy/many-links")}
  - title: Refuses HEAD
    webUrl: {u("/no-head")}
  - title: Broken server
    webUrl: {u("/broken")}
  - title: Temporary redirect
    webUrl: {u("/temporary")}
  - title: Nobody listens
    webUrl: http://127.0.0.1:9/refused
---
"""


def test_dead_and_moved_links_with_file_and_line(
    web: FixtureWeb, site: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(site, "many.md", many_links(web))
    write(site, "fine.md", good(url=web.url("/news/council-bridge")))
    started = time.monotonic()
    code, out, lines = check(capsys, "--links")
    u = web.url
    assert code == 1
    assert lines == [
        "warning: content/many.md:7: images[0].url: 'javascript:dropped' is not an absolute "
        "http:// or https:// URL; image dropped",
        "content/many.md:4: originalUrl: 404 Not Found",
        "warning: content/many.md:5: webUrl: 308 Permanent Redirect to "
        f"{u('/roundup-ssg/roundup')}",
        "content/many.md:9: images[2].url: 404 Not Found",
        "warning: content/many.md:12: related[0].webUrl: 301 Moved Permanently to "
        f"{u('/r/step')}",  # where the permanent redirect leads, not the temporary one after it
        "content/many.md:18: related[3].webUrl: 500 Internal Server Error",
        "content/many.md:22: related[5].webUrl: 127.0.0.1 refused the connection",
    ]
    assert out == (
        "roundup: 2 articles valid; 11 links checked (0 from the last day): 4 dead, 2 moved\n"
    )
    # The 429 was honoured: asked again after its Retry-After of 1 s, and then it was fine.
    assert web.hits("/busy/many-links") == ["HEAD", "HEAD"]
    assert time.monotonic() - started >= 1
    # HEAD refused: GET asked; a 404 to HEAD is confirmed with GET before it counts.
    assert web.hits("/no-head") == ["HEAD", "GET"]
    assert web.hits("/gone") == ["HEAD", "GET"]
    assert all(agent.startswith("roundup/") for _, _, agent in web.requests)


@pytest.mark.parametrize(
    "entry",
    [
        {"kind": "ok", "reason": "x", "status": "abc", "location": None, "checked": "yesterday"},
        {"kind": "fine", "reason": "x", "status": 200, "location": None, "checked": 0},
        {"kind": "ok", "reason": "x", "status": 200, "location": None, "checked": 4e18},
        ["not", "an", "entry"],
    ],
)
def test_a_damaged_link_cache_is_asked_again_never_a_crash(
    web: FixtureWeb, site: Path, capsys: pytest.CaptureFixture[str], entry: object
) -> None:
    # Deleting the cache folder is always safe, and so is finding it edited by hand: a
    # status that was text stopped check with an internal error.
    path = f"/roundup-ssg/roundup?cached={len(web.requests)}"  # the server outlives a test
    url = web.url(path)
    write(site, "a.md", good(url=url))
    cache_file = site / ".roundup-cache" / "links.json"
    cache_file.parent.mkdir(parents=True)
    cache_file.write_text(json.dumps({"version": 1, "links": {url: entry}}), encoding="utf-8")
    code, out, _ = check(capsys, "--links")
    assert (code, out) == (
        0,
        "roundup: 1 article valid; 1 link checked (0 from the last day): all live\n",
    )
    assert web.hits(path) == ["HEAD"]
    assert json.loads(cache_file.read_text(encoding="utf-8"))["links"][url]["status"] == 200


def test_a_server_that_answers_head_wrongly_is_asked_with_get(
    web: FixtureWeb, site: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Only GET's answer may call a page dead; a server that hangs up on HEAD was called so.
    write(site, "a.md", good(url=web.url("/head-hangs-up")))
    write(site, "b.md", good(url=web.url("/not-http")))
    code, out, lines = check(capsys, "--links")
    assert web.hits("/head-hangs-up") == ["HEAD", "GET"]
    assert web.hits("/not-http") == ["HEAD", "GET"]
    # What the server sent is not quoted back: it filled a 20,000-character line.
    assert lines == [
        "content/b.md:4: originalUrl: 127.0.0.1 sent an answer that is not HTTP, or none at all"
    ]
    assert (code, out) == (1, "roundup: 2 articles valid; 2 links checked (0 from the last "
                                "day): 1 dead\n")  # fmt: skip


def test_results_are_kept_for_a_day(
    web: FixtureWeb, site: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(site, "a.md", good(url=web.url("/roundup-ssg/roundup?a")))
    write(site, "b.md", good(url=web.url("/moved/repo?b")))
    write(site, "c.md", good(url=web.url("/gone?c")))
    first = check(capsys, "--links")
    assert first[0] == 1
    cache_file = site / ".roundup-cache" / "links.json"
    stored = json.loads(cache_file.read_text(encoding="utf-8"))
    assert sorted(stored["links"]) == [web.url("/moved/repo?b"), web.url("/roundup-ssg/roundup?a")]
    # Made by check first, the cache folder is made as a build makes it: it was readable by
    # every user, and the drafts' texts later went into it.
    assert cache_file.parent.stat().st_mode & 0o777 == 0o700
    assert (cache_file.parent / "CACHEDIR.TAG").is_file()
    second = check(capsys, "--links")
    assert second == (
        1,
        "roundup: 3 articles valid; 3 links checked (2 from the last day): 1 dead, 1 moved\n",
        first[2],
    )
    # Only the dead link was asked again.
    assert web.hits("/roundup-ssg/roundup?a") == ["HEAD"]
    assert web.hits("/gone?c") == ["HEAD", "GET", "HEAD", "GET"]
    # A day later, or with --no-cache, everything is asked again.
    for entry in stored["links"].values():
        entry["checked"] -= 24 * 3600 + 1
    cache_file.write_text(json.dumps(stored), encoding="utf-8")
    assert check(capsys, "--links")[1].endswith("(0 from the last day): 1 dead, 1 moved\n")
    assert check(capsys, "--links", "--no-cache")[1].endswith(
        "(0 from the last day): 1 dead, 1 moved\n"
    )
    assert web.hits("/roundup-ssg/roundup?a") == ["HEAD"] * 3


def test_strict_fails_on_moved_links(
    web: FixtureWeb, site: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(site, "a.md", good(url=web.url("/moved/repo?strict")))
    assert check(capsys, "--links")[0] == 0
    assert check(capsys, "--links", "--strict")[0] == 1


def test_a_slow_link_is_reported_not_checked(
    web: FixtureWeb, site: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(site, "a.md", good(url=web.url("/slow")))
    started = time.monotonic()
    code, out, lines = check(capsys, "--links", "--timeout", "1")
    # HEAD and GET share the second: each had all of it, so a slow link took twice as long.
    assert code == 0 and time.monotonic() - started < 1.8
    assert lines == ["warning: content/a.md:4: originalUrl: not checked: no answer within 1 s"]
    assert out.endswith("1 not checked\n")
    assert check(capsys, "--links", "--timeout", "0.5", "--strict")[0] == 1


def test_a_link_whose_headers_drip_in_is_not_checked_within_the_timeout(
    web: FixtureWeb, site: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Each byte came within httpx's read timeout: check --links never finished.
    write(site, "a.md", good(url=web.url("/drip-headers")))
    started = time.monotonic()
    code, _, lines = check(capsys, "--links", "--timeout", "0.5", "--no-cache")
    assert code == 0 and time.monotonic() - started < 2.5  # HEAD, then GET: 0.5 s in all
    assert lines == ["warning: content/a.md:4: originalUrl: not checked: no answer within 0.5 s"]


@pytest.mark.parametrize(
    ("cache", "told"),
    [
        ("output", "output is the cache folder"),
        ("output/.state", "output/.state is inside the output folder"),
        ("content/cachex", "content/cachex is inside the content folder"),
    ],
)
def test_the_link_cache_goes_nowhere_build_refuses_it(
    web: FixtureWeb, site: Path, capsys: pytest.CaptureFixture[str], cache: str, told: str
) -> None:
    # links.json names drafts' links: in output/ it would be published by the next deploy.
    write(site, "a.md", good(url=web.url("/diary/static-weekend"), extra="published: false\n"))
    code, _, lines = check(capsys, "--links", "--cache-dir", cache)
    assert code == 1 and told in lines[-1]
    assert not list(site.rglob("links.json"))
    assert check(capsys, "--links", "--cache-dir", cache, "--no-cache")[0] == 0  # no cache: fine


def test_a_link_that_moved_then_died_says_where_and_one_without_location_is_unchecked(
    web: FixtureWeb, site: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(site, "a.md", good(url=web.url("/moved/gone")))
    write(site, "b.md", good(url=web.url("/nowhere")))
    code, _, lines = check(capsys, "--links", "--no-cache")
    assert code == 1
    assert lines == [
        f"content/a.md:4: originalUrl: 404 Not Found at {web.url('/gone')}, where a 301 Moved "
        "Permanently leads",
        "warning: content/b.md:4: originalUrl: not checked: 302 Found without a Location to follow",
    ]


def test_a_site_down_for_a_while_is_unchecked_and_a_move_suggests_a_clean_address(
    web: FixtureWeb, site: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # A 503 with Retry-After ("back soon") was called dead and failed the run; a move to a
    # URL with utm_ parameters suggested pasting them, which `new` would never write.
    write(site, "a.md", good(url=web.url("/maintenance")))
    write(site, "b.md", good(url=web.url("/moved/tracked")))
    code, _, lines = check(capsys, "--links", "--no-cache")
    assert code == 0
    assert lines == [
        "warning: content/a.md:4: originalUrl: not checked: 503 Service Unavailable (the site "
        "asks to come back later)",
        "warning: content/b.md:4: originalUrl: 301 Moved Permanently to "
        f"{web.url('/news/council-bridge?id=3')}",
    ]
    # The host a redirect leads to is the one named when it fails, not the one that answered.
    write(site, "c.md", good(url=web.url("/moved/closed")))
    code, _, lines = check(capsys, "--links", "--no-cache")
    assert code == 1
    assert lines[-1] == (
        "content/c.md:4: originalUrl: localhost refused the connection, where a redirect from "
        "127.0.0.1 leads"
    )


def test_at_most_two_requests_at_a_time_per_host(
    web: FixtureWeb, site: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for number in range(8):
        write(site, f"{number}.md", good(url=web.url(f"/pace/{number}")))
    web.most_at_once = 0
    started = time.monotonic()
    assert check(capsys, "--links")[0] == 0
    assert web.most_at_once == 2
    assert time.monotonic() - started >= 4 * 0.2


def test_a_missing_retry_after_and_a_long_one() -> None:
    assert _retry_after("3") == 3
    assert _retry_after(None) == 5
    assert _retry_after("soon") == 5
    assert _retry_after("Wed, 21 Oct 2015 07:28:00 GMT") == 0  # in the past
    assert _retry_after("3600") > MAX_RETRY_AFTER  # reported as not checked, not waited for


def test_uses_name_the_field_and_line_where_each_url_is_written() -> None:
    text = """---
title: T
publishedDateTime: 2026-03-04
originalUrl: https://example.com/a
webUrl: https://example.com/a
images:
  - not a url
  - https://example.com/i.png
related:
  - nothing: here
  - title: No link
  - title: R
    originalUrl: HTTPS://example.org/r
    webUrl: https://example.org/ignored
---
"""
    parsed = parse_bytes(text.encode(), "x.md", __import__("datetime").UTC)
    assert parsed.article is not None
    assert uses_of([parsed.article]) == [
        Use("x.md", 4, "originalUrl", "https://example.com/a"),
        Use("x.md", 13, "related[2].originalUrl", "https://example.org/r"),
        Use("x.md", 8, "images[1]", "https://example.com/i.png"),
    ]


def test_a_damaged_cache_is_ignored(tmp_path: Path) -> None:
    (tmp_path / "links.json").write_text("{not json", encoding="utf-8")
    cache = LinkCache(tmp_path)
    assert cache.get("https://example.com/") is None
    cache.put("https://example.com/", Outcome("ok", "200 OK", 200))
    cache.put("https://example.com/dead", Outcome("dead", "404 Not Found", 404))
    cache.save()
    again = LinkCache(tmp_path)
    assert again.get("https://example.com/") == Outcome("ok", "200 OK", 200, cached=True)
    assert again.get("https://example.com/dead") is None


# --- repeated links and many warnings of one kind ---------------------------------------------


def dated(url: str, when: str, extra: str = "") -> str:
    return GOOD.replace("2026-03-04T10:00:00Z", when).format(url=url, extra=extra)


def test_a_link_again_in_a_later_edition_is_normal_and_listed_on_request(
    site: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # The first copy's tracking parameters are not the heading's (they were).
    write(site, "a.md", dated("https://example.com/story?utm_source=x", "2026-03-04T10:00:00Z"))
    write(site, "b.md", dated("https://example.com/story", "2026-03-11T10:00:00Z"))
    write(site, "c.md", dated("https://example.com/other", "2026-03-04T10:00:00Z"))
    write(site, "d.md", dated("https://example.com/other#top", "2026-03-04T18:00:00Z"))
    code, out, lines = check(capsys)
    assert code == 0
    assert lines == [  # the same day: one edition, so worth a word; a week later: not
        "warning: content/d.md:4: originalUrl: the same link as content/c.md, in the same "
        "edition; both are kept"
    ]
    code, out, _ = check(capsys, "--duplicates")
    assert code == 0
    assert out.splitlines() == [
        "https://example.com/story",
        "  2026-03-04  content/a.md:4",
        "  2026-03-11  content/b.md:4",
        "https://example.com/other",
        "  2026-03-04  content/c.md:4",
        "  2026-03-04  content/d.md:4",
        "roundup: 4 articles valid; 2 links curated more than once",
    ]


def test_repeated_links_are_listed_with_their_days_in_the_sites_time_zone(
    site: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # 22:14 UTC is past midnight in Berlin: the site shows the link on the 9th, as must this.
    (site / "roundup.toml").write_text('timezone = "Europe/Berlin"\n', encoding="utf-8")
    write(site, "late.md", dated("https://example.org/story", "2017-08-08T22:14:09Z"))
    write(site, "again.md", dated("https://example.org/story", "2017-08-20T10:00:00Z"))
    code, out, _ = check(capsys, "--duplicates")
    assert code == 0
    assert out.splitlines()[:3] == [
        "https://example.org/story",
        "  2017-08-09  content/late.md:4",
        "  2017-08-20  content/again.md:4",
    ]


def test_warnings_of_one_kind_are_counted_after_the_first_five(
    site: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for n in range(12):
        write(site, f"a{n:02d}.md", good(f"https://example.com/{n}", "topics: Rust\n"))
    write(
        site,
        "z.md",
        good("https://example.com/z", "images: [{url: https://e.com/i.png, width: 9px}]\n"),
    )
    assert main(["build", "-q"]) == 0
    lines = capsys.readouterr().err.splitlines()
    assert lines[:5] == [
        f"warning: content/a{n:02d}.md:5: topics: a single text is read as one topic; "
        "write a list: [Name]"
        for n in range(5)
    ]
    assert lines[5] == "warning: and 7 more like this (--all-warnings lists them)"
    assert lines[6].startswith("warning: content/z.md:5: images[0].width: must be a whole")
    assert len(lines) == 7  # the one warning of another kind is not lost among the others
    assert main(["build", "-q", "--all-warnings"]) == 0
    assert len(capsys.readouterr().err.splitlines()) == 13


def test_warnings_about_entries_of_a_list_are_one_kind(
    site: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # topics[0] … topics[49] made 50 kinds: 300 lines where 6 say it all.
    long = "x" * 120
    topics = ", ".join(f"{long}{n}" for n in range(10))
    write(site, "a.md", good("https://example.com/a", f"topics: [{topics}]\n"))
    assert main(["build", "-q"]) == 0
    lines = capsys.readouterr().err.splitlines()
    assert len(lines) == 6 and lines[0].startswith("warning: content/a.md:5: topics[0]: 121 ")
    assert lines[5] == "warning: and 5 more like this (--all-warnings lists them)"


@pytest.mark.parametrize("command", ["build", "check"])
def test_warnings_are_told_beside_the_errors(
    site: Path, capsys: pytest.CaptureFixture[str], command: str
) -> None:
    # They waited until every error was mended: one more round of edits for nothing.
    write(site, "a.md", good("https://example.com/a", "topics: Rust\n"))
    write(site, "b.md", good("https://example.com/b").replace("2026-03-04T10:00:00Z", "2026-02-30"))
    assert main([command]) == 1
    lines = capsys.readouterr().err.splitlines()
    assert lines[0].startswith("warning: content/a.md:5: topics: a single text")
    assert lines[1].startswith("content/b.md:3: publishedDateTime: '2026-02-30' is not a real")
    assert lines[2].startswith("roundup: 1 error in 1 file")
    assert main([command, "--strict"]) == 1  # there, the warning is an error like the other
    lines = capsys.readouterr().err.splitlines()
    assert lines[0].startswith("content/a.md:5: topics: a single text")
    assert lines[2].startswith("roundup: 2 errors in 2 files")
