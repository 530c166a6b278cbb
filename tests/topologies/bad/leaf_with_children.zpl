# expect: 5: 'strategy' in run takes a value, not indented keys
run
    name = demo
    strategy = one_for_all
        hwm = 3
group = web
    actor = front
        class = echo
