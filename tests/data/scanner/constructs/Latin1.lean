theorem latin1 : True := trivial -- café
def after_bad := 1
