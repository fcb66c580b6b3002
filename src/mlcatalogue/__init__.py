"""mlcatalogue: a proof-checked catalogue of machine-learning theory.

`load(path)` scans the Lean sources under `path/lean`, loads the YAML under `path/catalogue`, joins
them and returns a `Catalogue`; `Catalogue.search` and `Catalogue[...]` query it. Importing the
package does no work.
"""

from __future__ import annotations

from pathlib import Path

from mlcatalogue.model import (
    Catalogue,
    CatalogueEntry,
    Declaration,
    Entry,
    Kind,
    Problem,
    Reference,
    Status,
)

__all__ = [
    "Catalogue",
    "CatalogueEntry",
    "Declaration",
    "Entry",
    "Hit",
    "Kind",
    "Problem",
    "Reference",
    "Status",
    "load",
]

__version__ = "0.1.0"


def __getattr__(name: str) -> object:
    """`mlcatalogue.Hit` without importing the index stage at package import."""
    if name == "Hit":
        from mlcatalogue.index import Hit

        return Hit
    raise AttributeError(f"module 'mlcatalogue' has no attribute {name!r}")


def load(path: str | Path = ".") -> Catalogue:
    """Scan, load and join the catalogue rooted at `path` (a directory with lean/ and catalogue/)."""
    from mlcatalogue.join import load_catalogue

    return load_catalogue(Path(path))
