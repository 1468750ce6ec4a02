"""Shared test helpers: building the fixture and bundled sites into temporary folders."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from lxml import html as lxml_html

from roundup import config as config_module
from roundup.build import BuildResult, build

ROOT = Path(__file__).resolve().parent.parent
FIXTURE = ROOT / "tests" / "fixtures" / "site"

Builder = Callable[..., tuple[Path, BuildResult]]


@pytest.fixture
def fixture_site(tmp_path: Path) -> Path:
    """A private copy of the fixture site (config + content), safe to modify."""
    site = tmp_path / "site"
    shutil.copytree(FIXTURE, site)
    return site


def build_folder(
    site: Path, output: Path, preview: bool = False, **overrides: object
) -> tuple[Path, BuildResult]:
    """Build `site` (a folder with pyproject.toml and content/) into `output`."""
    config_file = site / "pyproject.toml"
    settings = {"output_dir": str(output), **overrides}
    config = config_module.load(config_file if config_file.exists() else None, settings, site)
    return output, build(config, preview=preview)


@pytest.fixture
def build_fixture(fixture_site: Path, tmp_path: Path) -> Builder:
    def run(preview: bool = False, output: str = "out", **overrides: object):
        return build_folder(fixture_site, tmp_path / output, preview, **overrides)

    return run


def parse_html(path: Path) -> lxml_html.HtmlElement:
    return lxml_html.fromstring(path.read_bytes())


def files_of(folder: Path) -> dict[str, bytes]:
    """Every file below `folder` (roundup's own state folder excluded) with its bytes.

    Pagefind writes a search shard's filters in an arbitrary order: into its filter/ chunks, the
    .pf_meta file listing them and the hash in pagefind-entry.json that names that file. Those
    are left out (the entry without its hash), so builds compare by what they must share; each
    page's filters are in its fragment, which is compared.
    """
    files = {}
    for p in sorted(folder.rglob("*")):
        name = p.relative_to(folder).as_posix()
        if not p.is_file() or ".roundup" in p.relative_to(folder).parts:
            continue
        if name.startswith("pagefind/") and ("/filter/" in name or name.endswith(".pf_meta")):
            continue
        data = p.read_bytes()
        if name.startswith("pagefind/") and name.endswith("/pagefind-entry.json"):
            entry = json.loads(data)
            for language in entry["languages"].values():
                language.pop("hash")
            data = json.dumps(entry, sort_keys=True).encode()
        files[name] = data
    return files
