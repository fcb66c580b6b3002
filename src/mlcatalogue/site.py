"""Site: a joined `Catalogue` → the static theorem index (HTML + MathML + a pagefind search).

`render_site` renders jinja2 templates shipped in the package (autoescape on) into a temporary
directory next to the output, converts every formula to MathML at build time (see `markup`),
highlights Lean with Pygments' Lean 4 lexer, lays out the dependency graph as a static SVG, runs
pagefind over the result, and only then swaps the new site into place: a failed build leaves the
previous site untouched. Links are relative, so the pages read fine from `file://`; only the search
needs http, which `open_server` (and `mlcatalogue serve`) provides on localhost.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from markupsafe import Markup

from mlcatalogue.markup import (
    find_latex_problems,
    plain_text,
    render_inline,
    render_markup,
)
from mlcatalogue.model import (
    Catalogue,
    CatalogueEntry,
    Declaration,
    Kind,
    Problem,
    Status,
)

if TYPE_CHECKING:  # pragma: no cover - typing only
    from jinja2 import Environment

SITE_MARKER = ".mlcatalogue-site"
"""A file at the root of every built site: only a directory holding it may be replaced."""

STATUS_ORDER = (
    Status.KERNEL_CHECKED,
    Status.PROOF_COMPLETE,
    Status.DEFINED,
    Status.SORRY,
    Status.MISSING,
)
"""Statuses strongest first, the order in which the site lists them."""

VERIFIED_LABELS = {
    "yes": "location checked against the text",
    "true": "location checked against the text",
    "partial": "location partly checked",
    "no": "location not yet checked",
    "false": "location not yet checked",
}

_SAFE_NAME = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]*$")
_PAGEFIND_COUNT = re.compile(r"Indexed (\d+) pages?")

# Graph layout, in SVG user units (px).
_NODE_WIDTH = 232
_LINE_HEIGHT = 16
_COLUMN_GAP = 84
_ROW_GAP = 14
_MARGIN = 16
_TOP = 32  # room for the column labels
_CHARS_PER_LINE = 30
_MAX_LINES = 3


class SiteError(Exception):
    """The site could not be built; the previous site (if any) is unchanged."""


@dataclass(frozen=True)
class SiteSummary:
    """What `render_site` wrote: page counts, time taken and the problems met on the way."""

    out_dir: Path
    pages: int
    entries: int
    searchable: int
    seconds: float
    problems: tuple[Problem, ...] = ()


@dataclass(frozen=True)
class WitnessOutcome:
    """A numeric witness run at build time: its description, and whether it held (None: unknown)."""

    name: str
    text: str
    passed: bool | None
    statement: str = ""


@dataclass(frozen=True)
class SourceFile:
    """One Lean file: its page name and its lines highlighted by Pygments (HTML, one per line)."""

    path: str
    page: str
    module: str
    lines: tuple[Markup, ...]
    text: str = ""


@dataclass(frozen=True)
class GraphNode:
    """An entry placed in the dependency graph's SVG."""

    item: CatalogueEntry
    x: int
    y: int
    height: int
    lines: tuple[str, ...]
    label: str


@dataclass(frozen=True)
class GraphEdge:
    """A dependency drawn as a curve from the entry used to the entry using it."""

    path: str
    source: str
    target: str


@dataclass(frozen=True)
class Graph:
    """The laid-out dependency graph: nodes in columns by dependency depth, and edges."""

    nodes: tuple[GraphNode, ...]
    edges: tuple[GraphEdge, ...]
    width: int
    height: int
    columns: tuple[str, ...] = ()
    node_width: int = _NODE_WIDTH
    column_gap: int = _COLUMN_GAP
    margin: int = _MARGIN


Progress = Callable[[str], None]


def render_site(
    catalogue: Catalogue,
    out_dir: Path,
    *,
    progress: Progress | None = None,
    search: bool = True,
) -> SiteSummary:
    """Render the whole site into `out_dir` (replaced atomically at the end); index it for search."""
    started = time.perf_counter()
    say = progress or (lambda message: None)
    out_dir = Path(out_dir)
    _check_replaceable(out_dir)
    _check_names(catalogue)
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.", suffix=".tmp", dir=out_dir.parent))
    try:
        pages, problems = _write_pages(catalogue, staging, say)
        searchable = 0
        if search:
            say("indexing the site for search (pagefind)")
            searchable = _run_pagefind(staging)
        (staging / SITE_MARKER).write_text("built by mlcatalogue\n", encoding="utf-8")
        os.chmod(staging, 0o755)
        _swap_into_place(staging, out_dir)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return SiteSummary(
        out_dir=out_dir,
        pages=pages,
        entries=len(catalogue.entries),
        searchable=searchable,
        seconds=time.perf_counter() - started,
        problems=tuple(problems),
    )


def open_server(
    site_dir: Path, *, host: str = "127.0.0.1", port: int = 0
) -> ThreadingHTTPServer:
    """An HTTP server for a built site (port 0 picks a free port); call `serve_forever` on it."""
    site_dir = Path(site_dir)
    if not (site_dir / "index.html").is_file():
        raise SiteError(f"{site_dir} holds no built site (run `mlcatalogue build` first)")
    handler = partial(_QuietHandler, directory=str(site_dir))
    return ThreadingHTTPServer((host, port), handler)


class _QuietHandler(SimpleHTTPRequestHandler):
    """Serves the site; pagefind's index files need their own content types, and no log noise."""

    # The stdlib declares this per instance; a class-level table is how it is meant to be extended.
    extensions_map = {  # noqa: RUF012
        **SimpleHTTPRequestHandler.extensions_map,
        ".wasm": "application/wasm",
        ".js": "text/javascript",
        ".css": "text/css",
        ".json": "application/json",
        ".pagefind": "application/octet-stream",
        ".pf_meta": "application/octet-stream",
        ".pf_index": "application/octet-stream",
        ".pf_fragment": "application/octet-stream",
    }

    def log_message(self, format: str, *args: Any) -> None:
        """Stay silent: only the CLI prints."""


# --- the pages -----------------------------------------------------------------------------------


def _write_pages(catalogue: Catalogue, site: Path, say: Progress) -> tuple[int, list[Problem]]:
    env = _environment()
    problems: list[Problem] = list(find_latex_problems(catalogue.files.entries, root=catalogue.root))
    areas = _areas(catalogue)
    by_area: dict[str, list[CatalogueEntry]] = {key: [] for key in areas}
    for item in catalogue.entries:
        by_area.setdefault(item.entry.area, []).append(item)
        areas.setdefault(item.entry.area, (item.entry.area, ""))
    by_id = {item.id: item for item in catalogue.entries}

    sources, source_problems = _read_sources(catalogue)
    say(f"highlighted {len(sources)} Lean files")
    problems.extend(source_problems)
    witnesses, witness_problems = _run_witnesses(catalogue, say)
    problems.extend(witness_problems)

    common = {
        "catalogue": catalogue,
        "areas": areas,
        "by_area": by_area,
        "by_id": by_id,
        "status_order": STATUS_ORDER,
        "commit": (catalogue.provenance or {}).get("commit"),
        "total_counts": _counts(catalogue.entries),
        "sources": sorted(sources.values(), key=lambda source: source.module),
    }
    pages = 0

    def write(template: str, path: str, **context: Any) -> None:
        nonlocal pages
        depth = path.count("/")
        html_text = env.get_template(template).render(**common, **context, root="../" * depth)
        target = site / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(html_text, encoding="utf-8")
        pages += 1

    (site / "style.css").write_bytes(
        resources.files("mlcatalogue").joinpath("static", "style.css").read_bytes()
    )

    say("rendering the home page, areas, assumptions and bibliography")
    write("index.html", "index.html", counts={key: _counts(items) for key, items in by_area.items()})
    for key, (title, description) in areas.items():
        write("area.html", f"areas/{key}.html", area=key, area_title=title,
              area_description=description, items=by_area.get(key, []),
              counts=_counts(by_area.get(key, [])))
    write("assumptions.html", "assumptions.html", users=_assumption_users(catalogue))
    write("bibliography.html", "bibliography.html", citations=_citations(catalogue))

    say(f"rendering {len(catalogue.entries)} entry pages")
    decl_sources = {
        decl.name: sources[decl.path]
        for item in catalogue.entries
        for decl in item.declarations
        if decl.path in sources
    }
    for key, items in by_area.items():
        for index, item in enumerate(items):
            write(
                "entry.html",
                f"entries/{item.id}.html",
                item=item,
                area_title=areas[key][0],
                previous=items[index - 1] if index > 0 else None,
                next=items[index + 1] if index + 1 < len(items) else None,
                lean=[_lean_view(decl, decl_sources.get(decl.name)) for decl in item.declarations],
                witness=witnesses.get(item.entry.witness or ""),
            )

    say("laying out the dependency graph")
    write("graph.html", "graph.html", graph=_layout_graph(catalogue, areas))

    say(f"rendering {len(sources)} Lean source pages")
    entries_by_file = _entries_by_file(catalogue)
    for source in sources.values():
        write("source.html", f"source/{source.page}", source=source,
              entries_here=entries_by_file.get(source.path, []))
    return pages, problems


def _environment() -> Environment:
    from jinja2 import Environment, PackageLoader, StrictUndefined

    env = Environment(
        loader=PackageLoader("mlcatalogue", "templates"),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["markup"] = render_markup
    env.filters["inline"] = render_inline
    env.filters["plain"] = plain_text
    env.filters["slug"] = _slug
    env.globals["status_meaning"] = lambda status: status.meaning
    env.globals["verified_label"] = lambda flag: VERIFIED_LABELS.get(str(flag).lower(), str(flag))
    env.globals["kind_label"] = lambda kind: kind.value.capitalize()
    env.globals["Kind"] = Kind
    return env


def _slug(value: Any) -> str:
    text = value.value if isinstance(value, Status) else str(value)
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def _areas(catalogue: Catalogue) -> dict[str, tuple[str, str]]:
    """Area key → (title, description), in vocabulary order."""
    return {key: (term.title, term.description) for key, term in catalogue.files.areas.items()}


def _counts(items: Iterable[CatalogueEntry]) -> dict[Status, int]:
    counts = {status: 0 for status in STATUS_ORDER}
    for item in items:
        counts[item.status] = counts.get(item.status, 0) + 1
    return counts


def _assumption_users(catalogue: Catalogue) -> dict[str, list[CatalogueEntry]]:
    users: dict[str, list[CatalogueEntry]] = {key: [] for key in catalogue.files.assumptions}
    for item in catalogue.entries:
        for key in item.entry.assumptions:
            users.setdefault(key, []).append(item)
    return users


def _citations(catalogue: Catalogue) -> dict[str, list[tuple[CatalogueEntry, Any]]]:
    citations: dict[str, list[tuple[CatalogueEntry, Any]]] = {
        key: [] for key in catalogue.files.publications
    }
    for item in catalogue.entries:
        for reference in item.entry.references:
            citations.setdefault(reference.source, []).append((item, reference))
    return citations


def _entries_by_file(catalogue: Catalogue) -> dict[str, list[tuple[Declaration, CatalogueEntry]]]:
    found: dict[str, list[tuple[Declaration, CatalogueEntry]]] = {}
    for item in catalogue.entries:
        for decl in item.declarations:
            found.setdefault(decl.path, []).append((decl, item))
    for pairs in found.values():
        pairs.sort(key=lambda pair: pair[0].line)
    return found


def _check_names(catalogue: Catalogue) -> None:
    """Entry ids and area keys become file names: refuse anything that is not a plain name."""
    bad = [item.id for item in catalogue.entries if not _SAFE_NAME.match(item.id)]
    bad += [item.entry.area for item in catalogue.entries if not _SAFE_NAME.match(item.entry.area)]
    bad += [key for key in catalogue.files.areas if not _SAFE_NAME.match(key)]
    if bad:
        raise SiteError(
            "cannot use these ids or area keys as file names: "
            + ", ".join(repr(name) for name in sorted(set(bad)))
        )


# --- Lean sources ---------------------------------------------------------------------------------


def _read_sources(catalogue: Catalogue) -> tuple[dict[str, SourceFile], list[Problem]]:
    """Highlight every scanned Lean file once (catalogued declarations link to their lines)."""
    lexer = _lean_lexer()
    sources: dict[str, SourceFile] = {}
    problems: list[Problem] = []
    paths = sorted(
        {decl.path for item in catalogue.entries for decl in item.declarations}
        | {decl.path for decl in catalogue.declarations}
        | {doc.path for doc in catalogue.module_docs}
    )
    for path in paths:
        file_path = Path(path) if Path(path).is_absolute() else Path(catalogue.root) / path
        try:
            text = file_path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            problems.append(
                Problem(path, 0, "site-source", f"cannot read Lean source: {error}", "warning")
            )
            continue
        module = _module_name(path)
        sources[path] = SourceFile(
            path=path,
            page=f"{module}.html",
            module=module,
            lines=tuple(Markup(line) for line in _highlight_lines(text, lexer)),
            text=text,
        )
    return sources, problems


def _highlight_lines(text: str, lexer: Any) -> list[str]:
    """Highlighted HTML per source line; Pygments closes its spans at every line end."""
    from pygments import highlight
    from pygments.formatters import HtmlFormatter

    rendered: str = highlight(text, lexer, HtmlFormatter(nowrap=True))
    lines = rendered.split("\n")
    wanted = text.count("\n") + (0 if text.endswith("\n") else 1)
    return (lines + [""] * wanted)[:wanted]


def _highlight(text: str) -> Markup:
    return Markup("\n".join(_highlight_lines(text, _lean_lexer())))


def _lean_lexer() -> Any:
    """Pygments' Lean 4 lexer, keeping leading blank lines so that line numbers stay true."""
    from pygments.lexers import get_lexer_by_name

    return get_lexer_by_name("lean4", stripnl=False, ensurenl=True)


def _module_name(path: str) -> str:
    parts = Path(path).with_suffix("").parts
    if parts and parts[0] == "lean":
        parts = parts[1:]
    name = ".".join(parts) or "source"
    return re.sub(r"[^A-Za-z0-9_.-]", "_", name)


def _lean_view(decl: Declaration, source: SourceFile | None) -> dict[str, Any]:
    """What the entry page shows of one declaration: statement, docstring, source lines, link."""
    statement = _statement_source(source.text, decl) if source is not None else None
    if statement is None:
        keyword = " ".join((*decl.modifiers, decl.kind))
        statement = decl.signature.strip()
        if not statement.startswith(decl.kind) and not statement.startswith(keyword):
            statement = f"{keyword} {statement}"
    body: list[tuple[int, Markup]] = []
    if source is not None:
        first = max(decl.line, 1)
        last = max(decl.end_line, first)
        body = [
            (number, source.lines[number - 1])
            for number in range(first, min(last, len(source.lines)) + 1)
        ]
    return {
        "decl": decl,
        "statement": _highlight(statement),
        "docstring": decl.docstring,
        "source": source,
        "body": body,
    }


def _statement_source(text: str, decl: Declaration) -> str | None:
    """The statement as formatted in the source: from the keyword through the signature's end.

    The scanner gives the signature with its whitespace collapsed; matching its characters
    against the source recovers the author's line breaks and indentation. None if they differ.
    """
    lines = text.splitlines()
    if not 0 < decl.line <= len(lines):
        return None
    region = "\n".join(lines[decl.line - 1: max(decl.end_line, decl.line)])
    wanted = "".join(decl.signature.split())
    if not wanted:
        return None
    start = region.find(decl.signature.split()[0])
    if start < 0:
        return None
    position, matched = start, 0
    while position < len(region) and matched < len(wanted):
        char = region[position]
        position += 1
        if char.isspace():
            continue
        if char != wanted[matched]:
            return None
        matched += 1
    return region[:position].strip() if matched == len(wanted) else None


# --- witnesses ------------------------------------------------------------------------------------


def _run_witnesses(
    catalogue: Catalogue, say: Progress
) -> tuple[dict[str, WitnessOutcome], list[Problem]]:
    """Run each named numeric witness once; a failing witness is shown, never fatal."""
    names = sorted({item.entry.witness for item in catalogue.entries if item.entry.witness})
    if not names:
        return {}, []
    from mlcatalogue import witness as witness_module

    outcomes: dict[str, WitnessOutcome] = {}
    problems: list[Problem] = []
    say(f"running {len(names)} numeric witnesses")
    for name in names:
        if name not in witness_module.WITNESSES:
            continue
        try:
            report = witness_module.run_witness(name)
            text = witness_module.describe(report)
        # A witness is user-supplied numeric code; whatever it raises is its outcome to show.
        except Exception as failure:  # noqa: BLE001
            outcomes[name] = WitnessOutcome(name, f"the witness failed to run: {failure!r}", False)
            problems.append(
                Problem("witness", 0, "witness-failed", f"{name}: {failure!r}", "warning")
            )
            continue
        statement = str(getattr(witness_module.WITNESSES[name], "statement", ""))
        outcomes[name] = WitnessOutcome(name, text, _passed(report), statement)
    return outcomes, problems


def _passed(report: Any) -> bool | None:
    for attribute in ("passed", "ok", "holds", "success"):
        value = getattr(report, attribute, None)
        if isinstance(value, bool):
            return value
    return None


# --- the dependency graph -------------------------------------------------------------------------


def _layout_graph(catalogue: Catalogue, areas: Mapping[str, tuple[str, str]]) -> Graph:
    """Columns by dependency depth (foundations left), ordered by area then by neighbours."""
    by_id = {item.id: item for item in catalogue.entries}
    depth = _depths({item.id: [dep for dep in item.depends_on if dep in by_id]
                     for item in catalogue.entries})
    area_rank = {key: index for index, key in enumerate(areas)}
    file_rank = {item.id: index for index, item in enumerate(catalogue.entries)}
    column_count = max(depth.values(), default=-1) + 1
    columns: list[list[str]] = [[] for _ in range(column_count)]
    for item in catalogue.entries:
        columns[depth[item.id]].append(item.id)
    for column in columns:
        column.sort(key=lambda entry_id: (area_rank.get(by_id[entry_id].entry.area, 99),
                                          file_rank[entry_id]))

    lines = {item.id: _wrap(plain_text(item.title)) for item in catalogue.entries}
    heights = {entry_id: 20 + _LINE_HEIGHT * len(text) + 4 for entry_id, text in lines.items()}

    def place() -> dict[str, int]:
        positions: dict[str, int] = {}
        for column in columns:
            y = _TOP
            for entry_id in column:
                positions[entry_id] = y
                y += heights[entry_id] + _ROW_GAP
        return positions

    # A few sweeps of the barycentre heuristic reduce crossings between neighbouring columns.
    positions = place()
    for _ in range(4):
        for column in columns[1:]:
            column.sort(key=partial(_barycentre, by_id=by_id, positions=positions, heights=heights))
        positions = place()

    nodes = []
    for index, column in enumerate(columns):
        x = _MARGIN + index * (_NODE_WIDTH + _COLUMN_GAP)
        for entry_id in column:
            item = by_id[entry_id]
            nodes.append(GraphNode(item, x, positions[entry_id], heights[entry_id],
                                   tuple(lines[entry_id]), item.entry.kind.value))
    placed = {node.item.id: node for node in nodes}
    edges = []
    for node in nodes:
        for dep in node.item.depends_on:
            if dep not in placed or dep == node.item.id:
                continue
            source = placed[dep]
            x1, y1 = source.x + _NODE_WIDTH, source.y + source.height / 2
            x2, y2 = node.x - 6, node.y + node.height / 2
            bend = max((x2 - x1) / 2, 30)
            edges.append(GraphEdge(
                f"M{x1:.0f},{y1:.0f} C{x1 + bend:.0f},{y1:.0f} {x2 - bend:.0f},{y2:.0f} "
                f"{x2:.0f},{y2:.0f}",
                dep, node.item.id,
            ))
    width = _MARGIN * 2 + max(column_count, 1) * _NODE_WIDTH + max(column_count - 1, 0) * _COLUMN_GAP
    height = _MARGIN + max((node.y + node.height for node in nodes), default=0) + _MARGIN
    labels = tuple(
        "foundations" if index == 0 else f"depth {index}" for index in range(column_count)
    )
    return Graph(tuple(nodes), tuple(edges), width, height, labels)


def _barycentre(entry_id: str, *, by_id: Mapping[str, CatalogueEntry],
                positions: Mapping[str, int], heights: Mapping[str, int]) -> float:
    """Mean height of the entries this one uses (its own position if it uses none placed)."""
    deps = [dep for dep in by_id[entry_id].depends_on if dep in positions]
    if not deps:
        return positions[entry_id]
    return sum(positions[dep] + heights[dep] / 2 for dep in deps) / len(deps)


def _depths(parents: Mapping[str, list[str]]) -> dict[str, int]:
    """Longest dependency chain below each entry (0: uses no other entry); cycles are cut."""
    depth: dict[str, int] = {}
    for start in parents:
        if start in depth:
            continue
        stack = [(start, iter(parents[start]))]
        on_path = {start}
        while stack:
            node, pending = stack[-1]
            for dep in pending:
                if dep not in depth and dep not in on_path:
                    stack.append((dep, iter(parents[dep])))
                    on_path.add(dep)
                    break
            else:
                stack.pop()
                on_path.discard(node)
                depth[node] = 1 + max((depth[dep] for dep in parents[node] if dep in depth),
                                      default=-1)
    return depth


def _wrap(text: str) -> list[str]:
    words = text.split()
    lines: list[str] = []
    current = ""
    for word in words:
        candidate = f"{current} {word}".strip()
        if len(candidate) <= _CHARS_PER_LINE or not current:
            current = candidate
        else:
            lines.append(current)
            current = word
    if current:
        lines.append(current)
    if len(lines) > _MAX_LINES:
        lines = lines[:_MAX_LINES]
        lines[-1] = lines[-1][: _CHARS_PER_LINE - 1].rstrip() + "…"
    return lines or [""]


# --- search and the final swap --------------------------------------------------------------------


def _run_pagefind(site: Path) -> int:
    """Index the site with the pagefind binary from the `pagefind[bin]` package; pages indexed."""
    command = [
        sys.executable, "-m", "pagefind",
        "--site", str(site),
        "--exclude-selectors", "annotation",
    ]
    try:
        result = subprocess.run(command, capture_output=True, text=True, timeout=600, check=False)
    except (OSError, subprocess.SubprocessError) as error:
        raise SiteError(f"could not run pagefind: {error}") from error
    if result.returncode != 0:
        detail = (result.stderr or result.stdout).strip().splitlines()[-5:]
        raise SiteError("pagefind failed:\n" + "\n".join(detail))
    match = _PAGEFIND_COUNT.search(result.stdout)
    return int(match.group(1)) if match else 0


def _check_replaceable(out_dir: Path) -> None:
    """Only replace an empty directory or a site this module built (never, say, the repo root)."""
    if not out_dir.exists():
        return
    if not out_dir.is_dir():
        raise SiteError(f"{out_dir} exists and is not a directory")
    if any(out_dir.iterdir()) and not (out_dir / SITE_MARKER).is_file():
        raise SiteError(
            f"refusing to replace {out_dir}: it is not empty and was not built by mlcatalogue"
        )


def _swap_into_place(staging: Path, out_dir: Path) -> None:
    retired = None
    if out_dir.exists():
        retired = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.", suffix=".old", dir=out_dir.parent))
        retired.rmdir()
        out_dir.rename(retired)
    try:
        staging.rename(out_dir)
    except OSError:
        if retired is not None:
            retired.rename(out_dir)
        raise
    if retired is not None:
        shutil.rmtree(retired, ignore_errors=True)

