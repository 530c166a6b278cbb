# expect: 0: no groups: a run needs at least one 'group = NAME' section
run
    name = demo
    strategy = one_for_all
