"""Slugs: ASCII, lower-case, never empty or a path trick, unique and the same on every build."""

from __future__ import annotations

import pytest

from roundup.core.slugs import check_slug, slug_or_hash, slugify, unique_slugs


@pytest.mark.parametrize(
    ("name", "slug"),
    [("Hello, World!", "hello-world"), ("C++", "c-plus-plus"), ("C#", "c-sharp"), ("C", "c"),
     ("R&D", "r-and-d"), ("Café", "cafe"), ("Cafe\u0301", "cafe"), ("..", ""), ("/", ""),
     ("日本語", ""), ("  --x--  ", "x")],
)  # fmt: skip
def test_slugify(name: str, slug: str) -> None:
    assert slugify(name) == slug


def test_names_without_latin_letters_get_a_stable_hashed_slug() -> None:
    for name in ("日本語", "العربية", "Москва", "..", "???"):
        slug = slug_or_hash(name, "topic")
        assert slug == slug_or_hash(name, "topic") and slug.startswith("topic-")
    assert slug_or_hash("日本語", "topic") != slug_or_hash("中文", "topic")


def test_long_names_stay_well_under_a_path_segment() -> None:
    assert len(slugify("word " * 200).encode()) <= 80
    assert slug_or_hash("\udcff broken file name", "item")  # undecodable names do not crash


def test_names_that_slugify_alike_get_distinct_stable_slugs() -> None:
    names = ["C++", "C#", "C", "Rust/Wasm", "Rust Wasm", "index"]
    slugs = unique_slugs(names, "topic", reserved=("index",))
    assert len(set(slugs.values())) == len(names)
    assert slugs["C++"] == "c-plus-plus" and slugs["C"] == "c"
    assert slugs["Rust Wasm"] == "rust-wasm" and slugs["Rust/Wasm"].startswith("rust-wasm-")
    assert slugs["index"].startswith("index-")
    assert unique_slugs(reversed(names), "topic", reserved=("index",)) == slugs


@pytest.mark.parametrize(
    "slug", ["", ".", "..", "../x", "a/b", "My-Post", "my post", "my--post", "-x", "é", "a" * 256]
)
def test_written_slugs_that_are_refused(slug: str) -> None:
    assert check_slug(slug)


@pytest.mark.parametrize("slug", ["a", "my-post-2", "2020", "a" * 255])
def test_written_slugs_that_are_fine(slug: str) -> None:
    assert check_slug(slug) is None


def test_refusals_suggest_a_usable_slug() -> None:
    assert check_slug("My Great Post") == (
        "'My Great Post' is not a usable slug: use lower-case ASCII letters, digits and "
        "single hyphens, such as my-great-post"
    )
