"""The join: statuses, dependencies and consistency problems between lean/ and catalogue/."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from mlcatalogue import load
from mlcatalogue.cli import main
from mlcatalogue.model import Status

DATA = Path(__file__).parent / "data"
REPOSITORY = Path(__file__).resolve().parents[1]


@pytest.fixture
def mini(tmp_path: Path) -> Path:
    """A writable copy of the miniature catalogue root."""
    root = tmp_path / "mini"
    shutil.copytree(DATA / "mini", root)
    return root


def test_mini_catalogue_joins_cleanly(mini: Path) -> None:
    """The miniature root has no problems, computed statuses and a dependency graph."""
    catalogue = load(mini)
    assert [str(p) for p in catalogue.problems] == []
    assert catalogue["square"].status is Status.DEFINED
    assert catalogue["am_gm_two"].status is Status.PROOF_COMPLETE
    assert catalogue["Mini.two_mul_le_add_sq"].id == "am_gm_two"
    # am_gm uses the auxiliary step, which uses square_nonneg and square.
    assert catalogue["am_gm_two"].depends_on == ("square", "square_nonneg")
    assert catalogue["square"].used_by == ("square_nonneg", "am_gm_two")
    declaration = catalogue["am_gm_two"].declarations[0]
    assert (declaration.path, declaration.line) == ("lean/Mini/Basic.lean", 31)


def test_dangling_lean_name_is_missing(mini: Path) -> None:
    """An entry naming an undeclared Lean name is `missing` and reported at the entry."""
    shutil.copyfile(DATA / "bad" / "dangling-name.yaml", mini / "catalogue/entries/algebra.yaml")
    catalogue = load(mini)
    assert catalogue["square"].status is Status.MISSING
    problems = [p for p in catalogue.problems if p.code == "unknown-decl"]
    assert [(p.path, p.line) for p in problems] == [("catalogue/entries/algebra.yaml", 1)]
    assert "Mini.squar," in problems[0].message


def test_sorry_behind_a_result_is_reported_through_a_step(mini: Path) -> None:
    """A result whose proof uses a sorry'd step has status `sorry`, found transitively."""
    shutil.copyfile(DATA / "bad" / "Sorry.lean", mini / "lean/Mini/Sorry.lean")
    with (mini / "catalogue/entries/algebra.yaml").open("a") as entries:
        entries.write("\n" + (DATA / "bad" / "sorry-entry.yaml").read_text())
    catalogue = load(mini)
    assert catalogue["bad_lemma"].status is Status.SORRY
    sorry = [p for p in catalogue.problems if p.code == "sorry"]
    assert len(sorry) == 1
    assert sorry[0].path == "catalogue/entries/algebra.yaml"
    assert "Mini.bad_lemma at lean/Mini/Sorry.lean:18 (through a declaration it uses)" in sorry[0].message
    uncatalogued = [p for p in catalogue.problems if p.code == "uncatalogued"]
    assert [(p.path, p.line) for p in uncatalogued] == [("lean/Mini/Sorry.lean", 14)]


def test_module_doc_must_agree_with_catalogue(mini: Path) -> None:
    """A catalogued result missing from the module doc, or listed but uncatalogued, is reported."""
    lean = mini / "lean/Mini/Basic.lean"
    lean.write_text(lean.read_text().replace("* `square_nonneg`: squares are nonnegative\n", ""))
    catalogue = load(mini)
    messages = [p.message for p in catalogue.problems if p.code == "module-doc"]
    assert len(messages) == 1 and "Mini.square_nonneg is catalogued" in messages[0]


def test_auxiliary_names_must_exist_and_uncatalogued_theorems_fail(mini: Path) -> None:
    """Removing a theorem from auxiliary.yaml makes it uncatalogued; a stale auxiliary is reported."""
    (mini / "catalogue/auxiliary.yaml").write_text(
        "- name: Mini.gone\n  reason: Removed long ago.\n"
    )
    problems = load(mini).problems
    codes = sorted((p.code, p.path, p.line) for p in problems)
    assert codes == [
        ("uncatalogued", "lean/Mini/Basic.lean", 27),
        ("unknown-decl", "catalogue/auxiliary.yaml", 1),
    ]


def test_check_command_exit_codes(mini: Path) -> None:
    """`mlcatalogue check` exits 0 on a clean root and 1 with file:line messages on a bad one."""
    runner = CliRunner()
    good = runner.invoke(main, ["check", "--root", str(mini)])
    assert good.exit_code == 0, good.output
    assert "OK: 3 entries" in good.output
    shutil.copyfile(DATA / "bad" / "duplicate-key.yaml", mini / "catalogue/entries/algebra.yaml")
    bad = runner.invoke(main, ["check", "--root", str(mini)])
    assert bad.exit_code == 1
    assert "catalogue/entries/algebra.yaml:7: [duplicate-key]" in bad.output


@pytest.mark.parametrize(
    "bad_file",
    ["duplicate-id.yaml", "duplicate-key.yaml", "unknown-key.yaml", "missing-field.yaml",
     "dangling-name.yaml", "syntax-error.yaml"],
)
def test_check_fails_on_each_bad_fixture(mini: Path, bad_file: str) -> None:
    """Every committed bad fixture makes `check` exit 1 naming the entries file and a line."""
    shutil.copyfile(DATA / "bad" / bad_file, mini / "catalogue/entries/algebra.yaml")
    result = CliRunner().invoke(main, ["check", "--root", str(mini)])
    assert result.exit_code == 1
    assert "catalogue/entries/algebra.yaml:" in result.output


def test_repository_catalogue_has_no_problems() -> None:
    """The real lean/ and catalogue/ join with zero problems and every theorem catalogued."""
    catalogue = load(REPOSITORY)
    assert [str(p) for p in catalogue.problems if p.is_error] == []
    assert len(catalogue.entries) >= 15
    assert all(item.status is not Status.MISSING for item in catalogue.entries)
    assert all(item.status is not Status.KERNEL_CHECKED for item in catalogue.entries) or (
        REPOSITORY / "verification"
    ).exists()


def test_repository_lean_has_no_escape_hatches() -> None:
    """No sorry, admit, axiom or other unsound construct anywhere under lean/."""
    catalogue = load(REPOSITORY)
    assert catalogue.declarations
    assert not [d.name for d in catalogue.declarations if d.has_sorry or d.kind == "axiom"]
    for path in (REPOSITORY / "lean").rglob("*.lean"):
        text = path.read_text(encoding="utf-8")
        for word in ("sorry", "admit", "native_decide", "implemented_by", "maxHeartbeats"):
            assert word not in text, f"{path}: {word}"
