#!/usr/bin/env python3
"""Time `roundup import` on a large browser export: a deterministic Netscape bookmark file.

python benchmarks/import_bench.py generate N FILE [--seed S]
    Write a Firefox-style export of N bookmarks (nested folders, tags, descriptions, favicon
    data URIs on one in ten, a few duplicates differing only by utm_source, a few bookmarklets
    and place: queries), byte-identical for the same N and seed.
python benchmarks/import_bench.py run [N] [--runs 3] [--seed S] [--roundup CMD] [--keep]
    Generate N bookmarks (default 50,000) into benchmarks/work/, then per run time into a
    new empty site there: `CMD import FILE -q` (a cold import), the same again (every link already
    there), and `roundup build` of the result. Prints median (min-max) wall seconds and peak
    RSS, and the files written; exits 1 when a command fails.
"""

from __future__ import annotations

import argparse
import html
import os
import random
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

WORK = Path(__file__).resolve().parent / "work"
WORDS = (  # noqa: SIM905
    "static site feed reader parser template cache server request index query schema compiler "
    "runtime kernel network protocol certificate browser engine release package community "
    "license patch audit model dataset benchmark city river garden recipe travel history music"
).split()
TAGS = "python rust web css design history music travel recipes security ai linux".split()  # noqa: SIM905
HOSTS = [f"{w}.example" for w in WORDS[:20]] + ["www.bbc.co.uk", "github.com", "en.wikipedia.org"]
ICON = "data:image/png;base64," + "iVBORw0KGgoAAAANSUhEUgAAABAAAAAQ" * 12
START = 946684800  # 2000-01-01: ADD_DATEs spread over 24 years


def generate(count: int, path: Path, seed: int) -> None:
    """Write the export: folders of 50 to 500 bookmarks, two levels deep."""
    rng = random.Random(seed)
    out = [
        "<!DOCTYPE NETSCAPE-Bookmark-file-1>",
        "<!-- This is an automatically generated file.\n     It will be read and overwritten.\n"
        "     DO NOT EDIT! -->",
        '<META HTTP-EQUIV="Content-Type" CONTENT="text/html; charset=UTF-8">',
        "<TITLE>Bookmarks</TITLE>",
        "<H1>Bookmarks Menu</H1>",
        "",
        "<DL><p>",
    ]
    written = 0
    while written < count:
        folder = " ".join(rng.choice(WORDS).capitalize() for _ in range(2))
        out.append(f'    <DT><H3 ADD_DATE="{START}" LAST_MODIFIED="{START}">{folder}</H3>')
        out.append("    <DL><p>")
        for _ in range(min(rng.randint(50, 500), count - written)):
            out.append("        " + bookmark(rng, written))
            if rng.random() < 0.3:
                out.append(f"        <DD>{html.escape(sentence(rng, 8, 30))}")
            written += 1
        out.append("    </DL><p>")
    out.append("</DL>")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(out) + "\n", encoding="utf-8")


def bookmark(rng: random.Random, number: int) -> str:
    added = START + rng.randrange(24 * 365 * 86400)
    roll = rng.random()
    if roll < 0.005:
        url = "javascript:(function(){alert(document.title)})()"
    elif roll < 0.01:
        url = "place:sort=8&maxResults=10"
    else:
        host = rng.choice(HOSTS)
        url = f"https://{host}/{rng.choice(WORDS)}/{number // 2 if roll < 0.03 else number}"
        if roll < 0.03:
            url += f"?utm_source={rng.choice(WORDS)}"  # half of these are duplicates
    tags = ",".join(rng.sample(TAGS, rng.randint(0, 3)))
    icon = f' ICON="{ICON}"' if rng.random() < 0.1 else ""
    title = html.escape(sentence(rng, 3, 10).rstrip(".").title())
    return (
        f'<DT><A HREF="{html.escape(url)}" ADD_DATE="{added}" LAST_MODIFIED="{added}" '
        f'TAGS="{tags}"{icon}>{title}</A>'
    )


def sentence(rng: random.Random, lo: int, hi: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(rng.randint(lo, hi))).capitalize() + "."


def timed(command: list[str], cwd: Path) -> tuple[float, float]:
    """Wall seconds and the command's own peak RSS in MiB (Linux reports KiB)."""
    start = time.perf_counter()
    child = subprocess.Popen(command, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    assert child.stderr is not None
    errors = child.stderr.read()
    _, status, usage = os.wait4(child.pid, 0)
    seconds = time.perf_counter() - start
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode != 0:
        sys.exit(f"{shlex.join(command)} failed ({child.returncode}):\n{errors[-2000:].decode()}")
    return seconds, usage.ru_maxrss / 1024


def run(count: int, runs: int, seed: int, roundup: list[str], keep: bool) -> None:
    export = WORK / f"bookmarks-{count}-seed{seed}.html"
    if not export.exists():
        generate(count, export, seed)
    print(f"export: {export} ({export.stat().st_size / 2**20:.1f} MB, {count:,} bookmarks)")
    results: dict[str, list[tuple[float, float]]] = {"import": [], "again": [], "build": []}
    files = 0
    for _ in range(runs):
        # A new folder each run: creating files where many were deleted is slower on ext4.
        site = Path(tempfile.mkdtemp(prefix="import-site-", dir=WORK))
        (site / "pyproject.toml").write_text('[tool.roundup]\ntitle = "Bench"\n', "utf-8")
        results["import"].append(timed([*roundup, "import", str(export), "-q"], site))
        files = len(list((site / "content").iterdir()))
        results["again"].append(timed([*roundup, "import", str(export), "-q"], site))
        results["build"].append(timed([*roundup, "build", "-q"], site))
        if not keep:
            shutil.rmtree(site, ignore_errors=True)
    for name, label in (("import", "import, empty site"), ("again", "import again (all present)"),
                        ("build", "roundup build of the result")):  # fmt: skip
        walls = [wall for wall, _ in results[name]]
        peak = max(rss for _, rss in results[name])
        print(
            f"{label:30} {statistics.median(walls):6.2f} s ({min(walls):.2f}-{max(walls):.2f})"
            f"  peak RSS {peak:.0f} MiB"
        )
    print(f"files written: {files:,}")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    commands = parser.add_subparsers(dest="command", required=True)
    make = commands.add_parser("generate")
    make.add_argument("n", type=int)
    make.add_argument("file", type=Path)
    make.add_argument("--seed", type=int, default=1)
    timing = commands.add_parser("run")
    timing.add_argument("n", type=int, nargs="?", default=50_000)
    timing.add_argument("--runs", type=int, default=3)
    timing.add_argument("--seed", type=int, default=1)
    timing.add_argument("--roundup", default=str(Path(sys.executable).parent / "roundup"))
    timing.add_argument("--keep", action="store_true")
    args = parser.parse_args()
    if args.command == "generate":
        generate(args.n, args.file, args.seed)
    else:
        run(args.n, args.runs, args.seed, shlex.split(args.roundup), args.keep)


if __name__ == "__main__":
    main()
