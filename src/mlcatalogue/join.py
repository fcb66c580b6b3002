"""The join: Lean declarations + catalogue files (+ an optional verification record) → `Catalogue`.

This stage computes each entry's status from the code (never from what the YAML says), the
dependency graph between entries (from the identifiers each declaration mentions), and every
consistency problem between the two sources of truth: names that do not exist, sorry behind a
result (also through another of our declarations), theorems nobody catalogued, module docs whose
"Main results" disagree with the catalogue, formulas that do not convert, unknown witnesses,
statements whose constants differ from what their witness checks.
`load_catalogue` is the one function that reads files; `join` itself is pure.
"""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterable, Mapping
from dataclasses import replace
from pathlib import Path

from mlcatalogue.loader import load_catalogue_files
from mlcatalogue.model import (
    Catalogue,
    CatalogueEntry,
    CatalogueFiles,
    Declaration,
    Kind,
    ModuleDoc,
    Problem,
    ScanResult,
    Status,
    Verification,
)

ROOT_NAMESPACE = "MLCatalogue"
PREMISES_PATH = Path("build") / "dojo" / "premises.json"
DOCUMENTED_KINDS = frozenset(
    {"theorem", "lemma", "def", "abbrev", "structure", "class", "inductive", "instance", "opaque"}
)


def load_catalogue(root: Path) -> Catalogue:
    """Scan `root/lean`, load `root/catalogue`, read any verification record, and join them."""
    from mlcatalogue.export import load_verifications
    from mlcatalogue.scanner import read_declarations

    root = Path(root)
    lean_dir = root / "lean"
    if lean_dir.is_dir():
        scan = read_declarations(lean_dir, base=root)
    else:
        scan = ScanResult((), (), (Problem("lean", 0, "missing-file", "no lean/ directory"),))
    premise_problems: list[Problem] = []
    premises_path = root / PREMISES_PATH
    if premises_path.is_file():
        scan, premise_problems = _with_premises(scan, premises_path)
    files = load_catalogue_files(root / "catalogue", base=root)
    verifications, verification_problems, provenance = load_verifications(root, scan.declarations)
    catalogue = join(scan, files, root=root, verifications=verifications)
    extra = [*premise_problems, *verification_problems]
    extra.extend(find_formula_problems(files, root))
    extra.extend(find_witness_problems(files))
    return Catalogue(
        root=catalogue.root,
        entries=catalogue.entries,
        declarations=catalogue.declarations,
        files=catalogue.files,
        module_docs=catalogue.module_docs,
        problems=catalogue.problems + tuple(extra),
        provenance={"commit": _git_commit(root), **provenance},
    )


def join(
    scan: ScanResult,
    files: CatalogueFiles,
    *,
    root: Path = Path("."),
    verifications: Mapping[str, Verification] | None = None,
) -> Catalogue:
    """Join scanned declarations with catalogue entries; compute statuses, graph and problems."""
    verifications = verifications or {}
    problems: list[Problem] = [*scan.problems, *files.problems]
    by_name = {decl.name: decl for decl in scan.declarations}
    resolve = _resolver(by_name)
    sorry_names = _transitively_sorried(scan.declarations, resolve)

    catalogued: dict[str, str] = {}
    for entry in files.entries:
        for name in entry.decls:
            if name in catalogued and catalogued[name] != entry.id:
                problems.append(
                    Problem(entry.path, entry.line, "decl-twice",
                            f"{name} is already catalogued by entry {catalogued[name]!r}")
                )
            catalogued.setdefault(name, entry.id)

    joined: list[CatalogueEntry] = []
    for entry in files.entries:
        found: list[Declaration] = []
        missing = False
        for name in entry.decls:
            decl = by_name.get(name)
            if decl is None:
                missing = True
                hint = _did_you_mean(name, by_name)
                problems.append(
                    Problem(entry.path, entry.line, "unknown-decl",
                            f"entry {entry.id!r} names {name}, which is not declared in lean/{hint}")
                )
            else:
                found.append(decl)
        sorried = [decl for decl in found if decl.name in sorry_names]
        if entry.kind is not Kind.DEFINITION:
            for decl in sorried:
                via = "" if decl.has_sorry else " (through a declaration it uses)"
                problems.append(
                    Problem(entry.path, entry.line, "sorry",
                            f"result {entry.id!r} rests on sorry: {decl.name} at "
                            f"{decl.path}:{decl.line}{via}")
                )
        status = _status(entry.kind, missing, bool(sorried), found, verifications)
        joined.append(
            CatalogueEntry(
                entry=entry,
                declarations=tuple(found),
                status=status,
                verifications=tuple(
                    verifications[decl.name] for decl in found if decl.name in verifications
                ),
            )
        )

    joined = _with_dependencies(joined, by_name, resolve, catalogued)
    problems.extend(_uncatalogued(scan.declarations, catalogued, files))
    problems.extend(_undocumented(scan.declarations))
    problems.extend(_module_doc_disagreements(scan.module_docs, scan.declarations, catalogued))
    return Catalogue(
        root=root,
        entries=tuple(joined),
        declarations=scan.declarations,
        files=files,
        module_docs=scan.module_docs,
        problems=tuple(problems),
    )


def _status(
    kind: Kind,
    missing: bool,
    sorried: bool,
    found: list[Declaration],
    verifications: Mapping[str, Verification],
) -> Status:
    if missing:
        return Status.MISSING
    if sorried:
        return Status.SORRY
    checked = [verifications.get(decl.name) for decl in found]
    if found and all(v is not None and v.current and v.standard_axioms_only for v in checked):
        return Status.KERNEL_CHECKED
    return Status.DEFINED if kind is Kind.DEFINITION else Status.PROOF_COMPLETE


def _resolver(by_name: Mapping[str, Declaration]):  # type: ignore[no-untyped-def]
    """Resolve an identifier as written inside a declaration to one of our declarations."""

    def resolve(mention: str, context: str) -> str | None:
        if mention in by_name:
            return mention
        namespace = context.rsplit(".", 1)[0] if "." in context else ""
        while namespace:
            candidate = f"{namespace}.{mention}"
            if candidate in by_name:
                return candidate
            namespace = namespace.rsplit(".", 1)[0] if "." in namespace else ""
        candidate = f"{ROOT_NAMESPACE}.{mention}"
        return candidate if candidate in by_name else None

    return resolve


def _uses(decl: Declaration, resolve) -> set[str]:  # type: ignore[no-untyped-def]
    used = set()
    for mention in decl.mentions:
        target = resolve(mention, decl.name)
        if target is not None and target != decl.name:
            used.add(target)
    return used


def _transitively_sorried(declarations: Iterable[Declaration], resolve) -> set[str]:  # type: ignore[no-untyped-def]
    """Names of declarations whose source, or the source of one they use, has sorry."""
    declarations = list(declarations)
    users: dict[str, set[str]] = {}
    for decl in declarations:
        for target in _uses(decl, resolve):
            users.setdefault(target, set()).add(decl.name)
    sorried = {decl.name for decl in declarations if decl.has_sorry}
    frontier = list(sorried)
    while frontier:
        name = frontier.pop()
        for user in users.get(name, ()):
            if user not in sorried:
                sorried.add(user)
                frontier.append(user)
    return sorried


def _with_dependencies(
    joined: list[CatalogueEntry],
    by_name: Mapping[str, Declaration],
    resolve,  # type: ignore[no-untyped-def]
    catalogued: Mapping[str, str],
) -> list[CatalogueEntry]:
    """Fill depends_on/used_by: entry A depends on B if a declaration of A mentions one of B.

    Mentions are followed through uncatalogued (auxiliary) declarations, so a result proved via a
    private step still depends on what that step uses.
    """
    depends: dict[str, set[str]] = {item.id: set() for item in joined}
    for item in joined:
        seen: set[str] = set()
        frontier = [decl.name for decl in item.declarations]
        while frontier:
            name = frontier.pop()
            if name in seen or name not in by_name:
                continue
            seen.add(name)
            for target in _uses(by_name[name], resolve):
                owner = catalogued.get(target)
                if owner is None:
                    frontier.append(target)
                elif owner != item.id:
                    depends[item.id].add(owner)
    used_by: dict[str, set[str]] = {item.id: set() for item in joined}
    for source, targets in depends.items():
        for target in targets:
            if target in used_by:
                used_by[target].add(source)
    order = {item.id: position for position, item in enumerate(joined)}
    return [
        CatalogueEntry(
            entry=item.entry,
            declarations=item.declarations,
            status=item.status,
            depends_on=tuple(sorted(depends[item.id], key=order.__getitem__)),
            used_by=tuple(sorted(used_by[item.id], key=order.__getitem__)),
            verifications=item.verifications,
        )
        for item in joined
    ]


def _uncatalogued(
    declarations: Iterable[Declaration], catalogued: Mapping[str, str], files: CatalogueFiles
) -> list[Problem]:
    problems = []
    auxiliary = {item.name: item for item in files.auxiliary}
    names = set()
    for decl in declarations:
        names.add(decl.name)
        if decl.is_result and decl.name not in catalogued and decl.name not in auxiliary:
            problems.append(
                Problem(decl.path, decl.line, "uncatalogued",
                        f"{decl.kind} {decl.name} is in no catalogue entry and not listed in "
                        "catalogue/auxiliary.yaml")
            )
    for item in files.auxiliary:
        if item.name not in names:
            problems.append(
                Problem(item.path, item.line, "unknown-decl",
                        f"auxiliary {item.name} is not declared in lean/")
            )
        elif item.name in catalogued:
            problems.append(
                Problem(item.path, item.line, "decl-twice",
                        f"{item.name} is both auxiliary and catalogued by {catalogued[item.name]!r}")
            )
    return problems


def _undocumented(declarations: Iterable[Declaration]) -> list[Problem]:
    return [
        Problem(decl.path, decl.line, "no-docstring",
                f"{decl.kind} {decl.name} has no /-- docstring -/")
        for decl in declarations
        if decl.kind in DOCUMENTED_KINDS
        and decl.docstring is None
        and "private" not in decl.modifiers
        and decl.name
    ]


def _module_doc_disagreements(
    module_docs: Iterable[ModuleDoc],
    declarations: Iterable[Declaration],
    catalogued: Mapping[str, str],
) -> list[Problem]:
    """Each file's module doc must list exactly the catalogued declarations of that file."""
    by_path: dict[str, list[Declaration]] = {}
    for decl in declarations:
        by_path.setdefault(decl.path, []).append(decl)
    docs_by_path: dict[str, list[ModuleDoc]] = {}
    for doc in module_docs:
        docs_by_path.setdefault(doc.path, []).append(doc)
    problems: list[Problem] = []
    for path, decls in sorted(by_path.items()):
        in_catalogue = {decl.name for decl in decls if decl.name in catalogued}
        docs = docs_by_path.get(path, [])
        if not in_catalogue:
            continue
        if not docs:
            problems.append(
                Problem(path, 1, "module-doc",
                        "file has catalogued declarations but no /-! module doc -/")
            )
            continue
        listed: dict[str, int] = {}
        for doc in docs:
            for written in (*doc.main_definitions, *doc.main_results):
                target = _resolve_listed(written, decls)
                if target is None:
                    problems.append(
                        Problem(doc.path, doc.line, "module-doc",
                                f"module doc lists `{written}`, which is not declared in this file")
                    )
                else:
                    listed[target] = doc.line
        line = docs[0].line
        for name in sorted(in_catalogue - listed.keys()):
            problems.append(
                Problem(path, line, "module-doc",
                        f"{name} is catalogued (entry {catalogued[name]!r}) but not listed under "
                        "Main definitions/Main results of the module doc")
            )
        for name in sorted(listed.keys() - in_catalogue):
            problems.append(
                Problem(path, listed[name], "module-doc",
                        f"module doc lists {name} as a main result, but no catalogue entry names it")
            )
    return problems


def _resolve_listed(written: str, decls: list[Declaration]) -> str | None:
    names = {decl.name for decl in decls}
    if written in names:
        return written
    if f"{ROOT_NAMESPACE}.{written}" in names:
        return f"{ROOT_NAMESPACE}.{written}"
    matches = [name for name in names if name.endswith(f".{written}")]
    return matches[0] if len(matches) == 1 else None


def _did_you_mean(name: str, by_name: Mapping[str, Declaration]) -> str:
    short = name.rsplit(".", 1)[-1]
    close = sorted(other for other in by_name if other.rsplit(".", 1)[-1] == short)
    return f" (did you mean {close[0]}?)" if close else ""


def find_formula_problems(files: CatalogueFiles, root: Path | None = None) -> list[Problem]:
    """Formulas that do not convert to MathML, located at their entry."""
    from mlcatalogue.markup import find_latex_problems

    return list(find_latex_problems(files.entries, root))


def find_witness_problems(files: CatalogueFiles) -> list[Problem]:
    """Entries naming a numeric witness that the package does not have, and witnessed entries
    whose statement does not state the conclusion (with the constants) the witness checks.

    Nothing is run and numpy is not imported: the statements are compared as text.
    """
    from mlcatalogue.witness import WITNESSES, find_statement_problems

    problems = [
        Problem(entry.path, entry.line, "unknown-witness",
                f"entry {entry.id!r} names witness {entry.witness!r}, which does not exist")
        for entry in files.entries
        if entry.witness is not None and entry.witness not in WITNESSES
    ]
    problems.extend(find_statement_problems(files.entries))
    return problems


def _with_premises(scan: ScanResult, path: Path) -> tuple[ScanResult, list[Problem]]:
    """Add the premises LeanDojo found (written by `mlcatalogue trace`) to each declaration's
    mentions, so the dependency graph also follows what the elaborated proofs really use."""
    display = PREMISES_PATH.as_posix()
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        premises = {str(name): tuple(str(p) for p in used) for name, used in data.items()}
    except (OSError, ValueError, TypeError, AttributeError) as error:
        return scan, [Problem(display, 1, "premises", f"unreadable premises file: {error}")]
    declarations = tuple(
        replace(decl, mentions=tuple(dict.fromkeys((*decl.mentions, *premises[decl.name]))))
        if decl.name in premises
        else decl
        for decl in scan.declarations
    )
    return replace(scan, declarations=declarations), []


def _git_commit(root: Path) -> str | None:
    try:
        result = subprocess.run(
            ["git", "-C", str(root), "rev-parse", "HEAD"],
            capture_output=True, text=True, timeout=10, check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return result.stdout.strip() or None if result.returncode == 0 else None
