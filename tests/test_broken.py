"""Broken content folders, one per case, each with the exact problems the real CLI must print.

Every case under tests/broken/<case>/ holds a content/ folder and expected.txt, the problem
lines of stderr in order (the closing "roundup: ..." summary is the CLI's and not compared).
An optional flags.txt adds command-line flags. Each case is built from a copy of its folder,
as a user would run roundup there, over an output folder a good build made first: the build
must exit 1, print the expected lines and no traceback, and leave that folder byte for byte.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest

BROKEN = Path(__file__).resolve().parent / "broken"
CASES = sorted(p.name for p in BROKEN.iterdir() if (p / "content").is_dir())
GOOD = """---
title: A good article
publishedDateTime: 2020-09-21T20:42:00Z
originalUrl: https://example.com/good
---
Built before the broken content arrived.
"""


@dataclass(frozen=True)
class Outcome:
    returncode: int
    stderr: str
    before: dict[str, bytes]
    after: dict[str, bytes]


def roundup(cwd: Path, *flags: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "roundup", "build", "--content", "content"]
    command += ["--output", "output", "--base-url", "https://example.org/", *flags]
    return subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=60)


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file and folder below `folder`, roundup's own state included."""
    return {
        p.relative_to(folder).as_posix() + ("/" if p.is_dir() else ""): (
            b"" if p.is_dir() else p.read_bytes()
        )
        for p in sorted(folder.rglob("*"))
    }


@pytest.fixture(scope="module")
def outcomes(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Outcome]:
    """Run every case once, several at a time: each is a separate process anyway."""
    good = tmp_path_factory.mktemp("good")
    (good / "content").mkdir()
    (good / "content" / "good.md").write_text(GOOD, encoding="utf-8")
    built = roundup(good)
    assert built.returncode == 0, built.stderr

    def run(case: str) -> Outcome:
        site = tmp_path_factory.mktemp(case)
        shutil.copytree(BROKEN / case / "content", site / "content", symlinks=True)
        shutil.copytree(good / "output", site / "output")
        before = snapshot(site / "output")
        flags_file = BROKEN / case / "flags.txt"
        flags = flags_file.read_text().split() if flags_file.exists() else []
        result = roundup(site, *flags)
        return Outcome(result.returncode, result.stderr, before, snapshot(site / "output"))

    with ThreadPoolExecutor(max_workers=4) as pool:
        return dict(zip(CASES, pool.map(run, CASES), strict=True))


@pytest.mark.parametrize("case", CASES)
def test_broken_case_prints_exactly_its_problems(case: str, outcomes: dict[str, Outcome]) -> None:
    outcome = outcomes[case]
    assert "Traceback" not in outcome.stderr
    assert outcome.returncode == 1, outcome.stderr
    lines = outcome.stderr.splitlines()
    problems = [line for line in lines if not line.startswith("roundup: ")]
    expected = (BROKEN / case / "expected.txt").read_text(encoding="utf-8").splitlines()
    assert problems == expected
    assert lines[-1].startswith("roundup: ")  # the summary closes the report


@pytest.mark.parametrize("case", CASES)
def test_broken_case_leaves_the_output_folder_as_it_was(
    case: str, outcomes: dict[str, Outcome]
) -> None:
    outcome = outcomes[case]
    assert outcome.after == outcome.before


def test_every_case_has_its_expected_messages() -> None:
    for case in CASES:
        assert (BROKEN / case / "expected.txt").read_text(encoding="utf-8").strip(), case
