"""The conclusion each witness checks, written as the catalogue writes it, and the check of it.

A witness checks a claim with named constants (the factor 1/2 of the descent lemma, the rate
factor 1 of gradient descent under PL, ...); an entry states the same result in LaTeX. Nothing
would tie the two together if the constants lived only in the witness, so each witness renders
its conclusion *from its constants* (the functions below, one per witness) and
`find_statement_problems` requires every witnessed entry's statement to contain that text. A
statement saying `\\frac{L}{4}` where the witness checks `\\frac{L}{2}` is then a `check` problem,
and since a wrong constant renders differently, `read_stated_constants` can recover the constant a
statement does state, for the witness to test. This module is pure text: `mlcatalogue check`
uses it without importing numpy or running any witness.

A witness may allow several *forms*: the same conclusion in different notation (`L` for the
smoothness constant in the algebraic cores, `K` for the Lipschitz constant of the gradient in
their bridged forms, `T` or `X` for an estimator), or the two halves of a result that different
entries state. A form is a tuple of fragments that must all occur, and a statement passes when
some form occurs entirely; the constants are the same in every form.
Comparison is on normalised LaTeX (see `normalise_latex`), so spacing and sizing do not matter.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from fractions import Fraction
from functools import lru_cache
from typing import TYPE_CHECKING

from mlcatalogue.model import Entry, Problem

if TYPE_CHECKING:  # pragma: no cover - typing only
    from mlcatalogue.witness import Witness

Form = tuple[str, ...]
"""LaTeX fragments that must all occur in a statement."""

Constants = Mapping[str, Fraction]

SMOOTHNESS_SYMBOLS = ("L", "K")
"""How the catalogue names the smoothness constant: `L` (cores) or `K` (Lipschitz bridges)."""

ESTIMATOR_SYMBOLS = ("T", "X")
"""How the catalogue names the estimator in the bias–variance decomposition."""

CANDIDATE_VALUES = tuple(Fraction(text) for text in (
    "0", "1/8", "1/4", "1/3", "1/2", "2/3", "3/4", "1", "3/2", "2", "3", "4", "5", "8"))
"""Values tried for one constant at a time when a statement does not state the witness's own."""

_SIZING = re.compile(r"\\(?:left|right|[Bb]igg?[lrm]?)(?![A-Za-z])")
_SPACING = re.compile(r"(?<!\\)\\[,!;: ]")
_COMMAND_BEFORE_LETTER = re.compile(r"(\\[A-Za-z]+) (?=[A-Za-z])")
_FRAC_FIRST = re.compile(r"\\frac(?:(?=[0-9])| )([0-9A-Za-z])(?=[0-9A-Za-z{\\])")
_FRAC_SECOND = re.compile(r"(\\frac\{[^{}]*\})([0-9A-Za-z])")
_SCRIPT_BRACES = re.compile(r"([_^])\{ *([0-9A-Za-z]|\\[A-Za-z]+) *\}")


@lru_cache(maxsize=4096)
def normalise_latex(text: str) -> str:
    """LaTeX with the differences that do not change the formula removed.

    `\\tfrac`/`\\dfrac` become `\\frac`, `\\leq`/`\\geq` become `\\le`/`\\ge`, thin spaces
    (`\\,` `\\!` `\\;` `\\:` `\\ `) and sizing (`\\left`, `\\right`, `\\big`, `\\Big`, ...) go,
    `\\frac1n` becomes `\\frac{1}{n}`, `^{k}` becomes `^k`, and whitespace goes except where it
    ends a command name before a letter (`\\mathbb E`, where it matters).
    """
    text = re.sub(r"\\[dt]frac(?![A-Za-z])", r"\\frac", text)
    text = re.sub(r"\\(le|ge)q(?![A-Za-z])", r"\\\1", text)
    text = _SIZING.sub("", _SPACING.sub(" ", text))
    text = _SCRIPT_BRACES.sub(r"\1\2 ", text)
    text = _COMMAND_BEFORE_LETTER.sub("\\1\x00", re.sub(r"\s+", " ", text))
    text = text.replace(" ", "").replace("\x00", " ")
    text = _FRAC_FIRST.sub(r"\\frac{\1}", text)
    return _FRAC_SECOND.sub(r"\1{\2}", text)


# --- rendering constants as the catalogue writes them -------------------------------------------


def _times(count: int, symbol: str) -> str:
    """An integer times a symbol: `L`, `2L`, `-L`; the integer alone when there is no symbol."""
    if not symbol:
        return str(count)
    if count == 1:
        return symbol
    if count == -1:
        return f"-{symbol}"
    return f"{count}{symbol}"


def ratio(value: Fraction, top: str, bottom: str = "") -> str:
    """value·top/bottom as the catalogue writes it: `\\frac{p top}{q bottom}`, or `p top`."""
    if value.denominator == 1 and not bottom:
        return _times(value.numerator, top)
    return f"\\frac{{{_times(value.numerator, top)}}}{{{_times(value.denominator, bottom)}}}"


def coefficient(value: Fraction) -> str:
    """A constant in front of a compound term: nothing for 1, `2`, `\\frac{1}{8}`."""
    if value == 1:
        return ""
    if value.denominator == 1:
        return "-" if value == -1 else str(value.numerator)
    return f"\\frac{{{value.numerator}}}{{{value.denominator}}}"


def power(base: str, exponent: Fraction) -> str:
    """base^exponent, with the exponent 1 left out."""
    if exponent == 1:
        return base
    text = str(exponent)
    return f"{base}^{text}" if len(text) == 1 else f"{base}^{{{text}}}"


# --- one function per witness: its constants → the forms of its conclusion ----------------------
# (Python 3.11 allows no backslash inside an f-string's braces, hence the local variables.)

EPSILON = r"\epsilon"
MU = r"\mu"
HS_RISK = r"L_{\mathcal D}(h_S)"
STAR_RISK = r"L_{\mathcal D}(h^\star)"


def erm_excess_risk(c: Constants) -> tuple[Form, ...]:
    """Every ERM is (factor·ε)-optimal."""
    return ((f"{HS_RISK} \\le {STAR_RISK} + {ratio(c['factor'], EPSILON)}",),)


def finite_class_union_bound(c: Constants) -> tuple[Form, ...]:
    """The union bound (|C|^power δ), and the ERM guarantee off the bad event (factor·ε)."""
    bound = power(r"|\mathcal C|", c["class_power"]) + r" \, \delta"
    slack = ratio(c["factor"], EPSILON)
    union = (r"\mathcal D^m\Big(\bigcup_{h \in \mathcal C} A_h\Big) \le "
             r"\sum_{h \in \mathcal C} \mathcal D^m(A_h)")
    return (
        (union, bound),
        (f"{HS_RISK} > {STAR_RISK} + {slack}",
         f"{HS_RISK} \\le {STAR_RISK} + {slack}",
         f"\\mathcal D^m(B) \\le {bound}",
         f"\\mathcal D^m(G) \\ge 1 - {bound}"),
    )


def mse_bias_variance(c: Constants) -> tuple[Form, ...]:
    """E(T - θ)² = (ET - θ)² + Var T, with the factors and the power of the bias."""
    forms = []
    for T in ESTIMATOR_SYMBOLS:
        bias = coefficient(c["bias_factor"]) + power(f"\\big(\\mathbb E {T} - \\theta\\big)",
                                                     c["bias_power"])
        variance = coefficient(c["variance_factor"]) + f"\\operatorname{{Var}}({T})"
        forms.append((f"\\mathbb E\\big[({T} - \\theta)^2\\big] = {bias} + {variance}",))
    return tuple(forms)


def prediction_error(c: Constants) -> tuple[Form, ...]:
    """E(Y - F)² = Var ε + (f - EF)² + Var F, with the factors and the power of the bias."""
    noise = coefficient(c["noise_factor"]) + r"\operatorname{Var}(\varepsilon)"
    bias = coefficient(c["bias_factor"]) + power(r"\big(f - \mathbb E F\big)", c["bias_power"])
    variance = coefficient(c["variance_factor"]) + r"\operatorname{Var}(F)"
    return ((f"\\mathbb E\\big[(Y - F)^2\\big] = {noise} + {bias} + {variance}",),)


def sample_mean_variance(c: Constants) -> tuple[Form, ...]:
    """Var of the mean of n variables with variance σ² is factor·σ²/n^power."""
    value = ratio(c["factor"], r"\sigma^2", power("n", c["n_power"]))
    return ((f"\\operatorname{{Var}}\\Big(\\frac1n \\sum_{{i=1}}^n X_i\\Big) = {value}",),)


def gd_smooth_convex(c: Constants) -> tuple[Form, ...]:
    """f(x_k) - f(x*) <= L‖x0 - x*‖²/(denominator·k^power)."""
    k = power("k", c["k_power"])
    # L‖·‖²/((p/q)·k) is written qL‖·‖²/(p k); no division, so a variant may try p = 0.
    p, q = c["denominator"].numerator, c["denominator"].denominator
    forms = []
    for L in SMOOTHNESS_SYMBOLS:
        top = _times(q, L + r"\,\|x_0 - x^\star\|^2")
        forms.append((f"f(x_k) - f(x^\\star) \\le \\frac{{{top}}}{{{_times(p, k)}}}",))
    return tuple(forms)


def _rate(c: Constants, L: str) -> str:
    return f"\\Big(1 - {ratio(c['rate_factor'], MU, L)}\\Big)^k"


def gd_strongly_convex(c: Constants) -> tuple[Form, ...]:
    """The gap and the squared distance both contract by (1 - rate_factor·μ/L) per step."""
    return tuple(
        (f"f(x_k) - f(x^\\star) \\le {_rate(c, L)} \\big(f(x_0) - f(x^\\star)\\big)",
         f"\\|x_k - x^\\star\\|^2 \\le {_rate(c, L)} \\|x_0 - x^\\star\\|^2")
        for L in SMOOTHNESS_SYMBOLS)


def gd_pl(c: Constants) -> tuple[Form, ...]:
    """The gap contracts by (1 - rate_factor·μ/L) per step under PL."""
    return tuple((f"f(x_k) - f^\\star \\le {_rate(c, L)} \\big(f(x_0) - f^\\star\\big)",)
                 for L in SMOOTHNESS_SYMBOLS)


def gd_nonconvex(c: Constants) -> tuple[Form, ...]:
    """min_{i<k} ‖g(x_i)‖² <= factor·L(f(x0) - f_inf)/k^power, as a fraction and inline."""
    k = power("k", c["k_power"])
    gap = r"\big(f(x_0) - f_{\inf}\big)"
    forms = []
    for L in SMOOTHNESS_SYMBOLS:
        fraction = ratio(c["factor"], L + r"\," + gap, k)
        inline = ratio(c["factor"], L) + gap + "/" + k
        forms.append((f"\\|g(x_i)\\|^2 \\le {fraction}",
                      f"\\min_{{0 \\le i < k}}\\|g(x_i)\\|^2 \\le {inline}"))
    return tuple(forms)


def descent_lemma(c: Constants) -> tuple[Form, ...]:
    """f(y) <= f(x) + <g(x), y - x> + factor·L‖y - x‖²."""
    return tuple((f"\\rangle + {ratio(c['factor'], L)}\\|y - x\\|^2",)
                 for L in SMOOTHNESS_SYMBOLS)


def first_order_convexity(c: Constants) -> tuple[Form, ...]:
    """f(x) + gradient_factor·<g(x), y - x> (+ curvature‖y - x‖²) <= f(y)."""
    linear = coefficient(c["gradient_factor"]) + r"\langle g(x), y - x\rangle"
    curvature = c["curvature"]
    quadratic = ""
    if curvature:
        sign = "+" if curvature > 0 else "-"
        quadratic = f" {sign} " + coefficient(abs(curvature)) + r"\|y - x\|^2"
    return ((f"f(x) + {linear}{quadratic} \\le f(y)",),)


# --- comparing with the catalogue ---------------------------------------------------------------


def _occurs(form: Form, statement: str) -> bool:
    return all(normalise_latex(fragment) in statement for fragment in form)


def _stated_form(witness: Witness, constants: Constants, statement: str) -> int | None:
    """The index of the first form of the conclusion under `constants` that `statement` states."""
    for index, form in enumerate(witness.stated_as(constants)):
        if _occurs(form, statement):
            return index
    return None


def _variants(witness: Witness) -> Iterable[dict[str, Fraction]]:
    """The witness's constants with one of them changed to each candidate value."""
    for key, value in witness.constants.items():
        for candidate in CANDIDATE_VALUES:
            if candidate != value:
                yield {**witness.constants, key: candidate}


def _stated_variant(witness: Witness, text: str) -> tuple[dict[str, Fraction], int] | None:
    """The first one-constant change whose conclusion normalised `text` states, with its form."""
    for variant in _variants(witness):
        index = _stated_form(witness, variant, text)
        if index is not None:
            return variant, index
    return None


def read_stated_constants(witness: Witness, statement: str) -> dict[str, Fraction] | None:
    """The witness's constants as `statement` states them.

    The witness's own constants when its conclusion occurs; otherwise the first change of one
    constant to a value of `CANDIDATE_VALUES` whose rendered conclusion occurs (so a statement
    with `\\frac{L}{4}` in the descent lemma reads as factor = 1/4, a claim the witness can
    test); None when neither occurs.
    """
    text = normalise_latex(statement)
    if _stated_form(witness, witness.constants, text) is not None:
        return dict(witness.constants)
    stated = _stated_variant(witness, text)
    return None if stated is None else stated[0]


def _missing(witness: Witness, text: str, stated: tuple[dict[str, Fraction], int] | None) -> Form:
    """The fragments of the witness's own conclusion to name: those missing from the form the
    statement states with other constants, or else from the form it comes closest to."""
    forms = witness.stated_as()
    if stated is not None:
        closest = forms[stated[1]]
    else:
        closest = max(forms, key=lambda form: sum(normalise_latex(f) in text for f in form))
    return tuple(fragment for fragment in closest if normalise_latex(fragment) not in text)


def _show(constants: Constants) -> str:
    return ", ".join(f"{key}={value}" for key, value in constants.items())


def find_statement_problems(entries: Iterable[Entry],
                            witnesses: Mapping[str, Witness] | None = None) -> list[Problem]:
    """Witnessed entries whose statement does not state the conclusion their witness checks.

    Every witnessed entry must state exactly that conclusion (normalised LaTeX, see
    `normalise_latex`); a problem at the entry's file and line names the missing fragment, the
    constants the witness checks and, when the statement states other constants, those and the
    command that checks them. Entries naming an unknown witness are left to `unknown-witness`.
    """
    if witnesses is None:
        from mlcatalogue.witness import WITNESSES

        witnesses = WITNESSES
    problems = []
    for entry in entries:
        witness = witnesses.get(entry.witness) if entry.witness is not None else None
        if witness is None:
            continue
        if not witness.stated_as():
            problems.append(Problem(
                entry.path, entry.line, "witness-statement",
                f"witness {witness.name} of {entry.id!r} renders no conclusion to compare with "
                f"the statement"))
            continue
        text = normalise_latex(entry.statement)
        if _stated_form(witness, witness.constants, text) is not None:
            continue
        stated = _stated_variant(witness, text)
        missing = " and ".join(f"`{fragment}`" for fragment in _missing(witness, text, stated))
        message = (f"statement of {entry.id!r} does not state the witnessed conclusion {missing} "
                   f"(witness {witness.name} checks {_show(witness.constants)})")
        if stated is not None:
            changed = {key: value for key, value in stated[0].items()
                       if witness.constants[key] != value}
            settings = " ".join(f"--set {key}={value}" for key, value in changed.items())
            message += (f"; it states {_show(changed)}, which `mlcatalogue witness "
                        f"{witness.name} {settings}` checks")
        problems.append(Problem(entry.path, entry.line, "witness-statement", message))
    return problems
