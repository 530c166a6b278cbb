# expect: 4: bad duration '5min' for 'period': expected a whole number with unit ms or s
run
    name = demo
    period = 5min
group = web
    actor = front
        class = echo
