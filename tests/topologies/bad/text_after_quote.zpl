# expect: 7: unexpected text after the quoted value: 'world'
run
    name = demo
group = web
    actor = front
        class = echo
        args = "hello" world
