"""Witnesses for the bias–variance identities, on finite probability spaces in exact arithmetic.

Every expectation is a finite sum with rational probabilities, so each identity is checked for
equality exactly (`fractions.Fraction`), never to a tolerance. Variances are always computed from
their definition E(X - EX)², never through the identity being checked.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterator, Sequence
from fractions import Fraction

import numpy as np

from mlcatalogue.witness import Claim, Tally, WitnessError

F = Fraction


def _rational(rng: np.random.Generator, bound: int = 20) -> Fraction:
    """A random rational with numerator in [-bound, bound] and a small denominator."""
    return F(int(rng.integers(-bound, bound + 1)), int(rng.integers(1, 5)))


def _weights(rng: np.random.Generator, size: int) -> list[Fraction]:
    weights = [int(w) for w in rng.integers(1, 10, size=size)]
    total = sum(weights)
    return [F(w, total) for w in weights]


def _mean(values: Sequence[Fraction], probabilities: Sequence[Fraction]) -> Fraction:
    return sum((p * v for p, v in zip(probabilities, values)), F(0))


def _variance(values: Sequence[Fraction], probabilities: Sequence[Fraction]) -> Fraction:
    mean = _mean(values, probabilities)
    return sum((p * (v - mean) ** 2 for p, v in zip(probabilities, values)), F(0))


def _show(values: Sequence[object]) -> str:
    return "(" + ", ".join(map(str, values)) + ")"


def mse_bias_variance(claim: Claim, tally: Tally, rng: np.random.Generator) -> None:
    """E‖T - θ‖² = ‖ET - θ‖² + tr Cov T for random finite distributions of T ∈ ℚ^d."""
    bias_factor, variance_factor = claim["bias_factor"], claim["variance_factor"]
    power = claim.integer("bias_power")
    for index in range(240):
        d = int(rng.choice([1, 1, 1, 2, 3]))
        size = 1 if index % 20 == 0 else int(rng.integers(2, 7))
        values = [tuple(_rational(rng) for _ in range(d)) for _ in range(size)]
        probabilities = _weights(rng, size)
        means = [_mean([v[j] for v in values], probabilities) for j in range(d)]
        theta = tuple(means) if index % 20 == 10 else tuple(_rational(rng) for _ in range(d))
        lhs = sum((p * sum(((v[j] - theta[j]) ** 2 for j in range(d)), F(0))
                   for p, v in zip(probabilities, values)), F(0))
        bias = sum(((means[j] - theta[j]) ** power for j in range(d)), F(0))
        variance = sum((_variance([v[j] for v in values], probabilities) for j in range(d)), F(0))
        tally.instance(f"T in Q^{d} with values {_show([_show(v) for v in values])}, "
                       f"probabilities {_show(probabilities)}, θ = {_show(theta)}")
        tally.identity(lhs, bias_factor * bias + variance_factor * variance)


def _prediction_check(claim: Claim, tally: Tally, f: Fraction,
                      joint: dict[tuple[int, int], Fraction], noise: Sequence[Fraction],
                      predictions: Sequence[Fraction]) -> None:
    """E(f + e - F)² against the decomposition, for a joint law of (e, F) on index pairs."""
    noise_p = [sum((p for (i, _), p in joint.items() if i == a), F(0)) for a in range(len(noise))]
    pred_p = [sum((p for (_, j), p in joint.items() if j == b), F(0))
              for b in range(len(predictions))]
    lhs = sum((p * (f + noise[i] - predictions[j]) ** 2 for (i, j), p in joint.items()), F(0))
    rhs = (claim["noise_factor"] * _variance(noise, noise_p)
           + claim["bias_factor"] * (f - _mean(predictions, pred_p)) ** claim.integer("bias_power")
           + claim["variance_factor"] * _variance(predictions, pred_p))
    tally.identity(lhs, rhs)


def _zero_mean(values: list[Fraction], probabilities: Sequence[Fraction]) -> list[Fraction]:
    mean = _mean(values, probabilities)
    return [v - mean for v in values]


def prediction_error(claim: Claim, tally: Tally, rng: np.random.Generator) -> None:
    """E(Y - F)² = Var ε + (f - EF)² + Var F for Y = f + ε, Eε = 0, F independent of ε."""
    for index in range(200):
        f = _rational(rng)
        k = 1 if index % 25 == 0 else int(rng.integers(2, 6))
        noise_p = _weights(rng, k)
        noise = _zero_mean([_rational(rng) for _ in range(k)], noise_p)
        size = 1 if index % 25 == 5 else int(rng.integers(1, 6))
        pred_p = _weights(rng, size)
        predictions = [_rational(rng) for _ in range(size)]
        if index % 25 == 12:
            predictions = [f] * size  # unbiased and constant: only the noise remains
        joint = {(i, j): noise_p[i] * pred_p[j] for i in range(k) for j in range(size)}
        tally.instance(f"f = {f}, noise {_show(noise)} w.p. {_show(noise_p)}, independent "
                       f"prediction {_show(predictions)} w.p. {_show(pred_p)}")
        _prediction_check(claim, tally, f, joint, noise, predictions)
    if "independence" in claim.dropped:
        for index in range(40):
            f = _rational(rng)
            k, size = int(rng.integers(2, 5)), int(rng.integers(2, 5))
            weights = _weights(rng, k * size)
            joint = {(i, j): weights[i * size + j] for i in range(k) for j in range(size)}
            noise_p = [sum((joint[i, j] for j in range(size)), F(0)) for i in range(k)]
            noise = _zero_mean([_rational(rng) for _ in range(k)], noise_p)
            predictions = [_rational(rng) for _ in range(size)]
            if index % 4 == 0:  # the predictor memorised the noise: F = f + ε
                size = k
                predictions = [f + e for e in noise]
                joint = {(i, i): noise_p[i] for i in range(k)}
            tally.instance(f"f = {f}, noise {_show(noise)}, prediction {_show(predictions)}, "
                           f"dependent joint law {joint}")
            _prediction_check(claim, tally, f, joint, noise, predictions)
    if "zero-mean-noise" in claim.dropped:
        for _ in range(40):
            f = _rational(rng)
            k, size = int(rng.integers(1, 5)), int(rng.integers(1, 5))
            noise_p, pred_p = _weights(rng, k), _weights(rng, size)
            shift = F(int(rng.choice([-3, -2, -1, 1, 2, 3])), 2)
            noise = [e + shift for e in _zero_mean([_rational(rng) for _ in range(k)], noise_p)]
            predictions = [_rational(rng) for _ in range(size)]
            joint = {(i, j): noise_p[i] * pred_p[j] for i in range(k) for j in range(size)}
            tally.instance(f"f = {f}, noise with mean {shift}: {_show(noise)}")
            _prediction_check(claim, tally, f, joint, noise, predictions)


def _count_vectors(size: int, n: int) -> Iterator[tuple[tuple[int, ...], int]]:
    """Every count vector of n draws from `size` values, with its multinomial coefficient."""
    for cut in itertools.combinations(range(n + size - 1), size - 1):
        bounds = (-1, *cut, n + size - 1)
        counts = tuple(bounds[i + 1] - bounds[i] - 1 for i in range(size))
        ways = math.factorial(n)
        for c in counts:
            ways //= math.factorial(c)
        yield counts, ways


def _mean_variance_check(claim: Claim, tally: Tally, outcomes: Sequence[tuple[Fraction, ...]],
                         probabilities: Sequence[Fraction], sigma2: Fraction, n: int) -> None:
    """Var of the average of the coordinates of each outcome against factor·σ²/n^p."""
    averages = [sum(outcome, F(0)) / n for outcome in outcomes]
    rhs = claim["factor"] * sigma2 / F(n) ** claim.integer("n_power")
    tally.identity(_variance(averages, probabilities), rhs)


def _pairwise_independent(q: int, n: int) -> list[tuple[int, ...]]:
    """The q² equally likely outcomes of n ≤ q+1 pairwise independent uniform variables on ℤ/q.

    With U, V independent uniform, the variables V and U + aV (a = 0..q-1) are pairwise
    independent for q prime (two distinct lines of the affine plane meet in one point) but not
    mutually independent once n ≥ 3.
    """
    outcomes = []
    for u, v in itertools.product(range(q), repeat=2):
        outcomes.append(tuple([v] + [(u + a * v) % q for a in range(q)])[:n])
    return outcomes


def sample_mean_variance(claim: Claim, tally: Tally, rng: np.random.Generator) -> None:
    """Var of the mean of n pairwise independent variables with variance σ² is σ²/n."""
    for index in range(150):
        size = 1 if index % 30 == 0 else int(rng.integers(2, 5))
        values = [_rational(rng) for _ in range(size)]
        probabilities = _weights(rng, size)
        n = int(rng.integers(1, 7))
        outcomes, weights = [], []
        for counts, ways in _count_vectors(size, n):
            outcomes.append(tuple(c * v for c, v in zip(counts, values)))
            weight = F(ways)
            for p, c in zip(probabilities, counts):
                weight *= p**c
            weights.append(weight)
        tally.instance(f"n = {n} i.i.d. copies of {_show(values)} w.p. {_show(probabilities)}")
        _mean_variance_check(claim, tally, outcomes, weights,
                             _variance(values, probabilities), n)
    for q in (2, 3, 5):
        for n in range(2, q + 2):
            for _ in range(6):
                phi = [_rational(rng) for _ in range(q)]
                raw = _pairwise_independent(q, n)
                for a, b in itertools.combinations(range(n), 2):
                    if len({(o[a], o[b]) for o in raw}) != q * q:
                        raise WitnessError(f"X{a}, X{b} are not pairwise independent")
                outcomes = [tuple(phi[x] for x in o) for o in raw]
                uniform = [F(1, q)] * q
                tally.instance(f"n = {n} pairwise (not mutually) independent variables "
                               f"phi(U + aV) on Z/{q}, phi = {_show(phi)}")
                _mean_variance_check(claim, tally, outcomes, [F(1, q * q)] * (q * q),
                                     _variance(phi, uniform), n)
    if "independence" in claim.dropped:
        for index in range(30):
            size = int(rng.integers(2, 5))
            values = [_rational(rng) for _ in range(size)]
            while len(set(values)) < 2:
                values = [_rational(rng) for _ in range(size)]
            probabilities = _weights(rng, size)
            if index % 2 == 0:
                n = int(rng.integers(2, 6))
                outcomes = [tuple([v] * n) for v in values]
                label = f"n = {n} identical copies of {_show(values)}"
            else:
                n = 2
                outcomes = [(v, -v) for v in values]
                label = f"X and -X for X = {_show(values)}"
            tally.instance(label)
            _mean_variance_check(claim, tally, outcomes, probabilities,
                                 _variance(values, probabilities), n)
