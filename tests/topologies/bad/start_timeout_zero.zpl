# expect: 5: 0 out of range for 'start_timeout': expected 1ms to 86400s
run
    name = demo
group = web
    start_timeout = 0
    actor = front
        class = echo
