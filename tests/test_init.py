"""`roundup init`: a new site that builds at once, never written over anything, and its workflow."""

from __future__ import annotations

import subprocess
import sys
import tomllib
from datetime import UTC, datetime
from pathlib import Path

import feedparser
import pytest
import yaml

from roundup import __version__
from roundup.authoring.scaffold import pages_workflow
from roundup.cli import main
from roundup.core import config
from roundup.read.content import parse_file

from checkers import REPO_ROOT, TOOLS_DIR, actionlint_command, output_of, program, run, venv_tool
from conftest import files_of, parse_html

SITE_FILES = [".github/workflows/pages.yml", ".gitignore", "pyproject.toml", "templates/README.md"]


def init(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["init", *args])
    out, err = capsys.readouterr()
    return code, out, err


def site_files(folder: Path) -> list[str]:
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file())


def test_a_new_site(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    before = datetime.now(UTC).replace(microsecond=0)
    code, out, err = init(capsys, "ada-links", "--title", "Ada's links", "--base-url",
                          "https://ada.example/links")  # fmt: skip
    assert (code, err) == (0, "")
    site = tmp_path / "ada-links"
    [example] = (site / "content").iterdir()
    assert site_files(site) == sorted([*SITE_FILES, f"content/{example.name}"])
    assert out.splitlines() == [
        "roundup: wrote ada-links/pyproject.toml",
        "roundup: wrote ada-links/.gitignore",
        "roundup: wrote ada-links/templates/README.md",
        "roundup: wrote ada-links/.github/workflows/pages.yml",
        f"roundup: wrote ada-links/content/{example.name}",
        "roundup: a new site in ada-links/; next: cd ada-links && roundup build && roundup serve",
    ]
    settings = tomllib.loads((site / "pyproject.toml").read_text(encoding="utf-8"))
    assert "project" not in settings and "build-system" not in settings
    loaded = config.load(site / "pyproject.toml")
    assert (loaded.title, loaded.base_url, loaded.site_id, loaded.timezone) == (
        "Ada's links",
        "https://ada.example/links/",
        "ada-s-links",
        "UTC",
    )
    parsed = parse_file(example, example.name, UTC)
    assert parsed.errors == [] and parsed.warnings == []
    assert parsed.article is not None and parsed.article.published
    assert before <= parsed.article.published_at <= datetime.now(UTC)
    day = f"{parsed.article.published_at:%Y-%m-%d}"
    assert example.name == f"{day}-github-pages-documentation.md"
    assert "roundup new URL" in parsed.article.comment_html
    ignored = (site / ".gitignore").read_text(encoding="utf-8").split()
    assert "/output/" in ignored and "/.roundup-cache/" in ignored


def test_init_then_build_with_no_other_step(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    assert init(capsys, "--title", "Links of the week")[0] == 0
    assert main(["build"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("roundup: 1 item shown, 0 unpublished skipped;")
    home = parse_html(tmp_path / "output" / "index.html")
    assert home.findtext(".//title") == "Links of the week"
    [link] = home.xpath("//a[@href='https://docs.github.com/en/pages']")
    assert link.text_content().strip() == "GitHub Pages documentation"
    feed = feedparser.parse((tmp_path / "output" / "feed.xml").read_bytes())
    assert [entry.link for entry in feed.entries] == ["https://docs.github.com/en/pages"]
    assert feed.entries[0].id.startswith("tag:links-of-the-week,")
    assert (tmp_path / "output" / "topics" / "publishing" / "index.html").is_file()


def test_as_commands(tmp_path: Path) -> None:
    def roundup(*args: str, cwd: Path = tmp_path) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "roundup", *args],
            cwd=cwd,
            capture_output=True,
            text=True,
            timeout=120,
        )

    made = roundup("init", "site")
    assert made.returncode == 0, made.stderr
    built = roundup("build", cwd=tmp_path / "site")
    assert built.returncode == 0 and built.stderr == "", built.stderr
    assert parse_html(tmp_path / "site" / "output" / "index.html").findtext(".//title") == "site"
    checked = roundup("check", cwd=tmp_path / "site")
    assert (checked.returncode, checked.stdout) == (0, "roundup: 1 article valid\n")


def test_the_title_defaults_to_the_folders_name(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    assert init(capsys, "weekly-links")[0] == 0
    assert config.load(tmp_path / "weekly-links" / "pyproject.toml").title == "weekly-links"
    assert init(capsys, "日本")[0] == 0
    japanese = config.load(tmp_path / "日本" / "pyproject.toml")
    assert (japanese.title, japanese.site_id) == ("日本", "ri-ben")
    assert init(capsys, "🎉")[0] == 0
    party = config.load(tmp_path / "🎉" / "pyproject.toml")
    assert (party.title, party.site_id) == ("My roundup", "my-roundup")


def test_a_folder_with_files_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "notes.txt").write_text("mine", encoding="utf-8")
    code, out, err = init(capsys)
    assert (code, out) == (1, "")
    assert err == (
        "roundup: . is not empty; choose a new folder, or add --force to add the missing files "
        "(nothing is overwritten)\n"
    )
    assert site_files(tmp_path) == ["notes.txt"]


def test_a_fresh_clone_counts_as_empty(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / ".git").mkdir()
    (tmp_path / ".git" / "HEAD").write_text("ref: refs/heads/main\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    code, out, _ = init(capsys)
    assert code == 0
    assert out.splitlines()[-1] == "roundup: a new site in ./; next: roundup build && roundup serve"


def test_force_writes_only_what_is_missing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "pyproject.toml").write_text(
        '[project]\nname = "tools"\nversion = "1"\n', encoding="utf-8"
    )
    (tmp_path / ".gitignore").write_text("*.pyc\n", encoding="utf-8")
    (tmp_path / "content").mkdir()
    (tmp_path / "content" / "mine.md").write_text("my own link", encoding="utf-8")
    code, out, err = init(capsys, "--force", "--title", "Tools")
    assert code == 0
    assert err.splitlines() == ["roundup: kept content as it was"]
    assert out.splitlines()[:4] == [
        "roundup: wrote templates/README.md",
        "roundup: wrote .github/workflows/pages.yml",
        "roundup: added [tool.roundup] to pyproject.toml",
        "roundup: added /output/ and /.roundup-cache/ to .gitignore",
    ]
    # A fresh clone's .gitignore kept, with the two folders no commit should hold.
    assert (tmp_path / ".gitignore").read_text(encoding="utf-8") == (
        "*.pyc\n\n# roundup's build output and its private state\n/output/\n/.roundup-cache/\n"
    )
    assert (tmp_path / "content" / "mine.md").read_text(encoding="utf-8") == "my own link"
    project = tomllib.loads((tmp_path / "pyproject.toml").read_text(encoding="utf-8"))
    assert project["project"] == {"name": "tools", "version": "1"}  # kept, and the table added
    assert project["tool"]["roundup"]["title"] == "Tools"
    before = files_of(tmp_path)
    code, out, err = init(capsys, "--force")
    assert code == 0 and files_of(tmp_path) == before
    assert out == "roundup: ./ has every file of a site already; nothing was written\n"


def test_force_beside_a_roundup_toml_keeps_it_as_the_settings(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # A [tool.roundup] written beside it made the very next build fail (two settings files).
    monkeypatch.chdir(tmp_path)
    (tmp_path / "roundup.toml").write_text('title = "From roundup.toml"\n', encoding="utf-8")
    code, _, err = init(capsys, "--force")
    assert code == 0 and "roundup: kept roundup.toml as it was" in err.splitlines()
    assert not (tmp_path / "pyproject.toml").exists()
    assert main(["build", "-q"]) == 0
    assert (
        parse_html(tmp_path / "output" / "index.html")
        .findtext(".//title")
        .strip()
        .endswith("From roundup.toml")
    )


@pytest.mark.parametrize(
    ("flags", "message"),
    [
        (
            ["--base-url", "ftp://x.example/"],
            "--base-url: 'ftp://x.example/' must be an absolute http:// or https://",
        ),
        (["--title", ""], "--title: must not be empty; write the site's name"),
        (["--title", "   "], "--title: must not be empty; write the site's name"),
        (["--title", "bell\x07"], "--title: contains control characters"),
    ],
)
def test_bad_flags_write_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], flags: list[str], message: str
) -> None:
    code, out, err = init(capsys, str(tmp_path / "new"), *flags)
    assert (code, out) == (1, "")
    assert err.startswith(message)
    assert not (tmp_path / "new").exists()


# --- the generated GitHub Pages workflow -----------------------------------------------------


@pytest.fixture(scope="module")
def workflow_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    site = tmp_path_factory.mktemp("workflow-site")
    workflows = site / ".github" / "workflows"
    workflows.mkdir(parents=True)
    (workflows / "pages.yml").write_text(pages_workflow(), encoding="utf-8")
    return site


def test_the_workflow_passes_actionlint(workflow_site: Path) -> None:
    result = run(
        [*actionlint_command(), ".github/workflows/*.yml"],
        cwd=workflow_site,
        env={"FORCE_COLOR": "0", "NO_COLOR": "1"},
    )
    assert result.returncode == 0, output_of(result)
    assert "Checking 1 workflow file(s)" in result.stdout, output_of(result)


def test_the_workflow_passes_zizmor(workflow_site: Path) -> None:
    zizmor = venv_tool("zizmor")
    result = run(
        [zizmor, "--offline", "--config", TOOLS_DIR / "zizmor.yml", "--no-progress", "--color",
         "never", workflow_site / ".github" / "workflows" / "pages.yml"],
        cwd=workflow_site,
    )  # fmt: skip
    assert result.returncode == 0, output_of(result)
    assert "No findings to report" in result.stdout, output_of(result)


def test_the_workflow_matches_the_schema(workflow_site: Path) -> None:
    check = venv_tool("check-jsonschema")
    path = workflow_site / ".github" / "workflows" / "pages.yml"
    result = run([check, "--builtin-schema", "vendor.github-workflows", path])
    assert result.returncode == 0, output_of(result)


def load_workflow(text: str) -> dict:
    data = yaml.safe_load(text)
    data["on"] = data.pop(True)  # PyYAML reads the key `on` as the boolean True
    return data


def test_the_workflow_installs_this_release_and_otherwise_matches_roundups_own() -> None:
    ours = load_workflow(pages_workflow())
    install = [s for s in ours["jobs"]["build"]["steps"] if s.get("name") == "Install roundup"]
    assert install[0]["run"] == f'python -m pip install "roundup-ssg=={__version__}"'
    assert "pip install ." not in pages_workflow()
    # Everything else as in the workflow that deploys roundup's own site (and that
    # tests/test_workflows.py checks in detail), so improvements there are not forgotten here.
    own = load_workflow((REPO_ROOT / ".github" / "workflows" / "pages.yml").read_text("utf-8"))
    for workflow in (ours, own):
        for job in workflow["jobs"].values():
            for step in job["steps"]:
                if step.get("name") == "Install roundup":
                    step["run"] = "(install)"
                step.get("with", {}).pop("cache-dependency-path", None)
    assert ours == own


def test_the_build_step_gets_one_trailing_slash(tmp_path: Path) -> None:
    build = load_workflow(pages_workflow())["jobs"]["build"]
    [step] = [s for s in build["steps"] if "roundup build" in s.get("run", "")]
    fake = tmp_path / "roundup"
    fake.write_text('#!/bin/sh\nprintf "%s\\n" "$@"\n', encoding="utf-8")
    fake.chmod(0o755)
    result = subprocess.run(
        [program("bash"), "-e", "-c", step["run"]],
        env={"PATH": f"{tmp_path}:/usr/bin:/bin", "BASE_URL": "https://ada.github.io/links"},
        capture_output=True,
        text=True,
        check=True,
        timeout=30,
    )
    assert result.stdout.splitlines() == ["build", "--base-url", "https://ada.github.io/links/"]
