"""The article as roundup understands it: typed, frozen records with no I/O."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


@dataclass(frozen=True, slots=True)
class Provider:
    """Who published the linked page."""

    name: str
    domain: str


@dataclass(frozen=True, slots=True)
class Image:
    """A picture of the linked page; sizes are optional in the source."""

    url: str
    width: int | None = None
    height: int | None = None
    is_cached: bool = False


@dataclass(frozen=True, slots=True)
class Related:
    """Other coverage of the same story, nested in an article."""

    title: str
    url: str | None
    excerpt: str = ""
    published_at: datetime | None = None
    provider: Provider | None = None
    type: str | None = None
    quality: int | float | None = None
    images: tuple[Image, ...] = ()


@dataclass(frozen=True, slots=True)
class Article:
    """One curated link, validated and normalised from one content file."""

    source: str  # path relative to the content folder, POSIX separators
    slug: str
    title: str
    published_at: datetime  # always timezone-aware
    url: str  # the outbound link: originalUrl, else webUrl
    original_url: str | None = None
    web_url: str | None = None
    excerpt: str = ""
    comment_html: str = ""  # the Markdown body, rendered and sanitised
    provider: Provider | None = None
    topics: tuple[str, ...] = ()
    images: tuple[Image, ...] = ()
    related: tuple[Related, ...] = ()
    quality: int | float | None = None
    heat: int | float | None = None
    published: bool = True
    category: str | None = None
    type: str | None = None
    entry_id: str | None = None  # the `id:` field: pins the feed entry id (see entryids.py)
    curator: str | None = None  # who chose the link, when not the site's author
    # Unknown frontmatter fields (such as `secured`), carried but never rendered.
    extra: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)
    # Hash of the source bytes; changes whenever anything in the file changes.
    digest: str = ""
    # Lines of some fields in the file, for problems found between files (shared slugs, links).
    lines: dict[str, int | None] = field(default_factory=dict, compare=False, hash=False)

    @property
    def has_comment(self) -> bool:
        """Whether the curator wrote a comment: known without reading it (see `stored`)."""
        return bool(self.comment_html)

    @property
    def image(self) -> Image | None:
        """The first image, which listings and item pages show."""
        return self.images[0] if self.images else None
