# expect: 7: duplicate group name 'web' (first at line 4)
run
    name = demo
group = web
    actor = front
        class = echo
group = web
    actor = back
        class = echo
