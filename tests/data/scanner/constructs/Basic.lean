import Mathlib.Probability.Variance
public import Batteries.Data.List

/-!
# Basic constructs

## Main definitions

* `Foo.Bar.risk`: the risk.
- `Foo.Bar.Point`: a point.

## Main results

* `Foo.Bar.risk_nonneg`: risk is nonnegative,
  with a second line that is not a bullet.
-/

namespace Foo.Bar

/-- The risk. -/
def risk (x : Nat) : Nat := x

@[simp, grind =]
theorem risk_nonneg (x : Nat) : 0 ≤ risk x := Nat.zero_le _

/-- A lemma. -/
@[inherit_doc risk]
protected lemma risk_eq (x : Nat) :
    risk x = x := rfl

private theorem hidden : True := trivial

noncomputable def choice' : Nat := Classical.choice ⟨0⟩

abbrev Real' := Nat

structure Point where
  x : Nat
  y : Nat := 0
  deriving Repr

class Measure' (α : Type) where
  mass : α → Nat

class inductive Tree
  | leaf
  | node (l r : Tree)

inductive Color : Type
  | red | green
  deriving DecidableEq

instance instMeasureNat : Measure' Nat := ⟨id⟩

instance : Inhabited Point := ⟨⟨0, 0⟩⟩

axiom choice_ax : Nat

opaque secret : Nat

example : 1 = 1 := rfl

theorem _root_.top_level : True := trivial

theorem «weird name» : True := trivial

end Bar

theorem in_foo : True := trivial

section Inner
variable (n : Nat)

set_option maxHeartbeats 400000 in
theorem with_option : n = n := rfl

open Nat in
/-- After open in. -/
theorem after_open : True := trivial

variable (m : Nat) in
theorem after_variable : m = m := rfl

#guard_msgs in
theorem after_guard : True := trivial

end Inner

mutual
  def isEven : Nat → Bool
    | 0 => true
    | n + 1 => isOdd n
  def isOdd : Nat → Bool
    | 0 => false
    | n + 1 => isEven n
end

def outer (n : Nat) : Nat := go n
where
  go : Nat → Nat
    | 0 => 0
    | k + 1 => go k
  helper := 3

partial def loop (n : Nat) : Nat := loop n

unsafe def danger : Nat := 0

def count : Nat → Nat
  | 0 => 0
  | n + 1 => count n
termination_by n => n

theorem admitted : 1 = 2 := by
  -- sorry in a comment does not count
  sorry

theorem not_admitted : "sorry".length = 5 := rfl

scoped instance scopedInst : Inhabited Color := ⟨.red⟩

end Foo
