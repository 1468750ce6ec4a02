"""New article files: the seed's layout, values that read back exactly, names never reused."""

from __future__ import annotations

import random
import threading
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import yaml

from roundup.authoring.articlefile import (
    NewArticle,
    file_name,
    render,
    title_slug,
    write,
    yaml_string,
)
from roundup.core.model import Article, Image, Provider
from roundup.read.comment import render_comment
from roundup.read.content import parse_bytes, parse_file
from roundup.read.filetext import split_frontmatter

WHEN = datetime(2026, 3, 4, 7, 30, 15, 123456, tzinfo=UTC)
NASTY_TITLES = [
    'He said "no": the end',
    "It's a trap: colons, # hashes and 'quotes'",
    "- starts like a list item",
    "? starts like a key",
    "[not, a, list]",
    "{not: a mapping}",
    "& not an anchor * nor an alias",
    "! not a tag",
    "% not a directive",
    "@reserved `backtick`",
    "| not a block > nor folded",
    "yes",
    "No",
    "null",
    "~",
    "true",
    "2024-01-01",
    "1e3",
    "0x1F",
    "0o17",
    ".inf",
    "Straße, naïve café, Ελληνικά, 日本語のタイトル, עברית",
    "Emoji 🎉🚀 and 👩‍💻 (a joined sequence)",
    "Back\\slash \\n is not a newline",
    "Tab\tand non-breaking\u00a0space collapse",
    "Line\u2028separator and next\u0085line",
    "---",
    "...",
    "#hashtag first",
    "trailing colon:",
    "a: b",
    "'single quoted'",
    '"double quoted"',
    "x" * 600,
]


def read_back(text: str, zone: timezone | ZoneInfo = UTC) -> Article:
    parsed = parse_bytes(text.encode("utf-8"), "2026-03-04-x.md", zone)
    assert parsed.errors == [] and parsed.warnings == [], (parsed.errors, parsed.warnings)
    assert parsed.article is not None
    return parsed.article


def full() -> NewArticle:
    return NewArticle(
        title="The Atom Syndication Format",
        published_at=WHEN,
        original_url="https://www.rfc-editor.org/rfc/rfc4287",
        web_url="https://www.rfc-editor.org/rfc/rfc4287.html",
        excerpt="The IETF specification of Atom 1.0.",
        provider=Provider("RFC Editor", "rfc-editor.org"),
        topics=("Feeds", "Web Standards"),
        images=(Image("https://www.rfc-editor.org/picture.png", 583, 300),),
        type="article",
        category="news",
        quality=37,
        heat=12.5,
        comment="Read section *4.2.6* first.",
    )


def test_the_file_follows_the_seeds_layout() -> None:
    assert render(full()) == (
        "---\n"
        'category: "news"\n'
        'title: "The Atom Syndication Format"\n'
        'excerpt: "The IETF specification of Atom 1.0."\n'
        "publishedDateTime: 2026-03-04T07:30:15Z\n"
        'originalUrl: "https://www.rfc-editor.org/rfc/rfc4287"\n'
        'webUrl: "https://www.rfc-editor.org/rfc/rfc4287.html"\n'
        'type: "article"\n'
        "quality: 37\n"
        "heat: 12.5\n"
        "published: true\n"
        "\n"
        "provider:\n"
        '  name: "RFC Editor"\n'
        '  domain: "rfc-editor.org"\n'
        "\n"
        "topics:\n"
        '  - "Feeds"\n'
        '  - "Web Standards"\n'
        "\n"
        "images:\n"
        '  - url: "https://www.rfc-editor.org/picture.png"\n'
        "    width: 583\n"
        "    height: 300\n"
        "---\n"
        "\n"
        "Read section *4.2.6* first.\n"
    )


def test_the_seed_field_order_is_kept() -> None:
    seed = Path("/work/shared/seed/000_8ccf7ab2b6d15010.txt")
    if not seed.exists():
        seed = Path(__file__).parent.parent / "content" / "000_8ccf7ab2b6d15010.txt"
    seed_front = split_frontmatter(seed.read_text(encoding="utf-8"))[0]
    seed_keys = [line.split(":")[0] for line in seed_front.splitlines() if line[:1].isalpha()]
    front = split_frontmatter(render(full()))[0]
    ours = [line.split(":")[0] for line in front.splitlines() if line[:1].isalpha()]
    assert ours == [key for key in seed_keys if key in ours]
    assert len(ours) == 13


def test_only_fields_with_values_are_written() -> None:
    text = render(NewArticle("T", date(2026, 3, 4), web_url="https://example.com/"))
    assert text == (
        '---\ntitle: "T"\npublishedDateTime: 2026-03-04\nwebUrl: "https://example.com/"\n'
        "published: true\n---\n"
    )


def test_every_field_reads_back_through_roundups_reader() -> None:
    article = read_back(render(full()))
    assert article.title == "The Atom Syndication Format"
    assert article.published_at == WHEN.replace(microsecond=0)
    assert article.original_url == "https://www.rfc-editor.org/rfc/rfc4287"
    assert article.web_url == "https://www.rfc-editor.org/rfc/rfc4287.html"
    assert article.excerpt == "The IETF specification of Atom 1.0."
    assert article.provider == Provider("RFC Editor", "rfc-editor.org")
    assert article.topics == ("Feeds", "Web Standards")
    assert article.images == (Image("https://www.rfc-editor.org/picture.png", 583, 300),)
    assert (article.type, article.category, article.quality, article.heat) == (
        "article",
        "news",
        37,
        12.5,
    )
    assert article.published is True
    assert article.comment_html == render_comment("Read section *4.2.6* first.").html
    assert "<em>4.2.6</em>" in article.comment_html


@pytest.mark.parametrize("title", NASTY_TITLES)
def test_nasty_titles_read_back_exactly(title: str) -> None:
    entry = NewArticle(title, WHEN, "https://example.com/a", excerpt=title, topics=(title,))
    article = read_back(render(entry))
    assert article.title == entry.title
    assert article.excerpt == entry.excerpt
    assert article.topics == entry.topics
    # PyYAML, another reader of the same files, agrees.
    front = yaml.safe_load(render(entry).split("---\n")[1])
    assert front["title"] == entry.title


def test_titles_are_normalised_as_roundup_reads_them() -> None:
    entry = NewArticle("  Tab\tand\nnew line\x07 ", WHEN, "https://example.com/")
    assert entry.title == "Tab and new line"
    long = NewArticle("word " * 200, WHEN, "https://example.com/")
    assert len(long.title) <= 500 and read_back(render(long)).title == long.title


def test_yaml_string_reads_back_exactly_for_any_text() -> None:
    alphabet = (
        [chr(c) for c in range(0, 0x100)]
        + list("\u2028\u2029\ufeff\ufffd\ufffe\uffff€—“”\u2018\u2019…日本語")
        + ["🎉", "\U0001f469\u200d\U0001f4bb", "\U0010fffd"]
    )
    chooser = random.Random(12)
    for _ in range(2000):
        text = "".join(chooser.choice(alphabet) for _ in range(chooser.randint(0, 30)))
        written = yaml_string(text)
        assert "\n" not in written
        assert yaml.safe_load(f"key: {written}") == {"key": text}, repr(text)


def test_emoji_and_letters_are_written_as_they_are() -> None:
    assert yaml_string("Café 🎉 日本") == '"Café 🎉 日本"'
    assert yaml_string('a"b\\c\td') == '"a\\"b\\\\c\\td"'


def test_the_comment_is_the_body() -> None:
    entry = NewArticle("T", WHEN, "https://example.com/", comment="\r\nFirst.\r\n\r\nSecond.\n\n")
    assert render(entry).endswith("---\n\nFirst.\n\nSecond.\n")
    assert read_back(render(entry)).comment_html == "<p>First.</p>\n<p>Second.</p>"


def test_drafts_and_dates() -> None:
    draft = NewArticle("T", WHEN, "https://example.com/", published=False)
    assert "published: false" in render(draft) and read_back(render(draft)).published is False
    berlin = ZoneInfo("Europe/Berlin")
    local = datetime(2026, 3, 4, 23, 30, tzinfo=timezone(timedelta(hours=-5)))
    entry = NewArticle("T", local, "https://example.com/")
    assert "publishedDateTime: 2026-03-05T04:30:00Z" in render(entry)
    assert read_back(render(entry)).published_at == local
    naive = NewArticle("T", datetime(2026, 3, 4, 23, 30), "https://example.com/")
    assert "publishedDateTime: 2026-03-04T23:30:00\n" in render(naive)
    assert read_back(render(naive), berlin).published_at == datetime(
        2026, 3, 4, 23, 30, tzinfo=berlin
    )


@pytest.mark.parametrize("year", [1, 99, 999, 1000])
def test_a_date_before_the_year_1000_keeps_its_four_digits(year: int) -> None:
    # strftime's %Y wrote "99-05-05T00:00:00Z", which the build then refused.
    when = datetime(year, 5, 5, 10, 0, tzinfo=UTC)
    entry = NewArticle("T", when, "https://example.com/")
    assert f"publishedDateTime: {year:04d}-05-05T10:00:00Z\n" in render(entry)
    assert read_back(render(entry)).published_at == when


def test_bad_fields_are_refused_with_the_field_name() -> None:
    with pytest.raises(ValueError, match="title: must not be empty"):
        NewArticle(" \t", WHEN, "https://example.com/")
    with pytest.raises(ValueError, match="originalUrl: an article needs"):
        NewArticle("T", WHEN)
    with pytest.raises(ValueError, match="webUrl: 'javascript:alert"):
        NewArticle("T", WHEN, web_url="javascript:alert(1)")


def test_unusable_images_and_duplicate_topics_are_dropped() -> None:
    entry = NewArticle(
        "T",
        WHEN,
        "https://example.com/",
        topics=("AI", " ai ", "", "Feeds"),
        images=(Image("data:image/png;base64,AAAA"), Image("https://example.com/i.png", 0, 5)),
    )
    assert entry.topics == ("AI", "Feeds")
    assert entry.images == (Image("https://example.com/i.png"),)


@pytest.mark.parametrize(
    ("title", "url", "slug"),
    [
        ("The Atom Syndication Format (RFC 4287)", "", "the-atom-syndication-format-rfc-4287"),
        ("Ärger über Öl: naïve", "", "arger-uber-ol-naive"),
        (
            "A very long title that goes on and on about many things until it is far too long",
            "",
            "a-very-long-title-that-goes-on-and-on-about-many",
        ),
        ("日本語のタイトル", "https://example.jp/news/tokyo-weather.html", "ri-ben-yu-notaitoru"),
        ("Straße in Łódź", "", "strasse-in-lodz"),
        ("🎉🎉", "https://example.jp/news/tokyo-weather.html", "tokyo-weather"),
        ("🎉🎉", "https://www.example.jp/", "www-example-jp"),
        ("🎉", "", "link"),
        # A currency sign is left out, not transliterated ("£" is "PS", "€" "EUR").
        (
            "Council approves £14m harbour bridge repairs after 6\u20133 vote",
            "",
            "council-approves-14m-harbour-bridge-repairs-after",
        ),
        ("€5 and $3 deals", "", "5-and-3-deals"),
        # A number sign after no letter is left out ("-sharp-42" read oddly); C# keeps it.
        ('Python: the good parts #42 - "quoted"', "", "python-the-good-parts-42-quoted"),
        ("C# tips, F# too", "", "c-sharp-tips-f-sharp-too"),
    ],
)
def test_file_name_slugs(title: str, url: str, slug: str) -> None:
    assert title_slug(title, url) == slug
    assert len(slug) <= 50


def test_file_name_uses_the_day_in_the_sites_zone() -> None:
    entry = NewArticle("Hello, World!", datetime(2026, 3, 4, 23, 30, tzinfo=UTC), "https://e.x/")
    assert file_name(entry, UTC) == "2026-03-04-hello-world.md"
    assert file_name(entry, ZoneInfo("Europe/Berlin")) == "2026-03-05-hello-world.md"


def test_write_never_overwrites(tmp_path: Path) -> None:
    folder = tmp_path / "content"
    entry = NewArticle("Hello", WHEN, "https://example.com/")
    first = write(folder, entry, UTC)
    first.write_text("the curator's own edits", encoding="utf-8")
    second = write(folder, entry, UTC)
    third = write(folder, entry, UTC)
    assert [p.name for p in (first, second, third)] == [
        "2026-03-04-hello.md",
        "2026-03-04-hello-2.md",
        "2026-03-04-hello-3.md",
    ]
    assert first.read_text(encoding="utf-8") == "the curator's own edits"
    parsed = parse_file(third, third.name, UTC)
    assert parsed.article is not None and parsed.article.title == "Hello"


def test_writers_at_the_same_moment_get_distinct_files(tmp_path: Path) -> None:
    entry = NewArticle("Race", WHEN, "https://example.com/")
    paths: list[Path] = []
    threads = [
        threading.Thread(target=lambda: paths.append(write(tmp_path, entry, UTC))) for _ in range(8)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(set(paths)) == 8 and len(list(tmp_path.iterdir())) == 8


def test_an_unwritable_folder_is_a_clear_error(tmp_path: Path) -> None:
    from roundup.core.errors import RoundupError

    blocker = tmp_path / "file"
    blocker.write_text("", encoding="utf-8")
    with pytest.raises(RoundupError, match="cannot create"):
        write(blocker / "content", NewArticle("T", WHEN, "https://example.com/"), UTC)
