"""The parse cache: what it keeps, how it is read back, and when it is ignored."""

from __future__ import annotations

import pickle
from datetime import UTC
from pathlib import Path

from roundup.cache import CACHE_FILE, Draft, ParseCache, dump, for_storage, load
from roundup.collection import Keys, keys_of
from roundup.content import Parsed, parse_bytes

FULL = """---
title: "A title"
publishedDateTime: 2020-09-21T20:42:00
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
secured: "kept as extra data"
excerpts: "a typo: warned, kept"
---
A *comment*.
"""


def parsed(text: str = FULL, source: str = "a.md") -> Parsed:
    return parse_bytes(text.encode(), source, UTC)


def test_results_come_back_equal_field_for_field() -> None:
    result = parsed()
    assert result.article is not None and result.warnings  # "excerpts" is a warning
    again = load(dump(result))
    assert again == result
    assert again.article.extra == result.article.extra  # not compared by ==
    assert again.article.lines == result.article.lines
    # The cache's own pickling changes nothing for anyone else's.
    assert pickle.loads(pickle.dumps(result)) == result


def test_a_public_build_stores_a_draft_as_a_stub() -> None:
    draft = parsed(FULL.replace("quality: 3", "published: false"))
    stub = for_storage(draft, public=True)
    assert isinstance(stub, Draft)
    assert (stub.source, stub.slug, stub.warnings) == ("a.md", "a", tuple(draft.warnings))
    assert keys_of(stub) == keys_of(draft.article)
    assert b"A title" not in dump(stub) and b"example.com" not in dump(stub)
    assert for_storage(draft, public=False) is draft
    assert for_storage(parsed("---\ntitle: x\n---\n"), public=True) is None  # errors: not kept


def test_entries_are_read_back_by_path_size_and_modification_time(tmp_path: Path) -> None:
    first = ParseCache(tmp_path, "UTC")
    assert first.old == {} and not first.changed()
    result = parsed()
    keys = keys_of(result.article)
    first.put("a.md", (10, 20), dump(result), keys)
    first.put("bad.md", (1, 2), None, Keys("", ""))
    first.put("b.md", (30, 40), dump(parsed(source="b.md")), Keys("b", "x"))
    assert first.changed()
    first.save(tmp_path / CACHE_FILE)

    second = ParseCache(tmp_path, "UTC")
    assert sorted(second.old) == ["a.md", "b.md"]
    assert second.get("a.md", (10, 21)) is None  # touched since
    assert second.get("a.md", (10, 20)) == (result, keys)
    assert second.changed()  # b.md was not met again: it is dropped
    second.save(tmp_path / CACHE_FILE)

    third = ParseCache(tmp_path, "UTC")
    assert list(third.old) == ["a.md"] and third.get("a.md", (10, 20)) == (result, keys)
    assert ParseCache(tmp_path, "Europe/Berlin").old == {}  # other settings: other results


def test_a_damaged_cache_only_costs_a_full_parse(tmp_path: Path) -> None:
    cache = ParseCache(tmp_path, "UTC")
    cache.put("a.md", (1, 2), dump(parsed()), Keys("a", "k"))
    cache.save(tmp_path / CACHE_FILE)
    data = (tmp_path / CACHE_FILE).read_bytes()
    for broken in (b"", data[:30], data[:-50], b"x" + data, data[:40] + b"\xff" * 20 + data[60:]):
        (tmp_path / CACHE_FILE).write_bytes(broken)
        cache = ParseCache(tmp_path, "UTC")
        assert cache.get("a.md", (1, 2)) is None
