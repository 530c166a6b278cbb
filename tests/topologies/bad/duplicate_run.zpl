# expect: 4: duplicate run section (first at line 2)
run
    name = demo
run
    name = other
group = web
    actor = front
        class = echo
