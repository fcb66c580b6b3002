/-
Hand-written fixture for the scanner tests: `where` and `let rec` helpers whose `| pattern =>`
alternatives start at the helper's own column, with docstrings and attributes on the helpers.
-/

namespace Demo.Runs

/-- Run-length encoding of a list of numbers. -/
@[inline] def encode (l : List Nat) : List (Nat × Nat) := step l none [] where
  /-- Inner loop of `encode`: `cur` is the run being counted. -/
  @[specialize] step : List Nat → Option (Nat × Nat) → List (Nat × Nat) → List (Nat × Nat)
  | [], none, out => out.reverse
  | [], some r, out => (r :: out).reverse
  | x :: xs, cur, out => match cur with
    | some (y, k) => if x = y then step xs (some (y, k + 1)) out else step xs (some (x, 1)) ((y, k) :: out)
    | none => step xs (some (x, 1)) out

theorem encode_nil : encode [] = [] := by
  unfold encode
  let rec empty (cur : Option (Nat × Nat)) : ∀ out, encode.step [] cur out = (cur.toList ++ out).reverse
  | [] => by cases cur <;> rfl
  | _ :: _ => by
    cases cur <;> simp [encode.step]
  exact empty none []

/-- Deal the elements of `l` alternately into two piles. -/
def deal (l : List α) : List α × List α := pile l ([], []) where
  /-- Inner loop of `deal`, with the two piles reversed.
  The first pile gets the first element. -/
  pile : List α → List α × List α → List α × List α
  | [], (p, q) => (p.reverse, q.reverse)
  | [a], (p, q) => ((a :: p).reverse, q.reverse)
  | a :: b :: rest, (p, q) => pile rest (a :: p, b :: q)

/-- Every prefix of `l`, shortest first. -/
def prefixes (xs : List α) : List (List α) := build xs [] [[]] where
  build (xs cur : List α) (acc : List (List α)) : List (List α) :=
    match xs with
    | [] => acc.reverse
    | a :: rest =>
      let next := cur ++ [a]
      build rest next (next :: acc)

/-- The positions of `x` in `l`. -/
def positions [BEq α] (l : List α) (x : α) : List Nat :=
  (scan l 0).reverse
where
  /-- Walks `l`, `i` being the position of its head. Accumulates nothing, so it is
  simple to read. -/
  @[specialize] scan : List α → Nat → List Nat
  | [], _ => []
  | a :: rest, i => if a == x then i :: scan rest (i + 1) else scan rest (i + 1)

def afterHelpers : Nat := 0

/-- The sum of the squares of `l`, with a helper whose attribute is on a line of its own. -/
def sumSquares (l : List Nat) : Nat := go 0 l
  where
    @[inline]
    square (n : Nat) : Nat := n * n
    go (acc : Nat) : List Nat → Nat
      | [] => acc
      | n :: rest => go (acc + square n) rest

end Demo.Runs
