"""What the local server gives out: the built files under the base path, nothing hidden,
nothing from outside the output folder, and the base path a folder was built for."""

from __future__ import annotations

import errno
import http.client
import os
import shutil
import socket
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from serving import Serve, free_port

from roundup.serve.builtfor import built_base_url
from roundup.serve.livereload import LiveReload, inject, overlay
from roundup.serve.server import Found, SiteServer, locate, make_server

from conftest import FIXTURE, Builder, build_folder


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The fixture site built for https://example.org/links/, with things that must stay
    hidden put into its output folder, and a secret beside it (built once: only read)."""
    tmp_path = tmp_path_factory.mktemp("built")
    shutil.copytree(FIXTURE, tmp_path / "site")  # its cache folder is written beside it
    output, _ = build_folder(tmp_path / "site", tmp_path / "out")
    (output / ".git").mkdir()
    (output / ".git" / "config").write_text("[remote]\n", "utf-8")
    (output / ".env").write_text("TOKEN=secret\n", "utf-8")
    (output / "items" / ".hidden.html").write_text("<p>hidden</p>", "utf-8")
    secret = tmp_path / "secret.txt"
    secret.write_text("outside\n", "utf-8")
    (output / "link.txt").symlink_to(secret)
    (output / "items" / "elsewhere").symlink_to(tmp_path, target_is_directory=True)
    return output


@pytest.fixture(scope="module")
def server(built: Path) -> Iterator[SiteServer]:
    running = make_server(built, "/links/", port=0)
    threading.Thread(target=running.serve_forever, daemon=True).start()
    yield running
    running.shutdown()
    running.server_close()


def request(server: SiteServer, target: str) -> tuple[int, bytes]:
    """Send `target` exactly as written (no client-side normalising) and read the answer."""
    with socket.create_connection(server.server_address[:2], timeout=10) as connection:
        connection.sendall(f"GET {target} HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n".encode())
        answer = b""
        while chunk := connection.recv(65536):
            answer += chunk
    head, _, body = answer.partition(b"\r\n\r\n")
    return int(head.split()[1]), body


HIDDEN = [
    "/links/.git/config",
    "/links/.git/",
    "/links/.env",
    "/links/%2egit/config",
    "/links/%2Eenv",
    "/links/items/.hidden.html",
    "/links/items/%2ehidden.html",
    "/links/./index.html",
    "/links/items/../.env",
    "/links/items/..%2f.env",
    "/links/items%2F..%2F.env",
    "/links/items/%2e%2e/%2e%2e/secret.txt",
    "/links/..%2F..%2Fsecret.txt",
    "/links/%2e%2e%2f%2e%2e%2fsecret.txt",
    "/links/link.txt",
    "/links/items/elsewhere/secret.txt",
    "/links/items/elsewhere/",
    "/links/index.html%00.txt",
    "/links/items\\..\\.env",
    "/links//etc/passwd",
    "/links/..",
    "/.env",
    "/etc/passwd",
]


@pytest.mark.parametrize("target", HIDDEN)
def test_nothing_hidden_or_outside_is_served(server: SiteServer, target: str) -> None:
    status, body = request(server, target)
    assert status == 404
    assert b"secret" not in body and b"TOKEN" not in body and b"[remote]" not in body
    assert b"Page not found" in body  # the site's own 404 page


def test_the_site_itself_is_served(server: SiteServer, built: Path) -> None:
    assert request(server, "/links/") == (200, (built / "index.html").read_bytes())
    assert request(server, "/links/items/a-first/?utm=x")[0] == 200
    assert request(server, "/links/feed.xml") == (200, (built / "feed.xml").read_bytes())
    assert request(server, "/links/topics")[0] == 301


def test_a_file_that_cannot_be_read_is_an_error_and_is_told(
    server: SiteServer,
    built: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    # A page without read permission came back "200 OK" with a "Not found" body, and the
    # terminal said nothing: a link checker took it for a page, the curator never knew.
    page, feed = built / "items" / "a-first" / "index.html", built / "feed.xml"
    real_read, real_open = Path.read_bytes, open

    def refused(path: object) -> None:
        raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(path))

    monkeypatch.setattr(Path, "read_bytes", lambda p: refused(p) if p == page else real_read(p))
    monkeypatch.setattr(
        "builtins.open", lambda f, *a, **k: refused(f) if f == str(feed) else real_open(f, *a, **k)
    )
    for target, name in (("/links/items/a-first/", "index.html"), ("/links/feed.xml", "feed.xml")):
        status, body = request(server, target)
        assert (status, body) == (
            500,
            f"roundup serve: cannot read {name}: Permission denied\n".encode(),
        )
    said = [r.getMessage() for r in caplog.records if r.levelname == "WARNING"]
    assert said == [
        f"{page}: cannot read: Permission denied",
        f"{feed}: cannot read: Permission denied",
    ]
    # Gone since it was found (a rebuild removed it): 404, not "200 OK" and "Not found".
    gone = FileNotFoundError(errno.ENOENT, os.strerror(errno.ENOENT), str(page))
    monkeypatch.setattr(
        Path, "read_bytes", lambda p: (_ for _ in ()).throw(gone) if p == page else real_read(p)
    )
    assert request(server, "/links/items/a-first/")[0] == 404


@pytest.mark.parametrize(
    ("target", "found"),
    [
        ("/", Found(301, location="/links/")),
        ("/links", Found(301, location="/links/")),
        ("/links/topics", Found(301, location="/links/topics/")),
        ("/links/topics/", "topics/index.html"),
        ("/links/items/a-first/index.html", "items/a-first/index.html"),
        ("/links/%74opics/", "topics/index.html"),
        ("/other/", Found(404)),
        ("/links/nope", Found(404)),
        ("/links/.env", Found(404)),
        ("/links/feed.xml/", Found(404)),  # a file is no folder: GitHub Pages answers 404
        ("/links/items/a-first/index.html/", Found(404)),
    ],
)
def test_locate(built: Path, target: str, found: Found | str) -> None:
    root = os.path.realpath(built)
    expected = Found(200, file=os.path.join(root, found)) if isinstance(found, str) else found
    assert locate(root, "/links/", target) == expected


def test_a_site_at_the_root(built: Path) -> None:
    root = os.path.realpath(built)
    assert locate(root, "/", "/") == Found(200, file=os.path.join(root, "index.html"))
    assert locate(root, "/", "/.git/config") == Found(404)
    assert locate(root, "/", "/links/") == Found(404)


def test_other_hosts_are_refused(server: SiteServer) -> None:
    connection = http.client.HTTPConnection(*server.server_address[:2], timeout=10)
    for host, status in [("evil.example", 403), ("evil.example:80", 403), ("[::1]:1", 200)]:
        connection.request("GET", "/links/", headers={"Host": host})
        response = connection.getresponse()
        response.read()
        assert response.status == status, host
        connection.close()


def test_the_base_url_a_folder_was_built_for(build_fixture: Builder) -> None:
    output, _ = build_fixture(base_url="https://user.github.io/repo/")
    assert built_base_url(output) == "https://user.github.io/repo/"
    # Without the feed, robots.txt tells; without both, the home page's canonical link.
    (output / "feed.xml").unlink()
    assert built_base_url(output) == "https://user.github.io/repo/"
    (output / "robots.txt").write_text("User-agent: *\nDisallow: /\n", "utf-8")
    assert built_base_url(output) == "https://user.github.io/repo/"
    (output / "index.html").write_text("<!doctype html><title>x</title>", "utf-8")
    assert built_base_url(output) is None
    assert built_base_url(output / "missing") is None


def test_a_preview_build_tells_its_base_url_too(build_fixture: Builder) -> None:
    output, _ = build_fixture(preview=True, base_url="https://example.com/p/")
    assert built_base_url(output) == "https://example.com/p/"


def test_the_reload_script_goes_before_the_end_of_the_body() -> None:
    state = LiveReload().state
    page = inject(b"<html><body><p>x</p></BODY>\n</html>", state)
    assert page.startswith(b"<html><body><p>x</p><script>")
    assert page.endswith(b"</script></BODY>\n</html>")
    assert state.version.encode() in page
    assert inject(b"<p>no body", state).startswith(b"<p>no body<script>")


def test_the_overlay_is_escaped_and_only_there_with_errors() -> None:
    assert overlay(()) == ""
    shown = overlay(("a.md:1: title: '<script>alert(1)</script>' & more",))
    assert "<script>" not in shown
    assert "&#x27;&lt;script&gt;alert(1)&lt;/script&gt;&#x27; &amp; more" in shown
    assert 'role="alert"' in shown


def test_live_reload_states() -> None:
    live = LiveReload()
    first = live.state
    live.built(changed=False)
    assert live.state == first
    live.failed(["a.md:1: title: missing"])
    assert live.state.version == first.version and live.state.errors == ("a.md:1: title: missing",)
    assert live.wait(first, 0.01) == live.state
    assert live.wait(live.state, 0.01) is None  # nothing new: times out
    live.built(changed=True)
    assert live.state.version != first.version and live.state.errors == ()
    live.close()
    assert live.wait(None, 5) is None


def test_no_build_serves_a_folder_as_it_was_built(fixture_site: Path, tmp_path: Path) -> None:
    output, _ = build_folder(fixture_site, tmp_path / "prod", base_url="https://user.github.io/r/")
    before = {p: p.stat().st_mtime_ns for p in output.rglob("*")}
    running = Serve(fixture_site, "--no-build", "--output", str(output), "--port", "0").ready()
    try:
        assert running.url.endswith("/r/")
        running.wait_for_line(
            r"serving \S+/prod/ at \S+ \(as built, for https://user\.github\.io/r/\)"
        )
        home = running.get("")
        assert home.status == 200
        assert home.body == (output / "index.html").read_bytes()  # no reload script
        assert running.get("/links/").status == 404  # not the config's base path
    finally:
        assert running.stop() == 0
    assert {p: p.stat().st_mtime_ns for p in output.rglob("*")} == before


def test_preview_builds_into_the_cache_folder(fixture_site: Path) -> None:
    running = Serve(fixture_site, "--preview", "--port", "0").ready()
    try:
        running.wait_for_line(r"building a preview into \.roundup-cache/preview/site/")
        draft = running.get("items/d-draft/")
        assert draft.status == 200
        assert draft.page().cssselect(".preview-banner")
    finally:
        assert running.stop() == 0
    assert not (fixture_site / "output").exists()
    assert (fixture_site / ".roundup-cache/preview/site/items/d-draft/index.html").is_file()


def test_preview_refuses_the_deployed_folder(fixture_site: Path) -> None:
    running = Serve(fixture_site, "--preview", "--output", "output", "--port", "0")
    assert running.process.wait(30) == 1
    running.wait_for_line("^$")
    assert running.lines[:-1] == [
        "roundup: refusing to build a preview into output, the folder that gets deployed; "
        "leave out --output (previews go into the cache folder) or name another folder"
    ]


def test_the_next_free_port_is_taken_without_port(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], built: Path
) -> None:
    from roundup.commands import serve as command
    from roundup.serve.server import Site

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        monkeypatch.setattr(command, "DEFAULT_PORT", port)
        monkeypatch.setattr(command, "PORTS_TRIED", 40)
        server = command.listen(None, Site(built, "/links/"), None)
        assert server is not None
        try:
            used = server.server_address[1]
            assert port < used < port + 40
            assert capsys.readouterr().out == (
                f"roundup: port {port} is in use; serving on port {used} instead\n"
            )
        finally:
            server.server_close()
        monkeypatch.setattr(command, "PORTS_TRIED", 1)
        assert command.listen(None, Site(built, "/links/"), None) is None
        assert capsys.readouterr().err == (
            f"roundup: ports {port}-{port} on 127.0.0.1 are all in use; choose a port with "
            "--port N (--port 0: any free port)\n"
        )


def test_a_port_out_of_range_is_a_usage_error(fixture_site: Path) -> None:
    running = Serve(fixture_site, "--port", "70000")
    assert running.process.wait(30) == 2
    running.wait_for_line("^$")
    assert "'70000' is not a port number (0 to 65535)" in running.output
    assert free_port() > 0
