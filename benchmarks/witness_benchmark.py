"""Benchmark of the witness stage: time of each witness and of the whole suite, import cost.

Runs every witness on its catalogued statement (and, with --variants, on one false variant each)
and prints wall time, instances and checks per witness, then the total. Target: the whole suite in
well under a minute (aim: under 15 s, tests included); importing the registry must not import numpy,
because `mlcatalogue check` consults it.

    python benchmarks/witness_benchmark.py [--repeat N]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time

from mlcatalogue.witness import WITNESSES, run_witness


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="runs per witness (best is kept)")
    args = parser.parse_args()

    code = ("import time; t = time.perf_counter(); import sys, mlcatalogue.witness; "
            "print(time.perf_counter() - t, 'numpy' in sys.modules)")
    seconds, numpy_loaded = subprocess.run([sys.executable, "-c", code], capture_output=True,
                                           text=True, check=True).stdout.split()
    print(f"import mlcatalogue.witness: {float(seconds) * 1000:.1f} ms, numpy imported: "
          f"{numpy_loaded}")

    total = 0.0
    print(f"{'witness':38} {'best s':>8} {'instances':>9} {'checks':>7} {'worst':>8}")
    for name in WITNESSES:
        times = []
        for _ in range(args.repeat):
            start = time.perf_counter()
            report = run_witness(name)
            times.append(time.perf_counter() - start)
        total += min(times)
        print(f"{name:38} {min(times):8.3f} {report.instances:9d} {report.checks:7d} "
              f"{report.worst_ratio:8.4g}")
    print(f"whole suite (best of {args.repeat} per witness): {total:.2f} s")


if __name__ == "__main__":
    main()
