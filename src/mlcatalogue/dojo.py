"""LeanDojo adapter (opt-in extra `mlcatalogue[dojo]`): premises of each theorem from a trace.

LeanDojo 4.20.0 traces a git repository at a commit (it clones it, runs `lake build`, then its
`ExtractData.lean` on every source file whose `.olean` it finds). Its path mapping assumes the
sources sit at the repository root: for `lean/MLCatalogue/X.lean` it looks for
`.lake/build/lib/lean/lean/MLCatalogue/X.olean`, while Lake with our `srcDir := "lean"` writes
`.lake/build/lib/lean/MLCatalogue/X.olean`, so a direct trace silently skips every file of ours.
`mirror_repository` therefore builds a throw-away git repository with the same modules laid out
at its root (same module names, so the same declaration names) and commits it; that is what gets
traced. The core never imports this module; `lean_dojo` is imported only inside `trace_premises`.
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterable, Mapping
from pathlib import Path

from mlcatalogue.model import Catalogue

DOJO_MISSING = (
    "LeanDojo is not installed. Install the extra with `pip install 'mlcatalogue[dojo]'` "
    "(about 430 MB, lean-dojo 4.20.0); tracing also needs elan (`lake`) and network access to "
    "GitHub for Mathlib."
)
MIRROR_LAKEFILE = """import Lake
open Lake DSL

package «mlcatalogue» where
  leanOptions := #[⟨`autoImplicit, false⟩]

require mathlib from git
  "https://github.com/leanprover-community/mathlib4" @ "v4.20.0"

@[default_target]
lean_lib MLCatalogue where
"""


class DojoError(Exception):
    """LeanDojo cannot run here, or its trace failed; the message says why."""


def mirror_repository(root: Path, destination: Path) -> str:
    """Copy our Lean sources into a new git repository with the sources at its root.

    Returns the commit hash of the mirror. The mirror keeps `lean-toolchain`, uses a lakefile
    without `srcDir`, and contains `MLCatalogue.lean` and `MLCatalogue/` from `root/lean`.
    """
    if destination.exists():
        raise DojoError(f"{destination} already exists; choose an empty location")
    sources = root / "lean"
    if not (sources / "MLCatalogue.lean").is_file():
        raise DojoError(f"{sources / 'MLCatalogue.lean'} not found: is {root} an mlcatalogue root?")
    destination.mkdir(parents=True)
    shutil.copy2(root / "lean-toolchain", destination / "lean-toolchain")
    (destination / "lakefile.lean").write_text(MIRROR_LAKEFILE, encoding="utf-8")
    shutil.copy2(sources / "MLCatalogue.lean", destination / "MLCatalogue.lean")
    shutil.copytree(sources / "MLCatalogue", destination / "MLCatalogue")
    (destination / ".gitignore").write_text(".lake/\n", encoding="utf-8")
    git = ["git", "-C", str(destination), "-c", "user.name=mlcatalogue",
           "-c", "user.email=mlcatalogue@localhost"]
    try:
        subprocess.run([*git, "init", "-q"], check=True, capture_output=True, text=True)
        subprocess.run([*git, "add", "-A"], check=True, capture_output=True, text=True)
        subprocess.run([*git, "commit", "-q", "-m", "mirror of lean/ for LeanDojo"],
                       check=True, capture_output=True, text=True)
        head = subprocess.run([*git, "rev-parse", "HEAD"], check=True,
                              capture_output=True, text=True)
    except (OSError, subprocess.CalledProcessError) as error:
        raise DojoError(f"could not create the git mirror at {destination}: {error}") from error
    return head.stdout.strip()


def trace_premises(root: Path, work_dir: Path) -> dict[str, tuple[str, ...]]:
    """Trace our theorems with LeanDojo and return each theorem's premises (full names)."""
    try:
        import lean_dojo  # noqa: PLC0415 - the extra is optional by design
    except ImportError as error:
        raise DojoError(DOJO_MISSING) from error
    if shutil.which("lake") is None:
        raise DojoError("`lake` was not found on PATH: LeanDojo needs elan to build and trace.")
    mirror = work_dir / "mirror"
    commit = mirror_repository(root, mirror)
    try:
        repo = lean_dojo.LeanGitRepo(str(mirror), commit)
        traced = lean_dojo.trace(repo, dst_dir=work_dir / "traced")
    except Exception as error:  # LeanDojo raises many unrelated types; report any as a trace failure
        raise DojoError(f"LeanDojo's trace failed: {error}") from error
    return premises_from_theorems(
        (theorem.theorem.full_name, theorem.get_premise_full_names())
        for theorem in traced.get_traced_theorems()
    )


def premises_from_theorems(
    theorems: Iterable[tuple[str, Iterable[str]]],
) -> dict[str, tuple[str, ...]]:
    """Deduplicated premises per theorem, in first-use order, for our namespace only."""
    premises: dict[str, tuple[str, ...]] = {}
    for name, used in theorems:
        if not name.startswith("MLCatalogue."):
            continue
        premises[name] = tuple(dict.fromkeys(p for p in used if p != name))
    return premises


def entry_premises(
    catalogue: Catalogue, premises: Mapping[str, Iterable[str]]
) -> dict[str, dict[str, tuple[str, ...]]]:
    """Per entry id: the catalogue entries and the external (Mathlib) names its theorems use."""
    owner = {name: item.id for item in catalogue.entries for name in item.entry.decls}
    result: dict[str, dict[str, tuple[str, ...]]] = {}
    for item in catalogue.entries:
        entries: dict[str, None] = {}
        external: dict[str, None] = {}
        for name in item.entry.decls:
            for premise in premises.get(name, ()):
                if premise in owner:
                    if owner[premise] != item.id:
                        entries[owner[premise]] = None
                elif not premise.startswith("MLCatalogue."):
                    external[premise] = None
        result[item.id] = {"entries": tuple(entries), "external": tuple(external)}
    return result
