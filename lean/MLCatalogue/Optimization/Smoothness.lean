import Mathlib
import MLCatalogue.Optimization.GradientDescent

/-!
# Smoothness and convexity bridges for gradient descent

The gradient-descent cores in `MLCatalogue.Optimization.GradientDescent` take the quadratic upper
bound and the first-order (strong) convexity inequality as plain hypotheses about a function
`f : E → ℝ` and a vector field `g : E → E`. This file derives those hypotheses from Mathlib's
analytic notions (`HasGradientAt`, `LipschitzWith`, `ConvexOn`, `StrongConvexOn`) by restricting
`f` to the line `t ↦ x + t • (y - x)`, and plugs them into the cores.

## Main results

* `quadraticUpperBound_of_lipschitz_gradient`: the descent lemma; a differentiable function whose
  gradient is `K`-Lipschitz satisfies `f y ≤ f x + ⟪∇f x, y - x⟫ + K / 2 * ‖y - x‖ ^ 2`.
* `firstOrderConvex_of_convexOn`: a differentiable convex function lies above its tangent planes.
* `firstOrderStronglyConvex_of_strongConvexOn`: a differentiable `μ`-strongly convex function lies
  above its tangent planes plus `μ / 2 * ‖y - x‖ ^ 2`.
* `gd_convex_rate_of_lipschitz_gradient`: gradient descent with step `1 / K` on a convex function
  with `K`-Lipschitz gradient has `f (x k) - f x⋆ ≤ K ‖x₀ - x⋆‖ ^ 2 / (2 k)`.
* `gd_strongly_convex_rate_of_lipschitz_gradient`: the linear rate `(1 - μ / K) ^ k` of the values
  for a `μ`-strongly convex function with `K`-Lipschitz gradient.
* `gd_strongly_convex_dist_rate_of_lipschitz_gradient`: the same linear rate for the squared
  distance to the minimiser.
* `gd_pl_rate_of_lipschitz_gradient`: the linear rate `(1 - μ / K) ^ k` under the
  Polyak–Łojasiewicz inequality for a function with `K`-Lipschitz gradient.
* `gd_nonconvex_stationarity_of_lipschitz_gradient`: for a function with `K`-Lipschitz gradient
  bounded below by `finf`, some `i < k` has `‖∇f (x i)‖ ^ 2 ≤ 2 K (f x₀ - finf) / k`.

## References

* Y. Nesterov, *Lectures on Convex Optimization*, 2nd ed., Lemma 1.2.3 (descent lemma).
* S. Bubeck, *Convex Optimization: Algorithms and Complexity*, Lemma 3.4 and Theorem 3.3.
* S. Boyd and L. Vandenberghe, *Convex Optimization*, §3.1.3 (first-order condition).
-/

open scoped InnerProductSpace RealInnerProductSpace NNReal

namespace MLCatalogue

variable {E : Type*} [NormedAddCommGroup E] [InnerProductSpace ℝ E] [CompleteSpace E]
  {f : E → ℝ} {g : E → E}

/-! ### One-dimensional lemmas -/

/-- If `φ` has derivative `φ' t` at every `t` and `φ' t ≤ a + c * t` for `t ≥ 0`, then
`φ 1 ≤ φ 0 + a + c / 2` (integrate the bound over `[0, 1]`; proved with the mean value
theorem applied to `φ t - (a * t + c / 2 * t ^ 2)`). -/
theorem le_add_of_hasDerivAt_le_affine {φ φ' : ℝ → ℝ} {a c : ℝ}
    (hφ : ∀ t, HasDerivAt φ (φ' t) t) (hb : ∀ t, 0 ≤ t → φ' t ≤ a + c * t) :
    φ 1 ≤ φ 0 + a + c / 2 := by
  have hψ : ∀ t : ℝ, HasDerivAt (fun s : ℝ ↦ φ s - (a * s + c / 2 * (s * s)))
      (φ' t - (a * 1 + c / 2 * (1 * t + t * 1))) t := by
    intro t
    have hid : HasDerivAt (fun s : ℝ ↦ s) 1 t := hasDerivAt_id' t
    have hsq : HasDerivAt (fun s : ℝ ↦ s * s) (1 * t + t * 1) t := hid.mul hid
    have hlin : HasDerivAt (fun s : ℝ ↦ a * s) (a * 1) t := hid.const_mul a
    have hquad : HasDerivAt (fun s : ℝ ↦ c / 2 * (s * s)) (c / 2 * (1 * t + t * 1)) t :=
      hsq.const_mul (c / 2)
    have hp : HasDerivAt (fun s : ℝ ↦ a * s + c / 2 * (s * s))
        (a * 1 + c / 2 * (1 * t + t * 1)) t := hlin.add hquad
    exact (hφ t).sub hp
  have hcont : ContinuousOn (fun s : ℝ ↦ φ s - (a * s + c / 2 * (s * s))) (Set.Icc 0 1) :=
    fun t _ ↦ (hψ t).continuousAt.continuousWithinAt
  have h01 : (0 : ℝ) < 1 := by norm_num
  obtain ⟨ξ, ⟨hξ0, _⟩, hξ⟩ := exists_hasDerivAt_eq_slope
    (fun s : ℝ ↦ φ s - (a * s + c / 2 * (s * s)))
    (fun t : ℝ ↦ φ' t - (a * 1 + c / 2 * (1 * t + t * 1))) h01 hcont (fun t _ ↦ hψ t)
  have heq : φ' ξ - (a * 1 + c / 2 * (1 * ξ + ξ * 1)) =
      (φ 1 - (a * 1 + c / 2 * (1 * 1)) - (φ 0 - (a * 0 + c / 2 * (0 * 0)))) / (1 - 0) := hξ
  rw [sub_zero, div_one] at heq
  have e1 : a * 1 + c / 2 * (1 * ξ + ξ * 1) = a + c * ξ := by ring
  have e2 : φ 1 - (a * 1 + c / 2 * (1 * 1)) - (φ 0 - (a * 0 + c / 2 * (0 * 0))) =
      φ 1 - φ 0 - a - c / 2 := by ring
  have hbξ : φ' ξ ≤ a + c * ξ := hb ξ (le_of_lt hξ0)
  linarith [heq, e1, e2, hbξ]

/-- For `ψ : ℝ → ℝ` convex on `ℝ` with derivative `ψ'` at `0`: `ψ' ≤ ψ 1 - ψ 0`. -/
theorem le_sub_of_convexOn_of_hasDerivAt {ψ : ℝ → ℝ} {ψ' : ℝ}
    (hψ : ConvexOn ℝ Set.univ ψ) (hd : HasDerivAt ψ ψ' 0) : ψ' ≤ ψ 1 - ψ 0 := by
  have h01 : (0 : ℝ) < 1 := by norm_num
  have h : ψ' ≤ slope ψ 0 1 :=
    hψ.le_slope_of_hasDerivAt (Set.mem_univ (0 : ℝ)) (Set.mem_univ (1 : ℝ)) h01 hd
  rw [slope_def_field, sub_zero, div_one] at h
  exact h

/-! ### Restriction to a line -/

/-- The affine line `s ↦ x + s • d` has derivative `d`. -/
theorem hasDerivAt_add_smul (x d : E) (t : ℝ) :
    HasDerivAt (fun s : ℝ ↦ x + s • d) d t := by
  have h1 : HasDerivAt (fun s : ℝ ↦ s • d) ((1 : ℝ) • d) t := (hasDerivAt_id' t).smul_const d
  have h2 : HasDerivAt (fun s : ℝ ↦ s • d) d t := h1.congr_deriv (one_smul ℝ d)
  exact h2.const_add x

/-- Chain rule along a line: if `g x` is the gradient of `f` at every `x`, then
`s ↦ f (x + s • d)` has derivative `⟪g (x + t • d), d⟫` at `t`. -/
theorem hasDerivAt_comp_add_smul (hf : ∀ x, HasGradientAt f (g x) x) (x d : E) (t : ℝ) :
    HasDerivAt (fun s : ℝ ↦ f (x + s • d)) ⟪g (x + t • d), d⟫_ℝ t := by
  have hfd : HasFDerivAt f (InnerProductSpace.toDual ℝ E (g (x + t • d))) (x + t • d) :=
    hasGradientAt_iff_hasFDerivAt.mp (hf (x + t • d))
  have hcomp := hfd.comp_hasDerivAt t (hasDerivAt_add_smul x d t)
  have happ : InnerProductSpace.toDual ℝ E (g (x + t • d)) d = ⟪g (x + t • d), d⟫_ℝ :=
    InnerProductSpace.toDual_apply
  exact hcomp.congr_deriv happ

/-- A function convex on `E` is convex along every line `t ↦ x + t • d`. -/
theorem convexOn_comp_add_smul {h : E → ℝ} (hc : ConvexOn ℝ Set.univ h) (x d : E) :
    ConvexOn ℝ Set.univ (fun t : ℝ ↦ h (x + t • d)) := by
  refine ⟨convex_univ, ?_⟩
  intro a _ b _ α β hα hβ hαβ
  have hpt : α • (x + a • d) + β • (x + b • d) = x + (α * a + β * b) • d := by
    calc α • (x + a • d) + β • (x + b • d)
        = (α • x + β • x) + ((α * a) • d + (β * b) • d) := by
          rw [smul_add, smul_add, smul_smul, smul_smul]
          abel
      _ = (α + β) • x + (α * a + β * b) • d := by rw [add_smul, add_smul]
      _ = x + (α * a + β * b) • d := by rw [hαβ, one_smul]
  have key := hc.2 (Set.mem_univ (x + a • d)) (Set.mem_univ (x + b • d)) hα hβ hαβ
  rw [hpt] at key
  show h (x + (α * a + β * b) • d) ≤ α * h (x + a • d) + β * h (x + b • d)
  exact key

/-- Along a line, a `K`-Lipschitz gradient field grows at most linearly:
`⟪g (x + s • d), d⟫ ≤ ⟪g x, d⟫ + K * ‖d‖ ^ 2 * s` for `s ≥ 0`. -/
theorem inner_comp_add_smul_le {K : ℝ≥0} (hg : LipschitzWith K g) (x d : E) {s : ℝ}
    (hs : 0 ≤ s) : ⟪g (x + s • d), d⟫_ℝ ≤ ⟪g x, d⟫_ℝ + (K : ℝ) * ‖d‖ ^ 2 * s := by
  have h1 : ⟪g (x + s • d), d⟫_ℝ = ⟪g x, d⟫_ℝ + ⟪g (x + s • d) - g x, d⟫_ℝ := by
    rw [inner_sub_left]
    ring
  have h2 : ⟪g (x + s • d) - g x, d⟫_ℝ ≤ ‖g (x + s • d) - g x‖ * ‖d‖ :=
    real_inner_le_norm (g (x + s • d) - g x) d
  have h3 : ‖g (x + s • d) - g x‖ ≤ (K : ℝ) * ‖x + s • d - x‖ :=
    lipschitzWith_iff_norm_sub_le.mp hg (x + s • d) x
  have h4a : x + s • d - x = s • d := by abel
  have h4 : ‖x + s • d - x‖ = s * ‖d‖ := by
    rw [h4a, norm_smul, Real.norm_eq_abs, abs_of_nonneg hs]
  rw [h4] at h3
  have h5 : ‖g (x + s • d) - g x‖ * ‖d‖ ≤ (K : ℝ) * (s * ‖d‖) * ‖d‖ :=
    mul_le_mul_of_nonneg_right h3 (norm_nonneg d)
  have h6 : (K : ℝ) * (s * ‖d‖) * ‖d‖ = (K : ℝ) * ‖d‖ ^ 2 * s := by ring
  linarith [h1, h2, h5, h6]

/-! ### The bridges -/

/-- **Descent lemma.** If `g x` is the gradient of `f : E → ℝ` at every `x` and the gradient
field `g` is `K`-Lipschitz, then `f` satisfies the quadratic upper bound
`f y ≤ f x + ⟪g x, y - x⟫ + K / 2 * ‖y - x‖ ^ 2` for all `x, y`. -/
theorem quadraticUpperBound_of_lipschitz_gradient (hf : ∀ x, HasGradientAt f (g x) x)
    {K : ℝ≥0} (hg : LipschitzWith K g) : QuadraticUpperBound f g (K : ℝ) := by
  intro x y
  have hderiv : ∀ t : ℝ, HasDerivAt (fun s : ℝ ↦ f (x + s • (y - x)))
      ⟪g (x + t • (y - x)), y - x⟫_ℝ t :=
    fun t ↦ hasDerivAt_comp_add_smul hf x (y - x) t
  have hb : ∀ t : ℝ, 0 ≤ t → ⟪g (x + t • (y - x)), y - x⟫_ℝ ≤
      ⟪g x, y - x⟫_ℝ + (K : ℝ) * ‖y - x‖ ^ 2 * t :=
    fun t ht ↦ inner_comp_add_smul_le hg x (y - x) ht
  have key : f (x + (1 : ℝ) • (y - x)) ≤
      f (x + (0 : ℝ) • (y - x)) + ⟪g x, y - x⟫_ℝ + (K : ℝ) * ‖y - x‖ ^ 2 / 2 :=
    le_add_of_hasDerivAt_le_affine (φ := fun s : ℝ ↦ f (x + s • (y - x)))
      (φ' := fun t : ℝ ↦ ⟪g (x + t • (y - x)), y - x⟫_ℝ) hderiv hb
  have e0 : x + (0 : ℝ) • (y - x) = x := by rw [zero_smul, add_zero]
  have e1 : x + (1 : ℝ) • (y - x) = y := by
    rw [one_smul]
    abel
  rw [e0, e1] at key
  have e2 : (K : ℝ) * ‖y - x‖ ^ 2 / 2 = (K : ℝ) / 2 * ‖y - x‖ ^ 2 := by ring
  linarith [key, e2]

/-- **First-order characterisation of convexity.** If `g x` is the gradient of `f : E → ℝ` at
every `x` and `f` is convex, then `f x + ⟪g x, y - x⟫ ≤ f y` for all `x, y`. -/
theorem firstOrderConvex_of_convexOn (hf : ∀ x, HasGradientAt f (g x) x)
    (hc : ConvexOn ℝ Set.univ f) : FirstOrderConvex f g := by
  intro x y
  have hφ : ConvexOn ℝ Set.univ (fun t : ℝ ↦ f (x + t • (y - x))) :=
    convexOn_comp_add_smul hc x (y - x)
  have hd : HasDerivAt (fun t : ℝ ↦ f (x + t • (y - x)))
      ⟪g (x + (0 : ℝ) • (y - x)), y - x⟫_ℝ 0 :=
    hasDerivAt_comp_add_smul hf x (y - x) 0
  have key : ⟪g (x + (0 : ℝ) • (y - x)), y - x⟫_ℝ ≤
      f (x + (1 : ℝ) • (y - x)) - f (x + (0 : ℝ) • (y - x)) :=
    le_sub_of_convexOn_of_hasDerivAt hφ hd
  have e0 : x + (0 : ℝ) • (y - x) = x := by rw [zero_smul, add_zero]
  have e1 : x + (1 : ℝ) • (y - x) = y := by
    rw [one_smul]
    abel
  rw [e0, e1] at key
  linarith [key]

/-- **First-order characterisation of strong convexity.** If `g x` is the gradient of
`f : E → ℝ` at every `x` and `f` is `μ`-strongly convex, then
`f x + ⟪g x, y - x⟫ + μ / 2 * ‖y - x‖ ^ 2 ≤ f y` for all `x, y`. -/
theorem firstOrderStronglyConvex_of_strongConvexOn (hf : ∀ x, HasGradientAt f (g x) x)
    {μ : ℝ} (hsc : StrongConvexOn Set.univ μ f) : FirstOrderStronglyConvex f g μ := by
  intro x y
  have hconv : ConvexOn ℝ Set.univ (fun z : E ↦ f z - μ / (2 : ℝ) * ‖z‖ ^ 2) :=
    strongConvexOn_iff_convex.mp hsc
  have hψ : ConvexOn ℝ Set.univ
      (fun t : ℝ ↦ f (x + t • (y - x)) - μ / (2 : ℝ) * ‖x + t • (y - x)‖ ^ 2) :=
    convexOn_comp_add_smul hconv x (y - x)
  have hline : HasDerivAt (fun s : ℝ ↦ x + s • (y - x)) (y - x) 0 :=
    hasDerivAt_add_smul x (y - x) 0
  have hsq : HasDerivAt (fun s : ℝ ↦ ‖x + s • (y - x)‖ ^ 2)
      (2 * ⟪x + (0 : ℝ) • (y - x), y - x⟫_ℝ) 0 :=
    hline.norm_sq
  have hd : HasDerivAt
      (fun t : ℝ ↦ f (x + t • (y - x)) - μ / (2 : ℝ) * ‖x + t • (y - x)‖ ^ 2)
      (⟪g (x + (0 : ℝ) • (y - x)), y - x⟫_ℝ -
        μ / (2 : ℝ) * (2 * ⟪x + (0 : ℝ) • (y - x), y - x⟫_ℝ)) 0 :=
    (hasDerivAt_comp_add_smul hf x (y - x) 0).sub (hsq.const_mul (μ / (2 : ℝ)))
  have key : ⟪g (x + (0 : ℝ) • (y - x)), y - x⟫_ℝ -
        μ / (2 : ℝ) * (2 * ⟪x + (0 : ℝ) • (y - x), y - x⟫_ℝ) ≤
      (f (x + (1 : ℝ) • (y - x)) - μ / (2 : ℝ) * ‖x + (1 : ℝ) • (y - x)‖ ^ 2) -
        (f (x + (0 : ℝ) • (y - x)) - μ / (2 : ℝ) * ‖x + (0 : ℝ) • (y - x)‖ ^ 2) :=
    le_sub_of_convexOn_of_hasDerivAt hψ hd
  have e0 : x + (0 : ℝ) • (y - x) = x := by rw [zero_smul, add_zero]
  have e1 : x + (1 : ℝ) • (y - x) = y := by
    rw [one_smul]
    abel
  rw [e0, e1] at key
  have hxy : x + (y - x) = y := by abel
  have hn : ‖y‖ ^ 2 = ‖x‖ ^ 2 + 2 * ⟪x, y - x⟫_ℝ + ‖y - x‖ ^ 2 := by
    have h := norm_add_sq_real x (y - x)
    rw [hxy] at h
    exact h
  have hn' : μ / (2 : ℝ) * ‖y‖ ^ 2 =
      μ / (2 : ℝ) * ‖x‖ ^ 2 + μ * ⟪x, y - x⟫_ℝ + μ / (2 : ℝ) * ‖y - x‖ ^ 2 := by
    rw [hn]
    ring
  have h2 : μ / (2 : ℝ) * (2 * ⟪x, y - x⟫_ℝ) = μ * ⟪x, y - x⟫_ℝ := by ring
  linarith [key, hn', h2]

/-! ### Gradient descent for functions with a Lipschitz gradient -/

/-- **Gradient descent on a smooth convex function: the `O(1 / k)` rate.** If `g x` is the
gradient of the convex function `f : E → ℝ` at every `x` and `g` is `K`-Lipschitz with `K > 0`,
then gradient descent with step `1 / K` satisfies
`f (x k) - f x⋆ ≤ K * ‖x₀ - x⋆‖ ^ 2 / (2 * k)` for every point `x⋆` and every `k ≥ 1`. -/
theorem gd_convex_rate_of_lipschitz_gradient (hf : ∀ x, HasGradientAt f (g x) x) {K : ℝ≥0}
    (hg : LipschitzWith K g) (hK : 0 < (K : ℝ)) (hc : ConvexOn ℝ Set.univ f) (x₀ xstar : E)
    {k : ℕ} (hk : 0 < k) :
    f (gdIterate g (1 / (K : ℝ)) x₀ k) - f xstar ≤ (K : ℝ) * ‖x₀ - xstar‖ ^ 2 / (2 * k) :=
  gd_convex_rate hK (quadraticUpperBound_of_lipschitz_gradient hf hg)
    (firstOrderConvex_of_convexOn hf hc) x₀ xstar hk

/-- **Gradient descent on a smooth strongly convex function: linear rate of the values.** If
`g x` is the gradient of the `μ`-strongly convex function `f : E → ℝ` (`μ > 0`) at every `x`,
`g` is `K`-Lipschitz with `K > 0` and `x⋆` minimises `f`, then gradient descent with step `1 / K`
satisfies `f (x k) - f x⋆ ≤ (1 - μ / K) ^ k * (f x₀ - f x⋆)`. -/
theorem gd_strongly_convex_rate_of_lipschitz_gradient (hf : ∀ x, HasGradientAt f (g x) x)
    {K : ℝ≥0} (hg : LipschitzWith K g) (hK : 0 < (K : ℝ)) {μ : ℝ} (hμ : 0 < μ)
    (hsc : StrongConvexOn Set.univ μ f) (x₀ xstar : E) (hmin : ∀ y, f xstar ≤ f y) (k : ℕ) :
    f (gdIterate g (1 / (K : ℝ)) x₀ k) - f xstar ≤
      (1 - μ / (K : ℝ)) ^ k * (f x₀ - f xstar) :=
  gd_strongly_convex_rate hK hμ (quadraticUpperBound_of_lipschitz_gradient hf hg)
    (firstOrderStronglyConvex_of_strongConvexOn hf hsc) x₀ xstar hmin k

/-- **Gradient descent on a smooth strongly convex function: linear rate of the distance.** If
`g x` is the gradient of the `μ`-strongly convex function `f : E → ℝ` at every `x`, `g` is
`K`-Lipschitz with `K > 0` and `x⋆` minimises `f`, then gradient descent with step `1 / K`
satisfies `‖x k - x⋆‖ ^ 2 ≤ (1 - μ / K) ^ k * ‖x₀ - x⋆‖ ^ 2`. -/
theorem gd_strongly_convex_dist_rate_of_lipschitz_gradient (hf : ∀ x, HasGradientAt f (g x) x)
    {K : ℝ≥0} (hg : LipschitzWith K g) (hK : 0 < (K : ℝ)) {μ : ℝ}
    (hsc : StrongConvexOn Set.univ μ f) (x₀ xstar : E) (hmin : ∀ y, f xstar ≤ f y) (k : ℕ) :
    ‖gdIterate g (1 / (K : ℝ)) x₀ k - xstar‖ ^ 2 ≤ (1 - μ / (K : ℝ)) ^ k * ‖x₀ - xstar‖ ^ 2 :=
  gd_strongly_convex_dist_rate hK (quadraticUpperBound_of_lipschitz_gradient hf hg)
    (firstOrderStronglyConvex_of_strongConvexOn hf hsc) x₀ xstar hmin k

/-- **Gradient descent under the Polyak–Łojasiewicz inequality: linear rate.** If `g x` is the
gradient of `f : E → ℝ` at every `x`, `g` is `K`-Lipschitz with `K > 0`, `fstar` is a lower
bound of `f` and `μ * (f x - fstar) ≤ ‖g x‖ ^ 2 / 2` for all `x`, then gradient descent with step
`1 / K` satisfies `f (x k) - fstar ≤ (1 - μ / K) ^ k * (f x₀ - fstar)`. -/
theorem gd_pl_rate_of_lipschitz_gradient (hf : ∀ x, HasGradientAt f (g x) x) {K : ℝ≥0}
    (hg : LipschitzWith K g) (hK : 0 < (K : ℝ)) {μ fstar : ℝ}
    (hpl : PolyakLojasiewicz f g μ fstar) (hlow : ∀ y, fstar ≤ f y) (x₀ : E) (k : ℕ) :
    f (gdIterate g (1 / (K : ℝ)) x₀ k) - fstar ≤ (1 - μ / (K : ℝ)) ^ k * (f x₀ - fstar) :=
  gd_pl_rate hK (quadraticUpperBound_of_lipschitz_gradient hf hg) hpl hlow x₀ k

/-- **Gradient descent on a smooth nonconvex function: approximate stationarity.** If `g x` is
the gradient of `f : E → ℝ` at every `x`, `g` is `K`-Lipschitz with `K > 0` and `f` is bounded
below by `finf`, then for every `k ≥ 1` some iterate `x i` with `i < k` of gradient descent with
step `1 / K` satisfies `‖g (x i)‖ ^ 2 ≤ 2 * K * (f x₀ - finf) / k`. -/
theorem gd_nonconvex_stationarity_of_lipschitz_gradient (hf : ∀ x, HasGradientAt f (g x) x)
    {K : ℝ≥0} (hg : LipschitzWith K g) (hK : 0 < (K : ℝ)) {finf : ℝ} (hlow : ∀ y, finf ≤ f y)
    (x₀ : E) {k : ℕ} (hk : 0 < k) :
    ∃ i < k, ‖g (gdIterate g (1 / (K : ℝ)) x₀ i)‖ ^ 2 ≤ 2 * (K : ℝ) * (f x₀ - finf) / k :=
  gd_nonconvex_stationarity hK (quadraticUpperBound_of_lipschitz_gradient hf hg) hlow x₀ hk

end MLCatalogue
