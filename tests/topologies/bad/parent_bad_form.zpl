# expect: 5: bad parent 'boss' for group 'web': expected GROUP/ACTOR
run
    name = demo
group = web
    parent = boss
    actor = front
        class = echo
