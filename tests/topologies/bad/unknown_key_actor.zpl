# expect: 7: unknown key 'argz' in actor 'web/front' (did you mean 'args'?)
run
    name = demo
group = web
    actor = front
        class = echo
        argz = 1
