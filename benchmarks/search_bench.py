#!/usr/bin/env python3
"""Time the search index on a synthetic corpus: building it, rebuilding it, searching it.

python benchmarks/search_bench.py N [--seed S] [--runs 3] [--tmpfs DIR] [--words W,W]
    Uses bench.py's corpus of N articles (made and cached as `bench.py run` does), builds it
    with `roundup build -v` per run: cold, again unchanged, and after one article is edited,
    and prints the search phase's time, the shards indexed and the index files written in each.
    Then serves the output on 127.0.0.1 and, in headless Chromium (tests/tools/search-check.mjs,
    so run tests/tools/install first), times each word from the first key to the first result
    with the index loaded, and from opening the page with the word typed at once. Prints the
    index's size on disk. OUT: benchmarks/work/search-output, or DIR/roundup-search-output
    with --tmpfs DIR, which also moves the cache folder (where the shards' pages are laid out
    for Pagefind) to DIR: on disk, making many files can cost more than indexing them.
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import re
import resource
import shutil
import statistics
import subprocess
import sys
import threading
import time
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench import WORK, generate, pick_article

ROOT = Path(__file__).resolve().parent.parent
CHECK = ROOT / "tests" / "tools" / "search-check.mjs"
PHASE = re.compile(r"roundup\.build: (\w+): ([\d.]+) s")
SHARDS = re.compile(
    r"search: (\d+) of (\d+) shards indexed; CPU: Pagefind ([\d.]+) s, roundup ([\d.]+) s"
)


def index_files(out: Path) -> dict[Path, int]:
    folder = out / "pagefind"
    return {p: p.stat().st_mtime_ns for p in folder.rglob("*") if p.is_file()}


def build(site: Path, out: Path, cache: Path) -> dict[str, float | int | str]:
    """One timed `roundup build -v`: wall and CPU seconds (Pagefind's included), phases."""
    before = index_files(out) if out.exists() else {}
    command = [str(Path(sys.executable).parent / "roundup"), "build", "-v", "--content",
               "content", "--output", str(out), "--cache-dir", str(cache),
               "--base-url", "https://example.org/"]  # fmt: skip
    os.sync()
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.monotonic()
    done = subprocess.run(command, cwd=site, capture_output=True, text=True)
    wall = time.monotonic() - start
    after_usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        raise SystemExit(f"search_bench: build failed:\n{done.stderr[-3000:]}")
    cpu = sum(getattr(after_usage, f) - getattr(usage, f) for f in ("ru_utime", "ru_stime"))
    phases = {name: float(seconds) for name, seconds in PHASE.findall(done.stderr)}
    shards = SHARDS.search(done.stderr)
    after = index_files(out)
    return {
        "wall_s": round(wall, 2),
        "cpu_s": round(cpu, 2),
        "search_s": phases.get("search", 0.0),
        "shards": f"{shards[1]} of {shards[2]}" if shards else "not run",
        "search_cpu_s": round(float(shards[3]) + float(shards[4]), 2) if shards else 0.0,
        "index_files": len(after),
        "index_written": sum(1 for p, t in after.items() if before.get(p) != t),
    }


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


def search_times(out: Path, word: str) -> dict:
    handler = functools.partial(_QuietHandler, directory=str(out))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/search/"
        done = subprocess.run(["node", str(CHECK), url, word], capture_output=True, text=True)
        if done.returncode != 0:
            raise SystemExit(f"search_bench: search-check failed:\n{done.stderr[-3000:]}")
        return json.loads(done.stdout)
    finally:
        server.shutdown()
        server.server_close()


def print_builds(rows: dict[str, list[dict]]) -> None:
    print("\nbuild       wall s  cpu s  search: wall s (min-max), cpu s  shards   index written")
    for kind, found in rows.items():
        wall, cpu, search_cpu = (
            statistics.median(r[key] for r in found) for key in ("wall_s", "cpu_s", "search_cpu_s")
        )
        search = sorted(r["search_s"] for r in found)
        spread = f"{statistics.median(search):.2f} ({search[0]:.2f}-{search[-1]:.2f})"
        last = found[-1]
        written = f"{last['index_written']} of {last['index_files']}"
        print(f"{kind:<11}{wall:>7.2f}{cpu:>7.2f}  {spread:<22}{search_cpu:>7.2f}  "
              f"{last['shards']:<8} {written}")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("n", type=int, metavar="N", help="number of articles")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--tmpfs", metavar="DIR", help="write the output under DIR")
    parser.add_argument("--words", default="kernel,phoronix", help="words to search for")
    args = parser.parse_args()
    corpus = WORK / f"corpus-{args.n}-seed{args.seed}"
    if not corpus.is_dir():
        partial = WORK / f".partial-{corpus.name}"
        shutil.rmtree(partial, ignore_errors=True)
        generate(args.n, partial, args.seed)
        partial.rename(corpus)
    site = WORK / "search-site"
    out, cache = WORK / "search-output", site / ".roundup-cache"
    if args.tmpfs:
        out = Path(args.tmpfs).resolve() / "roundup-search-output"
        cache = Path(args.tmpfs).resolve() / "roundup-search-cache"
    shutil.rmtree(site, ignore_errors=True)
    shutil.copytree(corpus, site / "content")
    edited = pick_article(site / "content")
    original = edited.read_bytes()
    rows: dict[str, list[dict]] = {"cold": [], "no-change": [], "1-edit": []}
    try:
        for run in range(1, args.runs + 1):
            shutil.rmtree(out, ignore_errors=True)
            shutil.rmtree(cache, ignore_errors=True)
            rows["cold"].append(build(site, out, cache))
            rows["no-change"].append(build(site, out, cache))
            edited.write_bytes(original.rstrip(b"\n") + b" One sentence added by the benchmark.\n")
            try:
                rows["1-edit"].append(build(site, out, cache))
            finally:
                edited.write_bytes(original)
            print(f"run {run}: " + " · ".join(f"{k} {v[-1]}" for k, v in rows.items()), flush=True)
        print_builds(rows)
        sizes = [p.stat() for p in (out / "pagefind").rglob("*") if p.is_file()]
        apparent = sum(s.st_size for s in sizes) / 2**20
        allocated = sum(s.st_blocks * 512 for s in sizes) / 2**20
        print(f"\nindex: {len(sizes)} files, {apparent:.0f} MiB ({allocated:.0f} MiB on disk)")
        for word in args.words.split(","):
            checks = [search_times(out, word) for _ in range(args.runs)]
            keyed = sorted(c["ms"] for c in checks)
            cold = sorted(c["cold_ms"] for c in checks)
            print(f"'{word}' ({checks[0]['summary']}): first result {keyed} ms after the first "
                  f"key; {cold} ms from opening the page")  # fmt: skip
    finally:
        for scratch in (site, cache):
            shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()
