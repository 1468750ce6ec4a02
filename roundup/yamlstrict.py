"""Turn YAML text into plain Python values under strict rules, reporting each problem by line."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

# libyaml's C parser when PyYAML has it (PyPI wheels do): several times faster.
_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_constructor = yaml.constructor.SafeConstructor()

_TAG = "tag:yaml.org,2002:"
# Code points that XML 1.0 forbids or HTML validators reject: C0 controls (but tab, newline
# and carriage return), DEL and C1 controls, lone surrogates and non-characters.
CONTROL_CHARS = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufdd0-\ufdef\ufffe\uffff]"
)


class Timestamp(str):
    """A plain scalar YAML would read as a date; kept as its text so roundup parses it."""

    __slots__ = ()


@dataclass(slots=True)
class YamlIssue:
    """A problem found while reading YAML: the key path, its line (1-based) and a message."""

    path: tuple[str | int, ...]
    line: int
    message: str
    warning: bool = False


@dataclass(slots=True)
class YamlResult:
    """Values read from a YAML document plus what went wrong on the way."""

    value: Any
    issues: list[YamlIssue] = field(default_factory=list)
    # Original text of scalars YAML 1.1 read as non-strings, for "quote it" hints.
    implicit: dict[tuple[str | int, ...], str] = field(default_factory=dict)


def load(text: str, first_line: int = 1) -> YamlResult:
    """Parse one YAML document; `first_line` is the file line the text starts on."""
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = first_line + mark.line if mark else first_line
        problem = error.problem or "invalid YAML"
        return YamlResult(None, [YamlIssue((), line, f"invalid YAML: {problem}")])
    except yaml.YAMLError as error:
        return YamlResult(None, [YamlIssue((), first_line, f"invalid YAML: {error}")])
    finally:
        loader.dispose()
    result = YamlResult(None)
    if node is not None:
        result.value = _Walker(result, first_line).walk(node, ())
    return result


def line_of(text: str, path: tuple[str | int, ...], first_line: int = 1) -> int | None:
    """Find the line of the value at `path` (a key path), or of its nearest existing parent."""
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
    except yaml.YAMLError:
        return None
    finally:
        loader.dispose()
    line = node.start_mark.line if node is not None else None
    for step in path:
        child = _child(node, step)
        if child is None:
            break
        key_node, node = child
        # A key's line is where a reader looks, even when its value starts on the next line.
        line = (key_node or node).start_mark.line
    return None if line is None else first_line + line


def _child(node: Node | None, step: str | int) -> tuple[Node | None, Node] | None:
    if isinstance(node, MappingNode) and isinstance(step, str):
        for key, value in node.value:
            if isinstance(key, ScalarNode) and key.value == step:
                return key, value
    if isinstance(node, SequenceNode) and isinstance(step, int) and 0 <= step < len(node.value):
        return None, node.value[step]
    return None


class _Walker:
    """Builds Python values from a node tree, refusing what roundup does not allow."""

    def __init__(self, result: YamlResult, first_line: int) -> None:
        self.result = result
        self.first_line = first_line
        self.seen: set[int] = set()

    def issue(self, path: tuple[str | int, ...], node: Node, message: str, warn: bool = False):
        line = self.first_line + node.start_mark.line
        self.result.issues.append(YamlIssue(path, line, message, warn))

    def walk(self, node: Node, path: tuple[str | int, ...], at: Node | None = None) -> Any:
        # The composer hands out the same node object for every alias of an anchor; refusing
        # a second visit stops "billion laughs" expansion and keeps every value plain data.
        if id(node) in self.seen:
            message = "YAML aliases (*name) are not supported; write the value out"
            self.issue(path, at or node, message)
            return None
        self.seen.add(id(node))
        if isinstance(node, ScalarNode):
            return self.scalar(node, path)
        if isinstance(node, SequenceNode):
            if node.tag != _TAG + "seq":
                self.issue(path, node, f"the YAML tag {_short(node.tag)} is not allowed")
                return None
            return [self.walk(item, (*path, i)) for i, item in enumerate(node.value)]
        if isinstance(node, MappingNode):
            return self.mapping(node, path)
        return None  # pragma: no cover - the composer makes no other kind of node

    def mapping(self, node: MappingNode, path: tuple[str | int, ...]) -> dict[str, Any] | None:
        if node.tag != _TAG + "map":
            self.issue(path, node, f"the YAML tag {_short(node.tag)} is not allowed")
            return None
        out: dict[str, Any] = {}
        first_line: dict[str, int] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, ScalarNode) or key_node.tag == _TAG + "merge":
                self.issue(path, key_node, "keys must be plain names (no merge keys or lists)")
                continue
            if key_node.tag not in (_TAG + "str", _TAG + "int", _TAG + "bool", _TAG + "null"):
                self.issue(path, key_node, f"the YAML tag {_short(key_node.tag)} is not allowed")
                continue
            key = key_node.value
            key_line = self.first_line + key_node.start_mark.line
            if key in first_line:
                self.issue(
                    (*path, key), key_node, f"duplicate key (first on line {first_line[key]})"
                )
                continue
            first_line[key] = key_line
            out[key] = self.walk(value_node, (*path, key), key_node)
        return out

    def scalar(self, node: ScalarNode, path: tuple[str | int, ...]) -> Any:
        tag = node.tag
        if tag == _TAG + "str":
            text = node.value
            if CONTROL_CHARS.search(text):
                self.issue(path, node, "control characters removed", warn=True)
                text = CONTROL_CHARS.sub("", text)
            return text
        if tag == _TAG + "timestamp":
            return Timestamp(node.value)
        if tag in (_TAG + "null", _TAG + "bool", _TAG + "int", _TAG + "float"):
            self.result.implicit[path] = node.value
            return _constructor.construct_object(node, deep=True)
        self.issue(path, node, f"the YAML tag {_short(tag)} is not allowed")
        return None


def _short(tag: str) -> str:
    return "!!" + tag[len(_TAG) :] if tag.startswith(_TAG) else tag
