# expect: 3: bad run name 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa': use 1 to 64 of A-Z a-z 0-9 _ . -, not starting with '.'
run
    name = aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa
group = web
    actor = front
        class = echo
