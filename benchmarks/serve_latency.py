#!/usr/bin/env python3
"""Time `roundup serve` from saving one article to the reloaded page, on a synthetic corpus.

python benchmarks/serve_latency.py N [--edits 10] [--seed S] [--tmpfs DIR] [--roundup CMD]
                                     [--compare K] [--json FILE]
    Copy the corpus of `bench.py` (benchmarks/work/corpus-N-seedS/, generated if missing) to
    benchmarks/work/serve-site/content, start `CMD serve --content content --output OUT
    --base-url https://example.org/ --port 0` there and wait for its first build. Then, per
    edit: append a new sentence to one published article, and time until (a) serve's event
    stream says the site changed (what makes an open page reload) and (b) the edited item's
    page, fetched right then, shows the sentence (what the reloaded page shows). Also prints
    the build time serve reports for each rebuild and its phases (`-v`), the CPU time serve
    spent from save to page, and its peak memory. A browser adds its own parsing and painting
    of the page to (b): a few tens of milliseconds for these pages. With --compare K, then
    times K one-edit `roundup build`s (a process each) on the same site: the same work in the
    same minutes, since a busy machine slows both alike.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import re
import resource
import shlex
import shutil
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench import WORK, generate, pick_article, resolve_command

TIMEOUT = 120.0  # seconds for the cold first build; each edit must be far quicker


class Server:
    """The serve process, its output lines and its event stream."""

    def __init__(self, cmd: list[str], site: Path) -> None:
        env = {**os.environ, "PYTHONUNBUFFERED": "1"}
        self.process = subprocess.Popen(
            cmd, cwd=site, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env
        )
        self.lines: list[str] = []
        self.new_line = threading.Condition()
        threading.Thread(target=self._read_output, daemon=True).start()
        self.url = self.wait_for(r"serving \S+ at (http://\S+)").group(1)
        self.wait_for("watching")
        parts = urlsplit(self.url)
        self.host, self.port, self.base = parts.hostname or "", parts.port or 80, parts.path
        self.states: list[tuple[float, dict]] = []
        self.new_state = threading.Condition()
        threading.Thread(target=self._read_events, daemon=True).start()
        self.next_version("")  # the stream's first event: the state when it connected

    def _read_output(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            with self.new_line:
                self.lines.append(line.rstrip("\n"))
                self.new_line.notify_all()

    def wait_for(self, pattern: str, after: int = 0) -> re.Match[str]:
        deadline = time.monotonic() + TIMEOUT
        with self.new_line:
            while True:
                for line in self.lines[after:]:
                    if found := re.search(pattern, line):
                        return found
                if self.process.poll() is not None or time.monotonic() > deadline:
                    said = "\n".join(self.lines)
                    raise SystemExit(f"serve_latency: no line {pattern!r}; serve said:\n{said}")
                self.new_line.wait(1)

    def _read_events(self) -> None:
        connection = http.client.HTTPConnection(self.host, self.port, timeout=None)
        connection.request("GET", "/_roundup/events")
        data = ""
        for raw in connection.getresponse():
            line = raw.decode().rstrip("\n")
            if line.startswith("data:"):
                data += line[5:]
            elif not line and data:
                with self.new_state:
                    self.states.append((time.monotonic(), json.loads(data)))
                    self.new_state.notify_all()
                data = ""

    def next_version(self, seen: str) -> tuple[float, dict]:
        """When a state with a version other than `seen` came, and that state."""
        deadline = time.monotonic() + TIMEOUT
        with self.new_state:
            while True:
                for when, state in self.states:
                    if state["version"] != seen:
                        return when, state
                if time.monotonic() > deadline:
                    raise SystemExit("serve_latency: no reload event came")
                self.new_state.wait(1)

    def get(self, path: str) -> bytes:
        connection = http.client.HTTPConnection(self.host, self.port, timeout=TIMEOUT)
        try:
            connection.request("GET", self.base + path)
            return connection.getresponse().read()
        finally:
            connection.close()

    def peak_memory_mib(self) -> int:
        status = Path(f"/proc/{self.process.pid}/status").read_text()
        return int(re.search(r"VmHWM:\s+(\d+)", status).group(1)) // 1024  # type: ignore[union-attr]

    def cpu_seconds(self) -> float:
        """User and system CPU time of the serve process so far."""
        fields = Path(f"/proc/{self.process.pid}/stat").read_text().rpartition(")")[2].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def stop(self) -> None:
        self.process.send_signal(2)
        self.process.wait(30)


def fresh_builds(
    serve_cmd: list[str], site: Path, edited: Path, original: bytes, runs: int
) -> list[dict[str, float]]:
    """Time `roundup build` after one edit, a new process each time, on the same output: the
    same work, measured in the same minutes (the machine may be busy)."""
    cmd = [
        *serve_cmd[: serve_cmd.index("serve")],
        "build",
        *serve_cmd[serve_cmd.index("--content") :],
    ]
    cmd = cmd[: cmd.index("--port")]  # and without -v
    subprocess.run(cmd, cwd=site, check=True, capture_output=True)  # up to date first
    rows = []
    for number in range(1, runs + 1):
        time.sleep(1.0)
        edited.write_bytes(original.rstrip(b"\n") + f" Build {number}.\n".encode())
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        started = time.monotonic()
        subprocess.run(cmd, cwd=site, check=True, capture_output=True)
        wall = time.monotonic() - started
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
        rows.append({"wall_s": wall, "cpu_s": cpu})
        print(f"roundup build after edit {number}: {wall:.3f} s, CPU {cpu:.2f} s")
    edited.write_bytes(original)
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("n", type=int, metavar="N", help="number of articles")
    parser.add_argument("--edits", type=int, default=10, help="timed edits (default 10)")
    parser.add_argument("--seed", type=int, default=1, help="corpus seed (default 1)")
    parser.add_argument("--roundup", metavar="CMD", help="command that starts roundup")
    parser.add_argument("--tmpfs", metavar="DIR", help="write the output under DIR (a tmpfs)")
    parser.add_argument("--json", metavar="FILE", help="also write every measurement to FILE")
    parser.add_argument(
        "--compare",
        type=int,
        default=0,
        metavar="K",
        help="then time K one-edit `roundup build` processes on the same site, for comparison",
    )
    args = parser.parse_args()

    corpus = WORK / f"corpus-{args.n}-seed{args.seed}"
    if not corpus.is_dir():
        partial = WORK / f".partial-{corpus.name}"
        shutil.rmtree(partial, ignore_errors=True)
        generate(args.n, partial, args.seed)
        partial.rename(corpus)
    site = WORK / "serve-site"
    out = Path(args.tmpfs).resolve() / "roundup-serve-output" if args.tmpfs else WORK / "serve-out"
    for old in (site, out):
        shutil.rmtree(old, ignore_errors=True)
    shutil.copytree(corpus, site / "content")
    cmd = [*resolve_command(args.roundup), "serve", "--content", "content", "--output", str(out)]
    cmd += ["--base-url", "https://example.org/", "--port", "0", "-v"]  # -v: phase timings
    print(f"serve_latency: N={args.n}, {args.edits} edits\nin {site}: {shlex.join(cmd)}")
    print(f"load average: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")

    started = time.monotonic()
    server = Server(cmd, site)
    print(f"first build and serving: {time.monotonic() - started:.1f} s")
    edited = pick_article(site / "content")
    original = edited.read_bytes()
    from roundup.core.slugs import slugify

    page = f"items/{slugify(edited.stem)}/"
    assert server.get(page), f"no page {page}"
    print(f"edited article: {edited.name}, page {server.base}{page}")

    rows: list[dict[str, float]] = []
    rows_build: list[dict[str, float]] = []
    try:
        for number in range(1, args.edits + 1):
            time.sleep(2.0)  # a curator's pause: the last rebuild's after-work is done
            with server.new_state:
                seen = server.states[-1][1]["version"]
                server.states = server.states[-1:]
            lines = len(server.lines)
            sentence = f" Sentence {number} added by the serve benchmark."
            cpu = server.cpu_seconds()
            saved = time.monotonic()
            edited.write_bytes(original.rstrip(b"\n") + sentence.encode() + b"\n")
            event, _ = server.next_version(seen)
            body = server.get(page)
            fetched = time.monotonic()
            cpu = server.cpu_seconds() - cpu
            if sentence.strip().encode() not in body:
                raise SystemExit(f"serve_latency: edit {number} is not on {page}")
            built = float(server.wait_for(r"rebuilt after .* in ([\d.]+) s", lines).group(1))
            phases = {
                f"{found[1]}_s": float(found[2])
                for line in server.lines[lines:]
                if (found := re.match(r"roundup\.build: (\w+): ([\d.]+) s", line))
            }
            row = {"build_s": built, "event_s": event - saved, "page_s": fetched - saved,
                   "cpu_s": cpu, **phases}  # fmt: skip
            rows.append(row)
            print(f"edit {number}: rebuild {built:.3f} s, save→reload event "
                  f"{row['event_s']:.3f} s, save→new page {row['page_s']:.3f} s, "
                  f"CPU {cpu:.2f} s")  # fmt: skip
        peak = server.peak_memory_mib()
        edited.write_bytes(original)
        server.stop()
        if args.compare:
            rows_build = fresh_builds(cmd, site, edited, original, args.compare)
    finally:
        edited.write_bytes(original)
        if server.process.poll() is None:
            server.stop()
        shutil.rmtree(site, ignore_errors=True)
        shutil.rmtree(out, ignore_errors=True)

    measured = {key: [row[key] for row in rows] for key in rows[0]}
    if rows_build:
        measured["fresh_build_s"] = [row["wall_s"] for row in rows_build]
        measured["fresh_build_cpu_s"] = [row["cpu_s"] for row in rows_build]
    summary = {}
    for key, values in measured.items():
        summary[key] = {"median": statistics.median(values), "min": min(values), "max": max(values)}
        print(f"{key}: median {summary[key]['median']:.3f} s "
              f"({summary[key]['min']:.3f}-{summary[key]['max']:.3f})")  # fmt: skip
    print(f"serve's peak memory: {peak} MiB; phases as `roundup build -v` names them")
    if args.json:
        report = {"args": vars(args), "rows": rows, "summary": summary, "peak_mib": peak}
        report["fresh_builds"] = rows_build
        Path(args.json).write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
