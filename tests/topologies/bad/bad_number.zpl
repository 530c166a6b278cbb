# expect: 4: bad number 'three' for 'intensity': expected a whole number
run
    name = demo
    intensity = three
group = web
    actor = front
        class = echo
