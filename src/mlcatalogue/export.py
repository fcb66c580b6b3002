"""The Lean export stage: a real `lake build` + the exporter → a committed verification record.

Only a machine with elan can produce a record: `verify` runs `lake build`, then the shipped
exporter (`lean/Export.lean` in this package) under `lake env lean`, reads its JSON lines and
writes `verification/record.json` with the toolchain, the Mathlib revision, the git commit, the
date, and per declaration the axioms it rests on and hashes of its current source (statement and
whole declaration). Everyone else only reads the record: `load_verifications` compares the hashes
with today's source, so a declaration is `kernel-checked` only while its source is unchanged and
its axioms are within the standard three; a changed declaration shows as stale.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import json
import os
import shutil
import subprocess
import tempfile
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from importlib import resources
from pathlib import Path

from mlcatalogue.model import Declaration, Problem, Verification

STANDARD_AXIOMS = frozenset({"propext", "Classical.choice", "Quot.sound"})
RECORD_PATH = Path("verification") / "record.json"
RECORD_FORMAT = 1
ELAN_HINT = (
    "`lake` was not found on PATH. Install the Lean toolchain manager elan "
    "(https://github.com/leanprover/elan: `curl https://raw.githubusercontent.com/leanprover/"
    "elan/master/elan-init.sh -sSf | sh`), open a new shell, and run `mlcatalogue verify` again."
)


class ExportError(Exception):
    """A Lean run or its output could not be used; the message says where and why."""


class LakeNotFound(ExportError):
    """No `lake` executable: this machine cannot check proofs."""


@dataclass(frozen=True)
class ExportedDeclaration:
    """One line of the exporter's output: a declaration as elaborated by Lean."""

    name: str
    kind: str
    signature: str
    axioms: tuple[str, ...]
    docstring: str | None = None
    module: str | None = None
    line: int | None = None
    end_line: int | None = None
    fields: tuple[str, ...] = ()


@dataclass(frozen=True)
class Export:
    """The exporter's output: the Lean version it ran under and its declarations."""

    lean_version: str
    lean_githash: str
    declarations: tuple[ExportedDeclaration, ...]


@dataclass(frozen=True)
class RecordedDeclaration:
    """What the verification record keeps for one declaration."""

    name: str
    kind: str
    axioms: tuple[str, ...]
    statement_hash: str
    source_hash: str
    signature: str


@dataclass(frozen=True)
class VerificationRecord:
    """A committed record of one real Lean run over the repository."""

    toolchain: str
    lean_version: str
    mathlib: str | None
    commit: str | None
    date: str
    declarations: tuple[RecordedDeclaration, ...] = field(default_factory=tuple)
    format: int = RECORD_FORMAT


def exporter_source() -> Path:
    """The path of the Lean exporter shipped inside the package."""
    return Path(str(resources.files("mlcatalogue") / "lean" / "Export.lean"))


def parse_export(lines: Iterable[str], *, source: str = "<export>") -> Export:
    """Parse the exporter's JSON lines; malformed lines raise ExportError naming the line."""
    header: dict[str, object] | None = None
    declarations: list[ExportedDeclaration] = []
    for number, raw in enumerate(lines, start=1):
        if not raw.strip():
            continue
        try:
            data = json.loads(raw)
        except json.JSONDecodeError as error:
            raise ExportError(f"{source}:{number}: not JSON: {error.msg}") from error
        if not isinstance(data, dict):
            raise ExportError(f"{source}:{number}: expected a JSON object")
        if header is None:
            if "lean_version" not in data:
                raise ExportError(f"{source}:{number}: the first line must be the export header")
            header = data
            continue
        try:
            name, kind = str(data["name"]), str(data["kind"])
            axioms = tuple(str(axiom) for axiom in data["axioms"])
        except (KeyError, TypeError) as error:
            raise ExportError(f"{source}:{number}: missing field {error}") from error
        span = data.get("range") or {}
        declarations.append(
            ExportedDeclaration(
                name=name,
                kind=kind,
                signature=str(data.get("signature") or ""),
                axioms=axioms,
                docstring=data.get("docstring"),
                module=data.get("module"),
                line=span.get("line") if isinstance(span, dict) else None,
                end_line=span.get("end_line") if isinstance(span, dict) else None,
                fields=tuple(str(f) for f in data.get("fields") or ()),
            )
        )
    if header is None:
        raise ExportError(f"{source}: empty export (did the exporter run?)")
    return Export(str(header["lean_version"]), str(header.get("lean_githash", "")),
                  tuple(declarations))


def statement_hash(decl: Declaration) -> str:
    """A hash of what a declaration states: kind, name and whitespace-normalised signature."""
    text = "\n".join((decl.kind, decl.name, " ".join(decl.signature.split())))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def source_hash(root: Path, decl: Declaration) -> str:
    """A hash of the declaration's whole source text (statement and proof), lines as scanned."""
    try:
        lines = (root / decl.path).read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        return ""
    text = "\n".join(line.rstrip() for line in lines[decl.line - 1 : decl.end_line])
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def make_record(
    export: Export,
    declarations: Sequence[Declaration],
    root: Path,
    *,
    toolchain: str,
    mathlib: str | None,
    commit: str | None,
    date: str | None = None,
) -> VerificationRecord:
    """Combine an export with today's source scan into a record (only names found in both)."""
    by_name = {decl.name: decl for decl in declarations}
    recorded = [
        RecordedDeclaration(
            name=item.name,
            kind=item.kind,
            axioms=tuple(sorted(item.axioms)),
            statement_hash=statement_hash(by_name[item.name]),
            source_hash=source_hash(root, by_name[item.name]),
            signature=item.signature,
        )
        for item in sorted(export.declarations, key=lambda d: d.name)
        if item.name in by_name
    ]
    return VerificationRecord(
        toolchain=toolchain,
        lean_version=export.lean_version,
        mathlib=mathlib,
        commit=commit,
        date=date or _dt.datetime.now(_dt.timezone.utc).replace(microsecond=0).isoformat(),
        declarations=tuple(recorded),
    )


def write_record(record: VerificationRecord, path: Path) -> None:
    """Write the record as stable, diff-friendly JSON, atomically."""
    path.parent.mkdir(parents=True, exist_ok=True)
    payload = asdict(record)
    with tempfile.NamedTemporaryFile(
        "w", encoding="utf-8", dir=path.parent, delete=False, suffix=".tmp"
    ) as handle:
        json.dump(payload, handle, indent=2, ensure_ascii=False)
        handle.write("\n")
        temporary = Path(handle.name)
    os.replace(temporary, path)


def read_record(path: Path) -> VerificationRecord:
    """Read a verification record; a malformed one raises ExportError naming the file."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as error:
        raise ExportError(f"{path}: unreadable verification record: {error}") from error
    try:
        if data.get("format") != RECORD_FORMAT:
            raise ExportError(
                f"{path}: record format {data.get('format')!r}, expected {RECORD_FORMAT}; "
                "run `mlcatalogue verify` again"
            )
        return VerificationRecord(
            toolchain=data["toolchain"],
            lean_version=data["lean_version"],
            mathlib=data.get("mathlib"),
            commit=data.get("commit"),
            date=data["date"],
            declarations=tuple(
                RecordedDeclaration(
                    name=item["name"],
                    kind=item["kind"],
                    axioms=tuple(item["axioms"]),
                    statement_hash=item["statement_hash"],
                    source_hash=item["source_hash"],
                    signature=item.get("signature", ""),
                )
                for item in data["declarations"]
            ),
        )
    except (KeyError, TypeError, AttributeError) as error:
        raise ExportError(f"{path}: malformed verification record: missing {error}") from error


def load_verifications(
    root: Path, declarations: Sequence[Declaration]
) -> tuple[dict[str, Verification], list[Problem], dict[str, object]]:
    """Compare the committed record (if any) with today's source.

    Returns the per-declaration verifications, problems (a malformed record is an error; stale
    or non-standard-axiom declarations are warnings) and the record's provenance.
    """
    path = root / RECORD_PATH
    if not path.is_file():
        return {}, [], {}
    display = RECORD_PATH.as_posix()
    try:
        record = read_record(path)
    except ExportError as error:
        return {}, [Problem(display, 1, "verification", str(error))], {}
    by_name = {decl.name: decl for decl in declarations}
    verifications: dict[str, Verification] = {}
    problems: list[Problem] = []
    for item in record.declarations:
        decl = by_name.get(item.name)
        if decl is None:
            continue
        statement_current = item.statement_hash == statement_hash(decl)
        current = statement_current and item.source_hash == source_hash(root, decl)
        standard = set(item.axioms) <= STANDARD_AXIOMS
        verifications[item.name] = Verification(
            name=item.name,
            axioms=item.axioms,
            statement_hash=item.statement_hash,
            current=current,
            standard_axioms_only=standard,
        )
        if not current:
            what = "statement" if not statement_current else "proof"
            problems.append(
                Problem(decl.path, decl.line, "stale-verification",
                        f"{decl.name}: its {what} changed since the verification record of "
                        f"{record.date} (commit {record.commit or 'unknown'}); "
                        "run `mlcatalogue verify` on a machine with elan",
                        severity="warning")
            )
        if not standard:
            extra = ", ".join(sorted(set(item.axioms) - STANDARD_AXIOMS))
            problems.append(
                Problem(decl.path, decl.line, "axioms",
                        f"{decl.name} depends on non-standard axioms: {extra}",
                        severity="warning")
            )
    provenance: dict[str, object] = {
        "verified_commit": record.commit,
        "verified_date": record.date,
        "toolchain": record.toolchain,
        "lean_version": record.lean_version,
        "mathlib": record.mathlib,
    }
    return verifications, problems, provenance


def mathlib_revision(root: Path) -> str | None:
    """The Mathlib revision lake resolved, from lake-manifest.json (written by lake itself)."""
    try:
        manifest = json.loads((root / "lake-manifest.json").read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError):
        return None
    for package in manifest.get("packages", []):
        if package.get("name") == "mathlib":
            return package.get("rev")
    return None


def run_verification(
    root: Path,
    declarations: Sequence[Declaration],
    *,
    commit: str | None,
    lake: str | None = None,
    progress: Callable[[str], None] | None = None,
) -> Path:
    """Run `lake build` and the exporter at `root`, then write the verification record.

    Raises LakeNotFound without lake, ExportError when the build or the export fails; the old
    record is left untouched in every failure.
    """
    lake = lake or shutil.which("lake")
    if lake is None:
        raise LakeNotFound(ELAN_HINT)
    say = progress or (lambda _message: None)
    say("running `lake build` (run `lake exe cache get` first to fetch Mathlib's build cache)")
    code, tail = _run_streaming([lake, "build"], root, dict(os.environ), say)
    if code != 0:
        raise ExportError(f"`lake build` failed (exit {code}):\n" + "\n".join(tail))
    with tempfile.TemporaryDirectory() as scratch:
        output = Path(scratch) / "export.jsonl"
        say("running the exporter under `lake env lean`")
        code, tail = _run_streaming(
            [lake, "env", "lean", str(exporter_source())],
            root,
            {**os.environ, "MLCATALOGUE_EXPORT": str(output)},
            say,
        )
        if code != 0 or not output.is_file():
            raise ExportError(f"the exporter failed (exit {code}):\n" + "\n".join(tail))
        export = parse_export(output.read_text(encoding="utf-8").splitlines(), source=str(output))
    toolchain = (root / "lean-toolchain").read_text(encoding="utf-8").strip()
    record = make_record(
        export, declarations, root,
        toolchain=toolchain, mathlib=mathlib_revision(root), commit=commit,
    )
    path = root / RECORD_PATH
    write_record(record, path)
    say(f"recorded {len(record.declarations)} declarations in {RECORD_PATH.as_posix()}")
    return path


def _run_streaming(
    command: list[str], cwd: Path, env: dict[str, str], say: Callable[[str], None]
) -> tuple[int, list[str]]:
    """Run a long command, passing each output line to `say`; return its exit code and tail."""
    tail: list[str] = []
    with subprocess.Popen(
        command, cwd=cwd, env=env, text=True, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    ) as process:
        for line in process.stdout or ():
            line = line.rstrip("\n")
            say(line)
            tail = (tail + [line])[-30:]
    return process.returncode, tail


def summarize(verifications: Mapping[str, Verification]) -> dict[str, int]:
    """Counts of current, stale and non-standard-axiom declarations in a verification map."""
    return {
        "current": sum(v.current and v.standard_axioms_only for v in verifications.values()),
        "stale": sum(not v.current for v in verifications.values()),
        "nonstandard_axioms": sum(not v.standard_axioms_only for v in verifications.values()),
    }
