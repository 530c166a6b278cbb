# expect: 4: 90000s out of range for 'shutdown': expected 0ms to 86400s
run
    name = demo
    shutdown = 90000s
group = web
    actor = front
        class = echo
