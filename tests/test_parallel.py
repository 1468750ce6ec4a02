"""Work shared out among forked processes: each unit made once, by whichever process is free;
what the build does meanwhile (templates compiled while the workers parse); and what a build
stopped while its workers parse leaves behind (one line, no file)."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from roundup.core import parallel
from roundup.core.errors import ContentError, TemplateError
from roundup.read import loader

from conftest import build_folder, write_article


def test_every_unit_is_handed_to_exactly_one_process(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ROUNDUP_JOBS", "3")

    def work(units: Iterator[int], share: int) -> tuple[int, int, list[int]]:
        return share, os.getpid(), list(units)

    results = parallel.share_out(work, 1000)
    assert [share for share, _, _ in results] == [0, 1, 2]
    assert results[0][1] == os.getpid(), "share 0 is made here"
    # The others in workers (the pool may give both to one, when the other is slow to start).
    assert os.getpid() not in {pid for _, pid, _ in results[1:]}
    taken = [unit for _, _, units in results for unit in units]
    assert sorted(taken) == list(range(1000))


def test_a_process_busy_with_other_work_takes_fewer_units(monkeypatch: pytest.MonkeyPatch) -> None:
    # Shared out in turn (every other unit to each process), the slow one would take half and
    # the build would wait for it; handed out as asked for, the free one takes nearly all.
    monkeypatch.setenv("ROUNDUP_JOBS", "2")

    def work(units: Iterator[int], share: int) -> list[int]:
        taken = []
        for unit in units:
            taken.append(unit)
            if share == 0:
                time.sleep(0.01)
        return taken

    mine, theirs = parallel.share_out(work, 800)
    assert sorted(mine + theirs) == list(range(800))
    assert len(theirs) > 2 * len(mine)


@pytest.mark.parametrize("value", ["abc", "0", "-2", "2.5", " 2"])
def test_a_jobs_setting_that_is_no_count_is_told_once_and_every_core_used(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], value: str
) -> None:
    from roundup.cli import main

    front = 'title: "A link"\npublishedDateTime: 2024-01-02T10:00:00Z\noriginalUrl: "https://example.com/a"'
    write_article(tmp_path / "content", "a.md", front)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("ROUNDUP_JOBS", value)
    assert parallel.workers() == parallel._cores()
    assert main(["build", "-q"]) == 0
    assert capsys.readouterr().err == (
        f"warning: ROUNDUP_JOBS={value!r} is not a whole number above 0; using every core "
        f"({parallel._cores()})\n"
    )
    monkeypatch.setenv("ROUNDUP_JOBS", "3")
    assert parallel.workers() == 3 and parallel.jobs_warning() is None


def test_small_jobs_are_made_here_in_order(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ROUNDUP_JOBS", "2")
    result = parallel.share_out(lambda units, share: (share, os.getpid(), list(units)), 10)
    assert result == [(0, os.getpid(), list(range(10)))]


def test_a_failure_in_a_worker_is_raised_here_without_doing_the_rest(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("ROUNDUP_JOBS", "2")
    taken_here: list[int] = []

    def work(units: Iterator[int], share: int) -> int:
        for unit in units:
            if share == 1:
                raise ValueError("a worker failed")
            taken_here.append(unit)
            time.sleep(0.01)
        return share

    with pytest.raises(ValueError, match="a worker failed"):
        parallel.share_out(work, 1000)
    # This process stopped taking units once the worker failed, rather than making them all.
    assert 0 < len(taken_here) < 500


@pytest.fixture
def forked(monkeypatch: pytest.MonkeyPatch) -> None:
    """Parsing and rendering shared out even for a small site."""
    monkeypatch.setattr(parallel, "MIN_PARALLEL", 1)
    monkeypatch.setenv("ROUNDUP_JOBS", "2")


def test_what_workers_parse_reaches_the_cache_through_files_that_then_go(
    fixture_site: Path, tmp_path: Path, forked: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache = tmp_path / "cache"
    build_folder(fixture_site, tmp_path / "out", cache_dir=str(cache))
    assert not list(cache.rglob("*.tmp")), "the workers' spill files are removed"

    def parse_file(*args: object) -> object:
        raise AssertionError("parsed again: the cache lacks a worker's result")

    monkeypatch.setattr(loader, "parse_file", parse_file)
    _, result = build_folder(fixture_site, tmp_path / "again", cache_dir=str(cache))
    assert result.shown > 0


def test_a_template_mistake_found_while_parsing_stops_the_build_after_it(
    fixture_site: Path, tmp_path: Path, forked: None
) -> None:
    (fixture_site / "templates").mkdir()
    (fixture_site / "templates" / "item.html").write_text("{% extends 'base.html' %}\n{% if %}\n")
    output, cache = tmp_path / "out", tmp_path / "cache"
    with pytest.raises(TemplateError, match=r"templates/item\.html:2: Expected an expression"):
        build_folder(fixture_site, output, cache_dir=str(cache))
    assert not output.exists()
    # The articles were read all the same: their parse is kept for the next build.
    assert list((cache / "parsed").glob("*.mpk"))


def test_an_article_mistake_is_told_before_a_template_one(
    fixture_site: Path, tmp_path: Path, forked: None
) -> None:
    (fixture_site / "templates").mkdir()
    (fixture_site / "templates" / "item.html").write_text("{% if %}\n")
    write_article(fixture_site / "content", "broken.md", "title: No link\npublishedDateTime: x")
    with pytest.raises(ContentError) as raised:
        build_folder(fixture_site, tmp_path / "out")
    assert {p.path.rsplit("/", 1)[-1] for p in raised.value.problems} == {"broken.md"}


def test_a_build_stopped_while_parsing_leaves_no_spill_file(
    fixture_site: Path, tmp_path: Path, forked: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    for number in range(100):
        write_article(fixture_site / "content" / "many", f"{number}.md",
                      f"title: Link {number}\npublishedDateTime: 2026-01-05T10:00:00Z\n"
                      f"originalUrl: https://example.com/{number}")  # fmt: skip
    cache, here, real = tmp_path / "cache", os.getpid(), loader.parse_file

    def parse_file(*args: object) -> object:
        if os.getpid() != here:  # a worker, slowed so that this process gets files too
            time.sleep(0.02)
            return real(*args)  # type: ignore[arg-type]
        # Ctrl-C in this process, once the worker has written results to its spill file.
        deadline = time.monotonic() + 10
        while not list((cache / "parsed").glob("spill.*.tmp")) and time.monotonic() < deadline:
            time.sleep(0.01)
        raise KeyboardInterrupt

    monkeypatch.setattr(loader, "parse_file", parse_file)
    with pytest.raises(KeyboardInterrupt):
        build_folder(fixture_site, tmp_path / "out", cache_dir=str(cache))
    assert not list(cache.rglob("*.tmp"))


BUILD = [sys.executable, "-m", "roundup", "build", "--base-url", "https://example.org/"]


def _build_while_parsing(site: Path, **options: Any) -> subprocess.Popen[str]:
    """`roundup build` of 3,000 links in `site`, in a session of its own, returned once a
    worker has parsed some files (its spill file is there)."""
    for number in range(3000):
        write_article(site / "content", f"{number}.md",
                      f"title: Link {number}\npublishedDateTime: 2026-01-05T10:00:00Z\n"
                      f"originalUrl: https://example.com/{number}")  # fmt: skip
    build = subprocess.Popen(
        BUILD, cwd=site, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        env={**os.environ, "ROUNDUP_JOBS": "2"}, start_new_session=True, **options,
    )  # fmt: skip
    deadline = time.monotonic() + 60
    while not list(site.glob(".roundup-cache/parsed/spill.*.tmp")) and time.monotonic() < deadline:
        time.sleep(0.001)
    return build


def test_ctrl_c_while_workers_parse_prints_one_line_and_leaves_no_file(tmp_path: Path) -> None:
    # Ctrl-C reaches every process of the group: the workers leave it to the main process,
    # which says so in one line (a worker stopped by it printed "Process ForkPoolWorker-1:"),
    # and no spill file or half-written shard stays in the cache folder.
    build = _build_while_parsing(
        tmp_path,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),  # a terminal's
    )
    os.killpg(build.pid, signal.SIGINT)
    output, _ = build.communicate(timeout=60)
    assert (build.returncode, output) == (
        130,
        "roundup: interrupted; the output folder was not changed\n",
    ), output
    assert not list((tmp_path / ".roundup-cache").rglob("*.tmp"))
    assert not (tmp_path / "output").exists()


def test_sigterm_stops_the_workers_too_and_frees_the_output_folder(tmp_path: Path) -> None:
    # A process manager or `kill` sends SIGTERM to the main process alone. Killed outright,
    # it left its forked workers running on their own, holding the output folder's lock: the
    # next build waited for them. Now it stops as Ctrl-C does, and so do they.
    build = _build_while_parsing(tmp_path)
    build.send_signal(signal.SIGTERM)
    output, _ = build.communicate(timeout=60)
    assert (build.returncode, output) == (
        143,
        "roundup: stopped (SIGTERM); the output folder was not changed\n",
    ), output
    assert not _in_session(build.pid), "a worker outlived the build"
    assert not (tmp_path / "output").exists()
    again = subprocess.run(BUILD, cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert again.returncode == 0 and "waiting" not in again.stderr, again.stderr


def test_workers_go_silently_with_a_main_process_killed_outright(tmp_path: Path) -> None:
    # kill -9 (or the kernel out of memory) gives the main process no time to stop its workers:
    # they went on for nobody, then each printed two tracebacks (BrokenPipeError) on the
    # terminal when it could not hand back its results.
    build = _build_while_parsing(tmp_path)
    build.kill()
    output, _ = build.communicate(timeout=60)
    assert not _in_session(build.pid), "a worker outlived the build"
    assert output == "", output  # the workers share the build's stdout and stderr
    again = subprocess.run(BUILD, cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert again.returncode == 0, again.stderr


def _in_session(session: int) -> list[int]:
    """The processes still running in a session (those that ended may take a moment)."""
    deadline = time.monotonic() + 10
    while True:
        found = []
        for entry in os.listdir("/proc"):
            if entry.isdigit():
                with contextlib.suppress(OSError):
                    if os.getsid(int(entry)) == session:
                        found.append(int(entry))
        if not found or time.monotonic() > deadline:
            return found
        time.sleep(0.05)
