"""The parse cache: what it keeps, how it is read back, and when it is ignored."""

from __future__ import annotations

import os
import pickle
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import UTC
from pathlib import Path

import msgspec
import pytest

from roundup.core import config as config_module
from roundup.core.model import Article
from roundup.read import cache as cache_module
from roundup.read import stored
from roundup.read.cache import FORMAT, ParseCache, ParseMemory, shard_of_source
from roundup.read.collection import Keys, keys_of
from roundup.read.content import Parsed, parse_bytes
from roundup.read.spill import Spill, remove_own
from roundup.site import pages
from roundup.site.structure import build_site, make_item

FULL = """---
title: "A title"
publishedDateTime: 2020-09-21T20:42:00+02:00
originalUrl: https://example.com/a
provider: {name: Example, domain: example.com}
topics: [AI, Feeds]
images: [{url: "https://example.com/a.png", width: 640, height: 480}]
related:
  - title: Elsewhere
    webUrl: https://example.org/b
    publishedDateTime: 2020-09-20
    provider: {name: Org, domain: example.org}
quality: 3
heat: 2.5
secured: "kept as extra data"
nested: {list: [1, 2.5, null, true], text: "x"}
excerpts: "a typo: warned, kept"
---
A *comment*.
"""


def parsed(text: str = FULL, source: str = "a.md") -> Parsed:
    return parse_bytes(text.encode(), source, UTC)


def article_of(result: Parsed) -> Article:
    """The result's article, which the test expects there to be."""
    assert result.article is not None, result.errors
    return result.article


def test_results_come_back_equal_field_for_field() -> None:
    result = parsed()
    assert result.article is not None and result.warnings  # "excerpts" is a warning
    assert stored.storable(result)
    again = stored.load(stored.dump(result))
    assert again == result
    article, original = article_of(again), article_of(result)
    assert article.extra == original.extra and article.lines == original.lines  # not in ==
    # Dates keep their own offset (pages print a related link's date with it), numbers
    # their kind.
    assert article.published_at.isoformat() == original.published_at.isoformat()
    assert [r.published_at and r.published_at.isoformat() for r in article.related] == [
        r.published_at and r.published_at.isoformat() for r in original.related
    ]
    assert [type(x) for x in (article.quality, article.heat)] == [
        type(x) for x in (original.quality, original.heat)
    ]


def test_cached_articles_decode_their_text_on_first_use() -> None:
    result = parsed()
    original = article_of(result)
    article = stored.load(stored.dump(result)).article
    assert isinstance(article, stored.LazyArticle) and article.slug == "a"
    assert object.__getattribute__(article, "_body")  # not decoded yet
    assert article.title == "A title" and article.related == original.related
    assert all(getattr(article, name) == getattr(original, name) for name in stored.BODY)
    assert article == original and original == article
    assert hash(article) == hash(original)
    plain = pickle.loads(pickle.dumps(stored.load(stored.dump(result)).article))
    assert type(plain) is Article and plain == result.article
    with pytest.raises(AttributeError):
        getattr(article_of(stored.load(stored.dump(result))), "no_such_field")  # noqa: B009


@pytest.mark.parametrize("text", [FULL, FULL.split("\n---\n")[0] + "\n---\n"])
def test_whether_an_article_has_a_comment_is_known_without_reading_its_text(text: str) -> None:
    result = parsed(text)
    assert result.article is not None
    commented = bool(result.article.comment_html)
    stored.compact(True)  # bodies stay encoded: reading one would decode it
    try:
        article = stored.load(stored.dump(result)).article
        assert article is not None and article.has_comment is commented
        assert "_body" in dir(article) and object.__getattribute__(article, "_body")  # not read
        assert replace(article, published=False).has_comment is commented  # made whole
    finally:
        stored.compact(False)


@pytest.mark.parametrize(
    ("body", "fits"),
    [
        ("A short comment.", True),
        ("\n\n".join(f"Paragraph {n} of a long comment." for n in range(60)), False),
        ("".join(f"- item {n}\n" for n in range(20)), False),  # short, but 21 elements
    ],
)
def test_whether_the_lists_show_a_comment_whole_is_known_without_reading_it(
    body: str, fits: bool
) -> None:
    # Which items get a page of their own, and the size warning's estimates, depend on it
    # for every article: at 100,000 articles, reading each text to know took 1.5 s.
    result = parsed(FULL.split("\n---\n")[0] + "\n---\n" + body)
    assert result.article is not None and result.article.fits_lists is fits
    stored.compact(True)
    try:
        article = stored.load(stored.dump(result)).article
        assert article is not None and article.fits_lists is fits
        assert object.__getattribute__(article, "_body")  # not read
        assert replace(article, published=False).fits_lists is fits  # made whole
    finally:
        stored.compact(False)


@pytest.mark.parametrize("compact", [False, True])
def test_a_body_is_stored_as_json_in_any_build(compact: bool) -> None:
    stored.compact(compact)
    try:
        data = stored.dump(parsed())
    finally:
        stored.compact(False)
    body = msgspec.msgpack.decode(data)[-1]
    assert msgspec.json.decode(body)[0] == "A title"  # plain JSON, title first (BODY's order)
    assert stored.load(data).article == parsed().article


@pytest.mark.parametrize(
    "damage", [lambda b: b.replace(b'"A title"', b"42"), lambda b: b[:-3], lambda b: b""]
)
def test_a_damaged_body_is_found_when_first_read(damage: Callable[[bytes], bytes]) -> None:
    *rest, body = msgspec.msgpack.decode(stored.dump(parsed()))
    data = msgspec.msgpack.encode((*rest, damage(body)))
    article = article_of(stored.load(data))  # the head is fine
    with pytest.raises(stored.DamagedEntry) as damaged:
        article.title  # noqa: B018
    assert damaged.value.source == "a.md"


def test_the_cache_holds_data_not_code(tmp_path: Path) -> None:
    cache = ParseCache(tmp_path, "UTC")
    cache.put("a.md", (1, 2), stored.dump(parsed()), Keys("a", "k"))
    cache.save()
    shard = tmp_path / shard_of_source("a.md")
    data = msgspec.msgpack.decode(shard.read_bytes())  # plain data, readable by anything
    assert data["format"] == FORMAT and "a.md" in data["entries"]
    with pytest.raises((pickle.UnpicklingError, ValueError)):
        pickle.loads(shard.read_bytes())


def test_what_json_cannot_carry_exactly_is_not_stored() -> None:
    assert not stored.storable(parsed(FULL.replace("quality: 3", "odd: .nan")))
    assert not stored.storable(parsed("---\ntitle: x\n---\n"))  # errors: shown again next time


def get(cache: ParseCache, source: str, stat: tuple[int, int]) -> tuple[Parsed, Keys] | None:
    return cache.lookup({source: stat}).get(source)


def sources_in_other_shards(count: int) -> list[str]:
    found: dict[str, str] = {}
    for number in range(1000):
        found.setdefault(shard_of_source(f"{number}.md"), f"{number}.md")
    return sorted(found.values())[:count]


def test_entries_are_read_back_by_path_size_and_modification_time(tmp_path: Path) -> None:
    first = ParseCache(tmp_path, "UTC")
    assert first.old == {} and not first.changed()
    result = parsed()
    keys = keys_of(article_of(result))
    a, b, bad = sources_in_other_shards(3)
    first.put(a, (10, 20), stored.dump(result), keys)
    first.put(bad, (1, 2), None, Keys("", ""))
    first.put(b, (30, 40), stored.dump(parsed(source=b)), Keys("b", "x"))
    assert first.changed()
    first.save()
    assert not (tmp_path / shard_of_source(bad)).exists()  # nothing to keep there

    second = ParseCache(tmp_path, "UTC")
    assert get(second, a, (10, 21)) is None  # touched since
    assert get(second, a, (10, 20)) == (result, keys)
    assert second.changed()  # b was not met again: its shard goes
    second.save()
    assert not (tmp_path / shard_of_source(b)).exists()

    third = ParseCache(tmp_path, "UTC")
    found = third.lookup({a: (10, 20), b: (30, 40)})  # a build asks once, for every file
    assert found == {a: (result, keys)}
    assert not third.changed()
    assert get(ParseCache(tmp_path, "Europe/Berlin"), a, (10, 20)) is None  # other settings


def test_a_build_rewrites_only_the_shards_it_changed(tmp_path: Path) -> None:
    sources = sources_in_other_shards(5)
    cache = ParseCache(tmp_path, "UTC")
    for source in sources:
        cache.put(source, (1, 1), stored.dump(parsed(source=source)), Keys(source, "k"))
    cache.save()
    times = {p.name: p.stat().st_mtime_ns for p in tmp_path.iterdir()}
    cache = ParseCache(tmp_path, "UTC")
    assert len(cache.lookup(dict.fromkeys(sources, (1, 1)))) == len(sources)
    changed = sources[2]
    cache.put(changed, (2, 2), stored.dump(parsed(source=changed)), Keys(changed, "k"))
    os.utime(tmp_path / shard_of_source(changed), ns=(1, 1))  # to see it rewritten
    cache.save()
    after = {p.name: p.stat().st_mtime_ns for p in tmp_path.iterdir()}
    assert {n for n in after if after[n] != times[n]} == {shard_of_source(changed)}


def test_a_process_that_remembers_reads_only_the_shards_of_changed_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sources = sources_in_other_shards(4)
    first = ParseCache(tmp_path, "UTC")
    for source in sources:
        first.put(source, (1, 1), stored.dump(parsed(source=source)), Keys(source, "k"))
    first.save()
    memory = ParseMemory()
    stats = dict.fromkeys(sources, (1, 1))
    cold = ParseCache(tmp_path, "UTC", memory=memory)
    results = cold.lookup(stats)  # the first build of the process reads everything
    assert len(results) == 4 and len(memory.results) == 4
    cold.save()
    read: list[str] = []
    real_read = cache_module._read_shard

    def reading(path: Path, salt: str) -> object:
        read.append(path.name)
        return real_read(path, salt)

    monkeypatch.setattr(cache_module, "_read_shard", reading)
    edited, deleted = sources[1], sources[3]
    stats[edited] = (2, 2)
    del stats[deleted]
    warm = ParseCache(tmp_path, "UTC", memory=memory)
    found = warm.lookup(stats)
    assert read == [shard_of_source(edited)]  # only where the cache could not answer
    assert set(found) == {sources[0], sources[2]}
    assert found[sources[0]][0] is results[sources[0]][0]  # the very same objects
    new = parsed(FULL.replace("A title", "Edited"), source=edited)
    warm.put(edited, (2, 2), stored.dump(new), Keys(edited, "k"), new)
    warm.save()
    assert not (tmp_path / shard_of_source(deleted)).exists()
    again = ParseCache(tmp_path, "UTC").lookup(stats)
    assert article_of(again[edited][0]).title == "Edited" and deleted not in again
    assert set(again) == set(stats)


def _with_a_bad_head(shard: bytes) -> bytes:
    """The shard with its entry's link (in the head) a number instead of text."""
    data = msgspec.msgpack.decode(shard)
    offset, length = data["entries"]["a.md"][4:]
    entry = msgspec.msgpack.decode(data["results"][offset : offset + length])
    entry[0][3] = 42
    data["results"] = msgspec.msgpack.encode(entry)  # the shard's only entry
    data["entries"]["a.md"][5] = len(data["results"])
    return msgspec.msgpack.encode(data)


@pytest.mark.parametrize("how", ["empty", "truncated", "garbage", "foreign", "bad entry"])
def test_a_damaged_cache_costs_a_warning_and_a_parse(
    tmp_path: Path, how: str, caplog: pytest.LogCaptureFixture
) -> None:
    cache = ParseCache(tmp_path, "UTC")
    cache.put("a.md", (1, 2), stored.dump(parsed()), Keys("a", "k"))
    cache.save()
    shard = tmp_path / shard_of_source("a.md")
    data = shard.read_bytes()
    broken = {
        "empty": b"",
        "truncated": data[: len(data) // 2],
        "garbage": b"\x80\x04\x95junk" + data,
        "foreign": b'{"entries": [1, 2, 3]}',
        "bad entry": _with_a_bad_head(data),
    }[how]
    shard.write_bytes(broken)
    cache = ParseCache(tmp_path, "UTC")
    assert get(cache, "a.md", (1, 2)) is None
    assert cache.changed()  # and so it is written again
    assert "parse cache" in caplog.text


def test_a_library_upgrade_changes_the_code_digest(monkeypatch: pytest.MonkeyPatch) -> None:
    # A new Markdown could render a cached comment differently: nothing cached may survive it.
    import markdown

    from roundup.read.cache import code_digest

    before = code_digest()
    code_digest.cache_clear()
    monkeypatch.setattr(markdown, "__version__", markdown.__version__ + ".post1")
    try:
        assert code_digest() != before
    finally:
        code_digest.cache_clear()


@pytest.fixture
def compact_build() -> Iterator[None]:
    """A build as big sites are built (see `stored.compact`), for the length of a test."""
    stored.compact(True)
    yield
    stored.compact(False)


def _body_place(article: Article | None) -> object:
    assert article is not None
    return object.__getattribute__(article, "_body")


def _same_shard_sources(count: int) -> list[str]:
    """Article paths that all land in one shard file."""
    found: list[str] = []
    number = 0
    while len(found) < count:
        source = f"{number}.md"
        if shard_of_source(source) == shard_of_source("0.md"):
            found.append(source)
        number += 1
    return found


@pytest.mark.usefixtures("compact_build")
def test_a_compact_build_reads_bodies_from_the_cache_file_not_memory(tmp_path: Path) -> None:
    first, second = _same_shard_sources(2)
    texts = {s: FULL.replace("A title", f"Title of {s}") for s in (first, second)}
    fresh = {s: stored.load(stored.dump(parsed(texts[s], s))) for s in texts}
    cache = ParseCache(tmp_path, "UTC")
    for source, result in fresh.items():
        cache.put(
            source, (1, 1), stored.dump(parsed(texts[source], source)), Keys(source, "k"), result
        )
    cache.save()
    # Parsed this build: once written, its body is read from the file, not kept in memory.
    assert isinstance(_body_place(fresh[first].article), stored.BodyAt)
    found = ParseCache(tmp_path, "UTC").lookup(dict.fromkeys(texts, (1, 1)))
    loaded = found[first][0].article
    assert isinstance(_body_place(loaded), stored.BodyAt)
    # The shard is written again (the other article edited): what was read stays right.
    edited = parsed(texts[second].replace("Title of", "Edited"), second)
    again = ParseCache(tmp_path, "UTC")
    again.lookup(dict.fromkeys(texts, (1, 1)) | {second: (2, 2)})
    assert all(shard.results is None for shard in again.old.values())  # not kept in memory
    again.put(second, (2, 2), stored.dump(edited), Keys(second, "k"), edited)
    again.save()
    for article in (loaded, fresh[first].article):
        assert article is not None
        assert (
            article.title == f"Title of {first}"
            and article.comment_html == "<p>A <em>comment</em>.</p>"
        )
        assert article == parsed(texts[first], first).article
    later = ParseCache(tmp_path, "UTC").lookup(dict.fromkeys(texts, (1, 1)) | {second: (2, 2)})
    assert article_of(later[second][0]).title == f"Edited {second}"
    # Copied over from the file it was in (its bytes were let go of after loading it).
    assert article_of(later[first][0]).title == f"Title of {first}"


@pytest.mark.usefixtures("compact_build")
def test_a_cache_file_cut_short_under_a_compact_build_is_a_damaged_entry(tmp_path: Path) -> None:
    cache = ParseCache(tmp_path, "UTC")
    cache.put("a.md", (1, 1), stored.dump(parsed()), Keys("a", "k"))
    cache.save()
    article = article_of(ParseCache(tmp_path, "UTC").lookup({"a.md": (1, 1)})["a.md"][0])
    shard = tmp_path / shard_of_source("a.md")
    os.truncate(shard, shard.stat().st_size - 10)  # cut in place, under the open file
    with pytest.raises(stored.DamagedEntry):
        article.title  # noqa: B018


def test_articles_of_one_source_share_its_provider() -> None:
    first = stored.load(stored.dump(parsed(source="a.md"))).article
    second = stored.load(stored.dump(parsed(FULL.replace("A title", "B"), "b.md"))).article
    assert first is not None and second is not None
    assert first.provider == second.provider and first.provider is second.provider


def test_planning_the_pages_reads_no_article_text(tmp_path: Path) -> None:
    # After one edit every page of the site is planned and fingerprinted, and only a few
    # are made: the plan (top stories, pagers, sources) must leave the texts unread.
    articles = []
    for number in range(40):
        text = FULL.replace("A title", f"Title {number}").replace("heat: 2.5", f"heat: {number}")
        text = text.replace("20:42", f"{number % 24:02}:42")
        article = stored.load(stored.dump(parsed(text, f"{number}.md"))).article
        assert article is not None
        articles.append(article)
    config = config_module.load(None, {"base_url": "https://example.org/"}, tmp_path)
    site = build_site(articles, config, preview=False)
    planned = list(pages.list_pages(site))
    assert any(page.context.get("top") for page in planned)  # top stories were chosen
    assert all(stored.body_length(a) is not None for a in articles)  # still encoded


@pytest.mark.usefixtures("compact_build")
def test_a_spilled_result_reads_back_whole_and_its_file_goes(tmp_path: Path) -> None:
    spill = Spill(tmp_path / "parsed", 1, os.getpid())
    first, second = parsed(), parsed(FULL.replace("A title", "Second"), "b.md")
    places = [spill.add(stored.dump(first)), spill.add(stored.dump(second))]
    spill.close()
    assert all(place is not None for place in places)
    path, offset, length = places[1]  # type: ignore[misc]
    result, where = stored.load_at(stored.OpenFile(path), offset, length)
    assert result.article == second.article and result.warnings == second.warnings
    assert isinstance(_body_place(result.article), stored.BodyAt)  # the text stays there
    assert where.read() == stored.dump(second)  # what the cache copies into its shard
    remove_own(tmp_path / "parsed", os.getpid())
    assert not Path(path).exists()
    assert result.article is not None and result.article.title == "Second"  # still open


def test_a_spill_that_cannot_be_written_hands_results_back(tmp_path: Path) -> None:
    (tmp_path / "a file").write_text("not a folder")
    spill = Spill(tmp_path / "a file" / "parsed", 1, os.getpid())
    assert spill.add(stored.dump(parsed())) is None  # the caller sends the bytes instead
    spill.close()


def test_items_compare_by_identity_without_reading_texts() -> None:
    stored.compact(True)  # texts stay encoded: reading one would decode it
    try:
        data = stored.dump(parsed())
        first, second = (stored.load(data).article for _ in range(2))
        assert first is not None and second is not None and first == second  # equal articles
        when = first.published_at
        one, other = make_item(first, when, ()), make_item(second, when, ())
        assert one == one and one != other and len({one, other, one}) == 2
        for article in (first, second):  # neither text was decoded to tell them apart
            assert object.__getattribute__(article, "_body")
    finally:
        stored.compact(False)


def test_temporary_files_of_stopped_builds_go_those_of_running_ones_stay(tmp_path: Path) -> None:
    # A build stopped by Ctrl-C or killed leaves its spill files (10-20 MB each at 30,000
    # articles) and perhaps a shard half written; the next build to save the cache removes
    # them, once the process they are named after has ended.
    ended = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                           capture_output=True, text=True, check=True)  # fmt: skip
    gone = int(ended.stdout)
    with subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"]) as running:
        try:
            names = {
                f"spill.{gone}.1.tmp": False, f"00.mpk.{gone}.tmp": False,
                f"spill.{running.pid}.1.tmp": True, f"ab.mpk.{running.pid}.tmp": True,
                "notes.tmp": True,  # not a name roundup gives: left alone
            }  # fmt: skip
            for name in names:
                (tmp_path / name).write_bytes(b"x" * 100)
            cache = ParseCache(tmp_path, "UTC")
            cache.put("a.md", (1, 2), stored.dump(parsed()), Keys("a", "k"))
            cache.save()
            assert {name: (tmp_path / name).exists() for name in names} == names
        finally:
            running.kill()
