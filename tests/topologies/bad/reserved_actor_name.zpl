# expect: 5: bad actor name '_7': use 1 to 64 of A-Z a-z 0-9 _ . -, not starting with '.' or '_'
run
    name = demo
group = web
    actor = _7
        class = echo
