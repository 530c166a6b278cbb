# expect: 4: unknown key 'stratgy' in run (did you mean 'strategy'?)
run
    name = demo
    stratgy = one_for_all
group = web
    actor = front
        class = echo
