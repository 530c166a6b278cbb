# expect: 4: 0s out of range for 'period': expected 1ms to 86400s
run
    name = demo
    period = 0s
group = web
    actor = front
        class = echo
