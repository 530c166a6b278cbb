# expect: 2: missing required key 'name' in run
run
    strategy = one_for_all
group = web
    actor = front
        class = echo
