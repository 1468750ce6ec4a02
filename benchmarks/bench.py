#!/usr/bin/env python3
"""Generate a deterministic synthetic corpus in the seed's schema and time `roundup build` on it.

python benchmarks/bench.py generate N DIR [--seed S]
    Write N articles (NNNNN_<16 hex>.txt) into DIR, byte-identical for the same N and seed.
python benchmarks/bench.py run N [--runs 5] [--seed S] [--roundup CMD] [--tmpfs DIR] [--json FILE]
                                 [--keep]
    Cache the corpus in benchmarks/work/corpus-N-seedS/ (delete it after changing the generator),
    copy it to benchmarks/work/site/content and there, per run, time `CMD build --content content
    --output OUT --base-url https://example.org/`: cold (no OUT and no .roundup-cache/),
    again unchanged, and again after one sentence is appended to one published article. Prints
    median (min-max) wall and CPU seconds, peak RSS, files in OUT and files written; exits 1 if a
    build fails. CMD: the venv's `roundup` by default. OUT: benchmarks/work/output, or
    DIR/roundup-bench-output with --tmpfs DIR (on disk, file creation after many deletes is slow).
"""

from __future__ import annotations

import argparse
import base64
import datetime as dt
import hashlib
import json
import os
import random
import re
import shlex
import shutil
import statistics
import subprocess
import sys
import time
from argparse import RawDescriptionHelpFormatter
from dataclasses import asdict, dataclass
from pathlib import Path

WORK = Path(__file__).resolve().parent / "work"

# Word lists are kept as text (hence the noqa): as list literals they would take a line a word.
TOPICS = (  # noqa: SIM905
    "AI,Open Source,Privacy,Security,Web Standards,Python,Browsers,Cloud,Rust,Accessibility,"
    "Databases,Machine Learning,Policy,Linux,Static Sites,Performance,Feeds,Hardware,Mobile,"
    "Design,Startups,Science,Climate,Networking,Cryptography,Education,Games,Space,Robotics,"
    "Typography"
).split(",")
PROVIDERS = [
    tuple(pair.split("|"))
    for pair in (  # noqa: SIM905
        "The Verge|theverge.com,Ars Technica|arstechnica.com,Wired|wired.com,LWN.net|lwn.net,"
        "TechCrunch|techcrunch.com,The Register|theregister.com,Hacker News|news.ycombinator.com,"
        "MDN Blog|developer.mozilla.org,web.dev|web.dev,Smashing Magazine|smashingmagazine.com,"
        "CSS-Tricks|css-tricks.com,A List Apart|alistapart.com,Real Python|realpython.com,"
        "Python Insider|blog.python.org,Rust Blog|blog.rust-lang.org,GitHub Blog|github.blog,"
        "Cloudflare Blog|blog.cloudflare.com,Reuters|reuters.com,BBC News|bbc.co.uk,"
        "The Guardian|theguardian.com,New York Times|nytimes.com,Bloomberg|bloomberg.com,"
        "Nature|nature.com,IEEE Spectrum|spectrum.ieee.org,InfoQ|infoq.com,ZDNet|zdnet.com,"
        "MIT Technology Review|technologyreview.com,Quanta Magazine|quantamagazine.org,"
        "The New Stack|thenewstack.io,Phoronix|phoronix.com,AnandTech|anandtech.com,"
        "Tom's Hardware|tomshardware.com,Engadget|engadget.com,Protocol|protocol.com,"
        "Axios|axios.com,Fast Company|fastcompany.com,Heise Online|heise.de,Le Monde|lemonde.fr,"
        "Simon Willison|simonwillison.net,arXiv|arxiv.org"
    ).split(",")
]
NOUNS = (  # noqa: SIM905
    "browser engine standard spec feed reader parser template cache server request latency index "
    "query schema compiler runtime kernel chip memory network protocol certificate encryption key "
    "tracker cookie regulator court startup funding release package maintainer community license "
    "patch bug vulnerability audit model dataset benchmark researchers users developers city"
).split()
VERBS = "uses ships breaks fixes adopts drops questions rewrites speeds slows tests bans".split()  # noqa: SIM905
LINKS = "after despite while as because and but across before".split()  # noqa: SIM905
ADJECTIVES = "new open faster smaller experimental stable secure legacy modern federal".split()  # noqa: SIM905
HOUR_WEIGHTS = [1] * 6 + [3] * 6 + [6] * 8 + [2] * 4  # quiet nights (UTC), busy afternoons
START, DAYS = dt.datetime(2019, 1, 1), (dt.datetime(2022, 1, 1) - dt.datetime(2019, 1, 1)).days
TOPIC_WEIGHTS = [1 / k**1.1 for k in range(1, len(TOPICS) + 1)]  # Zipf: a few topics dominate
PROVIDER_WEIGHTS = [1 / k**0.8 for k in range(1, len(PROVIDERS) + 1)]


def q(text: str) -> str:
    """Quote text as a YAML double-quoted scalar (the generator never emits control characters)."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def sentence(rng: random.Random, lo: int = 8, hi: int = 20) -> str:
    """Clauses of noun, verb, noun (some with an adjective or a number), joined by connectives."""
    words: list[str] = []
    target = rng.randint(lo, hi)
    while len(words) < target:
        words += [rng.choice(LINKS)] if words else []
        for part in (NOUNS, VERBS, NOUNS):
            roll = rng.random()
            if part is NOUNS and roll < 0.3:
                words.append(rng.choice(ADJECTIVES) if roll < 0.25 else str(rng.randrange(2, 3000)))
            words.append(rng.choice(part))
    text = " ".join(words)
    return text[0].upper() + text[1:] + rng.choice(".......?")


def title(rng: random.Random) -> str:
    words = [w.capitalize() if len(w) > 3 else w for w in sentence(rng, 4, 11)[:-1].split()]
    # Some titles exercise escaping and non-ASCII text, as real headlines do.
    extras = ["", ' "Open" Secret', " — Explained", " Café Edition", r" (C:\Program Files)", "?"]
    return " ".join(words) + rng.choices(extras, [80, 6, 5, 3, 1, 5])[0]


def image(rng: random.Random, domain: str, when: dt.datetime, pad: str) -> list[str]:
    width = rng.choice([400, 583, 800, 1024, 1200, 1600, 1920, 2560])
    height = int(width * rng.choice([0.5, 0.5625, 0.625, 0.75, 1.0]))
    name = f"{rng.getrandbits(48):012x}.{rng.choice(['jpg', 'jpeg', 'png', 'webp'])}"
    url = f"https://{domain}/uploads/{when.year}/{when.month:02d}/{name}"
    return [
        f"{pad}images:",
        f"{pad}  - url: {q(url)}",
        f"{pad}    width: {width}",
        f"{pad}    height: {height}",
        f"{pad}    isCached: {'true' if rng.random() < 0.8 else 'false'}",
    ]


def body(rng: random.Random) -> str:
    """The curator's comment: 0-3 paragraphs, some with emphasis or a link."""
    paragraphs = []
    for _ in range(rng.choices([0, 1, 2, 3], weights=[35, 35, 20, 10])[0]):
        sentences = [sentence(rng) for _ in range(rng.randint(1, 4))]
        roll = rng.random()
        if roll < 0.2:
            sentences[0] = f"*{sentences[0]}*" if rng.random() < 0.6 else f"**{sentences[0]}**"
        elif roll < 0.4:
            name, domain = rng.choice(PROVIDERS)
            sentences.append(f"More in [{name}'s coverage](https://{domain}/{slug(title(rng))}).")
        paragraphs.append(" ".join(sentences))
    return "\n\n".join(paragraphs) + "\n" if paragraphs else ""


def article(rng: random.Random) -> str:
    """One article file, in the seed's field order and layout."""
    hour = rng.choices(range(24), weights=HOUR_WEIGHTS)[0]
    when = START + dt.timedelta(days=rng.randrange(DAYS), hours=hour, minutes=rng.randrange(60))
    when += dt.timedelta(seconds=rng.randrange(60) if rng.random() < 0.2 else 0)
    head = title(rng)
    name, domain = rng.choices(PROVIDERS, weights=PROVIDER_WEIGHTS)[0]
    # 1-3 picks by popularity; dict.fromkeys drops repeats and keeps the order.
    picks = rng.choices(TOPICS, weights=TOPIC_WEIGHTS, k=rng.choices([1, 2, 3], [50, 35, 15])[0])
    topics = list(dict.fromkeys(picks))
    url = f"https://{domain}/{when:%Y/%m/%d}/{slug(head)}/"
    quality = rng.randint(0, 100)
    lines = [
        "---",
        f"category: {rng.choices(['news', 'research', 'opinion', 'release'], [75, 10, 8, 7])[0]}",
        f"title: {q(head)}",
        f"excerpt: {q(' '.join(sentence(rng, 10, 26) for _ in range(rng.randint(1, 3))))}",
        f"publishedDateTime: {when:%Y-%m-%dT%H:%M:%SZ}",
        f"originalUrl: {q(url)}",
        f"webUrl: {q(url if rng.random() < 0.85 else f'{url}?utm_source=feed')}",
        f"type: {rng.choices(['article', 'video', 'paper'], [88, 6, 6])[0]}",
        f"quality: {quality}",
        f"heat: {max(0, min(100, quality + rng.randint(-20, 20)))}",
        f"published: {'false' if rng.random() < 0.15 else 'true'}",
        "\nprovider:",
        f"  name: {name}",
        f"  domain: {domain}",
        "\ntopics:",
        *(f"  - {topic}" for topic in topics),
    ]
    if rng.random() < 0.7:
        lines += ["", *image(rng, domain, when, "")]
    related = rng.choices([0, 1, 2, 3], weights=[40, 30, 20, 10])[0]
    lines += ["\nrelated:"] if related else []
    for _ in range(related):
        other = when - dt.timedelta(minutes=rng.randrange(7200))  # coverage of the days before
        rel_name, rel_domain = rng.choice(PROVIDERS)
        rel_title = title(rng)
        lines += [
            f"  - title: {q(rel_title)}",
            f"    excerpt: {q(sentence(rng, 10, 26))}",
            f"    publishedDateTime: {other:%Y-%m-%dT%H:%M:%SZ}",
            f"    webUrl: {q(f'https://{rel_domain}/{other:%Y/%m}/{slug(rel_title)}/')}",
            "    type: article",
            "    provider:",
            f"      name: {rel_name}",
            f"      domain: {rel_domain}",
            f"    quality: {rng.randint(0, 100)}",
        ]
        lines += image(rng, rel_domain, other, "    ") if rng.random() < 0.4 else []
    # Opaque like the seed's: base64 ciphertext ; base64 IV, 369 characters.
    secret, iv = (base64.b64encode(rng.randbytes(size)).decode() for size in (256, 16))
    lines += [f"\nsecured: {q(secret + ';' + iv)}", "---", ""]
    return "\n".join(lines) + "\n" + body(rng)


def generate(n: int, folder: Path, seed: int) -> None:
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(n):
        data = article(rng).encode()  # bytes, not text mode: the same newlines on every platform
        (folder / f"{i:05d}_{hashlib.sha256(data).hexdigest()[:16]}.txt").write_bytes(data)


@dataclass
class Build:
    run: int
    kind: str
    wall_s: float
    cpu_s: float
    peak_rss_kib: int
    files: int
    written: int


KINDS = {"cold": "cold", "no-change": "rebuild, no change", "1-edit": "rebuild, 1 article edited"}
FIELDS = ("wall_s", "cpu_s", "peak_rss_kib", "files", "written")


# Runs one build in a small process of its own and writes its wall time, CPU time, peak RSS and
# exit code to argv[1]. A child's peak RSS starts at its parent's (fork, then exec), which would
# be this script's; and this script's RUSAGE_CHILDREN would be a maximum over every build so far.
WRAPPER = """
import os, resource, sys, time
start = time.monotonic()
status = os.waitpid(os.posix_spawnp(sys.argv[2], sys.argv[2:], os.environ), 0)[1]
wall = time.monotonic() - start
usage = resource.getrusage(resource.RUSAGE_CHILDREN)
measured = (wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss)
with open(sys.argv[1], "w") as report:
    print(*measured, os.waitstatus_to_exitcode(status), file=report)
"""


def snapshot(out: Path) -> dict[Path, int]:
    """Map every file in out to its mtime."""
    return {path: path.stat().st_mtime_ns for path in out.rglob("*") if path.is_file()}


def timed_build(cmd: list[str], site: Path, out: Path, logs: Path, run: int, kind: str) -> Build:
    before = snapshot(out)
    os.sync()  # so this build does not pay for the write-back of the previous one
    time.sleep(0.5)
    stdout, stderr, report = (logs / f"{run}-{kind}.{ext}" for ext in ("out", "err", "rusage"))
    wrapper = [sys.executable, "-I", "-S", "-c", WRAPPER, str(report), *cmd]
    with stdout.open("wb") as out_log, stderr.open("wb") as err_log:
        exit_code = subprocess.run(wrapper, cwd=site, stdout=out_log, stderr=err_log).returncode
    measured = report.read_text().split() if report.exists() else []
    code = int(measured[3]) if measured else exit_code or 1
    if code != 0:
        lines = stderr.read_text("utf-8", "replace").splitlines()[-20:]
        tail = "".join(f"\n  | {line}" for line in lines)
        # SystemExit still runs the callers' finally blocks, which restore the edited article.
        failed = f"bench: {KINDS[kind]} build failed in run {run} (exit code {code})"
        raise SystemExit(f"{failed}; last lines of its stderr:{tail}\nlogs: {logs}")
    after = snapshot(out)
    written = sum(1 for path, mtime in after.items() if before.get(path) != mtime)
    wall, cpu, rss = float(measured[0]), float(measured[1]), int(measured[2])
    return Build(run, kind, round(wall, 3), round(cpu, 3), rss, len(after), written)


def resolve_command(spec: str | None) -> list[str]:
    words = shlex.split(spec) if spec else [str(Path(sys.executable).parent / "roundup")]
    # Builds run in the scratch site, so a relative path is made absolute first; abspath, as
    # resolve() would follow .venv/bin/python's symlink out of the venv.
    words[0] = os.path.abspath(words[0]) if "/" in words[0] else words[0]
    if not shutil.which(words[0]):
        raise SystemExit(f"bench: cannot run {words[0]!r}; install roundup or pass --roundup CMD")
    return words


def pick_article(content: Path) -> Path:
    """A published article with a body from the middle of the corpus: the same one every run."""
    files = sorted(content.glob("*.txt"))
    for path in files[len(files) // 2 :] + files[: len(files) // 2]:
        head, _, comment = path.read_text("utf-8").partition("\n---\n")
        if "\npublished: true\n" in head and comment.strip():
            return path
    raise SystemExit("bench: no published article with a body in the corpus")


def measure(cmd: list[str], site: Path, out: Path, logs: Path, runs: int) -> list[Build]:
    edited = pick_article(site / "content")
    original = edited.read_bytes()
    print(f"edited article: {edited.name} (restored after each edit)", flush=True)
    # Old outputs are moved aside and deleted at the end, untimed: on disk, creating files soon
    # after deleting many is several times slower, which would bill the clean-up to a build.
    trash = out.with_name(out.name + ".trash")
    trash.mkdir()
    builds: list[Build] = []
    try:
        for run in range(1, runs + 1):
            if out.exists():  # cold: no output folder and no cache folder
                out.rename(trash / str(run))
            shutil.rmtree(site / ".roundup-cache", ignore_errors=True)  # a few hundred files
            builds.append(timed_build(cmd, site, out, logs, run, "cold"))
            builds.append(timed_build(cmd, site, out, logs, run, "no-change"))
            edited.write_bytes(original.rstrip(b"\n") + b" One sentence added by the benchmark.\n")
            try:
                builds.append(timed_build(cmd, site, out, logs, run, "1-edit"))
            finally:
                edited.write_bytes(original)
            times = " · ".join(f"{b.kind} {b.wall_s:.2f}s" for b in builds[-3:])
            print(f"run {run}/{runs}: {times}", flush=True)
    finally:
        shutil.rmtree(trash, ignore_errors=True)
    return builds


def summarize(builds: list[Build]) -> dict[str, dict[str, dict[str, float]]]:
    """Print the table; return the median, min and max of every measurement per build kind."""

    def stats(kind: str, field: str) -> dict[str, float]:
        values = [getattr(b, field) for b in builds if b.kind == kind]
        return {"median": statistics.median(values), "min": min(values), "max": max(values)}

    def spread(measured: dict[str, float], fmt: str = "{:.0f}") -> str:
        low, mid, high = (fmt.format(measured[key]) for key in ("min", "median", "max"))
        return mid if low == high else f"{mid} ({low}-{high})"

    summary = {kind: {field: stats(kind, field) for field in FIELDS} for kind in KINDS}
    line = "{:<26}{:>24}{:>7}{:>10}{:>13}{:>13}".format
    print("\n" + line("build", "wall s median (min-max)", "cpu s", "peak RSS", "files", "written"))
    for kind, label in KINDS.items():
        row = summary[kind]
        rss = f"{row['peak_rss_kib']['median'] / 1024:.0f} MiB"
        cells = [spread(row["wall_s"], "{:.2f}"), f"{row['cpu_s']['median']:.2f}", rss]
        print(line(label, *cells, spread(row["files"]), spread(row["written"])))
    return summary


def run_bench(args: argparse.Namespace) -> None:
    corpus = WORK / f"corpus-{args.n}-seed{args.seed}"
    if not corpus.is_dir():
        # Generated aside and renamed, so an interrupted generation is never taken for a corpus.
        partial = WORK / f".partial-{corpus.name}"
        shutil.rmtree(partial, ignore_errors=True)
        generate(args.n, partial, args.seed)
        partial.rename(corpus)
    site, logs = WORK / "site", WORK / "logs"
    out = Path(args.tmpfs).resolve() / "roundup-bench-output" if args.tmpfs else WORK / "output"
    cmd = [*resolve_command(args.roundup), "build", "--content", "content", "--output", str(out)]
    cmd += ["--base-url", "https://example.org/"]
    for old in (site, logs, out):
        shutil.rmtree(old, ignore_errors=True)
    shutil.copytree(corpus, site / "content")
    logs.mkdir()
    published = sum(b"\npublished: false\n" not in p.read_bytes() for p in corpus.glob("*.txt"))
    fs = subprocess.run(["stat", "-f", "-c", "%T", out.parent], capture_output=True, text=True)
    print(f"roundup bench: N={args.n} ({published} published), seed {args.seed}, {args.runs} runs")
    print(f"output on {fs.stdout.strip() or '?'}: {out}\nin {site}: {shlex.join(cmd)}", flush=True)
    try:
        builds = measure(cmd, site, out, logs, args.runs)
    finally:
        if not args.keep:
            for scratch in (site, out):
                shutil.rmtree(scratch, ignore_errors=True)
    summary = summarize(builds)
    if args.keep:
        print(f"kept: site {site}, output {out}, logs {logs}")
    if args.json:
        report = {"args": vars(args), "published": published, "command": cmd, "cwd": str(site)}
        report |= {"output": str(out), "summary": summary, "builds": [asdict(b) for b in builds]}
        Path(args.json).write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=RawDescriptionHelpFormatter
    )
    commands = parser.add_subparsers(dest="command", required=True)
    gen = commands.add_parser("generate", help="write a synthetic corpus of N articles into DIR")
    bench = commands.add_parser("run", help="time cold and incremental `roundup build`s")
    for sub in (gen, bench):
        sub.add_argument("n", type=int, metavar="N", help="number of articles")
        sub.add_argument("--seed", type=int, default=1, help="corpus seed (default 1)")
    gen.add_argument("dir", type=Path, metavar="DIR", help="folder to write the articles into")
    bench.add_argument("--runs", type=int, default=5, help="timed runs (default 5)")
    bench.add_argument("--roundup", metavar="CMD", help="command that starts roundup")
    bench.add_argument("--tmpfs", metavar="DIR", help="write the output under DIR (a tmpfs mount)")
    bench.add_argument("--json", metavar="FILE", help="also write every measurement to FILE")
    bench.add_argument("--keep", action="store_true", help="keep the site and the last output")
    args = parser.parse_args()
    if args.n < 1 or getattr(args, "runs", 1) < 1:
        parser.error("N and --runs must be at least 1")
    if args.command == "generate":
        generate(args.n, args.dir, args.seed)
    else:
        run_bench(args)


if __name__ == "__main__":
    main()
