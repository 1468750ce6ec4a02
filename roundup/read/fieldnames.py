"""What an unknown frontmatter field probably meant: a misspelling, or another generator's name."""

from __future__ import annotations

import difflib
import functools
from collections.abc import Mapping

from roundup.read import schema

# What each field is, for a hint beside "did you mean ...?".
_WHAT = {
    "topics": "a list of topic names, such as [Feeds, Python]",
    "publishedDateTime": "a date such as 2026-08-04T09:15:00Z",
    "originalUrl": "the link itself",
    "excerpt": "the text shown under the title",
    "images": "a list of pictures: url, width, height",
    "provider": "name and domain of who published the link",
    "slug": "the item's URL name",
}

# Names that Hugo, Jekyll, Zola, Eleventy, Pelican, feeds and bookmark exports give the same
# thing, compared without case, "-" or "_"; by roundup's field for it.
_NAMES_ELSEWHERE = {
    "topics": ("tags", "tag", "categories", "keywords", "labels"),
    "publishedDateTime": ("date", "pubdate", "publishdate", "publishedat", "datepublished",
                          "created", "createdat", "datetime", "time", "timestamp"),
    "originalUrl": ("url", "link", "href", "canonical", "canonicalurl", "externalurl", "linkurl"),
    "excerpt": ("description", "summary", "abstract", "lede", "subtitle"),
    "images": ("image", "thumbnail", "cover", "coverimage", "featuredimage", "ogimage", "banner"),
    "provider": ("author", "authors", "publisher", "site", "sitename", "via"),
    "slug": ("permalink", "urlname"),
}  # fmt: skip
# Other generators' ways to keep a page private; roundup would publish the item. Saying yes
# (`hidden: true`), saying no (`visible: false`), or naming a state (`status: draft`).
_HIDING: tuple[str, ...] = (
    "hidden", "private", "unlisted", "unpublished", "hide", "isdraft", "ishidden", "isprivate",
)  # fmt: skip
_SHOWING = ("visible", "isvisible", "listed", "public", "ispublic", "ispublished", "show")
_STATES = ("status", "state", "visibility")
_HIDDEN_STATES = ("draft", "private", "hidden", "unpublished", "unlisted", "pending")
_PUBLIC = "unknown field, so the item is public; did you mean published: false?"


def _folded(key: str) -> str:
    return key.casefold().replace("-", "").replace("_", "")


_OTHER_NAMES = {_folded(name): field for field, names in _NAMES_ELSEWHERE.items() for name in names}
_HIDING = tuple(_folded(name) for name in _HIDING)


def advice(key: str, value: object, present: Mapping[str, object]) -> str | None:
    """A warning for an unknown field `key` (holding `value`) of a file with these fields, or
    None when it looks like data of the curator's own (such as the seed's `secured`)."""
    folded = _folded(key)
    if folded in _SHOWING or folded in _STATES:
        hides = _says_no(value) if folded in _SHOWING else _names_hidden_state(value)
        return _PUBLIC if hides and not _unpublished(present) else None
    hiding, field, hint = _reading(key)
    if hiding:
        return _PUBLIC if _says_yes(value) and not _unpublished(present) else None
    if field is None:
        return None
    if field in present:
        if _folded(key) in _OTHER_NAMES:  # another tool's field beside roundup's: data kept
            return None
        return f"unknown field, kept but not used; {field} is given too (a misspelled copy?)"
    return f"unknown field, kept but not used; did you mean {field}?{hint}"


def _says_yes(value: object) -> bool:
    return value is True or (isinstance(value, str) and value.strip().lower() in ("true", "yes"))


def _says_no(value: object) -> bool:
    return value is False or (isinstance(value, str) and value.strip().lower() in ("false", "no"))


def _names_hidden_state(value: object) -> bool:
    return isinstance(value, str) and value.strip().lower() in _HIDDEN_STATES


def misplaced_hiding(raw: Mapping[str, object]) -> list[tuple[tuple[str | int, ...], str]]:
    """`published: false` or `draft: true` indented by mistake under the provider, an image
    or a related article (where it says nothing of the item): where, and what to say. None
    when the file's own fields keep it unpublished anyway."""
    if _unpublished(raw):
        return []
    found: list[tuple[tuple[str | int, ...], str]] = []
    places: list[tuple[tuple[str | int, ...], object]] = [(("provider",), raw.get("provider"))]
    for name in ("images", "related"):
        entries = raw.get(name)
        if isinstance(entries, list):
            places += [((name, i), entry) for i, entry in enumerate(entries)]
    for path, record in places:
        if not isinstance(record, dict):
            continue
        for key in ("published", "draft"):
            if key in record and _unpublished({key: record[key]}):
                message = (
                    f"{key} here is not the item's, which stays public; did you mean it at the "
                    "top, without indent?"
                )
                found.append(((*path, key), message))
    return found


def _unpublished(fields: Mapping[str, object]) -> bool:
    """Whether the file's own fields already keep it unpublished (`published: false` or
    `draft: true`): a `hidden: true` beside them changes nothing, and needs no warning."""
    try:
        hidden = "published" in fields and not schema.parse_published(fields["published"])
        return hidden or ("draft" in fields and schema.parse_published(fields["draft"]))
    except schema.FieldError:  # told about in its own right
        return False


def meant(key: str) -> str | None:
    """The known field an unknown name most likely stands for, if any."""
    return _reading(key)[1]


# Cached: every file of a corpus tends to carry the same extra fields (such as `secured`),
# and difflib is slow.
@functools.lru_cache(maxsize=1024)
def _reading(key: str) -> tuple[bool, str | None, str]:
    """Whether `key` hides an item elsewhere, the field it stands for, and a hint on that."""
    folded = _folded(key)
    if folded in _HIDING:
        return True, None, ""
    field = _OTHER_NAMES.get(folded)
    if field is not None:  # another generator's name: say what roundup's field is
        return False, field, f" ({_WHAT[field]})" if field in _WHAT else ""
    near = difflib.get_close_matches(key, schema.FIELDS, 1, 0.8)
    return False, near[0] if near else None, ""  # a misspelling needs no explanation
