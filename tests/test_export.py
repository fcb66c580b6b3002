"""The Lean export stage: verification records, kernel-checked statuses, staleness, LeanDojo."""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from mlcatalogue import load
from mlcatalogue.cli import main
from mlcatalogue.dojo import entry_premises, mirror_repository, premises_from_theorems
from mlcatalogue.export import (
    RECORD_PATH,
    ExportError,
    exporter_source,
    parse_export,
    read_record,
)
from mlcatalogue.model import Status

DATA = Path(__file__).parent / "data"
FAKE_LAKE_DIR = DATA / "export"


@pytest.fixture
def mini(tmp_path: Path) -> Path:
    """A writable copy of the miniature catalogue root."""
    root = tmp_path / "mini"
    shutil.copytree(DATA / "mini", root)
    (root / "lean-toolchain").write_text("leanprover/lean4:v4.20.0\n")
    return root


def run_verify(root: Path, lake_dir: Path = FAKE_LAKE_DIR):  # type: ignore[no-untyped-def]
    """Run `mlcatalogue verify` with `lake_dir` first on PATH."""
    path = f"{lake_dir}{os.pathsep}{os.environ.get('PATH', '')}"
    return CliRunner().invoke(main, ["verify", "--root", str(root)], env={"PATH": path})


def test_export_fixture_parses_like_the_exporter_writes() -> None:
    """The committed export (header + one object per line) parses into declarations."""
    export = parse_export((FAKE_LAKE_DIR / "export.jsonl").read_text().splitlines())
    assert export.lean_version == "4.20.0"
    names = [d.name for d in export.declarations]
    assert names == ["Mini.square", "Mini.square_nonneg", "Mini.sq_sub_nonneg",
                     "Mini.two_mul_le_add_sq"]
    assert export.declarations[3].axioms[1] == "sorryAx"
    assert export.declarations[1].line == 21


def test_malformed_export_names_the_line() -> None:
    """A broken export line is an error naming that line, not a crash."""
    lines = (FAKE_LAKE_DIR / "export.jsonl").read_text().splitlines()
    lines[2] = '{"name": "Mini.square_nonneg", "kind":'
    with pytest.raises(ExportError, match=r"export.jsonl:3: not JSON"):
        parse_export(lines, source="export.jsonl")
    with pytest.raises(ExportError, match="first line must be the export header"):
        parse_export(lines[1:2], source="export.jsonl")


def test_verify_records_and_upgrades_statuses(mini: Path) -> None:
    """After `verify`, standard-axiom entries are kernel-checked and sorryAx keeps one out."""
    assert load(mini)["square_nonneg"].status is Status.PROOF_COMPLETE
    result = run_verify(mini)
    assert result.exit_code == 0, result.output
    assert "2 of 3 entries are kernel-checked" in result.output
    record = read_record(mini / RECORD_PATH)
    assert record.toolchain == "leanprover/lean4:v4.20.0"
    assert [d.name for d in record.declarations][0] == "Mini.sq_sub_nonneg"
    catalogue = load(mini)
    assert catalogue["square"].status is Status.KERNEL_CHECKED
    assert catalogue["square_nonneg"].status is Status.KERNEL_CHECKED
    assert catalogue["am_gm_two"].status is Status.PROOF_COMPLETE
    warnings = [p for p in catalogue.problems if p.code == "axioms"]
    assert len(warnings) == 1 and "sorryAx" in warnings[0].message
    assert not [p for p in catalogue.problems if p.is_error]


def test_changed_statement_makes_the_record_stale(mini: Path) -> None:
    """Editing a verified statement drops its badge and `check` says it is stale."""
    assert run_verify(mini).exit_code == 0
    lean = mini / "lean/Mini/Basic.lean"
    lean.write_text(lean.read_text().replace("0 ≤ square x := by", "0 ≤ square x + 0 := by"))
    catalogue = load(mini)
    assert catalogue["square_nonneg"].status is Status.PROOF_COMPLETE
    assert catalogue["square"].status is Status.KERNEL_CHECKED
    stale = [p for p in catalogue.problems if p.code == "stale-verification"]
    assert [(p.path, p.line) for p in stale] == [("lean/Mini/Basic.lean", 22)]
    assert "statement changed" in stale[0].message
    check = CliRunner().invoke(main, ["check", "--root", str(mini)])
    assert check.exit_code == 0
    assert "stale-verification, warning" in check.output


def test_changed_proof_also_makes_the_record_stale(mini: Path) -> None:
    """Editing only a verified proof also drops the badge, reported as a proof change."""
    assert run_verify(mini).exit_code == 0
    lean = mini / "lean/Mini/Basic.lean"
    lean.write_text(lean.read_text().replace("  exact mul_self_nonneg x", "  exact (mul_self_nonneg x)"))
    catalogue = load(mini)
    assert catalogue["square_nonneg"].status is Status.PROOF_COMPLETE
    stale = [p for p in catalogue.problems if p.code == "stale-verification"]
    assert len(stale) == 1 and "proof changed" in stale[0].message


def test_verify_without_lake_says_how_to_install_elan(mini: Path, tmp_path: Path) -> None:
    """Without `lake` on PATH, verify exits non-zero with a one-line elan hint."""
    empty = tmp_path / "empty-bin"
    empty.mkdir()
    result = CliRunner().invoke(main, ["verify", "--root", str(mini)],
                                env={"PATH": f"{empty}{os.pathsep}/usr/bin{os.pathsep}/bin"})
    assert result.exit_code != 0
    assert "elan" in result.output and "lake" in result.output
    assert not (mini / RECORD_PATH).exists()


def test_failed_build_keeps_the_old_record(mini: Path, tmp_path: Path) -> None:
    """A failing `lake build` is reported with its output and leaves the old record intact."""
    assert run_verify(mini).exit_code == 0
    before = (mini / RECORD_PATH).read_bytes()
    broken = tmp_path / "broken-bin"
    broken.mkdir()
    (broken / "lake").write_text("#!/bin/sh\necho 'error: unknown identifier foo'\nexit 1\n")
    (broken / "lake").chmod(0o755)
    result = run_verify(mini, broken)
    assert result.exit_code != 0
    assert "lake build` failed (exit 1)" in result.output
    assert "unknown identifier foo" in result.output
    assert (mini / RECORD_PATH).read_bytes() == before


def test_malformed_record_is_an_error_in_check(mini: Path) -> None:
    """A hand-damaged record is reported by `check` at its file, not silently ignored."""
    (mini / "verification").mkdir()
    (mini / RECORD_PATH).write_text(json.dumps({"format": 1, "toolchain": "x"}))
    problems = [p for p in load(mini).problems if p.code == "verification"]
    assert [(p.path, p.line) for p in problems] == [("verification/record.json", 1)]


def test_exporter_cites_every_lean_api_it_calls() -> None:
    """The shipped exporter exists and names the Lean file of each API it uses."""
    text = exporter_source().read_text(encoding="utf-8")
    assert text.startswith("import MLCatalogue")
    for api, where in [
        ("findDeclarationRanges?", "src/Lean/DeclarationRange.lean"),
        ("findDocString?", "src/Lean/DocString.lean"),
        ("PrettyPrinter.ppSignature", "src/Lean/PrettyPrinter.lean"),
        ("collectAxioms", "src/Lean/Util/CollectAxioms.lean"),
        ("getModuleIdxFor?", "src/Lean/Environment.lean"),
        ("getStructureFields", "src/Lean/Structure.lean"),
    ]:
        assert api in text and where in text, api
    for word in ("sorry", "unsafe", "enableInitializersExecution"):
        assert word not in text


def test_mirror_repository_puts_sources_at_the_root(mini: Path, tmp_path: Path) -> None:
    """The LeanDojo mirror is a committed git repo with the modules at its root, no srcDir."""
    root = tmp_path / "repo"
    (root / "lean" / "MLCatalogue").mkdir(parents=True)
    (root / "lean" / "MLCatalogue.lean").write_text("import MLCatalogue.A\n")
    (root / "lean" / "MLCatalogue" / "A.lean").write_text("import Mathlib\n")
    (root / "lean-toolchain").write_text("leanprover/lean4:v4.20.0\n")
    commit = mirror_repository(root, tmp_path / "mirror")
    mirror = tmp_path / "mirror"
    assert len(commit) == 40
    assert (mirror / "MLCatalogue" / "A.lean").is_file()
    assert "srcDir" not in (mirror / "lakefile.lean").read_text()
    tracked = subprocess.run(["git", "-C", str(mirror), "ls-files"], capture_output=True,
                             text=True, check=True).stdout.split()
    assert sorted(tracked) == [".gitignore", "MLCatalogue.lean", "MLCatalogue/A.lean",
                               "lakefile.lean", "lean-toolchain"]


def test_premises_join_onto_entries(mini: Path) -> None:
    """Premises from a trace become entry-to-entry links plus external Mathlib names."""
    premises = premises_from_theorems([
        ("Mini.two_mul_le_add_sq", ["Mini.sq_sub_nonneg", "Mini.square", "mul_self_nonneg"]),
    ])
    assert premises == {}  # only our namespace counts; Mini is not MLCatalogue
    premises = {"Mini.two_mul_le_add_sq": ("Mini.square_nonneg", "Mini.square", "sq_nonneg")}
    per_entry = entry_premises(load(mini), premises)
    assert per_entry["am_gm_two"] == {"entries": ("square_nonneg", "square"),
                                      "external": ("sq_nonneg",)}


@pytest.mark.skipif(importlib.util.find_spec("lean_dojo") is not None,
                    reason="lean_dojo is installed; this checks the message shown without it")
def test_trace_without_the_extra_fails_clearly(mini: Path) -> None:
    """Without the dojo extra, `trace` exits non-zero saying how to install it."""
    result = CliRunner().invoke(main, ["trace", "--root", str(mini)])
    assert result.exit_code != 0
    assert "pip install 'mlcatalogue[dojo]'" in result.output


def test_site_shows_the_recorded_run_and_staleness(mini: Path, tmp_path: Path) -> None:
    """Entry pages name the recorded run and mark a declaration whose source changed since."""
    from mlcatalogue.site import render_site

    assert run_verify(mini).exit_code == 0
    lean = mini / "lean/Mini/Basic.lean"
    lean.write_text(lean.read_text().replace("0 ≤ square x := by", "0 ≤ square x + 0 := by"))
    render_site(load(mini), tmp_path / "site", search=False)
    stale = (tmp_path / "site/entries/square_nonneg.html").read_text(encoding="utf-8")
    assert "Recorded Lean run" in stale and "leanprover/lean4:v4.20.0" in stale
    assert "stale: its statement or proof changed" in stale
    fresh = (tmp_path / "site/entries/square.html").read_text(encoding="utf-8")
    assert "kernel-checked" in fresh and "stale:" not in fresh


def test_traced_premises_extend_the_dependency_graph(mini: Path) -> None:
    """Premises recorded by `trace` add graph edges the source text does not show."""
    assert load(mini)["square_nonneg"].depends_on == ("square",)
    premises = mini / "build" / "dojo" / "premises.json"
    premises.parent.mkdir(parents=True)
    premises.write_text(json.dumps({"Mini.square_nonneg": ["Mini.two_mul_le_add_sq", "mul_self_nonneg"]}))
    catalogue = load(mini)
    assert catalogue["square_nonneg"].depends_on == ("square", "am_gm_two")
    assert "square_nonneg" in catalogue["am_gm_two"].used_by
    premises.write_text("{not json")
    problems = [p for p in load(mini).problems if p.code == "premises"]
    assert [(p.path, p.line) for p in problems] == [("build/dojo/premises.json", 1)]


def test_show_reports_a_stale_record(mini: Path) -> None:
    """`mlcatalogue show` names the recorded run's state for each declaration."""
    assert run_verify(mini).exit_code == 0
    lean = mini / "lean/Mini/Basic.lean"
    lean.write_text(lean.read_text().replace("0 ≤ square x := by", "0 ≤ square x + 0 := by"))
    shown = CliRunner().invoke(main, ["show", "square_nonneg", "--root", str(mini)])
    assert shown.exit_code == 0, shown.output
    assert "Mini.square_nonneg: STALE: statement or proof changed" in shown.output
    shown = CliRunner().invoke(main, ["show", "square", "--root", str(mini), "--json"])
    assert json.loads(shown.output)["verifications"][0]["current"] is True
