"""Fetch one web page for `roundup new` (or a file for `roundup import`): http(s) only, bounded
in time and size, decoded text."""

from __future__ import annotations

import asyncio
import codecs
import contextlib
import re
import socket
import ssl
from dataclasses import dataclass
from urllib.parse import urlsplit

import httpx

from roundup import __version__
from roundup.core.errors import RoundupError
from roundup.core.links import ascii_host
from roundup.core.text import cut, one_line
from roundup.read import schema

TIMEOUT = 10.0  # seconds for the whole fetch, as for each connect and read
MAX_BYTES = 5 * 1024 * 1024  # a page's metadata is in its head; nothing needs more
MAX_REDIRECTS = 10
USER_AGENT = f"roundup/{__version__} (+https://pypi.org/project/roundup-ssg/)"
HTML_TYPES = ("text/html", "application/xhtml+xml")
_ACCEPT = "text/html,application/xhtml+xml;q=0.9,*/*;q=0.5"
# A charset declared in a <meta> tag, either <meta charset=x> or http-equiv's content.
_META_CHARSET = re.compile(rb"""<meta\b[^>]*?\bcharset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.I)
_PRESCAN = 8192  # bytes searched for <meta charset>: the spec says 1024, pages say otherwise
# The WHATWG Encoding Standard reads these labels as windows-1252, as every browser does.
_WINDOWS_1252 = {"ascii", "us-ascii", "iso-8859-1", "iso8859-1", "latin1", "latin-1", "l1"}
_BOMS = ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"),
         (codecs.BOM_UTF16_BE, "utf-16-be"))  # fmt: skip


class FetchError(RoundupError):
    """A page could not be fetched, or is not an HTML page; the message is one line."""


@dataclass(frozen=True, slots=True)
class Page:
    """A fetched HTML page: where it ended up, and its text."""

    url: str  # the URL asked for
    final_url: str  # after redirects
    text: str
    encoding: str  # the codec the text was decoded with
    truncated: bool  # the body was longer than the limit; only its start was read


def fetch(
    url: str,
    *,
    timeout: float = TIMEOUT,
    max_bytes: int = MAX_BYTES,
    transport: httpx.AsyncBaseTransport | None = None,
) -> Page:
    """GET an http(s) page, following redirects; raise FetchError with a one-line reason.

    The whole fetch, redirects and body included, takes at most `timeout` seconds; only the
    first `max_bytes` of the body are read.
    """
    got = download(url, timeout=timeout, max_bytes=max_bytes, transport=transport)
    if not got.media_type and not _looks_like_html(got.body):
        raise FetchError(f"{url}: not an HTML page (no content type, and no HTML in it)")
    text, encoding = decode_html(got.body, got.content_type, got.truncated)
    return Page(got.url, got.final_url, text, encoding, got.truncated)


@dataclass(frozen=True, slots=True)
class Download:
    """A response body as bytes, with where it came from and what the server called it."""

    url: str  # the URL asked for
    final_url: str  # after redirects
    body: bytes
    content_type: str  # the Content-Type header, as sent
    truncated: bool  # the body was longer than the limit; only its start was read

    @property
    def media_type(self) -> str:
        return self.content_type.partition(";")[0].strip().lower()


def download(
    url: str,
    *,
    accept: str = _ACCEPT,
    media_types: tuple[str, ...] | None = HTML_TYPES,
    kind: str = "an HTML page",
    timeout: float = TIMEOUT,
    max_bytes: int = MAX_BYTES,
    transport: httpx.AsyncBaseTransport | None = None,
) -> Download:
    """GET an http(s) URL as `fetch` does, and return the body's bytes undecoded.

    A response whose declared media type is not one of `media_types` (None: any) is refused
    before its body is read, with `kind` naming what was expected.
    """
    if url.partition(":")[0].lower() not in ("http", "https"):
        raise FetchError(f"{url}: only http:// and https:// URLs can be fetched")
    try:  # the rules of an article's URLs: no spaces, a host, a port that can be
        url = schema.check_url(url)
        host = urlsplit(url).hostname or ""
    except ValueError as error:
        raise FetchError(f"{url}: not a valid URL ({error})") from None
    headers = {"User-Agent": USER_AGENT, "Accept": accept}
    asked = _Asked(url, headers, media_types, kind, max_bytes, transport)
    try:
        # One deadline for everything: httpx's timeouts are per read, and a server that
        # sends its headers a byte at a time would meet each of them, for ever.
        return asyncio.run(asyncio.wait_for(_download(asked, timeout), timeout))
    except (httpx.TimeoutException, TimeoutError):
        raise FetchError(f"{url}: no answer within {timeout:g} s") from None
    except httpx.TooManyRedirects:
        raise FetchError(f"{url}: more than {MAX_REDIRECTS} redirects") from None
    except httpx.UnsupportedProtocol as error:
        raise FetchError(f"{url}: redirected to a URL that is not http(s) ({error})") from None
    except httpx.HTTPError as error:
        raise FetchError(f"{url}: {network_reason(error, host)}") from None
    except httpx.InvalidURL as error:
        raise FetchError(f"{url}: not a valid URL ({error})") from None


@dataclass(frozen=True, slots=True)
class _Asked:
    url: str
    headers: dict[str, str]
    media_types: tuple[str, ...] | None
    kind: str
    max_bytes: int
    transport: httpx.AsyncBaseTransport | None


async def _download(asked: _Asked, timeout: float) -> Download:
    url = asked.url
    async with (
        httpx.AsyncClient(
            follow_redirects=True,
            max_redirects=MAX_REDIRECTS,
            timeout=timeout,
            headers=asked.headers,
            transport=asked.transport,
        ) as client,
        client.stream("GET", url) as response,
    ):
        final_url = str(response.url)
        if response.status_code >= 400:
            raise FetchError(f"{url}: {response.status_code} {response.reason_phrase}")
        if response.status_code >= 300:  # a redirect with no Location: no page to read
            status = f"{response.status_code} {response.reason_phrase}"
            raise FetchError(f"{url}: {status} without a Location to follow")
        content_type = response.headers.get("content-type", "")
        media_type = content_type.partition(";")[0].strip().lower()
        if media_type and asked.media_types is not None and media_type not in asked.media_types:
            raise FetchError(f"{url}: not {asked.kind} ({media_type})")
        body, truncated = await _read(response, asked.max_bytes)
    return Download(url, final_url, body, content_type, truncated)


async def _read(response: httpx.Response, max_bytes: int) -> tuple[bytes, bool]:
    chunks: list[bytes] = []
    size = 0
    async for chunk in response.aiter_bytes():
        chunks.append(chunk)
        size += len(chunk)
        if size >= max_bytes:
            return b"".join(chunks)[:max_bytes], True
    return b"".join(chunks), False


def network_reason(error: BaseException, host: str) -> str:
    """Why a request to `host` failed, in words: the cause's kind, found down the exception
    chain; naming the host a redirect led to, when that is the one that failed (the
    curator's host, which had just answered, was said not to exist)."""
    failed = host
    if isinstance(error, httpx.RequestError):
        with contextlib.suppress(RuntimeError):  # a request is not always attached
            failed = error.request.url.host or host
    if ascii_host(failed) == ascii_host(host):  # one host, maybe written in two forms (IDN)
        return _reason(error, host)
    return f"{_reason(error, failed)}, where a redirect from {host} leads"


def _reason(error: BaseException, host: str) -> str:
    cause: BaseException | None = error
    while cause is not None:
        if isinstance(cause, socket.gaierror):
            return f"the host {host} was not found (DNS lookup failed)"
        if isinstance(cause, ConnectionRefusedError):
            return f"{host} refused the connection"
        if isinstance(cause, ssl.SSLCertVerificationError):
            return f"the TLS certificate of {host} is not valid ({cause.verify_message})"
        if isinstance(cause, ssl.SSLError):
            return f"TLS with {host} failed ({cause.reason or cause})"
        if isinstance(cause, httpx.RemoteProtocolError | httpx.LocalProtocolError):
            return f"{host} sent an answer that is not HTTP, or none at all"
        if isinstance(cause, httpx.ReadError | httpx.WriteError | httpx.CloseError):
            return f"the connection to {host} broke off"
        cause = cause.__cause__ or cause.__context__
    # The library's own words, cut short: they may quote what the server sent, at any length.
    return f"cannot fetch ({type(error).__name__}: {cut(one_line(str(error)), 160)})"


def _looks_like_html(body: bytes) -> bool:
    start = body[:1024].lstrip().lower()
    return start.startswith((b"<!doctype html", b"<html", b"<head", b"<!--", b"<meta", b"<title"))


def _codec(label: str | bytes | None) -> str | None:
    """The Python codec for a charset label, as browsers read it; None when unknown."""
    if not label:
        return None
    name = (label.decode("ascii", "replace") if isinstance(label, bytes) else label).strip()
    name = name.strip("\"'").lower()
    if name in _WINDOWS_1252:
        return "cp1252"
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


def decode_html(body: bytes, content_type: str = "", truncated: bool = False) -> tuple[str, str]:
    """The page's text and the codec used: a byte-order mark, else the charset of the
    Content-Type header, else a `<meta charset>` (or http-equiv) near the start, else UTF-8
    when the bytes are valid UTF-8, else windows-1252 (the web's legacy default).
    `truncated`: the body was cut at the size limit, perhaps inside a character."""
    for bom, name in _BOMS:
        if body.startswith(bom):
            return body[len(bom) :].decode(name, "replace"), name
    header = re.search(r"charset\s*=\s*([^\s;]+)", content_type, re.I)
    encoding = _codec(header.group(1) if header else None)
    if encoding is None:
        meta = _META_CHARSET.search(body[:_PRESCAN])
        encoding = _codec(meta.group(1) if meta else None)
        if encoding and encoding.startswith("utf-16"):
            encoding = "utf-8"  # a page that can be read to find its meta tag is not UTF-16
    if encoding is None:
        try:
            return body.decode("utf-8"), "utf-8"
        except UnicodeDecodeError as error:
            # A body cut at the size limit may end inside a character: still UTF-8.
            cut_short = error.reason == "unexpected end of data" and error.end == len(body)
            encoding = "utf-8" if cut_short and truncated else "cp1252"
    return body.decode(encoding, "replace"), encoding
