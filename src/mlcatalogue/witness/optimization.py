"""Witnesses for gradient descent with step 1/L and the inequalities behind its rates.

Each rate is checked at every iterate up to a horizon, on families that include the near-worst
cases: Huber functions (the exact worst case of smooth convex GD, Drori & Teboulle 2014, run in
exact rational arithmetic), ill-conditioned quadratics started along the eigenvector of the
smallest eigenvalue, rank-deficient least squares (PL without strong convexity), the nonconvex PL
function x² + 3 sin² x of Karimi–Nutini–Schmidt, and logistic regression with its computed
smoothness constant ‖X‖²/(4n). The pointwise inequalities (descent lemma, first-order convexity)
are checked on random pairs and on pairs along the directions where they are attained.
Floating-point checks use a 1e-12 relative tolerance on the size of the terms involved.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction

import numpy as np

from mlcatalogue.witness import Claim, Tally, WitnessError

Array = np.ndarray


@dataclass(frozen=True)
class Objective:
    """A test function with what the statements need: L, μ, f* and a minimiser.

    `value` and `gradient` act on arrays of points of shape (..., dim). `gap` returns f(x) - f*
    computed without cancellation where possible; `offset` is |f*|, the size of what `gap`
    subtracts (for tolerances). `nearest` maps a start x0 to the minimiser closest to it.
    """

    name: str
    dim: int
    value: Callable[[Array], Array]
    gradient: Callable[[Array], Array]
    L: float
    mu: float = 0.0
    minimum: float = 0.0
    minimiser: Array | None = None
    gap_function: Callable[[Array], Array] | None = None
    nearest_function: Callable[[Array], Array] | None = None

    @property
    def offset(self) -> float:
        return abs(self.minimum)

    def gap(self, x: Array) -> Array:
        if self.gap_function is not None:
            return self.gap_function(x)
        return self.value(x) - self.minimum

    @property
    def argmin(self) -> Array:
        """The known minimiser (an error for functions without one)."""
        if self.minimiser is None:
            raise WitnessError(f"{self.name} has no known minimiser")
        return self.minimiser

    def nearest(self, x0: Array) -> Array:
        if self.nearest_function is not None:
            return self.nearest_function(x0)
        return np.broadcast_to(self.argmin, x0.shape)


# --- the families ------------------------------------------------------------------------------


def _orthogonal(rng: np.random.Generator, d: int) -> Array:
    q, r = np.linalg.qr(rng.standard_normal((d, d)))
    return q * np.sign(np.diag(r))


def quadratic(eigenvalues: Array, rng: np.random.Generator, *, L: float | None = None,
              name: str = "") -> tuple[Objective, Array]:
    """f(x) = ½(x - c)ᵀA(x - c) with A = Q diag(eigenvalues) Qᵀ; returns it and Q (eigenvectors).

    Eigenvalues may be zero (a line of minimisers: `nearest` projects) or negative (not convex).
    """
    eigenvalues = np.asarray(eigenvalues, dtype=float)
    d = eigenvalues.size
    q = _orthogonal(rng, d) if d > 1 else np.ones((1, 1))
    a = (q * eigenvalues) @ q.T
    a = (a + a.T) / 2
    centre = rng.standard_normal(d)
    null = q[:, np.abs(eigenvalues) == 0]
    lipschitz = float(np.max(np.abs(eigenvalues))) if L is None else L
    positive = eigenvalues[eigenvalues > 0]
    mu = float(positive.min()) if positive.size and np.all(eigenvalues >= 0) else 0.0

    def value(x: Array) -> Array:
        e = x - centre
        return 0.5 * np.einsum("...i,ij,...j->...", e, a, e)

    def nearest(x0: Array) -> Array:
        return centre + (x0 - centre) @ null @ null.T

    label = name or f"quadratic, eigenvalues in [{eigenvalues.min():.3g}, {eigenvalues.max():.3g}]"
    objective = Objective(label, d, value, lambda x: (x - centre) @ a, lipschitz, mu, 0.0,
                          centre, value, nearest)
    return objective, q


def random_quadratic(rng: np.random.Generator, *, mu: float | None = None,
                     indefinite: bool = False) -> tuple[Objective, Array]:
    """A quadratic of random dimension (1-20) whose eigenvalues include L (and μ if given).

    Without μ the smallest eigenvalue may be 0 (convex, not strongly); with `indefinite` the
    spectrum is spread over [-L, L] with both ends present.
    """
    d = int(rng.integers(1, 21))
    L = float(rng.uniform(0.5, 5.0))
    low = mu * L if mu is not None else 0.0
    eigenvalues = L * 10 ** rng.uniform(-5, 0, d)
    eigenvalues[-1] = L
    if mu is not None:
        eigenvalues = np.clip(eigenvalues, low, L)
        eigenvalues[0] = low
    elif indefinite and d > 1:
        eigenvalues[0] = -L
        eigenvalues[1:-1] *= rng.choice([-1.0, 1.0], size=d - 2)
    elif d > 1 and rng.random() < 0.3:
        eigenvalues[0] = 0.0
    return quadratic(eigenvalues, rng, L=L, name=f"random quadratic, d = {d}")


def huber(L: float, delta: float, d: int = 1) -> Objective:
    """L·Σ h_δ(x_i), h_δ(t) = t²/2 for |t| ≤ δ and δ|t| - δ²/2 beyond: convex, L-smooth, not PL."""

    def value(x: Array) -> Array:
        t = np.abs(x)
        return L * np.sum(np.where(t <= delta, t * t / 2, delta * t - delta * delta / 2), axis=-1)

    return Objective(f"Huber, L = {L:g}, δ = {delta:g}, d = {d}", d, value,
                     lambda x: L * np.clip(x, -delta, delta), L, 0.0, 0.0, np.zeros(d))


def logistic(rng: np.random.Generator, n: int, d: int, lam: float = 0.0) -> Objective:
    """(1/n)Σ log(1 + exp(-yᵢxᵢᵀw)) + (λ/2)‖w‖² with L = λ_max(XᵀX)/(4n) + λ and μ = λ.

    The first d points also appear with the opposite label, so the loss is coercive and has a
    minimiser even without regularisation; it is found by Newton's method.
    """
    x = rng.standard_normal((n, d)) * rng.uniform(0.5, 3.0, size=d)
    y = rng.choice([-1.0, 1.0], size=n)
    x = np.vstack([x, x[:d]])
    y = np.concatenate([y, -y[:d]])
    m = x.shape[0]
    lipschitz = float(np.linalg.eigvalsh(x.T @ x).max()) / (4 * m) + lam

    def value(w: Array) -> Array:
        margins = (w @ x.T) * y
        return np.mean(np.logaddexp(0.0, -margins), axis=-1) + lam / 2 * np.sum(w * w, axis=-1)

    def gradient(w: Array) -> Array:
        margins = (w @ x.T) * y
        weights = -y / (1.0 + np.exp(margins)) / m
        return weights @ x + lam * w

    w = np.zeros(d)
    for _ in range(100):
        g = gradient(w)
        if np.linalg.norm(g) < 1e-15:
            break
        s = 1.0 / (1.0 + np.exp(-(x @ w) * y))
        hessian = (x.T * (s * (1 - s))) @ x / m + lam * np.eye(d)
        step = np.linalg.solve(hessian, g)
        t = 1.0
        current = float(value(w))
        # Damp only real increases; near the optimum rounding makes every step look uphill.
        while value(w - t * step) > current + 1e-13 * abs(current) and t > 1e-10:
            t /= 2
        w = w - t * step
    if np.linalg.norm(gradient(w)) > 1e-10:
        raise WitnessError(f"Newton's method did not find the logistic minimiser "
                           f"(gradient norm {np.linalg.norm(gradient(w)):.3g})")
    kind = f"λ = {lam:g}" if lam else "unregularised"
    return Objective(f"logistic regression, n = {m}, d = {d}, {kind}", d, value, gradient,
                     lipschitz, lam, float(value(w)), w)


PL_SINE_MU = 0.175
"""PL constant of x² + 3 sin² x: min of f'(x)²/(2f(x)) is 0.17553 (at x ≈ 2.20, dense grid);
Karimi–Nutini–Schmidt state the looser 1/32. Checked again at every iterate the witness visits."""


def pl_sine(scales: Array) -> Objective:
    """Σ cᵢ(xᵢ² + 3 sin² xᵢ): nonconvex, PL with μ = 0.175·min c, L = 8·max c, f* = 0 at 0."""
    c = np.asarray(scales, dtype=float)

    def value(x: Array) -> Array:
        return np.sum(c * (x * x + 3 * np.sin(x) ** 2), axis=-1)

    return Objective(f"Σ c(x² + 3 sin² x), c = {np.round(c, 3).tolist()}", c.size, value,
                     lambda x: c * (2 * x + 3 * np.sin(2 * x)), 8 * float(c.max()),
                     PL_SINE_MU * float(c.min()), 0.0, np.zeros(c.size))


def log_square(d: int) -> Objective:
    """Σ log(1 + xᵢ²): nonconvex (f'' ≥ -1/4), 2-smooth, f* = 0 at 0, not PL (flat tails)."""
    return Objective(f"Σ log(1 + x²), d = {d}", d,
                     lambda x: np.sum(np.log1p(x * x), axis=-1),
                     lambda x: 2 * x / (1 + x * x), 2.0, 0.0, 0.0, np.zeros(d))


def double_well() -> Objective:
    """x²/20 + cos x: nonconvex with spurious local minima, 1.1-smooth; f* found by Newton."""

    def gradient(x: Array) -> Array:
        return x / 10 - np.sin(x)

    t = 2.85
    for _ in range(50):
        t -= (t / 10 - math.sin(t)) / (0.1 - math.cos(t))
    minimum = t * t / 20 + math.cos(t)
    return Objective("x²/20 + cos x", 1, lambda x: np.sum(x * x / 20 + np.cos(x), axis=-1),
                     gradient, 1.1, 0.0, minimum, np.array([t]))


def least_squares(rng: np.random.Generator, singular: Array, n: int,
                  d: int) -> tuple[Objective, Array, Array]:
    """½‖Ax - b‖² with rank-deficient A: PL with μ = s_min², L = s_max², not strongly convex.

    Returns the objective, the right singular vector of s_min and a basis of the null space.
    """
    singular = np.asarray(singular, dtype=float)
    r = singular.size
    u = _orthogonal(rng, n)[:, :r]
    v = _orthogonal(rng, d)
    a = (u * singular) @ v[:, :r].T
    b = rng.standard_normal(n)
    solution = np.linalg.pinv(a) @ b
    residual = a @ solution - b
    minimum = 0.5 * float(residual @ residual)
    null = v[:, r:]

    def gap(x: Array) -> Array:
        e = (x - solution) @ a.T
        return 0.5 * np.sum(e * e, axis=-1)

    objective = Objective(
        f"least squares, rank {r} of {d}, singular values in [{singular.min():.3g}, "
        f"{singular.max():.3g}]", d,
        lambda x: 0.5 * np.sum((x @ a.T - b) ** 2, axis=-1),
        lambda x: (x @ a.T - b) @ a, float(singular.max() ** 2), float(singular.min() ** 2),
        minimum, solution, gap, lambda x0: solution + (x0 - solution) @ null @ null.T)
    return objective, v[:, r - 1], null


def affine(rng: np.random.Generator, d: int) -> Objective:
    """aᵀx + b: convex and 0-smooth; first-order convexity holds with equality."""
    slope, intercept = rng.standard_normal(d), float(rng.standard_normal())
    return Objective(f"affine, d = {d}", d, lambda x: x @ slope + intercept,
                     lambda x: np.broadcast_to(slope, x.shape).copy(), 0.0)


def log_sum_exp(d: int) -> Objective:
    """log Σ exp(xᵢ): convex and 1-smooth, no minimiser."""

    def value(x: Array) -> Array:
        top = np.max(x, axis=-1, keepdims=True)
        return (top + np.log(np.sum(np.exp(x - top), axis=-1, keepdims=True)))[..., 0]

    def gradient(x: Array) -> Array:
        e = np.exp(x - np.max(x, axis=-1, keepdims=True))
        return e / np.sum(e, axis=-1, keepdims=True)

    return Objective(f"log-sum-exp, d = {d}", d, value, gradient, 1.0)


def quartic() -> Objective:
    """x⁴/4 in one dimension: f'' = 3x² is unbounded, so no L makes it L-smooth."""
    return Objective("x⁴/4 with the curvature bound of [-1, 1], L = 3", 1,
                     lambda x: np.sum(x**4 / 4, axis=-1), lambda x: x**3, 3.0, 0.0, 0.0,
                     np.zeros(1))


# --- gradient descent --------------------------------------------------------------------------


def descend(objective: Objective, starts: Array, steps: int) -> Array:
    """GD with step 1/L from each start: an array of shape (steps + 1, starts, dim)."""
    path = np.empty((steps + 1, *starts.shape))
    path[0] = starts
    for k in range(steps):
        path[k + 1] = path[k] - objective.gradient(path[k]) / objective.L
    return path


def _linear_horizon(mu: float, L: float, cap: int = 100) -> int:
    """Iterates to check under a linear rate: until the true rate has shrunk to 1e-8 (≤ cap).

    Computed from the statement's true rate, never from a variant's, so that every variant
    is checked on the same instances.
    """
    if mu >= L:
        return 3
    return max(1, min(cap, math.ceil(math.log(1e-8) / math.log1p(-mu / L))))


def _iterate_label(start: int, suffix: str = "") -> Callable[[int], str]:
    def label(i: int) -> str:
        return f", start {start}, k = {i + 1}{suffix}"

    return label


def _sublinear_check(claim: Claim, tally: Tally, objective: Objective, starts: Array,
                     steps: int, label: str) -> None:
    """f(x_k) - f* <= L‖x0 - x*‖²/(c·k^p) for k = 1..steps, x* the minimiser nearest x0."""
    c, p = claim.number("denominator"), claim.integer("k_power")
    path = descend(objective, starts, steps)
    k = np.arange(1, steps + 1, dtype=float)
    for j, x0 in enumerate(starts):
        tally.instance(f"{objective.name}, {label}")
        distance2 = float(np.sum((x0 - objective.nearest(x0)) ** 2))
        gaps = objective.gap(path[1:, j])
        rhs = objective.L * distance2 / (c * k**p)
        scale = np.abs(gaps) + rhs + 2 * objective.offset
        tally.inequalities(gaps, rhs, scale=scale, where=_iterate_label(j))


def _huber_exact(claim: Claim, tally: Tally, horizon: int, L: Fraction, radius: Fraction) -> None:
    """GD on the Huber function tuned to `horizon` N (δ = R/(2N+1)), in exact arithmetic.

    Here f(x_N) - f* = L R²/(4N + 2), the exact worst case over all convex L-smooth functions
    (Drori & Teboulle 2014, Thm 3.1 with h = 1), so LHS/RHS = N/(2N+1) at k = N.
    """
    c, p = claim["denominator"], claim.integer("k_power")
    delta = radius / (2 * horizon + 1)

    def value(t: Fraction) -> Fraction:
        return L * (t * t / 2 if abs(t) <= delta else delta * abs(t) - delta * delta / 2)

    tally.instance(f"Huber tuned to horizon N = {horizon}, L = {L}, x0 = {radius}, exact")
    x = radius
    for k in range(1, 2 * horizon + 3):
        slope = L * x if abs(x) <= delta else L * delta * (1 if x > 0 else -1)
        x = x - slope / L
        tally.inequality(value(x), L * radius * radius / (c * Fraction(k) ** p), where=f", k = {k}")


def gd_smooth_convex(claim: Claim, tally: Tally, rng: np.random.Generator) -> None:
    """f(x_k) - f* <= L‖x0 - x*‖²/(2k) for convex L-smooth f and GD with step 1/L."""
    for horizon in (1, 2, 3, 5, 10, 20, 50, 100, 200):
        _huber_exact(claim, tally, horizon, Fraction(1), Fraction(1))
        _huber_exact(claim, tally, horizon, Fraction(7, 2), Fraction(10))
    for horizon in (1, 2, 5, 10, 50, 100):
        objective, _ = quadratic(np.array([1 / (2 * horizon + 1)]), rng, L=1.0,
                                 name=f"1-D quadratic, curvature L/(2·{horizon}+1)")
        _sublinear_check(claim, tally, objective, objective.argmin + np.array([[10.0]]), 200,
                         "x0 far")
    for smallest in (0.0, 1e-4, 1e-2):
        eigenvalues = np.concatenate([[smallest], np.logspace(-4, 0, 29)]) * 2.5
        objective, _ = quadratic(eigenvalues, rng)
        starts = objective.argmin + 10 * rng.standard_normal((3, 30))
        _sublinear_check(claim, tally, objective, starts, 200, "random starts")
    for _ in range(30):
        objective, _ = random_quadratic(rng)
        starts = objective.argmin + rng.uniform(1, 20) * rng.standard_normal((2, objective.dim))
        _sublinear_check(claim, tally, objective, starts, 200, "random starts")
    for _ in range(10):
        d = int(rng.integers(1, 6))
        objective = huber(float(rng.uniform(0.5, 5)), float(rng.uniform(0.01, 2)), d)
        _sublinear_check(claim, tally, objective, rng.uniform(-50, 50, size=(2, d)), 200,
                         "random starts")
    for d in (1, 2, 3, 4, 5, 8):
        objective = logistic(rng, int(rng.integers(20, 80)), d)
        starts = objective.argmin + 10 * rng.standard_normal((3, d))
        _sublinear_check(claim, tally, objective, starts, 200, "random starts")
    if "convex" in claim.dropped:
        objective = double_well()
        _sublinear_check(claim, tally, objective, np.array([[7.5], [-8.0], [13.0]]), 200,
                         "started near a spurious local minimum")
    tally.note("The constant 1/2 is loose by a factor 2: the exact worst case is "
               "L‖x0 - x*‖²/(4k + 2) (Drori & Teboulle 2014), attained by the tuned Huber "
               "functions, so no instance can exceed LHS/RHS = k/(2k + 1) < 1/2.")


def _linear_check(claim: Claim, tally: Tally, objective: Objective, starts: Array, label: str,
                  *, distance: bool, verify_pl: bool = False, mu: float | None = None) -> None:
    """f(x_k) - f* (and ‖x_k - x*‖² if `distance`) <= (1 - r·μ/L)^k × its value at k = 0."""
    mu = objective.mu if mu is None else mu
    steps = _linear_horizon(mu, objective.L)
    rate = 1 - claim.number("rate_factor") * mu / objective.L
    path = descend(objective, starts, steps)
    powers = rate ** np.arange(1, steps + 1, dtype=float)
    for j, x0 in enumerate(starts):
        tally.instance(f"{objective.name}, μ = {mu:.3g}, L = {objective.L:.3g}, {label}")
        gaps = objective.gap(path[:, j])
        if verify_pl:
            slopes = objective.gradient(path[:-1, j])
            pl = 0.5 * np.sum(slopes * slopes, axis=-1) - mu * gaps[:-1]
            if np.any(pl < -1e-12 * (np.abs(gaps[:-1]) + objective.offset)):
                raise WitnessError(f"{objective.name} violates the PL inequality at an iterate")
        rhs = powers * gaps[0]
        # Rounding in x_k is relative to the start, so the tolerance scale includes the k = 0
        # value (the horizon keeps the true right side above 1e-8 of it).
        tally.inequalities(gaps[1:], rhs, scale=np.abs(gaps[1:]) + np.abs(rhs) + abs(gaps[0])
                           + 2 * objective.offset, where=_iterate_label(j))
        if distance:
            star = objective.nearest(x0)
            distances = np.sum((path[:, j] - star) ** 2, axis=-1)
            rhs = powers * distances[0]
            tally.inequalities(distances[1:], rhs, scale=distances[1:] + np.abs(rhs)
                               + distances[0], where=_iterate_label(j, " (distance)"))


def _quadratic_family(rng: np.random.Generator, conditions: tuple[float, ...],
                      d: int = 20) -> list[tuple[Objective, Array, str]]:
    """Quadratics with eigenvalues spanning [μ, L], started along the μ and L eigenvectors."""
    cases = []
    for kappa in conditions:
        L = float(rng.choice([1.0, 5.0]))
        eigenvalues = L * np.concatenate([[1 / kappa], np.geomspace(1 / kappa, 1, d - 1)])
        objective, q = quadratic(eigenvalues, rng)
        centre = objective.argmin
        starts = np.vstack([centre + 3 * q[:, 0], centre + 3 * q[:, -1],
                            centre + 3 * rng.standard_normal(d)])
        cases.append((objective, starts, f"κ = {kappa:g}, starts along v_μ, v_L and random"))
    return cases


def _not_strongly_convex(tally: Tally, claim: Claim, rng: np.random.Generator, *,
                         distance: bool) -> None:
    """Convex L-smooth instances that lack the claimed μ: a Huber function, a flat quadratic."""
    objective = huber(1.0, 1.0)
    _linear_check(claim, tally, objective, np.array([[100.0], [-60.0]]),
                  "not strongly convex (claimed μ = L/10)", distance=distance, mu=0.1)
    flat, q = quadratic(np.array([0.01, 1.0]), rng)
    _linear_check(claim, tally, flat, flat.argmin + 3 * q[:, :1].T,
                  "curvature μ/10 (claimed μ = 0.1)", distance=distance, mu=0.1)


def gd_strongly_convex(claim: Claim, tally: Tally, rng: np.random.Generator) -> None:
    """Distance and gap contract by (1 - μ/L) per step for μ-strongly convex L-smooth f."""
    for objective, starts, label in _quadratic_family(rng, (1, 2, 10, 100, 1e3, 1e4)):
        _linear_check(claim, tally, objective, starts, label, distance=True)
    for ratio in (0.5, 0.1, 0.01):
        objective, _ = quadratic(np.array([ratio]), rng, L=1.0,
                                 name="1-D quadratic")
        _linear_check(claim, tally, objective, objective.argmin + np.array([[5.0]]),
                      "x0 far", distance=True)
    for _ in range(30):
        objective, q = random_quadratic(rng, mu=float(10 ** rng.uniform(-4, 0)))
        starts = objective.argmin + np.vstack([3 * q[:, 0],
                                               3 * rng.standard_normal(objective.dim)])
        _linear_check(claim, tally, objective, starts, "starts along v_μ and random",
                      distance=True)
    for lam in (0.3, 0.1, 0.03, 0.01, 0.003):
        d = int(rng.integers(1, 6))
        objective = logistic(rng, int(rng.integers(20, 80)), d, lam)
        starts = objective.argmin + 5 * rng.standard_normal((3, d))
        _linear_check(claim, tally, objective, starts, "random starts", distance=True)
    if "strongly-convex" in claim.dropped:
        _not_strongly_convex(tally, claim, rng, distance=True)
    tally.note("On quadratics started along the μ-eigenvector the gap and the squared distance "
               "shrink by (1 - μ/L)² per step, so LHS/RHS = (1 - μ/L)^k: the tightest case is "
               "k = 1 with the largest condition number.")


def gd_pl(claim: Claim, tally: Tally, rng: np.random.Generator) -> None:
    """f(x_k) - f* <= (1 - μ/L)^k (f(x0) - f*) under the PL inequality and L-smoothness."""
    verify = "polyak-lojasiewicz" not in claim.dropped
    for singular in (np.geomspace(0.3, 3, 5), np.geomspace(0.1, 1, 5), np.geomspace(0.03, 1, 5)):
        objective, v_mu, null = least_squares(rng, singular, 15, 10)
        starts = np.vstack([objective.argmin + 2 * v_mu + null @ rng.standard_normal(5),
                            objective.argmin + 2 * rng.standard_normal(10)])
        _linear_check(claim, tally, objective, starts,
                      "starts along v_μ (+ null space) and random", distance=False,
                      verify_pl=verify)
    for objective, starts, label in _quadratic_family(rng, (1, 10, 1e3), d=10):
        _linear_check(claim, tally, objective, starts, label, distance=False, verify_pl=verify)
    for _ in range(10):
        n, d = int(rng.integers(2, 15)), int(rng.integers(2, 12))
        rank = int(rng.integers(1, min(n, d) + 1))
        objective, v_mu, null = least_squares(rng, 10 ** rng.uniform(-1.5, 0.5, rank), n, d)
        starts = np.vstack([objective.argmin + v_mu, objective.argmin + rng.standard_normal(d)])
        _linear_check(claim, tally, objective, starts, "starts along v_μ and random",
                      distance=False, verify_pl=verify)
    for scales in ([1.0], [1.0, 0.5, 2.0], *(rng.uniform(0.2, 3, size=(6, 2)).tolist())):
        objective = pl_sine(np.array(scales))
        starts = rng.uniform(-10, 10, size=(4, len(scales)))
        _linear_check(claim, tally, objective, starts, "random starts", distance=False,
                      verify_pl=verify)
    if "polyak-lojasiewicz" in claim.dropped:
        _not_strongly_convex(tally, claim, rng, distance=False)
    tally.note("Rank-deficient least squares and ill-conditioned quadratics started along the "
               "μ-eigenvector give LHS/RHS = (1 - μ/L)^k, tightest at k = 1.")


def gd_nonconvex(claim: Claim, tally: Tally, rng: np.random.Generator) -> None:
    """min_{i<k} ‖∇f(x_i)‖² <= 2L(f(x0) - f*)/k for L-smooth f bounded below by f*."""
    c, p = claim.number("factor"), claim.integer("k_power")
    cases: list[tuple[Objective, Array, str]] = []
    for ratio in (1.0, 0.5, 0.1):
        objective, _ = quadratic(np.array([ratio]), rng, L=1.0,
                                 name=f"1-D quadratic, curvature {ratio:g}·L")
        cases.append((objective, objective.argmin + np.array([[5.0], [-2.0]]), "x0 far"))
    for d in (1, 3):
        cases.append((log_square(d), rng.uniform(-10, 10, size=(10, d)), "random starts"))
    cases.append((pl_sine(np.array([1.0, 0.3])), rng.uniform(-10, 10, size=(10, 2)),
                  "random starts"))
    cases.append((double_well(), rng.uniform(-15, 15, size=(20, 1)), "random starts"))
    for _ in range(10):
        objective, _ = random_quadratic(rng)
        cases.append((objective, objective.argmin + 5 * rng.standard_normal((2, objective.dim)),
                      "random starts"))
    cases.append((huber(1.0, 100.0 / 101), np.array([[100.0]]), "tuned to N = 50"))
    if "L-smooth" in claim.dropped:
        objective, _ = quadratic(np.array([3.0]), rng, L=1.0,
                                 name="1-D quadratic with curvature 3L (claimed L)")
        cases.append((objective, objective.argmin + np.array([[1.0]]), "x0 = x* + 1"))
    steps = 200
    k = np.arange(1, steps + 1, dtype=float)
    for objective, starts, label in cases:
        path = descend(objective, starts, steps)
        for j in range(starts.shape[0]):
            tally.instance(f"{objective.name}, {label}")
            slopes = objective.gradient(path[:-1, j])
            smallest = np.minimum.accumulate(np.sum(slopes * slopes, axis=-1))
            gap0 = float(objective.gap(path[0, j]))
            rhs = c * objective.L * gap0 / k**p
            tally.inequalities(smallest, rhs, scale=smallest + rhs + 2 * c * objective.L
                               * objective.offset / k**p, where=_iterate_label(j))
    tally.note("The 1-D quadratic with curvature L attains the bound at k = 1 (LHS/RHS = 1).")


def _pairs(rng: np.random.Generator, objective: Objective, count: int,
           spread: float) -> tuple[Array, Array]:
    x = spread * rng.standard_normal((count, objective.dim))
    y = x + spread * rng.standard_normal((count, objective.dim))
    return x, y


def _descent_check(claim: Claim, tally: Tally, objective: Objective, x: Array, y: Array,
                   label: str) -> None:
    """|f(y) - f(x) - <∇f(x), y - x>| <= c·L‖y - x‖² on each pair."""
    fx, fy = objective.value(x), objective.value(y)
    linear = np.sum(objective.gradient(x) * (y - x), axis=-1)
    remainder = fy - fx - linear
    rhs = claim.number("factor") * objective.L * np.sum((y - x) ** 2, axis=-1)
    tally.batch(f"{objective.name}, {label}", np.abs(remainder), rhs,
                scale=np.abs(fx) + np.abs(fy) + np.abs(linear) + rhs,
                where=lambda i: f", pair {i}: x = {np.round(x[i], 3).tolist()}, "
                f"y = {np.round(y[i], 3).tolist()}")


def descent_lemma(claim: Claim, tally: Tally, rng: np.random.Generator) -> None:
    """The quadratic upper (and lower) bound of an L-smooth function, on random and tight pairs."""
    eigenvalues = np.array([-2.0, -0.5, 0.0, 1.0, 2.0])
    objective, q = quadratic(eigenvalues, rng, name="indefinite quadratic, eigenvalues in [-2, 2]")
    x = rng.standard_normal((20, 5))
    for column, name in ((4, "top"), (0, "bottom")):
        y = x + rng.uniform(0.5, 3, size=(20, 1)) * q[:, column]
        _descent_check(claim, tally, objective, x, y, f"pairs along the {name} eigenvector")
    _descent_check(claim, tally, objective, *_pairs(rng, objective, 50, 2.0), "random pairs")
    for _ in range(10):
        objective, _ = random_quadratic(rng, indefinite=True)
        _descent_check(claim, tally, objective, *_pairs(rng, objective, 30, 2.0), "random pairs")
    for d in (2, 5):
        model = logistic(rng, 60, d)
        _descent_check(claim, tally, model, *_pairs(rng, model, 50, 1.0), "random pairs")
        # Near 0 along the top eigenvector of XᵀX the Hessian is almost L I: nearly tight.
        top = np.linalg.eigh(_hessian_at_zero(model))[1][:, -1]
        x = 1e-3 * rng.standard_normal((10, d))
        _descent_check(claim, tally, model, x, x + 0.05 * top, "short steps from 0 along the top "
                       "eigenvector of XᵀX")
    for objective in (log_square(3), pl_sine(np.array([1.0, 2.0])), double_well(),
                      huber(2.0, 0.5, 3), log_sum_exp(4)):
        _descent_check(claim, tally, objective, *_pairs(rng, objective, 300, 2.0), "random pairs")
    x = rng.uniform(-0.05, 0.05, size=(20, 2))
    _descent_check(claim, tally, pl_sine(np.array([1.0, 2.0])), x, -x, "short pairs around 0")
    if "L-smooth" in claim.dropped:
        objective = quartic()
        x = rng.uniform(-3, 3, size=(30, 1))
        _descent_check(claim, tally, objective, x, x + rng.uniform(-1, 1, size=(30, 1)),
                       "pairs in [-4, 4], beyond the range of the claimed L")
    tally.note("Along the top (or bottom) eigenvector of a quadratic the remainder equals "
               "±(L/2)‖y - x‖² exactly (LHS/RHS = 1).")


def _hessian_at_zero(model: Objective) -> Array:
    """A finite-difference Hessian at 0 (only used to pick a direction)."""
    d = model.dim
    h = 1e-5
    eye = np.eye(d)
    return np.array([(model.gradient(h * eye[i]) - model.gradient(-h * eye[i])) / (2 * h)
                     for i in range(d)])


def _convexity_check(claim: Claim, tally: Tally, objective: Objective, x: Array, y: Array,
                     label: str) -> None:
    """f(x) - f(y) + q‖y - x‖² <= a<∇f(x), x - y> on each pair."""
    fx, fy = objective.value(x), objective.value(y)
    curvature = claim.number("curvature") * np.sum((y - x) ** 2, axis=-1)
    lhs = fx - fy + curvature
    rhs = claim.number("gradient_factor") * np.sum(objective.gradient(x) * (x - y), axis=-1)
    scale = np.abs(fx) + np.abs(fy) + np.abs(curvature) + np.abs(rhs)
    tally.batch(f"{objective.name}, {label}", lhs, rhs, scale=scale, where=lambda i: f", pair {i}")


def first_order_convexity(claim: Claim, tally: Tally, rng: np.random.Generator) -> None:
    """f(y) >= f(x) + <∇f(x), y - x> for convex differentiable f (tight on affine pieces)."""
    objectives = [affine(rng, 3), affine(rng, 1), log_sum_exp(4), huber(1.0, 0.5, 2),
                  logistic(rng, 60, 3)]
    singular, _ = quadratic(np.array([0.0, 0.0, 0.5, 3.0]), rng)
    objectives.append(singular)
    objectives.extend(random_quadratic(rng)[0] for _ in range(10))
    objectives.extend(logistic(rng, int(rng.integers(20, 80)), d, lam)
                      for d, lam in ((1, 0.0), (2, 0.1), (6, 0.0)))
    for objective in objectives:
        _convexity_check(claim, tally, objective, *_pairs(rng, objective, 200, 3.0),
                         "random pairs")
    # Both points on the same linear piece of a Huber function: equality.
    flat = huber(1.0, 0.5, 1)
    x = rng.uniform(1, 5, size=(20, 1))
    _convexity_check(claim, tally, flat, x, rng.uniform(1, 5, size=(20, 1)),
                     "pairs on one linear piece")
    if "convex" in claim.dropped:
        for objective in (log_square(2), double_well(), pl_sine(np.array([1.0]))):
            _convexity_check(claim, tally, objective, *_pairs(rng, objective, 100, 3.0),
                             "random pairs (not convex)")
    tally.note("Affine functions and pairs on one linear piece of a Huber function give "
               "equality (LHS/RHS = 1).")
