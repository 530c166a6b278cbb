# expect: 5: bad value 'sometimes' for 'restart': expected permanent, transient or temporary
run
    name = demo
group = web
    restart = sometimes
    actor = front
        class = echo
