"""Load every article of the content folder, gathering all problems before failing once."""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from stat import S_ISREG

import msgspec

from roundup.core.config import SiteConfig
from roundup.core.errors import ContentError, Problem, RoundupError
from roundup.core.model import Article
from roundup.core.parallel import share_out
from roundup.core.weeks import EditionCalendar
from roundup.read import stored
from roundup.read.cache import ParseCache
from roundup.read.collection import Keys, check_collection, keys_of
from roundup.read.content import Parsed, is_ignored, parse_file
from roundup.read.schedule import date_line, far_ahead_warning, held_warning, is_ahead
from roundup.read.spill import Spill, Spilled

log = logging.getLogger(__name__)


@dataclass(slots=True)
class Loaded:
    """The valid articles of a build and the warnings met while reading them."""

    articles: list[Article]
    warnings: list[Problem] = field(default_factory=list)
    # When each published article dated after the build's "now" comes out (they are among
    # `articles` as unpublished ones, unless the site publishes future items).
    held: list[datetime] = field(default_factory=list)


@dataclass(slots=True)
class Scan:
    """The article files of the content folder, each with its size and change stamp."""

    files: list[tuple[str, tuple[int, int]]]  # (path relative to the folder, stat key)
    warnings: list[Problem]
    # Folders that cannot be listed: their articles would drop out of the site unseen, and
    # their pages be deleted, so a build stops at them as at a file it cannot read.
    errors: list[Problem] = field(default_factory=list)

    def key(self) -> tuple[object, ...]:
        """What the scan found, as plain data for a build's key: the files and the problems,
        as a FIFO removed or a link added that leads outside changes no file's stat."""
        told = [(p.path, p.field, p.message) for p in (*self.warnings, *self.errors)]
        return (self.files, told)


def scan(content_dir: Path) -> Scan:
    """List the article files; cheap enough to tell whether anything changed since last time.

    One `os.scandir` pass and one `stat` a file: the folder is listed on every build, even
    one with nothing to do, so this is most of what an unchanged build costs.
    """
    if not content_dir.is_dir():
        # The folder as a whole, not one of its files: one line, not "1 error in 1 file".
        if content_dir.exists():
            message = "is not a folder; the content folder holds one file per link"
        else:  # run from another folder (inside content/, say), or before any site exists
            message = (
                "content folder not found; run roundup from the site's folder, the one above "
                "content/ (or give --content, or start a site with roundup init)"
            )
        raise RoundupError(f"{content_dir}: {message}")
    found = Scan([], [])
    _walk(str(content_dir), "", os.path.realpath(content_dir), found)
    if not found.files and not found.errors:
        # A typo in --content, or a checkout that emptied the folder: the build would
        # publish an empty site over the last one; said, and --strict stops it.
        message = "no article files (.md, .markdown, .txt) here; the site has no links"
        found.warnings.append(Problem(".", None, "", message))
    return found


def _walk(
    folder: str,
    prefix: str,
    root: str,
    scanned: Scan,
) -> None:
    """Add the folder's article files (sorted), then those of its sub-folders (sorted).

    Each entry is looked at as the listing goes, keeping only what is needed of it: holding
    a folder's DirEntry objects to sort them cost 100 MB at 100,000 files.
    """
    found: list[tuple[str, tuple[int, int]] | Problem] = []
    folders: list[str] = []
    try:
        with os.scandir(folder) as listing:
            for entry in listing:
                _look_at(entry, prefix, root, found, folders, scanned.errors)
    except OSError as error:
        message = f"cannot read folder: {error.strerror}; its articles would leave the site"
        scanned.errors.append(Problem(prefix.rstrip("/") or ".", None, "", message))
        return
    found.sort(key=lambda x: x.path if isinstance(x, Problem) else x[0])
    for item in found:
        if isinstance(item, Problem):
            scanned.warnings.append(item)
        else:
            scanned.files.append(item)
    for name in sorted(folders):
        _walk(os.path.join(folder, name), prefix + name + "/", root, scanned)


def _look_at(
    entry: os.DirEntry[str],
    prefix: str,
    root: str,
    found: list[tuple[str, tuple[int, int]] | Problem],
    folders: list[str],
    errors: list[Problem],
) -> None:
    """What one entry of a folder is: an article file (with its stat key), a folder to walk,
    a problem to tell (`errors`: one that stops the build), or nothing of interest."""
    name = entry.name
    try:
        is_folder = entry.is_dir()
    except OSError:
        is_folder = False
    if is_folder:
        if name.startswith("."):
            return
        if _not_utf8(name, prefix, errors, "folder"):
            return
        if not is_ignored(name):  # x.md/ : not a file, so say what is done with it
            message = "a folder named like an article file; the files in it are read instead"
            found.append(Problem(prefix + name, None, "", message))
        if entry.is_symlink():
            # Entering a link inside the folder would read its files twice; one leading out
            # of it could publish anything on the machine.
            if not _inside(entry.path, root):
                found.append(_not_followed(prefix + name))
            return
        folders.append(name)
        return
    if is_ignored(name) or _not_utf8(name, prefix, errors, "file"):
        return
    if entry.is_symlink() and not _inside(entry.path, root):
        found.append(_not_followed(prefix + name))
        return
    try:
        stat = entry.stat()
    except OSError:
        # Vanished or unreadable: reading it reports why, like any other file.
        found.append((prefix + name, (0, 0)))
        return
    if S_ISREG(stat.st_mode):
        found.append((prefix + name, (stat.st_size, change_stamp(stat))))
    else:  # a FIFO or device named x.md would block or never end
        message = "not a regular file (a pipe, socket or device); skipped"
        found.append(Problem(prefix + name, None, "", message))


def _not_utf8(name: str, prefix: str, errors: list[Problem], kind: str) -> bool:
    """Whether a name is not UTF-8 (an old archive's Latin-1 "café.md", say), told in
    `errors` if so: no page address or cache entry can be made of it, and leaving the file
    out would drop its article from the site unseen."""
    try:
        name.encode()
    except UnicodeEncodeError:  # os.scandir hands such bytes on as lone surrogates
        shown = name.encode(errors="surrogateescape").decode(errors="backslashreplace")
        message = f"the {kind} name is not UTF-8 (another encoding's letters); rename it"
        errors.append(Problem(prefix + shown, None, "", message))
        return True
    return False


def change_stamp(stat: os.stat_result) -> int:
    """What tells that a file changed, with its size: its modification time, and the time
    its inode last changed, which no program can set back. An edit that keeps the size and
    sets the old modification time again (`cp -p`, `rsync -a`, `tar x`, `touch -r` of an
    older version) would otherwise go unseen, and the pages of an unpublished article stay
    public. One number (hashed: ints hash the same in every process) keeps the key small."""
    return hash((stat.st_mtime_ns, stat.st_ctime_ns))


def _inside(path: str, root: str) -> bool:
    """Whether a link leads inside `root` (False for outside, loops and dangling links)."""
    try:
        target = Path(path).resolve(strict=True)
    except (OSError, RuntimeError):  # RuntimeError: a symlink loop, before Python 3.13
        return False
    return target.is_relative_to(root)


def _not_followed(source: str) -> Problem:
    message = "symbolic link leads outside the content folder (or nowhere); not followed"
    return Problem(source, None, "", message)


# A freshly parsed file: source, its result (as JSON bytes when it comes from a worker and
# can be stored), what the cache keeps of it and its collection keys (None: no article).
# A file's path, its result (or its bytes, or where they were written), its bytes for the
# cache, its collection keys.
_Fresh = tuple[str, Parsed | bytes | Spilled, bytes | None, Keys | None]
_NO_KEYS = Keys("", "")  # of a file whose result is not stored


def load_articles(
    config: SiteConfig,
    cache: ParseCache,
    found: Scan,
    progress: Callable[[int, int], None] | None = None,
    now: datetime | None = None,
    meanwhile: Callable[[], None] | None = None,
) -> Loaded:
    """Read and validate every article file; raise one ContentError listing every problem.

    Files whose size and change stamp match the cache are not read again; the rest are
    parsed on every core when there are many. `progress(done, total)` hears of the parsing.
    Articles dated after `now` are held back (made unpublished) unless `config.future`.
    `meanwhile()` is other work of this process, done while the workers parse (this process
    then parses fewer files); a RoundupError it raises is raised once the articles are
    loaded, when they have no problems. The cache is saved before returning or raising: the
    files that were fine are not parsed again next time, whatever the others held.
    """
    held: list[RoundupError] = []

    def other_work() -> None:
        try:
            if meanwhile is not None:
                meanwhile()
        except RoundupError as error:
            held.append(error)

    try:
        loaded = _load(config, cache, found, progress, now or datetime.now(UTC), other_work)
    finally:
        cache.save()
    if held:
        raise held[0]
    return loaded


def _load(
    config: SiteConfig,
    cache: ParseCache,
    found: Scan,
    progress: Callable[[int, int], None] | None,
    now: datetime,
    other_work: Callable[[], None],
) -> Loaded:
    content_dir = config.content_dir
    warnings: list[Problem] = list(found.warnings)
    errors: list[Problem] = list(found.errors)
    articles: list[Article] = []
    results: dict[str, Parsed] = {}
    known: dict[str, Keys] = {}
    stat_keys = dict(found.files)
    todo: list[str] = []
    cached = cache.lookup(stat_keys)
    for source, _ in found.files:
        hit = cached.get(source)
        if hit is None:
            todo.append(source)
            continue
        results[source], known[source] = hit
    del cached
    zone = config.zone
    content_prefix = os.path.join(content_dir, "")  # with a trailing separator

    compact = stored.is_compact()
    owner = os.getpid()  # the build's process, which names every spill file of the build
    # Workers write their results to files and send where they are: sent as bytes, the
    # results of 15,000 articles kept this process waiting 0.26 s after parsing its own.
    spill_to = None if cache.read_only else cache.folder

    def parse(source: str) -> tuple[Parsed, bytes | None]:
        """A file's result, and its bytes for the cache when it can be kept."""
        parsed = parse_file(content_prefix + source, source, zone)
        return parsed, stored.dump(parsed) if stored.storable(parsed) else None

    def parse_share(units: Iterator[int], share: int) -> list[_Fresh]:
        # Share 0 runs in this process and hands back objects (in a compact build, it spills
        # too); the others write storable results to a spill file and send where they are (see
        # `Spill`), or when it cannot be written, the bytes the cache keeps.
        if share == 0:
            other_work()
        out: list[_Fresh] = []
        spill = Spill(spill_to, share, owner)
        for index in units:
            if progress and share == 0 and index % 500 == 0:
                progress(index, len(todo))
            source = todo[index]
            parsed, blob = parse(source)
            keys = keys_of(parsed.article) if parsed.article else None
            if blob is None or (share == 0 and not compact):
                out.append((source, parsed, blob, keys))
            else:
                spilled = spill.add(blob)
                out.append(
                    (source, blob, blob, keys) if spilled is None else (source, spilled, None, keys)
                )
        spill.close()
        return out

    spill_files: dict[str, stored.OpenFile] = {}
    for share_result in share_out(parse_share, len(todo)):
        for source, sent, sent_blob, keys in share_result:
            blob: bytes | stored.BodyAt | None = sent_blob
            if isinstance(sent, bytes | tuple):
                if isinstance(sent, bytes):
                    parsed = stored.load(sent)
                else:
                    read_back = _read_back(sent, spill_files)
                    # None: the spill file could not be written or read; parsed again here.
                    parsed, blob = parse(source) if read_back is None else read_back
                # Read whole at once (not in a compact build): a build that parses many files
                # renders many pages, and text decoded later, here and there, leaves the
                # memory fragmented.
                stored.read_all([parsed.article] if parsed.article else [])
            else:
                parsed = sent
            results[source] = parsed
            if keys is not None:
                known[source] = keys
            cache.put(source, stat_keys[source], blob, keys or _NO_KEYS, parsed)
    held: list[datetime] = []
    for source in sorted(results):
        parsed = results[source]
        errors.extend(parsed.errors)
        warnings.extend(parsed.warnings)
        article = parsed.article
        if article is not None and is_ahead(article, now):
            # The cache keeps the article as written: the next build decides again.
            if not config.future:
                held.append(article.published_at)
                warnings.append(held_warning(source, date_line(article), article.published_at))
                article = replace(article, published=False)
            else:
                warnings.extend(filter(None, [far_ahead_warning(article, now)]))
        if article is not None:
            articles.append(article)
    prefix = display_path(content_dir, Path.cwd()) + "/"
    first_day = EditionCalendar.of(config).first_day  # a link twice in one edition warns
    articles, collection_errors, collection_warnings = check_collection(
        articles,
        prefix,
        known,
        edition_of=lambda article: first_day(article.published_at.astimezone(zone).date()),
    )
    errors.extend(collection_errors)
    warnings.extend(collection_warnings)
    if errors:
        raise ContentError(_ordered(errors, prefix), _ordered(warnings, prefix))
    return Loaded(articles, _ordered(warnings, prefix), held)


def _read_back(
    spilled: Spilled, files: dict[str, stored.OpenFile]
) -> tuple[Parsed, stored.BodyAt] | None:
    """A result a parsing process wrote to its spill file, with where its bytes are."""
    path, offset, length = spilled
    try:
        file = files.get(path) or files.setdefault(path, stored.OpenFile(path))
        return stored.load_at(file, offset, length)
    except (OSError, ValueError, msgspec.DecodeError):  # ValueError: a damaged entry
        return None


def _ordered(problems: list[Problem], prefix: str) -> list[Problem]:
    """Sorted by file and line, each path shown from where the user ran roundup."""
    ordered = sorted(problems, key=lambda p: (p.path, p.line or 0, p.field))
    # "." is the content folder itself: named as the folder, not "content/.".
    return [replace(p, path=(prefix.rstrip("/") or ".") if p.path == "." else prefix + p.path)
            for p in ordered]  # fmt: skip


def display_path(path: Path, base: Path) -> str:
    """The path as the user would type it: relative to `base` when inside it."""
    try:
        return path.resolve().relative_to(base.resolve()).as_posix()
    except ValueError:
        return str(path)
