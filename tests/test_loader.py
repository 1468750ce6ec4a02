"""The content folder's scan: which files are articles, in what order, with what stat key."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from roundup.read.loader import scan


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


def test_scan_keys_files_by_size_and_modification_time(tmp_path: Path) -> None:
    (tmp_path / "z.md").write_text("hello")
    os.utime(tmp_path / "z.md", ns=(1, 123456789))
    (tmp_path / "a.markdown").write_text("")
    assert scan(tmp_path).files == [
        ("a.markdown", (0, os.stat(tmp_path / "a.markdown").st_mtime_ns)),
        ("z.md", (5, 123456789)),
    ]


def test_an_unreadable_folder_is_a_warning(tmp_path: Path) -> None:
    locked = tmp_path / "locked"
    locked.mkdir()
    (locked / "x.md").write_text("x")
    locked.chmod(0)
    try:
        if os.access(locked, os.R_OK):
            pytest.skip("this user reads any folder (root)")
        found = scan(tmp_path)
    finally:
        locked.chmod(0o755)
    assert found.files == []
    assert [(w.path, w.message) for w in found.warnings] == [
        ("locked", "cannot read folder: Permission denied")
    ]
