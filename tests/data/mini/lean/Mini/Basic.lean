import Mathlib

/-!
# A miniature catalogue

## Main definitions

* `square`: the square of a real number

## Main results

* `square_nonneg`: squares are nonnegative
* `Mini.two_mul_le_add_sq`: the AM–GM inequality for two reals
-/

namespace Mini

/-- The square of a real number. -/
def square (x : ℝ) : ℝ := x * x

/-- Squares are nonnegative. -/
theorem square_nonneg (x : ℝ) : 0 ≤ square x := by
  unfold square
  exact mul_self_nonneg x

/-- An auxiliary step, listed in `auxiliary.yaml`. -/
theorem sq_sub_nonneg (a b : ℝ) : 0 ≤ square (a - b) :=
  square_nonneg (a - b)

/-- **AM–GM for two reals.** -/
theorem two_mul_le_add_sq (a b : ℝ) : 2 * a * b ≤ a ^ 2 + b ^ 2 := by
  have h := sq_sub_nonneg a b
  unfold square at h
  nlinarith [h]

end Mini
