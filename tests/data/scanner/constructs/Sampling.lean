/-
Hand-written fixture for the scanner tests: a module in the style of a Mathlib file, with
`_root_` declarations, docstrings over several lines, attributes and scoped notations.
-/
import Mathlib.MeasureTheory.Integral.Lebesgue.Basic

/-!
# Spread of a sampler

## Main definitions

* `Sampling.spread`: mean squared distance to a centre, in `ℝ≥0∞`.
* `Sampling.realSpread`: the same as a real number.

## Main results

* `Sampling.spread_zero`: a constant sampler has no spread.
* `Sampler.Bounded.spread_lt_top`: bounded samplers spread finitely.
-/

open MeasureTheory

namespace Sampling

variable {Ω : Type*} [MeasurableSpace Ω]

/-- The spread of `f` around `c`: the integral of the squared distance,
as an extended nonnegative real. -/
noncomputable def spread (f : Ω → ℝ) (c : ℝ) (μ : Measure Ω) : ℝ≥0∞ :=
  μ.lintegral fun ω => ENNReal.ofReal ((f ω - c) * (f ω - c))

/-- The spread as a real number (zero when it is infinite). -/
noncomputable def realSpread (f : Ω → ℝ) (c : ℝ) (μ : Measure Ω) : ℝ :=
  (spread f c μ).toReal

theorem _root_.Sampler.Bounded.spread_lt_top {f : Ω → ℝ} {c : ℝ} {μ : Measure Ω}
    [IsFiniteMeasure μ] (h : ∃ C, ∀ ω, |f ω| ≤ C) : spread f c μ < ∞ := by
  sorry

@[simp]
theorem spread_zero (c : ℝ) (μ : Measure Ω) : spread (fun _ => c) c μ = 0 := by
  simp [spread]

scoped notation "spread[" f "]" => Sampling.spread f 0 MeasureTheory.MeasureSpace.volume

theorem realSpread_nonneg (f : Ω → ℝ) (c : ℝ) (μ : Measure Ω) : realSpread f c μ ≥ 0 := by
  unfold realSpread; positivity

lemma realSpread_const' (c : ℝ) (μ : Measure Ω) : realSpread (fun _ => c) c μ = 0 := by
  simp [realSpread]

scoped notation "Dev[" f " | " c "]" => Sampling.realSpread f c MeasureTheory.MeasureSpace.volume

end Sampling
