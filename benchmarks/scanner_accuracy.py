"""Accuracy of the Lean source scan on real third-party files, against their hand-checked list.

Usage:
    python benchmarks/scanner_accuracy.py DIR

DIR holds the real files listed in tests/data/scanner/real/EXPECTED.tsv, fetched as
tests/data/scanner/real/README.md describes (they are not in the repository). Each file is
scanned at its origin module path (ORIGINS in tests/test_scanner.py, since instance-name
suffixes depend on it) and compared with its rows of EXPECTED.tsv: a declaration is right when
its line, kind and name match a row. The table gives right/total, the spurious declarations
(scanned but not expected) and the missed rows (expected but not scanned) per file, then the
overall percentage. The same comparison runs as a test when MLCATALOGUE_REAL_LEAN=DIR is set.
"""

from __future__ import annotations

import argparse
import importlib.util
import sys
from pathlib import Path
from types import ModuleType

HERE = Path(__file__).resolve().parent
TESTS = HERE.parent / "tests" / "test_scanner.py"


def load_harness() -> ModuleType:
    """tests/test_scanner.py, which holds ORIGINS, EXPECTED.tsv's reader and the comparison."""
    spec = importlib.util.spec_from_file_location("scanner_harness", TESTS)
    if spec is None or spec.loader is None:
        raise SystemExit(f"cannot load {TESTS}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while being defined
    spec.loader.exec_module(module)
    return module


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("directory", type=Path, help="directory holding the real .lean files")
    args = parser.parse_args()
    harness = load_harness()
    files = sorted(harness.ORIGINS)
    absent = [file for file in files if not (args.directory / file).is_file()]
    if absent:
        raise SystemExit(
            f"{args.directory} lacks {len(absent)} of {len(files)} files: {', '.join(absent)}\n"
            "see tests/data/scanner/real/README.md for where to fetch them"
        )
    print("| file | right/total | spurious | missed | problems |")
    print("| --- | ---: | ---: | ---: | ---: |")
    right = total = spurious = missed = problems = 0
    details: list[str] = []
    for file in files:
        score = harness.score_real_file(args.directory, file)
        print(
            f"| {file} | {score.right}/{score.total} | {len(score.spurious)} | "
            f"{len(score.missed)} | {len(score.problems)} |"
        )
        right += score.right
        total += score.total
        spurious += len(score.spurious)
        missed += len(score.missed)
        problems += len(score.problems)
        details += [f"{file}:{line}: spurious {kind} {name}" for line, kind, name in score.spurious]
        details += [f"{file}:{line}: missed {kind} {name}" for line, kind, name in score.missed]
        details += [f"{file}:{problem}" for problem in score.problems]
        details += [
            f"{file}:{line}: known difference {kind} {name} (scanned as {got})"
            for line, kind, name, got in score.known
        ]
    print(f"| all {len(files)} files | {right}/{total} | {spurious} | {missed} | {problems} |")
    print()
    for line in details:
        print(line)
    if details:
        print()
    print(f"overall: {right}/{total} declarations right = {100 * right / total:.2f}%, "
          f"{spurious} spurious, {missed} missed, {problems} problems")


if __name__ == "__main__":
    main()
