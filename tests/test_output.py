"""The writer: nothing lost, nothing stray, nothing rewritten without need, nothing outside."""

from __future__ import annotations

import copy
import os
from pathlib import Path

import pytest

from roundup.core.errors import ContentError, OutputError
from roundup.state.output import Writer
from roundup.state.ownership import check_folder, check_relative, content_hash

from conftest import Builder, build_folder, files_of


def _snapshot(folder: Path) -> dict[str, tuple[bytes, int]]:
    return {
        p.relative_to(folder).as_posix(): (p.read_bytes(), p.stat().st_mtime_ns)
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def test_failed_build_leaves_output_exactly_as_it_was(
    build_fixture: Builder, fixture_site: Path
) -> None:
    out, _ = build_fixture()
    before = _snapshot(out)
    (fixture_site / "content" / "broken.md").write_text("---\ntitle: [unclosed\n---\n")
    (fixture_site / "content" / "a-first.md").write_text("---\ntitle: Changed\n---\n")
    with pytest.raises(ContentError) as error:
        build_fixture()
    assert len({p.path for p in error.value.problems}) == 2  # both files reported together
    assert _snapshot(out) == before


def test_failed_first_build_creates_no_output_folder(
    build_fixture: Builder, fixture_site: Path, tmp_path: Path
) -> None:
    (fixture_site / "content" / "broken.md").write_text("no frontmatter\n")
    with pytest.raises(ContentError):
        build_fixture()
    assert not (tmp_path / "out").exists()


def test_user_files_survive_and_removed_articles_disappear(
    build_fixture: Builder, fixture_site: Path
) -> None:
    out, _ = build_fixture()
    (out / "CNAME").write_text("mine\n")
    (out / "items" / "keep-me.txt").write_text("mine too\n")
    (fixture_site / "content" / "a-first.md").unlink()
    build_fixture()
    assert not (out / "items" / "a-first").exists()
    assert (out / "CNAME").read_text() == "mine\n"
    assert (out / "items" / "keep-me.txt").read_text() == "mine too\n"


def test_unchanged_files_are_not_rewritten(build_fixture: Builder, fixture_site: Path) -> None:
    out, _ = build_fixture()
    before = _snapshot(out)
    _, result = build_fixture()
    assert result.written == 0
    assert _snapshot(out) == before
    article = fixture_site / "content" / "nested" / "c-third.txt"
    article.write_text(article.read_text() + "\nA new comment.\n")
    _, result = build_fixture()
    after = _snapshot(out)
    changed = {path for path in after if after[path] != before.get(path)}
    assert "items/c-third/index.html" in changed
    assert "items/a-first/index.html" not in changed
    assert 0 < result.written == len(changed)


def test_incremental_build_equals_a_cold_build(build_fixture: Builder, fixture_site: Path) -> None:
    build_fixture()
    content = fixture_site / "content"
    (content / "b-second.md").write_text(
        (content / "b-second.md").read_text().replace("Second link", "Renamed link")
    )
    (content / "e-untopical.md").unlink()
    (content / "f-new.md").write_text(
        "---\ntitle: New\npublishedDateTime: 2024-03-05\noriginalUrl: https://example.com/n\n"
        "topics: [Feeds, New]\n---\n"
    )
    incremental, _ = build_fixture()
    cold, _ = build_fixture(output="cold")
    assert files_of(incremental) == files_of(cold)


def test_an_edit_that_keeps_size_and_modification_time_is_seen(
    build_fixture: Builder, fixture_site: Path
) -> None:
    # As `cp -p`, `rsync -a` or `tar x` of another version do: the same size, the old time.
    article = fixture_site / "content" / "b-second.md"
    old = article.read_text("utf-8")
    excerpt = 'excerpt: "RSS 2.0 specification."'
    new = old.replace(excerpt, 'published: false\nexcerpt: "RSS 2"')
    assert len(new.encode()) == len(old.encode()) and new != old
    output, _ = build_fixture()
    assert (output / "items" / "b-second" / "index.html").exists()
    before = article.stat()
    article.write_text(new, "utf-8")
    os.utime(article, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert article.stat().st_mtime_ns == before.st_mtime_ns
    build_fixture()
    assert not (output / "items" / "b-second").exists()  # now unpublished: its page goes
    assert files_of(output) == files_of(build_fixture(output="cold")[0])


def test_refuses_a_folder_it_does_not_own(fixture_site: Path, tmp_path: Path) -> None:
    foreign = tmp_path / "foreign"
    foreign.mkdir()
    (foreign / "precious.txt").write_text("keep")
    with pytest.raises(OutputError, match="roundup did not make it"):
        build_folder(fixture_site, foreign)
    assert (foreign / "precious.txt").read_text() == "keep"
    assert sorted(p.name for p in foreign.iterdir()) == ["precious.txt"]


def test_a_folder_that_only_holds_a_roundup_site_deeper_down_is_refused(
    fixture_site: Path, tmp_path: Path
) -> None:
    # Another project (its own output/ inside), or a folder with a copy of a site kept in a
    # sub-folder: with no record of its own, taking it over deleted that site's pages.
    other = tmp_path / "other-project"
    build_folder(fixture_site, other / "output")
    (other / "pyproject.toml").write_text("[tool.roundup]\n")
    (other / "notes.txt").write_text("mine")
    before = _snapshot(other)
    for target in (other, other / "output" / ".."):
        with pytest.raises(OutputError, match="roundup did not make it"):
            build_folder(fixture_site, target, cache_dir=str(tmp_path / "cache"))
        assert _snapshot(other) == before
    # A site whose records were lost (its cache deleted) is still taken over.
    _, result = build_folder(fixture_site, other / "output", cache_dir=str(tmp_path / "new"))
    assert result.files and _snapshot(other) == before


@pytest.mark.parametrize("target", [".", "content", ".."])
def test_refuses_folders_that_hold_the_project(fixture_site: Path, target: str) -> None:
    with pytest.raises(OutputError, match="refusing"):
        check_folder(
            fixture_site / target,
            {"the content folder": fixture_site / "content", "the site's folder": fixture_site},
        )


def test_refuses_the_root_and_home() -> None:
    for folder in (Path("/"), Path.home()):
        with pytest.raises(OutputError):
            check_folder(folder, {})


@pytest.mark.parametrize(
    "path",
    ["", "/etc/passwd", "../x", "a/../../x", "a//b", "./a", ".roundup/x", ".git/config", "a\\b",
     "x" * 256, "a/" + "é" * 128, "a/", "/", "a/.", "..", "a/b/.."],
)  # fmt: skip
def test_unsafe_output_paths_are_refused(path: str) -> None:
    with pytest.raises(OutputError):
        check_relative(path)


@pytest.mark.parametrize(
    "path", ["index.html", ".nojekyll", "a/b/index.html", "x" * 255, "é" * 127 + "/x", "a..b/c"]
)
def test_ordinary_output_paths_pass(path: str) -> None:
    assert check_relative(path) == path


def writer_for(tmp_path: Path, name: str = "out") -> Writer:
    return Writer(tmp_path / name, tmp_path / "records" / name)


def test_two_outputs_on_one_path_are_refused(tmp_path: Path) -> None:
    with pytest.raises(OutputError, match="two outputs"), writer_for(tmp_path) as writer:
        writer.add("a/index.html", b"one")
        writer.add("a/index.html", b"two")
    assert not (tmp_path / "out").exists()


def test_a_symlinked_folder_cannot_carry_writes_outside(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    out = tmp_path / "out"
    with writer_for(tmp_path) as writer:
        writer.add("index.html", b"x")
        writer.commit()
    (out / "items").symlink_to(outside)
    with pytest.raises(OutputError, match="a link or a file"), writer_for(tmp_path) as writer:
        writer.add("index.html", b"x")
        writer.add("items/a/index.html", b"escape")
        writer.commit()
    assert list(outside.iterdir()) == []


def test_a_set_of_files_is_kept_all_or_none(tmp_path: Path) -> None:
    out = tmp_path / "out"
    with writer_for(tmp_path) as writer:
        for name in ("a", "b", "c"):
            writer.add(f"index/{name}", name.encode(), "key-1")
        writer.commit()
    (out / "index/b").write_bytes(b"changed by hand")

    with writer_for(tmp_path) as writer:
        assert not writer.keep(["index/a", "index/b"], "key-1")  # b was touched: neither kept
        assert not writer.keep(["index/c"], "key-2")  # made from other inputs
        assert writer.keep(["index/c"], "key-1")
        writer.add("index/a", b"a", "key-1")  # a was not claimed by the refused keep
        writer.add("index/b", b"b", "key-1")
        assert writer.digest("index/c") == content_hash(b"c")
        assert writer.source("index/a") == str(out / "index/a")  # unchanged: in place
        staged = Path(writer.source("index/b"))  # changed: its new bytes wait, staged
        assert staged != out / "index/b" and staged.read_bytes() == b"b"
        writer.commit()
    assert (out / "index/b").read_bytes() == b"b"


def test_a_file_another_program_wrote_is_moved_into_place(tmp_path: Path) -> None:
    out = tmp_path / "out"
    with writer_for(tmp_path) as writer:
        made = writer.scratch() / "made-elsewhere"
        made.write_bytes(b"one")
        writer.adopt("index/one", str(made), "k")
        assert not made.exists() and not (out / "index/one").exists()  # staged, not visible
        writer.commit()
    assert (out / "index/one").read_bytes() == b"one"
    mtime = (out / "index/one").stat().st_mtime_ns

    with writer_for(tmp_path) as writer:  # staged only when the bytes changed
        for name, data in (("same", b"one"), ("other", b"two")):
            (writer.scratch() / name).write_bytes(data)
        writer.adopt("index/one", str(writer.scratch() / "same"), "k")
        writer.adopt("index/two", str(writer.scratch() / "other"), "k")
        assert not (out / "index/two").exists()  # nothing visible before the commit
        writer.commit()
        scratch = writer.staging_root
    assert (out / "index/one").stat().st_mtime_ns == mtime
    assert (out / "index/two").read_bytes() == b"two"
    assert scratch is not None and not scratch.exists()


def test_the_manifest_written_in_chunks_reads_back_whole(tmp_path: Path) -> None:
    import json

    from roundup.state.ownership import Record, read_manifest, write_manifest

    # More records than one chunk, written out of order, with text JSON must escape.
    records = {
        f'items/{n:05}-\u00e9"{n % 3}/index.html': Record(f"{n:032x}", n, n * 7, f"k{n}")
        for n in reversed(range(12_345))
    }
    target = tmp_path / "manifest.json"
    write_manifest(target, records, tmp_path / "out")
    assert read_manifest(target) == records
    data = json.loads(target.read_bytes())  # plain JSON, sorted, as a person would read it
    assert list(data["files"]) == sorted(records) and data["version"] == 2
    assert data["files"]['items/00002-\u00e9"2/index.html'] == ["0" * 31 + "2", 2, 14, "k2"]
    assert data["output"] == str(tmp_path / "out")
    assert not list(tmp_path.glob("*.tmp"))


def test_what_a_forked_worker_recorded_is_taken_over_whole(tmp_path: Path) -> None:
    # Rendering workers record into a forked copy of the writer and send back what they
    # recorded: the files they staged, and those kept as the last build left them.
    with writer_for(tmp_path) as writer:
        writer.add("same/index.html", b"same")
        writer.add("old/index.html", b"old")
        writer.commit()
    kept_since = (tmp_path / "out" / "same" / "index.html").stat().st_mtime_ns
    with writer_for(tmp_path) as writer:
        worker = copy.copy(writer).for_worker(1)  # what a forked process works on
        worker.add("same/index.html", b"same")
        worker.add("new/index.html", b"new")
        writer.add("old/index.html", b"changed")
        writer.merge(worker.recorded())
        with pytest.raises(OutputError, match="two outputs"):
            writer.merge(worker.recorded())  # a path both claim is refused
    with writer_for(tmp_path) as writer:
        worker = copy.copy(writer).for_worker(1)
        worker.add("same/index.html", b"same")
        worker.add("new/index.html", b"new")
        writer.add("old/index.html", b"changed")
        writer.merge(worker.recorded())
        writer.commit()
        assert writer.written == 2  # the worker's new file and this process's changed one
    out = tmp_path / "out"
    assert (out / "new" / "index.html").read_bytes() == b"new"
    assert (out / "old" / "index.html").read_bytes() == b"changed"
    assert (out / "same" / "index.html").stat().st_mtime_ns == kept_since
    with writer_for(tmp_path) as writer:  # and the record holds all three
        assert sorted(writer.old) == ["new/index.html", "old/index.html", "same/index.html"]
