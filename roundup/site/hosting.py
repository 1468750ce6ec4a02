"""How big the published site is, against what GitHub Pages accepts, and what would shrink it."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

from roundup.core.config import COMMENTED, SiteConfig
from roundup.core.errors import Problem
from roundup.read.loader import display_path
from roundup.site import structure as S
from roundup.state.ownership import INDEX_DIR, Record

# GitHub Pages refuses to publish a site over 1 GB; the build warns from here on, while there
# is room to choose what to do. Read when `size_warnings` runs, so tests can lower it.
WARN_AT = 800_000_000  # bytes


def megabytes(size: int) -> str:
    return f"{size / 1_000_000:,.0f} MB"


def size_warnings(
    config: SiteConfig, records: Mapping[str, Record], items: Sequence[S.Item]
) -> list[Problem]:
    """A warning when the site's files add up to more than `WARN_AT` bytes (counted as
    GitHub Pages counts them: the bytes of every file published), naming the settings that
    would shrink it and by how much. `records`: the output folder's, by path."""
    total = sum(record.size for record in records.values())
    if total <= WARN_AT:
        return []
    sizes = {path: record.size for path, record in records.items()}
    # Pairs, not a dict by item: hashing an item hashes its article's text, which a big site
    # keeps encoded until a page needs it.
    # A link whose comment or coverage is too long for the lists keeps its page anyway.
    pages = [
        (item, sizes.get(S.output_file(item.path), 0))
        for item in items
        if item.has_page and item.article.fits_lists
    ]
    options = []
    if config.item_pages is True:
        pageless = sum(size for item, size in pages if not item.article.has_comment)
        options.append(f'item_pages = "{COMMENTED}" (only links with your comment get a page '
                       f"of their own) makes it about {megabytes(total - pageless)}")  # fmt: skip
    if pages:
        options.append(f"item_pages = false (no link gets one; the lists link the articles) "
                       f"about {megabytes(total - sum(size for _, size in pages))}")  # fmt: skip
    if config.search:
        index = sum(size for path, size in sizes.items() if path.startswith(INDEX_DIR))
        options.append(f"search = false about {megabytes(total - index)}")
    where = display_path(config.source, Path.cwd()) if config.source else "config"
    message = f"the site is {megabytes(total)}, and GitHub Pages refuses sites over 1 GB"
    if options:
        message += "; " + ", ".join(options)
    return [Problem(where, None, "item_pages", message)]
