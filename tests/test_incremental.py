"""Incremental builds equal cold builds after any sequence of edits, additions and deletions."""

from __future__ import annotations

import random
import shutil
from datetime import date
from operator import attrgetter
from pathlib import Path

import pytest

from roundup.build.fingerprints import fingerprint, stable_bytes
from roundup.build.quick import Memory
from roundup.core import parallel
from roundup.read import stored

from conftest import build_folder, files_of

TOPICS = ["Feeds", "feeds", "Standards", "JSON", "C++", "C#", "Ünïcode", "日本語", "Rust/Wasm"]
# Hosts of links, and providers: sources written in several ways, one of them a page's name.
HOSTS = ["example.com", "www.Example.com", "bücher.de", "[2001:db8::1]", "page.example"]
PROVIDERS = [
    "", "provider: {name: Example}\n", "provider: {name: Books, domain: xn--bcher-kva.de}\n",
    "provider: {domain: page}\n",
]  # fmt: skip
# Bodies a "comment" step gives a file: none, short, long enough to be cut in listings.
COMMENTS = [
    "", "Edited *again*.\n", "## A heading\n\nWith [a link](https://b.example/).\n",
    "".join(f"Paragraph {n} of a long comment, which listings cut short.\n\n" for n in range(40)),
]  # fmt: skip
# Settings a step turns on or off: weekly editions, their first day and their title.
TOGGLES = ['editions = "week"', 'week_start = "sunday"', 'edition_title = "No. {number} ({date})"']


def _article(rng: random.Random, number: int) -> str:
    topics = rng.sample(TOPICS, rng.randint(0, 3))
    day = rng.randint(1, 28)
    body = rng.choice(
        ["", "A *comment*.\n", "Two\n\nparagraphs with a [link](https://a.example/).\n"]
    )
    return (
        "---\n"
        f'title: "Article {number} v{rng.randint(0, 999)}"\n'
        f"publishedDateTime: 2024-0{rng.randint(1, 3)}-{day:02d}T{rng.randint(0, 23):02d}:30:00Z\n"
        f'originalUrl: "https://{rng.choice(HOSTS)}/{number}"\n'
        f"{rng.choice(PROVIDERS)}"
        f"topics: {topics!r}\n"
        f"published: {rng.choice(['true', 'true', 'false'])}\n"
        f"heat: {rng.randint(0, 100)}\n"
        f"---\n{body}"
    )


def _step(rng: random.Random, site: Path, counter: list[int]) -> str:
    content = site / "content"
    files = sorted(p for p in content.rglob("*.md"))
    action = rng.choice(
        ["add", "add", "edit", "edit", "comment", "comment", "delete", "touch", "config",
         "template"]
    )  # fmt: skip
    if action == "add" or not files:
        counter[0] += 1
        folder = content / rng.choice(["", "nested", "deep/er"])
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"gen-{counter[0]}.md").write_text(_article(rng, counter[0]))
    elif action == "edit":
        target = rng.choice(files)
        target.write_text(_article(rng, int(rng.random() * 1000)))
    elif action == "comment":  # the body alone: what a process that remembers redoes least
        target = rng.choice(files)
        front, _, _ = target.read_text().rpartition("---\n")
        target.write_text(front + "---\n" + rng.choice(COMMENTS))
    elif action == "delete":
        rng.choice(files).unlink()
    elif action == "touch":
        target = rng.choice(files)
        target.write_bytes(target.read_bytes())  # new mtime, same bytes
    elif action == "config":
        config = site / "pyproject.toml"
        text = config.read_text()
        key = rng.choice(["items_per_page = 2", "timezone", "title", "editions", "editions"])
        if key == "editions":  # weekly or not, and how weeks are cut and named
            toggle = rng.choice(TOGGLES)
            lines = text.splitlines()
            text = "\n".join(
                [line for line in lines if line != toggle] + [toggle] * (toggle not in lines)
            )
        elif key == "timezone":
            zone = rng.choice(["Europe/Berlin", "UTC", "Pacific/Kiritimati"])
            text = "\n".join(
                f'timezone = "{zone}"' if line.startswith("timezone") else line
                for line in text.splitlines()
            )
        elif key == "title":
            text = text.replace('title = "Fixture Roundup"', 'title = "Renamed Roundup"')
        else:
            text = text.replace("items_per_page = 2", f"items_per_page = {rng.randint(1, 3)}")
        config.write_text(text + "\n")
    else:
        templates = site / "templates"
        templates.mkdir(exist_ok=True)
        override = templates / "404.html"
        if override.exists():
            override.unlink()
        else:
            override.write_text(
                '{% extends "base.html" %}{% block content %}<h1>Gone</h1>{% endblock %}'
            )
    return action


@pytest.mark.parametrize(
    ("seed", "remembering", "weekly"),
    [(1, False, False), (2, False, False), (3, True, False), (4, True, False), (5, False, True),
     (6, True, True)],
)  # fmt: skip
def test_random_sequences_match_cold_builds(
    fixture_site: Path, tmp_path: Path, seed: int, remembering: bool, weekly: bool
) -> None:
    # Remembering: one process building again and again, as `roundup serve` does, taking over
    # parse results, items and fingerprints from its last build.
    memory = Memory() if remembering else None
    if weekly:  # begin with weekly editions (which steps may turn off and on again)
        config = fixture_site / "pyproject.toml"
        config.write_text(config.read_text() + "\n".join(TOGGLES[::2]) + "\n")
    rng = random.Random(seed)
    incremental = tmp_path / "incremental"
    build_folder(fixture_site, incremental, memory=memory)
    counter = [0]
    for step in range(10):
        action = _step(rng, fixture_site, counter)
        build_folder(fixture_site, incremental, memory=memory)
        preview = step % 5 == 4  # now and then a preview build into the same folder
        if preview:
            build_folder(fixture_site, incremental, preview=True, memory=memory)
            build_folder(fixture_site, incremental, memory=memory)
        cold = tmp_path / f"cold-{step}"
        fresh_cache = tmp_path / f"cache-{step}"  # cold: nothing parsed or compiled before
        build_folder(fixture_site, cold, cache_dir=str(fresh_cache))
        assert files_of(incremental) == files_of(cold), (seed, step, action)
        shutil.rmtree(cold)
        shutil.rmtree(fresh_cache)


def test_forked_workers_build_what_one_process_builds(
    fixture_site: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The fixture is far below the size at which work is shared out: share it anyway, so the
    # workers' parsing, rendering and merging are held to the same output, cold and after edits.
    rng = random.Random(3)
    serial, forked = tmp_path / "serial", tmp_path / "forked"
    counter = [0]
    for step in range(6):
        monkeypatch.setattr(parallel, "MIN_PARALLEL", 10**9)
        build_folder(fixture_site, serial)
        monkeypatch.setattr(parallel, "MIN_PARALLEL", 1)
        monkeypatch.setenv("ROUNDUP_JOBS", "3")
        build_folder(fixture_site, forked)
        monkeypatch.delenv("ROUNDUP_JOBS")
        assert files_of(forked) == files_of(serial), step
        _step(rng, fixture_site, counter)


@pytest.mark.parametrize("remembering", [False, True])
def test_a_compact_build_builds_what_a_normal_one_builds(
    fixture_site: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, remembering: bool
) -> None:
    # Big sites are built compact: workers write what they parse to spill files, and every
    # article reads its text from the parse cache's files when a page needs it. Build the
    # fixture that way (with forked workers), cold and after edits, against a normal build.
    memory = Memory() if remembering else None
    rng = random.Random(5)
    normal, compact = tmp_path / "normal", tmp_path / "compact"
    cache = tmp_path / "compact-cache"
    counter = [0]
    for step in range(6):
        monkeypatch.setattr(stored, "COMPACT_ARTICLES", 10**9)
        monkeypatch.setattr(parallel, "MIN_PARALLEL", 10**9)
        _, as_normal = build_folder(fixture_site, normal)
        monkeypatch.setattr(stored, "COMPACT_ARTICLES", 0)
        monkeypatch.setattr(parallel, "MIN_PARALLEL", 1)
        monkeypatch.setenv("ROUNDUP_JOBS", "3")
        _, as_compact = build_folder(fixture_site, compact, memory=memory, cache_dir=str(cache))
        monkeypatch.delenv("ROUNDUP_JOBS")
        assert files_of(compact) == files_of(normal), step
        # A compact build lets go of its plan early: what it tells is still the whole site.
        counts = attrgetter("shown", "pages", "feeds", "files")
        assert counts(as_compact) == counts(as_normal), step
        assert list((cache / "parsed").glob("*.mpk")), "the compact build has a cache of its own"
        assert not list((cache / "parsed").glob("spill.*")), "removed once the cache has them"
        _step(rng, fixture_site, counter)
    stored.compact(False)


def test_fingerprints_see_into_nested_tuples_and_lists_alike() -> None:
    # Listings pass (day, items) pairs and lists of them: the same values nested either way
    # are the same page, and a value changed at any depth is another.
    day = date(2024, 5, 6)
    nested = {"days": ((day, ("a", 1)), (day, ("b", 2))), "pager": None}
    as_lists = {"days": [[day, ["a", 1]], [day, ["b", 2]]], "pager": None}
    changed = {"days": ((day, ("a", 1)), (day, ("b", 3))), "pager": None}
    assert fingerprint(nested, {}) == fingerprint(as_lists, {})
    assert fingerprint(nested, {}) != fingerprint(changed, {})
    assert stable_bytes(fingerprint(nested, {})) == stable_bytes(fingerprint(as_lists, {}))
