"""The query stage: an SQLite full-text index of the joined catalogue, and searches over it.

In: a `Catalogue`. Out: an SQLite database (stdlib `sqlite3`, FTS5 with the `porter unicode61`
tokenizer) holding one row per entry and one per Lean declaration, and ranked `Match`es for a
query. The same schema serves two uses: `build_index` writes it to disk atomically (temporary file
in the same directory, then `os.replace`) for the CLI, and `search_catalogue` builds it in memory,
once per `Catalogue` object, for `Catalogue.search`.

Ranking is FTS5's bm25 with column weights: title 10, Lean names (and the entry id) 6, informal
statement 3, assumptions 2, tags (and the area key) 2, docstrings 1. Lean names are indexed with
their camel-case parts split off (the tokenizer already splits on `.` and `_`), so `variance`
finds `mse_eq_bias_sq_add_variance` and `descent` finds `GradientDescent`. User text is never
passed to FTS5's query language: every whitespace-separated chunk is double-quoted (inner quotes
doubled), so `AND`, `NEAR`, `*`, parentheses and quotes are plain words. All chunks must match
(implicit AND); if that finds nothing, any chunk other than a stop word (`STOP_WORDS`) may match
(OR), and each `Match` says which happened (`all_terms`). An empty query lists the entries that
pass the filters, by area and id.

Filters are words too: each entry carries hidden, unrankable tokens for its area, kind, status,
assumptions and Lean namespaces, so FTS5 intersects them with the query by merging posting lists.

The on-disk index records a schema version (`PRAGMA user_version`) and a fingerprint of the source
files it was built from; `open_index` refuses a missing or stale index with a message saying how
to rebuild it. Nothing happens at import.
"""

from __future__ import annotations

import difflib
import hashlib
import os
import re
import sqlite3
import tempfile
import threading
import weakref
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from mlcatalogue.model import Catalogue, CatalogueEntry, Kind, Status

#: Bump whenever the tables below change: an index of another version is refused, not misread.
SCHEMA_VERSION = 1
#: `PRAGMA application_id` of an mlcatalogue index ("MLCI"), so a foreign SQLite file is refused.
APPLICATION_ID = 0x4D4C4349
#: Where `mlcatalogue index` and `mlcatalogue build` write the index, relative to the root.
INDEX_PATH = Path("build") / "index.sqlite"

#: bm25 weights of the searched columns of `entry_fts`, in column order.
COLUMN_WEIGHTS: Mapping[str, float] = {
    "title": 10.0,
    "names": 6.0,
    "statement": 3.0,
    "docstrings": 1.0,
    "tags": 2.0,
    "assumptions": 2.0,
}
#: A query keeps at most this many distinct chunks, each cut to this many characters: FTS5 cost
#: grows with the expression, and no real query is longer.
MAX_TERMS = 32
MAX_TERM_CHARS = 100
#: Kind filter value meaning "any result": theorem, lemma or corollary.
RESULT_KIND = "result"
RESULT_KINDS = (Kind.THEOREM.value, Kind.LEMMA.value, Kind.COROLLARY.value)
#: Words left out of the any-word fallback (never out of the every-word search): English
#: function words and FTS5's operators, which would match nearly every entry.
_STOP_WORDS_TEXT = """a an and are as at be by for from has have if in is it its let of on or not
near such that the then there this to we where which with"""
STOP_WORDS = frozenset(_STOP_WORDS_TEXT.split())
#: Markers around the matched words of a snippet (Markdown bold).
SNIPPET_MARK = "**"
#: Ranking costs about a microsecond per matching entry and query word (bm25 reads the positions
#: of every match); above this many candidates per word the ranking narrows (see `_ranked`).
RANK_ALL = 2000

# What FTS5 puts around matched words: control characters, which no statement contains.
_OPEN, _CLOSE = "\x02", "\x03"
_TEXT_COLUMNS = tuple(COLUMN_WEIGHTS)
# The last column, `facets`, holds the filter tokens and weighs nothing.
_BM25 = "bm25(entry_fts, " + ", ".join(str(w) for w in COLUMN_WEIGHTS.values()) + ", 0.0)"
_ALL_TEXT = "{" + " ".join(_TEXT_COLUMNS) + "}"
# Narrower candidate sets for queries that match too many entries to rank them all.
_TIERS = ("{title names}", "title")

_SCHEMA = f"""
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE entries (
    rowid INTEGER PRIMARY KEY,
    id TEXT NOT NULL,
    kind TEXT NOT NULL,
    area TEXT NOT NULL,
    status TEXT NOT NULL
);
CREATE INDEX entries_id ON entries (id);
CREATE INDEX entries_area ON entries (area, id);
CREATE TABLE entry_text (
    rowid INTEGER PRIMARY KEY REFERENCES entries (rowid),
    {", ".join(f"{column} TEXT NOT NULL" for column in _TEXT_COLUMNS)},
    facets TEXT NOT NULL
);
CREATE TABLE entry_decls (
    entry INTEGER NOT NULL REFERENCES entries (rowid),
    position INTEGER NOT NULL,
    name TEXT NOT NULL,
    PRIMARY KEY (entry, position)
) WITHOUT ROWID;
CREATE INDEX entry_decls_name ON entry_decls (name, entry);
CREATE TABLE declarations (
    rowid INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    kind TEXT NOT NULL,
    path TEXT NOT NULL,
    line INTEGER NOT NULL,
    words TEXT NOT NULL,
    docstring TEXT NOT NULL,
    signature TEXT NOT NULL
);
CREATE INDEX declarations_name ON declarations (name);
CREATE TABLE vocabulary (facet TEXT NOT NULL, key TEXT NOT NULL, PRIMARY KEY (facet, key))
    WITHOUT ROWID;
CREATE VIRTUAL TABLE entry_fts USING fts5 (
    {", ".join(_TEXT_COLUMNS)}, facets,
    content = 'entry_text', content_rowid = 'rowid', tokenize = 'porter unicode61'
);
CREATE VIRTUAL TABLE declaration_fts USING fts5 (
    words, docstring, signature,
    content = 'declarations', content_rowid = 'rowid', tokenize = 'porter unicode61'
);
"""


class IndexFileError(Exception):
    """The on-disk index cannot be used; the message says how to rebuild it."""


class MissingIndexError(IndexFileError):
    """There is no index file where one was expected."""


class StaleIndexError(IndexFileError):
    """The index was written with another schema version than this mlcatalogue reads."""


class UnknownFilterError(ValueError):
    """A filter names an area, kind, status or assumption the index does not know."""


@dataclass(frozen=True)
class Match:
    """One ranked entry as read from an index: enough to print a result without the catalogue.

    `score` is bm25 negated (higher is better; 0.0 when the query is empty). `all_terms` is
    False when no entry matched every chunk of the query and the search fell back to any chunk.
    `snippet` is a short extract of the informal statement (else of the docstrings) with the
    matched words between `**`; empty when neither contains a matched word.
    """

    id: str
    title: str
    kind: str
    area: str
    status: str
    score: float
    matched_declarations: tuple[str, ...] = ()
    snippet: str = ""
    all_terms: bool = True


@dataclass(frozen=True)
class Hit:
    """One ranked catalogue entry returned by `Catalogue.search`.

    `matched_declarations` are the entry's Lean names whose name, docstring or signature contains
    a word of the query; the other fields are those of `Match`.
    """

    entry: CatalogueEntry
    score: float
    matched_declarations: tuple[str, ...] = ()
    snippet: str = ""
    all_terms: bool = True

    @property
    def id(self) -> str:
        return self.entry.id

    @property
    def title(self) -> str:
        return self.entry.title


@dataclass(frozen=True)
class IndexInfo:
    """What an index says about itself (its `meta` table)."""

    path: Path | None
    schema_version: int
    fingerprint: str
    built_at: str
    root: str
    entries: int
    declarations: int


# --- building -------------------------------------------------------------------------------


def default_index_path(root: str | Path = ".") -> Path:
    """The index location under a repository root: `<root>/build/index.sqlite`."""
    return Path(root) / INDEX_PATH


def build_index(catalogue: Catalogue, path: str | Path | None = None) -> Path:
    """Write the index of `catalogue` to `path` (default `<root>/build/index.sqlite`); return it.

    The database is written to a temporary file next to `path` and renamed over it only when
    complete, so a reader never sees half an index and a failed build leaves the old one intact.
    """
    target = Path(path) if path is not None else default_index_path(catalogue.root)
    target.parent.mkdir(parents=True, exist_ok=True)
    descriptor, temporary = tempfile.mkstemp(
        dir=target.parent, prefix=f".{target.name}.", suffix=".tmp"
    )
    os.close(descriptor)
    try:
        connection = sqlite3.connect(temporary)
        try:
            # The temporary file is thrown away on any failure, so the journal buys nothing.
            connection.execute("PRAGMA journal_mode = OFF")
            connection.execute("PRAGMA synchronous = OFF")
            write_index(connection, catalogue, fingerprint=fingerprint_sources(catalogue.root))
            connection.execute("VACUUM")
        finally:
            connection.close()
        with open(temporary, "rb+") as handle:
            os.fsync(handle.fileno())
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return target


def write_index(
    connection: sqlite3.Connection, catalogue: Catalogue, *, fingerprint: str = ""
) -> None:
    """Create the index tables in an empty database and fill them from `catalogue`."""
    with connection:
        connection.executescript(_SCHEMA)
        entry_rows: list[tuple[Any, ...]] = []
        text_rows: list[tuple[Any, ...]] = []
        decl_rows: list[tuple[int, int, str]] = []
        areas = {key: term.title for key, term in catalogue.files.areas.items()}
        assumption_titles = {key: term.title for key, term in catalogue.files.assumptions.items()}
        by_name = catalogue.declarations_by_name
        for rowid, item in enumerate(catalogue.entries, start=1):
            entry = item.entry
            found = [by_name[name] for name in entry.decls if name in by_name]
            entry_rows.append(
                (rowid, entry.id, _value(entry.kind), entry.area, _value(item.status))
            )
            text_rows.append(
                (
                    rowid,
                    entry.title,
                    " ".join([entry.id, *(lean_name_words(name) for name in entry.decls)]),
                    entry.statement,
                    "\n".join(decl.docstring for decl in found if decl.docstring),
                    " ".join([*entry.tags, entry.area, *ascii_spellings(entry.title,
                                                                      entry.statement)]),
                    " ".join(
                        f"{key} {assumption_titles.get(key, '')}" for key in entry.assumptions
                    ),
                    _facets(item),
                )
            )
            decl_rows.extend((rowid, position, name) for position, name in enumerate(entry.decls))
        connection.executemany("INSERT INTO entries VALUES (?, ?, ?, ?, ?)", entry_rows)
        connection.executemany("INSERT INTO entry_text VALUES (?, ?, ?, ?, ?, ?, ?, ?)", text_rows)
        connection.executemany("INSERT INTO entry_decls VALUES (?, ?, ?)", decl_rows)
        connection.executemany(
            "INSERT INTO declarations (name, kind, path, line, words, docstring, signature) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            (
                (
                    decl.name,
                    decl.kind,
                    decl.path,
                    decl.line,
                    lean_name_words(decl.name),
                    decl.docstring or "",
                    decl.signature,
                )
                for decl in catalogue.declarations
            ),
        )
        vocabulary = {
            ("area", key) for key in [*areas, *(item.entry.area for item in catalogue.entries)]
        }
        vocabulary |= {
            ("assumption", key)
            for key in [
                *assumption_titles,
                *(key for item in catalogue.entries for key in item.entry.assumptions),
            ]
        }
        connection.executemany("INSERT INTO vocabulary VALUES (?, ?)", sorted(vocabulary))
        for table in ("entry_fts", "declaration_fts"):
            connection.execute(f"INSERT INTO {table} ({table}) VALUES ('rebuild')")
            connection.execute(f"INSERT INTO {table} ({table}) VALUES ('optimize')")
        meta = {
            "schema_version": str(SCHEMA_VERSION),
            "fingerprint": fingerprint,
            "built_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "root": str(catalogue.root),
            "entries": str(len(entry_rows)),
            "declarations": str(len(catalogue.declarations)),
        }
        connection.executemany("INSERT INTO meta VALUES (?, ?)", sorted(meta.items()))
        connection.execute(f"PRAGMA application_id = {APPLICATION_ID}")
        connection.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")


def fingerprint_sources(root: str | Path) -> str:
    """A SHA-256 of the files an index is built from.

    They are `lean/**/*.lean`, everything under `catalogue/` and the verification record under
    `verification/` (statuses depend on it). Reading bytes, not parsing, keeps this cheap enough
    to compare on every CLI search.
    """
    root = Path(root)
    files = [
        *root.glob("lean/**/*.lean"),
        *root.glob("catalogue/**/*"),
        *root.glob("verification/**/*"),
    ]
    digest = hashlib.sha256()
    for file in sorted(path for path in files if path.is_file()):
        data = file.read_bytes()
        digest.update(file.relative_to(root).as_posix().encode("utf-8"))
        digest.update(b"\0%d\0" % len(data))
        digest.update(data)
    return digest.hexdigest()


_CAMEL = re.compile(r"[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z]+|[A-Z]+|[0-9]+")


def lean_name_words(name: str) -> str:
    """The text indexed for a Lean name: the name itself plus the parts of camel-case components.

    The tokenizer splits on `.` and `_` already; `GradientDescent` also yields `Gradient Descent`.
    """
    name = name.replace("«", "").replace("»", "")
    extra = []
    for component in re.split(r"[._\s]+", name):
        parts = _CAMEL.findall(component)
        if len(parts) > 1:
            extra.extend(parts)
    return " ".join([name, *extra])


# Letters that FTS5's unicode61 tokenizer does not fold (no canonical decomposition).
_UNFOLDED = str.maketrans({"Ł": "L", "ł": "l", "Ø": "O", "ø": "o", "Đ": "D", "đ": "d",
                           "ß": "ss", "Æ": "AE", "æ": "ae", "Œ": "OE", "œ": "oe"})


def ascii_spellings(*texts: str) -> list[str]:
    """ASCII spellings of words with letters the tokenizer cannot fold, so that a reader who
    types `Lojasiewicz` finds `Łojasiewicz`."""
    words: dict[str, None] = {}
    for text in texts:
        for word in re.findall(r"\w+", text):
            folded = word.translate(_UNFOLDED)
            if folded != word:
                words.setdefault(folded, None)
    return list(words)


def _facet_token(facet: str, value: str) -> str:
    """A single FTS5 token standing for `facet = value`.

    Letters then a decimal hash: the tokenizer keeps it whole and the porter stemmer, which only
    strips letter suffixes, leaves it alone; no English word looks like it.
    """
    data = f"{facet}\0{value}".encode("utf-8", "replace")
    return f"zzf{int.from_bytes(hashlib.blake2b(data, digest_size=8).digest(), 'big')}"


_EVERY_ENTRY = _facet_token("entry", "")


def _namespaces(name: str) -> list[str]:
    """The namespace prefixes of a Lean name, each with its final dot: `A.`, `A.B.` of `A.B.c`."""
    parts = name.split(".")[:-1]
    return [".".join(parts[: count + 1]) + "." for count in range(len(parts))]


def _facets(item: CatalogueEntry) -> str:
    entry = item.entry
    tokens = [
        _EVERY_ENTRY,
        _facet_token("area", entry.area),
        _facet_token("kind", _value(entry.kind)),
        _facet_token("status", _value(item.status)),
        *(_facet_token("assumption", key) for key in entry.assumptions),
        *(
            _facet_token("namespace", prefix)
            for name in entry.decls
            for prefix in _namespaces(name)
        ),
    ]
    return " ".join(dict.fromkeys(tokens))


def _value(item: Any) -> str:
    return str(item.value) if isinstance(item, Kind | Status) else str(item)


# --- opening --------------------------------------------------------------------------------


def open_index(path: str | Path) -> sqlite3.Connection:
    """Open an on-disk index read-only, refusing a missing, foreign or stale one.

    Raises `MissingIndexError` or `StaleIndexError` (both `IndexFileError`s) with a message that
    says how to rebuild.
    """
    path = Path(path)
    if not path.is_file():
        raise MissingIndexError(
            f"no index at {path}; run `mlcatalogue build` or `mlcatalogue index`"
        )
    connection = sqlite3.connect(path.resolve().as_uri() + "?mode=ro", uri=True)
    try:
        application_id = connection.execute("PRAGMA application_id").fetchone()[0]
        version = connection.execute("PRAGMA user_version").fetchone()[0]
    except sqlite3.DatabaseError as error:
        connection.close()
        raise IndexFileError(
            f"{path} is not a readable mlcatalogue index ({error}); "
            "rebuild it with `mlcatalogue index` or `mlcatalogue build`"
        ) from error
    if application_id != APPLICATION_ID:
        connection.close()
        raise IndexFileError(
            f"{path} is not an mlcatalogue index; "
            "rebuild it with `mlcatalogue index` or `mlcatalogue build`"
        )
    if version != SCHEMA_VERSION:
        connection.close()
        raise StaleIndexError(
            f"{path} has index schema version {version} but this mlcatalogue reads version "
            f"{SCHEMA_VERSION}; rebuild it with `mlcatalogue index` or `mlcatalogue build`"
        )
    return connection


def read_index_info(connection: sqlite3.Connection, path: Path | None = None) -> IndexInfo:
    """The schema version, source fingerprint, build time and counts recorded in an index."""
    meta = dict(connection.execute("SELECT key, value FROM meta").fetchall())
    return IndexInfo(
        path=path,
        schema_version=int(meta.get("schema_version", 0)),
        fingerprint=meta.get("fingerprint", ""),
        built_at=meta.get("built_at", ""),
        root=meta.get("root", ""),
        entries=int(meta.get("entries", 0)),
        declarations=int(meta.get("declarations", 0)),
    )


# --- querying -------------------------------------------------------------------------------


def query_terms(query: str) -> tuple[str, ...]:
    """The chunks of user text that are searched: whitespace-separated, with a letter or digit.

    Lone surrogates and control characters (NUL included) are dropped first, duplicates removed,
    and the result bounded by `MAX_TERMS` and `MAX_TERM_CHARS`.
    """
    text = _clean(query)
    text = "".join(ch if ch.isprintable() else " " for ch in text)
    terms: dict[str, None] = {}
    for chunk in text.split():
        if any(ch.isalnum() for ch in chunk):
            terms.setdefault(chunk[:MAX_TERM_CHARS], None)
    return tuple(terms)[:MAX_TERMS]


def match_expression(terms: Sequence[str], *, any_term: bool = False) -> str:
    """An FTS5 MATCH expression in which every term is a quoted phrase, joined by AND or OR."""
    phrases = ['"' + term.replace('"', '""') + '"' for term in terms]
    return (" OR " if any_term else " AND ").join(phrases)


def search(
    connection: sqlite3.Connection,
    query: str,
    *,
    area: str | Iterable[str] | None = None,
    kind: str | Kind | Iterable[str | Kind] | None = None,
    status: str | Status | Iterable[str | Status] | None = None,
    assumes: str | Iterable[str] = (),
    excludes: str | Iterable[str] = (),
    lean_prefix: str | None = None,
    limit: int | None = 20,
) -> list[Match]:
    """Entries of the index ranked by bm25 for `query`, best first, at most `limit` of them.

    Filters combine with AND: `area`, `kind` and `status` accept one value or several (any of
    them); `kind="result"` means theorem, lemma or corollary; `status` may be written with
    hyphens (`proof-complete`); every assumption in `assumes` must be listed by the entry and none
    in `excludes`; `lean_prefix` keeps entries with a Lean name starting with it (fastest when it
    is a namespace ending in `.`). Unknown areas, kinds, statuses or assumptions raise
    `UnknownFilterError`; no query text raises anything.

    A query matching more than `RANK_ALL` entries (divided by its number of words) is ranked
    among those matching it in their title or Lean names (see `_ranked`); `limit=None` always
    ranks every match.
    """
    if limit is not None and limit <= 0:
        return []
    filters = _filter_expression(connection, area, kind, status, assumes, excludes, lean_prefix)
    restrict = _prefix_restriction(connection, lean_prefix)
    terms = query_terms(query)
    sql_limit = -1 if limit is None else limit
    if not terms:
        if filters or restrict:
            selected = f"SELECT rowid FROM entry_fts WHERE entry_fts MATCH ? {restrict}"
            parameters: list[Any] = [filters or f'"{_EVERY_ENTRY}"']
        else:
            selected, parameters = "SELECT rowid FROM entries", []
        rows = connection.execute(
            f"SELECT rowid, 0.0 FROM entries WHERE rowid IN ({selected}) ORDER BY area, id LIMIT ?",
            [*parameters, sql_limit],
        ).fetchall()
        return _matches(connection, rows, None, all_terms=True)
    rows = _ranked(connection, match_expression(terms), len(terms), filters, restrict, limit)
    if rows:
        return _matches(connection, rows, terms, all_terms=True)
    # Nothing has every word: fall back to any word, except words that say nothing on their own.
    informative = [term for term in terms if _word(term) not in STOP_WORDS]
    if len(terms) == 1 or not informative:
        return []
    expression = match_expression(informative, any_term=True)
    rows = _ranked(connection, expression, len(informative), filters, restrict, limit)
    return _matches(connection, rows, informative, all_terms=False)


def _word(term: str) -> str:
    return "".join(ch for ch in term.lower() if ch.isalnum())


def _ranked(
    connection: sqlite3.Connection,
    expression: str,
    words: int,
    filters: str,
    restrict: str,
    limit: int | None,
) -> list[tuple[int, float]]:
    """(rowid, bm25) of the best entries matching `expression` and passing the filters.

    To bound the work of a query that matches a large part of a big catalogue (a common word),
    candidates narrow in tiers while more than a budget match (`RANK_ALL` divided by the number
    of words, as bm25's cost grows with both): first the entries matching in title or Lean
    names, then in the title alone. A tier with fewer than `limit` candidates is ranked whole,
    together with the previous one; a tier still too large is cut to its first budget of entries
    in catalogue order. Scores are always the full bm25 of the entry, so the ranking is exact
    whenever no narrowing happens, which is the case for every query of up to 10 words on a
    catalogue of at most 200 entries.
    """

    def candidates(columns: str) -> str:
        searched = f"{columns} : ({expression})"
        return f"({searched}) AND ({filters})" if filters else searched

    def beyond(candidates: str, number: int) -> int | None:
        """The rowid of the match after the first `number`, or None if there are no more."""
        row = connection.execute(
            f"SELECT rowid FROM entry_fts WHERE entry_fts MATCH ? {restrict} LIMIT 1 OFFSET ?",
            [candidates, number],
        ).fetchone()
        return None if row is None else int(row[0])

    def rank(candidates: str, cutoff: int | None) -> list[tuple[int, float]]:
        # FTS5 iterates matches in rowid order and stops at a rowid bound, so a cut is cheap.
        bound = "" if cutoff is None else f"AND entry_fts.rowid < {cutoff}"
        rows = connection.execute(
            f"SELECT rowid, {_BM25} AS rank FROM entry_fts "
            f"WHERE entry_fts MATCH ? {restrict} {bound} ORDER BY rank, rowid LIMIT ?",
            [candidates, -1 if limit is None else limit],
        ).fetchall()
        return [(int(rowid), float(score)) for rowid, score in rows]

    chosen = candidates(_ALL_TEXT)
    if limit is None:
        return rank(chosen, None)
    budget = max(limit, RANK_ALL // max(1, words))
    cutoff = beyond(chosen, budget)
    few = None
    if cutoff is not None:
        for columns in _TIERS:
            narrower = candidates(columns)
            if beyond(narrower, limit - 1) is None:
                few = narrower
                break
            chosen, cutoff = narrower, beyond(narrower, budget)
            if cutoff is None:
                break
    rows = rank(chosen, cutoff)
    if few is not None:
        rows = sorted(dict([*rows, *rank(few, None)]).items(), key=lambda row: (row[1], row[0]))
    return rows[:limit]


def _matches(
    connection: sqlite3.Connection,
    ranked: Sequence[tuple[int, float]],
    terms: Sequence[str] | None,
    *,
    all_terms: bool,
) -> list[Match]:
    """`Match`es for ranked rowids: display fields, snippet and matched declarations."""
    if not ranked:
        return []
    rowids = [rowid for rowid, _ in ranked]
    marks = ", ".join("?" * len(rowids))
    fields = {
        row[0]: row[1:]
        for row in connection.execute(
            "SELECT e.rowid, e.id, t.title, e.kind, e.area, e.status FROM entries e "
            f"JOIN entry_text t ON t.rowid = e.rowid WHERE e.rowid IN ({marks})",
            rowids,
        )
    }
    declarations: dict[int, list[tuple[int, str]]] = {rowid: [] for rowid in rowids}
    if terms:
        for entry, rowid, name in connection.execute(
            "SELECT ed.entry, d.rowid, d.name FROM entry_decls ed "
            f"JOIN declarations d ON d.name = ed.name WHERE ed.entry IN ({marks}) "
            "ORDER BY ed.entry, ed.position",
            rowids,
        ):
            declarations[entry].append((rowid, name))
    any_expression = match_expression(terms, any_term=True) if terms else ""
    matches = []
    for rowid, rank in ranked:
        entry_id, title, kind, area, status = fields[rowid]
        snippet, matched = "", tuple[str, ...]()
        if terms:
            snippet = _snippet_of(connection, rowid, any_expression)
            matched = _matched_declarations(connection, declarations[rowid], any_expression)
        matches.append(
            Match(
                id=entry_id,
                title=title,
                kind=kind,
                area=area,
                status=status,
                score=-rank if rank else 0.0,
                matched_declarations=matched,
                snippet=snippet,
                all_terms=all_terms,
            )
        )
    return matches


def search_index(path: str | Path, query: str, **filters: Any) -> tuple[list[Match], IndexInfo]:
    """Open the index at `path`, `search` it, close it; return the matches and the index's info.

    Raises what `open_index` and `search` raise, and `IndexFileError` for a damaged file.
    """
    connection = open_index(path)
    try:
        return search(connection, query, **filters), read_index_info(connection, Path(path))
    except sqlite3.DatabaseError as error:
        raise IndexFileError(
            f"{path} is damaged or was written by another version ({error}); "
            "rebuild it with `mlcatalogue index` or `mlcatalogue build`"
        ) from error
    finally:
        connection.close()


def _snippet_of(connection: sqlite3.Connection, rowid: int, expression: str) -> str:
    # snippet() returns text even from a column without a match: keep the first with one.
    row = connection.execute(
        f"SELECT {_snippet('statement')}, {_snippet('docstrings')} FROM entry_fts "
        "WHERE entry_fts MATCH ? AND rowid = ?",
        (f"{_ALL_TEXT} : ({expression})", rowid),
    ).fetchone()
    for snippet in row or ():
        if snippet and _OPEN in snippet:
            # Markdown bold already in the text would be confused with the match markers.
            text = " ".join(snippet.replace(SNIPPET_MARK, "").split())
            return text.replace(_OPEN, SNIPPET_MARK).replace(_CLOSE, SNIPPET_MARK)
    return ""


def _snippet(column: str) -> str:
    number = _TEXT_COLUMNS.index(column)
    return f"snippet(entry_fts, {number}, '{_OPEN}', '{_CLOSE}', '…', 12)"


#: An entry's declarations closer than this in scan order are checked by one rowid range.
_DECLARATION_SPAN = 32


def _matched_declarations(
    connection: sqlite3.Connection, declarations: Sequence[tuple[int, str]], expression: str
) -> tuple[str, ...]:
    # FTS5 seeks on `rowid =` and rowid ranges but not on `rowid IN` (enumerating every match
    # of a common word over 100k declarations costs milliseconds). An entry's declarations
    # usually sit in one file, so one range query covers them; otherwise one query each.
    if not declarations:
        return ()
    rowids = [rowid for rowid, _ in declarations]
    low, high = min(rowids), max(rowids)
    if high - low < _DECLARATION_SPAN:
        found = {
            row[0]
            for row in connection.execute(
                "SELECT rowid FROM declaration_fts "
                "WHERE declaration_fts MATCH ? AND rowid BETWEEN ? AND ?",
                (expression, low, high),
            )
        }
    else:
        found = {
            rowid
            for rowid in rowids
            if connection.execute(
                "SELECT 1 FROM declaration_fts WHERE declaration_fts MATCH ? AND rowid = ?",
                (expression, rowid),
            ).fetchone()
        }
    return tuple(dict.fromkeys(name for rowid, name in declarations if rowid in found))


def _filter_expression(
    connection: sqlite3.Connection,
    area: str | Iterable[str] | None,
    kind: str | Kind | Iterable[str | Kind] | None,
    status: str | Status | Iterable[str | Status] | None,
    assumes: str | Iterable[str],
    excludes: str | Iterable[str],
    lean_prefix: str | None,
) -> str:
    """The filters as an FTS5 expression over the `facets` column ("" when there are none)."""

    def any_of(facet: str, values: Iterable[str]) -> str:
        tokens = " OR ".join(f'"{_facet_token(facet, value)}"' for value in values)
        return f"facets : ({tokens})"

    required = []
    areas = _known(connection, "area", _strings(area))
    if areas:
        required.append(any_of("area", areas))
    kinds = _kinds(_strings(kind))
    if kinds:
        required.append(any_of("kind", kinds))
    statuses = _statuses(_strings(status))
    if statuses:
        required.append(any_of("status", statuses))
    for key in _known(connection, "assumption", _strings(assumes)):
        required.append(any_of("assumption", [key]))
    if lean_prefix and lean_prefix.endswith("."):
        required.append(any_of("namespace", [_clean(lean_prefix)]))
    excluded = _known(connection, "assumption", _strings(excludes))
    if not excluded:
        return " AND ".join(required)
    kept = " AND ".join(required) or f'facets : "{_EVERY_ENTRY}"'
    return f"({kept}) NOT ({any_of('assumption', excluded)})"


def _prefix_restriction(connection: sqlite3.Connection, lean_prefix: str | None) -> str:
    """For a Lean prefix that is not a namespace (`Foo.ba`), an SQL condition on entry_fts rows.

    The entries are gathered once into a temporary table: a subquery repeated in each statement
    would be rebuilt every time.
    """
    if not lean_prefix or lean_prefix.endswith("."):
        return ""
    prefix = _clean(lean_prefix)
    connection.execute("PRAGMA temp_store = MEMORY")
    connection.execute("CREATE TEMP TABLE IF NOT EXISTS prefixed (rowid INTEGER PRIMARY KEY)")
    connection.execute("DELETE FROM temp.prefixed")
    # A range on the name index; U+10FFFF sorts after every character a name can continue with.
    connection.execute(
        "INSERT OR IGNORE INTO temp.prefixed "
        "SELECT entry FROM entry_decls WHERE name >= ? AND name < ?",
        (prefix, prefix + "\U0010ffff"),
    )
    connection.commit()  # end the implicit transaction: it would pin a snapshot of the index
    return "AND +entry_fts.rowid IN (SELECT rowid FROM temp.prefixed)"


def _clean(text: str) -> str:
    """`text` without lone surrogates, which SQLite cannot be given."""
    return text.encode("utf-8", "replace").decode("utf-8")


def _strings(values: Any) -> tuple[str, ...]:
    if values is None:
        return ()
    if isinstance(values, str | Kind | Status):
        values = (values,)
    return tuple(dict.fromkeys(_value(value) for value in values))


def _known(connection: sqlite3.Connection, facet: str, values: tuple[str, ...]) -> list[str]:
    if not values:
        return []
    known = [
        row[0]
        for row in connection.execute(
            "SELECT key FROM vocabulary WHERE facet = ? ORDER BY key", (facet,)
        )
    ]
    for value in values:
        if value not in known:
            raise UnknownFilterError(_unknown_message(facet, value, known))
    return list(values)


def _kinds(values: tuple[str, ...]) -> list[str]:
    known = [kind.value for kind in Kind]
    kinds: list[str] = []
    for value in values:
        if value == RESULT_KIND:
            kinds.extend(RESULT_KINDS)
        elif value in known:
            kinds.append(value)
        else:
            raise UnknownFilterError(_unknown_message("kind", value, [*known, RESULT_KIND]))
    return list(dict.fromkeys(kinds))


def _statuses(values: tuple[str, ...]) -> list[str]:
    def normal(text: str) -> str:
        return re.sub(r"[-_\s]+", " ", text.strip().lower())

    by_normal = {normal(status.value): status.value for status in Status}
    statuses: list[str] = []
    for value in values:
        if normal(value) not in by_normal:
            raise UnknownFilterError(
                _unknown_message("status", value, [status.value for status in Status])
            )
        statuses.append(by_normal[normal(value)])
    return statuses


def _unknown_message(facet: str, value: str, known: Sequence[str]) -> str:
    close = difflib.get_close_matches(value, known, n=1)
    hint = f"; did you mean {close[0]!r}?" if close else ""
    return f"unknown {facet} {_clean(value)!r}{hint} (known: {', '.join(known) or 'none'})"


# --- the Python API: an in-memory index per Catalogue ---------------------------------------

_memory_indexes: dict[int, sqlite3.Connection] = {}
_memory_lock = threading.Lock()


def search_catalogue(catalogue: Catalogue, query: str, **filters: Any) -> list[Hit]:
    """`Catalogue.search`: ranked `Hit`s for `query`, with the filters and `limit` of `search`.

    The first call builds an in-memory index of this `Catalogue` object; later calls reuse it
    until the object is garbage-collected.
    """
    with _memory_lock:
        connection = _memory_indexes.get(id(catalogue))
        if connection is None:
            connection = sqlite3.connect(":memory:", check_same_thread=False)
            write_index(connection, catalogue)
            _memory_indexes[id(catalogue)] = connection
            weakref.finalize(catalogue, _forget_memory_index, id(catalogue))
        matches = search(connection, query, **filters)
    return [
        Hit(
            entry=catalogue[match.id],
            score=match.score,
            matched_declarations=match.matched_declarations,
            snippet=match.snippet,
            all_terms=match.all_terms,
        )
        for match in matches
    ]


def _forget_memory_index(key: int) -> None:
    with _memory_lock:
        connection = _memory_indexes.pop(key, None)
    if connection is not None:
        connection.close()


def find_entry(catalogue: Catalogue, key: str) -> CatalogueEntry:
    """The entry with this id or fully qualified Lean name, or whose Lean name ends in `.key`.

    Raises `KeyError` naming close ids when nothing (or more than one entry) fits.
    """
    if key in catalogue:
        return catalogue[key]
    suffix = "." + key
    owners = {
        item.id: item
        for item in catalogue.entries
        for name in item.entry.decls
        if name.endswith(suffix)
    }
    if len(owners) == 1:
        return next(iter(owners.values()))
    if owners:
        raise KeyError(f"{key!r} is ambiguous: it ends the Lean names of {', '.join(owners)}")
    candidates = [item.id for item in catalogue.entries] + [
        name for item in catalogue.entries for name in item.entry.decls
    ]
    close = difflib.get_close_matches(key, candidates, n=3, cutoff=0.5)
    hint = f"; did you mean {', '.join(close)}?" if close else ""
    raise KeyError(f"no catalogue entry with id or Lean name {key!r}{hint}")


# --- output records and text -----------------------------------------------------------------


def serialize_search(
    query: str, matches: Sequence[Match | Hit], *, limit: int | None = 20, **filters: Any
) -> dict[str, Any]:
    """The JSON object `mlcatalogue search --json` prints.

    Keys: `query` (as given), `terms` (the quoted chunks searched), `filters` (`area`, `kind`,
    `status`, `assumes`, `excludes`: lists as given; `lean_prefix`: string or null), `limit`,
    `count` (number of hits) and `hits`, best first, each as `serialize_match` describes. Keys are
    only ever added, never renamed or removed.
    """
    names = ("area", "kind", "status", "assumes", "excludes")
    prefix = filters.get("lean_prefix")
    return {
        "query": _clean(query),
        "terms": list(query_terms(query)),
        "filters": {
            **{name: list(_strings(filters.get(name))) for name in names},
            "lean_prefix": _clean(prefix) if prefix else None,
        },
        "limit": limit,
        "count": len(matches),
        "hits": [serialize_match(match, rank) for rank, match in enumerate(matches, start=1)],
    }


def serialize_match(match: Match | Hit, rank: int) -> dict[str, Any]:
    """The JSON object of one search result.

    Keys: `rank` (1-based), `id`, `title`, `kind`, `area`, `status` (a `Status` value such as
    "proof complete"), `score` (bm25 negated, higher is better, 0 for an empty query; comparable
    only within one search), `all_terms` (false when no entry had every word and the search fell
    back to any word), `matched_declarations` (the entry's Lean names containing a query word)
    and `snippet` (an extract of the statement or docstrings, matched words between `**`, or "").
    """
    if isinstance(match, Hit):
        entry = match.entry
        fields = {
            "id": entry.id,
            "title": entry.title,
            "kind": _value(entry.entry.kind),
            "area": entry.entry.area,
            "status": _value(entry.status),
        }
    else:
        fields = {
            "id": match.id,
            "title": match.title,
            "kind": match.kind,
            "area": match.area,
            "status": match.status,
        }
    return {
        "rank": rank,
        **fields,
        "score": round(match.score, 4),
        "all_terms": match.all_terms,
        "matched_declarations": list(match.matched_declarations),
        "snippet": match.snippet,
    }


def serialize_entry(item: CatalogueEntry, catalogue: Catalogue | None = None) -> dict[str, Any]:
    """The JSON object of one entry, as `mlcatalogue show --json` prints it.

    Keys: the entry's YAML fields (`id`, `title`, `kind`, `area`, `statement`, `proof`,
    `assumptions`, `tags`, `decls`, `references` with the cited text's `title` added, `witness`,
    `notes`, and its origin `path`/`line`), the computed `status` and `status_meaning`,
    `missing_decls` (listed names not found in lean/), `declarations` (`name`, `kind`, `path`,
    `line`, `signature`, `docstring`, `has_sorry`), `depends_on`/`used_by` (entry ids) and
    `verifications` (from a recorded Lean run: `name`, `axioms`, `current`,
    `standard_axioms_only`).
    """
    entry = item.entry
    publications = catalogue.files.publications if catalogue is not None else {}
    found = {decl.name for decl in item.declarations}
    return {
        "id": entry.id,
        "title": entry.title,
        "kind": _value(entry.kind),
        "area": entry.area,
        "status": _value(item.status),
        "status_meaning": Status(_value(item.status)).meaning,
        "statement": entry.statement,
        "proof": entry.proof,
        "assumptions": list(entry.assumptions),
        "tags": list(entry.tags),
        "decls": list(entry.decls),
        "missing_decls": [name for name in entry.decls if name not in found],
        "declarations": [
            {
                "name": decl.name,
                "kind": decl.kind,
                "path": decl.path,
                "line": decl.line,
                "signature": decl.signature,
                "docstring": decl.docstring,
                "has_sorry": decl.has_sorry,
            }
            for decl in item.declarations
        ],
        "references": [
            {
                "source": reference.source,
                "location": reference.location,
                "verified": reference.verified,
                "note": reference.note,
                "title": publications[reference.source].title
                if reference.source in publications
                else None,
            }
            for reference in entry.references
        ],
        "depends_on": list(item.depends_on),
        "used_by": list(item.used_by),
        "verifications": [
            {
                "name": verification.name,
                "axioms": list(verification.axioms),
                "current": verification.current,
                "standard_axioms_only": verification.standard_axioms_only,
            }
            for verification in item.verifications
        ],
        "witness": entry.witness,
        "notes": entry.notes,
        "path": entry.path,
        "line": entry.line,
    }


def format_matches(matches: Sequence[Match | Hit], query: str) -> str:
    """Search results as terminal text: a header line, then a short block per result."""
    if not matches:
        return f"No entries match {query.strip()!r}." if query.strip() else "No entries."
    records = [serialize_match(match, rank) for rank, match in enumerate(matches, start=1)]
    count = f"{len(records)} entr{'y' if len(records) == 1 else 'ies'}"
    if not query_terms(query):
        header = f"{count}:"
    elif records[0]["all_terms"]:
        header = f"{count} matching {query.strip()!r}:"
    else:
        header = f"No entry matches every word of {query.strip()!r}; {count} matching some:"
    lines = [header]
    for record in records:
        lines.append("")
        lines.append(f"{record['rank']:>2}. {record['title']}  [{record['id']}]")
        details = [record["kind"], record["area"], record["status"]]
        if query_terms(query):
            details.append(f"score {record['score']:.2f}")
        lines.append("    " + " · ".join(details))
        if record["matched_declarations"]:
            lines.append("    Lean: " + ", ".join(record["matched_declarations"]))
        if record["snippet"]:
            lines.append("    " + " ".join(record["snippet"].split()))
    return "\n".join(lines)


def format_entry(item: CatalogueEntry, catalogue: Catalogue | None = None) -> str:
    """One entry as terminal text: statement, Lean statement, status, references, dependencies."""
    record = serialize_entry(item, catalogue)
    lines = [
        f"{record['title']}  [{record['id']}]",
        f"{record['kind']} · {record['area']} · status: {record['status']}",
        f"  ({record['status_meaning']})",
    ]
    if record["assumptions"]:
        lines.append("Assumptions: " + ", ".join(record["assumptions"]))
    if record["tags"]:
        lines.append("Tags: " + ", ".join(record["tags"]))
    lines += ["", "Statement", *_indent(record["statement"])]
    lines += ["", "Lean"]
    for decl in record["declarations"]:
        lines.append(f"  -- {decl['path']}:{decl['line']}")
        lines.extend(_indent(lean_statement(decl["kind"], decl["name"], decl["signature"])))
    for name in record["missing_decls"]:
        lines.append(f"  -- {name}: not found in lean/")
    if record["verifications"]:
        lines += ["", "Recorded Lean run"]
        for verification in record["verifications"]:
            state = "current" if verification["current"] else (
                "STALE: statement or proof changed since the run"
            )
            axioms = ", ".join(verification["axioms"]) or "none"
            lines.append(f"  {verification['name']}: {state}; axioms {axioms}")
    if record["proof"]:
        lines += ["", "Proof", *_indent(record["proof"])]
    if record["references"]:
        lines += ["", "References"]
        for reference in record["references"]:
            title = f" ({reference['title']})" if reference["title"] else ""
            lines.append(
                f"  {reference['source']}{title}: {reference['location']} "
                f"[verified: {reference['verified']}]"
            )
    lines += [
        "",
        "Depends on: " + (", ".join(record["depends_on"]) or "—"),
        "Used by: " + (", ".join(record["used_by"]) or "—"),
    ]
    if record["notes"]:
        lines += ["", "Notes", *_indent(record["notes"])]
    if record["path"]:
        lines += ["", f"Source: {record['path']}:{record['line']}"]
    return "\n".join(lines)


def lean_statement(kind: str, name: str, signature: str) -> str:
    """`kind name signature`, without repeating the name when the signature starts with it."""
    head = signature.strip().split(None, 1)
    if head and head[0] in (name, name.rsplit(".", 1)[-1]):
        signature = head[1] if len(head) > 1 else ""
    return " ".join(part for part in (kind, name, signature) if part)


def _indent(text: str, prefix: str = "  ") -> Iterator[str]:
    for line in text.strip("\n").splitlines():
        yield (prefix + line).rstrip()
