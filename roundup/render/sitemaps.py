"""Sitemaps (sitemaps.org 0.9): one `sitemap.xml`, or past the protocol's limits an index of
`sitemap-N.xml` files."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from html import escape

# The protocol's limits for one file, an index included: 50,000 URLs and 50 MB (52,428,800
# bytes) uncompressed. Read when `plan` runs, so tests can lower them.
MAX_URLS = 50_000
MAX_BYTES = 52_428_800
MAX_SITEMAPS = 50_000  # in one index: 2.5 billion pages, which no site roundup builds nears
INDEX = "sitemap.xml"  # robots.txt names it, whether it lists pages or sitemaps

_NAMESPACE = "http://www.sitemaps.org/schemas/sitemap/0.9"
_HEAD = f'<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="{_NAMESPACE}">\n'
_FOOT = "</urlset>\n"
_INDEX_HEAD = f'<?xml version="1.0" encoding="UTF-8"?>\n<sitemapindex xmlns="{_NAMESPACE}">\n'
_INDEX_FOOT = "</sitemapindex>\n"
# What a line adds to its URL and date: "<url><loc></loc><lastmod></lastmod></url>\n".
_LINE = len("<url><loc></loc></url>\n")
_LASTMOD = len("<lastmod></lastmod>")

Entry = tuple[str, date | None]  # a site path (or a sitemap's path) and when it last changed


@dataclass(frozen=True, slots=True)
class Sitemap:
    """One sitemap file: the pages it lists, or (for the index) the sitemaps it lists."""

    path: str  # "sitemap.xml" or "sitemap-2.xml"
    entries: tuple[Entry, ...]  # site paths, relative to the base URL
    index: bool = False

    def shown(self) -> tuple[tuple[str, ...], tuple[int, ...], bool]:
        """What the file shows, as flat plain data for its fingerprint: walked entry by entry,
        the 55,000 entries of a 30,000-article site took 30 ms of every rebuild."""
        paths = tuple([path for path, _ in self.entries])
        days = tuple([modified.toordinal() if modified else 0 for _, modified in self.entries])
        return paths, days, self.index

    def render(self, base_url: str) -> bytes:
        base = escape(base_url, quote=False)
        tag = "sitemap" if self.index else "url"
        lines = [_INDEX_HEAD if self.index else _HEAD]
        for path, modified in self.entries:
            lastmod = f"<lastmod>{modified.isoformat()}</lastmod>" if modified else ""
            lines.append(f"<{tag}><loc>{base}{_escaped(path)}</loc>{lastmod}</{tag}>\n")
        lines.append(_INDEX_FOOT if self.index else _FOOT)
        return "".join(lines).encode("utf-8")


def plan(entries: Iterable[Entry], base_url: str) -> list[Sitemap]:
    """The sitemap files for these pages: `sitemap.xml` alone while it keeps within
    `MAX_URLS` and `MAX_BYTES`; else `sitemap.xml` is an index of `sitemap-1.xml`, ...,
    each within both, filled in order (so adding pages at the end moves no other page)."""
    base = len(escape(base_url, quote=False).encode("utf-8"))
    room = MAX_BYTES - len(_HEAD) - len(_FOOT)
    chunks: list[list[Entry]] = [[]]
    used = 0
    for entry in entries:
        path, modified = entry
        size = _LINE + base + len(_escaped(path).encode("utf-8"))
        size += _LASTMOD + 10 if modified else 0  # an ISO date is 10 characters
        if chunks[-1] and (len(chunks[-1]) >= MAX_URLS or used + size > room):
            chunks.append([])
            used = 0
        chunks[-1].append(entry)
        used += size
    if len(chunks) == 1:
        return [Sitemap(INDEX, tuple(chunks[0]))]
    files = [Sitemap(f"sitemap-{n}.xml", tuple(chunk)) for n, chunk in enumerate(chunks, 1)]
    if len(files) > MAX_SITEMAPS:
        raise ValueError(f"{len(files)} sitemaps are more than one index may list")
    listed = tuple((f.path, max((m for _, m in f.entries if m), default=None)) for f in files)
    return [Sitemap(INDEX, listed, index=True), *files]


def _escaped(path: str) -> str:
    # Site paths are slugs and nearly never hold a character XML must escape: check first.
    if "&" in path or "<" in path or ">" in path:
        return escape(path, quote=False)
    return path
