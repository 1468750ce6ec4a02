"""Read what a web page says about itself: JSON-LD, OpenGraph, Twitter cards, plain HTML.

Each field is taken from the most trusted source that has it: schema.org JSON-LD (Article,
NewsArticle, BlogPosting and their kin, VideoObject), then OpenGraph, then Twitter cards,
then `<meta name=description>` and `<title>` (for a title, last, the first `<h1>`). The
page's own URL is the exception: the one mechanism made for it, `<link rel=canonical>`,
comes first, then `og:url`, then JSON-LD's.
Text is whitespace-normalised; HTML entities are decoded exactly once (by the HTML parser
for tags and attributes; JSON-LD, which the parser leaves alone, once by `html.unescape`).
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import urljoin, urlsplit

import lxml.etree
import lxml.html

from roundup.core.links import clean_url
from roundup.core.model import Image
from roundup.core.text import CONTROL_CHARS, collapse_spaces
from roundup.read import schema

# schema.org types whose headline and date describe the linked page itself.
ARTICLE_TYPES = frozenset(
    {
        "Article", "NewsArticle", "BlogPosting", "TechArticle", "ScholarlyArticle", "Report",
        "AnalysisNewsArticle", "OpinionNewsArticle", "ReportageNewsArticle", "ReviewNewsArticle",
        "BackgroundNewsArticle", "LiveBlogPosting", "SocialMediaPosting", "Review",
        "DiscussionForumPosting", "APIReference", "HowTo", "Recipe",
    }
)  # fmt: skip
VIDEO_TYPES = frozenset({"VideoObject", "Movie", "Episode", "TVEpisode", "Clip"})
_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>")
_WRAPPERS = re.compile(
    r"^(?:<!--|(?:/\*\s*)?<!\[CDATA\[(?:\s*\*/)?)"  # <!--, <![CDATA[ or /* <![CDATA[ */
    r"|(?:-->|(?:/\*\s*)?\]\]>(?:\s*\*/)?)$"  # and their ends
)
_MAX_JSON_LD = 1_000_000  # characters of one script: more is not metadata


@dataclass(frozen=True, slots=True)
class PageMetadata:
    """What a page says about itself; None (or empty) where it says nothing usable."""

    title: str | None = None
    excerpt: str | None = None
    published_at: datetime | date | None = None  # as stated: aware, naive or a day
    canonical_url: str | None = None
    site_name: str | None = None
    images: tuple[Image, ...] = ()  # best first, distinct, absolute http(s)
    type: str | None = None  # "article" or "video" when the page says so


def extract(text: str, page_url: str) -> PageMetadata:
    """Read the metadata of an HTML document; relative URLs are resolved against `page_url`
    (the URL the page was fetched from, after redirects) or the page's `<base href>`."""
    text = _XML_DECLARATION.sub("", text, count=1)  # lxml refuses it in a str
    if not text.strip():
        return PageMetadata()
    try:
        document = lxml.html.document_fromstring(text)
    except (lxml.etree.ParserError, ValueError):
        return PageMetadata()
    base = _base_url(document, page_url)
    meta = _meta_tags(document)
    node, nodes = _json_ld(document)
    ld = _LinkedData(node, nodes)

    def first_meta(*keys: str) -> str | None:
        for key in keys:
            for value in meta.get(key, ()):
                if clean := _normal(value):
                    return clean
        return None

    title = ld.text("headline", "name") or first_meta("og:title", "twitter:title")
    title = title or _normal(document.findtext(".//title") or "")
    if not title:  # a page without <title> (a bare document, a single-page app's shell)
        heading = document.find(".//h1")
        title = _normal(heading.text_content()) if heading is not None else ""
    excerpt = ld.text("description") or first_meta(
        "og:description", "twitter:description", "description"
    )
    published = _first_date(
        ld.raw("datePublished"),
        ld.raw("uploadDate"),
        *meta.get("article:published_time", ()),
        *meta.get("og:published_time", ()),
        *meta.get("video:release_date", ()),
        *meta.get("date", ()),
    )
    canonical = _canonical(
        [*_link_hrefs(document, "canonical"), *meta.get("og:url", ()), *ld.urls()],
        base,
        page_url,
    )
    site_name = first_meta("og:site_name") or ld.publisher() or first_meta("application-name")
    return PageMetadata(
        title=title or None,
        excerpt=excerpt,
        published_at=published,
        canonical_url=canonical,
        site_name=site_name,
        images=_images(ld.images(), _og_images(document), meta, base),
        type=ld.kind() or _og_kind(first_meta("og:type")),
    )


def _normal(text: str) -> str:
    """Metadata as the article file's text: markup that a CMS left in it (decoded, it is
    "<b>Bold</b>") dropped, and the characters the build would remove (bidi overrides) gone,
    so that the build reads the file without a warning."""
    if "<" in text:  # not decoded again: "&amp;" that survived one decoding is the page's text
        text = _TAG.sub(" ", _SCRIPT.sub(" ", text))
    return collapse_spaces(CONTROL_CHARS.sub("", text))


_SCRIPT = re.compile(r"<(script|style)\b[^>]*>.*?</\1\s*>", re.IGNORECASE | re.DOTALL)
# Elements a CMS leaves in a title or description; not any <Word> ("Vec<T>", "Option<Box<T>>"
# are titles of a Rust roundup, not markup).
_TAG = re.compile(
    r"</?(?:a|abbr|b|big|blockquote|br|cite|code|del|div|em|font|h[1-6]|hr|i|img|ins|kbd|li|"
    r"mark|ol|p|pre|q|s|small|span|strike|strong|sub|sup|time|u|ul)(?:\s[^<>]*)?/?>",
    re.IGNORECASE,
)


def _base_url(document: lxml.html.HtmlElement, page_url: str) -> str:
    for href in document.xpath("//base/@href"):
        if not isinstance(href, str):  # always text here; xpath() returns many kinds of value
            continue
        resolved = urljoin(page_url, href.strip())
        if urlsplit(resolved).scheme in ("http", "https"):
            return resolved
    return page_url


def _meta_tags(document: lxml.html.HtmlElement) -> dict[str, list[str]]:
    """Every `<meta>` content by its property, name or itemprop (lower-case), in page order."""
    found: dict[str, list[str]] = {}
    for tag in document.iter("meta"):
        content = tag.get("content")
        if content is None:
            continue
        for attribute in ("property", "name", "itemprop"):
            key = (tag.get(attribute) or "").strip().lower()
            if key:
                found.setdefault(key, []).append(content)
    return found


def _link_hrefs(document: lxml.html.HtmlElement, rel: str) -> list[str]:
    return [
        link.get("href", "")
        for link in document.iter("link")
        if rel in (link.get("rel") or "").lower().split()
    ]


def _absolute(url: str, base: str) -> str | None:
    """An absolute, checked http(s) URL for a URL found in the page, or None."""
    url = url.strip()
    if not url or url.startswith(("data:", "javascript:")):
        return None
    try:
        return schema.check_url(clean_url(urljoin(base, url)))
    except ValueError:
        return None


def _canonical(candidates: list[str], base: str, page_url: str) -> str | None:
    """The first usable canonical URL. A canonical that names the site's home page for a page
    deeper in the site is a known CMS misconfiguration, and ignored."""
    page_path = urlsplit(page_url).path
    for candidate in candidates:
        url = _absolute(candidate, base)
        if url is None:
            continue
        if urlsplit(url).path in ("", "/") and page_path not in ("", "/"):
            continue
        return url
    return None


def _og_images(document: lxml.html.HtmlElement) -> list[tuple[str, str | None, str | None]]:
    """OpenGraph images with their stated sizes: `og:image:width` belongs to the `og:image`
    before it."""
    images: list[list[str | None]] = []
    for tag in document.iter("meta"):
        key = (tag.get("property") or tag.get("name") or "").strip().lower()
        content = tag.get("content")
        if content is None:
            continue
        if key in ("og:image", "og:image:url"):
            if key == "og:image:url" and images and images[-1][0] == content:
                continue
            images.append([content, None, None])
        elif key == "og:image:secure_url" and images:
            images[-1][0] = content
        elif key in ("og:image:width", "og:image:height") and images:
            images[-1][1 if key.endswith("width") else 2] = content
    return [(url or "", width, height) for url, width, height in images]


def _size(value: Any) -> int | None:
    if isinstance(value, dict):  # schema.org QuantitativeValue: {"value": 1200, "unitCode": ...}
        value = value.get("value")
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        number = int(value)
    else:
        digits = re.match(r"\s*(\d{1,6})(?:\s*px)?\s*$", str(value or ""))
        number = int(digits.group(1)) if digits else 0
    return number if 0 < number < 100_000 else None


def _images(
    linked: list[tuple[str, Any, Any]],
    opengraph: list[tuple[str, str | None, str | None]],
    meta: dict[str, list[str]],
    base: str,
) -> tuple[Image, ...]:
    twitter = [(url, None, None) for key in ("twitter:image", "twitter:image:src")
               for url in meta.get(key, ())]  # fmt: skip
    found: dict[str, Image] = {}
    for url, width, height in [*linked, *opengraph, *twitter]:
        absolute = _absolute(url, base)
        if absolute is None:
            continue
        w, h = _size(width), _size(height)
        sized = Image(absolute, w, h) if w and h else Image(absolute)
        known = found.get(absolute)
        if known is None or (known.width is None and sized.width is not None):
            found[absolute] = sized  # the best source first; a later one may know the size
    return tuple(found.values())


def _og_kind(og_type: str | None) -> str | None:
    kind = (og_type or "").lower()
    if kind == "article":
        return "article"
    return "video" if kind.startswith("video") else None


def _first_date(*values: Any) -> datetime | date | None:
    for value in values:
        when = _date(value)
        if when is not None:
            return when
    return None


def _date(value: Any) -> datetime | date | None:
    """An ISO 8601 date or time (or an RFC 2822 one, as some feeds-turned-pages write)."""
    if isinstance(value, list):
        value = value[0] if value else None
    if not isinstance(value, str) or not value.strip():
        return None
    text = value.strip()
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        try:
            return date.fromisoformat(text)
        except ValueError:
            return None
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        pass
    try:
        return parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None


# --- JSON-LD ------------------------------------------------------------------------------


def _json_ld(document: lxml.html.HtmlElement) -> tuple[dict[str, Any] | None, dict[str, Any]]:
    """The node that describes the page (the first article or video), and every node by @id."""
    nodes: list[dict[str, Any]] = []
    for script in document.iter("script"):
        kind = (script.get("type") or "").split(";")[0].strip().lower()
        if kind != "application/ld+json" or not script.text:
            continue
        nodes.extend(_nodes(_loads(script.text)))
    by_id = {node["@id"]: node for node in nodes if isinstance(node.get("@id"), str)}
    for node in nodes:
        if _types(node) & (ARTICLE_TYPES | VIDEO_TYPES):
            return node, by_id
    return None, by_id


def _loads(text: str) -> Any:
    text = text.strip()
    if len(text) > _MAX_JSON_LD:
        return None
    # Some CMSs wrap the JSON in an HTML comment or CDATA section, or end it with `;`.
    text = _WRAPPERS.sub("", text).strip().rstrip(";")
    try:
        return json.loads(text)
    except (ValueError, RecursionError):
        return None


def _nodes(data: Any) -> Iterator[dict[str, Any]]:
    """Top-level nodes: a node, a list of them, and the members of any `@graph`."""
    if isinstance(data, list):
        for item in data:
            yield from _nodes(item)
    elif isinstance(data, dict):
        yield data
        graph = data.get("@graph")
        if isinstance(graph, list | dict):
            yield from _nodes(graph)


def _types(node: dict[str, Any]) -> set[str]:
    """`NewsArticle`, `schema:NewsArticle` and `https://schema.org/NewsArticle` alike."""
    value = node.get("@type")
    names = value if isinstance(value, list) else [value]
    return {re.split(r"[/:#]", name)[-1] for name in names if isinstance(name, str)}


class _LinkedData:
    """Fields of the page's JSON-LD node, with `{"@id": ...}` references followed."""

    def __init__(self, node: dict[str, Any] | None, by_id: dict[str, Any]) -> None:
        self.node = node or {}
        self.by_id = by_id

    def _resolve(self, value: Any) -> Any:
        if isinstance(value, dict) and set(value) == {"@id"}:
            return self.by_id.get(value["@id"], value)
        return value

    def raw(self, key: str) -> Any:
        return self._resolve(self.node.get(key))

    def text(self, *keys: str) -> str | None:
        for key in keys:
            value = self.raw(key)
            if isinstance(value, list):
                value = next((v for v in value if isinstance(v, str)), None)
            if isinstance(value, dict):
                value = value.get("@value")
            if isinstance(value, str) and (clean := _normal(html.unescape(value))):
                return clean
        return None

    def kind(self) -> str | None:
        types = _types(self.node)
        if types & VIDEO_TYPES:
            return "video"
        return "article" if types & ARTICLE_TYPES else None

    def publisher(self) -> str | None:
        publisher = self.raw("publisher")
        if isinstance(publisher, list):
            publisher = self._resolve(publisher[0]) if publisher else None
        if isinstance(publisher, dict):
            return _LinkedData(publisher, self.by_id).text("name")
        return None

    def urls(self) -> list[str]:
        found = []
        for key in ("url", "mainEntityOfPage"):
            value = self.raw(key)
            if isinstance(value, dict):
                value = value.get("@id") or value.get("url")
            if isinstance(value, str):
                found.append(html.unescape(value))
        return found

    def images(self) -> list[tuple[str, Any, Any]]:
        value = self.raw("image") or self.raw("thumbnailUrl") or self.raw("thumbnail")
        found = []
        for item in value if isinstance(value, list) else [value]:
            item = self._resolve(item)
            if isinstance(item, str):
                found.append((html.unescape(item), None, None))
            elif isinstance(item, dict):
                url = item.get("url") or item.get("contentUrl") or item.get("@id")
                if isinstance(url, str):
                    found.append((html.unescape(url), item.get("width"), item.get("height")))
        return found
