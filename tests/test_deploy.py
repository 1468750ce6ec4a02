"""A GitHub Pages project site: every link resolves under the base path, the way Pages serves it."""

from __future__ import annotations

import json
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

import pytest
from lxml import etree, html

from roundup.serve.server import make_server

from conftest import SHOWCASE, build_folder

BASE = "https://example.github.io/some-repo/"


@pytest.fixture(scope="module")
def project_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("pages") / "output"
    build_folder(SHOWCASE, out, base_url=BASE, cname="links.example.org")
    return out


def _links(out: Path) -> Iterator[tuple[str, str]]:
    """(file, absolute URL) for every link in every page, feed and the sitemap."""
    for path in sorted(out.rglob("*")):
        name = path.relative_to(out).as_posix()
        if name.startswith(".roundup/") or not path.is_file():
            continue
        page_url = urljoin(BASE, name.removesuffix("index.html"))
        if path.suffix == ".html":
            for element, attribute, link, _ in html.fromstring(path.read_bytes()).iterlinks():
                if attribute in ("href", "src") and element.tag != "base":
                    yield name, urljoin(page_url, link)
        elif path.suffix in (".xml", ".opml"):
            tree = etree.fromstring(path.read_bytes())
            for element in tree.iter():
                for attribute in ("href", "xmlUrl", "htmlUrl"):
                    if element.get(attribute):
                        yield name, element.get(attribute)
                tag = etree.QName(element).localname if isinstance(element.tag, str) else ""
                if tag in ("loc", "link", "id", "guid") and (element.text or "").startswith("http"):
                    yield name, element.text.strip()
        elif name == "feed.json":  # not Pagefind's pagefind-entry.json
            feed = json.loads(path.read_bytes())
            yield name, feed["home_page_url"]
            yield name, feed["feed_url"]
            for item in feed["items"]:
                yield name, item["url"]


def _resolves(out: Path, url: str) -> bool:
    """Whether GitHub Pages would serve a file for this URL (dir/ → dir/index.html)."""
    path = unquote(urlsplit(url).path)
    if not path.startswith("/some-repo/"):
        return False
    local = out / path.removeprefix("/some-repo/")
    return (local / "index.html").is_file() if path.endswith("/") else local.is_file()


def test_every_internal_link_resolves_under_the_base_path(project_site: Path) -> None:
    checked = 0
    broken = []
    for name, url in _links(project_site):
        if urlsplit(url).netloc != "example.github.io":
            continue
        checked += 1
        if not _resolves(project_site, url):
            broken.append((name, url))
    assert not broken, broken[:20]
    assert checked > 500  # pages, sitemap and feeds were all looked at


def test_pages_extras(project_site: Path) -> None:
    assert (project_site / ".nojekyll").is_file()
    assert (project_site / "CNAME").read_text() == "links.example.org\n"
    not_found = html.fromstring((project_site / "404.html").read_bytes())
    # GitHub Pages serves 404.html for any missing path, so its links must be absolute paths.
    hrefs = [a.get("href") for a in not_found.iter("a", "link") if a.get("href")]
    assert hrefs and all(h.startswith(("/some-repo/", "https://", "#")) for h in hrefs), hrefs


def test_serve_previews_the_build_under_its_base_path(project_site: Path) -> None:
    server = make_server(project_site, "/some-repo/", port=0)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    host, port = server.server_address[:2]
    root = f"http://{host}:{port}"
    try:
        with urllib.request.urlopen(f"{root}/some-repo/topics/") as response:
            assert b"<h1" in response.read()
        with urllib.request.urlopen(f"{root}/some-repo/feed.xml") as response:
            assert response.headers["Content-Type"] in ("application/xml", "text/xml")
        for missing in ("/some-repo/nope/", "/elsewhere/"):
            with pytest.raises(urllib.error.HTTPError) as error:
                urllib.request.urlopen(root + missing)
            assert error.value.code == 404
            assert b"Page not found" in error.value.read()
    finally:
        server.shutdown()
        server.server_close()
