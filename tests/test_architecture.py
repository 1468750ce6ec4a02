"""The layout holds: layers only import downwards, no import cycle, no module over 400 lines."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import grimp

REPO = Path(__file__).resolve().parents[1]
PACKAGE = REPO / "roundup"
MAX_LINES = 400


def test_each_layer_imports_only_the_layers_below_it() -> None:
    # The contract is in pyproject.toml ([tool.importlinter]); lint-imports reads it there.
    lint = Path(sys.executable).with_name("lint-imports")
    result = subprocess.run(
        [str(lint), "--no-cache"], cwd=REPO, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 kept, 0 broken" in result.stdout


def _cycle_from(graph: grimp.ImportGraph, start: str) -> list[str] | None:
    """A chain of imports from `start` back to itself, if there is one."""
    for imported in sorted(graph.find_modules_directly_imported_by(start)):
        back = graph.find_shortest_chain(importer=imported, imported=start)
        if back is not None:
            return [start, *back]
    return None


def test_no_module_takes_part_in_an_import_cycle() -> None:
    graph = grimp.build_graph("roundup")
    cycles = [c for m in sorted(graph.modules) if (c := _cycle_from(graph, m)) is not None]
    assert cycles == []


def test_the_cycle_check_finds_a_cycle() -> None:
    # The check above is only worth something if it sees a cycle when there is one.
    graph = grimp.build_graph("roundup")
    graph.add_import(importer="roundup.core.errors", imported="roundup.cli")
    assert _cycle_from(graph, "roundup.cli") is not None


def test_no_module_is_over_400_lines() -> None:
    long = {
        str(path.relative_to(REPO)): lines
        for path in sorted(PACKAGE.rglob("*.py"))
        if (lines := len(path.read_text("utf-8").splitlines())) > MAX_LINES
    }
    assert long == {}


def test_each_part_of_the_pipeline_is_a_package_with_a_docstring() -> None:
    parts = {p.name for p in PACKAGE.iterdir() if (p / "__init__.py").is_file()}
    assert parts >= {"core", "read", "site", "render", "state", "build", "serve", "commands"}
    flat = sorted(p.name for p in PACKAGE.glob("*.py"))
    assert flat == ["__init__.py", "__main__.py", "cli.py"]
    for module in PACKAGE.rglob("*.py"):
        text = module.read_text("utf-8")
        assert text.startswith('"""'), f"{module.relative_to(REPO)}: no module docstring"
