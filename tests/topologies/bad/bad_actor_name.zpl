# expect: 5: bad actor name '.hidden': use 1 to 64 of A-Z a-z 0-9 _ . -, not starting with '.' or '_'
run
    name = demo
group = web
    actor = .hidden
        class = echo
