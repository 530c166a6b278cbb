# expect: 4: bad number '-1' for 'intensity': expected a whole number
run
    name = demo
    intensity = -1
group = web
    actor = front
        class = echo
