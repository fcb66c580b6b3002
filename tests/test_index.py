"""Tests of the query stage: the SQLite FTS5 index, its filters, escaping, refusal and CLI."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mlcatalogue import index
from mlcatalogue.cli import main
from mlcatalogue.index import (
    SCHEMA_VERSION,
    Hit,
    IndexFileError,
    Match,
    MissingIndexError,
    StaleIndexError,
    UnknownFilterError,
    build_index,
    find_entry,
    fingerprint_sources,
    lean_name_words,
    open_index,
    query_terms,
    read_index_info,
    search,
)
from mlcatalogue.model import (
    Catalogue,
    CatalogueEntry,
    CatalogueFiles,
    Declaration,
    Entry,
    Kind,
    Publication,
    Reference,
    Status,
    Term,
)

REPOSITORY = Path(__file__).parents[1]
INDEX_DATA = Path(__file__).parent / "data" / "index"

HOSTILE_QUERIES = [
    "",
    "   \t\n ",
    '"',
    '""',
    '"bias',
    "bias\"'variance",
    "(",
    ")",
    "((bias)",
    "AND",
    "OR",
    "NOT",
    "bias AND",
    "AND OR NOT",
    "NEAR(bias variance, 2)",
    "NEAR",
    "*",
    "bias*",
    "^bias",
    "+ - * /",
    "title:bias",
    "{title statement}: variance",
    "bias:",
    ":",
    "-variance",
    "\x00",
    "bias\x00variance",
    "\ud800",
    "bias \udfff variance",
    "Łojasiewicz μ-strongly ∇f ≤ ‖x‖²",
    "😀 🤖",
    "\u200b\u200d",
    "ﷺ ℵ₀",
    "'; DROP TABLE entries; --",
    "%_%",
    "bias " * 2000,
    "x" * 100_000,
    " ".join(f"w{i}" for i in range(5000)),
]


# --- test data: a small catalogue built from model records --------------------------------------


def _decl(
    name: str,
    kind: str = "theorem",
    docstring: str | None = None,
    signature: str = "",
    has_sorry: bool = False,
) -> Declaration:
    return Declaration(
        name=name,
        kind=kind,
        path="lean/MLCatalogue/Test.lean",
        line=10,
        start_line=9,
        end_line=12,
        signature=signature or f"{name.rsplit('.', 1)[-1]} : True",
        docstring=docstring,
        has_sorry=has_sorry,
    )


DECLARATIONS = (
    _decl(
        "MLCatalogue.mse_eq_bias_sq_add_variance",
        docstring="The mean squared error is the squared bias plus the variance.",
        signature="mse_eq_bias_sq_add_variance (T : Ω → ℝ) (θ : ℝ) : mse T θ = bias T θ ^ 2 + variance T",
    ),
    _decl("MLCatalogue.mse", kind="def", docstring="Mean squared error of an estimator."),
    _decl(
        "MLCatalogue.expected_prediction_error_eq",
        docstring="Noise, squared bias and variance of a regression estimate.",
    ),
    _decl("MLCatalogue.variance_sample_mean", docstring="Variance of the mean of n samples."),
    _decl(
        "MLCatalogue.GradientDescent.descent_lemma",
        kind="lemma",
        docstring="One gradient step decreases an L-smooth function.",
    ),
    _decl(
        "MLCatalogue.GradientDescent.smooth_convex_rate",
        docstring="The O(1/k) rate of gradient descent.",
    ),
    _decl(
        "MLCatalogue.GradientDescent.strongly_convex_rate",
        has_sorry=True,
        docstring="Linear convergence under strong convexity.",
    ),
    _decl("MLCatalogue.LSmooth", kind="def", docstring="L-smoothness: L-Lipschitz gradient."),
    _decl(
        "MLCatalogue.erm_generalisation_finite_class",
        docstring="Hoeffding plus a union bound over a finite class.",
    ),
    _decl("MLCatalogue.empiricalRisk", kind="def", docstring="Average loss on the sample."),
    _decl("MLCatalogue.GradientDescent.aux_step", docstring="An auxiliary step."),
)

ENTRY_SPECS = [
    # id, title, kind, area, status, assumptions, decls, statement, tags
    (
        "mse_bias_variance",
        "Bias–variance decomposition of the mean squared error",
        Kind.THEOREM,
        "statistics",
        Status.PROOF_COMPLETE,
        ("probability-space", "square-integrable"),
        ("MLCatalogue.mse_eq_bias_sq_add_variance",),
        (
            r"For an estimator $T$ of $\theta$, $\mathbb E(T-\theta)^2 = (\mathbb E T - \theta)^2 + "
            r"\operatorname{Var} T$."
        ),
        ("mse", "estimator"),
    ),
    (
        "prediction_bias_variance",
        "Bias–variance decomposition of the expected prediction error",
        Kind.THEOREM,
        "statistics",
        Status.PROOF_COMPLETE,
        ("probability-space", "square-integrable", "independence", "zero-mean-noise"),
        ("MLCatalogue.expected_prediction_error_eq",),
        (
            "With $Y = f(X) + \\varepsilon$, the expected squared prediction error is noise plus "
            "squared bias plus variance."
        ),
        ("regression",),
    ),
    (
        "variance_sample_mean",
        "Variance of the sample mean",
        Kind.THEOREM,
        "statistics",
        Status.KERNEL_CHECKED,
        ("independence", "square-integrable"),
        ("MLCatalogue.variance_sample_mean",),
        (
            "For independent $X_1, \\dots, X_n$ with common variance $\\sigma^2$, the mean has "
            "variance $\\sigma^2/n$."
        ),
        (),
    ),
    (
        "mse_definition",
        "Mean squared error",
        Kind.DEFINITION,
        "statistics",
        Status.DEFINED,
        ("probability-space",),
        ("MLCatalogue.mse",),
        "The mean squared error of $T$ for $\\theta$ is $\\mathbb E(T-\\theta)^2$.",
        ("mse",),
    ),
    (
        "descent_lemma",
        "Descent lemma",
        Kind.LEMMA,
        "optimization",
        Status.PROOF_COMPLETE,
        ("L-smooth", "differentiable"),
        ("MLCatalogue.GradientDescent.descent_lemma",),
        "If $f$ is $L$-smooth then $f(x - \\nabla f(x)/L) \\le f(x) - \\|\\nabla f(x)\\|^2/(2L)$.",
        ("smoothness",),
    ),
    (
        "gd_smooth_convex",
        "Gradient descent on a smooth convex function",
        Kind.THEOREM,
        "optimization",
        Status.PROOF_COMPLETE,
        ("L-smooth", "convex", "minimiser-exists", "step-1-over-L"),
        ("MLCatalogue.GradientDescent.smooth_convex_rate",),
        "Gradient descent with step $1/L$ on a convex $L$-smooth $f$ converges at rate $O(1/k)$.",
        ("rate",),
    ),
    (
        "gd_strongly_convex",
        "Gradient descent on a smooth strongly convex function",
        Kind.THEOREM,
        "optimization",
        Status.SORRY,
        ("L-smooth", "strongly-convex", "step-1-over-L"),
        ("MLCatalogue.GradientDescent.strongly_convex_rate",),
        (
            "Gradient descent with step $1/L$ converges linearly for a $\\mu$-strongly convex "
            "$L$-smooth $f$."
        ),
        ("rate", "linear-convergence"),
    ),
    (
        "gd_pl",
        "Gradient descent under the Polyak–Łojasiewicz inequality",
        Kind.COROLLARY,
        "optimization",
        Status.MISSING,
        ("L-smooth", "polyak-lojasiewicz", "bounded-below"),
        ("MLCatalogue.GradientDescent.pl_linear_rate",),
        "Under the PL inequality gradient descent converges linearly in function value.",
        ("rate",),
    ),
    (
        "l_smooth",
        "L-smooth function",
        Kind.DEFINITION,
        "optimization",
        Status.DEFINED,
        (),
        ("MLCatalogue.LSmooth",),
        "A differentiable $f$ is $L$-smooth if its gradient is $L$-Lipschitz.",
        ("smoothness",),
    ),
    (
        "erm_finite_class",
        "Generalisation of ERM over a finite hypothesis class",
        Kind.THEOREM,
        "learning",
        Status.PROOF_COMPLETE,
        ("iid-sample", "bounded-loss", "finite-class"),
        ("MLCatalogue.erm_generalisation_finite_class",),
        (
            "With probability at least $1-\\delta$ the ERM has excess risk at most "
            "$\\sqrt{2\\log(2|H|/\\delta)/m}$."
        ),
        ("pac",),
    ),
    (
        "empirical_risk",
        "Empirical risk",
        Kind.DEFINITION,
        "learning",
        Status.DEFINED,
        (),
        ("MLCatalogue.empiricalRisk",),
        "$L_S(h) = \\frac1m \\sum_i \\ell(h, z_i)$.",
        (),
    ),
]

AREAS = {
    "statistics": "Bias and variance",
    "optimization": "Gradient descent",
    "learning": "Risk and empirical risk minimisation",
}
ASSUMPTIONS = [
    "probability-space",
    "square-integrable",
    "independence",
    "zero-mean-noise",
    "L-smooth",
    "differentiable",
    "convex",
    "strongly-convex",
    "minimiser-exists",
    "step-1-over-L",
    "polyak-lojasiewicz",
    "bounded-below",
    "iid-sample",
    "bounded-loss",
    "finite-class",
]


def make_catalogue(root: Path) -> Catalogue:
    """The test catalogue: 11 entries over three areas, every status, one auxiliary declaration."""
    by_name = {decl.name: decl for decl in DECLARATIONS}
    items = []
    for line, (
        entry_id,
        title,
        kind,
        area,
        status,
        assumptions,
        decls,
        statement,
        tags,
    ) in enumerate(ENTRY_SPECS, start=1):
        entry = Entry(
            id=entry_id,
            title=title,
            kind=kind,
            area=area,
            statement=statement,
            decls=decls,
            proof=None if kind is Kind.DEFINITION else "By computation.",
            assumptions=assumptions,
            references=(Reference("DLB", "§5.4.4, eq (5.54)", "partial"),),
            tags=tags,
            path="catalogue/entries/test.yaml",
            line=line,
        )
        found = tuple(by_name[name] for name in decls if name in by_name)
        items.append(CatalogueEntry(entry=entry, declarations=found, status=status))
    files = CatalogueFiles(
        entries=tuple(item.entry for item in items),
        publications={
            "DLB": Publication("DLB", "Goodfellow, Bengio, Courville", "Deep Learning", 2016)
        },
        areas={key: Term(key, title) for key, title in AREAS.items()},
        assumptions={key: Term(key, key.replace("-", " ").capitalize()) for key in ASSUMPTIONS},
    )
    return Catalogue(root=root, entries=tuple(items), declarations=DECLARATIONS, files=files)


@pytest.fixture(scope="module")
def catalogue(tmp_path_factory: pytest.TempPathFactory) -> Catalogue:
    return make_catalogue(tmp_path_factory.mktemp("root"))


@pytest.fixture(scope="module")
def index_path(catalogue: Catalogue) -> Path:
    return build_index(catalogue)


@pytest.fixture()
def connection(index_path: Path):  # type: ignore[no-untyped-def]
    connection = open_index(index_path)
    yield connection
    connection.close()


def ids(matches: list[Match] | list[Hit]) -> list[str]:
    return [match.id for match in matches]


# --- ranking ---------------------------------------------------------------------------------


def test_bias_variance_entries_rank_first(connection: sqlite3.Connection) -> None:
    """Both bias–variance decompositions come before any other entry mentioning variance."""
    matches = search(connection, "bias variance")
    assert set(ids(matches)[:2]) == {"mse_bias_variance", "prediction_bias_variance"}
    assert all(match.all_terms for match in matches)
    assert matches[0].score >= matches[1].score > 0


def test_title_outranks_statement(connection: sqlite3.Connection) -> None:
    """A word in the title ranks an entry above entries that only mention it in the statement."""
    assert ids(search(connection, "sample mean"))[0] == "variance_sample_mean"


def test_lean_name_parts_are_searchable(connection: sqlite3.Connection) -> None:
    """Parts of a Lean name split on `.`, `_` and camel case find the entry and name the decl."""
    matches = search(connection, "sq add")
    assert ids(matches) == ["mse_bias_variance"]
    assert matches[0].matched_declarations == ("MLCatalogue.mse_eq_bias_sq_add_variance",)
    by_id = {match.id: match for match in search(connection, "risk")}
    assert by_id["empirical_risk"].matched_declarations == ("MLCatalogue.empiricalRisk",)
    assert ids(search(connection, "smooth convex rate", kind="theorem"))[0] == "gd_smooth_convex"


def test_camel_case_names_are_split() -> None:
    """Camel-case components of a Lean name are indexed as separate words too."""
    assert lean_name_words("MLCatalogue.GradientDescent.rate") == (
        "MLCatalogue.GradientDescent.rate ML Catalogue Gradient Descent"
    )
    assert lean_name_words("Foo.«weird name»") == "Foo.weird name"


def test_full_lean_name_and_entry_id_find_the_entry(connection: sqlite3.Connection) -> None:
    """Querying a fully qualified Lean name or an entry id ranks that entry first."""
    assert (
        ids(search(connection, "MLCatalogue.GradientDescent.descent_lemma"))[0] == "descent_lemma"
    )
    assert ids(search(connection, "gd_strongly_convex"))[0] == "gd_strongly_convex"


def test_stemming_matches_word_forms(connection: sqlite3.Connection) -> None:
    """The porter stemmer lets `variances` and `converging` find `variance` and `converges`."""
    assert "variance_sample_mean" in ids(search(connection, "variances"))
    assert "gd_smooth_convex" in ids(search(connection, "converging"))


def test_docstrings_tags_and_assumptions_are_searched(connection: sqlite3.Connection) -> None:
    """Words only in a docstring, a tag, an assumption or the area's name still find the entry."""
    assert ids(search(connection, "Hoeffding")) == ["erm_finite_class"]
    assert ids(search(connection, "pac")) == ["erm_finite_class"]
    assert ids(search(connection, "zero mean noise")) == ["prediction_bias_variance"]
    assert "gd_smooth_convex" in ids(search(connection, "minimiser"))


def test_any_word_fallback(connection: sqlite3.Connection) -> None:
    """When no entry has every word, entries with some word are returned and flagged."""
    matches = search(connection, "bias zebra")
    assert set(ids(matches)) == {"mse_bias_variance", "prediction_bias_variance"}
    assert not any(match.all_terms for match in matches)
    assert search(connection, "zebra") == []


def test_any_word_fallback_ignores_stop_words(connection: sqlite3.Connection) -> None:
    """The any-word fallback drops function words and FTS5 operators: they match everything."""
    assert search(connection, "NOT AND the zebra") == []
    matches = search(connection, "the bias of a zebra")
    assert set(ids(matches)) == {"mse_bias_variance", "prediction_bias_variance"}
    assert all("**the**" not in match.snippet.lower() for match in matches)


def test_snippet_marks_matched_words(connection: sqlite3.Connection) -> None:
    """The snippet of a hit shows the matched words between `**`."""
    (match,) = search(connection, "Hoeffding")
    assert "**Hoeffding**" in match.snippet


def test_limit(connection: sqlite3.Connection) -> None:
    """`limit` caps the number of results, `None` removes the cap, zero or less gives none."""
    assert len(search(connection, "gradient", limit=2)) == 2
    assert len(search(connection, "", limit=None)) == len(ENTRY_SPECS)
    assert search(connection, "gradient", limit=0) == []


def large_catalogue(root: Path, size: int, title_rows: set[int]) -> Catalogue:
    """`size` entries whose statements all say "common"; those in `title_rows` say it in the title."""
    entries = []
    for number in range(size):
        title = f"Entry {number}" + (" on the common case" if number in title_rows else "")
        entry = Entry(
            id=f"e{number}",
            title=title,
            kind=Kind.THEOREM,
            area="learning",
            statement=f"A common statement number {number}.",
            decls=(),
        )
        entries.append(CatalogueEntry(entry=entry, declarations=(), status=Status.PROOF_COMPLETE))
    files = CatalogueFiles(
        entries=tuple(item.entry for item in entries),
        publications={},
        areas={"learning": Term("learning", "Learning")},
        assumptions={},
    )
    return Catalogue(root=root, entries=tuple(entries), declarations=(), files=files)


def test_broad_query_ranks_title_matches_first(tmp_path: Path) -> None:
    """On a catalogue larger than RANK_ALL, a word in every statement still ranks title matches first."""
    size = index.RANK_ALL + 400
    title_rows = set(range(0, size, 97))
    connection = open_index(build_index(large_catalogue(tmp_path, size, title_rows)))
    expected = {f"e{number}" for number in title_rows}
    assert set(ids(search(connection, "common", limit=len(expected)))) == expected
    assert len(search(connection, "common", limit=None)) == size
    assert set(ids(search(connection, "common", area="learning", limit=5))) <= expected
    connection.close()


def test_broad_query_finds_a_late_title_match(tmp_path: Path) -> None:
    """A title match beyond the first RANK_ALL entries is not lost when candidates are cut."""
    size = index.RANK_ALL + 400
    connection = open_index(build_index(large_catalogue(tmp_path, size, {size - 3})))
    assert ids(search(connection, "common", limit=5))[0] == f"e{size - 3}"
    assert ids(search(connection, "common", limit=1)) == [f"e{size - 3}"]
    connection.close()


# --- filters ---------------------------------------------------------------------------------


def test_area_kind_status_filters(connection: sqlite3.Connection) -> None:
    """Area, kind and status filters keep only the entries with those values."""
    assert set(ids(search(connection, "variance", area="optimization"))) == set()
    assert set(ids(search(connection, "", area="learning"))) == {
        "erm_finite_class",
        "empirical_risk",
    }
    assert set(ids(search(connection, "", kind="definition"))) == {
        "mse_definition",
        "l_smooth",
        "empirical_risk",
    }
    assert set(ids(search(connection, "", kind=Kind.COROLLARY))) == {"gd_pl"}
    assert set(ids(search(connection, "", status="sorry"))) == {"gd_strongly_convex"}
    assert set(ids(search(connection, "", status="kernel-checked"))) == {"variance_sample_mean"}
    assert set(ids(search(connection, "", status=[Status.MISSING, "proof-complete"]))) == {
        "gd_pl",
        "mse_bias_variance",
        "prediction_bias_variance",
        "descent_lemma",
        "gd_smooth_convex",
        "erm_finite_class",
    }


def test_result_kind_means_theorem_lemma_or_corollary(connection: sqlite3.Connection) -> None:
    """`kind="result"` keeps theorems, lemmas and corollaries and drops definitions."""
    results = set(ids(search(connection, "", area="optimization", kind="result")))
    assert results == {"descent_lemma", "gd_smooth_convex", "gd_strongly_convex", "gd_pl"}


def test_gd_results_without_strong_convexity(connection: sqlite3.Connection) -> None:
    """ "GD results that do not assume strong convexity" is one call with `excludes`."""
    found = ids(search(connection, "gradient descent", kind="result", excludes=["strongly-convex"]))
    assert set(found) == {"gd_smooth_convex", "gd_pl", "descent_lemma"}


def test_required_assumptions_all_hold(connection: sqlite3.Connection) -> None:
    """Every assumption in `assumes` must be listed by an entry for it to be kept."""
    assert set(ids(search(connection, "", assumes="L-smooth"))) == {
        "descent_lemma",
        "gd_smooth_convex",
        "gd_strongly_convex",
        "gd_pl",
    }
    assert set(ids(search(connection, "", assumes=["L-smooth", "convex"]))) == {"gd_smooth_convex"}
    assert ids(search(connection, "rate", assumes=["convex"], excludes=["convex"])) == []


def test_lean_prefix_filter(connection: sqlite3.Connection) -> None:
    """`lean_prefix` keeps entries with a Lean name starting with it, even a missing one."""
    found = set(ids(search(connection, "", lean_prefix="MLCatalogue.GradientDescent.")))
    assert found == {"descent_lemma", "gd_smooth_convex", "gd_strongly_convex", "gd_pl"}
    assert ids(search(connection, "", lean_prefix="MLCatalogue.mse_")) == ["mse_bias_variance"]
    assert search(connection, "", lean_prefix="Mathlib.") == []
    assert search(connection, "", lean_prefix="%") == []
    found = set(ids(search(connection, "rate", lean_prefix="MLCatalogue.GradientDescent.s")))
    assert found == {"gd_smooth_convex", "gd_strongly_convex"}
    assert ids(search(connection, "", lean_prefix="MLCatalogue.GradientDescent")) == ids(
        search(connection, "", lean_prefix="MLCatalogue.GradientDescent.")
    )


def test_filter_tokens_cannot_be_searched(connection: sqlite3.Connection) -> None:
    """The hidden filter tokens of an entry are not matched by query text."""
    token = index._facet_token("area", "statistics")
    assert search(connection, token) == []


def test_empty_query_lists_filtered_entries_by_area_and_id(connection: sqlite3.Connection) -> None:
    """An empty query lists every entry passing the filters, ordered by area then id, score 0."""
    matches = search(connection, "  ", limit=None)
    assert [(m.area, m.id) for m in matches] == sorted((m.area, m.id) for m in matches)
    assert {m.score for m in matches} == {0.0}


@pytest.mark.parametrize(
    ("filters", "hint"),
    [
        ({"area": "statistic"}, "did you mean 'statistics'"),
        ({"kind": "theorm"}, "did you mean 'theorem'"),
        ({"status": "done"}, "unknown status 'done'"),
        ({"assumes": ["strongly-convx"]}, "did you mean 'strongly-convex'"),
        ({"excludes": "strong convexity"}, "unknown assumption"),
    ],
)
def test_unknown_filter_values_are_refused(
    connection: sqlite3.Connection, filters: dict[str, object], hint: str
) -> None:
    """A filter value the index does not know raises an error naming it (no silent no-op)."""
    with pytest.raises(UnknownFilterError, match=hint):
        search(connection, "gradient", **filters)  # type: ignore[arg-type]


# --- escaping --------------------------------------------------------------------------------


@pytest.mark.parametrize("query", HOSTILE_QUERIES, ids=range(len(HOSTILE_QUERIES)))
def test_hostile_queries_never_raise(connection: sqlite3.Connection, query: str) -> None:
    """Quotes, parentheses, operators, NUL, surrogates and huge inputs give a list, not an error."""
    matches = search(connection, query, area="statistics", limit=5)
    assert isinstance(matches, list) and len(matches) <= 5


def test_operators_are_plain_words(connection: sqlite3.Connection) -> None:
    """FTS5 syntax in user text is matched literally: quotes and `*` change nothing."""
    plain = ids(search(connection, "bias"))
    assert ids(search(connection, '"bias"')) == plain
    assert ids(search(connection, "bias*")) == plain
    assert ids(search(connection, "(bias)")) == plain
    assert search(connection, "NOT") == []
    assert search(connection, "varian*") == []


def test_query_terms_are_bounded_and_clean() -> None:
    """Query terms drop punctuation-only chunks, control characters and duplicates, and are capped."""
    assert query_terms('  "bias"  ( ) * bias\x00variance "bias" ') == ('"bias"', "bias", "variance")
    assert query_terms("") == ()
    assert len(query_terms(" ".join(f"w{i}" for i in range(1000)))) == index.MAX_TERMS
    assert query_terms("x" * 10_000) == ("x" * index.MAX_TERM_CHARS,)


@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.text(alphabet=st.characters(codec=None), max_size=60))
def test_arbitrary_text_never_raises(connection: sqlite3.Connection, query: str) -> None:
    """Any unicode text, including surrogates and control characters, searches without error."""
    assert isinstance(search(connection, query, limit=3), list)


@settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    st.lists(
        st.sampled_from(
            [
                '"',
                "(",
                ")",
                "AND",
                "OR",
                "NOT",
                "NEAR",
                "*",
                "^",
                ":",
                "+",
                "-",
                "bias",
                "variance",
                "{",
                "}",
                ",",
                "'",
                "\\",
            ]
        ),
        max_size=12,
    ).map("".join)
)
def test_fts_syntax_soup_never_raises(connection: sqlite3.Connection, query: str) -> None:
    """Random sequences of FTS5 operators and words, glued together, search without error."""
    assert isinstance(search(connection, query, limit=3), list)


# --- the on-disk file: atomic build, refusal of missing and stale indexes -------------------------


def test_build_writes_default_path_atomically(catalogue: Catalogue, tmp_path: Path) -> None:
    """`build_index` writes `<root>/build/index.sqlite` by rename and leaves no temporary file."""
    target = tmp_path / "out" / "index.sqlite"
    assert build_index(catalogue, target) == target
    first = target.stat().st_ino
    build_index(catalogue, target)
    assert target.stat().st_ino != first  # replaced, not rewritten in place
    assert [path.name for path in target.parent.iterdir()] == ["index.sqlite"]
    assert index.default_index_path(catalogue.root) == catalogue.root / "build" / "index.sqlite"


def test_failed_build_keeps_the_old_index(catalogue: Catalogue, tmp_path: Path) -> None:
    """A build that fails half-way leaves the previous index untouched and no temporary file."""
    target = build_index(catalogue, tmp_path / "index.sqlite")
    before = target.read_bytes()
    broken = Declaration("MLCatalogue.bad", "theorem", "x.lean", object(), 1, 1, "bad")  # type: ignore[arg-type]
    bad = Catalogue(
        root=catalogue.root,
        entries=catalogue.entries,
        declarations=(*catalogue.declarations, broken),
        files=catalogue.files,
    )
    with pytest.raises(sqlite3.Error):
        build_index(bad, target)
    assert target.read_bytes() == before
    assert [path.name for path in tmp_path.iterdir()] == ["index.sqlite"]


def test_missing_index_is_refused(tmp_path: Path) -> None:
    """Opening a path with no index says so and names the commands that build one."""
    with pytest.raises(
        MissingIndexError, match=r"no index at .*mlcatalogue build.*mlcatalogue index"
    ):
        open_index(tmp_path / "build" / "index.sqlite")


def test_stale_schema_version_is_refused(catalogue: Catalogue, tmp_path: Path) -> None:
    """An index whose schema version differs is refused with a message saying how to rebuild."""
    target = build_index(catalogue, tmp_path / "index.sqlite")
    with sqlite3.connect(target) as writable:
        writable.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    writable.close()
    with pytest.raises(
        StaleIndexError, match=r"schema version 2 .* reads version 1; rebuild it with"
    ):
        open_index(target)


def test_foreign_and_corrupt_files_are_refused(tmp_path: Path) -> None:
    """A non-SQLite file and someone else's SQLite database are both refused, not misread."""
    junk = tmp_path / "junk.sqlite"
    junk.write_bytes(b"this is not a database" * 100)
    with pytest.raises(IndexFileError, match="not a readable mlcatalogue index"):
        open_index(junk)
    foreign = tmp_path / "foreign.sqlite"
    with sqlite3.connect(foreign) as other:
        other.execute("CREATE TABLE t (x)")
    other.close()
    with pytest.raises(IndexFileError, match="not an mlcatalogue index"):
        open_index(foreign)


def test_damaged_index_is_refused_by_the_cli(catalogue: Catalogue, tmp_path: Path) -> None:
    """An index with the right version but a missing table makes search exit 1 with advice."""
    target = build_index(catalogue, tmp_path / "build" / "index.sqlite")
    with sqlite3.connect(target) as writable:
        writable.execute("DROP TABLE entry_decls")
    writable.close()
    result = CliRunner().invoke(main, ["search", "bias", "--root", str(tmp_path)])
    assert result.exit_code == 1
    assert "damaged or was written by another version" in result.output
    assert "mlcatalogue index" in result.output


def test_index_is_opened_read_only(index_path: Path) -> None:
    """A connection from `open_index` cannot modify the index."""
    connection = open_index(index_path)
    with pytest.raises(sqlite3.OperationalError, match="readonly"):
        connection.execute("DELETE FROM entries")
    connection.close()


def test_index_records_counts_and_fingerprint(catalogue: Catalogue, tmp_path: Path) -> None:
    """The index records its schema version, counts and the fingerprint of the source files."""
    root = tmp_path / "repo"
    (root / "catalogue").mkdir(parents=True)
    (root / "catalogue" / "a.yaml").write_text("- id: a\n")
    moved = Catalogue(
        root=root,
        entries=catalogue.entries,
        declarations=catalogue.declarations,
        files=catalogue.files,
    )
    connection = open_index(build_index(moved))
    info = read_index_info(connection)
    connection.close()
    assert (info.schema_version, info.entries, info.declarations) == (
        SCHEMA_VERSION,
        len(ENTRY_SPECS),
        len(DECLARATIONS),
    )
    assert info.fingerprint == fingerprint_sources(root)
    (root / "catalogue" / "a.yaml").write_text("- id: b\n")
    assert info.fingerprint != fingerprint_sources(root)


# --- the Python API --------------------------------------------------------------------------


def test_catalogue_search_returns_hits_with_entries(
    catalogue: Catalogue, connection: sqlite3.Connection
) -> None:
    """`Catalogue.search` gives the same ranking as the on-disk index, as `Hit`s of real entries."""
    hits = catalogue.search("bias variance")
    assert ids(hits) == ids(search(connection, "bias variance"))
    assert hits[0].entry is catalogue[hits[0].id]
    assert (
        hits[0].matched_declarations == search(connection, "bias variance")[0].matched_declarations
    )
    assert ids(
        catalogue.search("", kind="result", excludes=["strongly-convex"], area="optimization")
    ) == ["descent_lemma", "gd_pl", "gd_smooth_convex"]
    for query in HOSTILE_QUERIES:
        assert isinstance(catalogue.search(query), list)


def test_catalogue_search_index_is_per_object(tmp_path: Path) -> None:
    """Two catalogues get their own in-memory index, dropped when the catalogue is collected."""
    first = make_catalogue(tmp_path)
    smaller = Catalogue(
        root=tmp_path, entries=first.entries[:1], declarations=DECLARATIONS, files=first.files
    )
    assert len(first.search("")) == len(ENTRY_SPECS)
    assert ids(smaller.search("")) == ["mse_bias_variance"]
    key = id(smaller)
    del smaller
    import gc

    gc.collect()
    assert key not in index._memory_indexes


def test_lookup_by_id_name_and_short_name(catalogue: Catalogue) -> None:
    """Entries are found by id, fully qualified Lean name, or an unambiguous last name component."""
    assert catalogue["gd_pl"].id == "gd_pl"
    assert catalogue["MLCatalogue.LSmooth"].id == "l_smooth"
    assert find_entry(catalogue, "descent_lemma").id == "descent_lemma"
    assert find_entry(catalogue, "mse_eq_bias_sq_add_variance").id == "mse_bias_variance"
    assert find_entry(catalogue, "GradientDescent.smooth_convex_rate").id == "gd_smooth_convex"
    with pytest.raises(KeyError, match="did you mean.*gd_smooth_convex"):
        find_entry(catalogue, "gd_smoth_convex")


# --- the CLI ---------------------------------------------------------------------------------


def test_cli_search_human_output(index_path: Path, catalogue: Catalogue) -> None:
    """`mlcatalogue search` prints the ranked entries with their id, status and matched names."""
    result = CliRunner().invoke(main, ["search", "bias variance", "--root", str(catalogue.root)])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == "2 entries matching 'bias variance':"
    ranked = [line for line in lines if line[:3].strip().rstrip(".").isdigit()]
    assert [line.split("[")[-1].rstrip("]") for line in ranked] == ids(
        search(open_index(index_path), "bias variance")
    )
    assert "    theorem · statistics · proof complete · score " in result.output
    assert "    Lean: MLCatalogue.mse_eq_bias_sq_add_variance" in lines
    assert "**bias**" in result.output


def test_cli_search_json_schema(index_path: Path, catalogue: Catalogue) -> None:
    """`mlcatalogue search --json` prints the documented object with one record per hit."""
    result = CliRunner().invoke(
        main,
        [
            "search",
            "smooth convex",
            "--json",
            "--limit",
            "3",
            "--area",
            "optimization",
            "--root",
            str(catalogue.root),
        ],
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert set(data) == {"query", "terms", "filters", "limit", "count", "hits"}
    assert data["filters"]["area"] == ["optimization"]
    assert data["count"] == len(data["hits"]) <= 3
    assert set(data["hits"][0]) == {
        "rank",
        "id",
        "title",
        "kind",
        "area",
        "status",
        "score",
        "all_terms",
        "matched_declarations",
        "snippet",
    }
    assert [hit["rank"] for hit in data["hits"]] == list(range(1, data["count"] + 1))


def test_cli_search_filters(index_path: Path, catalogue: Catalogue) -> None:
    """CLI filters mirror the Python ones: GD results that do not assume strong convexity."""
    result = CliRunner().invoke(
        main,
        [
            "search",
            "",
            "--json",
            "--area",
            "optimization",
            "--kind",
            "result",
            "--excludes",
            "strongly-convex",
            "--root",
            str(catalogue.root),
        ],
    )
    assert result.exit_code == 0, result.output
    assert [hit["id"] for hit in json.loads(result.output)["hits"]] == [
        "descent_lemma",
        "gd_pl",
        "gd_smooth_convex",
    ]
    bad = CliRunner().invoke(
        main, ["search", "x", "--assumes", "convexx", "--root", str(catalogue.root)]
    )
    assert bad.exit_code != 0 and "did you mean 'convex'" in bad.output


@pytest.mark.parametrize("query", HOSTILE_QUERIES[:-3], ids=range(len(HOSTILE_QUERIES) - 3))
def test_cli_hostile_queries_exit_zero(index_path: Path, catalogue: Catalogue, query: str) -> None:
    """Hostile queries (after `--`, as a shell user would pass `-x`) exit 0 in both output modes."""
    query = (
        query.replace("\x00", " ").encode("utf-8", "replace").decode("utf-8")
    )  # argv can't hold these
    for extra in ([], ["--json"]):
        arguments = ["search", "--root", str(catalogue.root), *extra, "--", query]
        result = CliRunner().invoke(main, arguments)
        assert result.exit_code == 0, result.output
    json.loads(result.output)


def test_cli_search_refuses_missing_and_stale_index(catalogue: Catalogue, tmp_path: Path) -> None:
    """Without an index, or with a stale one, search exits 1 and says how to rebuild."""
    result = CliRunner().invoke(main, ["search", "bias", "--root", str(tmp_path)])
    assert (
        result.exit_code == 1
        and "no index at" in result.output
        and "mlcatalogue index" in result.output
    )
    target = build_index(catalogue, tmp_path / "build" / "index.sqlite")
    with sqlite3.connect(target) as writable:
        writable.execute("PRAGMA user_version = 0")
    writable.close()
    result = CliRunner().invoke(main, ["search", "bias", "--root", str(tmp_path)])
    assert result.exit_code == 1 and "rebuild it with `mlcatalogue index`" in result.output


def test_cli_search_warns_when_sources_changed(catalogue: Catalogue, tmp_path: Path) -> None:
    """A search on an index older than the source files warns on stderr and still answers."""
    moved = Catalogue(
        root=tmp_path,
        entries=catalogue.entries,
        declarations=catalogue.declarations,
        files=catalogue.files,
    )
    build_index(moved)
    fresh = CliRunner().invoke(main, ["search", "bias", "--root", str(tmp_path)])
    assert fresh.exit_code == 0 and "changed since" not in fresh.stderr
    (tmp_path / "catalogue").mkdir()
    (tmp_path / "catalogue" / "new.yaml").write_text("[]\n")
    stale = CliRunner().invoke(main, ["search", "bias", "--root", str(tmp_path)])
    assert stale.exit_code == 0 and "changed since" in stale.stderr
    assert "mse_bias_variance" in stale.stdout


# --- the real catalogue of this repository ---------------------------------------------------


@pytest.fixture(scope="module")
def repository_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The repository's own catalogue indexed by `mlcatalogue index` into a temporary file."""
    path = tmp_path_factory.mktemp("repository") / "index.sqlite"
    result = CliRunner().invoke(main, ["index", "--root", str(REPOSITORY), "--index", str(path)])
    assert result.exit_code == 0, result.output
    assert "Indexed" in result.output and path.is_file()
    return path


def repository_search(index_file: Path, *arguments: str) -> dict[str, Any]:
    result = CliRunner().invoke(
        main,
        ["search", "--json", "--root", str(REPOSITORY), "--index", str(index_file), *arguments],
    )
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_index_command_refuses_a_root_without_catalogue(tmp_path: Path) -> None:
    """`mlcatalogue index` on a directory without catalogue/ exits 1 and writes nothing."""
    result = CliRunner().invoke(main, ["index", "--root", str(tmp_path)])
    assert result.exit_code == 1 and "no catalogue/ under" in result.output
    assert list(tmp_path.iterdir()) == []


def test_repository_bias_variance_entries_come_first(repository_index: Path) -> None:
    """In the real catalogue, `search "bias variance"` lists the bias–variance entries first."""
    catalogue = load_repository()
    expected = {
        item.id
        for item in catalogue.entries
        if {"bias", "variance"} <= set(item.title.lower().replace("–", " ").split())
    }
    assert expected, "the catalogue has no bias–variance entry"
    hits = repository_search(repository_index, "bias variance")["hits"]
    assert {hit["id"] for hit in hits[: len(expected)]} == expected


def test_repository_cli_and_python_api_agree(repository_index: Path) -> None:
    """The CLI on the on-disk index and `Catalogue.search` in memory return the same ranking."""
    catalogue = load_repository()
    cases: list[tuple[str, dict[str, Any], list[str]]] = [
        ("bias variance", {}, []),
        ("smooth convex", {}, []),
        (
            "gradient descent",
            {"kind": "result", "excludes": ["strongly-convex"]},
            ["--kind", "result", "--excludes", "strongly-convex"],
        ),
        ("", {"area": "learning"}, ["--area", "learning"]),
        ('NEAR("risk" *', {}, []),
    ]
    for query, filters, options in cases:
        cli = [
            hit["id"] for hit in repository_search(repository_index, *options, "--", query)["hits"]
        ]
        assert cli == ids(catalogue.search(query, **filters)), query


def test_repository_gd_results_without_strong_convexity(repository_index: Path) -> None:
    """GD results that do not assume strong convexity exclude every strongly convex entry."""
    data = repository_search(
        repository_index,
        "gradient descent",
        "--kind",
        "result",
        "--excludes",
        "strongly-convex",
        "--limit",
        "50",
    )
    catalogue = load_repository()
    found = [catalogue[hit["id"]] for hit in data["hits"]]
    assert found and all("strongly-convex" not in item.entry.assumptions for item in found)
    assert all(item.entry.kind is not Kind.DEFINITION for item in found)


def test_repository_show_by_id_and_lean_name() -> None:
    """`mlcatalogue show` prints statement, Lean statement, status, references and dependencies."""
    catalogue = load_repository()
    item = next(item for item in catalogue.entries if item.declarations and item.entry.references)
    for key in (item.id, item.declarations[0].name, item.declarations[0].short_name):
        result = CliRunner().invoke(main, ["show", key, "--root", str(REPOSITORY)])
        assert result.exit_code == 0, result.output
        assert f"[{item.id}]" in result.output.splitlines()[0]
        for heading in ("Statement", "Lean", "References", "Depends on:", "Used by:"):
            assert heading in result.output
        assert f"{item.declarations[0].kind} {item.declarations[0].name}" in result.output
        assert item.status.value in result.output
    data = json.loads(
        CliRunner().invoke(main, ["show", item.id, "--json", "--root", str(REPOSITORY)]).stdout
    )
    assert data["id"] == item.id and data["status"] == item.status.value
    assert [decl["name"] for decl in data["declarations"]] == [d.name for d in item.declarations]
    assert set(data) >= {"statement", "proof", "references", "depends_on", "used_by", "decls"}


def test_repository_show_unknown_key_fails_with_suggestion() -> None:
    """`mlcatalogue show` of an unknown id exits 1 and suggests close ids."""
    result = CliRunner().invoke(main, ["show", "mse_bias_varianse", "--root", str(REPOSITORY)])
    assert result.exit_code == 1
    assert "no catalogue entry" in result.output and "mse_bias_variance" in result.output


def load_repository() -> Catalogue:
    from mlcatalogue.join import load_catalogue

    return load_catalogue(REPOSITORY)


def test_ascii_spelling_finds_polish_l() -> None:
    """Typing `Lojasiewicz` finds the Polyak–Łojasiewicz entries, as `Łojasiewicz` does."""
    from mlcatalogue import load

    catalogue = load(Path(__file__).resolve().parents[1])
    plain = [hit.entry.id for hit in catalogue.search("Lojasiewicz")]
    accented = [hit.entry.id for hit in catalogue.search("Łojasiewicz")]
    assert "pl_linear_convergence" in plain
    assert set(plain) == set(accented)
