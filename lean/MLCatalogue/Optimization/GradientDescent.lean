import Mathlib

/-!
# Gradient descent with step `1 / L`: algebraic cores of the classical rates

This file studies the iterates `x (k + 1) = x k - (1 / L) • g (x k)` of gradient descent for a
function `f : E → ℝ` on a real inner product space `E` and a vector field `g : E → E` that plays
the role of the gradient of `f`. The analytic hypotheses of the textbook theorems (an `L`-Lipschitz
gradient, convexity, strong convexity, the Polyak–Łojasiewicz condition) enter only through the
inequalities they imply, which are the `Prop`s defined below; every rate is then proved by algebra
alone. The file `MLCatalogue.Optimization.Smoothness` derives these inequalities from Mathlib's
`HasGradientAt`, `LipschitzWith`, `ConvexOn` and `StrongConvexOn`.

## Main definitions

* `gdIterate`: the iterates of gradient descent with a constant step.
* `QuadraticUpperBound`: the quadratic upper bound implied by an `L`-Lipschitz gradient.
* `FirstOrderConvex`: the first-order convexity inequality.
* `FirstOrderStronglyConvex`: the first-order `μ`-strong convexity inequality.
* `PolyakLojasiewicz`: the Polyak–Łojasiewicz inequality.

## Main results

* `quadraticUpperBound_descent`: one step of length `1 / L` decreases `f` by `‖g x‖ ^ 2 / (2 L)`.
* `gd_descent`: the same sufficient decrease along the gradient descent iterates.
* `gd_convex_rate`: the rate `f (x k) - f x⋆ ≤ L ‖x₀ - x⋆‖ ^ 2 / (2 k)` for smooth convex `f`.
* `gd_dist_le`: for smooth convex `f`, the distance to a minimiser does not increase.
* `polyakLojasiewicz_of_firstOrderStronglyConvex`: strong convexity implies the PL inequality.
* `gd_strongly_convex_rate`: the linear rate `(1 - μ / L) ^ k` of the function values.
* `gd_strongly_convex_dist_rate`: the linear rate `(1 - μ / L) ^ k` of the squared distance.
* `gd_pl_rate`: the linear rate `(1 - μ / L) ^ k` under the Polyak–Łojasiewicz inequality.
* `gd_nonconvex_sum_le`: the squared gradient norms sum to at most `2 L (f x₀ - inf f)`.
* `gd_nonconvex_stationarity`: some `i < k` has `‖g (x i)‖ ^ 2 ≤ 2 L (f x₀ - inf f) / k`.

## References

* Y. Nesterov, *Lectures on Convex Optimization*, 2nd ed., Springer, 2018, §1.2.2 and §2.1.
* S. Bubeck, *Convex Optimization: Algorithms and Complexity*, Foundations and Trends in Machine
  Learning 8 (2015), §3.2 and §3.4.
* H. Karimi, J. Nutini and M. Schmidt, *Linear convergence of gradient and proximal-gradient
  methods under the Polyak–Łojasiewicz condition*, ECML PKDD 2016.
* G. Garrigos and R. M. Gower, *Handbook of Convergence Theorems for (Stochastic) Gradient
  Methods*, arXiv:2301.11235, 2023.
-/

open scoped InnerProductSpace RealInnerProductSpace

namespace MLCatalogue

variable {E : Type*} [NormedAddCommGroup E] [InnerProductSpace ℝ E]

/-- The iterates of gradient descent with constant step `η` for the vector field `g`,
started at `x₀`: `x (k + 1) = x k - η • g (x k)`. -/
def gdIterate (g : E → E) (η : ℝ) (x₀ : E) : ℕ → E
  | 0 => x₀
  | k + 1 => gdIterate g η x₀ k - η • g (gdIterate g η x₀ k)

/-- The quadratic upper bound (consequence of an `L`-Lipschitz gradient). -/
def QuadraticUpperBound (f : E → ℝ) (g : E → E) (L : ℝ) : Prop :=
  ∀ x y, f y ≤ f x + ⟪g x, y - x⟫_ℝ + L / 2 * ‖y - x‖ ^ 2

/-- The first-order convexity inequality. -/
def FirstOrderConvex (f : E → ℝ) (g : E → E) : Prop :=
  ∀ x y, f x + ⟪g x, y - x⟫_ℝ ≤ f y

/-- The first-order `μ`-strong convexity inequality. -/
def FirstOrderStronglyConvex (f : E → ℝ) (g : E → E) (μ : ℝ) : Prop :=
  ∀ x y, f x + ⟪g x, y - x⟫_ℝ + μ / 2 * ‖y - x‖ ^ 2 ≤ f y

/-- The Polyak–Łojasiewicz inequality with constant `μ` relative to the value `fstar`. -/
def PolyakLojasiewicz (f : E → ℝ) (g : E → E) (μ fstar : ℝ) : Prop :=
  ∀ x, μ * (f x - fstar) ≤ 1 / 2 * ‖g x‖ ^ 2

/-! ### Equation lemmas and two facts about real sequences -/

/-- The zeroth gradient descent iterate is the starting point. -/
theorem gdIterate_zero (g : E → E) (η : ℝ) (x₀ : E) : gdIterate g η x₀ 0 = x₀ := rfl

/-- One gradient descent step: `x (k + 1) = x k - η • g (x k)`. -/
theorem gdIterate_succ (g : E → E) (η : ℝ) (x₀ : E) (k : ℕ) :
    gdIterate g η x₀ (k + 1) = gdIterate g η x₀ k - η • g (gdIterate g η x₀ k) := rfl

/-- The squared norm of a real multiple: `‖c • v‖ ^ 2 = c ^ 2 * ‖v‖ ^ 2`. -/
theorem gd_sq_norm_smul (c : ℝ) (v : E) : ‖c • v‖ ^ 2 = c ^ 2 * ‖v‖ ^ 2 := by
  rw [norm_smul, mul_pow, Real.norm_eq_abs, sq_abs]

/-- A real sequence with `e (n + 1) ≤ q * e n` and `0 ≤ q` satisfies `e k ≤ q ^ k * e 0`. -/
theorem seq_le_pow_mul_of_le_mul (e : ℕ → ℝ) (q : ℝ) (hq : 0 ≤ q)
    (hstep : ∀ n : ℕ, e (n + 1) ≤ q * e n) (k : ℕ) : e k ≤ q ^ k * e 0 := by
  induction k with
  | zero => exact le_of_eq (by rw [pow_zero, one_mul])
  | succ n ih =>
    calc
      e (n + 1) ≤ q * e n := hstep n
      _ ≤ q * (q ^ n * e 0) := mul_le_mul_of_nonneg_left ih hq
      _ = q ^ (n + 1) * e 0 := by ring

/-- A nonnegative real sequence with `e (n + 1) ≤ q * e n` satisfies `e k ≤ q ^ k * e 0`, for
every sign of `q` (if `q < 0` the sequence vanishes). -/
theorem seq_le_pow_mul_of_nonneg (e : ℕ → ℝ) (q : ℝ) (hstep : ∀ n : ℕ, e (n + 1) ≤ q * e n)
    (hnn : ∀ n : ℕ, 0 ≤ e n) (k : ℕ) : e k ≤ q ^ k * e 0 := by
  by_cases hq : 0 ≤ q
  · exact seq_le_pow_mul_of_le_mul e q hq hstep k
  · push_neg at hq
    have h0 : e 0 = 0 := by
      by_contra hne
      have hpos : 0 < e 0 := lt_of_le_of_ne (hnn 0) (Ne.symm hne)
      have hneg : q * e 0 < 0 := mul_neg_of_neg_of_pos hq hpos
      have h1 : e 1 ≤ q * e 0 := hstep 0
      have h2 : 0 ≤ e 1 := hnn 1
      linarith
    cases k with
    | zero => exact le_of_eq (by rw [pow_zero, one_mul])
    | succ n =>
      have hqe : 0 ≤ (-q) * e n := mul_nonneg (by linarith) (hnn n)
      have h1 : e (n + 1) ≤ q * e n := hstep n
      rw [h0, mul_zero]
      linarith

/-! ### Sufficient decrease -/

/-- **Sufficient decrease** at a point. Under the quadratic upper bound with `L > 0`, one step of
length `1 / L` along `-g x` decreases `f` by at least `‖g x‖ ^ 2 / (2 L)`. -/
theorem quadraticUpperBound_descent {f : E → ℝ} {g : E → E} {L : ℝ} (hL : 0 < L)
    (hf : QuadraticUpperBound f g L) (x : E) :
    f (x - (1 / L) • g x) ≤ f x - 1 / (2 * L) * ‖g x‖ ^ 2 := by
  have hd : x - (1 / L) • g x - x = -((1 / L) • g x) := sub_sub_cancel_left x ((1 / L) • g x)
  have hi : ⟪g x, x - (1 / L) • g x - x⟫_ℝ = -(1 / L * ‖g x‖ ^ 2) := by
    rw [hd, inner_neg_right, real_inner_smul_right, real_inner_self_eq_norm_sq]
  have hn : ‖x - (1 / L) • g x - x‖ ^ 2 = (1 / L) ^ 2 * ‖g x‖ ^ 2 := by
    rw [hd, norm_neg, gd_sq_norm_smul]
  have hc : L * (1 / L) = 1 := mul_one_div_cancel hL.ne'
  have h2L : 2 * L * (1 / (2 * L)) = 1 :=
    mul_one_div_cancel (by linarith : (0 : ℝ) < 2 * L).ne'
  calc
    f (x - (1 / L) • g x)
        ≤ f x + ⟪g x, x - (1 / L) • g x - x⟫_ℝ + L / 2 * ‖x - (1 / L) • g x - x‖ ^ 2 :=
      hf x (x - (1 / L) • g x)
    _ = f x + -(1 / L * ‖g x‖ ^ 2) + L / 2 * ((1 / L) ^ 2 * ‖g x‖ ^ 2) := by rw [hi, hn]
    _ = f x - 1 / (2 * L) * ‖g x‖ ^ 2 := by
      linear_combination (1 / L * ‖g x‖ ^ 2 / 2 - 1 / (2 * L) * ‖g x‖ ^ 2) * hc +
        (1 / L * ‖g x‖ ^ 2 / 2) * h2L

/-- **Sufficient decrease for gradient descent.** Under the quadratic upper bound with `L > 0`,
the iterates `x k` of gradient descent with step `1 / L` satisfy
`f (x (k + 1)) ≤ f (x k) - ‖g (x k)‖ ^ 2 / (2 L)`. -/
theorem gd_descent {f : E → ℝ} {g : E → E} {L : ℝ} (hL : 0 < L)
    (hf : QuadraticUpperBound f g L) (x₀ : E) (k : ℕ) :
    f (gdIterate g (1 / L) x₀ (k + 1)) ≤
      f (gdIterate g (1 / L) x₀ k) - 1 / (2 * L) * ‖g (gdIterate g (1 / L) x₀ k)‖ ^ 2 := by
  rw [gdIterate_succ g (1 / L) x₀ k]
  exact quadraticUpperBound_descent hL hf (gdIterate g (1 / L) x₀ k)

/-- Under the quadratic upper bound, gradient descent with step `1 / L` never increases `f`. -/
theorem gd_value_succ_le {f : E → ℝ} {g : E → E} {L : ℝ} (hL : 0 < L)
    (hf : QuadraticUpperBound f g L) (x₀ : E) (k : ℕ) :
    f (gdIterate g (1 / L) x₀ (k + 1)) ≤ f (gdIterate g (1 / L) x₀ k) := by
  have h := gd_descent hL hf x₀ k
  have hnn : 0 ≤ 1 / (2 * L) * ‖g (gdIterate g (1 / L) x₀ k)‖ ^ 2 :=
    mul_nonneg (div_nonneg zero_le_one (by linarith)) (sq_nonneg _)
  linarith

/-! ### Smooth convex objectives -/

/-- One step of the smooth convex analysis at a point `x`, against any point `y`:
`f (x⁺) - f y ≤ L / 2 * (‖x - y‖ ^ 2 - ‖x⁺ - y‖ ^ 2)` where `x⁺ = x - (1 / L) • g x`. -/
theorem gd_convex_step {f : E → ℝ} {g : E → E} {L : ℝ} (hL : 0 < L)
    (hf : QuadraticUpperBound f g L) (hc : FirstOrderConvex f g) (x y : E) :
    f (x - (1 / L) • g x) - f y ≤ L / 2 * (‖x - y‖ ^ 2 - ‖x - (1 / L) • g x - y‖ ^ 2) := by
  have hdesc : f (x - (1 / L) • g x) ≤ f x - 1 / (2 * L) * ‖g x‖ ^ 2 :=
    quadraticUpperBound_descent hL hf x
  have hconv : f x + ⟪g x, y - x⟫_ℝ ≤ f y := hc x y
  have hinner : ⟪g x, y - x⟫_ℝ = -⟪x - y, g x⟫_ℝ := by
    rw [← neg_sub x y, inner_neg_right, real_inner_comm (x - y) (g x)]
  have hdist : ‖x - (1 / L) • g x - y‖ ^ 2 =
      ‖x - y‖ ^ 2 - 2 * (1 / L * ⟪x - y, g x⟫_ℝ) + (1 / L) ^ 2 * ‖g x‖ ^ 2 := by
    rw [sub_right_comm x ((1 / L) • g x) y, norm_sub_sq_real, real_inner_smul_right,
      gd_sq_norm_smul]
  have hc1 : L * (1 / L) = 1 := mul_one_div_cancel hL.ne'
  have h2L : 2 * L * (1 / (2 * L)) = 1 :=
    mul_one_div_cancel (by linarith : (0 : ℝ) < 2 * L).ne'
  have hR : L / 2 * (‖x - y‖ ^ 2 - ‖x - (1 / L) • g x - y‖ ^ 2) =
      ⟪x - y, g x⟫_ℝ - 1 / (2 * L) * ‖g x‖ ^ 2 := by
    rw [hdist]
    linear_combination (⟪x - y, g x⟫_ℝ - 1 / L * ‖g x‖ ^ 2 / 2 -
      1 / (2 * L) * ‖g x‖ ^ 2) * hc1 + (1 / L * ‖g x‖ ^ 2 / 2) * h2L
  rw [hR]
  linarith

/-- The key inequality of the smooth convex analysis along the iterates:
`f (x (k + 1)) - f y ≤ L / 2 * (‖x k - y‖ ^ 2 - ‖x (k + 1) - y‖ ^ 2)` for every `y`. -/
theorem gd_convex_key {f : E → ℝ} {g : E → E} {L : ℝ} (hL : 0 < L)
    (hf : QuadraticUpperBound f g L) (hc : FirstOrderConvex f g) (x₀ y : E) (k : ℕ) :
    f (gdIterate g (1 / L) x₀ (k + 1)) - f y ≤
      L / 2 * (‖gdIterate g (1 / L) x₀ k - y‖ ^ 2 -
        ‖gdIterate g (1 / L) x₀ (k + 1) - y‖ ^ 2) := by
  rw [gdIterate_succ g (1 / L) x₀ k]
  exact gd_convex_step hL hf hc (gdIterate g (1 / L) x₀ k) y

/-- Telescoped form of the smooth convex analysis, using that `f (x k)` is non-increasing:
`k * (f (x k) - f y) ≤ L / 2 * (‖x₀ - y‖ ^ 2 - ‖x k - y‖ ^ 2)`. -/
theorem gd_convex_mul_le {f : E → ℝ} {g : E → E} {L : ℝ} (hL : 0 < L)
    (hf : QuadraticUpperBound f g L) (hc : FirstOrderConvex f g) (x₀ y : E) (k : ℕ) :
    (k : ℝ) * (f (gdIterate g (1 / L) x₀ k) - f y) ≤
      L / 2 * (‖x₀ - y‖ ^ 2 - ‖gdIterate g (1 / L) x₀ k - y‖ ^ 2) := by
  induction k with
  | zero =>
    simp only [Nat.cast_zero, zero_mul, gdIterate_zero, sub_self, mul_zero, le_refl]
  | succ n ih =>
    have hkey := gd_convex_key hL hf hc x₀ y n
    have hmono := gd_value_succ_le hL hf x₀ n
    have hmul : (n : ℝ) * (f (gdIterate g (1 / L) x₀ (n + 1)) - f y) ≤
        (n : ℝ) * (f (gdIterate g (1 / L) x₀ n) - f y) :=
      mul_le_mul_of_nonneg_left (by linarith) (Nat.cast_nonneg n)
    rw [Nat.cast_add_one n]
    linarith

/-- **Gradient descent on a smooth convex function: the `O(1 / k)` rate.** Under the quadratic
upper bound with `L > 0` and the first-order convexity inequality, the iterates of gradient
descent with step `1 / L` satisfy `f (x k) - f x⋆ ≤ L * ‖x₀ - x⋆‖ ^ 2 / (2 * k)` for every point
`x⋆` and every `k ≥ 1`. -/
theorem gd_convex_rate {f : E → ℝ} {g : E → E} {L : ℝ} (hL : 0 < L)
    (hf : QuadraticUpperBound f g L) (hc : FirstOrderConvex f g) (x₀ xstar : E) {k : ℕ}
    (hk : 0 < k) :
    f (gdIterate g (1 / L) x₀ k) - f xstar ≤ L * ‖x₀ - xstar‖ ^ 2 / (2 * k) := by
  have hsum := gd_convex_mul_le hL hf hc x₀ xstar k
  have hB : 0 ≤ L / 2 * ‖gdIterate g (1 / L) x₀ k - xstar‖ ^ 2 :=
    mul_nonneg (by linarith) (sq_nonneg _)
  have hk' : (0 : ℝ) < k := Nat.cast_pos.mpr hk
  have h1 : 2 * ((k : ℝ) * (f (gdIterate g (1 / L) x₀ k) - f xstar)) ≤
      2 * (L / 2 * ‖x₀ - xstar‖ ^ 2) := by
    linarith
  have hr : 0 ≤ 1 / (2 * (k : ℝ)) := div_nonneg zero_le_one (by linarith)
  have hk2 : 2 * (k : ℝ) * (1 / (2 * (k : ℝ))) = 1 :=
    mul_one_div_cancel (by linarith : (0 : ℝ) < 2 * (k : ℝ)).ne'
  calc
    f (gdIterate g (1 / L) x₀ k) - f xstar =
        1 / (2 * (k : ℝ)) * (2 * ((k : ℝ) * (f (gdIterate g (1 / L) x₀ k) - f xstar))) := by
      linear_combination (-(f (gdIterate g (1 / L) x₀ k) - f xstar)) * hk2
    _ ≤ 1 / (2 * (k : ℝ)) * (2 * (L / 2 * ‖x₀ - xstar‖ ^ 2)) :=
      mul_le_mul_of_nonneg_left h1 hr
    _ = L * ‖x₀ - xstar‖ ^ 2 / (2 * k) := by ring

/-- **Gradient descent on a smooth convex function: the distance to a minimiser does not
increase.** Under the quadratic upper bound with `L > 0` and the first-order convexity
inequality, if `x⋆` minimises `f` then `‖x (k + 1) - x⋆‖ ≤ ‖x k - x⋆‖` for every `k`. -/
theorem gd_dist_le {f : E → ℝ} {g : E → E} {L : ℝ} (hL : 0 < L)
    (hf : QuadraticUpperBound f g L) (hc : FirstOrderConvex f g) (x₀ xstar : E)
    (hmin : ∀ y, f xstar ≤ f y) (k : ℕ) :
    ‖gdIterate g (1 / L) x₀ (k + 1) - xstar‖ ≤ ‖gdIterate g (1 / L) x₀ k - xstar‖ := by
  have hkey := gd_convex_key hL hf hc x₀ xstar k
  have hlow : f xstar ≤ f (gdIterate g (1 / L) x₀ (k + 1)) :=
    hmin (gdIterate g (1 / L) x₀ (k + 1))
  by_contra hcon
  push_neg at hcon
  have h1 := mul_self_lt_mul_self (norm_nonneg (gdIterate g (1 / L) x₀ k - xstar)) hcon
  have h2 := mul_lt_mul_of_pos_left h1 (by linarith : (0 : ℝ) < L / 2)
  have e1 : L / 2 * (‖gdIterate g (1 / L) x₀ k - xstar‖ ^ 2 -
        ‖gdIterate g (1 / L) x₀ (k + 1) - xstar‖ ^ 2) =
      L / 2 * (‖gdIterate g (1 / L) x₀ k - xstar‖ * ‖gdIterate g (1 / L) x₀ k - xstar‖) -
        L / 2 * (‖gdIterate g (1 / L) x₀ (k + 1) - xstar‖ *
          ‖gdIterate g (1 / L) x₀ (k + 1) - xstar‖) := by
    ring
  linarith

/-! ### Strongly convex and Polyak–Łojasiewicz objectives -/

/-- **Strong convexity implies the Polyak–Łojasiewicz inequality.** If `f` satisfies the
first-order `μ`-strong convexity inequality with `μ > 0`, then for every point `y` and every `x`,
`μ * (f x - f y) ≤ 1 / 2 * ‖g x‖ ^ 2`; in particular PL holds relative to the minimum value. -/
theorem polyakLojasiewicz_of_firstOrderStronglyConvex {f : E → ℝ} {g : E → E} {μ : ℝ}
    (hμ : 0 < μ) (h : FirstOrderStronglyConvex f g μ) (y : E) :
    PolyakLojasiewicz f g μ (f y) := by
  intro x
  have hs : f x + ⟪g x, y - x⟫_ℝ + μ / 2 * ‖y - x‖ ^ 2 ≤ f y := h x y
  have hm : μ * (f x + ⟪g x, y - x⟫_ℝ + μ / 2 * ‖y - x‖ ^ 2) ≤ μ * f y :=
    mul_le_mul_of_nonneg_left hs hμ.le
  have e1 : μ * (f x + ⟪g x, y - x⟫_ℝ + μ / 2 * ‖y - x‖ ^ 2) =
      μ * f x + μ * ⟪g x, y - x⟫_ℝ + μ ^ 2 * ‖y - x‖ ^ 2 / 2 := by
    ring
  rw [e1] at hm
  have hexp : ‖μ • (y - x) + g x‖ ^ 2 =
      μ ^ 2 * ‖y - x‖ ^ 2 + 2 * (μ * ⟪g x, y - x⟫_ℝ) + ‖g x‖ ^ 2 := by
    rw [norm_add_sq_real, real_inner_smul_left, gd_sq_norm_smul, real_inner_comm (g x) (y - x)]
  have hsq : 0 ≤ ‖μ • (y - x) + g x‖ ^ 2 := sq_nonneg _
  linarith

/-- One step of the Polyak–Łojasiewicz analysis at a point:
`f (x⁺) - f⋆ ≤ (1 - μ / L) * (f x - f⋆)` where `x⁺ = x - (1 / L) • g x`. -/
theorem gd_pl_step {f : E → ℝ} {g : E → E} {L μ fstar : ℝ} (hL : 0 < L)
    (hf : QuadraticUpperBound f g L) (hpl : PolyakLojasiewicz f g μ fstar) (x : E) :
    f (x - (1 / L) • g x) - fstar ≤ (1 - μ / L) * (f x - fstar) := by
  have hdesc : f (x - (1 / L) • g x) ≤ f x - 1 / (2 * L) * ‖g x‖ ^ 2 :=
    quadraticUpperBound_descent hL hf x
  have hp : μ * (f x - fstar) ≤ 1 / 2 * ‖g x‖ ^ 2 := hpl x
  have hc0 : 0 ≤ 1 / L := div_nonneg zero_le_one hL.le
  have hc : L * (1 / L) = 1 := mul_one_div_cancel hL.ne'
  have h2L : 2 * L * (1 / (2 * L)) = 1 :=
    mul_one_div_cancel (by linarith : (0 : ℝ) < 2 * L).ne'
  have e1 : 1 / L * (1 / 2 * ‖g x‖ ^ 2) = 1 / (2 * L) * ‖g x‖ ^ 2 := by
    linear_combination (1 / (2 * L) * ‖g x‖ ^ 2) * hc - (1 / L * ‖g x‖ ^ 2 / 2) * h2L
  have hp' : 1 / L * (μ * (f x - fstar)) ≤ 1 / (2 * L) * ‖g x‖ ^ 2 :=
    (mul_le_mul_of_nonneg_left hp hc0).trans e1.le
  have e2 : (1 - μ / L) * (f x - fstar) = f x - fstar - 1 / L * (μ * (f x - fstar)) := by
    ring
  rw [e2]
  linarith

/-- **Linear convergence of gradient descent under the Polyak–Łojasiewicz inequality.** Under
the quadratic upper bound with `L > 0` and the PL inequality with constant `μ` relative to a lower
bound `f⋆` of `f`, the iterates of gradient descent with step `1 / L` satisfy
`f (x k) - f⋆ ≤ (1 - μ / L) ^ k * (f x₀ - f⋆)`. No convexity is assumed. -/
theorem gd_pl_rate {f : E → ℝ} {g : E → E} {L μ fstar : ℝ} (hL : 0 < L)
    (hf : QuadraticUpperBound f g L) (hpl : PolyakLojasiewicz f g μ fstar)
    (hlow : ∀ y, fstar ≤ f y) (x₀ : E) (k : ℕ) :
    f (gdIterate g (1 / L) x₀ k) - fstar ≤ (1 - μ / L) ^ k * (f x₀ - fstar) := by
  have hstep : ∀ n : ℕ, f (gdIterate g (1 / L) x₀ (n + 1)) - fstar ≤
      (1 - μ / L) * (f (gdIterate g (1 / L) x₀ n) - fstar) := by
    intro n
    rw [gdIterate_succ g (1 / L) x₀ n]
    exact gd_pl_step hL hf hpl (gdIterate g (1 / L) x₀ n)
  have hnn : ∀ n : ℕ, 0 ≤ f (gdIterate g (1 / L) x₀ n) - fstar := by
    intro n
    have h := hlow (gdIterate g (1 / L) x₀ n)
    linarith
  exact seq_le_pow_mul_of_nonneg (fun n ↦ f (gdIterate g (1 / L) x₀ n) - fstar) (1 - μ / L)
    hstep hnn k

/-- **Linear convergence of gradient descent on a smooth strongly convex function (function
values).** Under the quadratic upper bound with `L > 0` and the first-order `μ`-strong convexity
inequality with `μ > 0`, if `x⋆` minimises `f` then the iterates of gradient descent with step
`1 / L` satisfy `f (x k) - f x⋆ ≤ (1 - μ / L) ^ k * (f x₀ - f x⋆)`. -/
theorem gd_strongly_convex_rate {f : E → ℝ} {g : E → E} {L μ : ℝ} (hL : 0 < L) (hμ : 0 < μ)
    (hf : QuadraticUpperBound f g L) (hsc : FirstOrderStronglyConvex f g μ) (x₀ xstar : E)
    (hmin : ∀ y, f xstar ≤ f y) (k : ℕ) :
    f (gdIterate g (1 / L) x₀ k) - f xstar ≤ (1 - μ / L) ^ k * (f x₀ - f xstar) :=
  gd_pl_rate hL hf (polyakLojasiewicz_of_firstOrderStronglyConvex hμ hsc xstar) hmin x₀ k

/-- One step of the strongly convex distance analysis at a point, towards a minimiser `x⋆`:
`‖x⁺ - x⋆‖ ^ 2 ≤ (1 - μ / L) * ‖x - x⋆‖ ^ 2` where `x⁺ = x - (1 / L) • g x`. -/
theorem gd_strongly_convex_dist_step {f : E → ℝ} {g : E → E} {L μ : ℝ} (hL : 0 < L)
    (hf : QuadraticUpperBound f g L) (hsc : FirstOrderStronglyConvex f g μ) (xstar : E)
    (hmin : ∀ y, f xstar ≤ f y) (x : E) :
    ‖x - (1 / L) • g x - xstar‖ ^ 2 ≤ (1 - μ / L) * ‖x - xstar‖ ^ 2 := by
  have hdesc : f (x - (1 / L) • g x) ≤ f x - 1 / (2 * L) * ‖g x‖ ^ 2 :=
    quadraticUpperBound_descent hL hf x
  have hlow : f xstar ≤ f (x - (1 / L) • g x) := hmin (x - (1 / L) • g x)
  have hs : f x + ⟪g x, xstar - x⟫_ℝ + μ / 2 * ‖xstar - x‖ ^ 2 ≤ f xstar := hsc x xstar
  rw [norm_sub_rev xstar x] at hs
  have hinner : ⟪g x, xstar - x⟫_ℝ = -⟪x - xstar, g x⟫_ℝ := by
    rw [← neg_sub x xstar, inner_neg_right, real_inner_comm (x - xstar) (g x)]
  have hdist : ‖x - (1 / L) • g x - xstar‖ ^ 2 =
      ‖x - xstar‖ ^ 2 - 2 * (1 / L * ⟪x - xstar, g x⟫_ℝ) + (1 / L) ^ 2 * ‖g x‖ ^ 2 := by
    rw [sub_right_comm x ((1 / L) • g x) xstar, norm_sub_sq_real, real_inner_smul_right,
      gd_sq_norm_smul]
  have hc0 : 0 ≤ 1 / L := div_nonneg zero_le_one hL.le
  have hc1 : L * (1 / L) = 1 := mul_one_div_cancel hL.ne'
  have h2L : 2 * L * (1 / (2 * L)) = 1 :=
    mul_one_div_cancel (by linarith : (0 : ℝ) < 2 * L).ne'
  have h1 : 1 / L * (f x - f xstar + μ / 2 * ‖x - xstar‖ ^ 2) ≤
      1 / L * ⟪x - xstar, g x⟫_ℝ :=
    mul_le_mul_of_nonneg_left (by linarith) hc0
  have h2 : 1 / L * (1 / (2 * L) * ‖g x‖ ^ 2) ≤ 1 / L * (f x - f xstar) :=
    mul_le_mul_of_nonneg_left (by linarith) hc0
  have e1 : (1 / L) ^ 2 * ‖g x‖ ^ 2 = 2 * (1 / L * (1 / (2 * L) * ‖g x‖ ^ 2)) := by
    linear_combination (2 * (1 / (2 * L)) * (1 / L) * ‖g x‖ ^ 2) * hc1 -
      ((1 / L) ^ 2 * ‖g x‖ ^ 2) * h2L
  have e2 : (1 - μ / L) * ‖x - xstar‖ ^ 2 =
      ‖x - xstar‖ ^ 2 - 1 / L * (μ * ‖x - xstar‖ ^ 2) := by
    ring
  rw [hdist, e2]
  linarith

/-- **Linear convergence of gradient descent on a smooth strongly convex function (distance).**
Under the quadratic upper bound with `L > 0` and the first-order `μ`-strong convexity
inequality, if `x⋆` minimises `f` then the iterates of gradient descent with step `1 / L` satisfy
`‖x k - x⋆‖ ^ 2 ≤ (1 - μ / L) ^ k * ‖x₀ - x⋆‖ ^ 2`. -/
theorem gd_strongly_convex_dist_rate {f : E → ℝ} {g : E → E} {L μ : ℝ} (hL : 0 < L)
    (hf : QuadraticUpperBound f g L) (hsc : FirstOrderStronglyConvex f g μ) (x₀ xstar : E)
    (hmin : ∀ y, f xstar ≤ f y) (k : ℕ) :
    ‖gdIterate g (1 / L) x₀ k - xstar‖ ^ 2 ≤ (1 - μ / L) ^ k * ‖x₀ - xstar‖ ^ 2 := by
  have hstep : ∀ n : ℕ, ‖gdIterate g (1 / L) x₀ (n + 1) - xstar‖ ^ 2 ≤
      (1 - μ / L) * ‖gdIterate g (1 / L) x₀ n - xstar‖ ^ 2 := by
    intro n
    rw [gdIterate_succ g (1 / L) x₀ n]
    exact gd_strongly_convex_dist_step hL hf hsc xstar hmin (gdIterate g (1 / L) x₀ n)
  have hnn : ∀ n : ℕ, 0 ≤ ‖gdIterate g (1 / L) x₀ n - xstar‖ ^ 2 :=
    fun n ↦ sq_nonneg ‖gdIterate g (1 / L) x₀ n - xstar‖
  exact seq_le_pow_mul_of_nonneg (fun n ↦ ‖gdIterate g (1 / L) x₀ n - xstar‖ ^ 2)
    (1 - μ / L) hstep hnn k

/-! ### Smooth nonconvex objectives -/

/-- At a point, the squared gradient norm is at most `2 L` times the decrease of one step:
`‖g x‖ ^ 2 ≤ 2 * L * (f x - f x⁺)` where `x⁺ = x - (1 / L) • g x`. -/
theorem gd_sq_norm_le_step {f : E → ℝ} {g : E → E} {L : ℝ} (hL : 0 < L)
    (hf : QuadraticUpperBound f g L) (x : E) :
    ‖g x‖ ^ 2 ≤ 2 * L * (f x - f (x - (1 / L) • g x)) := by
  have hdesc : f (x - (1 / L) • g x) ≤ f x - 1 / (2 * L) * ‖g x‖ ^ 2 :=
    quadraticUpperBound_descent hL hf x
  have h2L : 2 * L * (1 / (2 * L)) = 1 :=
    mul_one_div_cancel (by linarith : (0 : ℝ) < 2 * L).ne'
  have h1 : 2 * L * (1 / (2 * L) * ‖g x‖ ^ 2) ≤ 2 * L * (f x - f (x - (1 / L) • g x)) :=
    mul_le_mul_of_nonneg_left (by linarith) (by linarith)
  have e1 : 2 * L * (1 / (2 * L) * ‖g x‖ ^ 2) = ‖g x‖ ^ 2 := by
    linear_combination ‖g x‖ ^ 2 * h2L
  linarith

/-- Telescoped sufficient decrease: the first `k` squared gradient norms along the iterates sum to
at most `2 * L * (f x₀ - f (x k))`. -/
theorem gd_sum_sq_norm_le {f : E → ℝ} {g : E → E} {L : ℝ} (hL : 0 < L)
    (hf : QuadraticUpperBound f g L) (x₀ : E) (k : ℕ) :
    ∑ i ∈ Finset.range k, ‖g (gdIterate g (1 / L) x₀ i)‖ ^ 2 ≤
      2 * L * (f x₀ - f (gdIterate g (1 / L) x₀ k)) := by
  induction k with
  | zero =>
    simp only [Finset.sum_range_zero, gdIterate_zero, sub_self, mul_zero, le_refl]
  | succ n ih =>
    have h : ‖g (gdIterate g (1 / L) x₀ n)‖ ^ 2 ≤
        2 * L * (f (gdIterate g (1 / L) x₀ n) - f (gdIterate g (1 / L) x₀ (n + 1))) := by
      rw [gdIterate_succ g (1 / L) x₀ n]
      exact gd_sq_norm_le_step hL hf (gdIterate g (1 / L) x₀ n)
    rw [Finset.sum_range_succ]
    linarith

/-- **Gradient descent on a smooth nonconvex function (summed form).** Under the quadratic upper
bound with `L > 0`, if `f` is bounded below by `finf` then the iterates of gradient descent with
step `1 / L` satisfy `∑ i < k, ‖g (x i)‖ ^ 2 ≤ 2 * L * (f x₀ - finf)` for every `k`. -/
theorem gd_nonconvex_sum_le {f : E → ℝ} {g : E → E} {L finf : ℝ} (hL : 0 < L)
    (hf : QuadraticUpperBound f g L) (hlow : ∀ y, finf ≤ f y) (x₀ : E) (k : ℕ) :
    ∑ i ∈ Finset.range k, ‖g (gdIterate g (1 / L) x₀ i)‖ ^ 2 ≤ 2 * L * (f x₀ - finf) := by
  have hsum := gd_sum_sq_norm_le hL hf x₀ k
  have hk : finf ≤ f (gdIterate g (1 / L) x₀ k) := hlow (gdIterate g (1 / L) x₀ k)
  have h1 : 2 * L * (f x₀ - f (gdIterate g (1 / L) x₀ k)) ≤ 2 * L * (f x₀ - finf) :=
    mul_le_mul_of_nonneg_left (by linarith) (by linarith)
  linarith

/-- **Gradient descent on a smooth nonconvex function: approximate stationarity.** Under the
quadratic upper bound with `L > 0`, if `f` is bounded below by `finf` then for every `k ≥ 1` some
iterate `x i` with `i < k` of gradient descent with step `1 / L` satisfies
`‖g (x i)‖ ^ 2 ≤ 2 * L * (f x₀ - finf) / k`. -/
theorem gd_nonconvex_stationarity {f : E → ℝ} {g : E → E} {L finf : ℝ} (hL : 0 < L)
    (hf : QuadraticUpperBound f g L) (hlow : ∀ y, finf ≤ f y) (x₀ : E) {k : ℕ} (hk : 0 < k) :
    ∃ i < k, ‖g (gdIterate g (1 / L) x₀ i)‖ ^ 2 ≤ 2 * L * (f x₀ - finf) / k := by
  have hsum := gd_nonconvex_sum_le hL hf hlow x₀ k
  by_contra hne
  push_neg at hne
  have hlt : ∑ _i ∈ Finset.range k, 2 * L * (f x₀ - finf) / (k : ℝ) <
      ∑ i ∈ Finset.range k, ‖g (gdIterate g (1 / L) x₀ i)‖ ^ 2 :=
    Finset.sum_lt_sum_of_nonempty ⟨0, Finset.mem_range.mpr hk⟩
      (fun i hi ↦ hne i (Finset.mem_range.mp hi))
  simp only [Finset.sum_const, Finset.card_range, nsmul_eq_mul] at hlt
  have hk' : (0 : ℝ) < k := Nat.cast_pos.mpr hk
  have hk1 : (k : ℝ) * (1 / (k : ℝ)) = 1 := mul_one_div_cancel hk'.ne'
  have e1 : (k : ℝ) * (2 * L * (f x₀ - finf) / (k : ℝ)) = 2 * L * (f x₀ - finf) := by
    linear_combination (2 * L * (f x₀ - finf)) * hk1
  linarith

end MLCatalogue
