"""The source-scan stage: Lean 4 text in, `ScanResult` (declarations, module docs, problems) out.

No Lean toolchain is needed: the files are read as text. One pass of compiled regular expressions
masks comments, strings, character literals and syntax quotations (so nothing inside them can look
like code), a second finds the command keywords, and only the few characters around each command
(its docstring, attributes, modifiers and header) are looked at in Python. Per-file results can
be kept in one SQLite file per scanned tree (`read_declarations(cache_dir=...)`), so a rescan
reads only files whose size or mtime changed and re-parses only those whose sha256 changed.

Naming conventions where Lean generates a name (documented in the README):
- anonymous `instance`: Lean's own scheme (`Lean.Elab.Command.NameGen`) approximated from the
  syntax: `inst` + the head constants of the class application + `Of…` for the instance arguments,
  with the `_project` suffix Lean (up to at least v4.20) adds when no constant of the project
  is mentioned (a constant no scanned file declares is the project's when the file declares
  names inside it under the project's root namespace, or when the project is a library built on
  Lean core alone and the constant is not core's), and `_1`, `_2`, ... for a name already taken
  (also by a `deriving` clause). Identifiers the file declares before the instance (with the
  fields of its structures and classes, and what `open`/`export` make visible) are its
  constants; ones it declares only later are auto-bound variables; the file's own prefix
  notations (`notation3 "Γ" K => F K`) stand for their constant, and `(t).f` names the file's
  `….f` first. An instance binder is left out when a later binder or the type mentions a
  constant of the file that takes an instance of that class (`def DHashMap … [BEq α]`).
  Implicit arguments and coercions that only elaboration reveals (`Decidable (a < b)` naming
  `Nat`) are out of reach;
- `example`: `<namespace>._example`;
- `syntax`/`macro`/`elab`/`notation`/`infix…` without `(name := x)`: Lean's generated kind name
  (`term_+_`, `tacticFoo_`), printed with `«»` where the name is not an identifier; a syntax
  abbreviation `syntax foo := …` is `foo`;
- `declare_syntax_cat c`: the constant Lean declares for it, `Lean.Parser.Category.c`;
- `alias a ← b c` (Mathlib's older syntax): one alias per name after the arrow;
- `macro_rules`, `elab_rules` and `initialize` without a name: "" (Lean's are unprintable).
"""

from __future__ import annotations

import bisect
import contextlib
import gc
import hashlib
import itertools
import marshal
import operator
import os
import re
import sqlite3
import sys
import time
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mlcatalogue.model import Declaration, ModuleDoc, Problem, ScanResult

SCANNER_VERSION = "5"

# --------------------------------------------------------------------------------------------
# Lexical layer: comments, strings, characters, «» names, quotations.

_LEX = re.compile(
    r"/-|--|\"|r#*\"|«|'(?:\\(?:u\{[0-9a-fA-F]{1,6}\}|x[0-9a-fA-F]{2}|.)|[^\\'\n])'"
)
_BLOCK = re.compile(r"/-|-/")
_STRING_REST = re.compile(r'(?:[^"\\]|\\.)*"', re.DOTALL)
_NOT_NEWLINE = re.compile(r"[^\n]")
_QUOTE_START = re.compile(r"``?\((?:[A-Za-z_][\w.]*\|)?")
_BRACKET = re.compile(r"[()\[\]{}⟨⟩⦃⦄⟦⟧]")
_OPEN = "([{⟨⦃⟦"


_STRONG = (
    "theorem lemma def abbrev instance structure class inductive coinductive axiom opaque example "
    "syntax macro macro_rules elab elab_rules notation infix infixl infixr prefix postfix "
    "initialize builtin_initialize register_option register_builtin_option "
    "namespace section end mutual variable universe attribute declare_syntax_cat"
).split()
# Declaration-making words that are only commands at the start of a line (they can be names).
_WEAK_DECL = "alias irreducible_def simproc dsimproc builtin_simproc builtin_dsimproc".split()
# Other commands, recognised at column 0 only (inside proofs some of them are tactics).
_WEAK_COMMAND = (
    "open export set_option omit include unseal seal run_cmd run_elab run_meta notation3 "
    "proof_wanted assert_not_exists assert_not_imported library_note add_decl_doc "
    "compile_inductive initialize_simps_projections suppress_compilation register_simp_attr "
    "register_label_attr add_aesop_rules declare_aesop_rule_sets recall grind_pattern "
    "binder_predicate import module prelude variable? deriving recommended_spelling extend_docs "
    "gen_injective_theorems declare_config_elab unif_hint mk_iff_of_inductive_prop "
    "declare_simp_like_tactic insert_to_additive_translation"
).split()
_LINE_START = re.compile(r"\n[ \t]*([a-z_][\w!?']*|#[A-Za-z_][\w!?]*|@\[)")
_AFTER_IN = re.compile(
    r"in(?<![\w'!?.]in)[ \t]+(?:@\[[^\]\n]*\][ \t]*"
    r"|(?:private|protected|noncomputable|partial|unsafe|nonrec|scoped|local|public|meta)[ \t]+)*("
    + "|".join(sorted(_STRONG + _WEAK_DECL, key=len, reverse=True))
    + r")(?![\w'!?])"
)
_COMMAND_WORDS = frozenset(_STRONG + _WEAK_DECL)
_COLUMN0_WORDS = frozenset(_WEAK_COMMAND)
# Column-0 commands that may also follow attributes or modifiers (`@[inherit_doc f] notation3 …`,
# `local notation3 …`); they declare nothing the scanner reports but end the previous command.
_PREFIXED_COMMANDS = frozenset({"notation3"})
_MODIFIERS = frozenset(
    "private protected noncomputable partial unsafe nonrec scoped local public meta".split()
)
_PREFIX_WORDS = _MODIFIERS | {"@["}
_DECL_KINDS = frozenset(
    "theorem lemma def abbrev instance structure class inductive coinductive axiom opaque example "
    "irreducible_def".split()
)
_SYNTAX_KINDS = frozenset(
    "syntax macro elab notation infix infixl infixr prefix postfix".split()
)
_OTHER_DECL_KINDS = frozenset(
    "macro_rules elab_rules initialize builtin_initialize register_option "
    "register_builtin_option alias simproc dsimproc builtin_simproc builtin_dsimproc "
    "declare_syntax_cat".split()
)
_ALL_DECL_KINDS = _DECL_KINDS | _SYNTAX_KINDS | _OTHER_DECL_KINDS
_KEYWORDS = frozenset(
    _STRONG
    + _WEAK_DECL
    + (
        "fun λ by have show from at with match do let rec if then else for in return where "
        "termination_by decreasing_by deriving extends calc sorry admit open set_option forall "
        "exists Type Sort Prop private protected noncomputable partial unsafe nonrec scoped local "
        "public meta mut unless try catch finally break continue"
    ).split()
)

_NOT_MENTIONS = _KEYWORDS | {"_"}

_ID_PART = r"(?:«[^»\n]*»|[^\W\d][\w'!?]*)"
_NAME = re.compile(_ID_PART + r"(?:\." + _ID_PART + r")*")
_PLAIN_ID = re.compile(r"[^\W\d][\w'!?]*\Z")
_MENTION = re.compile(r"[^\W\d][\w'!?]*(?:\.[^\W\d][\w'!?]*)*")
_SORRY = re.compile(r"s(?<![\w'!?.]s)orry(?![\w'!?])|a(?<![\w'!?.]a)dmit(?![\w'!?])")
_HEADER_STOP = re.compile(
    r":=|w(?<![\w'!?.]w)here(?![\w'!?])|d(?<![\w'!?.]d)eriving(?![\w'!?])"
    r"|\|(?<![|<]\|)(?![|>])|[()\[\]{}⟨⟩⦃⦄⟦⟧]"
)
_ARROW_OR_ASSIGN = re.compile(r"=>|:=|\|(?<![|<]\|)(?![|>])")
_WHERE = re.compile(r"w(?<![\w'!?.]w)here(?![\w'!?])")
_LET_REC = re.compile(r"(?<![\w'!?.])let\s+rec\s+")
_HELPER_LINE = re.compile(r"\n([ \t]*)(?=\S)")
_SPACE = re.compile(r"\s+")
_NONSPACE = re.compile(r"\S")
_OPTION = re.compile(r"\(\s*(name|priority|kind)\s*:=\s*([^)]*)\)")
_PREC = re.compile(r":\s*(?:\d+|max|arg|lead|min1|min|\([^)]*\))")
_IMPORT = re.compile(r"(?<![\w'!?.])import\s+(?:all\s+)?(" + _ID_PART + r"(?:\." + _ID_PART + r")*)")
_HEADING = re.compile(r"^\s*#+\s*(.*?)\s*$")
_BULLET = re.compile(r"^\s*[*\-+]\s+`([^`]+)`")
_MAIN_DEFS = ("main definitions", "main definition")
_MAIN_RESULTS = ("main results", "main result", "main statements", "main theorems")

# Lean's own rendering of a few notations for instance names.
_NOTATION_CONST = {
    "ℕ": "Nat", "ℤ": "Int", "ℚ": "Rat", "ℝ": "Real", "ℂ": "Complex", "ℝ≥0": "NNReal",
    "ℝ≥0∞": "ENNReal", "ℕ∞": "ENat", "ℍ": "Quaternion",
}
_INFIX_CONST = {
    "×": "Prod", "⊕": "Sum", "=": "Eq", "≠": "Ne", "≤": "LE.le", "<": "LT.lt", "≥": "GE.ge",
    ">": "GT.gt", "+": "HAdd.hAdd", "*": "HMul.hMul", "-": "HSub.hSub", "/": "HDiv.hDiv",
    "∣": "Dvd.dvd", "∈": "Membership.mem", "⊆": "HasSubset.Subset", "∧": "And", "∨": "Or",
    "↔": "Iff", "≃": "Equiv", "→+": "AddMonoidHom", "→*": "MonoidHom", "→+*": "RingHom",
    "≃+": "AddEquiv", "≃*": "MulEquiv", "≃+*": "RingEquiv", "↪": "Function.Embedding",
    "→o": "OrderHom", "≃o": "OrderIso", "↪o": "OrderEmbedding", "•": "HSMul.hSMul",
    "^": "HPow.hPow", "∘": "Function.comp", "⊗": "TensorProduct", "→₀": "Finsupp",
    "≈": "HasEquiv.Equiv", "∩": "Inter.inter", "∪": "Union.union", "\\": "SDiff.sdiff",
    "⊔": "Max.max", "⊓": "Min.min", "%": "HMod.hMod", "++": "HAppend.hAppend",
}
# Relations `@R T _ a b` whose first implicit argument is the type of their operands.
_RELATIONS = frozenset({"=", "≠", "≤", "<", "≥", ">"})
_INST_TOKEN = re.compile(
    r"«[^»\n]*»(?:\.[^\W\d][\w'!?]*)*|[^\W\d][\w'!?]*(?:\.[^\W\d][\w'!?]*)*|\d+(?:\.\d+)?"
    r"|ℝ≥0∞|ℝ≥0|ℕ∞|→\+\*|≃\+\*|→\+|→\*|≃\+|≃\*|→o|≃o|↪o|→₀|:=|=>|->|→|[()\[\]{}⟨⟩⦃⦄,:]|\S"
)


@dataclass
class _Pending:
    """What the final naming of an anonymous instance needs from outside its file.

    `header`, `namespace`, `variables`, `notations` and `infixes` are only used within the file's
    own scan
    (to name the instance once every declaration of the file is known); they are not cached.
    """

    index: int
    base: str
    consts: list[str]
    namespace_prefixes: list[str]
    header: str = ""
    namespace: list[str] = field(default_factory=list)
    variables: dict[str, str] = field(default_factory=dict)
    notations: dict[str, str] = field(default_factory=dict)
    infixes: dict[str, str] = field(default_factory=dict)


@dataclass
class _FileScan:
    """One file's result before anonymous instances get their final names.

    `unreported` holds names the file declares that are not reported as declarations
    (structure and class fields, `deriving` instances), each with the number of declarations
    before it: they take part in naming anonymous instances (a constant of the module; a name
    already taken). `opens` (`open`/`export`: the positions it applies from and up to, the
    namespace it is in, its target, its names or None for all) and `requires` (declaration ->
    the classes of its instance binders) are only used within the file's own scan and are not
    cached.
    """

    declarations: list[Declaration]
    module_docs: list[ModuleDoc]
    problems: list[Problem]
    pending: list[_Pending] = field(default_factory=list)
    unreported: list[tuple[str, int]] = field(default_factory=list)
    opens: list[tuple[int, int, list[str], str, frozenset[str] | None]] = field(
        default_factory=list
    )
    requires: dict[str, frozenset[str]] = field(default_factory=dict)


# --------------------------------------------------------------------------------------------
# Public API


def scan_source(text: str, path: str) -> ScanResult:
    """The declarations, module docs and problems of one Lean file's text (`path` only labels)."""
    scan = _scan_text(text, path)
    _name_instances([(path, scan)])
    return ScanResult(tuple(scan.declarations), tuple(scan.module_docs), tuple(scan.problems))


def read_declarations(
    root: Path,
    *,
    base: Path | None = None,
    cache_dir: Path | None = None,
    on_file: Callable[[int, str], None] | None = None,
    jobs: int = 1,
) -> ScanResult:
    """Scan every `*.lean` under `root` (sorted); paths in the result are relative to `base`.

    A problem in one file (bad bytes, unterminated comment, `end` mismatch, ...) is reported as a
    `Problem` and the scan goes on. With `cache_dir`, one SQLite file there per scanned tree keeps
    each file's result: a file whose size and modification time are unchanged is not even read,
    one whose bytes hash to the recorded sha256 is not re-parsed, so a rescan after editing one
    file parses only that file. A cache that cannot be read is rebuilt; one that cannot be
    written only costs speed. `on_file(count, path)` is called after each file (for progress).
    With `jobs` > 1 the files that must be parsed are parsed by that many worker processes when
    there are enough of them to repay starting the workers; the result is the same.
    """
    if jobs < 1:
        raise ValueError(f"jobs must be at least 1, not {jobs}")
    root = Path(root).resolve()
    if base is not None:
        base = Path(base).resolve()
    else:
        base = root.parent if root.is_file() else root
    with _collector_paused():
        cache = _Cache.open(Path(cache_dir), root, base) if cache_dir is not None else None
        scans = _scan_files(list(_lean_files(root, base)), cache, jobs, on_file)
        if cache is None:
            _name_instances(scans)
        elif cache.names_current():
            _name_instances(scans, only=cache.fresh)
        else:
            cache.renamed(_name_instances(scans), dict(scans))
        if cache is not None:
            cache.save()
        declarations = tuple(d for _, s in scans for d in s.declarations)
        module_docs = tuple(m for _, s in scans for m in s.module_docs)
        problems = tuple(p for _, s in scans for p in s.problems)
    return ScanResult(declarations, module_docs, problems)


@contextlib.contextmanager
def _collector_paused() -> Iterator[None]:
    """Pause Python's cycle collector while a tree is scanned.

    A scan allocates millions of small objects (declarations, tuples, strings) and forms no
    reference cycles, so the collector's repeated passes over them are pure overhead: about a
    third of a cached rescan of 1M lines. It is re-enabled, if it was on, however the scan ends.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def iter_lean_files(root: Path) -> Iterator[Path]:
    """Every `*.lean` file under `root` in a deterministic (sorted) order."""
    for file, _, _ in _lean_files(Path(root), Path(root)):
        yield Path(file)


def declaration_record(decl: Declaration) -> dict[str, Any]:
    """The JSON object of one declaration, as `mlcatalogue scan --json` prints it."""
    return {
        "name": decl.name,
        "kind": decl.kind,
        "path": decl.path,
        "line": decl.line,
        "start_line": decl.start_line,
        "end_line": decl.end_line,
        "modifiers": list(decl.modifiers),
        "attributes": list(decl.attributes),
        "docstring": decl.docstring,
        "has_docstring": decl.has_docstring,
        "signature": decl.signature,
        "has_sorry": decl.has_sorry,
        "imports": list(decl.imports),
        "inferred_name": decl.inferred_name,
    }


# --------------------------------------------------------------------------------------------
# Files


def _lean_files(root: Path, base: Path) -> Iterator[tuple[str, str, os.stat_result | None]]:
    """(path, path relative to `base`, stat or None) of every `*.lean` under `root`, sorted.

    A directory's files come before its subdirectories, each group in name order. The stat
    comes from the directory scan, so an unchanged tree is checked without opening any file.
    """
    base_text = str(base)
    if root.is_file():
        yield str(root), _relative(str(root), base_text), _stat(str(root))
        return
    # Entries under `base` get their relative path by slicing, which is much cheaper than
    # `os.path.relpath` on every file of a large tree.
    prefix = base_text.rstrip(os.sep) + os.sep
    pending = [str(root)]
    while pending:
        directory = pending.pop()
        try:
            with os.scandir(directory) as listing:
                entries = sorted(listing, key=operator.attrgetter("name"))
        except OSError:
            continue
        subdirs = []
        for entry in entries:
            try:
                is_dir = entry.is_dir(follow_symlinks=False)
            except OSError:
                continue
            if is_dir:
                subdirs.append(entry.path)
            elif entry.name.endswith(".lean"):
                try:
                    stat: os.stat_result | None = entry.stat()
                except OSError:
                    stat = None
                path = entry.path
                if path.startswith(prefix):
                    rel = path[len(prefix):]
                    if os.sep != "/":
                        rel = rel.replace(os.sep, "/")
                else:
                    rel = _relative(path, base_text)
                yield path, rel, stat
        pending.extend(reversed(subdirs))


def _stat(path: str) -> os.stat_result | None:
    try:
        return os.stat(path)
    except OSError:
        return None


def _relative(file: str | Path, base: str | Path) -> str:
    rel = os.path.relpath(file, base)
    return rel.replace(os.sep, "/") if os.sep != "/" else rel


# Below this many bytes to parse, starting worker processes costs more than it saves.
_PARALLEL_MIN_BYTES = 2_000_000
_PARALLEL_CHUNK = 16


def _scan_files(
    files: list[tuple[str, str, os.stat_result | None]],
    cache: _Cache | None,
    jobs: int,
    on_file: Callable[[int, str], None] | None,
) -> list[tuple[str, _FileScan]]:
    """Each file's scan, in the order of `files`: from the cache where it is current, else parsed
    here or, for enough bytes and `jobs` > 1, by worker processes.

    Each file is read once, except when workers parse it after this process read it to compare
    its sha256 with the cache. Without a cache, whether to use workers follows from the sizes
    alone, and this process reads nothing they parse.
    """
    done = 0

    def report(rel: str) -> None:
        nonlocal done
        done += 1
        if on_file is not None:
            on_file(done, rel)

    if jobs > 1 and cache is None:
        sizes = sum(stat.st_size for _, _, stat in files if stat is not None)
        if sizes >= _PARALLEL_MIN_BYTES:
            scans = _parse_in_workers([(file, rel) for file, rel, _ in files], jobs)
            results = []
            for (_file, rel, _stat), scan in zip(files, scans):
                results.append((rel, scan))
                report(rel)
            return results
        jobs = 1
    results_by_position: list[_FileScan] = []
    # Files left to the workers: (position, sha256, bytes kept until there are enough to share)
    deferred: list[tuple[int, bytes, bytes | None]] = []
    deferred_bytes = 0
    for file, rel, stat in files:
        outcome = _cached_or_raw(file, rel, stat, cache)
        if isinstance(outcome, _FileScan):
            results_by_position.append(outcome)
            report(rel)
            continue
        digest = hashlib.sha256(outcome).digest() if cache is not None else b""
        if jobs > 1:
            deferred_bytes += len(outcome)
            keep = outcome if deferred_bytes < _PARALLEL_MIN_BYTES else None
            deferred.append((len(results_by_position), digest, keep))
            results_by_position.append(_FileScan([], [], []))  # replaced below
            continue
        results_by_position.append(_parse(outcome, rel))
        if cache is not None:
            cache.store(rel, stat, digest, results_by_position[-1])
        report(rel)
    if deferred:
        if deferred_bytes >= _PARALLEL_MIN_BYTES:
            parsed = _parse_in_workers([files[at][:2] for at, _, _ in deferred], jobs)
        else:
            parsed = (_parse(raw or b"", files[at][1]) for at, _, raw in deferred)
        for (position, digest, _raw), scan in zip(deferred, parsed):
            _file, rel, stat = files[position]
            if cache is not None:
                cache.store(rel, stat, digest, scan)
            results_by_position[position] = scan
            report(rel)
    return [(rel, scan) for (_, rel, _), scan in zip(files, results_by_position)]


def _cached_or_raw(
    file: str, rel: str, stat: os.stat_result | None, cache: _Cache | None
) -> _FileScan | bytes:
    """The file's current cached scan, else its bytes; a scan holding the problem if the file
    cannot be read."""
    if cache is not None and stat is not None:
        cached = cache.unchanged(rel, stat)
        if cached is not None:
            return cached
    try:
        with open(file, "rb") as handle:
            raw = handle.read()
    except OSError as error:
        return _unreadable(rel, error)
    if cache is not None and stat is not None:
        cached = cache.same_content(rel, stat, hashlib.sha256(raw).digest())
        if cached is not None:
            return cached
    return raw


def _unreadable(rel: str, error: OSError) -> _FileScan:
    return _FileScan([], [], [Problem(rel, 0, "unreadable", f"cannot read file: {error}")])


def _parse(raw: bytes, rel: str) -> _FileScan:
    """One file's bytes scanned; a scanner bug becomes a problem of that file, not a crash."""
    text, problems = _decode(raw, rel)
    try:
        scan = _scan_text(text, rel)
    except (ValueError, IndexError, KeyError, TypeError, AttributeError, RecursionError) as error:
        # A scanner bug must not stop the scan of a whole tree: report it against the file.
        scan = _FileScan([], [], [Problem(rel, 1, "internal-error", f"scanner failed: {error!r}")])
    scan.problems[:0] = problems
    return scan


def _read_and_parse(item: tuple[str, str]) -> _FileScan:
    file, rel = item
    try:
        with open(file, "rb") as handle:
            raw = handle.read()
    except OSError as error:
        return _unreadable(rel, error)
    return _parse(raw, rel)


def _parse_in_workers(work: list[tuple[str, str]], jobs: int) -> Iterator[_FileScan]:
    """`_read_and_parse` of each (path, relative path) in `jobs` processes, in order.

    Workers send back the cache's marshal encoding, which keeps everything the result and the
    naming of instances need and moves between processes much faster than pickled records.
    They are forked where the platform can (no re-import of the caller's `__main__`, so a
    script needs no `if __name__ == "__main__"` guard); if they cannot run or die, the files
    not yet done are parsed in this process, with a warning, and the result is the same.
    """
    import concurrent.futures
    import multiprocessing
    import warnings

    method = "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"
    done = 0
    try:
        with concurrent.futures.ProcessPoolExecutor(
            max_workers=jobs, mp_context=multiprocessing.get_context(method)
        ) as pool:
            encoded = pool.map(_read_and_parse_encoded, work, chunksize=_PARALLEL_CHUNK)
            for (_file, rel), data in zip(work, encoded):
                yield _decode_scan(data, rel)
                done += 1
    except (concurrent.futures.process.BrokenProcessPool, OSError) as error:
        warnings.warn(
            f"scan worker processes failed ({error}); parsing the remaining "
            f"{len(work) - done} file(s) in this process",
            RuntimeWarning,
            stacklevel=2,
        )
        yield from map(_read_and_parse, work[done:])


def _read_and_parse_encoded(item: tuple[str, str]) -> bytes:
    """Worker side of `_parse_in_workers`."""
    return _encode_scan(_read_and_parse(item))


def _decode(raw: bytes, rel: str) -> tuple[str, list[Problem]]:
    try:
        text = raw.decode("utf-8")
        problems: list[Problem] = []
    except UnicodeDecodeError as error:
        line = raw.count(b"\n", 0, error.start) + 1
        text = raw.decode("utf-8", errors="replace")
        problems = [
            Problem(rel, line, "non-utf8", f"bytes that are not UTF-8 at byte {error.start}")
        ]
    return text.removeprefix("\ufeff"), problems


# --------------------------------------------------------------------------------------------
# The cache: one SQLite file per scanned tree


# A file modified this close to the moment its entry was recorded may have changed again
# within the file system's timestamp resolution, so its size and mtime prove nothing (the
# "racy clean" problem of git and make): such a file is hashed, not trusted.
_RACY_NS = 2_000_000_000
_CACHE_FORMAT = "4"
_DECLARATION_FIELDS = tuple(Declaration.__dataclass_fields__)
_CACHED_FIELDS = tuple(f for f in _DECLARATION_FIELDS if f not in ("path", "imports"))
_new_object = object.__new__


@dataclass
class _Entry:
    size: int
    mtime_ns: int
    checked_ns: int
    sha256: bytes
    names: bytes  # digest of what instance naming reads from the file (see `_naming_digest`)
    crc: int
    data: bytes


class _Cache:
    """Per-file scan results of one tree, keyed by relative path, in one SQLite file.

    Each row holds the file's size, mtime and sha256 when it was last checked and its
    `_FileScan` as a marshal blob with a CRC. Blobs hold final instance names: those depend on
    other files, so the `meta` table records the digest of every file's naming inputs for which
    they were computed, and naming is only redone when that changes. The scanner version and
    the tree's paths are in `meta` too; any difference empties the cache. All changes of one
    scan are written in one transaction.
    """

    def __init__(
        self, connection: sqlite3.Connection, entries: dict[str, _Entry], naming: str
    ) -> None:
        self.connection = connection
        self.entries = entries
        self.naming = naming
        self.started_ns = time.time_ns()
        self.seen: set[str] = set()
        self.updates: dict[str, _Entry] = {}  # rows to write
        self.scans: dict[str, _FileScan] = {}  # rows whose blob is (re-)encoded at `save`
        self.fresh: set[str] = set()  # files parsed in this scan (instances not yet named)
        self.signature = hashlib.sha256()

    @classmethod
    def open(cls, cache_dir: Path, root: Path, base: Path) -> _Cache | None:
        """The cache of the tree at `root`, created if missing, rebuilt if unreadable."""
        key = hashlib.sha256(f"{root}\0{base}".encode()).hexdigest()[:16]
        path = cache_dir / f"scan-cache-{key}.sqlite"
        try:
            cache_dir.mkdir(parents=True, exist_ok=True)
        except OSError:
            return None
        for attempt in range(2):
            try:
                return cls._connect(path, root, base)
            except sqlite3.OperationalError as error:
                if error.sqlite_errorcode in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED):
                    return None  # another scan is writing it: do without this time
            except (sqlite3.Error, ValueError, TypeError):
                pass
            # Not a database, a foreign schema, a half-written page: start afresh once.
            if attempt == 0:
                try:
                    path.unlink(missing_ok=True)
                except OSError:
                    return None
        return None

    @classmethod
    def _connect(cls, path: Path, root: Path, base: Path) -> _Cache:
        connection = sqlite3.connect(path, timeout=1.0, isolation_level=None)
        try:
            connection.execute(
                "CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)"
            )
            meta = dict(connection.execute("SELECT key, value FROM meta").fetchall())
            wanted = {
                "format": _CACHE_FORMAT,
                "scanner_version": SCANNER_VERSION,
                "root": str(root),
                "base": str(base),
            }
            entries: dict[str, _Entry] = {}
            if all(meta.get(key) == value for key, value in wanted.items()):
                for row in connection.execute(
                    "SELECT path, size, mtime_ns, checked_ns, sha256, names, crc, data FROM files"
                ):
                    entries[row[0]] = _Entry(*row[1:])
            else:
                connection.execute("BEGIN IMMEDIATE")
                connection.execute("DROP TABLE IF EXISTS files")
                connection.execute(
                    "CREATE TABLE files (path TEXT PRIMARY KEY, size INTEGER NOT NULL,"
                    " mtime_ns INTEGER NOT NULL, checked_ns INTEGER NOT NULL,"
                    " sha256 BLOB NOT NULL, names BLOB NOT NULL, crc INTEGER NOT NULL,"
                    " data BLOB NOT NULL)"
                )
                connection.execute("DELETE FROM meta")
                connection.executemany("INSERT INTO meta VALUES (?, ?)", wanted.items())
                connection.execute("COMMIT")
                meta = {}
        except BaseException:
            connection.close()
            raise
        return cls(connection, entries, str(meta.get("naming", "")))

    def unchanged(self, rel: str, stat: os.stat_result) -> _FileScan | None:
        """The cached scan of `rel` if its size and mtime match and are not racy."""
        self.seen.add(rel)
        entry = self.entries.get(rel)
        if (
            entry is None
            or entry.size != stat.st_size
            or entry.mtime_ns != stat.st_mtime_ns
            or stat.st_mtime_ns >= entry.checked_ns - _RACY_NS
        ):
            return None
        scan = self._load(rel, entry)
        if scan is not None:
            self._sign(rel, entry.names)
        return scan

    def same_content(self, rel: str, stat: os.stat_result, digest: bytes) -> _FileScan | None:
        """The cached scan of `rel` if its bytes hash to the recorded sha256."""
        entry = self.entries.get(rel)
        if entry is None or entry.sha256 != digest:
            return None
        scan = self._load(rel, entry)
        if scan is not None:
            self.updates[rel] = _Entry(
                stat.st_size, stat.st_mtime_ns, self.started_ns, digest, entry.names,
                entry.crc, entry.data,
            )
            self._sign(rel, entry.names)
        return scan

    def store(self, rel: str, stat: os.stat_result | None, digest: bytes, scan: _FileScan) -> None:
        """Record a freshly parsed file (its blob is written by `save`, after naming)."""
        names = _naming_digest(scan)
        self.fresh.add(rel)
        self._sign(rel, names)
        if stat is not None:
            self.updates[rel] = _Entry(
                stat.st_size, stat.st_mtime_ns, self.started_ns, digest, names, 0, b""
            )
            self.scans[rel] = scan

    def names_current(self) -> bool:
        """Whether the cached blobs' instance names were computed for this very tree."""
        return self.signature.hexdigest() == self.naming

    def renamed(self, rels: set[str], scans: dict[str, _FileScan]) -> None:
        """Files whose instance names changed: their blobs are rewritten by `save`."""
        for rel in rels:
            if rel in self.scans:
                continue
            entry = self.updates.get(rel) or self.entries.get(rel)
            if entry is not None:
                self.updates[rel] = entry
                self.scans[rel] = scans[rel]

    def _sign(self, rel: str, names: bytes) -> None:
        self.signature.update(rel.encode() + b"\0" + names)

    def _load(self, rel: str, entry: _Entry) -> _FileScan | None:
        """The scan in `entry`, or None if its blob is damaged (then the file is re-parsed)."""
        try:
            if zlib.crc32(entry.data) != entry.crc:
                return None
            return _decode_scan(entry.data, rel)
        except (ValueError, EOFError, TypeError, IndexError, KeyError):
            return None

    def save(self) -> None:
        """Write this scan's changes and forget files that are gone, in one transaction."""
        for rel, scan in self.scans.items():
            data = _encode_scan(scan)
            entry = self.updates[rel]
            self.updates[rel] = _Entry(
                entry.size, entry.mtime_ns, entry.checked_ns, entry.sha256, entry.names,
                zlib.crc32(data), data,
            )
        gone = [rel for rel in self.entries if rel not in self.seen]
        naming = self.signature.hexdigest()
        try:
            if self.updates or gone or naming != self.naming:
                self.connection.execute("BEGIN IMMEDIATE")
                self.connection.executemany(
                    "INSERT OR REPLACE INTO files VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    (
                        (rel, e.size, e.mtime_ns, e.checked_ns, e.sha256, e.names, e.crc, e.data)
                        for rel, e in self.updates.items()
                    ),
                )
                self.connection.executemany(
                    "DELETE FROM files WHERE path = ?", ((rel,) for rel in gone)
                )
                self.connection.execute(
                    "INSERT OR REPLACE INTO meta VALUES ('naming', ?)", (naming,)
                )
                self.connection.execute("COMMIT")
        except sqlite3.Error:
            # Locked by another scan, disk full, read-only: the cache only costs speed.
            if self.connection.in_transaction:
                self.connection.execute("ROLLBACK")
        finally:
            self.connection.close()


def _naming_digest(scan: _FileScan) -> bytes:
    """A digest of what naming anonymous instances reads from a freshly parsed file."""
    generated = _generated_indices(scan)
    names = tuple(d.name for i, d in enumerate(scan.declarations) if i not in generated)
    pending = tuple(
        (p.index, p.base, tuple(p.consts), tuple(p.namespace_prefixes)) for p in scan.pending
    )
    return hashlib.sha256(marshal.dumps((names, pending))).digest()


def _encode_scan(scan: _FileScan) -> bytes:
    """`scan` as a marshal blob; identifiers are interned so repeats are stored once."""
    intern = sys.intern
    imports = scan.declarations[0].imports if scan.declarations else ()
    declarations = tuple(
        (
            d.name, intern(d.kind), d.line, d.start_line, d.end_line, d.signature, d.docstring,
            d.modifiers, d.attributes, d.has_sorry, tuple(map(intern, d.mentions)),
            d.inferred_name,
        )
        for d in scan.declarations
    )
    return marshal.dumps(
        (
            imports,
            declarations,
            tuple((m.line, m.text, m.main_definitions, m.main_results) for m in scan.module_docs),
            tuple((p.line, p.code, p.message, p.severity) for p in scan.problems),
            tuple(
                (p.index, p.base, tuple(p.consts), tuple(p.namespace_prefixes))
                for p in scan.pending
            ),
            tuple(scan.unreported),
        )
    )


def _decode_scan(data: bytes, rel: str) -> _FileScan:
    imports, declarations, module_docs, problems, pending, unreported = marshal.loads(data)
    return _FileScan(
        [_cached_declaration(row, rel, imports) for row in declarations],
        [ModuleDoc(rel, *m) for m in module_docs],
        [Problem(rel, *p) for p in problems],
        [_Pending(index, base, list(consts), list(prefixes))
         for index, base, consts, prefixes in pending],
        [(name, index) for name, index in unreported],
    )


def _cached_declaration(row: tuple[Any, ...], path: str, imports: tuple[str, ...]) -> Declaration:
    """A `Declaration` from a cache row without running the frozen dataclass `__init__`.

    A warm rescan of a large tree rebuilds hundreds of thousands of records, and the frozen
    `__init__` (one `object.__setattr__` per field) is most of that time; filling the instance
    dictionary directly gives an equal record in about a third of it.
    """
    decl = _new_object(Declaration)
    values = decl.__dict__
    values.update(zip(_CACHED_FIELDS, row))
    values["path"] = path
    values["imports"] = imports
    return decl


# --------------------------------------------------------------------------------------------
# Scanning one text


@dataclass
class _Command:
    start: int  # first character of docstring/attributes/modifiers
    keyword: str
    kw_start: int
    kw_end: int
    doc: tuple[int, int] | None
    attributes: list[tuple[int, int]]
    modifiers: list[str]


@dataclass
class _Scope:
    kind: str  # namespace | section | mutual
    header: str
    variables: dict[str, str] = field(default_factory=dict)  # name -> head of its type


class _Text:
    """A file's text with its masked copy and the helpers every step needs."""

    def __init__(self, text: str, path: str) -> None:
        self.text = text
        self.path = path
        self.problems: list[Problem] = []
        self.comments: list[tuple[int, int, str]] = []
        self.guillemets: list[tuple[int, int]] = []
        self.masked = self._mask(text)
        self.line_starts = [0]
        self.line_starts.extend(
            itertools.accumulate(map(operator.add, map(len, text.split("\n")), itertools.repeat(1)))
        )
        self.line_starts.pop()
        self.doc_ends = [c[1] for c in self.comments if c[2] == "doc"]
        self.docs = [c for c in self.comments if c[2] == "doc"]
        self.comment_starts = [c[0] for c in self.comments]

    def line(self, pos: int) -> int:
        return bisect.bisect_right(self.line_starts, pos)

    def column(self, pos: int) -> int:
        return pos - self.line_starts[self.line(pos) - 1]

    def problem(self, pos: int, code: str, message: str) -> None:
        self.problems.append(Problem(self.path, self.line(pos), code, message))

    def _mask(self, text: str) -> str:
        """`text` with comments, strings, chars, «» names and quotations blanked (same offsets)."""
        pieces: list[str] = []
        last = 0
        pos = 0
        n = len(text)
        search = _LEX.search
        while True:
            m = search(text, pos)
            if m is None:
                break
            s = m.start()
            token = m.group()
            c = token[0]
            if (c == "r" or c == "'") and s > 0 and _glued_to_name(text[s - 1]):
                # `for"` or `x'y'` are not a raw string or a character literal
                pos = s + 1
                continue
            if token == "--":
                e = text.find("\n", s)
                e = n if e < 0 else e
                self.comments.append((s, e, "line"))
            elif token == "/-":
                e = self._block_end(text, s)
                kind = "block"
                if text.startswith("/--", s) and not text.startswith("/--/", s):
                    kind = "doc"
                elif text.startswith("/-!", s):
                    kind = "mod"
                self.comments.append((s, e, kind))
            elif token == '"':
                sm = _STRING_REST.match(text, s + 1)
                if sm is None:
                    e = text.find("\n", s)
                    e = n if e < 0 else e
                    self.problems.append(
                        Problem(self.path, text.count("\n", 0, s) + 1, "unterminated-string",
                                "string literal is not closed")
                    )
                else:
                    e = sm.end()
            elif token.startswith("r"):
                closing = '"' + "#" * (len(token) - 2)
                e = text.find(closing, m.end())
                if e < 0:
                    self.problems.append(
                        Problem(self.path, text.count("\n", 0, s) + 1, "unterminated-string",
                                "raw string literal is not closed")
                    )
                    e = n
                else:
                    e += len(closing)
            elif token == "«":
                e = text.find("»", s)
                e = s + 1 if e < 0 or text.find("\n", s, e) >= 0 else e + 1
                self.guillemets.append((s, e))
                pos = e  # an identifier: kept in the masked text
                continue
            else:  # a character literal
                e = m.end()
            if s > last:
                pieces.append(text[last:s])
            span = text[s:e]
            pieces.append(_blank(span))
            last = pos = max(e, s + 1)
        pieces.append(text[last:])
        masked = "".join(pieces)
        return self._mask_quotations(masked)

    def _block_end(self, text: str, start: int) -> int:
        depth = 0
        for m in _BLOCK.finditer(text, start):
            if m.group() == "/-":
                depth += 1
            else:
                depth -= 1
                if depth == 0:
                    return m.end()
        self.problems.append(
            Problem(self.path, text.count("\n", 0, start) + 1, "unterminated-comment",
                    "block comment `/-` is not closed before the end of the file")
        )
        return len(text)

    def _mask_quotations(self, masked: str) -> str:
        spans: list[tuple[int, int]] = []
        pos = 0
        while True:
            m = _QUOTE_START.search(masked, pos)
            if m is None:
                break
            depth = 1
            end = -1
            for b in _BRACKET.finditer(masked, m.end()):
                if b.group() in _OPEN:
                    depth += 1
                else:
                    depth -= 1
                    if depth == 0:
                        end = b.end()
                        break
            if end < 0:
                self.problems.append(
                    Problem(self.path, masked.count("\n", 0, m.start()) + 1,
                            "unterminated-quotation", "syntax quotation `( is not closed")
                )
                break
            spans.append((m.start(), end))
            pos = end
        if not spans:
            return masked
        pieces = []
        last = 0
        for s, e in spans:
            pieces.append(masked[last:s])
            pieces.append(_blank(masked[s:e]))
            last = e
        pieces.append(masked[last:])
        return "".join(pieces)

    # -- backwards helpers over the masked text

    def last_nonspace(self, pos: int) -> int:
        """Index just past the last non-blank character before `pos` (0 if none)."""
        masked = self.masked
        window = 256
        while pos > 0:
            lo = max(0, pos - window)
            chunk = masked[lo:pos].rstrip()
            if chunk:
                return lo + len(chunk)
            pos = lo
            window *= 4
        return 0

    def word_before(self, pos: int) -> tuple[str, int]:
        """The identifier-like word ending at `pos` and its start."""
        masked = self.masked
        i = pos
        while i > 0 and (masked[i - 1].isalnum() or masked[i - 1] in "_'!?"):
            i -= 1
        return masked[i:pos], i

    def adjacent_doc(self, pos: int) -> tuple[int, int] | None:
        i = bisect.bisect_right(self.doc_ends, pos) - 1
        if i < 0:
            return None
        s, e, _ = self.docs[i]
        if pos - e > 4096 or self.masked[e:pos].strip():
            return None
        return s, e

    def without_comments(self, start: int, end: int) -> str:
        """Original text of [start, end) with comments cut out, whitespace collapsed."""
        i = bisect.bisect_left(self.comment_starts, start)
        parts = []
        pos = start
        while i < len(self.comments) and self.comments[i][0] < end:
            s, e, _ = self.comments[i]
            if s >= pos:
                parts.append(self.text[pos:s])
                pos = max(pos, min(e, end))
            i += 1
        parts.append(self.text[pos:end])
        return _SPACE.sub(" ", " ".join(parts)).strip()


def _blank(span: str) -> str:
    """Spaces in place of `span`, keeping its newlines (so offsets and lines stay right)."""
    if "\n" not in span:
        return " " * len(span)
    return "\n".join(" " * len(part) for part in span.split("\n"))


def _glued_to_name(c: str) -> bool:
    return c.isalnum() or c in "_'!?.»])⟩"


def _scan_text(text: str, path: str) -> _FileScan:
    doc = _Text(text, path)
    commands = _find_commands(doc)
    scan = _FileScan([], _module_docs(doc), doc.problems)
    body = [c.start for c in commands if c.keyword not in ("import", "module", "prelude")]
    imports = _imports(doc, body[0] if body else len(text))
    _walk_commands(doc, commands, imports, scan)
    _base_instance_names(scan)
    scan.problems.sort(key=lambda p: p.line)
    return scan


def _find_commands(doc: _Text) -> list[_Command]:
    """The commands of the file, in order, each with its docstring/attribute/modifier prefix.

    A command starts at the beginning of a line (after indentation, attributes and modifiers) or
    right after the `in` of `open … in` / `set_option … in`; keywords anywhere else are inside
    terms. Only line starts are looked at in Python, which keeps this fast.
    """
    masked = doc.masked
    found: dict[int, _Command] = {}
    hits: list[tuple[int, int, str]] = []
    for m in _LINE_START.finditer("\n" + masked):
        word = m.group(1)
        ks = m.start(1) - 1
        if word in _COMMAND_WORDS:
            hits.append((ks, ks + len(word), word))
        elif word in _PREFIX_WORDS:
            pos = _skip_prefix(masked, ks)
            after = _NAME.match(masked, pos)
            if after is not None and (
                after.group() in _COMMAND_WORDS
                or (after.group() in _PREFIXED_COMMANDS and m.start(1) == m.start() + 1)
            ):
                hits.append((pos, after.end(), after.group()))
        elif (word in _COLUMN0_WORDS or word[0] == "#") and m.start(1) == m.start() + 1:
            if word == "deriving":
                nxt = _skip_space(masked, ks + len(word))
                if not masked.startswith("instance", nxt):
                    continue
            found.setdefault(ks, _Command(ks, word, ks, ks + len(word), None, [], []))
    for m in _AFTER_IN.finditer(masked):
        hits.append((m.start(1), m.end(1), m.group(1)))
    for ks, ke, word in hits:
        if doc.guillemets and _inside(doc.guillemets, ks):
            continue
        q = doc.last_nonspace(ks)
        if q > 0 and masked[q - 1] in "[,-":
            continue  # an attribute name: `@[instance]`, `attribute [local instance] f`
        before, bstart = doc.word_before(q)
        if before in ("local", "scoped"):
            q2 = doc.last_nonspace(bstart)
            if q2 > 0 and masked[q2 - 1] in "[,":
                continue
        if word == "instance" and before == "deriving":
            continue
        if word in ("inductive", "abbrev") and before == "class":
            continue
        start, docspan, attributes, modifiers = _prefix(doc, ks)
        if word == "class":
            nxt = _skip_space(masked, ke)
            for sub in ("inductive", "abbrev"):
                if masked.startswith(sub, nxt) and not _is_word_char(masked, nxt + len(sub)):
                    ke = nxt + len(sub)
        existing = found.get(start)
        if existing is not None and existing.kw_start <= ks:
            continue
        found[start] = _Command(start, word, ks, ke, docspan, attributes, modifiers)
    commands = sorted(found.values(), key=lambda c: c.start)
    result: list[_Command] = []
    for command in commands:
        if result and command.start < result[-1].kw_end:
            continue
        result.append(command)
        if command.keyword == "#exit":
            break  # Lean ignores the rest of the file
    return result


def _skip_prefix(masked: str, pos: int) -> int:
    """The position after the attribute blocks and modifiers that start at `pos`."""
    n = len(masked)
    for _ in range(64):
        pos = _skip_space(masked, pos)
        if masked.startswith("@[", pos) or masked.startswith("scoped[", pos):
            open_at = masked.index("[", pos)
            close = _matching(masked, open_at)
            if close < 0:
                return pos
            pos = close + 1
            continue
        word = _NAME.match(masked, pos)
        if word is not None and word.group() in _MODIFIERS:
            pos = word.end()
            continue
        return min(pos, n)
    return pos


def _matching(masked: str, open_at: int) -> int:
    depth = 0
    for b in _BRACKET.finditer(masked, open_at):
        if b.group() in _OPEN:
            depth += 1
        else:
            depth -= 1
            if depth == 0:
                return b.start()
    return -1


def _inside(spans: list[tuple[int, int]], pos: int) -> bool:
    i = bisect.bisect_right(spans, (pos, len(spans) + 1 << 62)) - 1
    return i >= 0 and spans[i][0] <= pos < spans[i][1]


def _is_word_char(s: str, i: int) -> bool:
    return i < len(s) and (s[i].isalnum() or s[i] in "_'!?")


def _skip_space(s: str, i: int) -> int:
    m = _NONSPACE.search(s, i)
    return m.start() if m else len(s)


def _prefix(
    doc: _Text, kw_start: int
) -> tuple[int, tuple[int, int] | None, list[tuple[int, int]], list[str]]:
    """Walk back from a keyword over modifiers, attribute blocks and one docstring."""
    masked = doc.masked
    start = kw_start
    attributes: list[tuple[int, int]] = []
    modifiers: list[str] = []
    docspan = None
    for _ in range(64):
        near = doc.adjacent_doc(start)
        if near is not None:
            docspan = near
            start = near[0]
            break
        q = doc.last_nonspace(start)
        if q == 0:
            break
        if masked[q - 1] == "]":
            depth = 0
            j = q - 1
            limit = max(0, q - 4000)
            while j >= limit:
                c = masked[j]
                if c in ")]}⟩⦄⟧":
                    depth += 1
                elif c in _OPEN:
                    depth -= 1
                    if depth == 0:
                        break
                j -= 1
            if j < limit or depth != 0:
                break
            if j > 0 and masked[j - 1] == "@":
                attributes.insert(0, (j + 1, q - 1))
                start = j - 1
                continue
            if j >= 6 and masked[j - 6:j] == "scoped" and (j == 6 or not _is_word_char(masked, j - 7)):
                modifiers.insert(0, "scoped[" + _SPACE.sub("", masked[j + 1:q - 1]) + "]")
                start = j - 6
                continue
            break
        word, wstart = doc.word_before(q)
        if word in _MODIFIERS and (wstart == 0 or masked[wstart - 1] != "."):
            modifiers.insert(0, word)
            start = wstart
            continue
        break
    return start, docspan, attributes, modifiers


def _imports(doc: _Text, header_end: int) -> tuple[str, ...]:
    names = []
    for m in _IMPORT.finditer(doc.masked, 0, header_end):
        names.append(_normal_name(doc.text[m.start(1):m.end(1)]))
    return tuple(names)


def _module_docs(doc: _Text) -> list[ModuleDoc]:
    result = []
    for s, e, kind in doc.comments:
        if kind != "mod":
            continue
        body = doc.text[s + 3:e - 2 if doc.text.endswith("-/", 0, e) else e].strip()
        definitions: list[str] = []
        results: list[str] = []
        current: list[str] | None = None
        for raw in body.splitlines():
            heading = _HEADING.match(raw)
            if heading:
                title = heading.group(1).lower().rstrip(":")
                current = (
                    definitions if title in _MAIN_DEFS else results if title in _MAIN_RESULTS else None
                )
                continue
            if current is not None:
                bullet = _BULLET.match(raw)
                if bullet:
                    current.append(bullet.group(1).strip())
        result.append(
            ModuleDoc(doc.path, doc.line(s), body, tuple(definitions), tuple(results))
        )
    return result


# --------------------------------------------------------------------------------------------
# Commands in order: scopes and declarations


def _walk_commands(
    doc: _Text, commands: list[_Command], imports: tuple[str, ...], scan: _FileScan
) -> None:
    masked = doc.masked
    scopes: list[_Scope] = [_Scope("file", "")]
    generated: dict[str, int] = {}
    notations: dict[str, str] = {}  # prefix notations of the file: atom -> constant
    infixes: dict[str, str] = {}  # infix notations of the file: atom -> constant
    for i, command in enumerate(commands):
        end = commands[i + 1].start if i + 1 < len(commands) else len(masked)
        kw = command.keyword
        if kw in ("notation", "notation3"):
            learned = _prefix_notation(doc, command, end)
            if learned is not None:
                notations[learned[0]] = learned[1]
        if kw in ("infix", "infixl", "infixr", "notation"):
            learned = _infix_notation(doc, command, end)
            if learned is not None:
                infixes[learned[0]] = learned[1]
        if kw == "namespace":
            name = _name_at(doc, command.kw_end, same_line=False)
            if name:
                parts = _split_name(name)
                if parts and parts[0] == "_root_":
                    parts = parts[1:]
                for part in parts:
                    scopes.append(_Scope("namespace", part))
        elif kw == "section":
            name = _name_at(doc, command.kw_end, same_line=True)
            for part in _split_name(name) if name else [""]:
                scopes.append(_Scope("section", part))
        elif kw == "mutual":
            scopes.append(_Scope("mutual", ""))
        elif kw == "end":
            _close_scopes(doc, command, scopes)
        elif kw == "variable":
            scopes[-1].variables.update(_binder_names(doc.text, masked, command.kw_end, end))
        elif kw in ("open", "export"):
            namespace = [s.header for s in scopes if s.kind == "namespace"]
            at = len(scan.declarations)
            # `open A in` opens A for the next command only
            until = at + 1 if _OPEN_IN.search(masked, command.kw_end, end) else sys.maxsize
            for target, names in _opened(masked, command.kw_end, end):
                scan.opens.append((at, until, namespace, target, names))
        elif kw == "deriving":
            namespace = [s.header for s in scopes if s.kind == "namespace"]
            for base in _standalone_derived(masked, command.kw_end, end):
                scan.unreported.append((_qualify(namespace, base), len(scan.declarations)))
        elif kw in _ALL_DECL_KINDS:
            namespace = [s.header for s in scopes if s.kind == "namespace"]
            variables = {k: v for s in scopes for k, v in s.variables.items()}
            _declare(
                doc, command, end, namespace, variables, imports, scan, generated,
                notations, infixes,
            )


def _close_scopes(doc: _Text, command: _Command, scopes: list[_Scope]) -> None:
    name = _name_at(doc, command.kw_end, same_line=True)
    parts = _split_name(name) if name else [""]
    if len(scopes) - 1 < len(parts):
        doc.problem(command.kw_start, "end-mismatch",
                    f"`end {name or ''}`".replace(" `", "`") + " closes no open namespace or section")
        del scopes[1:]
        return
    closed = scopes[len(scopes) - len(parts):]
    del scopes[len(scopes) - len(parts):]
    expected = ".".join(s.header for s in closed)
    if [s.header for s in closed] != parts:
        if closed[-1].kind == "mutual" and not name:
            return
        shown = f"end {name}" if name else "end"
        opened = expected or "anonymous " + closed[-1].kind
        doc.problem(command.kw_start, "end-mismatch",
                    f"`{shown}` does not match the open scope `{opened}`")


def _name_at(doc: _Text, pos: int, *, same_line: bool) -> str:
    start = _skip_space(doc.masked, pos)
    if same_line and "\n" in doc.masked[pos:start]:
        return ""
    m = _NAME.match(doc.text, start)
    if m is None:
        return ""
    word = m.group()
    if word in _KEYWORDS and word not in _NON_RESERVED:
        return ""
    return word


# Words Lean parses as keywords only in place (`let rec`) and accepts as names elsewhere
# (`protected def rec` declares `OrderDual.rec`).
_NON_RESERVED = frozenset({"rec"})


def _split_name(name: str) -> list[str]:
    if "«" not in name:
        return name.split(".")
    parts: list[str] = []
    for m in re.finditer(r"«[^»]*»|[^.«]+", name):
        parts.append(_normal_part(m.group()))
    return parts


def _lean_letter_like(c: str) -> bool:
    v = ord(c)
    return (
        (0x3B1 <= v <= 0x3C9 and v != 0x3BB)
        or (0x391 <= v <= 0x3A9 and v not in (0x3A0, 0x3A3))
        or 0x3CA <= v <= 0x3FB
        or 0x1F00 <= v <= 0x1FFE
        or 0x2100 <= v <= 0x214F
        or 0x1D49C <= v <= 0x1D59F
    )


def _lean_subscript(c: str) -> bool:
    v = ord(c)
    return 0x2080 <= v <= 0x2089 or 0x2090 <= v <= 0x209C or 0x1D62 <= v <= 0x1D6A


def _is_lean_identifier(s: str) -> bool:
    """Lean's `isIdFirst`/`isIdRest` (ASCII letters, Greek and letter-like symbols, subscripts)."""
    if not s:
        return False
    first = s[0]
    if not ((first.isascii() and first.isalpha()) or first == "_" or _lean_letter_like(first)):
        return False
    return all(
        (c.isascii() and c.isalnum()) or c in "_'!?" or _lean_letter_like(c) or _lean_subscript(c)
        for c in s[1:]
    )


def _normal_part(part: str) -> str:
    """A name component as Lean prints it: `«»` only where the text is not an identifier."""
    if part.startswith("«") and part.endswith("»"):
        inner = part[1:-1]
        if _is_lean_identifier(inner):
            return inner
    return part


def _normal_name(name: str) -> str:
    return ".".join(_split_name(name))


def _qualify(namespace: list[str], name: str) -> str:
    parts = _split_name(name)
    if parts and parts[0] == "_root_":
        return ".".join(parts[1:])
    return ".".join([*namespace, *parts])


def _escape_part(part: str) -> str:
    return part if _is_lean_identifier(part) else f"«{part}»"


_BINDER = re.compile(r"([({⦃\[])([^(){}⦃⦄\[\]:]*?)(:|[)}⦄\]])")


def _binder_names(text: str, masked: str, start: int, end: int) -> dict[str, str]:
    """The names a `variable` command binds, each with the head constant of its type.

    `[Monad m]` binds no name (the class is not a variable); `[inst : Monad m]` binds `inst`.
    """
    names: dict[str, str] = {}
    for group in _BINDER.finditer(masked, start, end):
        opener, inside, stop = group.groups()
        if opener == "[" and stop != ":":
            continue
        head = ""
        if stop == ":":
            after = _NAME.match(text, _skip_space(masked, group.end()))
            head = after.group() if after is not None else ""
        for word in inside.split():
            if _PLAIN_ID.match(word):
                names[word] = head
    return names


def _declare(
    doc: _Text,
    command: _Command,
    end: int,
    namespace: list[str],
    variables: dict[str, str],
    imports: tuple[str, ...],
    scan: _FileScan,
    generated: dict[str, int],
    notations: dict[str, str],
    infixes: dict[str, str],
) -> None:
    masked = doc.masked
    text = doc.text
    kw = command.keyword
    kind = "class" if kw == "class" else kw
    for modifier in command.modifiers:
        if modifier.startswith("scoped["):
            namespace = _split_name(modifier[7:-1])
    body_start = command.kw_end
    name = ""
    sig_start = _skip_space(masked, body_start)
    pending: _Pending | None = None
    where_helpers = False

    if kw in _DECL_KINDS:
        pos = sig_start
        if kw == "instance":
            opt = _OPTION.match(masked, pos)
            while opt is not None:
                pos = _skip_space(masked, opt.end())
                opt = _OPTION.match(masked, pos)
            sig_start = pos
        raw = "" if kw == "example" else _name_at(doc, pos, same_line=False)
        if raw:
            name = _qualify(namespace, raw)
        stop, terminator = _header_stop(masked, pos, end, kw)
        if kw == "example":
            name = ".".join([*namespace, "_example"])
        elif kw == "instance" and not raw:
            # Named once the whole file is scanned (see `_base_instance_names`).
            name = ".".join([*namespace, "inst"])
            pending = _Pending(
                len(scan.declarations), "inst", [], _prefixes(namespace),
                masked[sig_start:stop], list(namespace), dict(variables), dict(notations),
                dict(infixes),
            )
        signature = doc.without_comments(sig_start, stop)
        where_helpers = terminator in (":=", "|")
    elif kw in _SYNTAX_KINDS:
        sig_start = _skip_space(text, body_start)
        name, signature = _syntax_name(doc, kw, sig_start, end, namespace, generated)
        stop = end
    elif kw in ("macro_rules", "elab_rules"):
        signature = doc.without_comments(sig_start, min(end, _first(masked, "=>", sig_start, end)))
    elif kw in ("initialize", "builtin_initialize"):
        raw = _name_at(doc, sig_start, same_line=False)
        after = _skip_space(masked, sig_start + len(raw)) if raw else sig_start
        if raw and masked.startswith(":", after) and not masked.startswith(":=", after):
            name = _qualify(namespace, raw)
        signature = doc.without_comments(sig_start, min(end, _first(masked, "←", sig_start, end)))
    elif kw in ("register_option", "register_builtin_option"):
        raw = _name_at(doc, sig_start, same_line=False)
        name = _qualify(namespace, raw) if raw else ""
        signature = doc.without_comments(sig_start, min(end, _first(masked, ":=", sig_start, end)))
    elif kw == "alias":
        _declare_aliases(doc, command, end, namespace, imports, scan)
        return
    elif kw == "declare_syntax_cat":
        # Lean declares the category as `Lean.Parser.Category.<cat>`, from any namespace.
        raw = _name_at(doc, sig_start, same_line=False)
        name = ".".join(["Lean", "Parser", "Category", *_split_name(raw)]) if raw else ""
        signature = doc.without_comments(sig_start, _trim_end(masked, sig_start, end))
    else:  # simprocs
        pos = sig_start
        if masked.startswith("[", pos):
            close = masked.find("]", pos)
            pos = _skip_space(masked, close + 1) if close > 0 else pos
        raw = _name_at(doc, pos, same_line=False)
        name = _qualify(namespace, raw) if raw else ""
        signature = doc.without_comments(pos, min(end, _first(masked, ":=", pos, end)))

    decl = _make_declaration(doc, command, end, name, kind, signature, sig_start, imports)
    if pending is not None:
        pending.index = len(scan.declarations)
        scan.pending.append(pending)
        decl = _renamed(decl, decl.name, inferred=True)
    if name and kw in _TYPE_KINDS:
        _note_type(masked, name, namespace, pos, stop, terminator, end, len(scan.declarations), scan)
    scan.declarations.append(decl)
    if where_helpers and name:
        _declare_helpers(doc, decl, command, stop, end, imports, scan)


# Declarations whose instance binders, fields and `deriving` clauses naming needs to know.
_TYPE_KINDS = frozenset({"def", "abbrev", "structure", "class", "inductive", "opaque"})
_DERIVING = re.compile(r"d(?<![\w'!?.]d)eriving(?![\w'!?])[ \t]+(?!instance\b)")
_DERIVED_CLASS = re.compile(r"[ \t]*(" + _ID_PART + r"(?:\." + _ID_PART + r")*)[ \t]*(,)?")
_FIELD_LINE = re.compile(r"\n([ \t]*)(?=\S)")


def _note_type(
    masked: str,
    name: str,
    namespace: list[str],
    pos: int,
    stop: int,
    terminator: str,
    end: int,
    index: int,
    scan: _FileScan,
) -> None:
    """What naming anonymous instances needs to know of a type or class the file declares.

    The classes of its instance binders (`def DHashMap … [BEq α] [Hashable α]`: an instance
    binder `[BEq α]` of a later instance about `DHashMap α β` is then used by its type, which
    Lean's name leaves out), its fields (`class Params where Λ : Type u` declares the constant
    `Params.Λ`) and the instances its `deriving` clause declares (they take names first).
    """
    tokens = [m.group() for m in _INST_TOKEN.finditer(masked, pos, stop)]
    binders, _ = _split_binders(tokens[1:])
    heads = frozenset(
        _split_name(ty[0])[-1] for _, ty, _, instance in binders
        if instance and ty and _NAME.fullmatch(ty[0])
    )
    if heads:
        scan.requires[name] = heads
    if terminator == "where" and name:
        for field_name in _field_names(masked, stop + len("where"), end):
            scan.unreported.append((f"{name}.{field_name}", index))
    last = _split_name(name)[-1]
    for deriving in _DERIVING.finditer(masked, stop, end):
        at = deriving.end()
        while True:
            m = _DERIVED_CLASS.match(masked, at)
            if m is None:
                break
            base = "inst" + _capitalized(_split_name(m.group(1))[-1]) + _capitalized(last)
            scan.unreported.append((_qualify(namespace, base), index))
            at = m.end()
            if m.group(2) is None:
                break


def _capitalized(part: str) -> str:
    """Lean's `String.capitalize`: the first character upper-cased if it is ASCII."""
    return part[:1].upper() + part[1:] if part[:1].isascii() else part


def _field_names(masked: str, where_end: int, end: int) -> list[str]:
    """The fields declared after `where` in a structure or class body (lines at its column)."""
    first = _skip_space(masked, where_end)
    end = _trim_end(masked, first, end) if first < end else end
    if first >= end:
        return []
    line_start = masked.rfind("\n", 0, first) + 1
    column = first - line_start
    starts = [first] + [
        m.end() for m in _FIELD_LINE.finditer(masked, first, end)
        if len(m.group(1).expandtabs()) == column
    ]
    names: list[str] = []
    for start in starts:
        line_end = masked.find("\n", start, end)
        line = masked[start:line_end if line_end >= 0 else end]
        if line.startswith("@["):
            close = line.find("]")
            line = line[close + 1:].lstrip() if close >= 0 else ""
        words = line.split(None, 1)
        while words and words[0] in _MODIFIERS:
            line = words[1] if len(words) > 1 else ""
            words = line.split(None, 1)
        if "::" in line.split(":=")[0]:
            continue  # `mk ::` names the constructor
        tokens = [m.group() for m in _INST_TOKEN.finditer(line)]
        if tokens and tokens[0] in "({[⦃":
            colon = _top_level_colon(tokens[1:])
            names += [t for t in tokens[1:colon + 1] if _PLAIN_ID.match(t)] if colon > 0 else []
            continue
        colon = _top_level_colon(tokens)
        if colon <= 0 or not _NAME.fullmatch(tokens[0]):
            continue
        before = tokens[:colon]
        if all(_PLAIN_ID.match(t) for t in before):
            names += before  # `x y : α`
        else:
            names.append(tokens[0])  # `map {X Y} (f : X ⟶ Y) : …`
    return [n for n in names if n not in _KEYWORDS]


_OPEN_WORDS = frozenset({"scoped", "hiding", "renaming", "in"})
_OPEN_IN = re.compile(r"(?<![\w'!?.])in\s*\Z")


def _opened(masked: str, start: int, end: int) -> list[tuple[str, frozenset[str] | None]]:
    """The namespaces an `open`/`export` command opens, each with its explicit names or None.

    `open A B.C` opens all of A and B.C; `export Params (Λ κ)` only Λ and κ; what follows
    `hiding`/`renaming` is left out (the names stay reachable either way, near enough).
    """
    line_end = masked.find("\n", start, end)
    text = masked[start:line_end if line_end >= 0 else end]
    opened: list[tuple[str, frozenset[str] | None]] = []
    at = 0
    while at < len(text):
        m = _NAME.match(text, _skip_space(text, at))
        if m is None:
            break
        at = m.end()
        word = m.group()
        if word in ("hiding", "renaming", "in"):
            break
        if word in _OPEN_WORDS:
            continue
        after = _skip_space(text, at)
        if text.startswith("(", after):
            close = text.find(")", after)
            inner = text[after + 1:close if close >= 0 else len(text)]
            opened.append((word, frozenset(w for w in inner.split() if _PLAIN_ID.match(w))))
            at = close + 1 if close >= 0 else len(text)
        else:
            opened.append((word, None))
    return opened


def _standalone_derived(masked: str, start: int, end: int) -> list[str]:
    """Base names of the instances `deriving instance A, B for S, T` declares."""
    text = masked[start:_trim_end(masked, start, end)]
    m = re.match(r"\s*instance\s+(.*?)\s+for\s+(.*)", text, re.DOTALL)
    if m is None:
        return []
    classes = [c.strip() for c in m.group(1).split(",") if _NAME.fullmatch(c.strip())]
    types = [t.strip() for t in m.group(2).split(",") if _NAME.fullmatch(t.strip())]
    return [
        "inst" + _capitalized(_split_name(c)[-1]) + _capitalized(_split_name(t)[-1])
        for c in classes for t in types
    ]


def _notation_parts(
    doc: _Text, command: _Command, end: int
) -> tuple[list[str], list[str]] | None:
    """The pattern tokens and the words of the right-hand side of a notation command whose
    right-hand side starts with a constant (`… => Path a b`), else None."""
    text = doc.text
    pos = _skip_space(text, command.kw_end)
    prec = _PREC.match(text, pos)
    if prec is not None:
        pos = _skip_space(text, prec.end())
    opt = _OPTION.match(text, pos)
    while opt is not None:
        pos = _skip_space(text, opt.end())
        opt = _OPTION.match(text, pos)
    arrow = doc.masked.find("=>", pos, end)
    if arrow < 0:
        return None
    tokens = [m.group() for m in _SYN_TOKEN.finditer(doc.without_comments(pos, arrow))]
    rhs = doc.without_comments(arrow + 2, _trim_end(doc.masked, arrow + 2, end)).split()
    if not rhs or not _NAME.fullmatch(rhs[0]) or rhs[0] in _KEYWORDS:
        return None
    return tokens, rhs


def _learned_atom(quoted: str, constant: str) -> tuple[str, str] | None:
    atom = quoted[1:-1].strip()
    return (atom, constant) if atom and " " not in atom else None


def _prefix_notation(doc: _Text, command: _Command, end: int) -> tuple[str, str] | None:
    """(atom, constant) of a prefix notation that stands for a constant applied to its variables.

    `notation3 "Γ" K:max => Field.absoluteGaloisGroup K` makes `Γ K` in an instance header name
    like `Field.absoluteGaloisGroup K` (Lean names the elaborated term). Other notations: None.
    """
    parts = _notation_parts(doc, command, end)
    if parts is None:
        return None
    tokens, rhs = parts
    if not tokens or not tokens[0].startswith('"') or len(tokens[0]) < 3:
        return None
    variables = []
    i = 1
    while i < len(tokens):
        if not _PLAIN_ID.match(tokens[i]):
            return None
        variables.append(tokens[i])
        i += 1
        if i < len(tokens) and tokens[i] == ":":
            if i + 1 >= len(tokens) or not (
                tokens[i + 1][0].isdigit() or tokens[i + 1] in _PREC_WORDS
            ):
                return None
            i += 2
    return _learned_atom(tokens[0], rhs[0]) if rhs[1:] == variables else None


def _infix_notation(doc: _Text, command: _Command, end: int) -> tuple[str, str] | None:
    """(atom, constant) of an infix notation for a constant of two arguments, else None.

    `infix:60 " ↝ " => Path` and `notation:60 a " ↝ " b => Path a b` make `α ↝ β` in an
    instance header name like `Path α β`.
    """
    parts = _notation_parts(doc, command, end)
    if parts is None:
        return None
    tokens, rhs = parts
    if command.keyword == "notation":
        # `a:61 " ↝ " b:60`: drop the precedences, keep the variables and the atom
        kept = [t for k, t in enumerate(tokens) if t != ":" and (k == 0 or tokens[k - 1] != ":")]
        if (
            len(kept) != 3 or not kept[1].startswith('"')
            or not _PLAIN_ID.match(kept[0]) or not _PLAIN_ID.match(kept[2])
            or rhs[1:] != [kept[0], kept[2]]
        ):
            return None
        return _learned_atom(kept[1], rhs[0])
    if len(tokens) != 1 or not tokens[0].startswith('"') or len(rhs) != 1:
        return None
    return _learned_atom(tokens[0], rhs[0])


def _first(masked: str, needle: str, start: int, end: int) -> int:
    i = masked.find(needle, start, end)
    return end if i < 0 else i


def _prefixes(namespace: list[str]) -> list[str]:
    return [".".join(namespace[: i + 1]) for i in range(len(namespace))]


def _header_stop(masked: str, pos: int, end: int, kw: str) -> tuple[int, str]:
    """Where the header ends (the top-level `:=`, `where`, `|` or `deriving`) and which it was."""
    depth = 0
    typed = kw in ("inductive", "coinductive", "structure", "class")
    for m in _HEADER_STOP.finditer(masked, pos, end):
        token = m.group()
        c = token[0]
        if c in _OPEN:
            depth += 1
        elif c in ")]}⟩⦄⟧":
            depth = max(0, depth - 1)
        elif depth == 0:
            if token == ":=" and _OPEN_LET.search(masked, pos, m.start()):
                continue  # `letI x := v; T` inside the type
            if token == "|" and not typed:
                nxt = _ARROW_OR_ASSIGN.search(masked, m.end(), end)
                if nxt is None or nxt.group() != "=>":
                    continue
            return m.start(), token
    return _trim_end(masked, pos, end), ""


def _trim_end(masked: str, start: int, end: int) -> int:
    return start + len(masked[start:end].rstrip())


def _make_declaration(
    doc: _Text,
    command: _Command,
    end: int,
    name: str,
    kind: str,
    signature: str,
    sig_start: int,
    imports: tuple[str, ...],
) -> Declaration:
    masked = doc.masked
    body_end = _trim_end(masked, command.kw_end, end)
    docstring = None
    if command.doc is not None:
        s, e = command.doc
        docstring = doc.text[s + 3:e - 2].strip()
    attributes = tuple(a for s, e in command.attributes for a in _split_attributes(doc, s, e))
    modifiers = tuple(command.modifiers)
    mentions = tuple(
        w for w in dict.fromkeys(_MENTION.findall(masked, sig_start, body_end)) if w not in _NOT_MENTIONS
    )
    return Declaration(
        name=name,
        kind=kind,
        path=doc.path,
        line=doc.line(command.kw_start),
        start_line=doc.line(command.start),
        end_line=doc.line(max(body_end - 1, command.kw_start)),
        signature=signature,
        docstring=docstring,
        modifiers=modifiers,
        attributes=attributes,
        has_sorry=_has_sorry(masked, command.kw_end, body_end),
        mentions=mentions,
        imports=imports,
    )


def _has_sorry(masked: str, start: int, end: int) -> bool:
    if masked.find("sorry", start, end) < 0 and masked.find("admit", start, end) < 0:
        return False
    return _SORRY.search(masked, start, end) is not None


def _split_attributes(doc: _Text, start: int, end: int) -> list[str]:
    """The comma-separated attributes of `@[...]` between `start` and `end`, as written.

    Commas are looked for in the masked text, so one inside a string or a doc comment given to
    an attribute (`@[to_additive /-- ..., ... -/]`) does not split it.
    """
    result = []
    depth = 0
    last = start
    masked = doc.masked
    for i in range(start, end):
        c = masked[i]
        if c in _OPEN:
            depth += 1
        elif c in ")]}⟩⦄⟧":
            depth -= 1
        elif c == "," and depth == 0:
            result.append(doc.text[last:i])
            last = i + 1
    result.append(doc.text[last:end])
    return [_SPACE.sub(" ", a).strip() for a in result if a.strip()]


def _declare_helpers(
    doc: _Text,
    parent: Declaration,
    command: _Command,
    stop: int,
    end: int,
    imports: tuple[str, ...],
    scan: _FileScan,
) -> None:
    """`where` helpers and `let rec` functions: Lean names them `parent.helper`."""
    masked = doc.masked
    body_end = _trim_end(masked, stop, end)
    if masked.find("where", stop, body_end) < 0 and masked.find("rec", stop, body_end) < 0:
        return
    helper_kind = parent.kind if parent.kind in ("theorem", "lemma") else "def"
    found: list[tuple[int, int, str]] = []  # (start, name position, raw name)
    for m in _LET_REC.finditer(masked, stop, body_end):
        pos = m.end()
        if masked.startswith("@[", pos):
            close = masked.find("]", pos)
            pos = _skip_space(masked, close + 1) if close > 0 else pos
        raw = _name_at(doc, pos, same_line=False)
        if raw:
            found.append((m.start(), pos, raw))
    where = _WHERE.search(masked, stop, body_end)
    while where is not None and _depth(masked, stop, where.start()) != 0:
        where = _WHERE.search(masked, where.end(), body_end)
    starts: list[int] = []
    if where is not None:
        first = _skip_space(masked, where.end())
        if first < body_end:
            column = doc.column(first)
            starts.append(first)
            for m in _HELPER_LINE.finditer(masked, first, body_end):
                if len(m.group(1).expandtabs()) == column:
                    starts.append(m.end())
    for i, s in enumerate(starts):
        pos = s
        while masked.startswith("@[", pos):
            close = masked.find("]", pos)
            if close < 0:
                break
            pos = _skip_space(masked, close + 1)
        while True:
            word = _NAME.match(masked, pos)
            if word and word.group() in _MODIFIERS:
                pos = _skip_space(masked, word.end())
                continue
            break
        raw = _name_at(doc, pos, same_line=False)
        # `@[inline]` on a line of its own starts at the helper's column too: one helper
        if raw and all(pos != seen for _, seen, _ in found):
            found.append((s, pos, raw))
    where_starts = set(starts)
    for s, pos, raw in sorted(found):
        helper_end = min([f[0] for f in found if f[0] > s] + [body_end])
        column = doc.column(s)
        for line in _HELPER_LINE.finditer(masked, s, helper_end):
            indent = len(line.group(1).expandtabs())
            # match alternatives `| pat => …` may sit at the helper's own column, and so may
            # the body of a `where` helper (`match k with` under `helper (k : Nat) : Nat :=`);
            # the next `where` helper starts a line found above and already ends this one.
            if indent < column or (
                indent == column and s not in where_starts and masked[line.end()] != "|"
            ):
                helper_end = line.start()
                break
        start = s
        near = doc.adjacent_doc(s)
        docstring = None
        if near is not None and near[1] > stop:
            start = near[0]
            docstring = doc.text[near[0] + 3:near[1] - 2].strip()
        hstop, _ = _header_stop(masked, pos, helper_end, "def")
        end_pos = _trim_end(masked, pos, helper_end)
        attributes: tuple[str, ...] = ()
        if masked.startswith("@[", s):
            close = masked.find("]", s)
            attributes = tuple(_split_attributes(doc, s + 2, close))
        scan.declarations.append(
            Declaration(
                name=f"{parent.name}.{_normal_name(raw)}",
                kind=helper_kind,
                path=doc.path,
                line=doc.line(pos),
                start_line=doc.line(start),
                end_line=doc.line(max(end_pos - 1, pos)),
                signature=doc.without_comments(pos, hstop),
                docstring=docstring,
                attributes=attributes,
                has_sorry=_has_sorry(masked, pos, end_pos),
                mentions=tuple(
                    w for w in dict.fromkeys(_MENTION.findall(masked, pos, end_pos))
                    if w not in _NOT_MENTIONS
                ),
                imports=imports,
                inferred_name=parent.inferred_name,
            )
        )


def _depth(masked: str, start: int, end: int) -> int:
    depth = 0
    for m in _BRACKET.finditer(masked, start, end):
        depth += 1 if m.group() in _OPEN else -1
    return depth


def _declare_aliases(
    doc: _Text,
    command: _Command,
    end: int,
    namespace: list[str],
    imports: tuple[str, ...],
    scan: _FileScan,
) -> None:
    masked = doc.masked
    pos = _skip_space(masked, command.kw_end)
    stop = _first(masked, ":=", pos, end)
    signature = doc.without_comments(pos, _trim_end(masked, pos, end))
    raws: list[str] = []
    if masked.startswith("⟨", pos):
        close = masked.find("⟩", pos, stop)
        for part in doc.text[pos + 1:close if close > 0 else stop].split(","):
            part = part.strip()
            if part and part != "_":
                raws.append(part)
    else:
        raw = _name_at(doc, pos, same_line=False)
        arrow = _skip_space(masked, pos + len(raw)) if raw else pos
        if raw and masked.startswith(("←", "↔"), arrow):
            # Mathlib's older syntax: `alias foo ← bar baz` declares `bar` and `baz`;
            # `alias foo_iff ↔ mp mpr` declares the two directions (`_` skips one).
            names = doc.without_comments(arrow + 1, _trim_end(masked, arrow + 1, end)).split()
            if masked[arrow] == "↔":
                names = names[:2]
            raws.extend(n for n in names if n != "_" and _NAME.fullmatch(n))
        elif raw:
            raws.append(raw)
    for raw in raws or [""]:
        name = _qualify(namespace, raw) if raw else ""
        scan.declarations.append(
            _make_declaration(doc, command, end, name, "alias", signature, pos, imports)
        )


# --------------------------------------------------------------------------------------------
# Names Lean generates: syntax kinds


# A name glued to `(` is one token: a parser function (`sepBy(`, `ppIndent(`), where a name
# followed by a space and `(` is a category or abbreviation before a group.
_SYN_TOKEN = re.compile(
    r"\"(?:[^\"\\]|\\.)*\"|[^\W\d][\w'!?]*(?:\.[^\W\d][\w'!?]*)*\(?|\d+|=>|:=|\S",
    re.DOTALL,
)
# `x:term,*` in a macro: Lean expands the argument (`sepBy(term, ",", ", ")`) before naming it,
# so its two separators count; in a `syntax` command it is named unexpanded and they do not.
_MACRO_SEPARATORS = ((",", "*"), (",", "+"))
_PREC_WORDS = frozenset("max arg lead min min1".split())


def _syntax_name(
    doc: _Text,
    kw: str,
    pos: int,
    end: int,
    namespace: list[str],
    generated: dict[str, int],
) -> tuple[str, str]:
    """The (name, signature) of a syntax-extension command."""
    masked = doc.masked
    text = doc.text
    given = ""
    p = pos
    prec = _PREC.match(text, p)
    if prec is not None:
        p = _skip_space(text, prec.end())
    opt = _OPTION.match(text, p)
    while opt is not None:
        if opt.group(1) == "name":
            given = opt.group(2).strip()
        p = _skip_space(text, opt.end())
        opt = _OPTION.match(text, p)
    arrow = _first(masked, "=>", p, end)
    pattern_end = arrow if kw != "syntax" else _trim_end(masked, p, end)
    signature = doc.without_comments(p, pattern_end)
    if given:
        return _qualify(namespace, given), signature
    if kw == "syntax":
        # `syntax config := …` is a syntax abbreviation: a parser named by its identifier
        abbrev = _NAME.match(text, p)
        if abbrev is not None and masked.startswith(":=", _skip_space(masked, abbrev.end())):
            return _qualify(namespace, abbrev.group()), signature
    tokens = [m.group() for m in _SYN_TOKEN.finditer(text, p, pattern_end)]
    category = "term"
    if kw in ("syntax", "macro", "elab"):
        # the category follows the last `:` that is not glued to a binder (`x:term`)
        for i in range(len(tokens) - 1, 0, -1):
            if tokens[i - 1] == ":" and i >= 2 and not _glued(text, tokens, i - 1, p, pattern_end):
                category = tokens[i]
                tokens = tokens[: i - 1]
                break
    if kw in ("infix", "infixl", "infixr", "prefix", "postfix"):
        op = next((t for t in tokens if t.startswith('"')), '""')
        atom = _atom(op)
        body = {"prefix": f"{atom}_", "postfix": f"_{atom}"}.get(kw, f"_{atom}_")
    else:
        body = _pattern_name(tokens, kw)
    base = category.rsplit(".", 1)[-1] + body
    full = ".".join([*namespace, base])
    count = generated.get(full, 0)
    generated[full] = count + 1
    if count:
        base = f"{base}_{count}"
    return ".".join([*namespace, _escape_part(base)]), signature


def _glued(text: str, tokens: list[str], index: int, start: int, end: int) -> bool:
    """Whether the `:` at tokens[index] is written without space before (`x:term`, `term:max`)."""
    # Recompute offsets: cheap because patterns are short.
    offsets = [m.start() for m in _SYN_TOKEN.finditer(text, start, end)]
    at = offsets[index]
    return at > 0 and not text[at - 1].isspace() and text[at - 1] not in ")\"?*+"


def _atom(token: str) -> str:
    value = token[1:-1].replace('\\"', '"').replace("\\\\", "\\").strip()
    value = re.sub(r"\s", "_", value)
    if value and "a" <= value[0] <= "z":
        value = value[0].upper() + value[1:]
    return value


def _pattern_name(tokens: list[str], kw: str) -> str:
    """Lean's `mkNameFromParserSyntax`: atoms as written (capitalised), `_` per category."""
    out = []
    i = 0
    n = len(tokens)
    depth = 0
    binders = kw in ("macro", "elab")
    while i < n:
        t = tokens[i]
        if t.startswith('"'):
            out.append(_atom(t))
        elif t == "unicode(" and i + 1 < n and tokens[i + 1].startswith('"'):
            out.append(_atom(tokens[i + 1]))  # `unicode(" ≥ ", " >= ")`: only the first counts
            while i < n and tokens[i] != ")":
                i += 1
        elif t in ("(", ")"):
            depth += 1 if t == "(" else -1
        elif t[0].isalpha() or t[0] == "_":
            if t.endswith("("):
                depth += 1  # a parser function: `sepBy(`, `ppIndent(` ...
            elif binders and depth == 0 and i + 1 < n and tokens[i + 1] == ":":
                # `x:` names a macro argument and adds nothing; what follows is the syntax
                # (`x:term:65`, `tk:" <;> "`, `s:(a <|> b)`)
                i += 2
                if (
                    i < n and (tokens[i][0].isalpha() or tokens[i][0] == "_")
                    and not tokens[i].endswith("(")
                ):
                    out.append("_")
                    while i + 2 < n and tokens[i + 1] == ":" and (
                        tokens[i + 2][0].isdigit() or tokens[i + 2] in _PREC_WORDS
                    ):
                        i += 2
                    i += 1
                    if tuple(tokens[i:i + 2]) in _MACRO_SEPARATORS:
                        out.append(",,")
                        i += 2
                        if tuple(tokens[i:i + 2]) == (",", "?"):
                            i += 2
                continue
            else:
                out.append("_")
                # `term:max`, `term:65` are one item
                while i + 2 < n and tokens[i + 1] == ":" and (
                    tokens[i + 2][0].isdigit() or tokens[i + 2] in _PREC_WORDS
                ):
                    i += 2
        i += 1
    return "".join(out)


# --------------------------------------------------------------------------------------------
# Names Lean generates: anonymous instances (Lean.Elab.DeclNameGen, from syntax)


_Resolver = Callable[[str], tuple[str, str]]


def _no_file_constants(ident: str) -> tuple[str, str]:
    return "", ""


def _no_dotted(field_name: str) -> str:
    return ""


@dataclass(frozen=True)
class _FileNames:
    """What the file itself says about the identifiers of an instance header.

    `resolve(ident)` says whether the file makes `ident` a constant ("const", full name), an
    auto-bound variable ("var", "") or neither ("", ""); `dotted(f)` is the file's constant that
    `(term).f` most likely means (the first declared one whose name ends in `.f`), or "";
    `notations` maps the file's prefix notations to the constants they stand for;
    `requires(ident)` is the set of classes of the instance binders of the file's constant
    `ident` (empty if it is none); `infixes` maps the file's infix notations
    (`infix:60 " ↝ " => Path`) to their constants.
    """

    resolve: _Resolver = _no_file_constants
    dotted: Callable[[str], str] = _no_dotted
    notations: dict[str, str] = field(default_factory=dict)
    requires: Callable[[str], frozenset[str]] = lambda _word: frozenset()
    infixes: dict[str, str] = field(default_factory=dict)


_NO_FILE_NAMES = _FileNames()


def _instance_base_name(
    header: str,
    namespace: list[str],
    variables: dict[str, str],
    names: _FileNames = _NO_FILE_NAMES,
) -> tuple[str, list[str]]:
    """`inst…` for an anonymous instance header (binders `:` type) and the constants it names.

    `variables` maps the section variables to the heads of their types; `names` is what the
    file says about identifiers (see `_FileNames`).
    """
    # `letI x := v; T` (or with a line break) names like `T`: Lean's winnowing unfolds `let`s.
    header = _LET_BINDING.sub(" ", header)
    tokens = _instance_tokens(header, names.infixes)
    binders, type_tokens = _split_binders(tokens)
    types = dict(variables)
    for bound_names, ty, _, _ in binders:
        head = ty[0] if ty and _NAME.fullmatch(ty[0]) else ""
        for bound_name in bound_names:
            types[bound_name] = head
    bound = set(types)
    parser = _TermParser(type_tokens, bound, namespace, types, names)
    body = parser.parse()
    hyps: list[Any] = []
    later_text = [" ".join(type_tokens)]
    later_words = _named_words(type_tokens)
    for bound_names, ty, _, instance in reversed(binders):
        used = any(
            re.search(rf"(?<![\w.]){re.escape(n)}(?![\w'!?])", " ".join(later_text))
            for n in bound_names
        )
        if not used and instance and ty and _NAME.fullmatch(ty[0]):
            # `[BEq α]` before `… (DHashMap α β)` where the file's `DHashMap` takes `[BEq α]`:
            # the type depends on the binder, so Lean's name leaves it out
            required = _split_name(ty[0])[-1]
            variables = {t for t in ty[1:] if _PLAIN_ID.match(t) and t not in _POSTFIX_CONST}
            provided = _provided(required)
            used = any(names.requires(word) & provided for word in later_words) or (
                variables <= later_words
                and any(
                    _takes_instance_of(_split_name(w)[-1], given)
                    for w in later_words for given in provided
                )
            )
        later_text.append(" ".join(ty))
        later_words |= _named_words(ty)
        if used or not ty:
            continue
        hyps.insert(0, _TermParser(ty, bound, namespace, types, names).parse())
    namer = _Namer(namespace)
    # peel arrows of the type itself as binders
    while isinstance(body, tuple) and body[0] == "forall":
        hyps.append(body[1])
        body = body[2]
    name = namer.core(body)
    ofs: list[str] = []
    for hyp in reversed(hyps):
        s = namer.core(hyp, omit_top_forall=True)
        if s:
            ofs.insert(0, "Of" + s)
    return "inst" + name + "".join(ofs), namer.consts


def _named_words(tokens: list[str]) -> set[str]:
    """The identifiers among `tokens`, infix operators as their constants (`→o`: `OrderHom`)."""
    return {_INFIX_CONST.get(t, t) for t in tokens if t in _INFIX_CONST or _NAME.fullmatch(t)}


_SEMIRINGS = frozenset(
    "Semiring CommSemiring Ring CommRing DivisionRing Field NormedField NontriviallyNormedField "
    "RCLike NormedRing NormedCommRing".split()
)
_ADD_COMM_MONOIDS = frozenset(
    "AddCommMonoid AddCommGroup SeminormedAddCommGroup NormedAddCommGroup".split()
)
_ADD_GROUPS = frozenset("AddGroup AddCommGroup SeminormedAddCommGroup NormedAddCommGroup".split())
_ORDERS = frozenset(
    "Preorder PartialOrder LinearOrder Lattice SemilatticeSup SemilatticeInf DistribLattice "
    "CompleteLattice CompleteLinearOrder ConditionallyCompleteLattice "
    "ConditionallyCompleteLinearOrder CompleteDistribLattice BooleanAlgebra".split()
)
_NON_UNITAL_SEMIRINGS = _SEMIRINGS | frozenset(
    "NonUnitalNonAssocSemiring NonUnitalSemiring NonAssocSemiring NonUnitalNonAssocRing "
    "NonUnitalRing NonAssocRing".split()
)
_SMULS = frozenset(
    "SMul MulAction DistribMulAction Module MulSemiringAction Algebra MulActionWithZero".split()
)
_MONOIDS = _SEMIRINGS | frozenset("Monoid CommMonoid Group CommGroup DivInvMonoid".split())
# What an instance of a class gives besides itself, for the classes an instance header most
# often lists before a class that takes one of those (`[LawfulMonad m] [MonadSatisfying m]`).
_PROVIDES = {
    "Monad": frozenset("Functor Applicative Bind Pure Seq SeqLeft SeqRight".split()),
    "Applicative": frozenset("Functor Pure Seq SeqLeft SeqRight".split()),
    "LawfulMonad": frozenset("LawfulFunctor LawfulApplicative".split()),
    "LawfulApplicative": frozenset({"LawfulFunctor"}),
    "MulAction": frozenset({"SMul"}),
    "DistribMulAction": frozenset({"SMul", "MulAction"}),
    "Module": frozenset({"SMul", "MulAction", "DistribMulAction"}),
    "MulSemiringAction": frozenset({"SMul", "MulAction", "DistribMulAction"}),
    "Algebra": frozenset({"SMul"}),
}


def _provided(cls: str) -> frozenset[str]:
    return _PROVIDES.get(cls, frozenset()) | {cls}


# Classes of Mathlib that take instances of others, which an instance header lists before them
# (`[Semiring K] [AddCommGroup X] [Module K X]`): Lean's name leaves those binders out.
_TAKES_INSTANCES = {
    "Module": _SEMIRINGS | _ADD_COMM_MONOIDS,
    "Algebra": _SEMIRINGS,
    "NormedSpace": _SEMIRINGS | _ADD_COMM_MONOIDS,
    "InnerProductSpace": _SEMIRINGS | _ADD_COMM_MONOIDS,
    "ContinuousAdd": frozenset({"TopologicalSpace", "Add"}),
    "ContinuousMul": frozenset({"TopologicalSpace", "Mul"}),
    "ContinuousSMul": frozenset({"TopologicalSpace", "SMul"}),
    "OrderTopology": frozenset({"TopologicalSpace", "Preorder", "PartialOrder", "LinearOrder"}),
    "MeasurableSingletonClass": frozenset({"MeasurableSpace"}),
    "OrderHom": _ORDERS,  # `α →o β`
    "IsScalarTower": _SMULS,
    "SMulCommClass": _SMULS,
    "IsCentralScalar": _SMULS,
    "MulAction": _MONOIDS,
    "DistribMulAction": _MONOIDS | _ADD_COMM_MONOIDS | _NON_UNITAL_SEMIRINGS,
    "MulSemiringAction": _MONOIDS | _NON_UNITAL_SEMIRINGS,
    "TopologicalAddGroup": _ADD_GROUPS | {"TopologicalSpace"},
    "IsTopologicalAddGroup": _ADD_GROUPS | {"TopologicalSpace"},
    "TopologicalSemiring": _NON_UNITAL_SEMIRINGS | {"TopologicalSpace"},
    "IsTopologicalSemiring": _NON_UNITAL_SEMIRINGS | {"TopologicalSpace"},
    "TopologicalRing": _NON_UNITAL_SEMIRINGS | {"TopologicalSpace"},
    "IsTopologicalRing": _NON_UNITAL_SEMIRINGS | {"TopologicalSpace"},
}


# How the names of mixins start (`IsLeftCancelMul`, `LawfulBEq`); `VAdd` or `SMul` are classes
# of their own, not refinements of `Add` or `Mul`.
_MIXIN_PREFIXES = ("Is", "Lawful", "Continuous", "Measurable", "Refl", "Equiv")


def _takes_instance_of(cls: str, required: str) -> bool:
    """Whether class `cls` most likely takes an instance of class `required` of the same type.

    From Lean's and Mathlib's conventions: a mixin is named after the class it refines
    (`LawfulBEq` takes `[BEq α]`, `IsLeftCancelMul` takes `[Mul G]`), a topological `…Space`
    takes `[TopologicalSpace X]`, and a few common classes are listed in `_TAKES_INSTANCES`.
    """
    if cls == required:
        return False
    if (
        cls.endswith(required)
        and required[:1].isupper()
        and cls.startswith(_MIXIN_PREFIXES)
    ):
        return True
    if required == "TopologicalSpace" and cls.endswith("Space"):
        return True
    return required in _TAKES_INSTANCES.get(cls, frozenset())


def _split_binders(
    tokens: list[str],
) -> tuple[list[tuple[list[str], list[str], bool, bool]], list[str]]:
    """The leading binders of `tokens` as (names, type tokens, explicit, instance), and the rest
    after the `:` that ends them."""
    binders: list[tuple[list[str], list[str], bool, bool]] = []
    i = 0
    n = len(tokens)
    pairs = {"(": ")", "{": "}", "[": "]", "⦃": "⦄"}
    while i < n and tokens[i] in pairs:
        close = pairs[tokens[i]]
        depth = 0
        j = i
        while j < n:
            if tokens[j] in "([{⟨⦃":
                depth += 1
            elif tokens[j] in ")]}⟩⦄":
                depth -= 1
                if depth == 0:
                    break
            j += 1
        inner = tokens[i + 1:j]
        if tokens[i] == "[":
            if len(inner) >= 2 and inner[1] == ":":
                binders.append(([inner[0]], inner[2:], False, True))
            else:
                binders.append(([], inner, False, True))
        else:
            if ":" in inner:
                k = inner.index(":")
                binders.append(
                    (inner[:k], inner[k + 1:], tokens[i] == "(" and close == ")", False)
                )
            else:
                binders.append((inner, [], False, False))
        i = j + 1
    if i < n and tokens[i] == ":":
        i += 1
    return binders, tokens[i:]


class _TermParser:
    """A small parser of instance types into winnowed trees (Lean's `winnowExpr`, from syntax)."""

    def __init__(
        self,
        tokens: list[str],
        bound: set[str],
        namespace: list[str],
        types: dict[str, str] | None = None,
        names: _FileNames = _NO_FILE_NAMES,
    ) -> None:
        self.tokens = tokens
        self.i = 0
        self.bound = set(bound)
        self.namespace = namespace
        self.types = types or {}
        self.names = names
        self.resolve = names.resolve
        self.depth = 0

    def sub(self, tokens: list[str]) -> _TermParser:
        return _TermParser(tokens, self.bound, self.namespace, self.types, self.names)

    def peek(self) -> str:
        return self.tokens[self.i] if self.i < len(self.tokens) else ""

    def parse(self) -> Any:
        try:
            return self.arrow()
        except RecursionError:
            return ("var",)

    def arrow(self) -> Any:
        self.depth += 1
        if self.depth > 60:
            return ("var",)
        t = self.peek()
        if t in ("∀", "Π"):
            self.i += 1
            names = []
            while self.peek() and self.peek() not in (",", ":"):
                tok = self.peek()
                if _PLAIN_ID.match(tok):
                    names.append(tok)
                self.i += 1
            if self.peek() == ":":
                self.i += 1
                self.binop()  # the bound variables' type: dependent, so not named
            if self.peek() == ",":
                self.i += 1
            self.bound.update(names)
            body = self.arrow()
            return ("forall", ("var",), body)
        lhs = self.binop()
        if self.peek() in ("→", "->"):
            self.i += 1
            rhs = self.arrow()
            return ("forall", lhs, rhs)
        return lhs

    def binop(self) -> Any:
        first = self.peek()
        lhs = self.app()
        while self.peek() in _INFIX_CONST or self.peek() in self.names.infixes:
            op = self.tokens[self.i]
            self.i += 1
            rhs = self.app()
            operands: tuple[Any, ...] = (lhs, rhs)
            if op in self.names.infixes:
                # the file's own `infix " ↝ " => Path`: `α ↝ β` is `Path α β`
                kind, full = self.resolve(self.names.infixes[op])
                head = ("const", full) if kind == "const" else self.const(self.names.infixes[op])
                lhs = ("app", head, operands)
                first = ""
                continue
            if op in _RELATIONS and lhs == ("var",) and self.types.get(first):
                # `a < b` is `@LT.lt T _ a b`: Lean names the implicit type `T` of `a : T`
                operands = (self.identifier(self.types[first]), *operands)
            lhs = ("app", self.const(_INFIX_CONST[op]), operands)
            first = ""
        return lhs

    def app(self) -> Any:
        parenthesised = self.peek() == "("
        head = self.atom()
        args: list[Any] = []
        if head in _DECIDABLE_PREDICATES and self.peek() == "(":
            # `DecidableRel (LT.lt (α := T))`, `DecidablePred (p : T → Prop)`: Lean names the
            # implicit type `T` of the predicate first
            domain = self._predicate_domain()
            if domain is not None:
                args.append(domain)
        # `(ρ.conj e).IsUnramifiedAt v` is `T.IsUnramifiedAt (ρ.conj e) v`: Lean names the field
        # first, then the term it is applied to
        if parenthesised:
            head, args = self.fields(head, args)
        while self.peek() and self._starts_atom(self.peek()):
            if self.peek() == "(":
                # `f (t).g`: the argument is the field `T.g` applied to `t`, named field first
                field_head, field_args = self.fields(self.atom(), [])
                args.append(("app", field_head, tuple(field_args)) if field_args else field_head)
            else:
                args.append(self.atom())
        if not args:
            return head
        return ("app", head, tuple(args))

    def _predicate_domain(self) -> Any:
        """The type a parenthesised predicate at the cursor is stated on, if it says so."""
        depth = 0
        close = self.i
        for close in range(self.i, len(self.tokens)):
            if self.tokens[close] in "([{⟨⦃":
                depth += 1
            elif self.tokens[close] in ")]}⟩⦄":
                depth -= 1
                if depth == 0:
                    break
        inner = self.tokens[self.i + 1:close]
        colon = _top_level_colon(inner)
        if colon >= 0:
            ascribed = inner[colon + 1:]
            arrow = next((k for k, t in enumerate(ascribed) if t in ("→", "->")), -1)
            return self.sub(ascribed[:arrow]).parse() if arrow > 0 else None
        for k in range(len(inner) - 3):
            if inner[k] == "(" and inner[k + 1] in ("α", "β") and inner[k + 2] == ":=":
                end = inner.index(")", k) if ")" in inner[k:] else len(inner)
                return self.sub(inner[k + 3:end]).parse()
        return None

    def fields(self, head: Any, args: list[Any]) -> tuple[Any, list[Any]]:
        """`(t).f.g` after a parenthesised `head`: each field applied to what precedes it."""
        while (
            self.peek() == "." and self.i + 1 < len(self.tokens)
            and _NAME.fullmatch(self.tokens[self.i + 1])
        ):
            for part in _split_name(self.tokens[self.i + 1]):
                target = ("app", head, tuple(args)) if args else head
                head, args = self.dotted(part), [target]
            self.i += 2
        return head, args

    def dotted(self, field_name: str) -> Any:
        full = self.names.dotted(field_name)
        return ("const", full) if full else self.const(field_name)

    def _starts_atom(self, t: str) -> bool:
        return (
            t in ("(", "⟨", "{", "_")
            or t in _NOTATION_CONST
            or t in self.names.notations
            or t[0].isdigit()
            or (t[0].isalpha() or t[0] in "_«") and t not in ("with", "then", "else")
        )

    def atom(self) -> Any:
        """One argument, with the postfix type notations after it (`αᵒᵈ`, `(M × N)ˣ`)."""
        term = self._atom()
        while self.peek() in _POSTFIX_CONST:
            term = ("app", self.const(_POSTFIX_CONST[self.tokens[self.i]]), (term,))
            self.i += 1
        return term

    def _atom(self) -> Any:
        t = self.peek()
        self.i += 1
        if t == "(":
            inner_start = self.i
            depth = 1
            while self.i < len(self.tokens) and depth:
                if self.tokens[self.i] in "([{⟨⦃":
                    depth += 1
                elif self.tokens[self.i] in ")]}⟩⦄":
                    depth -= 1
                self.i += 1
            inner = self.tokens[inner_start:self.i - 1]
            colon = _top_level_colon(inner)
            if colon >= 0 and self.peek() in ("→", "->"):
                self.bound.update(x for x in inner[:colon] if _PLAIN_ID.match(x))
                self.i += 1
                body = self.arrow()
                return ("forall", ("var",), body)
            if colon >= 0 and self.peek() == "×":
                # `(a : α) × β a` is `Sigma fun a => β a` (`×'`: `PSigma`); Lean names the
                # implicit type `α` and the body of the function
                self.i += 1
                sigma = "Sigma"
                if self.peek() == "'":
                    sigma = "PSigma"
                    self.i += 1
                domain = self.sub(inner[colon + 1:]).parse()
                self.bound.update(x for x in inner[:colon] if _PLAIN_ID.match(x))
                return ("app", self.const(sigma), (domain, self.binop()))
            if len(inner) > 2 and inner[1] == ":=":
                inner = inner[2:]  # a named argument `(α := T)` names like `T`
            elif colon >= 0:
                inner = inner[:colon]
            return self.sub(inner).parse()
        if t in ("⟨", "{"):
            close = "⟩" if t == "⟨" else "}"
            depth = 1
            while self.i < len(self.tokens) and depth:
                if self.tokens[self.i] == t:
                    depth += 1
                elif self.tokens[self.i] == close:
                    depth -= 1
                self.i += 1
            return ("var",)
        if t in ("fun", "λ"):
            # Lean names a lambda by its body (the binder types appear elsewhere).
            names = []
            while self.i < len(self.tokens) and self.tokens[self.i] not in ("=>", "↦", "|"):
                if _PLAIN_ID.match(self.tokens[self.i]):
                    names.append(self.tokens[self.i])
                self.i += 1
            if self.peek() not in ("=>", "↦"):
                self.i = len(self.tokens)
                return ("var",)
            self.i += 1
            self.bound.update(names)
            return self.arrow()
        if t in ("Type", "Sort"):
            star = self.peek() == "*"
            if star or (self.peek() and (self.peek()[0].isalpha() or self.peek() == "_")
                        and self.peek() not in _NOTATION_CONST):
                self.i += 1
            return ("sort", t)
        if t == "Prop":
            return ("sort", "Prop")
        if t in self.names.notations:
            # the file's own prefix notation (`Γ K` for `Field.absoluteGaloisGroup K`)
            head = self.names.notations[t]
            if head in _NOTATION_CONST:
                return self.const(_NOTATION_CONST[head])
            kind, full = self.resolve(head)
            return ("const", full) if kind == "const" else self.const(head)
        if t in _NOTATION_CONST:
            return self.const(_NOTATION_CONST[t])
        if t == "nat_lit":
            self.i += 1  # a raw literal: nothing Lean names
            return ("var",)
        if t and t[0].isdigit():
            return self.const("OfNat.ofNat")
        if t and (t[0].isalpha() or t[0] in "_«"):
            return self.identifier(t)
        return ("var",)

    def identifier(self, t: str) -> Any:
        if t == "_" or t in self.bound:
            return ("var",)
        head, dot, field_name = t.partition(".")
        if dot and head in self.bound:
            # `x.f` with `x : T …` is the projection `T.f`, a constant of the module of `T`.
            owner = self.types.get(head, "")
            if not owner:
                return self.const(t)
            kind, full = self.resolve(owner)
            owner = full if kind == "const" else _normal_name(owner)
            return ("const", f"{owner}.{_normal_name(field_name)}", owner)
        kind, full = self.resolve(t)
        if kind == "const":
            return ("const", full)
        if kind == "var" or _looks_like_variable(t):
            return ("var",)
        return self.const(t)

    def const(self, name: str) -> Any:
        return ("const", _normal_name(name))


_DECIDABLE_PREDICATES = (("const", "DecidableRel"), ("const", "DecidablePred"))
# Mathlib's postfix type notations. They are letters to Lean's tokenizer as to ours (`αᵒᵈ` reads
# as one identifier), so `_instance_tokens` splits them off.
_POSTFIX_CONST = {
    "ᵐᵒᵖ": "MulOpposite", "ᵃᵒᵖ": "AddOpposite", "ᵒᵈ": "OrderDual", "ᵒᵖ": "Opposite",
    "ˣ": "Units",
}
_POSTFIX_SPLIT = re.compile("(" + "|".join(sorted(_POSTFIX_CONST, key=len, reverse=True)) + r")\Z")


def _instance_tokens(header: str, atoms: dict[str, str] | None = None) -> list[str]:
    """The tokens of an instance header, postfix type notations split from what they follow and
    the file's own infix atoms (`×ₗ`, which reads as `×` and `ₗ`) kept whole."""
    tokens: list[str] = []
    matches = list(_INST_TOKEN.finditer(header))
    glued: list[str] = []
    k = 0
    while k < len(matches):
        token = matches[k].group()
        for atom in atoms or ():
            if header.startswith(atom, matches[k].start()) and len(atom) > len(token):
                stop = matches[k].start() + len(atom)
                while k + 1 < len(matches) and matches[k + 1].start() < stop:
                    k += 1
                token = atom
                break
        glued.append(token)
        k += 1
    for token in glued:
        if atoms and token in atoms:
            tokens.append(token)
            continue
        postfixes: list[str] = []
        while True:
            split = _POSTFIX_SPLIT.search(token)
            if split is None:
                break
            postfixes.insert(0, split.group())
            token = token[: split.start()]
            if not token:
                break
        if token:
            tokens.append(token)
        tokens.extend(postfixes)
    return tokens


def _top_level_colon(tokens: list[str]) -> int:
    """Position of the first `:` outside brackets in `tokens`, or -1."""
    depth = 0
    for k, t in enumerate(tokens):
        if t in "([{⟨⦃":
            depth += 1
        elif t in ")]}⟩⦄":
            depth -= 1
        elif t == ":" and depth == 0:
            return k
    return -1


# Lower-case names the file does not declare are taken for (auto-bound) variables, except these
# constants of Lean's core.
_SHORT_CONSTANTS = frozenset(
    {"id", "or", "ne", "true", "false", "none", "some", "default", "inferInstance"}
)
_LET_BINDING = re.compile(r"(?<![\w'!?.])(?:let|letI|have|haveI)(?![\w'!?])[^;\n]*(?:;|\n|\Z)")
# `letI x := v` (up to `;` or the end of its line) in a header: its `:=` does not end it.
_OPEN_LET = re.compile(r"(?<![\w'!?.])(?:let|letI|have|haveI)(?![\w'!?])[^;\n]*\Z")


def _looks_like_variable(name: str) -> bool:
    if "." in name or name in _SHORT_CONSTANTS:
        return False
    core = name.rstrip("'").rstrip("₀₁₂₃₄₅₆₇₈₉ᵢⱼₖ'")
    return len(core) <= 1 or (len(core) == 2 and not core[0].isupper()) or core[:1].islower()


class _Namer:
    """Lean's `mkBaseNameCore`: render a winnowed tree, first occurrence of each subtree only."""

    def __init__(self, namespace: list[str]) -> None:
        self.namespace = namespace
        self.prefixes = _prefixes(namespace)
        self.seen: set[Any] = set()
        self.consts: list[str] = []

    def core(self, e: Any, omit_top_forall: bool = False) -> str:
        key = self._key(e)
        if key in self.seen:
            return ""
        s = self._render(e, omit_top_forall)
        self.seen.add(key)
        return s

    def _key(self, e: Any) -> Any:
        if e[0] == "const":
            resolved = self._namespace_const(e[1])
            return ("const", resolved or e[1])
        return e

    def _namespace_const(self, name: str) -> str:
        for prefix in self.prefixes:
            if prefix == name or prefix.endswith("." + name):
                return prefix
        return ""

    def _render(self, e: Any, omit_top_forall: bool) -> str:
        tag = e[0]
        if tag == "const":
            namespace_const = self._namespace_const(e[1])
            if namespace_const:
                # omitted from the name, but a constant Lean sees (it decides the suffix)
                self.consts.append(namespace_const)
                return ""
            self.consts.append(e[1])
            if len(e) > 2:
                self.consts.append(e[2])  # the structure a projection belongs to
            last: str = e[1].rsplit(".", 1)[-1]
            if last.startswith("«") and last.endswith("»"):
                last = last[1:-1]
            return _capitalized(last)
        if tag == "app":
            return self.core(e[1]) + "".join(self.core(a) for a in e[2])
        if tag == "forall":
            sty = self.core(e[1])
            if omit_top_forall and not sty:
                return self.core(e[2], True)
            return "Forall" + sty + self.core(e[2])
        if tag == "sort":
            return {"Prop": "Prop", "Type": "Type"}.get(e[1], "Sort")
        return ""


# Folders that hold a project's modules without being part of their names (Lake's `srcDir`s,
# Lean's own `src/lake`). Other lower-case roots are module roots (`equational_theories`).
_SOURCE_FOLDERS = frozenset({"src", "lean", "lib", "source", "lake", "verso"})


def _module_name(path: str) -> list[str]:
    """The module a file at `path` (relative to the scanned tree) most likely is."""
    parts = path[:-5].split("/") if path.endswith(".lean") else path.split("/")
    while len(parts) > 1 and (parts[0] in _SOURCE_FOLDERS or not parts[0]):
        parts = parts[1:]
    return [p for p in parts if p]


def _base_instance_names(scan: _FileScan) -> None:
    """Name the file's anonymous instances from their headers (before any module suffix).

    An identifier that the file declares before the instance is that constant; one that the
    file declares only after it cannot be, so it is an auto-bound variable (`relaxedAutoImplicit`).
    """
    if not scan.pending:
        return
    first_index: dict[str, int] = {}
    by_last: dict[str, int] = {}  # last name component -> first declaration with it
    for index, decl in enumerate(scan.declarations):
        first_index.setdefault(decl.name, index)
        by_last.setdefault(decl.name.rsplit(".", 1)[-1], index)
    for name, index in scan.unreported:
        first_index.setdefault(name, index - 1)  # declared with the declaration before `index`
    for pending in scan.pending:
        position = pending.index

        def resolve(ident: str, namespace: list[str] = pending.namespace,
                    position: int = position) -> tuple[str, str]:
            later = False
            parts = _split_name(ident)
            # the namespaces around the instance, then those opened (or exported) before it
            prefixes = [namespace[:k] for k in range(len(namespace), -1, -1)]
            for opened_at, until, opened_in, target, only in scan.opens:
                if opened_at <= position < until and (only is None or parts[0] in only):
                    prefixes += [
                        [*opened_in[:k], *_split_name(target)]
                        for k in range(len(opened_in), -1, -1)
                    ]
            for prefix in prefixes:
                candidate = ".".join([*prefix, *parts])
                found = first_index.get(candidate)
                if found is not None:
                    if found < position:
                        return "const", candidate
                    later = True
            return ("var", "") if later else ("", "")

        def requires(word: str, resolve: _Resolver = resolve) -> frozenset[str]:
            kind, full = resolve(word)
            return scan.requires.get(full, frozenset()) if kind == "const" else frozenset()

        def dotted(field_name: str, position: int = position) -> str:
            found = by_last.get(field_name)
            if found is None or found >= position or "." not in scan.declarations[found].name:
                return ""
            return scan.declarations[found].name

        base, consts = _instance_base_name(
            pending.header, pending.namespace, pending.variables,
            _FileNames(resolve, dotted, pending.notations, requires, pending.infixes),
        )
        pending.base = base
        pending.consts = consts
        name = ".".join([*pending.namespace, base])
        _rename_with_helpers(scan.declarations, pending.index, name)


def _rename_with_helpers(declarations: list[Declaration], index: int, name: str) -> bool:
    """Rename declarations[index] and the `where`/`let rec` helpers listed right after it."""
    old = declarations[index].name
    if old == name:
        return False
    declarations[index] = _renamed(declarations[index], name)
    prefix = old + "."
    for i in range(index + 1, len(declarations)):
        helper = declarations[i]
        if not helper.name.startswith(prefix):
            break
        declarations[i] = _renamed(helper, name + helper.name[len(old):])
    return True


def _name_instances(
    scans: list[tuple[str, _FileScan]], only: set[str] | None = None
) -> set[str]:
    """Give anonymous instances their final names (suffixes depend on other files).

    Lean (`mkBaseNameWithSuffix`) adds no suffix when the name mentions a constant of the
    module itself or of the same project (the module's root: `Mathlib`, `Batteries`), and
    `_project` otherwise; `mkUnusedBaseName` then appends `_1`, `_2`, ... to a name already
    taken. A constant no scanned file declares counts as the project's when the file declares
    names inside it under the project's root namespace (`_extends_project_constant`).
    Only the files in `only` (all if None) are named; the paths whose names changed are
    returned. Names already final are left as they are, so naming twice changes nothing.
    """
    named = [(path, scan) for path, scan in scans if scan.pending and (only is None or path in only)]
    wanted = {
        name
        for _, scan in named
        for pending in scan.pending
        for name in pending.consts + pending.namespace_prefixes
    }
    renamed: set[str] = set()
    if not wanted:
        return renamed
    lasts = {name.rsplit(".", 1)[-1] for name in wanted}
    # suffix as written -> paths of the files declaring a name with that suffix, and their roots
    declared: dict[str, set[str]] = {}
    for path, scan in scans:
        names = [d.name for d in scan.declarations]
        if scan.pending:
            generated = _generated_indices(scan)
            names = [n for i, n in enumerate(names) if i not in generated]
        names += [name for name, _ in scan.unreported]
        for name in [n for n in names if n[n.rfind(".") + 1:] in lasts]:
            parts = name.split(".")
            for k in range(len(parts)):
                suffix = ".".join(parts[k:])
                if suffix in wanted:
                    declared.setdefault(suffix, set()).add(path)
    roots: dict[str, set[str]] = {}
    for suffix, paths in declared.items():
        roots[suffix] = {_project_of(where) for where in paths}
    for path, scan in named:
        module = _module_name(path)
        project = module[0] if module else ""
        pending_indices = {pending.index for pending in scan.pending}
        used = {d.name for i, d in enumerate(scan.declarations) if i not in pending_indices}
        used.update(name for name, _ in scan.unreported)  # fields, `deriving` instances
        for pending in scan.pending:
            decl = scan.declarations[pending.index]
            namespace = decl.name.rsplit(".", 1)[0] if "." in decl.name else ""
            base = pending.base
            if project != "Init":
                names = pending.consts + pending.namespace_prefixes
                local = any(path in declared.get(name, ()) for name in names) or any(
                    project in roots.get(name, ()) for name in names
                )
                if (
                    not local
                    and project in _BASE_LIBRARIES
                    and namespace.split(".", 1)[0] not in _CORE_ROOTS
                ):
                    # a library on Lean core alone: what no scanned file declares and core
                    # does not either is most likely its own (`Set`, `Real` in Mathlib); inside
                    # a namespace of Lean's own (`namespace Lean.Meta`) names are Lean's
                    local = any(
                        name not in declared and not _core_constant(name)
                        for name in pending.consts
                    )
                if not local and not _extends_project_constant(scan, project, pending.consts):
                    base += "_" + _decapitalize(project)
            name = f"{namespace}.{base}" if namespace else base
            if name in used:
                k = 1
                while f"{name}_{k}" in used:
                    k += 1
                name = f"{name}_{k}"
            used.add(name)
            if _rename_with_helpers(scan.declarations, pending.index, name):
                renamed.add(path)
    return renamed


# Projects that depend on Lean core (and one another) only. In a file of one of them, a constant
# of an anonymous instance's name that no scanned file declares and that is not Lean core's is
# taken to be the project's own; in other projects it is taken to come from a dependency.
_BASE_LIBRARIES = frozenset(
    {"Mathlib", "Batteries", "Aesop", "Qq", "ProofWidgets", "Plausible", "ImportGraph"}
)
# Namespaces that belong to Lean's own toolchain (core, Std, Lake).
_CORE_ROOTS = frozenset({"Lean", "Std", "Lake", "IO", "System", "Init", "EStateM"})
# Lean core's types and classes (Init), as they appear in instance names.
_CORE_CONSTANTS = frozenset(
    (
        "Nat Int String Char Bool Prop Unit PUnit Fin UInt8 UInt16 UInt32 UInt64 USize Float "
        "Float32 Int8 Int16 Int32 Int64 ISize List Array Option Prod PProd MProd Sum PSum Sigma "
        "PSigma Subtype Exists Eq HEq Ne Iff And Or Not True False Empty PEmpty Id Except ExceptT "
        "StateT ReaderT StateRefT OptionT Task Thunk ByteArray FloatArray Substring Vector BitVec "
        "Quot Quotient Setoid Squash Nonempty Inhabited Subsingleton Decidable DecidableEq "
        "DecidablePred DecidableRel Ordering ULift PLift Acc WellFounded WellFoundedRelation "
        "SizeOf Function Function.comp Repr ReprAtom ToString Hashable BEq LawfulBEq Ord LT LE GE "
        "GT Max Min Add Sub Mul Div Mod Neg Pow SMul Dvd HAdd HSub HMul HDiv HMod HPow HSMul "
        "HAppend Append AndOp OrOp Xor HOr HAnd HXor Complement ShiftLeft ShiftRight HShiftLeft "
        "HShiftRight OfNat OfScientific NatCast IntCast NatPow HomogeneousPow Zero NeZero "
        "Functor Applicative Monad Bind Pure Seq SeqLeft SeqRight Alternative OrElse AndThen "
        "MonadLift MonadLiftT MonadExcept MonadExceptOf MonadState MonadStateOf MonadReader "
        "MonadReaderOf MonadWithReader MonadWithReaderOf MonadFinally MonadControl MonadControlT "
        "MonadFunctor MonadFunctorT LawfulFunctor LawfulApplicative LawfulMonad ForIn ForIn' ForM "
        "ForInStep Stream ToStream Membership Singleton Insert LawfulSingleton EmptyCollection "
        "GetElem GetElem? LawfulGetElem Coe CoeTail CoeHead CoeOut CoeSort CoeFun CoeDep CoeT "
        "CoeHTCT CoeOTC CoeHTC CoeTC HasEquiv HasSubset HasSSubset Union Inter SDiff Trans "
        "Antisymm LE.le LT.lt GE.ge GT.gt HAdd.hAdd HSub.hSub HMul.hMul HDiv.hDiv HMod.hMod "
        "HPow.hPow HSMul.hSMul HAppend.hAppend Dvd.dvd Membership.mem HasSubset.Subset "
        "HasEquiv.Equiv Inter.inter Union.union SDiff.sdiff Max.max Min.min OfNat.ofNat"
    ).split()
)


def _core_constant(name: str) -> bool:
    return name in _CORE_CONSTANTS or name.split(".", 1)[0] in _CORE_ROOTS


def _extends_project_constant(scan: _FileScan, project: str, consts: list[str]) -> bool:
    """Whether the file declares `<project>.….c.x` for a constant `c`: then `c` is most likely
    a constant of the same project declared in a file that was not scanned (Lean core's
    `Lean.Meta.DiscrTree.Key`, extended by `def Key.format` in another module)."""
    starts = project + "."
    needles = ["." + c + "." for c in consts if c]
    return any(
        d.name.startswith(starts) and any(n in "." + d.name for n in needles)
        for d in scan.declarations
    )


def _generated_indices(scan: _FileScan) -> set[int]:
    """Positions of the file's anonymous instances and of their `where` helpers."""
    generated: set[int] = set()
    declarations = scan.declarations
    for pending in scan.pending:
        generated.add(pending.index)
        prefix = declarations[pending.index].name + "."
        i = pending.index + 1
        while i < len(declarations) and declarations[i].name.startswith(prefix):
            generated.add(i)
            i += 1
    return generated


def _project_of(path: str) -> str:
    module = _module_name(path)
    return module[0] if module else ""


def _renamed(decl: Declaration, name: str, *, inferred: bool | None = None) -> Declaration:
    """`replace(decl, name=name)` without the frozen `__init__` (see `_cached_declaration`)."""
    copy = _new_object(Declaration)
    values = copy.__dict__
    values.update(decl.__dict__)
    values["name"] = name
    if inferred is not None:
        values["inferred_name"] = inferred
    return copy


def _decapitalize(s: str) -> str:
    return s[:1].lower() + s[1:]
