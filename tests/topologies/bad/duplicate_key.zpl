# expect: 5: duplicate key 'hwm' in run (first at line 4)
run
    name = demo
    hwm = 10
    hwm = 20
group = web
    actor = front
        class = echo
