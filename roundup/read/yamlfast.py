"""Read frontmatter of the usual simple shape straight from its lines, exactly as libyaml would.

Worth its lines: on the 30,000 articles of the benchmark corpus (all of the usual shape) it
reads a frontmatter in 0.053 ms where libyaml and the strict walker take 0.199 ms, 4.4 s of
CPU a cold build saves (`benchmarks/parse_timing.py`). Anything outside its subset goes to
libyaml; tests/test_yamlfast.py holds both paths to the same values, lines and problems on
every fixture, generated corpora and Hypothesis-drawn documents.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

import yaml
from yaml.nodes import ScalarNode

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping, Sequence

_TAG = "tag:yaml.org,2002:"
_STR, _TIMESTAMP = _TAG + "str", _TAG + "timestamp"
_IMPLICIT_TAGS = frozenset(_TAG + t for t in ("null", "bool", "int", "float"))

# The line pattern takes no ASCII control character (tab, carriage return and NUL among them),
# so ASCII text needs no other check. Text with other characters is first searched for the
# rest: other controls and non-characters, the other line breaks, byte-order marks (libyaml
# skips one at the start of a line).
_ASCII_CONTROLS = r"\x00-\x1f\x7f"
_UNICODE_REFUSED = re.compile("[\x85\u2028\u2029\ufeff]")
# A key as roundup's fields are named: short enough to be a YAML simple key (at most 1024).
_KEY = r"([A-Za-z_][A-Za-z0-9_-]{0,99})"
# A plain scalar that is one line of text: its first character no indicator (a `-` only before
# text, as in -5), no ": " or " #" inside, no ":" at its end, no space at either end. Every
# quantifier is possessive: a long line that does not match fails at once.
_PLAIN = (
    r"((?:[^ \-?:,\[\]{}#&*!|>'\"%@`" + _ASCII_CONTROLS + r"]|-(?=[^ ]))"
    r"(?:[^ :" + _ASCII_CONTROLS + r"]++|:(?=[^ ])| ++(?=[^ #]))*+)"
)
# A double-quoted scalar on one line whose only escapes are \" and \\.
_QUOTED_RUN = r'[^"\\' + _ASCII_CONTROLS + "]*+"
_QUOTED = rf'"({_QUOTED_RUN}(?:\\["\\]{_QUOTED_RUN})*+)"'
# Indent, "- ", then `key:` and maybe a value, or (after "- " only) a value alone.
_LINE = re.compile(rf"( *)(- )?(?:{_KEY}:(?: +(?:{_PLAIN}|{_QUOTED}))?|{_PLAIN}|{_QUOTED}) *")
_ESCAPE = re.compile(r"\\([\"\\])")
# Far deeper than any frontmatter, and far shallower than the walker's limit.
_MAX_DEPTH = 20
# Room for the texts that recur in every file (true, 2560, article); unique ones (dates) churn.
_KNOWN_MAX = 4096

# Where a value is in a document: the keys and list indexes that lead to it.
Path = tuple[str | int, ...]
Read = tuple[dict[str, Any], dict[Path, str], dict[Path, int]]


class _Declined(Exception):
    """The text is not of the shape this reader is certain about: libyaml must read it."""


class Reader:
    """Reads block mappings and sequences of one-line scalars, or declines to.

    What it accepts gives the same values, types and implicit texts as libyaml and the strict
    walker. It declines anything else: flow collections, comments, block scalars, anchors,
    tags, odd indentation, escapes but \\" and \\\\, duplicate keys, controls, empty documents.
    """

    def __init__(
        self,
        resolvers: Mapping[str, Sequence[tuple[str, re.Pattern[str]]]],
        timestamp: Callable[[str], str],
        find_control: Callable[[str], object],
    ) -> None:
        # The loader's own implicit resolvers by first character, so both type alike.
        self.resolvers = resolvers
        self.timestamp = timestamp
        self.find_control = find_control
        self.constructor = yaml.constructor.SafeConstructor()
        # Each plain text's value and whether it is implicit (not text), once per process:
        # the values are immutable, so one can be shared.
        self.known: dict[str, tuple[Any, bool]] = {}

    def read(self, text: str) -> Read | None:
        """(value, implicit texts by path, 0-based line of every key and item) or None."""
        if not text.isascii() and (self.find_control(text) or _UNICODE_REFUSED.search(text)):
            return None
        try:
            return self._read(text)
        except _Declined:
            return None

    def _read(self, text: str) -> Read:
        root: dict[str, Any] = {}
        implicit: dict[Path, str] = {}
        lines: dict[Path, int] = {}
        # The innermost open collection (the column of its keys or dashes, itself, its path)
        # and, outside it, those it is nested in.
        collection: Any  # a dict or a list of parsed values, told apart by type() below
        path: Path
        indent_now, collection, path = 0, root, ()
        outer: list[tuple[int, Any, Path]] = []
        # A `key:` with nothing after it: its value is the block below, or null if none is.
        pending: str | None = None
        pending_path: Path = ()
        # Bound once: this loop is the hot path of a cold build.
        known, learn, match_line = self.known.get, self.learn, _LINE.fullmatch
        for number, line in enumerate(text.split("\n")):
            if not line:
                continue
            match = match_line(line)
            if match is None:
                if line.strip(" "):
                    raise _Declined
                continue  # only spaces: a blank line
            spaces, dash, key, key_plain, key_quoted, plain, quoted = match.groups()
            indent = len(spaces)
            if pending is not None:
                if indent > indent_now:
                    if len(pending_path) > _MAX_DEPTH:
                        raise _Declined
                    block: Any = [] if dash else {}
                    collection[pending] = block
                    outer.append((indent_now, collection, path))
                    indent_now, collection, path = indent, block, pending_path
                else:
                    collection[pending] = self.empty(pending_path, implicit)
                pending = None
            while indent < indent_now:
                indent_now, collection, path = outer.pop()
            if indent != indent_now:
                raise _Declined
            if dash:
                if type(collection) is not list:
                    raise _Declined
                item_path = (*path, len(collection))
                lines[item_path] = number
                if key is None:
                    if quoted is None:
                        value, is_implicit = known(plain) or learn(plain)
                        if is_implicit:
                            implicit[item_path] = plain
                        collection.append(value)
                    else:
                        collection.append(_unescape(quoted) if "\\" in quoted else quoted)
                    continue
                # `- key: value` opens a mapping whose keys line up after the dash.
                item: dict[str, Any] = {}
                collection.append(item)
                outer.append((indent_now, collection, path))
                indent_now, collection, path = indent + 2, item, item_path
            elif key is None or type(collection) is not dict:
                raise _Declined
            if key in collection:
                raise _Declined
            key_path = (*path, key)
            lines[key_path] = number
            if key_plain is not None:
                value, is_implicit = known(key_plain) or learn(key_plain)
                if is_implicit:
                    implicit[key_path] = key_plain
                collection[key] = value
            elif key_quoted is not None:
                collection[key] = _unescape(key_quoted) if "\\" in key_quoted else key_quoted
            else:
                collection[key] = None  # holds the key's place in the order until known
                pending, pending_path = key, key_path
        if not lines:
            raise _Declined  # only blank lines: libyaml's answer has no root node
        if pending is not None:
            collection[pending] = self.empty(pending_path, implicit)
        lines[()] = next(iter(lines.values()))  # the root mapping starts at its first key
        return root, implicit, lines

    def empty(self, path: Path, implicit: dict[Path, str]) -> Any:
        """The value of `key:` with nothing after it: what YAML makes of an empty plain scalar."""
        value, is_implicit = self.learn("")
        if is_implicit:  # it is: "" resolves to null
            implicit[path] = ""
        return value

    def learn(self, text: str) -> tuple[Any, bool]:
        """A plain scalar's value and whether it is implicit, remembered for the next time."""
        known = self.known[text] = self._resolve(text)
        if len(self.known) > _KNOWN_MAX:
            self.known.clear()
        return known

    def _resolve(self, text: str) -> tuple[Any, bool]:
        # As _Loader.resolve types a plain scalar, and _Walker.scalar builds its value.
        tag = _STR
        for candidate, pattern in self.resolvers.get(text[:1], ()):
            if pattern.match(text):
                tag = candidate
                break
        if tag == _STR:
            return text, False
        if tag == _TIMESTAMP:
            return self.timestamp(text), False
        if tag not in _IMPLICIT_TAGS:  # `<<`, `=`: refused, and the walker says why
            raise _Declined
        # What construct_object calls for these tags, without its cache that keeps every node.
        construct = self.constructor.yaml_constructors[tag]
        try:
            return construct(self.constructor, ScalarNode(tag, text)), True
        except Exception:  # e.g. 0b_ or a 5000-digit int: the walker reports it
            raise _Declined from None


def _unescape(quoted: str) -> str:
    # The line pattern lets no escape through but \" and \\.
    return _ESCAPE.sub(r"\1", quoted)
