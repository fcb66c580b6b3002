"""Benchmark of the site stage: time to render the theorem index and to index it for search.

Generates a synthetic catalogue (default: 1,000 entries in 10 areas, each with a statement and a
proof holding a dozen formulas, two Lean declarations in one of 50 generated Lean files, and a few
dependencies), renders it with `render_site`, and prints the time of the whole build, the time
without the pagefind step, pages per second, formula conversions, and the size of the site.
Target: the real catalogue (~40 entries) in well under 5 s; 1,000 entries in under a minute.

    python benchmarks/site_benchmark.py [--entries N]
"""

from __future__ import annotations

import argparse
import random
import tempfile
import time
from pathlib import Path

from mlcatalogue.markup import convert_formula
from mlcatalogue.model import (
    Catalogue,
    CatalogueEntry,
    CatalogueFiles,
    Declaration,
    Entry,
    Kind,
    Publication,
    Reference,
    Status,
    Term,
)
from mlcatalogue.site import render_site

FORMULAS = [
    r"\mathbb E\big[(X - \theta)^2\big]",
    r"\operatorname{Var}(X) = \mathbb E[X^2] - (\mathbb E X)^2",
    r"\sum_{i=1}^n \ell(h, z_i)",
    r"\Pr\Big(\sup_{h \in \mathcal H} |L_S(h) - L_D(h)| > \varepsilon\Big) \le 2|\mathcal H| e^{-2m\varepsilon^2}",
    r"f(x_{k+1}) \le f(x_k) - \frac{1}{2L}\|\nabla f(x_k)\|^2",
    r"\hat h_S \in \arg\min_{h \in \mathcal H} L_S(h)",
    r"\langle \nabla f(x) - \nabla f(y), x - y\rangle \ge \mu \|x - y\|^2",
    r"\frac{\sigma^2}{n}",
]


def synthetic_catalogue(root: Path, entries: int, seed: int = 0) -> Catalogue:
    rng = random.Random(seed)
    areas = {f"area{index}": Term(f"area{index}", f"Area {index}", "Synthetic area.") for index in range(10)}
    files = 50
    lean = root / "lean" / "Synthetic"
    lean.mkdir(parents=True)
    declarations: list[Declaration] = []
    lines_per_decl = 6
    per_file = -(-2 * entries // files)
    for number in range(files):
        body = ["namespace Synthetic", ""]
        for slot in range(per_file):
            name = f"result_{number}_{slot}"
            line = len(body) + 1
            body += [f"/-- Result {slot} of file {number}. -/", f"theorem {name} (x : ℝ) : x ^ 2 ≥ 0 := by",
                     "  positivity", "", "", ""][: lines_per_decl]
            declarations.append(Declaration(f"Synthetic.{name}", "theorem",
                                            f"lean/Synthetic/File{number}.lean", line + 1, line,
                                            line + 2, f"{name} (x : ℝ) : x ^ 2 ≥ 0",
                                            f"Result {slot} of file {number}."))
        (lean / f"File{number}.lean").write_text("\n".join(body + ["end Synthetic", ""]), encoding="utf-8")
    records: list[Entry] = []
    for index in range(entries):
        formulas = [rng.choice(FORMULAS) for _ in range(12)]
        statement = (f"Let $X \\in L^2$ and $n \\ge {index}$. Then\n$${formulas[0]}$$\n"
                     + " and ".join(f"${formula}$" for formula in formulas[1:5]) + ".")
        proof = "\n\n".join(f"By step {k}, $${formula}$$" for k, formula in enumerate(formulas[5:]))
        records.append(Entry(
            id=f"entry_{index}", title=f"Synthetic result {index} on $\\mathbb R^{{{index}}}$",
            kind=Kind.THEOREM, area=f"area{index % 10}", statement=statement, proof=proof,
            decls=(declarations[2 * index].name, declarations[2 * index + 1].name),
            references=(Reference("BOOK", f"Theorem {index}.1, p. {index + 3}", "yes"),),
            assumptions=("iid-sample",), tags=("synthetic",),
            path="catalogue/entries/synthetic.yaml", line=1 + 10 * index,
        ))
    depends = {index: sorted(rng.sample(range(index), min(index, 3))) for index in range(entries)}
    used: dict[int, list[int]] = {index: [] for index in range(entries)}
    for index, targets in depends.items():
        for target in targets:
            used[target].append(index)
    joined = tuple(
        CatalogueEntry(entry, tuple(declarations[2 * index: 2 * index + 2]), Status.PROOF_COMPLETE,
                       tuple(f"entry_{t}" for t in depends[index]),
                       tuple(f"entry_{t}" for t in used[index]))
        for index, entry in enumerate(records)
    )
    catalogue_files = CatalogueFiles(
        entries=tuple(records),
        publications={"BOOK": Publication("BOOK", "A. Author", "A Book", 2020)},
        areas=areas,
        assumptions={"iid-sample": Term("iid-sample", "i.i.d. sample")},
    )
    return Catalogue(root, joined, tuple(declarations), catalogue_files)


def size_of(path: Path) -> int:
    return sum(file.stat().st_size for file in path.rglob("*") if file.is_file())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=1000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as work:
        root = Path(work)
        catalogue = synthetic_catalogue(root, args.entries)
        started = time.perf_counter()
        plain = render_site(catalogue, root / "plain", search=False)
        render_seconds = time.perf_counter() - started
        info = convert_formula.cache_info()
        started = time.perf_counter()
        full = render_site(catalogue, root / "site")
        full_seconds = time.perf_counter() - started
        print(f"entries:               {args.entries}")
        print(f"pages:                 {plain.pages}")
        print(f"render (no search):    {render_seconds:.2f} s "
              f"({plain.pages / render_seconds:.0f} pages/s)")
        print(f"render + pagefind:     {full_seconds:.2f} s ({full.searchable} pages indexed)")
        print(f"formula conversions:   {info.misses} distinct, {info.hits} cache hits")
        print(f"site size:             {size_of(root / 'site') / 1e6:.1f} MB "
              f"(search index {size_of(root / 'site' / 'pagefind') / 1e6:.1f} MB)")


if __name__ == "__main__":
    main()
