"""Feed entry ids: one per item, from the link it points to (or its `id:` field) and the site id.

A feed reader knows an entry by its id alone: a new id is a new item, shown again to every
subscriber. So an id comes only from what identifies the link, never from the file name, the
title, the date, the site's title or where its pages live:

- `id: some text` in the frontmatter: `tag:<site_id>,2005:id/<the text, percent-encoded>`;
- `id: tag:…`, `urn:…`, `http(s)://…`: that URI exactly as written;
- otherwise `tag:<site_id>,2005:link/<digest>`, the digest a BLAKE2b hash (16 bytes, hex) of
  the link (`originalUrl`, else `webUrl`) as `link_identity` normalises it.

The normalisation is part of the scheme and must never change (every id would change with
it): it lower-cases the scheme and host, drops the default port and the fragment, writes an
empty path as "/", and keeps everything else (path, query and any tracking parameters in it)
exactly as written.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from urllib.parse import quote

from roundup.core.errors import Problem
from roundup.core.model import Article
from roundup.read.schema import ID_URI_SCHEMES

TAG_DATE = "2005"  # a fixed date in every tag: URI (RFC 4151 needs one); it must never move
_DEFAULT_PORTS = {"http": ":80", "https": ":443"}
# Characters a tag: URI's specific part may hold as they are (RFC 4151: pchar, "/" and "?").
_TAG_SAFE = "-._~!$&'()*+,;=:@/"


def link_identity(url: str) -> str:
    """The link as its entry id sees it: scheme and host lower-cased, default port and
    fragment dropped. Plain string work: it runs for every item of every build."""
    url = url.split("#", 1)[0]
    scheme, sep, rest = url.partition("://")
    if not sep:
        return url
    scheme = scheme.lower()
    end = len(rest)
    for mark in "/?":
        found = rest.find(mark)
        if 0 <= found < end:
            end = found
    host = rest[:end].lower().removesuffix(_DEFAULT_PORTS.get(scheme, "\0"))
    tail = rest[end:]
    return f"{scheme}://{host}{tail if tail.startswith('/') else '/' + tail}"


def derived_id(site_id: str, article: Article) -> str:
    """The id an article's own fields give it, before ids shared by two items are told apart."""
    pinned = article.entry_id
    if pinned:
        if pinned.lower().startswith(ID_URI_SCHEMES):
            return pinned
        return f"tag:{site_id},{TAG_DATE}:id/{quote(pinned, safe=_TAG_SAFE)}"
    digest = hashlib.blake2b(link_identity(article.url).encode("utf-8"), digest_size=16)
    return f"tag:{site_id},{TAG_DATE}:link/{digest.hexdigest()}"


def assign(
    articles: Iterable[Article], site_id: str, prefix: str = ""
) -> tuple[dict[str, str], list[Problem]]:
    """Every article's entry id, by source, and a warning for each `id:` two articles share.

    Of articles that share an id the earliest published keeps it (then the first by path):
    that is the one subscribers have most likely seen. Each other gets the id with its slug
    appended, so that readers show both. Two `id:` fields alike are a mistake to tell. The
    same link curated again in a later edition is not: a weekly roundup does it all the
    time, and twice in one edition the collection check already warns. `prefix` is how paths
    are shown.
    """
    ids: dict[str, str] = {}
    owner: dict[str, Article] = {}
    shared: dict[str, list[Article]] = {}
    for article in articles:
        entry = ids[article.source] = derived_id(site_id, article)
        earlier = owner.setdefault(entry, article)
        if earlier is not article:
            shared.setdefault(entry, [earlier]).append(article)
    warnings = []
    for entry, group in shared.items():
        keeper, *others = sorted(group, key=lambda a: (a.published_at, a.source))
        for article in others:
            ids[article.source] = f"{entry}/{quote(article.slug, safe=_TAG_SAFE)}"
            if article.entry_id:
                warnings.append(_clash(article, keeper, prefix))
    return ids, warnings


def _clash(article: Article, keeper: Article, prefix: str) -> Problem:
    message = (
        f"the same feed entry id as {prefix}{keeper.source} (the same id: field); feed "
        "readers would show only one of them, so this item's id adds its slug. Give it an "
        "id: of its own to keep its id when the file is renamed"
    )
    return Problem(prefix + article.source, article.lines.get("id"), "id", message)
