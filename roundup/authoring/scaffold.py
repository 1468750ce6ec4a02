"""The files of a new roundup site (`roundup init`): settings, an example link, a Pages workflow."""

from __future__ import annotations

import json
import tempfile
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from roundup import __version__
from roundup.authoring import articlefile
from roundup.core import config
from roundup.core.config import SiteConfig
from roundup.core.errors import RoundupError
from roundup.core.model import Provider
from roundup.core.slugs import slugify

DISTRIBUTION = "roundup-ssg"
DEFAULT_TITLE = "My roundup"
DEFAULT_BASE_URL = "http://localhost:8000/"
# What may be in a folder that still counts as empty: a fresh clone of a new repository.
IGNORED_IN_EMPTY = frozenset({".git"})


@dataclass(slots=True)
class Created:
    """What `create` did: files written, and files that were there already and were kept."""

    written: list[Path] = field(default_factory=list)
    kept: list[Path] = field(default_factory=list)
    added: list[tuple[Path, str]] = field(default_factory=list)  # to a file there: what


def site_id_for(title: str) -> str:
    return slugify(title) or "roundup"


def default_title(folder: Path) -> str:
    """The folder's name as the site's title (`ada-links`), when it makes a usable id."""
    name = folder.resolve().name
    return name if slugify(name) else DEFAULT_TITLE


def check_settings(title: str, base_url: str) -> SiteConfig:
    """The settings as `create` will write them, read back by roundup's own config reader;
    raises ConfigError naming each bad key."""
    with tempfile.TemporaryDirectory(prefix="roundup-init-") as scratch:
        path = Path(scratch) / "pyproject.toml"
        path.write_text(SETTINGS_HEADER + settings_table(title, base_url), encoding="utf-8")
        return config.load(path)


def is_empty(folder: Path) -> bool:
    return not folder.exists() or all(p.name in IGNORED_IN_EMPTY for p in folder.iterdir())


def create(folder: Path, title: str, base_url: str, force: bool = False) -> Created:
    """Write a new site into `folder` (made if missing).

    A folder with anything in it (but `.git`) is refused unless `force`; even then nothing is
    overwritten or deleted: files that exist are kept as they are, and only the missing ones
    are written. The settings go into `[tool.roundup]` of `pyproject.toml`; an existing
    pyproject.toml without that table gets it appended, and a `roundup.toml` (the other
    place settings may be) is kept as the site's settings.
    """
    if folder.exists() and not folder.is_dir():
        raise RoundupError(f"{folder} exists and is not a folder")
    if not force and not is_empty(folder):
        raise RoundupError(
            f"{folder} is not empty; choose a new folder, or add --force to add the missing "
            "files (nothing is overwritten)"
        )
    created = Created()
    if (folder / "roundup.toml").is_file():
        # The site's settings are there already: a [tool.roundup] beside them is an error.
        created.kept.append(folder / "roundup.toml")
    else:
        _settings(folder / "pyproject.toml", title, base_url, created)
    files = {
        ".gitignore": GITIGNORE,
        "templates/README.md": TEMPLATES_README,
        ".github/workflows/pages.yml": pages_workflow(),
    }
    for name, text in files.items():
        _write_new(folder / name, text, created)
    _ignore_in_git(folder / ".gitignore", created)
    content = folder / "content"
    if content.is_dir() and any(content.iterdir()):
        created.kept.append(content)
    else:
        created.written.append(articlefile.write(content, example_link(), UTC))
    return created


def _write_new(path: Path, text: str, created: Created) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "x", encoding="utf-8", newline="\n") as file:  # never over a file
            file.write(text)
    except FileExistsError:
        created.kept.append(path)
        return
    except OSError as error:
        raise RoundupError(f"cannot write {path}: {error.strerror}") from None
    created.written.append(path)


def _settings(path: Path, title: str, base_url: str, created: Created) -> None:
    table = settings_table(title, base_url)
    if not path.exists():
        _write_new(path, SETTINGS_HEADER + table, created)
        return
    import tomllib

    try:
        existing = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        raise RoundupError(f"{path}: cannot read it to add [tool.roundup]: {error}") from None
    if "roundup" in existing.get("tool", {}):
        created.kept.append(path)
        return
    _append(path, "\n" + table)
    created.added.append((path, "[tool.roundup]"))


def _ignore_in_git(path: Path, created: Created) -> None:
    """Add the output and cache folders to a .gitignore that was there already (a fresh
    clone's), so that `git add .` commits neither the built site nor the cache's drafts."""
    if path not in created.kept:
        return
    try:
        lines = {line.strip().strip("/") for line in path.read_text("utf-8").splitlines()}
    except (OSError, UnicodeDecodeError):
        return  # not one to edit: `kept` says it was left as it was
    missing = [name for name in IGNORED if name.strip("/") not in lines]
    if not missing:
        return
    _append(path, "\n# roundup's build output and its private state\n" + "\n".join(missing) + "\n")
    created.kept.remove(path)
    created.added.append((path, " and ".join(missing)))


def _append(path: Path, text: str) -> None:
    try:
        with open(path, "a", encoding="utf-8", newline="\n") as file:
            file.write(text)
    except OSError as error:
        raise RoundupError(f"cannot write {path}: {error.strerror}") from None


def _toml_string(text: str) -> str:
    # A JSON string (controls escaped, Unicode kept) is a valid TOML basic string.
    return json.dumps(text, ensure_ascii=False)


SETTINGS_HEADER = """\
# This folder is a roundup site: `roundup build` makes the website from content/.
# The settings are in [tool.roundup] below (this file holds nothing to install);
# every key is listed in the README of roundup-ssg, under "Configuration".

"""


def settings_table(title: str, base_url: str) -> str:
    return f"""\
[tool.roundup]
title = {_toml_string(title)}
description = ""
# The address the site is served from; the GitHub Pages workflow passes the real one.
base_url = {_toml_string(base_url)}
language = "en"
# Days are cut and times shown in this IANA zone (such as "Europe/Berlin").
timezone = "UTC"
author = ""
# The site's identity in feed entry ids: set once; keep it when the title changes.
site_id = {_toml_string(site_id_for(title))}
"""


IGNORED = ("/output/", "/.roundup-cache/")
GITIGNORE = """\
# roundup's build output and its private state
/output/
/.roundup-cache/
# a virtual environment, if roundup is installed into one here
/.venv/
"""

TEMPLATES_README = """\
# Your templates

This folder is empty on purpose: the site uses roundup's default theme. To change a page,
put a file here with the name of the theme's template; every other page keeps the theme's.

- See the theme's files: `python -c "import roundup.render.templating as r; print(r.theme_dir())"`
  prints the folder; copy one file (say `item.html`) here and edit it.
- Change one block and keep the rest: `base.html` here with
  `{% extends "theme/base.html" %}` and a `{% block footer %}...{% endblock %}`.
- Restyle only: `static/custom.css` here is linked after the theme's stylesheet.

The templates, their variables and blocks are described in the README of roundup-ssg,
under "Theme and templates".
"""


def pages_workflow(version: str = __version__) -> str:
    """GitHub Actions: install the released roundup, build for the Pages URL, deploy."""
    return f"""\
# Build this roundup site and publish it to GitHub Pages (written by `roundup init`).
# Repository settings: Pages > Build and deployment > Source must be "GitHub Actions".
name: Pages

on:
  push:
    branches: [main]
  workflow_dispatch:

# Nothing by default; each job asks for only what it needs.
permissions: {{}}

# One deployment at a time; let a running deployment finish rather than cut it off.
concurrency:
  group: pages
  cancel-in-progress: false

jobs:
  build:
    name: Build the site
    runs-on: ubuntu-latest
    timeout-minutes: 15
    permissions:
      contents: read # to check out the repository
      pages: read # for configure-pages to read the site's URL (a private repository needs it)
    outputs:
      base-url: ${{{{ steps.pages.outputs.base_url }}}}
      websub-hub: ${{{{ steps.websub.outputs.hub }}}}
    steps:
      - name: Check out
        uses: actions/checkout@v6
        with:
          persist-credentials: false

      - name: Set up Python
        uses: actions/setup-python@v6
        with:
          python-version: "3.12"
          cache: pip
          # The version of roundup is pinned in this file: its cache changes with it.
          cache-dependency-path: .github/workflows/pages.yml

      - name: Configure Pages
        id: pages
        uses: actions/configure-pages@v6

      # The released roundup this site was made with; raise the version to upgrade.
      - name: Install roundup
        run: python -m pip install "{DISTRIBUTION}=={version}"

      # configure-pages gives the site's URL without a trailing slash
      # (https://owner.github.io/repo); roundup wants the base URL of a folder.
      - name: Build the site
        env:
          BASE_URL: ${{{{ steps.pages.outputs.base_url }}}}
        run: roundup build --base-url "${{BASE_URL%/}}/"

      # Whether the ping job below has a hub to tell (websub_hub in the config).
      - name: Find the WebSub hub
        id: websub
        run: >-
          python -c 'from roundup.core.config import load; print("hub=" + load().websub_hub)'
          >> "$GITHUB_OUTPUT"

      # output/ holds exactly the site (roundup's own state is in .roundup-cache/).
      - name: Upload the site
        uses: actions/upload-pages-artifact@v5
        with:
          path: output/

  deploy:
    name: Deploy to GitHub Pages
    needs: build
    runs-on: ubuntu-latest
    timeout-minutes: 10
    permissions:
      pages: write # to deploy to GitHub Pages
      id-token: write # to prove the deployment comes from this workflow (OIDC)
    environment:
      name: github-pages
      url: ${{{{ steps.deployment.outputs.page_url }}}}
    steps:
      - name: Deploy
        id: deployment
        uses: actions/deploy-pages@v5

  # WebSub: once the new feeds are live, tell the hub which of them changed, so that
  # subscribers' readers fetch them at once. Runs only when the config sets websub_hub.
  ping:
    name: Tell the WebSub hub
    needs: [build, deploy]
    if: needs.build.outputs.websub-hub != ''
    runs-on: ubuntu-latest
    timeout-minutes: 10
    permissions:
      contents: read # to check out the repository
    steps:
      - name: Check out
        uses: actions/checkout@v6
        with:
          persist-credentials: false

      - name: Set up Python
        uses: actions/setup-python@v6
        with:
          python-version: "3.12"
          cache: pip
          cache-dependency-path: .github/workflows/pages.yml

      - name: Install roundup
        run: python -m pip install "{DISTRIBUTION}=={version}"

      # The digests of the feeds the hub was last told of (roundup ping keeps them in
      # .roundup-cache/websub.json): without them every feed counts as changed.
      - name: Restore the record of pings
        uses: actions/cache/restore@v4
        with:
          path: .roundup-cache/websub.json
          key: websub-${{{{ github.run_id }}}}
          restore-keys: websub-

      # The same content and settings give the same bytes as the deployed site.
      - name: Build the site again
        env:
          BASE_URL: ${{{{ needs.build.outputs.base-url }}}}
        run: roundup build --quiet --base-url "${{BASE_URL%/}}/"

      - name: Ping the hub
        run: roundup ping

      # Saved even when a ping failed: the record holds only what the hub accepted.
      - name: Save the record of pings
        if: ${{{{ !cancelled() }}}}
        uses: actions/cache/save@v4
        with:
          path: .roundup-cache/websub.json
          key: websub-${{{{ github.run_id }}}}
"""


def example_link(now: datetime | None = None) -> articlefile.NewArticle:
    """The first link of a new site, dated now, with a comment that says how to add the
    next one: the documentation of GitHub Pages, where the site's workflow publishes it."""
    when = (now or datetime.now(UTC)).astimezone(UTC).replace(microsecond=0)
    return articlefile.NewArticle(
        title="GitHub Pages documentation",
        published_at=when,
        original_url="https://docs.github.com/en/pages",
        excerpt=(
            "How to publish a website straight from a GitHub repository, on github.io or "
            "on a domain of your own."
        ),
        provider=Provider("GitHub Docs", "github.com"),
        topics=("Publishing",),
        type="article",
        comment=EXAMPLE_COMMENT,
    )


EXAMPLE_COMMENT = """\
This is an example link, written by `roundup init`: one file in `content/` per link. Edit
it, delete it, or add the next one with `roundup new URL --topic NAME`, which fills in the
title, excerpt, date and picture from the page.

This site is published that way: `.github/workflows/pages.yml` builds it on every push to
`main`. Your comment on a link goes here, below the frontmatter, in *Markdown*."""
