/-
Hand-written fixture for the scanner tests: notation classes, every notation command, a
`syntax` with its `macro_rules`, a named `syntax`, and named and anonymous instances.
-/
import Lean

/-- Types with a mirror operation, written `aᵐ`. -/
@[notation_class]
class Mirror (α : Type u) where
  /-- The mirror image. -/
  mirror : α → α

@[inherit_doc] postfix:1024 "ᵐ" => Mirror.mirror

/-- Types with a blend operation. -/
class Blend (α : Type u) where
  blend : α → α → α

/-- The blend of `a` and `b`, written `a ⋈ b`. -/
syntax:65 term:65 " ⋈ " term:66 : term

macro_rules
  | `($a ⋈ $b) => `(Blend.blend $a $b)

namespace Demo.Meta

open Lean Meta

/-- Whether `e` is a type with a `Blend` instance. -/
def hasBlend (e : Expr) : MetaM Bool := do
  return (← trySynthInstance (mkApp (mkConst ``Blend [levelZero]) e)).isSome

def blendName : Name := ``Blend.blend

end Demo.Meta

/-- Types with a sideways arrow. -/
class Tilt (α : Type u) where
  tilt : α → α → α

infixr:60 " ⤳ " => Tilt.tilt

/-- Types with a double negation-like operation. -/
class Twice (α : Type u) where
  twice : α → α

prefix:72 "⁑" => Twice.twice

/-- Types with a distinguished element `◆`. -/
class Diamond (α : Type u) where
  diamond : α

notation "◆" => Diamond.diamond

/-- A way to lift `α` into `β`. -/
class Lift (α : Type u) (β : Type v) where
  lift : α → β

/-- Lifting written as a prefix. -/
syntax:1024 (name := liftNotation) "⇡" term:1024 : term

/-- A lift that may depend on the value. -/
class LiftDep (α : Type u) (a : α) (β : Type v) where
  liftDep : β

instance [Lift α β] {a : α} : LiftDep α a β := ⟨Lift.lift a⟩

instance boolLift : Lift Bool Prop := ⟨fun b => b = true⟩

instance [Lift α β] [Lift β γ] : Lift α γ := ⟨fun a => Lift.lift (Lift.lift a : β)⟩

instance diamond_nonempty [Diamond α] : Nonempty α := ⟨◆⟩

instance : Diamond Unit := ⟨()⟩
