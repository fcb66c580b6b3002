/-
Hand-written fixture for the scanner tests: nested namespaces, structures with docstrings,
`let rec` in proofs and definitions, names ending in `!` and `?`, pattern-matching definitions
and anonymous instances inside namespaces.
-/

namespace Woods

/-- One node of a disjoint-set forest. -/
structure Node where
  /-- Index of the parent. -/
  up : Nat
  /-- Bound on the height below this node. -/
  height : Nat
  deriving Inhabited, Repr

/-- The parent of `i`, or `i` itself when `i` is out of range. -/
def upD (a : Array Node) (i : Nat) : Nat :=
  (a[i]?.map (·.up)).getD i

theorem upD_of_ge {a : Array Node} {i : Nat} (h : a.size ≤ i) : upD a i = i := by
  simp [upD, Nat.not_lt.2 h]

/--
A disjoint-set forest: an array of nodes whose parent links stay in range.

Only the links are stored; heights are bounds.
-/
structure Forest where
  /-- The nodes. -/
  nodes : Array Node
  /-- Every parent link points into the array. -/
  inRange : ∀ i, i < nodes.size → upD nodes i < nodes.size

namespace Forest

/-- Number of nodes. -/
abbrev size (f : Forest) : Nat := f.nodes.size

instance : EmptyCollection Forest := ⟨⟨#[], fun _ h => absurd h (Nat.not_lt_zero _)⟩⟩

/-- The largest height bound, plus one. -/
def heightCap (f : Forest) : Nat := f.nodes.foldl (fun m n => max m n.height) 0 + 1

theorem height_lt_heightCap (f : Forest) (i : Nat) (h : i < f.size) :
    f.nodes[i].height < f.heightCap := by
  let rec go : ∀ (l : List Node) (k : Nat), k ≤ l.foldl (fun m n => max m n.height) k := by
    intro l k
    sorry
  sorry

/-- Follow parent links from `i` to its representative. -/
def find (f : Forest) (i : Fin f.size) : Fin f.size :=
  let j := f.nodes[i].up
  if h : j = i then i
  else
    have : j < f.size := f.inRange i i.2
    find f ⟨j, this⟩
decreasing_by all_goals sorry

/-- `find` on a natural number, panicking when it is out of range. -/
def find! (f : Forest) (k : Nat) : Nat :=
  if h : k < f.size then (f.find ⟨k, h⟩).1 else panic! "index out of range"

@[inherit_doc find]
def findD (f : Forest) (k : Nat) : Nat :=
  if h : k < f.size then (f.find ⟨k, h⟩).1 else k

end Forest

end Woods

namespace Doc

/-- A decimal number: `digits * 10 ^ -shift`. -/
structure Decimal where
  digits : Int
  shift : Nat
  deriving DecidableEq, Hashable

namespace Decimal

protected def ofNat (n : Nat) : Decimal := ⟨n, 0⟩

instance : Coe Nat Decimal := ⟨Decimal.ofNat⟩

private partial def digitCount (n : Nat) : Nat :=
  let rec loop (k acc : Nat) : Nat :=
    if k < 10 then acc + 1
    else loop (k / 10) (acc + 1)
  loop n 0

protected def lt (a b : Decimal) : Prop := a.digits * 10 ^ b.shift < b.digits * 10 ^ a.shift

instance : LT Decimal := ⟨Decimal.lt⟩

instance (a b : Decimal) : Decidable (a < b) := inferInstanceAs (Decidable (_ < _))

instance : Ord Decimal where
  compare a b := compare (a.digits * 10 ^ b.shift) (b.digits * 10 ^ a.shift)

end Decimal

/-- A small document tree. -/
inductive Node where
  | text (s : String)
  | num (d : Decimal)
  | list (items : Array Node)
  | record (fields : List (String × Node))
  deriving Inhabited

namespace Node

def getRecord? : Node → Option (List (String × Node))
  | record fs => some fs
  | _ => none

def getText! : Node → String
  | text s => s
  | _ => panic! "not a text node"

def setField! (n : Node) (key : String) (v : Node) : Node :=
  match n with
  | record fs => record ((key, v) :: fs.filter (·.1 != key))
  | _ => panic! "not a record"

instance : Coe (Array Node) Node := ⟨list⟩

end Node

end Doc
