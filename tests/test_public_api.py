"""roundup uses only the public API of its dependencies: no private names, no subclassed internals.

A private name (one leading underscore) or an internal class can change in any release, even a
security fix: Jinja renaming one would break every build of every site. The checks read the
source of every module under roundup/ with `ast`, and look at its classes once imported.
"""

from __future__ import annotations

import ast
import importlib
import inspect
import sys
from pathlib import Path

import pytest

import roundup

PACKAGE = Path(roundup.__file__).parent
MODULES = sorted(PACKAGE.rglob("*.py"))

# Jinja's machinery rather than its API: what roundup needs of Jinja, the package itself exports
# (jinja2.Environment, jinja2.StrictUndefined, jinja2.pass_context, jinja2.nodes for parsing).
INTERNAL_IMPORTS = ("jinja2.compiler", "jinja2.runtime", "jinja2.utils", "jinja2.optimizer")
# Modules whose classes are internals: Jinja's compiler and runtime (its Context, Macro, ...),
# the Environment itself (roundup configures it with options) and MarkupSafe's Markup.
INTERNAL_MODULES = ("jinja2.compiler", "jinja2.runtime", "jinja2.environment", "markupsafe")


def is_private(name: str) -> bool:
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def is_third_party(module: str) -> bool:
    top = module.split(".")[0]
    return top not in sys.stdlib_module_names and top not in ("roundup", "__future__")


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def parsed(path: Path) -> ast.Module:
    return ast.parse(path.read_text(encoding="utf-8"), filename=str(path))


def own_names() -> set[str]:
    """Every name roundup itself defines: functions, classes, arguments, variables and
    attributes it assigns. A private attribute read that is none of these is a dependency's."""
    names: set[str] = set()
    for path in MODULES:
        for node in ast.walk(parsed(path)):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                names.add(node.name)
            elif isinstance(node, ast.arg):
                names.add(node.arg)
            elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
                names.add(node.id)
            elif isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Store):
                names.add(node.attr)
    return names


def imported(tree: ast.Module) -> dict[str, str]:
    """Local name -> what it stands for ("jinja2.compiler", "lxml.etree"), for every import
    of a module that is neither roundup's nor the standard library's."""
    bound: dict[str, str] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if is_third_party(alias.name):
                    if alias.asname:
                        bound[alias.asname] = alias.name
                    else:
                        top = alias.name.split(".")[0]
                        bound[top] = top
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            for alias in node.names if is_third_party(node.module) else ():
                bound[alias.asname or alias.name] = f"{node.module}.{alias.name}"
    return bound


def dotted(node: ast.expr) -> tuple[str, list[str]] | None:
    """`a.b.c` as ("a", ["b", "c"]); None when the chain does not start at a plain name."""
    attributes: list[str] = []
    while isinstance(node, ast.Attribute):
        attributes.insert(0, node.attr)
        node = node.value
    return (node.id, attributes) if isinstance(node, ast.Name) else None


def offending(dotted_name: str) -> str | None:
    """The leading part of a dotted name that is private or internal, if any:
    "markupsafe._speedups" of "markupsafe._speedups._escape_inner"."""
    parts = dotted_name.split(".")
    for end in range(1, len(parts) + 1):
        prefix = ".".join(parts[:end])
        if is_private(parts[end - 1]) or prefix in INTERNAL_IMPORTS:
            return prefix
    return None


def private_uses(path: Path, own: set[str], root: Path = PACKAGE.parent) -> list[str]:
    """Where one module names something private or internal of a dependency, as
    "file:line: what", in line order."""
    tree = parsed(path)
    bound = imported(tree)
    where = path.relative_to(root).as_posix()
    found: set[tuple[int, str]] = set()
    for node in ast.walk(tree):
        names: list[str] = []  # the dotted names of dependencies this node uses
        if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [f"{node.module}.{alias.name}" for alias in node.names]
        elif isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.Attribute) and (chain := dotted(node)) and chain[0] in bound:
            names = [".".join([bound[chain[0]], *chain[1]])]
        elif isinstance(node, ast.Attribute) and is_private(node.attr):
            root_name = chain[0] if chain else None
            # os._exit is the standard library's; self._x and any name roundup defines are its
            # own; anything else is a dependency's object: macro._func.
            if root_name not in sys.stdlib_module_names and node.attr not in own:
                found.add((node.lineno, f".{node.attr}"))
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id in ("getattr", "hasattr", "setattr")
            and len(node.args) > 1
            and isinstance(node.args[1], ast.Constant)
            and isinstance(node.args[1].value, str)
            and is_private(node.args[1].value)
            and node.args[1].value not in own
        ):
            found.add((node.lineno, f"{node.func.id}(…, {node.args[1].value!r})"))
        for name in names:
            if is_third_party(name) and (part := offending(name)):
                found.add((node.lineno, part))
    return [f"{where}:{line}: {what}" for line, what in sorted(found)]


def is_code(value: object) -> bool:
    """A method or property written in the class (not bookkeeping a metaclass adds to it)."""
    return inspect.isfunction(value) or isinstance(value, property | classmethod | staticmethod)


def internal_subclasses(module: str) -> list[str]:
    """Classes of one module built on a dependency's internals, or overriding a private
    method of a dependency's class."""
    found: list[str] = []
    loaded = importlib.import_module(module)
    for name, value in vars(loaded).items():
        if not inspect.isclass(value) or value.__module__ != module:
            continue
        for base in value.__mro__[1:]:
            if not is_third_party(base.__module__):
                continue
            if base.__module__.startswith(INTERNAL_MODULES):
                found.append(f"{module}.{name} subclasses {base.__module__}.{base.__qualname__}")
            overridden = [
                attribute
                for attribute, defined in vars(value).items()
                if is_private(attribute) and hasattr(base, attribute) and is_code(defined)
            ]
            if overridden:
                found.append(f"{module}.{name} overrides {base.__qualname__}'s {overridden}")
    return found


def test_no_private_names_of_dependencies() -> None:
    own = own_names()
    found = [use for path in MODULES for use in private_uses(path, own)]
    assert found == []


# `python -m roundup` runs the command line when imported.
@pytest.mark.parametrize("module", [module_name(p) for p in MODULES if p.name != "__main__.py"])
def test_no_subclassed_internals(module: str) -> None:
    assert internal_subclasses(module) == []


def test_the_checks_find_what_they_look_for(tmp_path: Path) -> None:
    """The checks themselves: a module with each kind of private use is caught."""
    (tmp_path / "bad.py").write_text(
        "import jinja2.compiler\n"
        "from jinja2.utils import missing\n"
        "from lxml import etree\n"
        "from markupsafe._speedups import _escape_inner\n"
        "def f(macro, element: etree._Element):\n"
        "    return macro._func, getattr(macro, '_argument_count'), macro._own\n"
        "class G(jinja2.compiler.CodeGenerator):\n"
        "    def _output_child_pre(self): pass\n",
        encoding="utf-8",
    )
    assert private_uses(tmp_path / "bad.py", {"_own"}, tmp_path) == [
        "bad.py:1: jinja2.compiler",
        "bad.py:2: jinja2.utils",
        "bad.py:4: markupsafe._speedups",
        "bad.py:5: lxml.etree._Element",
        "bad.py:6: ._func",
        "bad.py:6: getattr(…, '_argument_count')",
        "bad.py:7: jinja2.compiler",
    ]
    sys.path.insert(0, str(tmp_path))
    try:
        assert internal_subclasses("bad") == [
            "bad.G subclasses jinja2.compiler.CodeGenerator",
            "bad.G overrides CodeGenerator's ['_output_child_pre']",
        ]
    finally:
        sys.path.remove(str(tmp_path))
        sys.modules.pop("bad", None)
