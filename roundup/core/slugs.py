"""ASCII slugs for URLs: stable, unique, never empty and never a path trick."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Mapping, Sequence
from operator import attrgetter

from slugify import slugify as transliterated_slug

from roundup.core.errors import Problem
from roundup.core.model import Article
from roundup.core.text import shorten

_NON_WORD = re.compile(r"[^a-z0-9]+")
# Symbols that carry meaning in topic names (C++, C#, R&D): spelled out before they are lost.
# A comma becomes a space as any other punctuation does: python-slugify would join the digits
# around it ("1,000" -> "1000"), where roundup's slugs always had a hyphen ("1-000").
_REPLACEMENTS = (("+", " plus "), ("#", " sharp "), ("&", " and "), ("@", " at "), (",", " "))
_MAX_LENGTH = 80  # well under the 255-byte limit of a path segment, and readable


def short_hash(text: str, length: int = 6) -> str:
    """A short, stable fingerprint of a text, for telling apart names that slugify alike."""
    # surrogatepass: a file name that is not valid UTF-8 still hashes instead of crashing.
    data = text.encode("utf-8", "surrogatepass")
    return hashlib.blake2b(data, digest_size=8).hexdigest()[:length]


def slugify(text: str) -> str:
    """Lower-case ASCII words joined by hyphens, other scripts transliterated (Straße ->
    strasse, Łódź -> lodz, 日本語 -> ri-ben-yu); empty when nothing is left (emoji, "?")."""
    return transliterated_slug(
        text,
        # A name is text, not HTML: "&amp;" is not decoded (it reads "and amp").
        entities=False,
        decimal=False,
        hexadecimal=False,
        max_length=_MAX_LENGTH,
        replacements=_REPLACEMENTS,
        replacement_stage="pre",
        # Named, not "auto": with auto, installing Unidecode for any other reason would change
        # every non-ASCII slug, and so URLs.
        backend="text-unidecode",
    )


def is_lossy(name: str, slug: str) -> bool:
    """Whether the slug dropped or transliterated characters of the name (so a sibling whose
    slug keeps every character has a better claim to it)."""
    return _NON_WORD.sub("-", name.lower()).strip("-") != slug


def slug_or_hash(name: str, prefix: str) -> str:
    """A slug for the name; names with nothing to transliterate ("😀", "?") get a stable hash."""
    return slugify(name) or f"{prefix}-{short_hash(name, 8)}"


def unique_slugs(names: Iterable[str], prefix: str, reserved: Iterable[str] = ()) -> dict[str, str]:
    """Give each distinct name its own slug; the same names always get the same slugs.

    When several names share a slug (C++ and C--, "Rust/Wasm" and "Rust Wasm"), the one whose
    slug loses nothing keeps it (then the alphabetically first) and the others get a suffix
    from a hash of their own name, so no name's slug depends on which other names exist
    beyond the ones it collides with.
    """
    taken = set(reserved)
    by_slug: dict[str, list[str]] = {}
    for name in sorted(set(names)):
        by_slug.setdefault(slug_or_hash(name, prefix), []).append(name)
    result: dict[str, str] = {}
    for slug, claimants in sorted(by_slug.items()):
        claimants.sort(key=lambda n: (is_lossy(n, slug), n))
        for index, name in enumerate(claimants):
            if index == 0 and slug not in taken:
                result[name] = slug
            else:
                result[name] = f"{slug}-{short_hash(name)}"
    return result


def sharing(slugs: Mapping[str, str], prefix: str) -> dict[str, str]:
    """The names of `unique_slugs` that slugify like another name, each with that name (the
    one that kept the slug, else the first of them): which URLs a reader would not guess."""
    by_slug: dict[str, list[str]] = {}
    for name in sorted(slugs):
        by_slug.setdefault(slug_or_hash(name, prefix), []).append(name)
    shared: dict[str, str] = {}
    for slug, names in by_slug.items():
        if len(names) > 1:
            owner = next((name for name in names if slugs[name] == slug), names[0])
            shared.update((name, owner) for name in names if name != owner)
    return shared


def shared_slug_warnings(articles: Sequence[Article], slugs: Mapping[str, str]) -> list[Problem]:
    """A warning for each topic that slugifies like another (Łódź and Lodz, Rust/Wasm and Rust
    Wasm): both keep pages of their own, but the suffixed URL is not the one a reader would
    guess, and the two are often one topic spelt twice. On the first file that names it."""
    warnings = []
    shared = sharing(slugs, "topic")
    for name, other in sorted(shared.items()):
        folded = name.casefold()
        first = min(
            (a for a in articles if any(t.casefold() == folded for t in a.topics)),
            key=attrgetter("source"),
        )
        message = (
            f"the topic {name!r} has the same slug as the topic {other!r}, so its pages are at "
            f"topics/{slugs[name]}/; if they are one topic, spell them alike"
        )
        warnings.append(Problem(first.source, first.lines.get("topics"), "topics", message))
    for name, slug in sorted(slugs.items()):  # "Feed": topics/feed/ would be a file's place
        natural = slug_or_hash(name, "topic")
        if slug != natural and name not in shared:
            first = min(
                (a for a in articles if any(t.casefold() == name.casefold() for t in a.topics)),
                key=attrgetter("source"),
            )
            message = (
                f"the topic {name!r} would be at topics/{natural}/, a name the site keeps for "
                f"itself; its pages are at topics/{slug}/"
            )
            warnings.append(Problem(first.source, first.lines.get("topics"), "topics", message))
    return warnings


_VALID_SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
# A path segment may have 255 bytes on common file systems; a written slug may use them all
# (derived slugs stay at _MAX_LENGTH so that a suffix for telling them apart still fits).
MAX_WRITTEN_SLUG = 255


def check_slug(slug: str) -> str | None:
    """Why a hand-written slug is unusable, or None when it is fine."""
    if len(slug) > MAX_WRITTEN_SLUG:
        return f"{len(slug)} characters; a slug has at most {MAX_WRITTEN_SLUG}"
    if not _VALID_SLUG.fullmatch(slug):
        suggestion = slugify(slug)
        example = suggestion if suggestion and suggestion != slug else "my-article-2"
        return (
            f"{shorten(slug)!r} is not a usable slug: use lower-case ASCII letters, digits and "
            f"single hyphens, such as {example}"
        )
    return None
