"""Following a built site's internal links as a reader (or a crawler) would, from its home page."""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urldefrag, urljoin, urlsplit

from lxml import html


@dataclass
class Crawl:
    """What following every internal link from the home page found."""

    reached: set[str] = field(default_factory=set)  # site paths of the pages reached
    broken: list[tuple[str, str]] = field(default_factory=list)  # (page, link) leading nowhere
    anchors: list[tuple[str, str]] = field(default_factory=list)  # (page, link#id) without it


def file_of(out: Path, path: str) -> Path | None:
    """The file a static host serves for a site path ("a/" is a/index.html), if any."""
    local = out / path
    found = local / "index.html" if path == "" or path.endswith("/") else local
    return found if found.is_file() else None


def crawl(out: Path, base_url: str) -> Crawl:
    """Every page reachable from the home page by links in HTML pages, and every internal
    link (`href` or `src` under the base URL) that leads to no file or to a missing anchor."""
    base_path = urlsplit(base_url).path
    host = urlsplit(base_url).netloc
    result = Crawl()
    queue = deque([""])
    result.reached.add("")
    ids: dict[str, set[str]] = {}
    anchors: list[tuple[str, str, str]] = []
    while queue:
        path = queue.popleft()
        page_url = urljoin(base_url, path)
        tree = html.fromstring(file_of(out, path).read_bytes())  # type: ignore[union-attr]
        ids[path] = {e.get("id") for e in tree.iter() if isinstance(e.tag, str) and e.get("id")}
        for element, attribute, link, _ in tree.iterlinks():
            if attribute not in ("href", "src") or element.tag == "base":
                continue
            absolute, fragment = urldefrag(urljoin(page_url, link))
            parts = urlsplit(absolute)
            if parts.netloc != host or not parts.path.startswith(base_path):
                continue
            target = unquote(parts.path).removeprefix(base_path)
            found = file_of(out, target)
            if found is None:
                result.broken.append((path, link))
                continue
            if fragment:
                anchors.append((path, target, fragment))
            if found.suffix == ".html" and target not in result.reached:
                result.reached.add(target)
                queue.append(target)
    result.anchors = [(p, f"{t}#{f}") for p, t, f in anchors if f not in ids.get(t, {f})]
    return result


def html_pages(out: Path) -> list[str]:
    """Every HTML page of a built site, as a site path ("", "topics/", "404.html")."""
    return sorted(
        p.relative_to(out).as_posix().removesuffix("index.html") for p in out.rglob("*.html")
    )
