"""ASCII slugs for URLs: stable, unique, never empty and never a path trick."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Iterable

from roundup.text import shorten

_NON_WORD = re.compile(r"[^a-z0-9]+")
# Symbols that carry meaning in topic names (C++, C#, R&D): spelled out before they are lost.
_SYMBOLS = {"+": " plus ", "#": " sharp ", "&": " and ", "@": " at "}
_MAX_LENGTH = 80  # well under the 255-byte limit of a path segment, and readable


def short_hash(text: str, length: int = 6) -> str:
    """A short, stable fingerprint of a text, for telling apart names that slugify alike."""
    # surrogatepass: a file name that is not valid UTF-8 still hashes instead of crashing.
    data = text.encode("utf-8", "surrogatepass")
    return hashlib.blake2b(data, digest_size=8).hexdigest()[:length]


def slugify(text: str) -> str:
    """Lower-case ASCII words joined by hyphens; empty when nothing Latin is left."""
    text = unicodedata.normalize("NFKD", text.lower())
    for symbol, word in _SYMBOLS.items():
        text = text.replace(symbol, word)
    ascii_text = text.encode("ascii", "ignore").decode("ascii")
    slug = _NON_WORD.sub("-", ascii_text).strip("-")
    if len(slug) > _MAX_LENGTH:
        slug = slug[:_MAX_LENGTH].rstrip("-")
    return slug


def is_lossy(name: str, slug: str) -> bool:
    """Whether the slug dropped characters of the name (so a sibling may share it)."""
    return _NON_WORD.sub("-", name.lower()).strip("-") != slug


def slug_or_hash(name: str, prefix: str) -> str:
    """A slug for the name; names with nothing Latin in them (日本語) get a stable hash."""
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
