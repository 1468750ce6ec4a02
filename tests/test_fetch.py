"""Fetching pages for `roundup new` from the local fixture server: limits and one-line errors."""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator

import httpx
import pytest

from roundup import __version__
from roundup.web.fetch import FetchError, fetch

from webserver import FixtureWeb, serve_fixtures


@pytest.fixture(scope="module")
def web() -> Iterator[FixtureWeb]:
    with serve_fixtures() as server:
        yield server


def test_a_page_is_fetched_with_roundups_user_agent(web: FixtureWeb) -> None:
    page = fetch(web.url("/news/council-bridge"))
    assert page.final_url == web.url("/news/council-bridge")
    assert page.encoding == "utf-8" and not page.truncated
    assert "Council approves £14m" in page.text
    [(method, _, agent)] = [r for r in web.requests if r[1] == "/news/council-bridge"][-1:]
    assert method == "GET" and agent.startswith(f"roundup/{__version__} ")


def test_redirects_are_followed_and_the_final_url_kept(web: FixtureWeb) -> None:
    page = fetch(web.url("/r/short"))
    assert page.url == web.url("/r/short")
    assert page.final_url == web.url("/news/council-bridge")


def test_the_charset_of_the_http_header(web: FixtureWeb) -> None:
    page = fetch(web.url("/forum/waermepumpen"))
    assert page.encoding == "cp1252"  # ISO-8859-1 as browsers read it
    assert "Über die Größe" in page.text and "12.000 €" in page.text


def test_the_body_is_capped(web: FixtureWeb) -> None:
    page = fetch(web.url("/news/council-bridge"), max_bytes=1000)
    assert page.truncated and len(page.text.encode()) <= 1000


@pytest.mark.parametrize(
    ("path", "message"),
    [
        ("/gone", "/gone: 404 Not Found"),
        ("/broken", "/broken: 500 Internal Server Error"),
        ("/busy/fetch", "/busy/fetch: 429 Too Many Requests"),
        ("/paper.pdf", "/paper.pdf: not an HTML page (application/pdf)"),
        ("/loop", "/loop: more than 10 redirects"),
        ("/nowhere", "/nowhere: 302 Found without a Location to follow"),
    ],
)
def test_failures_are_one_line(web: FixtureWeb, path: str, message: str) -> None:
    with pytest.raises(FetchError) as caught:
        fetch(web.url(path))
    assert str(caught.value) == web.url("") + message


def test_a_slow_page_times_out(web: FixtureWeb) -> None:
    started = time.monotonic()
    with pytest.raises(FetchError, match=r"/slow: no answer within 0\.5 s$"):
        fetch(web.url("/slow"), timeout=0.5)
    assert time.monotonic() - started < 2


def test_headers_sent_a_byte_at_a_time_time_out_too(web: FixtureWeb) -> None:
    # httpx's timeouts are per read: each byte came in time, and `new` waited for ever.
    started = time.monotonic()
    with pytest.raises(FetchError, match=r"/drip-headers: no answer within 0\.5 s$"):
        fetch(web.url("/drip-headers"), timeout=0.5)
    assert time.monotonic() - started < 2


def test_a_refused_connection() -> None:
    with socket.socket() as unused:
        unused.bind(("127.0.0.1", 0))
        port = unused.getsockname()[1]
    with pytest.raises(FetchError, match=r"127\.0\.0\.1 refused the connection$"):
        fetch(f"http://127.0.0.1:{port}/")


def test_a_host_that_does_not_exist(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_such_host(host: str, *args: object, **kwargs: object) -> object:
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    monkeypatch.setattr(socket, "getaddrinfo", no_such_host)
    with pytest.raises(FetchError) as caught:
        fetch("https://no-such-host.example/page")
    assert str(caught.value) == (
        "https://no-such-host.example/page: the host no-such-host.example was not found "
        "(DNS lookup failed)"
    )


@pytest.mark.parametrize("url", ["ftp://example.com/", "file:///etc/passwd", "example.com/a"])
def test_only_http_and_https(url: str) -> None:
    with pytest.raises(FetchError, match="only http:// and https:// URLs can be fetched"):
        fetch(url)


@pytest.mark.parametrize(
    "url", ["http://[::1/", "http://exa mple.com/", "https://example.com:99999/"]
)
def test_a_malformed_url_is_a_one_line_error(url: str) -> None:
    with pytest.raises(FetchError, match=r"not a valid URL|only http"):
        fetch(url)


def test_a_failure_names_the_host_that_failed_and_the_one_a_redirect_came_from() -> None:
    from roundup.web.fetch import network_reason

    def refused(url: str) -> httpx.ConnectError:
        error = httpx.ConnectError("refused", request=httpx.Request("GET", url))
        error.__cause__ = ConnectionRefusedError()
        return error

    # httpx gives an IDN host decoded: the same host written as the curator wrote it.
    assert network_reason(refused("http://xn--bcher-kva.example/a"), "xn--bcher-kva.example") == (
        "xn--bcher-kva.example refused the connection"
    )
    assert network_reason(refused("http://other.example/a"), "start.example") == (
        "other.example refused the connection, where a redirect from start.example leads"
    )
