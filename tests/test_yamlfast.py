"""The fast frontmatter reader: taken for the usual files, and never different from libyaml's path.

Every accepted document is compared with `yamlstrict.load_slowly` (libyaml and the strict
walker, the reference): values with their types and key order, implicit texts, cleaned paths,
issues, and the line of every key and item plus of paths that are not there.

Larger runs by hand: ROUNDUP_YAML_FUZZ=1000000 (generated and mutated documents),
ROUNDUP_YAML_SHAPES=4 (every arrangement of that many lines) and ROUNDUP_YAML_CORPUS=folder
(every article's frontmatter there, and a mutation of each).
"""

from __future__ import annotations

import os
import random
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from roundup.read import filetext, yamlstrict

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "tests" / "fixtures" / "showcase" / "content" / "000_8ccf7ab2b6d15010.txt"
FIXTURE_FOLDERS = list((ROOT / "tests").glob("[bhf]*/**/content"))


def typed(value: Any) -> Any:
    """A value with every type and key order spelled out (repr tells nan, -0.0 and 1 apart)."""
    if isinstance(value, dict):
        return ("dict", [(typed(key), typed(item)) for key, item in value.items()])
    if isinstance(value, list):
        return ("list", [typed(item) for item in value])
    return (type(value).__name__, repr(value))


def paths_of(value: Any, path: tuple = ()) -> list[tuple]:
    """Every key and item path in `value`, and beside each some paths that are not there."""
    found = [path, (*path, "missing"), (*path, 0), (*path, 10**6), (*path, -1)]
    if isinstance(value, dict):
        for key, item in value.items():
            found += paths_of(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found += paths_of(item, (*path, index))
    return found


def snapshot(result: yamlstrict.YamlResult, paths: list[tuple]) -> Any:
    issues = [(i.path, i.line, i.message, i.warning) for i in result.issues]
    implicit = sorted((repr(path), text) for path, text in result.implicit.items())
    lines = [result.line_of(path) for path in paths]
    comments = sorted(map(repr, result.comments.items()))
    return typed(result.value), implicit, sorted(map(repr, result.cleaned)), issues, lines, comments


def accepted(text: str, first_line: int = 2) -> bool:
    """Whether the fast reader took `text`; when it did, assert it matches the reference."""
    if yamlstrict._FAST_READER.read(text) is None:
        return False  # the reference alone reads it (and a declined text costs nothing here)
    fast = yamlstrict.load(text, first_line)
    assert fast.lines is not None and fast.root is None
    slow = yamlstrict.load_slowly(text, first_line)
    paths = [*paths_of(slow.value), ("absent",), ("absent", 0)]
    assert snapshot(fast, paths) == snapshot(slow, paths), repr(text)
    assert list(fast.implicit) == list(slow.implicit), repr(text)  # same order too
    return True


def frontmatter(path: Path) -> str | None:
    try:
        return filetext.split_frontmatter(filetext.decode(path.read_bytes()))[0]
    except filetext.FileProblem:
        return None


# Keys, scalars and pieces that YAML 1.1 reads in surprising ways.
KEYS = ["title", "excerpt", "publishedDateTime", "webUrl", "quality", "published", "provider",
        "name", "topics", "images", "isCached", "url", "a", "yes", "No", "null", "on", "y", "n",
        "_x", "a-b", "a_1", "x-", "true", "False", "NULL", "~", "1", "0x1f", "2020-01-01",
        "a b", "-a", "<<", "=", "'q'", '"q"', "a:b", "é", "title "]  # fmt: skip
SCALARS = ["text", "Hello, world", "it's", 'say "hi"', "a#b", "a #b", "a: b", "a:b", "http://x/y?q=1#f",
           "yes", "Yes", "YES", "no", "No", "on", "Off", "y", "n", "true", "False", "TRUE",
           "null", "Null", "NULL", "~", "nil", "0", "-0", "+0", "017", "0o17", "08", "0b101",
           "0b_", "0x1F", "0x_", "-0x1f", "1_000", "1__0", "_1", "1_", "1:30", "190:20:30",
           "1:60", "1e3", "1.5e+3", "1.0e-3", "1.", ".5", "-.5", "+12", "12.3.4", "1,000",
           ".inf", "-.Inf", "+.INF", ".nan", ".NaN", "nan", "inf", "2020-01-01",
           "2020-1-1", "2020-01-01T10:00:00Z", "2001-12-14 21:59:43.10 -5", "2020-01-01x",
           "2020-09-21T20:42:00Z", "1" + "0" * 5000, "9" * 30, "1e400", "=", "<<", "-", "--",
           "---", "...", "-x", "- x", "-1.5", ":x", "?x", "? x", "[a]", "{a: 1}", "a, b",
           "a]", "a}", "!x", "!!str x", "&a x", "*a", "|", ">", "%x", "@x", "`x`", "'q'",
           '"q"', '"a\\"b"', '"a\\\\b"', '"a\\nb"', '"\\x41"', '"\\u00e9"', '"\\t"', '"\\/"',
           '"a', '""', "''", "é", "日本語", "😀 emoji", "\xa0x", "x\xa0", "a\u3000b", "a  b",
           "a\\b", "x # y", "x#", "#x", "a\ufeffb", "\xa0"]  # fmt: skip
PIECES = [" ", "  ", ":", ": ", " #", "#", "'", '"', "\\", "\\\\", '\\"', "-", "- ", "?", "? ",
          "&a", "*a", "!!str", "!", "<<", "yes", "0x1f", "1_0", "2020-01-01", "~", "null", "é",
          "日本", "😀", "\x07", "\x00", "\t", "\u2028", "\u2029", "\ufeff", "\r", "\n", "\x85",
          "\xa0", "[", "]", "{", "}", ",", "|", ">", "%", "@", "`", "\ufdd0", "\U0001fffe", "\n\n",
          "\n  ", "\n- ", "x", "0", "key: v", "---", "...", "\ud800", "\u200b"]  # fmt: skip
LINES = ["# comment", "---", "...", "%YAML 1.1", "? a", ": b", "- x", "key: |", "  more",
         "k: >", "  - y", "    z: 1", "  ", "a: [1, 2]", "b: {c: d}", "&x y: z", "c: *x",
         "<<: {a: 1}", "d: !!int 3", "e: 'it''s'", 'f: "multi', '  line"', "g: x # c",
         "title: dup", "   ", "\t", "h:", "i: -", "-"]  # fmt: skip


class Generator:
    """Random frontmatter-like documents; `tricky`: the share of odd keys and scalars in them."""

    def __init__(self, rng: random.Random, tricky: float) -> None:
        self.rng = rng
        self.tricky = tricky

    def key(self) -> str:
        return self.rng.choice(KEYS if self.rng.random() < self.tricky else KEYS[:24])

    def scalar(self) -> str:
        rng, roll = self.rng, self.rng.random()
        if roll < self.tricky:
            return rng.choice(SCALARS)
        if roll < 2 * self.tricky:
            text = "".join(rng.choice(PIECES[:30] + ["a", "b", "c"] * 5) for _ in range(6))
            return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'
        return "".join(rng.choice("aab10 -.é") for _ in range(rng.randint(1, 9))).strip()

    def block(self, indent: int, depth: int) -> list[str]:
        """A block mapping at `indent`: scalars, nested mappings and sequences, blank lines."""
        rng, lines, pad = self.rng, [], " " * indent
        keys = {self.key() for _ in range(rng.randint(1, 5))}  # a duplicate only when tricky
        if rng.random() < self.tricky:
            keys = [*keys, self.key()]
        for key in keys:
            roll = rng.random() * (depth + 1)
            if roll < 0.2:
                step = rng.choice([2, 2, 2, 1, 4])
                lines += [f"{pad}{key}:", *self.block(indent + step, depth + 1)]
            elif roll < 0.4:
                step = rng.choice([2, 2, 2, 0, 4])
                lines += [f"{pad}{key}:", *self.sequence(indent + step, depth)]
            elif roll < 0.45:
                lines.append(f"{pad}{key}:" + " " * rng.choice([0, 0, 1, 2]))
            else:
                lines.append(f"{pad}{key}:{rng.choice([' ', ' ', ' ', '  '])}{self.scalar()}")
            if rng.random() < 0.15:
                lines.append(rng.choice(["", "", "  ", " " * indent]))
        return lines

    def sequence(self, indent: int, depth: int) -> list[str]:
        lines: list[str] = []
        pad = " " * indent
        for _ in range(self.rng.randint(1, 3)):
            if self.rng.random() < 0.5:
                lines.append(f"{pad}- {self.scalar()}")
            else:
                item = self.block(indent + 2, depth + 1)
                lines += [pad + "- " + item[0][indent + 2 :], *item[1:]]
        return lines


def mutate(rng: random.Random, text: str) -> str:
    for _ in range(rng.randint(1, 3)):
        lines = text.split("\n")
        at, roll = rng.randrange(len(lines)), rng.random()
        if roll < 0.3:
            spot = rng.randint(0, len(text))
            text = text[:spot] + rng.choice(PIECES) + text[spot:]
            continue
        if roll < 0.45:
            spot = rng.randint(0, len(text))
            text = text[:spot] + text[spot + rng.randint(1, 3) :]
            continue
        if roll < 0.55:
            del lines[at]
        elif roll < 0.65:
            lines.insert(at, lines[rng.randrange(len(lines))])
        elif roll < 0.8:
            lines[at] = " " * rng.choice([0, 1, 2, 3, 4]) + lines[at].lstrip(" ")
        elif roll < 0.9:
            lines.insert(at, rng.choice(LINES))
        else:
            other = rng.randrange(len(lines))
            lines[at], lines[other] = lines[other], lines[at]
        text = "\n".join(lines)
    return text


def documents(count: int, seed: int = 1) -> list[str]:
    rng = random.Random(seed)
    seed_front = frontmatter(SEED) or ""
    made = []
    for _ in range(count):
        roll = rng.random()
        tricky = rng.choice([0.0, 0.02, 0.05, 0.1, 0.3])
        text = "\n".join(Generator(rng, tricky).block(0, 0)) if roll < 0.8 else seed_front
        made.append(mutate(rng, text) if roll < 0.25 or roll >= 0.8 else text)
    return made


def test_the_seed_and_corpus_like_frontmatter_take_the_fast_path() -> None:
    assert accepted(frontmatter(SEED) or "")
    corpus_like = (
        'title: "A \\"quoted\\" word, a back\\\\slash: and # not a comment"\n'
        "publishedDateTime: 2019-07-15T16:22:00Z\nquality: 65\nheat: 0\npublished: false\n\n"
        "provider:\n  name: Reuters\n  domain: reuters.com\n\ntopics:\n  - AI\n  - Deep Learning\n"
        "images:\n  - url: https://example.org/a.jpg\n    width: 2560\n    isCached: true\n"
        "related:\n  - title: Jobs été 😀\n    provider:\n      name: MIT\n    images:\n"
        '      - url: x\n        height: 799\nslug:\nempty: ""\n'
    )
    assert accepted(corpus_like)
    assert yamlstrict.load(corpus_like).value["related"][0]["images"] == [
        {"url": "x", "height": 799}
    ]


def test_the_example_site_takes_the_fast_path() -> None:
    fronts = [frontmatter(path) for path in sorted(SEED.parent.iterdir())]
    assert fronts and all(accepted(front) for front in fronts if front is not None)


@pytest.mark.parametrize("text", SCALARS)
def test_each_scalar_resolves_as_libyaml_does(text: str) -> None:
    for document in (f"a: {text}\n", f"a:\n  - {text}\n  - b: {text}\n"):
        accepted(document)


def test_what_it_declines_goes_to_libyaml() -> None:
    declined = ["", "a: 1\na: 2", "a: [1]", "a: 'x'", "a: |\n  x", "a: &x 1", "a: !!str 1",
                "# c\na: 1", "a: 1 # c", "a: b: c", "a:\n- x", "  a: 1", "a:\tb", 'a: "\\n"',
                "a: x\n  y", "a: <<", "a: 0b_", "- a", "a\nb: 1", "a: \x07", "a: \u2028",
                "a: \ufeffb", "a: \x85"]  # fmt: skip
    for text in declined:
        assert yamlstrict.load(text).lines is None, repr(text)


def test_generated_and_mutated_documents_read_alike_on_both_paths() -> None:
    count = int(os.environ.get("ROUNDUP_YAML_FUZZ", "10000"))
    taken = sum(accepted(text) for text in documents(count))
    print(f"\n{count} generated documents: {taken} taken by the fast reader, all alike")
    # Both outcomes are common, so both sides of the reader's checks are exercised.
    assert 0.2 * count < taken < 0.8 * count


def shapes(length: int, templates: list[str], indents: list[int]) -> list[str]:
    """Every document of `length` lines made from the templates at each indent; {n} is the
    line's number, so keys differ unless a template repeats a fixed one."""
    variants = [""] + [" " * indent + t for t in templates for indent in indents]
    documents = [""]
    for number in range(length):
        documents = [d + v.format(n=number) + "\n" for d in documents for v in variants]
    return documents


def test_every_small_shape_of_blocks_reads_alike_on_both_paths() -> None:
    # Indentation is where a line reader most easily parts from YAML: try every arrangement.
    templates = ["k{n}: 1", "k{n}:", "- x", "- k{n}: 1", "- k{n}:", "a: ~"]
    count = int(os.environ.get("ROUNDUP_YAML_SHAPES", "3"))
    taken = sum(accepted(text) for text in shapes(count, templates, [0, 1, 2, 4]))
    print(f"\nshapes of {count} lines: {taken} taken by the fast reader, all alike")
    assert taken > 100


def test_fixture_frontmatter_reads_alike_on_both_paths() -> None:
    for folder in FIXTURE_FOLDERS:
        for path in sorted(folder.rglob("*")):
            front = frontmatter(path) if path.is_file() else None
            if front is not None:
                accepted(front)


@pytest.mark.skipif("ROUNDUP_YAML_CORPUS" not in os.environ, reason="a run by hand")
def test_a_whole_corpus_reads_alike_on_both_paths() -> None:
    rng = random.Random(2)
    fronts = [
        frontmatter(path) for path in sorted(Path(os.environ["ROUNDUP_YAML_CORPUS"]).iterdir())
    ]
    taken = sum(accepted(front) for front in fronts if front is not None)
    mutated = sum(accepted(mutate(rng, front)) for front in fronts if front is not None)
    print(f"\n{len(fronts)} frontmatters: {taken} taken; mutated: {mutated} taken; all alike")
    assert taken == len(fronts)


# --- Hypothesis: documents drawn from the shapes frontmatter takes, and from odd text -------

_SCALARS = st.one_of(
    st.sampled_from(["~", "null", "true", "no", "0x1f", "1_000", "1e3", ".nan", "2020-09-21",
                     "2020-09-21T20:42:00Z", "-5", "+1", "0o7", "yes", "'q'", '"q"', "a#b",
                     "a #b", "a: b", ":x", "-", "- x", "?", "[x]", "{x}", "*x", "&x", "!x"]),
    st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=12),
)  # fmt: skip
_KEYS = st.sampled_from(["title", "excerpt", "topics", "provider", "name", "url", "a", "b"])


@st.composite
def _frontmatter(draw: st.DrawFn) -> str:
    lines = []
    for _ in range(draw(st.integers(1, 6))):
        indent = " " * draw(st.sampled_from([0, 0, 0, 1, 2, 4]))
        kind = draw(st.sampled_from(["key", "key", "parent", "item", "item key"]))
        key, value = draw(_KEYS), draw(_SCALARS)
        lines.append(
            {"key": f"{indent}{key}: {value}", "parent": f"{indent}{key}:",
             "item": f"{indent}- {value}", "item key": f"{indent}- {key}: {value}"}[kind]
        )  # fmt: skip
    return "\n".join(lines) + draw(st.sampled_from(["", "\n"]))


@settings(max_examples=int(os.environ.get("ROUNDUP_HYPOTHESIS", "400")), deadline=None)
@given(_frontmatter())
def test_hypothesis_documents_read_alike_on_both_paths(text: str) -> None:
    # `accepted` compares the fast reader with libyaml and the strict walker whenever the fast
    # reader takes a document; whatever it declines goes to libyaml alone.
    accepted(text)
