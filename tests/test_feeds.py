"""Feeds: valid Atom, RSS and JSON Feed that two parsers read alike, with ids that never move.

Golden files live in tests/golden/feeds/; after an intended change to the feeds, regenerate
them with `ROUNDUP_UPDATE_GOLDEN=1 .venv/bin/pytest tests/test_feeds.py` and review the diff.
"""

from __future__ import annotations

import dataclasses
import hashlib
import html
import json
import os
import re
import shutil
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from pathlib import Path
from urllib.parse import urljoin

import feedparser
import pytest
from lxml import etree
from lxml import html as lxml_html

from roundup.build.pipeline import build
from roundup.core import config as config_module
from roundup.render import feeds
from roundup.site import structure as site_module

import checkers
from conftest import write_article

TESTS = Path(__file__).resolve().parent
FIXTURE = TESTS / "fixtures" / "feeds"
GOLDEN = TESTS / "golden" / "feeds"
SCHEMAS = TESTS / "schemas"
UPDATE_GOLDEN = os.environ.get("ROUNDUP_UPDATE_GOLDEN", "") == "1"

BASE = "https://example.org/links/"
NS = {"a": "http://www.w3.org/2005/Atom"}
XML_NAMES = ("feed.xml", "rss.xml")
FEED_NAMES = (*XML_NAMES, "feed.json")
# What XML 1.0 forbids, plus DEL and C1 controls, which no feed text should carry.
CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffe\uffff]")
# feedgen spells UTC as +0000 (RFC 822 allows it as well as GMT).
RFC822 = re.compile(r"^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d\d (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug"
                    r"|Sep|Oct|Nov|Dec) \d{4} \d\d:\d\d:\d\d \+0000$")  # fmt: skip


def link_tag(link: str) -> str:
    """The entry id of a link written in its normal form (lower-case host, no fragment)."""
    digest = hashlib.blake2b(link.encode(), digest_size=16).hexdigest()
    return f"tag:feeds-fixture,2005:link/{digest}"


# Each fixture item's entry id: from its link, or from its id: field (c-long, f-oldest).
IDS = {
    "a-atom": link_tag("https://www.rfc-editor.org/rfc/rfc4287"),
    "b-json": link_tag("https://www.jsonfeed.org/version/1.1/"),
    "c-long": "tag:feeds-fixture,2005:id/the%20long%20one",
    "d-draft": link_tag("https://example.com/draft"),
    "e-untopical": link_tag("https://www.iana.org/time-zones"),
    "f-oldest": "tag:example.com,2020:oldest",
}


def tag(slug: str) -> str:
    return IDS[slug]


def at(text: str) -> datetime:
    """An RFC 3339 or RFC 822 date as an aware UTC datetime."""
    moment = parsedate_to_datetime(text) if text[:1].isalpha() else datetime.fromisoformat(text)
    return moment.astimezone(UTC)


# The fixture's public site feed (feed_items = 3): d-draft is unpublished, e and f are older,
# and b and c share a time, so the slug decides their order.
SITE_ENTRIES = [
    ("a-atom", "Atom & RSS: <the> formats", "https://www.rfc-editor.org/rfc/rfc4287",
     "2024-03-05T09:00:00Z", ["Feeds", "Standards"]),
    ("b-json", "JSON Feed 1.1", "https://www.jsonfeed.org/version/1.1/",
     "2024-03-04T12:00:00Z", ["Feeds"]),
    ("c-long", "Ünïcode — and a tie with b", "https://example.net/long",
     "2024-03-04T12:00:00Z", ["Standards", "Feeds"]),
]  # fmt: skip


def build_into(site: Path, out: Path, preview: bool = False, **overrides: object) -> Path:
    config_file = site / "pyproject.toml"
    # The cache beside the output, not in the site's folder: a fixture of the repository is
    # read, never written.
    settings = {"output_dir": str(out), "cache_dir": str(out.with_name(out.name + ".cache"))}
    config = config_module.load(config_file, {**settings, **overrides}, site)
    build(config, preview=preview)
    return out


def copy_fixture(folder: Path) -> Path:
    return Path(shutil.copytree(FIXTURE, folder / "site"))


@pytest.fixture(scope="module")
def public(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("public")
    return build_into(copy_fixture(folder), folder / "out")


@pytest.fixture(scope="module")
def preview(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("preview")
    return build_into(copy_fixture(folder), folder / "out", preview=True)


@pytest.fixture(scope="module")
def example(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The example site (a copy of content/), built with its own configuration."""
    return build_into(TESTS / "fixtures" / "showcase", tmp_path_factory.mktemp("example") / "out")


@pytest.fixture(params=["public", "preview", "example"])
def any_build(request: pytest.FixtureRequest) -> Path:
    return request.getfixturevalue(request.param)


def feed_files(out: Path, names: tuple[str, ...] = FEED_NAMES) -> list[Path]:
    return sorted(p for p in out.rglob("*") if p.name in names and ".roundup" not in p.parts)


def url_of(out: Path, path: Path, base: str = BASE) -> str:
    return base + path.relative_to(out).as_posix()


def self_link(result: feedparser.FeedParserDict) -> str:
    (href,) = [link.href for link in result.feed.links if link.rel == "self"]
    return href


def page_of(entry: feedparser.FeedParserDict) -> str:
    """The item page an Atom entry (rel="related") or RSS item (comments) points to."""
    related = [x.href for x in entry.links if x.rel == "related"]
    return related[0] if related else entry.comments


def base_of(out: Path) -> str:
    """The base URL a build used, read back from its site feed's self link."""
    return self_link(feedparser.parse((out / "feed.xml").read_bytes())).removesuffix("feed.xml")


def parsed(path: Path) -> feedparser.FeedParserDict:
    result = feedparser.parse(path.read_bytes())
    assert not result.bozo, f"{path}: {result.get('bozo_exception')}"
    return result


def test_every_feed_is_well_formed_and_feedparser_reads_it_without_bozo(any_build: Path) -> None:
    for path in feed_files(any_build):
        text = path.read_bytes().decode("utf-8")
        assert not CONTROL.search(text), path
        if path.suffix == ".json":
            json.loads(text)
            continue
        etree.fromstring(path.read_bytes())
        result = parsed(path)
        assert result.version == ("atom10" if path.name == "feed.xml" else "rss20"), path
        assert result.entries, path


def test_atom_feeds_pass_relax_ng_and_have_every_required_element(any_build: Path) -> None:
    schema = etree.RelaxNG(etree.parse(SCHEMAS / "atom.rng"))
    base = base_of(any_build)
    for path in feed_files(any_build, ("feed.xml",)):
        feed = etree.parse(path)
        assert schema.validate(feed), f"{path}: {schema.error_log}"
        for name in ("id", "title", "updated", "author/a:name"):
            assert len(feed.findall(f"a:{name}", NS)) == 1, (path, name)
        (self_link,) = feed.findall("a:link[@rel='self']", NS)
        assert self_link.get("href") == url_of(any_build, path, base)
        for entry in feed.findall("a:entry", NS):
            for name in ("id", "title", "updated", "content"):
                assert len(entry.findall(f"a:{name}", NS)) == 1, (path, name)
            rels = [x.get("rel", "alternate") for x in entry.findall("a:link", NS)]
            assert sorted(rels) == ["alternate", "related"], path
            (related,) = entry.findall("a:link[@rel='related']", NS)
            assert related.get("href").startswith(base + "items/")


def test_rss_channel_links_the_home_page_and_items_have_tag_guids(any_build: Path) -> None:
    base = base_of(any_build)
    for path in feed_files(any_build, ("rss.xml",)):
        channel = etree.parse(path).getroot().find("channel")
        home = url_of(any_build, path.parent, base) + "/" if path.parent != any_build else base
        assert channel.findtext("title") and channel.findtext("description")
        assert channel.findtext("link") == home != url_of(any_build, path, base)
        (self_link,) = channel.findall("a:link[@rel='self']", NS)
        assert self_link.get("href") == url_of(any_build, path, base)
        assert RFC822.match(channel.findtext("lastBuildDate"))
        for item in channel.findall("item"):
            guid = item.find("guid")
            assert guid.get("isPermaLink") == "false" and guid.text.startswith("tag:")
            assert RFC822.match(item.findtext("pubDate")), item.findtext("pubDate")


@pytest.mark.parametrize("name", ["feed.xml", "rss.xml"])
def test_feedparser_sees_the_expected_entries_in_the_site_feed(public: Path, name: str) -> None:
    result = parsed(public / name)
    assert result.feed.title == "Feeds & Friends"
    assert result.feed.link == BASE
    got = [
        (e.id, e.title, e.link, at(e.published), [t.term for t in e.tags]) for e in result.entries
    ]
    assert got == [(tag(s), t, link, at(d), cats) for s, t, link, d, cats in SITE_ENTRIES]
    for entry, (slug, *_rest) in zip(result.entries, SITE_ENTRIES, strict=True):
        page = f"{BASE}items/{slug}/"
        if name == "feed.xml":
            assert [x.href for x in entry.links if x.rel == "related"] == [page]
        else:
            assert entry.comments == page
        assert f'href="{page}"' in entry.content[0].value


def test_entry_content_has_excerpt_sanitised_comment_and_related_coverage(public: Path) -> None:
    entry = parsed(public / "feed.xml").entries[0]
    body = entry.content[0].value
    assert "<p>The Atom Syndication Format, and how it relates to RSS.</p>" in body
    assert "<em>fine</em>" in body and "<script" not in body and "alert" not in body
    assert '<a href="https://www.rfc-editor.org/rfc/rfc4287">RFC Editor</a>' in body
    assert "RSS 2.0 at Harvard Law</a> (Berkman Center)" in body


def test_a_comments_relative_link_is_its_text_alone_in_every_format(tmp_path: Path) -> None:
    # It led somewhere else in each format (RSS and JSON Feed have no xml:base, and readers
    # resolved it against the feed), and on each page showing the comment; it is left out
    # when the article is read, with a warning (tests/test_content.py).
    out = _small_site(tmp_path)
    for name in FEED_NAMES:
        path = out / name
        if name.endswith(".json"):
            bodies = [i["content_html"] for i in json.loads(path.read_text("utf-8"))["items"]]
        else:  # the text as written, not as feedparser resolves it
            text = etree.parse(str(path)).getroot()
            found = text.iter("{http://www.w3.org/2005/Atom}content", "{*}encoded")
            bodies = [element.text or "" for element in found]
        body = next(b for b in bodies if "the notes" in b)
        root = lxml_html.fragment_fromstring(body, "div")
        assert "the notes" not in [a.text_content() for a in root.iter("a")], name
        assert not root.cssselect("img") and "notes.html" not in body, name
        links = [a.get("href") for a in root.iter("a")]
        assert links and all(link.startswith(("https://", "http://")) for link in links), links


def test_the_json_feed_is_json_feed_1_1(public: Path) -> None:
    check = checkers.venv_tool("check-jsonschema")
    schema = SCHEMAS / "jsonfeed-1.1.schema.json"
    result = checkers.run([check, "--schemafile", schema, public / "feed.json"])
    assert result.returncode == 0, checkers.output_of(result)
    feed = json.loads((public / "feed.json").read_text("utf-8"))
    assert feed["feed_url"] == BASE + "feed.json" and feed["home_page_url"] == BASE
    got = [
        (i["id"], i["title"], i["external_url"], i["url"], at(i["date_published"]), i["tags"])
        for i in feed["items"]
    ]
    assert got == [
        (tag(s), t, link, f"{BASE}items/{s}/", at(d), cats) for s, t, link, d, cats in SITE_ENTRIES
    ]


def test_entries_are_unique_newest_first_and_dated_by_the_items_never_the_clock(
    any_build: Path,
) -> None:
    for path in feed_files(any_build, XML_NAMES):
        result = parsed(path)
        ids = [e.id for e in result.entries]
        assert len(set(ids)) == len(ids), path
        keys = [(-at(e.published).timestamp(), page_of(e)) for e in result.entries]
        assert keys == sorted(keys), path  # the slug (hence the item's page) breaks ties
        dates = [e.published_parsed for e in result.entries]
        if "updated" in result.entries[0]:  # Atom: entries have their own updated date
            dates += [e.updated_parsed for e in result.entries]
        assert result.feed.updated_parsed == max(dates), path
    atom_dates = [at(e.published) for e in parsed(any_build / "feed.xml").entries]
    items = json.loads((any_build / "feed.json").read_text("utf-8"))["items"]
    assert [at(i["date_published"]) for i in items] == atom_dates


def test_feeds_keep_the_newest_feed_items_and_cut_long_excerpts(
    public: Path, tmp_path: Path
) -> None:
    assert len(parsed(public / "feed.xml").entries) == 3
    assert len(parsed(public / "topics/feeds/feed.xml").entries) == 3  # f-oldest left out
    everything = build_into(copy_fixture(tmp_path), tmp_path / "out", feed_items=50)
    assert len(parsed(everything / "feed.xml").entries) == 5
    assert parsed(everything / "topics/feeds/rss.xml").entries[-1].id == tag("f-oldest")
    # Cut where summaries are: the RSS description (HTML) and the JSON Feed summary (text).
    description = parsed(public / "rss.xml").entries[2].summary
    assert description.startswith("<p>word0000") and description.endswith(" word0110…</p>")
    assert len(description) <= feeds.FEED_EXCERPT + len("<p></p>")
    summary = json.loads((public / "feed.json").read_bytes())["items"][2]["summary"]
    assert summary == description.removeprefix("<p>").removesuffix("</p>")
    page = (public / "items/c-long/index.html").read_text("utf-8")
    assert "word0129" in page  # the item page keeps the whole excerpt


def test_unpublished_items_only_in_preview_feeds_and_marked_there(
    public: Path, preview: Path
) -> None:
    for path in feed_files(public) + feed_files(public, ("feeds.opml",)):
        assert b"d-draft" not in path.read_bytes(), path
    for name in ("feed.xml", "rss.xml"):
        result = parsed(preview / name)
        assert result.feed.title == "[Preview] Feeds & Friends"
        first = result.entries[0]
        assert (first.id, first.title) == (tag("d-draft"), "[Unpublished] Draft about feeds")
        assert not any(e.title.startswith("[Unpublished]") for e in result.entries[1:])
    item = json.loads((preview / "feed.json").read_text("utf-8"))["items"][0]
    assert item["title"] == "[Unpublished] Draft about feeds"


def ids_of(out: Path) -> dict[str, list[str]]:
    found = {}
    for path in feed_files(out, XML_NAMES):
        result = parsed(path)
        ids = [result.feed.get("id", ""), *(e.id for e in result.entries)]
        found[path.relative_to(out).as_posix()] = ids
    items = json.loads((out / "feed.json").read_text("utf-8"))["items"]
    found["feed.json"] = [i["id"] for i in items]
    return found


@pytest.mark.parametrize("change", ["title", "base_url", "https_to_http", "layout"])
def test_ids_survive_title_base_url_scheme_and_layout_changes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, change: str
) -> None:
    site = copy_fixture(tmp_path)
    before = ids_of(build_into(site, tmp_path / "before"))
    overrides: dict[str, object] = {}
    if change == "title":
        article = site / "content" / "a-atom.md"
        text = article.read_text("utf-8").replace("<the> formats", "the formats, renamed")
        article.write_text(text, "utf-8")
        overrides["title"] = "A New Site Title"  # site_id is configured, so ids keep it
    elif change == "base_url":
        overrides["base_url"] = "https://links.example.com/"
    elif change == "https_to_http":
        overrides["base_url"] = BASE.replace("https:", "http:")
    else:
        monkeypatch.setattr(site_module, "item_path", lambda a: f"read/{a.slug}.html")
    after_dir = build_into(site, tmp_path / "after", **overrides)
    assert ids_of(after_dir) == before
    if change == "title":
        assert parsed(after_dir / "feed.xml").entries[0].title == "Atom & RSS: the formats, renamed"


def test_rebuilds_are_byte_identical(public: Path, tmp_path: Path) -> None:
    again = build_into(copy_fixture(tmp_path), tmp_path / "again")
    for path in feed_files(public) + feed_files(public, ("feeds.opml",)):
        assert path.read_bytes() == (again / path.relative_to(public)).read_bytes(), path


def test_control_characters_in_config_never_reach_the_feeds(tmp_path: Path) -> None:
    # The config loader now refuses such a title; the feeds still filter whatever text reaches
    # them, so the title goes in past the loader.
    site, out = copy_fixture(tmp_path), tmp_path / "out"
    config = config_module.load(site / "pyproject.toml", {"output_dir": str(out)}, site)
    build(dataclasses.replace(config, title="Bell\x07 & \x1bCo"))
    for path in feed_files(out):
        assert not CONTROL.search(path.read_text("utf-8")), path
    assert parsed(out / "feed.xml").feed.title == "Bell & Co"
    assert feeds.clean("a\x00b\x0bc\r\nd\ud800e\ufffe") == "abc\nde"


def test_an_empty_site_still_has_valid_feeds(tmp_path: Path) -> None:
    site = copy_fixture(tmp_path)
    out = build_into(
        site, tmp_path / "out", content_dir=str(Path(site, "empty").mkdir() or "empty")
    )
    schema = etree.RelaxNG(etree.parse(SCHEMAS / "atom.rng"))
    assert schema.validate(etree.parse(out / "feed.xml")), schema.error_log
    assert parsed(out / "feed.xml").feed.updated == "1970-01-01T00:00:00+00:00"
    assert parsed(out / "rss.xml").entries == []
    assert json.loads((out / "feed.json").read_text("utf-8"))["items"] == []


def test_opml_lists_every_topic_feed(any_build: Path) -> None:
    base = base_of(any_build)
    root = etree.parse(any_build / "feeds.opml").getroot()
    assert root.tag == "opml" and root.get("version") == "2.0"
    assert root.findtext("head/title")
    outlines = root.findall("body//outline[@type='rss']")
    topic_feeds = [p for p in feed_files(any_build, ("feed.xml",)) if "topics" in p.parts]
    assert sorted(o.get("xmlUrl") for o in outlines) == sorted(
        url_of(any_build, p, base) for p in topic_feeds
    )
    for outline in outlines:
        assert outline.get("text") and outline.get("htmlUrl", "").startswith(base + "topics/")


def test_feeds_page_and_page_heads_link_every_feed(public: Path) -> None:
    page_url = BASE + "feeds/"
    page = lxml_html.fromstring((public / "feeds/index.html").read_bytes())
    hrefs = {urljoin(page_url, h) for h in page.xpath("//main//a/@href")}
    # Every feed but the sources' (one each, linked from the source's page), and the sources.
    listed = [p for p in feed_files(public) if p.relative_to(public).parts[0] != "sources"]
    assert {url_of(public, p) for p in listed} <= hrefs
    assert {BASE + "feeds.opml", BASE + "sources/"} <= hrefs
    for page in public.rglob("*.html"):  # every page links the site feeds, topics their own
        parts = page.relative_to(public).parts
        links = lxml_html.fromstring(page.read_bytes()).xpath("//head/link[@rel='alternate']/@href")
        wanted = {BASE + name for name in FEED_NAMES}
        if parts[0] == "topics" and len(parts) > 2:
            wanted |= {f"{BASE}topics/{parts[1]}/{name}" for name in XML_NAMES}
        if parts[0] == "sources" and len(parts) > 2 and parts[1] != "page":
            own = f"{BASE}sources/{parts[1]}/feed.xml"
            wanted.add(own)
            body = lxml_html.fromstring(page.read_bytes()).xpath("//main//a/@href")
            assert own in {urljoin(url_of(public, page), h) for h in body}, page
        assert wanted <= {urljoin(url_of(public, page), h) for h in links}, page
    source_feeds = {p.parent.name for p in feed_files(public, ("feed.xml",))} - {"out", "feeds"}
    assert {"rfc-editor.org", "jsonfeed.org", "example.net", "iana.org"} <= source_feeds


def test_a_second_parser_reads_every_feed_like_feedparser(any_build: Path) -> None:
    script = TESTS / "tools" / "read-feeds.cjs"
    checkers.node_file("@rowanmanning/feed-parser", "package.json")
    paths = feed_files(any_build, XML_NAMES)
    result = checkers.run([checkers.node(), script, *paths])
    assert result.returncode == 0, checkers.output_of(result)
    other = json.loads(result.stdout)
    for path in paths:
        mine, theirs = parsed(path), other[str(path)]
        assert theirs["type"] == ("atom" if path.name == "feed.xml" else "rss")
        assert (theirs["title"], theirs["url"]) == (mine.feed.title, mine.feed.link)
        assert theirs["self"] == self_link(mine) == url_of(any_build, path, base_of(any_build))
        expected = [
            (e.id, e.title, e.link, [t.term for t in e.get("tags", [])], at(e.published))
            for e in mine.entries
        ]
        got = [
            (i["id"], i["title"], i["url"], i["categories"], at(i["published"]))
            for i in theirs["items"]
        ]
        assert got == expected, path


GOLDEN_KINDS = (*FEED_NAMES, "feeds.opml")
GOLDEN_NAMES = [
    "feed.json", "feed.xml", "feeds.opml", "rss.xml",
    "sources/example.com/feed.xml", "sources/example.net/feed.xml", "sources/iana.org/feed.xml",
    "sources/jsonfeed.org/feed.xml", "sources/rfc-editor.org/feed.xml",
    "topics/feeds/feed.xml", "topics/feeds/rss.xml",
    "topics/standards/feed.xml", "topics/standards/rss.xml",
]  # fmt: skip


@pytest.mark.parametrize("kind", ["public", "preview"])
def test_feeds_match_the_golden_files(kind: str, request: pytest.FixtureRequest) -> None:
    out, folder = request.getfixturevalue(kind), GOLDEN / kind
    made = sorted(p.relative_to(out).as_posix() for p in feed_files(out, GOLDEN_KINDS))
    # Atom and RSS for the site and each topic, JSON for the site, Atom for each source
    assert made == GOLDEN_NAMES
    for name in GOLDEN_NAMES:
        if UPDATE_GOLDEN:
            (folder / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(out / name, folder / name)
        assert (folder / name).is_file(), "set ROUNDUP_UPDATE_GOLDEN=1 to regenerate"
        actual, expected = (out / name).read_text("utf-8"), (folder / name).read_text("utf-8")
        assert actual == expected, f"{name} differs from its golden file"


# What readers show of each site-feed entry: author, then whether a thumbnail is there.
AUTHORS = {"a-atom": "Test Curator", "b-json": "Jo Feedwright", "c-long": "Test Curator"}
THUMBNAIL = {
    "url": "https://img.example.org/bilder/%C3%A4rger.png?w=600&h=300",  # the 1x1 one skipped
    "width": "600",
    "height": "300",
}


@pytest.mark.parametrize("name", ["feed.xml", "rss.xml"])
def test_every_entry_names_its_author_and_the_comment_is_what_readers_take(
    public: Path, name: str
) -> None:
    result = parsed(public / name)
    for entry, (slug, *_rest) in zip(result.entries, SITE_ENTRIES, strict=True):
        # feedparser's author: Atom's own <author> of the entry, RSS's dc:creator.
        assert entry.author == AUTHORS[slug], (name, slug)
        assert entry.authors == [{"name": AUTHORS[slug]}]
    first = result.entries[0]
    comment = '<p>A <em>fine</em> comment with <a href="https://example.com/"'
    assert comment in first.content[0].value
    if name == "feed.xml":
        # No plain-text <summary> for a reader to prefer (rss2email takes text/plain first from
        # the content and summary_detail): feedparser's summary is the content itself.
        assert first.summary == first.content[0].value and "summary_detail" not in first
        assert first.content[0].type == "text/html"
        assert b"<summary" not in (public / name).read_bytes()
    else:  # RSS: the excerpt as description, the whole entry as content:encoded
        assert first.summary == "<p>The Atom Syndication Format, and how it relates to RSS.</p>"
    assert "Source: <a" in first.content[0].value  # the provider is named in the body


@pytest.mark.parametrize("name", ["feed.xml", "rss.xml"])
def test_an_image_of_known_size_is_the_entry_thumbnail(public: Path, name: str) -> None:
    entries = parsed(public / name).entries
    assert entries[0].media_thumbnail == [THUMBNAIL]
    assert entries[0].media_content == [{**THUMBNAIL, "medium": "image"}]
    # b-json has no image; c-long's has no known size (it could be a tracking pixel).
    assert not any("media_thumbnail" in e or "media_content" in e for e in entries[1:])
    items = json.loads((public / "feed.json").read_bytes())["items"]
    assert [i.get("image") for i in items] == [THUMBNAIL["url"], None, None]
    assert [i["authors"] for i in items] == [[{"name": AUTHORS[s]}] for s, *_ in SITE_ENTRIES]


def hubs_of(out: Path) -> dict[str, list[str]]:
    """Each feed's WebSub hubs: rel="hub" links (Atom, RSS's atom:link), JSON Feed `hubs`."""
    found = {}
    for path in feed_files(out):
        if path.suffix == ".json":
            hubs = json.loads(path.read_bytes()).get("hubs", [])
            assert all(h["type"] == "WebSub" for h in hubs), path
            found[path.name] = [h["url"] for h in hubs]
        else:
            found[str(path)] = [x.href for x in parsed(path).feed.links if x.rel == "hub"]
    return found


def test_every_feed_names_the_websub_hub_when_one_is_set(
    public: Path, preview: Path, example: Path
) -> None:
    for out in (public, preview):
        hubs = hubs_of(out)
        assert len(hubs) == len(GOLDEN_NAMES) - 1  # every feed but the OPML
        assert set(map(tuple, hubs.values())) == {("https://hub.example.org/",)}
    assert set(map(tuple, hubs_of(example).values())) == {()}  # no websub_hub: no hub link


def _small_site(folder: Path, **settings: str) -> Path:
    """A site of three links written here, built into folder/out with these settings."""
    site = folder / "site"
    lines = ['title = "Small"', 'base_url = "https://example.org/links/"', 'site_id = "small"']
    lines += [f"{key} = {value}" for key, value in settings.items()]
    (site / "content").mkdir(parents=True)
    (site / "roundup.toml").write_text("\n".join(lines) + "\n", "utf-8")
    write_article(
        site / "content",
        "comment-only.md",
        'title: "Comment only"\npublishedDateTime: 2026-11-03T10:00:00Z\n'
        'originalUrl: "https://bücher.example/päth/ü?q=ü&r=ab"\n'
        'related:\n  - title: "Elsewhere"\n    originalUrl: "https://bücher.example/ä"\n',
        "See [the notes](notes.html) & ![a picture](pic.png).\n\n"
        + " ".join(f"w{n:04d}" for n in range(400))
        + "\n",
    )
    write_article(
        site / "content",
        "bare.md",
        'title: "Bare"\npublishedDateTime: 2026-11-02T10:00:00Z\noriginalUrl: "https://b.example/"',
    )
    write_article(
        site / "content",
        "ancient.md",
        'title: "Ancient"\npublishedDateTime: 0099-06-01T12:00:00Z\noriginalUrl: "https://c.example/"',
    )
    config = config_module.load(site / "roundup.toml", {}, site)
    build(config)
    return site / "output"


def test_an_entry_without_an_excerpt_is_summed_up_by_its_comment_as_text(tmp_path: Path) -> None:
    # The RSS description and the JSON Feed summary are the summary readers list, not a second
    # copy of the whole entry (which doubled rss.xml).
    out = _small_site(tmp_path)
    entries = {e.title: e for e in parsed(out / "rss.xml").entries}
    summary = entries["Comment only"].summary
    assert summary.startswith("<p>See the notes &amp; . w0000 w0001")
    assert summary.endswith("…</p>") and len(summary) <= feeds.FEED_EXCERPT + len("<p></p>")
    assert "w0399" in entries["Comment only"].content[0].value  # the whole comment is there
    items = {i["title"]: i for i in json.loads((out / "feed.json").read_bytes())["items"]}
    assert items["Comment only"]["summary"] == html.unescape(summary[3:-4])
    # Nothing to sum up: no JSON summary, and the RSS description is the short entry itself.
    assert "summary" not in items["Bare"]
    rss = etree.parse(str(out / "rss.xml"))
    bare = rss.xpath("//item[title='Bare']")[0]
    assert bare.findtext("description").startswith('<p>Source: <a href="https://b.example/">')
    encoded = bare.findtext("{http://purl.org/rss/1.0/modules/content/}encoded")
    assert encoded == bare.findtext("description")


def test_rss_dates_have_four_digit_years_and_feed_links_are_uris(tmp_path: Path) -> None:
    out = _small_site(tmp_path)
    rss = etree.parse(str(out / "rss.xml"))
    # feedgen writes the year 99 as "99", which readers take for 1999.
    ancient_date = rss.xpath("//item[title='Ancient']/pubDate/text()")
    assert ancient_date == ["Mon, 01 Jun 0099 12:00:00 +0000"]
    assert rss.xpath("//item[title='Bare']/pubDate/text()") == ["Mon, 02 Nov 2026 10:00:00 +0000"]
    ancient = {e.title: e for e in parsed(out / "rss.xml").entries}["Ancient"]
    assert ancient.published_parsed[:3] == (99, 6, 1)
    # An IRI is no RSS link, nor a JSON Feed URL; Atom takes IRIs, but some readers and
    # proxies mishandle them, and README promises feeds in ASCII: a URI in every feed.
    uri = "https://xn--bcher-kva.example/p%C3%A4th/%C3%BC?q=%C3%BC&r=ab"
    assert rss.xpath("//item[title='Comment only']/link/text()") == [uri]
    items = {i["title"]: i for i in json.loads((out / "feed.json").read_bytes())["items"]}
    assert items["Comment only"]["external_url"] == uri
    body = items["Comment only"]["content_html"]
    assert f'Source: <a href="{uri.replace("&", "&amp;")}">' in body
    assert '<a href="https://xn--bcher-kva.example/%C3%A4">Elsewhere</a>' in body
    atom = {e.title: e for e in parsed(out / "feed.xml").entries}
    assert atom["Comment only"].link == uri


def test_the_editions_feed_shows_a_comment_as_the_other_feeds_do(tmp_path: Path) -> None:
    out = _small_site(tmp_path, editions='"week"')
    bodies = []
    for name in ("feed.xml", "editions.xml"):
        content = next(
            e.content[0].value for e in parsed(out / name).entries if "See " in e.content[0].value
        )
        bodies.append(content)
        assert "See the notes &amp; ." in content, name  # relative: the link's text alone
        assert "notes.html" not in content and "pic.png" not in content, name
