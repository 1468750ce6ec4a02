"""Configuration: defaults, the pyproject table, flags over the file, one error per bad key."""

from __future__ import annotations

from pathlib import Path

import pytest

from roundup import config
from roundup.errors import ConfigError


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
    with pytest.raises(ConfigError) as error:
        config.load(None, {"websub_hub": "hub.example.org"}, tmp_path)
    assert error.value.problems == [
        "defaults: websub_hub: must be an absolute http:// or https:// URL (the hub's endpoint)"
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
    assert "base_url: must be an absolute http:// or https:// URL" in text
    assert "timezone: 'Mars/Olympus' is not an IANA time zone" in text
    assert "items_per_page:" in text and "feed_items:" in text
    assert "title: contains control characters" in text


def test_invalid_toml_and_missing_file_are_config_errors(tmp_path: Path) -> None:
    _write(tmp_path, "[tool.roundup\n")
    with pytest.raises(ConfigError, match="invalid TOML"):
        config.load(None, {}, tmp_path)
    with pytest.raises(ConfigError, match="not found"):
        config.load(tmp_path / "missing.toml", {}, tmp_path)
