/-
Hand-written fixture for the scanner tests: a tactic file with options, a named `syntax`, its
`elab_rules`, quotations that contain command keywords, and an unnamed `initialize`.
-/
import Lean.Elab.Tactic.Basic
import Lean.Util.Trace

/-!
# The `echo` tactic

`echo tac` runs `tac` and logs the goals it leaves.
-/

open Lean Elab Tactic

namespace Demo.Tactic.Echo

/-- When set, `echo` also logs the goals before running its tactic. -/
register_option echo.before : Bool := {
  defValue := false
  descr := "log the goals before the tactic too"
}

/-- When set, `echo` stays silent. -/
register_option echo.quiet : Bool := {
  defValue := false
  descr := "make echo silent"
}

/-- Runs `tac` and returns the goals it leaves, pretty-printed. -/
def runAndShow (tac : TSyntax ``Lean.Parser.Tactic.tacticSeq) : TacticM (List MessageData) := do
  evalTactic tac
  let goals ← getGoals
  -- `theorem` and `def` in a comment are not commands
  return goals.map fun g => m!"{g}"

/-- `echo tac` runs `tac`, then logs the remaining goals. -/
syntax (name := echo) "echo " tacticSeq : tactic

elab_rules : tactic
  | `(tactic| echo $tacs) => do
    let shown ← runAndShow tacs
    let _ ← `(command| def shadow : Nat := 0)
    unless echo.quiet.get (← getOptions) do
      logInfo (MessageData.joinSep shown "\n")

initialize registerTraceClass `Demo.echo

end Demo.Tactic.Echo
