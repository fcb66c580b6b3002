/-
import Mathlib

theorem all_commented : True := trivial

/- nested -/

def also_commented := 1
-/
