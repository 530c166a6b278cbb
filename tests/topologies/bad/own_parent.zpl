# expect: 5: group 'web' cannot be its own parent ('web/front')
run
    name = demo
group = web
    parent = web/front
    actor = front
        class = echo
