"""The output files checked ahead in a forked process: the same answer as checking each one."""

from __future__ import annotations

import os
import shutil
import threading
from pathlib import Path

import pytest

from roundup.core.errors import ContentError
from roundup.state import precheck
from roundup.state.folder import StateFolder
from roundup.state.ownership import MANIFEST, read_records

from conftest import build_folder, files_of, write_article


@pytest.fixture(autouse=True)
def like_the_command(monkeypatch: pytest.MonkeyPatch) -> None:
    """As in `roundup build`: a core to spare, and no other thread (pytest-xdist has some)."""
    monkeypatch.setenv("ROUNDUP_JOBS", "2")
    monkeypatch.setattr(threading, "active_count", lambda: 1)


def test_it_names_exactly_the_files_changed_or_gone(fixture_site: Path, tmp_path: Path) -> None:
    output, _ = build_folder(fixture_site, tmp_path / "out", cache_dir=str(tmp_path / "cache"))
    records = StateFolder(tmp_path / "cache").records(output)
    recorded = read_records(records)
    assert recorded is not None and len(recorded) > 20
    edited, deleted, *_ = sorted(p for p in recorded if p.endswith("index.html"))
    (output / edited).write_bytes(b"changed by hand")
    (output / deleted).unlink()
    with precheck.checking(output, records) as check:
        assert check is not None
        again, changed = precheck.read_checked(records, check)
    assert again == recorded
    assert changed == {edited, deleted}


def test_a_record_written_meanwhile_is_not_answered_for(fixture_site: Path, tmp_path: Path) -> None:
    output, _ = build_folder(fixture_site, tmp_path / "out", cache_dir=str(tmp_path / "cache"))
    records = StateFolder(tmp_path / "cache").records(output)
    with precheck.checking(output, records) as check:
        assert check is not None and check.changed(None) is None  # waits for its answer
        manifest = records / MANIFEST
        rewritten = manifest.with_name("rewritten")
        shutil.copyfile(manifest, rewritten)
        os.replace(rewritten, manifest)  # as another build would: a new file in its place
        recorded, changed = precheck.read_checked(records, check)
    assert recorded is not None and changed is None  # each file is checked again instead


def test_a_check_never_asked_is_stopped_and_reaped(fixture_site: Path, tmp_path: Path) -> None:
    output, _ = build_folder(fixture_site, tmp_path / "out", cache_dir=str(tmp_path / "cache"))
    records = StateFolder(tmp_path / "cache").records(output)
    with precheck.checking(output, records) as check:
        assert check is not None
        pid = check.pid
    with pytest.raises(ChildProcessError):
        os.waitpid(pid, os.WNOHANG)  # no such child left, not even a zombie


def test_nothing_is_forked_without_a_record_or_a_spare_core(
    fixture_site: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with precheck.checking(tmp_path / "out", tmp_path / "records") as check:
        assert check is None  # a first build: nothing to check
    output, _ = build_folder(fixture_site, tmp_path / "out", cache_dir=str(tmp_path / "cache"))
    monkeypatch.setenv("ROUNDUP_JOBS", "1")
    with precheck.checking(output, StateFolder(tmp_path / "cache").records(output)) as check:
        assert check is None


def test_a_build_puts_back_what_was_changed_by_hand(
    fixture_site: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cold, _ = build_folder(fixture_site, tmp_path / "cold", cache_dir=str(tmp_path / "c1"))
    output, _ = build_folder(fixture_site, tmp_path / "out", cache_dir=str(tmp_path / "c2"))
    answers: list[frozenset[str] | None] = []
    real_changed = precheck.OutputCheck.changed

    def spied(check: precheck.OutputCheck, seen: precheck.Identity | None) -> object:
        answer = real_changed(check, seen)
        answers.append(answer)
        return answer

    monkeypatch.setattr(precheck.OutputCheck, "changed", spied)
    pages = sorted(p for p in files_of(output) if p.endswith("index.html"))
    (output / pages[0]).write_bytes(b"changed by hand")
    (output / pages[1]).unlink()
    _, result = build_folder(fixture_site, output, cache_dir=str(tmp_path / "c2"))
    assert answers == [{pages[0], pages[1]}]  # the build took the forked check's answer
    assert result.written == 2
    assert files_of(output) == files_of(cold)


def test_a_build_that_fails_leaves_no_check_behind(
    fixture_site: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    output, _ = build_folder(fixture_site, tmp_path / "out", cache_dir=str(tmp_path / "cache"))
    before = files_of(output)
    started: list[precheck.OutputCheck] = []
    real_start = precheck.start

    def spied(output: Path, records: Path) -> precheck.OutputCheck | None:
        check = real_start(output, records)
        started.extend([check] if check else [])
        return check

    monkeypatch.setattr(precheck, "start", spied)
    write_article(fixture_site / "content", "broken.md", "title: [unclosed")
    with pytest.raises(ContentError):
        build_folder(fixture_site, output, cache_dir=str(tmp_path / "cache"))
    assert len(started) == 1  # the check was begun, and the build failed before asking it
    with pytest.raises(ChildProcessError):
        os.waitpid(started[0].pid, os.WNOHANG)
    assert files_of(output) == before


def test_a_fork_refused_only_means_checking_each_file(
    fixture_site: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    output, _ = build_folder(fixture_site, tmp_path / "out", cache_dir=str(tmp_path / "cache"))
    page = next(p for p in files_of(output) if p.endswith("index.html"))
    (output / page).write_bytes(b"changed by hand")

    def refused() -> int:
        raise BlockingIOError(11, "Resource temporarily unavailable")

    monkeypatch.setattr(os, "fork", refused)
    _, result = build_folder(fixture_site, output, cache_dir=str(tmp_path / "cache"))
    assert result.written == 1  # the build went on, and still put the page back
