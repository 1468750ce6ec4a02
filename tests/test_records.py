"""Nested records: topics, provider, images and related coverage, read entry by entry."""

from __future__ import annotations

from datetime import UTC

from roundup.read import records, yamlstrict
from roundup.read.records import Report


def read(text: str) -> tuple[dict, Report]:
    loaded = yamlstrict.load(text)
    report = Report("a.md", loaded)
    for issue in loaded.issues:
        (report.warn if issue.warning else report.error)(issue.path, issue.message)
    return loaded.value, report


def messages(report: Report) -> list[str]:
    return [str(p) for p in report.errors] + [f"warning: {p}" for p in report.warnings]


def test_topics_are_normalised_and_deduplicated_per_item() -> None:
    value, report = read('topics: [AI, " ai ", "Cafe\\u0301", "Café", "Machine   learning", ~]')
    assert records.topics(value["topics"], report) == ("AI", "Café", "Machine learning")
    assert messages(report) == ["warning: a.md:1: topics[5]: empty topic; ignored"]


def test_a_single_topic_text_is_one_topic_with_a_warning() -> None:
    value, report = read("topics: Rust")
    assert records.topics(value["topics"], report) == ("Rust",)
    assert messages(report) == [
        "warning: a.md:1: topics: a single text is read as one topic; write a list: [Name]"
    ]


def test_null_or_empty_topics_mean_none() -> None:
    for text in ("topics:", "topics: []", 'topics: ""'):
        value, report = read(text)
        assert records.topics(value["topics"], report) == () and messages(report) == []


def test_topic_non_texts_are_errors_with_a_quoting_hint() -> None:
    value, report = read("topics: [NO, 2020]")
    assert records.topics(value["topics"], report) == ()
    assert messages(report) == [
        "a.md:1: topics[0]: expected text, got the boolean false (YAML reads NO that way; "
        'write "NO" in quotes)',
        'a.md:1: topics[1]: expected text, got the number 2020 (write "2020" in quotes if you '
        "mean text)",
    ]


def test_ten_thousand_topics_are_cut_to_a_few() -> None:
    value, report = read("topics: [" + ", ".join(f"t{i}" for i in range(10_000)) + "]")
    assert len(records.topics(value["topics"], report)) == records.MAX_TOPICS
    assert messages(report) == ["warning: a.md:1: topics: 10000 topics; only the first 50 are kept"]


def test_unsafe_image_urls_are_dropped_with_a_warning_naming_the_entry() -> None:
    text = """images:
  - url: https://example.com/a.png
    width: 10
    height: 20
  - url: javascript:alert(1)
  - url: "https://example.com/\\x07b.png"
  - https://example.com/bare.png
"""
    value, report = read(text)
    images = records.images(value["images"], ("images",), report)
    assert [(i.url, i.width, i.height) for i in images] == [
        ("https://example.com/a.png", 10, 20),
        ("https://example.com/bare.png", None, None),
    ]
    assert messages(report) == [
        "warning: a.md:6: images[2].url: control characters removed",
        "warning: a.md:5: images[1].url: 'javascript:alert(1)' is not an absolute http:// or "
        "https:// URL; image dropped",
        "warning: a.md:6: images[2].url: contains control characters; image dropped",
    ]


def test_a_bad_image_size_is_dropped_with_a_warning_and_the_image_kept() -> None:
    text = """images:
  - {url: "https://example.com/a.png", width: 600px, height: 300}
  - {url: "https://example.com/b.png", width: -1, height: 0}
  - {url: "https://example.com/c.png", width: 12.5, height: 20}
  - {url: "https://example.com/d.png", width: "640", height: 480.0}
"""
    value, report = read(text)
    images = records.images(value["images"], ("images",), report)
    assert [(i.url[-5:], i.width, i.height) for i in images] == [
        ("a.png", None, None),
        ("b.png", None, None),
        ("c.png", None, None),
        ("d.png", 640, 480),  # whole numbers, quoted or written as floats, are fine
    ]
    assert messages(report) == [
        "warning: a.md:2: images[0].width: must be a whole number of pixels, such as 600, "
        "not 600px; the image is kept without its size",
        "warning: a.md:3: images[1].width: must be between 1 and 100,000 pixels, not -1; "
        "the image is kept without its size",
        "warning: a.md:3: images[1].height: must be between 1 and 100,000 pixels, not 0; "
        "the image is kept without its size",
        "warning: a.md:4: images[2].width: must be a whole number of pixels, such as 600, "
        "not 12.5; the image is kept without its size",
    ]


def test_related_entries_keep_what_is_safe() -> None:
    text = """related:
  - title: Good
    webUrl: https://example.net/good
    publishedDateTime: 2020-09-20
    provider: {name: Example, domain: example.net}
  - title: Bad link
    originalUrl: data:text/html,x
    webUrl: https://example.net/not-a-fallback
  - excerpt: no title
  - title: Bad date
    publishedDateTime: soon
"""
    value, report = read(text)
    related = records.related(value["related"], UTC, report)
    assert [(r.title, r.url) for r in related] == [
        ("Good", "https://example.net/good"),
        ("Bad link", None),
        ("Bad date", None),
    ]
    assert related[0].provider is not None and related[0].provider.domain == "example.net"
    assert related[2].published_at is None
    assert messages(report) == [
        "warning: a.md:7: related[1].originalUrl: 'data:text/html,x' is not an absolute http:// "
        "or https:// URL; link dropped",
        "warning: a.md:9: related[2]: a related article needs a title; dropped",
        "warning: a.md:10: related[3]: a related article without originalUrl or webUrl is not "
        "shown",
        "warning: a.md:11: related[3].publishedDateTime: 'soon' is not an ISO 8601 date such as "
        "2020-09-21T20:42:00Z; date dropped",
    ]


def test_an_empty_topic_name_is_told_and_left_out() -> None:
    value, report = read('topics: [Feeds, "", "   ", null]\n')
    assert records.topics(value["topics"], report) == ("Feeds",)
    assert messages(report) == [
        "warning: a.md:1: topics[1]: empty topic; ignored",
        "warning: a.md:1: topics[2]: empty topic; ignored",
        "warning: a.md:1: topics[3]: empty topic; ignored",
    ]


def test_provider_forms() -> None:
    value, report = read("a: Example\nb: {name: N, domain: n.example}\nc: {domain: d.example}")
    assert records.provider(value["a"], ("a",), report).name == "Example"
    assert records.provider(value["b"], ("b",), report).domain == "n.example"
    assert records.provider(value["c"], ("c",), report).name == "d.example"
    assert messages(report) == []
