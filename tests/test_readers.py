"""A real feed reader (the `reader` library) subscribed to the site's feeds, when installed.

`reader` is no test dependency (a feed reader with its own database); install it beside the
tests (`.venv/bin/pip install reader`) to run this check: each item once through a file
rename and a site rename, with its author and the curator's comment.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from roundup.build.pipeline import build
from roundup.core import config as config_module

reader = pytest.importorskip("reader")

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "feeds"
FEEDS = ("feed.xml", "rss.xml", "feed.json", "topics/feeds/feed.xml", "topics/feeds/rss.xml")
COMMENT = "comment with"  # from the curator's comment on a-atom


def build_site(site: Path) -> None:
    build(config_module.load(site / "pyproject.toml", {}, site))


def read(subscriber) -> dict[str, list[tuple[str, str, str, str]]]:
    """Update every feed; for each: (title, id, authors, whether the comment is shown)."""
    subscriber.update_feeds(scheduled=False)
    seen = {}
    for name in FEEDS:
        feed = subscriber.get_feed(name)
        assert feed.last_exception is None, (name, feed.last_exception)
        seen[name] = sorted(
            (
                e.title,
                e.id,
                e.authors_str or "",
                str(any(COMMENT in c.value for c in e.content)),
            )
            for e in subscriber.get_entries(feed=name)
        )
    return seen


def test_reader_shows_each_item_once_with_author_and_comment(tmp_path: Path) -> None:
    site = Path(shutil.copytree(FIXTURE, tmp_path / "site"))
    config = site / "pyproject.toml"
    text = re.sub(r"(?m)^site_id = .*\n", "", config.read_text("utf-8"))
    config.write_text(text.replace("feed_items = 3", "feed_items = 50"), "utf-8")
    build_site(site)
    out = site / "output"
    subscriber = reader.make_reader(str(tmp_path / "reader.sqlite"), feed_root=str(out))
    for name in FEEDS:
        subscriber.add_feed(name)
    first = read(subscriber)
    assert [len(first[name]) for name in FEEDS] == [5, 5, 5, 4, 4]
    (atom,) = [e for e in first["feed.xml"] if e[0] == "Atom & RSS: <the> formats"]
    assert atom[2:] == ("Test Curator", "True")  # author and comment, from Atom
    assert [e[2] for e in first["rss.xml"] if e[0] == "JSON Feed 1.1"] == ["Jo Feedwright"]

    (site / "content/a-atom.md").rename(site / "content/2024-03-05-atom.md")
    config.write_text(config.read_text("utf-8").replace("Feeds & Friends", "Feedfriends"))
    build_site(site)
    assert read(subscriber) == first  # nothing new, nothing twice
