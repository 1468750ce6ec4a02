"""Print pip constraints that pin every dependency in pyproject.toml to its lower bound.

`tests/tools/lowest` installs with them (`pip install -c`), so that the test suite runs
against the oldest versions roundup claims to work with: each runtime and test
requirement's `>=X.Y` becomes `name==X.Y`. Extras are dropped (`pagefind[bin]` pins
`pagefind`); a requirement without a lower bound is an error.
"""

from __future__ import annotations

import re
import sys
import tomllib
from pathlib import Path

PYPROJECT = Path(__file__).resolve().parent.parent.parent / "pyproject.toml"
NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")
LOWER = re.compile(r">=\s*([0-9][0-9.]*)")


def constraints(pyproject: Path = PYPROJECT) -> list[str]:
    """One `name==lower` line per requirement, runtime then each extra, without repeats."""
    project = tomllib.loads(pyproject.read_text(encoding="utf-8"))["project"]
    requirements = list(project["dependencies"])
    for group in project.get("optional-dependencies", {}).values():
        requirements += group
    lines: dict[str, str] = {}
    for requirement in requirements:
        specifier = requirement.split(";", 1)[0]
        name = NAME.match(specifier.strip())
        lower = LOWER.findall(specifier)
        if name is None or len(lower) != 1:
            raise SystemExit(f"{pyproject}: {requirement!r}: needs a lower bound (>=X.Y)")
        key = re.sub(r"[-_.]+", "-", name.group()).lower()  # PEP 503: PyYAML is pyyaml
        lines.setdefault(key, f"{name.group()}=={lower[0]}")
    return list(lines.values())


if __name__ == "__main__":
    sys.stdout.write("".join(line + "\n" for line in constraints()))
