# expect: 5: key 'class' belongs in an actor section, not in group 'web'
run
    name = demo
group = web
    class = echo
    actor = front
        class = echo
