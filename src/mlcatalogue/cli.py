"""The command line: the only place that prints or picks exit codes.

Each command calls one library function and turns its errors into `click.ClickException`.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from mlcatalogue.model import Problem

ROOT_OPTION = click.option(
    "--root",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    default=Path("."),
    show_default=True,
    help="Repository root holding lean/ and catalogue/.",
)


def require_catalogue_root(root: Path) -> None:
    """Refuse a root without catalogue/, so a mistyped --root does not build an empty catalogue."""
    if not (root / "catalogue").is_dir():
        raise click.ClickException(f"no catalogue/ under {root}; pass --root the repository root")


def echo_problems(problems: tuple[Problem, ...] | list[Problem]) -> None:
    """Print problems to stderr, one per line, `path:line: [code] message`."""
    for problem in problems:
        click.echo(str(problem), err=True)


@click.group()
@click.version_option(package_name="mlcatalogue")
def main() -> None:
    """mlcatalogue: a proof-checked catalogue of machine-learning theory."""


@main.command()
@ROOT_OPTION
@click.option("--json", "as_json", is_flag=True, help="Print the problems as a JSON list.")
def check(root: Path, as_json: bool) -> None:
    """Report every problem in lean/ and catalogue/; exit 1 if there is any."""
    from mlcatalogue.join import load_catalogue

    catalogue = load_catalogue(root)
    if as_json:
        click.echo(json.dumps([problem.__dict__ for problem in catalogue.problems], indent=2))
    else:
        echo_problems(catalogue.problems)
    errors = [problem for problem in catalogue.problems if problem.is_error]
    if errors:
        if not as_json:
            click.echo(f"{len(errors)} problem(s) found.", err=True)
        sys.exit(1)
    if not as_json:
        counts: dict[str, int] = {}
        for item in catalogue.entries:
            counts[item.status.value] = counts.get(item.status.value, 0) + 1
        summary = ", ".join(f"{n} {status}" for status, n in sorted(counts.items()))
        click.echo(
            f"OK: {len(catalogue.entries)} entries, {len(catalogue.declarations)} Lean "
            f"declarations, no errors ({summary})."
        )


# Commands of the other stages are registered below (scan, search, show, build, serve, verify,
# trace, witness); each lives next to its stage's library function.


# --- query: index, search, show (mlcatalogue.index) --------------------------------------------

INDEX_FILE_OPTION = click.option(
    "--index",
    "index_file",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Index file. [default: <root>/build/index.sqlite]",
)


@main.command("index")
@ROOT_OPTION
@INDEX_FILE_OPTION
def index_command(root: Path, index_file: Path | None) -> None:
    """(Re)build the search index of the catalogue, atomically."""
    from mlcatalogue.index import build_index
    from mlcatalogue.join import load_catalogue

    require_catalogue_root(root)
    catalogue = load_catalogue(root)
    path = build_index(catalogue, index_file)
    click.echo(
        f"Indexed {len(catalogue.entries)} entries and {len(catalogue.declarations)} Lean "
        f"declarations into {path} ({path.stat().st_size // 1024} KiB)."
    )
    errors = [problem for problem in catalogue.problems if problem.is_error]
    if errors:
        click.echo(f"note: {len(errors)} problem(s) in the catalogue; see `mlcatalogue check`.",
                   err=True)


@main.command("search")
@click.argument("query", required=False, default="")
@ROOT_OPTION
@INDEX_FILE_OPTION
@click.option("--area", multiple=True, help="Only this area (repeat for any of several).")
@click.option("--kind", multiple=True,
              type=click.Choice(["definition", "theorem", "lemma", "corollary", "result"]),
              help="Only this kind; `result` = theorem, lemma or corollary. Repeatable.")
@click.option("--status", multiple=True,
              help="Only this status: missing, sorry, defined, proof-complete, "
              "kernel-checked. Repeatable.")
@click.option("--assumes", multiple=True, help="Only entries with this assumption. Repeatable.")
@click.option("--excludes", multiple=True, help="Only entries without this assumption. Repeatable.")
@click.option("--lean-prefix", default=None,
              help="Only entries with a Lean name starting so, e.g. `MLCatalogue.`.")
@click.option("--limit", type=click.IntRange(min=1), default=20, show_default=True,
              help="Most entries to print.")
@click.option("--json", "as_json", is_flag=True, help="Print the results as JSON.")
def search_command(query: str, root: Path, index_file: Path | None, limit: int, as_json: bool,
                   **filters: object) -> None:
    """Full-text search of the catalogue; an empty QUERY lists the entries passing the filters."""
    from mlcatalogue import index

    path = index_file or index.default_index_path(root)
    try:
        matches, info = index.search_index(path, query, limit=limit, **filters)
    except (index.IndexFileError, index.UnknownFilterError) as error:
        raise click.ClickException(str(error)) from error
    if info.fingerprint and info.fingerprint != index.fingerprint_sources(root):
        click.echo(f"warning: lean/ or catalogue/ changed since {path} was built "
                   f"({info.built_at}); rebuild it with `mlcatalogue index`.", err=True)
    if as_json:
        record = index.serialize_search(query, matches, limit=limit, **filters)
        click.echo(json.dumps(record, indent=2, ensure_ascii=False))
    else:
        click.echo(index.format_matches(matches, query))


@main.command("show")
@click.argument("key")
@ROOT_OPTION
@click.option("--json", "as_json", is_flag=True, help="Print the entry as JSON.")
def show_command(key: str, root: Path, as_json: bool) -> None:
    """Show one entry, by id or Lean name: statements, status, references, dependencies."""
    from mlcatalogue import index
    from mlcatalogue.join import load_catalogue

    catalogue = load_catalogue(root)
    try:
        item = index.find_entry(catalogue, key)
    except KeyError as error:
        raise click.ClickException(str(error.args[0])) from error
    if as_json:
        click.echo(json.dumps(index.serialize_entry(item, catalogue), indent=2, ensure_ascii=False))
    else:
        click.echo(index.format_entry(item, catalogue))


@main.command()
@ROOT_OPTION
def verify(root: Path) -> None:
    """Run `lake build` and the Lean exporter; write verification/record.json (needs elan)."""
    from mlcatalogue.export import ExportError, run_verification
    from mlcatalogue.join import load_catalogue

    catalogue = load_catalogue(root)
    try:
        path = run_verification(
            root,
            catalogue.declarations,
            commit=catalogue.provenance.get("commit"),
            progress=lambda line: click.echo(line, err=True),
        )
    except ExportError as error:
        raise click.ClickException(str(error)) from error
    verified = load_catalogue(root)
    checked = sum(item.status.value == "kernel-checked" for item in verified.entries)
    click.echo(f"Wrote {path}; {checked} of {len(verified.entries)} entries are kernel-checked.")


@main.command()
@ROOT_OPTION
@click.option("--work-dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Where to put the mirror and the trace (default: build/dojo).")
@click.option("--json", "as_json", is_flag=True, help="Print premises per entry as JSON.")
def trace(root: Path, work_dir: Path | None, as_json: bool) -> None:
    """Trace the Lean proofs with LeanDojo (extra `mlcatalogue[dojo]`) and list premises."""
    from mlcatalogue.dojo import DojoError, entry_premises, trace_premises
    from mlcatalogue.join import load_catalogue

    work_dir = work_dir or root / "build" / "dojo"
    try:
        premises = trace_premises(root, work_dir)
    except DojoError as error:
        raise click.ClickException(str(error)) from error
    from mlcatalogue.join import PREMISES_PATH

    output = root / PREMISES_PATH
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps(premises, indent=2), encoding="utf-8")
    per_entry = entry_premises(load_catalogue(root), premises)
    if as_json:
        click.echo(json.dumps(per_entry, indent=2))
    else:
        for entry_id, used in per_entry.items():
            click.echo(f"{entry_id}: uses entries {', '.join(used['entries']) or '—'}; "
                       f"{len(used['external'])} Mathlib premises")
        click.echo(f"Premises written to {output}; the dependency graph now follows them.")


@main.command("witness")
@click.argument("ids", nargs=-1)
@ROOT_OPTION
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object per entry/witness.")
@click.option("--set", "settings", multiple=True, metavar="CONSTANT=VALUE",
              help="Check a variant with this constant changed, e.g. factor=1/4. Repeatable.")
@click.option("--drop", multiple=True, metavar="HYPOTHESIS",
              help="Check a variant without this hypothesis (adds instances lacking it).")
def witness_command(ids: tuple[str, ...], root: Path, as_json: bool, settings: tuple[str, ...],
                    drop: tuple[str, ...]) -> None:
    """Run numeric witnesses (entry ids or witness names; none = all); exit 1 if any fails."""
    from mlcatalogue.witness import (
        WITNESSES,
        WitnessError,
        describe,
        format_ratio,
        run_catalogue_witnesses,
    )

    variant: dict[str, object] = {}
    for setting in settings:
        key, sep, value = setting.partition("=")
        if not sep:
            raise click.BadParameter(f"{setting!r} is not CONSTANT=VALUE", param_hint="--set")
        variant[key.strip()] = value
    if drop:
        variant["drop"] = list(drop)
    catalogue = None
    wanted = not ids or any(key not in WITNESSES for key in ids)
    if wanted and (root / "catalogue").is_dir():
        from mlcatalogue.join import load_catalogue

        catalogue = load_catalogue(root)
    try:
        rows = run_catalogue_witnesses(catalogue, ids, variant=variant or None)
    except WitnessError as error:
        raise click.ClickException(str(error)) from error
    if as_json:
        click.echo(json.dumps([{"entry": entry, **report.as_dict()} for entry, report in rows],
                              indent=2, ensure_ascii=False))
    else:
        width = max([len(entry or "—") for entry, _ in rows] + [5])
        click.echo(f"{'entry':{width}}  {'witness':36}  {'instances':>9}  {'worst LHS/RHS':>13}  "
                   f"{'arithmetic':10}  result")
        for entry, report in rows:
            click.echo(f"{entry or '—':{width}}  {report.name:36}  {report.instances:>9}  "
                       f"{format_ratio(report.worst_ratio):>13}  "
                       f"{'exact' if report.exact else 'float':10}  "
                       f"{'PASS' if report.passed else 'FAIL'}")
        for entry, report in rows:
            if not report.passed:
                click.echo(f"{report.name}: {describe(report)}. {report.detail}", err=True)
    failed = sorted({report.name for _, report in rows if not report.passed})
    if failed:
        if not as_json:
            click.echo(f"{len(failed)} witness(es) failed: {', '.join(failed)}", err=True)
        sys.exit(1)


# --- site: build, serve (mlcatalogue.site) -------------------------------------------------------

SITE_DIR_OPTION = click.option(
    "--out",
    "site_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Site directory. [default: <root>/build/site]",
)


@main.command()
@ROOT_OPTION
@SITE_DIR_OPTION
@click.option("--no-search", is_flag=True, help="Skip the pagefind full-text search index.")
def build(root: Path, site_dir: Path | None, no_search: bool) -> None:
    """Build the search index and the static theorem index (build/site/).

    Problems of the catalogue are printed as warnings and do not stop the build;
    `mlcatalogue check` is the strict command.
    """
    import time

    from mlcatalogue.index import build_index
    from mlcatalogue.join import load_catalogue
    from mlcatalogue.site import SiteError, render_site

    def progress(message: str) -> None:
        click.echo(f"  {message}", err=True)

    require_catalogue_root(root)
    started = time.perf_counter()
    progress(f"loading {root / 'lean'} and {root / 'catalogue'}")
    catalogue = load_catalogue(root)
    progress(f"{len(catalogue.entries)} entries, {len(catalogue.declarations)} Lean declarations")
    echo_problems(catalogue.problems)
    if catalogue.problems:
        click.echo(
            f"warning: {len(catalogue.problems)} problem(s) in the catalogue; building anyway "
            f"(`mlcatalogue check` fails on them).",
            err=True,
        )
    progress("writing the SQLite index")
    index_path = build_index(catalogue)
    try:
        summary = render_site(
            catalogue, site_dir or root / "build" / "site", progress=progress, search=not no_search
        )
    except SiteError as error:
        raise click.ClickException(str(error)) from error
    known = {(problem.path, problem.code, problem.message) for problem in catalogue.problems}
    echo_problems([
        problem for problem in summary.problems
        if (problem.path, problem.code, problem.message) not in known
    ])
    searchable = "" if no_search else f", {summary.searchable} searchable"
    click.echo(
        f"Built {summary.pages} pages ({summary.entries} entries{searchable}) in "
        f"{summary.out_dir} and the index {index_path} in {time.perf_counter() - started:.1f} s."
    )


@main.command()
@ROOT_OPTION
@SITE_DIR_OPTION
@click.option("--port", type=int, default=8000, show_default=True, help="Port on 127.0.0.1.")
def serve(root: Path, site_dir: Path | None, port: int) -> None:
    """Serve the built site on http://127.0.0.1:PORT/ (the search needs http)."""
    from mlcatalogue.site import SiteError, open_server

    site = site_dir or root / "build" / "site"
    try:
        server = open_server(site, port=port)
    except SiteError as error:
        raise click.ClickException(str(error)) from error
    except OSError as error:
        raise click.ClickException(f"cannot listen on 127.0.0.1:{port}: {error}") from error
    click.echo(f"Serving {site} at http://127.0.0.1:{server.server_address[1]}/ (Ctrl-C stops).")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        click.echo("Stopped.")
    finally:
        server.server_close()


# --- scan (mlcatalogue.scanner) -----------------------------------------------------------------


@main.command("scan")
@click.argument("directory", type=click.Path(exists=True, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="One JSON object per line per declaration.")
@click.option(
    "--cache-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help=(
        "Keep per-file results in one SQLite file per scanned tree in this directory (created if "
        "missing): unchanged files are not re-read, files with unchanged bytes not re-parsed."
    ),
)
@click.option(
    "--jobs",
    "-j",
    type=click.IntRange(min=1),
    default=None,
    help="Worker processes for parsing a large tree (default: the number of CPUs).",
)
def scan_command(
    directory: Path, as_json: bool, cache_dir: Path | None, jobs: int | None
) -> None:
    """List the Lean declarations under DIRECTORY (problems go to stderr, exit 0)."""
    import os
    import time

    from mlcatalogue.scanner import declaration_record, read_declarations

    scanned = [0]

    def progress(count: int, path: str) -> None:
        scanned[0] = count
        if count % 1000 == 0:
            click.echo(f"... {count} files scanned ({path})", err=True)

    began = time.perf_counter()
    if jobs is None:
        jobs = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    result = read_declarations(
        directory, cache_dir=cache_dir, on_file=progress, jobs=max(1, jobs or 1)
    )
    elapsed = time.perf_counter() - began
    if as_json:
        for decl in result.declarations:
            click.echo(json.dumps(declaration_record(decl), ensure_ascii=False))
    else:
        for decl in result.declarations:
            flags = (" inferred-name" if decl.inferred_name else "") + (
                " sorry" if decl.has_sorry else ""
            )
            click.echo(f"{decl.path}:{decl.line}\t{decl.kind}\t{decl.name or '(anonymous)'}{flags}")
    echo_problems(result.problems)
    click.echo(
        f"Scanned {scanned[0]} file(s): {len(result.declarations)} declarations, "
        f"{len(result.problems)} problem(s) in {elapsed:.2f} s.",
        err=True,
    )
