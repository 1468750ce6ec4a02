"""The output folder is exactly the site, and faults lose nothing: kills, full disks, two
builds at once, a lost or damaged cache, odd entries in the content folder."""

from __future__ import annotations

import errno
import fcntl
import os
import random
import shutil
import signal
import subprocess
import sys
import time
import zlib
from pathlib import Path

import msgspec
import pytest

from roundup.cli import main
from roundup.core.errors import OutputError
from roundup.state import output as output_module
from roundup.state import ownership

from conftest import build_folder, files_of

CI_ENV = {**os.environ, "CI": "1"}  # no progress line


def roundup(site: Path, *args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "roundup", *args]
    return subprocess.run(
        command, cwd=site, capture_output=True, text=True, env=CI_ENV, timeout=timeout
    )


def snapshot(folder: Path) -> dict[str, tuple[bytes, int]]:
    """Every file with its bytes and modification time, hidden ones included."""
    return {
        p.relative_to(folder).as_posix(): (p.read_bytes(), p.stat().st_mtime_ns)
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


ARTICLE = """---
title: "Article {n}: a link worth reading"
excerpt: "What article {n} says, in a sentence or two for the listing."
publishedDateTime: 2024-0{month}-{day:02d}T{hour:02d}:15:00Z
originalUrl: "https://example.com/articles/{n}"
provider: {{name: "Example {p}", domain: "example{p}.com"}}
topics: ["Topic {t}", "Shared"]
published: {published}
secured: "SECRET-{n}"
---
A comment on article {n} with a [link](https://example.org/{n}).
"""


def write_corpus(content: Path, count: int, seed: int = 0) -> None:
    rng = random.Random(seed)
    content.mkdir(parents=True, exist_ok=True)
    for n in range(count):
        text = ARTICLE.format(
            n=n,
            month=rng.randint(1, 9),
            day=rng.randint(1, 28),
            hour=rng.randint(0, 23),
            p=n % 7,
            t=n % 11,
            published="false" if n % 9 == 0 else "true",
        )
        (content / f"article-{n:04d}.md").write_text(text, encoding="utf-8")


def make_site(folder: Path, count: int = 40) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "pyproject.toml").write_text(
        '[tool.roundup]\ntitle = "Faults"\nbase_url = "https://example.org/"\nsite_id = "faults"\n',
        encoding="utf-8",
    )
    write_corpus(folder / "content", count)
    return folder


def built_here(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A site built once in-process, as the current folder (no progress line)."""
    site = make_site(tmp_path / "site")
    monkeypatch.chdir(site)
    monkeypatch.setenv("CI", "1")
    assert main(["build", "-q"]) == 0
    return site


def clean_build(tmp_path: Path, *edited: Path) -> dict[str, bytes]:
    """The files a fresh site with these edited articles builds, in a process of its own."""
    clean = make_site(tmp_path / "clean")
    for article in edited:
        shutil.copy(article, clean / "content")
    assert roundup(clean, "build").returncode == 0
    return files_of(clean / "output")


# --- the output folder is exactly the site


def test_the_cache_lives_beside_the_config_and_can_be_moved(tmp_path: Path) -> None:
    site = make_site(tmp_path / "site")
    assert roundup(site, "build").returncode == 0
    assert (site / ".roundup-cache" / "parsed").is_dir()
    assert not [p for p in (site / "output").rglob(".*") if p.name != ".nojekyll"]
    moved = tmp_path / "elsewhere"
    done = roundup(site, "build", "--output", "other", "--cache-dir", str(moved))
    assert done.returncode == 0, done.stderr
    assert (moved / "parsed").is_dir() and (moved / "CACHEDIR.TAG").is_file()
    config = site / "pyproject.toml"
    config.write_text(config.read_text() + 'cache_dir = "state"\n')
    assert roundup(site, "build", "--output", "third").returncode == 0
    assert (site / "state" / "parsed").is_dir()
    # The cache holds the drafts' text; it must never be published with the site.
    refused = roundup(site, "build", "--cache-dir", "output/.cache")
    assert refused.returncode == 1
    assert "inside the output folder" in refused.stderr and "Traceback" not in refused.stderr


def test_a_cache_folder_of_someone_elses_files_or_the_home_folder_is_refused(
    tmp_path: Path,
) -> None:
    # --cache-dir ~ wrote a tag saying "everything here can be deleted" into the home folder
    # (backup tools that honour it then skip it), and roundup cleared a file of the user's.
    site = make_site(tmp_path / "site", count=5)
    mine = tmp_path / "mine"
    (mine / "parsed").mkdir(parents=True)
    (mine / "notes.txt").write_text("precious", encoding="utf-8")
    before = snapshot(mine)
    refused = roundup(site, "build", "--cache-dir", "../mine")
    assert refused.returncode == 1 and not (site / "output").exists()
    assert refused.stderr == (
        f"roundup: refusing to use {mine} as the cache folder: it holds files roundup did not "
        "make (notes.txt), and anything in a cache folder may be deleted; choose an empty or "
        "new folder (the default is .roundup-cache/)\n"
    )
    assert snapshot(mine) == before
    home = tmp_path / "home"
    home.mkdir()
    at_home = subprocess.run(
        [sys.executable, "-m", "roundup", "build", "--cache-dir", str(home)], cwd=site,
        capture_output=True, text=True, env={**CI_ENV, "HOME": str(home)}, timeout=60,
    )  # fmt: skip
    assert at_home.returncode == 1 and "it is your home folder" in at_home.stderr
    assert list(home.iterdir()) == []
    # A folder roundup made, and one that is empty, are used.
    assert roundup(site, "build", "--cache-dir", "../fresh").returncode == 0
    assert roundup(site, "build", "--cache-dir", "../fresh").returncode == 0


def test_no_trace_of_a_draft_or_a_secured_value_anywhere_in_the_public_output(
    tmp_path: Path,
) -> None:
    site = make_site(tmp_path / "site")
    # Drafts cached whole first, in the cache the public build reads.
    assert roundup(site, "build", "--preview", "--output", "preview").returncode == 0
    assert roundup(site, "build").returncode == 0
    drafts = [n for n in range(40) if n % 9 == 0]
    for path in (site / "output").rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            assert b"SECRET-" not in data, path
            for n in drafts:
                assert f"Article {n}:".encode() not in data, path


def test_two_fresh_builds_are_byte_identical_and_a_rebuild_writes_nothing(
    tmp_path: Path,
) -> None:
    first, second = make_site(tmp_path / "one"), make_site(tmp_path / "two")
    assert roundup(first, "build").returncode == 0
    assert roundup(second, "build").returncode == 0
    assert files_of(first / "output") == files_of(second / "output")  # hidden files too
    before = snapshot(first / "output")
    folders = {p: p.stat().st_mtime_ns for p in (first / "output").rglob("*") if p.is_dir()}
    again = roundup(first, "build")
    assert " 0 of " in again.stdout
    assert snapshot(first / "output") == before
    assert folders == {p: p.stat().st_mtime_ns for p in (first / "output").rglob("*") if p.is_dir()}


def test_the_state_of_earlier_versions_is_removed_from_the_output(tmp_path: Path) -> None:
    site = make_site(tmp_path / "site")
    assert roundup(site, "build").returncode == 0
    out = site / "output"
    (out / "mine.txt").write_text("a file of the curator's")
    legacy = out / ".roundup"
    (legacy / "parsed").mkdir(parents=True)
    (legacy / "parsed" / "00").write_bytes(b"a pickle with a draft's text")
    records = site / ".roundup-cache" / "outputs"
    manifest = next(records.glob("*/manifest.json"))
    legacy_manifest = legacy / "manifest.json"
    shutil.copy(manifest, legacy_manifest)
    shutil.rmtree(site / ".roundup-cache")  # as after an upgrade: no cache folder yet
    assert roundup(site, "build").returncode == 0
    assert not legacy.exists()
    assert (out / "mine.txt").read_text() == "a file of the curator's"


# --- a lost cache: still safe, still removes what must go


def test_without_its_cache_a_build_keeps_user_files_and_removes_retracted_pages(
    tmp_path: Path,
) -> None:
    site = make_site(tmp_path / "site")
    assert roundup(site, "build").returncode == 0
    out = site / "output"
    (out / "CNAME-notes.txt").write_text("mine")
    (out / "items" / "notes.html").write_text("<p>my own page, no generator tag</p>")
    (site / "content" / "article-0001.md").unlink()  # deleted
    retracted = site / "content" / "article-0002.md"
    retracted.write_text(retracted.read_text().replace("published: true", "published: false"))
    shutil.rmtree(site / ".roundup-cache")
    done = roundup(site, "build")
    assert done.returncode == 0, done.stderr
    assert not (out / "items" / "article-0001").exists()
    assert not (out / "items" / "article-0002").exists()
    assert (out / "CNAME-notes.txt").read_text() == "mine"
    assert (out / "items" / "notes.html").read_text().startswith("<p>my own page")
    clean = make_site(tmp_path / "clean")
    (clean / "content" / "article-0001.md").unlink()
    shutil.copy(retracted, clean / "content" / "article-0002.md")
    assert roundup(clean, "build").returncode == 0
    ours = {
        k: v for k, v in files_of(out).items() if k not in ("CNAME-notes.txt", "items/notes.html")
    }
    assert ours == files_of(clean / "output")


def test_a_file_roundup_did_not_write_is_never_replaced(tmp_path: Path) -> None:
    site = make_site(tmp_path / "site")
    assert roundup(site, "build").returncode == 0
    out = site / "output"
    (site / "content" / "article-0003.md").rename(site / "content" / "renamed.md")
    (out / "items" / "renamed").mkdir()
    (out / "items" / "renamed" / "index.html").write_text("the curator's own page")
    before = snapshot(out)
    refused = roundup(site, "build")
    assert refused.returncode == 1 and "Traceback" not in refused.stderr
    assert "roundup did not write output/items/renamed/index.html" in refused.stderr
    assert snapshot(out) == before


def test_files_deleted_or_edited_by_hand_are_restored(tmp_path: Path) -> None:
    site = make_site(tmp_path / "site")
    assert roundup(site, "build").returncode == 0
    out = site / "output"
    expected = files_of(out)
    (out / "index.html").write_text("vandalised")
    (out / "feed.xml").unlink()
    shutil.rmtree(out / "topics")
    assert roundup(site, "build").returncode == 0
    assert files_of(out) == expected


def test_a_cache_folder_that_is_a_file_or_cannot_be_written_in_says_which(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # "cannot create the cache folder" was said of a folder that was there (another user's).
    site = make_site(tmp_path / "site", count=3)
    monkeypatch.chdir(site)
    (site / ".roundup-cache").write_text("a file")
    assert main(["build"]) == 1
    cache = site / ".roundup-cache"
    assert capsys.readouterr().err.startswith(
        f"roundup: the cache folder {cache} is a file, not a folder; choose another with "
        "--cache-dir or cache_dir"
    )
    cache.unlink()
    cache.mkdir()
    real = Path.write_text

    def refused(path: Path, *args: object, **kwargs: object) -> int:
        if path.parent == cache:
            raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(path))
        return real(path, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(Path, "write_text", refused)
    assert main(["build"]) == 1
    assert capsys.readouterr().err.startswith(
        f"roundup: cannot write in the cache folder {cache} (Permission denied); choose "
        "another with --cache-dir or cache_dir"
    )
    assert not (site / "output").exists()


def test_nothing_is_deleted_through_a_folder_that_became_a_link(tmp_path: Path) -> None:
    """An item's folder in output/ replaced by a link to a folder elsewhere: when the item
    goes, the file the link reaches is not deleted, the build fails (the page may still be
    served through the link) and the next build, the link gone, finishes the job."""
    site = make_site(tmp_path / "site")
    assert roundup(site, "build").returncode == 0
    out = site / "output"
    elsewhere = tmp_path / "elsewhere"
    shutil.move(out / "items" / "article-0001", elsewhere)
    (out / "items" / "article-0001").symlink_to(elsewhere, target_is_directory=True)
    canary = (elsewhere / "index.html").read_bytes()
    (site / "content" / "article-0001.md").unlink()
    done = roundup(site, "build")
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert done.stderr.startswith(
        "roundup: could not remove a file that the site no longer has: "
        "output/items/article-0001/index.html (items/article-0001 is a link to a folder "
        "elsewhere); the rest of the site is written"
    ), done.stderr
    assert (elsewhere / "index.html").read_bytes() == canary
    (out / "items" / "article-0001").unlink()
    (out / "items" / "article-0001").mkdir()
    shutil.copy(elsewhere / "index.html", out / "items" / "article-0001")
    again = roundup(site, "build")
    assert again.returncode == 0, again.stderr
    assert not (out / "items" / "article-0001").exists()
    assert (elsewhere / "index.html").read_bytes() == canary


def test_a_damaged_record_deletes_nothing_outside_the_output_nor_a_users_file(
    tmp_path: Path,
) -> None:
    """The record of an output folder is a file in the cache folder, which a CI cache restores:
    paths leading out of the output folder, and files that are no longer what roundup wrote
    (a user's own, with nothing of roundup's in them), are never deleted on its word."""
    site = make_site(tmp_path / "site")
    assert roundup(site, "build").returncode == 0
    manifest = next((site / ".roundup-cache" / "outputs").glob("*/manifest.json"))
    record = msgspec.json.decode(manifest.read_bytes())
    canaries = [tmp_path / "canary.txt", site / "canary.txt", site / "output" / "notes.txt"]
    for canary in canaries:
        canary.write_text("canary\n")
    like_nojekyll = record["files"][".nojekyll"]
    for path in ("../../canary.txt", "../canary.txt", str(tmp_path / "canary.txt"), "notes.txt"):
        record["files"][path] = like_nojekyll
    manifest.write_bytes(msgspec.json.encode(record))
    (site / "content" / "article-0004.md").unlink()  # a full build, not "nothing changed"
    done = roundup(site, "build")
    assert done.returncode == 0 and "Traceback" not in done.stderr, done.stderr
    assert [canary.read_text() for canary in canaries] == ["canary\n"] * 3
    assert not (site / "output" / "items" / "article-0004").exists()


def test_a_page_that_cannot_be_removed_fails_the_build_and_is_removed_later(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The page of an unpublished article that cannot be removed (an immutable file) is an
    error, and stays recorded: a later build removes it, even with nothing else changed."""
    site = built_here(tmp_path, monkeypatch)
    page = site / "output" / "items" / "article-0002" / "index.html"
    article = site / "content" / "article-0002.md"
    article.write_text(article.read_text().replace("published: true", "published: false"))
    real_unlink = Path.unlink

    def stuck(path: Path, missing_ok: bool = False) -> None:
        if path == page:
            raise PermissionError(errno.EPERM, os.strerror(errno.EPERM), str(path))
        real_unlink(path, missing_ok)

    monkeypatch.setattr(Path, "unlink", stuck)
    capsys.readouterr()
    assert main(["build"]) == 1
    err = capsys.readouterr().err
    assert err == (
        "roundup: could not remove a file that the site no longer has: "
        "output/items/article-0002/index.html (operation not permitted); the rest of the "
        "site is written\n"
    )
    assert page.exists()
    monkeypatch.setattr(Path, "unlink", real_unlink)
    assert main(["build", "-q"]) == 0
    assert not page.exists()
    assert main(["build", "-q"]) == 0


# --- faults


def _kill_at(site: Path, delay: float) -> None:
    command = [sys.executable, "-m", "roundup", "build"]
    process = subprocess.Popen(command, cwd=site, env=CI_ENV, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)  # fmt: skip
    time.sleep(delay)
    process.send_signal(signal.SIGKILL)
    process.wait()


def test_a_build_killed_at_any_moment_leaves_whole_files_and_recovers(tmp_path: Path) -> None:
    site = make_site(tmp_path / "site", count=300)
    versions: dict[str, set[bytes]] = {}
    reference = make_site(tmp_path / "reference", count=300)

    def remember(folder: Path) -> None:
        for path, data in files_of(folder).items():
            versions.setdefault(path, set()).add(data)

    rng = random.Random(7)
    for round_number in range(6):
        if round_number % 2:  # an incremental build: edit some articles first
            for n in rng.sample(range(300), 20):
                for folder in (site, reference):
                    article = folder / "content" / f"article-{n:04d}.md"
                    article.write_text(article.read_text() + f"\nEdit {round_number}.\n")
        shutil.rmtree(reference / "output", ignore_errors=True)
        shutil.rmtree(reference / ".roundup-cache", ignore_errors=True)
        assert roundup(reference, "build").returncode == 0
        remember(reference / "output")
        _kill_at(site, rng.uniform(0.3, 2.5))
        out = site / "output"
        if out.exists():
            for path, data in files_of(out).items():
                assert not path.startswith(".roundup"), path  # no temporary files here
                assert data in versions.get(path, set()), f"half-written or foreign: {path}"
        done = roundup(site, "build")
        assert done.returncode == 0, done.stderr
        assert files_of(out) == files_of(reference / "output"), round_number


def test_disk_full_is_one_line_and_the_site_stays_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    site = built_here(tmp_path, monkeypatch)
    before = snapshot(site / "output")
    for n in range(10):  # every page changes
        article = site / "content" / f"article-{n:04d}.md"
        article.write_text(article.read_text().replace("Example", "Changed"))
    real_write = os.write
    writes = [0]

    def full_disk(fd: int, data: bytes) -> int:
        writes[0] += 1
        if writes[0] > 5:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return real_write(fd, data)

    monkeypatch.setattr(output_module.os, "write", full_disk)
    capsys.readouterr()
    assert main(["build"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("roundup: no space left on device while writing output/"), err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err
    assert snapshot(site / "output") == before
    monkeypatch.setattr(output_module.os, "write", real_write)
    assert main(["build", "-q"]) == 0
    edited = [site / "content" / f"article-{n:04d}.md" for n in range(10)]
    assert files_of(site / "output") == clean_build(tmp_path, *edited)


def test_a_full_disk_for_the_record_names_the_cache_and_says_the_site_is_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The cache folder on another, full disk: the site is already moved into place when its
    record fails to be written. The line says so (it said "while writing output"), and the
    next build finds every file as it should be."""
    site = built_here(tmp_path, monkeypatch)
    article = site / "content" / "article-0001.md"
    article.write_text(article.read_text().replace("Example", "Changed"))

    def full_disk(target: Path, *args: object) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(target) + ".tmp")

    monkeypatch.setattr(output_module, "write_manifest", full_disk)
    capsys.readouterr()
    assert main(["build"]) == 1
    err = capsys.readouterr().err
    assert err.startswith(
        "roundup: no space left on device while writing the record of output in the cache "
        f"folder ({site / '.roundup-cache' / 'outputs'}"
    ), err
    assert err.endswith(
        "the site in output is complete, and the next build checks every file of it\n"
    )
    monkeypatch.undo()
    monkeypatch.chdir(site)
    capsys.readouterr()
    assert main(["build"]) == 0
    assert "; 0 of " in capsys.readouterr().out
    assert files_of(site / "output") == clean_build(tmp_path, article)


def test_a_cache_folder_that_cannot_be_staged_in_is_named_not_a_page(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # A read-only cache folder was told as "permission denied while writing output/topics/…",
    # a page whose folder was writable: a chmod there changed nothing.
    site = built_here(tmp_path, monkeypatch)
    before = snapshot(site / "output")
    article = site / "content" / "article-0001.md"
    article.write_text(article.read_text().replace("Example", "Changed"))
    cache = str(site / ".roundup-cache")
    real_open = os.open

    def read_only(path: str, *args: int, **kwargs: int) -> int:
        if str(path).startswith(cache) and "staging" in str(path):
            raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), path)
        return real_open(path, *args, **kwargs)

    monkeypatch.setattr(output_module.os, "open", read_only)
    capsys.readouterr()
    assert main(["build"]) == 1
    err = capsys.readouterr().err
    assert err.startswith(f"roundup: permission denied while staging files in {cache}/"), err
    assert snapshot(site / "output") == before


def test_a_real_full_disk(tmp_path: Path) -> None:
    small = tmp_path / "small"
    small.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(small)], capture_output=True
    )
    if mounted.returncode != 0:
        pytest.skip("cannot mount a small tmpfs here (needs root)")
    try:
        # Only the output is on the small disk: the cache is on another device, so files are
        # staged inside the output folder, and must not be left there either.
        site = make_site(tmp_path / "site", count=5)
        out = str(small / "out")
        assert roundup(site, "build", "--output", out).returncode == 0
        before = snapshot(small / "out")
        write_corpus(site / "content", 150, seed=1)  # more pages than the disk can hold
        done = roundup(site, "build", "--output", out)
        assert done.returncode == 1
        assert "no space left on device while writing" in done.stderr, done.stderr
        assert len(done.stderr.strip().splitlines()) == 1 and "Traceback" not in done.stderr
        assert snapshot(small / "out") == before
    finally:
        subprocess.run(["umount", str(small)], check=False)


def test_a_second_build_into_the_same_folder_waits_for_the_first(tmp_path: Path) -> None:
    site = make_site(tmp_path / "site")
    assert roundup(site, "build").returncode == 0
    article = site / "content" / "article-0005.md"
    article.write_text(article.read_text().replace("Example", "Changed"))
    fd = os.open(site / "output", os.O_RDONLY | os.O_DIRECTORY)
    fcntl.flock(fd, fcntl.LOCK_EX)  # as a running build holds it
    process = subprocess.Popen(
        [sys.executable, "-m", "roundup", "build"],
        cwd=site, env=CI_ENV, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        time.sleep(2)
        assert process.poll() is None  # waiting
    finally:
        os.close(fd)  # the first build ends (or crashes): the lock goes with it
    _, err = process.communicate(timeout=60)
    assert process.returncode == 0, err
    assert "roundup: another build is writing output; waiting" in err  # not the module's name
    assert "Changed" in (site / "output" / "items" / "article-0005" / "index.html").read_text()


def test_a_damaged_cache_warns_and_builds_the_same_site(tmp_path: Path) -> None:
    site = make_site(tmp_path / "site")
    assert roundup(site, "build").returncode == 0
    expected = files_of(site / "output")
    shards = sorted((site / ".roundup-cache" / "parsed").iterdir())
    shards[0].write_bytes(b"")
    shards[1].write_bytes(shards[1].read_bytes()[:20])
    shards[2].write_bytes(b"\x80\x05\x95 a pickle, perhaps a hostile one")
    # An entry whose text is the wrong type: found only when a page reads it.
    shards[3].write_bytes(_with_a_damaged_text(shards[3].read_bytes()))
    (site / ".roundup-cache" / "templates.bin").write_bytes(b"\x00garbage")
    for record in (site / ".roundup-cache" / "outputs").rglob("*.json"):
        record.write_text("{not json")
    shutil.rmtree(site / "output")  # so every page, and every article's text, is needed
    done = roundup(site, "build")
    assert done.returncode == 0 and "Traceback" not in done.stderr
    assert "parse cache" in done.stderr and "damaged" in done.stderr
    assert "parsing every file again" in done.stderr  # the text found damaged while rendering
    assert files_of(site / "output") == expected


def _with_a_damaged_text(shard: bytes) -> bytes:
    """The shard with its first entry's text (the compressed body) of the wrong shape."""
    data = msgspec.msgpack.decode(shard)
    first = next(iter(data["entries"].values()))
    offset, length = first[4:]
    entry = msgspec.msgpack.decode(data["results"][offset : offset + length])
    entry[-1] = zlib.compress(b"[42]")  # the body ends the entry
    damaged = msgspec.msgpack.encode(entry)
    data["results"] = data["results"][:offset] + damaged + data["results"][offset + length :]
    for row in data["entries"].values():  # the entries after it move along
        if row[4] > offset:
            row[4] += len(damaged) - length
    first[5] = len(damaged)
    return msgspec.msgpack.encode(data)


def test_odd_entries_in_the_content_folder_never_hang_a_build(tmp_path: Path) -> None:
    site = make_site(tmp_path / "site", count=3)
    content = site / "content"
    os.mkfifo(content / "pipe.md")
    (content / "folder.md").mkdir()
    os.symlink(tmp_path / "missing.md", content / "dangling.md")
    done = roundup(site, "build", timeout=30)
    assert done.returncode == 0, done.stderr
    assert "warning: content/pipe.md: not a regular file" in done.stderr
    assert "warning: content/dangling.md: symbolic link" in done.stderr


def test_staging_left_in_the_output_by_a_killed_build_is_removed(tmp_path: Path) -> None:
    site = make_site(tmp_path / "site", count=3)
    assert roundup(site, "build").returncode == 0
    leftover = site / "output" / (ownership.STAGING_IN_OUTPUT + "12345") / "items"
    leftover.mkdir(parents=True)
    (leftover / "half.html").write_text("<p>half")
    assert roundup(site, "build").returncode == 0
    assert not leftover.parent.exists()


def test_a_read_only_output_is_one_line(tmp_path: Path) -> None:
    disk = tmp_path / "disk"
    disk.mkdir()
    if subprocess.run(["mount", "-t", "tmpfs", "tmpfs", str(disk)], capture_output=True).returncode:
        pytest.skip("cannot mount a tmpfs here (needs root)")
    try:
        site = make_site(tmp_path / "site", count=3)
        out = str(disk / "out")
        assert roundup(site, "build", "--output", out).returncode == 0
        before = snapshot(disk / "out")
        subprocess.run(["mount", "-o", "remount,ro", str(disk)], check=True)
        (site / "content" / "new.md").write_text(ARTICLE.format(
            n=99, month=1, day=1, hour=1, p=1, t=1, published="true"))  # fmt: skip
        done = roundup(site, "build", "--output", out)
        assert done.returncode == 1 and "Traceback" not in done.stderr
        assert done.stderr.startswith("roundup: read-only file system while writing "), done.stderr
        assert snapshot(disk / "out") == before
    finally:
        subprocess.run(["umount", str(disk)], check=False)


def test_writer_refuses_a_foreign_folder_before_writing(tmp_path: Path) -> None:
    foreign = tmp_path / "out"
    foreign.mkdir()
    (foreign / "index.html").write_text("<p>someone else's site</p>")
    site = make_site(tmp_path / "site", count=3)
    with pytest.raises(OutputError, match="roundup did not make it"):
        build_folder(site, foreign)
    assert [p.name for p in foreign.iterdir()] == ["index.html"]


@pytest.mark.parametrize(("signum", "code", "said"), [
    (signal.SIGINT, 130, "interrupted"),
    (signal.SIGTERM, 143, "stopped (SIGTERM)"),
])  # fmt: skip
def test_a_stop_while_files_move_into_place_waits_for_the_whole_site_and_says_so(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    signum: int,
    code: int,
    said: str,
) -> None:
    # Stopped halfway through the moves, a build left half the new site and said the folder
    # was not changed. The stop now waits for the moves, and the message tells what happened.
    site = make_site(tmp_path / "site")
    cold = make_site(tmp_path / "cold")
    monkeypatch.chdir(cold)
    assert main(["build", "-q"]) == 0
    monkeypatch.chdir(site)
    assert main(["build", "-q"]) == 0
    for folder in (site, cold):
        article = folder / "content" / "article-0003.md"
        article.write_text(article.read_text("utf-8").replace("worth", "well worth"), "utf-8")
    moving = output_module.move_staged

    def stopped_midway(source: str, target: str) -> None:
        os.kill(os.getpid(), signum)  # arrives now, as the first file moves
        moving(source, target)

    monkeypatch.setattr(output_module, "move_staged", stopped_midway)
    capsys.readouterr()
    assert main(["build", "-q"]) == code
    assert capsys.readouterr().err == (
        f"roundup: {said} while the output folder was written; it holds the new site whole\n"
    )
    monkeypatch.undo()
    monkeypatch.chdir(cold)
    assert main(["build", "-q"]) == 0
    assert files_of(site / "output") == files_of(cold / "output")


def test_a_move_that_fails_midway_is_undone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # A file made immutable (chattr +i) or a folder made read-only in output/ failed one move
    # of many: the build said so and exited 1, but left the files moved before it, half the
    # new site beside half the old one. What was moved is now moved back.
    from roundup.state import ownership

    site = make_site(tmp_path / "site")
    monkeypatch.chdir(site)
    assert main(["build", "-q"]) == 0
    before = files_of(site / "output")
    (site / "pyproject.toml").write_text(
        (site / "pyproject.toml").read_text("utf-8").replace('title = "', 'title = "New '), "utf-8"
    )
    moves = 0
    real_replace = os.replace

    def failing_after_ten(source: str, target: str) -> None:
        nonlocal moves
        if target.startswith(str(site / "output")) and not source.startswith(str(site / "output")):
            moves += 1
            if moves == 10:
                raise PermissionError(1, "Operation not permitted", target)
        real_replace(source, target)

    monkeypatch.setattr(ownership.os, "replace", failing_after_ten)
    capsys.readouterr()
    assert main(["build", "-q"]) == 1
    assert "operation not permitted while writing output/" in capsys.readouterr().err
    assert moves >= 10 and files_of(site / "output") == before
    monkeypatch.undo()
    monkeypatch.chdir(site)
    assert main(["build", "-q"]) == 0 and files_of(site / "output") != before


def test_a_disk_without_hard_links_still_commits(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The undo keeps each replaced file as a hard link; where a disk has none (FAT), the
    # build goes on without that file's undo rather than failing.
    from roundup.state import ownership

    site = make_site(tmp_path / "site")
    monkeypatch.chdir(site)
    assert main(["build", "-q"]) == 0
    toml = site / "pyproject.toml"
    toml.write_text(toml.read_text("utf-8").replace('title = "', 'title = "New '), "utf-8")

    def no_links(source: str, target: str) -> None:
        raise OSError(1, "Operation not permitted")

    monkeypatch.setattr(ownership.os, "link", no_links)
    assert main(["build", "-q"]) == 0
    assert "New Faults" in (site / "output" / "index.html").read_text("utf-8")
