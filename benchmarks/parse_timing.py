#!/usr/bin/env python3
"""Time reading article files one by one: frontmatter YAML, then whole files, in ms per file.

python benchmarks/parse_timing.py DIR [--runs 3]
    For every *.md, *.markdown and *.txt in DIR (e.g. a corpus from `bench.py generate`),
    times yamlstrict.load (the fast reader where it applies), yamlstrict.load_slowly (libyaml
    and the strict walker, for every file) and content.parse_bytes; the best of --runs passes,
    with the garbage collector off. Also prints how many frontmatters the fast reader took.
"""

from __future__ import annotations

import argparse
import gc
import time
from collections.abc import Callable
from pathlib import Path
from zoneinfo import ZoneInfo

from roundup.read import content, yamlstrict


def best_ms_per_file(run: Callable[[], object], files: int, runs: int) -> float:
    times = []
    for _ in range(runs):
        gc.collect()
        gc.disable()
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
        gc.enable()
    return min(times) / files * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("folder", type=Path)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    paths = sorted(p for p in args.folder.rglob("*") if p.suffix in (".md", ".markdown", ".txt"))
    datas = [path.read_bytes() for path in paths]
    fronts = []
    for data in datas:
        try:
            front, first_line, _, _ = content.split_frontmatter(content.decode(data))
        except content.FileProblem:
            continue
        fronts.append((front, first_line))
    taken = sum(yamlstrict.load(front).lines is not None for front, _ in fronts)
    print(f"{len(paths)} files, {taken} of {len(fronts)} frontmatters taken by the fast reader")
    zone = ZoneInfo("UTC")
    timings = {
        "yamlstrict.load": lambda: [yamlstrict.load(f, n) for f, n in fronts],
        "yamlstrict.load_slowly": lambda: [yamlstrict.load_slowly(f, n) for f, n in fronts],
        "content.parse_bytes": lambda: [content.parse_bytes(d, "a.txt", zone) for d in datas],
    }
    for name, run in timings.items():
        count = len(datas) if name.startswith("content") else len(fronts)
        print(f"{name:24} {best_ms_per_file(run, count, args.runs):.4f} ms per file")


if __name__ == "__main__":
    main()
