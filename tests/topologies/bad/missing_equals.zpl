# expect: 4: expected '=' after 'strategy', found 'one_for_all'
run
    name = demo
    strategy one_for_all
group = web
    actor = front
        class = echo
