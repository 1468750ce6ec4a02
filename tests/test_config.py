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
    assert settings.site_id == "roundup"


def test_pyproject_table_is_read_and_flags_win(tmp_path: Path) -> None:
    _write(
        tmp_path,
        '[project]\nname = "x"\n[tool.roundup]\ntitle = "Links"\n'
        'base_url = "https://example.github.io/repo"\ntimezone = "Europe/Berlin"\n'
        'output_dir = "site"\n',
    )
    settings = config.load(None, {"base_url": "https://links.example.org/"}, tmp_path)
    assert settings.title == "Links" and settings.site_id == "links"
    assert settings.base_url == "https://links.example.org/"
    assert settings.output_dir == tmp_path / "site"
    settings = config.load(None, {}, tmp_path)
    assert settings.base_url == "https://example.github.io/repo/"  # a trailing slash is added
    assert settings.base_path == "/repo/"


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
