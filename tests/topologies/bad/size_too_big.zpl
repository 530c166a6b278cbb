# expect: 4: 2G out of range for 'max_msg_size': expected 64 to 1073741824
run
    name = demo
    max_msg_size = 2G
group = web
    actor = front
        class = echo
