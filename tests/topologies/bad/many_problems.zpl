# expect: 0: no groups: a run needs at least one 'group = NAME' section
# expect: 7: unknown key 'hmw' in run (did you mean 'hwm'?)
# expect: 8: bad value 'all' for 'strategy': expected one_for_one, one_for_all or rest_for_one
# expect: 9: 0 out of range for 'hwm': expected 1 to 10000000
run
    name = demo
    hmw = 10
    strategy = all
    hwm = 0
