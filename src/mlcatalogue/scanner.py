"""The source-scan stage: Lean 4 text in, `ScanResult` (declarations, module docs, problems) out.

No Lean toolchain is needed: the files are read as text. One pass of compiled regular expressions
masks comments, strings, character literals and syntax quotations (so nothing inside them can look
like code), a second finds the command keywords, and only the few characters around each command
(its docstring, attributes, modifiers and header) are looked at in Python. That keeps the scan near
C speed on large trees such as Mathlib. Per-file results can be cached by the sha256 of the bytes.

Naming conventions where Lean generates a name (documented in the README):
- anonymous `instance`: Lean's own scheme (`Lean.Elab.Command.NameGen`) approximated from the
  syntax: `inst` + the head constants of the class application + `Of…` for the instance arguments,
  with the `_project`/`_module_path` suffix Lean adds when no constant of the file is mentioned;
- `example`: `<namespace>._example`;
- `syntax`/`macro`/`elab`/`notation`/`infix…` without `(name := x)`: Lean's generated kind name
  (`term_+_`, `tacticFoo_`), printed with `«»` where the name is not an identifier;
- `macro_rules`, `elab_rules` and `initialize` without a name: "" (Lean's are unprintable).
"""

from __future__ import annotations

import bisect
import hashlib
import itertools
import json
import operator
import os
import re
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from mlcatalogue.model import Declaration, ModuleDoc, Problem, ScanResult

SCANNER_VERSION = "1"

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
    "register_builtin_option alias simproc dsimproc builtin_simproc builtin_dsimproc".split()
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
_INST_TOKEN = re.compile(
    r"«[^»\n]*»(?:\.[^\W\d][\w'!?]*)*|[^\W\d][\w'!?]*(?:\.[^\W\d][\w'!?]*)*|\d+(?:\.\d+)?"
    r"|ℝ≥0∞|ℝ≥0|ℕ∞|→\+\*|≃\+\*|→\+|→\*|≃\+|≃\*|→o|≃o|↪o|→₀|:=|=>|->|→|[()\[\]{}⟨⟩⦃⦄,:]|\S"
)


@dataclass
class _Pending:
    """What the final naming of an anonymous instance needs from outside its file."""

    index: int
    base: str
    consts: list[str]
    namespace_prefixes: list[str]


@dataclass
class _FileScan:
    """One file's result before anonymous instances get their final names."""

    declarations: list[Declaration]
    module_docs: list[ModuleDoc]
    problems: list[Problem]
    pending: list[_Pending] = field(default_factory=list)


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
) -> ScanResult:
    """Scan every `*.lean` under `root` (sorted); paths in the result are relative to `base`.

    A problem in one file (bad bytes, unterminated comment, `end` mismatch, ...) is reported as a
    `Problem` and the scan goes on. With `cache_dir`, per-file results are reused when the file's
    sha256 is unchanged, so a rescan after editing one file re-parses only that file.
    `on_file(count, path)` is called after each file (for progress reports).
    """
    root = Path(root).resolve()
    if base is not None:
        base = Path(base).resolve()
    else:
        base = root.parent if root.is_file() else root
    scans: list[tuple[str, _FileScan]] = []
    for count, file in enumerate(iter_lean_files(root), 1):
        rel = _relative(file, base)
        scans.append((rel, _scan_file(file, rel, cache_dir)))
        if on_file is not None:
            on_file(count, rel)
    _name_instances(scans)
    declarations = tuple(d for _, s in scans for d in s.declarations)
    module_docs = tuple(m for _, s in scans for m in s.module_docs)
    problems = tuple(p for _, s in scans for p in s.problems)
    return ScanResult(declarations, module_docs, problems)


def iter_lean_files(root: Path) -> Iterator[Path]:
    """Every `*.lean` file under `root` in a deterministic (sorted) order."""
    root = Path(root)
    if root.is_file():
        yield root
        return
    for directory, subdirs, files in os.walk(root):
        subdirs.sort()
        for name in sorted(files):
            if name.endswith(".lean"):
                yield Path(directory) / name


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
    }


# --------------------------------------------------------------------------------------------
# Files and the cache


def _relative(file: Path, base: Path) -> str:
    rel = os.path.relpath(file, base)
    return rel.replace(os.sep, "/") if os.sep != "/" else rel


def _scan_file(file: Path, rel: str, cache_dir: Path | None) -> _FileScan:
    try:
        raw = file.read_bytes()
    except OSError as error:
        return _FileScan([], [], [Problem(rel, 0, "unreadable", f"cannot read file: {error}")])
    digest = hashlib.sha256(raw).hexdigest() if cache_dir is not None else ""
    if cache_dir is not None:
        cached = _load_cached(Path(cache_dir), digest, rel)
        if cached is not None:
            return cached
    text, problems = _decode(raw, rel)
    try:
        scan = _scan_text(text, rel)
    except (ValueError, IndexError, KeyError, TypeError, AttributeError, RecursionError) as error:
        # A scanner bug must not stop the scan of a whole tree: report it against the file.
        scan = _FileScan([], [], [Problem(rel, 1, "internal-error", f"scanner failed: {error!r}")])
    scan.problems[:0] = problems
    if cache_dir is not None:
        _store_cached(Path(cache_dir), digest, scan)
    return scan


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


def _cache_file(cache_dir: Path, digest: str) -> Path:
    return cache_dir / f"v{SCANNER_VERSION}" / digest[:2] / f"{digest}.json"


def _load_cached(cache_dir: Path, digest: str, rel: str) -> _FileScan | None:
    target = _cache_file(cache_dir, digest)
    try:
        data = json.loads(target.read_text(encoding="utf-8"))
        imports = tuple(data["imports"])
        return _FileScan(
            [
                Declaration(
                    r[0], r[1], rel, r[2], r[3], r[4], r[5], r[6],
                    tuple(r[7]), tuple(r[8]), r[9], tuple(r[10]), imports,
                )
                for r in data["declarations"]
            ],
            [ModuleDoc(rel, m[0], m[1], tuple(m[2]), tuple(m[3])) for m in data["module_docs"]],
            [Problem(rel, p[0], p[1], p[2]) for p in data["problems"]],
            [_Pending(*p) for p in data["pending"]],
        )
    except (OSError, ValueError, KeyError, TypeError, IndexError):
        return None


def _store_cached(cache_dir: Path, digest: str, scan: _FileScan) -> None:
    imports = list(scan.declarations[0].imports) if scan.declarations else []
    payload = {
        "imports": imports,
        "declarations": [
            [d.name, d.kind, d.line, d.start_line, d.end_line, d.signature, d.docstring,
             d.modifiers, d.attributes, d.has_sorry, d.mentions]
            for d in scan.declarations
        ],
        "module_docs": [
            [m.line, m.text, m.main_definitions, m.main_results] for m in scan.module_docs
        ],
        "problems": [[p.line, p.code, p.message] for p in scan.problems],
        "pending": [[p.index, p.base, p.consts, p.namespace_prefixes] for p in scan.pending],
    }
    target = _cache_file(cache_dir, digest)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".tmp-", suffix=".json")
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(payload, handle, ensure_ascii=False, separators=(",", ":"))
        os.replace(tmp, target)
    except OSError:
        # A cache that cannot be written only costs speed next time.
        return


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
    variables: set[str] = field(default_factory=set)


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
            if after is not None and after.group() in _COMMAND_WORDS:
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
    for i, command in enumerate(commands):
        end = commands[i + 1].start if i + 1 < len(commands) else len(masked)
        kw = command.keyword
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
            scopes[-1].variables.update(_binder_names(masked[command.kw_end:end]))
        elif kw in _ALL_DECL_KINDS:
            namespace = [s.header for s in scopes if s.kind == "namespace"]
            variables = set().union(*(s.variables for s in scopes))
            _declare(doc, command, end, namespace, variables, imports, scan, generated)


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
    if word in _KEYWORDS:
        return ""
    return word


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


def _binder_names(text: str) -> set[str]:
    names: set[str] = set()
    for group in re.finditer(r"[({⦃\[]([^(){}⦃⦄\[\]:]*?)(?::|[)}⦄\]])", text):
        for word in group.group(1).split():
            if _PLAIN_ID.match(word):
                names.add(word)
    return names


def _declare(
    doc: _Text,
    command: _Command,
    end: int,
    namespace: list[str],
    variables: set[str],
    imports: tuple[str, ...],
    scan: _FileScan,
    generated: dict[str, int],
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
            header = masked[sig_start:stop]
            base, consts = _instance_base_name(header, namespace, variables)
            name = ".".join([*namespace, base])
            pending = _Pending(len(scan.declarations), base, consts, _prefixes(namespace))
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
    scan.declarations.append(decl)
    if where_helpers and name:
        _declare_helpers(doc, decl, command, stop, end, imports, scan)


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
    attributes = tuple(a for s, e in command.attributes for a in _split_attributes(doc.text[s:e]))
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


def _split_attributes(content: str) -> list[str]:
    result = []
    depth = 0
    current: list[str] = []
    in_string = False
    for c in content:
        if in_string:
            current.append(c)
            if c == '"':
                in_string = False
            continue
        if c == '"':
            in_string = True
        elif c in _OPEN:
            depth += 1
        elif c in ")]}⟩⦄⟧":
            depth -= 1
        elif c == "," and depth == 0:
            result.append("".join(current))
            current = []
            continue
        current.append(c)
    result.append("".join(current))
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
        if raw:
            found.append((s, pos, raw))
    for s, pos, raw in sorted(found):
        helper_end = min([f[0] for f in found if f[0] > s] + [body_end])
        column = doc.column(s)
        for line in _HELPER_LINE.finditer(masked, s, helper_end):
            if len(line.group(1).expandtabs()) <= column:
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
            attributes = tuple(_split_attributes(doc.text[s + 2:close]))
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
        if raw:
            raws.append(raw)
    for raw in raws or [""]:
        name = _qualify(namespace, raw) if raw else ""
        scan.declarations.append(
            _make_declaration(doc, command, end, name, "alias", signature, pos, imports)
        )


# --------------------------------------------------------------------------------------------
# Names Lean generates: syntax kinds


_SYN_TOKEN = re.compile(
    r"\"(?:[^\"\\]|\\.)*\"|[^\W\d][\w'!?]*(?:\.[^\W\d][\w'!?]*)*|\d+|=>|:=|\S", re.DOTALL
)
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
    out = []
    i = 0
    n = len(tokens)
    while i < n:
        t = tokens[i]
        if t.startswith('"'):
            out.append(_atom(t))
        elif t == "unicode" and i + 2 < n and tokens[i + 1] == "(" and tokens[i + 2].startswith('"'):
            out.append(_atom(tokens[i + 2]))  # `unicode(" ≥ ", " >= ")`: only the first counts
            while i < n and tokens[i] != ")":
                i += 1
        elif t[0].isalpha() or t[0] == "_":
            if i + 1 < n and tokens[i + 1] == "(":
                i += 1  # a parser function: `sepBy(`, `ppIndent(` ...
            else:
                out.append("_")
                # `x:term`, `term:max`, `x:term:65` are one item
                while i + 2 < n and tokens[i + 1] == ":" and (
                    tokens[i + 2][0].isdigit() or tokens[i + 2] in _PREC_WORDS
                    or (kw in ("macro", "elab") and tokens[i + 2][0].isalpha())
                ):
                    i += 2
        i += 1
    return "".join(out)


# --------------------------------------------------------------------------------------------
# Names Lean generates: anonymous instances (Lean.Elab.DeclNameGen, from syntax)


def _instance_base_name(header: str, namespace: list[str], variables: set[str]) -> tuple[str, list[str]]:
    """`inst…` for an anonymous instance header (binders `:` type) and the constants it names."""
    tokens = [m.group() for m in _INST_TOKEN.finditer(header)]
    binders, type_tokens = _split_binders(tokens)
    bound = set(variables)
    for names, _, _ in binders:
        bound.update(names)
    parser = _TermParser(type_tokens, bound, namespace)
    body = parser.parse()
    hyps: list[Any] = []
    later_text = [" ".join(type_tokens)]
    for names, ty, explicit in reversed(binders):
        used = any(re.search(rf"(?<![\w.]){re.escape(n)}(?![\w'!?])", " ".join(later_text)) for n in names)
        later_text.append(" ".join(ty))
        if used or not ty:
            continue
        hyps.insert(0, _TermParser(ty, bound, namespace).parse())
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


def _split_binders(tokens: list[str]) -> tuple[list[tuple[list[str], list[str], bool]], list[str]]:
    binders: list[tuple[list[str], list[str], bool]] = []
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
                binders.append(([inner[0]], inner[2:], False))
            else:
                binders.append(([], inner, False))
        else:
            if ":" in inner:
                k = inner.index(":")
                binders.append((inner[:k], inner[k + 1:], tokens[i] == "(" and close == ")"))
            else:
                binders.append((inner, [], False))
        i = j + 1
    if i < n and tokens[i] == ":":
        i += 1
    return binders, tokens[i:]


class _TermParser:
    """A small parser of instance types into winnowed trees (Lean's `winnowExpr`, from syntax)."""

    def __init__(self, tokens: list[str], bound: set[str], namespace: list[str]) -> None:
        self.tokens = tokens
        self.i = 0
        self.bound = set(bound)
        self.namespace = namespace
        self.depth = 0

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
        lhs = self.app()
        while self.peek() in _INFIX_CONST:
            op = self.tokens[self.i]
            self.i += 1
            rhs = self.app()
            lhs = ("app", self.const(_INFIX_CONST[op]), (lhs, rhs))
        return lhs

    def app(self) -> Any:
        head = self.atom()
        args = []
        while self.peek() and self._starts_atom(self.peek()):
            args.append(self.atom())
        if not args:
            return head
        return ("app", head, tuple(args))

    def _starts_atom(self, t: str) -> bool:
        return (
            t in ("(", "⟨", "{", "_")
            or t in _NOTATION_CONST
            or t[0].isdigit()
            or (t[0].isalpha() or t[0] in "_«") and t not in ("fun", "λ", "with", "then", "else")
        )

    def atom(self) -> Any:
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
            if ":" in inner and self.peek() in ("→", "->"):
                k = inner.index(":")
                self.bound.update(x for x in inner[:k] if _PLAIN_ID.match(x))
                self.i += 1
                body = self.arrow()
                return ("forall", ("var",), body)
            if ":" in inner:
                inner = inner[: inner.index(":")]
            return _TermParser(inner, self.bound, self.namespace).parse()
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
            self.i = len(self.tokens)
            return ("var",)
        if t in ("Type", "Sort"):
            star = self.peek() == "*"
            if star or (self.peek() and (self.peek()[0].isalpha() or self.peek() == "_")
                        and self.peek() not in _NOTATION_CONST):
                self.i += 1
            return ("sort", t)
        if t == "Prop":
            return ("sort", "Prop")
        if t in _NOTATION_CONST:
            return self.const(_NOTATION_CONST[t])
        if t and t[0].isdigit():
            return self.const("OfNat.ofNat")
        if t and (t[0].isalpha() or t[0] in "_«"):
            if t == "_" or t in self.bound or _looks_like_variable(t):
                return ("var",)
            return self.const(t)
        return ("var",)

    def const(self, name: str) -> Any:
        return ("const", _normal_name(name))


def _looks_like_variable(name: str) -> bool:
    if "." in name:
        return False
    core = name.rstrip("'").rstrip("₀₁₂₃₄₅₆₇₈₉ᵢⱼₖ'")
    return len(core) <= 1 or (len(core) == 2 and not core[0].isupper())


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
            if self._namespace_const(e[1]):
                return ""
            self.consts.append(e[1])
            last: str = e[1].rsplit(".", 1)[-1]
            if last.startswith("«") and last.endswith("»"):
                last = last[1:-1]
            return last[:1].upper() + last[1:] if last[:1].isascii() else last
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


def _module_name(path: str) -> list[str]:
    parts = path[:-5].split("/") if path.endswith(".lean") else path.split("/")
    while len(parts) > 1 and not parts[0][:1].isupper():
        parts = parts[1:]
    return [p for p in parts if p]


def _name_instances(scans: list[tuple[str, _FileScan]]) -> None:
    """Give anonymous instances their final names (suffixes depend on other files)."""
    wanted = {
        name
        for _, scan in scans
        for pending in scan.pending
        for name in pending.consts + pending.namespace_prefixes
    }
    if not wanted:
        return
    lasts = {name.rsplit(".", 1)[-1] for name in wanted}
    # suffix as written -> {path of a file declaring a name with that suffix}
    declared: dict[str, set[str]] = {}
    for path, scan in scans:
        for decl in scan.declarations:
            last = decl.name.rsplit(".", 1)[-1]
            if last not in lasts:
                continue
            parts = decl.name.split(".")
            for k in range(len(parts)):
                suffix = ".".join(parts[k:])
                if suffix in wanted:
                    declared.setdefault(suffix, set()).add(path)
    roots: dict[str, str] = {}
    for path, scan in scans:
        if not scan.pending:
            continue
        module = _module_name(path)
        project = module[0] if module else ""
        used: set[str] = {d.name for d in scan.declarations}
        for pending in scan.pending:
            decl = scan.declarations[pending.index]
            namespace = decl.name.rsplit(".", 1)[0] if "." in decl.name else ""
            base = pending.base
            if project != "Init":
                local = False
                in_project = False
                for name in pending.consts + pending.namespace_prefixes:
                    paths = declared.get(name, ())
                    if path in paths:
                        local = True
                        break
                    for where in paths:
                        if where not in roots:
                            found = _module_name(where)
                            roots[where] = found[0] if found else ""
                        in_project = in_project or roots[where] == project
                if local:
                    suffix = ""
                elif in_project:
                    suffix = "_" + _decapitalize(project)
                else:
                    suffix = "".join("_" + _decapitalize(p) for p in module)
                base += suffix
            name = f"{namespace}.{base}" if namespace else base
            if name != decl.name and name in used:
                k = 1
                while f"{name}_{k}" in used:
                    k += 1
                name = f"{name}_{k}"
            used.add(name)
            scan.declarations[pending.index] = replace(decl, name=name)


def _decapitalize(s: str) -> str:
    return s[:1].lower() + s[1:]
