"""Every command with wrong, missing and odd arguments and folders: a message, never a crash.

Each case prepares a folder, runs `roundup ARGS` there as a user would, and checks the exit
status (0 done, 1 a mistake explained on stderr, 2 a usage error) and the message. Exit 3
("internal error ... please report it") and tracebacks are what this sweep exists to catch.
Site templates with mistakes (one that extends itself, an undefined variable, a syntax
error) are part of it: they must name the template file and line.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from roundup.commands import COMMANDS

from conftest import CLI, write_article

ARTICLE = "title: A\npublishedDateTime: 2026-01-05T10:00:00Z\noriginalUrl: https://example.com/a"


def article(site: Path) -> None:
    write_article(site / "content", "a.md", ARTICLE)


def broken_article(site: Path) -> None:
    write_article(site / "content", "a.md", ARTICLE.replace("2026-01-05", "2026-02-30"))


def template(name: str, text: str) -> Callable[[Path], None]:
    def make(site: Path) -> None:
        article(site)
        (site / "templates").mkdir(exist_ok=True)
        (site / "templates" / name).write_text(text)

    return make


def template_bytes(name: str, data: bytes) -> Callable[[Path], None]:
    def make(site: Path) -> None:
        article(site)
        (site / "templates").mkdir()
        (site / "templates" / name).write_bytes(data)

    return make


def settings(line: str) -> Callable[[Path], None]:
    def make(site: Path) -> None:
        article(site)
        (site / "roundup.toml").write_text(f"{line}\n", encoding="utf-8")

    return make


def dangling(name: str) -> Callable[[Path], None]:
    def make(site: Path) -> None:
        article(site)
        (site / name).symlink_to("gone")

    return make


def nothing(site: Path) -> None:
    pass


def file_named(name: str) -> Callable[[Path], None]:
    def make(site: Path) -> None:
        article(site)
        (site / name).write_text("not a folder\n")

    return make


def folder_named(name: str) -> Callable[[Path], None]:
    def make(site: Path) -> None:
        article(site)
        (site / name).mkdir()

    return make


def link_loop(site: Path) -> None:
    article(site)
    (site / "loop").symlink_to("loop")


def stray_output(site: Path) -> None:
    article(site)
    (site / "output").mkdir()
    (site / "output" / "mine.txt").write_text("not roundup's\n")


@dataclass(frozen=True)
class Case:
    name: str
    prepare: Callable[[Path], None]
    args: tuple[str, ...]
    code: int | None  # None: any but a crash (for commands this sweep knows nothing of)
    says: str  # a part of stderr (or of stdout when the command succeeds)
    cwd: str = ""  # a folder of the site to run from

    def __str__(self) -> str:
        return self.name


BASE = ("--base-url", "https://example.org/")
CASES = [
    Case("no command", nothing, (), 2, "the following arguments are required: COMMAND"),
    Case("unknown command", nothing, ("publish",), 2, "invalid choice: 'publish'"),
    Case("unknown option", article, ("build", "--fast"), 2,
         "roundup build: error: unrecognized arguments: --fast"),  # the command's own usage
    Case("option without value", article, ("build", "--output"), 2, "expected one argument"),
    Case("empty folder", nothing, ("build",), 1,
         "content folder not found; run roundup from the site's folder, the one above content/ "
         "(or give --content, or start a site with roundup init)\n"),
    Case("inside content/", article, ("build",), 1,
         "content folder not found; run roundup from the site's folder", cwd="content"),
    # It wrote a content/content/ of copies, which the next build refused (their slugs).
    Case("import inside content/", article, ("import", "a.md"), 1,
         "content folder not found; run roundup import from the site's folder", cwd="content"),
    Case("content is a file", file_named("notes"), ("build", "--content", "notes"), 1,
         "notes: is not a folder"),
    Case("import into a file", file_named("notes"), ("import", "notes", "--content", "notes"),
         1, "notes: is not a folder; the content folder holds one file per link"),
    Case("new into a file", file_named("notes"), ("new", "https://example.org/", "--title", "T",
         "--content", "notes"), 1, "notes: is not a folder; the content folder holds one"),
    Case("output equals content", article, ("build", "--output", "content"), 1,
         "as the output folder: it is the content folder; choose a folder of its own"),
    # Every file in the templates folder is a template: the second build read the first's
    # pages as Jinja ("unexpected char '#'"); templates_dir = "/" read the whole disk.
    Case("output inside templates", article, ("build", "--output", "templates/site"), 1,
         "it is inside the templates folder, whose files are all read as templates"),
    Case("templates hold the site", settings('templates_dir = "."'), ("build",), 1,
         "the templates folder . holds the content folder; give the templates a folder"),
    Case("templates hold the content", settings('templates_dir = ".."'), ("build",
         "--output", "../../elsewhere"), 1, "holds the content folder; give the templates"),
    Case("output inside content", article, ("build", "--output", "content/site"), 1,
         "it is inside the content folder"),
    Case("empty content flag", article, ("build", "--content", ""), 1,
         "it is inside the content folder"),
    Case("output is the site folder", article, ("build", "--output", "."), 1, "refusing to use"),
    Case("output is a dangling link", dangling("site"), ("build", "--output", "site"), 1,
         "the output path site is a symbolic link to gone, which does not exist; create that"),
    Case("output is a file", file_named("site.html"), ("build", "--output", "site.html"), 1,
         "exists and is not a folder"),
    Case("output holds others' files", stray_output, ("build",), 1,
         "is not empty and roundup did not make it"),
    Case("output is a link loop", link_loop, ("build", "--output", "loop"), 1,
         "a symbolic link that leads back to itself"),
    Case("content is a link loop", link_loop, ("build", "--content", "loop"), 1,
         "a symbolic link that leads back to itself"),
    Case("output cannot be made", article, ("build", "--output", "/proc/roundup-out"), 1,
         "no such file or directory while writing /proc/roundup-out"),
    Case("output is the cache folder", article, ("build", "--output", ".roundup-cache"), 1,
         "is the cache folder"),
    Case("cache is the content folder", article, ("build", "--cache-dir", "content"), 1,
         "content; keep roundup's state apart from the site's files"),
    Case("cache inside the templates", article, ("build", "--cache-dir", "templates/c"), 1,
         "templates/c is inside the templates folder"),
    Case("cache holds the project", article, ("build", "--cache-dir", "."), 1,
         "holds the content folder"),
    Case("cache hidden in content", article, ("build", *BASE, "--cache-dir", "content/.c"), 0,
         ""),
    Case("config is a folder", folder_named("conf"), ("build", "--config", "conf"), 1,
         "conf: is a folder, not a config file"),
    Case("config is missing", article, ("build", "--config", "none.toml"), 1,
         "none.toml: config file not found"),
    Case("config is not TOML", file_named("site.toml"), ("build", "--config", "site.toml"), 1,
         "site.toml:1: invalid TOML"),
    Case("bad base URL", article, ("build", "--base-url", "example.org"), 1,
         "--base-url: 'example.org' must be an absolute http:// or https:// URL"),
    Case("template extends itself", template("base.html", '{% extends "base.html" %}\n'),
         ("build", *BASE), 1,
         'templates/base.html:1: extends "base.html", which is this template itself; to build '
         'on the theme\'s base.html, write {% extends "theme/base.html" %}'),
    Case("templates extend in a loop", template("base.html", '{% extends "theme/home.html" %}'),
         ("build", *BASE), 1,
         "templates/base.html:1: templates extend one another in a loop: base.html → "
         "theme/home.html → base.html"),
    Case("undefined variable", template(
        "base.html", '{% extends "theme/base.html" %}\n{% block footer %}\n{{ curator }}\n'
        "{% endblock %}\n"), ("build", *BASE), 1,
        "templates/base.html:3: while rendering /: 'curator' is undefined"),
    Case("undefined variable in a macro", template(
        "item.html", "{% macro show(item) %}\n{{ item.nosuch }}\n{% endmacro %}\n"
        "{{ show(item) }}\n"), ("build", *BASE), 1,
        "templates/item.html:2: while rendering /items/a/: 'roundup.site.structure.Item object' "
        "has no attribute 'nosuch'"),
    Case("template syntax error", template("item.html", "{% if %}\n"), ("build", *BASE), 1,
         "templates/item.html:1: Expected an expression"),
    Case("template error of another kind", template(
        "base.html", '{% extends "theme/base.html" %}\n{% block footer %}{{ 1 / 0 }}'
        "{% endblock %}\n"), ("build", *BASE), 1,
        "templates/base.html:2: while rendering /: ZeroDivisionError: division by zero"),
    Case("template includes what is not there",
         template("item.html", '{% extends "theme/item.html" %}\n{% block content %}'
                  '{% include "nope.html" %}{% endblock %}\n'), ("build", *BASE), 1,
         "templates/item.html:2: while rendering /items/a/: no template named nope.html in "
         "templates/ or the theme"),
    Case("template not UTF-8", template_bytes("item.html", b"\xff\xfe{{ x }}"), ("build", *BASE),
         1, "roundup: templates/item.html: cannot read the template: it is not UTF-8 text"),
    Case("template includes itself", template("item.html", '{% include "item.html" %}\n'),
         ("build", *BASE), 1,
         "templates/item.html:1: while rendering /items/a/: templates include one another, "
         "or a macro calls itself, without end"),
    Case("serve as built, unwatched", article, ("serve", "--no-build", "--no-watch"), 2,
         "--no-build neither builds nor watches: --no-watch adds nothing to it"),
    Case("empty config flag", article, ("build", "--config", ""), 1,
         "--config: empty; name the config file, or leave the option out"),
    Case("week start of daily editions", settings('week_start = "sunday"'), ("build", "--strict"),
         1,
         'roundup.toml: week_start: not used: editions are by day (editions = "week"'),
    Case("serve as built before a build", article, ("serve", "--no-build"), 1,
         "run roundup build first"),
    Case("serve without content", nothing, ("serve",), 1, "no content folder at content/"),
    Case("serve on a port out of range", article, ("serve", "--port", "70000"), 2,
         "'70000' is not a port number (0 to 65535)"),
    Case("serve on a negative port", article, ("serve", "--port", "-1"), 2,
         "'-1' is not a port number"),
    Case("serve on a word", article, ("serve", "--port", "http"), 2,
         "'http' is not a port number"),
    Case("serve into a file", file_named("site.html"), ("serve", "--output", "site.html"), 1,
         "exists and is not a folder"),
    Case("serve with a bad config", folder_named("conf"), ("serve", "--config", "conf"), 1,
         "conf: is a folder, not a config file"),
    Case("serve with a bad base URL", article, ("serve", "--base-url", "https://a b/"), 1,
         "--base-url: 'https://a b/': 'a b' is not a host name"),
    Case("check waits nan seconds", article, ("check", "--links", "--timeout", "nan"), 2,
         "'nan' is not a number of seconds (0 < SECONDS <= 3600)"),
    Case("check waits no time", article, ("check", "--links", "--timeout", "0"), 2,
         "'0' is not a number of seconds"),
    Case("check waits less than none", article, ("check", "--links", "--timeout=-1"), 2,
         "'-1' is not a number of seconds"),
    # check writes no output folder, and so does not say it left one as it was.
    Case("check finds an error", broken_article, ("check",), 1, "roundup: 1 error in 1 file\n"),
]  # fmt: skip


# Every command, including those added later: its help, an unknown option, and a run in an
# empty folder, where it can only explain what is missing (or make what it makes).
CASES += [
    case
    for name in COMMANDS
    for case in (
        Case(f"{name} --help", nothing, (name, "--help"), 0, f"usage: roundup {name}"),
        # An internal error asks for the command's output with -v: every command takes it.
        Case(f"{name} takes -v", nothing, (name, "--help"), 0, "-v, --verbose"),
        Case(f"{name} with an unknown option", nothing, (name, "--no-such-option"), 2,
             "error: "),
        Case(f"{name} in an empty folder", nothing, (name,), None, ""),
    )
]  # fmt: skip


@pytest.mark.parametrize("case", CASES, ids=str)
def test_every_mistake_is_a_message_with_its_exit_status(
    case: Case, tmp_path: Path, cli: CLI
) -> None:
    case.prepare(tmp_path)
    ran = cli(*case.args, cwd=tmp_path / case.cwd)
    printed = ran.out + ran.err
    assert "Traceback" not in printed and "internal error" not in printed, printed
    assert ran.code == case.code if case.code is not None else ran.code in (0, 1, 2), printed
    assert case.says in (ran.out if case.code == 0 else ran.err), printed
    if case.code == 1:  # a mistake: short lines, and nothing made
        assert all(len(line) < 300 for line in ran.lines), ran.lines
        assert not (tmp_path / "output" / "index.html").exists()


def test_a_folder_deleted_under_the_user_is_a_message(
    tmp_path: Path, cli: CLI, monkeypatch: pytest.MonkeyPatch
) -> None:
    gone = tmp_path / "gone"
    gone.mkdir()
    monkeypatch.chdir(gone)
    os.rmdir(gone)
    ran = cli("build", cwd=Path("."))
    assert ran.code == 1
    assert ran.lines == ["roundup: the current folder no longer exists; cd to the site's folder"]


@pytest.mark.parametrize("command", ["build", "import"])
def test_quiet_and_verbose_together_are_a_usage_mistake(
    command: str, cli: CLI, tmp_path: Path
) -> None:
    # Accepted, they printed the timings and left out the summary line.
    ran = cli(command, *(["x.html"] if command == "import" else []), "-q", "-v")
    assert ran.code == 2 and "not allowed with argument -q/--quiet" in ran.err
    assert list(tmp_path.iterdir()) == []
