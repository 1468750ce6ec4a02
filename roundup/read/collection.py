"""Checks between article files: one slug per item, and links curated twice."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import replace
from datetime import datetime
from operator import attrgetter
from typing import NamedTuple, TypeVar

from roundup.core.errors import Problem
from roundup.core.links import canonical_link
from roundup.core.model import Article
from roundup.core.slugs import is_lossy, short_hash
from roundup.read.content import derived_slug

# Articles, or the cache's lazily decoded ones: what is checked comes back of the same kind.
A = TypeVar("A", bound=Article)


def url_key(url: str) -> str:
    """A link's identity for duplicate detection: `links.canonical_link`, the one rule every
    part of roundup uses for "the same link"."""
    return canonical_link(url)


def link_key(article: Article) -> str:
    """A short fingerprint of `url_key`; the cache keeps only this of an unpublished article."""
    stored = getattr(article, "link_key", None)
    if isinstance(stored, str) and stored:
        return stored
    return hashlib.blake2b(url_key(article.url).encode(), digest_size=12).hexdigest()


class Keys(NamedTuple):
    """What the checks compare of a file; the parse cache keeps them, as they take a while."""

    derived_slug: str  # the slug its file name gives it
    link_key: str


def keys_of(article: Article) -> Keys:
    return Keys(derived_slug(article.source), link_key(article))


def check_collection(
    articles: Sequence[A],
    prefix: str = "",
    known: Mapping[str, Keys] | None = None,
    edition_of: Callable[[A], Hashable] | None = None,
) -> tuple[list[A], list[Problem], list[Problem]]:
    """Give every item its own slug and find links curated twice in one edition.

    Returns the articles (some with a new slug), errors and warnings. A `slug:` field claimed
    by two files is an error naming both. Slugs derived from file names that come out alike
    (`x.md` and `X.md`, `a/x.md` and `b/x.md`) are told apart: one keeps it (see
    `_claim_order`), the others get a suffix hashed from their own path, the same on every
    build. A `slug:` field that takes
    another file's name-derived slug is an error too. Published items come first throughout:
    an unpublished one (a draft, or one held back until its date) never takes a URL from a
    published one, which would move its page and tell of the draft. `prefix` is how paths are shown;
    `known` has the `keys_of` some articles, by source, worked out before. A link that comes
    back in a later edition (`edition_of`, by default all are one) is normal in a roundup;
    twice in one edition is a warning.
    """
    errors: list[Problem] = []
    warnings: list[Problem] = []
    ordered = sorted(articles, key=attrgetter("source"))
    keys = dict(known or {})
    for article in ordered:
        if article.source not in keys:
            keys[article.source] = keys_of(article)
    claimed: dict[str, A] = {}  # slugs written in a `slug:` field, by their first claimant
    # Slugs from file names, by their article, or a list of them when several share it: nearly
    # every slug has one, and a list each made 30,000 lists.
    derived: dict[str, A | list[A]] = {}
    for article in sorted(ordered, key=_unpublished_last):
        slug = article.slug
        if slug != keys[article.source].derived_slug:
            first = claimed.setdefault(article.slug, article)
            if first is not article:
                message = (
                    f"{article.slug!r} is also the slug of {prefix}{first.source}; "
                    "give each file its own slug"
                )
                errors.append(_problem(article, "slug", message))
        else:
            group = derived.get(slug)
            if group is None:
                derived[slug] = article
            elif isinstance(group, list):
                group.append(article)
            else:
                derived[slug] = [group, article]
    renamed: dict[str, A] = {}
    taken = set(claimed) | set(derived)
    for slug, group in derived.items():
        members = group if isinstance(group, list) else [group]
        claimant = claimed.get(slug)
        if claimant is not None and (not claimant.published or any(a.published for a in members)):
            # Moving the file-named page would let any file take a published URL away; the
            # author who wrote the slug decides instead.
            for article in members:
                message = (
                    f"{prefix}{article.source} already has the slug {slug!r} from its file name; "
                    "choose another"
                )
                errors.append(_problem(claimant, "slug", message))
            continue
        if claimant is None and len(members) == 1:
            continue
        members.sort(key=lambda a: _claim_order(a, slug))
        if claimant is not None:  # published, and every file named alike is not
            members.insert(0, claimant)
        for article in members[1:]:
            new = _free(slug, article.source, taken)
            taken.add(new)
            renamed[article.source] = replace(article, slug=new)
            message = f"{prefix}{members[0].source} has the slug {slug!r}; this item is at {new}"
            warnings.append(_problem(article, "slug", message))
    result = [renamed.get(a.source, a) for a in articles]
    warnings.extend(_duplicate_links(ordered, keys, prefix, edition_of or (lambda _: None)))
    return result, errors, warnings


def _unpublished_last(article: Article) -> bool:
    return not article.published


def _claim_order(article: Article, slug: str) -> tuple[bool, bool, bool, datetime, int, str]:
    """Which of the files named alike keeps the slug: a published one, the one named exactly
    so (then the least changed by slugifying), the one published first (a file added later
    is nearly always a newer link: the page already online keeps its URL), the shallowest,
    the first by path."""
    source = article.source
    stem = source.rsplit("/", 1)[-1].rsplit(".", 1)[0]
    return (
        not article.published, stem != slug, is_lossy(stem, slug), article.published_at,
        source.count("/"), source,
    )  # fmt: skip


def _free(slug: str, source: str, taken: set[str]) -> str:
    length = 6
    while f"{slug}-{short_hash(source, length)}" in taken and length < 16:
        length += 2
    return f"{slug}-{short_hash(source, length)}"


def _duplicate_links(
    ordered: Sequence[A],
    keys: Mapping[str, Keys],
    prefix: str,
    edition_of: Callable[[A], Hashable],
) -> list[Problem]:
    warnings = []
    first: dict[tuple[str, Hashable], A] = {}
    for article in ordered:
        key = (keys[article.source].link_key, edition_of(article))
        earlier = first.setdefault(key, article)
        if earlier is not article:
            where = "originalUrl" if getattr(article, "original_url", None) else "webUrl"
            message = (
                f"the same link as {prefix}{earlier.source}, in the same edition; both are kept"
            )
            warnings.append(_problem(article, where, message))
    return warnings


def repeated_links(articles: Sequence[A], known: Mapping[str, Keys] | None = None) -> list[list[A]]:
    """Groups of articles that share a link, in any editions (`roundup check --duplicates`)."""
    keys = dict(known or {})
    groups: dict[str, list[A]] = {}
    for article in sorted(articles, key=lambda a: (a.published_at, a.source)):
        key = keys[article.source].link_key if article.source in keys else link_key(article)
        groups.setdefault(key, []).append(article)
    return [group for group in groups.values() if len(group) > 1]


def _problem(article: Article, where: str, message: str) -> Problem:
    line = getattr(article, "lines", {}).get(where)
    return Problem(article.source, line, where, message)
