# expect: 4: bad group name 'web/front': use 1 to 64 of A-Z a-z 0-9 _ . -, not starting with '.'
run
    name = demo
group = web/front
    actor = front
        class = echo
