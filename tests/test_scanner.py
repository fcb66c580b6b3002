"""Tests of the Lean source scan (mlcatalogue.scanner) on hand-written and real Lean 4 files."""

from __future__ import annotations

import json
import os
import re
import shutil
import sqlite3
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mlcatalogue.cli import main
from mlcatalogue.model import Declaration, ScanResult
from mlcatalogue.scanner import (
    SCANNER_VERSION,
    declaration_record,
    read_declarations,
    scan_source,
)

DATA = Path(__file__).parent / "data" / "scanner"
CONSTRUCTS = DATA / "constructs"
REAL = DATA / "real"


def scan(path: Path) -> ScanResult:
    return scan_source(path.read_text(encoding="utf-8"), path.name)


def triples(result: ScanResult) -> list[tuple[str, str, int]]:
    return [(d.name, d.kind, d.line) for d in result.declarations]


def by_name(result: ScanResult) -> dict[str, Declaration]:
    return {d.name: d for d in result.declarations}


BASIC = [
    ("Foo.Bar.risk", "def", 21),
    ("Foo.Bar.risk_nonneg", "theorem", 24),
    ("Foo.Bar.risk_eq", "lemma", 28),
    ("Foo.Bar.hidden", "theorem", 31),
    ("Foo.Bar.choice'", "def", 33),
    ("Foo.Bar.Real'", "abbrev", 35),
    ("Foo.Bar.Point", "structure", 37),
    ("Foo.Bar.Measure'", "class", 42),
    ("Foo.Bar.Tree", "class", 45),
    ("Foo.Bar.Color", "inductive", 49),
    ("Foo.Bar.instMeasureNat", "instance", 53),
    ("Foo.Bar.instInhabitedPoint", "instance", 55),
    ("Foo.Bar.choice_ax", "axiom", 57),
    ("Foo.Bar.secret", "opaque", 59),
    ("Foo.Bar._example", "example", 61),
    ("top_level", "theorem", 63),
    ("Foo.Bar.«weird name»", "theorem", 65),
    ("Foo.in_foo", "theorem", 69),
    ("Foo.with_option", "theorem", 75),
    ("Foo.after_open", "theorem", 79),
    ("Foo.after_variable", "theorem", 82),
    ("Foo.after_guard", "theorem", 85),
    ("Foo.isEven", "def", 90),
    ("Foo.isOdd", "def", 93),
    ("Foo.outer", "def", 98),
    ("Foo.outer.go", "def", 100),
    ("Foo.outer.helper", "def", 103),
    ("Foo.loop", "def", 105),
    ("Foo.danger", "def", 107),
    ("Foo.count", "def", 109),
    ("Foo.admitted", "theorem", 114),
    ("Foo.not_admitted", "theorem", 118),
    ("Foo.scopedInst", "instance", 120),
]

SYNTAX = [
    ("My.Tactics.fooTac", "syntax", 8),
    ("My.Tactics.tacticBar_", "syntax", 10),
    ("My.Tactics.tacticBaz", "macro", 12),
    ("", "macro_rules", 14),
    ("My.Tactics.tacticQux", "elab", 17),
    ("", "elab_rules", 20),
    ("My.Tactics.«term_≺_»", "notation", 24),
    ("My.Tactics.«term_+++_»", "infixl", 26),
    ("My.Tactics.my.verbose", "register_option", 29),
    ("My.Tactics.counterRef", "initialize", 31),
    ("", "initialize", 33),
    ("My.Tactics.base_thm", "theorem", 35),
    ("My.Tactics.base_alias", "alias", 37),
    ("My.Tactics.old_name", "alias", 39),
    ("My.Tactics.forward", "alias", 41),
    ("My.Tactics.commandGen", "macro", 44),
    ("My.Tactics.quoted", "def", 46),
]

COMMENTS = [
    ("after_comments", "theorem", 8),
    ("strings", "def", 10),
    ("chars", "def", 12),
    ("after_chars", "theorem", 14),
    ("prime'", "def", 16),
    ("after_prime", "theorem", 18),
]


def test_basic_constructs_have_exact_names_kinds_and_lines() -> None:
    """Every declaration kind, namespace, `_root_`, `«»`, `… in`, mutual and where helper is named exactly."""
    assert triples(scan(CONSTRUCTS / "Basic.lean")) == BASIC


def test_syntax_extension_commands_have_exact_names_kinds_and_lines() -> None:
    """syntax/macro/elab/notation/infix/option/initialize/alias get Lean's names; quotations add none."""
    assert triples(scan(CONSTRUCTS / "Syntax.lean")) == SYNTAX


def test_comments_strings_and_chars_hide_their_text() -> None:
    """Keywords inside nested comments, docstrings, strings and char literals are not declarations."""
    result = scan(CONSTRUCTS / "Comments.lean")
    assert triples(result) == COMMENTS
    assert result.problems == ()


def test_a_wholly_commented_out_file_has_no_declarations() -> None:
    """A file that is one nested block comment yields nothing and no problem."""
    result = scan(CONSTRUCTS / "Commented.lean")
    assert result.declarations == () and result.problems == ()


def test_lines_span_docstring_attributes_and_body() -> None:
    """start_line includes the docstring and attributes; end_line is the last line of the body."""
    decls = by_name(scan(CONSTRUCTS / "Basic.lean"))
    risk_eq = decls["Foo.Bar.risk_eq"]
    assert (risk_eq.start_line, risk_eq.line, risk_eq.end_line) == (26, 28, 29)
    assert (decls["Foo.Bar.Point"].line, decls["Foo.Bar.Point"].end_line) == (37, 40)
    assert (decls["Foo.isEven"].start_line, decls["Foo.isEven"].end_line) == (90, 92)
    assert (decls["Foo.outer"].end_line, decls["Foo.outer.go"].end_line) == (103, 102)
    assert decls["Foo.count"].end_line == 112
    assert (decls["Foo.after_open"].start_line, decls["Foo.after_open"].line) == (78, 79)


def test_modifiers_attributes_docstrings_and_signatures() -> None:
    """Modifiers and attributes are listed as written; docstrings lose their delimiters."""
    decls = by_name(scan(CONSTRUCTS / "Basic.lean"))
    assert decls["Foo.Bar.risk_nonneg"].attributes == ("simp", "grind =")
    assert decls["Foo.Bar.risk_eq"].attributes == ("inherit_doc risk",)
    assert decls["Foo.Bar.risk_eq"].modifiers == ("protected",)
    assert decls["Foo.Bar.risk_eq"].docstring == "A lemma."
    assert decls["Foo.Bar.risk_eq"].signature == "risk_eq (x : Nat) : risk x = x"
    assert decls["Foo.Bar.hidden"].modifiers == ("private",)
    assert decls["Foo.Bar.choice'"].modifiers == ("noncomputable",)
    assert decls["Foo.loop"].modifiers == ("partial",)
    assert decls["Foo.danger"].modifiers == ("unsafe",)
    assert decls["Foo.scopedInst"].modifiers == ("scoped",)
    assert decls["Foo.Bar.risk"].docstring == "The risk." and decls["Foo.Bar.risk"].has_docstring
    assert decls["Foo.in_foo"].docstring is None
    assert decls["Foo.count"].signature == "count : Nat → Nat"
    assert decls["Foo.Bar.Point"].signature == "Point"
    syntax = by_name(scan(CONSTRUCTS / "Syntax.lean"))
    assert syntax["My.Tactics.old_name"].attributes == ('deprecated (since := "2024-01-01")',)
    assert syntax["My.Tactics.fooTac"].docstring == "The `foo` tactic."


def test_sorry_counts_only_in_code() -> None:
    """`sorry` in a proof counts; in a comment or a string it does not."""
    decls = by_name(scan(CONSTRUCTS / "Basic.lean"))
    assert decls["Foo.admitted"].has_sorry
    assert not decls["Foo.not_admitted"].has_sorry
    assert [d.name for d in decls.values() if d.has_sorry] == ["Foo.admitted"]


def test_mentions_list_identifiers_of_signature_and_body() -> None:
    """Mentions are the identifiers of signature and body, deduplicated, in order, no keywords."""
    decls = by_name(scan(CONSTRUCTS / "Basic.lean"))
    assert decls["Foo.Bar.risk_nonneg"].mentions == ("risk_nonneg", "x", "Nat", "risk", "Nat.zero_le")
    assert "by" not in decls["Foo.admitted"].mentions


def test_imports_and_module_docs() -> None:
    """Imports (also `public import`) are recorded; Main definitions/results list backticked names."""
    result = scan(CONSTRUCTS / "Basic.lean")
    assert result.declarations[0].imports == ("Mathlib.Probability.Variance", "Batteries.Data.List")
    (doc,) = result.module_docs
    assert doc.line == 4
    assert doc.main_definitions == ("Foo.Bar.risk", "Foo.Bar.Point")
    assert doc.main_results == ("Foo.Bar.risk_nonneg",)
    assert doc.text.startswith("# Basic constructs")


def test_problems_are_reported_with_line_and_the_scan_goes_on(tmp_path: Path) -> None:
    """Bad bytes, an unterminated string and an `end` mismatch become problems, not crashes."""
    result = read_declarations(CONSTRUCTS)
    problems = {(p.path, p.line, p.code) for p in result.problems}
    assert problems == {
        ("Broken.lean", 5, "end-mismatch"),
        ("Broken.lean", 7, "unterminated-string"),
        ("Latin1.lean", 1, "non-utf8"),
    }
    names = {(d.path, d.name, d.line) for d in result.declarations}
    assert ("Broken.lean", "A.ok_before", 3) in names
    assert ("Broken.lean", "after_string", 8) in names
    assert ("Latin1.lean", "latin1", 1) in names and ("Latin1.lean", "after_bad", 2) in names


def test_unterminated_comment_is_reported_at_its_start() -> None:
    """An unclosed `/-` is a problem at the line where it opens."""
    result = scan_source("theorem a : True := trivial\n/- open\ntheorem b : True := trivial\n", "U.lean")
    assert triples(result) == [("a", "theorem", 1)]
    assert [(p.line, p.code) for p in result.problems] == [(2, "unterminated-comment")]


def test_end_closes_part_of_a_dotted_namespace() -> None:
    """`namespace A.B` then `end B` leaves `A` open; `end A.B` closes both."""
    text = "namespace A.B\ndef x := 1\nend B\ndef y := 1\nend A\ndef z := 1\nnamespace C.D\nend C.D\ndef w := 1\n"
    result = scan_source(text, "N.lean")
    assert [d.name for d in result.declarations] == ["A.B.x", "A.y", "z", "w"]
    assert result.problems == ()


def test_keywords_in_attributes_and_deriving_are_not_declarations() -> None:
    """`@[instance]`, `attribute [local instance]` and `deriving instance` declare nothing."""
    text = (
        "@[instance] def i1 : Inhabited Nat := ⟨0⟩\n"
        "attribute [local instance] i1\n"
        "deriving instance Repr for Foo\n"
        "@[simp,\n  instance]\ntheorem t : True := trivial\n"
    )
    assert triples(scan_source(text, "A.lean")) == [("i1", "def", 1), ("t", "theorem", 6)]


def test_anonymous_instance_names_follow_lean() -> None:
    """Anonymous instances get Lean's generated names, with the project/module suffix rules."""
    text = (
        "structure Foo where\n  x : Nat\n"
        "instance : Inhabited Foo := ⟨⟨0⟩⟩\n"
        "instance [Repr α] : Repr (List α) := sorry\n"
        "instance : Inhabited Nat := ⟨0⟩\n"
        "namespace Foo\ninstance : Repr Foo := sorry\nend Foo\n"
    )
    names = [d.name for d in scan_source(text, "Mathlib/Data/Foo.lean").declarations]
    assert names == [
        "Foo",
        "instInhabitedFoo",
        "instReprList_mathlib_data_foo",
        "instInhabitedNat_mathlib_data_foo",
        "Foo.instRepr",
    ]
    other = scan_source("instance : Inhabited Nat := ⟨0⟩\n", "Init/Data/Foo.lean")
    assert other.declarations[0].name == "instInhabitedNat"


def test_anonymous_instance_suffix_uses_the_project(tmp_path: Path) -> None:
    """An instance naming a constant of another file of the same project gets `_project`."""
    (tmp_path / "Proj").mkdir()
    (tmp_path / "Proj" / "A.lean").write_text("structure Widget where\n  x : Nat\n")
    (tmp_path / "Proj" / "B.lean").write_text("instance : Inhabited Widget := ⟨⟨0⟩⟩\n")
    names = [d.name for d in read_declarations(tmp_path).declarations]
    assert names == ["Widget", "instInhabitedWidget_proj"]


EDGE_CASES = [
    (
        "namespace A\r\n/-- doc -/\r\ntheorem t : True := trivial\r\nend A\r\ndef u := 1\r\n",
        [("A.t", "theorem", 3), ("u", "def", 5)],
    ),
    (
        "open Nat in theorem t : True := trivial\nset_option x true in\ndef d := 1\n",
        [("t", "theorem", 1), ("d", "def", 3)],
    ),
    (
        "namespace X\nscoped[NNReal] notation \"ℝ≥0\" => NNReal\nlocal notation \"‖\" e \"‖\" => e\nend X\n",
        [("NNReal.«termℝ≥0»", "notation", 2), ("X.«term‖_‖»", "notation", 3)],
    ),
    (
        "class abbrev Foo (α : Type) := Add α, Mul α\nclass inductive Bar | a\n",
        [("Foo", "class", 1), ("Bar", "class", 2)],
    ),
    (
        "instance (priority := 100) foo : Inhabited Nat := ⟨0⟩\ntheorem bar.{u} : True := trivial\n",
        [("foo", "instance", 1), ("bar", "theorem", 2)],
    ),
    (
        "noncomputable section\nnamespace N\ndef a := 1\nend N\nend\ndef b := 1\n",
        [("N.a", "def", 3), ("b", "def", 6)],
    ),
    (
        "namespace I\n  def a := 1\n  theorem b : True := trivial\n  alias c := b\nend I\n",
        [("I.a", "def", 2), ("I.b", "theorem", 3), ("I.c", "alias", 4)],
    ),
    (
        "def f (n : Nat) : Nat :=\n  let rec go : Nat → Nat\n    | 0 => 0\n    | k+1 => go k\n  go n\n",
        [("f", "def", 1), ("f.go", "def", 2)],
    ),
    (
        "set_option x false in @[simp] private theorem t : True := trivial\n#exit\ntheorem gone : True := trivial\n",
        [("t", "theorem", 1)],
    ),
    (
        "irreducible_def foo : Nat := 1\n@[simp] irreducible_def bar : Nat := 2\n",
        [("foo", "irreducible_def", 1), ("bar", "irreducible_def", 2)],
    ),
    (
        "\ufeffdef\tfoo\t: Nat := 1\nprivate def «bar» := 1\n",
        [("foo", "def", 1), ("bar", "def", 2)],
    ),
    (
        (
            "syntax \"[\" sepBy(term, \", \") \"]\" : term\n"
            "macro x:term:65 \" <;;> \" y:term : tactic => `(tactic| skip)\n"
            "syntax:50 term:51 unicode(\" ≥ \", \" >= \") term:51 : term\n"
        ),
        [("«term[_,]»", "syntax", 1), ("«tactic_<;;>_»", "macro", 2), ("«term_≥_»", "syntax", 3)],
    ),
]


@pytest.mark.parametrize(("text", "expected"), EDGE_CASES)
def test_edge_cases_have_exact_names_and_lines(text: str, expected: list[tuple[str, str, int]]) -> None:
    """CRLF, BOM, tabs, one-line `… in`, scoped[NS], class abbrev, priorities, universes, let rec, …"""
    result = scan_source(text.lstrip("\ufeff"), "Edge.lean")
    assert triples(result) == expected
    assert result.problems == ()


def test_helper_lines_stop_at_the_helper() -> None:
    """A `let rec` helper ends where its indented block ends, not at the end of the parent."""
    text = "def f (n : Nat) : Nat :=\n  let rec go : Nat → Nat\n    | 0 => 0\n    | k+1 => go k\n  go n\n"
    decls = by_name(scan_source(text, "H.lean"))
    assert (decls["f"].end_line, decls["f.go"].end_line) == (5, 4)


def test_instance_names_from_binders_follow_lean() -> None:
    """`∀`-binders inside an instance argument are left out (`…OfDecidableEquiv`), as Lean does."""
    text = "instance [∀ a b : α, Decidable (a ≈ b)] : DecidableEq (Quotient s) := sorry\n"
    assert scan_source(text, "Init/Core.lean").declarations[0].name == (
        "instDecidableEqQuotientOfDecidableEquiv"
    )


def test_real_mathlib_variance_names_and_lines() -> None:
    """Checked by eye on Mathlib's Probability/Variance.lean: `_root_`, docstrings, notations."""
    result = scan(REAL / "Variance.lean")
    got = triples(result)
    for expected in [
        ("ProbabilityTheory.evariance", "def", 51),
        ("ProbabilityTheory.variance", "def", 56),
        ("MeasureTheory.Memℒp.evariance_lt_top", "theorem", 61),
        ("ProbabilityTheory.evariance_lt_top_iff_memℒp", "theorem", 86),
        ("MeasureTheory.Memℒp.variance_eq", "theorem", 118),
        ("ProbabilityTheory.evariance_zero", "theorem", 132),
        ("ProbabilityTheory.«termEVar[_]»", "notation", 158),
        ("ProbabilityTheory.variance_smul'", "theorem", 176),
        ("ProbabilityTheory.«termVar[_]»", "notation", 182),
    ]:
        assert expected in got
    assert len(got) == 19
    decls = by_name(result)
    assert decls["ProbabilityTheory.evariance"].start_line == 49
    assert decls["ProbabilityTheory.evariance_zero"].attributes == ("simp",)
    (doc,) = result.module_docs
    assert doc.main_definitions == ("ProbabilityTheory.evariance", "ProbabilityTheory.variance")
    assert doc.main_results[-1] == "Probability.variance_square_bounded"
    assert result.problems == ()


def test_real_batteries_union_find_names_and_lines() -> None:
    """Checked by eye on Batteries' UnionFind/Basic.lean: nested namespaces, `let rec`, `!` names."""
    result = scan(REAL / "UnionFindBasic.lean")
    got = triples(result)
    for expected in [
        ("Batteries.UFNode", "structure", 13),
        ("Batteries.UnionFind.parentD", "def", 22),
        ("Batteries.UnionFind.rankD_set", "theorem", 46),
        ("Batteries.UnionFind", "structure", 93),
        ("Batteries.UnionFind.size", "abbrev", 104),
        ("Batteries.UnionFind.instEmptyCollection", "instance", 115),
        ("Batteries.UnionFind.rankMax", "def", 137),
        ("Batteries.UnionFind.rank'_lt_rankMax.go", "theorem", 140),
        ("Batteries.UnionFind.root", "def", 171),
        ("Batteries.UnionFind.root!", "def", 185),
        ("Batteries.UnionFind.rootD", "def", 189),
    ]:
        assert expected in got
    decls = by_name(result)
    assert decls["Batteries.UnionFind"].start_line == 57
    assert decls["Batteries.UnionFind.root"].end_line == 178
    assert decls["Batteries.UnionFind.rootN"].attributes == ("inherit_doc root",)
    assert result.problems == ()


def test_real_mathlib_says_tactic_file() -> None:
    """Checked by eye on Mathlib's Tactic/Says.lean: module header, options, syntax, quotations."""
    result = scan(REAL / "Says.lean")
    assert triples(result) == [
        ("Mathlib.Tactic.Says.says.verify", "register_option", 41),
        ("Mathlib.Tactic.Says.says.no_verify_in_CI", "register_option", 46),
        ("Mathlib.Tactic.Says.evalTacticCapturingTryThis", "def", 55),
        ("Mathlib.Tactic.Says.says", "syntax", 88),
        ("", "elab_rules", 90),
        ("", "initialize", 110),
    ]
    assert result.declarations[0].imports[0] == "Lean.Meta.Tactic.TryThis"
    assert result.problems == ()


def test_real_lean_core_coe_file() -> None:
    """Checked by eye on Lean's Init/Coe.lean: classes, named and anonymous instances."""
    got = triples(scan(REAL / "Coe.lean"))
    assert got[:2] == [("Coe", "class", 11), ("CoeTC", "class", 15)]
    assert ("coeNotation", "syntax", 43) in got
    assert ("boolToProp", "instance", 86) in got
    assert ("Lean.Internal.liftCoeM", "def", 104) in got
    assert got[-3:] == [
        ("instCoeDepOfCoeFun", "instance", 113),
        ("instCoeTailOfCoeFun", "instance", 116),
        ("instCoeTailOfCoeSort", "instance", 119),
    ]
    assert len(got) == 33


def test_real_mathlib_order_notation_syntax_names() -> None:
    """Mathlib's Order/Notation.lean names its notations in `recommended_spelling`; ours agree."""
    got = triples(scan(REAL / "OrderNotation.lean"))
    assert got == [
        ("Compl", "class", 44),
        ("«term_ᶜ»", "postfix", 51),
        ("«term_⊔_»", "syntax", 63),
        ("«term_⊓_»", "syntax", 69),
        ("", "macro_rules", 71),
        ("Mathlib.Meta.linearOrderExpr", "def", 80),
        ("Mathlib.Meta.linearOrderToMax", "def", 82),
        ("Mathlib.Meta.linearOrderToMin", "def", 84),
        ("Mathlib.Meta.hasLinearOrder", "def", 92),
        ("Mathlib.Meta.delabSup", "def", 106),
        ("Mathlib.Meta.delabInf", "def", 122),
        ("HImp", "class", 140),
        ("HNot", "class", 157),
        ("«term_⇨_»", "infixr", 166),
        ("«term￢_»", "prefix", 169),
        ("Top", "class", 176),
        ("Bot", "class", 182),
        ("«term⊤»", "notation", 187),
        ("«term⊥»", "notation", 190),
        ("top_nonempty", "instance", 193),
    ]


def test_real_lean_core_json_file() -> None:
    """Checked by eye on Lean's Data/Json/Basic.lean: protected/private partial defs, let rec,
    pattern-matching defs ending in `?`/`!`, and Lean's names for its anonymous instances."""
    result = scan_source((REAL / "JsonBasic.lean").read_text(encoding="utf-8"),
                         "Lean/Data/Json/Basic.lean")
    got = triples(result)
    for expected in [
        ("Lean.JsonNumber", "structure", 11),
        ("Lean.JsonNumber.fromNat", "def", 18),
        ("Lean.JsonNumber.instCoeNat", "instance", 21),
        ("Lean.JsonNumber.countDigits", "def", 24),
        ("Lean.JsonNumber.countDigits.loop", "def", 25),
        ("Lean.JsonNumber.instDecidableLt", "instance", 79),
        ("Lean.JsonNumber.instOrd", "instance", 82),
        ("Lean.strLt", "def", 127),
        ("Lean.Json", "inductive", 131),
        ("Lean.Json.getObj?", "def", 162),
        ("Lean.Json.setObjVal!", "def", 201),
        ("Lean.Json.instCoeArrayStructured", "instance", 209),
    ]:
        assert expected in got
    assert len(got) == 40
    decls = by_name(result)
    assert decls["Lean.JsonNumber.countDigits"].modifiers == ("private", "partial")
    assert (decls["Lean.JsonNumber.countDigits"].end_line, decls["Lean.Json"].end_line) == (30, 141)
    assert result.problems == ()


# Where each file of tests/data/scanner/real/ lives in its project (instance names depend on it).
ORIGINS = {
    "AesopTreeData.lean": "Aesop/Tree/Data.lean",
    "BanditsAlgorithm.lean": "LeanBandits/SequentialLearning/Algorithm.lean",
    "Coe.lean": "Init/Coe.lean",
    "ControlExcept.lean": "Init/Control/Except.lean",
    "ElabUtil.lean": "Lean/Elab/Util.lean",
    "GroupDefs.lean": "Mathlib/Algebra/Group/Defs.lean",
    "HashMapBasic.lean": "Std/Data/HashMap/Basic.lean",
    "InitNotation.lean": "Init/Notation.lean",
    "JsonBasic.lean": "Lean/Data/Json/Basic.lean",
    "ListBasic.lean": "Batteries/Data/List/Basic.lean",
    "Lists.lean": "Mathlib/SetTheory/Lists.lean",
    "NatDigits.lean": "Mathlib/Data/Nat/Digits.lean",
    "OrderBasic.lean": "Mathlib/Order/Basic.lean",
    "OrderNotation.lean": "Mathlib/Order/Notation.lean",
    "Repr.lean": "Init/Data/Repr.lean",
    "Says.lean": "Mathlib/Tactic/Says.lean",
    "SetNotation.lean": "Mathlib/Order/SetNotation.lean",
    "TacticBasic.lean": "Mathlib/Tactic/Basic.lean",
    "TransferInstance.lean": "Mathlib/Topology/Algebra/Module/TransferInstance.lean",
    "UnionFindBasic.lean": "Batteries/Data/UnionFind/Basic.lean",
    "Variance.lean": "Mathlib/Probability/Variance.lean",
}


def expected_real() -> dict[str, list[tuple[int, str, str, str]]]:
    """EXPECTED.tsv: per file, the hand-checked (line, kind, name, check) of every declaration."""
    rows: dict[str, list[tuple[int, str, str, str]]] = {}
    for raw in (REAL / "EXPECTED.tsv").read_text(encoding="utf-8").splitlines():
        if raw.startswith("#") or not raw.strip():
            continue
        file, line, kind, name, check = raw.split("\t")
        rows.setdefault(file, []).append((int(line), kind, name, check))
    return rows


def scan_real(file: str) -> ScanResult:
    return scan_source((REAL / file).read_text(encoding="utf-8"), ORIGINS[file])


def test_every_real_file_has_an_origin_and_expectations() -> None:
    """Each real file is listed with its origin here, in EXPECTED.tsv and in the README."""
    files = sorted(p.name for p in REAL.glob("*.lean"))
    readme = (REAL / "README.md").read_text(encoding="utf-8")
    assert files == sorted(ORIGINS) == sorted(expected_real())
    assert all(f"`{file}`" in readme for file in files)


@pytest.mark.parametrize("file", sorted(ORIGINS))
def test_real_file_declarations_match_the_hand_checked_list(file: str) -> None:
    """Names, kinds and lines of every declaration equal the hand-checked list; no problems."""
    result = scan_real(file)
    got = [(d.line, d.kind, d.name) for d in result.declarations]
    expected = expected_real()[file]
    assert [(line, kind) for line, kind, _ in got] == [(line, kind) for line, kind, _, _ in expected]
    for (line, _, name), (_, _, want, check) in zip(got, expected):
        if check == "ok":
            assert name == want, f"{file}:{line}"
    assert result.problems == ()


def test_real_files_with_fixed_instance_names() -> None:
    """Instance names that once came out wrong on real code, now as Lean generates them."""
    repr_names = by_name(scan_real("Repr.lean"))
    assert (repr_names["instReprId"].line, repr_names["instReprId_1"].line) == (46, 49)
    aesop = triples(scan_real("AesopTreeData.lean"))
    assert ("Aesop.instNonemptyGoalData", "instance", 323) in aesop  # `Rapp` is auto-bound there
    assert ("Aesop.instNonemptyRappData", "instance", 373) in aesop
    bandits = triples(scan_real("BanditsAlgorithm.lean"))
    assert bandits[1:3] == [
        ("Learning.instIsMarkovKernelPolicy", "instance", 30),  # `alg.policy`: a local field
        ("Learning.instIsProbabilityMeasureP0", "instance", 31),
    ]
    excepts = triples(scan_real("ControlExcept.lean"))
    assert ("ExceptT.instMonad", "instance", 91) in excepts  # `[Monad m]` binds no `Monad`
    assert ("instMonadExceptOfExceptTOfMonad", "instance", 101) in excepts
    assert ("instMonadExceptOfExceptTOfMonad_1", "instance", 105) in excepts
    hashmap = triples(scan_real("HashMapBasic.lean"))
    assert ("Std.HashMap.instGetElemOptionTrue", "instance", 296) in hashmap  # a lambda's body


def test_real_signature_with_let_in_the_type_ends_at_the_real_assignment() -> None:
    """`letI x := v` lines inside a statement do not end its signature; the body is left out."""
    decls = by_name(scan_real("TransferInstance.lean"))
    definition = decls["Equiv.continuousLinearEquiv"]
    assert (definition.start_line, definition.line, definition.end_line) == (35, 40, 50)
    assert definition.signature == (
        "continuousLinearEquiv (e : α ≃ β) : letI := e.topologicalSpace letI := e.addCommMonoid "
        "letI := e.module R α ≃L[R] β"
    )
    assert decls["Equiv.toLinearEquiv_continuousLinearEquiv"].signature.endswith(
        "(e.continuousLinearEquiv R).toLinearEquiv = e.linearEquiv R"
    )


def test_real_where_helpers_end_after_their_match_alternatives() -> None:
    """`where go : …` followed by `| pat => …` lines at the helper's column ends with them."""
    lists = by_name(scan_real("ListBasic.lean"))
    spans = {name: (lists[name].line, lists[name].end_line) for name in (
        "List.replaceFTR", "List.replaceFTR.go", "List.replaceF_eq_replaceFTR.go",
        "List.splitAtD.go", "List.lookmap.go", "List.tailsTR.go",
    )}
    assert spans == {
        "List.replaceFTR": (68, 74),
        "List.replaceFTR.go": (70, 74),
        "List.replaceF_eq_replaceFTR.go": (78, 82),  # a `let rec` in a tactic proof
        "List.splitAtD.go": (113, 116),
        "List.lookmap.go": (299, 303),
        "List.tailsTR.go": (335, 338),
    }
    hashmap = by_name(scan_real("HashMapBasic.lean"))
    assert (hashmap["Std.HashMap.Imp.filterMap.go"].start_line,
            hashmap["Std.HashMap.Imp.filterMap.go"].end_line) == (197, 203)


def test_real_attribute_with_a_doc_comment_is_one_attribute() -> None:
    """`@[to_additive /-- …, … -/]` is one attribute: commas in its doc comment do not split it."""
    decl = by_name(scan_real("GroupDefs.lean"))["mul_comm'"]
    (attribute,) = decl.attributes
    assert attribute.startswith("to_additive /-- An alternative to `add_comm`")
    assert "In general, you should prefer `add_comm`" in attribute and attribute.endswith("-/")


INSTANCE_CASES = [
    (
        "id and Id",
        "instance [Repr α] : Repr (id α) := sorry\ninstance [Repr α] : Repr (Id α) := sorry\n",
        "Init/Data/R.lean",
        ["instReprId", "instReprId_1"],
    ),
    (
        "a name the file declares later is auto-bound",
        ("structure Box (α : Type) where\n  x : α\n"
         "instance [Nonempty Elem] : Nonempty (Box Elem) := sorry\ndef Elem := Nat\n"),
        "Proj/A.lean",
        ["Box", "instNonemptyBox", "Elem"],
    ),
    (
        "a short name the file declared before is a constant",
        "class Good (n : Nat) : Prop\ndef ι : Nat := 0\ninstance : Good ι := ⟨⟩\n",
        "Proj/A.lean",
        ["Good", "ι", "instGoodι"],
    ),
    (
        "letI in the type",
        ("class Good (n : Nat) : Prop\ninstance (n : Nat) : letI := n; Good n := ⟨⟩\n"
         "instance (n : Nat) :\n    letI := n\n    Good n.succ := ⟨⟩\n"),
        "Proj/A.lean",
        ["Good", "instGood", "instGoodSucc"],
    ),
    (
        "a lambda is named by its body",
        ("structure Box where\n  x : Nat\n"
         "instance : GetElem Box Nat Nat fun _ _ => True := sorry\n"),
        "Proj/A.lean",
        ["Box", "instGetElemBoxNatTrue"],
    ),
    (
        "an instance-implicit variable binds no name",
        ("namespace M\ndef MyT (m : Type → Type) := m\nvariable {m : Type → Type} [Monad m]\n"
         "instance : Monad (MyT m) := sorry\nend M\n"),
        "Proj/A.lean",
        ["M.MyT", "M.instMonadMyT"],
    ),
    (
        "equal base names are numbered",
        ("structure Box where\n  x : Nat\ninstance : Inhabited Box := ⟨⟨0⟩⟩\n"
         "instance : Inhabited Box := ⟨⟨1⟩⟩\ninstance : Inhabited Box := ⟨⟨2⟩⟩\n"),
        "Proj/A.lean",
        ["Box", "instInhabitedBox", "instInhabitedBox_1", "instInhabitedBox_2"],
    ),
    (
        "a projection of a local structure makes the name module-local",
        ("structure Algorithm where\n  p0 : Nat\n"
         "instance (alg : Algorithm) : NeZero alg.p0 := sorry\n"),
        "Proj/A.lean",
        ["Algorithm", "instNeZeroP0"],
    ),
    (
        "a where helper follows its instance's final name",
        "instance : Inhabited Nat := ⟨go⟩\nwhere\n  go : Nat := 0\n",
        "Proj/A.lean",
        ["instInhabitedNat_proj_a", "instInhabitedNat_proj_a.go"],
    ),
]


@pytest.mark.parametrize(("case", "text", "path", "names"), INSTANCE_CASES, ids=[c[0] for c in INSTANCE_CASES])
def test_instance_names_follow_lean_name_generation(case: str, text: str, path: str, names: list[str]) -> None:
    """Regressions found on real code: each anonymous instance gets the name Lean gives it."""
    assert [d.name for d in scan_source(text, path).declarations] == names


def test_helper_ends_after_match_alternatives_at_its_column() -> None:
    """A `let rec` whose `| …` alternatives sit at its own column ends after the last one."""
    text = (
        "theorem t : True := by\n"
        "  let rec go : Nat → True\n"
        "  | 0 => trivial\n"
        "  | n + 1 => go n\n"
        "  exact go 0\n"
    )
    decls = by_name(scan_source(text, "T.lean"))
    assert (decls["t.go"].line, decls["t.go"].end_line, decls["t"].end_line) == (2, 4, 5)


def test_attribute_commas_inside_strings_and_comments_do_not_split() -> None:
    """Attributes split at top-level commas only, not inside strings, brackets or comments."""
    text = '@[simp, deprecated "a, b" (since := "x"), to_additive /-- c, d -/] theorem t : True := trivial\n'
    (decl,) = scan_source(text, "T.lean").declarations
    assert decl.attributes == ("simp", 'deprecated "a, b" (since := "x")', "to_additive /-- c, d -/")


def test_read_declarations_is_sorted_and_relative_to_base(tmp_path: Path) -> None:
    """Files are scanned in sorted order; paths are POSIX and relative to `base`."""
    tree = tmp_path / "lean" / "Pkg"
    tree.mkdir(parents=True)
    (tree / "B.lean").write_text("def b := 1\n")
    (tree / "A.lean").write_text("def a := 1\n")
    (tree / "notes.txt").write_text("def c := 1\n")
    result = read_declarations(tmp_path / "lean", base=tmp_path)
    assert [(d.path, d.name) for d in result.declarations] == [
        ("lean/Pkg/A.lean", "a"),
        ("lean/Pkg/B.lean", "b"),
    ]


HOUR_NS = 3600 * 10**9


def write_old(path: Path, text: str, age_ns: int = HOUR_NS) -> None:
    """Write `text` and date the file `age_ns` in the past (as an untouched checkout would be)."""
    path.write_text(text, encoding="utf-8")
    past = time.time_ns() - age_ns
    os.utime(path, ns=(past, past))


def cache_file(cache: Path) -> Path:
    (only,) = sorted(cache.iterdir())
    return only


def swap_cached_scans(cache: Path, first: str, second: str) -> None:
    """Exchange the cached results of two files, so a result that was not recomputed shows."""
    with sqlite3.connect(cache_file(cache)) as db:
        rows = dict(db.execute("SELECT path, crc || ':' || hex(data) FROM files").fetchall())
        for path, other in ((first, second), (second, first)):
            crc, data = rows[other].split(":")
            db.execute("UPDATE files SET crc = ?, data = ? WHERE path = ?",
                       (int(crc), bytes.fromhex(data), path))


def names_by_path(result: ScanResult) -> list[tuple[str, str]]:
    return [(d.path, d.name) for d in result.declarations]


def test_cache_is_one_sqlite_file_per_tree(tmp_path: Path) -> None:
    """Scanning two trees with one cache directory leaves one SQLite file per tree, nothing else."""
    for tree in ("one", "two"):
        (tmp_path / tree).mkdir()
        write_old(tmp_path / tree / "A.lean", f"def {tree} := 1\n")
        read_declarations(tmp_path / tree, cache_dir=tmp_path / "cache")
        read_declarations(tmp_path / tree, cache_dir=tmp_path / "cache")
    files = sorted(p.name for p in (tmp_path / "cache").iterdir())
    assert len(files) == 2 and all(re.fullmatch(r"scan-cache-[0-9a-f]{16}\.sqlite", f) for f in files)
    with sqlite3.connect(tmp_path / "cache" / files[0]) as db:
        assert db.execute("SELECT count(*) FROM files").fetchone() == (1,)


def test_unchanged_size_and_mtime_skip_reading_the_file(tmp_path: Path) -> None:
    """A file whose size and mtime match its cache entry is not read again (make's rule)."""
    src = tmp_path / "src"
    src.mkdir()
    write_old(src / "A.lean", "def a := 1\n")
    cache = tmp_path / "cache"
    assert names_by_path(read_declarations(src, cache_dir=cache)) == [("A.lean", "a")]
    stat = (src / "A.lean").stat()
    (src / "A.lean").write_text("def b := 1\n")  # same size ...
    os.utime(src / "A.lean", ns=(stat.st_atime_ns, stat.st_mtime_ns))  # ... and same mtime
    assert names_by_path(read_declarations(src, cache_dir=cache)) == [("A.lean", "a")]
    os.utime(src / "A.lean")  # a new mtime makes the scanner look at the bytes
    assert names_by_path(read_declarations(src, cache_dir=cache)) == [("A.lean", "b")]


def test_touched_file_with_same_bytes_is_hashed_not_reparsed(tmp_path: Path) -> None:
    """A new mtime with the same sha256 reuses the cached scan; new bytes are re-parsed."""
    src = tmp_path / "src"
    src.mkdir()
    write_old(src / "A.lean", "def a := 1\n")
    write_old(src / "B.lean", "def b := 1\n")
    cache = tmp_path / "cache"
    read_declarations(src, cache_dir=cache)
    swap_cached_scans(cache, "A.lean", "B.lean")
    write_old(src / "A.lean", "def a := 1\n", age_ns=HOUR_NS // 2)  # touched, same bytes
    write_old(src / "B.lean", "def b2 := 1\n", age_ns=HOUR_NS // 2)  # edited
    second = read_declarations(src, cache_dir=cache)
    # A's entry (now holding B's old scan) was reused; B was parsed afresh.
    assert names_by_path(second) == [("A.lean", "b"), ("B.lean", "b2")]


def test_a_file_changed_just_now_is_not_trusted_by_its_mtime(tmp_path: Path) -> None:
    """A file written within the timestamp resolution of its last scan is hashed again."""
    src = tmp_path / "src"
    src.mkdir()
    (src / "A.lean").write_text("def a := 1\n")  # mtime: now
    cache = tmp_path / "cache"
    read_declarations(src, cache_dir=cache)
    stat = (src / "A.lean").stat()
    (src / "A.lean").write_text("def z := 1\n")
    os.utime(src / "A.lean", ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert names_by_path(read_declarations(src, cache_dir=cache)) == [("A.lean", "z")]


def test_a_new_scanner_version_empties_the_cache(tmp_path: Path) -> None:
    """Entries written by another scanner version are never used."""
    src = tmp_path / "src"
    src.mkdir()
    write_old(src / "A.lean", "def a := 1\n")
    write_old(src / "B.lean", "def b := 1\n")
    cache = tmp_path / "cache"
    read_declarations(src, cache_dir=cache)
    swap_cached_scans(cache, "A.lean", "B.lean")
    with sqlite3.connect(cache_file(cache)) as db:
        db.execute("UPDATE meta SET value = 'older' WHERE key = 'scanner_version'")
    assert names_by_path(read_declarations(src, cache_dir=cache)) == [("A.lean", "a"), ("B.lean", "b")]
    with sqlite3.connect(cache_file(cache)) as db:
        assert db.execute("SELECT value FROM meta WHERE key = 'scanner_version'").fetchone() == (
            SCANNER_VERSION,
        )


def test_a_corrupt_cache_file_is_rebuilt(tmp_path: Path) -> None:
    """A cache file that is not a database is replaced; the scan itself is unaffected."""
    src = tmp_path / "src"
    shutil.copytree(REAL, src)
    cache = tmp_path / "cache"
    fresh = read_declarations(src)
    read_declarations(src, cache_dir=cache)
    cache_file(cache).write_bytes(b"this is not an SQLite database" * 100)
    assert read_declarations(src, cache_dir=cache) == fresh
    with sqlite3.connect(cache_file(cache)) as db:
        assert db.execute("SELECT count(*) FROM files").fetchone()[0] == len(list(REAL.glob("*.lean")))


def test_a_damaged_entry_is_reparsed(tmp_path: Path) -> None:
    """An entry whose blob fails its CRC is ignored and the file is parsed again."""
    src = tmp_path / "src"
    src.mkdir()
    write_old(src / "A.lean", "def a := 1\n")
    cache = tmp_path / "cache"
    read_declarations(src, cache_dir=cache)
    with sqlite3.connect(cache_file(cache)) as db:
        db.execute("UPDATE files SET data = x'00ff00ff'")
    assert names_by_path(read_declarations(src, cache_dir=cache)) == [("A.lean", "a")]


def test_deleted_files_leave_the_cache(tmp_path: Path) -> None:
    """Entries of files that no longer exist are removed at the next scan."""
    src = tmp_path / "src"
    (src / "Sub").mkdir(parents=True)
    write_old(src / "A.lean", "def a := 1\n")
    write_old(src / "Sub" / "B.lean", "def b := 1\n")
    cache = tmp_path / "cache"
    read_declarations(src, cache_dir=cache)
    (src / "Sub" / "B.lean").unlink()
    assert names_by_path(read_declarations(src, cache_dir=cache)) == [("A.lean", "a")]
    with sqlite3.connect(cache_file(cache)) as db:
        assert db.execute("SELECT path FROM files").fetchall() == [("A.lean",)]


def test_instance_names_that_depend_on_other_files_stay_right_through_the_cache(
    tmp_path: Path,
) -> None:
    """Adding or removing a file renames unchanged files' instances; warm rescans keep that."""
    src = tmp_path / "Proj"
    src.mkdir()
    write_old(src / "A.lean", "instance : Inhabited Widget := sorry\n")
    cache = tmp_path / "cache"

    def names() -> list[str]:
        result = read_declarations(src, base=tmp_path, cache_dir=cache)
        assert result == read_declarations(src, base=tmp_path)  # the cache changes nothing
        return [d.name for d in result.declarations]

    assert names() == ["instInhabitedWidget_proj_a"]
    write_old(src / "B.lean", "structure Widget where\n  x : Nat\n")
    assert names() == ["instInhabitedWidget_proj", "Widget"]
    assert names() == ["instInhabitedWidget_proj", "Widget"]  # warm: no naming pass at all
    (src / "B.lean").unlink()
    assert names() == ["instInhabitedWidget_proj_a"]
    assert names() == ["instInhabitedWidget_proj_a"]


def test_cached_results_equal_fresh_ones(tmp_path: Path) -> None:
    """A scan served from the cache is identical to a fresh scan."""
    tree = tmp_path / "t"
    shutil.copytree(REAL, tree)
    fresh = read_declarations(tree)
    read_declarations(tree, cache_dir=tmp_path / "c")
    cached = read_declarations(tree, cache_dir=tmp_path / "c")
    assert cached == fresh


def test_cli_scan_json_lines_and_problems_on_stderr() -> None:
    """`scan --json` prints one object per declaration; problems go to stderr; exit 0."""
    result = CliRunner().invoke(main, ["scan", str(CONSTRUCTS), "--json"])
    assert result.exit_code == 0
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert set(lines[0]) == {
        "name", "kind", "path", "line", "start_line", "end_line", "modifiers", "attributes",
        "docstring", "has_docstring", "signature", "has_sorry", "imports",
    }
    assert {"name": "Foo.Bar.risk", "kind": "def", "path": "Basic.lean", "line": 21}.items() <= lines[0].items()
    assert "Broken.lean:5: [end-mismatch]" in result.stderr
    assert "Latin1.lean:1: [non-utf8]" in result.stderr
    assert "declarations" in result.stderr.splitlines()[-1]


def test_cli_scan_table_and_missing_directory(tmp_path: Path) -> None:
    """The human output is a table of path:line, kind, name; a missing directory exits non-zero."""
    ok = CliRunner().invoke(main, ["scan", str(REAL), "--cache-dir", str(tmp_path / "c")])
    assert ok.exit_code == 0
    assert "Says.lean:55\tdef\tMathlib.Tactic.Says.evalTacticCapturingTryThis" in ok.stdout
    missing = CliRunner().invoke(main, ["scan", str(tmp_path / "nope")])
    assert missing.exit_code != 0


def test_declaration_record_matches_the_documented_schema() -> None:
    """The JSON record carries exactly the documented fields with JSON types."""
    decl = scan(CONSTRUCTS / "Basic.lean").declarations[1]
    record = declaration_record(decl)
    assert record["attributes"] == ["simp", "grind ="] and record["has_docstring"] is False
    assert json.loads(json.dumps(record)) == record


# --- robustness: random token soups and truncated real files --------------------------------

TOKENS = [
    "theorem", "lemma", "def", "instance", "structure", "class", "inductive", "namespace", "end",
    "section", "mutual", "where", "|", ":=", ":", "(", ")", "[", "]", "{", "}", "⟨", "⟩", "@[",
    "/-", "-/", "/--", "/-!", "--", '"', "'", "'a'", "«", "»", "`(", "``(", "tactic|", "$x",
    "sorry", "in", "open", "set_option", "private", "noncomputable", "scoped", "_root_.", "Foo",
    "x.y", "α", "ℕ", "→", "=>", "macro", "syntax", "notation", "elab_rules", "alias", "⟨a, b⟩",
    "\n", "\n", "\n", " ", " ", "  ", "\t", "\\", "r#\"", "#guard_msgs", "import", "example",
]


@settings(max_examples=300, deadline=2000, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(TOKENS), max_size=120))
def test_random_token_soups_never_crash(tokens: list[str]) -> None:
    """Any sequence of Lean-like tokens scans without an exception, with lines inside the text."""
    text = "".join(tokens)
    result = scan_source(text, "Soup.lean")
    last = text.count("\n") + 1
    for decl in result.declarations:
        assert 1 <= decl.start_line <= decl.line <= last
        assert decl.line <= decl.end_line <= last or decl.end_line == decl.line
    for problem in result.problems:
        assert 1 <= problem.line <= last


@settings(max_examples=200, deadline=2000)
@given(st.text(max_size=400))
def test_arbitrary_text_never_crashes(text: str) -> None:
    """Arbitrary unicode text scans without an exception."""
    scan_source(text, "Any.lean")


REAL_TEXTS = [p.read_text(encoding="utf-8") for p in sorted(REAL.glob("*.lean"))]


@settings(max_examples=200, deadline=2000)
@given(st.sampled_from(REAL_TEXTS), st.floats(min_value=0, max_value=1), st.floats(0, 1))
def test_truncated_real_files_never_crash(text: str, cut: float, start: float) -> None:
    """Any slice of a real file scans without an exception."""
    a = int(len(text) * min(cut, start))
    b = int(len(text) * max(cut, start))
    scan_source(text[a:b], "Cut.lean")


@settings(max_examples=50, deadline=4000)
@given(st.binary(max_size=300))
def test_random_bytes_in_a_file_are_reported_not_fatal(tmp_path_factory: pytest.TempPathFactory,
                                                       raw: bytes) -> None:
    """A file of arbitrary bytes is scanned; undecodable bytes become a `non-utf8` problem."""
    directory = tmp_path_factory.mktemp("bytes")
    (directory / "X.lean").write_bytes(raw)
    result = read_declarations(directory)
    try:
        raw.decode("utf-8")
        decodable = True
    except UnicodeDecodeError:
        decodable = False
    assert decodable or any(p.code == "non-utf8" for p in result.problems)
