import Lean

open Lean Elab Command

namespace My.Tactics

/-- The `foo` tactic. -/
syntax (name := fooTac) "foo" term : tactic

syntax "bar " ident : tactic

macro "baz" : tactic => `(tactic| rfl)

macro_rules
  | `(tactic| bar $x) => `(tactic| exact $x)

elab "qux" : tactic => do
  pure ()

elab_rules : tactic
  | `(tactic| foo $t) => do
    pure ()

notation:50 a " ≺ " b => a < b

infixl:65 " +++ " => HAppend.hAppend

/-- An option. -/
register_option my.verbose : Bool := { defValue := false }

initialize counterRef : IO.Ref Nat ← IO.mkRef 0

initialize pure ()

theorem base_thm : True := trivial

alias base_alias := base_thm

@[deprecated (since := "2024-01-01")] alias old_name := base_thm

alias ⟨forward, _⟩ := Iff.rfl

/-- Generates a theorem, which is not a declaration of this file. -/
macro "gen" : command => `(command| theorem generated : True := trivial)

def quoted : MacroM Syntax := `(theorem inside_quote : True := trivial)

end My.Tactics
