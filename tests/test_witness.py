"""Numeric witnesses: true statements pass, false variants are rejected, the CLI reports both."""

from __future__ import annotations

import json
import math
import re
import shutil
import subprocess
import sys
from fractions import Fraction
from pathlib import Path

import pytest
from click.testing import CliRunner

from mlcatalogue.cli import main
from mlcatalogue.join import find_witness_problems, join
from mlcatalogue.loader import load_catalogue_files
from mlcatalogue.model import ScanResult
from mlcatalogue.witness import (
    WITNESSES,
    Claim,
    Tally,
    WitnessError,
    WitnessReport,
    describe,
    find_statement_problems,
    normalise_latex,
    parse_constant,
    read_stated_constants,
    run_catalogue_witnesses,
    run_witness,
    run_witnesses,
    select_witnesses,
)

DATA = Path(__file__).parent / "data" / "witness"
REPOSITORY = Path(__file__).resolve().parents[1]
WRONG = DATA / "wrong"
TYPO_ENTRY = (
    "- id: typo\n  title: Typo\n  kind: lemma\n  area: optimization\n"
    "  statement: $x$\n  proof: $x$\n  decls: [W.descent]\n"
    "  witness: optimization.descent_lemmma\n")

#: Every false variant the witnesses must reject: a dropped factor, a wrong rate or constant,
#: a missing hypothesis. Each witness appears at least once (checked below).
FALSE_VARIANTS: list[tuple[str, dict[str, object]]] = [
    ("learning.erm_excess_risk", {"factor": 1}),
    ("learning.erm_excess_risk", {"drop": "erm"}),
    ("learning.erm_excess_risk", {"drop": "uniform-deviation"}),
    ("learning.finite_class_union_bound", {"class_power": 0}),
    ("learning.finite_class_union_bound", {"factor": 1}),
    ("statistics.mse_bias_variance", {"bias_power": 1}),
    ("statistics.mse_bias_variance", {"bias_factor": 2}),
    ("statistics.mse_bias_variance", {"variance_factor": "1/2"}),
    ("statistics.prediction_error", {"bias_power": 1}),
    ("statistics.prediction_error", {"noise_factor": 2}),
    ("statistics.prediction_error", {"drop": "independence"}),
    ("statistics.prediction_error", {"drop": "zero-mean-noise"}),
    ("statistics.sample_mean_variance", {"n_power": 2}),
    ("statistics.sample_mean_variance", {"drop": "independence"}),
    ("optimization.gd_smooth_convex", {"denominator": 5}),
    ("optimization.gd_smooth_convex", {"k_power": 2}),
    ("optimization.gd_smooth_convex", {"drop": "convex"}),
    ("optimization.gd_strongly_convex", {"rate_factor": 2}),
    ("optimization.gd_strongly_convex", {"drop": "strongly-convex"}),
    ("optimization.gd_pl", {"rate_factor": 2}),
    ("optimization.gd_pl", {"drop": "polyak-lojasiewicz"}),
    ("optimization.gd_nonconvex", {"factor": 1}),
    ("optimization.gd_nonconvex", {"k_power": 2}),
    ("optimization.gd_nonconvex", {"drop": "L-smooth"}),
    ("optimization.descent_lemma", {"factor": "1/4"}),
    ("optimization.descent_lemma", {"drop": "L-smooth"}),
    ("optimization.first_order_convexity", {"gradient_factor": 2}),
    ("optimization.first_order_convexity", {"curvature": "1/10"}),
    ("optimization.first_order_convexity", {"drop": "convex"}),
]

#: How close each true statement comes to equality on the witness's instances.
TIGHTEST: dict[str, tuple[float, float]] = {
    "learning.erm_excess_risk": (1.0, 1.0),
    "learning.finite_class_union_bound": (1.0, 1.0),
    "statistics.mse_bias_variance": (1.0, 1.0),
    "statistics.prediction_error": (1.0, 1.0),
    "statistics.sample_mean_variance": (1.0, 1.0),
    "optimization.gd_smooth_convex": (0.498, 0.5),
    "optimization.gd_strongly_convex": (0.999, 1.0),
    "optimization.gd_pl": (0.99, 1.0),
    "optimization.gd_nonconvex": (1 - 1e-12, 1 + 1e-12),
    "optimization.descent_lemma": (1 - 1e-12, 1 + 1e-12),
    "optimization.first_order_convexity": (1 - 1e-12, 1 + 1e-12),
}


@pytest.fixture(scope="module")
def true_reports() -> dict[str, WitnessReport]:
    """Every witness run once on its catalogued statement."""
    return {report.name: report for report in run_witnesses()}


def test_registry_has_the_fixed_names() -> None:
    """The registry holds exactly the witness names that catalogue entries reference."""
    assert set(WITNESSES) == set(TIGHTEST)


@pytest.mark.parametrize("name", sorted(TIGHTEST))
def test_true_statement_passes(name: str, true_reports: dict[str, WitnessReport]) -> None:
    """Each witness passes on the statement as catalogued, with no failed instance."""
    report = true_reports[name]
    assert report.passed, report.detail
    assert report.failed == 0
    assert report.instances >= 7 and report.checks >= report.instances
    assert report.worst_ratio <= 1 + 1e-12


@pytest.mark.parametrize("name", sorted(TIGHTEST))
def test_true_statement_is_nearly_attained(name: str,
                                           true_reports: dict[str, WitnessReport]) -> None:
    """The instances include near-worst cases: the tightest ratio is where the theory puts it."""
    low, high = TIGHTEST[name]
    assert low <= true_reports[name].worst_ratio <= high, true_reports[name].detail


def test_identities_and_discrete_bounds_are_exact(true_reports: dict[str, WitnessReport]) -> None:
    """Identities and the learning bounds are checked in exact rational arithmetic."""
    for name in ("learning.erm_excess_risk", "learning.finite_class_union_bound",
                 "statistics.mse_bias_variance", "statistics.prediction_error",
                 "statistics.sample_mean_variance"):
        assert true_reports[name].exact, name
    assert true_reports["statistics.mse_bias_variance"].identity
    assert not true_reports["optimization.gd_pl"].exact


@pytest.mark.parametrize(("name", "variant"), FALSE_VARIANTS,
                         ids=[f"{n}-{v}" for n, v in FALSE_VARIANTS])
def test_false_variant_is_rejected(name: str, variant: dict[str, object]) -> None:
    """A false variant of the statement fails on at least one of the witness's instances."""
    report = run_witness(name, variant=variant)
    assert not report.passed
    assert report.failed >= 1
    assert report.worst_ratio != 1.0
    if not report.identity:
        assert report.worst_ratio > 1
    assert "First failure" in report.detail


def test_every_witness_has_a_rejected_variant() -> None:
    """No witness is toothless: each has a false variant in the mutation list."""
    assert {name for name, _ in FALSE_VARIANTS} == set(WITNESSES)


def test_every_droppable_hypothesis_is_exercised() -> None:
    """Each hypothesis a witness lets a variant drop is dropped by some mutation test."""
    dropped = {(name, variant["drop"]) for name, variant in FALSE_VARIANTS if "drop" in variant}
    expected = {(name, h) for name, witness in WITNESSES.items() for h in witness.hypotheses}
    assert dropped == expected


def test_smooth_convex_rate_with_4k_is_true_and_tight() -> None:
    """L‖x0 - x*‖²/(4k) is a true (Drori–Teboulle) bound, nearly attained by tuned Huber GD."""
    report = run_witness("optimization.gd_smooth_convex", variant={"denominator": 4})
    assert report.passed
    assert 0.997 < report.worst_ratio <= 1


def test_union_bound_is_attained_by_disjoint_bad_events() -> None:
    """The tightest union-bound case is the family with disjoint bad events."""
    report = run_witness("learning.finite_class_union_bound")
    assert "Tightest case (LHS/RHS = 1): disjoint bad events, |H| = 4" in report.detail


def test_runs_are_seeded() -> None:
    """Two runs of a witness with the same seed give identical reports; another seed differs."""
    first = run_witness("optimization.gd_pl")
    assert run_witness("optimization.gd_pl") == first
    assert run_witness("learning.erm_excess_risk", seed=1).detail != \
        run_witness("learning.erm_excess_risk").detail


def test_unknown_names_are_errors() -> None:
    """Unknown witnesses, constants and hypotheses raise WitnessError naming what is known."""
    with pytest.raises(WitnessError, match="no witness named 'learning.nope'"):
        run_witness("learning.nope")
    with pytest.raises(WitnessError, match="its constants: factor"):
        run_witness("optimization.descent_lemma", variant={"L": 3})
    with pytest.raises(WitnessError, match="droppable: L-smooth"):
        run_witness("optimization.descent_lemma", variant={"drop": "convex"})
    with pytest.raises(WitnessError, match="must be an integer"):
        run_witness("optimization.gd_nonconvex", variant={"k_power": "1/2"})


def test_parse_constant_is_exact() -> None:
    """Constants given as text become exact fractions; garbage is an error."""
    assert parse_constant("1/4") == Fraction(1, 4)
    assert parse_constant(" 0.25 ") == Fraction(1, 4)
    assert parse_constant("2") == 2
    with pytest.raises(WitnessError, match="not a number"):
        parse_constant("two")


def test_tally_tolerance_is_relative_and_small() -> None:
    """Float checks allow a 1e-12 relative slack and no more; exact checks allow none."""
    claim = Claim({"factor": Fraction(1)})
    witness = WITNESSES["optimization.descent_lemma"]
    tally = Tally()
    tally.instance("within tolerance")
    assert tally.inequality(1.0 + 1e-13, 1.0)
    tally.instance("beyond tolerance")
    assert not tally.inequality(1.0 + 1e-9, 1.0)
    tally.instance("exact")
    assert not tally.inequality(Fraction(10**15 + 1, 10**15), Fraction(1))
    report = tally.report(witness, claim)
    assert (report.instances, report.failed, report.passed) == (3, 2, False)
    assert not report.exact


def test_tally_reports_inf_when_right_side_not_positive() -> None:
    """A failure with a right side <= 0 has no meaningful ratio and is reported as inf."""
    tally = Tally()
    tally.instance("negative right side")
    assert not tally.inequality(Fraction(-1), Fraction(-2))
    report = tally.report(WITNESSES["optimization.descent_lemma"], Claim({"factor": Fraction(1)}))
    assert math.isinf(report.worst_ratio)
    assert report.as_dict()["worst_ratio"] is None


def test_describe_sentences(true_reports: dict[str, WitnessReport]) -> None:
    """describe() gives the sentence an entry page shows, for inequalities, identities, failures."""
    assert describe(true_reports["optimization.gd_smooth_convex"]) == (
        f"checked numerically on {true_reports['optimization.gd_smooth_convex'].instances} "
        "instances; tightest case LHS/RHS = 0.4988")
    assert describe(true_reports["learning.erm_excess_risk"]).startswith(
        "checked in exact arithmetic on ")
    assert describe(true_reports["statistics.sample_mean_variance"]) == (
        f"identity verified exactly on "
        f"{true_reports['statistics.sample_mean_variance'].instances} instances")
    failed = run_witness("statistics.sample_mean_variance", variant={"n_power": 2})
    assert describe(failed).startswith(f"FAILED numerical check: {failed.failed} of ")


def test_reports_are_json_ready(true_reports: dict[str, WitnessReport]) -> None:
    """as_dict() is plain JSON with the witness, counts, ratio, verdict, constants and detail."""
    data = json.loads(json.dumps([r.as_dict() for r in true_reports.values()]))
    assert {row["witness"] for row in data} == set(WITNESSES)
    row = next(r for r in data if r["witness"] == "optimization.descent_lemma")
    assert set(row) == {"witness", "instances", "checks", "failed", "worst_ratio", "passed",
                        "identity", "exact", "constants", "dropped", "detail"}
    assert row["constants"] == {"factor": "1/2"}


def test_importing_the_registry_does_not_import_numpy() -> None:
    """`check` consults WITNESSES without paying for numpy or running anything."""
    code = ("import sys, mlcatalogue.witness as w; "
            "print(len(w.WITNESSES), 'numpy' in sys.modules)")
    output = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True).stdout.split()
    assert output == ["11", "False"]


def test_unknown_witness_of_an_entry_is_a_check_problem(tmp_path: Path) -> None:
    """An entry naming a witness that does not exist is a problem at its file and line."""
    root = tmp_path / "root"
    shutil.copytree(DATA / "root", root)
    (root / "catalogue" / "entries" / "typo.yaml").write_text(TYPO_ENTRY, encoding="utf-8")
    files = load_catalogue_files(root / "catalogue", base=root)
    problems = find_witness_problems(files)
    assert [str(p) for p in problems if p.code == "unknown-witness"] == [
        ("catalogue/entries/typo.yaml:1: [unknown-witness] entry 'typo' names witness "
         "'optimization.descent_lemmma', which does not exist")]
    # The fixture's deliberately wrong copy of the descent lemma is the only other problem.
    assert [(p.path, p.line, p.code) for p in problems if p.code != "unknown-witness"] == [
        ("catalogue/entries/witnessed.yaml", 16, "witness-statement")]


@pytest.fixture
def fixture_catalogue():  # type: ignore[no-untyped-def]
    """The witness fixture catalogue joined with no Lean declarations (statuses are irrelevant)."""
    root = DATA / "root"
    files = load_catalogue_files(root / "catalogue", base=root)
    return join(ScanResult(()), files, root=root)


def test_select_resolves_entry_ids_and_witness_names(fixture_catalogue) -> None:  # type: ignore[no-untyped-def]
    """Entry ids resolve through their witness field; witness names stand for themselves."""
    assert select_witnesses(fixture_catalogue, ["mse_bias_variance", "optimization.gd_pl"]) == [
        ("mse_bias_variance", "statistics.mse_bias_variance"), (None, "optimization.gd_pl")]
    everything = select_witnesses(fixture_catalogue)
    assert everything[:3] == [("descent_lemma", "optimization.descent_lemma"),
                              ("descent_lemma_wrong_constant", "optimization.descent_lemma"),
                              ("mse_bias_variance", "statistics.mse_bias_variance")]
    assert {name for _, name in everything} == set(WITNESSES)
    assert len(everything) == len(WITNESSES) + 1
    with pytest.raises(WitnessError, match="entry 'smooth' names no witness"):
        select_witnesses(fixture_catalogue, ["smooth"])
    with pytest.raises(WitnessError, match="neither a witness name nor a catalogue entry id"):
        select_witnesses(fixture_catalogue, ["nothing"])
    with pytest.raises(WitnessError, match="no catalogue"):
        select_witnesses(None, ["descent_lemma"])


def test_wrong_constant_of_an_entry_copy_is_reported(fixture_catalogue) -> None:  # type: ignore[no-untyped-def]
    """The copy of the descent lemma stating L/4 fails when its constant is checked."""
    rows = run_catalogue_witnesses(fixture_catalogue, ["descent_lemma_wrong_constant"],
                                   variant={"factor": "1/4"})
    [(entry_id, report)] = rows
    assert entry_id == "descent_lemma_wrong_constant"
    assert not report.passed and report.worst_ratio > 1.9
    [(_, right)] = run_catalogue_witnesses(fixture_catalogue, ["descent_lemma"])
    assert right.passed


def test_catalogue_runs_each_witness_once(fixture_catalogue) -> None:  # type: ignore[no-untyped-def]
    """Two entries sharing a witness get the same report from a single run."""
    ran: list[str] = []
    rows = run_catalogue_witnesses(fixture_catalogue, ["descent_lemma",
                                                       "descent_lemma_wrong_constant"],
                                   progress=ran.append)
    assert ran == ["optimization.descent_lemma"]
    assert rows[0][1] is rows[1][1]


# --- the command line ---------------------------------------------------------------------------


def test_cli_json_lists_every_witness_with_pass_and_ratio(tmp_path: Path) -> None:
    """`witness --json` without a catalogue lists all witnesses, passing, with tightest ratios."""
    result = CliRunner().invoke(main, ["witness", "--json", "--root", str(tmp_path)])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    assert {row["witness"] for row in rows} == set(WITNESSES)
    assert all(row["passed"] and row["entry"] is None for row in rows)
    ratios = {row["witness"]: row["worst_ratio"] for row in rows}
    assert ratios["learning.erm_excess_risk"] == 1.0
    assert 0.498 < ratios["optimization.gd_smooth_convex"] < 0.5


def test_cli_table_for_named_witnesses(tmp_path: Path) -> None:
    """The human table has one PASS row per named witness and exit status 0."""
    result = CliRunner().invoke(main, ["witness", "optimization.gd_pl", "learning.erm_excess_risk",
                                       "--root", str(tmp_path)])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["entry", "witness", "instances", "worst", "LHS/RHS", "arithmetic",
                                "result"]
    assert [line.split()[1] for line in lines[1:]] == ["optimization.gd_pl",
                                                       "learning.erm_excess_risk"]
    assert all(line.endswith("PASS") for line in lines[1:])


def test_cli_wrong_constant_fails(tmp_path: Path) -> None:
    """`--set factor=1/4` on the descent lemma is reported as FAIL with exit status 1."""
    result = CliRunner().invoke(main, ["witness", "optimization.descent_lemma", "--set",
                                       "factor=1/4", "--root", str(tmp_path)])
    assert result.exit_code == 1
    assert result.stdout.splitlines()[1].endswith("FAIL")
    assert "optimization.descent_lemma: FAILED numerical check" in result.stderr
    assert "1 witness(es) failed: optimization.descent_lemma" in result.stderr


def test_cli_missing_hypothesis_fails_in_json(tmp_path: Path) -> None:
    """`--drop convex` adds nonconvex instances; the JSON says passed false, exit status 1."""
    result = CliRunner().invoke(main, ["witness", "optimization.gd_smooth_convex", "--drop",
                                       "convex", "--json", "--root", str(tmp_path)])
    assert result.exit_code == 1
    [row] = json.loads(result.stdout)
    assert row["passed"] is False and row["dropped"] == ["convex"]


@pytest.mark.parametrize(("arguments", "message"), [
    (["optimization.gd_pl", "--set", "mu=2"], "has no constant 'mu'"),
    (["optimization.gd_pl", "--set", "rate_factor"], "is not CONSTANT=VALUE"),
    (["optimization.gd_pl", "--set", "rate_factor=fast"], "not a number"),
    (["no_such_entry"], "no catalogue to look up entry ids in"),
])
def test_cli_bad_arguments_are_clear_errors(tmp_path: Path, arguments: list[str],
                                            message: str) -> None:
    """Bad constants, settings and ids give a clear error and a non-zero exit, no traceback."""
    result = CliRunner().invoke(main, ["witness", *arguments, "--root", str(tmp_path)])
    assert result.exit_code != 0
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert re.search(message, result.output, re.IGNORECASE), result.output


@pytest.fixture
def fixture_root(tmp_path: Path) -> Path:
    """A writable copy of the witness fixture root (needs the Lean scanner stage)."""
    pytest.importorskip("mlcatalogue.scanner")
    root = tmp_path / "root"
    shutil.copytree(DATA / "root", root)
    return root


def test_cli_resolves_entries_of_a_catalogue(fixture_root: Path) -> None:
    """With a catalogue, rows name the entries; unreferenced witnesses follow with entry null."""
    result = CliRunner().invoke(main, ["witness", "--json", "--root", str(fixture_root)])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    assert [row["entry"] for row in rows[:3]] == ["descent_lemma", "descent_lemma_wrong_constant",
                                                 "mse_bias_variance"]
    assert {row["witness"] for row in rows} == set(WITNESSES)


def test_cli_reports_wrong_constant_in_entry_copy(fixture_root: Path) -> None:
    """The entry copy with L/4, checked with its constant, fails; the original entry passes."""
    runner = CliRunner()
    wrong = runner.invoke(main, ["witness", "descent_lemma_wrong_constant", "--set", "factor=1/4",
                                 "--json", "--root", str(fixture_root)])
    assert wrong.exit_code == 1
    [row] = json.loads(wrong.stdout)
    assert (row["entry"], row["passed"]) == ("descent_lemma_wrong_constant", False)
    right = runner.invoke(main, ["witness", "descent_lemma", "--root", str(fixture_root)])
    assert right.exit_code == 0


def test_cli_entry_with_unknown_witness_is_an_error(fixture_root: Path) -> None:
    """An entry whose witness does not exist is a check problem and a witness-command error."""
    extra = fixture_root / "catalogue" / "entries" / "typo.yaml"
    extra.write_text(TYPO_ENTRY, encoding="utf-8")
    runner = CliRunner()
    result = runner.invoke(main, ["witness", "typo", "--root", str(fixture_root)])
    assert result.exit_code != 0
    assert "no witness named 'optimization.descent_lemmma'" in result.output
    check = runner.invoke(main, ["check", "--root", str(fixture_root)])
    assert "catalogue/entries/typo.yaml:1: [unknown-witness]" in check.output


# --- statements state what the witnesses check ---------------------------------------------------

#: The wrong-constant copies in tests/data/witness/wrong: entry id → (line, witness, the
#: constants the statement states instead, the fragment the witness expects).
WRONG_COPIES: dict[str, tuple[int, str, dict[str, Fraction], str]] = {
    "descent_lemma": (6, "optimization.descent_lemma", {"factor": Fraction(1, 4)},
                      r"\rangle + \frac{K}{2}\|y - x\|^2"),
    "pl_linear_convergence": (
        24, "optimization.gd_pl", {"rate_factor": Fraction(2)},
        r"f(x_k) - f^\star \le \Big(1 - \frac{\mu}{L}\Big)^k \big(f(x_0) - f^\star\big)"),
    "variance_sample_mean": (
        41, "statistics.sample_mean_variance", {"n_power": Fraction(2)},
        r"\operatorname{Var}\Big(\frac1n \sum_{i=1}^n X_i\Big) = \frac{\sigma^2}{n}"),
    "erm_excess_risk_uniform_deviation": (
        57, "learning.erm_excess_risk", {"factor": Fraction(1)},
        r"L_{\mathcal D}(h_S) \le L_{\mathcal D}(h^\star) + 2\epsilon"),
}


def _entries(root: Path):  # type: ignore[no-untyped-def]
    return load_catalogue_files(root / "catalogue", base=root).entries


def test_real_catalogue_states_every_witnessed_conclusion() -> None:
    """Every witnessed entry of the real catalogue states its witness's conclusion exactly."""
    entries = [entry for entry in _entries(REPOSITORY) if entry.witness is not None]
    assert len(entries) >= 13
    assert {entry.witness for entry in entries} == set(WITNESSES)
    assert find_statement_problems(entries) == []
    files = load_catalogue_files(REPOSITORY / "catalogue", base=REPOSITORY)
    assert [p for p in find_witness_problems(files) if p.code == "witness-statement"] == []
    for entry in entries:
        witness = WITNESSES[entry.witness]  # type: ignore[index]
        assert read_stated_constants(witness, entry.statement) == dict(witness.constants), entry.id


def test_stated_as_follows_the_constants() -> None:
    """The rendered conclusion is built from the constants, so every false constant reads differently."""
    descent = WITNESSES["optimization.descent_lemma"]
    assert descent.stated_as()[0] == (r"\rangle + \frac{L}{2}\|y - x\|^2",)
    assert descent.stated_as({"factor": Fraction(1, 4)})[0] == (r"\rangle + \frac{L}{4}\|y - x\|^2",)
    pl = WITNESSES["optimization.gd_pl"]
    assert r"\Big(1 - \frac{2\mu}{L}\Big)^k" in pl.stated_as({"rate_factor": Fraction(2)})[0][0]
    for name, witness in WITNESSES.items():
        assert witness.stated_as(), name
    for name, variant in FALSE_VARIANTS:
        if "drop" in variant:
            continue
        witness = WITNESSES[name]
        constants = {**witness.constants,
                     **{key: parse_constant(str(value)) for key, value in variant.items()}}
        true = {normalise_latex(f) for form in witness.stated_as() for f in form}
        false = {normalise_latex(f) for form in witness.stated_as(constants) for f in form}
        assert false - true, (name, variant)


def test_normalise_latex_ignores_spacing_and_sizing_only() -> None:
    """Spacing, sizing, \\tfrac, \\leq and single-token braces do not matter; the symbols do."""
    same = [
        (r"\Big(1 - \frac{\mu}{L}\Big)^k", r"\left(1-\tfrac{\mu}{L}\right)^{k}"),
        (r"\frac{L\,\|x_0 - x^\star\|^2}{2k}", r"\dfrac{L \|x_0-x^{\star}\|^2}{2 k}"),
        (r"\frac1n \sum_{i=1}^n X_i", r"\frac{1}{n}\sum_{i=1}^{n} X_{i}"),
        (r"a \leq b", r"a\le b"),
    ]
    for left, right in same:
        assert normalise_latex(left) == normalise_latex(right), (left, right)
    assert normalise_latex(r"\mathbb E T") == r"\mathbb ET"
    assert normalise_latex(r"\sigma\,n") == r"\sigma n"
    assert normalise_latex(r"\frac{L}{2}") != normalise_latex(r"\frac{L}{4}")
    assert normalise_latex(r"\bigcup_h") == r"\bigcup_h"


def test_wrong_constant_in_an_entry_copy_fails_check() -> None:
    """`check` on copies of entries with wrong constants exits 1 naming file, line and fragment."""
    pytest.importorskip("mlcatalogue.scanner")
    result = CliRunner().invoke(main, ["check", "--root", str(WRONG)])
    assert result.exit_code == 1
    lines = [line for line in result.output.splitlines() if line.startswith("catalogue/")]
    assert len(lines) == len(WRONG_COPIES)
    for line, (entry_id, (number, witness, stated, fragment)) in zip(lines, WRONG_COPIES.items()):
        key, value = next(iter(stated.items()))
        assert line.startswith(
            f"catalogue/entries/wrong.yaml:{number}: [witness-statement] statement of "
            f"{entry_id!r} does not state the witnessed conclusion `{fragment}` "
            f"(witness {witness} checks "), line
        assert line.endswith(f"; it states {key}={value}, which `mlcatalogue witness {witness} "
                             f"--set {key}={value}` checks"), line
    assert "4 problem(s) found." in result.output


@pytest.mark.parametrize("entry_id", sorted(WRONG_COPIES))
def test_constants_read_from_a_wrong_statement_are_false(entry_id: str) -> None:
    """The constants a wrong statement states are read back and the witness rejects them."""
    [entry] = [entry for entry in _entries(WRONG) if entry.id == entry_id]
    _, name, stated, _ = WRONG_COPIES[entry_id]
    assert entry.witness == name
    witness = WITNESSES[name]
    constants = read_stated_constants(witness, entry.statement)
    assert constants == {**witness.constants, **stated}
    report = run_witness(name, variant=constants)
    assert not report.passed and report.failed >= 1


def test_command_suggested_by_check_fails(tmp_path: Path) -> None:
    """The witness command a witness-statement problem suggests runs the stated claim and fails."""
    entries = _entries(WRONG)
    [problem] = [p for p in find_statement_problems(entries) if "'descent_lemma'" in p.message]
    command = re.search(r"`mlcatalogue (witness [^`]*)`", problem.message).group(1)  # type: ignore[union-attr]
    result = CliRunner().invoke(main, [*command.split(), "--root", str(tmp_path)])
    assert result.exit_code == 1
    assert "optimization.descent_lemma: FAILED numerical check" in result.stderr


def test_statement_check_does_not_import_numpy() -> None:
    """Comparing statements with witnesses is text only: `check` still never imports numpy."""
    code = ("import sys; from pathlib import Path; from mlcatalogue.join import load_catalogue; "
            f"c = load_catalogue(Path({str(WRONG)!r})); "
            "print(sum(p.code == 'witness-statement' for p in c.problems), "
            "'numpy' in sys.modules)")
    output = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True).stdout.split()
    assert output == ["4", "False"]
