import Mathlib

/-!
# Risk, empirical risk and empirical risk minimisation

Hypotheses `h : H` are scored on examples `z : Z` by a real-valued loss `ℓ : H → Z → ℝ`. The
*risk* of `h` under a data distribution `μ` on `Z` is its expected loss, the *empirical risk* of
`h` on a sample `S : Fin m → Z` is its average loss on the sample, and an *empirical risk
minimiser* (ERM) over a class `𝓗 : Set H` is a member of `𝓗` of least empirical risk.

The main result is the deterministic excess-risk bound behind every uniform-convergence argument:
if true and empirical risks are `ε`-close on all of `𝓗`, every ERM is `2ε`-optimal in `𝓗`.

## Main definitions

* `risk`: the risk `∫ z, ℓ h z ∂μ` of a hypothesis.
* `empiricalRisk`: the average loss `(∑ i, ℓ h (S i)) / m` of a hypothesis on a sample.
* `IsERM`: a hypothesis belongs to the class and minimises the empirical risk over it.

## Main results

* `exists_isERM`: over a finite nonempty class an empirical risk minimiser exists.
* `risk_sub_risk_le_of_isERM`: the excess risk of an ERM over a competitor is at most the sum of
  the two deviations between true and empirical risk.
* `risk_le_risk_add_two_mul_of_isERM`: under `ε`-uniform deviation every ERM is `2ε`-optimal.

## Implementation notes

The loss is real-valued and `risk` is the Bochner integral, which Mathlib sets to `0` for a
non-integrable function; the results of this file are algebraic and need neither integrability
nor a probability measure. The class of `IsERM` is a `Set H`; a finite class `𝓗 : Finset H` is
used through its coercion `(𝓗 : Set H)`. On the empty sample (`m = 0`) the empirical risk is `0`.

## References

* S. Shalev-Shwartz and S. Ben-David, *Understanding Machine Learning*, 2014: Def. 3.4 (risk),
  §2.2 (empirical risk, ERM), Lemma 4.2 and eq. (26.10) (excess risk of ERM).
* F. Bach, *Learning Theory from First Principles*, 2024: §2.3.2 and §4.2.
-/

open MeasureTheory

namespace MLCatalogue

variable {H Z : Type*} {m : ℕ}

/-- The **risk** (population risk, generalisation error) of the hypothesis `h` under the data
distribution `μ`: the expected loss `∫ z, ℓ h z ∂μ`. -/
noncomputable def risk [MeasurableSpace Z] (ℓ : H → Z → ℝ) (μ : Measure Z) (h : H) : ℝ :=
  ∫ z, ℓ h z ∂μ

/-- The **empirical risk** of the hypothesis `h` on the sample `S = (S 0, …, S (m - 1))`: the
average loss `(∑ i, ℓ h (S i)) / m` (which is `0` when `m = 0`). -/
noncomputable def empiricalRisk (ℓ : H → Z → ℝ) (S : Fin m → Z) (h : H) : ℝ :=
  (∑ i, ℓ h (S i)) / (m : ℝ)

/-- `IsERM ℓ S 𝓗 h`: the hypothesis `h` is an **empirical risk minimiser** over the class `𝓗` on
the sample `S`, i.e. `h ∈ 𝓗` and no member of `𝓗` has smaller empirical risk than `h`. -/
structure IsERM (ℓ : H → Z → ℝ) (S : Fin m → Z) (𝓗 : Set H) (h : H) : Prop where
  /-- An empirical risk minimiser belongs to the class. -/
  mem : h ∈ 𝓗
  /-- An empirical risk minimiser has the least empirical risk over the class. -/
  empiricalRisk_le : ∀ h' ∈ 𝓗, empiricalRisk ℓ S h ≤ empiricalRisk ℓ S h'

/-- **Existence of an empirical risk minimiser on a finite class.** Over a finite nonempty class
`𝓗`, some hypothesis is an empirical risk minimiser on any sample `S`. -/
theorem exists_isERM (ℓ : H → Z → ℝ) (S : Fin m → Z) {𝓗 : Finset H} (h𝓗 : 𝓗.Nonempty) :
    ∃ h, IsERM ℓ S (𝓗 : Set H) h := by
  obtain ⟨h, hmem, hmin⟩ := Finset.exists_min_image 𝓗 (empiricalRisk ℓ S) h𝓗
  exact ⟨h, ⟨Finset.mem_coe.2 hmem, fun h' hh' ↦ hmin h' (Finset.mem_coe.1 hh')⟩⟩

/-- **Excess risk of an ERM, two-term form.** If `h` is an empirical risk minimiser over `𝓗` on
the sample `S` and `h' ∈ 𝓗`, then `risk h - risk h'` is at most
`(risk h - empiricalRisk h) + (empiricalRisk h' - risk h')`. -/
theorem risk_sub_risk_le_of_isERM [MeasurableSpace Z] {ℓ : H → Z → ℝ} (μ : Measure Z)
    {S : Fin m → Z} {𝓗 : Set H} {h h' : H} (hERM : IsERM ℓ S 𝓗 h) (hh' : h' ∈ 𝓗) :
    risk ℓ μ h - risk ℓ μ h' ≤
      (risk ℓ μ h - empiricalRisk ℓ S h) + (empiricalRisk ℓ S h' - risk ℓ μ h') := by
  have hle : empiricalRisk ℓ S h ≤ empiricalRisk ℓ S h' := hERM.empiricalRisk_le h' hh'
  linarith

/-- **Excess-risk bound for ERM under uniform deviation.** If
`|risk g - empiricalRisk S g| ≤ ε` for every `g ∈ 𝓗`, then every empirical risk minimiser `h`
over `𝓗` on the sample `S` satisfies `risk h ≤ risk h' + 2 * ε` for every `h' ∈ 𝓗`. -/
theorem risk_le_risk_add_two_mul_of_isERM [MeasurableSpace Z] {ℓ : H → Z → ℝ} {μ : Measure Z}
    {S : Fin m → Z} {𝓗 : Set H} {ε : ℝ}
    (hdev : ∀ g ∈ 𝓗, |risk ℓ μ g - empiricalRisk ℓ S g| ≤ ε) {h h' : H}
    (hERM : IsERM ℓ S 𝓗 h) (hh' : h' ∈ 𝓗) :
    risk ℓ μ h ≤ risk ℓ μ h' + 2 * ε := by
  have hcore : risk ℓ μ h - risk ℓ μ h' ≤
      (risk ℓ μ h - empiricalRisk ℓ S h) + (empiricalRisk ℓ S h' - risk ℓ μ h') :=
    risk_sub_risk_le_of_isERM μ hERM hh'
  have hdev_h : risk ℓ μ h - empiricalRisk ℓ S h ≤ ε := (abs_le.1 (hdev h hERM.mem)).2
  have hdev_h' : -ε ≤ risk ℓ μ h' - empiricalRisk ℓ S h' := (abs_le.1 (hdev h' hh')).1
  linarith

end MLCatalogue
