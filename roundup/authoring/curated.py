"""Which links and slugs the content folder already holds, read cheaply: for "already curated"
warnings, and for names of new files that take no item's page."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from roundup.core.links import canonical_link
from roundup.read.content import derived_slug
from roundup.read.filetext import FileProblem, decode, split_frontmatter
from roundup.read.loader import scan

# A top-level `originalUrl:` or `webUrl:` line of the frontmatter; nested ones (related
# coverage) are indented and are not the article's own link.
_LINK_LINE = re.compile(r"^(?:originalUrl|webUrl)[ \t]*:[ \t]*(\S.*?)[ \t]*$", re.M)
_SLUG_LINE = re.compile(r"^slug[ \t]*:[ \t]*(\S.*?)[ \t]*$", re.M)
# A double-quoted scalar without escapes, or a single-quoted one without quotes inside.
_SIMPLE_QUOTED = re.compile(r'"[^"\\]*"|\'[^\']*\'')


def curated_links(content_dir: Path) -> dict[str, list[str]]:
    """Every article file's own links (`originalUrl`, `webUrl`), by `canonical_link`, each
    with the files (relative to the folder, in the build's order) that curate it."""
    return curated(content_dir)[0]


def curated(content_dir: Path) -> tuple[dict[str, list[str]], set[str], list[str]]:
    """`curated_links`, and every slug the folder's files take: from their names (in any
    sub-folder) and their `slug:` fields. A new file whose name gives one of them would move
    an item already published to another URL (the build tells two alike apart).

    Reads only the frontmatter lines of these fields, far faster than validating every file:
    30,000 files take well under a second. Broken files are skipped (the build reports them);
    so is a value written in YAML flow style (`{webUrl: ...}`). Files and folders that cannot
    be read are skipped too, and returned last ("path: why"): the links in them are not known,
    and an import would curate them again.
    """
    found: dict[str, list[str]] = {}
    slugs: set[str] = set()
    scanned = scan(content_dir)
    unreadable = [f"{problem.path}: {problem.message}" for problem in scanned.errors]
    for source, _ in scanned.files:
        slugs.add(derived_slug(source))
        try:
            text = decode((content_dir / source).read_bytes())
            front = split_frontmatter(text)[0]
        except OSError as error:
            unreadable.append(f"{source}: cannot read file: {error.strerror or error}")
            continue
        except FileProblem:
            continue
        links = {canonical_link(url) for url in map(_scalar, _LINK_LINE.findall(front)) if url}
        for link in links:
            found.setdefault(link, []).append(source)
        slugs.update(slug for slug in map(_scalar, _SLUG_LINE.findall(front)) if slug)
    return found, slugs, unreadable


def unknown_links_warnings(content: str, unreadable: list[str]) -> list[str]:
    """The warnings for what `curated` could not read (`content`: the folder as shown)."""
    return [f"warning: {content}/{line}; the links in it are not known" for line in unreadable]


def _scalar(written: str) -> str | None:
    """The text of a one-line YAML scalar: quoted or plain (with a trailing comment)."""
    if _SIMPLE_QUOTED.fullmatch(written):
        # What roundup writes (`"https://…"`): YAML reads it as the text between the quotes,
        # and skipping PyYAML's scanner makes reading 50,000 files four times faster.
        return written[1:-1]
    if written[0] not in "\"'":
        written = written.split(" #", 1)[0]
    try:
        value = yaml.safe_load(written)
    except yaml.YAMLError:
        return None
    return value if isinstance(value, str) else None
