"""The content folder's scan: which files are articles, in what order, with what stat key."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from roundup.core.errors import ContentError
from roundup.read.loader import change_stamp, scan

from conftest import CLI, Builder, files_of, write_article


def test_scan_reads_nested_folders_and_skips_links_leaving_the_folder(tmp_path: Path) -> None:
    content = tmp_path / "content"
    (content / "a" / "b").mkdir(parents=True)
    (content / ".git").mkdir()
    for name in ("x.md", "a/b/y.txt", ".git/z.md", "a/.w.md", "a/v.md~"):
        (content / name).write_text("x")
    (tmp_path / "outside.md").write_text("x")
    os.symlink(tmp_path / "outside.md", content / "out.md")
    os.symlink("x.md", content / "in.md")
    os.symlink("loop.md", content / "loop.md")
    os.symlink(tmp_path, content / "up")
    os.symlink(content / "a", content / "again")
    os.mkfifo(content / "fifo.md")
    found = scan(content)
    assert [source for source, _ in found.files] == ["in.md", "x.md", "a/b/y.txt"]
    assert sorted(w.path for w in found.warnings) == ["fifo.md", "loop.md", "out.md", "up"]


def test_odd_entries_named_like_articles_are_told_apart_never_waited_on(tmp_path: Path) -> None:
    content = tmp_path / "content"
    (content / "folder.md").mkdir(parents=True)
    (content / "folder.md" / "inside.md").write_text("x")
    os.mkfifo(content / "pipe.md")  # opening it for reading would wait for a writer
    os.symlink(tmp_path / "nowhere.md", content / "dangling.md")
    found = scan(content)
    assert [source for source, _ in found.files] == ["folder.md/inside.md"]
    assert sorted(str(w) for w in found.warnings) == [
        "dangling.md: symbolic link leads outside the content folder (or nowhere); not followed",
        "folder.md: a folder named like an article file; the files in it are read instead",
        "pipe.md: not a regular file (a pipe, socket or device); skipped",
    ]


def test_scan_keys_files_by_size_modification_and_change_time(tmp_path: Path) -> None:
    (tmp_path / "z.md").write_text("hello")
    os.utime(tmp_path / "z.md", ns=(1, 123456789))
    (tmp_path / "a.markdown").write_text("")
    found = scan(tmp_path).files
    assert found == [("a.markdown", found[0][1]), ("z.md", (5, found[1][1][1]))]
    z = os.stat(tmp_path / "z.md")
    assert found[1][1][1] == change_stamp(z) == hash((123456789, z.st_ctime_ns))
    # The same modification time set again: the inode's change time still tells.
    (tmp_path / "z.md").write_text("world")
    os.utime(tmp_path / "z.md", ns=(1, 123456789))
    assert os.stat(tmp_path / "z.md").st_ctime_ns != z.st_ctime_ns or pytest.skip("coarse clock")
    assert scan(tmp_path).files[1][1] != (5, found[1][1][1])


def _unlistable(monkeypatch: pytest.MonkeyPatch, folder: Path) -> None:
    """`folder` cannot be listed, as without the permission (which root always has)."""
    real = os.scandir

    def scandir(path: str) -> Iterator[os.DirEntry[str]]:
        if os.path.samefile(path, folder):
            raise PermissionError(13, "Permission denied", path)
        return real(path)

    monkeypatch.setattr(os, "scandir", scandir)


def test_an_unreadable_folder_is_an_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    locked = tmp_path / "locked"
    locked.mkdir()
    (locked / "x.md").write_text("x")
    (tmp_path / "y.md").write_text("y")
    _unlistable(monkeypatch, locked)
    found = scan(tmp_path)
    assert [source for source, _ in found.files] == ["y.md"]
    assert found.warnings == []
    assert [(e.path, e.message) for e in found.errors] == [
        ("locked", "cannot read folder: Permission denied; its articles would leave the site")
    ]


def test_names_that_are_not_utf8_stop_the_build_each_told_on_one_line(
    build_fixture: Builder, fixture_site: Path
) -> None:
    # A Latin-1 "café.md" from an old archive once stopped every build with an internal
    # error; a file named with a line break printed its problem over two lines.
    output, _ = build_fixture()
    before = files_of(output)
    content = os.fsencode(fixture_site / "content")
    article = (fixture_site / "content" / "a-first.md").read_bytes()
    with open(content + b"/caf\xe9.md", "wb") as file:
        file.write(article)
    os.mkdir(content + b"/dir\xe9")
    with open(content + b"/dir\xe9/ok.md", "wb") as file:
        file.write(article)
    (fixture_site / "content" / "evil\nb.md:3: title: fake.md").write_bytes(b"---\n")
    with pytest.raises(ContentError) as raised:
        build_fixture()
    lines = [str(p) for p in raised.value.problems]
    where = f"{fixture_site}/content/"
    assert (
        lines[0]
        == f"{where}caf\\xe9.md: the file name is not UTF-8 (another encoding's letters); rename it"
    )
    assert (
        lines[1]
        == f"{where}dir\\xe9: the folder name is not UTF-8 (another encoding's letters); rename it"
    )
    assert lines[2].startswith(f"{where}evil\\nb.md:3: title: fake.md:") and len(lines) == 3
    assert all("\n" not in line for line in lines)
    assert files_of(output) == before


def test_a_build_stops_at_a_folder_it_cannot_read(
    build_fixture: Builder, fixture_site: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Its articles would otherwise leave the site, and their pages be deleted, with a warning.
    output, _ = build_fixture()
    before = files_of(output)
    _unlistable(monkeypatch, fixture_site / "content" / "nested")
    with pytest.raises(ContentError) as raised:
        build_fixture()
    problems = raised.value.problems
    assert [(p.path, p.field) for p in problems] == [(f"{fixture_site}/content/nested", "")]
    assert files_of(output) == before


def test_what_the_scan_tells_is_told_again_when_it_changes_alone(build_fixture: Builder,
    fixture_site: Path) -> None:  # fmt: skip
    # No file's stat changes: the build's key must still see that the scan's problems did.
    content = fixture_site / "content"
    os.mkfifo(content / "pipe.md")
    _, result = build_fixture()
    assert [w.path for w in result.warnings if "pipe" in w.path] == [f"{content}/pipe.md"]
    (content / "pipe.md").unlink()
    _, result = build_fixture()
    assert not [w for w in result.warnings if "pipe" in w.path]
    os.symlink(fixture_site / "pyproject.toml", content / "out.md")
    _, result = build_fixture()
    assert [w.path for w in result.warnings if "out.md" in w.path] == [f"{content}/out.md"]


def test_an_empty_content_folder_is_a_warning_and_strict_keeps_the_site(
    tmp_path: Path, cli: CLI
) -> None:
    # A typo in --content, or a checkout that emptied the folder, replaced the published
    # site with an empty one, exit status 0, without a word (even with --strict).
    write_article(tmp_path / "content", "a.md", "title: A\npublishedDateTime: 2026-01-05\n"
                  "originalUrl: https://example.com/a")  # fmt: skip
    (tmp_path / "empty").mkdir()
    assert cli("build", "--base-url", "https://example.org/").code == 0
    before = files_of(tmp_path / "output")
    strict = cli("build", "--content", "empty", "--strict")
    told = "empty: no article files (.md, .markdown, .txt) here; the site has no links"
    assert strict.code == 1 and told in strict.err
    assert files_of(tmp_path / "output") == before
    ran = cli("build", "--content", "empty")
    assert ran.code == 0 and ran.err.startswith(f"warning: {told}\n")
    assert "output/sources/example.com/feed.xml: this feed is no longer made" in ran.err
