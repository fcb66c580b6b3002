"""Catalogue loading: YAML → entries, with every schema problem located at file and line."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from mlcatalogue.loader import load_catalogue_files
from mlcatalogue.model import Kind

DATA = Path(__file__).parent / "data"


@pytest.fixture
def mini(tmp_path: Path) -> Path:
    """A writable copy of the miniature catalogue root."""
    root = tmp_path / "mini"
    shutil.copytree(DATA / "mini", root)
    return root


def with_entries(root: Path, bad_file: str) -> Path:
    """Replace the entries of `root` with a committed bad fixture."""
    target = root / "catalogue" / "entries" / "algebra.yaml"
    shutil.copyfile(DATA / "bad" / bad_file, target)
    return target


def test_good_catalogue_loads_without_problems(mini: Path) -> None:
    """The miniature catalogue yields its three entries, its vocabularies and no problems."""
    files = load_catalogue_files(mini / "catalogue")
    assert files.problems == ()
    assert [entry.id for entry in files.entries] == ["square", "square_nonneg", "am_gm_two"]
    first = files.entries[0]
    assert first.kind is Kind.DEFINITION
    assert first.decls == ("Mini.square",)
    assert (first.path, first.line) == ("catalogue/entries/algebra.yaml", 1)
    assert files.entries[2].line == 22
    assert files.entries[1].references[0].verified == "no"
    assert set(files.areas) == {"algebra"}
    assert files.publications["HW"].year == 1938
    assert files.auxiliary[0].name == "Mini.sq_sub_nonneg"


@pytest.mark.parametrize(
    ("bad_file", "code", "line", "phrase"),
    [
        ("duplicate-id.yaml", "duplicate-id", 7, "already used at catalogue/entries/algebra.yaml:1"),
        ("duplicate-key.yaml", "duplicate-key", 7, "key 'title' appears twice"),
        ("unknown-key.yaml", "unknown-key", 6, "unknown key 'decl'"),
        ("missing-field.yaml", "missing-field", 1, "lacks title"),
        ("syntax-error.yaml", "yaml-syntax", 3, ""),
    ],
)
def test_bad_entries_are_located(mini: Path, bad_file: str, code: str, line: int, phrase: str) -> None:
    """Each kind of bad entry file is reported with its code, file and exact line."""
    with_entries(mini, bad_file)
    files = load_catalogue_files(mini / "catalogue")
    matching = [problem for problem in files.problems if problem.code == code]
    assert matching, files.problems
    problem = matching[0]
    assert problem.path == "catalogue/entries/algebra.yaml"
    assert problem.line == line
    assert phrase in problem.message


def test_unknown_vocabulary_and_reference_keys(mini: Path) -> None:
    """Areas, assumptions and bibliography keys must come from the vocabulary files."""
    entries = mini / "catalogue" / "entries" / "algebra.yaml"
    text = entries.read_text()
    text = text.replace("area: algebra\n  statement: For every", "area: geometry\n  statement: For every")
    text = text.replace("source: HW", "source: XX").replace("[real-numbers]\n  decls: [Mini.two", "[reals]\n  decls: [Mini.two")
    entries.write_text(text)
    codes = {(p.code, p.line) for p in load_catalogue_files(mini / "catalogue").problems}
    assert ("unknown-area", 12) in codes
    assert ("unknown-reference", 18) in codes
    assert ("unknown-assumption", 30) in codes


def test_result_without_proof_and_bad_kind(mini: Path) -> None:
    """A theorem must carry a proof, and kind must be one of the four kinds."""
    entries = mini / "catalogue" / "entries" / "algebra.yaml"
    text = entries.read_text().replace("  proof: $a^2 + b^2 - 2ab = (a-b)^2 \\ge 0$.\n", "")
    text = text.replace("kind: definition", "kind: axiom")
    entries.write_text(text)
    problems = load_catalogue_files(mini / "catalogue").problems
    messages = {(p.code, p.line): p.message for p in problems}
    assert "needs a proof" in messages[("missing-field", 22)]
    assert "kind 'axiom'" in messages[("bad-value", 3)]


def test_verified_flag_values(mini: Path) -> None:
    """`verified` accepts true, false and partial, and rejects anything else."""
    entries = mini / "catalogue" / "entries" / "algebra.yaml"
    entries.write_text(entries.read_text().replace("verified: false", "verified: maybe"))
    problems = load_catalogue_files(mini / "catalogue").problems
    assert [(p.code, p.line) for p in problems] == [("bad-value", 20)]


def test_missing_catalogue_directory(tmp_path: Path) -> None:
    """A root without catalogue/ is one problem, not a crash."""
    files = load_catalogue_files(tmp_path / "catalogue")
    assert [p.code for p in files.problems] == ["missing-file"]
    assert files.entries == ()
