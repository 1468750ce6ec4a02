"""Pages hold what curators write, however long or right-to-left: laid out in Chromium."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from checkers import axe_script, chromium, node, output_of, playwright_core, run
from conftest import ROOT, build_folder, write_article
from webserver import serve_folder

PAGE_WIDTH = ROOT / "tests" / "tools" / "page-width.mjs"
AXE_CHECK = ROOT / "tests" / "tools" / "axe-check.mjs"
# A real German word, a source's name of one word, and a topic of letters with no space.
LONG_WORD = "Rindfleischetikettierungsüberwachungsaufgabenübertragungsgesetz"
LONG_SOURCE = "VeryLongProviderName" * 8
LONG_TOPIC = "Longtopicname" * 7
ARTICLES = {
    "long.md": (
        f'title: "{LONG_WORD}"\npublishedDateTime: 2026-03-01T10:00:00Z\n'
        f'originalUrl: "https://example.com/long"\n'
        f'provider: {{name: "{LONG_SOURCE}", domain: "example.com"}}\n'
        f'topics: ["{LONG_WORD}", "{LONG_TOPIC}"]',
        "A comment with a wide code block and a wide table:\n\n"
        "```\npython3 -m pip install --upgrade --user roundup-ssg pagefind[bin] feedparser\n```\n\n"
        "| " + " | ".join(f"column {n}" for n in range(12)) + " |\n"
        "|" + "---|" * 12 + "\n| " + " | ".join(str(n) for n in range(12)) + " |\n",
    ),
    "rtl.md": (
        'title: "مرحبا بالعالم: مقالة عن التعلم الآلي!"\npublishedDateTime: 2026-03-01T11:00:00Z\n'
        'originalUrl: "https://aljazeera.net/ar/article"\n'
        'excerpt: "هذا ملخص المقالة باللغة العربية."\ntopics: ["שלום עולם"]',
        "مقالة ممتازة!\n\nשלום, זה תגובה בעברית.\n",  # noqa: RUF001 - Hebrew on purpose
    ),
}
PATHS = ["", "items/long/", "items/rtl/", "topics/", "sources/", "feeds/", "2026/03/01/"]


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The site built and served on 127.0.0.1; its base URL."""
    root = tmp_path_factory.mktemp("layout")
    site = root / "site"
    (site / "content").mkdir(parents=True)
    (site / "pyproject.toml").write_text('[tool.roundup]\ntitle = "Layout"\n', "utf-8")
    for name, (front, body) in ARTICLES.items():
        write_article(site / "content", name, front, body)
    with serve_folder(root) as base_url:
        url = base_url + "out/"
        build_folder(site, root / "out", base_url=url, search=False)
        yield url


@pytest.mark.parametrize("width", [390, 1366])
def test_no_page_is_wider_than_the_window_and_rtl_text_runs_right_to_left(
    base: str, width: int
) -> None:
    # A long unbroken topic or source name pushed pages to 488-2,396 px at 390 px; Arabic
    # and Hebrew lines started at the left with their "!" at the wrong end.
    playwright, browser = playwright_core(), chromium()
    assert playwright.is_dir()
    result = run([node(), PAGE_WIDTH, str(width), base, *PATHS],
                 env={"CHROMIUM": str(browser)}, timeout=120)  # fmt: skip
    assert result.returncode == 0, output_of(result)
    report = json.loads(result.stdout)
    assert {p: r["width"] for p, r in report.items()} == dict.fromkeys(PATHS, width)
    # The item's title, excerpt and both comment paragraphs; the title again in listings.
    assert report["items/rtl/"]["rtlRight"] == [True] * 4
    assert report[""]["rtlRight"] and all(report[""]["rtlRight"])


def test_wide_code_blocks_and_tables_in_comments_keep_axe_clean(base: str) -> None:
    # They scroll sideways: axe's scrollable-region-focusable wants the keyboard to reach them.
    playwright, browser = playwright_core(), chromium()
    assert playwright.is_dir()
    paths = ["", "items/long/", "items/rtl/"]
    result = run([node(), AXE_CHECK, axe_script(), base, *paths],
                 env={"CHROMIUM": str(browser)}, timeout=120)  # fmt: skip
    assert result.returncode == 0, output_of(result)
    report = json.loads(result.stdout)
    assert len(report) == 4 * len(paths)
    assert {page: [v["id"] for v in found] for page, found in report.items() if found} == {}
