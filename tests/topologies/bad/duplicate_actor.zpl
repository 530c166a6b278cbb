# expect: 7: duplicate actor name 'front' in group 'web' (first at line 5)
run
    name = demo
group = web
    actor = front
        class = echo
    actor = front
        class = sink
