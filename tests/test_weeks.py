"""Weekly editions: week numbers, week pages, the editions feed and when each entry comes out."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path

import feedparser
import pytest
from lxml import etree

from roundup.build.pipeline import build
from roundup.core import config as config_module
from roundup.core.errors import ConfigError
from roundup.core.weeks import EditionCalendar, check_title, date_span

from conftest import CLI, Builder, files_of, parse_html, write_article

SCHEMAS = Path(__file__).resolve().parent / "schemas"
BASE = "https://example.org/links/"
ATOM = {"a": "http://www.w3.org/2005/Atom"}


# --- The calendar.


def test_weeks_starting_on_monday_are_iso_8601_weeks() -> None:
    calendar = EditionCalendar(weekly=True, week_start=0)
    day = date(1999, 12, 1)
    while day < date(2031, 2, 1):
        year, week, _ = day.isocalendar()
        assert calendar.week_number(day) == (year, week), day
        assert calendar.path(day) == f"{year}/w{week:02d}/"
        day += timedelta(days=1)


def test_other_first_days_follow_the_same_rule_the_fourth_day_places_the_week() -> None:
    sunday = EditionCalendar(weekly=True, week_start=6)
    # Sunday 29 December 2024 to Saturday 4 January 2025: most of it (from Wednesday 1
    # January, its fourth day) is in 2025, so it is week 1 of 2025.
    assert sunday.first_day(date(2025, 1, 4)) == date(2024, 12, 29)
    assert sunday.week_number(date(2024, 12, 29)) == (2025, 1)
    assert sunday.path(date(2024, 12, 31)) == "2025/w01/"
    assert sunday.week_number(date(2024, 12, 28)) == (2024, 52)
    assert sunday.first_day(date(2024, 5, 11)) == date(2024, 5, 5)
    assert sunday.week_number(date(2024, 5, 5)) == (2024, 19)
    saturday = EditionCalendar(weekly=True, week_start=5)
    for day in (date(2024, 1, 1) + timedelta(days=n) for n in range(800)):
        first = saturday.first_day(day)
        assert first.weekday() == 5 and 0 <= (day - first).days < 7
        year, number = saturday.week_number(day)
        assert 1 <= number <= 53 and year == (first + timedelta(days=3)).year
    days = EditionCalendar()
    assert days.first_day(date(2024, 5, 8)) == date(2024, 5, 8)
    assert days.path(date(2024, 5, 8)) == "2024/05/08/"


def test_date_spans_name_each_month_and_year_once() -> None:
    assert date_span(date(2024, 5, 6), date(2024, 5, 12)) == "6\u201312 May 2024"
    assert date_span(date(2024, 4, 29), date(2024, 5, 5)) == "29 April \u2013 5 May 2024"
    assert date_span(date(2024, 12, 30), date(2025, 1, 5)) == (
        "30 December 2024 \u2013 5 January 2025"
    )


@pytest.mark.parametrize(
    ("template", "message"),
    [
        ("TWiR #{nmber}", "unknown placeholder {nmber}; did you mean {number}?"),
        ("{issue}", "unknown placeholder {issue}; use {number}, {date}, {week}, {year}"),
        ("{}", "unknown placeholder {}; use {number}, {date}, {week}, {year}"),
        ("#{number", "expected '}' before end of string; write {{ or }} for a brace of its own"),
        ("{date:05d}", "cannot be filled in: Unknown format code 'd' for object of type 'str'"),
        (
            "{number:>10000000}",
            "{number:>10000000}: a placeholder takes a short format at most, such as {number:03}",
        ),
        (
            "{week:.500f}",
            "{week:.500f}: a placeholder takes a short format at most, such as {week:03}",
        ),
        (
            "{number!r}",
            "{number!r}: a placeholder takes a short format at most, such as {number:03}",
        ),
    ],
)
def test_a_bad_edition_title_says_what_is_wrong(template: str, message: str) -> None:
    with pytest.raises(ValueError) as raised:
        check_title(template)
    assert str(raised.value) == message
    assert check_title("Week {week} of {year}, #{number:03} ({date}) {{x}}")


def test_bad_edition_settings_are_config_errors_reported_together(tmp_path: Path, cli: CLI) -> None:
    (tmp_path / "content").mkdir()
    (tmp_path / "pyproject.toml").write_text(
        '[tool.roundup]\neditions = "month"\nweek_start = "Sundy"\nedition_title = "#{nubmer}"\n',
        encoding="utf-8",
    )
    ran = cli("build")
    assert ran.code == 1
    assert ran.lines == [
        'pyproject.toml: editions: \'month\' is not an edition length; use "day" or "week"',
        "pyproject.toml: week_start: 'Sundy' is not a day of the week; use monday, ..., sunday",
        "pyproject.toml: edition_title: unknown placeholder {nubmer}; did you mean {number}?",
        "roundup: the configuration has errors; nothing was done",
    ]
    assert not (tmp_path / "output").exists()
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    with pytest.raises(ConfigError):
        config_module.load(None, {"edition_title": "{"}, elsewhere)
    settings = config_module.load(None, {"week_start": "Sunday", "editions": "week"}, elsewhere)
    assert (settings.week_start, EditionCalendar.of(settings).week_start) == ("sunday", 6)


# --- A weekly site.

# (file, published at (UTC), topics); the site is in Berlin, two hours ahead in May.
LINKS = [
    ("w18-tue", "2024-04-30T09:00:00Z", "[Feeds]"),
    ("w18-sun", "2024-05-05T21:30:00Z", "[Feeds]"),  # 23:30 on Sunday 5 May in Berlin
    ("w19-mon", "2024-05-05T22:30:00Z", "[Feeds, Rust]"),  # 00:30 on Monday 6 May in Berlin
    ("w19-wed", "2024-05-08T10:00:00Z", "[Rust]"),
    ("w20-wed", "2024-05-15T10:00:00Z", "[]"),
    ("w22-tue", "2024-05-28T10:00:00Z", "[Rust]"),  # no links in week 21
]


def _weekly_site(tmp_path: Path, settings: str = "") -> Path:
    site = tmp_path / "site"
    for name, when, topics in LINKS:
        front = f"title: Link {name}\npublishedDateTime: {when}\n"
        front += f"originalUrl: https://example.com/{name}\ntopics: {topics}\nheat: 5"
        write_article(site / "content", f"{name}.md", front, f"Why *{name}* matters.\n")
    draft = "title: Secret draft\npublishedDateTime: 2024-05-07T10:00:00Z\n"
    draft += "originalUrl: https://example.com/draft\ndraft: true"
    write_article(site / "content", "draft.md", draft)
    (site / "pyproject.toml").write_text(
        '[tool.roundup]\ntitle = "Weekly"\nbase_url = "https://example.org/links/"\n'
        'site_id = "weekly"\ntimezone = "Europe/Berlin"\nsearch = false\neditions = "week"\n'
        f'edition_title = "Links #{{number}}, week {{week}} of {{year}} ({{date}})"\n{settings}',
        encoding="utf-8",
    )
    return site


def _build(site: Path, out: Path, now: str, **overrides: object) -> Path:
    settings = {"output_dir": str(out), **overrides}
    config_file = site / "pyproject.toml"
    config = config_module.load(config_file if config_file.exists() else None, settings, site)
    build(config, now=datetime.fromisoformat(now))
    return out


@pytest.fixture
def weekly(tmp_path: Path) -> Path:
    return _build(_weekly_site(tmp_path), tmp_path / "out", "2024-05-29T12:00:00+00:00")


WEEK_TITLES = {
    "2024/w22/": "Links #4, week 22 of 2024 (27 May 2024)",
    "2024/w20/": "Links #3, week 20 of 2024 (13 May 2024)",
    "2024/w19/": "Links #2, week 19 of 2024 (6 May 2024)",
    "2024/w18/": "Links #1, week 18 of 2024 (29 April 2024)",
}


def test_a_page_per_week_in_place_of_the_days(weekly: Path) -> None:
    pages = sorted(p.relative_to(weekly).as_posix() for p in weekly.glob("2024/**/index.html"))
    assert pages == [
        "2024/05/index.html",  # week 18's fourth day is 2 May: every week is May's
        "2024/index.html",
        "2024/w18/index.html",
        "2024/w19/index.html",
        "2024/w20/index.html",
        "2024/w22/index.html",
    ]
    week = parse_html(weekly / "2024/w19/index.html")
    assert week.cssselect("h1")[0].text_content() == WEEK_TITLES["2024/w19/"]
    assert week.cssselect(".lede")[0].text_content() == "6\u201312 May 2024: 2 links in 2 topics."
    titles = [a.text_content() for a in week.cssselect(".entry-title a")]
    assert sorted(titles) == ["Link w19-mon", "Link w19-wed"]  # 00:30 Monday in Berlin
    times = [t.text_content() for t in week.cssselect(".entry .meta time")]
    assert "6 May, 00:30" in times  # a day and a time: a week has seven days
    older = week.cssselect('.edition-nav a[rel="prev"]')[0]
    newer = week.cssselect('.edition-nav a[rel="next"]')[0]
    assert (older.get("href"), newer.get("href")) == ("/links/2024/w18/", "/links/2024/w20/")
    assert WEEK_TITLES["2024/w20/"] in newer.text_content()
    crumbs = [(a.get("href"), a.text_content()) for a in week.cssselect(".breadcrumbs a")]
    assert crumbs == [
        ("/links/", "Home"),
        ("/links/archive/", "Archive"),
        ("/links/2024/", "2024"),
        ("/links/2024/05/", "May 2024"),
    ]
    feed = week.cssselect('head link[href="/links/editions.xml"]')
    assert feed and feed[0].get("type") == "application/atom+xml"
    last = parse_html(weekly / "2024/w22/index.html")
    assert not last.cssselect('.edition-nav a[rel="next"]')


def test_archives_home_topics_items_and_sitemap_follow_the_weeks(weekly: Path) -> None:
    month = parse_html(weekly / "2024/05/index.html")
    assert [a.text_content() for a in month.cssselect("h2 a")] == list(WEEK_TITLES.values())
    assert "6\u201312 May 2024" in month.text_content()
    year = parse_html(weekly / "2024/index.html")
    assert [a.get("href") for a in year.cssselect(".days a")] == [
        "/links/" + path for path in WEEK_TITLES
    ]
    archive = parse_html(weekly / "archive/index.html")
    assert "6 links in 4 editions" in archive.cssselect(".lede")[0].text_content()
    home = parse_html(weekly / "index.html")
    assert [h.text_content() for h in home.cssselect(".edition-title")][:2] == list(
        WEEK_TITLES.values()
    )[:2]
    assert (
        home.cssselect(".edition-count")[0]
        .text_content()
        .startswith("27 May \u2013 2 June 2024 · 1 link")
    )
    topic = parse_html(weekly / "topics/rust/index.html")
    assert {a.get("href") for a in topic.cssselect(".day-title a")} == {
        "/links/2024/w22/", "/links/2024/w19/"
    }  # fmt: skip
    item = parse_html(weekly / "items/w18-sun/index.html")
    link = item.cssselect(".edition-link a")[0]
    assert (link.get("href"), link.text_content()) == ("/links/2024/w18/", "Week 18, 2024")
    assert item.cssselect(".breadcrumbs a")[1].text_content() == "Week 18, 2024"
    sitemap = (weekly / "sitemap.xml").read_text("utf-8")
    for path in WEEK_TITLES:
        assert f"<loc>{BASE}{path}</loc>" in sitemap
    assert "2024/05/06/" not in sitemap and not (weekly / "2024/05/06").exists()
    feeds_page = parse_html(weekly / "feeds/index.html")
    assert feeds_page.xpath("//main//a[@href='/links/editions.xml']")


def _entries(out: Path) -> list[feedparser.FeedParserDict]:
    path = out / "editions.xml"
    schema = etree.RelaxNG(etree.parse(SCHEMAS / "atom.rng"))
    assert schema.validate(etree.parse(path)), schema.error_log
    result = feedparser.parse(path.read_bytes())
    assert not result.bozo, result.get("bozo_exception")
    return result.entries


def test_the_editions_feed_has_the_ended_weeks_each_dated_by_its_end(weekly: Path) -> None:
    result = feedparser.parse((weekly / "editions.xml").read_bytes())
    assert result.feed.title == "Weekly: weekly editions"
    assert result.feed.link == BASE
    entries = _entries(weekly)
    # Built on Wednesday of week 22: its edition waits for the week's end.
    assert [e.title for e in entries] == [
        WEEK_TITLES["2024/w20/"], WEEK_TITLES["2024/w19/"], WEEK_TITLES["2024/w18/"]
    ]  # fmt: skip
    assert [e.id for e in entries] == [
        "tag:weekly,2005:edition/week/2024-05-13",
        "tag:weekly,2005:edition/week/2024-05-06",
        "tag:weekly,2005:edition/week/2024-04-29",
    ]
    # Midnight after Sunday 19 May, in Berlin: 22:00 UTC.
    ends = ["2024-05-19T22:00:00+00:00", "2024-05-12T22:00:00+00:00", "2024-05-05T22:00:00+00:00"]
    assert [e.published for e in entries] == ends and [e.updated for e in entries] == ends
    assert result.feed.updated == ends[0]
    assert [e.link for e in entries] == [BASE + "2024/w20/", BASE + "2024/w19/", BASE + "2024/w18/"]
    body = entries[1].content[0].value
    assert body.startswith("<p>6\u201312 May 2024: 2 links in 2 topics.</p>")
    assert "<h2>Feeds</h2>" in body and "<h2>Rust</h2>" in body
    assert '<a href="https://example.com/w19-mon">Link w19-mon</a>' in body
    assert f'<a href="{BASE}items/w19-wed/">Details</a>' in body
    assert "<em>w19-wed</em>" in body  # the curator's comment
    assert "Other links" in entries[0].content[0].value  # week 20's link has no topic
    assert "draft" not in (weekly / "editions.xml").read_text("utf-8").lower()


@pytest.mark.parametrize("item_pages", [False, "commented"])
def test_the_editions_feed_links_only_pages_the_site_has(
    tmp_path: Path, item_pages: bool | str
) -> None:
    site = _weekly_site(tmp_path)
    (site / "content" / "w19-wed.md").write_text(
        "---\ntitle: Link w19-wed\npublishedDateTime: 2024-05-08T10:00:00Z\n"
        "originalUrl: https://example.com/w19-wed\ntopics: [Rust]\n---\n",
        encoding="utf-8",
    )  # no comment: with "commented", no page of its own
    out = _build(site, tmp_path / "out", "2024-05-29T12:00:00+00:00", item_pages=item_pages)
    bodies = [entry.content[0].value for entry in _entries(out)]
    links = {
        href.removeprefix(BASE)
        for body in bodies
        for href in etree.HTML(body).xpath("//a/@href")
        if href.startswith(BASE)
    }
    assert all((out / path / "index.html").is_file() for path in links), links
    week19 = bodies[1]
    assert "Link w19-wed</a></h3>\n<p>example.com</p>" in week19
    assert (f'<a href="{BASE}items/w19-mon/">Details</a>' in week19) == bool(item_pages)


def test_a_week_joins_the_feed_at_its_end_with_no_edit_and_never_before(tmp_path: Path) -> None:
    site = _weekly_site(tmp_path)
    out = tmp_path / "out"
    _build(site, out, "2024-06-02T21:59:59+00:00")  # Sunday 23:59:59 in Berlin
    assert len(_entries(out)) == 3
    before = (out / "editions.xml").read_bytes()
    _build(site, out, "2024-06-02T22:00:00+00:00")  # nothing edited: only the clock moved
    entries = _entries(out)
    assert entries[0].id == "tag:weekly,2005:edition/week/2024-05-27"
    assert entries[0].published == "2024-06-02T22:00:00+00:00"
    assert (out / "editions.xml").read_bytes() != before
    # A cold build at the same time gives the same bytes, and a later one too.
    cold = _build(site, tmp_path / "cold", "2024-07-01T00:00:00+00:00")
    assert files_of(cold) == files_of(out)


def test_editing_a_past_week_keeps_its_entry_id_and_date_and_numbers_stay(tmp_path: Path) -> None:
    site = _weekly_site(tmp_path)
    out = _build(site, tmp_path / "out", "2024-07-01T00:00:00+00:00")
    old = {e.id: e for e in _entries(out)}
    write_article(
        site / "content",
        "w19-late.md",
        "title: A late find\npublishedDateTime: 2024-05-10T10:00:00Z\n"
        "originalUrl: https://example.com/late",
    )
    write_article(
        site / "content",
        "w23.md",
        "title: Next week\npublishedDateTime: 2024-06-04T10:00:00Z\n"
        "originalUrl: https://example.com/w23",
    )
    _build(site, out, "2024-07-01T00:00:00+00:00")
    new = {e.id: e for e in _entries(out)}
    week19 = "tag:weekly,2005:edition/week/2024-05-06"
    assert "A late find" in new[week19].content[0].value
    assert "A late find" not in old[week19].content[0].value
    assert (new[week19].published, new[week19].updated, new[week19].title) == (
        old[week19].published, old[week19].updated, old[week19].title
    )  # fmt: skip
    titles = {e.link.removeprefix(BASE): e.title for e in new.values()}
    assert {path: titles[path] for path in WEEK_TITLES} == WEEK_TITLES  # numbers kept
    assert titles["2024/w23/"].startswith("Links #5,")


def test_the_editions_feed_keeps_at_most_twelve_and_the_newest(tmp_path: Path) -> None:
    site = tmp_path / "site"
    start = date(2024, 1, 1)
    for week in range(15):
        day = start + timedelta(weeks=week)
        front = f"title: W{week}\npublishedDateTime: {day.isoformat()}T10:00:00Z\n"
        front += f"originalUrl: https://example.com/{week}"
        write_article(site / "content", f"w{week:02d}.md", front)
    out = _build(site, tmp_path / "out", "2025-01-01T00:00:00+00:00", editions="week")
    entries = _entries(out)
    assert [e.title for e in entries] == [f"Week {n}, 2024" for n in range(15, 3, -1)]
    out = _build(site, tmp_path / "few", "2025-01-01T00:00:00+00:00", editions="week", feed_items=2)
    assert len(_entries(out)) == 2


def test_weeks_may_start_on_sunday(tmp_path: Path) -> None:
    site = _weekly_site(tmp_path, 'week_start = "sunday"\n')
    out = _build(site, tmp_path / "out", "2024-07-01T00:00:00+00:00")
    # Sunday 5 May 23:30 and Monday 6 May 00:30 (Berlin) are now in one week, 5-11 May.
    week = parse_html(out / "2024/w19/index.html")
    assert week.cssselect(".lede")[0].text_content().startswith("5\u201311 May 2024: 3 links")
    assert (out / "2024/w18/index.html").is_file()  # 28 April - 4 May: Tuesday 30 April
    entries = _entries(out)
    assert "tag:weekly,2005:edition/week/2024-05-05" in [e.id for e in entries]


def test_a_link_twice_in_one_week_warns_in_two_weeks_not(tmp_path: Path, cli: CLI) -> None:
    content = tmp_path / "content"
    for name, when in (("mon", "2024-05-06"), ("fri", "2024-05-10"), ("next", "2024-05-13")):
        front = f"title: {name}\npublishedDateTime: {when}T10:00:00Z\n"
        front += "originalUrl: https://example.com/same"
        write_article(content, f"{name}.md", front)
    (tmp_path / "pyproject.toml").write_text("[tool.roundup]\nsearch = false\n", "utf-8")
    daily = cli("build")
    assert daily.code == 0 and not [line for line in daily.lines if "Url: the same" in line]
    (tmp_path / "pyproject.toml").write_text(
        '[tool.roundup]\nsearch = false\neditions = "week"\n', "utf-8"
    )
    weekly = cli("build")
    assert weekly.code == 0
    assert [line for line in weekly.lines if "Url: the same" in line] == [
        "warning: content/mon.md:4: originalUrl: the same link as content/fri.md, in the same "
        "edition; both are kept"
    ]


def test_day_editions_stay_the_default_with_no_editions_feed(build_fixture: Builder) -> None:
    out, _ = build_fixture()
    assert not (out / "editions.xml").exists()
    assert (out / "2024/03/01/index.html").is_file()
    assert not list(out.glob("2024/w*"))
    day = parse_html(out / "2024/03/01/index.html")
    assert day.cssselect("h1")[0].text_content() == "Friday 1 March 2024"
    assert not day.cssselect(".edition-dates")


def test_switching_editions_back_and_forth_matches_cold_builds(tmp_path: Path) -> None:
    site = _weekly_site(tmp_path)
    out = tmp_path / "out"
    now = "2024-07-01T00:00:00+00:00"
    for mode in ("week", "day", "week"):
        _build(site, out, now, editions=mode)
        cold = _build(site, tmp_path / f"cold-{mode}", now, editions=mode, cache_dir=str(
            tmp_path / f"cache-{mode}"))  # fmt: skip
        assert files_of(out) == files_of(cold), mode
    assert not (out / "2024/05/06").exists() and (out / "2024/w19/index.html").is_file()
    _build(site, out, now, editions="day")
    assert (out / "2024/05/06/index.html").is_file() and not (out / "editions.xml").exists()
