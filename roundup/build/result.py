"""What a build did, and its record that lets a rebuild with nothing changed answer at once."""

from __future__ import annotations

import json
import logging
import os
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from roundup.core.errors import OutputError, Problem
from roundup.read.loader import display_path
from roundup.render import editionfeed
from roundup.site.structure import Site
from roundup.state.ownership import is_generated, read_records, untouched

log = logging.getLogger(__name__)

LAST_BUILD = "last-build.json"  # in the records folder: inputs, counts and warnings


@dataclass(slots=True)
class BuildResult:
    """What a build did, for the summary line and for tests."""

    shown: int = 0
    hidden: int = 0  # unpublished (drafts), not counting those below
    future: int = 0  # published, but dated after the build's "now": held back until then
    pages: int = 0
    feeds: int = 0
    files: int = 0
    written: int = 0
    warnings: list[Problem] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)
    release: datetime | None = None  # when the first held item comes out
    due: datetime | None = None  # when the running week's edition ends (the editions feed)
    # The earliest "now" the output holds for: before it, the newest item shown would be held
    # back again, or the newest edition in the editions feed would not have ended yet.
    since: datetime | None = None
    preview: bool = False  # unpublished items shown: the folder must never be deployed

    @property
    def seconds(self) -> float:
        return sum(self.timings.values())


def unchanged_result(output: Path, records: Path, inputs: str, now: datetime) -> BuildResult | None:
    """The last build's result, if it had exactly these inputs, its files are untouched and
    no item it held back has come out since."""
    try:
        last = json.loads((records / LAST_BUILD).read_text("utf-8"))
        if last["inputs"] != inputs:
            return None  # before reading the record, which the writer reads again
        recorded = read_records(records)
        if recorded is None or not untouched(output, recorded):
            return None
        release = last.get("release")
        if release is not None and datetime.fromisoformat(release) <= now:
            return None
        due = last.get("due")
        if due is not None and datetime.fromisoformat(due) <= now:
            return None  # a week has ended: its edition joins the editions feed
        since = last.get("since")
        if since is not None and now < datetime.fromisoformat(since):
            return None  # the time went back (ROUNDUP_NOW): an item or edition goes back in
        return BuildResult(
            warnings=[Problem(*p) for p in last["warnings"]],
            written=0,
            release=None if release is None else datetime.fromisoformat(release),
            **last["counts"],
        )
    except (OSError, ValueError, KeyError, TypeError):
        return None


def holds_public_build(output: Path, records: Path) -> bool:
    """Whether the output folder's last build was a public one, which a preview must not take
    the place of (the folder may get deployed): as its record says, else as its home page
    does (a preview's is marked)."""
    try:
        preview = json.loads((records / LAST_BUILD).read_text("utf-8")).get("preview")
        if isinstance(preview, bool):
            return not preview
    except (OSError, ValueError, AttributeError):
        pass
    try:
        with open(output / "index.html", "rb") as page:
            head = page.read(16384)
    except OSError:
        return False
    return is_generated("index.html", head) and b'class="is-preview"' not in head


def refuse_public_folder(output: Path, records: Path) -> None:
    """Refuse to build a preview into a folder that holds a public build."""
    if holds_public_build(output, records):
        where = display_path(output, Path.cwd())
        raise OutputError(
            f"refusing to build a preview into {where}, which holds a public build (it may "
            "get deployed); name another folder, or leave out --output (previews go into the "
            "cache folder)"
        )


def since_of(site: Site, now: datetime) -> datetime | None:
    """The earliest build time a build at `now` holds for (`BuildResult.since`): the newest
    shown item's time (if `now` had been before it, the item would be held back) or the end of
    the newest edition in the editions feed, whichever is later."""
    newest = next(
        (i.article.published_at for i in site.items if i.article.published_at <= now), None
    )
    ended = editionfeed.last_ended(site, now)
    return max((t for t in (newest, ended) if t is not None), default=None)


def save_last_build(records: Path, inputs: str, result: BuildResult) -> None:
    counts = {
        "shown": result.shown,
        "hidden": result.hidden,
        "future": result.future,
        "pages": result.pages,
        "feeds": result.feeds,
        "files": result.files,
    }
    warnings = [[p.path, p.line, p.field, p.message] for p in result.warnings]
    release = None if result.release is None else result.release.isoformat()
    due = None if result.due is None else result.due.isoformat()
    since = None if result.since is None else result.since.isoformat()
    data: dict[str, object] = {"inputs": inputs, "counts": counts, "warnings": warnings}
    data.update(release=release, due=due, since=since, preview=result.preview)
    temporary = records / (LAST_BUILD + ".tmp")
    try:
        temporary.write_text(json.dumps(data, ensure_ascii=False, sort_keys=True), "utf-8")
        os.replace(temporary, records / LAST_BUILD)
    except OSError as error:  # only costs the next build its shortcut
        log.warning("could not record the build in %s: %s", records, error.strerror)


def peak_memory() -> str:
    """The largest resident size so far of this process and of its finished workers."""
    try:
        import resource
    except ImportError:  # pragma: no cover - not on Unix
        return "unknown"
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
    workers = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss // 1024
    return f"{own} MiB (workers {workers} MiB)"
