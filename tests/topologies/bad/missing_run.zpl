# expect: 0: missing required section 'run'
group = web
    actor = front
        class = echo
