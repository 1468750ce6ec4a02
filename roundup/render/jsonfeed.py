"""JSON Feed 1.1 for the site, each topic and each source: the same entries as the Atom and
RSS feeds (see `feeds`), as JSON."""

from __future__ import annotations

import json
from typing import Any

from roundup.core.links import uri
from roundup.render.feeds import (
    FeedSpec,
    author_of,
    clean,
    entry_html,
    entry_title,
    feed_title,
    rfc3339,
    summary_of,
    thumbnail,
)
from roundup.site.structure import Site


def json_feed(site: Site, spec: FeedSpec) -> bytes:
    """JSON Feed 1.1: `url` is the item's page here, `external_url` the article it points to;
    for a link without a page of its own, `url` is the article."""
    config = site.config
    base = config.base_url
    items = []
    for item, entry_id in zip(spec.items, spec.ids, strict=True):
        a = item.article
        page = base + item.path if item.has_page else None
        entry: dict[str, Any] = {"id": entry_id, "url": page or uri(a.url)}
        if page:
            entry["external_url"] = uri(a.url)
        entry |= {
            "title": entry_title(item, site.preview),
            "content_html": entry_html(item, page),
            "date_published": rfc3339(a.published_at),
            "authors": [{"name": author_of(site, item)}],
            "tags": [t.name for t in item.topics],
        }
        summary = summary_of(item)
        if summary:
            entry["summary"] = summary
        image = thumbnail(item)
        if image:
            entry["image"] = uri(image.url)
        items.append(entry)
    feed: dict[str, Any] = {
        "version": "https://jsonfeed.org/version/1.1",
        "title": feed_title(site, spec),
        "home_page_url": base + spec.home,
        "feed_url": base + spec.json_path,
        "description": spec.description,
        "language": config.language,
        "authors": [{"name": config.author or config.title}],
    }
    if config.websub_hub:
        feed["hubs"] = [{"type": "WebSub", "url": config.websub_hub}]
    feed["items"] = items
    text = json.dumps(_cleaned(feed), ensure_ascii=False, indent=2)
    return (text + "\n").encode("utf-8")


def _cleaned(value: Any) -> Any:
    """The same characters as the XML feeds carry; a lone surrogate would not even encode."""
    if isinstance(value, str):
        return clean(value)
    if isinstance(value, list):
        return [_cleaned(v) for v in value]
    if isinstance(value, dict):
        return {k: _cleaned(v) for k, v in value.items()}
    return value
