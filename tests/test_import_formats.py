"""How each export format's fields land in the seed's schema: the files `roundup import` writes."""

from __future__ import annotations

import os
import shutil
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from roundup.cli import main
from roundup.core.model import Article, Image, Provider
from roundup.read.comment import render_comment
from roundup.read.content import parse_file

EXPORTS = Path(__file__).parent / "fixtures" / "import"
BERLIN = ZoneInfo("Europe/Berlin")
EXPORTED_AT = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)


@pytest.fixture
def site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / "pyproject.toml").write_text(
        '[tool.roundup]\ntitle = "Imported"\ntimezone = "Europe/Berlin"\n', encoding="utf-8"
    )
    shutil.copytree(EXPORTS, tmp_path / "exports")
    for export in (tmp_path / "exports").iterdir():
        os.utime(export, (EXPORTED_AT.timestamp(), EXPORTED_AT.timestamp()))
    monkeypatch.chdir(tmp_path)
    return tmp_path


def imported(site: Path, *args: str) -> dict[str, Article]:
    """Import, then read every file written, by name; each must read back without a problem."""
    assert main(["import", "-q", *args]) == 0
    found = {}
    for path in sorted((site / "content").glob("*.md")):
        parsed = parse_file(path, path.name, BERLIN)
        assert parsed.errors == [] and parsed.warnings == [], (parsed.errors, parsed.warnings)
        assert parsed.article is not None
        found[path.name] = parsed.article
    return found


def text(site: Path, name: str) -> str:
    return (site / "content" / name).read_text(encoding="utf-8")


def test_firefox(site: Path) -> None:
    found = imported(site, "exports/firefox.html")
    # Tracking parameters gone from the link written; the duplicate's topic added to the file.
    assert text(site, "2020-09-13-dl-the-description-list-element-html-hypertext.md") == (
        "---\n"
        'title: "<dl>: The Description List element - HTML: HyperText Markup Language | MDN"\n'
        'excerpt: "The <dl> HTML element represents a description list."\n'
        "publishedDateTime: 2020-09-13T12:28:20Z\n"
        'originalUrl: "https://developer.mozilla.org/en-US/docs/Web/HTML/Element/dl"\n'
        "published: true\n"
        "\n"
        "provider:\n"
        '  name: "mozilla.org"\n'
        '  domain: "mozilla.org"\n'
        "\n"
        "topics:\n"
        '  - "html"\n'
        '  - "reference"\n'
        '  - "mdn"\n'
        "---\n"
    )
    www = found["1999-03-21-the-world-wide-web-project.md"]  # ADD_DATE 922000000
    assert www.published_at == datetime(1999, 3, 21, 7, 6, 40, tzinfo=UTC)
    assert www.excerpt == "Bookmarked in 1999, when this was already history."
    assert www.topics == ("history", "web")
    rust = found["2024-03-21-announcing-rust-1-77-0-rust-blog.md"]
    assert rust.title == "Announcing Rust 1.77.0 🦀 | Rust Blog"
    assert rust.topics == ("rust", "release notes")
    untitled = found["2024-03-21-rfc-editor-org-rfc-rfc4287.md"]
    assert untitled.title == "rfc-editor.org/rfc/rfc4287"
    tokyo = found["2024-01-11-dong-jing-wikipedia.md"]
    assert (tokyo.title, tokyo.topics) == ("東京 - Wikipedia", ("旅行", "日本"))
    cafe = found["2024-01-11-cafe-menu-a-space-and-an-accent-in-the-url.md"]
    assert cafe.url == "https://example.org/caf%C3%A9%20menu"
    flexbox = found["2020-09-13-a-complete-guide-to-flexbox-css-tricks.md"]
    assert flexbox.url == "https://css-tricks.com/snippets/css/a-guide-to-flexbox/#aa-background"
    assert all(a.published for a in found.values())
    assert len(found) == 9


def test_folders_as_topics_leave_out_the_browsers_own_folders(site: Path) -> None:
    found = imported(site, "exports/firefox.html", "exports/chrome.html", "--folders-as-topics")
    topics = {name: a.topics for name, a in found.items()}
    assert topics["2020-09-13-a-complete-guide-to-flexbox-css-tricks.md"] == (
        "css", "flexbox", "Web development", "CSS & layout",
    )  # fmt: skip
    assert topics["2024-01-23-writing-your-pyproject-toml-python-packaging-user.md"] == (
        "Python",
        "Packaging",
    )
    assert topics["2022-04-15-github.md"] == ()  # in Chrome's bookmarks bar
    assert topics["2024-03-21-announcing-rust-1-77-0-rust-blog.md"] == ("rust", "release notes")
    assert topics["2024-02-27-a-date-written-in-milliseconds.md"] == ()  # "Mobile bookmarks"


def test_chrome(site: Path) -> None:
    found = imported(site, "exports/chrome.html")
    bbc = found["2024-02-27-tech-firms-must-tackle-ai-s-energy-use-bbc-news.md"]
    assert bbc.title == 'Tech firms "must" tackle AI\'s energy use - BBC News'
    # fbclid is tracking; the BBC's own at_ parameters are not known to be, and stay.
    assert (
        bbc.url
        == "https://www.bbc.co.uk/news/technology-68412345?at_medium=RSS&at_campaign=KARANGA"
    )
    assert bbc.provider == Provider("bbc.co.uk", "bbc.co.uk")
    millis = found["2024-02-27-a-date-written-in-milliseconds.md"]
    assert millis.published_at == datetime(2024, 2, 27, 2, 16, 40, tzinfo=UTC)
    # The Python docs twice, once with a fragment: one file, the first one's.
    assert [n for n in found if "python-3-12" in n] == [
        "2023-09-29-whats-new-in-python-3-12-python-3-12-2.md"
    ]
    assert found["2023-09-29-whats-new-in-python-3-12-python-3-12-2.md"].topics == ()


def test_safari_has_no_dates_and_a_reading_list(site: Path) -> None:
    found = imported(site, "exports/safari.html", "--folders-as-topics")
    assert {a.published_at for a in found.values()} == {EXPORTED_AT}
    assert sorted(found) == [
        "2024-05-01-apple.md",
        "2024-05-01-blog-webkit.md",
        "2024-05-01-how-the-physics-of-nothing-underlies-everything.md",
        "2024-05-01-the-food-labs-foolproof-pan-pizza-recipe.md",
    ]
    reading = found["2024-05-01-how-the-physics-of-nothing-underlies-everything.md"]
    assert reading.published is False  # the Reading List: not read yet
    assert reading.excerpt == "Millennia ago, Aristotle asserted that nature abhors a vacuum…"
    assert reading.topics == ()
    assert found["2024-05-01-the-food-labs-foolproof-pan-pizza-recipe.md"].topics == ("Recipes",)
    assert found["2024-05-01-apple.md"].topics == ()  # Favorites is Safari's own
    assert found["2024-05-01-apple.md"].published is True


def test_pinboard_html(site: Path) -> None:
    found = imported(site, "exports/pinboard.html")
    quote = found["2020-02-22-an-app-can-be-a-home-cooked-meal.md"]
    assert quote.excerpt == '"I made a messaging app for, and with, my family."'
    assert quote.published and quote.topics == ("software", "programming", "essay")
    assert found["2020-02-29-internet-search-tips.md"].published is False  # PRIVATE="1"
    bloat = found["2020-03-12-web-bloat.md"]  # TOREAD="1", a note of two paragraphs
    assert bloat.published is False and bloat.excerpt == ""
    assert bloat.comment_html.startswith("<p>A long note about this one.")
    assert bloat.comment_html.count("<p>") == 2
    assert found["2020-03-23-example-domain.md"].url == "https://www.example.com/"


def test_raindrop_html(site: Path) -> None:
    found = imported(site, "exports/raindrop.html", "--folders-as-topics")
    docs = found["2024-01-29-designing-web-design-documentation-smashing.md"]
    assert docs.topics == ("design systems", "documentation", "Design")
    assert docs.images == (
        Image("https://files.smashing.media/articles/designing-web-design-documentation/cover.jpg"),
    )
    # The folder "Typography" and the tag "typography" are one topic, as roundup reads them.
    assert found["2024-01-30-line-length-buttericks-practical-typography.md"].topics == (
        "typography",
        "Design",
    )
    gpt = found["2024-03-08-the-gpt-4-barrier-has-finally-been-broken.md"]
    assert gpt.topics == ()  # "Unsorted" is Raindrop's own
    assert gpt.excerpt == (
        "A note with markup that the export escaped badly <script>alert(1)</script>"
    )  # plain text: the pages escape it


def test_pocket_html(site: Path) -> None:
    found = imported(site, "exports/pocket.html")
    assert found["2023-10-11-the-internet-is-not-a-library-the-atlantic.md"].published is False
    untitled = found["2020-01-01-longreads-com-2020-01-01-the-best-of-2019.md"]
    assert untitled.title == "longreads.com/2020/01/01/the-best-of-2019"  # Pocket wrote the URL
    google = found["2019-03-04-the-friendship-that-made-google-huge-the-new.md"]
    assert google.published is True and google.topics == ("google", "history", "profiles")
    sets = found["2020-09-13-the-joy-of-sets-and-other-stories.md"]
    assert sets.title == "The Joy of Sets 🧮 & other stories"


def test_linkding(site: Path) -> None:
    found = imported(site, "exports/linkding.html")
    home = found["2023-11-14-github-sissbruecker-linkding-self-hosted-bookmark.md"]
    assert home.excerpt.startswith("Self-hosted bookmark manager that is designed")
    assert text(site, "2023-11-14-github-sissbruecker-linkding-self-hosted-bookmark.md").endswith(
        "---\n\nRunning it on the home server since **2023**.\n\n- imports Netscape HTML\n"
        "- has an API &lt;script>alert(1)&lt;/script>\n"
    )
    assert home.comment_html == (
        "<p>Running it on the home server since <strong>2023</strong>.</p>\n<ul>\n"
        "<li>imports Netscape HTML</li>\n<li>has an API &lt;script&gt;alert(1)&lt;/script&gt;</li>"
        "\n</ul>"
    )
    lwn = found["2023-11-16-the-kernel-s-command-line-parameters-lwn-net.md"]
    assert lwn.topics == ("linux", "kernel")  # linkding:archived is linkding's own mark
    assert lwn.published is False
    tabs = found["2023-11-17-a-title-with-a-vertical-tab.md"]
    assert tabs.title == "A title with a vertical tab"


def test_pinboard_json(site: Path) -> None:
    found = imported(site, "exports/pinboard.json")
    fowler = found["2023-11-02-fish-and-chips-n-architecture-a-lean-inception.md"]
    assert fowler.title == "Fish & Chips 'n' Architecture: a \"lean\" inception"
    assert fowler.url == "https://martinfowler.com/articles/lean-inception/"
    assert fowler.topics == ("architecture", "agile")  # .work-notes is a private tag
    assert fowler.published is False  # shared: "no"
    talk = found["2014-10-09-what-the-heck-is-the-event-loop-anyway-philip.md"]
    assert talk.topics == ("javascript", "talks", "web,dev")
    assert talk.published is False  # toread: "yes"
    old = found["1999-08-15-frequently-asked-questions-by-the-press-tim-bl.md"]
    assert old.published_at == datetime(1999, 8, 15, 12, tzinfo=UTC)
    assert old.excerpt == "Saved on del.icio.us long ago, moved to Pinboard in 2011."
    assert len(found) == 4


def test_rss_starred_items(site: Path) -> None:
    found = imported(site, "exports/starred.rss")
    assert text(site, "2024-03-15-lessons-from-10-years-of-sqlite-and-postgres.md") == (
        "---\n"
        'title: "Lessons from 10 years of SQLite & Postgres"\n'
        'excerpt: "A short summary of the fragment."\n'
        "publishedDateTime: 2024-03-15T20:04:00Z\n"
        'originalUrl: "https://www.brandur.org/fragments/sqlite-postgres"\n'
        "published: true\n"
        "\n"
        "provider:\n"
        '  name: "brandur.org"\n'
        '  domain: "brandur.org"\n'
        "\n"
        "topics:\n"
        '  - "Databases"\n'
        '  - "SQLite"\n'
        "\n"
        "images:\n"
        '  - url: "https://brandur.org/assets/images/fragments/sqlite-postgres/cover.jpg"\n'
        "    width: 1200\n"
        "    height: 630\n"
        "---\n"
        "\n"
        "When I started, **Postgres** was the default & SQLite a toy. "
        "[Write-ahead logs](https://www.brandur.org/fragments/wal) changed that.\n"
        "\n"
        "```\nPRAGMA journal_mode=WAL;\n```\n"
    )
    undated = found["2024-03-16-starred-without-a-date.md"]
    assert undated.url == "https://reader.example.net/starred/articles/no-date.html"
    assert undated.published_at == datetime(2024, 3, 16, 8, tzinfo=UTC)  # lastBuildDate
    assert undated.excerpt == "Relative link, resolved against the channel's link."
    assert len(found) == 2


def test_atom_with_xml_base(site: Path) -> None:
    found = imported(site, "exports/shared.atom")
    static = found["2024-03-09-why-static-sites-are-back.md"]
    assert static.title == "Why static sites are back"
    assert static.url == "https://links.example.org/ada/posts/static-sites-are-back"
    assert static.published_at == datetime(2024, 3, 9, 7, 30, tzinfo=UTC)
    assert static.topics == ("Static Sites", "Web")
    assert static.excerpt == "Static site generators, ten years on."
    assert static.comment_html == (
        '<p>My notes: see <a href="https://links.example.org/ada/posts/images/chart" '
        'rel="noopener">the chart</a> and this.</p>\n<ul>\n<li>fast</li>\n<li>cheap</li>\n</ul>'
    )
    two = found["2024-03-08-relative-links-and-a-base-of-their-own.md"]
    assert two.url == "https://elsewhere.example.com/blog/2024/03/entry-two"
    assert (two.excerpt, two.comment_html) == ("Only content, one short paragraph.", "")
    three = found["2024-03-07-unicode-and-an-entity-cafe.md"]
    assert three.title == "Ünïcödé ✨ and an entity: café"
    assert three.url == "https://www.example.de/stra%C3%9Fe"


def test_json_feed(site: Path) -> None:
    found = imported(site, "exports/linkblog.json")
    htmx = found["2024-03-12-hypermedia-driven-applications.md"]
    assert htmx.url == "https://htmx.org/essays/hypermedia-driven-applications/"  # external_url
    assert htmx.published_at == datetime(2024, 3, 12, 12, 45, tzinfo=UTC)
    assert htmx.excerpt == "An essay on HDAs."
    assert htmx.comment_html == (
        '<p>Worth it for the <em>diagram</em> alone. <a href="https://daily.example.com/2024/03/'
        '11/previous" rel="noopener">Yesterday\'s link</a> was related.</p>'
    )
    assert htmx.images == (Image("https://daily.example.com/images/htmx.png"),)
    post = found["2024-03-11-a-microblog-post-without-a-title.md"]
    assert post.title == "A microblog post without a title."
    assert post.comment_html == (
        "<p>A microblog post without a title.</p>\n"
        "<p>It has two paragraphs, and &lt;b&gt;angle brackets&lt;/b&gt; in its text.</p>"
    )


def test_raindrop_csv(site: Path) -> None:
    found = imported(site, "exports/raindrop.csv", "--folders-as-topics")
    reset = found["2024-02-01-modern-css-reset-revisited.md"]
    assert reset.excerpt == "A modern CSS reset, explained line by line."
    assert reset.comment_html == "<p>My go-to reset, with notes on each rule.</p>"
    assert reset.topics == ("css", "reset", "web design", "Design")  # CSS and css: one topic
    assert reset.images == (Image("https://www.joshwcomeau.com/images/og-custom-css-reset.png"),)
    assert reset.published_at == datetime(2024, 2, 1, 10, 21, 33, tzinfo=UTC)
    contrast = found["2024-02-03-accessible-colour-contrast.md"]
    assert contrast.url == "https://webaim.org/resources/contrastchecker/"
    quotes = found["2024-02-05-quotes-commas-and-a-double-quote.md"]
    assert quotes.title == '“Quotes”, commas and a "double" quote'
    assert quotes.topics == ()


def test_instapaper_csv(site: Path) -> None:
    found = imported(site, "exports/instapaper.csv", "--folders-as-topics")
    work = found["2023-07-10-how-to-do-great-work.md"]
    assert work.excerpt.startswith("If you collected lists of techniques")  # the selection
    assert work.topics == ("essays", "career") and work.published is True  # Archive
    slow = found["2023-11-14-the-case-for-slow-reading-aeon-essays.md"]
    assert slow.published is False  # the Unread folder
    walking = found["2023-10-11-on-walking.md"]
    assert walking.topics == ("walking", "long reads", "Longreads")


def test_pocket_csv(site: Path) -> None:
    found = imported(site, "exports/pocket.csv")
    ddia = found["2024-03-09-designing-data-intensive-applications-2nd-edition.md"]
    assert ddia.title == "Designing Data-Intensive Applications, 2nd edition: what changed"
    assert ddia.topics == ("databases", "books") and ddia.published is False  # status unread
    assert found["2024-03-09-a-title-over-two-lines.md"].title == "A title over two lines"
    rust = found["2024-03-09-rust-async-book.md"]
    assert rust.topics == ("rust", "async", "books") and rust.published is True


def test_comment_markdown_is_what_the_renderer_shows(site: Path) -> None:
    """Every comment written renders through roundup's own renderer without falling back to
    plain text, and without a tag the sanitiser had to remove."""
    found = imported(site, *(f"exports/{p.name}" for p in sorted(EXPORTS.iterdir())))
    for name in found:
        body = text(site, name).split("---\n", 2)[2].strip()
        if body:
            rendered = render_comment(body)
            assert not rendered.plain, name
            assert "<script" not in rendered.html and "javascript:" not in rendered.html
