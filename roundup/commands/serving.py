"""The loop of `roundup serve`: build, then rebuild on each burst of saves and tell open pages."""

from __future__ import annotations

import argparse
import os
import queue
import signal
import threading
import traceback
from pathlib import Path

from roundup.build.pipeline import build, release
from roundup.build.quick import Memory
from roundup.build.result import BuildResult
from roundup.commands.build import summary, written
from roundup.commands.common import error, for_preview, load_config, printable
from roundup.core.config import SiteConfig
from roundup.core.errors import (
    ConfigError,
    ContentError,
    Interrupted,
    OutputError,
    RoundupError,
)
from roundup.read.loader import display_path
from roundup.read.schedule import build_time
from roundup.serve.builtfor import built_base_url
from roundup.serve.livereload import NOTHING_BUILT, LiveReload
from roundup.serve.server import Site, SiteServer, normal_base_path
from roundup.serve.watch import Sources, Watcher

# How long the event loop of the server sleeps between looks at its stop flag: Ctrl-C waits
# at most this long for it.
POLL_SECONDS = 0.1
# After a rebuild, how long nothing must happen before its leftovers are freed.
IDLE_SECONDS = 0.3
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)
STOP_POLL_SECONDS = 0.5  # how soon a stop whose KeyboardInterrupt was lost is seen


class Session:
    """One run of `roundup serve`: the config it builds with, what it serves, what it watches."""

    def __init__(self, args: argparse.Namespace, config: SiteConfig, cache_dir: Path) -> None:
        self.args = args
        self.config = config
        self.cache_dir = cache_dir  # the whole cache folder, the preview's included
        self.live = None if args.no_watch else LiveReload()
        self.cwd = Path.cwd()
        self.watcher: Watcher | None = None
        self.server: SiteServer | None = None
        self.broken = False  # the last build failed
        self.files = -1  # files in the output after the last good build
        self.memory = Memory()  # what one build worked out that the next can take over
        self.index_behind = False  # the pages were built, their search index not yet
        # Set by Ctrl-C (or SIGTERM) as well as raised: a KeyboardInterrupt that comes while a
        # finalizer runs (the idle `release()` frees a build's objects) is only printed, and
        # serve waited for saves for good.
        self.stop_asked = threading.Event()

    def site(self) -> Site:
        return Site(self.config.output_dir, normal_base_path(self.config.base_path))

    def run(self, server: SiteServer) -> int:
        """Build, serve and (unless --no-watch) rebuild until Ctrl-C; the exit status."""
        self.server = server
        before = {}
        if threading.current_thread() is threading.main_thread():
            before = {signum: signal.signal(signum, self._stop) for signum in STOP_SIGNALS}
        serving = threading.Thread(
            target=server.serve_forever, args=(POLL_SECONDS,), name="server", daemon=True
        )
        serving.start()
        try:
            if self.live is not None:
                # Watching from before the first build: a save made during it is not lost.
                self.watcher = Watcher(self._sources())
                self.watcher.start()
            self._say_what_is_built()
            self._build(set(), first=True)
            if self.watcher is None:
                self._say_where()
                threading.Event().wait()  # until Ctrl-C
            else:
                self.watcher.wait_ready()
                self._say_where()
                self._watch(self.watcher)
        except KeyboardInterrupt:
            self._finish()
            print("roundup: stopped")
        finally:
            if self.watcher is not None:
                self.watcher.stop()
            if self.live is not None:
                self.live.close()
            server.shutdown()
            server.server_close()
            for signum, handler in before.items():
                signal.signal(signum, handler)
        return 0

    def _watch(self, watcher: Watcher) -> None:
        changes = watcher.changes
        while True:
            try:
                changed = changes.get(timeout=IDLE_SECONDS)
            except queue.Empty:
                # Quiet for a moment: the reloaded pages are served by now, so free the last
                # build's objects (0.2 s at 30,000 articles, holding every thread) here rather
                # than at the start of the next rebuild, where a curator would wait for it.
                release()
                changed = self._next(changes)
            while True:  # everything that came during the last build: one rebuild for all
                try:
                    changed |= changes.get_nowait()
                except queue.Empty:
                    break
            source = self.config.source
            if source is not None and str(source) in changed and not self._reload():
                continue
            self._build(changed)

    def _stop(self, signum: int, frame: object) -> None:
        self.stop_asked.set()
        raise KeyboardInterrupt

    def _next(self, changes: queue.Queue[set[str]]) -> set[str]:
        """The next saves, however long they take to come; a stop asked for meanwhile ends
        the wait even if its KeyboardInterrupt was lost."""
        while True:
            try:
                return changes.get(timeout=STOP_POLL_SECONDS)
            except queue.Empty:
                if self.stop_asked.is_set():
                    raise KeyboardInterrupt from None

    def _sources(self) -> Sources:
        return Sources(
            content=self.config.content_dir,
            templates=self.config.templates_dir,
            config=self.config.source,
            written=(self.config.output_dir, self.cache_dir),
        )

    def _reload(self) -> bool:
        """Read the config file again; False (and the errors shown) if it is broken."""
        args = self.args
        try:
            config = load_config(
                args,
                content_dir=args.content,
                output_dir=args.output,
                cache_dir=args.cache_dir,
                base_url=args.base_url,
            )
            self.cache_dir = config.cache_dir
            config = for_preview(args, config)
        except ConfigError as failure:
            self._failed(failure.problems, "the configuration has errors")
            return False
        except RoundupError as failure:
            self._failed([f"roundup: {failure}"], "the configuration cannot be used")
            return False
        moved = self.site() != Site(config.output_dir, normal_base_path(config.base_path))
        self.config = config
        assert self.server is not None and self.watcher is not None
        self.server.site = self.site()
        self.watcher.retarget(self._sources())
        if moved:
            print(f"roundup: the config changed where the site is; now at {self.server.url}")
        return True

    def _build(self, changed: set[str], first: bool = False) -> None:
        try:
            # The search index waits: the edited page reloads first (see `_index`).
            result = build(
                self.config,
                preview=self.args.preview,
                memory=self.memory,
                search_index=False,
                now=build_time(),  # ROUNDUP_NOW, as `roundup build` reads it, else the clock
            )
        except ContentError as failure:
            count, files = len(failure.problems), len({p.path for p in failure.problems})
            tail = f"{count} error{'s' * (count != 1)} in {files} file{'s' * (files != 1)}"
            self._failed([str(p) for p in failure.problems], tail)
        except RoundupError as failure:  # a template's mistake, a folder that cannot be read
            if first and isinstance(failure, OutputError):
                raise  # a folder roundup may not use: there is nothing to serve
            self._failed([f"roundup: {failure}"], "the build failed")
        except Exception as failure:
            if first:
                raise  # a bug: reported as such by the command line
            if self.args.verbose:
                traceback.print_exc()
            self._failed(
                [f"roundup: internal error ({type(failure).__name__}: {failure}); please report "
                 "it, with the output of roundup serve -v"],
                "the build failed",
            )  # fmt: skip
        else:
            self.index_behind = self.config.search  # first: a stop may come while it is told
            self._built(result, changed, first)
            self._index()

    def _index(self) -> None:
        """Bring the search index up to date after the pages: only the edited page's shard
        is indexed again, and nothing else changes, so no page needs reloading for it. A
        save meanwhile stops it: that save's pages come first, then the index again."""
        if not self.config.search:
            return
        changes = self.watcher.changes if self.watcher is not None else None
        if changes is not None and not changes.empty():
            return  # another save came in: its pages first, then the index
        try:
            build(
                self.config,
                preview=self.args.preview,
                memory=self.memory,
                interrupted=None if changes is None else lambda: not changes.empty(),
                now=build_time(),
            )
            self.index_behind = False
        except Interrupted:
            pass  # the next rebuild refreshes it
        except RoundupError as failure:
            error(f"roundup: the search index was not updated: {failure}")

    def _finish(self) -> None:
        """Stopped: build what was saved and not built yet before leaving, so that `output/`
        is the whole site (it may be deployed as it is). That is the search index that
        follows a save's pages, or saves that came in since the last rebuild; also those
        the watcher was still collecting into a burst, which only a build can see (one
        with nothing to do answers from its record at once). A second Ctrl-C leaves at
        once, and says to build before deploying."""
        if self.files < 0:
            return  # stopped during the first build: leave at once, as asked
        pending = self.watcher is not None and not self.watcher.changes.empty()
        if pending:
            print("roundup: stopping once your last saves are built (Ctrl-C again: at once)")
        elif self.index_behind:
            print("roundup: stopping once the search index is up to date (Ctrl-C again: at once)")
        elif self.watcher is None or self.broken:
            return  # nothing came in unseen, or the last save does not build
        try:
            # A plain build, not the session's: the stop may have cut into its memory's work.
            build(self.config, preview=self.args.preview, now=build_time())
        except KeyboardInterrupt:
            if self.index_behind and not pending:
                error("roundup: the search index is behind the pages; build before deploying")
            else:
                error("roundup: output/ may be behind your last saves; build before deploying")
        except ContentError:
            error("roundup: your last saves do not build (roundup build says why); output/ "
                  "holds the last good build")  # fmt: skip
        except RoundupError as failure:
            what = (
                "your last saves were not built" if pending else "the search index was not updated"
            )
            error(f"roundup: {what}: {failure}")

    def _built(self, result: BuildResult, changed: set[str], first: bool) -> None:
        # The pages first: a page asked for once the lines below are out is the new one.
        moved = result.written > 0 or result.files != self.files
        self.files = result.files
        if self.live is not None:
            self.live.built(changed=moved)
        for warning in result.warnings:
            error(f"warning: {warning}")
        output = display_path(self.config.output_dir, self.cwd)
        if first:
            print(summary(result, output, self.args.preview))
        else:
            print(
                f"roundup: rebuilt after {self._names(changed)}: {written(result)} "
                f"in {result.seconds:.2f} s"
            )
        if self.broken:
            print("roundup: the build works again")
        self.broken = False

    def _failed(self, lines: list[str], tail: str) -> None:
        lines = [printable(line) for line in lines]
        self.broken = True
        # The output folder holds a good build if one ever succeeded, here or before serve.
        served = (self.config.output_dir / "index.html").is_file()
        if self.live is not None:  # first: a page asked for once the lines are out shows them
            self.live.failed(lines, "" if served else NOTHING_BUILT)
        for line in lines:
            error(line)
        if served:
            error(f"roundup: {tail}; the last good build is still served")
        else:
            error(f"roundup: {tail}; the site is served once it builds")

    def _names(self, changed: set[str]) -> str:
        # Without the temporary files of editors and tools (sed's, vim's 4913), gone already.
        kept = [p for p in changed if os.path.exists(p) or "." in os.path.basename(p)]
        # A watched folder itself, reported beside its files (as polling does), says nothing.
        roots = {str(self.config.content_dir), str(self.config.templates_dir)}
        kept = [p for p in kept if p not in roots] or kept
        if not kept:
            return "a change"
        names = sorted(display_path(Path(p), self.cwd) for p in kept)
        shown = ", ".join(names[:3]) + (f" and {len(names) - 3} more" if len(names) > 3 else "")
        return printable(shown)

    def _say_what_is_built(self) -> None:
        config, output = self.config, display_path(self.config.output_dir, self.cwd)
        if self.args.preview:
            print(f"roundup: building a preview into {output}/ (not the folder you deploy)")
            return
        earlier = built_base_url(config.output_dir)
        if earlier is not None and earlier != config.base_url and self.args.base_url is None:
            print(
                f"roundup: {output}/ was built for {earlier}; building it for {config.base_url} "
                f"(give --base-url {earlier} to keep that)"
            )

    def _say_where(self) -> None:
        assert self.server is not None
        output = display_path(self.config.output_dir, self.cwd)
        built_for = self.config.base_url
        print(f"roundup: serving {output}/ at {self.server.url} (built for {built_for})")
        if self.live is None:
            print("roundup: not watching (--no-watch); Ctrl-C to stop")
            return
        watched = [self.config.content_dir, self.config.templates_dir]
        if self.config.source is not None:
            watched.append(self.config.source)
        names = [display_path(p, self.cwd) + "/" * (p != self.config.source) for p in watched]
        print(
            f"roundup: watching {', '.join(names[:-1])} and {names[-1]}: every save rebuilds "
            "and reloads open pages; Ctrl-C to stop"
        )
