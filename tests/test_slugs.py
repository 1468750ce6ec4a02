"""Slugs: ASCII, lower-case, never empty or a path trick, unique and the same on every build."""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from roundup.core.slugs import check_slug, short_hash, slug_or_hash, slugify, unique_slugs

from conftest import CLI, SHOWCASE, build_folder, files_of, parse_html, write_article


@pytest.mark.parametrize(
    ("name", "slug"),
    [("Hello, World!", "hello-world"), ("C++", "c-plus-plus"), ("C#", "c-sharp"), ("C", "c"),
     ("R&D", "r-and-d"), ("Café", "cafe"), ("Cafe\u0301", "cafe"), ("..", ""), ("/", ""),
     ("  --x--  ", "x"), ("1,000 days", "1-000-days"), ("AT&amp;T", "at-and-amp-t"),
     ("Straße", "strasse"), ("Łódź", "lodz"), ("Ærø", "aero"), ("Ελληνικά", "ellenika"),
     ("Москва", "moskva"), ("日本語", "ri-ben-yu"), ("한국어", "hangugeo"), ("😀", "")],
)  # fmt: skip
def test_slugify(name: str, slug: str) -> None:
    assert slugify(name) == slug


# roundup 0.1's slugify, kept here as the reference: ASCII names keep the slugs (and so the
# URLs) they had before slugs were transliterated.
_OLD_NON_WORD = re.compile(r"[^a-z0-9]+")
_OLD_SYMBOLS = {"+": " plus ", "#": " sharp ", "&": " and ", "@": " at "}


def _old_slugify(text: str) -> str:
    text = unicodedata.normalize("NFKD", text.lower())
    for symbol, word in _OLD_SYMBOLS.items():
        text = text.replace(symbol, word)
    ascii_text = text.encode("ascii", "ignore").decode("ascii")
    slug = _OLD_NON_WORD.sub("-", ascii_text).strip("-")
    return slug[:80].rstrip("-") if len(slug) > 80 else slug


@given(st.text(st.characters(max_codepoint=0x7F), max_size=120))
def test_ascii_names_keep_the_slugs_they_had(name: str) -> None:
    assert slugify(name) == _old_slugify(name)


@given(st.text(st.sampled_from("aZ09 -_,.'&+#@/:;!?\"\t"), max_size=100))
def test_ascii_punctuation_keeps_the_slugs_it_had(name: str) -> None:
    assert slugify(name) == _old_slugify(name)


# The topic URLs of the example site (content/, copied as tests/fixtures/showcase/) when
# slugs were not yet transliterated; all its topics are ASCII, so none may move.
SHOWCASE_TOPICS = {
    "AI": "topics/ai/",
    "Accessibility": "topics/accessibility/",
    "Computer Vision": "topics/computer-vision/",
    "Dates & Times": "topics/dates-and-times/",
    "Deployment": "topics/deployment/",
    "Feeds": "topics/feeds/",
    "Markup": "topics/markup/",
    "Python": "topics/python/",
    "Static Sites": "topics/static-sites/",
    "Web Standards": "topics/web-standards/",
}


def test_the_example_sites_topic_urls_do_not_move(tmp_path: Path) -> None:
    assert {f"topics/{_old_slugify(n)}/" for n in SHOWCASE_TOPICS} == set(SHOWCASE_TOPICS.values())
    out, result = build_folder(SHOWCASE, tmp_path / "out", True, cache_dir=str(tmp_path / "c"))
    built = {f"topics/{p.name}/" for p in (out / "topics").iterdir() if p.is_dir()}
    assert built == set(SHOWCASE_TOPICS.values())
    assert not [w for w in result.warnings if w.field == "topics"]


def test_names_with_nothing_to_transliterate_get_a_stable_hashed_slug() -> None:
    for name in ("😀", "..", "???", "\u200b"):
        slug = slug_or_hash(name, "topic")
        assert slug == slug_or_hash(name, "topic") and slug.startswith("topic-")
    assert slug_or_hash("😀", "topic") != slug_or_hash("🎉", "topic")


def test_every_script_gets_a_readable_slug_of_its_own() -> None:
    names = ["日本語", "中文", "한국어", "Русский", "العربية", "עברית", "ελληνικά", "हिन्दी"]
    slugs = unique_slugs(names, "topic")
    assert len(set(slugs.values())) == len(names)
    assert not [s for s in slugs.values() if s.startswith("topic-")]  # no hash: words
    assert slugs["中文"] == "zhong-wen" and slugs["Русский"] == "russkii"


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


def _topic_site(folder: Path, topics: dict[str, list[str]]) -> Path:
    for index, (name, names) in enumerate(topics.items()):
        listed = "".join(f'\n  - "{n}"' for n in names)
        front = (
            f"title: Link {index}\npublishedDateTime: 2026-03-0{index + 1}T10:00:00Z\n"
            f"originalUrl: https://example.org/{index}\ntopics:{listed}"
        )
        write_article(folder / "content", name, front)
    return folder


def test_topics_that_slugify_alike_keep_distinct_urls_with_a_warning(
    tmp_path: Path, cli: CLI
) -> None:
    site = _topic_site(tmp_path / "site", {
        "a.md": ["Rust Wasm", "Lodz"], "b.md": ["Łódź"], "c.md": ["Rust/Wasm", "łódź"],
    })  # fmt: skip
    lodz, rust = f"lodz-{short_hash('Łódź')}", f"rust-wasm-{short_hash('Rust/Wasm')}"
    expected = [
        f"warning: content/b.md:5: topics: the topic 'Łódź' has the same slug as the topic "
        f"'Lodz', so its pages are at topics/{lodz}/; if they are one topic, spell them alike",
        "warning: content/c.md:5: topics: the topic 'Rust/Wasm' has the same slug as the topic "
        f"'Rust Wasm', so its pages are at topics/{rust}/; if they are one topic, spell them "
        "alike",
    ]
    built = cli("build", "--base-url", "https://example.org/", cwd=site)
    assert built.code == 0 and built.lines[:2] == expected
    topics = {p.name: p for p in (site / "output" / "topics").iterdir() if p.is_dir()}
    assert sorted(topics) == sorted(["lodz", lodz, "rust-wasm", rust])
    names = {n: parse_html(p / "index.html").findtext(".//h1").strip() for n, p in topics.items()}
    assert names[lodz] == "Łódź" and names["lodz"] == "Lodz" and names[rust] == "Rust/Wasm"
    # The same warnings from a build with nothing to do, from `check`, and a failure if strict.
    assert cli("build", cwd=site).lines[:2] == expected
    checked = cli("check", cwd=site)
    assert checked.code == 0 and checked.lines[:2] == expected
    assert cli("check", "--strict", cwd=site).code == 1
    strict = cli("build", "--strict", "--output", "strict", cwd=site)
    assert strict.code == 1 and not (site / "strict").exists()


def test_topic_urls_do_not_depend_on_file_names_or_order(tmp_path: Path, cli: CLI) -> None:
    one = _topic_site(tmp_path / "one", {"a.md": ["Łódź"], "b.md": ["Lodz"]})
    two = _topic_site(tmp_path / "two", {"z.md": ["Lodz"], "y.md": ["Łódź"]})
    for site in (one, two):
        assert cli("build", cwd=site).code == 0
    assert files_of(one / "output" / "topics").keys() == files_of(two / "output" / "topics").keys()


def test_a_topic_named_like_a_page_of_the_site_is_told_where_it_went(tmp_path: Path) -> None:
    # "Feed", "page" and "index" took hashed URLs without a word.
    from roundup.site.structure import topic_warnings

    front = (
        'title: "A"\npublishedDateTime: 2026-05-04T10:00:00Z\n'
        'originalUrl: "https://a.example.com/"\ntopics: [page, Feed, Rust]'
    )
    article = write_article(tmp_path, "a.md", front)
    from datetime import UTC

    from roundup.read.content import parse_file

    parsed = parse_file(str(article), "a.md", UTC)
    assert parsed.article is not None
    told = [str(w) for w in topic_warnings([parsed.article])]
    assert told == [
        f"a.md:5: topics: the topic 'Feed' would be at topics/feed/, a name the site keeps for "
        f"itself; its pages are at topics/feed-{short_hash('Feed')}/",
        f"a.md:5: topics: the topic 'page' would be at topics/page/, a name the site keeps for "
        f"itself; its pages are at topics/page-{short_hash('page')}/",
    ]
