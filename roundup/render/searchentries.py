"""What the search index reads of a link without a page of its own: the element an item page
would give it, leading to the link's entry in its day's edition."""

from __future__ import annotations

import hashlib
from html import escape

from roundup.site import paging
from roundup.site import structure as S

ANCHOR = "link-"  # an entry's id in listings is this and the item's slug (see _macros.html)


class PagelessEntries:
    """The searched elements of the site's links that have no page (see `item_pages`)."""

    def __init__(self, site: S.Site) -> None:
        self.config = site.config
        # Where each such link is listed: the page of its day's edition that shows it.
        self.listed: dict[str, str] = {}
        if all(item.has_page for item in site.items):
            return
        per_page = site.config.items_per_page
        for edition in site.editions:
            for number, part in enumerate(paging.edition_pages(edition, per_page), 1):
                for item in part.items:
                    if not item.has_page:
                        # The edition's own path: a week's ("2024/w19/"), not its first day's.
                        where = edition.path + S.page_suffix(number)
                        self.listed[item.article.source] = where

    def url(self, item: S.Item) -> str:
        """Where a search result for the link leads: its entry on its edition's page."""
        return f"{self.config.base_path}{self.listed[item.article.source]}#{ANCHOR}{item.slug}"

    def key(self, item: S.Item) -> str:
        """Changes whenever `page(item)` would: the article's bytes, its topics, where it is
        listed, and the settings the element shows."""
        topics = "\0".join(f"{t.name}\0{t.slug}" for t in item.topics)
        parts = (item.article.digest, item.slug, self.url(item), topics, self.config.language)
        return hashlib.blake2b("\0".join(parts).encode(), digest_size=16).hexdigest()

    def page(self, item: S.Item) -> bytes:
        """The element Pagefind indexes, as `search.searched` cuts it out of an item page: the
        title linking the article, the topics, the excerpt and the comment, with the same
        filters and metadata, and the result's URL set to the link's entry."""
        a = item.article
        base = self.config.base_path
        topics = "".join(
            f'<li><a href="{escape(base + S.topic_path(t))}">{escape(t.name)}</a></li>'
            for t in item.topics
        )
        parts = [
            f'<!doctype html><html lang="{escape(self.config.language)}"><head>'
            '<meta charset="utf-8"></head><body>',
            f'<div data-pagefind-body data-pagefind-filter="year:{item.day.year}">',
            f'<div data-pagefind-meta="url:{escape(self.url(item))}">',
            f'<header data-pagefind-meta="provider:{escape(item.provider_name)}">',
            f'<h1><a href="{escape(a.url)}" data-pagefind-meta="link[href], '
            f'domain:{escape(item.domain)}">{escape(a.title)}</a></h1>',
            f'<ul class="topics">{topics}</ul>' if topics else "",
            "</header>",
            f"<blockquote><p>{escape(a.excerpt)}</p></blockquote>" if a.excerpt else "",
            a.comment_html,  # sanitised when the content was read
            "</div></div></body></html>\n",
        ]
        return "".join(parts).encode("utf-8")
