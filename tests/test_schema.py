"""Field parsers for untrusted frontmatter: dates, URLs, published, and what YAML made of text."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from roundup.read.schema import (
    FieldError,
    check_article_url,
    check_url,
    describe,
    parse_datetime,
    parse_published,
)

BERLIN = ZoneInfo("Europe/Berlin")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2020-09-21T20:42:00Z", datetime(2020, 9, 21, 20, 42, tzinfo=UTC)),
        ("2020-09-21T20:42:00.123456789+05:30", datetime(2020, 9, 21, 20, 42, 0, 123456,
                                                         tzinfo=timezone(timedelta(hours=5.5)))),
        ("2020-09-21", datetime(2020, 9, 21, tzinfo=BERLIN)),
        ("2020-09-21T20:42", datetime(2020, 9, 21, 20, 42, tzinfo=BERLIN)),
        ("2020-09-21 20:42:00", datetime(2020, 9, 21, 20, 42, tzinfo=BERLIN)),
        ("2020-09-21t20:42:00z", datetime(2020, 9, 21, 20, 42, tzinfo=UTC)),
        ("20200921T204200Z", datetime(2020, 9, 21, 20, 42, tzinfo=UTC)),
        ("1969-07-20T20:17:40Z", datetime(1969, 7, 20, 20, 17, 40, tzinfo=UTC)),
        ("2999-12-31T23:59:59-12:00", datetime(2999, 12, 31, 23, 59, 59,
                                               tzinfo=timezone(timedelta(hours=-12)))),
    ],
)  # fmt: skip
def test_accepted_dates(text: str, expected: datetime) -> None:
    value = parse_datetime(text, BERLIN)
    assert value == expected and value.tzinfo is not None


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("2020-02-30", "'2020-02-30' is not a real date or time (day is out of range for month)"),
        ("2020-09-21T20:42:00+25:00", "'2020-09-21T20:42:00+25:00' has an impossible UTC offset"),
        ("2020-09-21T24:00:00Z", "'2020-09-21T24:00:00Z' is not a real date or time (hour must "
                                 "be in 0..23)"),
        ("yesterday", "'yesterday' is not an ISO 8601 date such as 2020-09-21T20:42:00Z"),
        ("", "empty; write a date such as 2020-09-21T20:42:00Z"),
        (None, "empty; write a date such as 2020-09-21T20:42:00Z"),
        (1600720920, "expected an ISO 8601 date, got the number 1600720920; write a date such as "
                     "2020-09-21T20:42:00Z"),
        ("0001-01-01", "'0001-01-01' is too far in the past or future"),
        ("9999-12-31T23:59:59Z", "'9999-12-31T23:59:59Z' is too far in the past or future"),
    ],
)  # fmt: skip
def test_rejected_dates(value: object, message: str) -> None:
    with pytest.raises(FieldError) as caught:
        parse_datetime(value, UTC)
    assert caught.value.message == message


def test_mixed_kinds_of_date_sort_together() -> None:
    values = [parse_datetime(t, UTC) for t in ("2020-09-21", "2020-09-21T10:00", "1950-01-01",
                                                "2020-09-21T10:00:00+02:00")]  # fmt: skip
    assert sorted(values)[0].year == 1950


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(1)", "JaVaScRiPt:alert(1)", " javascript:alert(1)",
        "\tjavascript:alert(1)", "java\tscript:alert(1)", "java\nscript:alert(1)",
        "\x01javascript:alert(1)", "data:text/html,x", "vbscript:msgbox", "example.com/x",
        "//example.com/x", "https:example.com", "https:/example.com", "http://", "ftp://x.org/",
        "https://exa mple.com/", "https://[::1/", "https://a.b:99999/", "https://a.b/\u2028",
        "https://a.b/\u200bx", "https://\u202eexample.com/", "https://a.b\\@evil.example/", "",
        "https://a.b/" + "x" * 2048,
    ],
)  # fmt: skip
def test_unsafe_or_malformed_urls_are_refused(url: str) -> None:
    with pytest.raises(FieldError):
        check_url(url)


@pytest.mark.parametrize("value", [None, 42, ["https://a.b/"], {"url": "https://a.b/"}])
def test_urls_must_be_text(value: object) -> None:
    with pytest.raises(FieldError):
        check_url(value)


def test_good_urls_pass_with_the_scheme_lower_cased() -> None:
    assert check_url("HTTPS://Example.com/Path?q=1#f") == "https://Example.com/Path?q=1#f"
    assert check_url("https://例え.jp/パス") == "https://例え.jp/パス"


def test_what_a_url_cannot_hold_as_written_is_percent_encoded() -> None:
    # Raw, a validator refused the link on every page and in the Atom feed, while RSS and
    # JSON Feed encoded it: one entry had two different links.
    assert check_url('https://e.com/s?q="a"&x=<b>') == "https://e.com/s?q=%22a%22&x=%3Cb%3E"
    assert check_url("https://e.com/%zz%20{|}^`") == "https://e.com/%25zz%20%7B%7C%7D%5E%60"


@pytest.mark.parametrize("url", ["https://user:secret@e.com/x", "https://user@e.com/"])
def test_a_user_name_or_password_in_an_articles_url_is_refused(url: str) -> None:
    # Published as written, a password reached every page and feed of the link. (`new` and
    # fetching take such a URL, and leave the login out of the file they write.)
    with pytest.raises(FieldError, match="holds a user name or password; leave it out"):
        check_article_url(url)
    assert check_url(url) == url


@pytest.mark.parametrize(
    ("value", "expected"),
    [(True, True), (False, False), ("false", False), ("False ", False), ("no", False),
     ("0", False), (0, False), ("off", False), ("true", True), (1, True), ("yes", True)],
)  # fmt: skip
def test_published_values(value: object, expected: bool) -> None:
    assert parse_published(value) is expected


@pytest.mark.parametrize("value", [None, "maybe", 2, 0.0, [], {}, ""])
def test_other_published_values_are_errors(value: object) -> None:
    with pytest.raises(FieldError):
        parse_published(value)


def test_describe_explains_what_yaml_did() -> None:
    assert (
        describe(False, "NO") == 'the boolean false (YAML reads NO that way; write "NO" in quotes)'
    )
    assert describe(1.1, "1.10") == (
        'the number 1.1 (YAML reads 1.10 that way; write "1.10" in quotes)'
    )
    assert describe(12, "12") == 'the number 12 (write "12" in quotes if you mean text)'
    assert describe(None, "Null") == 'empty (YAML reads Null as nothing; write "Null" in quotes)'
    assert describe("x" * 500, None) == "the text '" + "x" * 57 + "...'"


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("2024-03-31T02:30:00", "2024-03-31T03:30:00+02:00"),  # skipped by the clocks
        ("2024-03-31T02:30", "2024-03-31T03:30:00+02:00"),
        ("20240331T023000", "2024-03-31T03:30:00+02:00"),  # the basic form, read by Python
        ("2024-10-27T02:30:00", "2024-10-27T02:30:00+02:00"),  # twice: the first of them
        ("2024-03-31T01:30:00", "2024-03-31T01:30:00+01:00"),
    ],
)
def test_an_offsetless_time_is_the_time_the_sites_clocks_showed(text: str, shown: str) -> None:
    # As the parse cache gives it back (the instant, then the zone): a cold build and the
    # next one showed "02:30 CET" and "03:30 CEST" for the same file.
    value = parse_datetime(text, BERLIN)
    assert value.isoformat() == shown
    assert value == datetime.fromisoformat(shown).astimezone(BERLIN)
    assert value.tzname() == value.astimezone(UTC).astimezone(BERLIN).tzname()


@pytest.mark.parametrize("text", ["2024-03-05T10:00:00+00:00:30", "2024-03-05T10:00+01:00:00.5"])
def test_an_offset_with_seconds_is_refused(text: str) -> None:
    with pytest.raises(FieldError, match=r"has a UTC offset with seconds; write \+HH:MM"):
        parse_datetime(text, UTC)


def test_a_value_yaml_read_as_a_date_is_called_a_date() -> None:
    # It was "got Timestamp '2026-05-04'", the reader's own type name.
    from roundup.read.yamlstrict import Timestamp

    assert describe(Timestamp("2026-05-04"), None) == "the date '2026-05-04'"
