# expect: 5: actor needs a name: write 'actor = NAME'
run
    name = demo
group = web
    actor
        class = echo
