"""Request every curated URL, politely and concurrently, and say which are dead or have moved.

At most `PER_HOST` requests at a time go to one host and `TOTAL` in all. Each URL is asked
with HEAD, then with GET when HEAD is refused or fails (many servers answer HEAD wrongly).
A `429 Too Many Requests` is retried after its `Retry-After` (capped). Results that hold
(a live link, a permanent redirect) are kept in a JSON file for a day, so a second run
requests only the links that failed or are new.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import time
from collections.abc import Iterable
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

import httpx
import msgspec

from roundup.core.errors import OutputError
from roundup.core.links import strip_tracking
from roundup.core.model import Article
from roundup.state.folder import StateFolder
from roundup.web.fetch import USER_AGENT, network_reason

log = logging.getLogger(__name__)

PER_HOST = 2
TOTAL = 16
TIMEOUT = 10.0
RETRIES_AFTER_429 = 2
MAX_RETRY_AFTER = 30.0  # seconds: a site asking for longer is reported as not checked
DEFAULT_RETRY_AFTER = 5.0
CACHE_FILE = "links.json"
CACHE_SECONDS = 24 * 3600
_CACHE_VERSION = 1
_PERMANENT = (301, 308)
# Answers that say "not to you" rather than "not here": sites that refuse robots.
_REFUSED = (401, 403, 999)

Kind = Literal["ok", "dead", "moved", "unchecked"]


@dataclass(frozen=True, slots=True)
class Use:
    """One place a URL is written: file (relative to the content folder), line, field."""

    source: str
    line: int | None
    field: str
    url: str


@dataclass(frozen=True, slots=True)
class Outcome:
    """What became of one URL. `reason` is a short text (`404 Not Found`, `no answer within
    10 s`); `location` is where a permanent redirect leads."""

    kind: Kind
    reason: str
    status: int | None = None
    location: str | None = None
    cached: bool = False


def uses_of(articles: Iterable[Article]) -> list[Use]:
    """Every URL of every article a reader may follow or see: originalUrl, webUrl, the
    related links and the images, each once per file. (Related links' images are never
    shown, and not requested.)"""
    uses = []
    for article in articles:
        related = [r.url for r in article.related if r.url]
        named = [
            ("originalUrl", article.original_url),
            ("webUrl", article.web_url),
            *zip(_names(article, "related["), related, strict=False),
            *zip(_names(article, "images["), [i.url for i in article.images], strict=False),
        ]
        seen: set[str] = set()
        for field, url in named:
            if url and url not in seen:  # webUrl is often originalUrl again
                seen.add(url)
                uses.append(Use(article.source, article.lines.get(field), field, url))
    return uses


def _names(article: Article, prefix: str) -> list[str]:
    """The field names of the nested links in `Article.lines`, in the order of the entries."""
    return [name for name in article.lines if name.startswith(prefix)]


class _Entry(msgspec.Struct, forbid_unknown_fields=True):
    """One outcome as `links.json` keeps it: an Outcome and when it was found."""

    kind: Kind
    reason: str
    status: int | None
    location: str | None
    checked: float


class _CacheFile(msgspec.Struct):
    version: int
    links: dict[str, _Entry]


class LinkCache:
    """Outcomes that hold for a day, in `<cache folder>/links.json` (plain JSON)."""

    def __init__(self, folder: Path | None, now: float | None = None) -> None:
        self.path = folder / CACHE_FILE if folder else None
        self.now = time.time() if now is None else now
        self.entries: dict[str, _Entry] = {}
        if self.path is None:
            return
        try:
            # Checked field by field (msgspec): a file edited or damaged by hand was an
            # internal error when a field held the wrong type.
            data = msgspec.json.decode(self.path.read_bytes(), type=_CacheFile)
        except (OSError, msgspec.DecodeError):
            return  # none yet, or damaged: every link is requested again
        if data.version != _CACHE_VERSION:
            return
        for url, entry in data.links.items():
            if 0 <= self.now - entry.checked < CACHE_SECONDS:
                self.entries[url] = entry

    def get(self, url: str) -> Outcome | None:
        entry = self.entries.get(url)
        if entry is None:
            return None
        return Outcome(entry.kind, entry.reason, entry.status, entry.location, cached=True)

    def put(self, url: str, outcome: Outcome) -> None:
        if outcome.kind in ("ok", "moved"):  # failures are asked again next time
            found = (outcome.kind, outcome.reason, outcome.status, outcome.location)
            self.entries[url] = _Entry(*found, checked=self.now)

    def save(self) -> None:
        if self.path is None:
            return
        links = {url: msgspec.structs.asdict(e) for url, e in sorted(self.entries.items())}
        data = {"version": _CACHE_VERSION, "links": links}
        temporary = self.path.with_name(f".{CACHE_FILE}.{os.getpid()}.tmp")
        try:
            # As a build makes it (owner-only, tagged): the first command to make the cache
            # folder made it readable by all, and drafts' texts later went into it.
            StateFolder(self.path.parent).ensure()
            temporary.write_text(json.dumps(data, indent=0), encoding="utf-8")
            os.replace(temporary, self.path)
        except OutputError as error:
            log.warning("cannot keep link results: %s", error)
        except OSError as error:  # a cache that cannot be kept only costs time next run
            log.warning("cannot keep link results in %s: %s", self.path, error.strerror)
            temporary.unlink(missing_ok=True)


def check_urls(
    urls: Iterable[str],
    cache: LinkCache | None = None,
    *,
    timeout: float = TIMEOUT,
    transport: httpx.AsyncBaseTransport | None = None,
) -> dict[str, Outcome]:
    """The outcome of every URL, from the cache or requested now; the cache is updated."""
    cache = cache or LinkCache(None)
    outcomes: dict[str, Outcome] = {}
    todo = []
    for url in dict.fromkeys(urls):
        known = cache.get(url)
        if known is not None:
            outcomes[url] = known
        else:
            todo.append(url)
    if todo:
        fresh = asyncio.run(_check_all(todo, timeout, transport))
        for url, outcome in fresh.items():
            outcomes[url] = outcome
            cache.put(url, outcome)
        cache.save()
    return outcomes


async def _check_all(
    urls: list[str], timeout: float, transport: httpx.AsyncBaseTransport | None
) -> dict[str, Outcome]:
    overall = asyncio.Semaphore(TOTAL)
    hosts: dict[str, asyncio.Semaphore] = {}
    limits = httpx.Limits(max_connections=TOTAL, max_keepalive_connections=TOTAL)
    async with httpx.AsyncClient(
        follow_redirects=True,
        timeout=timeout,
        limits=limits,
        headers={"User-Agent": USER_AGENT, "Accept": "*/*"},
        transport=transport,
    ) as client:

        async def one(url: str) -> tuple[str, Outcome]:
            host = (urlsplit(url).hostname or "").lower()
            per_host = hosts.setdefault(host, asyncio.Semaphore(PER_HOST))
            async with per_host:
                return url, await _check(client, overall, url, timeout)

        results = await asyncio.gather(*(one(url) for url in urls))
    return dict(results)


async def _check(
    client: httpx.AsyncClient, overall: asyncio.Semaphore, url: str, timeout: float
) -> Outcome:
    for attempt in range(RETRIES_AFTER_429 + 1):
        try:
            async with overall:
                response = await _request(client, url, timeout)
        except (httpx.TimeoutException, TimeoutError):
            return Outcome("unchecked", f"no answer within {timeout:g} s")
        except httpx.TooManyRedirects:
            return Outcome("dead", "too many redirects")
        except httpx.UnsupportedProtocol:
            return Outcome("dead", "redirected to a URL that is not http(s)")
        except httpx.HTTPError as error:
            return Outcome("dead", network_reason(error, urlsplit(url).hostname or ""))
        except httpx.InvalidURL as error:
            return Outcome("dead", f"not a valid URL ({error})")
        if response.status_code != 429:
            return _outcome(response)
        delay = _retry_after(response.headers.get("retry-after"))
        if delay is None or delay > MAX_RETRY_AFTER or attempt == RETRIES_AFTER_429:
            break
        log.debug("%s: 429, retrying in %.1f s", url, delay)
        await asyncio.sleep(delay)  # holding this host's slot: the host asked for a pause
    return Outcome("unchecked", "429 Too Many Requests (the site asks to wait)", 429)


async def _request(client: httpx.AsyncClient, url: str, timeout: float) -> httpx.Response:
    """HEAD, then GET when HEAD is refused or fails: only the answer to GET is trusted to
    say a page is gone. The body of a GET is not read. Both together have `timeout` seconds
    (httpx's timeouts are per read: headers sent a byte at a time would meet each), HEAD at
    most half of them: a slow page took twice the time `--timeout` says."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    try:
        async with asyncio.timeout(timeout / 2):
            response: httpx.Response | None = await client.head(url)
    except (httpx.ConnectError, httpx.ConnectTimeout):
        raise  # the host cannot be reached at all: a GET would only wait for it again
    except (httpx.HTTPError, TimeoutError):  # cut off, garbled, too slow, in a loop
        response = None
    if response is not None and (response.status_code < 400 or response.status_code == 429):
        return response
    async with asyncio.timeout_at(deadline), client.stream("GET", url) as streamed:
        return streamed


def _outcome(response: httpx.Response) -> Outcome:
    status = response.status_code
    reason = f"{status} {response.reason_phrase}".strip()
    if status in _REFUSED:
        return Outcome("unchecked", f"{reason} (the site may refuse robots)", status)
    if status == 503 and "retry-after" in response.headers:  # down for a while, not gone
        return Outcome("unchecked", f"{reason} (the site asks to come back later)", status)
    first = response.history[0] if response.history else None
    if status >= 400:
        if first is not None:  # say where the link leads now: the fix may be to follow it
            led = f"{first.status_code} {first.reason_phrase}".strip()
            reason = f"{reason} at {response.url}, where a {led} leads"
        return Outcome("dead", reason, status)
    if status >= 300:  # a redirect without a Location: nowhere to follow it to
        return Outcome("unchecked", f"{reason} without a Location to follow", status)
    if first is not None and first.status_code in _PERMANENT:
        moved = f"{first.status_code} {first.reason_phrase}".strip()
        # Where the permanent redirect leads, not where a temporary one after it does; without
        # the tracking parameters `new` leaves out of the links it writes.
        target = response.history[1].url if len(response.history) > 1 else response.url
        return Outcome("moved", moved, first.status_code, strip_tracking(str(target)))
    return Outcome("ok", reason, status)


def _retry_after(value: str | None) -> float | None:
    """Seconds to wait: `Retry-After` as seconds or as an HTTP date; a default without it."""
    if value is None:
        return DEFAULT_RETRY_AFTER
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        return max(0.0, parsedate_to_datetime(value).timestamp() - time.time())
    except (TypeError, ValueError, IndexError):
        return DEFAULT_RETRY_AFTER
