import Mathlib

/-!
# A sorry behind a result

## Main results

* `Mini.bad_lemma`: a result whose proof is missing
-/

namespace Mini

/-- A proof step that is not done. -/
theorem bad_step (x : ℝ) : 0 ≤ x * x := by
  sorry

/-- A result that rests on the unfinished step. -/
theorem bad_lemma (x : ℝ) : 0 ≤ x * x :=
  bad_step x

end Mini
