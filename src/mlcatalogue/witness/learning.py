"""Witnesses for empirical risk minimisation, in exact rational arithmetic.

`erm_excess_risk` checks the deterministic excess-risk lemma on risk tables built at the edge of
the ε-band and on real samples of small finite distributions; `finite_class_union_bound` computes,
by enumerating every sample of a small finite distribution, the exact probability of the bad event
and of each per-hypothesis tail, and checks the union bound and the ERM guarantee off the bad event.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from fractions import Fraction

import numpy as np

from mlcatalogue.witness import Claim, Tally

F = Fraction


def _rational(rng: np.random.Generator, low: int, high: int, denominator: int) -> Fraction:
    """A random rational in [low/denominator, high/denominator]."""
    return F(int(rng.integers(low, high + 1)), denominator)


def _distribution(rng: np.random.Generator, size: int) -> list[Fraction]:
    """A random probability vector with positive rational weights."""
    weights = [int(w) for w in rng.integers(1, 10, size=size)]
    total = sum(weights)
    return [F(w, total) for w in weights]


def _minimisers(values: Sequence[Fraction]) -> list[int]:
    least = min(values)
    return [i for i, value in enumerate(values) if value == least]


def _check_excess(claim: Claim, tally: Tally, risk: Sequence[Fraction],
                  empirical: Sequence[Fraction], chosen: Sequence[int], eps: Fraction) -> None:
    """R(ĥ) - R(h') <= factor·ε for every chosen ĥ (the ERMs, unless a variant says otherwise)."""
    factor = claim["factor"]
    for h_hat in chosen:
        for h_other in range(len(risk)):
            tally.inequality(risk[h_hat] - risk[h_other], factor * eps,
                             where=f", ĥ = h{h_hat}, h' = h{h_other}")


def _band_instance(rng: np.random.Generator, t: Fraction, *, erm: bool = True,
                   deviation: int = 1) -> tuple[list[Fraction], list[Fraction], Fraction]:
    """Risks at the extreme of the ε-band: R(ĥ) = R̂(ĥ) + deviation·ε, R(h') = R̂(h') - ε.

    ĥ = h0 and h' = h1 with R(h0) - R(h1) = (1 + deviation)·ε·t; the other hypotheses have
    empirical risks above R̂(h0), so h0 is an ERM. With `erm` False, h0 is 3ε worse than h1
    and inside the band, but its empirical risk exceeds h1's, so h0 is not an ERM.
    """
    n = int(rng.integers(2, 7))
    eps = _rational(rng, 1, 20, 100)
    base = _rational(rng, 0, 20, 100)
    if erm:
        risk = [base + (1 + deviation) * eps * t, base]
        empirical = [risk[0] - deviation * eps, risk[1] + eps]
    else:
        risk = [base + 3 * eps, base]
        empirical = [base + 2 * eps, base]
    for _ in range(n - 2):
        value = max(empirical) + eps + _rational(rng, 0, 30, 100)
        risk.append(value)
        empirical.append(value + _rational(rng, -100, 100, 100) * eps)
    return risk, empirical, eps


def erm_excess_risk(claim: Claim, tally: Tally, rng: np.random.Generator) -> None:
    """Every ERM is (factor·ε)-optimal whenever all deviations |R - R̂| are at most ε."""
    # Tight: ĥ's risk exceeds its empirical risk by ε and h''s falls short of it by ε.
    for t in (F(1), F(99, 100), F(9, 10), F(1, 2), F(1, 10), F(0)):
        for _ in range(20):
            risk, empirical, eps = _band_instance(rng, t)
            tally.instance(f"ε-band edge, R(ĥ) - R(h') = 2ε·{t}, |H| = {len(risk)}")
            _check_excess(claim, tally, risk, empirical, _minimisers(empirical), eps)
    # Random tables inside the band.
    for _ in range(200):
        n = int(rng.integers(1, 7))
        eps = _rational(rng, 1, 30, 100)
        risk = [_rational(rng, 0, 100, 100) for _ in range(n)]
        empirical = [r + _rational(rng, -20, 20, 20) * eps for r in risk]
        tally.instance(f"random band table, |H| = {n}, ε = {eps}")
        _check_excess(claim, tally, risk, empirical, _minimisers(empirical), eps)
    # Real samples: ε is the largest deviation the sample actually shows.
    for _ in range(150):
        problem = _random_problem(rng)
        sample = [int(z) for z in rng.choice(len(problem.p), size=problem.m,
                                              p=[float(q) for q in problem.p])]
        counts = tuple(sample.count(z) for z in range(len(problem.p)))
        empirical = problem.empirical(counts)
        eps = max(abs(r - e) for r, e in zip(problem.risk, empirical))
        tally.instance(f"sample {sample} from {problem.describe()}, ε = {eps}")
        if eps == 0:
            for h_hat in _minimisers(empirical):
                for h_other in range(len(problem.risk)):
                    tally.inequality(problem.risk[h_hat] - problem.risk[h_other], F(0))
        else:
            _check_excess(claim, tally, problem.risk, empirical, _minimisers(empirical), eps)
    if "erm" in claim.dropped:
        for _ in range(30):
            risk, empirical, eps = _band_instance(rng, F(1), erm=False)
            tally.instance(f"ĥ = h0 is not an ERM, |H| = {len(risk)}")
            _check_excess(claim, tally, risk, empirical, [0], eps)
    if "uniform-deviation" in claim.dropped:
        for _ in range(30):
            risk, empirical, eps = _band_instance(rng, F(1), deviation=2)
            tally.instance(f"R(ĥ) - R̂(ĥ) = 2ε (outside the band), |H| = {len(risk)}")
            _check_excess(claim, tally, risk, empirical, _minimisers(empirical), eps)
    tally.note("The bound is attained: the ε-band edge cases with t = 1 give LHS/RHS = 1.")


@dataclass(frozen=True)
class _Problem:
    """A finite Z with distribution p, losses loss[h][z] in [0, 1], a sample size m."""

    p: tuple[Fraction, ...]
    loss: tuple[tuple[Fraction, ...], ...]
    m: int

    @property
    def risk(self) -> list[Fraction]:
        return [sum((q * cost for q, cost in zip(self.p, row)), F(0)) for row in self.loss]

    def empirical(self, counts: Sequence[int]) -> list[Fraction]:
        return [sum((c * cost for c, cost in zip(counts, row)), F(0)) / self.m for row in self.loss]

    def describe(self) -> str:
        p = ", ".join(map(str, self.p))
        loss = "; ".join(", ".join(map(str, row)) for row in self.loss)
        return f"|Z| = {len(self.p)}, p = ({p}), losses [{loss}], m = {self.m}"


def _random_problem(rng: np.random.Generator) -> _Problem:
    size = int(rng.integers(2, 5))
    n = int(rng.integers(1, 5))
    levels = int(rng.choice([1, 2, 4]))
    loss = tuple(tuple(F(int(rng.integers(0, levels + 1)), levels) for _ in range(size))
                 for _ in range(n))
    return _Problem(tuple(_distribution(rng, size)), loss, int(rng.integers(1, 6)))


def _samples(size: int, m: int) -> Iterator[tuple[tuple[int, ...], int]]:
    """Every count vector of m draws from `size` points, with its multinomial coefficient."""
    for cut in itertools.combinations(range(m + size - 1), size - 1):
        bounds = (-1, *cut, m + size - 1)
        counts = tuple(bounds[i + 1] - bounds[i] - 1 for i in range(size))
        ways = math.factorial(m)
        for c in counts:
            ways //= math.factorial(c)
        yield counts, ways


def _union_instance(claim: Claim, tally: Tally, problem: _Problem, eps: Fraction) -> None:
    """Enumerate every sample of `problem` exactly and check the whole chain of the bound."""
    factor, power = claim["factor"], claim.integer("class_power")
    risk = problem.risk
    best = min(risk)
    n = len(risk)
    tails = [F(0)] * n
    bad = F(0)  # the deviation event A: some |L_D(h) - L_S(h)| >= ε
    failing = F(0)  # the event B: some ERM is not (factor·ε)-optimal
    for counts, ways in _samples(len(problem.p), problem.m):
        probability = F(ways)
        for q, c in zip(problem.p, counts):
            probability *= q**c
        empirical = problem.empirical(counts)
        deviating = [eps <= abs(r - e) for r, e in zip(risk, empirical)]
        for h in range(n):
            if deviating[h]:
                tails[h] += probability
        erms = _minimisers(empirical)
        if any(risk[h_hat] - best > factor * eps for h_hat in erms):
            failing += probability
        if any(deviating):
            bad += probability
        else:
            for h_hat in erms:
                tally.inequality(risk[h_hat] - best, factor * eps,
                                 where=f", good sample with counts {counts}, ERM h{h_hat}")
    total = sum(tails, F(0))
    bound = F(n) ** power * max(tails)
    tally.inequality(bad, total, where=": P(A) <= sum of tails")
    tally.inequality(total, bound, where=": sum of tails <= |H|^p max tail")
    tally.inequality(bad, bound, where=": P(A) <= |H|^p max tail")
    tally.inequality(failing, bound, where=": P(some ERM not optimal) <= |H|^p max tail")


def finite_class_union_bound(claim: Claim, tally: Tally, rng: np.random.Generator) -> None:
    """The union bound over a finite class, with every probability computed exactly."""
    # Tight: disjoint bad events of equal probability q (h_i errs exactly on z_i, m = 1).
    for n in (4, 3, 2, 1):
        for q in (F(1, 4), F(1, 5), F(1, 8)):
            if n * q > 1:
                continue
            p = tuple([q] * n + ([1 - n * q] if n * q < 1 else []))
            loss = tuple(tuple(F(int(z == i)) for z in range(len(p))) for i in range(n))
            eps = (q + (1 - q)) / 2
            tally.instance(f"disjoint bad events, |H| = {n}, q = {q}, ε = {eps}")
            _union_instance(claim, tally, _Problem(p, loss, 1), eps)
    # A good sample on which the ERM's excess risk exceeds ε (but not 2ε).
    problem = _Problem((F(1, 2), F(1, 2)),
                       ((F(3, 5), F(2, 5)), (F(11, 20), F(19, 20))), 1)
    tally.instance(f"ERM excess in (ε, 2ε) on a good sample: {problem.describe()}, ε = 11/50")
    _union_instance(claim, tally, problem, F(11, 50))
    for _ in range(60):
        problem = _random_problem(rng)
        eps = _rational(rng, 1, 50, 100)
        tally.instance(f"{problem.describe()}, ε = {eps}")
        _union_instance(claim, tally, problem, eps)
    tally.note("Disjoint bad events of equal probability attain the union bound (LHS/RHS = 1).")
