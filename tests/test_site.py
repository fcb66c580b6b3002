"""Tests of the site stage: the static theorem index, parsed structurally, and its CLI commands."""

from __future__ import annotations

import dataclasses
import shutil
import threading
import urllib.request
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from click.testing import CliRunner

from mlcatalogue.cli import main
from mlcatalogue.join import load_catalogue
from mlcatalogue.model import Catalogue, Status
from mlcatalogue.site import (
    SITE_MARKER,
    SiteError,
    SiteSummary,
    open_server,
    render_site,
)

SITE_DATA = Path(__file__).parent / "data" / "site"
SCRIPT_TITLE = 'The mean squared error <script>alert("escaped")</script> is nonnegative & finite-or-∞'


def site_catalogue() -> Catalogue:
    """The fixture repository (tests/data/site: one Lean file, four entries), scanned and joined."""
    catalogue = load_catalogue(SITE_DATA)
    # The fixture's one deliberate problem: a theorem resting on sorry, to show that badge.
    assert [problem.code for problem in catalogue.problems] == ["sorry"], catalogue.problems
    return catalogue


class Page(HTMLParser):
    """One parsed page: its elements with attributes, ids, links, and visible text."""

    TEXTLESS = frozenset({"script", "style", "annotation", "code", "pre", "title"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict[str, str]]] = []
        self.ids: set[str] = set()
        self.links: list[str] = []
        self.text_parts: list[str] = []
        self.scripts: list[str] = []
        self._stack: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {key: value or "" for key, value in attrs}
        self.elements.append((tag, attributes))
        if "id" in attributes:
            self.ids.add(attributes["id"])
        for key in ("href", "src"):
            if key in attributes:
                self.links.append(attributes[key])
        if tag not in ("meta", "link", "br", "img", "input", "hr", "mspace", "path", "rect"):
            self._stack.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if self._stack and self._stack[-1] == tag:
            self._stack.pop()

    def handle_endtag(self, tag: str) -> None:
        if tag in self._stack:
            while self._stack.pop() != tag:
                pass

    def handle_data(self, data: str) -> None:
        if self._stack and self._stack[-1] == "script":
            self.scripts.append(data)
        if not self.TEXTLESS.intersection(self._stack):
            self.text_parts.append(data)

    @property
    def text(self) -> str:
        return " ".join(" ".join(self.text_parts).split())

    def tags(self, name: str, **attributes: str) -> list[dict[str, str]]:
        return [
            attrs for tag, attrs in self.elements
            if tag == name and all(attrs.get(key, "").split().count(value) or attrs.get(key) == value
                                   for key, value in attributes.items())
        ]


def parse(path: Path) -> Page:
    page = Page()
    page.feed(path.read_text(encoding="utf-8"))
    page.close()
    return page


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Catalogue, SiteSummary]:
    catalogue = site_catalogue()
    out = tmp_path_factory.mktemp("site") / "site"
    messages: list[str] = []
    summary = render_site(catalogue, out, progress=messages.append)
    assert any("entry pages" in message for message in messages)
    return catalogue, summary


def html_files(site: Path) -> Iterator[Path]:
    return (path for path in sorted(site.rglob("*.html")) if "pagefind" not in path.parts)


def test_every_entry_has_a_page_with_its_title(built: tuple[Catalogue, SiteSummary]) -> None:
    """Each catalogue entry gets entries/<id>.html whose <h1> carries its title."""
    catalogue, summary = built
    for item in catalogue.entries:
        page = parse(summary.out_dir / "entries" / f"{item.id}.html")
        assert page.tags("h1"), item.id
        assert item.title.split("$")[0].split("<")[0].strip() in page.text
    assert summary.entries == len(catalogue.entries) == 4
    assert summary.pages == len(list(html_files(summary.out_dir)))


def test_every_internal_link_resolves(built: tuple[Catalogue, SiteSummary]) -> None:
    """Every relative href/src points at an existing file, and every #fragment at an id there."""
    _, summary = built
    site = summary.out_dir.resolve()
    parsed: dict[Path, Page] = {}
    broken = []
    checked = 0
    for path in html_files(site):
        page = parsed.setdefault(path, parse(path))
        for link in page.links:
            parts = urlsplit(link)
            if parts.scheme in ("http", "https", "mailto", "data"):
                continue
            assert not parts.scheme and not parts.netloc, f"{path}: absolute link {link}"
            target = (path.parent / unquote(parts.path)).resolve() if parts.path else path
            checked += 1
            if not target.is_file() or site not in target.parents:
                broken.append(f"{path.relative_to(site)} → {link}")
                continue
            if parts.fragment and target.suffix == ".html":
                target_page = parsed.setdefault(target, parse(target))
                if parts.fragment not in target_page.ids:
                    broken.append(f"{path.relative_to(site)} → {link} (no such id)")
    assert not broken, "\n".join(broken)
    assert checked > 50


def test_no_raw_dollar_math_is_left(built: tuple[Catalogue, SiteSummary]) -> None:
    """No page shows a `$` outside code: every formula was converted."""
    _, summary = built
    for path in html_files(summary.out_dir):
        assert "$" not in parse(path).text, path


def test_formulas_are_mathml_with_unicode_alphabets(built: tuple[Catalogue, SiteSummary]) -> None:
    """The statement's formulas are MathML (inline and block); 𝔼 stands for \\mathbb E."""
    _, summary = built
    page = parse(summary.out_dir / "entries" / "mse_bias_variance.html")
    displays = {attrs.get("display") for attrs in page.tags("math")}
    assert displays == {"inline", "block"}
    html = (summary.out_dir / "entries" / "mse_bias_variance.html").read_text(encoding="utf-8")
    assert "𝔼" in html and "tex-error" not in html


def test_titles_and_statements_are_escaped(built: tuple[Catalogue, SiteSummary]) -> None:
    """A title and a statement holding <script> are shown as text on every page that shows them."""
    _, summary = built
    page = parse(summary.out_dir / "entries" / "mse_nonneg.html")
    assert page.tags("script") == []
    assert SCRIPT_TITLE in page.text
    assert "Raw HTML such as <b>this</b> or <script>alert(1)</script> is shown as text." in page.text
    assert not page.tags("b")
    for path in html_files(summary.out_dir):
        assert not any("alert" in script for script in parse(path).scripts), path
    title = (summary.out_dir / "entries" / "mse_nonneg.html").read_text(encoding="utf-8")
    assert "<title>The mean squared error &lt;script&gt;" in title


def test_entry_page_shows_status_with_its_meaning(built: tuple[Catalogue, SiteSummary]) -> None:
    """The badge names the computed status and the page says what it means."""
    catalogue, summary = built
    assert catalogue["mse_bias_variance"].status is Status.PROOF_COMPLETE
    assert catalogue["variance_sample_mean"].status is Status.SORRY
    page = parse(summary.out_dir / "entries" / "mse_bias_variance.html")
    assert page.tags("span", **{"class": "status-proof-complete"})
    assert "proof complete in source, not kernel-checked" in page.text
    sorry = parse(summary.out_dir / "entries" / "variance_sample_mean.html")
    assert sorry.tags("span", **{"class": "status-sorry"})


def test_lean_statement_is_highlighted_and_links_to_its_line(
    built: tuple[Catalogue, SiteSummary],
) -> None:
    """The Lean statement is Pygments-highlighted; its link opens the source page at that line."""
    _, summary = built
    entry_path = summary.out_dir / "entries" / "mse_bias_variance.html"
    html = entry_path.read_text(encoding="utf-8")
    assert '<span class="kn">theorem</span>' in html or '<span class="k">theorem</span>' in html
    page = parse(entry_path)
    links = [attrs["href"] for attrs in page.tags("a", **{"class": "source-link"})]
    assert links == ["../source/MLCatalogue.Estimation.html#L29"]
    source = (summary.out_dir / "source" / "MLCatalogue.Estimation.html").read_text(encoding="utf-8")
    line = source.split('id="L29"', 1)[1].split('id="L30"', 1)[0]
    assert "mse_eq_bias_sq_add_variance" in line
    assert "lean/MLCatalogue/Estimation.lean:29" in page.text


def test_references_give_exact_locations_and_links(built: tuple[Catalogue, SiteSummary]) -> None:
    """References show the cited location, the text's link, and whether the location was checked."""
    _, summary = built
    page = parse(summary.out_dir / "entries" / "mse_bias_variance.html")
    assert "§5.4.4, eqs (5.53)–(5.54), p. 132" in page.text
    assert "Theorem 6.9, p. 91" in page.text
    assert "location checked against the text" in page.text
    assert "location not yet checked" in page.text
    assert page.tags("a", href="https://www.deeplearningbook.org/")


def test_dependencies_are_linked_both_ways(built: tuple[Catalogue, SiteSummary]) -> None:
    """An entry links to the entries it uses and to those that use it; the graph has both edges."""
    _, summary = built
    used = parse(summary.out_dir / "entries" / "mse.html")
    assert used.tags("a", href="../entries/mse_bias_variance.html")
    assert used.tags("a", href="../entries/mse_nonneg.html")
    user = parse(summary.out_dir / "entries" / "mse_bias_variance.html")
    assert user.tags("a", href="../entries/mse.html")
    graph = parse(summary.out_dir / "graph.html")
    assert len(graph.tags("a", **{"class": "node"})) == 4
    edges = {(attrs["data-from"], attrs["data-to"]) for attrs in graph.tags("path", **{"class": "edge"})}
    assert edges == {("mse", "mse_bias_variance"), ("mse", "mse_nonneg")}


def test_home_page_lists_areas_with_counts_by_status(built: tuple[Catalogue, SiteSummary]) -> None:
    """The home page links every area, with its number of entries and counts by status."""
    _, summary = built
    page = parse(summary.out_dir / "index.html")
    assert page.tags("a", href="areas/statistics.html")
    assert page.tags("a", href="areas/empty-area.html")
    assert "4 entries" in page.text and "0 entries" in page.text
    assert "How to read this" in page.text
    assert page.tags("script", src="pagefind/pagefind-ui.js")


def test_pages_make_no_external_requests(built: tuple[Catalogue, SiteSummary]) -> None:
    """Stylesheets, scripts and images are all local files (links to texts are fine)."""
    _, summary = built
    for path in html_files(summary.out_dir):
        page = parse(path)
        for attrs in page.tags("script") + page.tags("img"):
            assert "//" not in attrs.get("src", ""), path
        for attrs in page.tags("link"):
            assert "//" not in attrs.get("href", ""), path
    css = (summary.out_dir / "style.css").read_text(encoding="utf-8")
    assert "http" not in css and "@import" not in css


def test_search_index_covers_entries_and_areas(built: tuple[Catalogue, SiteSummary]) -> None:
    """pagefind indexed the entry and area pages and wrote its UI next to them."""
    _, summary = built
    assert summary.searchable == 4 + 2
    assert (summary.out_dir / "pagefind" / "pagefind-ui.js").is_file()
    assert (summary.out_dir / SITE_MARKER).is_file()


def test_numeric_witness_outcome_is_shown(built: tuple[Catalogue, SiteSummary]) -> None:
    """An entry naming a witness shows what running it found."""
    _, summary = built
    page = parse(summary.out_dir / "entries" / "mse_bias_variance.html")
    assert "Numeric witness" in page.text
    assert "Holds:" in page.text and "instances" in page.text


def test_formula_that_does_not_convert_is_shown_and_reported(tmp_path: Path) -> None:
    """A bad formula appears as escaped source on its page and in the summary's problems."""
    catalogue = site_catalogue()
    item = catalogue["mse"]
    broken = dataclasses.replace(item.entry, statement="Broken: $\\frac{1}{$ and <fine>.")
    entries = tuple(
        dataclasses.replace(other, entry=broken) if other.id == "mse" else other
        for other in catalogue.entries
    )
    files = dataclasses.replace(
        catalogue.files,
        entries=tuple(broken if e.id == "mse" else e for e in catalogue.files.entries),
    )
    summary = render_site(dataclasses.replace(catalogue, entries=entries, files=files),
                          tmp_path / "site", search=False)
    page = parse(tmp_path / "site" / "entries" / "mse.html")
    assert page.tags("code", **{"class": "tex-error"})
    html = (tmp_path / "site" / "entries" / "mse.html").read_text(encoding="utf-8")
    assert "$\\frac{1}{$" in html
    assert [(p.path, p.code) for p in summary.problems] == [("catalogue/entries/estimation.yaml", "latex")]


def test_failed_build_leaves_previous_site_untouched(tmp_path: Path) -> None:
    """A build that fails writes nothing: the old site stays, and no temporary directory is left."""
    catalogue = site_catalogue()
    out = tmp_path / "site"
    render_site(catalogue, out, search=False)
    before = sorted(path.relative_to(out) for path in out.rglob("*"))
    bad_entry = dataclasses.replace(catalogue.entries[0].entry, id="../escape")
    bad = dataclasses.replace(
        catalogue,
        entries=(dataclasses.replace(catalogue.entries[0], entry=bad_entry), *catalogue.entries[1:]),
    )
    with pytest.raises(SiteError, match="escape"):
        render_site(bad, out, search=False)
    assert sorted(path.relative_to(out) for path in out.rglob("*")) == before
    assert sorted(path.name for path in tmp_path.iterdir()) == ["site"]


def test_rebuild_replaces_the_whole_site(tmp_path: Path) -> None:
    """Rebuilding swaps in a fresh site: files of the old build do not linger."""
    out = tmp_path / "site"
    render_site(site_catalogue(), out, search=False)
    (out / "entries" / "stale.html").write_text("old", encoding="utf-8")
    render_site(site_catalogue(), out, search=False)
    assert not (out / "entries" / "stale.html").exists()
    assert (out / "entries" / "mse.html").is_file()
    assert sorted(path.name for path in tmp_path.iterdir()) == ["site"]


def test_refuses_to_replace_a_directory_it_did_not_build(tmp_path: Path) -> None:
    """A non-empty directory without the site marker (say, a repository) is never replaced."""
    out = tmp_path / "precious"
    out.mkdir()
    (out / "notes.txt").write_text("keep me", encoding="utf-8")
    with pytest.raises(SiteError, match="refusing"):
        render_site(site_catalogue(), out, search=False)
    assert (out / "notes.txt").read_text(encoding="utf-8") == "keep me"


def test_server_serves_the_site_on_localhost(built: tuple[Catalogue, SiteSummary]) -> None:
    """open_server serves index.html and pagefind's wasm with the right content type."""
    _, summary = built
    server = open_server(summary.out_dir)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        base = f"http://127.0.0.1:{server.server_address[1]}/"
        with urllib.request.urlopen(base, timeout=10) as response:
            assert b"Machine-learning theory" in response.read()
        wasm = next((summary.out_dir / "pagefind").glob("wasm.*.pagefind"))
        with urllib.request.urlopen(base + f"pagefind/{wasm.name}", timeout=10) as response:
            assert response.status == 200
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


def test_serve_without_a_built_site_fails_clearly(tmp_path: Path) -> None:
    """`mlcatalogue serve` on a root with no build says to build first and exits non-zero."""
    result = CliRunner().invoke(main, ["serve", "--root", str(tmp_path), "--port", "0"])
    assert result.exit_code != 0
    assert "mlcatalogue build" in result.output


def test_build_command_builds_index_and_site(tmp_path: Path) -> None:
    """`mlcatalogue build` scans, joins, writes build/index.sqlite and build/site/, with a summary."""
    root = tmp_path / "repo"
    shutil.copytree(SITE_DATA, root)
    result = CliRunner().invoke(main, ["build", "--root", str(root)])
    assert result.exit_code == 0, result.output
    assert (root / "build" / "site" / "index.html").is_file()
    assert (root / "build" / "site" / "entries" / "mse_bias_variance.html").is_file()
    assert (root / "build" / "index.sqlite").is_file()
    assert "entry pages" in result.output
    assert "Built" in result.output and "pages" in result.output


def test_repository_catalogue_builds_without_broken_formulas(tmp_path: Path) -> None:
    """The real catalogue of this repository renders with every formula converted."""
    repository = Path(__file__).parents[1]
    catalogue = load_catalogue(repository)
    summary = render_site(catalogue, tmp_path / "site", search=False)
    assert [p for p in summary.problems if p.code == "latex"] == []
    for path in html_files(summary.out_dir):
        assert "$" not in parse(path).text, path
        assert "tex-error" not in path.read_text(encoding="utf-8"), path


def test_build_refuses_a_root_without_a_catalogue(tmp_path: Path) -> None:
    """A mistyped --root is an error naming the directory, and nothing is written there."""
    from click.testing import CliRunner

    from mlcatalogue.cli import main

    result = CliRunner().invoke(main, ["build", "--root", str(tmp_path)])
    assert result.exit_code == 1
    assert f"no catalogue/ under {tmp_path}" in result.output
    assert list(tmp_path.iterdir()) == []
    missing = CliRunner().invoke(main, ["check", "--root", str(tmp_path / "nowhere")])
    assert missing.exit_code == 2 and "does not exist" in missing.output
