import Mathlib
import MLCatalogue.Learning.Risk

/-!
# Finite hypothesis classes: the union bound and the ERM guarantee

A sample `S : Fin m → Z` is drawn from the product measure `Measure.pi (fun _ : Fin m ↦ μ)`
(i.i.d. draws from the data distribution `μ`). For a finite class `𝓗 : Finset H` and `ε : ℝ`, the
*deviation event* is the set of samples on which the empirical risk of some `h ∈ 𝓗` is `ε`-far
from its risk:
`{S | ∃ h ∈ 𝓗, ε ≤ |risk ℓ μ h - empiricalRisk ℓ S h|}`.
The union bound controls its probability by the sum of the per-hypothesis tail probabilities,
hence by `𝓗.card * δ` when each of them is at most `δ`. Outside the deviation event every ERM is
`2ε`-optimal (`MLCatalogue.risk_le_risk_add_two_mul_of_isERM`), which gives the finite-class
guarantee: with probability at least `1 - 𝓗.card * δ`, every ERM over `𝓗` is `2ε`-optimal.

Probabilities are real-valued (`Measure.real`). No measurability is assumed: measures are outer
measures, and the bounds use only monotonicity and subadditivity. The per-hypothesis tail bound
`δ` is a hypothesis; for a loss with values in `[a, b]`, Hoeffding's inequality gives
`δ = 2 * exp (-2 * m * ε ^ 2 / (b - a) ^ 2)`, but Hoeffding's lemma is not in Mathlib v4.20.0.

## Main definitions

None (the definitions used here are those of `MLCatalogue/Learning/Risk.lean`).

## Main results

* `measureReal_deviation_le_sum`: the union bound for the deviation event.
* `measureReal_deviation_le_card_mul`: the deviation event has probability at most
  `𝓗.card * δ` when each per-hypothesis deviation has probability at most `δ`.
* `measureReal_erm_not_optimal_le_card_mul`: the samples on which some ERM is not `2ε`-optimal
  have (outer) probability at most `𝓗.card * δ`.
* `one_sub_card_mul_le_measureReal_erm_optimal`: the samples on which every ERM over `𝓗` is
  `2ε`-optimal have (outer) probability at least `1 - 𝓗.card * δ`.

## References

* S. Shalev-Shwartz and S. Ben-David, *Understanding Machine Learning*, 2014: §4.2
  (Corollaries 4.4 and 4.6: finite classes have the uniform convergence property; ERM is an
  agnostic PAC learner).
* M. Mohri, A. Rostamizadeh and A. Talwalkar, *Foundations of Machine Learning*, 2nd ed., 2018:
  Theorem 2.13 (learning bound for finite classes, inconsistent case).
-/

open MeasureTheory

namespace MLCatalogue

variable {H Z : Type*} [MeasurableSpace Z] {m : ℕ}

/-- On a sample outside the deviation event of the finite class `𝓗`, every empirical risk
minimiser `h` over `𝓗` satisfies `risk h ≤ risk h' + 2 * ε` for every `h' ∈ 𝓗`. -/
theorem risk_le_risk_add_two_mul_of_not_deviation {ℓ : H → Z → ℝ} {μ : Measure Z}
    {𝓗 : Finset H} {ε : ℝ} {S : Fin m → Z}
    (hS : ¬∃ g ∈ 𝓗, ε ≤ |risk ℓ μ g - empiricalRisk ℓ S g|) {h h' : H}
    (hERM : IsERM ℓ S (𝓗 : Set H) h) (hh' : h' ∈ 𝓗) :
    risk ℓ μ h ≤ risk ℓ μ h' + 2 * ε := by
  have hdev : ∀ g ∈ (𝓗 : Set H), |risk ℓ μ g - empiricalRisk ℓ S g| ≤ ε := by
    intro g hg
    have hnot : ¬ε ≤ |risk ℓ μ g - empiricalRisk ℓ S g| :=
      fun hle ↦ hS ⟨g, Finset.mem_coe.1 hg, hle⟩
    exact (not_le.1 hnot).le
  exact risk_le_risk_add_two_mul_of_isERM hdev hERM (Finset.mem_coe.2 hh')

/-- The samples on which some empirical risk minimiser over the finite class `𝓗` is not
`2ε`-optimal in `𝓗` all lie in the deviation event of `𝓗`. -/
theorem setOf_erm_not_optimal_subset (ℓ : H → Z → ℝ) (μ : Measure Z) (𝓗 : Finset H) (ε : ℝ) :
    {S : Fin m → Z | ∃ h, IsERM ℓ S (𝓗 : Set H) h ∧
        ∃ h' ∈ 𝓗, risk ℓ μ h' + 2 * ε < risk ℓ μ h} ⊆
      {S : Fin m → Z | ∃ g ∈ 𝓗, ε ≤ |risk ℓ μ g - empiricalRisk ℓ S g|} := by
  intro S hS
  rw [Set.mem_setOf_eq] at hS
  obtain ⟨h, hERM, h', hh', hlt⟩ := hS
  show ∃ g ∈ 𝓗, ε ≤ |risk ℓ μ g - empiricalRisk ℓ S g|
  by_contra hdev
  have hle : risk ℓ μ h ≤ risk ℓ μ h' + 2 * ε :=
    risk_le_risk_add_two_mul_of_not_deviation hdev hERM hh'
  linarith

/-- **Union bound for a finite hypothesis class.** Under the product measure, the probability
that the empirical risk of some `h ∈ 𝓗` is `ε`-far from its risk is at most the sum over
`h ∈ 𝓗` of the probabilities that the empirical risk of `h` is `ε`-far from its risk. -/
theorem measureReal_deviation_le_sum (ℓ : H → Z → ℝ) (μ : Measure Z) (𝓗 : Finset H) (ε : ℝ) :
    (Measure.pi (fun _ : Fin m ↦ μ)).real
        {S : Fin m → Z | ∃ h ∈ 𝓗, ε ≤ |risk ℓ μ h - empiricalRisk ℓ S h|} ≤
      ∑ h ∈ 𝓗, (Measure.pi (fun _ : Fin m ↦ μ)).real
        {S : Fin m → Z | ε ≤ |risk ℓ μ h - empiricalRisk ℓ S h|} := by
  have hset : {S : Fin m → Z | ∃ h ∈ 𝓗, ε ≤ |risk ℓ μ h - empiricalRisk ℓ S h|} =
      ⋃ h ∈ 𝓗, {S : Fin m → Z | ε ≤ |risk ℓ μ h - empiricalRisk ℓ S h|} := by
    ext S
    simp only [Set.mem_setOf_eq, Set.mem_iUnion, exists_prop]
  rw [hset]
  exact measureReal_biUnion_finset_le 𝓗 _

/-- **Union bound for a finite hypothesis class, uniform form.** If, under the product measure,
each `h ∈ 𝓗` has probability at most `δ` that its empirical risk is `ε`-far from its risk, then
the probability that this happens for some `h ∈ 𝓗` is at most `𝓗.card * δ`. -/
theorem measureReal_deviation_le_card_mul {ℓ : H → Z → ℝ} {μ : Measure Z} {𝓗 : Finset H}
    {ε δ : ℝ}
    (hδ : ∀ h ∈ 𝓗, (Measure.pi (fun _ : Fin m ↦ μ)).real
      {S : Fin m → Z | ε ≤ |risk ℓ μ h - empiricalRisk ℓ S h|} ≤ δ) :
    (Measure.pi (fun _ : Fin m ↦ μ)).real
        {S : Fin m → Z | ∃ h ∈ 𝓗, ε ≤ |risk ℓ μ h - empiricalRisk ℓ S h|} ≤
      (𝓗.card : ℝ) * δ := by
  have hunion := measureReal_deviation_le_sum (m := m) ℓ μ 𝓗 ε
  have hsum : ∑ h ∈ 𝓗, (Measure.pi (fun _ : Fin m ↦ μ)).real
        {S : Fin m → Z | ε ≤ |risk ℓ μ h - empiricalRisk ℓ S h|} ≤ ∑ _h ∈ 𝓗, δ :=
    Finset.sum_le_sum hδ
  have hconst : ∑ _h ∈ 𝓗, δ = (𝓗.card : ℝ) * δ := by
    rw [Finset.sum_const, nsmul_eq_mul]
  linarith

/-- **Finite-class ERM guarantee, bad-event form.** Let `μ` be a probability measure and the
sample be drawn from the product measure. If each `h ∈ 𝓗` has probability at most `δ` that its
empirical risk is `ε`-far from its risk, then the (outer) probability of the set of samples on
which some empirical risk minimiser `h` over `𝓗` has `risk h > risk h' + 2 * ε` for some
`h' ∈ 𝓗` is at most `𝓗.card * δ`. -/
theorem measureReal_erm_not_optimal_le_card_mul {ℓ : H → Z → ℝ} {μ : Measure Z}
    [IsProbabilityMeasure μ] {𝓗 : Finset H} {ε δ : ℝ}
    (hδ : ∀ h ∈ 𝓗, (Measure.pi (fun _ : Fin m ↦ μ)).real
      {S : Fin m → Z | ε ≤ |risk ℓ μ h - empiricalRisk ℓ S h|} ≤ δ) :
    (Measure.pi (fun _ : Fin m ↦ μ)).real
        {S : Fin m → Z | ∃ h, IsERM ℓ S (𝓗 : Set H) h ∧
          ∃ h' ∈ 𝓗, risk ℓ μ h' + 2 * ε < risk ℓ μ h} ≤
      (𝓗.card : ℝ) * δ := by
  have hmono : (Measure.pi (fun _ : Fin m ↦ μ)).real
        {S : Fin m → Z | ∃ h, IsERM ℓ S (𝓗 : Set H) h ∧
          ∃ h' ∈ 𝓗, risk ℓ μ h' + 2 * ε < risk ℓ μ h} ≤
      (Measure.pi (fun _ : Fin m ↦ μ)).real
        {S : Fin m → Z | ∃ g ∈ 𝓗, ε ≤ |risk ℓ μ g - empiricalRisk ℓ S g|} :=
    measureReal_mono (setOf_erm_not_optimal_subset ℓ μ 𝓗 ε)
      (measure_ne_top (Measure.pi (fun _ : Fin m ↦ μ)) _)
  exact hmono.trans (measureReal_deviation_le_card_mul hδ)

/-- **Finite-class ERM guarantee.** Let `μ` be a probability measure and the sample be drawn from
the product measure. If each `h ∈ 𝓗` has probability at most `δ` that its empirical risk is
`ε`-far from its risk, then the set of samples on which every empirical risk minimiser `h` over
`𝓗` satisfies `risk h ≤ risk h' + 2 * ε` for all `h' ∈ 𝓗` has (outer) probability at least
`1 - 𝓗.card * δ`. -/
theorem one_sub_card_mul_le_measureReal_erm_optimal {ℓ : H → Z → ℝ} {μ : Measure Z}
    [IsProbabilityMeasure μ] {𝓗 : Finset H} {ε δ : ℝ}
    (hδ : ∀ h ∈ 𝓗, (Measure.pi (fun _ : Fin m ↦ μ)).real
      {S : Fin m → Z | ε ≤ |risk ℓ μ h - empiricalRisk ℓ S h|} ≤ δ) :
    1 - (𝓗.card : ℝ) * δ ≤ (Measure.pi (fun _ : Fin m ↦ μ)).real
      {S : Fin m → Z | ∀ h, IsERM ℓ S (𝓗 : Set H) h → ∀ h' ∈ 𝓗,
        risk ℓ μ h ≤ risk ℓ μ h' + 2 * ε} := by
  have hcover : (Set.univ : Set (Fin m → Z)) ⊆
      {S : Fin m → Z | ∀ h, IsERM ℓ S (𝓗 : Set H) h → ∀ h' ∈ 𝓗,
        risk ℓ μ h ≤ risk ℓ μ h' + 2 * ε} ∪
      {S : Fin m → Z | ∃ g ∈ 𝓗, ε ≤ |risk ℓ μ g - empiricalRisk ℓ S g|} := by
    intro S _
    by_cases hS : ∃ g ∈ 𝓗, ε ≤ |risk ℓ μ g - empiricalRisk ℓ S g|
    · exact Set.mem_union_right _ hS
    · apply Set.mem_union_left
      show ∀ h, IsERM ℓ S (𝓗 : Set H) h → ∀ h' ∈ 𝓗, risk ℓ μ h ≤ risk ℓ μ h' + 2 * ε
      intro h hERM h' hh'
      exact risk_le_risk_add_two_mul_of_not_deviation hS hERM hh'
  have hunion : (Measure.pi (fun _ : Fin m ↦ μ)).real Set.univ ≤
      (Measure.pi (fun _ : Fin m ↦ μ)).real
        {S : Fin m → Z | ∀ h, IsERM ℓ S (𝓗 : Set H) h → ∀ h' ∈ 𝓗,
          risk ℓ μ h ≤ risk ℓ μ h' + 2 * ε} +
      (Measure.pi (fun _ : Fin m ↦ μ)).real
        {S : Fin m → Z | ∃ g ∈ 𝓗, ε ≤ |risk ℓ μ g - empiricalRisk ℓ S g|} :=
    (measureReal_mono hcover (measure_ne_top (Measure.pi (fun _ : Fin m ↦ μ)) _)).trans
      (measureReal_union_le _ _)
  have hdev : (Measure.pi (fun _ : Fin m ↦ μ)).real
        {S : Fin m → Z | ∃ g ∈ 𝓗, ε ≤ |risk ℓ μ g - empiricalRisk ℓ S g|} ≤
      (𝓗.card : ℝ) * δ :=
    measureReal_deviation_le_card_mul hδ
  have huniv : (Measure.pi (fun _ : Fin m ↦ μ)).real Set.univ = 1 := by
    first
      | exact measureReal_univ_eq_one
      | simp [Measure.real]
  linarith

end MLCatalogue
