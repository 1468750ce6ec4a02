"""The article files roundup writes read back the same in python-frontmatter, a reader of
its own: the metadata and the body that were written, for `roundup new`'s writer and for
every file `roundup import` makes of the fixture exports."""

from __future__ import annotations

import os
import shutil
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import frontmatter
import pytest

from roundup.authoring.articlefile import NewArticle, render, write
from roundup.cli import main
from roundup.core.model import Article, Image, Provider
from roundup.read.comment import render_comment
from roundup.read.content import parse_file

EXPORTS = Path(__file__).parent / "fixtures" / "import"
BERLIN = ZoneInfo("Europe/Berlin")
WHEN = datetime(2026, 3, 4, 7, 30, 15, tzinfo=UTC)


def written(entry: NewArticle) -> dict[str, Any]:
    """The metadata a file of `entry` holds, field by field in the seed's names and types."""
    meta: dict[str, Any] = {"title": entry.title, "publishedDateTime": entry.published_at}
    optional = {
        "category": entry.category,
        "excerpt": entry.excerpt or None,
        "originalUrl": entry.original_url,
        "webUrl": entry.web_url,
        "type": entry.type,
        "quality": entry.quality,
        "heat": entry.heat,
    }
    meta.update({key: value for key, value in optional.items() if value is not None})
    meta["published"] = entry.published
    if entry.provider:
        meta["provider"] = {"name": entry.provider.name, "domain": entry.provider.domain}
    if entry.topics:
        meta["topics"] = list(entry.topics)
    if entry.images:
        meta["images"] = [
            {"url": i.url, "width": i.width, "height": i.height} if i.width else {"url": i.url}
            for i in entry.images
        ]
    return meta


ENTRIES = [
    NewArticle(
        title='The "Atom" Syndication Format: #1, yes',
        published_at=WHEN,
        original_url="https://www.rfc-editor.org/rfc/rfc4287",
        web_url="https://www.rfc-editor.org/rfc/rfc4287.html",
        excerpt="The IETF specification of Atom 1.0 — 'quoted', with a: colon.",
        provider=Provider("RFC Editor", "rfc-editor.org"),
        topics=("Feeds", "Web Standards", "null", "2024-01-01"),
        images=(
            Image("https://www.rfc-editor.org/picture.png", 583, 300),
            Image("https://www.rfc-editor.org/other.png"),
        ),
        type="article",
        category="news",
        quality=37,
        heat=12.5,
        comment="Read section *4.2.6* first.\n\n---\n\nA line of dashes, then [a link](https://x.example/).",
    ),
    NewArticle("Straße, Łódź, 日本語 🎉", date(2026, 3, 4), web_url="https://example.com/"),
    NewArticle(
        "A draft, dated without a zone",
        datetime(2026, 3, 4, 7, 30, 15),
        "https://example.com/draft",
        published=False,
        comment="- a list\n- of two",
    ),
    NewArticle(
        "Seen in Berlin",
        datetime(2026, 3, 4, 23, 30, tzinfo=timezone(timedelta(hours=1))),
        "https://example.com/berlin",
        topics=("Café",),
    ),
]


@pytest.mark.parametrize("entry", ENTRIES, ids=lambda entry: entry.title[:20])
def test_python_frontmatter_reads_back_what_was_written(entry: NewArticle) -> None:
    post = frontmatter.loads(render(entry))
    assert post.metadata == written(entry)
    assert post.content == entry.comment


def test_a_written_file_reads_back_the_same(tmp_path: Path) -> None:
    entry = ENTRIES[0]
    path = write(tmp_path / "content", entry, UTC)
    post = frontmatter.load(str(path))
    assert (post.metadata, post.content) == (written(entry), entry.comment)
    # Written back by python-frontmatter and read again: the same metadata and body.
    again = frontmatter.loads(frontmatter.dumps(post))
    assert (again.metadata, again.content) == (written(entry), entry.comment)


def as_written(article: Article) -> dict[str, Any]:
    """What roundup's reader took from a file, in the seed's names (as the importer writes)."""
    meta: dict[str, Any] = {"title": article.title}
    optional = {
        "category": article.category,
        "excerpt": article.excerpt or None,
        "originalUrl": article.original_url,
        "webUrl": article.web_url,
        "type": article.type,
    }
    meta.update({key: value for key, value in optional.items() if value is not None})
    meta["published"] = article.published
    if article.provider:
        meta["provider"] = {"name": article.provider.name, "domain": article.provider.domain}
    if article.topics:
        meta["topics"] = list(article.topics)
    if article.images:
        meta["images"] = [
            {"url": i.url, "width": i.width, "height": i.height} if i.width else {"url": i.url}
            for i in article.images
        ]
    return meta


def test_every_imported_file_reads_back_the_same_in_both_readers(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "pyproject.toml").write_text(
        '[tool.roundup]\ntitle = "Imported"\ntimezone = "Europe/Berlin"\n', encoding="utf-8"
    )
    shutil.copytree(EXPORTS, tmp_path / "exports")
    exported_at = WHEN.timestamp()
    for export in (tmp_path / "exports").iterdir():
        os.utime(export, (exported_at, exported_at))
    monkeypatch.chdir(tmp_path)
    sources = sorted(str(path) for path in (tmp_path / "exports").iterdir())
    assert main(["import", *sources, "--folders-as-topics"]) == 0
    capsys.readouterr()
    files = sorted((tmp_path / "content").glob("*.md"))
    assert len(files) >= 50
    with_comment = 0
    for path in files:
        parsed = parse_file(path, path.name, BERLIN)
        assert parsed.article is not None and parsed.errors == [], parsed.errors
        post = frontmatter.load(str(path))
        published = post.metadata.pop("publishedDateTime")
        assert post.metadata == as_written(parsed.article), path.name
        assert published == parsed.article.published_at, path.name
        assert render_comment(post.content).html == parsed.article.comment_html, path.name
        with_comment += bool(post.content)
    assert with_comment >= 5
