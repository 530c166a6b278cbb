# expect: 5: missing value for 'restart' in group 'web'
run
    name = demo
group = web
    restart =
    actor = front
        class = echo
