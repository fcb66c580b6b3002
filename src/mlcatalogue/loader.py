"""Catalogue loading: the YAML files under `catalogue/` → `CatalogueFiles`.

Reads `entries/*.yaml`, `bibliography.yaml`, `vocabulary.yaml` and `auxiliary.yaml` with a YAML
loader that remembers line numbers and rejects duplicate mapping keys (PyYAML would silently keep
the last one). Every schema violation becomes a `Problem` naming file and line; entries that are
still usable are kept so that one mistake does not hide the rest of the catalogue.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

import yaml

from mlcatalogue.model import (
    Auxiliary,
    CatalogueFiles,
    Entry,
    Kind,
    Problem,
    Publication,
    Reference,
    Term,
)

ENTRY_KEYS = frozenset(f.name for f in fields(Entry)) - {"path", "line"}
REQUIRED_ENTRY_KEYS = ("id", "title", "kind", "area", "statement", "decls")
REFERENCE_KEYS = frozenset(f.name for f in fields(Reference))
PUBLICATION_KEYS = frozenset(f.name for f in fields(Publication))
TERM_KEYS = frozenset(f.name for f in fields(Term))
AUXILIARY_KEYS = frozenset({"name", "reason"})
ENTRY_ID = re.compile(r"[a-z][a-z0-9_]*\Z")
LEAN_NAME = re.compile(r"[^\s.][^\s]*\Z")
VERIFIED_VALUES = {True: "yes", False: "no", "yes": "yes", "no": "no", "partial": "partial"}


class LocatedDict(dict):  # type: ignore[type-arg]
    """A YAML mapping that remembers its own line and the line of each key (1-based)."""

    line: int
    key_lines: dict[str, int]


class LocatedList(list):  # type: ignore[type-arg]
    """A YAML sequence that remembers its line (1-based)."""

    line: int


class _LocatingLoader(yaml.SafeLoader):
    """SafeLoader that records line numbers and collects duplicate-key problems."""

    def __init__(self, stream: str, path: str) -> None:
        super().__init__(stream)
        self.path = path
        self.problems: list[Problem] = []

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> LocatedDict:  # type: ignore[override]
        self.flatten_mapping(node)
        mapping = LocatedDict()
        mapping.line = node.start_mark.line + 1
        mapping.key_lines = {}
        for key_node, value_node in node.value:
            key = self.construct_object(key_node, deep=True)  # type: ignore[no-untyped-call]
            key_line = key_node.start_mark.line + 1
            if not isinstance(key, str):
                key = str(key)
            if key in mapping:
                self.problems.append(
                    Problem(
                        self.path,
                        key_line,
                        "duplicate-key",
                        f"key {key!r} appears twice in one mapping "
                        f"(first on line {mapping.key_lines[key]})",
                    )
                )
                continue
            mapping[key] = self.construct_object(value_node, deep=True)  # type: ignore[no-untyped-call]
            mapping.key_lines[key] = key_line
        return mapping

    def construct_located_sequence(self, node: yaml.SequenceNode) -> LocatedList:
        items = LocatedList(self.construct_object(child, deep=True) for child in node.value)  # type: ignore[no-untyped-call]
        items.line = node.start_mark.line + 1
        return items


_LocatingLoader.add_constructor(
    yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _LocatingLoader.construct_mapping
)
_LocatingLoader.add_constructor(
    yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _LocatingLoader.construct_located_sequence
)


@dataclass(frozen=True)
class YamlDocument:
    """A parsed YAML file: its data (None if unreadable) and the problems found reading it."""

    path: str
    data: Any
    problems: tuple[Problem, ...]


def read_yaml(path: Path, display_path: str) -> YamlDocument:
    """Parse one YAML file, turning syntax errors and duplicate keys into problems."""
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as error:
        return YamlDocument(
            display_path, None, (Problem(display_path, 1, "encoding", f"not UTF-8: {error}"),)
        )
    except OSError as error:
        return YamlDocument(
            display_path, None, (Problem(display_path, 1, "unreadable", str(error)),)
        )
    loader = _LocatingLoader(text, display_path)
    try:
        data = loader.get_single_data()
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None) or getattr(error, "context_mark", None)
        line = mark.line + 1 if mark is not None else 1
        reason = getattr(error, "problem", None) or str(error)
        return YamlDocument(
            display_path, None, (Problem(display_path, line, "yaml-syntax", str(reason)),)
        )
    finally:
        loader.dispose()
    return YamlDocument(display_path, data, tuple(loader.problems))


def load_catalogue_files(catalogue_dir: Path, *, base: Path | None = None) -> CatalogueFiles:
    """Load and validate every YAML file of a `catalogue/` directory."""
    base = base or catalogue_dir.parent
    problems: list[Problem] = []

    def display(path: Path) -> str:
        try:
            return path.relative_to(base).as_posix()
        except ValueError:
            return path.as_posix()

    if not catalogue_dir.is_dir():
        problems.append(
            Problem(display(catalogue_dir), 0, "missing-file", "catalogue directory not found")
        )
        return CatalogueFiles((), {}, {}, {}, (), tuple(problems))

    vocabulary = _read_required(catalogue_dir / "vocabulary.yaml", display, problems)
    areas = _read_terms(vocabulary, "areas", problems)
    assumptions = _read_terms(vocabulary, "assumptions", problems)
    publications = _read_publications(
        _read_required(catalogue_dir / "bibliography.yaml", display, problems), problems
    )
    auxiliary = _read_auxiliary(catalogue_dir / "auxiliary.yaml", display, problems)

    entries: list[Entry] = []
    entry_files = sorted((catalogue_dir / "entries").glob("*.yaml"))
    if not entry_files:
        problems.append(
            Problem(display(catalogue_dir / "entries"), 0, "no-entries", "no entries/*.yaml files")
        )
    for entry_file in entry_files:
        document = read_yaml(entry_file, display(entry_file))
        problems.extend(document.problems)
        if document.data is None:
            continue
        if not isinstance(document.data, list):
            problems.append(
                Problem(document.path, 1, "not-a-list", "an entries file must be a YAML list")
            )
            continue
        for item in document.data:
            entry = _read_entry(item, document.path, areas, assumptions, publications, problems)
            if entry is not None:
                entries.append(entry)

    seen: dict[str, Entry] = {}
    for entry in entries:
        if entry.id in seen:
            first = seen[entry.id]
            problems.append(
                Problem(
                    entry.path,
                    entry.line,
                    "duplicate-id",
                    f"entry id {entry.id!r} is already used at {first.path}:{first.line}",
                )
            )
        else:
            seen[entry.id] = entry
    return CatalogueFiles(
        entries=tuple(seen.values()),
        publications=publications,
        areas=areas,
        assumptions=assumptions,
        auxiliary=auxiliary,
        problems=tuple(problems),
    )


def _read_required(path: Path, display: Any, problems: list[Problem]) -> YamlDocument | None:
    if not path.is_file():
        problems.append(Problem(display(path), 0, "missing-file", "required file not found"))
        return None
    document = read_yaml(path, display(path))
    problems.extend(document.problems)
    return document if document.data is not None else None


def _line(item: Any, key: str | None = None) -> int:
    if isinstance(item, LocatedDict):
        if key is not None and key in item.key_lines:
            return item.key_lines[key]
        return item.line
    return getattr(item, "line", 1)


def _unknown_keys(
    item: LocatedDict, allowed: frozenset[str], path: str, what: str, problems: list[Problem]
) -> None:
    for key in item:
        if key not in allowed:
            problems.append(
                Problem(
                    path,
                    _line(item, key),
                    "unknown-key",
                    f"unknown key {key!r} in {what} (allowed: {', '.join(sorted(allowed))})",
                )
            )


def _read_terms(
    document: YamlDocument | None, section: str, problems: list[Problem]
) -> dict[str, Term]:
    if document is None:
        return {}
    if not isinstance(document.data, LocatedDict):
        problems.append(Problem(document.path, 1, "not-a-mapping", "vocabulary must be a mapping"))
        return {}
    items = document.data.get(section)
    if not isinstance(items, list):
        problems.append(
            Problem(document.path, _line(document.data, section), "missing-field",
                    f"vocabulary needs a list {section!r}")
        )
        return {}
    terms: dict[str, Term] = {}
    for item in items:
        if not isinstance(item, LocatedDict) or not isinstance(item.get("key"), str):
            problems.append(
                Problem(document.path, _line(item), "missing-field", f"{section} item needs a key")
            )
            continue
        _unknown_keys(item, TERM_KEYS, document.path, f"{section} item", problems)
        key = item["key"]
        if key in terms:
            problems.append(
                Problem(document.path, _line(item), "duplicate-id", f"{section} key {key!r} twice")
            )
        terms[key] = Term(key, str(item.get("title", key)), str(item.get("description", "")))
    return terms


def _read_publications(
    document: YamlDocument | None, problems: list[Problem]
) -> dict[str, Publication]:
    if document is None:
        return {}
    if not isinstance(document.data, list):
        problems.append(Problem(document.path, 1, "not-a-list", "bibliography must be a list"))
        return {}
    publications: dict[str, Publication] = {}
    for item in document.data:
        if not isinstance(item, LocatedDict):
            problems.append(Problem(document.path, _line(item), "not-a-mapping", "bad item"))
            continue
        _unknown_keys(item, PUBLICATION_KEYS, document.path, "bibliography item", problems)
        missing = [key for key in ("key", "authors", "title", "year") if key not in item]
        if missing:
            problems.append(
                Problem(document.path, _line(item), "missing-field",
                        f"bibliography item lacks {', '.join(missing)}")
            )
            continue
        if not isinstance(item["year"], int):
            problems.append(
                Problem(document.path, _line(item, "year"), "bad-value", "year must be an integer")
            )
            continue
        key = str(item["key"])
        if key in publications:
            problems.append(
                Problem(document.path, _line(item), "duplicate-id", f"bibliography key {key!r} twice")
            )
        publications[key] = Publication(
            key=key,
            authors=str(item["authors"]),
            title=str(item["title"]),
            year=item["year"],
            publisher=_optional_str(item.get("publisher")),
            edition=_optional_str(item.get("edition")),
            url=_optional_str(item.get("url")),
            note=_optional_str(item.get("note")),
        )
    return publications


def _read_auxiliary(path: Path, display: Any, problems: list[Problem]) -> tuple[Auxiliary, ...]:
    if not path.is_file():
        return ()
    document = read_yaml(path, display(path))
    problems.extend(document.problems)
    if document.data is None:
        return ()
    if not isinstance(document.data, list):
        problems.append(Problem(document.path, 1, "not-a-list", "auxiliary.yaml must be a list"))
        return ()
    items: list[Auxiliary] = []
    for item in document.data:
        if not isinstance(item, LocatedDict):
            problems.append(Problem(document.path, _line(item), "not-a-mapping", "bad item"))
            continue
        _unknown_keys(item, AUXILIARY_KEYS, document.path, "auxiliary item", problems)
        name, reason = item.get("name"), item.get("reason")
        if not isinstance(name, str) or not isinstance(reason, str) or not reason.strip():
            problems.append(
                Problem(document.path, _line(item), "missing-field",
                        "auxiliary item needs a Lean `name` and a non-empty `reason`")
            )
            continue
        items.append(Auxiliary(name, reason.strip(), document.path, _line(item)))
    return tuple(items)


def _optional_str(value: Any) -> str | None:
    return None if value is None else str(value)


def _string_list(
    item: LocatedDict, key: str, path: str, problems: list[Problem]
) -> tuple[str, ...] | None:
    value = item.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        problems.append(
            Problem(path, _line(item, key), "bad-value", f"{key!r} must be a list of strings")
        )
        return None
    return tuple(value)


def _read_entry(
    item: Any,
    path: str,
    areas: Mapping[str, Term],
    assumptions: Mapping[str, Term],
    publications: Mapping[str, Publication],
    problems: list[Problem],
) -> Entry | None:
    """Validate one entry mapping; return the Entry if its required fields are usable."""
    if not isinstance(item, LocatedDict):
        problems.append(Problem(path, _line(item), "not-a-mapping", "an entry must be a mapping"))
        return None
    _unknown_keys(item, ENTRY_KEYS, path, "entry", problems)
    label = f"entry {item.get('id')!r}" if isinstance(item.get("id"), str) else "entry"
    missing = [key for key in REQUIRED_ENTRY_KEYS if key not in item]
    if missing:
        problems.append(
            Problem(path, item.line, "missing-field", f"{label} lacks {', '.join(missing)}")
        )
        return None
    usable = True
    for key in ("id", "title", "area", "statement"):
        if not isinstance(item[key], str) or not item[key].strip():
            problems.append(
                Problem(path, _line(item, key), "bad-value", f"{label}: {key!r} must be a non-empty string")
            )
            usable = False
    if usable and not ENTRY_ID.match(item["id"]):
        problems.append(
            Problem(path, _line(item, "id"), "bad-value",
                    f"{label}: id must be snake_case ([a-z][a-z0-9_]*)")
        )
    try:
        kind = Kind(item["kind"])
    except ValueError:
        problems.append(
            Problem(path, _line(item, "kind"), "bad-value",
                    f"{label}: kind {item['kind']!r} is not one of "
                    f"{', '.join(k.value for k in Kind)}")
        )
        usable = False
    decls = _string_list(item, "decls", path, problems)
    if decls is not None:
        if not decls:
            problems.append(Problem(path, _line(item, "decls"), "bad-value", f"{label}: decls is empty"))
        for name in decls:
            if not LEAN_NAME.match(name):
                problems.append(
                    Problem(path, _line(item, "decls"), "bad-value",
                            f"{label}: {name!r} is not a Lean name")
                )
    entry_assumptions = _string_list(item, "assumptions", path, problems) or ()
    tags = _string_list(item, "tags", path, problems) or ()
    if not usable or decls is None:
        return None
    if item["area"] not in areas and areas:
        problems.append(
            Problem(path, _line(item, "area"), "unknown-area",
                    f"{label}: area {item['area']!r} is not in vocabulary.yaml")
        )
    for assumption in entry_assumptions:
        if assumption not in assumptions and assumptions:
            problems.append(
                Problem(path, _line(item, "assumptions"), "unknown-assumption",
                        f"{label}: assumption {assumption!r} is not in vocabulary.yaml")
            )
    proof = item.get("proof")
    if proof is not None and not isinstance(proof, str):
        problems.append(Problem(path, _line(item, "proof"), "bad-value", f"{label}: proof must be text"))
        proof = None
    if kind is not Kind.DEFINITION and not (proof and proof.strip()):
        problems.append(
            Problem(path, item.line, "missing-field", f"{label}: a {kind.value} needs a proof")
        )
    for key in ("witness", "notes"):
        if key in item and not isinstance(item[key], str):
            problems.append(
                Problem(path, _line(item, key), "bad-value", f"{label}: {key!r} must be a string")
            )
    references = tuple(_read_references(item, path, label, publications, problems))
    return Entry(
        id=item["id"],
        title=item["title"].strip(),
        kind=kind,
        area=item["area"],
        statement=item["statement"],
        decls=decls,
        proof=proof,
        assumptions=entry_assumptions,
        references=references,
        tags=tags,
        witness=item["witness"] if isinstance(item.get("witness"), str) else None,
        notes=item["notes"] if isinstance(item.get("notes"), str) else None,
        path=path,
        line=item.line,
    )


def _read_references(
    item: LocatedDict,
    path: str,
    label: str,
    publications: Mapping[str, Publication],
    problems: list[Problem],
) -> Iterator[Reference]:
    references = item.get("references", [])
    if not isinstance(references, list):
        problems.append(
            Problem(path, _line(item, "references"), "bad-value", f"{label}: references must be a list")
        )
        return
    for reference in references:
        if not isinstance(reference, LocatedDict):
            problems.append(
                Problem(path, _line(reference), "bad-value", f"{label}: a reference must be a mapping")
            )
            continue
        _unknown_keys(reference, REFERENCE_KEYS, path, "reference", problems)
        source, location = reference.get("source"), reference.get("location")
        if not isinstance(source, str) or not isinstance(location, str):
            problems.append(
                Problem(path, _line(reference), "missing-field",
                        f"{label}: a reference needs `source` and `location` strings")
            )
            continue
        if publications and source not in publications:
            problems.append(
                Problem(path, _line(reference, "source"), "unknown-reference",
                        f"{label}: reference source {source!r} is not in bibliography.yaml")
            )
        raw_verified = reference.get("verified", False)
        verified = (
            VERIFIED_VALUES.get(raw_verified) if isinstance(raw_verified, (bool, str)) else None
        )
        if verified is None:
            problems.append(
                Problem(path, _line(reference, "verified"), "bad-value",
                        f"{label}: verified must be true, false or partial")
            )
            verified = "no"
        yield Reference(source, location, verified, _optional_str(reference.get("note")))
