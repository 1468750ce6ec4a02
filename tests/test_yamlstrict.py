"""Strict YAML: plain values only, every problem on its line, nothing hostile expanded or run."""

from __future__ import annotations

from roundup.read import yamlstrict
from roundup.read.yamlstrict import Timestamp


def issues(text: str, first_line: int = 1) -> list[tuple[tuple, int, str, bool]]:
    return [
        (i.path, i.line, i.message, i.warning) for i in yamlstrict.load(text, first_line).issues
    ]


def test_plain_values_come_back_as_python_values() -> None:
    result = yamlstrict.load("a: text\nb: 3\nc: [x, y]\nd: {e: true}\nf:\n")
    assert result.value == {"a": "text", "b": 3, "c": ["x", "y"], "d": {"e": True}, "f": None}
    assert result.issues == []


def test_dates_stay_text_for_roundup_to_parse() -> None:
    value = yamlstrict.load("when: 2020-09-21T20:42:00Z").value["when"]
    assert isinstance(value, Timestamp) and value == "2020-09-21T20:42:00Z"


def test_implicit_non_texts_remember_what_was_written() -> None:
    result = yamlstrict.load("title: NO\nversion: 1.10\nempty: ~")
    assert result.value == {"title": False, "version": 1.1, "empty": None}
    assert result.implicit == {("title",): "NO", ("version",): "1.10", ("empty",): "~"}


def test_duplicate_keys_are_errors_on_the_second_line() -> None:
    assert issues("published: false\npublished: true\n", first_line=4) == [
        (("published",), 5, "duplicate key (first on line 4); keep only one", False)
    ]


def test_nested_duplicate_keys_are_found_too() -> None:
    assert issues("p:\n  name: a\n  name: b\n")[0][:2] == (("p", "name"), 3)


def test_language_tags_are_refused_and_never_run() -> None:
    text = "a: !!python/object/apply:os.system [touch /tmp/roundup-pwned]\nb: !!binary aGk=\n"
    result = yamlstrict.load(text)
    assert result.value == {"a": None, "b": None}
    assert [m for _, _, m, _ in issues(text)] == [
        "the YAML tag !!python/object/apply:os.system is not allowed",
        "the YAML tag !!binary is not allowed",
    ]


def test_aliases_are_reported_once_and_never_expanded() -> None:
    pairs = zip("abcdefgh", "bcdefghi", strict=True)
    laughs = 'a: &a ["lol", "lol"]\n' + "".join(
        f"{k}: &{k} [{', '.join([f'*{p}'] * 9)}]\n" for p, k in pairs
    )
    result = yamlstrict.load(laughs)
    assert result.value["i"] == [None] * 9
    assert issues(laughs) == [
        (("b", 0), 2, "YAML aliases (*name) are not supported; write the value out", False)
    ]


def test_odd_keys_are_kept_as_text_or_refused_without_crashing() -> None:
    result = yamlstrict.load("1: one\ntrue: t\n~: n\n2020-01-01: d\n? [a, b]\n: list\n")
    assert result.value == {"1": "one", "true": "t", "~": "n", "2020-01-01": "d"}
    assert [(line, m, w) for _, line, m, w in issues("? [a, b]\n: x\n<<: {a: 1}\n")] == [
        (1, "a list or mapping as a key; ignored", True),
        (3, "merge keys (<<) are not supported; write the fields", False),
    ]


def test_control_characters_are_cut_with_a_warning_on_their_field() -> None:
    result = yamlstrict.load('title: "Bell\\a"\nraw: ding\x07dong\nlist: [ok, "n\\0"]\n')
    assert result.value == {"title": "Bell", "raw": "dingdong", "list": ["ok", "n"]}
    assert issues('title: "Bell\\a"\nraw: ding\x07dong\nlist: [ok, "n\\0"]\n') == [
        (("title",), 1, "control characters removed", True),
        (("raw",), 2, "control characters removed", True),
        (("list", 1), 3, "control characters removed", True),
    ]
    assert result.cleaned == {("title",), ("raw",), ("list", 1)}


def test_syntax_errors_carry_the_file_line_and_name_tabs() -> None:
    assert issues("a: [unclosed\nb: 1\n", first_line=2)[0][1:3] == (
        3,
        "invalid YAML: did not find expected ',' or ']'",
    )
    assert issues("a:\n\tb: 1\n")[0][2].endswith("(a tab: YAML indents with spaces only)")


def test_line_separators_do_not_shift_lines() -> None:
    result = yamlstrict.load("a: one\u2028two\nb: 2\n")
    assert result.value == {"a": "one two", "b": 2} and result.line_of(("b",)) == 2


def test_non_characters_of_every_plane_are_removed() -> None:
    assert yamlstrict.load('a: "x\\U0010FFFF\\uFFFEy"').value == {"a": "xy"}


def test_hostile_nesting_is_an_error_not_a_crash() -> None:
    deep = issues("a: " + "[" * 60 + "]" * 60)
    assert deep == [(("a",), 1, "nested more than 50 levels deep", False)]
    assert issues("a: " + "[" * 100_000)[0][2].startswith("invalid YAML")


def test_bad_explicit_scalars_are_errors() -> None:
    text = 'a: !!bool maybe\nb: !!int x\nd: !!int\ne: !!float ""\nc: 1' + "0" * 5000
    assert [m for _, _, m, _ in issues(text)] == [
        "'maybe' is not a valid !!bool",
        "'x' is not a valid !!int",
        "'' is not a valid !!int",
        "'' is not a valid !!float",
        "'" + "1" + "0" * 56 + "...' is too large a number",
    ]


def test_line_of_finds_keys_items_and_nearest_parents() -> None:
    result = yamlstrict.load("title: x\ntopics:\n  - a\n  - b\nprovider:\n  name: n\n", 2)
    assert result.line_of(("title",)) == 2
    assert result.line_of(("topics", 1)) == 5
    assert result.line_of(("provider", "name")) == 7
    assert result.line_of(("provider", "missing")) == 6
    assert result.line_of(("absent",)) == 2


def test_every_escape_that_makes_a_control_character_is_caught() -> None:
    text = 'a: "1\\0 2\\a 3\\b 4\\e 5\\f 6\\v 7\\N 8\\x7f 9\\u0085 10\\U0001FFFF 11\\t\\"\\\\"'
    result = yamlstrict.load(text)
    assert result.value == {"a": '1 2 3 4 5 6 7 8 9 10 11\t"\\'}
    assert [issue.message for issue in result.issues] == ["control characters removed"]


def test_an_unclosed_quote_is_told_on_its_own_line() -> None:
    # YAML reads on to the next quote and reported "did not find expected key" two lines
    # below, naming no field: the curator looked for the mistake in the wrong place.
    loaded = yamlstrict.load('title: "Huge page\ndate: 2026-01-05\nurl: "https://e.org/a"\n', 2)
    assert [(i.line, i.message) for i in loaded.issues] == [
        (2, "invalid YAML: a quote opened on this line is not closed on it; close it")
    ]
    # A quote that spans lines, which YAML allows, is not blamed for a mistake after it.
    legal = yamlstrict.load('excerpt: "two\n  lines"\ntopics: [a\n', 2)
    assert [i.message for i in legal.issues] == ["invalid YAML: did not find expected ',' or ']'"]
