/- A block comment /- with a nested one -/ and
theorem in_comment : True := trivial
still in the outer comment -/

-- theorem line_comment : True := trivial

/-- A docstring mentioning `theorem doc_thm`. -/
theorem after_comments : True := trivial

def strings : List String := ["theorem in_string", "-- not a comment", "/- nor this"]

def chars : List Char := ['"', '\'', '-']

theorem after_chars : True := trivial

def prime' (x' : Nat) : Nat := x'

theorem after_prime : True := trivial
