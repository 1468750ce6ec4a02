"""The readers of `roundup import` on the odd shapes real exports take, one format at a time."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from roundup.importers.bookmarks import read_bookmarks
from roundup.importers.csvfile import header_of, read_csv
from roundup.importers.dates import DateProblem, parse_date
from roundup.importers.entry import Entry, Skip, decode_entities, split_tags
from roundup.importers.pinboard import read_pinboard
from roundup.importers.sources import Source, SourceError, read

BERLIN = ZoneInfo("Europe/Berlin")
INDIA = timezone(timedelta(hours=5, minutes=30))


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("922000000", datetime(1999, 3, 21, 7, 6, 40, tzinfo=UTC)),  # seconds, 1999
        (922000000, datetime(1999, 3, 21, 7, 6, 40, tzinfo=UTC)),
        ("1709000200000", datetime(2024, 2, 27, 2, 16, 40, tzinfo=UTC)),  # milliseconds
        ("1709000200000000", datetime(2024, 2, 27, 2, 16, 40, tzinfo=UTC)),  # microseconds
        ("1709000200.75", datetime(2024, 2, 27, 2, 16, 40, tzinfo=UTC)),
        ("2024-03-05T18:00:00Z", datetime(2024, 3, 5, 18, tzinfo=UTC)),
        ("2024-03-05T18:00:00.514Z", datetime(2024, 3, 5, 18, 0, 0, 514000, tzinfo=UTC)),
        ("2024-03-05T18:00:00+05:30", datetime(2024, 3, 5, 18, tzinfo=INDIA)),
        ("2024-03-05 18:00", datetime(2024, 3, 5, 18, tzinfo=BERLIN)),  # the site's zone
        ("2024-03-05", datetime(2024, 3, 5, tzinfo=BERLIN)),
        ("Tue, 05 Mar 2024 18:00:00 +0000", datetime(2024, 3, 5, 18, tzinfo=UTC)),
        ("", None),
        ("0", None),  # what exports write for "no date"
        (None, None),
    ],
)  # fmt: skip
def test_dates_as_exports_write_them(value: object, expected: datetime | None) -> None:
    parsed = parse_date(value, BERLIN)
    assert parsed == expected
    if isinstance(parsed, datetime):
        assert parsed.tzinfo is not None and parsed.utcoffset() == expected.utcoffset()  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("yesterday", "'yesterday' is not a date such as 2024-03-05T18:00:00Z"),
        ("2021-02-30", "'2021-02-30' is not a date such as 2024-03-05T18:00:00Z"),
        ("-5", "'-5' is not a time since 1970 that can be read"),
        (True, "True is not a date"),
        ({"t": 1}, "expected a date, got dict"),
    ],
)
def test_dates_that_cannot_be_read(value: object, message: str) -> None:
    with pytest.raises(DateProblem) as problem:
        parse_date(value, UTC)
    assert str(problem.value) == message


def test_tags_and_entities() -> None:
    assert split_tags(" web dev, python,, rust ,") == ("web dev", "python", "rust")
    assert split_tags("a b\tc", " ") == ("a", "b", "c")
    assert split_tags("x|y z|", "|") == ("x", "y z")
    assert decode_entities("Fish &amp; Chips &#039;n&#x27; more") == "Fish & Chips 'n' more"
    assert decode_entities("R&D and AT&T") == "R&D and AT&T"  # no entity: left alone


def test_a_folder_description_does_not_swallow_its_bookmarks() -> None:
    # Firefox writes a folder's description as a <DD> after its <H3>; the unclosed <DD> holds
    # the folder's <DL> in lxml's tree, and a link in the description is not a bookmark.
    html = (
        "<!DOCTYPE NETSCAPE-Bookmark-file-1>\n<DL><p>\n"
        "<DT><H3>Reading</H3>\n<DD>Folder notes with <a href='https://inner.example/'>a link</a>\n"
        "<DL><p>\n<DT><A HREF='https://one.example/' ADD_DATE='1700000000'>One</A>\n"
        "<DD>About one\n<DT><A HREF='https://two.example/'>Two</A>\n</DL><p>\n"
        "<DT><A HREF='https://three.example/'>Three</A>\n</DL>\n"
    )
    entries = list(read_bookmarks(html, UTC))
    assert [(e.url, e.folders, e.description) for e in entries if isinstance(e, Entry)] == [
        ("https://one.example/", ("Reading",), "About one"),
        ("https://two.example/", ("Reading",), ""),
        ("https://three.example/", (), ""),
    ]
    assert [e.place for e in entries if isinstance(e, Entry)] == ["6", "8", "10"]


def test_an_unclosed_link_does_not_take_the_titles_of_the_bookmarks_after_it() -> None:
    # lxml nests the bookmarks after an unclosed <A> inside it: its text held their titles,
    # a private one's included, and the first link was imported under all of them.
    html = (
        "<!DOCTYPE NETSCAPE-Bookmark-file-1>\n<DL><p>\n"
        "<DT><A HREF='https://a.example/'>First <b>link</b>\n"
        "<DT><A HREF='https://b.example/' PRIVATE='1'>Secret plans</A>\n"
        "<DT><A HREF='https://c.example/'>Third</A>\n</DL>"
    )
    entries = [e for e in read_bookmarks(html, UTC) if isinstance(e, Entry)]
    assert [(e.url, e.title, e.private) for e in entries] == [
        ("https://a.example/", "First link", False),
        ("https://b.example/", "Secret plans", True),
        ("https://c.example/", "Third", False),
    ]


def test_a_bookmark_with_a_bad_add_date_is_skipped_with_its_line() -> None:
    html = (
        "<!DOCTYPE NETSCAPE-Bookmark-file-1>\n<DL><p>\n"
        "<DT><A HREF='https://a.example/' ADD_DATE='soon'>A</A>\n</DL>"
    )
    assert list(read_bookmarks(html, UTC)) == [
        Skip("3", "ADD_DATE", "'soon' is not a date such as 2024-03-05T18:00:00Z")
    ]


def test_pinboard_tags_as_a_list_and_odd_items() -> None:
    document = [
        {"href": "https://a.example/", "description": "A", "tags": ["web dev", "", ".secret"]},
        "not a bookmark",
    ]
    entries = list(read_pinboard(document, UTC))
    first = entries[0]
    assert isinstance(first, Entry)
    assert first.tags == ("web dev",)  # a private `.tag` never becomes a topic
    assert first.private is False and first.published_at is None
    assert entries[1] == Skip("entry 2", "href", "expected a bookmark object, got str")


@pytest.mark.parametrize(
    ("first_line", "delimiter", "fields"),
    [
        ("url,title", ",", {"url", "title"}),
        ("\ufeffURL;Title;Tags", ";", {"url", "title", "tags"}),
        ("Link\tName\tCreated At", "\t", {"url", "title", "date"}),
        ("url", ",", {"url"}),
    ],
)
def test_csv_headers_are_found_by_name(first_line: str, delimiter: str, fields: set[str]) -> None:
    found = header_of(first_line + "\nx\n")
    assert found is not None
    assert found[0] == delimiter and set(found[1]) == fields


@pytest.mark.parametrize("first_line", ["title,notes", "just text", ""])
def test_a_csv_without_a_url_column_is_not_an_export(first_line: str) -> None:
    assert header_of(first_line + "\n") is None


def test_csv_rows_are_placed_on_the_line_they_start() -> None:
    text = 'url,title\r\nhttps://a.example/,"One\r\ntwo"\r\n\r\nhttps://b.example/,B\r\n'
    entries = list(read_csv(text, UTC))
    assert [(e.place, e.title) for e in entries if isinstance(e, Entry)] == [
        ("2", "One\r\ntwo"),
        ("5", "B"),
    ]


def test_formats_are_recognised_from_content_not_the_file_name(tmp_path: Path) -> None:
    data = (Path(__file__).parent / "fixtures" / "import" / "pinboard.json").read_bytes()
    assert read(Source("bookmarks.html", data), UTC).format == "pinboard"
    utf16 = "url,title\nhttps://a.example/,A\n".encode("utf-16")  # Excel's "Unicode text"
    reading = read(Source("export.txt", utf16), UTC)
    assert reading.format == "csv" and len(reading.entries) == 1
    with pytest.raises(SourceError, match=r"^notes\.csv: not a format roundup can import"):
        read(Source("notes.csv", b"title,notes\nA,B\n"), UTC)


def test_undated_entries_take_the_import_time_when_nothing_else_is_known() -> None:
    before = datetime.now(UTC).replace(microsecond=0)
    reading = read(Source("-", b"url\nhttps://a.example/\n"), UTC)
    assert before <= reading.default_date <= datetime.now(UTC)
    assert reading.default_reason == "the time of the import"
    assert isinstance(reading.default_date, date)
