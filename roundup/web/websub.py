"""WebSub publishing: tell the hub which of the built feeds changed since the last ping.

What changed is told by each feed file's SHA-256 beside a record, in the cache folder, of the
digests the hub was last told about (`websub.json`, by feed URL). A feed is recorded only once
the hub accepted its ping, so a failed ping is sent again the next time. The feeds' URLs are
read from the feeds themselves (their self links), so a ping names exactly the URLs that the
build wrote, whatever base URL it was given.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urljoin
from xml.etree import ElementTree

from roundup import __version__
from roundup.core.errors import RoundupError
from roundup.core.text import collapse_spaces
from roundup.state.folder import StateFolder

log = logging.getLogger(__name__)

RECORD_FILE = "websub.json"
SITE_FEED = "feed.xml"
_ATOM_LINK = "{http://www.w3.org/2005/Atom}link"
TIMEOUT = 20.0  # seconds for each request: a hub that takes longer is not answering
_MAX_REASON = 200  # characters of the hub's own explanation quoted in an error


class PingError(RoundupError):
    """The feeds cannot be read, or the record cannot be written."""


@dataclass(frozen=True, slots=True)
class Feed:
    """One built feed: its file (relative to the output folder), its URL and its digest."""

    path: str
    url: str
    digest: str


@dataclass(slots=True)
class Outcome:
    """What the hub made of the pings: the feeds it accepted and, by URL, why it refused."""

    accepted: list[Feed] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)
    unsent: list[Feed] = field(default_factory=list)  # never sent: the hub could not be reached


def built_feeds(output_dir: Path) -> list[Feed]:
    """The site's feeds, every topic's and source's, and the editions feed, as the last build
    wrote them into `output_dir`."""
    if not (output_dir / SITE_FEED).is_file():
        raise PingError(f"{output_dir / SITE_FEED} not found; build the site first")
    paths = [output_dir / name for name in ("feed.xml", "rss.xml", "feed.json", "editions.xml")]
    for topic in sorted((output_dir / "topics").glob("*/")):
        paths += [topic / "feed.xml", topic / "rss.xml"]
    paths += sorted((output_dir / "sources").glob("*/feed.xml"))
    feeds = []
    for path in paths:
        if not path.is_file():
            continue
        data = _read(path)
        url = _self_url(path, data)
        if url:
            relative = path.relative_to(output_dir).as_posix()
            feeds.append(Feed(relative, url, hashlib.sha256(data).hexdigest()))
    return feeds


def hubs_named(output_dir: Path) -> list[str]:
    """The hubs the site's Atom feed names (rel="hub"): the ones subscribers were told of."""
    root = _xml(output_dir / SITE_FEED, _read(output_dir / SITE_FEED))
    return [link.get("href", "") for link in root.iter(_ATOM_LINK) if link.get("rel") == "hub"]


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as error:
        raise PingError(f"{path}: cannot read: {error.strerror}") from None


def _xml(path: Path, data: bytes) -> ElementTree.Element:
    try:
        return ElementTree.fromstring(data)
    except ElementTree.ParseError as error:
        raise PingError(f"{path}: not a feed roundup wrote ({error})") from None


def _self_url(path: Path, data: bytes) -> str:
    if path.suffix == ".json":
        try:
            url = json.loads(data).get("feed_url", "")
        except (ValueError, AttributeError):
            raise PingError(f"{path}: not a feed roundup wrote (not JSON Feed)") from None
        return url if isinstance(url, str) else ""
    # Atom's links are in its namespace; RSS carries them as atom:link in the channel.
    for link in _xml(path, data).iter(_ATOM_LINK):
        if link.get("rel") == "self":
            return link.get("href", "")
    return ""


def read_record(cache_dir: Path, hub: str) -> dict[str, str]:
    """The digest of each feed, by URL, that `hub` was last told of ({} if none, or another
    hub was: a new hub hears of every feed)."""
    try:
        data = json.loads((cache_dir / RECORD_FILE).read_text("utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, ValueError) as error:
        log.warning("%s ignored (%s): every feed counts as changed", cache_dir / RECORD_FILE, error)
        return {}
    feeds = data.get("feeds") if isinstance(data, dict) and data.get("hub") == hub else None
    if not isinstance(feeds, dict):
        return {}
    return {url: digest for url, digest in feeds.items() if isinstance(digest, str)}


def changed(feeds: list[Feed], record: dict[str, str]) -> list[Feed]:
    return [feed for feed in feeds if record.get(feed.url) != feed.digest]


def save_record(
    cache_dir: Path, hub: str, feeds: list[Feed], record: dict[str, str], accepted: list[Feed]
) -> None:
    """Record what the hub now knows: feeds it accepted, and the rest as they were recorded
    (a feed that is gone drops out; one the hub refused stays changed)."""
    current = {feed.url for feed in feeds}
    kept = {url: digest for url, digest in record.items() if url in current}
    kept.update({feed.url: feed.digest for feed in accepted})
    data = {"hub": hub, "feeds": dict(sorted(kept.items()))}
    target = cache_dir / RECORD_FILE
    temporary = cache_dir / f".{RECORD_FILE}.{os.getpid()}.tmp"
    StateFolder(cache_dir).ensure()  # owner-only and tagged, as a build makes it
    try:
        temporary.write_text(json.dumps(data, indent=1) + "\n", "utf-8")
        os.replace(temporary, target)
    except OSError as error:
        temporary.unlink(missing_ok=True)
        raise PingError(f"{target}: cannot write: {error.strerror}") from None


def publish(hub: str, feeds: list[Feed], timeout: float = TIMEOUT) -> Outcome:
    """POST `hub.mode=publish` and `hub.url=<feed URL>` to the hub, one request a feed (not
    every hub reads several hub.url in one request). A 2xx answer is an acceptance."""
    import httpx  # only `roundup ping` needs an HTTP client

    outcome = Outcome()
    headers = {"User-Agent": f"roundup/{__version__} (WebSub publisher)"}
    with httpx.Client(timeout=timeout, headers=headers, follow_redirects=False) as client:
        for number, feed in enumerate(feeds):
            try:
                response = client.post(hub, data={"hub.mode": "publish", "hub.url": feed.url})
            except httpx.TransportError as error:
                # Unreachable for one feed is unreachable for all: do not wait once a feed.
                outcome.failed[feed.url] = f"cannot reach the hub {hub}: {_reason(error)}"
                outcome.unsent = feeds[number + 1 :]
                break
            if response.is_success:
                outcome.accepted.append(feed)
            else:
                outcome.failed[feed.url] = _refusal(response)
    return outcome


def _reason(error: Exception) -> str:
    return str(error) or type(error).__name__


def _refusal(response: Any) -> str:
    status = f"{response.status_code} {response.reason_phrase}".strip()
    where = response.headers.get("location", "").strip() if response.is_redirect else ""
    if where:
        where = urljoin(str(response.url), where)  # a Location may be relative
        if response.status_code in (301, 308):
            return f"the hub answered {status} (to {where}); set websub_hub to the URL it moved to"
        # A hub that redirects a ping now and then has not moved: the setting stays.
        return f"the hub answered {status} (to {where}) and took no ping; try again later"
    text = collapse_spaces(response.text)[:_MAX_REASON]
    text = "".join(c for c in text if c.isprintable())
    return f"the hub answered {status}" + (f": {text}" if text else "")
