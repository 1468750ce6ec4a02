"""Declared is what is imported: roundup's runtime dependencies against its imports.

Every third-party module imported anywhere under `roundup/` (lazy imports inside functions
too) must come from a runtime dependency in pyproject.toml, and every runtime dependency
must be imported, but for the few that are used without an import (`UNIMPORTED`, each with
its reason, as pyproject.toml says beside it). Every dependency, runtime and test, has a
lower bound (the version `tests/lowest` installs) and an upper bound below the next major
version (the next minor one for 0.x versions), but for `UNBOUNDED`.
"""

from __future__ import annotations

import ast
import os
import re
import subprocess
import sys
import tomllib
from collections.abc import Iterable, Mapping
from importlib.metadata import packages_distributions
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "roundup"
PYPROJECT = ROOT / "pyproject.toml"

# Runtime dependencies that no module imports, and why they are dependencies all the same.
UNIMPORTED = {
    "tzdata": "data only: zoneinfo reads its time zones when the system has none",
}
# Dependencies without an upper bound, and why.
UNBOUNDED = {
    "tzdata": "its version is the year of the time zone data: a bound would freeze the rules",
}

_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")
_LOWER = re.compile(r">=\s*([0-9][0-9.]*)")
_UPPER = re.compile(r"<\s*([0-9][0-9.]*)")


def canonical(name: str) -> str:
    """A distribution's name as PyPI compares them (PEP 503): `PyYAML` is `pyyaml`."""
    return re.sub(r"[-_.]+", "-", name).lower()


def requirement_name(requirement: str) -> str:
    match = _NAME.match(requirement.strip())
    assert match, f"not a requirement: {requirement!r}"
    return canonical(match.group())


def project() -> dict:
    return tomllib.loads(PYPROJECT.read_text(encoding="utf-8"))["project"]


def runtime_requirements() -> list[str]:
    return list(project()["dependencies"])


def all_requirements() -> list[str]:
    extras = project().get("optional-dependencies", {})
    return runtime_requirements() + [r for group in extras.values() for r in group]


def imported_modules(package: Path) -> dict[str, list[str]]:
    """Top-level third-party modules imported under `package`, each with where (file:line)."""
    found: dict[str, list[str]] = {}
    for path in sorted(package.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            else:
                continue
            for name in names:
                top = name.partition(".")[0]
                if top in sys.stdlib_module_names or top in ("__future__", package.name):
                    continue
                where = f"{path.relative_to(package.parent)}:{node.lineno}"
                found.setdefault(top, []).append(where)
    return found


def compare(
    imported: Mapping[str, list[str]],
    declared: Iterable[str],
    distributions: Mapping[str, list[str]],
    unimported: Iterable[str] = (),
) -> list[str]:
    """What is wrong, one line each: modules from undeclared (or no) distributions, and
    declared distributions that nothing imports. Empty when the two agree."""
    declared = {canonical(name) for name in declared}
    used: set[str] = set()
    problems = []
    for module, places in sorted(imported.items()):
        providers = {canonical(d) for d in distributions.get(module, [])}
        if not providers:
            problems.append(f"{module} (imported at {places[0]}) is not installed")
        elif not providers & declared:
            names = ", ".join(sorted(providers))
            problems.append(f"{module} (imported at {places[0]}) comes from {names}: undeclared")
        used |= providers & declared
    for name in sorted(declared - used - {canonical(n) for n in unimported}):
        problems.append(f"{name} is declared but never imported")
    return problems


def test_every_import_is_declared_and_every_dependency_imported() -> None:
    declared = [requirement_name(r) for r in runtime_requirements()]
    problems = compare(imported_modules(PACKAGE), declared, packages_distributions(), UNIMPORTED)
    assert not problems, "\n".join(problems)


def test_the_exceptions_are_declared_and_explained_in_pyproject() -> None:
    declared = {requirement_name(r) for r in runtime_requirements()}
    text = PYPROJECT.read_text(encoding="utf-8")
    for name in {*UNIMPORTED, *UNBOUNDED}:
        assert name in declared
        # The comment right above the requirement says why it is an exception.
        above = text.split(f'"{name}', 1)[0].rstrip().splitlines()[-1].strip()
        assert above.startswith("#"), name


def test_a_missing_dependency_and_an_unused_one_are_found(tmp_path: Path) -> None:
    package = tmp_path / "roundup"
    (package / "commands").mkdir(parents=True)
    (package / "a.py").write_text("import os\nimport jinja2.sandbox\nfrom roundup import b\n")
    (package / "commands" / "b.py").write_text("def run():\n    from yaml import safe_load\n")
    distributions = {"jinja2": ["Jinja2"], "yaml": ["PyYAML"], "lxml": ["lxml"]}
    imported = imported_modules(package)
    assert imported == {"jinja2": ["roundup/a.py:2"], "yaml": ["roundup/commands/b.py:2"]}
    assert compare(imported, ["jinja2", "pyyaml"], distributions) == []
    assert compare(imported, ["Jinja2"], distributions) == [
        "yaml (imported at roundup/commands/b.py:2) comes from pyyaml: undeclared"
    ]
    assert compare(imported, ["jinja2", "PyYAML", "lxml", "tzdata"], distributions, ["tzdata"]) == [
        "lxml is declared but never imported"
    ]
    (package / "c.py").write_text("import not_a_module_anyone_has\n")
    assert compare(imported_modules(package), ["jinja2", "pyyaml"], distributions) == [
        "not_a_module_anyone_has (imported at roundup/c.py:1) is not installed"
    ]


def bound_problem(requirement: str) -> str | None:
    """Why a requirement's range is not `>=L,<next major` (`<0.N` for 0.x), or None."""
    specifier = requirement.split(";", 1)[0]
    lower, upper = _LOWER.findall(specifier), _UPPER.findall(specifier)
    if len(lower) != 1:
        return "needs exactly one lower bound (>=)"
    if requirement_name(requirement) in UNBOUNDED:
        return None if not upper else "is unbounded on purpose but has an upper bound"
    if len(upper) != 1:
        return "needs exactly one upper bound (<)"
    low = [int(part) for part in lower[0].split(".")]
    high = [int(part) for part in upper[0].split(".")]
    if high[0] == 0:
        if len(high) != 2:
            return "a 0.x upper bound is the next minor version, such as <0.7"
    elif len(high) != 1 and high[1:] != [0]:
        return "the upper bound is the next major version, such as <7"
    elif high[0] == 1:  # below 1 means the newest release is 0.x: its next minor is the bound
        return "a 0.x upper bound is the next minor version, such as <0.7"
    if high <= low:
        return "the upper bound is not above the lower one"
    return None


@pytest.mark.parametrize("requirement", all_requirements())
def test_every_dependency_has_a_tested_range(requirement: str) -> None:
    assert bound_problem(requirement) is None, (requirement, bound_problem(requirement))


def test_the_range_rule_itself() -> None:
    assert bound_problem("lxml>=5.2,<7") is None
    assert bound_problem("msgspec>=0.18,<0.24") is None
    assert bound_problem("lxml>=5.2") == "needs exactly one upper bound (<)"
    assert bound_problem("lxml<7") == "needs exactly one lower bound (>=)"
    assert bound_problem("msgspec>=0.18,<1") is not None
    assert bound_problem("lxml>=5.2,<6.1") is not None
    assert bound_problem("lxml>=7.0,<7") is not None
    assert bound_problem("tzdata>=2024.1") is None


def test_time_zones_come_from_tzdata_when_the_system_has_none() -> None:
    """With no system time zone database (PYTHONTZPATH empty), zoneinfo reads tzdata's."""
    script = (
        "import zoneinfo, datetime\n"
        "assert zoneinfo.TZPATH == (), zoneinfo.TZPATH\n"
        "zone = zoneinfo.ZoneInfo('Europe/Berlin')\n"
        "print(datetime.datetime(2024, 7, 1, 12, tzinfo=zone).utcoffset())\n"
    )
    env = {**os.environ, "PYTHONTZPATH": ""}
    done = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=60
    )
    assert (done.returncode, done.stdout, done.stderr) == (0, "2:00:00\n", "")


def test_the_lowest_pass_pins_every_requirement_to_its_lower_bound() -> None:
    done = subprocess.run(
        [sys.executable, str(ROOT / "tests" / "tools" / "lower_bounds.py")],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    pins = dict(line.split("==") for line in done.stdout.splitlines())
    expected = {}
    for requirement in all_requirements():
        expected.setdefault(requirement_name(requirement), _LOWER.findall(requirement)[0])
    assert {canonical(name): version for name, version in pins.items()} == expected
