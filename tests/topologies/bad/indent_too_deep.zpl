# expect: 5: indented too deep: 8 spaces where at most 4 fit
run
    name = demo
group = web
        actor = front
            class = echo
