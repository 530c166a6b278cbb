# expect: 2: run takes no value: write its name as 'name = demo' below it
run = demo
    name = demo
group = web
    actor = front
        class = echo
