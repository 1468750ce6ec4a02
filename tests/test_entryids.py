"""Feed entry ids as subscribers meet them: the same through renames, distinct for every item,
and a warning before a build changes the ids of entries already published."""

from __future__ import annotations

import hashlib
import json
import re
import shutil
from datetime import UTC
from pathlib import Path

import feedparser
import pytest

from roundup.build.pipeline import build
from roundup.cli import main
from roundup.core import config as config_module
from roundup.core.errors import ContentError
from roundup.read.content import parse_bytes
from roundup.site.entryids import link_identity

TESTS = Path(__file__).resolve().parent
FIXTURE = TESTS / "fixtures" / "feeds"
FEEDS = ("feed.xml", "rss.xml", "topics/feeds/feed.xml", "topics/feeds/rss.xml")


@pytest.fixture
def site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The feeds fixture without its site_id (the default applies) and with every item in the
    feeds, as the current folder."""
    folder = Path(shutil.copytree(FIXTURE, tmp_path / "site"))
    config = folder / "pyproject.toml"
    text = re.sub(r"(?m)^site_id = .*\n", "", config.read_text("utf-8"))
    config.write_text(text.replace("feed_items = 3", "feed_items = 50"), "utf-8")
    # Without the related story that has no link (and a warning): here, every warning is one
    # about ids.
    atom = folder / "content" / "a-atom.md"
    no_link = '  - title: "A related story without a link"\n'
    assert no_link in atom.read_text("utf-8")
    atom.write_text(atom.read_text("utf-8").replace(no_link, ""), "utf-8")
    monkeypatch.chdir(folder)
    return folder


def build_site(site: Path, **overrides: object):
    config = config_module.load(site / "pyproject.toml", overrides, site)
    return build(config)


def entries(out: Path) -> dict[str, dict[str, str]]:
    """For each feed: every entry's link -> id, as feedparser (and so rss2email) reads them."""
    found = {}
    for name in FEEDS:
        result = feedparser.parse((out / name).read_bytes())
        assert not result.bozo, name
        found[name] = {e.link: e.id for e in result.entries}
    items = json.loads((out / "feed.json").read_bytes())["items"]
    found["feed.json"] = {i["external_url"]: i["id"] for i in items}
    return found


def test_the_link_is_normalised_only_in_ways_that_never_change_what_it_points_to() -> None:
    assert link_identity("HTTPS://Example.ORG:443/A/b?utm_source=x#part") == (
        "https://example.org/A/b?utm_source=x"  # the path's case and the query are kept
    )
    assert link_identity("http://example.org") == "http://example.org/"
    assert link_identity("http://example.org:80?q=1") == "http://example.org/?q=1"
    assert link_identity("http://example.org:8080/") == "http://example.org:8080/"


def test_renaming_the_file_retitling_and_redating_keep_every_id(site: Path) -> None:
    build_site(site)
    before = entries(site / "output")
    content = site / "content"
    (content / "a-atom.md").rename(content / "2024-03-05-atom-and-rss.md")
    article = content / "b-json.md"
    text = article.read_text("utf-8").replace('"JSON Feed 1.1"', '"JSON Feed, version 1.1"')
    article.write_text(text.replace("2024-03-04T12:00:00Z", "2024-03-04T11:00:00Z"), "utf-8")
    result = build_site(site)
    assert entries(site / "output") == before
    assert result.warnings == []  # nothing to warn about: no subscriber sees anything twice
    page = feedparser.parse((site / "output/feed.xml").read_bytes()).entries[0]
    assert [x.href for x in page.links if x.rel == "related"] == [
        "https://example.org/links/items/2024-03-05-atom-and-rss/"
    ]  # the page moved with the file name; its entry did not


def test_renaming_the_site_keeps_every_id_without_a_site_id(site: Path) -> None:
    build_site(site)
    before = entries(site / "output")
    config = site / "pyproject.toml"
    config.write_text(config.read_text("utf-8").replace("Feeds & Friends", "Feed Friends"))
    result = build_site(site)
    assert entries(site / "output") == before
    assert feedparser.parse((site / "output/feed.xml").read_bytes()).feed.title == "Feed Friends"
    ids = before["feed.xml"]
    pinned = ids.pop("https://example.com/oldest")  # its id: field is a URI of its own
    assert pinned == "tag:example.com,2020:oldest"
    assert all(i.startswith("tag:example-org-links,2005:") for i in ids.values())
    assert result.warnings == []


def test_changing_the_link_makes_a_new_entry_and_the_build_says_how_to_keep_its_id(
    site: Path,
) -> None:
    build_site(site)
    before = entries(site / "output")["feed.xml"]
    article = site / "content" / "e-untopical.md"
    text = article.read_text("utf-8").replace("www.iana.org/time-zones", "www.iana.org/tz")
    article.write_text(text, "utf-8")
    # A corrected link (a typo, http to https) would reach every subscriber again: the
    # item's page tells which entry it was, and the warning gives the id to keep; --strict
    # stops before anything is written.
    config = config_module.load(site / "pyproject.toml", {}, site)
    with pytest.raises(ContentError) as stopped:
        build(config, strict=True)
    old = before["https://www.iana.org/time-zones"]
    new = (
        "tag:example-org-links,2005:link/"
        + hashlib.blake2b(b"https://www.iana.org/tz", digest_size=16).hexdigest()
    )
    assert [(p.path, p.line, p.field, p.message) for p in stopped.value.problems] == [
        (
            "content/e-untopical.md",
            4,
            "originalUrl",
            f"this item's feed entry id changes from {old} to {new}; subscribers would see it "
            f'again, as its link changed; to keep it, add id: "{old}"',
        )
    ]
    result = build_site(site)
    after = entries(site / "output")["feed.xml"]
    assert "https://www.iana.org/tz" in after and "https://www.iana.org/time-zones" not in after
    assert after["https://www.iana.org/tz"] == new
    others = {link: i for link, i in after.items() if link != "https://www.iana.org/tz"}
    assert others == {link: i for link, i in before.items() if link in others}
    assert len(result.warnings) == 1
    # Written as told, the id is the old one again (and the build says it changes back).
    article.write_text(text.replace("---\n", f'---\nid: "{old}"\n', 1), "utf-8")
    build_site(site)
    assert entries(site / "output")["feed.xml"]["https://www.iana.org/tz"] == old


def test_a_date_that_changes_which_of_a_link_curated_twice_came_first_names_the_new_id(
    site: Path,
) -> None:
    # The one published first keeps the link's id: a correction that puts the other first
    # swaps them. The item that takes the plain id updates an entry subscribers have; the
    # other gets an id they never had, and is told (its old id is the other's now: no fix).
    content = site / "content"
    again = (content / "b-json.md").read_text("utf-8").replace("2024-03-04", "2024-03-09")
    (content / "g-json-again.md").write_text(again, "utf-8")
    build_site(site)
    before = feedparser.parse((site / "output/feed.xml").read_bytes()).entries
    ids = sorted(e.id for e in before if e.link == "https://www.jsonfeed.org/version/1.1/")
    first, second = ids  # b-json.md's plain id, and g-json-again.md's with its slug
    assert second == first + "/g-json-again"
    text = (content / "g-json-again.md").read_text("utf-8").replace("2024-03-09", "2024-03-01")
    (content / "g-json-again.md").write_text(text, "utf-8")
    warnings = build_site(site).warnings
    assert [(p.path, p.field, p.message) for p in warnings] == [
        (
            "content/b-json.md",
            "webUrl",
            f"this item's feed entry id changes from {first} to {first}/b-json; "
            "subscribers would see it again, as another item has its link",
        ),
    ]


def test_swapping_two_file_names_keeps_every_id_and_warns_of_nothing(site: Path) -> None:
    # Each item's page moves to the other's URL, but every entry keeps its id: nothing
    # reaches a subscriber twice. The check paired entries by page, and told both items
    # to pin the other's id, which would have sent them again.
    build_site(site)
    before = entries(site / "output")["feed.xml"]
    content = site / "content"
    first, second = content / "b-json.md", content / "e-untopical.md"
    texts = first.read_text("utf-8"), second.read_text("utf-8")
    first.write_text(texts[1], "utf-8")
    second.write_text(texts[0], "utf-8")
    assert build_site(site).warnings == []
    assert entries(site / "output")["feed.xml"] == before


def test_unpublishing_the_first_of_a_link_curated_twice_warns_of_nothing(site: Path) -> None:
    # The other item takes the link's plain id, an entry subscribers already have.
    content = site / "content"
    again = (content / "b-json.md").read_text("utf-8").replace("2024-03-04", "2024-03-09")
    (content / "g-json-again.md").write_text(again, "utf-8")
    build_site(site)
    text = (content / "b-json.md").read_text("utf-8")
    (content / "b-json.md").write_text(text.replace("---\n", "---\npublished: false\n", 1))
    assert build_site(site).warnings == []


def test_moving_the_site_without_site_id_warns_with_the_fix_and_strict_stops(
    site: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    build_site(site)
    feed = (site / "output/feed.xml").read_bytes()
    assert main(["build", "-q", "--strict", "--base-url", "https://links.example.com/"]) == 1
    err = capsys.readouterr().err
    assert (site / "output/feed.xml").read_bytes() == feed  # strict: nothing written
    warning = (
        "pyproject.toml: site_id: 4 of the 5 entries in output/feed.xml get new ids, as the "
        "site id is now 'links-example-com' (without a site_id, it follows the base URL); it "
        "was 'example-org-links': subscribers would see them again. To keep them, set "
        'site_id = "example-org-links"'
    )
    assert warning in err.splitlines()
    assert main(["build", "-q", "--base-url", "https://links.example.com/"]) == 0
    assert capsys.readouterr().err.splitlines() == [f"warning: {warning}"]
    # Said once: the feed now has the new ids, and the next build has nothing to warn about.
    assert main(["build", "-q", "--base-url", "https://links.example.com/"]) == 0
    assert capsys.readouterr().err == ""
    # With the site_id the warning gave, the move keeps every id.
    config = site / "pyproject.toml"
    config.write_text(config.read_text("utf-8") + 'site_id = "example-org-links"\n', "utf-8")
    assert main(["build", "-q", "--base-url", "https://links.example.com/"]) == 0
    assert capsys.readouterr().err.startswith("warning: pyproject.toml: site_id: 4 of the 5")
    moved = entries(site / "output")["feed.xml"]
    shutil.rmtree(site / "output")
    build_site(site)
    assert entries(site / "output")["feed.xml"] == moved


def test_pinning_an_id_later_names_the_item_whose_id_changes(
    site: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    build_site(site)
    article = site / "content" / "b-json.md"
    article.write_text(article.read_text("utf-8").replace("---\n", "---\nid: jsonfeed\n", 1))
    assert main(["build", "-q"]) == 0
    old = (
        "tag:example-org-links,2005:link/"
        + hashlib.blake2b(b"https://www.jsonfeed.org/version/1.1/", digest_size=16).hexdigest()
    )
    assert capsys.readouterr().err.splitlines() == [
        f"warning: content/b-json.md:2: id: this item's feed entry id changes from {old} to "
        "tag:example-org-links,2005:id/jsonfeed; subscribers would see it again"
    ]


def test_feeds_written_with_ids_from_file_names_get_the_upgrade_note(
    site: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    build_site(site)
    feed = site / "output/feed.xml"
    # The ids roundup gave before this scheme came from the file name (the item's slug).
    names = (f"items/slug-{n}" for n in range(5))
    entry_id = re.compile(r"(?<=<id>tag:example-org-links,2005:)(link|id)/[^<]*")
    feed.write_text(entry_id.sub(lambda _: next(names), feed.read_text("utf-8")), "utf-8")
    (site / "content/b-json.md").touch()  # something to build
    assert main(["build", "-q"]) == 0
    assert capsys.readouterr().err.splitlines() == [
        "warning: output/feed.xml: 4 of the 5 entries in output/feed.xml get new ids: entry ids "
        'no longer come from file names (see README, "Upgrading"), so subscribers see these '
        "entries once more, this one time"
    ]


def _same_id_again(content: Path) -> None:
    """h-oldest-again.md: another link, with the `id:` field of f-oldest.md."""
    pinned = (content / "f-oldest.md").read_text("utf-8").replace("/oldest", "/other")
    (content / "h-oldest-again.md").write_text(pinned, "utf-8")


def test_two_items_with_one_link_or_one_id_get_distinct_ids_and_a_warning(
    site: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    content = site / "content"
    again = (content / "b-json.md").read_text("utf-8").replace("12:00:00Z", "13:00:00Z")
    (content / "g-json-again.md").write_text(again, "utf-8")
    _same_id_again(content)
    assert main(["build", "-q"]) == 0
    lines = capsys.readouterr().err.splitlines()
    # The same link: told once, by the collection check (in one edition; in two it is normal).
    assert lines == [
        "warning: content/g-json-again.md:4: webUrl: the same link as content/b-json.md, "
        "in the same edition; both are kept",
        "warning: content/h-oldest-again.md:7: id: the same feed entry id as "
        "content/f-oldest.md (the same id: field); feed readers would show only one of them, "
        "so this item's id adds its slug. Give it an id: of its own to keep its id when the "
        "file is renamed",
    ]
    atom = feedparser.parse((site / "output/feed.xml").read_bytes()).entries
    assert len({e.id for e in atom}) == len(atom) == 7  # readers show all seven
    json_ids = [e.id for e in atom if e.link == "https://www.jsonfeed.org/version/1.1/"]
    # The earlier item keeps the id subscribers may have; the later one adds its slug.
    assert json_ids == [json_ids[1] + "/g-json-again", json_ids[1]]
    assert "tag:example.com,2020:oldest/h-oldest-again" in {e.id for e in atom}
    # The next build finds both ids of the one link in the published feed: no id changed.
    (content / "e-untopical.md").touch()
    assert main(["build", "-q"]) == 0
    assert capsys.readouterr().err.splitlines() == lines


def test_a_link_curated_again_in_a_later_edition_gets_its_own_id_without_a_warning(
    site: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # A weekly roundup links the same page again and again: each repeat warned through its
    # id, and --strict failed, although the README says a repeat in a later edition is none.
    content = site / "content"
    again = (content / "b-json.md").read_text("utf-8").replace("2024-", "2025-", 1)
    assert again != (content / "b-json.md").read_text("utf-8")
    (content / "g-json-again.md").write_text(again, "utf-8")
    assert main(["build", "-q", "--strict"]) == 0
    assert main(["check", "--strict"]) == 0
    assert capsys.readouterr().err == ""
    atom = feedparser.parse((site / "output/feed.xml").read_bytes()).entries
    assert len({e.id for e in atom}) == len(atom)


def test_an_older_item_of_a_link_curated_again_beyond_the_feed_warns_of_nothing(
    site: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # The feed holds the newer copy; the older one (beyond feed_items) was said to change
    # its id to its own, on every build that did work, and --strict failed on it.
    config = site / "pyproject.toml"
    config.write_text(config.read_text("utf-8").replace("feed_items = 50", "feed_items = 2"))
    content = site / "content"
    again = (content / "b-json.md").read_text("utf-8").replace("2024-", "2025-", 1)
    (content / "g-json-again.md").write_text(again, "utf-8")
    assert main(["build", "-q", "--strict"]) == 0

    def ids() -> list[str]:
        return [e.id for e in feedparser.parse((site / "output/feed.xml").read_bytes()).entries]

    before = ids()
    assert len(before) == 2 and before[0].endswith("/g-json-again")
    long = content / "c-long.md"
    long.write_text(long.read_text("utf-8") + "\nOne more sentence.\n", "utf-8")
    assert main(["build", "-q", "--strict"]) == 0
    assert ids() == before
    # A third copy, new: the copy the feed has keeps its id, and this one is news.
    (content / "h-json-third.md").write_text(again.replace("2025-", "2026-", 1), "utf-8")
    assert main(["build", "-q", "--strict"]) == 0
    assert capsys.readouterr().err == ""
    after = ids()
    assert after[1] == before[0] and after[0].endswith("/h-json-third")


def test_check_tells_the_id_clashes_build_tells(
    site: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    content = site / "content"
    _same_id_again(content)
    assert main(["check", "--strict"]) == 1
    checked = capsys.readouterr().err
    assert main(["build", "--strict"]) == 1
    built = capsys.readouterr().err
    told = "content/h-oldest-again.md:7: id: the same feed entry id as content/f-oldest.md"
    assert told in checked and told in built


ARTICLE = """---
title: "Tokio 1.0"
publishedDateTime: 2026-05-01T09:00:00Z
originalUrl: "https://tokio.rs/blog/2020-12-tokio-1-0"
{field}
---
"""


@pytest.mark.parametrize(
    ("field", "entry_id", "curator"),
    [
        ('id: "tokio 1.0"', "tokio 1.0", None),
        ('id: "urn:uuid:6e8bc430-9c3a-11d9-9669-0800200c9a66"',
         "urn:uuid:6e8bc430-9c3a-11d9-9669-0800200c9a66", None),
        ("id: tag:example.org,2020:items/tokio", "tag:example.org,2020:items/tokio", None),
        ('curator: "  Ada   Lovelace "', None, "Ada Lovelace"),
        ('curator: ""', None, None),
    ],
)  # fmt: skip
def test_id_and_curator_fields_are_read(field: str, entry_id: str, curator: str) -> None:
    parsed = parse_bytes(ARTICLE.format(field=field).encode(), "a.md", UTC)
    assert parsed.errors == [] and parsed.article is not None
    assert (parsed.article.entry_id, parsed.article.curator) == (entry_id, curator)


@pytest.mark.parametrize(
    ("field", "message"),
    [
        ('id: ""', "must not be empty; leave it out to derive the id from the link"),
        ("id: 42", 'expected text, got the number 42 (write "42" in quotes if you mean text)'),
        ('id: "tag:tokio"', "'tag:tokio' is not a tag: URI such as tag:example.org,2024:x"),
        ('id: "urn:x y"', "'urn:x y' is not a valid URI (no spaces or non-ASCII letters; "
                          "percent-encode them, or leave out the scheme to use it as a name)"),
        ('id: "https://x.org/a b"', "'https://x.org/a b' contains spaces, control characters "
                                     "or backslashes"),
        ('id: "tokio\\u00ad"', "'tokio\\xad' contains characters that are not printable"),
        ('id: "tokio\\u200b"', "contains control characters"),  # a zero width space
        ("id: [a]", "expected text, got a list"),
    ],
)  # fmt: skip
def test_a_bad_id_is_an_error_on_its_line(field: str, message: str) -> None:
    parsed = parse_bytes(ARTICLE.format(field=field).encode(), "a.md", UTC)
    assert [str(p) for p in parsed.errors] == [f"a.md:5: id: {message}"]


def test_a_feed_no_longer_made_is_told_and_strict_keeps_it(site: Path) -> None:
    # Renaming a topic deleted its feeds without a word: their subscribers got Not Found.
    build_site(site)
    content = site / "content"
    for path in content.glob("*.md"):
        path.write_text(path.read_text("utf-8").replace('"Standards"', '"Specs"'), "utf-8")
    old = site / "output" / "topics" / "standards"
    assert (old / "feed.xml").is_file()
    with pytest.raises(ContentError) as stopped:
        build(config_module.load(site / "pyproject.toml", {}, site), strict=True)
    assert (old / "feed.xml").is_file()  # --strict: nothing written
    told = [(p.path, p.message) for p in stopped.value.problems]
    why = (
        "this feed is no longer made (its topic or source has no published link now, or was "
        "renamed); its subscribers get Not Found from now on"
    )
    assert told == [(f"output/topics/standards/{name}", why)
                    for name in ("feed.xml", "rss.xml")]  # fmt: skip
    assert [p.path for p in build_site(site).warnings] == [path for path, _ in told]
    assert not old.exists()
    assert build_site(site).warnings == []  # said once, by the build that stopped making them
