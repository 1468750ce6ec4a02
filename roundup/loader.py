"""Load every article of the content folder, gathering all problems before failing once."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field, replace
from pathlib import Path

from roundup.config import SiteConfig
from roundup.content import check_collection, find_files, parse_file
from roundup.errors import ContentError, Problem
from roundup.model import Article

log = logging.getLogger(__name__)


@dataclass(slots=True)
class Loaded:
    """The valid articles of a build and the warnings met while reading them."""

    articles: list[Article]
    warnings: list[Problem] = field(default_factory=list)
    files: int = 0


def load_articles(config: SiteConfig) -> Loaded:
    """Read and validate every article file; raise one ContentError listing every problem."""
    content_dir = config.content_dir
    if not content_dir.is_dir():
        raise ContentError([Problem(str(content_dir), None, "", "content folder not found")])
    warnings: list[Problem] = []
    errors: list[Problem] = []
    articles: list[Article] = []
    zone = config.zone
    paths = list(find_files(content_dir, warnings))
    for path in paths:
        source = path.relative_to(content_dir).as_posix()
        parsed = parse_file(path, source, zone)
        errors.extend(parsed.errors)
        warnings.extend(parsed.warnings)
        if parsed.article is not None:
            articles.append(parsed.article)
    collection_errors, collection_warnings = check_collection(articles)
    errors.extend(collection_errors)
    warnings.extend(collection_warnings)
    prefix = display_path(content_dir, Path.cwd()) + "/"
    if errors:
        raise ContentError(_ordered(errors, prefix))
    return Loaded(articles, _ordered(warnings, prefix), len(paths))


def _ordered(problems: list[Problem], prefix: str) -> list[Problem]:
    """Sorted by file and line, each path shown from where the user ran roundup."""
    ordered = sorted(problems, key=lambda p: (p.path, p.line or 0, p.field))
    return [replace(p, path=prefix + p.path) for p in ordered]


def display_path(path: Path, base: Path) -> str:
    """The path as the user would type it: relative to `base` when inside it."""
    try:
        return path.resolve().relative_to(base.resolve()).as_posix()
    except ValueError:
        return str(path)
