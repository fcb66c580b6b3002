namespace A

theorem ok_before : True := trivial

end B

def s := "unterminated
theorem after_string : True := trivial
