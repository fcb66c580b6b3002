import MLCatalogue
import Lean

/-!
# Export of the catalogue's declarations (run after `lake build`)

Writes one JSON object per line for every declaration of the `MLCatalogue` namespace, as the
elaborator sees it after a real `lake build`: name, kind, pretty-printed signature, docstring,
declaration range, the axioms it depends on (`Lean.collectAxioms`) and, for structures, the
fields. The first line is a header with the Lean version. `mlcatalogue verify` runs it as

    MLCATALOGUE_EXPORT=<file> lake env lean <this file>

and turns its output into the committed verification record. The export runs inside `#eval`
in a file that imports the built library, so the environment extensions that hold docstrings
and declaration ranges are loaded by Lean itself (no `importModules` call to configure).

Every Lean API used is cited below with the file that defines it in Lean v4.20.0.
-/

open Lean Meta

namespace MLCatalogueExport

/-- The kind of a constant, named as the Python side names source declarations.
(`Lean.ConstantInfo`: src/Lean/Declaration.lean.) -/
def kindOf : ConstantInfo → String
  | .axiomInfo _ => "axiom"
  | .defnInfo _ => "def"
  | .thmInfo _ => "theorem"
  | .opaqueInfo _ => "opaque"
  | .quotInfo _ => "quot"
  | .inductInfo _ => "inductive"
  | .ctorInfo _ => "constructor"
  | .recInfo _ => "recursor"

/-- A source range as JSON, with 1-based lines and 0-based columns as Lean stores them.
(`Lean.DeclarationRange`: src/Lean/DeclarationRange.lean, in later releases
src/Lean/Data/DeclarationRange.lean; `Lean.Position`: src/Lean/Data/Position.lean;
`Lean.Json.mkObj`: src/Lean/Data/Json/Basic.lean; `Lean.toJson`:
src/Lean/Data/Json/FromToJson.lean.) -/
def rangeJson (range : DeclarationRange) : Json :=
  Json.mkObj [
    ("line", toJson range.pos.line),
    ("column", toJson range.pos.column),
    ("end_line", toJson range.endPos.line),
    ("end_column", toJson range.endPos.column)]

/-- The constants of our namespace, skipping compiler-internal names.
(`Lean.Environment.constants`: src/Lean/Environment.lean; `Lean.SMap.fold`:
src/Lean/Data/SMap.lean; `Lean.Name.getRoot`, `Lean.Name.isInternal`: src/Lean/Data/Name.lean,
src/Init/Meta.lean.) -/
def ourConstants (env : Environment) : Array (Name × ConstantInfo) :=
  env.constants.fold
    (fun (acc : Array (Name × ConstantInfo)) (name : Name) (info : ConstantInfo) =>
      if name.getRoot == `MLCatalogue && !name.isInternal then acc.push (name, info) else acc)
    #[]

/-- The module a constant comes from, if it is imported.
(`Lean.Environment.getModuleIdxFor?`, `Lean.Environment.header`,
`Lean.EnvironmentHeader.moduleNames`, `Lean.ModuleIdx.toNat`: src/Lean/Environment.lean.) -/
def moduleOf (env : Environment) (name : Name) : Option Name :=
  match env.getModuleIdxFor? name with
  | some idx => env.header.moduleNames[idx.toNat]?
  | none => none

/-- The signature as the hover shows it, or `""` when the delaborator fails.
(`Lean.PrettyPrinter.ppSignature : Name → MetaM FormatWithInfos`: src/Lean/PrettyPrinter.lean.) -/
def signatureOf (name : Name) : MetaM String := do
  try
    let formatted ← PrettyPrinter.ppSignature name
    return formatted.fmt.pretty
  catch _ =>
    return ""

/-- The JSON line for one declaration, or `none` for constants without a source range
(e.g. `match` auxiliaries). `findDeclarationRanges?` answers for `rec`, `casesOn`, `recOn`,
`noConfusion` … with the range of their inductive type, so those lines are written too; the
Python side keeps only names its source scan found.
(`Lean.findDeclarationRanges?`: src/Lean/DeclarationRange.lean; `Lean.findDocString?`:
src/Lean/DocString.lean; `Lean.PrettyPrinter.ppSignature`: src/Lean/PrettyPrinter.lean;
`Lean.collectAxioms`: src/Lean/Util/CollectAxioms.lean; `Lean.isStructure`,
`Lean.getStructureFields`: src/Lean/Structure.lean.) -/
def declarationJson (name : Name) (info : ConstantInfo) : MetaM (Option Json) := do
  let env ← getEnv
  match ← findDeclarationRanges? name with
  | none => return none
  | some ranges =>
    let signature ← signatureOf name
    let docstring ← findDocString? env name
    let axioms ← collectAxioms name
    let fields : Array Name :=
      if isStructure env name then getStructureFields env name else #[]
    let moduleName := (moduleOf env name).map (·.toString)
    return some <| Json.mkObj [
      ("name", toJson name.toString),
      ("kind", toJson (kindOf info)),
      ("module", toJson moduleName),
      ("signature", toJson signature),
      ("docstring", toJson docstring),
      ("range", rangeJson ranges.range),
      ("selection_range", rangeJson ranges.selectionRange),
      ("axioms", toJson (axioms.map (·.toString))),
      ("fields", toJson (fields.map (·.toString)))]

/-- Write the header line and one line per declaration to the file named by
`MLCATALOGUE_EXPORT` (default `build/lean-export.jsonl`).
(`IO.getEnv`, `IO.FS.writeFile`: src/Init/System/IO.lean; the `String → System.FilePath`
coercion: src/Init/System/FilePath.lean; `Lean.versionString`,
`Lean.githash`: src/Init/Meta.lean; `Lean.Json.compress`: src/Lean/Data/Json/Printer.lean.) -/
def exportAll : MetaM Unit := do
  let path := (← IO.getEnv "MLCATALOGUE_EXPORT").getD "build/lean-export.jsonl"
  let env ← getEnv
  let header := Json.mkObj [
    ("format", toJson (1 : Nat)),
    ("lean_version", toJson Lean.versionString),
    ("lean_githash", toJson Lean.githash)]
  let mut lines : Array String := #[header.compress]
  for (name, info) in ourConstants env do
    match ← declarationJson name info with
    | some json => lines := lines.push json.compress
    | none => pure ()
  IO.FS.writeFile path (String.intercalate "\n" lines.toList ++ "\n")
  IO.println s!"mlcatalogue export: {lines.size - 1} declarations written to {path}"

end MLCatalogueExport

#eval MLCatalogueExport.exportAll
