"""The identity of a link (`canonical_link`), tracking parameters, and URLs from web pages."""

from __future__ import annotations

import pytest

from roundup.core.links import (
    canonical_link,
    clean_url,
    is_tracking_parameter,
    registrable_domain,
    strip_tracking,
)
from roundup.read.collection import url_key


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("https://Example.COM/a", "https://example.com/a"),
        ("http://example.com/a", "https://example.com/a"),
        ("https://www.example.com/a", "https://example.com/a"),
        ("https://example.com:443/a", "https://example.com/a"),
        ("http://example.com:80/a", "https://example.com/a"),
        ("https://example.com", "https://example.com/"),
        ("https://example.com/a#comments", "https://example.com/a"),
        ("https://example.com/a?utm_source=rss&utm_medium=feed", "https://example.com/a"),
        ("https://example.com/a?UTM_Campaign=x&id=7", "https://example.com/a?id=7"),
        ("https://example.com/a?fbclid=IwAR0&id=7&gclid=Cj0", "https://example.com/a?id=7"),
        ("https://example.com/a?mc_cid=1&mc_eid=2&_hsenc=p2&igshid=x", "https://example.com/a"),
        ("https://example.com/a?ref_src=twsrc%5Etfw", "https://example.com/a"),
        ("https://example.com/%7euser/", "https://example.com/~user/"),
        ("https://example.com/a%2fb", "https://example.com/a%2Fb"),
        ("https://bücher.example/straße", "https://xn--bcher-kva.example/stra%C3%9Fe"),
        ("https://example.com/a b", "https://example.com/a%20b"),
        ("  https://example.com/a  ", "https://example.com/a"),
    ],
)
def test_the_same_link(one: str, other: str) -> None:
    assert canonical_link(one) == canonical_link(other)


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("https://example.com/A", "https://example.com/a"),
        ("https://example.com/a", "https://example.com/a/"),
        ("https://example.com/a?id=1", "https://example.com/a?id=2"),
        ("https://example.com/a?x=1&y=2", "https://example.com/a?y=2&x=1"),
        ("https://example.com/a?ref=home", "https://example.com/a"),
        ("https://example.com:8443/a", "https://example.com/a"),
        ("https://blog.example.com/a", "https://example.com/a"),
        ("https://example.com/a", "https://example.org/a"),
    ],
)
def test_different_links(one: str, other: str) -> None:
    assert canonical_link(one) != canonical_link(other)


def test_canonical_link_is_a_readable_url() -> None:
    url = "HTTP://WWW.Example.COM:80/News/?id=7&utm_source=x#top"
    assert canonical_link(url) == "https://example.com/News/?id=7"
    assert canonical_link("http://[::1]:8080/a") == "https://[::1]:8080/a"
    assert canonical_link("mailto:someone@example.com") == "mailto:someone@example.com"
    assert canonical_link("https://example.com:99999/") == "https://example.com:99999/"


def test_collection_uses_the_same_rule() -> None:
    url = "http://www.example.com/a?utm_source=x#f"
    assert url_key(url) == canonical_link(url) == canonical_link("https://example.com/a")


def test_tracking_parameters() -> None:
    assert all(map(is_tracking_parameter, ["utm_source", "UTM_TERM", "fbclid", "_hsenc"]))
    assert not any(map(is_tracking_parameter, ["id", "v", "page", "ref", "utm"]))


def test_strip_tracking_changes_nothing_else() -> None:
    assert strip_tracking("https://Example.com/a?v=1&utm_source=x#t=30") == (
        "https://Example.com/a?v=1#t=30"
    )
    assert strip_tracking("https://example.com/a?utm_source=x") == "https://example.com/a"
    untouched = "https://example.com/a?b=%20&&c#f"
    assert strip_tracking(untouched) is untouched
    # A login in the URL would be published on every page and feed that shows the link.
    assert strip_tracking("http://user:secret@example.com:8080/a?utm_source=x&v=1") == (
        "http://example.com:8080/a?v=1"
    )
    assert strip_tracking("https://user@example.com/") == "https://example.com/"


def test_clean_url_escapes_what_a_browser_would() -> None:
    assert clean_url(" https://bücher.example:8080/a b/ä?q=ö ü#x y ") == (
        "https://xn--bcher-kva.example:8080/a%20b/%C3%A4?q=%C3%B6%20%C3%BC#x%20y"
    )
    assert clean_url("https://example.com/a%20b?x=%2F") == "https://example.com/a%20b?x=%2F"


@pytest.mark.parametrize(
    ("url", "domain"),
    [
        ("https://www.bbc.co.uk/news/uk-123", "bbc.co.uk"),
        ("https://news.example.com/a", "example.com"),
        ("https://alice.github.io/blog/", "alice.github.io"),
        ("github.com", "github.com"),
        ("https://WWW.Example.ORG:8443/", "example.org"),
        ("https://bücher.de/", "xn--bcher-kva.de"),
        ("http://127.0.0.1:8000/x", "127.0.0.1"),
        ("http://[::1]/", "::1"),
        ("localhost", "localhost"),
        ("https://www.harbourtimes.example/news", "harbourtimes.example"),
    ],
)
def test_registrable_domain(url: str, domain: str) -> None:
    assert registrable_domain(url) == domain
