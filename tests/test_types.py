"""The roundup package type-checks with mypy in strict mode, every module of it."""

from __future__ import annotations

import re
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "roundup"


def _mypy_config() -> dict[str, object]:
    with (ROOT / "pyproject.toml").open("rb") as file:
        config: dict[str, object] = tomllib.load(file)["tool"]["mypy"]
    return config


def test_mypy_strict_is_clean_on_every_module() -> None:
    # The configuration in pyproject.toml, as a developer runs it: `python -m mypy`. Its
    # cache (.mypy_cache, git-ignored) makes a run after a small change take a second.
    run = subprocess.run(
        [sys.executable, "-m", "mypy"], cwd=ROOT, capture_output=True, text=True, check=False
    )
    output = run.stdout + run.stderr
    assert run.returncode == 0, output
    # Every module of every sub-package was checked: none left out by the configuration or
    # by a folder that mypy would not find.
    checked = re.search(r"no issues found in (\d+) source files?", output)
    assert checked is not None, output
    modules = sorted(PACKAGE.rglob("*.py"))
    assert int(checked.group(1)) == len(modules), output


def test_mypy_is_strict_for_the_roundup_package() -> None:
    config = _mypy_config()
    assert config["strict"] is True
    assert config["files"] == ["roundup"]
    # Overrides only tell mypy about libraries without types; none loosens roundup's own.
    overrides = config.get("overrides", [])
    assert isinstance(overrides, list)
    for override in overrides:
        modules = override["module"]
        for module in [modules] if isinstance(modules, str) else modules:
            assert module.split(".")[0] != "roundup", override
        assert set(override) == {"module", "ignore_missing_imports"}, override


def test_every_sub_package_is_a_package() -> None:
    # A folder without __init__.py would be a namespace package: mypy would check it under
    # another module name than the one the code imports.
    folders = [p for p in PACKAGE.iterdir() if p.is_dir() and p.name != "__pycache__"]
    assert folders
    for folder in folders:
        assert (folder / "__init__.py").is_file(), folder
