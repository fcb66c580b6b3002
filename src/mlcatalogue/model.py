"""The frozen records that flow between mlcatalogue's stages.

Scanning produces `Declaration`s, loading produces `Entry`s (plus the bibliography and the
vocabularies), joining produces a `Catalogue` of `CatalogueEntry`s with computed `Status`es.
Every consistency issue found on the way is a `Problem` value, never an exception, so that all
of them can be reported at once. Nothing here does I/O.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover - typing only
    from mlcatalogue.index import Hit


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the inputs, located at a file and 1-based line."""

    path: str
    line: int
    code: str
    message: str
    severity: str = "error"

    @property
    def is_error(self) -> bool:
        """Errors make `mlcatalogue check` fail; warnings are only reported."""
        return self.severity == "error"

    def __str__(self) -> str:
        tag = self.code if self.is_error else f"{self.code}, warning"
        return f"{self.path}:{self.line}: [{tag}] {self.message}"


@dataclass(frozen=True)
class Declaration:
    """A Lean declaration as read from source text (no elaboration).

    `line` is the line of the declaration keyword (where the name is); `start_line` includes the
    docstring and attributes in front of it; `end_line` is the last line of its body.
    `inferred_name` marks a name the source does not write, which the scanner infers as Lean
    generates it (anonymous instances and their helpers): Lean's own may differ, since it is
    derived from the elaborated statement.
    """

    name: str
    kind: str
    path: str
    line: int
    start_line: int
    end_line: int
    signature: str
    docstring: str | None = None
    modifiers: tuple[str, ...] = ()
    attributes: tuple[str, ...] = ()
    has_sorry: bool = False
    mentions: tuple[str, ...] = ()
    imports: tuple[str, ...] = ()
    inferred_name: bool = False

    @property
    def has_docstring(self) -> bool:
        return self.docstring is not None

    @property
    def short_name(self) -> str:
        return self.name.rsplit(".", 1)[-1]

    @property
    def is_result(self) -> bool:
        """Whether the declaration states a proposition with a proof (theorem or lemma)."""
        return self.kind in ("theorem", "lemma")


@dataclass(frozen=True)
class ModuleDoc:
    """The `/-! ... -/` module documentation of one Lean file, with its listed main names."""

    path: str
    line: int
    text: str
    main_definitions: tuple[str, ...] = ()
    main_results: tuple[str, ...] = ()


@dataclass(frozen=True)
class ScanResult:
    """Everything the source scan found in a tree of Lean files."""

    declarations: tuple[Declaration, ...]
    module_docs: tuple[ModuleDoc, ...] = ()
    problems: tuple[Problem, ...] = ()


class Kind(str, enum.Enum):
    """The kind of a catalogue entry."""

    DEFINITION = "definition"
    THEOREM = "theorem"
    LEMMA = "lemma"
    COROLLARY = "corollary"


class Status(str, enum.Enum):
    """The computed status of a catalogue entry, weakest first.

    Only a recorded Lean run (see `mlcatalogue verify`) can produce KERNEL_CHECKED; everything
    the source scan can see stops at PROOF_COMPLETE.
    """

    MISSING = "missing"
    SORRY = "sorry"
    DEFINED = "defined"
    PROOF_COMPLETE = "proof complete"
    KERNEL_CHECKED = "kernel-checked"

    @property
    def meaning(self) -> str:
        return STATUS_MEANINGS[self]


STATUS_MEANINGS: Mapping[Status, str] = {
    Status.MISSING: "a Lean declaration named by this entry is not in lean/",
    Status.SORRY: "a Lean proof behind this entry contains sorry or admit",
    Status.DEFINED: "the Lean definitions exist (definitions carry no proof obligation)",
    Status.PROOF_COMPLETE: (
        "all Lean declarations found and no sorry in their source; "
        "proof complete in source, not kernel-checked"
    ),
    Status.KERNEL_CHECKED: (
        "a recorded `lake build` at the current source checked every declaration, "
        "using only the standard axioms propext, Classical.choice, Quot.sound"
    ),
}


@dataclass(frozen=True)
class Reference:
    """An exact location in a text of the bibliography; `verified` is "yes", "partial" or "no"."""

    source: str
    location: str
    verified: str = "no"
    note: str | None = None


@dataclass(frozen=True)
class Entry:
    """One catalogue entry as written in YAML; the fields are the YAML keys (plus its origin)."""

    id: str
    title: str
    kind: Kind
    area: str
    statement: str
    decls: tuple[str, ...]
    proof: str | None = None
    assumptions: tuple[str, ...] = ()
    references: tuple[Reference, ...] = ()
    tags: tuple[str, ...] = ()
    witness: str | None = None
    notes: str | None = None
    path: str = ""
    line: int = 0


@dataclass(frozen=True)
class Publication:
    """A text of the bibliography."""

    key: str
    authors: str
    title: str
    year: int
    publisher: str | None = None
    edition: str | None = None
    url: str | None = None
    note: str | None = None


@dataclass(frozen=True)
class Term:
    """A word of a controlled vocabulary (an area or an assumption) with what it means."""

    key: str
    title: str
    description: str = ""


@dataclass(frozen=True)
class Auxiliary:
    """A Lean result deliberately left out of the catalogue (a proof step), with the reason."""

    name: str
    reason: str
    path: str = ""
    line: int = 0


@dataclass(frozen=True)
class CatalogueFiles:
    """Everything loaded from `catalogue/`, before the join with Lean."""

    entries: tuple[Entry, ...]
    publications: Mapping[str, Publication]
    areas: Mapping[str, Term]
    assumptions: Mapping[str, Term]
    auxiliary: tuple[Auxiliary, ...] = ()
    problems: tuple[Problem, ...] = ()


@dataclass(frozen=True)
class Verification:
    """What a recorded Lean run says about one declaration (see the export stage)."""

    name: str
    axioms: tuple[str, ...]
    statement_hash: str
    current: bool
    standard_axioms_only: bool


@dataclass(frozen=True)
class CatalogueEntry:
    """An entry joined with its Lean declarations, its computed status and its neighbours."""

    entry: Entry
    declarations: tuple[Declaration, ...]
    status: Status
    depends_on: tuple[str, ...] = ()
    used_by: tuple[str, ...] = ()
    verifications: tuple[Verification, ...] = ()

    @property
    def id(self) -> str:
        return self.entry.id

    @property
    def title(self) -> str:
        return self.entry.title


@dataclass(frozen=True)
class Catalogue:
    """The joined catalogue: the result of `mlcatalogue.load`.

    Index by entry id or by fully qualified Lean name (`cat["bias_variance_mse"]`,
    `cat["MLCatalogue.mse_eq_bias_sq_add_variance"]`); `search` ranks entries by full text.
    """

    root: Path
    entries: tuple[CatalogueEntry, ...]
    declarations: tuple[Declaration, ...]
    files: CatalogueFiles
    module_docs: tuple[ModuleDoc, ...] = ()
    problems: tuple[Problem, ...] = ()
    provenance: Mapping[str, Any] = field(default_factory=dict)

    @cached_property
    def _by_id(self) -> dict[str, CatalogueEntry]:
        return {item.id: item for item in self.entries}

    @cached_property
    def _by_decl(self) -> dict[str, CatalogueEntry]:
        return {name: item for item in self.entries for name in item.entry.decls}

    @cached_property
    def declarations_by_name(self) -> dict[str, Declaration]:
        return {decl.name: decl for decl in self.declarations}

    def __getitem__(self, key: str) -> CatalogueEntry:
        """The entry with this id, or the entry that catalogues this Lean name."""
        if key in self._by_id:
            return self._by_id[key]
        if key in self._by_decl:
            return self._by_decl[key]
        raise KeyError(f"no catalogue entry with id or Lean name {key!r}")

    def __contains__(self, key: object) -> bool:
        return key in self._by_id or key in self._by_decl

    def __iter__(self):  # type: ignore[no-untyped-def]
        return iter(self.entries)

    def __len__(self) -> int:
        return len(self.entries)

    def search(self, query: str, **filters: Any) -> list[Hit]:
        """Ranked full-text hits for `query`; filters as in `mlcatalogue.index.search`."""
        from mlcatalogue.index import search_catalogue

        return search_catalogue(self, query, **filters)
