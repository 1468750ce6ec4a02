"""A process that builds again and again (`roundup serve`) rebuilds after a comment-only edit
by making only the files that show the edited item, and its output is a cold build's."""

from __future__ import annotations

import errno
import shutil
from pathlib import Path

import pytest

from roundup.build.quick import Memory
from roundup.build.result import BuildResult
from roundup.core.errors import Interrupted, RoundupError, TemplateError
from roundup.state.output import Writer

from conftest import build_folder, files_of


def _comment(file: Path, body: str) -> None:
    """Give the article file another body (its comment), the frontmatter as it was."""
    front, _, _ = file.read_text().rpartition("---\n")
    file.write_text(front + "---\n" + body)


def _quick(result: BuildResult) -> bool:
    return "rebuild" in result.timings  # the phase only a comment-only rebuild has


class Serving:
    """Builds of one site into one folder by one process, each held to a cold build."""

    def __init__(self, site: Path, tmp: Path) -> None:
        self.site, self.tmp, self.memory, self.count = site, tmp, Memory(), 0
        self.out = tmp / "out"

    def build(self, **settings: object) -> BuildResult:
        return build_folder(self.site, self.out, memory=self.memory, **settings)[1]

    def cold(self, **settings: object) -> dict[str, bytes]:
        self.count += 1
        cold, cache = self.tmp / f"cold-{self.count}", self.tmp / f"cache-{self.count}"
        build_folder(self.site, cold, cache_dir=str(cache), **settings)
        files = files_of(cold)
        shutil.rmtree(cold)
        shutil.rmtree(cache)
        return files


@pytest.fixture
def serving(fixture_site: Path, tmp_path: Path) -> Serving:
    running = Serving(fixture_site, tmp_path)
    running.build()
    return running


def test_a_comment_edit_remakes_only_the_files_that_show_the_item(serving: Serving) -> None:
    before = files_of(serving.out)
    _comment(serving.site / "content" / "a-first.md", "A *finer* comment, edited.\n")
    result = serving.build()
    assert _quick(result)
    after = files_of(serving.out)
    assert after == serving.cold()
    changed = {path for path in after if before.get(path) != after[path]}
    # The item's page, the listings and feeds that show its comment; nothing else.
    assert "items/a-first/index.html" in changed
    assert "feed.xml" in changed
    assert "topics/standards/index.html" in changed
    assert "items/e-untopical/index.html" not in changed
    assert result.written == len(changed)
    assert (result.shown, result.hidden, result.files) == (4, 1, len(after))


def test_rebuilds_go_on_alike_after_each_other_and_after_whole_builds(serving: Serving) -> None:
    first = serving.site / "content" / "a-first.md"
    for number in range(3):
        _comment(first, f"Edit number {number}, with a [link](https://example.com/{number}).\n")
        assert _quick(serving.build())
        assert files_of(serving.out) == serving.cold()
    title = first.read_text().replace("First link: Atom", "First link: Atom 1.0")
    first.write_text(title)  # a field: the items move, every page is looked at again
    assert not _quick(serving.build())
    assert files_of(serving.out) == serving.cold()
    _comment(first, "And after the whole build, a comment-only edit again.\n")
    assert _quick(serving.build())
    assert files_of(serving.out) == serving.cold()


def test_a_drafts_comment_changes_no_public_file(serving: Serving) -> None:
    before = files_of(serving.out)
    _comment(serving.site / "content" / "d-draft.md", "Still not ready, but longer.\n")
    result = serving.build()
    assert _quick(result) and result.written == 0
    assert files_of(serving.out) == before == serving.cold()


@pytest.mark.parametrize(
    ("file", "body"),
    [("e-untopical.md", "A comment where there was none.\n"),  # now it has one: item_pages
     ("a-first.md", "")],  # and the other way round
)  # fmt: skip
def test_a_comment_added_or_removed_takes_a_whole_build(
    serving: Serving, file: str, body: str
) -> None:
    _comment(serving.site / "content" / file, body)
    assert not _quick(serving.build(item_pages="commented"))  # settings changed, too
    _comment(serving.site / "content" / file, body + "More.\n" if body else "Back.\n")
    result = serving.build(item_pages="commented")
    assert _quick(result) == bool(body)
    assert files_of(serving.out) == serving.cold(item_pages="commented")


def test_a_comment_with_problems_takes_a_whole_build(serving: Serving) -> None:
    _comment(serving.site / "content" / "a-first.md", "<script>alert(1)</script> Hi.\n")
    result = serving.build()
    # Whatever the sanitiser says of it is said by a whole build, with the other warnings.
    assert files_of(serving.out) == serving.cold()
    assert _quick(result) == (not result.warnings)


def test_files_changed_by_hand_are_made_again(serving: Serving) -> None:
    (serving.out / "topics" / "index.html").unlink()
    (serving.out / "archive" / "index.html").write_text("changed by hand")
    _comment(serving.site / "content" / "a-first.md", "Edited.\n")
    assert _quick(serving.build())
    assert files_of(serving.out) == serving.cold()


def test_after_another_build_into_the_folder_no_page_of_it_is_kept(serving: Serving) -> None:
    # A preview build by another process (`roundup build --preview`) wrote the folder: what
    # this process remembers of its own last build (items, fingerprints, keys) no longer
    # tells which files are current. Taken over, it kept the preview's pages of every item
    # it had not changed: the banner and noindex on a public build's pages.
    build_folder(serving.site, serving.out, preview=True)
    _comment(serving.site / "content" / "a-first.md", "Edited while a preview was built.\n")
    assert not _quick(serving.build())
    after = files_of(serving.out)
    assert not [path for path, data in after.items() if b'<p class="preview-banner">' in data]
    assert after == serving.cold()


def test_a_rebuild_that_fails_changes_nothing_and_the_next_build_is_whole(
    serving: Serving,
) -> None:
    templates = serving.site / "templates"
    templates.mkdir()
    (templates / "item.html").write_text(
        '{% extends "theme/item.html" %}{% block head %}'
        "{% if 'BOOM' in item.comment_html %}{{ 1 // 0 }}{% endif %}{% endblock %}"
    )
    serving.build()
    before = files_of(serving.out)
    first = serving.site / "content" / "a-first.md"
    _comment(first, "BOOM\n")
    with pytest.raises(TemplateError):
        serving.build()
    assert files_of(serving.out) == before
    assert serving.memory.last is None
    _comment(first, "Quiet again.\n")
    assert not _quick(serving.build())
    assert files_of(serving.out) == serving.cold()


def test_a_renamed_slugs_comment_keeps_its_slug(serving: Serving) -> None:
    # Two files whose names give one slug: the collection gives one of them another, which
    # its article keeps through a comment-only rebuild.
    content = serving.site / "content"
    (content / "twin").mkdir()
    shutil.copy(content / "a-first.md", content / "twin" / "a-first.md")
    twin = content / "twin" / "a-first.md"
    twin.write_text(twin.read_text().replace("rfc4287", "rfc5023"))
    serving.build()
    _comment(twin, "The twin's comment.\n")
    assert _quick(serving.build())
    assert files_of(serving.out) == serving.cold()


def test_a_held_items_comment_changes_nothing_until_it_comes_out(serving: Serving) -> None:
    future = serving.site / "content" / "f-future.md"
    future.write_text(
        '---\ntitle: "Later"\npublishedDateTime: 2999-01-01T00:00:00Z\n'
        'originalUrl: "https://example.com/later"\n---\nSoon.\n'
    )
    before_result = serving.build()
    before = files_of(serving.out)
    _comment(future, "Soon, and longer.\n")
    result = serving.build()
    assert _quick(result) and result.written == 0
    assert result.future == before_result.future == 1
    assert files_of(serving.out) == before == serving.cold()


def test_after_a_rebuild_cut_short_the_next_build_shows_the_edit(
    serving: Serving, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The disk fills while the edited item's page is written: that build fails, and the next
    # one (after a save elsewhere) must not take the item's old fingerprint for its new text.
    first = serving.site / "content" / "a-first.md"
    _comment(first, "The edit that did not get out.\n")
    real_add = Writer.add

    def full_disk(writer: Writer, path: str, data: bytes, key: str = "") -> None:
        if path == "items/a-first/index.html":
            raise OSError(errno.ENOSPC, "No space left on device")
        real_add(writer, path, data, key)

    monkeypatch.setattr(Writer, "add", full_disk)
    with pytest.raises(RoundupError, match="No space left"):
        serving.build()
    monkeypatch.setattr(Writer, "add", real_add)
    other = serving.site / "content" / "b-second.md"
    other.write_bytes(other.read_bytes())  # saved again, unchanged
    assert not _quick(serving.build())
    after = files_of(serving.out)
    assert b"did not get out" in after["items/a-first/index.html"]
    assert after == serving.cold()


def test_a_rebuild_stopped_on_purpose_writes_nothing_and_the_next_goes_on(
    serving: Serving,
) -> None:
    # serve's refresh of the search index (a build after the pages) stops when a save comes in.
    _comment(serving.site / "content" / "a-first.md", "Stopped before it was written.\n")
    before = files_of(serving.out)
    with pytest.raises(Interrupted):
        serving.build(interrupted=lambda: True)
    assert files_of(serving.out) == before
    assert serving.memory.last is not None  # kept: the edit is found again
    assert not _quick(serving.build())  # the edited file's parse is ahead of the last build
    assert files_of(serving.out) == serving.cold()
    _comment(serving.site / "content" / "a-first.md", "And then quick again.\n")
    assert _quick(serving.build())
    assert files_of(serving.out) == serving.cold()


@pytest.mark.parametrize(
    "settings",
    [{"item_pages": False},  # no item has a page: the listings and feeds show the comment
     {"editions": "week", "edition_title": "No. {number}"}],  # and the editions feed
)  # fmt: skip
def test_a_comment_edit_under_other_settings_is_a_cold_builds_output(
    serving: Serving, settings: dict[str, object]
) -> None:
    serving.build(**settings)
    _comment(serving.site / "content" / "a-first.md", "Edited under other settings.\n")
    result = serving.build(**settings)
    assert _quick(result) and result.written > 0
    assert files_of(serving.out) == serving.cold(**settings)
