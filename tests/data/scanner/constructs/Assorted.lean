/-
Hand-written fixture for the scanner tests: the commands, modifiers and layouts that real
projects put around their declarations (module headers, `omit … in`, mutual blocks with
`termination_by`, builtin options, helpers at the column of their body, indented namespaces).
-/
module

public import Demo.Base
import all Demo.Internal

@[expose] public section

namespace Demo.Assorted

open scoped Classical in
/-- A bound chosen once and for all. -/
irreducible_def threshold : Nat := 7

/-- A binary operation. -/
class Magma (α : Type u) where
  op : α → α → α

/-- An associative binary operation. -/
class Semigroup' (α : Type u) extends Magma α where
  assoc : ∀ a b c : α, op (op a b) c = op a (op b c)

instance (priority := 100) Semigroup'.toMagmaAgain [Semigroup' α] : Magma α := ⟨Magma.op⟩

scoped[Demo] infixr:90 " ⊚ " => Magma.op

export Magma (op)

/-- Settings of a search. -/
structure Settings where
  /-- How many rounds to run. -/
  rounds : Nat := 3
  verbose : Bool := false
  deriving Repr, BEq

initialize_simps_projections Settings (rounds → count)

@[simps (attr := grind =) rounds]
protected def id : Settings := {}

protected theorem false : ¬False := fun h => h

#align demo.threshold Demo.Assorted.threshold

mutual
  inductive Tree where
    | leaf : Nat → Tree
    | node : Grove → Tree
  inductive Grove where
    | nil : Grove
    | cons : Tree → Grove → Grove
end

mutual
  def Tree.weight : Tree → Nat
    | .leaf n => n
    | .node g => g.weight + 1
  termination_by t => sizeOf t
  def Grove.weight : Grove → Nat
    | .nil => 0
    | .cons t g => t.weight + g.weight
  termination_by g => sizeOf g
end

section Omitted
variable {α : Type} [Inhabited α] [DecidableEq α] (n : Nat)

omit [Inhabited α] in
theorem length_nil : ([] : List α).length = 0 := rfl

omit [Inhabited α]
  [DecidableEq α] in
@[simp] lemma add_zero' : n + 0 = n := rfl

noncomputable nonrec
abbrev pick (l : List α) : α := l.headD default

variable (n) in
meta def twiceOf : Nat := 2 * n

end Omitted

builtin_initialize depthRef : IO.Ref Nat ← IO.mkRef 0

register_builtin_option demo.depth : Nat := {
  defValue := 2
  descr := "search depth"
}

/-- Apply `f` until it returns `none`; may run forever. -/
partial def iterate (f : Nat → Option Nat) (n : Nat) : Nat :=
  loop n
  where
  loop (k : Nat) : Nat :=
  match f k with
  | some k' => loop k'
  | none => k

noncomputable section Choice

def chosen : Nat := Classical.choice ⟨0⟩

end Choice

  namespace Indented

  /-- A name for strings that are paths. -/
  def PathName := String
    deriving Inhabited, BEq

  theorem inner : True := trivial

  end Indented

instance instInhabitedSettings : Inhabited Settings where
  default := {}

end Demo.Assorted
