"""Tests of the markup stage: entry text → escaped HTML with MathML, and LaTeX problems."""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path

import pytest

from mlcatalogue.markup import (
    convert_formula,
    find_latex_problems,
    plain_text,
    render_inline,
    render_markup,
    split_blocks,
)
from mlcatalogue.model import Entry, Kind


class Elements(HTMLParser):
    """Collects (tag, attributes) of every start tag and the text outside <annotation>."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        if tag == "annotation":
            self._skip += 1

    def handle_endtag(self, tag: str) -> None:
        if tag == "annotation":
            self._skip -= 1

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.text.append(data)


def parse(html: str) -> Elements:
    parser = Elements()
    parser.feed(str(html))
    parser.close()
    return parser


def entry(statement: str, *, title: str = "A title", path: str = "catalogue/entries/x.yaml",
          line: int = 1) -> Entry:
    return Entry(id="x", title=title, kind=Kind.THEOREM, area="a", statement=statement,
                 decls=("X.y",), path=path, line=line)


def test_inline_and_display_math_become_mathml() -> None:
    """`$...$` becomes inline MathML and `$$...$$` block MathML, with no dollar left over."""
    html = render_markup("Let $x \\in \\mathbb R$. Then\n$$x^2 \\ge 0.$$\nDone.")
    tags = [tag for tag, _ in parse(html).tags]
    displays = [attrs.get("display") for tag, attrs in parse(html).tags if tag == "math"]
    assert displays == ["inline", "block"]
    assert "msup" in tags
    assert "$" not in "".join(parse(html).text)


def test_text_is_escaped_everywhere_including_inside_formulas() -> None:
    """Raw HTML in text and in `\\text{...}` is shown as text, never interpreted."""
    html = render_markup('<script>alert(1)</script> and $\\text{<img src=x onerror=alert(1)>} & a<b$')
    tags = {tag for tag, _ in parse(html).tags}
    assert "script" not in tags and "img" not in tags
    assert "<script>alert(1)</script>" in "".join(parse(html).text)
    assert "<img src=x onerror=alert(1)>" in "".join(parse(html).text)


def test_paragraphs_lists_code_and_emphasis() -> None:
    """Blank lines separate paragraphs; `-` and `1.` make lists; backticks, `*` and `**` work."""
    html = str(render_markup(
        "First *claim* with `code $x$`.\n\n- one $a$\n- two **bold**\n\n1. first\n2. second"
    ))
    assert [tag for tag, _ in parse(html).tags if tag in ("p", "ul", "ol", "li")] == [
        "p", "ul", "li", "li", "ol", "li", "li"
    ]
    assert "<em>claim</em>" in html and "<strong>bold</strong>" in html
    assert "<code>code $x$</code>" in html


def test_escaped_dollar_is_a_dollar_sign() -> None:
    """`\\$` writes a literal dollar and starts no formula."""
    html = render_markup("It costs \\$5 and \\$6.")
    assert "math" not in {tag for tag, _ in parse(html).tags}
    assert "It costs $5 and $6." in "".join(parse(html).text)


def test_display_math_over_several_lines_stays_one_formula() -> None:
    """A `$$` display may span lines (even with list-like lines) without splitting the block."""
    blocks = split_blocks("Then\n$$\na\n- b\n$$\nwhere.")
    assert len(blocks) == 1 and blocks[0].kind == "p"


def test_styled_alphabets_use_unicode_mathematical_letters() -> None:
    """`\\mathbb E`, `\\mathcal F` and `\\mathbb R` become 𝔼, ℱ, ℝ (Chromium ignores mathvariant)."""
    mathml = convert_formula("\\mathbb E \\mathcal F \\mathbb{R}").mathml or ""
    assert "𝔼" in mathml and "ℱ" in mathml and "ℝ" in mathml
    assert "mathvariant" not in mathml


def test_named_operators_take_limits_below_and_tight_spacing() -> None:
    """`\\max_h`, `\\arg\\min_h` become `munder` with movable limits; `\\operatorname{Var}(X)` is tight."""
    assert "<munder>" in (convert_formula("\\max_{h} f", True).mathml or "")
    argmin = convert_formula("\\arg\\min_{h \\in H} L(h)", True)
    assert argmin.error is None and "arg\u2009min" in (argmin.mathml or "")
    assert 'rspace="0"' in (convert_formula("\\operatorname{Var}(X)").mathml or "")


@pytest.mark.parametrize(
    "latex, reason",
    [
        ("\\frac{1}{", "unclosed"),
        ("a}", "closes no"),
        ("\\foo x", "unknown command \\foo"),
        ("\\begin{aligned} a &= b \\end{aligned}", "environment 'aligned'"),
        ("\\mathop{x}", "\\mathop"),
        ("", "empty"),
    ],
)
def test_formulas_that_do_not_convert_say_why(latex: str, reason: str) -> None:
    """Unbalanced braces, unknown commands and environments are errors with a reason."""
    formula = convert_formula(latex)
    assert formula.mathml is None
    assert reason in (formula.error or "")


def test_failed_formula_is_shown_as_escaped_source() -> None:
    """A formula that does not convert stays visible, as code marked tex-error."""
    html = str(render_markup("Bad: $\\foo<b>$ here."))
    assert '<code class="tex-error"' in html
    assert "$\\foo&lt;b&gt;$" in html


def test_latex_problems_name_file_and_line(tmp_path: Path) -> None:
    """Each bad formula or stray `$` is a Problem at the YAML line where it is written."""
    yaml_text = (
        "- id: x\n"
        "  title: Fine $x$\n"
        "  statement: |\n"
        "    Good $a$.\n"
        "    Bad $\\foo$ here.\n"
        "    A stray $ sign.\n"
    )
    (tmp_path / "catalogue").mkdir()
    (tmp_path / "catalogue" / "x.yaml").write_text(yaml_text, encoding="utf-8")
    bad = entry("Good $a$.\nBad $\\foo$ here.\nA stray $ sign.\n", title="Fine $x$",
                path="catalogue/x.yaml", line=1)
    problems = find_latex_problems([bad], root=tmp_path)
    assert [(p.path, p.line, p.code) for p in problems] == [
        ("catalogue/x.yaml", 5, "latex"),
        ("catalogue/x.yaml", 6, "latex"),
    ]
    assert "\\foo" in problems[0].message and "statement" in problems[0].message
    assert "'$' without its closing" in problems[1].message
    assert find_latex_problems([entry("All good: $x^2$ and $$y$$.")]) == []


def test_titles_render_inline_and_plain() -> None:
    """Titles get inline math in pages and lose their dollars where only text is allowed."""
    assert "<math" in str(render_inline("Bound for $[a,b]$-valued variables"))
    assert plain_text("Bound for $[a,b]$-valued <x>") == "Bound for [a,b]-valued <x>"
