"""A new curator's traps in article files, each reproduced through the command line.

Habits from other generators (`draft: true`, `tags:`, `date:`), misspelt fields and YAML's
surprises (`#` starts a comment, `: ` starts a mapping, a comma is no list) must never lose a
draft or a word of a title in silence: each gets its meaning or a warning that says the fix.
"""

from __future__ import annotations

import shutil
from datetime import UTC
from pathlib import Path

import pytest

from roundup.read import content, fieldnames, yamlstrict

from conftest import CLI, files_of, parse_html, write_article

BASE = "https://example.org/"
DATE = "publishedDateTime: 2026-01-05T10:00:00Z"


def site(folder: Path, **articles: str) -> Path:
    """A site folder whose content/ holds `name.md` for each frontmatter given."""
    for name, front in articles.items():
        write_article(folder / "content", f"{name}.md", front)
    return folder


def article(title: str, slug: str, extra: str = "") -> str:
    return f"title: {title}\n{DATE}\noriginalUrl: https://example.com/{slug}\n{extra}"


def build(cli: CLI, *flags: str):
    return cli("build", "--base-url", BASE, *flags)


def warnings(ran) -> list[str]:
    return [line.removeprefix("warning: ") for line in ran.lines if line.startswith("warning: ")]


# --- draft: true


def test_a_draft_is_unpublished_even_with_strict(tmp_path: Path, cli: CLI) -> None:
    site(tmp_path, secret=article("Secret plans", "secret", "draft: true"),
         shown=article("Shown link", "shown"))  # fmt: skip
    ran = build(cli, "--strict")
    assert ran.code == 0 and ran.err == ""
    assert "1 item shown, 1 unpublished skipped" in ran.out
    for name, data in files_of(tmp_path / "output").items():
        assert b"Secret plans" not in data and b"example.com/secret" not in data, name
    ran = build(cli, "--preview", "--output", "preview")
    page = parse_html(tmp_path / "preview" / "items" / "secret" / "index.html")
    assert page.cssselect("article.is-unpublished .badge"), "marked like an unpublished item"


def test_a_preview_build_never_lands_in_the_folder_that_gets_deployed(
    tmp_path: Path, cli: CLI
) -> None:
    # `roundup build --preview` then a deploy of output/ (ghp-import, rsync) published every
    # draft, marked; serve --preview already built elsewhere.
    site(tmp_path, secret=article("Secret plans", "secret", "draft: true"),
         shown=article("Shown link", "shown"))  # fmt: skip
    assert build(cli).code == 0
    public = files_of(tmp_path / "output")
    ran = build(cli, "--preview")
    assert ran.code == 0 and "written to .roundup-cache/preview/site/" in ran.out, ran.out
    assert files_of(tmp_path / "output") == public
    preview = tmp_path / ".roundup-cache" / "preview" / "site"
    page = parse_html(preview / "items" / "secret" / "index.html")
    assert page.cssselect("article.is-unpublished .badge")
    refused = build(cli, "--preview", "--output", "output")
    assert refused.code == 1 and files_of(tmp_path / "output") == public
    assert refused.err == (
        "roundup: refusing to build a preview into output, the folder that gets deployed; "
        "leave out --output (previews go into the cache folder) or name another folder\n"
    )
    # Inside it, the next public build kept the preview as a file of the user's, deployed it.
    inside = build(cli, "--preview", "--output", "output/preview")
    assert inside.code == 1 and files_of(tmp_path / "output") == public
    assert inside.err.startswith(
        "roundup: refusing to build a preview into output/preview, inside output, the folder "
        "that gets deployed; "
    ), inside.err
    around = build(cli, "--preview", "--output", ".")
    assert around.code == 1 and files_of(tmp_path / "output") == public
    assert "into ., which holds output, the folder that gets deployed" in around.err
    assert not (tmp_path / "output" / "preview").exists()
    # Another folder that holds a public build (`--output /tmp/site`, as the Deploy section
    # builds one) is refused too, by its record or, without one, by its home page.
    assert build(cli, "--output", "site").code == 0
    deployed = files_of(tmp_path / "site")
    for _ in range(2):
        refused = build(cli, "--preview", "--output", "site")
        assert refused.code == 1 and files_of(tmp_path / "site") == deployed
        assert refused.err == (
            "roundup: refusing to build a preview into site, which holds a public build (it "
            "may get deployed); name another folder, or leave out --output (previews go into "
            "the cache folder)\n"
        )
        shutil.rmtree(tmp_path / ".roundup-cache" / "outputs", ignore_errors=True)
    # A folder of previews takes previews, again and again, and a public build replaces one.
    assert build(cli, "--preview", "--output", "drafts").code == 0
    assert build(cli, "--preview", "--output", "drafts").code == 0
    shutil.rmtree(tmp_path / ".roundup-cache" / "outputs")
    assert build(cli, "--preview", "--output", "drafts").code == 0
    assert build(cli, "--output", "drafts").code == 0
    assert not (tmp_path / "drafts" / "items" / "secret").exists()


@pytest.mark.parametrize(
    ("fields", "said"),
    [("draft: true\npublished: true", "draft: true and published: true"),
     ("published: false\ndraft: false", "draft: false and published: false")],
)  # fmt: skip
def test_draft_and_published_that_disagree_warn_and_stay_unpublished(
    tmp_path: Path, cli: CLI, fields: str, said: str
) -> None:
    site(tmp_path, torn=article("Torn", "torn", fields))
    ran = build(cli)
    line = 5 + fields.splitlines().index(next(f for f in fields.splitlines() if "draft" in f))
    assert warnings(ran) == [
        f"content/torn.md:{line}: draft: {said} disagree; the item stays unpublished "
        "(keep one of them)"
    ]
    assert "0 items shown, 1 unpublished skipped" in ran.out
    assert build(cli, "--strict").code == 1


def test_draft_false_alone_is_public(tmp_path: Path, cli: CLI) -> None:
    site(tmp_path, done=article("Done", "done", "draft: false"))
    ran = build(cli, "--strict")
    assert ran.code == 0 and "1 item shown, 0 unpublished skipped" in ran.out


# --- fields of other generators, misspelt fields


def test_other_generators_field_names_get_did_you_mean(tmp_path: Path, cli: CLI) -> None:
    extra = (
        "tags: [a, b]\ndescription: Words\nimage: https://example.com/a.png\n"
        "author: Ada\ncategories: [x]\nsecured: true\nhidden: true\nexcerp: typo\n"
    )
    site(tmp_path, a=article("A", "a", extra))
    ran = build(cli)
    assert ran.code == 0
    assert warnings(ran) == [
        "content/a.md:5: tags: unknown field, kept but not used; did you mean topics? "
        "(a list of topic names, such as [Feeds, Python])",
        "content/a.md:6: description: unknown field, kept but not used; did you mean excerpt? "
        "(the text shown under the title)",
        "content/a.md:7: image: unknown field, kept but not used; did you mean images? "
        "(a list of pictures: url, width, height)",
        "content/a.md:8: author: unknown field, kept but not used; did you mean provider? "
        "(name and domain of who published the link)",
        "content/a.md:9: categories: unknown field, kept but not used; did you mean topics? "
        "(a list of topic names, such as [Feeds, Python])",
        "content/a.md:11: hidden: unknown field, so the item is public; "
        "did you mean published: false?",
        "content/a.md:12: excerp: unknown field, kept but not used; did you mean excerpt?",
    ]  # secured (line 10): the seed's own extra field, kept in silence


def test_a_missing_field_names_the_line_meant_for_it(tmp_path: Path, cli: CLI) -> None:
    site(tmp_path, a="tittle: Hello\ndate: 2026-01-01\nurl: https://example.com/a\nlink: x")
    ran = build(cli)
    assert ran.code == 1
    # The warnings first (told beside the errors); none repeats what an error says.
    assert ran.lines[0] == (
        "warning: content/a.md:5: link: unknown field, kept but not used; did you mean "
        "originalUrl? (the link itself)"
    )
    assert ran.lines[1:4] == [
        "content/a.md:2: title: missing (required); write tittle as title",
        "content/a.md:3: publishedDateTime: missing (required); write date as publishedDateTime",
        "content/a.md:4: originalUrl: an article needs originalUrl or webUrl (an http(s) URL); "
        "write url as originalUrl",
    ]


def test_other_names_beside_the_real_field_are_data_and_stay_silent(
    tmp_path: Path, cli: CLI
) -> None:
    site(tmp_path, a=article("A", "a", "topics: [x]\ntags: [y]\nurl: https://example.com/z"))
    ran = build(cli, "--strict")
    assert ran.code == 0 and ran.err == ""


# --- YAML: comments, commas, colons


def test_a_comment_cutting_a_title_warns_with_the_quoted_fix(tmp_path: Path, cli: CLI) -> None:
    site(
        tmp_path,
        a=article("Fixes issue #42 in the app", "a",
                  "excerpt: Say \"hi\" # twice\ntopics:\n  - C # and C++\n  - \"D\" # quoted\n"
                  "published: true # a comment meant as one"),
    )  # fmt: skip
    ran = build(cli)
    assert ran.code == 0
    assert warnings(ran) == [
        "content/a.md:2: title: YAML reads '#42 in the app' as a comment, so the title is "
        "'Fixes issue'; if the # belongs to it, put the title in quotes: "
        'title: "Fixes issue #42 in the app"',
        "content/a.md:5: excerpt: YAML reads '# twice' as a comment, so the excerpt is "
        "'Say \"hi\"'; if the # belongs to it, put the excerpt in quotes: "
        'excerpt: "Say \\"hi\\" # twice"',
        "content/a.md:7: topics[0]: YAML reads '# and C++' as a comment, so the topic is 'C'; "
        'if the # belongs to it, put the topic in quotes: "C # and C++"',
    ]
    assert build(cli, "--strict").code == 1


def test_a_title_that_is_all_comment_says_why_it_is_empty(tmp_path: Path, cli: CLI) -> None:
    site(tmp_path, a=article("#42 is fixed", "a"))
    ran = build(cli)
    assert ran.code == 1
    assert ran.lines[0] == (
        "content/a.md:2: title: YAML reads '#42 is fixed' as a comment, so the title is empty; "
        'if the # belongs to it, put the title in quotes: title: "#42 is fixed"'
    )


def test_a_comma_in_a_single_topic_asks_for_a_list(tmp_path: Path, cli: CLI) -> None:
    site(tmp_path, a=article("A", "a", "topics: Conservation, UK"))
    ran = build(cli)
    assert warnings(ran) == [
        "content/a.md:5: topics: 'Conservation, UK' is read as one topic; for several, "
        "write a list: [Conservation, UK]"
    ]


def test_a_colon_in_a_title_asks_for_quotes(tmp_path: Path, cli: CLI) -> None:
    site(tmp_path, a=article("Python: the good parts", "a"))
    ran = build(cli)
    assert ran.code == 1
    assert ran.lines[0] == (
        'content/a.md:2: title: invalid YAML: ": " inside unquoted text; put the title in '
        'quotes: title: "Python: the good parts"'
    )


TRAPS = [
    article("Fixes issue #42 in the app", "a"),
    article("#42", "a"),
    article("A", "a", "topics: Conservation, UK"),
    article("A", "a", "topics:\n  - Rust # lang\n  - Go"),
    article("Python: the good parts", "a"),
    article("A", "a", "draft: true\npublished: true"),
    article("A", "a", "tags: [x]\ntittle: y\nhidden: yes"),
    "tittle: A\ndate: 2026-01-01\nurl: https://example.com/a",
]


@pytest.mark.parametrize("front", TRAPS)
def test_both_yaml_readers_give_the_same_problems(
    front: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = f"---\n{front}\n---\n".encode()
    fast = content.parse_bytes(data, "a.md", UTC)
    monkeypatch.setattr(yamlstrict._FAST_READER, "read", lambda text: None)
    slow = content.parse_bytes(data, "a.md", UTC)
    assert (fast.errors, fast.warnings) == (slow.errors, slow.warnings)
    assert fast.errors or fast.warnings


@pytest.mark.parametrize(
    ("fields", "warned"),
    [
        ({"hidden": True}, True),
        ({"hidden": "yes", "published": True}, True),
        ({"hidden": True, "published": False}, False),  # not public: nothing to warn of
        ({"private": True, "published": "no"}, False),
        ({"unlisted": True, "draft": True}, False),
        ({"hidden": True, "published": "maybe"}, True),  # the bad value is an error of its own
        ({"hidden": False}, False),
    ],
)
def test_a_hiding_field_warns_only_when_the_item_is_public(
    fields: dict[str, object], warned: bool
) -> None:
    key = next(iter(fields))
    said = fieldnames.advice(key, fields[key], fields)
    assert (
        said == "unknown field, so the item is public; did you mean published: false?"
    ) == warned
    assert said is None or warned
