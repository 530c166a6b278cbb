# expect: 4: 0 out of range for 'hwm': expected 1 to 10000000
run
    name = demo
    hwm = 0
group = web
    actor = front
        class = echo
