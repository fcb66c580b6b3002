"""Tests of the Lean source scan (mlcatalogue.scanner) on hand-written Lean 4 fixtures.

Real third-party files are not in the repository; the opt-in check at the end scans them when
MLCATALOGUE_REAL_LEAN names a directory holding them (tests/data/scanner/real/README.md).
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import sqlite3
import time
import warnings
from dataclasses import dataclass
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
        "instReprList_mathlib",
        "instInhabitedNat_mathlib",
        "Foo.instRepr",
    ]
    other = scan_source("instance : Inhabited Nat := ⟨0⟩\n", "Init/Data/Foo.lean")
    assert other.declarations[0].name == "instInhabitedNat"


def test_anonymous_instance_suffix_uses_the_project(tmp_path: Path) -> None:
    """An instance naming a constant of another file of the same project gets no suffix."""
    (tmp_path / "Proj").mkdir()
    (tmp_path / "Proj" / "A.lean").write_text("structure Widget where\n  x : Nat\n")
    (tmp_path / "Proj" / "B.lean").write_text("instance : Inhabited Widget := ⟨⟨0⟩⟩\n")
    names = [d.name for d in read_declarations(tmp_path).declarations]
    assert names == ["Widget", "instInhabitedWidget"]


def test_a_lower_case_project_root_is_a_module_root_but_source_folders_are_not(
    tmp_path: Path,
) -> None:
    """`equational_theories/…` is module `equational_theories.…` (a whole-project scan finds
    the constant in the other file); `src/lake/Lake/…` is module `Lake.…`."""
    (tmp_path / "equational_theories").mkdir()
    (tmp_path / "equational_theories" / "Law.lean").write_text("structure MagmaLaw where\n  x : Nat\n")
    (tmp_path / "equational_theories" / "Order.lean").write_text(
        "instance : Inhabited MagmaLaw := ⟨⟨0⟩⟩\ninstance : Inhabited Nat := ⟨0⟩\n"
    )
    (tmp_path / "src" / "lake" / "Lake").mkdir(parents=True)
    (tmp_path / "src" / "lake" / "Lake" / "Util.lean").write_text("instance : Inhabited Int := ⟨0⟩\n")
    names = [(d.path, d.name) for d in read_declarations(tmp_path).declarations]
    assert names == [
        ("equational_theories/Law.lean", "MagmaLaw"),
        ("equational_theories/Order.lean", "instInhabitedMagmaLaw"),
        ("equational_theories/Order.lean", "instInhabitedNat_equational_theories"),
        ("src/lake/Lake/Util.lean", "instInhabitedInt_lake"),
    ]


EDGE_CASES = [
    (
        # a macro argument `x:term,*` is expanded (`sepBy(term, ",", ", ")`) before Lean names
        # the macro, so both separators count; `syntax` names `term,*` unexpanded
        (
            "macro \"post⟨\" hs:term,+,? \"⟩\" : term => `(0)\n"
            "macro \"pick\" xs:ident,* : term => `(0)\n"
            "syntax \"pack\" term,* : term\n"
        ),
        [("«termPost⟨_,,⟩»", "macro", 1), ("«termPick_,,»", "macro", 2), ("termPack_", "syntax", 3)],
    ),
    (
        # a name glued to `(` is a parser function; one before a spaced `(` is an item
        (
            "syntax name := ident\ndeclare_syntax_cat tex\n"
            "syntax \"\\\\\" name (\"[\" tex* \"]\")* : tex\n"
            "syntax \"sep\" sepBy(tex, \";\") : tex\n"
        ),
        [
            ("name", "syntax", 1), ("Lean.Parser.Category.tex", "declare_syntax_cat", 2),
            ("«tex\\_[_]»", "syntax", 3), ("«texSep_;»", "syntax", 4),
        ],
    ),
    (
        # `rec` is a keyword only after `let`: `protected def rec` declares `Dual.rec`
        "namespace Dual\nprotected def rec : Nat := 0\ndef f : Nat :=\n  let rec go := 1\n  go\nend Dual\n",
        [("Dual.rec", "def", 2), ("Dual.f", "def", 3), ("Dual.f.go", "def", 4)],
    ),
    (
        "namespace A\r\n/-- doc -/\r\ntheorem t : True := trivial\r\nend A\r\ndef u := 1\r\n",
        [("A.t", "theorem", 3), ("u", "def", 5)],
    ),
    (
        "open Nat in theorem t : True := trivial\nset_option x true in\ndef d := 1\n",
        [("t", "theorem", 1), ("d", "def", 3)],
    ),
    (
        "namespace X\nscoped[Pos] notation \"ℕ⁺\" => PosNat\nlocal notation \"⌊\" e \"⌋\" => e\nend X\n",
        [("Pos.«termℕ⁺»", "notation", 2), ("X.«term⌊_⌋»", "notation", 3)],
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


# --- hand-written fixtures that stand in for real files --------------------------------------
# Each fixture is our own minimal Lean text for a construct that once came out wrong on real
# third-party code; the real files themselves are only checked on request (see the end).


def test_root_names_docstrings_and_scoped_bracket_notations() -> None:
    """`_root_` names, docstrings over several lines, `@[simp]` and scoped bracket notations."""
    result = scan(CONSTRUCTS / "Sampling.lean")
    assert triples(result) == [
        ("Sampling.spread", "def", 29),
        ("Sampling.realSpread", "def", 33),
        ("Sampler.Bounded.spread_lt_top", "theorem", 36),
        ("Sampling.spread_zero", "theorem", 41),
        ("Sampling.«termSpread[_]»", "notation", 44),
        ("Sampling.realSpread_nonneg", "theorem", 46),
        ("Sampling.realSpread_const'", "lemma", 49),
        ("Sampling.«termDev[_|_]»", "notation", 52),
    ]
    decls = by_name(result)
    spread = decls["Sampling.spread"]
    assert (spread.start_line, spread.line, spread.end_line) == (27, 29, 30)
    assert spread.docstring == (
        "The spread of `f` around `c`: the integral of the squared distance,\n"
        "as an extended nonnegative real."
    )
    assert decls["Sampling.spread_zero"].attributes == ("simp",)
    assert decls["Sampling.«termSpread[_]»"].modifiers == ("scoped",)
    (doc,) = result.module_docs
    assert doc.main_definitions == ("Sampling.spread", "Sampling.realSpread")
    assert doc.main_results == ("Sampling.spread_zero", "Sampler.Bounded.spread_lt_top")
    assert result.problems == ()


FOREST = [
    ("Woods.Node", "structure", 10),
    ("Woods.upD", "def", 18),
    ("Woods.upD_of_ge", "theorem", 21),
    ("Woods.Forest", "structure", 29),
    ("Woods.Forest.size", "abbrev", 38),
    ("Woods.Forest.instEmptyCollection", "instance", 40),
    ("Woods.Forest.heightCap", "def", 43),
    ("Woods.Forest.height_lt_heightCap", "theorem", 45),
    ("Woods.Forest.height_lt_heightCap.go", "theorem", 47),
    ("Woods.Forest.find", "def", 53),
    ("Woods.Forest.find!", "def", 62),
    ("Woods.Forest.findD", "def", 66),
    ("Doc.Decimal", "structure", 76),
    ("Doc.Decimal.ofNat", "def", 83),
    ("Doc.Decimal.instCoeNat", "instance", 85),
    ("Doc.Decimal.digitCount", "def", 87),
    ("Doc.Decimal.digitCount.loop", "def", 88),
    ("Doc.Decimal.lt", "def", 93),
    ("Doc.Decimal.instLT", "instance", 95),
    ("Doc.Decimal.instDecidableLt", "instance", 97),
    ("Doc.Decimal.instOrd", "instance", 99),
    ("Doc.Node", "inductive", 105),
    ("Doc.Node.getRecord?", "def", 114),
    ("Doc.Node.getText!", "def", 118),
    ("Doc.Node.setField!", "def", 122),
    ("Doc.Node.instCoeArray", "instance", 127),
]


def test_nested_namespaces_let_rec_and_bang_names() -> None:
    """Nested namespaces, `let rec`, `!`/`?` names and instances named inside their namespace."""
    result = scan(CONSTRUCTS / "Forest.lean")
    assert triples(result) == FOREST
    decls = by_name(result)
    assert (decls["Woods.Forest"].start_line, decls["Woods.Forest"].end_line) == (24, 33)
    assert decls["Woods.Forest.find"].end_line == 59  # `decreasing_by` belongs to it
    assert decls["Woods.Forest.findD"].attributes == ("inherit_doc find",)
    count = decls["Doc.Decimal.digitCount"]
    assert count.modifiers == ("private", "partial") and count.end_line == 91
    assert decls["Doc.Decimal.digitCount.loop"].end_line == 90
    assert decls["Doc.Decimal.ofNat"].modifiers == ("protected",)
    assert (decls["Doc.Node"].start_line, decls["Doc.Node"].end_line) == (104, 110)
    assert result.problems == ()


def test_notation_commands_and_instances_of_the_files_classes() -> None:
    """postfix/infixr/prefix/notation/syntax kinds, named syntax, `Of…` and named instances."""
    result = scan(CONSTRUCTS / "Notations.lean")
    assert triples(result) == [
        ("Mirror", "class", 9),
        ("«term_ᵐ»", "postfix", 13),
        ("Blend", "class", 16),
        ("«term_⋈_»", "syntax", 20),
        ("", "macro_rules", 22),
        ("Demo.Meta.hasBlend", "def", 30),
        ("Demo.Meta.blendName", "def", 33),
        ("Tilt", "class", 38),
        ("«term_⤳_»", "infixr", 41),
        ("Twice", "class", 44),
        ("«term⁑_»", "prefix", 47),
        ("Diamond", "class", 50),
        ("«term◆»", "notation", 53),
        ("Lift", "class", 56),
        ("liftNotation", "syntax", 60),
        ("LiftDep", "class", 63),
        ("instLiftDepOfLift", "instance", 66),
        ("boolLift", "instance", 68),
        ("instLift", "instance", 70),
        ("diamond_nonempty", "instance", 72),
        ("instDiamondUnit", "instance", 74),
    ]
    decls = by_name(result)
    assert (decls["Mirror"].start_line, decls["Mirror"].attributes) == (7, ("notation_class",))
    assert decls["«term_ᵐ»"].attributes == ("inherit_doc",)
    assert decls["liftNotation"].docstring == "Lifting written as a prefix."
    assert result.problems == ()


def test_tactic_file_with_options_named_syntax_and_elab_rules() -> None:
    """Options, a named tactic syntax, `elab_rules` with a quoted `def`, an unnamed initialize."""
    result = scan(CONSTRUCTS / "Echo.lean")
    assert triples(result) == [
        ("Demo.Tactic.Echo.echo.before", "register_option", 19),
        ("Demo.Tactic.Echo.echo.quiet", "register_option", 25),
        ("Demo.Tactic.Echo.runAndShow", "def", 31),
        ("Demo.Tactic.Echo.echo", "syntax", 38),
        ("", "elab_rules", 40),
        ("", "initialize", 47),
    ]
    decls = result.declarations
    assert decls[0].imports == ("Lean.Elab.Tactic.Basic", "Lean.Util.Trace")
    assert (decls[0].start_line, decls[0].end_line) == (18, 22)
    assert decls[4].end_line == 45
    assert result.problems == ()


ASSORTED = [
    ("Demo.Assorted.threshold", "irreducible_def", 17),
    ("Demo.Assorted.Magma", "class", 20),
    ("Demo.Assorted.Semigroup'", "class", 24),
    ("Demo.Assorted.Semigroup'.toMagmaAgain", "instance", 27),
    ("Demo.«term_⊚_»", "infixr", 29),
    ("Demo.Assorted.Settings", "structure", 34),
    ("Demo.Assorted.id", "def", 43),
    ("Demo.Assorted.false", "theorem", 45),
    ("Demo.Assorted.Tree", "inductive", 50),
    ("Demo.Assorted.Grove", "inductive", 53),
    ("Demo.Assorted.Tree.weight", "def", 59),
    ("Demo.Assorted.Grove.weight", "def", 63),
    ("Demo.Assorted.length_nil", "theorem", 73),
    ("Demo.Assorted.add_zero'", "lemma", 77),
    ("Demo.Assorted.pick", "abbrev", 80),
    ("Demo.Assorted.twiceOf", "def", 83),
    ("Demo.Assorted.depthRef", "builtin_initialize", 87),
    ("Demo.Assorted.demo.depth", "register_builtin_option", 89),
    ("Demo.Assorted.iterate", "def", 95),
    ("Demo.Assorted.iterate.loop", "def", 98),
    ("Demo.Assorted.chosen", "def", 105),
    ("Demo.Assorted.Indented.PathName", "def", 112),
    ("Demo.Assorted.Indented.inner", "theorem", 115),
    ("Demo.Assorted.instInhabitedSettings", "instance", 119),
]


def test_module_headers_omit_mutual_blocks_and_builtin_commands() -> None:
    """`module`, `omit … in`, mutual blocks, `#align`, builtin options and indented namespaces."""
    result = scan(CONSTRUCTS / "Assorted.lean")
    assert triples(result) == ASSORTED
    decls = by_name(result)
    assert decls["Demo.Assorted.threshold"].imports == ("Demo.Base", "Demo.Internal")
    assert decls["Demo.Assorted.threshold"].start_line == 16  # after `open scoped … in`
    assert decls["Demo.Assorted.id"].attributes == ("simps (attr := grind =) rounds",)
    assert decls["Demo.Assorted.id"].modifiers == ("protected",)
    assert decls["Demo.Assorted.Tree.weight"].end_line == 62  # with its `termination_by`
    assert decls["Demo.Assorted.add_zero'"].attributes == ("simp",)
    pick = decls["Demo.Assorted.pick"]
    assert (pick.start_line, pick.line, pick.modifiers) == (79, 80, ("noncomputable", "nonrec"))
    assert decls["Demo.Assorted.twiceOf"].modifiers == ("meta",)
    assert decls["Demo.Assorted.iterate"].end_line == 101
    path_name = decls["Demo.Assorted.Indented.PathName"]
    assert (path_name.start_line, path_name.end_line) == (111, 113)  # `deriving` belongs to it
    assert result.problems == ()


def test_where_and_let_rec_helpers_end_after_alternatives_at_their_column() -> None:
    """Helpers whose `| pattern =>` lines sit at the helper's column end after the last one."""
    decls = by_name(scan(CONSTRUCTS / "Helpers.lean"))
    spans = {name: (d.start_line, d.line, d.end_line) for name, d in decls.items()}
    assert spans == {
        "Demo.Runs.encode": (8, 9, 16),
        "Demo.Runs.encode.step": (10, 11, 16),
        "Demo.Runs.encode_nil": (18, 18, 24),
        "Demo.Runs.encode_nil.empty": (20, 20, 23),  # a `let rec` in a tactic proof
        "Demo.Runs.deal": (26, 27, 33),
        "Demo.Runs.deal.pile": (28, 30, 33),
        "Demo.Runs.prefixes": (35, 36, 42),
        "Demo.Runs.prefixes.build": (37, 37, 42),
        "Demo.Runs.positions": (44, 45, 52),
        "Demo.Runs.positions.scan": (48, 50, 52),  # `where` on a line of its own
        "Demo.Runs.afterHelpers": (54, 54, 54),
        "Demo.Runs.sumSquares": (56, 57, 63),
        # an attribute on its own line belongs to the helper below it: one declaration
        "Demo.Runs.sumSquares.square": (59, 60, 60),
        "Demo.Runs.sumSquares.go": (61, 61, 63),
    }
    assert len(decls) == len(scan(CONSTRUCTS / "Helpers.lean").declarations)
    assert decls["Demo.Runs.sumSquares.square"].attributes == ("inline",)
    assert decls["Demo.Runs.encode.step"].attributes == ("specialize",)
    assert decls["Demo.Runs.encode_nil.empty"].kind == "theorem"


def test_signature_with_let_lines_in_the_type_ends_at_the_real_assignment() -> None:
    """`letI := v` lines inside a statement do not end its signature; the body is left out."""
    text = (
        "namespace Equiv\n"
        "variable (K) in\n"
        "/-- Transport a module structure along `t`,\n"
        "together with its monoid. -/\n"
        "def transported (t : α ≃ β) :\n"
        "    letI := t.monoid\n"
        "    letI := t.action K\n"
        "    Module' K α :=\n"
        "  letI := t.monoid\n"
        "  letI := t.action K\n"
        "  { smul := fun k a => t.symm (k • t a)\n"
        "    smul_zero := by simp }\n"
        "\n"
        "@[simp]\n"
        "lemma transported_smul (t : α ≃ β) (k : K) (a : α) :\n"
        "    let _ := t.monoid\n"
        "    let _ := t.action K\n"
        "    (t.transported K).smul k a = t.symm (k • t a) := rfl\n"
        "end Equiv\n"
    )
    result = scan_source(text, "Demo/Transport.lean")
    assert triples(result) == [("Equiv.transported", "def", 5), ("Equiv.transported_smul", "lemma", 15)]
    definition, lemma = result.declarations
    assert (definition.start_line, definition.line, definition.end_line) == (3, 5, 12)
    assert definition.signature == (
        "transported (t : α ≃ β) : letI := t.monoid letI := t.action K Module' K α"
    )
    assert (lemma.start_line, lemma.end_line) == (14, 18)
    assert lemma.signature == (
        "transported_smul (t : α ≃ β) (k : K) (a : α) : let _ := t.monoid let _ := t.action K "
        "(t.transported K).smul k a = t.symm (k • t a)"
    )


def test_an_attribute_with_a_multi_line_doc_comment_is_one_attribute() -> None:
    """`@[to_additive /-- …, … -/ ]` over several lines is one attribute, its commas kept."""
    text = (
        "/-- Swapping the factors of a product, for types with the mixin class only. Prefer the\n"
        "bundled lemma, unless the product lives in a non-commutative structure. -/\n"
        "@[to_additive\n"
        "/-- Swapping the summands of a sum, for types with the mixin class only. Prefer the\n"
        "bundled lemma, unless the sum lives in a non-commutative structure. -/ ]\n"
        "lemma mul_swap' {S : Type*} [Mul S] [SwapsMul S] (x y : S) : x * y = y * x :=\n"
        "  SwapsMul.swap x y\n"
    )
    (decl,) = scan_source(text, "Demo/Swap.lean").declarations
    assert (decl.name, decl.start_line, decl.line, decl.end_line) == ("mul_swap'", 1, 6, 7)
    (attribute,) = decl.attributes
    assert attribute == (
        "to_additive /-- Swapping the summands of a sum, for types with the mixin class only. "
        "Prefer the bundled lemma, unless the sum lives in a non-commutative structure. -/"
    )
    assert decl.docstring is not None and decl.docstring.startswith("Swapping the factors")


INSTANCE_CASES = [
    (
        "id and Id give the same base name, numbered",
        (
            "instance [ToString α] : ToString (id α) := inferInstanceAs (ToString α)\n"
            "instance [ToString α] : ToString (Id α) := inferInstanceAs (ToString α)\n"
        ),
        "Demo/Show.lean",
        [("instToStringId_demo", "instance", 1), ("instToStringId_demo_1", "instance", 2)],
    ),
    (
        "a name the file declares later is auto-bound",
        (
            "structure Pair (α β : Type) where\n  fst : α\n  snd : β\n"
            "instance [Nonempty Right] : Nonempty (Pair Left Right) := sorry\n"
            "def Left := Nat\ndef Right := Nat\n"
        ),
        "Demo/Pairs.lean",
        [
            ("Pair", "structure", 1), ("instNonemptyPair", "instance", 4),
            ("Left", "def", 5), ("Right", "def", 6),
        ],
    ),
    (
        "a short name the file declared before is a constant",
        "class Small (n : Nat) : Prop\ndef κ : Nat := 0\ninstance : Small κ := ⟨⟩\n",
        "Demo/Small.lean",
        [("Small", "class", 1), ("κ", "def", 2), ("instSmallκ", "instance", 3)],
    ),
    (
        "letI in the type",
        (
            "class Small (n : Nat) : Prop\n"
            "instance (n : Nat) : letI := n; Small n := ⟨⟩\n"
            "instance (n : Nat) :\n    letI := n\n    Small n.succ := ⟨⟩\n"
        ),
        "Demo/Small.lean",
        [("Small", "class", 1), ("instSmall", "instance", 2), ("instSmallSucc", "instance", 3)],
    ),
    (
        "a lambda is named by its body",
        (
            "structure Shelf where\n  books : List String\n"
            "instance : GetElem Shelf Nat String fun _ _ => True := sorry\n"
        ),
        "Demo/Shelf.lean",
        [("Shelf", "structure", 1), ("instGetElemShelfNatStringTrue", "instance", 3)],
    ),
    (
        "an instance-implicit variable binds no name",
        (
            "namespace Wrap\ndef WrapT (m : Type → Type) (α : Type) := m α\n"
            "variable {m : Type → Type} [Monad m]\n"
            "instance : Monad (WrapT m) := sorry\nend Wrap\n"
            "def Guarded (m : Type → Type) (α : Type) := m (Option α)\n"
            "namespace Guarded\nvariable {m : Type → Type} [Monad m]\n"
            "instance : Monad (Guarded m) := sorry\nend Guarded\n"
        ),
        "Demo/Wrap.lean",
        [
            ("Wrap.WrapT", "def", 2), ("Wrap.instMonadWrapT", "instance", 4),
            ("Guarded", "def", 6), ("Guarded.instMonad", "instance", 9),
        ],
    ),
    (
        "equal generated names are numbered",
        (
            "class Raise (ε : Type) (m : Type → Type) where\n  raise : ε → m Unit\n"
            "def Guarded (ε : Type) (m : Type → Type) (α : Type) := m (Except ε α)\n"
            "instance (m : Type → Type) (ε₁ ε₂ : Type) [Monad m] [Raise ε₁ m] :"
            " Raise ε₁ (Guarded ε₂ m) := sorry\n"
            "instance (m : Type → Type) (ε : Type) [Monad m] : Raise ε (Guarded ε m) := sorry\n"
            "structure Box where\n  x : Nat\n"
            "instance : Inhabited Box := ⟨⟨0⟩⟩\ninstance : Inhabited Box := ⟨⟨1⟩⟩\n"
            "instance : Inhabited Box := ⟨⟨2⟩⟩\n"
        ),
        "Demo/Raise.lean",
        [
            ("Raise", "class", 1), ("Guarded", "def", 3),
            ("instRaiseGuardedOfMonad", "instance", 4), ("instRaiseGuardedOfMonad_1", "instance", 5),
            ("Box", "structure", 6), ("instInhabitedBox", "instance", 8),
            ("instInhabitedBox_1", "instance", 9), ("instInhabitedBox_2", "instance", 10),
        ],
    ),
    (
        "a field of a local structure is a constant of the file",
        (
            "structure Schedule where\n  rate : Nat → Nat\n  start : Nat\n"
            "instance (s : Schedule) (n : Nat) : NeZero (s.rate n) := sorry\n"
            "instance (s : Schedule) : NeZero s.start := sorry\n"
        ),
        "Demo/Schedule.lean",
        [
            ("Schedule", "structure", 1), ("instNeZeroRate", "instance", 4),
            ("instNeZeroStart", "instance", 5),
        ],
    ),
    (
        "a where helper follows its instance's final name",
        "instance : Inhabited Nat := ⟨go⟩\nwhere\n  go : Nat := 0\n",
        "Demo/Misc.lean",
        [("instInhabitedNat_demo", "instance", 1), ("instInhabitedNat_demo.go", "def", 3)],
    ),
    (
        "field notation on a parenthesised term names the field first",
        (
            "structure Signal where\n  x : Nat\n"
            "def Signal.shift (s : Signal) (k : Nat) : Signal := s\n"
            "class Signal.IsSteady (s : Signal) (k : Nat) : Prop\n"
            "instance (s : Signal) (k : Nat) [s.IsSteady k] (j : Nat) : (s.shift j).IsSteady k := sorry\n"
            "instance [Inhabited Nat] (s : Signal) (k : Nat) [s.IsSteady k] :"
            " (s.shift k).IsSteady k := sorry\n"
        ),
        "Demo/Signal.lean",
        [
            ("Signal", "structure", 1), ("Signal.shift", "def", 3), ("Signal.IsSteady", "class", 4),
            ("instIsSteadyShift", "instance", 5), ("instIsSteadyShiftOfInhabitedNat", "instance", 6),
        ],
    ),
    (
        "a file's own prefix notation stands for its constant",
        (
            "def orbit (K : Type) : Type := K\n"
            'local notation3 "𝒪" K:max => orbit K\n'
            "class Acts (G : Type) (M : Type) : Prop\n"
            "instance : Acts (𝒪 Nat) Nat := sorry\n"
            '@[inherit_doc] notation "𝕆" => orbit\n'
            "instance : Acts (𝕆 Int) Int := sorry\n"
        ),
        "Demo/Orbit.lean",
        [
            ("orbit", "def", 1), ("Acts", "class", 3), ("instActsOrbitNat", "instance", 4),
            ("term𝕆", "notation", 5), ("instActsOrbitInt", "instance", 6),
        ],
    ),
    (
        "a field of a parenthesised argument is named before the term it is applied to",
        (
            "structure Net (P : Type) where\n"
            "  Link : P → P → Prop\n"
            "def Net.full (P : Type) : Net P where\n"
            "  Link _ _ := True\n"
            "instance {P : Type} [DecidableEq P] : DecidableRel (Net.full P).Link :=\n"
            "  fun _ _ => isTrue trivial\n"
        ),
        "Demo/Nets.lean",
        [
            ("Net", "structure", 1), ("Net.full", "def", 3),
            ("instDecidableRelLinkFullOfDecidableEq", "instance", 5),
        ],
    ),
    (
        "a comparison of bound variables names their type, Lean's implicit argument",
        (
            "structure Slot where\n  n : Nat\n"
            "namespace Slot\n"
            "instance : LT Slot := ⟨fun a b => a.n < b.n⟩\n"
            "end Slot\n"
            "instance (a b : Slot) : Decidable (a < b) := inferInstanceAs (Decidable (a.n < b.n))\n"
        ),
        "Demo/Slots.lean",
        [("Slot", "structure", 1), ("Slot.instLT", "instance", 4), ("instDecidableLtSlot", "instance", 6)],
    ),
    (
        "a constant the file extends under the project's root is the project's: no suffix",
        (
            "namespace Demo.Tree\n"
            "def Knot.size : Knot → Nat := fun _ => 0\n"
            "instance : Inhabited Knot := ⟨sorry⟩\n"
            "instance : Inhabited Nat := ⟨0⟩\n"
            "end Demo.Tree\n"
        ),
        "Demo/Tree/Ops.lean",
        [
            ("Demo.Tree.Knot.size", "def", 2), ("Demo.Tree.instInhabitedKnot", "instance", 3),
            ("Demo.Tree.instInhabitedNat_demo", "instance", 4),
        ],
    ),
    (
        "an instance binder that a later class or type of the file takes is left out",
        (
            "class Metric (X : Type) where\n  dist : X → X → Nat\n"
            "class Proper (X : Type) [Metric X] : Prop where\n  bounded : True\n"
            "def Table (α : Type) [BEq α] [Hashable α] := List α\n"
            "instance {X Y : Type} [Metric X] [Metric Y] [Proper X] [Proper Y] :"
            " Proper (X × Y) := sorry\n"
            "instance {α : Type} [BEq α] [Hashable α] : Inhabited (Table α) := ⟨[]⟩\n"
            "instance {α : Type} [BEq α] [Hashable α] [Nonempty α] : Nonempty (Table α) := sorry\n"
        ),
        "Demo/Metric.lean",
        [
            ("Metric", "class", 1), ("Proper", "class", 3), ("Table", "def", 5),
            ("instProperProd", "instance", 6), ("instInhabitedTable", "instance", 7),
            ("instNonemptyTable", "instance", 8),
        ],
    ),
    (
        "a dependent pair type (a : α) × β a is Sigma",
        (
            "structure Bag (α : Type) (β : α → Type) where\n  items : List ((a : α) × β a)\n"
            "instance {α : Type} {β : α → Type} : Singleton ((a : α) × β a) (Bag α β) := sorry\n"
            "instance {α : Type} {β : α → Type} : Membership ((a : α) ×' β a) (Bag α β) := sorry\n"
        ),
        "Demo/Bag.lean",
        [
            ("Bag", "structure", 1), ("instSingletonSigmaBag", "instance", 3),
            ("instMembershipPSigmaBag", "instance", 4),
        ],
    ),
    (
        "class fields, exported or opened, are constants of the module",
        (
            "namespace Model\n"
            "class Params where\n  Λ : Type\n  κ : Type\n  [Λ_nonempty : Nonempty Λ]\n"
            "  (r d : Nat)\n"
            "export Params (Λ κ)\n"
            "variable [Params]\n"
            "instance : Inhabited Λ := sorry\n"
            "instance : Inhabited κ := sorry\n"
            "open Params in\n"
            "instance : NeZero r := sorry\n"
            "open Params (d)\n"
            "instance : NeZero d := sorry\n"
            "instance : NeZero r := sorry\n"
            "end Model\n"
        ),
        "Demo/Model.lean",
        [
            ("Model.Params", "class", 2),
            ("Model.instInhabitedΛ", "instance", 9),  # Greek stays as it is (ASCII capitalize)
            ("Model.instInhabitedκ", "instance", 10),
            ("Model.instNeZeroR", "instance", 12),
            ("Model.instNeZeroD", "instance", 14),
            # `open Params in` opened it for one command only: `r` is a variable again
            ("Model.instNeZero_demo", "instance", 15),
        ],
    ),
    (
        "in a base library a constant no file declares and not Lean's is the library's own",
        (
            "instance : Nontrivial NNReal := sorry\n"
            "instance : Inhabited Nat := ⟨0⟩\n"
            "namespace Lean.Meta\ninstance : ToExpr Interval := sorry\nend Lean.Meta\n"
        ),
        "Mathlib/Order/Interval.lean",
        [
            ("instNontrivialNNReal", "instance", 1), ("instInhabitedNat_mathlib", "instance", 2),
            # inside a namespace of Lean's own, unknown names are taken to be Lean's
            ("Lean.Meta.instToExprInterval_mathlib", "instance", 4),
        ],
    ),
    (
        "in a project on top of a library, a constant no file declares comes from the library",
        "instance : Nontrivial NNReal := sorry\n",
        "FLT/Basic.lean",
        [("instNontrivialNNReal_fLT", "instance", 1)],
    ),
    (
        "postfix type notations name their constants",
        (
            "variable {α : Type}\n"
            "instance [Foo α] : Foo αᵒᵈ := sorry\n"
            "instance [Foo α] : Foo αᵐᵒᵖ := sorry\n"
            "instance [Foo α] : Foo (WithTop α)ᵒᵈ := sorry\n"
            "instance [Foo α] : Foo αᵃᵒᵖˣ := sorry\n"
        ),
        "Mathlib/Order/Dual.lean",
        [
            ("instFooOrderDual", "instance", 2), ("instFooMulOpposite", "instance", 3),
            ("instFooOrderDualWithTop", "instance", 4), ("instFooUnitsAddOpposite", "instance", 5),
        ],
    ),
    (
        "binders a mixin or a common class takes are left out; others stay",
        (
            "variable {α X K : Type}\n"
            "instance [BEq α] [LawfulBEq α] : LawfulBEq (Option α) := sorry\n"
            "instance [Mul α] [IsLeftCancelMul α] : IsLeftCancelMul αᵒᵈ := sorry\n"
            "instance [Add X] : VAdd X (List X) := sorry\n"
            "instance [Semiring K] [AddCommGroup X] [Module K X] : Module K (List X) := sorry\n"
            "instance [TopologicalSpace X] [T2Space X] : T2Space (Option X) := sorry\n"
            "instance [Monad m] [MonadExceptOf α m] : MonadExceptOf α (OptionT m) := sorry\n"
        ),
        "Demo/Mixins.lean",
        [
            ("instLawfulBEqOption_demo", "instance", 2),
            ("instIsLeftCancelMulOrderDual_demo", "instance", 3),
            ("instVAddListOfAdd_demo", "instance", 4), ("instModuleList_demo", "instance", 5),
            ("instT2SpaceOption_demo", "instance", 6),
            ("instMonadExceptOfOptionTOfMonad_demo", "instance", 7),
        ],
    ),
    (
        "the implicit type of a decidable predicate is named first; raw literals not at all",
        (
            "structure Pos where\n  val : Nat\n"
            "instance : OfNat Pos (nat_lit 0) := ⟨⟨0⟩⟩\n"
            "instance : LT Pos := ⟨(·.val < ·.val)⟩\n"
            "instance : DecidableRel (LT.lt (α := Pos)) := sorry\n"
            "def IsEven (p : Pos) : Prop := p.val % 2 = 0\n"
            "instance : DecidablePred (IsEven : Pos → Prop) := sorry\n"
        ),
        "Demo/Pos.lean",
        [
            ("Pos", "structure", 1), ("instOfNatPos", "instance", 3), ("instLTPos", "instance", 4),
            ("instDecidableRelPosLt", "instance", 5), ("IsEven", "def", 6),
            ("instDecidablePredPosIsEven", "instance", 7),
        ],
    ),
    (
        "the file's own infix notations stand for their constants",
        (
            "inductive Path (α β : Type) where\n  | nil\n"
            "infix:60 \" ↝ \" => Path\n"
            "def Arrow (α β : Type) : Type := α → β\n"
            "notation:50 a:51 \" ⇒ₗ \" b:50 => Arrow a b\n"
            "instance {α β : Type} : Inhabited (α ↝ β) := ⟨.nil⟩\n"
            "instance {α β : Type} [Inhabited β] : Inhabited (α ⇒ₗ β) := ⟨fun _ => default⟩\n"
        ),
        "Demo/Path.lean",
        [
            ("Path", "inductive", 1), ("«term_↝_»", "infix", 3), ("Arrow", "def", 4),
            ("«term_⇒ₗ_»", "notation", 5), ("instInhabitedPath", "instance", 6),
            ("instInhabitedArrow", "instance", 7),
        ],
    ),
    (
        "lower-case names the file does not declare are auto-bound variables",
        (
            "inductive Inline (genre : Type) where\n  | text\n"
            "instance : Append (Inline genre) := sorry\n"
            "instance [ToString genre] : ToString (Inline genre) := sorry\n"
            "instance : Inhabited (Inline true) := sorry\n"
        ),
        "Demo/Inline.lean",
        [
            ("Inline", "inductive", 1), ("instAppendInline", "instance", 3),
            ("instToStringInline", "instance", 4),
            ("instInhabitedInlineTrue", "instance", 5),  # `true` is Lean's `Bool.true`
        ],
    ),
    (
        "order binders that a bundled order hom takes are left out",
        (
            "namespace OrderHom\n"
            "variable {α β : Type}\n"
            "instance [Preorder α] [SemilatticeSup β] : Max (α →o β) := sorry\n"
            "instance [Preorder α] [Preorder β] [OrderBot β] : Bot (α →o β) := sorry\n"
            "end OrderHom\n"
        ),
        "Mathlib/Order/Hom/Demo.lean",
        [
            ("OrderHom.instMax", "instance", 3), ("OrderHom.instBotOfOrderBot", "instance", 4),
        ],
    ),
    (
        "binders that scalar-action classes take are left out, what gives them included",
        (
            "variable {α β R : Type}\n"
            "structure Box (R : Type) where\n  x : R\n"
            "instance [SMul α β] [IsScalarTower α β R] : IsScalarTower α β (Box R) := sorry\n"
            "instance [SMul αᵐᵒᵖ R] [IsCentralScalar α R] : IsCentralScalar α (Box R) := sorry\n"
            "instance [Monoid α] [MulAction α R] [IsScalarTower α R R] :"
            " MulAction α (Box R) := sorry\n"
            "instance [BEq α] [ReflBEq α] : ReflBEq (Box α) := sorry\n"
            "class Lifts (m : Type → Type) [Functor m] [LawfulFunctor m] where\n  ok : True\n"
            "instance [Monad m] [LawfulMonad m] [Lifts m] : Lifts (OptionT m) := sorry\n"
        ),
        "Demo/Scalar.lean",
        [
            ("Box", "structure", 2), ("instIsScalarTowerBox", "instance", 4),
            ("instIsCentralScalarBox", "instance", 5),
            ("instMulActionBoxOfIsScalarTower", "instance", 6),
            ("instReflBEqBox", "instance", 7), ("Lifts", "class", 8),
            ("instLiftsOptionT", "instance", 10),
        ],
    ),
    (
        "instances declared by deriving take their names first",
        (
            "namespace Wire\n"
            "structure Reply where\n  text : String\nderiving Repr, BEq\n"
            "instance : Repr Reply := ⟨fun _ _ => \"reply\"⟩\n"
            "inductive Code where\n  | ok | fail\n"
            "deriving instance Hashable for Code\n"
            "instance : Hashable Code := ⟨fun _ => 0⟩\n"
            "instance : Inhabited Code := ⟨.ok⟩\n"
            "end Wire\n"
        ),
        "Demo/Wire.lean",
        [
            ("Wire.Reply", "structure", 2), ("Wire.instReprReply_1", "instance", 5),
            ("Wire.Code", "inductive", 6), ("Wire.instHashableCode_1", "instance", 9),
            ("Wire.instInhabitedCode", "instance", 10),
        ],
    ),
]


@pytest.mark.parametrize(("case", "text", "path", "expected"), INSTANCE_CASES, ids=[c[0] for c in INSTANCE_CASES])
def test_instance_names_follow_lean_name_generation(
    case: str, text: str, path: str, expected: list[tuple[str, str, int]]
) -> None:
    """Each anonymous instance gets the name Lean's generator gives it, on its own line."""
    result = scan_source(text, path)
    assert triples(result) == expected
    assert result.problems == ()


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


def test_where_helper_with_its_body_at_its_column_ends_after_the_match() -> None:
    """A `where` helper whose body starts at its own column ends after that body's `match`."""
    text = (
        "def walk (n : Nat) : Nat :=\n"
        "  step n\n"
        "where\n"
        "  step (k : Nat) : Nat :=\n"
        "  let j := k\n"
        "  match j with\n"
        "  | 0 => 1\n"
        "  | i + 1 => step i\n"
        "  stop : Nat := 2\n"
        "\n"
        "def after := 1\n"
    )
    decls = by_name(scan_source(text, "T.lean"))
    assert [(d.name, d.line, d.end_line) for d in decls.values()] == [
        ("walk", 1, 9), ("walk.step", 4, 8), ("walk.stop", 9, 9), ("after", 11, 11),
    ]


def test_attribute_commas_inside_strings_and_comments_do_not_split() -> None:
    """Attributes split at top-level commas only, not inside strings, brackets or comments."""
    text = '@[simp, deprecated "a, b" (since := "x"), to_additive /-- c, d -/] theorem t : True := trivial\n'
    (decl,) = scan_source(text, "T.lean").declarations
    assert decl.attributes == ("simp", 'deprecated "a, b" (since := "x")', "to_additive /-- c, d -/")


COMMAND_CASES = [
    (
        "old alias syntax declares the names after the arrow",
        (
            "namespace Demo\ntheorem add_swap : True := trivial\n"
            "alias add_swap ← swap_add\n"
            "alias add_swap ← swap_add' add_swap'\n"
            "theorem le_iff : True ↔ True := Iff.rfl\n"
            "alias le_iff ↔ le_of_x x_of_le\n"
            "alias le_iff ↔ _ x_of_le'\n"
            "end Demo\n"
        ),
        "Demo/Alias.lean",
        [
            ("Demo.add_swap", "theorem", 2), ("Demo.swap_add", "alias", 3), ("Demo.swap_add'", "alias", 4),
            ("Demo.add_swap'", "alias", 4), ("Demo.le_iff", "theorem", 5), ("Demo.le_of_x", "alias", 6),
            ("Demo.x_of_le", "alias", 6), ("Demo.x_of_le'", "alias", 7),
        ],
    ),
    (
        "a named macro argument contributes only what it names",
        (
            "namespace Demo.Tac\n"
            'macro:1 a:tactic sep:" >>> " b:tactic:2 : tactic => `(tactic| ($a; $b))\n'
            "end Demo.Tac\n"
            'macro "note!" k:ident "[" v:(str <|> num) "]" : doElem => `(doElem| pure ())\n'
            'macro "twice " t:term:max : term => `($t + $t)\n'
        ),
        "Demo/Macro.lean",
        [
            ("Demo.Tac.«tactic_>>>_»", "macro", 2),
            ("«doElemNote!_[__]»", "macro", 4),
            ("termTwice_", "macro", 5),
        ],
    ),
    (
        "a syntax abbreviation is named by its identifier",
        (
            "namespace Demo.Tac\n"
            "/-- An optional `with` clause. -/\n"
            'syntax withClause := " with " ident+\n'
            'syntax starTarget := " ⋆"\n'
            'syntax "spin" withClause : tactic\n'
            "end Demo.Tac\n"
        ),
        "Demo/Abbrev.lean",
        [
            ("Demo.Tac.withClause", "syntax", 3),
            ("Demo.Tac.starTarget", "syntax", 4),
            ("Demo.Tac.tacticSpin_", "syntax", 5),
        ],
    ),
    (
        "declare_syntax_cat declares Lean.Parser.Category.<cat>, whatever the namespace",
        (
            "namespace Demo.Markup\n/-- Markup blocks. -/\ndeclare_syntax_cat mblock\n"
            "declare_syntax_cat minline (behavior := both)\n"
            "scoped syntax mblock : minline\nscoped syntax str : minline\nend Demo.Markup\n"
        ),
        "Demo/Markup.lean",
        [
            ("Lean.Parser.Category.mblock", "declare_syntax_cat", 3),
            ("Lean.Parser.Category.minline", "declare_syntax_cat", 4),
            ("Demo.Markup.minline_", "syntax", 5),
            ("Demo.Markup.minline__1", "syntax", 6),  # the same generated kind again
        ],
    ),
]


@pytest.mark.parametrize(("case", "text", "path", "expected"), COMMAND_CASES, ids=[c[0] for c in COMMAND_CASES])
def test_alias_macro_and_syntax_commands_have_exact_names_and_lines(
    case: str, text: str, path: str, expected: list[tuple[str, str, int]]
) -> None:
    """Older `alias` forms, named macro arguments, syntax abbreviations and categories get Lean's names."""
    result = scan_source(text, path)
    assert triples(result) == expected
    assert result.problems == ()


def test_notation3_after_attributes_ends_the_previous_declaration() -> None:
    """`@[inherit_doc] notation3 …` and `local notation3 …` are commands: a body stops before them."""
    text = (
        "def spreadOf (X : Nat) := X\n\n"
        '@[inherit_doc spreadOf] notation3:max "S⟦" X "⟧" => spreadOf X\n'
        'local notation3 "Σ" K:max => spreadOf K\n'
        "lemma spreadOf_zero : spreadOf 0 = 0 := rfl\n"
    )
    result = scan_source(text, "Demo/Spread.lean")
    assert triples(result) == [("spreadOf", "def", 1), ("spreadOf_zero", "lemma", 5)]
    assert result.declarations[0].end_line == 1


def test_declare_syntax_cat_keeps_its_docstring() -> None:
    """The category's docstring and signature are recorded like any declaration's."""
    text = "/-- Markup blocks. -/\ndeclare_syntax_cat mblock (behavior := symbol)\n"
    (decl,) = scan_source(text, "Demo/Markup.lean").declarations
    assert (decl.docstring, decl.start_line, decl.signature) == (
        "Markup blocks.", 1, "mblock (behavior := symbol)"
    )


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
    shutil.copytree(CONSTRUCTS, src)
    cache = tmp_path / "cache"
    fresh = read_declarations(src)
    read_declarations(src, cache_dir=cache)
    cache_file(cache).write_bytes(b"this is not an SQLite database" * 100)
    assert read_declarations(src, cache_dir=cache) == fresh
    with sqlite3.connect(cache_file(cache)) as db:
        assert db.execute("SELECT count(*) FROM files").fetchone()[0] == len(list(CONSTRUCTS.glob("*.lean")))


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

    assert names() == ["instInhabitedWidget_proj"]
    write_old(src / "B.lean", "structure Widget where\n  x : Nat\n")
    assert names() == ["instInhabitedWidget", "Widget"]
    assert names() == ["instInhabitedWidget", "Widget"]  # warm: no naming pass at all
    (src / "B.lean").unlink()
    assert names() == ["instInhabitedWidget_proj"]
    assert names() == ["instInhabitedWidget_proj"]


def test_cached_results_equal_fresh_ones(tmp_path: Path) -> None:
    """A scan served from the cache is identical to a fresh scan."""
    tree = tmp_path / "t"
    shutil.copytree(CONSTRUCTS, tree)
    fresh = read_declarations(tree)
    read_declarations(tree, cache_dir=tmp_path / "c")
    cached = read_declarations(tree, cache_dir=tmp_path / "c")
    assert cached == fresh


def risk_is_inferred(lines: list[dict[str, object]]) -> bool:
    return bool(next(line for line in lines if line["name"] == "Foo.Bar.risk")["inferred_name"])


def test_cli_scan_json_lines_and_problems_on_stderr() -> None:
    """`scan --json` prints one object per declaration; problems go to stderr; exit 0."""
    result = CliRunner().invoke(main, ["scan", str(CONSTRUCTS), "--json"])
    assert result.exit_code == 0
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert all(set(line) == {
        "name", "kind", "path", "line", "start_line", "end_line", "modifiers", "attributes",
        "docstring", "has_docstring", "signature", "has_sorry", "imports", "inferred_name",
    } for line in lines)
    # names the source does not write (anonymous instances, their helpers) say so
    inferred = {line["name"] for line in lines if line["inferred_name"]}
    assert inferred and all(".inst" in name or name.startswith("inst") for name in inferred)
    assert not risk_is_inferred(lines)
    risk = next(line for line in lines if line["name"] == "Foo.Bar.risk")
    assert {"name": "Foo.Bar.risk", "kind": "def", "path": "Basic.lean", "line": 21}.items() <= risk.items()
    assert [line["path"] for line in lines] == sorted(line["path"] for line in lines)
    assert "Broken.lean:5: [end-mismatch]" in result.stderr
    assert "Latin1.lean:1: [non-utf8]" in result.stderr
    assert "declarations" in result.stderr.splitlines()[-1]


def test_cli_scan_table_and_missing_directory(tmp_path: Path) -> None:
    """The human output is a table of path:line, kind, name; a missing directory exits non-zero."""
    ok = CliRunner().invoke(main, ["scan", str(CONSTRUCTS), "--cache-dir", str(tmp_path / "c")])
    assert ok.exit_code == 0
    assert "Echo.lean:31\tdef\tDemo.Tactic.Echo.runAndShow" in ok.stdout
    missing = CliRunner().invoke(main, ["scan", str(tmp_path / "nope")])
    assert missing.exit_code != 0


def parallel_tree(root: Path, copies: int) -> Path:
    """`copies` copies of the construct fixtures, each in its own namespace (a tree to share out)."""
    for copy in range(copies):
        for fixture in sorted(CONSTRUCTS.glob("*.lean")):
            target = root / f"Part{copy}" / fixture.name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(f"namespace Copy{copy}\n".encode() + fixture.read_bytes())
    return root


def test_worker_processes_give_the_same_result_as_one_process(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With jobs > 1 the files are parsed by real worker processes; the result is identical,
    problems (bad bytes, mismatched `end`) included, and the cache they fill is the same."""
    from mlcatalogue import scanner

    monkeypatch.setattr(scanner, "_PARALLEL_MIN_BYTES", 0)  # share out even this small tree
    tree = parallel_tree(tmp_path / "tree", copies=3)
    alone = read_declarations(tree)
    seen: list[int] = []
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # the in-process fallback would warn
        shared = read_declarations(tree, jobs=2, on_file=lambda count, _path: seen.append(count))
    assert shared == alone
    assert seen == list(range(1, len(list(tree.rglob("*.lean"))) + 1))
    assert {p.code for p in shared.problems} >= {"non-utf8", "end-mismatch"}
    # A cache filled by the workers serves the next scan, in either mode.
    assert read_declarations(tree, cache_dir=tmp_path / "c", jobs=2) == alone
    assert read_declarations(tree, cache_dir=tmp_path / "c") == alone


def test_jobs_must_be_positive(tmp_path: Path) -> None:
    """`jobs` below 1 is refused by the API and by `scan --jobs`, naming the value."""
    with pytest.raises(ValueError, match="jobs must be at least 1, not 0"):
        read_declarations(CONSTRUCTS, jobs=0)
    refused = CliRunner().invoke(main, ["scan", str(CONSTRUCTS), "--jobs", "0"])
    assert refused.exit_code == 2 and "--jobs" in refused.output


def test_cli_scan_with_workers_matches_one_process(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`scan --jobs 2 --json` prints exactly what `--jobs 1` prints."""
    from mlcatalogue import scanner

    monkeypatch.setattr(scanner, "_PARALLEL_MIN_BYTES", 0)
    tree = parallel_tree(tmp_path / "tree", copies=2)
    one = CliRunner().invoke(main, ["scan", str(tree), "--json", "--jobs", "1"])
    two = CliRunner().invoke(main, ["scan", str(tree), "--json", "-j", "2"])
    assert one.exit_code == two.exit_code == 0
    assert one.stdout == two.stdout and one.stdout.count("\n") > 100


def test_inferred_names_are_marked_and_survive_the_cache(tmp_path: Path) -> None:
    """An anonymous instance and its helper carry `inferred_name`; named ones do not; the mark
    comes back unchanged from the cache."""
    (tmp_path / "Demo").mkdir()
    write_old(
        tmp_path / "Demo" / "Misc.lean",
        "instance : Inhabited Nat := ⟨go⟩\nwhere\n  go : Nat := 0\n"
        "instance named : Inhabited Int := ⟨0⟩\n",
    )
    fresh = read_declarations(tmp_path)
    marks = [(d.name, d.inferred_name) for d in fresh.declarations]
    assert marks == [
        ("instInhabitedNat_demo", True), ("instInhabitedNat_demo.go", True), ("named", False),
    ]
    read_declarations(tmp_path, cache_dir=tmp_path / "c")
    assert read_declarations(tmp_path, cache_dir=tmp_path / "c") == fresh
    table = CliRunner().invoke(main, ["scan", str(tmp_path)])
    assert "Demo/Misc.lean:1\tinstance\tinstInhabitedNat_demo inferred-name" in table.stdout
    assert "Demo/Misc.lean:4\tinstance\tnamed\n" in table.stdout


def test_declaration_record_matches_the_documented_schema() -> None:
    """The JSON record carries exactly the documented fields with JSON types."""
    decl = scan(CONSTRUCTS / "Basic.lean").declarations[1]
    record = declaration_record(decl)
    assert record["attributes"] == ["simp", "grind ="] and record["has_docstring"] is False
    assert json.loads(json.dumps(record)) == record


# --- opt-in: accuracy on real third-party Lean files ------------------------------------------
# The real files are not part of the repository: tests/data/scanner/real/README.md says where
# each comes from (repository, path, commit, lines) and EXPECTED.tsv lists its hand-checked
# declarations. Fetch them into a directory and name it in MLCATALOGUE_REAL_LEAN to run these.

REAL_ENV = "MLCATALOGUE_REAL_LEAN"

# Where each real file lives in its project (instance-name suffixes depend on it).
ORIGINS = {
    "AesopRuleName.lean": "Aesop/Rule/Name.lean",
    "AesopTreeData.lean": "Aesop/Tree/Data.lean",
    "BanditsAlgorithm.lean": "LeanBandits/SequentialLearning/Algorithm.lean",
    "BuiltinNotation.lean": "Lean/Elab/BuiltinNotation.lean",
    "CategoryIso.lean": "Mathlib/CategoryTheory/Iso.lean",
    "CliBasic.lean": "Cli/Basic.lean",
    "Coe.lean": "Init/Coe.lean",
    "ControlExcept.lean": "Init/Control/Except.lean",
    "ConvexBasic.lean": "Mathlib/Analysis/Convex/Basic.lean",
    "DiscrTree.lean": "Lean/Meta/DiscrTree.lean",
    "DocGenProcessBase.lean": "DocGen4/Process/Base.lean",
    "ElabUtil.lean": "Lean/Elab/Util.lean",
    "EntropyBasic.lean": "PFR/ForMathlib/Entropy/Basic.lean",
    "FVarSubst.lean": "Lean/Meta/Tactic/FVarSubst.lean",
    "FunctorBasic.lean": "Mathlib/CategoryTheory/Functor/Basic.lean",
    "GaloisRep.lean": "FLT/Deformations/RepresentationTheory/GaloisRep.lean",
    "GradientDescent.lean": "LeanMachineLearning/Optimization/Algorithms/GradientDescent.lean",
    "GroupDefs.lean": "Mathlib/Algebra/Group/Defs.lean",
    "HashMapBasic.lean": "Std/Data/HashMap/Basic.lean",
    "InfiniteSumDefs.lean": "Mathlib/Topology/Algebra/InfiniteSum/Defs.lean",
    "InitNotation.lean": "Init/Notation.lean",
    "InitTactics.lean": "Init/Tactics.lean",
    "JsonBasic.lean": "Lean/Data/Json/Basic.lean",
    "LakeCli.lean": "Lake/Util/Cli.lean",
    "LeanTrace.lean": "Lean/Util/Trace.lean",
    "LinearProjection.lean": "Mathlib/LinearAlgebra/Projection.lean",
    "ListBasic.lean": "Batteries/Data/List/Basic.lean",
    "Lists.lean": "Mathlib/SetTheory/Lists.lean",
    "Magma.lean": "equational_theories/Magma.lean",
    "NatDigits.lean": "Mathlib/Data/Nat/Digits.lean",
    "OptlibBCDScheme.lean": "Optlib/Algorithm/BCD/Scheme.lean",
    "OrderBasic.lean": "Mathlib/Order/Basic.lean",
    "OrderNotation.lean": "Mathlib/Order/Notation.lean",
    "PlausibleGen.lean": "Plausible/Gen.lean",
    "ProofWidgetsHtml.lean": "ProofWidgets/Data/Html.lean",
    "RBMapBasic.lean": "Batteries/Data/RBMap/Basic.lean",
    "Repr.lean": "Init/Data/Repr.lean",
    "RingDefs.lean": "Mathlib/Algebra/Ring/Defs.lean",
    "Says.lean": "Mathlib/Tactic/Says.lean",
    "ServerUtils.lean": "Lean/Server/Utils.lean",
    "SetNotation.lean": "Mathlib/Order/SetNotation.lean",
    "SimpleGraphBasic.lean": "Mathlib/Combinatorics/SimpleGraph/Basic.lean",
    "TacticBasic.lean": "Mathlib/Tactic/Basic.lean",
    "TacticChoose.lean": "Mathlib/Tactic/Choose.lean",
    "TransferInstance.lean": "Mathlib/Topology/Algebra/Module/TransferInstance.lean",
    "UnionFindBasic.lean": "Batteries/Data/UnionFind/Basic.lean",
    "Variance.lean": "Mathlib/Probability/Variance.lean",
    "XmlBasic.lean": "Lean/Data/Xml/Basic.lean",
    "BatteriesMLList.lean": "Batteries/Data/MLList/Basic.lean",
    "FormalConjTMNotation.lean": "FormalConjectures/ForMathlib/Computability/TuringMachine/Notation.lean",
    "InitSubarray.lean": "Init/Data/Array/Subarray.lean",
    "MathlibFilterGermBasic.lean": "Mathlib/Order/Filter/Germ/Basic.lean",
    "MathlibInvertibleDefs.lean": "Mathlib/Algebra/Group/Invertible/Defs.lean",
    "MathlibListDestutter.lean": "Mathlib/Data/List/Destutter.lean",
    "MathlibNormedGroupUltra.lean": "Mathlib/Analysis/Normed/Group/Ultra.lean",
    "MathlibPerpBisector.lean": "Mathlib/Geometry/Euclidean/PerpBisector.lean",
    "MathlibTopologyDefsFilter.lean": "Mathlib/Topology/Defs/Filter.lean",
    "PhysLeanFourTree.lean": "PhysLean/Mathematics/DataStructures/FourTree/Basic.lean",
    "PlausibleArbitrary.lean": "Plausible/Arbitrary.lean",
    "StdHashSetBasic.lean": "Std/Data/HashSet/Basic.lean",
    "BatteriesSatisfiesM.lean": "Batteries/Classes/SatisfiesM.lean",
    "CamCombiContainment.lean": "LeanCamCombi/Mathlib/Combinatorics/SimpleGraph/Containment.lean",
    "ConNFTree.lean": "ConNF/Setup/Tree.lean",
    "EqTheoriesDefinability.lean": "equational_theories/Definability/Basic.lean",
    "EquivOption.lean": "Mathlib/Logic/Equiv/Option.lean",
    "FLTBasic.lean": "Mathlib/NumberTheory/FLT/Basic.lean",
    "GameShort.lean": "Mathlib/SetTheory/Game/Short.lean",
    "InitOptionBasic.lean": "Init/Data/Option/Basic.lean",
    "LeanLspBasic.lean": "Lean/Data/Lsp/Basic.lean",
    "PMFBasic.lean": "Mathlib/Probability/ProbabilityMassFunction/Basic.lean",
    "PfrEntropyMeasure.lean": "PFR/ForMathlib/Entropy/Measure.lean",
    "PhysLeanSpaceBasic.lean": "PhysLean/SpaceAndTime/Space/Basic.lean",
    "PlausibleRandom.lean": "Plausible/Random.lean",
    "QuiverSymmetric.lean": "Mathlib/Combinatorics/Quiver/Symmetric.lean",
    "RingConBasic.lean": "Mathlib/RingTheory/Congruence/Basic.lean",
    "SciLeanSolveFun.lean": "SciLean/Util/SolveFun.lean",
    "StdDoPostCond.lean": "Std/Do/PostCond.lean",
    "VersoOutputTeX.lean": "Verso/Output/TeX.lean",
    "AesopFrontendRuleExpr.lean": "Aesop/Frontend/RuleExpr.lean",
    "ConNFSetupPath.lean": "ConNF/Setup/Path.lean",
    "FormalConjecturesAttributes.lean": "FormalConjectures/Util/Attributes.lean",
    "LakeUtilVersion.lean": "Lake/Util/Version.lean",
    "LeanCamCombiGroupMarking.lean": "LeanCamCombi/GroupMarking.lean",
    "LeanDataJsonParser.lean": "Lean/Data/Json/Parser.lean",
    "LeanServerRpcBasic.lean": "Lean/Server/Rpc/Basic.lean",
    "MathlibBigOperatorsFinsetDefs.lean": "Mathlib/Algebra/BigOperators/Group/Finset/Defs.lean",
    "MathlibCategoryTheoryDiscreteBasic.lean": "Mathlib/CategoryTheory/Discrete/Basic.lean",
    "MathlibDataSumOrder.lean": "Mathlib/Data/Sum/Order.lean",
    "MathlibOrderHomOrder.lean": "Mathlib/Order/Hom/Order.lean",
    "MathlibTopologyInstancesMatrix.lean": "Mathlib/Topology/Instances/Matrix.lean",
    "MathlibZModDefs.lean": "Mathlib/Data/ZMod/Defs.lean",
    "OptlibLASSO.lean": "Optlib/Algorithm/LASSO.lean",
    "PhysLeanInnerProductSpaceBasic.lean": "PhysLean/Mathematics/InnerProductSpace/Basic.lean",
    "PlausibleSampleable.lean": "Plausible/Sampleable.lean",
    "SciLeanEnumType.lean": "SciLean/Data/EnumType.lean",
    "VersoDoc.lean": "Verso/Doc.lean",
    "AesopFrontendTactic.lean": "Aesop/Frontend/Tactic.lean",
    "CarlesonTileStructure.lean": "Carleson/TileStructure.lean",
    "ConNFNearLitter.lean": "ConNF/Base/NearLitter.lean",
    "FltHurwitz.lean": "FLT/Data/Hurwitz.lean",
    "LakeLog.lean": "Lake/Util/Log.lean",
    "LeanGuardMsgs.lean": "Lean/Elab/GuardMsgs.lean",
    "LeanSearchClientSyntax.lean": "LeanSearchClient/Syntax.lean",
    "MathlibAlgebraOrderGroupSynonym.lean": "Mathlib/Algebra/Order/Group/Synonym.lean",
    "MathlibLinearAlgebraRay.lean": "Mathlib/LinearAlgebra/Ray.lean",
    "MathlibMeasurableSpaceDefs.lean": "Mathlib/MeasureTheory/MeasurableSpace/Defs.lean",
    "MathlibOrderSynonym.lean": "Mathlib/Order/Synonym.lean",
    "MathlibTacticLinterLint.lean": "Mathlib/Tactic/Linter/Lint.lean",
    "MathlibTopologyAlgebraOrderUpperLower.lean": "Mathlib/Topology/Algebra/Order/UpperLower.lean",
    "PhysLeanRatComplexNum.lean": "PhysLean/Mathematics/RatComplexNum.lean",
    "PlausibleTestable.lean": "Plausible/Testable.lean",
    "RangeBasic.lean": "Init/Data/Range/Basic.lean",
    "SciLeanArrayTypeNotation.lean": "SciLean/Data/ArrayType/Notation.lean",
    "SphereEversionLoopsBasic.lean": "SphereEversion/Loops/Basic.lean",
    "AesopUtilBasic.lean": "Aesop/Util/Basic.lean",
    "BatteriesBinomialHeapBasic.lean": "Batteries/Data/BinomialHeap/Basic.lean",
    "CarlesonMisc.lean": "Carleson/ToMathlib/Misc.lean",
    "ConNFParams.lean": "ConNF/Base/Params.lean",
    "DuperInterface.lean": "Duper/Interface.lean",
    "ElabDerivingDecEq.lean": "Lean/Elab/Deriving/DecEq.lean",
    "ElabTacticBasic.lean": "Lean/Elab/Tactic/Basic.lean",
    "ImportGraphImports.lean": "ImportGraph/Imports.lean",
    "InitConv.lean": "Init/Conv.lean",
    "LakeDSLSyntax.lean": "Lake/DSL/Syntax.lean",
    "LeanCopilotTactics.lean": "LeanCopilot/Tactics.lean",
    "LeanDataOptions.lean": "Lean/Data/Options.lean",
    "MathlibCategoryBasic.lean": "Mathlib/CategoryTheory/Category/Basic.lean",
    "MathlibCompletelyRegular.lean": "Mathlib/Topology/Separation/CompletelyRegular.lean",
    "MathlibCondProb.lean": "Mathlib/Probability/ConditionalProbability.lean",
    "MathlibDerivAdd.lean": "Mathlib/Analysis/Calculus/Deriv/Add.lean",
    "MathlibGroupEven.lean": "Mathlib/Algebra/Group/Even.lean",
    "MathlibTacticHint.lean": "Mathlib/Tactic/Hint.lean",
    "PNTDefs.lean": "PrimeNumberTheoremAnd/Defs.lean",
    "ProofWidgetsSvg.lean": "ProofWidgets/Data/Svg.lean",
    "QqReduceEval.lean": "Qq/ForLean/ReduceEval.lean",
    "ReplJSON.lean": "REPL/JSON.lean",
    "SphereDualPair.lean": "SphereEversion/Local/DualPair.lean",
    "StdDHashMapBasic.lean": "Std/Data/DHashMap/Basic.lean",
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


def real_directory() -> Path | None:
    """The directory named by MLCATALOGUE_REAL_LEAN, or None when it is unset or empty."""
    value = os.environ.get(REAL_ENV, "").strip()
    return Path(value) if value else None


@dataclass(frozen=True)
class RealScore:
    """How a scan of one real file compares with its rows of EXPECTED.tsv.

    `known` lists the rows marked `known`: the scanner is known to give the declaration (line
    and kind) another name than Lean's, which only elaboration reveals; they count as wrong
    in `right` but do not fail the opt-in test.
    """

    file: str
    right: int
    total: int
    spurious: tuple[tuple[int, str, str], ...]
    missed: tuple[tuple[int, str, str], ...]
    problems: tuple[str, ...]
    known: tuple[tuple[int, str, str, str], ...] = ()


def score_real_file(directory: Path, file: str) -> RealScore:
    """Scan `directory/file` at its origin path; a `?` row needs only its line and kind, a
    `known` row its line and kind (its name is counted, not required)."""
    text = (directory / file).read_text(encoding="utf-8")
    result = scan_source(text, ORIGINS[file])
    unmatched = [(d.line, d.kind, d.name) for d in result.declarations]
    expected = expected_real()[file]
    missed = []
    known = []
    for line, kind, name, check in expected:
        hit = next(
            (g for g in unmatched if g[:2] == (line, kind) and (check != "ok" or g[2] == name)), None
        )
        if hit is None:
            missed.append((line, kind, name))
            continue
        unmatched.remove(hit)
        if check == "known" and hit[2] != name:
            known.append((line, kind, name, hit[2]))
    return RealScore(
        file=file,
        right=len(expected) - len(missed) - len(known),
        total=len(expected),
        spurious=tuple(unmatched),
        missed=tuple(missed),
        problems=tuple(f"{p.line}: [{p.code}] {p.message}" for p in result.problems),
        known=tuple(known),
    )


def test_real_files_are_described_but_not_kept_in_the_repository() -> None:
    """Every real file has an origin, expectations and a README entry; no copy is in the tree."""
    readme = (REAL / "README.md").read_text(encoding="utf-8")
    assert sorted(ORIGINS) == sorted(expected_real())
    for file in ORIGINS:
        row = next((line for line in readme.splitlines() if line.startswith(f"| `{file}` |")), "")
        assert re.search(r"\b[0-9a-f]{40}\b", row), f"README gives no commit for {file}"
    assert sorted(p.name for p in DATA.rglob("*.lean") if p.parent != CONSTRUCTS) == []
    assert not any((CONSTRUCTS / file).exists() for file in ORIGINS)


@pytest.mark.parametrize("file", sorted(ORIGINS))
def test_real_file_declarations_match_the_hand_checked_list(file: str) -> None:
    """Opt-in: names, kinds and lines of every declaration of a real file equal EXPECTED.tsv."""
    directory = real_directory()
    if directory is None:
        pytest.skip(f"{REAL_ENV} is not set; see tests/data/scanner/real/README.md to fetch the files")
    if not (directory / file).is_file():
        pytest.skip(f"{REAL_ENV}={directory} holds no {file}; see tests/data/scanner/real/README.md")
    score = score_real_file(directory, file)
    assert (score.missed, score.spurious, score.problems) == ((), (), ()), (
        f"{file}: {score.right}/{score.total} right"
    )


# --- robustness: random token soups and truncated files ---------------------------------------

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


def lean_texts() -> list[str]:
    """The UTF-8 fixtures, and the real files too when MLCATALOGUE_REAL_LEAN names them."""
    paths = sorted(CONSTRUCTS.glob("*.lean"))
    directory = real_directory()
    if directory is not None:
        paths += [directory / file for file in sorted(ORIGINS) if (directory / file).is_file()]
    texts = []
    for path in paths:
        with contextlib.suppress(UnicodeDecodeError):
            texts.append(path.read_text(encoding="utf-8"))
    return texts


@settings(max_examples=200, deadline=2000)
@given(st.sampled_from(lean_texts()), st.floats(min_value=0, max_value=1), st.floats(0, 1))
def test_truncated_files_never_crash(text: str, cut: float, start: float) -> None:
    """Any slice of a fixture (or of a real file, when they are named) scans without an exception."""
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
