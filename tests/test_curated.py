"""The links already curated in a content folder, read cheaply for `roundup new`."""

from __future__ import annotations

from pathlib import Path

from roundup.authoring.curated import curated_links
from roundup.core.links import canonical_link


def test_each_files_own_links_by_their_identity(tmp_path: Path) -> None:
    files = {
        "a.md": '---\ntitle: A\noriginalUrl: "https://www.example.com/a?utm_source=x"\n'
        "webUrl: 'https://mirror.example/a'\n---\noriginalUrl: https://in.the/body\n",
        "sub/b.md": "---\ntitle: B\noriginalUrl: http://example.com/a#top  # same link\n"
        "related:\n  - title: R\n    webUrl: https://related.example/\n---\n",
        "c.md": "---\n{title: C, originalUrl: 'https://flow.example/'}\n---\n",
        "broken.md": "no frontmatter at all",
        ".hidden.md": "---\noriginalUrl: https://hidden.example/\n---\n",
        "escaped.md": '---\noriginalUrl: "https://escaped.example/\\u00e9"\n---\n',
        "quoted.md": "---\nwebUrl: 'https://quoted.example/it''s'\n---\n",
    }
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text, encoding="utf-8")
    assert curated_links(tmp_path) == {
        canonical_link("https://example.com/a"): ["a.md", "sub/b.md"],
        canonical_link("https://mirror.example/a"): ["a.md"],
        canonical_link("https://escaped.example/é"): ["escaped.md"],
        canonical_link("https://quoted.example/it's"): ["quoted.md"],
    }
