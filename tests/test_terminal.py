"""On a terminal: the progress line is cleared before every warning, error and log message.

`roundup build` runs in a pseudo-terminal (as in a curator's shell) and what it prints is
replayed on a small model of a terminal screen: no line may start with progress and go on
with a message, and no progress may be left on the screen.
"""

from __future__ import annotations

import os
import pty
import re
import subprocess
import sys
import time
import types
from pathlib import Path

import pytest

from roundup import __main__ as launch

from conftest import write_article

ERASE = "\x1b[K"


def screen(output: str) -> list[str]:
    """The lines a terminal shows after `output`: carriage returns move to the line's start,
    ESC [ K erases to its end, and later text overwrites earlier text."""
    lines: list[str] = []
    line: list[str] = []
    cursor = 0
    index = 0
    while index < len(output):
        if output.startswith(ERASE, index):
            del line[cursor:]
            index += len(ERASE)
            continue
        char = output[index]
        index += 1
        if char == "\r":
            cursor = 0
        elif char == "\n":
            lines.append("".join(line))
            line, cursor = [], 0
        else:
            if cursor < len(line):
                line[cursor] = char
            else:
                line.append(char)
            cursor += 1
    if line:
        lines.append("".join(line))
    return lines


def test_the_model_screen_shows_what_a_terminal_would() -> None:
    assert screen("roundup: reading 0/3 files\r\x1b[Kwarning: x\r\n") == ["warning: x"]
    assert screen("roundup: reading 0/3 fileswarning: x\r\n") == [
        "roundup: reading 0/3 fileswarning: x"
    ]
    assert screen("abc\rX\n") == ["Xbc"]


def run_in_terminal(cwd: Path, *args: str) -> tuple[int, str]:
    """Run `roundup ARGS` with stdout and stderr on a pseudo-terminal; what it printed."""
    controller, terminal = pty.openpty()
    env = {k: v for k, v in os.environ.items() if k != "CI"}  # CI turns the progress off
    env["ROUNDUP_JOBS"] = "1"
    process = subprocess.Popen(
        [sys.executable, "-m", "roundup", *args],
        cwd=cwd,
        stdin=subprocess.DEVNULL,
        stdout=terminal,
        stderr=terminal,
        env=env,
    )
    os.close(terminal)
    chunks = []
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            chunk = os.read(controller, 65536)
        except OSError:  # the terminal closed: the process has ended
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(controller)
    return process.wait(timeout=60), b"".join(chunks).decode("utf-8", "replace")


@pytest.fixture
def site(tmp_path: Path) -> Path:
    for number in range(30):
        topics = "topics: One, Two" if number % 10 == 0 else "topics: [One]"
        write_article(tmp_path / "content", f"a{number:02d}.md",
                      f"title: Link {number}\npublishedDateTime: 2026-01-{number % 28 + 1:02d}"
                      f"\noriginalUrl: https://example.com/{number}\n{topics}")  # fmt: skip
    return tmp_path


MESSAGE = re.compile(r"(warning: |roundup: |roundup\.[a-z.]+: |content/)")


def check_screen(printed: str) -> list[str]:
    shown = [line for line in screen(printed) if line]
    for line in shown:
        assert MESSAGE.match(line), f"a message started mid-line: {line!r}"
        assert not re.match(r"roundup: (reading|rendering) \d+/\d+", line), line
    return shown


def test_warnings_and_log_lines_start_on_a_clean_line(site: Path) -> None:
    code, printed = run_in_terminal(site, "build", "-v", "--base-url", "https://example.org/")
    assert code == 0, printed
    assert "roundup: reading 0/30 files" in printed  # the progress was there, then cleared
    shown = check_screen(printed)
    assert sum(line.startswith("warning: ") for line in shown) == 3
    assert any(
        line.startswith("roundup.build.pipeline: load: ") for line in shown
    )  # logged mid-build
    assert shown[-1].startswith("roundup: 30 items shown")


def test_errors_start_on_a_clean_line(site: Path) -> None:
    write_article(site / "content", "broken.md", "title: [unclosed")
    code, printed = run_in_terminal(site, "build", "--base-url", "https://example.org/")
    assert code == 1, printed
    assert "roundup: reading 0/31 files" in printed
    shown = check_screen(printed)
    assert shown[0].startswith("warning: content/")  # the other files' warnings come first
    assert shown[-2].startswith("content/broken.md:3: invalid YAML")
    assert shown[-1] == "roundup: 1 error in 1 file; the output folder was not changed"


def test_ctrl_c_while_roundup_loads_stops_quietly(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # The first tens of milliseconds go to imports: Ctrl-C there printed a traceback.
    class Loading(types.ModuleType):
        def __getattr__(self, name: str) -> object:
            raise KeyboardInterrupt

    monkeypatch.setitem(sys.modules, "roundup.cli", Loading("roundup.cli"))
    with pytest.raises(SystemExit) as stopped:
        launch.command()
    assert stopped.value.code == 130
    assert capsys.readouterr().err == "roundup: interrupted\n"
