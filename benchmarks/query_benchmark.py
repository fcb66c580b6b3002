"""Benchmark of the query stage: index build time, index size and query latency percentiles.

Generates a synthetic joined catalogue (default: 25,000 entries with 4 Lean declarations each plus
10,000 uncatalogued declarations: 110,000 declarations), writes the on-disk index with
`build_index`, and times `search` on it (one core, one read-only connection) over a few hundred
varied queries: common and rare domain words, stop words, phrases, full Lean names and name parts,
filters (area, kind, assumptions, Lean namespace prefixes), empty queries, words that exist nowhere
(the OR fallback) and FTS5 syntax. Target: p99 < 10 ms per query.

The text follows the usual laws of natural language: word frequencies are Zipf (frequency ∝ 1/rank)
over a vocabulary of about 15,000 words, whose top ranks are English function words ("the", "of",
"let"), with 260 ML terms spread over ranks 40–2,100 and invented technical words after them; an
entry's declarations share a namespace `MLCatalogue.<Area>.<Topic>` as in a real Lean project.
Each query is timed `--repeat` times and its median kept, so that other processes on a shared
machine disturb the figures less.

    python benchmarks/query_benchmark.py [--entries N] [--decls-per-entry K] [--queries Q]
"""

from __future__ import annotations

import argparse
import itertools
import random
import statistics
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

from mlcatalogue.index import build_index, open_index, search, search_catalogue
from mlcatalogue.model import (
    Catalogue,
    CatalogueEntry,
    CatalogueFiles,
    Declaration,
    Entry,
    Kind,
    Status,
    Term,
)

_FUNCTION_WORDS_TEXT = """
the of a and to is in for let be with that by on then if any every all an as at are there such
where we its from this has have each which when it or not most least
"""
FUNCTION_WORDS = _FUNCTION_WORDS_TEXT.split()
_ML_WORDS_TEXT = """
risk empirical loss hypothesis class finite bound generalisation sample iid probability measure
expectation variance bias estimator mean squared error decomposition noise regression prediction
gradient descent step size smooth convex strongly lipschitz rate convergence linear sublinear
iterate minimiser objective function optimum polyak lojasiewicz inequality lemma norm inner
product hilbert space matrix eigenvalue spectral kernel reproducing feature map margin
classifier perceptron halfspace vc dimension shattering growth rademacher complexity
symmetrisation concentration hoeffding bernstein chernoff markov chebyshev union tail
subgaussian martingale stochastic minibatch momentum nesterov acceleration proximal operator
subgradient projection constraint lagrangian duality regularisation ridge lasso sparsity entropy
divergence likelihood bayes posterior prior conjugate gaussian exponential family sufficient
statistic consistency unbiased efficient cramer rao fisher information asymptotic normality
boosting bagging ensemble tree split impurity neural network activation relu depth width
approximation universal backpropagation chain rule jacobian hessian curvature saddle stationary
point critical
"""
ML_WORDS = _ML_WORDS_TEXT.split()
AREAS = ["learning", "statistics", "optimization", "probability", "kernels", "networks"]
ASSUMPTIONS = [
    "iid-sample",
    "bounded-loss",
    "finite-class",
    "convex",
    "L-smooth",
    "strongly-convex",
    "polyak-lojasiewicz",
    "square-integrable",
    "independence",
    "differentiable",
]
KINDS = [Kind.THEOREM, Kind.THEOREM, Kind.LEMMA, Kind.COROLLARY, Kind.DEFINITION]
STATUSES = [
    Status.PROOF_COMPLETE,
    Status.PROOF_COMPLETE,
    Status.DEFINED,
    Status.SORRY,
    Status.MISSING,
    Status.KERNEL_CHECKED,
]
TOPICS = 40
VOCABULARY_SIZE = 15_000


def vocabulary() -> list[str]:
    """Words by rank: function words, then ML terms every 8th rank among invented words."""
    syllables = ["ka", "lo", "mi", "ne", "ru", "ta", "vi", "so", "pe", "di", "gu", "ba", "ze"]
    invented = ("".join(parts) + "ic" for parts in itertools.product(syllables, repeat=4))
    words = list(FUNCTION_WORDS)
    ml_words = iter(ML_WORDS)
    while len(words) < VOCABULARY_SIZE:
        word = next(ml_words, None) if (len(words) - len(FUNCTION_WORDS)) % 8 == 0 else None
        words.append(word or next(invented))
    return words


class Text:
    """Draws words with probability ∝ 1/rank."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.words = vocabulary()
        self.cumulative = list(
            itertools.accumulate(1.0 / (rank + 1) for rank in range(len(self.words)))
        )
        self.content_start = len(FUNCTION_WORDS)

    def words_of(self, count: int, *, content: bool = False) -> list[str]:
        """`count` words; `content=True` skips function words (titles, Lean names)."""
        low = self.cumulative[self.content_start - 1] if content else 0.0
        return [
            self.words[self._rank(self.rng.uniform(low, self.cumulative[-1]))] for _ in range(count)
        ]

    def _rank(self, point: float) -> int:
        low, high = 0, len(self.cumulative) - 1
        while low < high:
            middle = (low + high) // 2
            if self.cumulative[middle] < point:
                low = middle + 1
            else:
                high = middle
        return low


def namespace_of(area: str, topic: int) -> str:
    return f"MLCatalogue.{area.capitalize()}.Topic{topic}"


def generate_catalogue(
    root: Path, entries: int, per_entry: int, extra: int, seed: int
) -> Catalogue:
    """A synthetic joined catalogue with `entries * per_entry + extra` declarations."""
    rng = random.Random(seed)
    text = Text(rng)
    declarations: list[Declaration] = []
    items: list[CatalogueEntry] = []

    def declaration(number: int, namespace: str) -> Declaration:
        name = f"{namespace}.{'_'.join(text.words_of(rng.randint(2, 5), content=True))}_{number}"
        return Declaration(
            name=name,
            kind=rng.choice(["theorem", "lemma", "def"]),
            path=f"lean/{namespace.replace('.', '/')}.lean",
            line=number % 5000 + 1,
            start_line=number % 5000 + 1,
            end_line=number % 5000 + 9,
            signature=f"{name.rsplit('.', 1)[-1]} (x : ℝ) : " + " ".join(text.words_of(8)),
            docstring=" ".join(text.words_of(rng.randint(6, 16))).capitalize() + ".",
        )

    for number in range(entries):
        area = rng.choice(AREAS)
        namespace = namespace_of(area, rng.randrange(TOPICS))
        decls = [declaration(number * per_entry + k, namespace) for k in range(per_entry)]
        declarations.extend(decls)
        entry = Entry(
            id=f"entry_{number}",
            title=" ".join(text.words_of(rng.randint(3, 8), content=True)).capitalize(),
            kind=rng.choice(KINDS),
            area=area,
            statement=" ".join(text.words_of(rng.randint(25, 70))) + " $x \\in \\mathbb R$.",
            decls=tuple(decl.name for decl in decls),
            assumptions=tuple(rng.sample(ASSUMPTIONS, rng.randint(0, 3))),
            tags=tuple(text.words_of(rng.randint(0, 3), content=True)),
        )
        items.append(
            CatalogueEntry(entry=entry, declarations=tuple(decls), status=rng.choice(STATUSES))
        )
    declarations.extend(
        declaration(entries * per_entry + k, namespace_of(rng.choice(AREAS), rng.randrange(TOPICS)))
        for k in range(extra)
    )
    files = CatalogueFiles(
        entries=tuple(item.entry for item in items),
        publications={},
        areas={key: Term(key, key.title()) for key in AREAS},
        assumptions={key: Term(key, key) for key in ASSUMPTIONS},
    )
    return Catalogue(root=root, entries=tuple(items), declarations=tuple(declarations), files=files)


def generate_queries(
    catalogue: Catalogue, count: int, seed: int
) -> list[tuple[str, str, dict[str, Any]]]:
    """(category, query, filters) triples, cycling through the categories."""
    rng = random.Random(seed + 1)
    names = [decl.name for decl in catalogue.declarations]
    common, rare = ML_WORDS[:40], ML_WORDS[-120:]

    def words(count: int) -> str:
        return " ".join(rng.sample(ML_WORDS, count))

    makers: dict[str, Callable[[], tuple[str, dict[str, Any]]]] = {
        "one common word": lambda: (rng.choice(common), {}),
        "one rare word": lambda: (rng.choice(rare), {}),
        "two words": lambda: (words(2), {}),
        "three words": lambda: (words(3), {}),
        "stop words (worst case)": lambda: (rng.choice(["the", "of the", "let", "is a"]), {}),
        "hyphenated phrase": lambda: ("-".join(rng.sample(common, 2)), {}),
        "full Lean name": lambda: (rng.choice(names), {}),
        "Lean name part": lambda: (rng.choice(names).rsplit(".", 1)[-1].rsplit("_", 1)[0], {}),
        "word + area + kind": lambda: (
            rng.choice(ML_WORDS),
            {"area": rng.choice(AREAS), "kind": "result"},
        ),
        "words + assumptions": lambda: (
            words(2),
            {"assumes": [rng.choice(ASSUMPTIONS)], "excludes": [rng.choice(ASSUMPTIONS)]},
        ),
        "word + Lean prefix (topic)": lambda: (
            rng.choice(ML_WORDS),
            {"lean_prefix": namespace_of(rng.choice(AREAS), rng.randrange(TOPICS)) + "."},
        ),
        "word + Lean prefix (area)": lambda: (
            rng.choice(ML_WORDS),
            {"lean_prefix": f"MLCatalogue.{rng.choice(AREAS).capitalize()}."},
        ),
        "empty + filters": lambda: ("", {"area": rng.choice(AREAS), "status": "sorry"}),
        "no match (OR fallback)": lambda: (
            f"{rng.choice(ML_WORDS)} zzyzx{rng.randint(0, 999)}",
            {},
        ),
        "FTS5 syntax": lambda: (
            rng.choice(
                [
                    '"bias',
                    "NEAR(risk bound)",
                    "risk AND (bound",
                    "*",
                    "title:risk",
                    "^kernel -loss",
                    "\x00",
                ]
            ),
            {},
        ),
    }
    categories = list(makers)
    queries = []
    for number in range(count):
        category = categories[number % len(categories)]
        query, filters = makers[category]()
        queries.append((category, query, filters))
    return queries


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--entries", type=int, default=25_000)
    parser.add_argument("--decls-per-entry", type=int, default=4)
    parser.add_argument("--extra-decls", type=int, default=10_000)
    parser.add_argument("--queries", type=int, default=450)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--limit", type=int, default=20)
    parser.add_argument("--seed", type=int, default=7)
    arguments = parser.parse_args()

    with tempfile.TemporaryDirectory() as directory:
        started = time.perf_counter()
        catalogue = generate_catalogue(
            Path(directory),
            arguments.entries,
            arguments.decls_per_entry,
            arguments.extra_decls,
            arguments.seed,
        )
        generated = time.perf_counter() - started
        started = time.perf_counter()
        path = build_index(catalogue, Path(directory) / "build" / "index.sqlite")
        built = time.perf_counter() - started
        size = path.stat().st_size

        queries = generate_queries(catalogue, arguments.queries, arguments.seed)
        connection = open_index(path)
        for _, query, filters in queries[:30]:  # warm the page cache, as any second search would
            search(connection, query, limit=arguments.limit, **filters)
        latencies: list[float] = []
        by_category: dict[str, list[float]] = defaultdict(list)
        hits = 0
        for category, query, filters in queries:
            times = []
            for _ in range(arguments.repeat):
                started = time.perf_counter()
                found = search(connection, query, limit=arguments.limit, **filters)
                times.append((time.perf_counter() - started) * 1000)
            hits += len(found)
            latencies.append(statistics.median(times))
            by_category[category].append(statistics.median(times))
        connection.close()

        started = time.perf_counter()
        search_catalogue(catalogue, "gradient descent")
        first_api = time.perf_counter() - started
        started = time.perf_counter()
        api_hits = search_catalogue(catalogue, "convex rate")
        second_api = (time.perf_counter() - started) * 1000

    print(
        f"catalogue: {len(catalogue.entries):,} entries, {len(catalogue.declarations):,} "
        f"Lean declarations (generated in {generated:.1f} s)"
    )
    print(f"index build: {built:.2f} s, size {size / 2**20:.1f} MiB")
    print(
        f"queries: {len(latencies)} ({len(by_category)} kinds), limit {arguments.limit}, "
        f"{hits / len(latencies):.1f} hits per query on average, median of {arguments.repeat} runs"
    )
    print(
        f"latency: p50 {percentile(latencies, 0.5):.2f} ms, p90 {percentile(latencies, 0.9):.2f}"
        f" ms, p99 {percentile(latencies, 0.99):.2f} ms, max {max(latencies):.2f} ms, "
        f"mean {statistics.fmean(latencies):.2f} ms"
    )
    for category, values in by_category.items():
        print(f"  {category:<28} p50 {percentile(values, 0.5):6.2f} ms   max {max(values):6.2f} ms")
    print(
        f"Catalogue.search: first call (builds the in-memory index) {first_api:.2f} s, "
        f"then {second_api:.2f} ms ({len(api_hits)} hits)"
    )
    met = percentile(latencies, 0.99) < 10.0
    print(f"target p99 < 10 ms: {'met' if met else 'NOT met'}")


if __name__ == "__main__":
    main()
