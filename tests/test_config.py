"""Configuration: defaults, the pyproject table, flags over the file, one error per bad key."""

from __future__ import annotations

from pathlib import Path

import pytest

from roundup.core import config
from roundup.core.errors import ConfigError

from conftest import CLI, parse_html, write_article


def _write(folder: Path, text: str) -> Path:
    path = folder / "pyproject.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_folder_without_config_builds_with_defaults(tmp_path: Path) -> None:
    settings = config.load(None, {}, tmp_path)
    assert settings.title == "Roundup"
    assert settings.base_url == "http://localhost:8000/" and settings.base_path == "/"
    assert settings.content_dir == tmp_path / "content"
    assert settings.output_dir == tmp_path / "output"
    assert settings.timezone == "UTC" and settings.feed_items == 50
    assert settings.site_id == "localhost"  # from the base URL's host (the port left out)


def test_pyproject_table_is_read_and_flags_win(tmp_path: Path) -> None:
    _write(
        tmp_path,
        '[project]\nname = "x"\n[tool.roundup]\ntitle = "Links"\n'
        'base_url = "https://example.github.io/repo"\ntimezone = "Europe/Berlin"\n'
        'output_dir = "site"\n',
    )
    settings = config.load(None, {"base_url": "https://links.example.org/"}, tmp_path)
    assert settings.title == "Links" and settings.site_id == "links-example-org"
    assert settings.base_url == "https://links.example.org/"
    assert settings.output_dir == tmp_path / "site"
    settings = config.load(None, {}, tmp_path)
    assert settings.base_url == "https://example.github.io/repo/"  # a trailing slash is added
    assert settings.base_path == "/repo/"
    assert settings.site_id == "example-github-io-repo"


@pytest.mark.parametrize(
    ("base_url", "site_id"),
    [
        ("https://ada.github.io/links/", "ada-github-io-links"),
        ("http://ada.github.io/links", "ada-github-io-links"),  # the scheme is no part of it
        ("https://www.example.org/", "example-org"),  # nor "www."
        ("https://example.org:8443/a/b/", "example-org-a-b"),  # nor the port
        ("https://Bücher.example/", "bucher-example"),
    ],
)
def test_without_site_id_the_id_comes_from_the_base_url_not_the_title(
    tmp_path: Path, base_url: str, site_id: str
) -> None:
    for title in ("Links", "A New Name"):
        settings = config.load(None, {"title": title, "base_url": base_url}, tmp_path)
        assert settings.site_id == site_id
    settings = config.load(None, {"base_url": base_url, "site_id": "mine"}, tmp_path)
    assert settings.site_id == "mine"


def test_websub_hub_must_be_an_http_url(tmp_path: Path) -> None:
    settings = config.load(None, {"websub_hub": "https://hub.example.org/"}, tmp_path)
    assert settings.websub_hub == "https://hub.example.org/"
    assert config.load(None, {}, tmp_path).websub_hub == ""
    _write(tmp_path, '[tool.roundup]\nwebsub_hub = "hub.example.org"\n')
    with pytest.raises(ConfigError) as error:
        config.load(None, {}, tmp_path)
    assert error.value.problems == [
        "pyproject.toml: websub_hub: must be an absolute http:// or https:// URL "
        "(the hub's endpoint)"
    ]


def test_a_plain_toml_file_has_keys_at_the_top(tmp_path: Path) -> None:
    path = tmp_path / "site.toml"
    path.write_text('title = "Plain"\nitems_per_page = 5\n')
    settings = config.load(path, {}, tmp_path)
    assert (settings.title, settings.items_per_page) == ("Plain", 5)


def test_every_bad_key_is_reported_once(tmp_path: Path) -> None:
    _write(
        tmp_path,
        "[tool.roundup]\ntitel = 'typo'\nbase_url = 'ftp://x'\ntimezone = 'Mars/Olympus'\n"
        "items_per_page = 0\nfeed_items = 'many'\ntitle = \"bell\\u0007\"\n",
    )
    with pytest.raises(ConfigError) as error:
        config.load(None, {}, tmp_path)
    problems = error.value.problems
    assert len(problems) == 6
    text = "\n".join(problems)
    assert "pyproject.toml: titel: unknown key" in text
    assert "base_url: 'ftp://x' must be an absolute http:// or https:// URL" in text
    assert "timezone: 'Mars/Olympus' is not an IANA time zone" in text
    assert "items_per_page:" in text and "feed_items:" in text
    assert "title: contains control characters" in text


@pytest.mark.parametrize("escape", ["\\uFFFF", "\\uFDD0", "\\U0001FFFE"])
def test_a_non_character_in_a_setting_is_refused(tmp_path: Path, escape: str) -> None:
    # No XML can hold U+FFFF and the like: feeds.opml and the sitemaps would not parse.
    _write(tmp_path, f'[tool.roundup]\ntitle = "Links{escape}"\n')
    with pytest.raises(ConfigError) as error:
        config.load(None, {}, tmp_path)
    assert "title: contains a non-character (such as U+FFFF)" in "\n".join(error.value.problems)


@pytest.mark.parametrize("zone", ["localtime", "posixrules", "Etc/../localtime"])
def test_a_zone_that_is_the_machines_own_is_refused(tmp_path: Path, zone: str) -> None:
    # "localtime" links to the machine's zone: one site would build differently on each.
    _write(tmp_path, f"[tool.roundup]\ntimezone = '{zone}'\n")
    with pytest.raises(ConfigError) as error:
        config.load(None, {}, tmp_path)
    assert error.value.problems == [
        f"pyproject.toml: timezone: '{zone}' is not an IANA time zone such as Europe/Berlin"
    ]


def test_invalid_toml_and_missing_file_are_config_errors(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    _write(tmp_path, '[tool.roundup]\ntitle = "Links\n')
    with pytest.raises(ConfigError) as raised:
        config.load(None, {}, tmp_path)
    # As every other problem: the file as named from here, its line; tomllib's place moved.
    assert raised.value.problems == [
        "pyproject.toml:2: invalid TOML: Illegal character '\\n' (column 15)"
    ]
    with pytest.raises(ConfigError, match="not found"):
        config.load(tmp_path / "missing.toml", {}, tmp_path)


# --- through the command line, as a new curator meets them


@pytest.fixture
def site(tmp_path: Path) -> Path:
    write_article(tmp_path / "content", "a.md", "title: A\npublishedDateTime: 2020-01-01\n"
                  "originalUrl: https://example.com/a")  # fmt: skip
    return tmp_path


def test_roundup_toml_is_read(site: Path, cli: CLI) -> None:
    (site / "roundup.toml").write_text('title = "Own File"\nbase_url = "https://example.org/"\n')
    assert cli("build").code == 0
    assert parse_html(site / "output" / "index.html").findtext(".//title") == "Own File"


def test_roundup_toml_and_tool_roundup_together_are_an_error(site: Path, cli: CLI) -> None:
    (site / "roundup.toml").write_text('title = "Own File"\n')
    _write(site, '[project]\nname = "x"\n[tool.roundup]\ntitle = "Project"\n')
    ran = cli("build")
    assert ran.code == 1 and not (site / "output").exists()
    assert ran.lines[0] == (
        f"{site / 'pyproject.toml'}: [tool.roundup]: the settings are in roundup.toml too; "
        "keep them in one of the two files"
    )
    _write(site, '[project]\nname = "x"\n')  # a Python project beside the site: fine
    assert cli("build").code == 0


def test_a_table_in_roundup_toml_is_an_error(site: Path, cli: CLI) -> None:
    (site / "roundup.toml").write_text('[tool.roundup]\ntitle = "Nested"\n')
    ran = cli("build")
    assert ran.code == 1
    assert ran.lines[0] == (
        "roundup.toml: [tool.roundup]: in roundup.toml the keys go at the top level, with no "
        "table around them"
    )


def test_a_roundup_table_in_pyproject_warns(site: Path, cli: CLI) -> None:
    _write(site, '[roundup]\ntitle = "Lost"\n')
    ran = cli("build")
    assert ran.code == 0
    assert ran.lines == [
        "warning: pyproject.toml: [roundup]: not read; roundup's settings go in a "
        "[tool.roundup] table"
    ]
    ran = cli("build", "--strict")
    assert ran.code == 1 and ran.lines[0].startswith("pyproject.toml: [roundup]: not read")


def test_a_misspelt_key_gets_did_you_mean(site: Path, cli: CLI) -> None:
    _write(site, "[tool.roundup]\nbase_ulr = 'https://example.org/'\n")
    assert cli("build").lines[0] == "pyproject.toml: base_ulr: unknown key; did you mean base_url?"


def test_a_bad_base_url_flag_is_blamed_on_the_flag(site: Path, cli: CLI) -> None:
    _write(site, "[tool.roundup]\nbase_url = 'https://example.org/'\n")
    ran = cli("build", "--base-url", "ftp://example.org/")
    assert ran.code == 1 and not (site / "output").exists()
    assert (
        ran.lines[0]
        == "--base-url: 'ftp://example.org/' must be an absolute http:// or https:// URL"
    )
    _write(site, "[tool.roundup]\nbase_url = 'ftp://example.org/'\n")
    ran = cli("build")
    assert ran.lines[0] == (
        "pyproject.toml: base_url: 'ftp://example.org/' must be an absolute http:// or https:// URL"
    )


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("https://example.org/site/index.html",
         "'https://example.org/site/index.html' ends in a file name; give the folder the site is "
         "served from: https://example.org/site/"),
        ("https://exa mple.org/",
         "'https://exa mple.org/': 'exa mple.org' is not a host name (a space or another "
         "character that host names cannot hold?)"),
        ("https://example.org:99999/", "'https://example.org:99999/' is not a valid URL"),
        ("https://ex_ample.org/",
         "'https://ex_ample.org/': 'ex_ample.org' is not a host name (a space or another "
         "character that host names cannot hold?)"),
        ("https://example.org/my links/",
         "'https://example.org/my links/': the path has a space; write it as %20"),
        ("https://user@example.org/",
         "'https://user@example.org/' must not hold a user name or password"),
    ],
)  # fmt: skip
def test_base_urls_that_cannot_be_served_are_refused_showing_the_value(
    site: Path, cli: CLI, value: str, message: str
) -> None:
    ran = cli("build", "--base-url", value)
    assert ran.code == 1
    assert ran.lines[0] == f"--base-url: {message}"


@pytest.mark.parametrize(
    "value", ["https://example.org/v1.2", "https://bücher.example/", "http://[::1]:8000/x/"]
)
def test_unusual_but_valid_base_urls_are_taken(site: Path, cli: CLI, value: str) -> None:
    assert cli("build", "--base-url", value).code == 0


@pytest.mark.parametrize(
    ("value", "taken"),
    [
        ("https://bücher.example/ü/", "https://xn--bcher-kva.example/%C3%BC/"),
        ("https://bücher.example:8080", "https://xn--bcher-kva.example:8080/"),
        ('https://ex.example/a"onmouseover=alert(1)/', "https://ex.example/a%22onmouseover=alert(1)/"),
        ("https://ex.example/<script>/", "https://ex.example/%3Cscript%3E/"),
        ("https://example.org/a%20b/~c/", "https://example.org/a%20b/~c/"),  # as it was
        ("http://[::1]:8000/x", "http://[::1]:8000/x/"),
    ],
)  # fmt: skip
def test_a_base_url_is_taken_in_the_ascii_form_sitemaps_and_feeds_need(
    value: str, taken: str
) -> None:
    assert config.checked_base_url(value) == taken


def test_a_site_under_an_idn_host_and_path_writes_ascii_urls(site: Path, cli: CLI) -> None:
    assert cli("build", "--base-url", "https://bücher.example/ü/").code == 0
    out = site / "output"
    base = "https://xn--bcher-kva.example/%C3%BC/"
    assert f"Sitemap: {base}sitemap.xml" in (out / "robots.txt").read_text("utf-8")
    sitemap = (out / "sitemap.xml").read_text("utf-8")
    assert f"<loc>{base}</loc>" in sitemap and sitemap.isascii()
    page = parse_html(out / "index.html")
    assert page.cssselect("link[rel=canonical]")[0].get("href") == base


def test_values_of_the_wrong_type_say_what_the_key_takes(site: Path, cli: CLI) -> None:
    _write(site, '[tool.roundup]\ntitle = 5\nitems_per_page = "30"\nfuture = "yes"\n'
           'language = "en_US"\n')  # fmt: skip
    ran = cli("build")
    assert ran.lines[:4] == [
        "pyproject.toml: title: expected text in quotes, got 5",
        "pyproject.toml: language: 'en_US' is not a language tag such as en or en-GB",
        "pyproject.toml: items_per_page: expected a whole number, such as 30 (without quotes), "
        'got "30"',
        'pyproject.toml: future: expected true or false (without quotes), got "yes"',
    ]


def test_each_check_says_exactly_what_is_wrong_in_the_order_of_the_keys(tmp_path: Path) -> None:
    # Written in another order than the keys': problems come in the order of config.KEYS,
    # unknown keys last, as they were written.
    _write(
        tmp_path,
        "[tool.roundup]\nzzz = 1\nedition_title = '{nope}'\nweek_start = 'Funday'\n"
        "editions = 'month'\nitem_pages = 'some'\nsearch = 'yes'\ncname = 'nodot'\n"
        "site_id = 'My Site'\nfeed_items = 10001\neditions_per_page = 2.0\n"
        "items_per_page = true\nlanguage = 'en_GB'\ndescription = 5\ntitle = ''\n",
    )
    with pytest.raises(ConfigError) as error:
        config.load(None, {}, tmp_path)
    assert error.value.problems == [
        "pyproject.toml: title: must not be empty; write the site's name",
        "pyproject.toml: description: expected text in quotes, got 5",
        "pyproject.toml: language: 'en_GB' is not a language tag such as en or en-GB",
        # Values as TOML writes them, not as Python prints them (True, 'yes').
        "pyproject.toml: items_per_page: expected a whole number, such as 30 (without quotes), "
        "got true",
        "pyproject.toml: editions_per_page: expected a whole number, such as 30 (without "
        "quotes), got 2.0",
        "pyproject.toml: feed_items: must be at most 10,000, got 10,001",
        "pyproject.toml: site_id: use lower-case letters, digits and hyphens (like my-roundup)",
        "pyproject.toml: cname: must be a bare host name such as links.example.org",
        'pyproject.toml: search: expected true or false (without quotes), got "yes"',
        'pyproject.toml: item_pages: expected true, false or "commented", got "some"',
        'pyproject.toml: editions: \'month\' is not an edition length; use "day" or "week"',
        "pyproject.toml: week_start: 'Funday' is not a day of the week; use monday, ..., sunday",
        "pyproject.toml: edition_title: unknown placeholder {nope}; use {number}, {date}, "
        "{week}, {year}",
        "pyproject.toml: zzz: unknown key (known keys: " + ", ".join(config.KEYS) + ")",
    ]


def test_checked_values_are_normalised(tmp_path: Path) -> None:
    settings = config.load(
        None, {"week_start": "SUNDAY", "cname": "Links.Example.ORG", "item_pages": "commented",
               "base_url": "https://example.org/links"}, tmp_path)  # fmt: skip
    assert (settings.week_start, settings.cname) == ("sunday", "links.example.org")
    assert settings.item_pages == "commented" and settings.base_url == "https://example.org/links/"
    with pytest.raises(ConfigError) as error:
        config.load(None, {"items_per_page": 0}, tmp_path)
    assert error.value.problems == ["--items-per-page: must be at least 1, got 0"]


def test_a_time_zone_spelt_in_other_case_gets_a_suggestion_and_a_bom_is_no_mistake(
    tmp_path: Path,
) -> None:
    # Notepad saves with a byte-order mark: tomllib said "Invalid statement (at line 1)".
    (tmp_path / "pyproject.toml").write_bytes(
        b'\xef\xbb\xbf[tool.roundup]\ntitle = "Links"\ntimezone = "europe/berlin"\n'
    )
    with pytest.raises(ConfigError) as error:
        config.load(None, {}, tmp_path)
    assert error.value.problems == [
        "pyproject.toml: timezone: 'europe/berlin' is not an IANA time zone such as "
        "Europe/Berlin; did you mean Europe/Berlin?"
    ]
