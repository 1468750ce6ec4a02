"""Turn YAML text into plain Python values under strict rules, reporting each problem by line."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from roundup.core.text import CONTROL_CHARS, shorten
from roundup.read import yamlfast

_TAG = "tag:yaml.org,2002:"
_STR, _SEQ, _MAP, _MERGE, _TIMESTAMP = (
    _TAG + t for t in ("str", "seq", "map", "merge", "timestamp")
)

# libyaml's C parser when PyYAML has it (PyPI wheels do): several times faster. The type
# checker sees the pure-Python loader, whose interface the C one shares (same constructor and
# resolver, libyaml's parser in place of PyYAML's).
if TYPE_CHECKING:
    _BaseLoader = yaml.SafeLoader
else:
    _BaseLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_constructor = yaml.constructor.SafeConstructor()


class _Loader(_BaseLoader):
    """The safe loader, resolving plain scalars' tags without PyYAML's general machinery.

    The parser asks for the tag of every node; PyYAML's resolver walks path resolvers (which
    the safe loader has none of) and concatenates resolver lists each time. This answers the
    same with one dictionary lookup per scalar.
    """

    # Each first character's (tag, pattern) pairs, in the loader's order.
    _by_first: ClassVar[dict[str, tuple[tuple[str, re.Pattern[str]], ...]]] = {
        first: tuple(resolvers) for first, resolvers in _BaseLoader.yaml_implicit_resolvers.items()
    }
    assert None not in _by_first, "wildcard resolvers would need checking for every scalar"

    def resolve(self, kind: type, value: str | None, implicit: tuple[bool, bool]) -> str:
        if kind is ScalarNode:
            if implicit[0] and value is not None:  # a scalar's value is always text
                for tag, pattern in self._by_first.get(value[:1], ()):
                    if pattern.match(value):
                        return tag
            return _STR
        return _SEQ if kind is SequenceNode else _MAP


# Scalars YAML resolves without an explicit tag; a key may be any of them and is kept as text.
_PLAIN_KEY_TAGS = frozenset(_TAG + t for t in ("str", "int", "float", "bool", "null", "timestamp"))
_IMPLICIT_TAGS = frozenset(_TAG + t for t in ("null", "bool", "int", "float"))
# Deeper than any real frontmatter; a guard so hostile nesting is an error, not a crash.
MAX_DEPTH = 50
_PLACEHOLDER = "\ufdd0"
# YAML escapes that can stand for a control character or non-character.
_CONTROL_ESCAPE = re.compile(r"\\[0abefvNxuU]")

Path = yamlfast.Path


class Timestamp(str):
    """A plain scalar YAML would read as a date; kept as its text so roundup parses it."""

    __slots__ = ()


def plain(value: Any) -> Any:
    """A value read here with its dates as the plain text they are written as (for an unknown
    field, carried as written): a `Timestamp` would keep its article out of the parse cache."""
    if isinstance(value, Timestamp):
        return str(value)
    if isinstance(value, list):
        return [plain(v) for v in value]
    if isinstance(value, dict):
        return {plain(k): plain(v) for k, v in value.items()}
    return value


# Reads values with the loader's own resolvers, so both paths type every scalar alike.
_FAST_READER = yamlfast.Reader(_Loader._by_first, Timestamp, CONTROL_CHARS.search)


@dataclass(slots=True)
class YamlIssue:
    """A problem found while reading YAML: the key path, its line (1-based) and a message."""

    path: Path
    line: int
    message: str
    warning: bool = False


@dataclass(slots=True)
class YamlResult:
    """Values read from a YAML document plus what went wrong on the way."""

    value: Any
    issues: list[YamlIssue] = field(default_factory=list)
    # Original text of scalars YAML 1.1 read as non-strings, for "quote it" hints.
    implicit: dict[Path, str] = field(default_factory=dict)
    # Paths of texts that had control characters removed (a URL among them is refused).
    cleaned: set[Path] = field(default_factory=set)
    root: Node | None = None
    first_line: int = 1
    # From the fast reader, which builds no nodes: the 0-based line of every key and item.
    lines: dict[Path, int] | None = None
    # Plain (unquoted) texts that a comment follows on their line: path -> the rest of the
    # line, comment included. `title: Fixes issue #42` is "Fixes issue" to YAML; the fast
    # reader declines every comment, so only the walker finds them.
    comments: dict[Path, str] = field(default_factory=dict)

    def line_of(self, path: Path) -> int:
        """The line of the key (or item) at `path`, or of its nearest existing parent."""
        if self.lines is not None:
            return self.first_line + _nearest_line(self.lines, tuple(path))
        node = self.root
        if node is None:
            return self.first_line
        line = node.start_mark.line
        for step in path:
            child = _child(node, step)
            if child is None:
                break
            key_node, node = child
            # A key's line is where a reader looks, even when its value starts on the next line.
            line = (key_node or node).start_mark.line
        return self.first_line + line


def load(text: str, first_line: int = 1) -> YamlResult:
    """Parse one YAML document; `first_line` is the file line the text starts on."""
    # Nearly every file is simple enough to read line by line, in a third of the time that
    # libyaml's node tree and the walker take; the reader declines the rest for them.
    read = _FAST_READER.read(text)
    if read is None:
        return load_slowly(text, first_line)
    value, implicit, lines = read
    return YamlResult(value, implicit=implicit, first_line=first_line, lines=lines)


def load_slowly(text: str, first_line: int = 1) -> YamlResult:
    """Parse one YAML document with libyaml and the strict walker: any YAML, every problem."""
    result = YamlResult(None, first_line=first_line)
    # The YAML reader refuses control characters outright; they are pasted by accident far
    # more often than meant. Each becomes a non-character that YAML accepts and that the walker
    # then removes, with a warning on the very field that held it.
    text = CONTROL_CHARS.sub(_PLACEHOLDER, text)
    # YAML breaks lines at these two as well, which would shift every line number after them;
    # in frontmatter they only ever separate words.
    text = text.replace("\u2028", " ").replace("\u2029", " ")
    loader = _Loader(text)
    try:
        result.root = loader.get_single_node()
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = first_line + mark.line if mark else first_line
        problem = error.problem or "invalid YAML"
        lines = text.split("\n")
        if mark and mark.line < len(lines) and "\t" in lines[mark.line][: mark.column + 1]:
            problem += " (a tab: YAML indents with spaces only)"
        path: Path = ()
        if mark and problem.startswith("mapping values are not allowed"):
            path, problem = _colon_in_value(text, mark.line, mark.column, problem)
        # What an unclosed quote makes YAML say, lines below it.
        lost = problem.startswith(_LOST_IN_A_QUOTE)
        opened = _unclosed_quote(lines[: mark.line]) if mark and lost else None
        if opened is not None:  # YAML read on to the next quote, lines below: said there
            line = first_line + opened
            problem = "a quote opened on this line is not closed on it; close it"
        result.issues.append(YamlIssue(path, line, f"invalid YAML: {problem}"))
        return result
    except yaml.YAMLError as error:
        result.issues.append(YamlIssue((), first_line, f"invalid YAML: {error}"))
        return result
    except RecursionError:
        result.issues.append(YamlIssue((), first_line, "invalid YAML: nested too deeply"))
        return result
    finally:
        loader.dispose()
    if result.root is not None:
        # Control characters reach a value only from the text itself (now placeholders) or
        # from the escapes of double-quoted strings that make them (\x07, \0, \N...), not \"
        # or \\; without either, no value needs checking.
        dirty = _PLACEHOLDER in text or _CONTROL_ESCAPE.search(text) is not None
        walker = _Walker(result, first_line, dirty)
        walker.lines = text.split("\n") if "#" in text else None
        result.value = walker.walk(result.root, (), None, 0)
    return result


# `key: value` at the start of a line, maybe as a list item: where a value is typed.
_KEY_LINE = re.compile(r"( *)(?:- +)?([^\s:#'\"][^:#]*?):[ \t]+(\S.*)")


def _colon_in_value(text: str, line: int, column: int, problem: str) -> tuple[Path, str]:
    """The field and a hint for `title: Python: the good parts`, where YAML takes the second
    colon for another key: the value must be quoted."""
    lines = text.split("\n")
    match = _KEY_LINE.fullmatch(lines[line].rstrip()) if line < len(lines) else None
    if match is None or column < match.start(3):
        return (), problem
    indent, key, value = match.groups()
    quoted = '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    key = shorten(key, 40)
    hint = f'": " inside unquoted text; put the {key} in quotes: {key}: {shorten(quoted)}'
    return ((key,) if not indent and not match.group(0).lstrip().startswith("-") else ()), hint


def _nearest_line(lines: dict[Path, int], path: Path) -> int:
    line = lines[()]
    for end in range(1, len(path) + 1):
        found = lines.get(path[:end])
        if found is None:
            break
        line = found
    return line


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

    def __init__(self, result: YamlResult, first_line: int, dirty: bool = True) -> None:
        self.result = result
        self.dirty = dirty
        self.first_line = first_line
        self.seen: set[int] = set()
        self.alias_reported = False
        self.lines: list[str] | None = None  # the text's lines, when it has a "#" at all

    def note_comment(self, path: Path, node: ScalarNode) -> None:
        """Remember a comment right after a plain text on its line (see `YamlResult.comments`)."""
        end = node.end_mark
        rest = self.lines[end.line][end.column :] if self.lines else ""
        if rest[:1] in (" ", "\t") and rest.lstrip(" \t").startswith("#"):
            self.result.comments[path] = rest.rstrip()

    def issue(self, path: Path, node: Node, message: str, warn: bool = False) -> None:
        line = self.first_line + node.start_mark.line
        self.result.issues.append(YamlIssue(path, line, message, warn))

    def walk(self, node: Node, path: Path, at: Node | None, depth: int) -> Any:
        # The composer hands out the same node object for every alias of an anchor; refusing
        # a second visit stops "billion laughs" expansion and keeps every value plain data.
        if id(node) in self.seen:
            if not self.alias_reported:  # one is enough; a "billion laughs" has thousands
                self.alias_reported = True
                message = "YAML aliases (*name) are not supported; write the value out"
                self.issue(path, at or node, message)
            return None
        self.seen.add(id(node))
        if depth > MAX_DEPTH:  # named by its top-level key: the full path would be a wall
            self.issue(path[:1], node, f"nested more than {MAX_DEPTH} levels deep")
            return None
        if type(node) is ScalarNode:
            return self.scalar(node, path)
        if type(node) is SequenceNode:
            if node.tag != _SEQ:
                self.issue(path, node, f"the YAML tag {_short(node.tag)} is not allowed")
                return None
            # An alias item has no position of its own (the composer hands back the anchored
            # node), so problems with it are placed on the list itself.
            return [
                self.walk(item, (*path, i), node, depth + 1) for i, item in enumerate(node.value)
            ]
        if type(node) is MappingNode:
            return self.mapping(node, path, depth)
        return None  # pragma: no cover - the composer makes no other kind of node

    def mapping(self, node: MappingNode, path: Path, depth: int) -> dict[str, Any] | None:
        if node.tag != _MAP:
            self.issue(path, node, f"the YAML tag {_short(node.tag)} is not allowed")
            return None
        out: dict[str, Any] = {}
        key_nodes: dict[str, Node] = {}
        seen = self.seen
        clean = not self.dirty
        for key_node, value_node in node.value:
            key_tag = key_node.tag
            if key_tag == _MERGE:  # could bring in `published: false` unseen
                self.issue(path, key_node, "merge keys (<<) are not supported; write the fields")
                continue
            if type(key_node) is not ScalarNode:  # no field of roundup's: never fatal
                self.issue(path, key_node, "a list or mapping as a key; ignored", warn=True)
                continue
            if key_tag not in _PLAIN_KEY_TAGS:
                self.issue(path, key_node, f"the YAML tag {_short(key_tag)} is not allowed")
                continue
            # Keys are kept as written: `yes:` or `1:` is a (strange) name, never a crash.
            key = key_node.value if clean else CONTROL_CHARS.sub("", key_node.value)
            if key != key_node.value:
                self.issue((*path, key), key_node, "control characters removed", warn=True)
            if key in key_nodes:
                first = self.first_line + key_nodes[key].start_mark.line
                message = f"duplicate key (first on line {first}); keep only one"
                self.issue((*path, key), key_node, message)
                continue
            key_nodes[key] = key_node
            # Most values are plain text: taken here without a call, the alias check included.
            if clean and value_node.tag == _STR and id(value_node) not in seen:
                seen.add(id(value_node))
                out[key] = value_node.value
                if self.lines is not None and not value_node.style:
                    self.note_comment((*path, key), value_node)
            else:
                out[key] = self.walk(value_node, (*path, key), key_node, depth + 1)
        return out

    def scalar(self, node: ScalarNode, path: Path) -> Any:
        tag = node.tag
        if self.lines is not None and not node.style:
            self.note_comment(path, node)
        if tag == _STR:
            text = node.value
            if self.dirty and CONTROL_CHARS.search(text):  # raw, or escapes such as "\x07"
                self.issue(path, node, "control characters removed", warn=True)
                self.result.cleaned.add(path)
                text = CONTROL_CHARS.sub("", text)
            return text
        if tag == _TIMESTAMP:
            return Timestamp(node.value)
        if tag in _IMPLICIT_TAGS:
            self.result.implicit[path] = node.value
            # The tag's constructor itself: construct_object would also keep every node it
            # ever built, and be left half-way by a failure.
            construct = _constructor.yaml_constructors[tag]
            try:
                return construct(_constructor, node)
            except Exception:  # !!bool maybe, !!int "" (IndexError): PyYAML raises all sorts
                # Python reads at most 4,300 digits: a longer number is valid, only too large.
                huge = tag == _TAG + "int" and len(node.value) > 4000
                what = "too large a number" if huge else f"not a valid {_short(tag)}"
                self.issue(path, node, f"{shorten(node.value)!r} is {what}")
                return None
        self.issue(path, node, f"the YAML tag {_short(tag)} is not allowed")
        return None


def _short(tag: str) -> str:
    shown = "!!" + tag[len(_TAG) :] if tag.startswith(_TAG) else tag
    return repr(shorten(shown)) if len(shown) > 60 or not shown.isprintable() else shown


_LOST_IN_A_QUOTE = (
    "did not find expected key", "found unexpected end of stream", "could not find expected ':'",
    "expected <block end>",
)  # fmt: skip
# `key: "value` (or `- 'value`): a quoted value that starts on this line.
_QUOTED_START = re.compile(r"""\s*(?:- )?(?:[^\s:#"'][^:#]*:\s+)?(["'])(.*)""")


def _unclosed_quote(lines: list[str]) -> int | None:
    """The index of the first line whose quoted value is not closed on it, if any: a typo that
    makes YAML read on into the lines below, and report a mistake far from it."""
    for index, line in enumerate(lines):
        found = _QUOTED_START.fullmatch(line)
        if found is None:
            continue
        quote, rest = found.groups()
        rest = (
            rest.replace("\\\\", "").replace('\\"', "") if quote == '"' else rest.replace("''", "")
        )
        if quote not in rest:
            return index
    return None
