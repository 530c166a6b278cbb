# expect: 4: 1000000 out of range for 'intensity': expected 0 to 10000
run
    name = demo
    intensity = 1000000
group = web
    actor = front
        class = echo
