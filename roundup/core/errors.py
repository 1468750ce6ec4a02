"""The exceptions roundup raises and the problem records its errors are made of."""

from __future__ import annotations

from dataclasses import dataclass

from roundup.core.text import LINE_CONTROLS


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong (or doubtful) in one input file, located as precisely as known."""

    path: str
    line: int | None
    field: str
    message: str

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path
        text = f"{where}: {self.field}: " if self.field else f"{where}: "
        text += self.message
        # Line breaks and tabs escaped too: a file may be named "a\nb.md", and its problem must
        # stay one line, unable to pass for a line about another file.
        return LINE_CONTROLS.sub(lambda m: repr(m.group())[1:-1], text)


class RoundupError(Exception):
    """Base of every error caused by input or environment rather than by a bug."""


class ConfigError(RoundupError):
    """The configuration (file or flags) is invalid; carries every problem found."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


class ContentError(RoundupError):
    """One or more article files are invalid; carries every problem of every file."""

    def __init__(self, problems: list[Problem], warnings: list[Problem] | None = None) -> None:
        super().__init__("\n".join(str(p) for p in problems))
        self.problems = problems
        # The doubts met beside the errors: told with them, so one round of edits mends all.
        self.warnings = warnings or []


class OutputError(RoundupError):
    """The output folder cannot be written safely."""


class TemplateError(RoundupError):
    """A theme or site template failed to load or render."""


class Interrupted(RoundupError):
    """A build stopped on purpose before it wrote anything (in `roundup serve`, the search
    index's refresh when another save comes in: the pages of that save come first)."""
