"""The state `roundup serve` tells open pages about, and the script and overlay that show it.

Pages served while watching get a small script (added to the response only, never to a built
file) that listens to the server's events: after a build that changed files it reloads the
page where it was scrolled to; after a failed build it shows the errors over the last good page.
"""

from __future__ import annotations

import html
import json
import secrets
import string
import threading
from dataclasses import dataclass

EVENTS_PATH = "/_roundup/events"  # outside any base path's site files: no page can be there


@dataclass(frozen=True, slots=True)
class State:
    """What the site being served is: which build (`version`), and the last build's errors."""

    version: str
    errors: tuple[str, ...] = ()
    headline: str = ""  # over the errors: what is served meanwhile (see `HEADLINE`)

    def event(self) -> bytes:
        """The state as one server-sent event (JSON keeps every line break escaped)."""
        data = json.dumps(
            {"version": self.version, "errors": list(self.errors), "headline": self.headline}
        )
        return f"event: state\ndata: {data}\n\n".encode()


class LiveReload:
    """The current state, shared by the build loop (which changes it) and the event streams."""

    def __init__(self) -> None:
        # A new value each time serve starts: pages of an earlier run reload once reconnected.
        self._run = secrets.token_hex(4)
        self._builds = 0
        self._state = State(self._version())
        self._changed = threading.Condition()
        self.closed = False

    def _version(self) -> str:
        return f"{self._run}-{self._builds}"

    @property
    def state(self) -> State:
        return self._state

    def built(self, changed: bool) -> None:
        """A build succeeded: pages reload if it changed files; any error shown goes away."""
        if changed:
            self._builds += 1
        self._publish(State(self._version()))

    def failed(self, errors: list[str], headline: str = "") -> None:
        """A build failed: the site is unchanged, and open pages show why, under `headline`
        (by default `HEADLINE`: the last good build is what they see)."""
        self._publish(State(self._version(), tuple(errors), headline or HEADLINE))

    def _publish(self, state: State) -> None:
        with self._changed:
            self._state = state
            self._changed.notify_all()

    def wait(self, seen: State | None, timeout: float) -> State | None:
        """The state once it differs from `seen`, or None after `timeout` seconds or on close."""
        with self._changed:
            self._changed.wait_for(lambda: self._state != seen or self.closed, timeout)
            return None if self.closed or self._state == seen else self._state

    def close(self) -> None:
        """End every event stream (the server is stopping)."""
        with self._changed:
            self.closed = True
            self._changed.notify_all()


def inject(page: bytes, state: State) -> bytes:
    """The page with the error overlay (when there are errors) and the reload script added
    just before `</body>`, or at the end when it has none."""
    script = _SCRIPT.substitute(
        version=state.version,
        events=EVENTS_PATH,
        box=_BOX,
        head=_HEAD,
        headline=HEADLINE,
        lines=_LINES,
        close=_CLOSE,
    )
    snippet = (overlay(state.errors, state.headline or HEADLINE) + script).encode()
    end = page.lower().rfind(b"</body")
    return page + snippet if end < 0 else page[:end] + snippet + page[end:]


# Inline styles, so that no stylesheet of the site can hide or restyle the overlay; white on a
# near-black red has a contrast of 17:1, the headline's red bar is decoration only.
_BOX = (
    "position:fixed;left:0;right:0;bottom:0;z-index:2147483647;max-height:60vh;overflow:auto;"
    "margin:0;padding:12px 16px 16px;background:#2b0b0e;color:#fff;border-top:6px solid #e5484d;"
    "font:15px/1.5 system-ui,sans-serif;text-align:left;box-shadow:0 -4px 16px rgba(0,0,0,.4)"
)
_HEAD = "margin:0 40px 8px 0;font-weight:700;color:#fff"
_LINES = (
    "margin:0;padding:0;background:none;color:#fff;border:0;"
    "font:14px/1.5 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;"
    "white-space:pre-wrap;overflow-wrap:anywhere"
)
_CLOSE = (
    "position:absolute;top:8px;right:8px;min-width:32px;min-height:32px;padding:0 8px;"
    "background:#fff;color:#2b0b0e;border:0;border-radius:4px;font:700 18px/1 system-ui;"
    "cursor:pointer"
)
HEADLINE = "roundup: the last change did not build. This is still the last good build."
# When no build ever succeeded, there is no last good build to show.
NOTHING_BUILT = "roundup: the site did not build. Its pages appear once it does."


def overlay(errors: tuple[str, ...], headline: str = HEADLINE) -> str:
    """The errors as a box over the page, announced to screen readers; empty without errors."""
    if not errors:
        return ""
    lines = html.escape("\n".join(errors))
    return (
        f'<div id="roundup-errors" role="alert" style="{_BOX}">'
        f'<p style="{_HEAD}">{html.escape(headline)}</p>'
        f'<pre style="{_LINES}">{lines}</pre>'
        f'<button type="button" aria-label="Hide the build errors" style="{_CLOSE}">'
        "&times;</button>"
        "</div>"
    )


# The same overlay built with DOM calls (text is set with textContent: never parsed as HTML).
# A reload keeps the scroll position: browsers usually do, sessionStorage makes sure.
_SCRIPT = string.Template(
    """<script>/* added by roundup serve; not part of the built site */
(function () {
  "use strict";
  var version = "$version", key = "roundup-scroll:" + location.pathname;
  var saved = sessionStorage.getItem(key);
  if (saved) {
    sessionStorage.removeItem(key);
    var xy = saved.split(",");
    window.scrollTo(+xy[0], +xy[1]);
  }
  function hide() {
    var box = document.getElementById("roundup-errors");
    if (box) box.remove();
  }
  function wire(box) {
    box.querySelector("button").addEventListener("click", hide);
  }
  function show(errors, headline) {
    var box = document.getElementById("roundup-errors");
    if (box && box.querySelector("pre").textContent === errors.join("\\n")) return;
    hide();
    if (!errors.length) return;
    box = document.createElement("div");
    var head = document.createElement("p"),
      lines = document.createElement("pre"), close = document.createElement("button");
    box.id = "roundup-errors";
    box.setAttribute("role", "alert");
    box.style.cssText = "$box";
    head.style.cssText = "$head";
    head.textContent = headline || "$headline";
    lines.style.cssText = "$lines";
    lines.textContent = errors.join("\\n");
    close.type = "button";
    close.setAttribute("aria-label", "Hide the build errors");
    close.style.cssText = "$close";
    close.textContent = "\\u00d7";
    box.append(head, lines, close);
    document.body.appendChild(box);
    wire(box);
  }
  var shown = document.getElementById("roundup-errors");
  if (shown) wire(shown);
  var events = new EventSource("$events");
  events.addEventListener("state", function (event) {
    var state = JSON.parse(event.data);
    if (state.version !== version) {
      events.close();
      sessionStorage.setItem(key, window.scrollX + "," + window.scrollY);
      location.reload();
    } else {
      show(state.errors, state.headline);
    }
  });
})();
</script>"""
)
