"""What a link is: the one rule for "the same link", tracking parameters, and clean web URLs."""

from __future__ import annotations

import contextlib
import functools
import ipaddress
import re
from typing import TYPE_CHECKING
from urllib.parse import quote, urlsplit, urlunsplit

if TYPE_CHECKING:
    from publicsuffixlist import PublicSuffixList

__all__ = [
    "TRACKING_PARAMETERS",
    "canonical_link",
    "clean_url",
    "is_tracking_parameter",
    "registrable_domain",
    "strip_tracking",
]

# Query parameters that say where a click came from, never which page is meant. Compared
# case-insensitively; every `utm_*` parameter counts too. The list is deliberately short:
# a generic name such as `ref` or `source` selects content on too many sites to be dropped.
TRACKING_PARAMETERS = frozenset(
    {
        "fbclid",  # Facebook
        "gclid", "dclid", "gbraid", "wbraid", "_ga", "_gl",  # Google Ads and Analytics
        "msclkid",  # Microsoft Ads
        "yclid",  # Yandex
        "twclid", "ref_src", "ref_url",  # Twitter/X
        "igshid",  # Instagram
        "li_fat_id",  # LinkedIn
        "mc_cid", "mc_eid",  # Mailchimp
        "_hsenc", "_hsmi", "__hstc", "__hssc", "__hsfp", "hsctatracking",  # HubSpot
        "mkt_tok",  # Marketo
        "oly_anon_id", "oly_enc_id",  # Omeda
        "vero_id", "vero_conv",  # Vero
        "rb_clickid",  # Rakuten
        "s_kwcid",  # Adobe
    }
)  # fmt: skip
_TRACKING_PREFIXES = ("utm_",)
_DEFAULT_PORTS = {"http": 80, "https": 443}
_ESCAPE = re.compile(r"%[0-9A-Fa-f]{2}")
_PLAIN = re.compile(r"[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=]*")
# Characters RFC 3986 never requires to be escaped: %7E and ~ are the same character.
_UNRESERVED = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
# What `clean_url` leaves as it is: the reserved characters, and escapes already made.
_URL_SAFE = ":/?#[]@!$&'()*+,;=%~"


def is_tracking_parameter(name: str) -> bool:
    """Whether a query parameter name only tracks the click (`utm_source`, `fbclid`, ...)."""
    lowered = name.lower()
    return lowered in TRACKING_PARAMETERS or lowered.startswith(_TRACKING_PREFIXES)


def _kept_query(query: str) -> str:
    """The query without tracking parameters (nor empty ones), the others as written and in
    their order."""
    if not query:
        return ""
    pairs = query.split("&")
    return "&".join(p for p in pairs if p and not is_tracking_parameter(p.partition("=")[0]))


def strip_tracking(url: str) -> str:
    """The URL without its tracking parameters, nor a user name and password before its
    host; everything else stays exactly as written.

    This is the URL to write into an article (`roundup new`, importers): the page the reader
    gets is the same, without telling anyone where the curator found it, or the curator's
    login (which every page and feed would publish).
    """
    parts = urlsplit(url)
    netloc = parts.netloc.rpartition("@")[2]
    pairs = parts.query.split("&")
    kept = [p for p in pairs if not is_tracking_parameter(p.partition("=")[0])]
    if len(kept) == len(pairs) and netloc == parts.netloc:
        return url
    return urlunsplit((parts.scheme, netloc, parts.path, "&".join(kept), parts.fragment))


def canonical_link(url: str) -> str:
    """The identity of a link: two URLs with the same `canonical_link` are the same link.

    Not a URL to visit, only a key to compare. It differs from the URL in what does not
    change the page a reader gets:

    - `http` and `https` are one link (written `https`); scheme and host are lower-cased,
      a leading `www.` and the default port (80, 443) are dropped, and an international
      host name is compared in its ASCII (IDNA) form;
    - the fragment (`#section`) is dropped, and so are tracking parameters
      (`is_tracking_parameter`); the other query parameters stay, in their order;
    - an empty path is `/`, percent-escapes are upper-cased (`%7e` → `%7E`), and escaped
      unreserved characters are decoded (`%7E` → `~`).

    The path's case and a trailing slash are kept: `/A` and `/a`, `/a` and `/a/` can be
    different pages. Text that is not an http(s) URL is returned stripped and unchanged.
    """
    text = url.strip()
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError:
        return text
    scheme = parts.scheme.lower()
    hostname = parts.hostname
    if scheme not in _DEFAULT_PORTS or not hostname:
        return text
    host = ascii_host(hostname).removeprefix("www.")
    if ":" in host:  # an IPv6 address
        host = f"[{host}]"
    if port is not None and port != _DEFAULT_PORTS[scheme]:
        host = f"{host}:{port}"
    user = parts.netloc.rpartition("@")[0] if "@" in parts.netloc else ""
    netloc = f"{user}@{host}" if user else host
    path = _normal(parts.path) or "/"
    query = _normal(_kept_query(parts.query))
    return urlunsplit(("https", netloc, path, query, ""))


# What a URL cannot hold as written, a validator refusing the link: spaces and controls,
# quotes, angle brackets and the like, and a "%" that starts no escape. Non-ASCII letters stay
# (HTML and Atom take IRIs).
_NOT_IN_URLS = re.compile(r'[\x00-\x20"<>\\^`{|}\x7f]|%(?![0-9A-Fa-f]{2})')


def encode_unsafe(url: str) -> str:
    """The URL with what it cannot hold as written percent-encoded, everything else as is:
    so that every page and feed format carries one and the same valid link."""
    if _NOT_IN_URLS.search(url) is None:  # nearly every URL: no work
        return url
    return _NOT_IN_URLS.sub(lambda m: "".join(f"%{b:02X}" for b in m[0].encode()), url)


def clean_url(url: str) -> str:
    """A URL as a browser would send it: spaces and non-ASCII characters percent-encoded
    (the host in IDNA), escapes already present kept. For URLs found in web pages."""
    parts = urlsplit(url.strip())
    netloc = parts.netloc
    if not netloc.isascii():
        user, at, host_port = netloc.rpartition("@")
        host, colon, port = host_port.rpartition(":") if "]" not in host_port else ("", "", "")
        if not colon or not port.isdigit():
            host, colon, port = host_port, "", ""
        netloc = f"{user}{at}{ascii_host(host)}{colon}{port}"
    path, query, fragment = (
        quote(part, safe=_URL_SAFE) for part in (parts.path, parts.query, parts.fragment)
    )
    return urlunsplit((parts.scheme, netloc, path, query, fragment))


def ascii_host(host: str) -> str:
    """A host name as one spelling: lower-case, without a trailing dot, international names in
    their ASCII (IDNA) form; one that is no valid international name, as written."""
    host = host.lower().rstrip(".")
    if host.isascii():
        return host
    try:
        return host.encode("idna").decode("ascii")
    except UnicodeError:  # not a valid international name: compare it as written
        return host


def _normal(text: str) -> str:
    """A path or query as one spelling of it: unsafe characters escaped, escapes upper-case,
    escaped unreserved characters decoded."""
    if _PLAIN.fullmatch(text):  # nearly every URL: nothing to do (and 3 times faster)
        return text
    return _ESCAPE.sub(_normal_escape, quote(text, safe=_URL_SAFE))


def _normal_escape(match: re.Match[str]) -> str:
    character = chr(int(match.group()[1:], 16))
    return character if character in _UNRESERVED else match.group().upper()


def registrable_domain(url_or_host: str) -> str:
    """The domain a site is registered under: `www.bbc.co.uk` → `bbc.co.uk`, `alice.github.io`
    → `alice.github.io` (a private suffix counts), `github.com` → `github.com`.

    Looked up in the Public Suffix List that the `publicsuffixlist` package bundles (it is
    never downloaded at run time; a new release of the package brings a newer list). An IP
    address, a single-label host (`localhost`) or a bare public suffix is returned as it is,
    lower-case and without `www.`. Accepts a URL or a host name.
    """
    host = urlsplit(url_or_host).hostname if "/" in url_or_host else url_or_host
    host = ascii_host(host or "")
    try:
        ipaddress.ip_address(host)
        return host
    except ValueError:
        pass
    return _suffix_list().privatesuffix(host) or host.removeprefix("www.")


@functools.cache
def _suffix_list() -> PublicSuffixList:
    # Imported and read only when needed: a build never asks, `roundup new` asks once.
    from publicsuffixlist import PublicSuffixList

    return PublicSuffixList()


# What `uri` leaves as it is: a URL of these characters alone is a URI already.
_URI_CHARS = re.compile(r"[A-Za-z0-9:/?#\[\]@!$&'()*+,;=%~._-]*")


def uri(url: str) -> str:
    """A URL as a URI: non-ASCII letters and spaces percent-encoded (UTF-8), the host in
    its IDNA form, every character that already has a meaning in a URL kept as it is."""
    if _URI_CHARS.fullmatch(url):
        return url  # nearly every link: asked of every item by the feed id check
    parts = urlsplit(url)
    host = parts.hostname or ""
    # A name IDNA cannot write stays as it is, and is percent-encoded below like the rest.
    with contextlib.suppress(UnicodeError):
        if not host.isascii():
            url = url.replace(host, host.encode("idna").decode("ascii"), 1)
    return quote(url, safe=":/?#[]@!$&'()*+,;=%~")
