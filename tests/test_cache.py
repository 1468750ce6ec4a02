"""The parse cache: what it keeps, how it is read back, and when it is ignored."""

from __future__ import annotations

import dataclasses
import os
import pickle
from datetime import UTC
from pathlib import Path

import pytest

from roundup.cache import (
    CACHE_DIR,
    LEGACY_FILE,
    ParseCache,
    Result,
    dump,
    for_storage,
    shard_of_source,
)
from roundup.collection import Keys, keys_of
from roundup.content import Parsed, parse_bytes
from roundup.model import Article
from roundup.stored import BODY, Draft, LazyArticle, load

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


def get(cache: ParseCache, source: str, stat: tuple[int, int]) -> tuple[Result, Keys] | None:
    return cache.lookup({source: stat}).get(source)


def commit(state: Path, plan: dict[str, Path | None]) -> None:
    """What the writer does with a plan on commit."""
    for name, staged in plan.items():
        target = state / name
        if staged is None:
            target.unlink(missing_ok=True)
        else:
            target.parent.mkdir(exist_ok=True)
            os.replace(staged, target)


def sources_in_other_shards(count: int) -> list[str]:
    found: dict[str, str] = {}
    for number in range(1000):
        found.setdefault(shard_of_source(f"{number}.md"), f"{number}.md")
    return sorted(found.values())[:count]


def test_entries_are_read_back_by_path_size_and_modification_time(tmp_path: Path) -> None:
    staging = tmp_path / "staging"
    staging.mkdir()
    first = ParseCache(tmp_path, "UTC")
    assert first.old == {} and not first.changed()
    result = parsed()
    keys = keys_of(result.article)
    a, b, bad = sources_in_other_shards(3)
    first.put(a, (10, 20), dump(result), keys)
    first.put(bad, (1, 2), None, Keys("", ""))
    first.put(b, (30, 40), dump(parsed(source=b)), Keys("b", "x"))
    assert first.changed()
    plan = first.save(staging)
    assert plan[f"{CACHE_DIR}/{shard_of_source(bad)}"] is None  # nothing to keep there
    commit(tmp_path, plan)

    second = ParseCache(tmp_path, "UTC")
    assert get(second, a, (10, 21)) is None  # touched since
    assert get(second, a, (10, 20)) == (result, keys)
    assert second.changed()  # b was not met again: its shard goes
    assert second.save(staging) == {f"{CACHE_DIR}/{shard_of_source(b)}": None}
    commit(tmp_path, {f"{CACHE_DIR}/{shard_of_source(b)}": None})

    third = ParseCache(tmp_path, "UTC")
    assert get(third, a, (10, 20)) == (result, keys) and get(third, b, (30, 40)) is None
    assert not third.changed()
    assert get(ParseCache(tmp_path, "Europe/Berlin"), a, (10, 20)) is None  # other settings


def test_a_build_rewrites_only_the_shards_it_changed(tmp_path: Path) -> None:
    staging = tmp_path / "staging"
    staging.mkdir()
    sources = sources_in_other_shards(5)
    cache = ParseCache(tmp_path, "UTC")
    for source in sources:
        cache.put(source, (1, 1), dump(parsed(source=source)), Keys(source, "k"))
    commit(tmp_path, cache.save(staging))
    cache = ParseCache(tmp_path, "UTC")
    for source in sources:
        assert get(cache, source, (1, 1)) is not None
    cache.put(sources[2], (2, 2), dump(parsed(source=sources[2])), Keys(sources[2], "k"))
    assert list(cache.save(staging)) == [f"{CACHE_DIR}/{shard_of_source(sources[2])}"]


def test_the_single_file_of_earlier_versions_is_removed(tmp_path: Path) -> None:
    (tmp_path / LEGACY_FILE).write_bytes(b"old results, perhaps with a draft's text")
    cache = ParseCache(tmp_path, "UTC")
    assert cache.changed()
    assert cache.save(tmp_path) == {LEGACY_FILE: None}


def test_a_damaged_cache_only_costs_a_full_parse(tmp_path: Path) -> None:
    staging = tmp_path / "staging"
    staging.mkdir()
    cache = ParseCache(tmp_path, "UTC")
    cache.put("a.md", (1, 2), dump(parsed()), Keys("a", "k"))
    commit(tmp_path, cache.save(staging))
    shard = tmp_path / CACHE_DIR / shard_of_source("a.md")
    data = shard.read_bytes()
    for broken in (b"", data[:30], data[:-50], b"x" + data, data[:40] + b"\xff" * 20 + data[60:]):
        shard.write_bytes(broken)
        cache = ParseCache(tmp_path, "UTC")
        assert get(cache, "a.md", (1, 2)) is None
        assert cache.changed()  # and so it is written again


def test_cached_articles_decode_their_text_on_first_use() -> None:
    result = parsed()
    again = load(dump(result))
    article = again.article
    assert isinstance(article, LazyArticle) and article.slug == "a"
    assert object.__getattribute__(article, "_body")  # not decoded yet
    assert article.title == "A title" and article.related == result.article.related
    assert all(getattr(article, name) == getattr(result.article, name) for name in BODY)
    assert article == result.article and result.article == article
    assert hash(article) == hash(result.article)
    renamed = dataclasses.replace(load(dump(result)).article, slug="b")
    assert renamed.slug == "b" and renamed.title == "A title"
    plain = pickle.loads(pickle.dumps(load(dump(result)).article))
    assert type(plain) is Article and plain == result.article
    with pytest.raises(AttributeError):
        load(dump(result)).article.no_such_field  # noqa: B018


def test_a_library_upgrade_changes_the_code_digest(monkeypatch: pytest.MonkeyPatch) -> None:
    # A new Markdown could render a cached comment differently: nothing cached may survive it.
    import markdown

    from roundup.cache import code_digest

    before = code_digest()
    code_digest.cache_clear()
    monkeypatch.setattr(markdown, "__version__", markdown.__version__ + ".post1")
    try:
        assert code_digest() != before
    finally:
        code_digest.cache_clear()
