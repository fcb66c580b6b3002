import Mathlib

/-!
# Witnessed results (a fixture)

## Main definitions

* `W.Smooth`: an L-smooth function

## Main results

* `W.descent`: the descent lemma
* `W.mse`: the bias–variance decomposition
-/

namespace W

/-- An L-smooth function (a stand-in). -/
def Smooth (L : ℝ) : Prop := 0 ≤ L

/-- **Descent lemma** (a stand-in). -/
theorem descent (a : ℝ) : a ≤ a := le_refl a

/-- **Bias–variance decomposition** (a stand-in). -/
theorem mse (a : ℝ) : a = a := rfl

end W
