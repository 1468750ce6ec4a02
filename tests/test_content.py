"""Reading one article file: encodings, frontmatter fences, fields, lines of every problem."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from roundup.core.errors import Problem
from roundup.read.content import is_ignored, parse_bytes
from roundup.read.filetext import split_frontmatter

GOOD = """---
title: "A title"
publishedDateTime: 2020-09-21T20:42:00Z
originalUrl: https://example.com/a
webUrl: https://example.org/a
topics: [AI, ai, Computer Vision]
secured: "opaque"
---
Some *comment*.
"""


def problems(data: str | bytes, source: str = "a.md") -> list[str]:
    raw = data.encode() if isinstance(data, str) else data
    parsed = parse_bytes(raw, source, UTC)
    return [str(p) for p in parsed.errors] + [f"warning: {p}" for p in parsed.warnings]


def test_a_good_file_becomes_an_article() -> None:
    parsed = parse_bytes(GOOD.encode(), "nested/My Link.md", UTC)
    assert parsed.errors == [] and parsed.warnings == []
    article = parsed.article
    assert article is not None
    assert (article.slug, article.title, article.url) == (
        "my-link",
        "A title",
        "https://example.com/a",
    )
    assert article.published_at == datetime(2020, 9, 21, 20, 42, tzinfo=UTC)
    assert article.topics == ("AI", "Computer Vision")
    assert article.comment_html == "<p>Some <em>comment</em>.</p>"
    assert article.extra == {"secured": "opaque"} and article.published


@pytest.mark.parametrize(
    "data",
    [b"\xef\xbb\xbf" + GOOD.encode(), GOOD.replace("\n", "\r\n").encode(),
     GOOD.replace("\n", "\r").encode(), b"\n\n" + GOOD.encode()],
)  # fmt: skip
def test_bom_and_any_line_ending_are_fine(data: bytes) -> None:
    parsed = parse_bytes(data, "a.md", UTC)
    assert parsed.errors == [] and parsed.article is not None


def test_problems_carry_the_line_of_their_key() -> None:
    text = GOOD.replace('title: "A title"', "title: 12").replace("webUrl: https", "webUrl: ftp")
    assert problems(text) == [
        'a.md:2: title: expected text, got the number 12 (write "12" in quotes if you mean text)',
        "a.md:5: webUrl: 'ftp://example.org/a' is not an absolute http:// or https:// URL",
    ]


def test_split_frontmatter_reports_lines() -> None:
    assert split_frontmatter("\n---\na: 1\n---  \nbody\n") == ("a: 1", 3, "body\n", 5)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "a.md:1: the file is empty; an article needs frontmatter between --- lines"),
        (b"no fences\n", "a.md:1: no frontmatter: the file must start with a line of ---"),
        (b"---\na: 1\n", "a.md:1: the frontmatter is not closed: add a line of --- after it"),
        (b"---\ntitle: \xe9\n---\n",
         "a.md:2: not valid UTF-8 (byte 0xE9, 11 bytes into the file); save the file as UTF-8"),
        (b"---\n---\n\x00", "a.md:3: the file contains NUL bytes; is it a binary file?"),
        ("---\n---\n".encode("utf-16"), "a.md:1: the file is UTF-16; save it as UTF-8"),
        (b"---\n- a\n---\n", "a.md:2: the frontmatter must be fields (title: ...), one per line"),
    ],
)  # fmt: skip
def test_unusable_files_name_the_file(data: bytes, message: str) -> None:
    assert problems(data) == [message]


CONFLICT = (
    "a merge conflict is left in the file (its <<<<<<<, ======= and >>>>>>> lines); keep the "
    "lines you want and delete the markers"
)


@pytest.mark.parametrize(
    ("text", "line"),
    [
        # In the frontmatter, YAML said "could not find expected ':'".
        ("---\ntitle: A\n<<<<<<< HEAD\npublishedDateTime: 2026-01-05T10:00:00Z\n=======\n"
         "publishedDateTime: 2026-01-06T10:00:00Z\n>>>>>>> theirs\n"
         "originalUrl: https://example.com/a\n---\n", 3),
        # In the comment, both sides and the markers were published (======= as a heading).
        (GOOD + "\n<<<<<<< HEAD\nMine.\n=======\nTheirs.\n>>>>>>> 1a2b3c4\n", 11),
    ],
)  # fmt: skip
def test_a_merge_conflict_left_in_a_file_is_an_error(text: str, line: int) -> None:
    assert problems(text) == [f"a.md:{line}: {CONFLICT}"]


def test_conflict_like_text_that_is_no_conflict_is_kept() -> None:
    text = GOOD + "\n<<<<<<<< eight, not seven\n\n`<<<<<<< in code`\n"
    assert problems(text) == []


def test_no_fallback_from_a_bad_original_url() -> None:
    text = GOOD.replace("originalUrl: https://example.com/a", "originalUrl: javascript:alert(1)")
    assert problems(text) == [
        "a.md:4: originalUrl: 'javascript:alert(1)' is not an absolute http:// or https:// URL"
    ]


def test_every_problem_of_a_file_is_reported_at_once() -> None:
    text = (
        "---\ntitle: NO\npublishedDateTime: 2020-02-30\ntopics: [1.10]\nimages: [{url: x}]\n---\n"
    )
    assert problems(text) == [
        "a.md:2: originalUrl: an article needs originalUrl or webUrl (an http(s) URL)",
        'a.md:2: title: expected text, got the boolean false (YAML reads NO that way; write "NO" '
        "in quotes)",
        "a.md:3: publishedDateTime: '2020-02-30' is not a real date or time (day is out of "
        "range for month)",
        "a.md:4: topics[0]: expected text, got the number 1.1 (YAML reads 1.10 that way; write "
        '"1.10" in quotes)',
        "warning: a.md:5: images[0].url: 'x' is not an absolute http:// or https:// URL; image "
        "dropped",
    ]


def test_a_capitalised_known_field_is_an_error_and_a_near_miss_a_warning() -> None:
    text = GOOD.replace("secured:", "Published: false\nexcerp: x\nsecured:")
    assert problems(text) == [
        "a.md:7: Published: unknown field; write it as published",
        "warning: a.md:8: excerp: unknown field, kept but not used; did you mean excerpt?",
    ]


def test_control_characters_in_the_body_are_removed_with_a_warning() -> None:
    parsed = parse_bytes((GOOD + "bell \x07 here\n").encode(), "a.md", UTC)
    assert parsed.warnings == [Problem("a.md", 10, "body", "control characters removed")]
    assert parsed.article is not None and "\x07" not in parsed.article.comment_html


def test_long_texts_are_cut_with_warnings() -> None:
    text = GOOD.replace('"A title"', "T" * 600).replace("secured:", f"excerpt: {'e' * 3000}\nx:")
    assert problems(text) == [
        "warning: a.md:2: title: 600 characters; cut to 500",
        "warning: a.md:7: excerpt: 3000 characters; cut to 2000",
    ]


@pytest.mark.parametrize(
    ("name", "ignored"),
    [(".DS_Store", True), (".x.md.swp", True), ("x.md~", True), ("#x.md#", True),
     (".hidden.md", True), ("notes.rst", True), ("x.md", False), ("x.markdown", False),
     ("x.txt", False), ("X.MD", False)],
)  # fmt: skip
def test_ignored_names(name: str, ignored: bool) -> None:
    assert is_ignored(name) is ignored


def test_yaml_problems_and_field_problems_are_reported_together() -> None:
    text = (
        GOOD.replace("secured:", "published: false\npublished: true\nsecured:")
        .replace("2020-09-21T20:42:00Z", "2020-02-30")
        .replace('"A title"', "!!python/object:os.system x")
    )
    assert problems(text) == [
        "a.md:2: title: the YAML tag !!python/object:os.system is not allowed",
        "a.md:8: published: duplicate key (first on line 7); keep only one",
        "a.md:3: publishedDateTime: '2020-02-30' is not a real date or time (day is out of "
        "range for month)",
    ]


def test_toml_frontmatter_gets_a_hint() -> None:
    assert problems('+++\ntitle = "x"\n+++\n') == [
        "a.md:1: no frontmatter: the file must start with a line of --- (TOML frontmatter "
        "between +++ lines is not read)"
    ]


def test_values_yaml_reads_as_dates_are_plain_text_that_the_cache_can_keep() -> None:
    # `slug: 2026-05-04` is a fine slug, and a date in an unknown field is carried as written;
    # the slug once stopped every build with an internal error from the parse cache.
    from roundup.read import stored

    text = GOOD.replace("secured:", "slug: 2026-05-04\nupdated: 2026-05-05\nsecured:")
    parsed = parse_bytes(
        text.replace("topics:", "more: {2026-01-01: [2026-01-02]}\ntopics:").encode(), "a.md", UTC
    )
    article = parsed.article
    assert parsed.errors == [] and article is not None
    assert type(article.slug) is str and article.slug == "2026-05-04"
    assert article.extra["updated"] == "2026-05-05" and type(article.extra["updated"]) is str
    assert article.extra["more"] == {"2026-01-01": ["2026-01-02"]}
    assert stored.storable(parsed)
    assert stored.load(stored.dump(parsed)).article.slug == "2026-05-04"  # type: ignore[union-attr]


def test_a_comments_relative_links_and_images_are_left_out_and_told() -> None:
    text = GOOD.replace("Some *comment*.", "See [notes](notes.html), [top](#top) and ![p](p.png).")
    parsed = parse_bytes(text.encode(), "a.md", UTC)
    assert parsed.article is not None and parsed.article.comment_html == (
        "<p>See notes, top and .</p>"
    )
    assert [str(w) for w in parsed.warnings] == [
        "a.md:9: body: links and images need a whole address (https://…); left out: "
        "'notes.html', '#top', 'p.png' (a link keeps its text)"
    ]


@pytest.mark.parametrize(
    ("line", "field"),
    [("status: draft", "status"), ("isDraft: true", "isDraft"), ("visible: false", "visible"),
     ("Visibility: private", "Visibility")],
)  # fmt: skip
def test_other_tools_ways_of_hiding_an_item_are_told_it_is_public(line: str, field: str) -> None:
    # Each published the item without a word (a draft made public by a careless edit).
    text = GOOD.replace("secured:", f"{line}\nsecured:")
    assert problems(text) == [
        f"warning: a.md:7: {field}: unknown field, so the item is public; "
        "did you mean published: false?"
    ]
    assert problems(text.replace("secured:", "published: false\nsecured:")) == []
    assert problems(GOOD.replace("secured:", "status: published\nsecured:")) == []


def test_published_false_indented_under_a_record_is_told() -> None:
    text = GOOD.replace(
        "secured:",
        'provider:\n  name: "X"\n  published: false\nrelated:\n  - title: R\n'
        '    webUrl: "https://r.example.com/"\n    draft: true\nsecured:',
    )
    told = [p for p in problems(text) if "here is not the item's" in p]
    assert told == [
        "warning: a.md:9: provider.published: published here is not the item's, which stays "
        "public; did you mean it at the top, without indent?",
        "warning: a.md:13: related[0].draft: draft here is not the item's, which stays "
        "public; did you mean it at the top, without indent?",
    ]


def test_a_bad_slug_is_told_beside_the_files_other_errors() -> None:
    # It was told only once the other errors were mended: one more build for nothing.
    text = GOOD.replace("secured:", 'category: [x]\nslug: "Bad Slug"\nsecured:')
    assert [p.split(":")[2].strip() for p in problems(text)] == ["category", "slug"]


def test_bidi_controls_and_zero_width_spaces_are_removed_and_told() -> None:
    # An unclosed U+202E in a title drew the text after it (the provider's name) backwards;
    # "a\u200bb" and "ab" were two topics that looked alike. Joiners and marks stay.
    text = GOOD.replace('title: "A title"', 'title: "Reversed \u202e title"').replace(
        "topics: [AI, ai, Computer Vision]", 'topics: ["a\u200bb", "ab", "\u2067x\u2069"]'
    )
    text = text.replace("Some *comment*.", "Family \U0001f468\u200d\U0001f469 \u200fok")
    parsed = parse_bytes(text.encode(), "a.md", UTC)
    article = parsed.article
    assert article is not None and article.title == "Reversed title"
    assert article.topics == ("ab", "x")
    assert article.comment_html == "<p>Family \U0001f468\u200d\U0001f469 \u200fok</p>"
    assert [str(w) for w in parsed.warnings] == [
        "a.md:2: title: control characters removed",
        "a.md:6: topics[0]: control characters removed",
        "a.md:6: topics[2]: control characters removed",
    ]


def test_a_misspelled_copy_of_a_field_is_told_even_beside_the_field() -> None:
    # `tittle:` beside `title:` said nothing; another tool's name (`date`) beside roundup's
    # field is data kept on purpose, and stays unremarked.
    text = GOOD.replace("secured:", 'tittle: "Typo"\ndate: 2026-05-05\nsecured:')
    assert problems(text) == [
        "warning: a.md:7: tittle: unknown field, kept but not used; title is given too "
        "(a misspelled copy?)"
    ]


@pytest.mark.parametrize(
    ("domain", "kept", "told"),
    [("lwn.net", "lwn.net", ""), ("bücher.example", "bücher.example", ""),
     ("example.com:8080", "example.com:8080", ""),
     ("https://example.com/path", "example.com", "is a URL; its host example.com is the domain"),
     ("../../x", "", "is not a host name (such as lwn.net); left out"),
     ("a b.example", "", "is not a host name (such as lwn.net); left out")],
)  # fmt: skip
def test_the_providers_domain_is_a_host_name(domain: str, kept: str, told: str) -> None:
    # Any text was shown as the domain, while the provider's link led to another source.
    text = GOOD.replace("secured:", f'provider:\n  name: "N"\n  domain: "{domain}"\nsecured:')
    parsed = parse_bytes(text.encode(), "a.md", UTC)
    assert parsed.article is not None and parsed.article.provider is not None
    assert parsed.article.provider.domain == kept
    assert [w.message.split("' ", 1)[-1] for w in parsed.warnings] == ([told] if told else [])
