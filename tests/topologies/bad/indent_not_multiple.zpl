# expect: 3: indentation of 3 spaces is not a multiple of 4
run
   name = demo
group = web
    actor = front
        class = echo
