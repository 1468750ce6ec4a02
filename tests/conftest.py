"""Shared test helpers: building the fixture and example sites into temporary folders."""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from lxml import html as lxml_html

from roundup.build.pipeline import build
from roundup.build.quick import Memory
from roundup.build.result import BuildResult
from roundup.cli import main
from roundup.core import config as config_module

ROOT = Path(__file__).resolve().parent.parent
FIXTURE = ROOT / "tests" / "fixtures" / "site"
# A copy of the example site: tests never read content/, which a site of its own replaces.
SHOWCASE = ROOT / "tests" / "fixtures" / "showcase"

Builder = Callable[..., tuple[Path, BuildResult]]

# The repository's own content/ is the example site: a curator's site replaces it, and the
# tests must stay green there. Every file or folder opened in this process is watched, and a
# test session that read anything in content/ fails (see `_content_stays_unread`).
_CONTENT = os.path.join(ROOT, "content")
_content_reads: list[str] = []
_listing_repository = False  # the session's own look for files left behind is no test's read


def _watch_content(event: str, args: tuple) -> None:
    if _listing_repository or event not in ("open", "os.scandir", "os.listdir") or not args:
        return
    path = args[0]
    if isinstance(path, str | bytes | os.PathLike) and not isinstance(path, int):
        path = os.path.abspath(os.fsdecode(path))
        if path == _CONTENT or path.startswith(_CONTENT + os.sep):
            _content_reads.append(path)


sys.addaudithook(_watch_content)


@pytest.fixture(autouse=True, scope="session")
def _content_stays_unread() -> Iterator[None]:
    yield
    assert not _content_reads, f"tests read the repository's content/: {_content_reads[:5]}"


# Folders of the repository that tools write (caches, the virtual environment), and so the
# only ones a test session may add to: every build, every command, writes elsewhere.
# (.ci/run installs the newest versions' venv and the checkers while the lowest versions'
# suite runs in .venv-lowest: those installs must not count as a test's doing.)
_TOOL_FOLDERS = frozenset(
    {".git", "__pycache__", ".pytest_cache", ".hypothesis", ".mypy_cache", ".ruff_cache",
     ".grimp_cache", ".import_linter_cache", "build", "dist", "node_modules"}
)  # fmt: skip


def _repository_files() -> set[str]:
    global _listing_repository
    found: set[str] = set()
    _listing_repository = True
    try:
        for folder, folders, files in os.walk(ROOT):
            kept = [
                f
                for f in folders
                if f not in _TOOL_FOLDERS
                and not f.startswith(".venv")
                and not f.endswith(".egg-info")
            ]
            folders[:] = kept
            found.update(os.path.join(folder, name) for name in (*kept, *files))
    finally:
        _listing_repository = False
    return found


def pytest_sessionstart(session: pytest.Session) -> None:
    session.config.stash[_BEFORE] = _repository_files()


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """Fail a session that left a file in the repository (a cache beside a fixture site, an
    output folder): tests, like roundup, write only where they are told to. Checked once, by
    the process that started the session, after every worker has finished."""
    if hasattr(session.config, "workerinput"):
        return
    added = sorted(_repository_files() - session.config.stash.get(_BEFORE, set()))
    if added:
        shown = ", ".join(os.path.relpath(path, ROOT) for path in added[:5])
        session.config.get_terminal_writer().line(
            f"tests left {len(added)} new file(s) in the repository: {shown}", red=True
        )
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


_BEFORE = pytest.StashKey[set[str]]()


@pytest.fixture
def fixture_site(tmp_path: Path) -> Path:
    """A private copy of the fixture site (config + content), safe to modify."""
    site = tmp_path / "site"
    shutil.copytree(FIXTURE, site)
    return site


def build_folder(
    site: Path,
    output: Path,
    preview: bool = False,
    memory: Memory | None = None,
    interrupted: Callable[[], bool] | None = None,
    **overrides: object,
) -> tuple[Path, BuildResult]:
    """Build `site` (a folder with pyproject.toml and content/) into `output`."""
    config_file = site / "pyproject.toml"
    settings = {"output_dir": str(output), **overrides}
    if site.resolve().is_relative_to(ROOT):  # a fixture folder: its cache goes beside the output
        settings.setdefault("cache_dir", str(output.with_name(output.name + ".cache")))
    config = config_module.load(config_file if config_file.exists() else None, settings, site)
    return output, build(config, preview=preview, memory=memory, interrupted=interrupted)


@pytest.fixture
def build_fixture(fixture_site: Path, tmp_path: Path) -> Builder:
    def run(preview: bool = False, output: str = "out", **overrides: object):
        return build_folder(fixture_site, tmp_path / output, preview, **overrides)

    return run


def parse_html(path: Path) -> lxml_html.HtmlElement:
    return lxml_html.fromstring(path.read_bytes())


def files_of(folder: Path) -> dict[str, bytes]:
    """Every file below `folder`, hidden ones included, with its bytes."""
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


@dataclass(frozen=True)
class Ran:
    """What one `roundup` command did: its exit status and what it printed."""

    code: int
    out: str
    err: str

    @property
    def lines(self) -> list[str]:
        """The lines printed to stderr (problems, warnings, the closing line)."""
        return self.err.splitlines()


CLI = Callable[..., Ran]


@pytest.fixture
def cli(tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> CLI:
    """Run `roundup ARGS` in-process from a folder (the test's own by default), as a user would
    from a shell there."""

    def run(*args: str, cwd: Path = tmp_path) -> Ran:
        monkeypatch.chdir(cwd)
        capsys.readouterr()
        try:
            code = main(list(args))
        except SystemExit as exit:  # argparse: usage errors and --help
            code = exit.code if isinstance(exit.code, int) else 1
        out, err = capsys.readouterr()
        return Ran(code, out, err)

    return run


def write_article(folder: Path, name: str, front: str, body: str = "") -> Path:
    """An article file `name` in `folder` with this frontmatter (between --- lines)."""
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"---\n{front.strip()}\n---\n{body}", encoding="utf-8")
    return path
