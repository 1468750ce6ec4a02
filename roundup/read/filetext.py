"""An article file's bytes as text: its encoding, merge conflicts, its frontmatter fences."""

from __future__ import annotations

import os
import re
from pathlib import Path

_FENCE = re.compile(r"-{3,}[ \t]*")
# The lines git leaves where a merge could not be made: one side, =======, the other side.
_CONFLICT_START = re.compile(r"^<{7}(?: |$)", re.MULTILINE)
_CONFLICT_END = re.compile(r"^>{7}(?: |$)", re.MULTILINE)


def read_bytes(path: str | Path) -> bytes:
    """The whole file, as it is on disk."""
    # The file's bytes with two system calls and no buffered file object: half the cost of
    # Path.read_bytes, which matters for 30,000 small files. Non-blocking: should the file
    # have become a FIFO since the folder was listed, opening it must not wait for a writer.
    fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC | os.O_NONBLOCK)
    try:
        chunks = []
        while chunk := os.read(fd, 1 << 20):
            chunks.append(chunk)
    finally:
        os.close(fd)
    return b"".join(chunks)


class FileProblem(Exception):
    """The file as a whole is unusable (encoding, frontmatter fences)."""

    def __init__(self, message: str, line: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.line = line


def decode(data: bytes) -> str:
    """UTF-8 text (a byte-order mark is allowed) with every line ending made a newline."""
    if not data.strip():
        raise FileProblem("the file is empty; an article needs frontmatter between --- lines", 1)
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise FileProblem("the file is UTF-16; save it as UTF-8", 1)
    nul = data.find(b"\x00")
    if nul >= 0:
        line = data.count(b"\n", 0, nul) + 1
        raise FileProblem("the file contains NUL bytes; is it a binary file?", line)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        raise FileProblem(
            f"not valid UTF-8 (byte 0x{data[error.start]:02X}, {error.start} bytes into the "
            "file); save the file as UTF-8",
            line,
        ) from None
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _refuse_conflict(text: str) -> None:
    """Refuse a file that holds a merge git could not make: in the frontmatter YAML called it
    "could not find expected ':'", in the comment both sides and the markers were published."""
    if "<<<<<<<" not in text:  # one search of the text: almost every file ends here
        return
    start = _CONFLICT_START.search(text)
    if start is not None and _CONFLICT_END.search(text, start.end()):
        raise FileProblem(
            "a merge conflict is left in the file (its <<<<<<<, ======= and >>>>>>> lines); "
            "keep the lines you want and delete the markers",
            text.count("\n", 0, start.start()) + 1,
        )


def split_frontmatter(text: str) -> tuple[str, int, str, int]:
    """(frontmatter, its first line, body, the body's first line) of a file's text."""
    lines = text.split("\n")
    start = 0
    while start < len(lines) and not lines[start].strip():
        start += 1
    first = lines[start] if start < len(lines) else ""
    if not _FENCE.fullmatch(first):
        hint = " (TOML frontmatter between +++ lines is not read)" if first.strip() == "+++" else ""
        message = f"no frontmatter: the file must start with a line of ---{hint}"
        raise FileProblem(message, start + 1)
    for end in range(start + 1, len(lines)):
        if _FENCE.fullmatch(lines[end]):
            front = "\n".join(lines[start + 1 : end])
            return front, start + 2, "\n".join(lines[end + 1 :]), end + 2
    raise FileProblem("the frontmatter is not closed: add a line of --- after it", start + 1)


def text_of(data: bytes) -> str:
    """The text of an article file (see `decode`), refused if a merge left it in two minds."""
    text = decode(data)
    _refuse_conflict(text)
    return text
