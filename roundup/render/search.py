"""The search index: Pagefind run over the item pages, in shards by period, into the output."""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor, as_completed
from pathlib import Path
from typing import TypedDict, TypeGuard

from roundup.core.errors import Interrupted, OutputError
from roundup.core.parallel import process_runs, workers
from roundup.render.searchentries import PagelessEntries
from roundup.site import structure as S
from roundup.site.searchshards import Shard, shards
from roundup.state.output import Writer

log = logging.getLogger(__name__)

RECORD = "search.json"  # which files each shard made, from which inputs
_RECORD_VERSION = 1
# Of the files Pagefind writes into every bundle, the search page loads these from the first
# shard only (the script, its worker and the WebAssembly search): the other shards leave them
# out. The Default and Modular UIs and the highlighter are not used at all.
_RUNTIME = ("pagefind.js", "pagefind-worker.js", "pagefind-component-ui.js",
            "pagefind-component-ui.css")  # fmt: skip
_UNUSED = ("pagefind-ui.js", "pagefind-ui.css", "pagefind-modular-ui.js",
           "pagefind-modular-ui.css", "pagefind-highlight.js")  # fmt: skip


class ShardRecord(TypedDict):
    """A shard's entry in the record: what its index was made from and the files it made."""

    inputs: str
    files: list[str]


def publish(
    site: S.Site,
    writer: Writer,
    cache_dir: Path,
    progress: Callable[[str, str, int, int], None] | None = None,
    later: bool = False,
    interrupted: Callable[[], bool] | None = None,
) -> int:
    """Index the shards whose item pages changed and record every shard's files in `writer`.

    Call it after the item pages were added to `writer` and before `commit`: Pagefind reads
    the pages where they are now (staged or in place), writes into a temporary folder in
    `cache_dir`, and its files reach the output through `writer`, so a failed build leaves the
    output as it was, and unchanged shards keep their files and modification times. `later`
    keeps every shard as it is, changed or not, for the next build to bring up to date.
    `interrupted` is asked while the shards' pages are laid out and while Pagefind runs:
    when it says so, Pagefind is stopped and `Interrupted` raised, before anything is
    written. Returns how many shards were indexed.
    """
    if not site.config.search:
        writer.record_files[RECORD] = None  # the index files go as all unmade files go
        return 0
    record = _read_record(writer)
    kept: dict[str, ShardRecord] = {}
    todo: list[tuple[Shard, str, bool]] = []
    version = pagefind_version()
    pageless = PagelessEntries(site)
    for number, shard in enumerate(shards(site.items)):
        primary = number == 0
        inputs = _inputs(shard, writer, primary, version, pageless)
        old = record.get(shard.key)
        wanted = old if old is not None and (later or old["inputs"] == inputs) else None
        # Kept with the inputs it was made from: a stale shard stays stale for the next build.
        if wanted is not None and writer.keep(wanted["files"], wanted["inputs"]):
            kept[shard.key] = wanted
        elif not later:
            todo.append((shard, inputs, primary))
    if todo:
        pagefind, own = _cpu()
        kept.update(_index(todo, writer, cache_dir, progress, pageless, interrupted))
        pagefind_after, own_after = _cpu()
        log.info("search: %d of %d shards indexed; CPU: Pagefind %.2f s, roundup %.2f s",
                 len(todo), len(kept), pagefind_after - pagefind, own_after - own)  # fmt: skip
    data = {"version": _RECORD_VERSION, "shards": dict(sorted(kept.items()))}
    writer.record_files[RECORD] = json.dumps(data, separators=(",", ":")).encode("utf-8")
    return len(todo)


def _cpu() -> tuple[float, float]:
    """CPU seconds of finished child processes (Pagefind's) and of this one, so far."""
    try:
        import resource
    except ImportError:  # pragma: no cover - not on Unix
        return 0.0, 0.0
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    own = resource.getrusage(resource.RUSAGE_SELF)
    return children.ru_utime + children.ru_stime, own.ru_utime + own.ru_stime


def _read_record(writer: Writer) -> dict[str, ShardRecord]:
    try:
        data = json.loads((writer.records / RECORD).read_text("utf-8"))
        if data.get("version") != _RECORD_VERSION:
            return {}
        return {k: v for k, v in data["shards"].items() if _is_shard_record(v)}
    except (OSError, ValueError, TypeError, KeyError, AttributeError):
        return {}


def _is_shard_record(value: object) -> TypeGuard[ShardRecord]:
    """Whether a shard's entry read back from the record file is one `publish` wrote."""
    if not isinstance(value, dict) or not isinstance(value.get("inputs"), str):
        return False
    files = value.get("files")
    return isinstance(files, list) and all(isinstance(name, str) for name in files)


def _inputs(
    shard: Shard, writer: Writer, primary: bool, version: str, pageless: PagelessEntries
) -> str:
    """What a shard's index is made from: Pagefind's version and its item pages' bytes (or
    for a link without a page, what its searched element is made from)."""
    h = hashlib.blake2b(f"{version}|{primary}".encode(), digest_size=16)
    keys = []
    for item in shard.items:
        path = S.output_file(item.path)
        keys.append((path, writer.digest(path) if item.has_page else pageless.key(item)))
    for path, key in sorted(keys):
        h.update(f"{path}\0{key}\0".encode())
    return h.hexdigest()


def _index(
    todo: list[tuple[Shard, str, bool]],
    writer: Writer,
    cache_dir: Path,
    progress: Callable[[str, str, int, int], None] | None,
    pageless: PagelessEntries,
    interrupted: Callable[[], bool] | None,
) -> dict[str, ShardRecord]:
    """Run Pagefind on each shard (several at once) and add what it wrote to `writer`.

    The pages it reads are laid out in a temporary folder in `cache_dir`; it writes into the
    writer's scratch folder, from where its files move into place without being copied.
    """
    executable = _executable()
    cache_dir.mkdir(parents=True, exist_ok=True)
    _remove_stale_scratch(cache_dir)
    # Named after this process, so that a later build knows it for a killed build's.
    scratch = Path(tempfile.mkdtemp(prefix=f"search-{os.getpid()}-", dir=cache_dir))
    bundles = Path(tempfile.mkdtemp(prefix="search-", dir=writer.scratch())).resolve()
    made: dict[str, ShardRecord] = {}
    pool = ThreadPoolExecutor(max_workers=workers())
    try:
        # Pagefind runs in other processes; this one lays out the next shard's pages and
        # takes in each finished shard's files meanwhile.
        running = {}
        for number, (shard, inputs, primary) in enumerate(todo):
            folder, bundle = scratch / str(number), bundles / str(number)
            _lay_out(shard, writer, folder / "site", pageless, interrupted)
            job = pool.submit(_run, executable, folder, bundle, interrupted)
            running[job] = (shard, inputs, primary, bundle)
        if progress:
            progress("indexing", "shards", 0, len(todo))
        for job in as_completed(running):
            shard, inputs, primary, bundle = running[job]
            if not job.result():
                # Raised here, not in the job: an exception a future keeps would keep this
                # frame (the writer, the site) alive in a cycle the collector must find.
                raise Interrupted("the search index was not refreshed: stopped")
            if progress and made:
                progress("indexing", "shards", len(made), len(todo))
            files = list(_add_bundle(bundle, shard, inputs, primary, writer))
            made[shard.key] = {"inputs": inputs, "files": files}
    finally:
        pool.shutdown(cancel_futures=True)  # after a failure, start no other shard
        shutil.rmtree(scratch, ignore_errors=True)
    return made


_SCRATCH = re.compile(r"search-([0-9]{1,9})-.+")


def _remove_stale_scratch(cache_dir: Path) -> None:
    """Remove the folders of pages that a killed build laid out for Pagefind (megabytes each)."""
    for name in os.listdir(cache_dir):
        stale = _SCRATCH.fullmatch(name)
        if stale is not None and not process_runs(int(stale[1])):
            shutil.rmtree(cache_dir / name, ignore_errors=True)


def _lay_out(
    shard: Shard,
    writer: Writer,
    site: Path,
    pageless: PagelessEntries,
    interrupted: Callable[[], bool] | None = None,
) -> None:
    """A folder of the shard's item pages as Pagefind wants them, each at its path in the
    site (so results link to it), as the page's searched element alone (see `searched`); a
    link without a page has its element made here, leading to its entry in the listings.
    Asks `interrupted` now and then (a big shard takes a second or more)."""
    root = os.path.join(site, "")
    made: set[str] = set()
    # Strings and os calls, not Paths: this runs for every item of a cold build.
    for number, item in enumerate(shard.items):
        if interrupted is not None and number % 256 == 0 and interrupted():
            raise Interrupted("the search index was not refreshed: stopped")
        path = S.output_file(item.path)
        target = root + path
        folder = target.rpartition("/")[0]
        if folder not in made:
            os.makedirs(folder, exist_ok=True)
            made.add(folder)
        if not item.has_page:
            with open(target, "wb") as laid_out:
                laid_out.write(pageless.page(item))
            continue
        with open(writer.source(path), "rb") as page, open(target, "wb") as laid_out:
            laid_out.write(searched(page.read()))


_BODY = b" data-pagefind-body"
_START_TAG = re.compile(
    rb"""<([a-zA-Z][a-zA-Z0-9-]*)((?:\s+[^\s"'>/=]+(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s"'>]+))?)*)\s*/?>"""
)
_ATTRIBUTE_NAME = re.compile(rb"""\s+([^\s"'>/=]+)(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s"'>]+))?""")
_LANG = re.compile(rb"<html\b[^>]*\slang=\"([^\"<>]*)\"", re.IGNORECASE)


def searched(page: bytes) -> bytes:
    """What Pagefind reads of an item page: its data-pagefind-body element, in a page of the
    same language; the whole page when that element cannot be cut out for certain.

    Pagefind's time grows with the bytes it parses, the head and the rest of the page included:
    at 38,000 items this takes a quarter off indexing.
    """
    at = page.find(_BODY)
    if at < 0 or page.find(_BODY, at + 1) >= 0:
        return page
    start = page.rfind(b"<", 0, at)
    tag = _START_TAG.match(page, start)
    if not tag or b"data-pagefind-body" not in _names(tag[2]):
        return page  # the words are not this tag's attribute (text, or inside a value)
    end = _element_end(page, tag[1], start)
    if end is None:
        return page
    lang = _LANG.search(page, 0, start)
    head = b'<!doctype html><html lang="%s"><head><meta charset="utf-8"></head><body>' % (
        lang[1] if lang else b""
    )
    return head + _without_ignored(page[start:end]) + b"</body></html>\n"


_IGNORE = b" data-pagefind-ignore"
_VOID = {b"area", b"base", b"br", b"col", b"embed", b"hr", b"img", b"input", b"link", b"meta",
         b"source", b"track", b"wbr"}  # fmt: skip
# What an ignored element may still give the index: metadata, filters and sort keys, the title
# (the first h1) and the image (the first img after it). Such an element stays.
_STILL_READ = re.compile(rb"data-pagefind-(?:meta|default-meta|filter|sort)|<h1|<img", re.I)


def _without_ignored(element: bytes) -> bytes:
    """The element less the elements inside it that Pagefind would skip anyway: fewer bytes
    for it to parse (a tenth less time for the theme's item pages)."""
    kept: list[bytes] = []
    copied = looked = 0
    while (at := element.find(_IGNORE, looked)) >= 0:
        looked = at + len(_IGNORE)
        start = element.rfind(b"<", 0, at)
        tag = _START_TAG.match(element, start)
        if not tag or start < copied or b"data-pagefind-ignore" not in _names(tag[2]):
            continue
        if tag[1].lower() in _VOID or tag[0].endswith(b"/>"):
            continue  # no end tag to look for, and little to save
        end = _element_end(element, tag[1], start)
        if end is None:
            return element
        if _STILL_READ.search(element, start, end):
            continue
        kept.append(element[copied:start])
        copied = looked = end
    return b"".join(kept) + element[copied:] if kept else element


def _names(attributes: bytes) -> list[bytes]:
    return _ATTRIBUTE_NAME.findall(attributes)


def _element_end(page: bytes, name: bytes, start: int) -> int | None:
    """Where the element opened at `start` ends: its matching end tag, nested ones counted."""
    tags = re.compile(rb"<(/?)" + re.escape(name) + rb"[\s/>]", re.IGNORECASE)
    depth = 0
    for tag in tags.finditer(page, start):
        depth += -1 if tag[1] else 1
        if depth == 0:
            close = page.find(b">", tag.end() - 1)
            return close + 1 if close >= 0 else None
    return None


# How often a running Pagefind is asked whether it should stop (see `publish`).
_POLL_SECONDS = 0.05


def _run(
    executable: str, folder: Path, bundle: Path, interrupted: Callable[[], bool] | None = None
) -> bool:
    """Run Pagefind on the pages in `folder`; False if `interrupted` stopped it first."""
    # Pagefind reads a pagefind.yml/toml/json in its working folder and PAGEFIND_* variables:
    # neither may change what a build makes.
    env = {k: v for k, v in os.environ.items() if not k.startswith("PAGEFIND_")}
    command = [executable, "--site", "site", "--output-path", str(bundle), "--quiet"]
    pipe = subprocess.PIPE
    try:
        process = subprocess.Popen(
            command, cwd=folder, env=env, stdout=pipe, stderr=pipe, text=True
        )
    except OSError as error:
        raise OutputError(f"cannot run Pagefind ({executable}): {error}") from None
    with process:
        while True:
            try:
                # Waiting in steps loses no output: communicate() may be called again.
                out, err = process.communicate(
                    timeout=None if interrupted is None else _POLL_SECONDS
                )
                break
            except subprocess.TimeoutExpired:
                if interrupted is not None and interrupted():
                    process.kill()
                    process.communicate()
                    return False
    if process.returncode != 0:
        lines = (err or out).strip().splitlines()
        raise OutputError(f"Pagefind failed to index the search shard: {' '.join(lines[-3:])}")
    return True


def _add_bundle(
    bundle: Path, shard: Shard, inputs: str, primary: bool, writer: Writer
) -> Iterator[str]:
    """Hand the bundle's files to `writer` under the shard's folder; yield their site paths.

    The files it leaves out go with the staging folder."""
    names: list[str] = []
    for folder, _, files in os.walk(bundle):
        within = os.path.relpath(folder, bundle).replace(os.sep, "/")
        names += (name if within == "." else f"{within}/{name}" for name in files)
    for name in sorted(names):
        runtime = name in _RUNTIME or name.startswith("wasm.")
        if name in _UNUSED or (runtime and not primary):
            continue
        path = shard.path + name
        writer.adopt(path, os.path.join(bundle, name), inputs)
        yield path


def _executable() -> str:
    try:
        import pagefind_bin
    except ImportError:
        raise OutputError(
            "search needs Pagefind: install it with pip install 'pagefind[bin]', "
            "or build without search (--no-search, or search = false in the config)"
        ) from None
    try:
        return str(pagefind_bin.get_executable())
    except FileNotFoundError as error:
        raise OutputError(f"Pagefind is installed without its program: {error}") from None


def pagefind_version() -> str:
    """The installed Pagefind's version ("" when it is missing): a new one re-indexes all."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("pagefind_bin")
    except PackageNotFoundError:
        return ""
