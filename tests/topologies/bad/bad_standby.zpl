# expect: 6: bad value 'yes' for 'standby': expected true or false
run
    name = demo
group = web
    restart = permanent
    standby = yes
    actor = front
        class = echo
