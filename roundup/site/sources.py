"""Sources: who published the links, one page each, keyed by a normalised host name.

A link's source is its `provider.domain` when that is a host name, else the host of the link
itself; either way lower-case, without "www.", a port, a trailing dot or user information,
and in its ASCII (IDNA) form, so that one source has one page whichever way it was written.
"""

from __future__ import annotations

import ipaddress
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Protocol, TypeVar
from urllib.parse import urlsplit

import idna

from roundup.core.model import Provider
from roundup.core.slugs import short_hash
from roundup.core.text import alphabetical

SOURCES = "sources/"
# Names the sources folder holds beside the sources' own folders: no source may take them.
RESERVED_SEGMENTS = frozenset({"page", "index.html", "feed.xml", "rss.xml", "feed.json"})
# One label of a host name as it may stand in a path: letters, digits, hyphens and (seen in
# real host names, if not in the DNS standard) underscores; never empty, never "." or "..".
_LABEL = r"[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?"
_HOST = re.compile(rf"{_LABEL}(?:\.{_LABEL})*")
MAX_HOST = 253  # characters in a DNS name: also well under a path segment's 255 bytes
# "~" is in no host name and needs no escaping in a URL or a file name: segments that are not
# a host name as it is carry one, so they can never meet a host name's segment.
ESCAPE = "~"


@dataclass(frozen=True, slots=True)
class Source:
    """One source as pages show it: its key, display name and domain, and its links."""

    key: str  # the normalised host: "lwn.net", "xn--bcher-kva.de", "[2001:db8::1]"
    name: str  # the provider name its links give most often, else `domain`
    domain: str  # the host as readers know it: "bücher.de"
    count: int  # shown links
    path: str  # site path of its page: "sources/lwn.net/"

    @property
    def feed_path(self) -> str:
        return self.path + "feed.xml"


def source_key(provider_domain: str, host: str) -> str:
    """A link's source: `provider_domain` when it is a host name (with a dot), else `host`
    (the link's own host), normalised (see the module)."""
    if provider_domain:
        key = normalised(provider_domain)
        if key and ("." in key or key.startswith("[")):
            return key
    return normalised(host) or host.lower()


@lru_cache(maxsize=8192)  # a site has few sources and many links from each
def normalised(text: str) -> str:
    """A host name (or a domain written with a scheme, port or path) as a source key; "" when
    it is none."""
    text = text.strip()
    if text.count(":") > 1 and "[" not in text and "/" not in text:
        text = f"[{text}]"  # an IPv6 address as urlsplit gives it: without its brackets
    if "://" not in text:
        text = "//" + text
    try:
        host = urlsplit(text).hostname or ""
    except ValueError:  # an unbalanced "[" in an IPv6 literal
        return ""
    if ":" in host:  # urlsplit gives IPv6 literals without their brackets
        try:
            return f"[{ipaddress.IPv6Address(host.split('%', 1)[0]).compressed}]"
        except ValueError:
            return ""
    host = host.rstrip(".").removeprefix("www.")
    if not host.isascii():
        try:  # UTS 46, as browsers map host names: "Bücher.de" -> "xn--bcher-kva.de"
            host = idna.encode(host, uts46=True).decode("ascii")
        except (idna.IDNAError, UnicodeError):
            return ""
    host = host.lower()
    return host if len(host) <= MAX_HOST and _HOST.fullmatch(host) else ""


def segment(key: str) -> str:
    """The path segment of a source's folder: the key itself when it is a plain host name
    and no name the sources folder needs; else a form with "~" that no host name has."""
    if key.startswith("["):  # an IPv6 literal: no colons or brackets in paths
        return "ipv6" + ESCAPE + key.strip("[]").replace(":", "-")
    if not _HOST.fullmatch(key) or len(key) > MAX_HOST:
        return ESCAPE + short_hash(key, 16)
    return key + ESCAPE if key in RESERVED_SEGMENTS else key


@lru_cache(maxsize=8192)  # every item's page names its source's
def source_path(key: str, page: int = 1) -> str:
    return f"{SOURCES}{segment(key)}/" + (f"page/{page}/" if page > 1 else "")


def readable(key: str) -> str:
    """The key as readers know the host: IDNA labels in their own script."""
    if "xn--" not in key:
        return key
    try:
        return idna.decode(key)
    except (idna.IDNAError, UnicodeError):
        return key


class Sourced(Protocol):
    """What grouping reads of an item (the page plan's `Item` has it)."""

    @property
    def source_key(self) -> str: ...
    @property
    def provider_name(self) -> str: ...
    @property
    def domain(self) -> str: ...


SourcedT = TypeVar("SourcedT", bound=Sourced)


def group_sources(items: Sequence[SourcedT]) -> tuple[list[Source], dict[str, list[SourcedT]]]:
    """The sources of `items` (newest first), by number of links (most first, then name),
    and each source's items by its key. `items` have `source_key` and `provider_name`."""
    by_key: dict[str, list[SourcedT]] = {}
    for item in items:
        members = by_key.get(item.source_key)
        if members is None:
            by_key[item.source_key] = [item]
        else:
            members.append(item)
    sources = [
        Source(key, _name(members, key), readable(key), len(members), source_path(key))
        for key, members in by_key.items()
    ]
    sources.sort(key=lambda s: (-s.count, alphabetical(s.name), s.name.casefold(), s.key))
    return sources, by_key


def _name(items: Iterable[Sourced], key: str) -> str:
    """The provider name most of a source's links give (then the first A to Z); a link
    without one gives its domain, which only wins when no link names the source."""
    names = Counter(item.provider_name for item in items if item.provider_name != item.domain)
    if not names:
        return readable(key)
    return min(names.items(), key=lambda kv: (-kv[1], kv[0]))[0]


class Linked(Protocol):
    """What `domain_of` and `provider_of` read: an article, an item or a related link."""

    @property
    def provider(self) -> Provider | None: ...
    @property
    def url(self) -> str | None: ...


def host_of(url: str) -> str:
    """The host name a reader recognises: "www.example.org" is shown as "example.org"."""
    plain = _PLAIN_HOST.match(url)
    # The common case without `urlsplit`, which costs 10 times more (every item, every build);
    # anything else (a port, user, IPv6 literal, odd characters) goes the library's way.
    host = plain[1] if plain else urlsplit(url).hostname or ""
    return host.lower().removeprefix("www.")


# An http(s) URL whose host is plain letters, digits, dots and hyphens, ending the authority.
_PLAIN_HOST = re.compile(r"https?://([A-Za-z0-9.-]+)(?:[/?#]|$)")


def domain_of(record: Linked) -> str:
    provider = record.provider
    return provider.domain if provider and provider.domain else host_of(record.url or "")


def provider_of(record: Linked) -> str:
    """Who published it: the provider's name, else its domain."""
    provider = record.provider
    return provider.name if provider and provider.name else domain_of(record)
