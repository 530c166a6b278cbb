# expect: 7: missing closing " in value
run
    name = demo
group = web
    actor = front
        class = echo
        args = "hello world
