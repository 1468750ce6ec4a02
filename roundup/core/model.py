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


# A listing shows a comment whole up to this size (of its HTML, and in elements); a longer
# one shows its first paragraphs within it and links to the item's page for the rest. Most
# comments are a few sentences; without a bound, one essay could make a page of a day or a
# topic heavier than the light-page limits (tests/test_pages.py).
COMMENT_CHARS = 1_200
COMMENT_ELEMENTS = 12
# Coverage links a listing shows of a link with a page of its own (the rest are counted).
LISTED_RELATED = 3


def elements(fragment: str) -> int:
    """How many elements an HTML fragment of the sanitiser's holds."""
    return fragment.count("<") - fragment.count("</")


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
    # `publishedDateTime` gave a day and no time of day (2026-08-04): pages show no time.
    date_only: bool = False
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
    def fits_lists(self) -> bool:
        """Whether a listing can show all of the link's comment and coverage: known without
        reading them (see `stored`). A link that does not fit gets a page of its own whatever
        `item_pages` says: shown whole on every list, 50 essays made a page of a day or a
        topic megabytes heavy, and a page showing less would lose the rest."""
        comment = self.comment_html
        if len(comment) > COMMENT_CHARS or elements(comment) > COMMENT_ELEMENTS:
            return False
        return sum(1 for r in self.related if r.url) <= LISTED_RELATED

    @property
    def image(self) -> Image | None:
        """The first image, which listings and item pages show."""
        return self.images[0] if self.images else None
