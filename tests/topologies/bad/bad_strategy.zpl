# expect: 4: bad value 'one_for_some' for 'strategy': expected one_for_one, one_for_all or rest_for_one
run
    name = demo
    strategy = one_for_some
group = web
    actor = front
        class = echo
