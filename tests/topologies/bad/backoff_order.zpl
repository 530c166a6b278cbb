# expect: 5: backoff_min (2000ms) is greater than backoff_max (1000ms)
run
    name = demo
    backoff_min = 2s
    backoff_max = 1000
group = web
    actor = front
        class = echo
