"""A generated site of heavy links crowded onto few days, for the light-page tests.

Every link carries what makes a listing heavy: a long title, a long excerpt, a curator's
comment of several paragraphs (some very long), related coverage, an image and topics.
"""

from __future__ import annotations

import random
from pathlib import Path

WORDS = (  # noqa: SIM905
    "async cancellation runtime borrow checker compiler release notes trait object safety "
    "iterator adapter allocator kernel driver embedded firmware network protocol parser "
    "benchmark regression memory layout const generics macro hygiene error handling "
    "crate ecosystem maintainers community survey conference talk video podcast tutorial"
).split()


def _words(rng: random.Random, count: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(count))


def _comment(rng: random.Random, number: int) -> str:
    """A Markdown comment: mostly a few paragraphs, now and then a long essay."""
    paragraphs = rng.choice([1, 2, 3, 4]) if number % 10 else 40
    out = []
    for index in range(paragraphs):
        text = _words(rng, rng.randint(30, 70)).capitalize() + "."
        if index % 2:
            text += (
                f" See [the *{_words(rng, 3)}* notes](https://notes.example.org/{number}/{index})."
            )
        out.append(text)
    if number % 3 == 0:
        out.append("\n".join(f"- {_words(rng, 8)}" for _ in range(4)))
    return "\n\n".join(out) + "\n"


def article(rng: random.Random, number: int, days: int) -> str:
    day = 1 + number % days
    title = _words(rng, rng.randint(20, 45)).capitalize()
    if number % 17 == 0:
        title = (title + " ") * 4
    title = title[:480].replace('"', "")
    excerpt = _words(rng, rng.randint(150, 300)).capitalize() + "."
    topics = rng.sample([f"Topic {n}" for n in range(40)], rng.randint(1, 5))
    related = "\n".join(
        f'  - {{title: "{_words(rng, 12)}", webUrl: "https://other{r}.example.net/{number}/'
        f'{_words(rng, 1)}", provider: {{name: "Other Desk {r}", domain: "other{r}.example.net"}}}}'
        for r in range(rng.randint(0, 5))
    )
    front = [
        "---",
        f'title: "{title}"',
        f'excerpt: "{excerpt}"',
        f"publishedDateTime: 2024-05-{day:02d}T{number % 24:02d}:{number % 60:02d}:00Z",
        f'originalUrl: "https://news{number % 9}.example.com/2024/05/{day:02d}/'
        f'{"-".join(title.lower().split()[:12])}-{number}"',
        f'provider: {{name: "Newsroom {number % 9}", domain: "news{number % 9}.example.com"}}',
        f"topics: {topics!r}",
        f"heat: {number % 100}",
        "images:",
        f'  - {{url: "https://cdn.example.com/images/2024/05/{number}-{_words(rng, 2)}.jpg", '
        "width: 1200, height: 800}",
    ]
    if related:
        front += ["related:", related]
    return "\n".join([*front, "---", _comment(rng, number)])


def write_site(folder: Path, links: int, days: int, seed: int = 7, **settings: object) -> Path:
    """A site folder (pyproject.toml and content/) with `links` heavy links over `days` days
    of May 2024."""
    rng = random.Random(seed)
    content = folder / "content"
    content.mkdir(parents=True)
    for number in range(links):
        (content / f"link-{number:05d}.md").write_text(article(rng, number, days), "utf-8")
    lines = ["[tool.roundup]", 'title = "Big Roundup"', 'base_url = "https://example.org/big/"']
    lines += [f"{key} = {value!r}".replace("'", '"') for key, value in settings.items()]
    (folder / "pyproject.toml").write_text("\n".join(lines) + "\n", "utf-8")
    return folder
