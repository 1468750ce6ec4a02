"""Tell which base URL a built output folder was made for, from the built files themselves."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Callable
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

_ATOM_LINK = "{http://www.w3.org/2005/Atom}link"
_ATOM_ENTRY = "{http://www.w3.org/2005/Atom}entry"
_READ_AT_MOST = 1 << 20  # the head of a home page or a robots.txt is far smaller


def built_base_url(folder: Path) -> str | None:
    """The absolute base URL the site in `folder` was built for, or None if no file says.

    Read, most trusted first, from the site feed's link to its home page (feedgen writes it,
    no template can change it), the `Sitemap:` line of robots.txt, and the home page's
    canonical link.
    """
    readers: list[Callable[[Path], str | None]] = [_from_feed, _from_robots, _from_home]
    for read in readers:
        try:
            url = read(folder)
        except (OSError, ValueError, ET.ParseError):
            continue
        if url and _absolute(url):
            return url if url.endswith("/") else url + "/"
    return None


def _absolute(url: str) -> bool:
    parts = urlsplit(url)
    return parts.scheme in ("http", "https") and bool(parts.netloc)


def _from_feed(folder: Path) -> str | None:
    element: ET.Element  # what "start" events carry
    with (folder / "feed.xml").open("rb") as stream:
        # The feed's own links come before its entries: read no further than the first entry.
        for _, element in ET.iterparse(stream, events=("start",)):
            if element.tag == _ATOM_ENTRY:
                break
            if element.tag == _ATOM_LINK and element.get("rel", "alternate") == "alternate":
                return element.get("href")
    return None


def _from_robots(folder: Path) -> str | None:
    text = _head(folder / "robots.txt")
    for line in text.splitlines():
        name, _, value = line.partition(":")
        url = value.strip()
        if name.strip().lower() == "sitemap" and url.endswith("/sitemap.xml"):
            return url.removesuffix("sitemap.xml")
    return None


def _from_home(folder: Path) -> str | None:
    finder = _CanonicalFinder()
    finder.feed(_head(folder / "index.html"))
    finder.close()
    return finder.url


def _head(file: Path) -> str:
    with file.open("rb") as stream:
        return stream.read(_READ_AT_MOST).decode("utf-8", "replace")


class _CanonicalFinder(HTMLParser):
    """Keeps the first `<link rel="canonical">` of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.url: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        rel = (values.get("rel") or "").lower().split()
        if tag == "link" and "canonical" in rel and self.url is None:
            self.url = values.get("href")
