import Mathlib

/-!
# Entries whose statement has a wrong constant (a fixture)

Stand-ins for the declarations of four catalogue entries; the catalogue copies next to this file
state each conclusion with a constant that differs from the one its witness checks.

## Main results

* `W.descent`: the descent lemma
* `W.pl`: gradient descent under the PL inequality
* `W.meanVar`: the variance of the sample mean
* `W.erm`: the excess risk of ERM under uniform deviation
-/

namespace W

/-- **Descent lemma** (a stand-in). -/
theorem descent (a : ℝ) : a ≤ a := le_refl a

/-- **Linear rate under PL** (a stand-in). -/
theorem pl (a : ℝ) : a ≤ a := le_refl a

/-- **Variance of the sample mean** (a stand-in). -/
theorem meanVar (a : ℝ) : a = a := rfl

/-- **Excess risk of ERM** (a stand-in). -/
theorem erm (a : ℝ) : a ≤ a := le_refl a

end W
