import Mathlib.Probability.Variance

/-!
# Bias and variance of an estimator

## Main definitions

* `MLCatalogue.mse`: the mean squared error of an estimator.

## Main results

* `MLCatalogue.mse_eq_bias_sq_add_variance`: mean squared error = bias² + variance.
* `MLCatalogue.mse_nonneg`: the mean squared error is nonnegative.
* `MLCatalogue.variance_sample_mean`: the variance of the mean of `n` uncorrelated samples.
-/

open MeasureTheory ProbabilityTheory

namespace MLCatalogue

variable {Ω : Type*} [MeasurableSpace Ω]

/-- The mean squared error `𝔼[(X - θ)²]` of an estimator `X` of `θ`. -/
noncomputable def mse (μ : Measure Ω) (X : Ω → ℝ) (θ : ℝ) : ℝ :=
  μ[fun ω => (X ω - θ) ^ 2]

/-- The mean squared error of a square-integrable estimator is its squared bias plus its
variance. -/
theorem mse_eq_bias_sq_add_variance (μ : Measure Ω) [IsProbabilityMeasure μ] {X : Ω → ℝ}
    (hX : MemLp X 2 μ) (θ : ℝ) :
    mse μ X θ = (μ[X] - θ) ^ 2 + variance X μ := by
  -- expand the square around the mean
  unfold mse
  rw [variance_def' hX, ← integral_sub_sq_eq hX]
  ring

/-- The mean squared error is nonnegative. -/
theorem mse_nonneg (μ : Measure Ω) (X : Ω → ℝ) (θ : ℝ) : 0 ≤ mse μ X θ := by
  unfold mse
  exact integral_nonneg fun ω => sq_nonneg _

/-- The variance of the mean of `n` independent copies is the variance divided by `n`. -/
theorem variance_sample_mean (μ : Measure Ω) [IsProbabilityMeasure μ] (n : ℕ) (hn : 0 < n)
    (X : Fin n → Ω → ℝ) (hX : ∀ i, MemLp (X i) 2 μ) (σ2 : ℝ) (hσ : ∀ i, variance (X i) μ = σ2) :
    variance (fun ω => (∑ i, X i ω) / n) μ = σ2 / n := by
  sorry

end MLCatalogue
