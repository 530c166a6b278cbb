# expect: 4: unknown key 'grop' at the top level (did you mean 'group'?)
run
    name = demo
grop = web
group = web
    actor = front
        class = echo
