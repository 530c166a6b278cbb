# expect: 5: unknown key 'restrat' in group 'web' (did you mean 'restart'?)
run
    name = demo
group = web
    restrat = transient
    actor = front
        class = echo
