"""`roundup new URL`: fetch a page's metadata and write it as a new article file."""

from __future__ import annotations

import argparse
from datetime import UTC, date, datetime, time, tzinfo
from pathlib import Path
from typing import TYPE_CHECKING

from roundup.commands.common import (
    add_config_argument,
    check_content_to_write,
    error,
    load_config,
)

if TYPE_CHECKING:
    from roundup.authoring.articlefile import NewArticle
    from roundup.web.fetch import Page
    from roundup.web.metadata import PageMetadata

HELP = "add a link: fetch the page's title, excerpt, date and image into a new article file"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("url", metavar="URL", help="the page to curate (http:// or https://)")
    parser.add_argument(
        "--topic",
        action="append",
        default=[],
        metavar="NAME",
        help="a topic of the link (repeat for several)",
    )
    parser.add_argument("--comment", metavar="TEXT", help="your comment (Markdown), the body")
    parser.add_argument(
        "--title", metavar="T", help="the title to use (also writes the file when the fetch fails)"
    )
    parser.add_argument(
        "--draft", action="store_true", help="write it unpublished (published: false)"
    )
    parser.add_argument(
        "--now",
        action="store_true",
        help="date it now, in today's edition (default: the page's publication time)",
    )
    parser.add_argument("--content", metavar="DIR", help="folder to write into (default content/)")
    add_config_argument(parser)


def run(args: argparse.Namespace) -> int:
    # Imported here: `roundup build` must not pay for an HTTP client and an HTML parser.
    from roundup.authoring import articlefile
    from roundup.authoring.curated import curated, unknown_links_warnings
    from roundup.core.errors import RoundupError
    from roundup.core.links import canonical_link
    from roundup.core.text import one_line
    from roundup.read.loader import display_path
    from roundup.read.schedule import build_time
    from roundup.read.schema import FieldError, check_url
    from roundup.web.fetch import FetchError, fetch
    from roundup.web.metadata import PageMetadata, extract

    config = load_config(args, content_dir=args.content)
    check_content_to_write(config, "new")
    url = args.url.strip()
    if not url:
        raise RoundupError("new: the URL is empty; give the link to add")
    try:  # a link no article may have is refused before anything is fetched or said
        check_url(url)
    except FieldError as failure:  # told on one line, whatever the URL holds
        raise RoundupError(f"{one_line(url)}: {failure.message}") from None
    page: Page | None = None
    try:
        page = fetch(url)
    except FetchError as failure:
        if not args.title:
            raise
        error(f"warning: {failure}; writing the file from the command line alone")
    meta = extract(page.text, page.final_url) if page else PageMetadata()
    try:
        article = _article(args, url, page, meta)
    except ValueError as failure:
        raise RoundupError(f"{url}: {failure}") from None
    cwd = Path.cwd()
    slugs: set[str] = set()
    if config.content_dir.is_dir():
        links, slugs, unreadable = curated(config.content_dir)
        shown = display_path(config.content_dir, cwd)
        for line in unknown_links_warnings(shown, unreadable):
            error(line)
        asked = {url, article.url, *((page.final_url,) if page else ())}
        earlier = sorted({s for u in asked for s in links.get(canonical_link(u), ())})
        for source in earlier:
            where = display_path(config.content_dir / source, cwd)
            error(f"warning: {where}: the same link is already curated there")
    path = articlefile.write(config.content_dir, article, config.zone, slugs)
    print(display_path(path, cwd))
    stated = _moment(meta.published_at, config.zone) if meta.published_at else None
    now = build_time()
    if stated is not None and not args.now and _older(stated, now):
        # Said, as it surprises: a link added today belongs to the page's day, not today's.
        day = stated.astimezone(config.zone).date().isoformat()
        error(
            f"roundup: dated {day}, the page's publication time: it is listed on that day, "
            "not today, and a feed may already have newer entries; --now dates it now"
        )
    elif stated is not None and not args.now and stated > now:
        # The page's clock or time zone is wrong, most likely: unsaid, the link went missing
        # from the site (held back until then) without a word until the next build.
        when = stated.astimezone(config.zone).isoformat(" ", "minutes")
        error(
            f"warning: dated {when}, the page's publication time, which is still to come: the "
            "link is held back until then; --now dates it now"
        )
    return 0


def _moment(stated: datetime | date, zone: tzinfo) -> datetime:
    """A page's date as a moment: a day alone starts at midnight, in the site's zone as a
    time without an offset is (as the article file will read them)."""
    if not isinstance(stated, datetime):
        stated = datetime.combine(stated, time())
    return stated if stated.tzinfo else stated.replace(tzinfo=zone)


def _older(published: datetime, now: datetime) -> bool:
    """Whether a page came out well before today (more than a day and a half ago)."""
    return (now - published).total_seconds() > 36 * 3600


def _article(
    args: argparse.Namespace, url: str, page: Page | None, meta: PageMetadata
) -> NewArticle:
    """The new file's fields: the page's metadata, the flags over it."""
    from roundup.authoring.articlefile import NewArticle
    from roundup.core.errors import RoundupError
    from roundup.core.links import canonical_link, clean_url, registrable_domain, strip_tracking
    from roundup.core.model import Provider

    title = args.title or meta.title
    if not title:
        raise RoundupError(f"{url}: the page has no title; give one with --title")
    # The URL as given (no page fetched) is written as a fetched one is: percent-encoded.
    final = strip_tracking(page.final_url if page else clean_url(url))
    original = strip_tracking(meta.canonical_url) if meta.canonical_url else final
    # The address the page was fetched from is kept too when it is another link than the
    # page's canonical one (a mirror, an AMP page, a redirect's destination).
    web = final if canonical_link(final) != canonical_link(original) else None
    domain = registrable_domain(original)
    return NewArticle(
        title=title,
        published_at=(None if args.now else meta.published_at)
        or datetime.now(UTC).replace(microsecond=0),
        original_url=original,
        web_url=web,
        excerpt=meta.excerpt or "",
        provider=Provider(meta.site_name or domain, domain),
        topics=tuple(args.topic),
        images=meta.images[:1],
        published=not args.draft,
        type=meta.type,
        comment=args.comment or "",
    )
