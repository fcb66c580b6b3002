"""Numeric witnesses: each quantitative statement of the catalogue checked on concrete cases.

The Lean proofs cannot be elaborated where the catalogue is developed, so a wrong constant in an
informal statement would otherwise go unnoticed. A witness builds instances that satisfy the
hypotheses of one statement and checks its conclusion on every one of them: identities on finite
probability spaces in exact rational arithmetic, probabilistic bounds by enumerating every sample
of a small finite distribution, optimization rates at every iterate up to a horizon on families
that include the near-worst cases. What goes in is a `Claim` (the constants of the statement, which
a caller may change to test a false variant, and hypotheses a variant may drop); what comes out is a
`WitnessReport` (instances tried, the worst ratio of left side to right side, pass or fail).
Each witness also renders its conclusion as LaTeX from its constants (`Witness.stated_as`, see
`conclusion`), and `find_statement_problems` requires every witnessed entry to state exactly that,
so a statement whose constant differs from the checked one is a `check` problem.

`WITNESSES` is a table of records; the area modules (`learning`, `statistics`, `optimization`)
hold the checks and are imported only when a witness runs, so `mlcatalogue check` can consult the
table and compare statements without importing numpy.
"""

from __future__ import annotations

import importlib
import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import TYPE_CHECKING, Any

from mlcatalogue.witness import conclusion
from mlcatalogue.witness.conclusion import (
    Form,
    find_statement_problems,
    normalise_latex,
    read_stated_constants,
)

if TYPE_CHECKING:  # pragma: no cover - typing only
    import numpy as np

    from mlcatalogue.model import Catalogue

__all__ = [
    "WITNESSES",
    "Claim",
    "Tally",
    "Witness",
    "WitnessError",
    "WitnessReport",
    "describe",
    "find_statement_problems",
    "format_ratio",
    "normalise_latex",
    "parse_constant",
    "read_stated_constants",
    "run_catalogue_witnesses",
    "run_witness",
    "run_witnesses",
    "select_witnesses",
]

RELATIVE_TOLERANCE = 1e-12
"""Floating-point checks pass when `lhs <= rhs + RELATIVE_TOLERANCE * scale` (scale: the size of
the terms that were subtracted to get lhs and rhs); exact checks use no tolerance at all."""


class WitnessError(ValueError):
    """An unknown witness, constant or hypothesis, or an instance that violates a hypothesis."""


@dataclass(frozen=True)
class Witness:
    """One statement that can be checked numerically.

    `statement` gives the checked inequality or identity with its constants named; `constants`
    holds their values as the catalogue states them; `hypotheses` are those a variant may drop
    (the witness then adds instances satisfying every other hypothesis). `target` is the
    `module:function` that runs the checks, imported on first use. `conclusion` renders the
    conclusion as the catalogue writes it in LaTeX, from the constants (see `stated_as`).
    """

    name: str
    statement: str
    target: str
    constants: Mapping[str, Fraction]
    hypotheses: tuple[str, ...] = ()
    identity: bool = False
    conclusion: Callable[[Mapping[str, Fraction]], tuple[Form, ...]] | None = None

    def stated_as(self, constants: Mapping[str, Fraction] | None = None) -> tuple[Form, ...]:
        """The LaTeX forms of the conclusion with `constants` (default: the catalogued ones).

        Each form is a tuple of fragments that must all occur in a statement; the forms are
        alternatives (notation such as `L` or `K` for the smoothness constant). Built from the
        constants, so a changed constant changes the text: with factor 1/2 the descent lemma
        reads `\\frac{L}{2}\\|y - x\\|^2`, with 1/4 `\\frac{L}{4}\\|y - x\\|^2`.
        """
        if self.conclusion is None:
            return ()
        return self.conclusion(self.constants if constants is None else constants)


@dataclass(frozen=True)
class Claim:
    """The statement a witness checks: its constants and the hypotheses it no longer assumes."""

    constants: Mapping[str, Fraction]
    dropped: frozenset[str] = frozenset()

    def __getitem__(self, key: str) -> Fraction:
        return self.constants[key]

    def number(self, key: str) -> float:
        """The constant as a float, for floating-point checks."""
        return float(self.constants[key])

    def integer(self, key: str) -> int:
        """The constant as an integer (an exponent); a non-integer is an error."""
        value = self.constants[key]
        if value.denominator != 1:
            raise WitnessError(f"constant {key} must be an integer, not {value}")
        return int(value)


@dataclass(frozen=True)
class WitnessReport:
    """What running one witness found.

    `worst_ratio` is the largest LHS/RHS over all checks of an inequality (at most 1 when the
    statement holds) or, for an identity, the ratio furthest from 1 (exactly 1 when it holds);
    it is `inf` when a check failed with a right side that is not positive and `nan` when no check
    had a positive right side.
    """

    name: str
    instances: int
    worst_ratio: float
    passed: bool
    detail: str
    checks: int = 0
    failed: int = 0
    identity: bool = False
    exact: bool = False
    constants: Mapping[str, str] = field(default_factory=dict)
    dropped: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        """A JSON-ready mapping (non-finite ratios become None)."""
        ratio = self.worst_ratio if math.isfinite(self.worst_ratio) else None
        return {
            "witness": self.name,
            "instances": self.instances,
            "checks": self.checks,
            "failed": self.failed,
            "worst_ratio": ratio,
            "passed": self.passed,
            "identity": self.identity,
            "exact": self.exact,
            "constants": dict(self.constants),
            "dropped": list(self.dropped),
            "detail": self.detail,
        }


Number = Fraction | int | float


class Tally:
    """Accumulates the checks of one witness run: instances, failures and the tightest case.

    Area functions call `instance(label)` before the checks of each instance, then `inequality`
    (lhs <= rhs), `inequalities` (the same over numpy arrays) or `identity` (lhs == rhs); `batch`
    checks many instances of one check each (pairs of points) at once.
    """

    def __init__(self, *, identity: bool = False) -> None:
        self.identity_mode = identity
        self.instances = 0
        self.checks = 0
        self.failed_instances = 0
        self.exact = True
        self.worst: Fraction | float | None = None
        self.worst_where = ""
        self.first_failure = ""
        self.unmeasured_failure = False
        self.notes: list[str] = []
        self._label = ""
        self._instance_failed = False

    def instance(self, label: str) -> None:
        """Start a new instance, described by `label` in reports."""
        self._close()
        self.instances += 1
        self._label = label
        self._instance_failed = False

    def note(self, text: str) -> None:
        """Add a sentence to the report's detail (once), e.g. how tight the statement can be."""
        if text not in self.notes:
            self.notes.append(text)

    def _close(self) -> None:
        if self._instance_failed:
            self.failed_instances += 1
        self._instance_failed = False

    def _fail(self, where: str, lhs: Number, rhs: Number) -> None:
        self._instance_failed = True
        if not self.first_failure:
            self.first_failure = f"{self._label}{where}: LHS = {_show(lhs)}, RHS = {_show(rhs)}"

    def _consider(self, ratio: Fraction | float, where: str) -> None:
        if self.identity_mode:
            worse = self.worst is None or abs(float(ratio) - 1) > abs(float(self.worst) - 1)
        else:
            worse = self.worst is None or float(ratio) > float(self.worst)
        if worse:
            self.worst = ratio
            self.worst_where = f"{self._label}{where}"

    def inequality(self, lhs: Number, rhs: Number, *, scale: float | None = None,
                   where: str = "") -> bool:
        """Check lhs <= rhs: exactly for rationals, to a relative tolerance for floats."""
        self.checks += 1
        if isinstance(lhs, float) or isinstance(rhs, float):
            self.exact = False
            size = scale if scale is not None else max(abs(float(lhs)), abs(float(rhs)))
            tolerance: Number = RELATIVE_TOLERANCE * size
        else:
            tolerance = 0
        holds = lhs <= rhs + tolerance
        if rhs > tolerance:
            self._consider(lhs / rhs if isinstance(rhs, float) else Fraction(lhs) / rhs, where)
        elif not holds:
            self.unmeasured_failure = True
        if not holds:
            self._fail(where, lhs, rhs)
        return holds

    def inequalities(self, lhs: np.ndarray, rhs: np.ndarray, *, scale: np.ndarray | None = None,
                     where: Callable[[int], str] | None = None) -> bool:
        """Check lhs[i] <= rhs[i] for every i (floats, relative tolerance); `where(i)` labels i."""
        return bool(self._check_array(lhs, rhs, scale, where).all())

    def batch(self, label: str, lhs: np.ndarray, rhs: np.ndarray, *,
              scale: np.ndarray | None = None,
              where: Callable[[int], str] | None = None) -> bool:
        """Check lhs[i] <= rhs[i] where each i is an instance of its own (e.g. a pair x, y)."""
        self._close()
        self._label = label
        holds = self._check_array(lhs, rhs, scale, where)
        self.instances += int(holds.size)
        self.failed_instances += int(holds.size - holds.sum())
        self._instance_failed = False
        return bool(holds.all())

    def _check_array(self, lhs: np.ndarray, rhs: np.ndarray, scale: np.ndarray | None,
                     where: Callable[[int], str] | None) -> np.ndarray:
        import numpy as np

        lhs = np.asarray(lhs, dtype=float)
        rhs = np.asarray(rhs, dtype=float)
        if lhs.size == 0:
            return np.ones(0, dtype=bool)
        self.exact = False
        self.checks += int(lhs.size)
        size = np.maximum(np.abs(lhs), np.abs(rhs)) if scale is None else np.asarray(scale)
        tolerance = RELATIVE_TOLERANCE * size
        holds = lhs <= rhs + tolerance
        measured = rhs > tolerance
        label = where or (lambda i: f", check {i}")
        if measured.any():
            ratios = np.where(measured, lhs / np.where(measured, rhs, 1.0), -np.inf)
            index = int(np.argmax(ratios))
            self._consider(float(ratios[index]), label(index))
        if not holds.all():
            index = int(np.argmin(holds))
            if not measured[~holds].all():
                self.unmeasured_failure = True
            self._fail(label(index), float(lhs[index]), float(rhs[index]))
        return holds

    def identity(self, lhs: Number, rhs: Number, *, where: str = "") -> bool:
        """Check lhs == rhs exactly (rationals only); the ratio is 1 exactly when they agree."""
        if isinstance(lhs, float) or isinstance(rhs, float):
            raise WitnessError("identities are checked in exact arithmetic only")
        self.checks += 1
        holds = lhs == rhs
        if holds:
            self._consider(Fraction(1), where)
        elif rhs != 0:
            self._consider(Fraction(lhs) / rhs, where)
        else:
            self.unmeasured_failure = True
        if not holds:
            self._fail(where, lhs, rhs)
        return holds

    def report(self, witness: Witness, claim: Claim) -> WitnessReport:
        """The finished report for `witness` run under `claim`."""
        self._close()
        if self.unmeasured_failure:
            worst = math.inf
        elif self.worst is None:
            worst = math.nan
        else:
            worst = float(self.worst)
        passed = self.failed_instances == 0 and self.instances > 0
        parts = []
        if self.unmeasured_failure:
            parts.append("Some checks fail with a right side <= 0, where LHS/RHS means nothing; "
                         "the worst ratio is reported as inf.")
        if not passed and self.worst is not None:
            kind = "measured case" if self.unmeasured_failure else "case"
            parts.append(f"Worst {kind} (LHS/RHS = {_show(self.worst)}): {self.worst_where}.")
        elif self.identity_mode:
            parts.append("Every instance satisfies the identity exactly.")
        elif self.worst is not None:
            parts.append(f"Tightest case (LHS/RHS = {_show(self.worst)}): {self.worst_where}.")
        if self.first_failure:
            parts.append(f"First failure: {self.first_failure}.")
        parts.extend(self.notes)
        constants = ", ".join(f"{key} = {value}" for key, value in claim.constants.items())
        parts.append(f"Claim: {witness.statement} with {constants}.")
        if claim.dropped:
            parts.append(f"Dropped hypotheses: {', '.join(sorted(claim.dropped))}.")
        return WitnessReport(
            name=witness.name,
            instances=self.instances,
            worst_ratio=worst,
            passed=passed,
            detail=" ".join(parts),
            checks=self.checks,
            failed=self.failed_instances,
            identity=witness.identity,
            exact=self.exact,
            constants={key: str(value) for key, value in claim.constants.items()},
            dropped=tuple(sorted(claim.dropped)),
        )


def _show(value: Number) -> str:
    if isinstance(value, Fraction):
        return str(value) if value.denominator < 10**6 else f"{float(value):.6g}"
    if isinstance(value, int):
        return str(value)
    return f"{value:.6g}"


def _f(numerator: int, denominator: int = 1) -> Fraction:
    return Fraction(numerator, denominator)


WITNESSES: Mapping[str, Witness] = {
    witness.name: witness
    for witness in (
        Witness(
            "learning.erm_excess_risk",
            "if |L_D(h) - L_S(h)| <= eps for all h in H, every ERM h_S has "
            "L_D(h_S) - L_D(h') <= factor * eps for all h' in H",
            "mlcatalogue.witness.learning:erm_excess_risk",
            {"factor": _f(2)},
            ("erm", "uniform-deviation"),
            conclusion=conclusion.erm_excess_risk,
        ),
        Witness(
            "learning.finite_class_union_bound",
            "with delta_h = D^m(eps <= |L_D(h) - L_S(h)|): D^m(exists h, eps <= |L_D(h) - L_S(h)|) "
            "<= sum_h delta_h <= |H|^class_power * max_h delta_h; off that event every ERM "
            "is (factor * eps)-optimal, and D^m(some ERM is not) <= |H|^class_power * max_h "
            "delta_h",
            "mlcatalogue.witness.learning:finite_class_union_bound",
            {"class_power": _f(1), "factor": _f(2)},
            conclusion=conclusion.finite_class_union_bound,
        ),
        Witness(
            "statistics.mse_bias_variance",
            "E||T - theta||^2 = bias_factor * sum_j (E T_j - theta_j)^bias_power "
            "+ variance_factor * tr Cov(T)",
            "mlcatalogue.witness.statistics:mse_bias_variance",
            {"bias_factor": _f(1), "bias_power": _f(2), "variance_factor": _f(1)},
            identity=True,
            conclusion=conclusion.mse_bias_variance,
        ),
        Witness(
            "statistics.prediction_error",
            "Y = f + e, E e = 0, F independent of e: E(Y - F)^2 = noise_factor * Var e "
            "+ bias_factor * (f - E F)^bias_power + variance_factor * Var F",
            "mlcatalogue.witness.statistics:prediction_error",
            {"noise_factor": _f(1), "bias_factor": _f(1), "bias_power": _f(2),
             "variance_factor": _f(1)},
            ("independence", "zero-mean-noise"),
            identity=True,
            conclusion=conclusion.prediction_error,
        ),
        Witness(
            "statistics.sample_mean_variance",
            "X_1..X_n pairwise independent with variance s^2: "
            "Var((X_1 + ... + X_n)/n) = factor * s^2 / n^n_power",
            "mlcatalogue.witness.statistics:sample_mean_variance",
            {"factor": _f(1), "n_power": _f(1)},
            ("independence",),
            identity=True,
            conclusion=conclusion.sample_mean_variance,
        ),
        Witness(
            "optimization.gd_smooth_convex",
            "f convex and L-smooth, GD with step 1/L: "
            "f(x_k) - f* <= L ||x_0 - x*||^2 / (denominator * k^k_power) for k >= 1",
            "mlcatalogue.witness.optimization:gd_smooth_convex",
            {"denominator": _f(2), "k_power": _f(1)},
            ("convex",),
            conclusion=conclusion.gd_smooth_convex,
        ),
        Witness(
            "optimization.gd_strongly_convex",
            "f mu-strongly convex and L-smooth, GD with step 1/L: "
            "||x_k - x*||^2 <= (1 - rate_factor * mu/L)^k ||x_0 - x*||^2 and "
            "f(x_k) - f* <= (1 - rate_factor * mu/L)^k (f(x_0) - f*)",
            "mlcatalogue.witness.optimization:gd_strongly_convex",
            {"rate_factor": _f(1)},
            ("strongly-convex",),
            conclusion=conclusion.gd_strongly_convex,
        ),
        Witness(
            "optimization.gd_pl",
            "f L-smooth with the PL inequality (1/2)||grad f||^2 >= mu (f - f*), GD with step 1/L: "
            "f(x_k) - f* <= (1 - rate_factor * mu/L)^k (f(x_0) - f*)",
            "mlcatalogue.witness.optimization:gd_pl",
            {"rate_factor": _f(1)},
            ("polyak-lojasiewicz",),
            conclusion=conclusion.gd_pl,
        ),
        Witness(
            "optimization.gd_nonconvex",
            "f L-smooth and bounded below by f*, GD with step 1/L: "
            "min_{i<k} ||grad f(x_i)||^2 <= factor * L (f(x_0) - f*) / k^k_power for k >= 1",
            "mlcatalogue.witness.optimization:gd_nonconvex",
            {"factor": _f(2), "k_power": _f(1)},
            ("L-smooth",),
            conclusion=conclusion.gd_nonconvex,
        ),
        Witness(
            "optimization.descent_lemma",
            "f L-smooth: |f(y) - f(x) - <grad f(x), y - x>| <= factor * L ||y - x||^2 "
            "(both halves of the bound: the upper one, f(y) <= f(x) + <grad f(x), y - x> "
            "+ factor * L ||y - x||^2, is the usual statement)",
            "mlcatalogue.witness.optimization:descent_lemma",
            {"factor": _f(1, 2)},
            ("L-smooth",),
            conclusion=conclusion.descent_lemma,
        ),
        Witness(
            "optimization.first_order_convexity",
            "f convex and differentiable: "
            "f(y) >= f(x) + gradient_factor * <grad f(x), y - x> + curvature * ||y - x||^2, "
            "checked as f(x) - f(y) + curvature ||y - x||^2 <= gradient_factor <grad f(x), x - y>",
            "mlcatalogue.witness.optimization:first_order_convexity",
            {"gradient_factor": _f(1), "curvature": _f(0)},
            ("convex",),
            conclusion=conclusion.first_order_convexity,
        ),
    )
}
"""Every witness by name; entries of the catalogue point here with their `witness` field."""


def parse_constant(text: str) -> Fraction:
    """A constant written as an integer, a fraction `p/q` or a decimal (`0.25`), exactly."""
    try:
        return Fraction(text.strip())
    except (ValueError, ZeroDivisionError) as error:
        raise WitnessError(f"not a number: {text!r} (write e.g. 2, 1/4 or 0.25)") from error


def make_claim(witness: Witness, variant: Mapping[str, Any] | None = None) -> Claim:
    """The claim of `witness`, with the constants and dropped hypotheses of `variant` applied.

    `variant` maps constant names to new values (numbers or strings like "1/4"), and the key
    `drop` to a hypothesis name or a list of them.
    """
    constants = dict(witness.constants)
    dropped: set[str] = set()
    for key, value in (variant or {}).items():
        if key == "drop":
            names = [value] if isinstance(value, str) else list(value)
            unknown = [name for name in names if name not in witness.hypotheses]
            if unknown:
                known = ", ".join(witness.hypotheses) or "none"
                raise WitnessError(
                    f"witness {witness.name} cannot drop {', '.join(unknown)} (droppable: {known})")
            dropped.update(names)
        elif key in constants:
            if isinstance(value, str):
                constants[key] = parse_constant(value)
            elif isinstance(value, bool) or not isinstance(value, (int, float, Fraction)):
                raise WitnessError(f"constant {key} of {witness.name} must be a number")
            else:
                constants[key] = Fraction(value)
        else:
            known = ", ".join(witness.constants)
            raise WitnessError(
                f"witness {witness.name} has no constant {key!r} (its constants: {known})")
    return Claim(constants, frozenset(dropped))


def run_witness(name: str, *, variant: Mapping[str, Any] | None = None,
                seed: int = 0) -> WitnessReport:
    """Run the witness `name` on its instances (seeded) and report; `variant` changes the claim."""
    import numpy as np

    try:
        witness = WITNESSES[name]
    except KeyError:
        raise WitnessError(
            f"no witness named {name!r} (known: {', '.join(sorted(WITNESSES))})") from None
    claim = make_claim(witness, variant)
    module_name, function_name = witness.target.split(":")
    check: Callable[[Claim, Tally, np.random.Generator], None] = getattr(
        importlib.import_module(module_name), function_name)
    tally = Tally(identity=witness.identity)
    check(claim, tally, np.random.default_rng(seed))
    return tally.report(witness, claim)


def run_witnesses(names: Iterable[str] | None = None, *,
                  variant: Mapping[str, Any] | None = None,
                  progress: Callable[[str], None] | None = None) -> list[WitnessReport]:
    """Run the named witnesses (all when `names` is None), in order, each once."""
    chosen = list(dict.fromkeys(WITNESSES if names is None else names))
    reports = []
    for name in chosen:
        if progress is not None:
            progress(name)
        reports.append(run_witness(name, variant=variant))
    return reports


def select_witnesses(catalogue: Catalogue | None,
                     ids: Sequence[str] = ()) -> list[tuple[str | None, str]]:
    """(entry id, witness name) pairs for `ids`: witness names or entry ids with a witness.

    With no ids: every catalogue entry that names a witness, then every witness no entry names
    (with entry None). Without a catalogue only witness names can be resolved.
    """
    entries = [] if catalogue is None else [item.entry for item in catalogue.entries]
    by_id = {entry.id: entry for entry in entries}
    if not ids:
        pairs: list[tuple[str | None, str]] = [
            (entry.id, entry.witness) for entry in entries if entry.witness is not None]
        named = {witness for _, witness in pairs}
        pairs.extend((None, name) for name in WITNESSES if name not in named)
        return pairs
    pairs = []
    for key in ids:
        if key in WITNESSES:
            pairs.append((None, key))
        elif key in by_id:
            witness = by_id[key].witness
            if witness is None:
                raise WitnessError(f"entry {key!r} names no witness")
            pairs.append((key, witness))
        elif catalogue is None:
            raise WitnessError(f"{key!r} is not a witness name, and there is no catalogue to "
                               f"look up entry ids in")
        else:
            raise WitnessError(f"{key!r} is neither a witness name nor a catalogue entry id")
    return pairs


def run_catalogue_witnesses(catalogue: Catalogue | None, ids: Sequence[str] = (), *,
                            variant: Mapping[str, Any] | None = None,
                            progress: Callable[[str], None] | None = None,
                            ) -> list[tuple[str | None, WitnessReport]]:
    """(entry id, report) for `ids` as `select_witnesses` resolves them; each witness runs once."""
    pairs = select_witnesses(catalogue, ids)
    reports: dict[str, WitnessReport] = {}
    for _, name in pairs:
        if name not in reports:
            if progress is not None:
                progress(name)
            reports[name] = run_witness(name, variant=variant)
    return [(entry_id, reports[name]) for entry_id, name in pairs]


def format_ratio(ratio: float) -> str:
    """A ratio for people: four significant digits, `inf` or `n/a`."""
    if math.isnan(ratio):
        return "n/a"
    if math.isinf(ratio):
        return "inf"
    return f"{ratio:.4g}"


def describe(report: WitnessReport) -> str:
    """One sentence for an entry page saying what the witness checked and found."""
    how = "in exact arithmetic" if report.exact else "numerically"
    if not report.passed:
        return (f"FAILED numerical check: {report.failed} of {report.instances} instances violate "
                f"the statement; worst case LHS/RHS = {format_ratio(report.worst_ratio)}")
    if report.identity:
        return f"identity verified exactly on {report.instances} instances"
    return (f"checked {how} on {report.instances} instances; "
            f"tightest case LHS/RHS = {format_ratio(report.worst_ratio)}")
