"""Removing what the last build made and this one does not: only files roundup can prove it
wrote, only inside the output folder."""

from __future__ import annotations

import os
import stat
from collections.abc import Callable, Mapping
from pathlib import Path

from roundup.core.errors import OutputError
from roundup.state.ownership import (
    Record,
    check_relative,
    content_hash,
    is_generated,
    left_over,
    site_files,
)


def delete_output_file(root: Path, path: str) -> str | None:
    """Remove a file roundup made, then the folders it leaves empty (never a user's file's).

    Returns why the file is still there, or None. A folder on its way that is now a symbolic
    link leads out of the output folder: nothing is removed through it (the file it reaches
    is someone else's, and a page left there may still be served through the link).
    """
    target = root / path
    folder = root
    for part in path.split("/")[:-1]:
        folder = folder / part
        if folder.is_symlink():
            return f"{folder.relative_to(root).as_posix()} is a link to a folder elsewhere"
    try:
        if target.is_file() or target.is_symlink():
            target.unlink()
    except OSError as error:
        return (error.strerror or str(error)).lower()
    parent = target.parent
    while parent != root and parent.is_relative_to(root):
        try:
            parent.rmdir()  # only succeeds when empty: user files keep their folders
        except OSError:
            break
        parent = parent.parent
    return None


def delete_gone(
    root: Path, label: str, old: Mapping[str, Record], new: dict[str, Record]
) -> list[str]:
    """Delete the files of the last build (`old`) that this one did not make (`new`), if they
    are still what roundup wrote. A file that cannot be removed stays in `new`, so that the
    next build tries again (forgotten, the page of an article unpublished meanwhile would
    stay served for good); returns those files, and why each is still there."""
    kept = []
    for path in sorted(set(old) - set(new)):
        if not _still_ours(root, path, old[path]):
            continue  # a damaged record, or a file someone else has put there since
        why = delete_output_file(root, path)
        if why is not None:
            new[path] = old[path]
            kept.append(f"{label}/{path} ({why})")
    return kept


def _still_ours(root: Path, path: str, record: Record) -> bool:
    """Whether the record of a file may be trusted to delete it: a path inside the output
    folder (a record is a file in the cache folder, which a CI cache restores), and a file
    as recorded or with roundup's marks."""
    try:
        check_relative(path)
        found = os.lstat(root / path)
    except OutputError:
        return False
    except OSError:
        return True  # nothing there, or unreadable: `delete_output_file` says which
    if not stat.S_ISREG(found.st_mode):
        return stat.S_ISLNK(
            found.st_mode
        )  # a link in a page's place: the link goes, not what it leads to
    if (found.st_size, found.st_mtime_ns) == (record.size, record.mtime_ns):
        return True
    try:
        data = (root / path).read_bytes()
    except OSError:
        return True
    return content_hash(data) == record.digest or is_generated(path, data) or left_over(path)


def delete_unrecorded(
    root: Path, label: str, new: Mapping[str, Record], marked: Callable[[str], bool]
) -> list[str]:
    """With no record to go by: delete the files with roundup's marks that this build did not
    make (the pages of an article deleted or unpublished meanwhile); returns those that could
    not be, and why."""
    kept = []
    for path in list(site_files(root)):
        if path not in new and (marked(path) or left_over(path)):
            why = delete_output_file(root, path)
            kept += [f"{label}/{path} ({why})"] if why else []
    return kept


def not_removed(kept: list[str]) -> str:
    """The error for files of the last build that could not be removed."""
    many = len(kept) > 1
    files = f"{len(kept)} files" if many else "a file"
    return f"could not remove {files} that the site no longer has: {'; '.join(kept)}"
