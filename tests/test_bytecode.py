"""Compiled templates from the cache folder: used while their source is unchanged, only then."""

from __future__ import annotations

from pathlib import Path

import jinja2
import pytest

from roundup.render.bytecode import TemplateCache


def environment(folder: Path, cache: TemplateCache, compiles: list[str]) -> jinja2.Environment:
    class Counting(jinja2.Environment):
        def compile(self, source, name=None, filename=None, raw=False, defer_init=False):
            compiles.append(name)
            return super().compile(source, name, filename, raw, defer_init)

    return Counting(loader=jinja2.FileSystemLoader(str(folder)), bytecode_cache=cache)


CODE = "templates.bin"


def build(folder: Path, state: Path) -> tuple[list[str], str]:
    cache = TemplateCache(state / CODE)
    compiles: list[str] = []
    env = environment(folder / "templates", cache, compiles)
    text = env.get_template("page.html").render(name="x")
    cache.save()
    return compiles, text


def test_templates_compile_once_until_their_source_changes(tmp_path: Path) -> None:
    (tmp_path / "templates").mkdir()
    page = tmp_path / "templates" / "page.html"
    page.write_text("Hello {{ name }}")
    assert build(tmp_path, tmp_path) == (["page.html"], "Hello x")
    assert build(tmp_path, tmp_path) == ([], "Hello x")
    page.write_text("Bye {{ name }}")
    assert build(tmp_path, tmp_path) == (["page.html"], "Bye x")
    assert build(tmp_path, tmp_path) == ([], "Bye x")
    assert (tmp_path / CODE).stat().st_mode & 0o777 == 0o600  # code: its owner's only


def test_compiled_code_others_could_write_is_not_run(tmp_path: Path) -> None:
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates" / "page.html").write_text("Hello {{ name }}")
    build(tmp_path, tmp_path)
    (tmp_path / CODE).chmod(0o666)
    assert build(tmp_path, tmp_path) == (["page.html"], "Hello x")


@pytest.mark.parametrize("data", [b"", b"junk", b"\x00" * 40])
def test_a_damaged_cache_only_costs_compiling_again(tmp_path: Path, data: bytes) -> None:
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates" / "page.html").write_text("Hello {{ name }}")
    (tmp_path / CODE).write_bytes(data)
    (tmp_path / CODE).chmod(0o600)
    assert build(tmp_path, tmp_path) == (["page.html"], "Hello x")
