import Lake
open Lake DSL

package «mlcatalogue» where
  leanOptions := #[⟨`autoImplicit, false⟩]

require mathlib from git
  "https://github.com/leanprover-community/mathlib4" @ "v4.20.0"

@[default_target]
lean_lib MLCatalogue where
  srcDir := "lean"
