# expect: 3: expected a name, found '= demo'
run
    = demo
group = web
    actor = front
        class = echo
