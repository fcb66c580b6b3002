import Mathlib

/-!
# Bias–variance decompositions

On a probability space `(Ω, μ)` we prove the three classical second-moment identities of
statistical learning, for real random variables in `L²`:

* the mean squared error of an estimator `T` of a constant `θ` splits into squared bias plus
  variance;
* the expected squared prediction error against a noisy response `f + ε` (with centred noise `ε`
  independent of the prediction `F`) splits into noise variance, squared bias and variance;
* the mean of pairwise independent variables with common variance `σ²` has variance `σ² / n`.

The proofs expand the squares pointwise, integrate term by term, and use
`ProbabilityTheory.variance_eq_integral`, `ProbabilityTheory.IndepFun.integral_mul'` and
`ProbabilityTheory.IndepFun.variance_sum`.

## Main results

* `mse_eq_bias_sq_add_variance`: `∫ (T - θ)² = (∫ T - θ)² + Var T`.
* `expected_sq_error_eq_noise_add_bias_sq_add_variance`: for centred noise `ε` independent
  of `F`, `∫ (f + ε - F)² = Var ε + (f - ∫ F)² + Var F`.
* `variance_finset_mean`: the mean over a nonempty finset of pairwise independent `L²` variables
  with common variance `σ²` has variance `σ² / s.card`.
* `variance_sample_mean`: the same for `n > 0` variables indexed by `Fin n`: variance `σ² / n`.

## References

* T. Hastie, R. Tibshirani, J. Friedman, *The Elements of Statistical Learning*, §7.3.
* I. Goodfellow, Y. Bengio, A. Courville, *Deep Learning*, §5.4.
* S. Shalev-Shwartz, S. Ben-David, *Understanding Machine Learning*, Appendix B.2.
-/

open MeasureTheory ProbabilityTheory

namespace MLCatalogue

variable {Ω : Type*} [MeasurableSpace Ω] {μ : Measure Ω} [IsProbabilityMeasure μ]

/-- Expansion of the second moment about a constant: for `T ∈ L²` on a probability space,
`∫ (T - θ)² = ∫ T² - 2 θ ∫ T + θ²`. -/
theorem integral_sub_const_sq {T : Ω → ℝ} (hT : MemLp T 2 μ) (θ : ℝ) :
    ∫ ω, (T ω - θ) ^ 2 ∂μ = ∫ ω, T ω ^ 2 ∂μ - 2 * θ * ∫ ω, T ω ∂μ + θ ^ 2 := by
  have iT2 : Integrable (fun ω ↦ T ω ^ 2) μ := hT.integrable_sq
  have iT : Integrable T μ := hT.integrable one_le_two
  have iT' : Integrable (fun ω ↦ 2 * θ * T ω) μ := iT.const_mul (2 * θ)
  have iD : Integrable (fun ω ↦ T ω ^ 2 - 2 * θ * T ω) μ := iT2.sub iT'
  have iC : Integrable (fun _ : Ω ↦ θ ^ 2) μ := integrable_const (θ ^ 2)
  have e0 : ∫ ω, (T ω - θ) ^ 2 ∂μ = ∫ ω, T ω ^ 2 - 2 * θ * T ω + θ ^ 2 ∂μ :=
    integral_congr_ae (ae_of_all μ (fun ω ↦ by ring))
  have e1 : ∫ ω, T ω ^ 2 - 2 * θ * T ω + θ ^ 2 ∂μ
      = ∫ ω, T ω ^ 2 - 2 * θ * T ω ∂μ + ∫ _ : Ω, θ ^ 2 ∂μ :=
    integral_add iD iC
  have e2 : ∫ ω, T ω ^ 2 - 2 * θ * T ω ∂μ
      = ∫ ω, T ω ^ 2 ∂μ - ∫ ω, 2 * θ * T ω ∂μ :=
    integral_sub iT2 iT'
  have e3 : ∫ ω, 2 * θ * T ω ∂μ = 2 * θ * ∫ ω, T ω ∂μ :=
    integral_const_mul (2 * θ) T
  have e4 : ∫ _ : Ω, θ ^ 2 ∂μ = θ ^ 2 := by
    simp only [integral_const, measureReal_univ_eq_one, smul_eq_mul, one_mul, one_smul]
  linear_combination e0 + e1 + e2 - e3 + e4

/-- The variance of `T ∈ L²` on a probability space is `∫ T² - (∫ T)²`
(derived from `ProbabilityTheory.variance_eq_integral`). -/
theorem variance_eq_integral_sq_sub_sq {T : Ω → ℝ} (hT : MemLp T 2 μ) :
    variance T μ = ∫ ω, T ω ^ 2 ∂μ - (∫ ω, T ω ∂μ) ^ 2 := by
  have hv0 : variance T μ = ∫ ω, (T ω - ∫ ω', T ω' ∂μ) ^ 2 ∂μ :=
    variance_eq_integral hT.aestronglyMeasurable.aemeasurable
  have hv1 : ∫ ω, (T ω - ∫ ω', T ω' ∂μ) ^ 2 ∂μ
      = ∫ ω, T ω ^ 2 ∂μ - 2 * (∫ ω', T ω' ∂μ) * ∫ ω, T ω ∂μ + (∫ ω', T ω' ∂μ) ^ 2 :=
    integral_sub_const_sq hT (∫ ω', T ω' ∂μ)
  linear_combination hv0 + hv1

/-- **Bias–variance decomposition of the mean squared error.** For a real random variable
(estimator) `T ∈ L²` on a probability space and a constant `θ`,
`∫ (T - θ)² = (∫ T - θ)² + Var T`, i.e. MSE = bias² + variance. -/
theorem mse_eq_bias_sq_add_variance {T : Ω → ℝ} (hT : MemLp T 2 μ) (θ : ℝ) :
    ∫ ω, (T ω - θ) ^ 2 ∂μ = (∫ ω, T ω ∂μ - θ) ^ 2 + variance T μ := by
  have h1 : ∫ ω, (T ω - θ) ^ 2 ∂μ = ∫ ω, T ω ^ 2 ∂μ - 2 * θ * ∫ ω, T ω ∂μ + θ ^ 2 :=
    integral_sub_const_sq hT θ
  have h2 : variance T μ = ∫ ω, T ω ^ 2 ∂μ - (∫ ω, T ω ∂μ) ^ 2 :=
    variance_eq_integral_sq_sub_sq hT
  linear_combination h1 - h2

/-- **Bias–variance decomposition of the expected prediction error.** Let the response be
`f + ε` with a constant `f` and noise `ε ∈ L²` of mean zero, and let the prediction `F ∈ L²` be
independent of `ε`. Then
`∫ (f + ε - F)² = Var ε + (f - ∫ F)² + Var F` (noise + bias² + variance). -/
theorem expected_sq_error_eq_noise_add_bias_sq_add_variance {ε F : Ω → ℝ} (f : ℝ)
    (hε : MemLp ε 2 μ) (hε0 : ∫ ω, ε ω ∂μ = 0) (hF : MemLp F 2 μ) (hind : IndepFun ε F μ) :
    ∫ ω, (f + ε ω - F ω) ^ 2 ∂μ = variance ε μ + (f - ∫ ω, F ω ∂μ) ^ 2 + variance F μ := by
  have iε2 : Integrable (fun ω ↦ ε ω ^ 2) μ := hε.integrable_sq
  have iε : Integrable ε μ := hε.integrable one_le_two
  have iF : Integrable F μ := hF.integrable one_le_two
  have iε' : Integrable (fun ω ↦ 2 * f * ε ω) μ := iε.const_mul (2 * f)
  have iεF : Integrable (fun ω ↦ ε ω * F ω) μ := hind.integrable_mul iε iF
  have iεF' : Integrable (fun ω ↦ 2 * (ε ω * F ω)) μ := iεF.const_mul 2
  have iA : Integrable (fun ω ↦ ε ω ^ 2 + 2 * f * ε ω) μ := iε2.add iε'
  have iB : Integrable (fun ω ↦ ε ω ^ 2 + 2 * f * ε ω - 2 * (ε ω * F ω)) μ := iA.sub iεF'
  have iC : Integrable (fun ω ↦ (F ω - f) ^ 2) μ := (hF.sub (memLp_const f)).integrable_sq
  have e0 : ∫ ω, (f + ε ω - F ω) ^ 2 ∂μ
      = ∫ ω, ε ω ^ 2 + 2 * f * ε ω - 2 * (ε ω * F ω) + (F ω - f) ^ 2 ∂μ :=
    integral_congr_ae (ae_of_all μ (fun ω ↦ by ring))
  have e1 : ∫ ω, ε ω ^ 2 + 2 * f * ε ω - 2 * (ε ω * F ω) + (F ω - f) ^ 2 ∂μ
      = ∫ ω, ε ω ^ 2 + 2 * f * ε ω - 2 * (ε ω * F ω) ∂μ + ∫ ω, (F ω - f) ^ 2 ∂μ :=
    integral_add iB iC
  have e2 : ∫ ω, ε ω ^ 2 + 2 * f * ε ω - 2 * (ε ω * F ω) ∂μ
      = ∫ ω, ε ω ^ 2 + 2 * f * ε ω ∂μ - ∫ ω, 2 * (ε ω * F ω) ∂μ :=
    integral_sub iA iεF'
  have e3 : ∫ ω, ε ω ^ 2 + 2 * f * ε ω ∂μ = ∫ ω, ε ω ^ 2 ∂μ + ∫ ω, 2 * f * ε ω ∂μ :=
    integral_add iε2 iε'
  have e4 : ∫ ω, 2 * f * ε ω ∂μ = 2 * f * ∫ ω, ε ω ∂μ :=
    integral_const_mul (2 * f) ε
  have e5 : ∫ ω, 2 * (ε ω * F ω) ∂μ = 2 * ∫ ω, ε ω * F ω ∂μ :=
    integral_const_mul 2 (fun ω ↦ ε ω * F ω)
  have e6 : ∫ ω, ε ω * F ω ∂μ = (∫ ω, ε ω ∂μ) * ∫ ω, F ω ∂μ :=
    hind.integral_mul' hε.aestronglyMeasurable hF.aestronglyMeasurable
  have e7 : ∫ ω, (F ω - f) ^ 2 ∂μ = (∫ ω, F ω ∂μ - f) ^ 2 + variance F μ :=
    mse_eq_bias_sq_add_variance hF f
  have e8 : variance ε μ = ∫ ω, ε ω ^ 2 ∂μ - (∫ ω, ε ω ∂μ) ^ 2 :=
    variance_eq_integral_sq_sub_sq hε
  linear_combination e0 + e1 + e2 + e3 + e4 - e5 - 2 * e6 + e7 - e8 +
    (2 * f - 2 * ∫ ω, F ω ∂μ + ∫ ω, ε ω ∂μ) * hε0

/-- **Variance of a sample mean** (finset form). If the `X i`, `i ∈ s`, are in `L²`, pairwise
independent and all have variance `σ²`, and `s` is nonempty, then their mean
`(∑ i ∈ s, X i) / s.card` has variance `σ² / s.card`. -/
theorem variance_finset_mean {ι : Type*} {s : Finset ι} {X : ι → Ω → ℝ} {σ : ℝ}
    (hs : 0 < s.card) (hX : ∀ i ∈ s, MemLp (X i) 2 μ)
    (hind : Set.Pairwise (s : Set ι) fun i j ↦ IndepFun (X i) (X j) μ)
    (hvar : ∀ i ∈ s, variance (X i) μ = σ ^ 2) :
    variance (fun ω ↦ (∑ i ∈ s, X i ω) / (s.card : ℝ)) μ = σ ^ 2 / (s.card : ℝ) := by
  have hcard : (0 : ℝ) < (s.card : ℝ) := Nat.cast_pos.mpr hs
  have hne : (s.card : ℝ) ≠ 0 := hcard.ne.symm
  have h1 : (fun ω ↦ (∑ i ∈ s, X i ω) / (s.card : ℝ))
      = fun ω ↦ (s.card : ℝ)⁻¹ * (∑ i ∈ s, X i) ω := by
    funext ω
    rw [Finset.sum_apply, div_eq_inv_mul]
  have h2 : variance (fun ω ↦ (s.card : ℝ)⁻¹ * (∑ i ∈ s, X i) ω) μ
      = ((s.card : ℝ)⁻¹) ^ 2 * variance (∑ i ∈ s, X i) μ :=
    variance_mul ((s.card : ℝ)⁻¹) (∑ i ∈ s, X i) μ
  have h3 : variance (∑ i ∈ s, X i) μ = ∑ i ∈ s, variance (X i) μ :=
    IndepFun.variance_sum hX hind
  have h4 : ∑ i ∈ s, variance (X i) μ = ∑ _i ∈ s, σ ^ 2 :=
    Finset.sum_congr rfl hvar
  have h5 : ∑ _i ∈ s, σ ^ 2 = (s.card : ℝ) * σ ^ 2 := by
    rw [Finset.sum_const, nsmul_eq_mul]
  have h6 : ((s.card : ℝ)⁻¹) ^ 2 * ((s.card : ℝ) * σ ^ 2) = σ ^ 2 / (s.card : ℝ) := by
    calc ((s.card : ℝ)⁻¹) ^ 2 * ((s.card : ℝ) * σ ^ 2)
        = (s.card : ℝ)⁻¹ * ((s.card : ℝ)⁻¹ * (s.card : ℝ)) * σ ^ 2 := by ring
      _ = (s.card : ℝ)⁻¹ * 1 * σ ^ 2 := by rw [inv_mul_cancel₀ hne]
      _ = σ ^ 2 / (s.card : ℝ) := by ring
  calc variance (fun ω ↦ (∑ i ∈ s, X i ω) / (s.card : ℝ)) μ
      = variance (fun ω ↦ (s.card : ℝ)⁻¹ * (∑ i ∈ s, X i) ω) μ := by rw [h1]
    _ = ((s.card : ℝ)⁻¹) ^ 2 * variance (∑ i ∈ s, X i) μ := h2
    _ = ((s.card : ℝ)⁻¹) ^ 2 * ∑ i ∈ s, variance (X i) μ := by rw [h3]
    _ = ((s.card : ℝ)⁻¹) ^ 2 * ((s.card : ℝ) * σ ^ 2) := by rw [h4, h5]
    _ = σ ^ 2 / (s.card : ℝ) := h6

/-- **Variance of a sample mean.** If `X 0, …, X (n-1)` (`n > 0`) are in `L²`, pairwise
independent and all have variance `σ²`, then their mean `(∑ i, X i) / n` has variance
`σ² / n`. -/
theorem variance_sample_mean {n : ℕ} {X : Fin n → Ω → ℝ} {σ : ℝ} (hn : 0 < n)
    (hX : ∀ i, MemLp (X i) 2 μ) (hind : Pairwise fun i j ↦ IndepFun (X i) (X j) μ)
    (hvar : ∀ i, variance (X i) μ = σ ^ 2) :
    variance (fun ω ↦ (∑ i, X i ω) / (n : ℝ)) μ = σ ^ 2 / (n : ℝ) := by
  have hcard : (Finset.univ : Finset (Fin n)).card = n := Finset.card_fin n
  have hs : 0 < (Finset.univ : Finset (Fin n)).card := by
    rw [hcard]
    exact hn
  have h := variance_finset_mean (μ := μ) (s := Finset.univ) (X := X) (σ := σ) hs
    (fun i _ ↦ hX i) (fun i _ j _ hij ↦ hind hij) (fun i _ ↦ hvar i)
  rw [hcard] at h
  exact h

end MLCatalogue
