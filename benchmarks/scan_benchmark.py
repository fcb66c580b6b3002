"""Speed and memory of the Lean source scan (`mlcatalogue.scanner.read_declarations`).

Usage:
    python benchmarks/scan_benchmark.py [DIR] [--lines N]

Without DIR, a tree of at least N (default 1,000,000) lines is generated in a temporary directory
from the hand-written fixtures in tests/data/scanner/constructs/ and, when MLCATALOGUE_REAL_LEAN
names a directory of real Lean files (not in the repository; tests/data/scanner/real/README.md
says where to fetch them), from those too, each copy in its own namespace. Every scan runs in a
fresh process pinned to one core, except one cold scan with a worker process per core; the
table gives, for a cold scan (no cache), a scan that fills the cache, a warm rescan (nothing
changed) and a rescan after editing one file: wall and CPU seconds, lines per wall second, peak
RSS and the ratio to `grep -c` over the same files.
Targets: >= 100,000 lines/s cold on one core; the one-file rescan near-instant.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
SOURCES = HERE.parent / "tests" / "data" / "scanner"
HOUR_NS = 3600 * 10**9

CHILD = r"""
import json, resource, sys, time
from pathlib import Path
from mlcatalogue.scanner import read_declarations
root = Path(sys.argv[1]); cache = Path(sys.argv[2]) if sys.argv[2] else None
jobs = int(sys.argv[3])
wall = time.perf_counter(); cpu = time.process_time()
result = read_declarations(root, cache_dir=cache, jobs=jobs)
print(json.dumps({
    "wall": time.perf_counter() - wall,
    "cpu": time.process_time() - cpu,
    "declarations": len(result.declarations),
    "problems": len(result.problems),
    "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
}))
"""


def generate_tree(target: Path, lines: int) -> None:
    """Copies of the test fixtures (and real files), each in its own namespace, up to `lines`.

    The files get a modification time an hour in the past, as an untouched checkout would have.
    """
    real = os.environ.get("MLCATALOGUE_REAL_LEAN", "").strip()
    texts = [p.read_text(encoding="utf-8") for p in sorted(Path(real).glob("*.lean"))] if real else []
    texts += [
        p.read_text(encoding="utf-8")
        for p in sorted((SOURCES / "constructs").glob("*.lean"))
        if p.name not in ("Broken.lean", "Latin1.lean")
    ]
    total = 0
    copy = 0
    past = time.time_ns() - HOUR_NS
    while total < lines:
        folder = target / "Gen" / f"Part{copy // 100}"
        folder.mkdir(parents=True, exist_ok=True)
        for index, text in enumerate(texts):
            body = f"namespace Copy{copy}\n\n{text}"
            path = folder / f"File{copy}_{index}.lean"
            path.write_text(body, encoding="utf-8")
            os.utime(path, ns=(past, past))
            total += body.count("\n")
        copy += 1


def count_lines(root: Path) -> tuple[int, int]:
    files = sorted(root.rglob("*.lean"))
    return len(files), sum(p.read_bytes().count(b"\n") for p in files)


def run_scan(root: Path, cache: Path | None, jobs: int = 1) -> dict[str, float]:
    """One scan in a fresh process: pinned to one core, or with `jobs` workers on all cores."""
    child = [sys.executable, "-c", CHILD, str(root), str(cache or ""), str(jobs)]
    if jobs > 1:
        return json.loads(subprocess.run(child, check=True, capture_output=True, text=True).stdout)
    cmd = ["taskset", "-c", "0", *child]
    try:
        out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    except FileNotFoundError:  # no taskset: run unpinned
        out = subprocess.run(cmd[3:], check=True, capture_output=True, text=True).stdout
    return json.loads(out)


def time_grep(root: Path) -> float:
    began = time.perf_counter()
    subprocess.run(
        ["grep", "-c", "-r", "--include=*.lean", "theorem", str(root)],
        check=False, capture_output=True,
    )
    return time.perf_counter() - began


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("directory", nargs="?", type=Path)
    parser.add_argument("--lines", type=int, default=1_000_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = args.directory
        if root is None:
            root = Path(tmp) / "tree"
            generate_tree(root, args.lines)
        files, lines = count_lines(root)
        print(f"tree: {root} — {files} files, {lines:,} lines")
        time_grep(root)  # warm the page cache
        grep = min(time_grep(root) for _ in range(3))
        print(f"grep -c -r: {grep:.3f} s ({lines / grep:,.0f} lines/s)")
        cold = min((run_scan(root, None) for _ in range(2)), key=lambda r: r["wall"])
        cores = len(os.sched_getaffinity(0))
        parallel = run_scan(root, None, jobs=cores) if cores > 1 else None
        cache = Path(tmp) / "cache"
        fill = run_scan(root, cache)
        warm = min((run_scan(root, cache) for _ in range(3)), key=lambda r: r["wall"])
        edited = min(root.rglob("*.lean"))
        original = edited.read_bytes()
        stat = edited.stat()
        edited.write_bytes(original + b"\ntheorem benchmark_edit : True := trivial\n")
        try:
            one = run_scan(root, cache)
        finally:
            edited.write_bytes(original)
            os.utime(edited, ns=(stat.st_atime_ns, stat.st_mtime_ns))
        print(f"declarations: {cold['declarations']:,}, problems: {cold['problems']}")
        print()
        print("| scan | wall s | CPU s | lines/s (wall) | peak RSS MB | × grep -c |")
        print("| --- | ---: | ---: | ---: | ---: | ---: |")
        rows = [("cold (no cache)", cold)]
        if parallel is not None:
            rows.append((f"cold, {cores} worker processes (CPU, RSS: main process)", parallel))
        for label, run in [
            *rows,
            ("cold, filling the cache", fill),
            ("warm (nothing changed)", warm),
            ("one file edited", one),
        ]:
            print(
                f"| {label} | {run['wall']:.2f} | {run['cpu']:.2f} | "
                f"{lines / run['wall']:,.0f} | {run['peak_rss_mb']:.0f} | "
                f"{run['wall'] / grep:.1f} |"
            )
        mathlib = 2_000_000 / (lines / cold["cpu"])
        print()
        print(f"cold, extrapolated to Mathlib's ~2,000,000 lines: {mathlib:.1f} s CPU (target < 20 s)")


if __name__ == "__main__":
    main()
